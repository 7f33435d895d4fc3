//! Helpers shared by the `tenbin` command's test modules.

use std::path::Path;
use std::process::Command;

/// The `tenbin` binary that Cargo built for these tests.
pub fn tenbin_command() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tenbin"))
}

/// Reads a JSON file.
#[track_caller]
pub fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}
