//! The comparison page: every scenario's threshold prices side by side, and its prices by
//! pricing method.

use minijinja::{Value, context};
use tenbin_engine::scenario::Scenario;

use super::Templates;
use crate::i18n::{Lang, percent, pick, yen};
use crate::results::ScenarioResults;

/// One row per scenario and willingness to pay, for the comparison page.
pub(super) fn compare_rows(lang: Lang, runs: &[(Scenario, ScenarioResults)]) -> Vec<Value> {
    runs.iter()
        .flat_map(|(sc, r)| {
            r.thresholds.iter().map(move |th| {
                context! {
                    id => sc.meta.id,
                    title => pick(&sc.meta.title, lang),
                    wtp => yen(th.wtp, lang),
                    base_case => yen(th.base_case, lang),
                    median => yen(th.draws.p50, lang),
                    low => yen(th.draws.p2_5, lang),
                    high => yen(th.draws.p97_5, lang),
                    positive => percent(th.probability_positive),
                }
            })
        })
        .collect()
}

/// One row per scenario and pricing method, for the comparison page.
pub(super) fn method_rows(
    t: &Templates,
    lang: Lang,
    runs: &[(Scenario, ScenarioResults)],
) -> Vec<Value> {
    let mut rows = Vec::new();
    for (sc, r) in runs {
        let Some(methods) = r.report["pricing"]["methods"].as_array() else {
            continue;
        };
        for m in methods {
            let id = m["method"].as_str().unwrap_or_default();
            let f = |k: &str| m[k].as_f64().map(|x| yen(x, lang)).unwrap_or_default();
            rows.push(context! {
                id => sc.meta.id,
                title => pick(&sc.meta.title, lang),
                method => t.s(lang, &format!("method_{id}")).to_string(),
                base_case => f("base_case"),
                median => f("p50"),
                interval => match (m["p2_5"].as_f64(), m["p97_5"].as_f64()) {
                    (Some(a), Some(b)) => format!("{}{}{}", yen(a, lang), t.s(lang, "range_to"), yen(b, lang)),
                    _ => String::new(),
                },
            });
        }
    }
    rows
}
