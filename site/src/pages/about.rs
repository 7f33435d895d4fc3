//! The about page: how each scenario's numbers were made, and the command that makes them again.

use minijinja::{Value, context};
use tenbin_engine::scenario::Scenario;

use super::scenario::rerun_command;
use crate::i18n::{Lang, count, pick};
use crate::results::ScenarioResults;

/// What the about page lists for each run.
pub(super) fn about_rows(lang: Lang, runs: &[(Scenario, ScenarioResults)]) -> Vec<Value> {
    runs.iter()
        .map(|(sc, r)| {
            context! {
                id => sc.meta.id,
                title => pick(&sc.meta.title, lang),
                file => sc.file,
                sha256 => sc.hash,
                seed => r.seed,
                draws => count(r.draws),
                command => rerun_command(sc, r),
            }
        })
        .collect()
}
