//! `tenbin price`: one official pricing calculation from a case file, step by step.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use tenbin_engine::official::case::run_case;

use super::Error;
use super::run::{Format, yen};

/// Arguments of `tenbin price`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The case file (TOML; see cases/README.md).
    case: PathBuf,
    /// How to print the result.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Runs the subcommand. A case that states its published price fails (exit status 1) when the
/// calculation does not reproduce it.
pub fn run(args: &Args) -> Result<ExitCode, Error> {
    let file = args.case.display().to_string();
    let text = std::fs::read_to_string(&args.case).map_err(|e| format!("{file}: {e}"))?;
    let case = run_case(&file, &text)?;
    let c = &case.calculation;
    let matches = case.expected_price.is_none_or(|p| p == c.price);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(
                &mut out,
                &serde_json::json!({
                    "tenbin_version": tenbin_engine::report::VERSION,
                    "title": case.title,
                    "source": case.source,
                    "method": c.method,
                    "route": c.route,
                    "rule_set": c.rule_set,
                    "steps": c.steps,
                    "unrounded": c.unrounded,
                    "price": c.price,
                    "expected_price": case.expected_price,
                }),
            )?;
            writeln!(out)?;
        }
        Format::Table => {
            writeln!(out, "{}", case.title)?;
            if let Some(s) = &case.source {
                writeln!(out, "source: {s}")?;
            }
            writeln!(
                out,
                "method {}, {:?} route, rule set {}",
                c.method, c.route, c.rule_set
            )?;
            // Each rule's document once, numbered, and the step marked with its number.
            let mut sources: Vec<&str> = Vec::new();
            for s in &c.steps {
                let shown = if s.value.abs() < 10.0 && s.value.fract() != 0.0 {
                    format!("{}", s.value)
                } else {
                    yen(s.value)
                };
                let note = if s.source.is_empty() {
                    String::new()
                } else {
                    let k = match sources.iter().position(|x| *x == s.source) {
                        Some(k) => k,
                        None => {
                            sources.push(&s.source);
                            sources.len() - 1
                        }
                    };
                    format!(" [{}]", k + 1)
                };
                writeln!(out, "  {:<34} {:>16}   {}{note}", s.label, shown, s.rule)?;
            }
            for (k, s) in sources.iter().enumerate() {
                writeln!(out, "  [{}] {s}", k + 1)?;
            }
            if let Some(p) = case.expected_price {
                writeln!(
                    out,
                    "published price {}: {}",
                    yen(p),
                    if matches {
                        "reproduced"
                    } else {
                        "NOT reproduced"
                    }
                )?;
            }
        }
    }
    if !matches {
        eprintln!(
            "error: {file}: the calculation gives {} yen, the published price is {} yen",
            yen(c.price),
            yen(case.expected_price.unwrap_or_default())
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
