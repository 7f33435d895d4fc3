//! `tenbin check`: validate scenario files, including the base case's values, without running
//! the probabilistic analysis.

use std::path::PathBuf;
use std::process::ExitCode;

use tenbin_engine::run::Analysis;
use tenbin_engine::scenario::Scenario;

use super::Error;

/// Arguments of `tenbin check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario files (TOML).
    #[arg(required = true)]
    scenarios: Vec<PathBuf>,
}

/// Checks every file and reports every problem; fails if any file has one.
pub fn run(args: &Args) -> Result<ExitCode, Error> {
    let mut failed = 0;
    for path in &args.scenarios {
        match Scenario::load(path) {
            Err(errors) => {
                failed += 1;
                for e in &errors.0 {
                    eprintln!("error: {e}");
                }
            }
            Ok(sc) => match Analysis::new(&sc).base_case() {
                Err(e) => {
                    failed += 1;
                    eprintln!("error: {e}");
                }
                Ok(_) => println!("ok: {} ({})", path.display(), sc.meta.id),
            },
        }
    }
    if failed > 0 {
        eprintln!(
            "{failed} of {} scenario files have problems",
            args.scenarios.len()
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
