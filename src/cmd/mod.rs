//! One module per subcommand.

pub mod check;
pub mod compare;
pub mod levers;
pub mod price;
pub mod run;
pub mod site;

use tenbin_engine::analysis::decision::{Precision, psa_until_precise};
use tenbin_engine::run::Psa;

/// Errors of any subcommand; each is printed as one `error: ...` line.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// How many probabilistic draws: a number, or `auto` to draw until the headline price is
/// precise enough.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Draws {
    /// This many (0 for the base case only).
    Count(usize),
    /// Until the Monte Carlo standard error of the mean threshold price is at most the
    /// tolerance.
    Auto,
}

impl std::str::FromStr for Draws {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s == "auto" {
            return Ok(Draws::Auto);
        }
        s.replace('_', "").parse().map(Draws::Count).map_err(|_| {
            format!("`{s}` is not a number of draws; expected a whole number or `auto`")
        })
    }
}

/// A number, or the string `auto`.
impl serde::Serialize for Draws {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Draws::Count(n) => s.serialize_u64(*n as u64),
            Draws::Auto => s.serialize_str("auto"),
        }
    }
}

impl std::fmt::Display for Draws {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Draws::Count(n) => write!(f, "{n}"),
            Draws::Auto => f.write_str("auto"),
        }
    }
}

/// How scenarios are sampled: shared by the subcommands that run them.
#[derive(Debug, Clone, clap::Args)]
pub struct Sampling {
    /// Probabilistic draws (0 for the base case only), or `auto`: start at 1,000 and draw until
    /// the standard error of the mean threshold price is at most --tolerance.
    #[arg(long, default_value = "10000")]
    pub draws: Draws,
    /// With --draws auto: the standard error to reach, in yen (default 0.5% of the mean).
    #[arg(long)]
    pub tolerance: Option<f64>,
    /// With --draws auto: the most draws to use.
    #[arg(long, default_value_t = 1_000_000)]
    pub max_draws: usize,
    /// Seed of the random streams.
    #[arg(long, default_value_t = tenbin_engine::run::RunOptions::default().seed)]
    pub seed: u64,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
}

impl Sampling {
    /// The engine's run options for these settings (`auto` starts at 1,000 draws).
    pub fn options(&self, keep_parameters: bool) -> tenbin_engine::run::RunOptions {
        tenbin_engine::run::RunOptions {
            seed: self.seed,
            draws: match self.draws {
                Draws::Count(n) => n,
                Draws::Auto => 1_000,
            },
            threads: self.threads,
            keep_parameters,
            ..tenbin_engine::run::RunOptions::default()
        }
    }

    /// The probabilistic analysis these settings ask for (`None` for zero draws), and with
    /// `auto`, how precise it is.
    pub fn psa(
        &self,
        analysis: &tenbin_engine::run::Analysis<'_>,
        keep_parameters: bool,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<(Option<Psa>, Option<Precision>), Error> {
        if self.tolerance.is_some() && self.draws != Draws::Auto {
            return Err("--tolerance needs --draws auto".into());
        }
        let opts = self.options(keep_parameters);
        Ok(match self.draws {
            Draws::Count(0) => (None, None),
            Draws::Count(_) => (Some(analysis.psa(&opts, progress)?), None),
            Draws::Auto => {
                let (psa, precision) =
                    psa_until_precise(analysis, &opts, self.tolerance, self.max_draws, progress)?;
                (Some(psa), Some(precision))
            }
        })
    }
}
