//! One module per subcommand.

pub mod check;
pub mod compare;
pub mod levers;
pub mod price;
pub mod run;
pub mod site;

/// Errors of any subcommand; each is printed as one `error: ...` line.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// How scenarios are sampled: shared by the subcommands that run them.
#[derive(Debug, Clone, clap::Args)]
pub struct Sampling {
    /// Probabilistic draws (0 for the base case only).
    #[arg(long, default_value_t = 10_000)]
    pub draws: usize,
    /// Seed of the random streams.
    #[arg(long, default_value_t = tenbin_engine::run::RunOptions::default().seed)]
    pub seed: u64,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
}

impl Sampling {
    /// The engine's run options for these settings.
    pub fn options(&self, keep_parameters: bool) -> tenbin_engine::run::RunOptions {
        tenbin_engine::run::RunOptions {
            seed: self.seed,
            draws: self.draws,
            threads: self.threads,
            keep_parameters,
            ..tenbin_engine::run::RunOptions::default()
        }
    }
}
