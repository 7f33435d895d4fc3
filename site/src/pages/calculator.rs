//! The scenario page's calculator: the controls the page renders for the browser to run.

use minijinja::{Value, context};
use tenbin_engine::scenario::Scenario;

use super::Templates;
use crate::i18n::{Lang, count, pick, unit_words, yen};
use crate::results::ScenarioResults;

/// Draws the calculator runs per request: enough for a steady median and 90% interval, few
/// enough to answer within a fifth of a second in the browser.
const CALCULATOR_DRAWS: usize = 5_000;

/// The calculator's controls as the page renders them (JavaScript shows and runs them; without
/// it the section stays hidden and the static results stand).
pub(super) fn calculator(t: &Templates, lang: Lang, sc: &Scenario, r: &ScenarioResults) -> Value {
    let controls: Vec<Value> = sc
        .controls
        .iter()
        .map(|c| {
            let p = &sc.parameters[c.parameter];
            context! {
                kind => c.kind.key(),
                label => t.s(lang, &format!("calc_{}", c.kind.key())),
                parameter => p.name,
                parameter_label => pick(&p.label, lang),
                unit => p.unit.as_ref().map_or("", |u| unit_words(&u.value, lang)),
                min => c.min,
                max => c.max,
                step => (c.max - c.min) / 100.0,
                value => p.base,
            }
        })
        .collect();
    // The scenario's willingness-to-pay values and Japan's reference values.
    let mut wtps: Vec<f64> = sc.settings.wtp.clone();
    for w in [5_000_000.0, 7_500_000.0, 10_000_000.0, 15_000_000.0] {
        if !wtps.contains(&w) {
            wtps.push(w);
        }
    }
    // Selected at first: the willingness to pay of the page's value-based price.
    let first = sc.pricing.value_wtp();
    if !wtps.contains(&first) {
        wtps.push(first);
    }
    wtps.sort_by(f64::total_cmp);
    let methods: Vec<Value> = r.report["pricing"]["methods"]
        .as_array()
        .map(|m| {
            m.iter()
                .filter_map(|m| m["method"].as_str())
                .map(|id| context! { id => id, label => t.s(lang, &format!("method_{id}")) })
                .collect()
        })
        .unwrap_or_default();
    let instalment_years = sc.payments.as_ref().map(|p| p.instalment_years);
    context! {
        draws => CALCULATOR_DRAWS,
        draws_text => count(CALCULATOR_DRAWS),
        seed => r.seed,
        file => sc.file,
        controls => controls,
        wtps => wtps.iter().map(|&w| context! { value => w, label => yen(w, lang), selected => w == first }).collect::<Vec<_>>(),
        methods => methods,
        instalment_years => instalment_years,
    }
}
