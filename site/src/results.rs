//! Running every scenario for the site, with a cache so that an unchanged scenario is not run
//! again.
//!
//! A result is a function of the scenario (its hash covers the files it reads), the seed, the
//! number of draws and the program, so the cache key is made of those: the Tenbin version and a
//! fingerprint of the executable (so that a rebuilt engine never reuses an older one's results). Cached results are
//! the same bits as fresh ones: floats are written in shortest round-trip form and read back
//! exactly.

use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tenbin_engine::analysis::decision::{DecisionOptions, analyse, discounted_patients};
use tenbin_engine::analysis::levers::lever_effects;
use tenbin_engine::model::Outcome;
use tenbin_engine::pricing::value::threshold_price;
use tenbin_engine::report::draws::draws_csv;
use tenbin_engine::report::{Report, VERSION};
use tenbin_engine::run::{Analysis, RunOptions};
use tenbin_engine::scenario::Scenario;
use tenbin_engine::summary::{Summary, rank_correlation};

use crate::Error;

/// Bumped whenever [`ScenarioResults`] changes shape, so that old cache files are ignored.
const CACHE_FORMAT: u32 = 6;

/// A threshold price at one willingness to pay: the report's `threshold_price` entry, which
/// the site always has over draws.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    /// Willingness to pay, yen per QALY.
    pub wtp: f64,
    /// At the base case.
    pub base_case: f64,
    /// Over the draws (95% interval).
    pub draws: Summary,
    /// Share of draws with a positive threshold price.
    pub probability_positive: f64,
}

/// How closely the headline threshold price moves with one uncertain input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Influence {
    /// The parameter's name in the scenario.
    pub parameter: String,
    /// Spearman's rank correlation with the threshold price at the first willingness to pay.
    pub rank_correlation: f64,
}

/// What the site shows of one scenario's run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioResults {
    /// The cache key: SHA-256 of version, scenario hash, seed and draws.
    pub key: String,
    /// Seed of the random streams.
    pub seed: u64,
    /// Number of draws.
    pub draws: usize,
    /// The run's full report, as `tenbin run` writes it to `summary.json`.
    pub report: serde_json::Value,
    /// Threshold prices, one per willingness to pay in the scenario's settings.
    pub thresholds: Vec<Threshold>,
    /// Base-case incremental QALYs.
    pub base_delta_qalys: f64,
    /// Base-case incremental costs, excluding the intervention's price.
    pub base_delta_costs: f64,
    /// Incremental QALYs of each draw.
    pub delta_qalys: Vec<f64>,
    /// Incremental costs of each draw, excluding the intervention's price.
    pub delta_costs: Vec<f64>,
    /// Uncertain inputs, most influential first.
    pub influence: Vec<Influence>,
    /// What each policy lever changes (empty without `[supply]`), as `tenbin levers` reports it.
    pub levers: serde_json::Value,
    /// The decision analyses, as `tenbin run --analyses` writes them to `decision.json`.
    pub decision: serde_json::Value,
    /// The draws table, as `tenbin run --keep-draws` writes it to `draws.csv`.
    pub draws_csv: String,
    /// The calculator's request for this run (nothing held) and its answer, summarised from
    /// these draws: what the page's calculator shows until a control moves.
    pub calculator: (tenbin_calculator::Request, tenbin_calculator::Answer),
}

impl ScenarioResults {
    /// Threshold prices at willingness to pay `wtp` for every draw.
    pub fn threshold_draws(&self, wtp: f64) -> Vec<f64> {
        self.delta_qalys
            .iter()
            .zip(&self.delta_costs)
            .map(|(&q, &c)| threshold_price(wtp, q, c))
            .collect()
    }
}

/// A fingerprint of the program doing the build: the SHA-256 of its own executable. The version
/// number alone does not change between builds during development, and a cached result from an
/// older engine must not be shown as this one's.
fn program_fingerprint() -> &'static str {
    static FINGERPRINT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    FINGERPRINT.get_or_init(|| {
        match std::env::current_exe().and_then(std::fs::read) {
            Ok(bytes) => Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            // Without it, every build runs every scenario: slower, never wrong.
            Err(_) => format!("unknown-{}", std::process::id()),
        }
    })
}

/// The cache key of a run: Tenbin's version and the program's fingerprint, the scenario's hash,
/// the seed and the number of draws.
pub fn cache_key(sc: &Scenario, seed: u64, draws: usize) -> String {
    let mut h = Sha256::new();
    h.update(
        format!(
            "tenbin {VERSION}\nprogram {}\ncache {CACHE_FORMAT}\nscenario {}\nseed {seed}\ndraws {draws}\n",
            program_fingerprint(),
            sc.hash
        )
        .as_bytes(),
    );
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The results of `sc` with `seed` and `draws`: read from `cache` if a run with the same key is
/// there, otherwise run now and stored. Returns whether the cache answered.
pub fn load_or_run(
    sc: &Scenario,
    seed: u64,
    draws: usize,
    threads: Option<usize>,
    cache: &Path,
) -> Result<(ScenarioResults, bool), Error> {
    let key = cache_key(sc, seed, draws);
    let file = cache.join(format!("{}-{}.json", sc.meta.id, &key[..16]));
    if let Ok(bytes) = std::fs::read(&file) {
        // A damaged or outdated cache file is not an error: the scenario is simply run again.
        if let Ok(r) = serde_json::from_slice::<ScenarioResults>(&bytes) {
            if r.key == key {
                return Ok((r, true));
            }
        }
    }
    let results = run(sc, seed, draws, threads)?;
    std::fs::create_dir_all(cache).map_err(|e| Error::io(cache, e))?;
    // Written aside and renamed, so that an interrupted build never leaves half a cache file.
    let tmp = file.with_extension(format!("json.tmp-{}", std::process::id()));
    let bytes = serde_json::to_vec(&results).map_err(|e| Error::Cache(e.to_string()))?;
    std::fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, &file).map_err(|e| Error::io(&file, e))?;
    Ok((results, false))
}

/// Runs the base case and the probabilistic analysis of `sc`.
pub fn run(
    sc: &Scenario,
    seed: u64,
    draws: usize,
    threads: Option<usize>,
) -> Result<ScenarioResults, Error> {
    let run_error = |e: tenbin_engine::run::RunError| Error::Run {
        file: sc.file.clone(),
        message: e.to_string(),
    };
    if draws < 2 {
        return Err(Error::Run {
            file: sc.file.clone(),
            message: "the site needs at least 2 draws per scenario to show uncertainty".into(),
        });
    }
    let analysis = Analysis::new(sc);
    let base = analysis.base_case().map_err(run_error)?;
    let opts = RunOptions {
        seed,
        draws,
        threads,
        keep_parameters: true,
        ..RunOptions::default()
    };
    let psa = analysis.psa(&opts, &|_| {}).map_err(run_error)?;
    let report = Report::new(sc, &base, Some(&psa));
    let levers = lever_effects(sc, &base, Some(&psa)).map_err(|e| Error::Run {
        file: sc.file.clone(),
        message: format!("{}:{}: {}", e.loc.line, e.loc.column, e.message),
    })?;
    let decision = analyse(
        &analysis,
        &psa,
        &DecisionOptions {
            population: report
                .budget
                .as_ref()
                .map(|b| discounted_patients(b, sc.settings.discount_rate_costs)),
            ..DecisionOptions::default()
        },
    )
    .map_err(run_error)?;
    let (delta_qalys, delta_costs): (Vec<f64>, Vec<f64>) = psa
        .outcomes
        .chunks(psa.arms)
        .map(|d| {
            let inc = Outcome::incremental(sc, d);
            (inc.qalys, inc.costs)
        })
        .unzip();
    let thresholds = report
        .threshold_price
        .iter()
        .map(|t| Threshold {
            wtp: t.wtp,
            base_case: t.base_case,
            draws: Summary {
                mean: t.mean.unwrap_or(f64::NAN),
                mcse: t.mcse.unwrap_or(f64::NAN),
                sd: t.sd.unwrap_or(f64::NAN),
                p2_5: t.p2_5.unwrap_or(f64::NAN),
                p50: t.p50.unwrap_or(f64::NAN),
                p97_5: t.p97_5.unwrap_or(f64::NAN),
            },
            probability_positive: t.probability_positive.unwrap_or(f64::NAN),
        })
        .collect::<Vec<_>>();
    let mut influence = Vec::new();
    if let (Some(first), Some(params)) = (thresholds.first(), psa.parameters.as_deref()) {
        let price: Vec<f64> = delta_qalys
            .iter()
            .zip(&delta_costs)
            .map(|(&q, &c)| threshold_price(first.wtp, q, c))
            .collect();
        for p in &sc.parameters {
            let Some(slot) = sc.slot_of(&p.name) else {
                continue;
            };
            let x: Vec<f64> = params.chunks(psa.slot_count).map(|d| d[slot]).collect();
            let rho = rank_correlation(&x, &price);
            // Fixed inputs have no rank correlation (NaN): they are not a source of uncertainty.
            if rho.is_finite() {
                influence.push(Influence {
                    parameter: p.name.clone(),
                    rank_correlation: rho,
                });
            }
        }
        influence.sort_by(|a, b| {
            b.rank_correlation
                .abs()
                .total_cmp(&a.rank_correlation.abs())
                .then_with(|| a.parameter.cmp(&b.parameter))
        });
    }
    Ok(ScenarioResults {
        key: cache_key(sc, seed, draws),
        seed,
        draws,
        report: serde_json::to_value(&report).map_err(|e| Error::Cache(e.to_string()))?,
        thresholds,
        base_delta_qalys: report.base_case.incremental.qalys,
        base_delta_costs: report.base_case.incremental.costs,
        delta_qalys,
        delta_costs,
        influence,
        levers: serde_json::to_value(&levers).map_err(|e| Error::Cache(e.to_string()))?,
        decision: serde_json::to_value(&decision).map_err(|e| Error::Cache(e.to_string()))?,
        draws_csv: draws_csv(sc, &psa),
        calculator: tenbin_calculator::page_answer(sc, &psa).map_err(|message| Error::Run {
            file: sc.file.clone(),
            message,
        })?,
    })
}
