//! The overview across scenarios, which the home and compare pages open with: one chart with a
//! group per scenario (its suggested range under the main pricing methods, its actual list
//! price marked), and the facts the compare page sets side by side for two chosen scenarios.

use minijinja::{Value, context};
use tenbin_engine::scenario::Scenario;

use super::answer::answer;
use super::{Download, Figure, Templates};
use crate::chart::{Axis, Chart, Layout, Marker, RangeGroup, RangeRow, Ranges, Text, Unit};
use crate::i18n::{Lang, fill, pick, yen};
use crate::results::ScenarioResults;

/// The methods the overview shows for each scenario: the value-based price (the page's
/// answer) and Japan's two official methods, as listed. The adjusted, shared-savings and
/// corridor prices are on each scenario's own page.
const OVERVIEW_METHODS: [&str; 3] = ["value_based", "cost_accounting", "comparable_drug"];

/// A scenario's name in a heading: its short title, or its title.
pub(super) fn short_name(sc: &Scenario, lang: Lang) -> String {
    match pick(&sc.meta.short_title, lang) {
        "" => pick(&sc.meta.title, lang).to_string(),
        short => short.to_string(),
    }
}

/// One group per scenario: its methods' medians and 95% intervals and its list price.
fn groups(t: &Templates, lang: Lang, runs: &[(Scenario, ScenarioResults)]) -> Vec<RangeGroup> {
    runs.iter()
        .filter_map(|(sc, r)| {
            let methods = r.report["pricing"]["methods"].as_array()?;
            let rows: Vec<RangeRow> = OVERVIEW_METHODS
                .iter()
                .filter_map(|id| methods.iter().find(|m| m["method"] == *id))
                .filter_map(|m| super::figures::method_range_row(t, lang, m))
                .collect();
            if rows.is_empty() {
                return None;
            }
            let marker = r.report["pricing"]["list_price"]["yen"]
                .as_f64()
                .map(|value| Marker {
                    value,
                    label: fill(
                        t.s(lang, "fig_methods_marker"),
                        &[("price", &yen(value, lang))],
                    ),
                });
            Some(RangeGroup {
                heading: Some(short_name(sc, lang)),
                rows,
                marker,
            })
        })
        .collect()
}

/// The overview chart as a figure, its files written under `data/` of the page.
pub(super) fn overview_figure(
    t: &Templates,
    lang: Lang,
    runs: &[(Scenario, ScenarioResults)],
) -> Option<(Figure, super::Files)> {
    let groups = groups(t, lang, runs);
    if groups.is_empty() {
        return None;
    }
    let chart = Ranges {
        id: "overview".into(),
        lang,
        text: Text {
            title: t.s(lang, "overview_title").to_string(),
            description: t.s(lang, "overview_desc").to_string(),
        },
        x: Axis {
            label: t.s(lang, "fig_methods_x").to_string(),
            unit: Unit::Yen,
        },
        // From a few million yen to hundreds of millions: only a log axis shows them all.
        log: true,
        groups,
        interval_label: t.s(lang, "interval_95").to_string(),
        mid_label: t.s(lang, "col_median").to_string(),
        base_label: t.s(lang, "col_base_case").to_string(),
    };
    let files = vec![
        ("data/overview.svg".to_string(), chart.svg().into_bytes()),
        ("data/overview.csv".to_string(), chart.csv().into_bytes()),
    ];
    let downloads = ["csv", "svg"]
        .iter()
        .map(|ext| Download {
            label: fill(t.s(lang, "download_as"), &[("format", &ext.to_uppercase())]),
            href: format!("data/overview.{ext}"),
        })
        .collect();
    let figure = Figure {
        id: chart.id().to_string(),
        title: chart.text.title.clone(),
        caption: t.s(lang, "overview_caption").to_string(),
        svg: chart.svg(),
        svg_narrow: chart.svg_for(Layout::Narrow),
        table: chart.table(),
        note: t.s(lang, "overview_note").to_string(),
        sources: Vec::new(),
        downloads,
    };
    Some((figure, files))
}

/// Each scenario's key facts, for the compare page's side-by-side view of two of them.
pub(super) fn side_by_side(
    t: &Templates,
    lang: Lang,
    runs: &[(Scenario, ScenarioResults)],
) -> Vec<Value> {
    runs.iter()
        .map(|(sc, r)| {
            let a = answer(t, lang, sc, r);
            let methods = r.report["pricing"]["methods"].as_array();
            let price = |id: &str| {
                methods
                    .and_then(|ms| ms.iter().find(|m| m["method"] == id))
                    .and_then(|m| {
                        Some(format!(
                            "{}{}{}",
                            yen(m["p2_5"].as_f64()?, lang),
                            t.s(lang, "range_to"),
                            yen(m["p97_5"].as_f64()?, lang)
                        ))
                    })
                    .unwrap_or_default()
            };
            context! {
                id => sc.meta.id,
                name => short_name(sc, lang),
                question => pick(&sc.meta.question, lang),
                answer => a.get_attr("sentence").ok(),
                list_price => r.report["pricing"]["list_price"]["yen"].as_f64().map(|x| yen(x, lang)),
                value_based => price("value_based"),
                cost_accounting => price("cost_accounting"),
                comparable_drug => price("comparable_drug"),
                driver => r.influence.first().map(|i| super::scenario::parameter_label(sc, &i.parameter, lang)),
            }
        })
        .collect()
}
