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
    /// Scenario files (TOML), or folders: every `.toml` file under a folder is checked.
    #[arg(required = true)]
    scenarios: Vec<PathBuf>,
}

/// Checks every file and reports every problem; fails if any file has one.
pub fn run(args: &Args) -> Result<ExitCode, Error> {
    let mut files = Vec::new();
    for path in &args.scenarios {
        if path.is_dir() {
            files.extend(tenbin_site::toml_files_under(path).map_err(|e| e.to_string())?);
        } else {
            files.push(path.clone());
        }
    }
    let mut failed = 0;
    for path in &files {
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
        eprintln!("{failed} of {} scenario files have problems", files.len());
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
