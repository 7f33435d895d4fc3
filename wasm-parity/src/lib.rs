//! The reference model's threshold price (base case, PSA mean and 97.5% quantile), exported as
//! plain C functions so that the same code can run natively and as WebAssembly, and CI can
//! compare the bits (`run.mjs` runs the WebAssembly build under Node; `examples/native.rs`
//! prints the native result in the same format).

use tenbin_engine::report::Report;
use tenbin_engine::run::{Analysis, RunOptions};
use tenbin_engine::scenario::Scenario;

const REFERENCE: &str = include_str!("../../models/reference/durable-gene-therapy.toml");

fn report(draws: usize) -> Option<Report> {
    let sc = Scenario::parse("durable-gene-therapy.toml", REFERENCE, &|_| {
        Err("no files".into())
    })
    .ok()?;
    let analysis = Analysis::new(&sc);
    let base = analysis.base_case().ok()?;
    let opts = RunOptions {
        draws,
        seed: 7,
        ..RunOptions::default()
    };
    let psa = analysis.psa(&opts, &|_| {}).ok()?;
    Some(Report::new(&sc, &base, Some(&psa)))
}

/// The base-case threshold price at 5 million yen per QALY (NaN on failure).
#[unsafe(no_mangle)]
pub extern "C" fn base_price() -> f64 {
    report(1).map_or(f64::NAN, |r| r.threshold_price[0].base_case)
}

/// The PSA mean of the threshold price over `draws` draws with seed 7 (NaN on failure).
#[unsafe(no_mangle)]
pub extern "C" fn psa_mean(draws: u32) -> f64 {
    report(draws as usize)
        .and_then(|r| r.threshold_price[0].mean)
        .unwrap_or(f64::NAN)
}

/// The PSA's 97.5% quantile of the threshold price (NaN on failure).
#[unsafe(no_mangle)]
pub extern "C" fn psa_p97_5(draws: u32) -> f64 {
    report(draws as usize)
        .and_then(|r| r.threshold_price[0].p97_5)
        .unwrap_or(f64::NAN)
}
