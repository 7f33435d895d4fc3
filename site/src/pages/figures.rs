//! The scenario page's charts, each with its words, sources and downloads.

use tenbin_engine::scenario::Scenario;

use super::scenario::{cited_sources, parameter_label};
use super::{Download, Figure, Templates};
use crate::chart::{
    Axis, Bar, Bars, Chart, Histogram, Layout, Lines, Marker, RangeGroup, RangeRow, Ranges,
    Scatter, Series, Text, Tornado, TornadoBar, Unit,
};
use crate::i18n::{Lang, count, fill, is_yen, percent, pick, plain, yen};
use crate::results::ScenarioResults;

/// Points drawn on the cost-effectiveness plane: enough to show the cloud's shape, few enough
/// to keep the page light. They are the first draws, so the same on every build.
const PLANE_POINTS: usize = 2_000;
/// Bins of the threshold-price histogram.
const HISTOGRAM_BINS: usize = 30;

/// The scenario page's charts, each with its words, in page order. Add a chart here.
pub(super) fn scenario_figures(
    t: &Templates,
    lang: Lang,
    sc: &Scenario,
    r: &ScenarioResults,
) -> Vec<(Figure, Box<dyn Chart>)> {
    let mut out: Vec<(Figure, Box<dyn Chart>)> = Vec::new();
    let Some(first) = r.thresholds.first() else {
        return out;
    };
    let sources = cited_sources(sc, true, lang);
    let words = |key: &str, extra: &[(&str, &str)]| {
        let mut values = vec![
            ("wtp", yen(first.wtp, lang)),
            ("draws", count(r.draws)),
            ("base", yen(first.base_case, lang)),
            ("median", yen(first.draws.p50, lang)),
            ("low", yen(first.draws.p2_5, lang)),
            ("high", yen(first.draws.p97_5, lang)),
        ];
        values.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        let refs: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
        fill(t.s(lang, key), &refs)
    };
    let downloads = |id: &str| {
        ["csv", "json", "svg"]
            .iter()
            .map(|ext| Download {
                label: fill(t.s(lang, "download_as"), &[("format", &ext.to_uppercase())]),
                href: format!("data/{id}.{ext}"),
            })
            .chain(std::iter::once(Download {
                label: t.s(lang, "download_readme_link").to_string(),
                href: "data/README.txt".into(),
            }))
            .collect::<Vec<_>>()
    };

    // A chart's figure: the parts that differ are the chart, its words and its sources.
    let figure = |chart: Box<dyn Chart>,
                  title: String,
                  caption: String,
                  note: String,
                  sources: Vec<super::scenario::Cited>|
     -> (Figure, Box<dyn Chart>) {
        (
            Figure {
                id: chart.id().to_string(),
                title,
                caption,
                svg: chart.svg(),
                svg_narrow: chart.svg_for(Layout::Narrow),
                table: chart.table(),
                note,
                sources,
                downloads: downloads(chart.id()),
            },
            chart,
        )
    };
    let bar_figure =
        |chart: Bars, caption: String, note: String, sources: Vec<super::scenario::Cited>| {
            let title = chart.text.title.clone();
            figure(Box::new(chart), title, caption, note, sources)
        };
    let line_figure =
        |chart: Lines, caption: String, note: String, sources: Vec<super::scenario::Cited>| {
            let title = chart.text.title.clone();
            figure(Box::new(chart), title, caption, note, sources)
        };

    // 1. The threshold price distribution at the first willingness to pay.
    let prices = r.threshold_draws(first.wtp);
    let hist = Histogram {
        id: "threshold-price".into(),
        lang,
        text: Text {
            title: words("fig_threshold_title", &[]),
            description: words("fig_threshold_desc", &[]),
        },
        x: Axis {
            label: words("fig_threshold_x", &[]),
            unit: Unit::Yen,
        },
        y_label: t.s(lang, "fig_threshold_y").to_string(),
        bins: Histogram::bin(&prices, HISTOGRAM_BINS),
        markers: vec![
            Marker {
                value: first.draws.p2_5,
                label: t.s(lang, "marker_p2_5").into(),
            },
            Marker {
                value: first.base_case,
                label: t.s(lang, "marker_base").into(),
            },
            Marker {
                value: first.draws.p50,
                label: t.s(lang, "marker_median").into(),
            },
            Marker {
                value: first.draws.p97_5,
                label: t.s(lang, "marker_p97_5").into(),
            },
        ],
    };
    out.push((
        Figure {
            id: hist.id.clone(),
            title: hist.text.title.clone(),
            caption: words("fig_threshold_caption", &[]),
            svg: hist.svg(),
            svg_narrow: hist.svg_for(Layout::Narrow),
            table: hist.table(),
            note: words("fig_threshold_note", &[]),
            sources: sources.clone(),
            downloads: downloads(&hist.id),
        },
        Box::new(hist),
    ));

    // 2. The cost-effectiveness plane at a price near the base-case threshold price.
    let price = round_price(first.base_case);
    let points: Vec<(f64, f64)> = r
        .delta_qalys
        .iter()
        .zip(&r.delta_costs)
        .take(PLANE_POINTS)
        .map(|(q, c)| (*q, c + price))
        .collect();
    let shown = count(points.len());
    let lines = r
        .thresholds
        .iter()
        .map(|th| Marker {
            value: th.wtp,
            label: fill(t.s(lang, "fig_plane_line"), &[("wtp", &yen(th.wtp, lang))]),
        })
        .collect();
    let plane = Scatter {
        id: "ce-plane".into(),
        lang,
        text: Text {
            title: words("fig_plane_title", &[("price", &yen(price, lang))]),
            description: String::new(),
        },
        x: Axis {
            label: t.s(lang, "fig_plane_x").to_string(),
            unit: Unit::Qalys,
        },
        y: Axis {
            label: words("fig_plane_y", &[("price", &yen(price, lang))]),
            unit: Unit::Yen,
        },
        points,
        lines,
    };
    let below = percent(plane.share_below(first.wtp));
    let mut plane = plane;
    plane.text.description = words(
        "fig_plane_desc",
        &[
            ("price", &yen(price, lang)),
            ("shown", &shown),
            ("below", &below),
        ],
    );
    out.push((
        Figure {
            id: plane.id.clone(),
            title: plane.text.title.clone(),
            caption: words(
                "fig_plane_caption",
                &[
                    ("price", &yen(price, lang)),
                    ("shown", &shown),
                    ("below", &below),
                ],
            ),
            svg: plane.svg(),
            svg_narrow: plane.svg_for(Layout::Narrow),
            table: plane.table(),
            note: words("fig_plane_note", &[("price", &yen(price, lang))]),
            sources,
            downloads: downloads(&plane.id),
        },
        Box::new(plane),
    ));

    // 3. Price by method: every pricing method that applies, its median and 95% interval (the
    // interval the page's answer gives), with the product's actual list price marked across
    // them where the scenario records one. The page opens with this chart.
    if let Some(methods) = r.report["pricing"]["methods"].as_array() {
        let list_price = &r.report["pricing"]["list_price"];
        let listed = list_price["yen"].as_f64();
        let rows: Vec<RangeRow> = methods
            .iter()
            .filter_map(|m| method_range_row(t, lang, m))
            .collect();
        // A log axis where the prices span more than thirtyfold (an imported gene therapy's
        // value-based price against its list price), and none of them is negative.
        let values: Vec<f64> = rows
            .iter()
            .flat_map(|r| [r.low, r.high])
            .flatten()
            .chain(listed)
            .collect();
        let lowest = values.iter().copied().fold(f64::INFINITY, f64::min);
        let highest = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let log = lowest > 0.0 && highest / lowest > 30.0;
        let no_viable = r.report["pricing"]["probability_no_viable_price"]
            .as_f64()
            .map(|p| fill(t.s(lang, "fig_methods_no_viable"), &[("p", &percent(p))]))
            .unwrap_or_default();
        let rule_set = crate::i18n::rule_set_name(
            r.report["pricing"]["rule_set"].as_str().unwrap_or_default(),
            lang,
        );
        let marker = listed.map(|value| Marker {
            value,
            label: fill(
                t.s(lang, "fig_methods_marker"),
                &[("price", &yen(value, lang))],
            ),
        });
        let chart = Ranges {
            id: "price-by-method".into(),
            lang,
            text: Text {
                // The value-based methods' willingness to pay: the reference value of the
                // product's evaluation, which may differ from the first threshold.
                title: fill(
                    t.s(lang, "fig_methods_title"),
                    &[(
                        "wtp",
                        &r.report["pricing"]["wtp"]
                            .as_f64()
                            .map(|w| yen(w, lang))
                            .unwrap_or_default(),
                    )],
                ),
                description: words("fig_methods_desc", &[("rule_set", &rule_set)]),
            },
            x: Axis {
                label: t.s(lang, "fig_methods_x").to_string(),
                unit: Unit::Yen,
            },
            log,
            groups: vec![RangeGroup {
                heading: None,
                rows,
                marker,
            }],
            interval_label: t.s(lang, "interval_95").to_string(),
            mid_label: t.s(lang, "col_median").to_string(),
            base_label: t.s(lang, "col_base_case").to_string(),
        };
        let mut caption = words("fig_methods_caption", &[("rule_set", &rule_set)]);
        if let (Some(yen_value), Some(label)) = (listed, list_price["label"].get(lang.code())) {
            caption.push_str(&fill(
                t.s(lang, "fig_methods_list_price"),
                &[
                    ("price", &yen(yen_value, lang)),
                    ("label", label.as_str().unwrap_or_default()),
                ],
            ));
        }
        if log {
            caption.push_str(t.s(lang, "fig_methods_log"));
        }
        if !no_viable.is_empty() {
            caption.push_str(&no_viable);
        }
        let title = chart.text.title.clone();
        out.push(figure(
            Box::new(chart),
            title,
            caption,
            t.s(lang, "fig_methods_note").to_string(),
            vec![super::scenario::Cited::words(
                t.s(lang, "pricing_rules_source"),
            )],
        ));
    }

    // 4. Where the money goes: cost per treated patient by component (scenarios with supply).
    if let Some(components) = r.report["supply"]["components"].as_array() {
        let bars: Vec<Bar> = components
            .iter()
            .filter_map(|c| {
                let cost = &c["cost"];
                let psa = &cost["psa"];
                let value = psa["mean"]
                    .as_f64()
                    .or_else(|| cost["base_case"].as_f64())?;
                let name = c["name"].as_str()?;
                (value != 0.0).then(|| Bar {
                    label: t.s(lang, &format!("component_{name}")).to_string(),
                    value,
                    low: psa["p2_5"].as_f64().unwrap_or(value),
                    high: psa["p97_5"].as_f64().unwrap_or(value),
                })
            })
            .collect();
        let total = r.report["supply"]["total_cost_per_treated"]["psa"]["mean"]
            .as_f64()
            .unwrap_or(0.0);
        let money = Bars {
            id: "where-the-money-goes".into(),
            lang,
            text: Text {
                title: t.s(lang, "fig_money_title").to_string(),
                description: words("fig_money_desc", &[("total", &yen(total, lang))]),
            },
            x: Axis {
                label: t.s(lang, "fig_money_x").to_string(),
                unit: Unit::Yen,
            },
            bars,
            interval_label: t.s(lang, "interval_95").to_string(),
            parts_of_a_whole: true,
        };
        // Costs do not depend on background mortality: only the parameters' sources.
        let sources = cited_sources(sc, false, lang);
        out.push(bar_figure(
            money,
            words("fig_money_caption", &[("total", &yen(total, lang))]),
            t.s(lang, "fig_money_note").to_string(),
            sources,
        ));
    }
    // 5. What the payer expects to pay per patient under each payment scheme, with each
    // contract fixed at the base case.
    let payments = &r.report["payments"];
    if let Some(schemes) = payments["schemes"].as_array() {
        let target = payments["target_price"].as_f64().unwrap_or(f64::NAN);
        let bars: Vec<Bar> = schemes
            .iter()
            .filter_map(|s| {
                let id = s["scheme"].as_str()?;
                let c = &s["payer_cost"];
                let value = c["p50"].as_f64().unwrap_or(target);
                Some(Bar {
                    label: t.s(lang, &format!("scheme_{id}")).to_string(),
                    value,
                    low: c["p2_5"].as_f64().unwrap_or(value),
                    high: c["p97_5"].as_f64().unwrap_or(value),
                })
            })
            .collect();
        let extra = [("target", yen(target, lang))];
        let extra: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let chart = Bars {
            id: "payer-cost-by-scheme".into(),
            lang,
            text: Text {
                title: t.s(lang, "fig_schemes_title").to_string(),
                description: words("fig_schemes_desc", &extra),
            },
            x: Axis {
                label: t.s(lang, "fig_schemes_x").to_string(),
                unit: Unit::Yen,
            },
            bars,
            interval_label: t.s(lang, "interval_95").to_string(),
            parts_of_a_whole: false,
        };
        out.push(bar_figure(
            chart,
            words("fig_schemes_caption", &extra),
            t.s(lang, "fig_schemes_note").to_string(),
            vec![super::scenario::Cited::words(
                t.s(lang, "pricing_rules_source"),
            )],
        ));
    }

    // 6. Budget impact: spending year by year.
    let budget = &r.report["budget"];
    if let Some(years) = budget["years"].as_array() {
        let scheme = budget["scheme"].as_str().unwrap_or_default();
        let bars: Vec<Bar> = years
            .iter()
            .filter_map(|y| {
                let value = y["spending"].as_f64()?;
                let d = &y["spending_draws"];
                Some(Bar {
                    label: fill(
                        t.s(lang, "budget_year"),
                        &[("n", &y["year"].as_u64()?.to_string())],
                    ),
                    value,
                    low: d["p2_5"].as_f64().unwrap_or(value),
                    high: d["p97_5"].as_f64().unwrap_or(value),
                })
            })
            .collect();
        let extra = [
            ("scheme", t.s(lang, &format!("scheme_{scheme}")).to_string()),
            (
                "total",
                yen(budget["total"].as_f64().unwrap_or(f64::NAN), lang),
            ),
            (
                "nominal",
                yen(budget["nominal_price"].as_f64().unwrap_or(f64::NAN), lang),
            ),
        ];
        let extra: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let chart = Bars {
            id: "budget-impact".into(),
            lang,
            text: Text {
                title: t.s(lang, "fig_budget_title").to_string(),
                description: words("fig_budget_desc", &extra),
            },
            x: Axis {
                label: t.s(lang, "fig_budget_x").to_string(),
                unit: Unit::Yen,
            },
            bars,
            interval_label: t.s(lang, "interval_95").to_string(),
            parts_of_a_whole: true,
        };
        out.push(bar_figure(
            chart,
            words("fig_budget_caption", &extra),
            t.s(lang, "fig_budget_note").to_string(),
            cited_sources(sc, true, lang),
        ));
    }
    // 7-9. Decision analyses: price acceptability, acceptability at a price, the tornado.
    let d = &r.decision;
    let decision_sources = cited_sources(sc, true, lang);
    if let Some(curves) = d["price_acceptability"].as_array() {
        let series: Vec<Series> = curves
            .iter()
            .map(|c| Series {
                label: fill(
                    t.s(lang, "series_at_wtp"),
                    &[("wtp", &yen(c["wtp"].as_f64().unwrap_or(f64::NAN), lang))],
                ),
                points: c["points"]
                    .as_array()
                    .map(|ps| {
                        ps.iter()
                            .filter_map(|p| Some((p[0].as_f64()?, p[1].as_f64()?)))
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect();
        let chart = Lines {
            id: "price-acceptability".into(),
            lang,
            text: Text {
                title: t.s(lang, "fig_price_accept_title").to_string(),
                description: words("fig_price_accept_desc", &[]),
            },
            x: Axis {
                label: t.s(lang, "fig_price_accept_x").to_string(),
                unit: Unit::Yen,
            },
            y: Axis {
                label: t.s(lang, "fig_accept_y").to_string(),
                unit: Unit::Share,
            },
            series,
            markers: vec![Marker {
                value: first.base_case,
                label: t.s(lang, "marker_base").into(),
            }],
        };
        out.push(line_figure(
            chart,
            words("fig_price_accept_caption", &[]),
            t.s(lang, "fig_price_accept_note").to_string(),
            decision_sources.clone(),
        ));
    }
    if let Some(wtp) = d["ceac"]["wtp"].as_array() {
        let wtp: Vec<f64> = wtp.iter().filter_map(|x| x.as_f64()).collect();
        let price = d["ceac"]["price"].as_f64().unwrap_or(f64::NAN);
        let series: Vec<Series> = sc
            .arms
            .iter()
            .enumerate()
            .map(|(a, arm)| Series {
                label: pick(&arm.label, lang).to_string(),
                points: wtp
                    .iter()
                    .zip(d["ceac"]["probability"][a].as_array().into_iter().flatten())
                    .filter_map(|(w, p)| Some((*w, p.as_f64()?)))
                    .collect(),
            })
            .collect();
        let extra = [("price", yen(price, lang))];
        let extra: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let chart = Lines {
            id: "acceptability".into(),
            lang,
            text: Text {
                title: words("fig_ceac_title", &extra),
                description: words("fig_ceac_desc", &extra),
            },
            x: Axis {
                label: t.s(lang, "fig_ceac_x").to_string(),
                unit: Unit::Yen,
            },
            y: Axis {
                label: t.s(lang, "fig_ceac_y").to_string(),
                unit: Unit::Share,
            },
            series,
            markers: r
                .thresholds
                .iter()
                .map(|th| Marker {
                    value: th.wtp,
                    label: t.s(lang, "marker_wtp").to_string(),
                })
                .take(1)
                .collect(),
        };
        out.push(line_figure(
            chart,
            words("fig_ceac_caption", &extra),
            t.s(lang, "fig_ceac_note").to_string(),
            decision_sources.clone(),
        ));
    }
    if let Some(bars) = d["one_way"]["bars"].as_array() {
        // The input's value at each end, short: yen as yen, anything else as a number (the
        // table and the inputs section give the units).
        let input = |name: &str, x: f64| {
            let money = sc
                .parameters
                .iter()
                .find(|p| p.name == name)
                .and_then(|p| p.unit.as_ref())
                .is_some_and(|u| is_yen(&u.value));
            if money { yen(x, lang) } else { plain(x) }
        };
        let bars: Vec<TornadoBar> = bars
            .iter()
            .take(TORNADO_BARS)
            .filter_map(|b| {
                let name = b["parameter"].as_str()?;
                Some(TornadoBar {
                    label: parameter_label(sc, name, lang),
                    low_input: input(name, b["values"][0].as_f64()?),
                    high_input: input(name, b["values"][1].as_f64()?),
                    low: b["threshold_price"][0].as_f64()?,
                    high: b["threshold_price"][1].as_f64()?,
                })
            })
            .collect();
        let base = d["one_way"]["base_threshold_price"]
            .as_f64()
            .unwrap_or(first.base_case);
        let chart = Tornado {
            id: "tornado".into(),
            lang,
            text: Text {
                title: words("fig_tornado_title", &[]),
                description: words("fig_tornado_desc", &[]),
            },
            x: Axis {
                label: words("fig_threshold_x", &[]),
                unit: Unit::Yen,
            },
            base,
            base_label: fill(t.s(lang, "fig_tornado_base"), &[("base", &yen(base, lang))]),
            low_label: t.s(lang, "fig_tornado_low").to_string(),
            high_label: t.s(lang, "fig_tornado_high").to_string(),
            bars,
        };
        let title = chart.text.title.clone();
        out.push(figure(
            Box::new(chart),
            title,
            words("fig_tornado_caption", &[]),
            t.s(lang, "fig_tornado_note").to_string(),
            decision_sources,
        ));
    }
    out
}

/// Bars shown in the tornado.
const TORNADO_BARS: usize = 10;

/// A price rounded to three significant digits, as a round figure a reader can hold in mind.
fn round_price(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let step = 10f64.powf(x.abs().log10().floor() - 2.0);
    (x / step).round() * step
}

/// One pricing method's row of a [`Ranges`] chart, from its summary in `pricing.methods`: its
/// 95% interval, median and base case (the base case alone, as a point, without a PSA); a
/// wholly negative range says so in words. The scenario page's first chart and the overview
/// both draw their rows with it.
pub(super) fn method_range_row(
    t: &Templates,
    lang: Lang,
    m: &serde_json::Value,
) -> Option<RangeRow> {
    let id = m["method"].as_str()?;
    let label = t.s(lang, &format!("method_{id}")).to_string();
    let base = m["base_case"].as_f64()?;
    let row = match (m["p2_5"].as_f64(), m["p50"].as_f64(), m["p97_5"].as_f64()) {
        (Some(low), Some(mid), Some(high)) => RangeRow::interval(label, low, mid, high),
        _ => RangeRow::interval(label, base, base, base),
    }
    .with_base(base);
    Some(if row.high.is_some_and(|h| h <= 0.0) {
        row.with_note(t.s(lang, "fig_methods_negative"))
    } else {
        row
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_round_to_three_significant_digits() {
        assert_eq!(round_price(342_986_897.0), 343_000_000.0);
        assert_eq!(round_price(-1_234_567.0), -1_230_000.0);
        assert_eq!(round_price(0.0), 0.0);
    }
}
