//! `tenbin levers`: what each policy lever of the proposal changes in a scenario, compared
//! draw by draw with the scenario as written.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use tenbin_engine::analysis::levers::lever_effects;
use tenbin_engine::run::Analysis;
use tenbin_engine::scenario::Scenario;
use tenbin_engine::summary::Estimate;

use super::Error;
use super::run::{Format, yen};

/// Arguments of `tenbin levers`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file (TOML); it needs a `[supply]` block.
    scenario: PathBuf,
    #[command(flatten)]
    sampling: super::Sampling,
    /// How to print the result.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Runs the subcommand.
pub fn run(args: &Args) -> Result<ExitCode, Error> {
    let sc = Scenario::load(&args.scenario).map_err(|e| e.to_string())?;
    if sc.supply.is_none() {
        return Err(format!(
            "{}: has no [supply] block, so it has no levers to flip",
            sc.file
        )
        .into());
    }
    let analysis = Analysis::new(&sc);
    let base = analysis.base_case()?;
    let (psa, _) = args.sampling.psa(&analysis, true, &|_| {})?;
    let draws = psa.as_ref().map_or(0, |p| p.draws);
    let effects = lever_effects(&sc, &base, psa.as_ref())
        .map_err(|e| format!("{}:{}:{}: {}", sc.file, e.loc.line, e.loc.column, e.message))?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if matches!(args.format, Format::Json) {
        serde_json::to_writer_pretty(
            &mut out,
            &serde_json::json!({
                "tenbin_version": tenbin_engine::report::VERSION,
                "scenario": { "id": sc.meta.id, "file": sc.file, "sha256": sc.hash },
                "seed": psa.as_ref().map(|_| args.sampling.seed),
                "draws": draws,
                "levers": effects,
            }),
        )?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "Levers of {} ({}), sha256 {}",
        sc.meta.id,
        sc.file,
        &sc.hash[..16]
    )?;
    writeln!(
        out,
        "each lever flipped, minus the scenario as written; base case, then mean and 95% interval over {} draws (seed {})",
        draws, args.sampling.seed
    )?;
    let show = |c: &Estimate, f: &dyn Fn(f64) -> String| match &c.psa {
        Some(s) => format!(
            "{:>14}   mean {} (95% {} to {})",
            f(c.base_case),
            f(s.mean),
            f(s.p2_5),
            f(s.p97_5)
        ),
        None => format!("{:>14}", f(c.base_case)),
    };
    let signed_yen = |x: f64| {
        if x > 0.0 {
            format!("+{}", yen(x))
        } else {
            yen(x)
        }
    };
    for e in &effects {
        writeln!(out)?;
        writeln!(out, "{}: {} -> {}", e.lever, e.from, e.to)?;
        writeln!(
            out,
            "  cost per treated      {}",
            show(&e.cost_per_treated, &signed_yen)
        )?;
        writeln!(
            out,
            "  never treated         {}",
            show(&e.never_treated, &|x| format!("{:+.2} pp", 100.0 * x))
        )?;
        writeln!(
            out,
            "  days to treatment     {}",
            show(&e.time_to_treatment_days, &|x| format!("{x:+.1}"))
        )?;
        for (w, c) in &e.threshold_price_per_treatment {
            writeln!(
                out,
                "  price at {:>10}/QALY {}",
                yen(*w),
                show(c, &signed_yen)
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
