//! Helpers shared by the engine's test modules.

use std::path::Path;

use tenbin_engine::official::Calculation;
use tenbin_engine::pricing::methods::MethodSummary;
use tenbin_engine::report::Report;
use tenbin_engine::scenario::Scenario;

/// The scenario library, `models/` at the repository's root.
pub const MODELS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../models");

/// The reference model's file (`models/reference/durable-gene-therapy.toml`).
pub const REFERENCE_MODEL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../models/reference/durable-gene-therapy.toml"
);

/// The reference model's text, for tests that edit it before parsing.
pub const REFERENCE_TEXT: &str =
    include_str!("../../../models/reference/durable-gene-therapy.toml");

/// The file reader for scenarios written in the test itself: there are no files to read.
pub fn no_files(_: &str) -> Result<String, String> {
    Err("no such file".into())
}

/// Parses a scenario written in the test (it reads no files), panicking with the error and the
/// text if it is not valid.
pub fn parse(file: &str, text: &str) -> Scenario {
    Scenario::parse(file, text, &no_files).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// Loads a scenario file, panicking with the error if it does not load.
pub fn load(path: impl AsRef<Path>) -> Scenario {
    Scenario::load(path.as_ref()).unwrap_or_else(|e| panic!("{e}"))
}

/// The reference model, loaded from its file.
pub fn reference_model() -> Scenario {
    load(REFERENCE_MODEL)
}

/// Whether `got` is within `rel` of `want`, relative to `|want|` (or absolute when `|want| < 1`).
pub fn close(got: f64, want: f64, rel: f64) -> bool {
    (got - want).abs() <= rel * want.abs().max(1.0)
}

/// Asserts [`close`], naming the quantity and both numbers.
#[track_caller]
pub fn assert_close(got: f64, want: f64, rel: f64, what: &str) {
    assert!(
        close(got, want, rel),
        "{what}: engine {got}, expected {want}"
    );
}

/// The report's summary of pricing method `id`.
#[track_caller]
pub fn method<'a>(r: &'a Report, id: &str) -> &'a MethodSummary {
    r.pricing
        .methods
        .iter()
        .find(|m| m.method.id() == id)
        .unwrap_or_else(|| panic!("no pricing method {id}"))
}

/// The value of the step labelled `label` in an official price calculation.
#[track_caller]
pub fn step(c: &Calculation, label: &str) -> f64 {
    c.steps
        .iter()
        .find(|s| s.label == label)
        .unwrap_or_else(|| panic!("no step {label}"))
        .value
}
