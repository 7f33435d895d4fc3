//! The engine's integration tests, one module per subject, built as one test binary (one link of
//! the engine instead of one per file). Helpers used by more than one module are in `common`.

mod common;

mod bad_scenarios;
mod decision;
mod hold;
mod laws;
mod layers;
mod library;
mod life_table;
mod official_prices;
mod payments;
mod psa;
mod reference_model;
mod reproducible;
mod supply;
