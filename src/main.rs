//! `tenbin`: the command-line program. It parses arguments, reads files, shows progress and
//! writes outputs; everything else happens in `tenbin-engine`.

mod cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Weighs the lasting benefit of a regenerative medicine product against what it costs, and
/// suggests reimbursement prices under uncertainty.
#[derive(Debug, Parser)]
#[command(name = "tenbin", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a scenario: base case, probabilistic analysis and threshold prices.
    Run(cmd::run::Args),
    /// Check scenario files without running them (exit status 0 when all are valid).
    Check(cmd::check::Args),
    /// What each policy lever changes: cost per treated patient, never-treated share, days to
    /// treatment and price per treatment, paired draw by draw.
    Levers(cmd::levers::Args),
    /// Every pricing method on every scenario, side by side: base case, median and 90% interval.
    Compare(cmd::compare::Args),
    /// One official pricing calculation (cost accounting, comparable drug) from a case file,
    /// step by step.
    Price(cmd::price::Args),
    /// Build or preview the public site (every scenario in models/, every page in content/).
    Site(cmd::site::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => cmd::run::run(&args),
        Command::Check(args) => cmd::check::run(&args),
        Command::Site(args) => cmd::site::run(&args),
        Command::Levers(args) => cmd::levers::run(&args),
        Command::Price(args) => cmd::price::run(&args),
        Command::Compare(args) => cmd::compare::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            // A closed pipe (`tenbin run ... | head`) is not worth an error message.
            if let Some(io) = e.downcast_ref::<std::io::Error>() {
                if io.kind() == std::io::ErrorKind::BrokenPipe {
                    return ExitCode::SUCCESS;
                }
            }
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
