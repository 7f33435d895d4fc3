//! `tenbin compare`: every pricing method on every scenario given, side by side (base case,
//! median and 90% interval over the draws), printed and optionally written as CSV and JSON.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use tenbin_engine::report::{Report, VERSION};
use tenbin_engine::run::Analysis;
use tenbin_engine::scenario::Scenario;
use tenbin_site::staging::Staging;

use super::Error;
use super::run::yen;

/// Arguments of `tenbin compare`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario files (TOML).
    #[arg(required = true)]
    scenarios: Vec<PathBuf>,
    #[command(flatten)]
    sampling: super::Sampling,
    /// Write compare.csv and compare.json to this directory.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Runs the subcommand.
pub fn run(args: &Args) -> Result<ExitCode, Error> {
    let mut rows = Vec::new();
    let mut scenarios = Vec::new();
    for path in &args.scenarios {
        let sc = Scenario::load(path).map_err(|e| e.to_string())?;
        let analysis = Analysis::new(&sc);
        let base = analysis.base_case()?;
        let (psa, _) = args.sampling.psa(&analysis, false, &|_| {})?;
        let report = Report::new(&sc, &base, psa.as_ref());
        for m in &report.pricing.methods {
            rows.push((sc.meta.id.clone(), m.clone()));
        }
        scenarios.push(serde_json::json!({
            "id": sc.meta.id,
            "file": sc.file,
            "sha256": sc.hash,
            "wtp": report.pricing.wtp,
            "rule_set": report.pricing.rule_set,
            "draws": psa.as_ref().map_or(0, |p| p.draws),
            "probability_no_viable_price": report.pricing.probability_no_viable_price,
            "methods": report.pricing.methods,
        }));
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    writeln!(
        out,
        "{:<28} {:<26} {:>16} {:>16}   90% interval",
        "scenario", "method", "base case", "median"
    )?;
    let opt = |x: Option<f64>| x.map_or_else(|| "-".to_string(), yen);
    for (id, m) in &rows {
        writeln!(
            out,
            "{:<28} {:<26} {:>16} {:>16}   {} to {}",
            id,
            m.method,
            yen(m.base_case),
            opt(m.p50),
            opt(m.p5),
            opt(m.p95)
        )?;
    }
    for s in &scenarios {
        if let Some(p) = s["probability_no_viable_price"].as_f64() {
            writeln!(
                out,
                "{}: probability that no price is both justified by value and viable to supply: {:.1}%",
                s["id"].as_str().unwrap_or_default(),
                100.0 * p
            )?;
        }
    }
    if let Some(dir) = &args.out {
        let staging = Staging::new(dir)?;
        staging.write("compare.csv", |w| {
            writeln!(w, "scenario,method,base_case,mean,p5,p50,p95")?;
            let f = |x: Option<f64>| x.map_or(String::new(), |v| v.to_string());
            for (id, m) in &rows {
                writeln!(
                    w,
                    "{id},{},{},{},{},{},{}",
                    m.method,
                    m.base_case,
                    f(m.mean),
                    f(m.p5),
                    f(m.p50),
                    f(m.p95)
                )?;
            }
            Ok(())
        })?;
        staging.write("compare.json", |w| {
            serde_json::to_writer_pretty(
                &mut *w,
                &serde_json::json!({
                    "tenbin_version": VERSION,
                    "seed": args.sampling.seed,
                    "draws": args.sampling.draws,
                    "scenarios": scenarios,
                }),
            )?;
            writeln!(w)
        })?;
        staging.commit()?;
    }
    Ok(ExitCode::SUCCESS)
}
