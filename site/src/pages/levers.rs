//! The levers page: what each supply lever changes, scenario by scenario.

use minijinja::{Value, context};
use tenbin_engine::scenario::Scenario;

use super::Templates;
use crate::i18n::{Lang, fill, yen};
use crate::results::ScenarioResults;

/// Below this (yen, share or days) a change reads as none: the levers' differences are paired
/// draw by draw, so "no effect" is an exact zero up to rounding.
const NONE: f64 = 1e-6;

/// One row per scenario and lever, for the levers page: what flipping the lever changes, and a
/// sentence saying it plainly (changes the price by X, no effect, or not modelled).
pub(super) fn lever_rows(
    t: &Templates,
    lang: Lang,
    runs: &[(Scenario, ScenarioResults)],
) -> Vec<Value> {
    let mut rows = Vec::new();
    for (sc, r) in runs {
        let levers = r.levers.as_array().filter(|l| !l.is_empty());
        let Some(levers) = levers else {
            // Without [supply] the levers have nothing to act on: say so for each.
            for lever in tenbin_engine::scenario::supply::LEVERS
                .iter()
                .map(|l| l.name)
            {
                rows.push(context! {
                    id => sc.meta.id,
                    title => super::overview::short_name(sc, lang),
                    lever => t.s(lang, &format!("lever_{lever}")).to_string(),
                    effect => t.s(lang, "lever_not_modelled").to_string(),
                    modelled => false,
                });
            }
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
            let mean = |m: &serde_json::Value| {
                m["psa"]["mean"]
                    .as_f64()
                    .or_else(|| m["base_case"].as_f64())
                    .unwrap_or(0.0)
            };
            let price = mean(&l["threshold_price_per_treatment"][0][1]);
            let ca = l.get("cost_accounting_price").map(mean);
            let moves = |x: f64| x.abs() > NONE;
            let any = [
                mean(&l["cost_per_treated"]),
                mean(&l["never_treated"]),
                mean(&l["time_to_treatment_days"]),
                price,
                ca.unwrap_or(0.0),
            ]
            .into_iter()
            .any(moves);
            let effect = if !any {
                t.s(lang, "lever_no_effect").to_string()
            } else {
                // "Raises/lowers ... by X": the amount without its sign, the direction in words.
                let say = |x: f64, up: &str, down: &str, none: &str| {
                    let key = if !moves(x) {
                        none
                    } else if x > 0.0 {
                        up
                    } else {
                        down
                    };
                    fill(t.s(lang, key), &[("price", &yen(x.abs(), lang))])
                };
                let mut e = say(
                    price,
                    "lever_effect_price_up",
                    "lever_effect_price_down",
                    "lever_effect_no_price",
                );
                if let Some(ca) = ca {
                    e.push_str(&say(
                        ca,
                        "lever_effect_ca_up",
                        "lever_effect_ca_down",
                        "lever_effect_no_ca",
                    ));
                }
                e
            };
            rows.push(context! {
                id => sc.meta.id,
                title => super::overview::short_name(sc, lang),
                effect => effect,
                modelled => true,
                ca_price => l.get("cost_accounting_price").map(|m| change(m, &signed_yen)).unwrap_or_default(),
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
