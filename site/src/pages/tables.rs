//! The scenario page's tables: value of information, payment schemes, variants, budget years,
//! the official pricing calculations and supply.

use minijinja::{Value, context};
use tenbin_engine::official::rules::premium_kind;
use tenbin_engine::scenario::Scenario;

use super::Templates;
use super::scenario::parameter_label;
use crate::i18n::{Lang, count, fill, percent, plain, yen};
use crate::results::ScenarioResults;

/// The value of information: EVPI and the largest EVPPIs.
pub(super) fn information_rows(
    t: &Templates,
    lang: Lang,
    sc: &Scenario,
    r: &ScenarioResults,
) -> Value {
    let vi = &r.decision["value_of_information"];
    if vi.is_null() {
        return Value::from(());
    }
    let rows: Vec<Value> = vi["evppi"]
        .as_array()
        .map(|e| {
            e.iter()
                .take(8)
                .map(|x| {
                    let params: Vec<String> = x["parameters"]
                        .as_array()
                        .map(|p| {
                            p.iter()
                                .filter_map(|n| n.as_str())
                                .map(|n| parameter_label(sc, n, lang))
                                .collect()
                        })
                        .unwrap_or_default();
                    context! {
                        label => params.join(" + "),
                        name => x["name"].as_str().unwrap_or_default(),
                        value => x["per_patient"].as_f64().map(|v| yen(v, lang)).unwrap_or_default(),
                        share => x["share_of_evpi"].as_f64().map(percent).unwrap_or_default(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let convergence: Vec<Value> = r.decision["convergence"]
        .as_array()
        .map(|c| {
            c.iter()
                .map(|x| {
                    context! {
                        draws => count(x["draws"].as_u64().unwrap_or(0) as usize),
                        mean => x["mean"].as_f64().map(|v| yen(v, lang)).unwrap_or_default(),
                        mcse => x["mcse"].as_f64().map(|v| yen(v, lang)).unwrap_or_default(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let nb = &r.decision["net_benefit"];
    let net_benefit = fill(
        t.s(lang, "net_benefit_sentence"),
        &[
            (
                "price",
                &yen(nb["price"].as_f64().unwrap_or(f64::NAN), lang),
            ),
            (
                "nmb",
                &yen(nb["monetary"]["mean"].as_f64().unwrap_or(f64::NAN), lang),
            ),
            (
                "nhb",
                &format!("{:.2}", nb["health"]["mean"].as_f64().unwrap_or(f64::NAN)),
            ),
            (
                "positive",
                &percent(nb["probability_positive"].as_f64().unwrap_or(f64::NAN)),
            ),
        ],
    );
    context! {
        net_benefit => net_benefit,
        wtp => yen(vi["wtp"].as_f64().unwrap_or(f64::NAN), lang),
        price => yen(vi["price"].as_f64().unwrap_or(f64::NAN), lang),
        evpi => yen(vi["evpi_per_patient"].as_f64().unwrap_or(f64::NAN), lang),
        population => vi["evpi_population"].as_f64().map(|v| yen(v, lang)),
        evppi => rows,
        convergence => convergence,
        words => t.s(lang, "voi_intro"),
    }
}

/// One row per payment scheme: its contract and what it does to payer and maker.
pub(super) fn payment_rows(t: &Templates, lang: Lang, r: &ScenarioResults) -> Vec<Value> {
    let Some(schemes) = r.report["payments"]["schemes"].as_array() else {
        return Vec::new();
    };
    let money = |v: &serde_json::Value| v.as_f64().map(|x| yen(x, lang)).unwrap_or_default();
    schemes
        .iter()
        .map(|s| {
            let id = s["scheme"].as_str().unwrap_or_default();
            let payments: Vec<String> = s["payments"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .map(|p| {
                            let when = p["years"].as_f64().unwrap_or(0.0);
                            let key = match p["condition"].as_str() {
                                Some("in_response") => "payment_in_response",
                                Some("refund_if_response_lost_by_then") => "payment_refund",
                                _ => "payment_always",
                            };
                            let when_words = if when == 0.0 {
                                t.s(lang, "when_treatment").to_string()
                            } else {
                                fill(t.s(lang, "when_years"), &[("years", &plain(when))])
                            };
                            fill(
                                t.s(lang, key),
                                &[
                                    ("amount", &yen(p["share"].as_f64().unwrap_or(0.0).abs(), lang)),
                                    ("years", &plain(when)),
                                    ("when", &when_words),
                                ],
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let pp = &s["per_patient"];
            let spread = |k: &str| match (pp[k][0].as_f64(), pp[k][2].as_f64()) {
                (Some(a), Some(b)) => format!("{}{}{}", yen(a, lang), t.s(lang, "range_to"), yen(b, lang)),
                _ => t.s(lang, "not_applicable").to_string(),
            };
            context! {
                label => t.s(lang, &format!("scheme_{id}")),
                nominal => money(&s["nominal_price"]),
                payments => payments,
                maker => money(&s["maker_expected_receipts"]),
                in_full => pp["paid_in_full"].as_f64().map(percent).unwrap_or_else(|| t.s(lang, "not_applicable").to_string()),
                payer_spread => spread("payer"),
                above_value => s["probability_above_value"].as_f64().map(percent).unwrap_or_default(),
            }
        })
        .collect()
}

/// One row per variant, after a row for the scenario as written: what it changes, the
/// value-based prices it gives and, with `[supply]`, what supply costs and does under it (a
/// variant that flips a lever shows its effect there, not in the value-based price).
pub(super) fn variant_rows(
    t: &Templates,
    lang: Lang,
    sc: &Scenario,
    r: &ScenarioResults,
) -> Vec<Value> {
    let Some(variants) = r.report["variants"].as_array().filter(|v| !v.is_empty()) else {
        return Vec::new();
    };
    let money = |x: &serde_json::Value| x.as_f64().map(|x| yen(x, lang)).unwrap_or_default();
    let interval = |d: &serde_json::Value| match (d["p2_5"].as_f64(), d["p97_5"].as_f64()) {
        (Some(a), Some(b)) => format!("{}{}{}", yen(a, lang), t.s(lang, "range_to"), yen(b, lang)),
        _ => String::new(),
    };
    let supply = |cost: &serde_json::Value, never: &serde_json::Value, days: &serde_json::Value| {
        context! {
            cost => money(&cost["base_case"]),
            never_treated => never["base_case"].as_f64().map(percent).unwrap_or_default(),
            days => days["base_case"]
                .as_f64()
                .map(|x| fill(t.s(lang, "days"), &[("n", &format!("{x:.1}"))]))
                .unwrap_or_default(),
        }
    };
    let methods = r.report["pricing"]["methods"].as_array();
    let method = |id: &str| {
        methods
            .and_then(|m| m.iter().find(|m| m["method"] == id))
            .cloned()
            .unwrap_or_default()
    };
    let (value, savings) = (method("value_based"), method("shared_savings"));
    let sup = &r.report["supply"];
    let as_written = context! {
        label => t.s(lang, "variant_as_written"),
        role => "",
        share => "",
        set => Vec::<String>::new(),
        base_case => money(&value["base_case"]),
        interval => interval(&value),
        shared_savings => money(&savings["base_case"]),
        supply => (!sup.is_null()).then(|| supply(
            &sup["total_cost_per_treated"],
            &sup["never_treated"],
            &sup["time_to_treatment_days"],
        )),
    };
    let rows = variants.iter().map(|v| {
        let label = v["label"][lang.code()]
            .as_str()
            .filter(|l| !l.is_empty())
            .or_else(|| v["id"].as_str())
            .unwrap_or_default();
        let set: Vec<String> = v["set"]
            .as_array()
            .map(|s| {
                s.iter()
                    .map(|p| {
                        set_in_words(
                            t,
                            lang,
                            sc,
                            p[0].as_str().unwrap_or_default(),
                            p[1].as_str().unwrap_or_default(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let first = &v["value_based"][0];
        let s = &v["supply"];
        context! {
            label => label,
            role => t.s(lang, &format!("role_{}", v["role"].as_str().unwrap_or("scenario"))),
            share => v["share"].as_f64().map(percent).unwrap_or_default(),
            set => set,
            base_case => money(&first["base_case"]),
            interval => interval(&first["draws"]),
            shared_savings => money(&v["shared_savings"]["base_case"]),
            supply => (!s.is_null()).then(|| supply(
                &s["cost_per_treated"],
                &s["never_treated"],
                &s["time_to_treatment_days"],
            )),
        }
    });
    std::iter::once(as_written).chain(rows).collect()
}

/// What a variant sets, in words: a lever by its name ("accept foreign test certificates"), an
/// input by its label and its new value with unit, an input computed from others as "changed"
/// (its variant's label says how); never the scenario file's ids.
fn set_in_words(t: &Templates, lang: Lang, sc: &Scenario, name: &str, value: &str) -> String {
    if let Some(lever) = name.strip_prefix("levers.") {
        let key = format!("lever_{lever}");
        let label = t.s(lang, &key);
        return match value {
            "true" => label.to_string(),
            _ => fill(t.s(lang, "variant_lever_off"), &[("lever", label)]),
        };
    }
    let label = parameter_label(sc, name, lang);
    match value.trim().parse::<f64>() {
        Ok(x) => fill(
            t.s(lang, "variant_set_value"),
            &[
                ("input", &label),
                ("value", &super::scenario::value_text(sc, name, x, lang)),
            ],
        ),
        Err(_) => fill(t.s(lang, "variant_set_formula"), &[("input", &label)]),
    }
}

/// One row per budget year.
pub(super) fn budget_rows(t: &Templates, lang: Lang, r: &ScenarioResults) -> Vec<Value> {
    let Some(years) = r.report["budget"]["years"].as_array() else {
        return Vec::new();
    };
    let range = |d: &serde_json::Value, f: &dyn Fn(f64) -> String| match (
        d["p2_5"].as_f64(),
        d["p97_5"].as_f64(),
    ) {
        (Some(a), Some(b)) => format!("{}{}{}", f(a), t.s(lang, "range_to"), f(b)),
        _ => String::new(),
    };
    let patients = |x: f64| format!("{x:.0}");
    years
        .iter()
        .map(|y| {
            context! {
                year => fill(t.s(lang, "budget_year"), &[("n", &y["year"].as_u64().unwrap_or(0).to_string())]),
                patients => y["patients_treated"].as_f64().map(patients).unwrap_or_default(),
                patients_range => range(&y["patients_treated_draws"], &patients),
                spending => y["spending"].as_f64().map(|x| yen(x, lang)).unwrap_or_default(),
                spending_range => range(&y["spending_draws"], &|x| yen(x, lang)),
            }
        })
        .collect()
}

/// The official calculations at the base case, step by step, with labels in the reader's
/// language.
pub(super) fn official_steps(t: &Templates, lang: Lang, r: &ScenarioResults) -> Vec<Value> {
    let Some(calcs) = r.report["pricing"]["official"].as_array() else {
        return Vec::new();
    };
    calcs
        .iter()
        .map(|c| {
            let method = c["method"].as_str().unwrap_or_default();
            let steps: Vec<Value> = c["steps"]
                .as_array()
                .map(|steps| {
                    steps
                        .iter()
                        .map(|st| {
                            let label = st["label"].as_str().unwrap_or_default();
                            let rule = st["rule"].as_str().unwrap_or_default();
                            let value = st["value"].as_f64().unwrap_or(f64::NAN);
                            let (label, value) = match label.strip_prefix("premium ") {
                                // A premium withheld at listing (the 2026 conditional rule).
                                Some(rest) if rest.ends_with(" withheld") => {
                                    let id = rest.trim_end_matches(" withheld");
                                    let name = match (lang, premium_kind(id)) {
                                        (Lang::Ja, Some(k)) => k.name_ja,
                                        _ => id,
                                    };
                                    (
                                        fill(t.s(lang, "step_premium_withheld"), &[("name", name)]),
                                        percent(value),
                                    )
                                }
                                // A named premium: a rate.
                                Some(id) => (
                                    fill(
                                        t.s(lang, "step_premium_named"),
                                        &[("name", if lang == Lang::Ja { rule } else { id })],
                                    ),
                                    percent(value),
                                ),
                                None => (t.s(lang, &step_key(label)).to_string(), yen(value, lang)),
                            };
                            // The engine states each step's basis in English; on a Japanese
                            // page it is marked as English so that it is read as such.
                            let rule_lang = (lang == Lang::Ja
                                && !rule.chars().any(|c| ('\u{3040}'..='\u{9fff}').contains(&c)))
                            .then_some("en");
                            context! { label => label, value => value, rule => rule, rule_lang => rule_lang }
                        })
                        .collect()
                })
                .unwrap_or_default();
            context! {
                method => t.s(lang, &format!("method_{method}")),
                evaluation => evaluation_text(t, lang, r, method),
                rule_set => crate::i18n::rule_set_name(c["rule_set"].as_str().unwrap_or_default(), lang),
                route => t.s(lang, &format!("route_{}", c["route"].as_str().unwrap_or("drug"))),
                price => c["price"].as_f64().map(|x| yen(x, lang)).unwrap_or_default(),
                steps => steps,
            }
        })
        .collect()
}

/// What a cost-effectiveness evaluation would do to an official method's price, in words:
/// why it is not evaluated, or the band an appraisal would find at the base case, the adjusted
/// price, and how often each band is found over the draws.
fn evaluation_text(t: &Templates, lang: Lang, r: &ScenarioResults, method: &str) -> String {
    let ev = &r.report["pricing"]["evaluation"];
    let Some(m) = ev["methods"]
        .as_array()
        .and_then(|ms| ms.iter().find(|m| m["method"] == method))
    else {
        return String::new();
    };
    let selection = &m["selection"];
    if selection["selected"] != true {
        let reason = selection["reason"].as_str().unwrap_or("not_stated");
        return fill(
            t.s(lang, "evaluation_not_selected"),
            &[("reason", t.s(lang, &format!("evaluation_reason_{reason}")))],
        );
    }
    let bands: Vec<(Option<f64>, f64, f64)> = ev["bands"]
        .as_array()
        .map(|bs| {
            bs.iter()
                .map(|b| {
                    (
                        b["from"].as_f64(),
                        b["premium"].as_f64().unwrap_or(f64::NAN),
                        b["profit"].as_f64().unwrap_or(f64::NAN),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    // Band limits exactly as the rules state them (11.25M, not the 3-figure 11.2M).
    let band_yen = |x: f64| match lang {
        Lang::Ja => format!("{}万円", x / 1e4),
        Lang::En => format!("¥{}m", x / 1e6),
    };
    let band_name = |i: usize| -> String {
        let from = bands.get(i).and_then(|b| b.0);
        let to = bands.get(i + 1).and_then(|b| b.0);
        match (from, to) {
            (None, Some(to)) => fill(t.s(lang, "evaluation_band_below"), &[("to", &band_yen(to))]),
            (Some(from), Some(to)) => fill(
                t.s(lang, "evaluation_band_between"),
                &[("from", &band_yen(from)), ("to", &band_yen(to))],
            ),
            (Some(from), None) => fill(
                t.s(lang, "evaluation_band_above"),
                &[("from", &band_yen(from))],
            ),
            (None, None) => String::new(),
        }
    };
    let adjusted = r.report["pricing"]["methods"]
        .as_array()
        .and_then(|ms| {
            ms.iter()
                .find(|x| x["method"] == format!("{method}_adjusted").as_str())
        })
        .and_then(|x| x["base_case"].as_f64());
    let category = selection["category"].as_str().unwrap_or("");
    let mut text = fill(t.s(lang, "evaluation_selected"), &[("category", category)]);
    if let (Some(b), Some(adjusted)) = (m["base_case_band"].as_u64(), adjusted) {
        let b = b as usize;
        let (_, premium, profit) = bands.get(b).copied().unwrap_or((None, f64::NAN, f64::NAN));
        text.push_str(&fill(
            t.s(lang, "evaluation_base_case"),
            &[
                ("band", &band_name(b)),
                ("premium", &format!("{premium}")),
                ("profit", &format!("{profit}")),
                ("price", &yen(adjusted, lang)),
            ],
        ));
    }
    if let Some(shares) = m["band_shares"].as_array() {
        let parts: Vec<String> = shares
            .iter()
            .enumerate()
            .filter_map(|(i, x)| x.as_f64().filter(|&x| x > 0.0).map(|x| (i, x)))
            .map(|(i, x)| {
                fill(
                    t.s(lang, "evaluation_share"),
                    &[("band", &band_name(i)), ("share", &percent(x))],
                )
            })
            .collect();
        text.push_str(&fill(
            t.s(lang, "evaluation_draws"),
            &[("shares", &parts.join(t.s(lang, "list_separator")))],
        ));
    }
    text
}

/// The strings key of an official calculation step: `step_` and its label's words.
fn step_key(label: &str) -> String {
    let mut key = String::from("step");
    for word in label
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        key.push('_');
        key.push_str(&word.to_ascii_lowercase());
    }
    key
}

/// The scenario page's supply facts: never treated, time to treatment, price per treatment.
pub(super) fn supply_rows(t: &Templates, lang: Lang, r: &ScenarioResults) -> Vec<Value> {
    let sup = &r.report["supply"];
    if sup.is_null() {
        return Vec::new();
    }
    let row = |label: String, m: &serde_json::Value, f: &dyn Fn(f64) -> String| {
        let get = |k: &str| m["psa"][k].as_f64();
        context! {
            label => label,
            base_case => m["base_case"].as_f64().map(f).unwrap_or_default(),
            mean => get("mean").map(f).unwrap_or_default(),
            interval => match (get("p2_5"), get("p97_5")) {
                (Some(a), Some(b)) => format!("{}{}{}", f(a), t.s(lang, "range_to"), f(b)),
                _ => String::new(),
            },
        }
    };
    let money = |x: f64| yen(x, lang);
    let days = |x: f64| fill(t.s(lang, "days"), &[("n", &format!("{x:.1}"))]);
    let mut rows = vec![
        row(
            t.s(lang, "row_total_cost").into(),
            &sup["total_cost_per_treated"],
            &money,
        ),
        row(
            t.s(lang, "row_maker_cost").into(),
            &sup["maker_cost_per_treated"],
            &money,
        ),
        row(
            t.s(lang, "row_product_cost").into(),
            &sup["product_cost_per_treated"],
            &money,
        ),
        row(
            t.s(lang, "row_never_treated").into(),
            &sup["never_treated"],
            &|x| format!("{:.2}%", 100.0 * x),
        ),
        row(
            t.s(lang, "row_time_to_treatment").into(),
            &sup["time_to_treatment_days"],
            &days,
        ),
        row(
            t.s(lang, "row_treated_with_oos").into(),
            &sup["treated_with_oos"],
            &|x| format!("{:.2}%", 100.0 * x),
        ),
        row(
            t.s(lang, "row_post_approval_burden").into(),
            &sup["post_approval_burden"],
            &money,
        ),
    ];
    if let Some(prices) = sup["threshold_price_per_treatment"].as_array() {
        for p in prices {
            let wtp = p[0].as_f64().unwrap_or(0.0);
            rows.push(row(
                fill(
                    t.s(lang, "row_price_per_treatment"),
                    &[("wtp", &yen(wtp, lang))],
                ),
                &p[1],
                &money,
            ));
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use tenbin_engine::official::rules::rule_set;
    use tenbin_engine::official::{
        ComparableDrug, CostAccounting, Distribution, Route, comparable_drug,
        consumption_tax_change, cost_accounting, foreign::ForeignPrices,
    };

    /// Every step the official calculations can print has its label in both languages: a
    /// missing string would show its key on the page.
    #[test]
    fn every_official_step_has_a_label_in_both_languages() {
        let strings = crate::i18n::load_strings(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("i18n.toml"),
        )
        .unwrap();
        let premiums = vec![
            ("usefulness_1".to_string(), 0.35),
            ("marketability_1".to_string(), 0.1),
        ];
        let mut calculations = Vec::new();
        for (route, rules) in [
            (Route::Drug, "FY2024"),
            (Route::Drug, "FY2026-conditional"),
            (Route::Device, "FY2022"),
        ] {
            let case = CostAccounting {
                premiums: premiums.clone(),
                disclosure: 0.9,
                distribution: Some(Distribution::Ratio(0.05)),
                ..CostAccounting::new(route, 10_000_000.0)
            };
            calculations.push(cost_accounting(&case, rule_set(rules).unwrap()).unwrap());
        }
        let comparable = ComparableDrug {
            route: Route::Drug,
            comparator_unit_price: 1_000_000.0,
            units_per_course: 10.0,
            premiums,
            foreign: Some(
                ForeignPrices::read(&[("us".into(), 5e6), ("uk".into(), 6e6)], &[], &[]).unwrap(),
            ),
        };
        for rules in ["FY2024", "FY2026-conditional"] {
            calculations.push(comparable_drug(&comparable, rule_set(rules).unwrap()).unwrap());
        }
        calculations.push(
            consumption_tax_change(
                Route::Drug,
                33_493_407.0,
                0.08,
                0.10,
                rule_set("FY2018-2019-10").unwrap(),
            )
            .unwrap(),
        );
        let mut seen = 0;
        for c in &calculations {
            for s in &c.steps {
                let key = match s.label.strip_prefix("premium ") {
                    Some(rest) if rest.ends_with(" withheld") => "step_premium_withheld".into(),
                    Some(_) => "step_premium_named".into(),
                    None => step_key(&s.label),
                };
                for lang in Lang::ALL {
                    assert!(
                        strings[&lang].contains_key(&key),
                        "{}: no [{}] string {key} for the step {:?}",
                        c.method,
                        lang.code(),
                        s.label
                    );
                }
                seen += 1;
            }
        }
        assert!(seen > 40, "{seen} steps checked");
    }
}
