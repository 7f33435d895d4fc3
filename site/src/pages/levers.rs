//! The levers page: what each supply lever changes, scenario by scenario.

use minijinja::{Value, context};
use tenbin_engine::scenario::Scenario;

use super::Templates;
use crate::i18n::{Lang, pick, yen};
use crate::results::ScenarioResults;

/// One row per scenario with supply and lever, for the levers page.
pub(super) fn lever_rows(
    t: &Templates,
    lang: Lang,
    runs: &[(Scenario, ScenarioResults)],
) -> Vec<Value> {
    let mut rows = Vec::new();
    for (sc, r) in runs {
        let Some(levers) = r.levers.as_array() else {
            continue;
        };
        for l in levers {
            let name = l["lever"].as_str().unwrap_or_default();
            let change = |m: &serde_json::Value, f: &dyn Fn(f64) -> String| {
                let psa = &m["psa"];
                match (
                    psa["mean"].as_f64(),
                    psa["p2_5"].as_f64(),
                    psa["p97_5"].as_f64(),
                ) {
                    (Some(mean), Some(a), Some(b)) if a != b => {
                        format!("{} ({}{}{})", f(mean), f(a), t.s(lang, "range_to"), f(b))
                    }
                    (Some(mean), _, _) => f(mean),
                    _ => m["base_case"].as_f64().map(f).unwrap_or_default(),
                }
            };
            let signed_yen = |x: f64| {
                let v = yen(x, lang);
                if x > 0.0 { format!("+{v}") } else { v }
            };
            let on_off = |b: bool| {
                t.s(lang, if b { "lever_on" } else { "lever_off" })
                    .to_string()
            };
            rows.push(context! {
                id => sc.meta.id,
                title => pick(&sc.meta.title, lang),
                lever => t.s(lang, &format!("lever_{name}")).to_string(),
                setting => format!(
                    "{} → {}",
                    on_off(l["from"].as_bool().unwrap_or_default()),
                    on_off(l["to"].as_bool().unwrap_or_default())
                ),
                cost => change(&l["cost_per_treated"], &signed_yen),
                never => change(&l["never_treated"], &|x| format!("{:+.2}", 100.0 * x)),
                days => change(&l["time_to_treatment_days"], &|x| format!("{x:+.1}")),
                price => change(&l["threshold_price_per_treatment"][0][1], &signed_yen),
            });
        }
    }
    rows
}
