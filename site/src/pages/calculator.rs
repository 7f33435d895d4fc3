//! The scenario page's calculator: the controls the page renders for the browser to run, and
//! the bundle it loads (`data/ID/calculator.json`, written by [`bundle`]).
//!
//! Each control is labelled by what it moves in plain words, with the parameter's own label
//! beneath; its value, range ends, 95% interval and the values the scenario cites are written
//! in the parameter's unit for the reader: percentages for probabilities and shares, 万円 or
//! yen in millions for money, months and years as such. The page's script formats the value as
//! the reader moves the control, from the same format and unit words (`data-format`,
//! `data-suffix`), as [`format_control`] does here.

use minijinja::{Value, context};
use tenbin_calculator::{Answer, ControlInfo, PageBundle, Request};
use tenbin_engine::scenario::Scenario;

use super::Templates;
use crate::i18n::{Lang, Unit, count, fill, format_value, pick, thousands, unit_words, yen};
use crate::results::ScenarioResults;

/// Draws of the first estimate after a control moves; the result is then refined to the page's
/// own draws. A thousand draws answer within a fifth of a second in the slowest scenario and
/// put the median within a few percent of the final one.
const ESTIMATE_DRAWS: usize = 1_000;

/// Positions of a slider: fine enough that every step moves the value by under 1% of the range.
const STEPS: f64 = 200.0;

/// How a control's value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// A probability or share, as a percentage.
    Percent,
    /// Yen: 万円 and 億円, or yen in millions.
    Yen,
    /// US dollars: 万ドル, or dollars in thousands or millions.
    Usd,
    /// A number with its unit words.
    Number,
}

impl Format {
    fn key(self) -> &'static str {
        match self {
            Format::Percent => "percent",
            Format::Yen => "yen",
            Format::Usd => "usd",
            Format::Number => "number",
        }
    }
}

/// The unit words after a per-something amount ("per lot", "per patient per year"), in the
/// reader's language; what it does not know is kept as written.
fn per_words(rest: &str, lang: Lang) -> String {
    let rest = rest.trim_start_matches([',', ' ']);
    if rest.is_empty() {
        return String::new();
    }
    match lang {
        Lang::En => format!(" {rest}"),
        Lang::Ja => match rest {
            "per year" => "／年".into(),
            "per month" => "／月".into(),
            "per lot" => "／ロット".into(),
            "per batch" => "／バッチ".into(),
            "per patient" => "／患者".into(),
            "per patient per year" => "／患者・年".into(),
            "once" => "（1回）".into(),
            other => format!("（{other}）"),
        },
    }
}

/// How a parameter's values are written, and the unit words after them, for `lang`. A
/// parameter without a unit whose range lies within 0 to 1 is a probability or share, written
/// as a percentage, unless its label calls it relative (a relative risk, written as a number).
fn format_of(c: &ControlInfo, sc: &Scenario, lang: Lang) -> (Format, String) {
    let p = &sc.parameters[sc.slot_of(&c.parameter).expect("a control's parameter")];
    let Some(unit_text) = p.unit.as_ref() else {
        let share =
            c.min >= 0.0 && c.max <= 1.0 && !p.label.en.to_ascii_lowercase().contains("relative");
        return if share {
            (Format::Percent, String::new())
        } else {
            (Format::Number, String::new())
        };
    };
    let lower = unit_text.value.en.to_ascii_lowercase();
    if let Some(rest) = lower
        .strip_prefix("yen")
        .or_else(|| lower.strip_prefix("jpy"))
    {
        return (Format::Yen, per_words(rest, lang));
    }
    if let Some(rest) = lower
        .strip_prefix("us dollars")
        .or_else(|| lower.strip_prefix("usd"))
    {
        return (Format::Usd, per_words(rest, lang));
    }
    let words = match (lang, lower.as_str()) {
        (Lang::Ja, "months") => "か月".to_string(),
        (Lang::Ja, "years") => "年".to_string(),
        (Lang::Ja, "days") => "日".to_string(),
        (Lang::Ja, "per year") => "／年".to_string(),
        (Lang::Ja, "per month") => "／月".to_string(),
        (Lang::Ja, _) => format!(" {}", unit_words(&unit_text.value, lang)),
        (Lang::En, other) => format!(" {other}"),
    };
    (Format::Number, words)
}

/// Three significant digits, as the rest of the site writes numbers (the script's `sig`).
fn sig(x: f64) -> String {
    let s = format_value(x, Unit::Plain, Lang::En);
    if x.abs() >= 1e4 { thousands(&s) } else { s }
}

/// A control's value written for the reader (the script's `formatControl` does the same).
fn format_control(x: f64, format: Format, suffix: &str, lang: Lang) -> String {
    match format {
        Format::Percent => format_value(x, Unit::Share, lang),
        // Always in 万円 (億円 from a hundred million) or in millions (billions), so that a
        // control's values read alike however small: ¥0.121m, not ¥121,128.
        Format::Yen => {
            let a = x.abs();
            let sign = if x < 0.0 { "-" } else { "" };
            let amount = match lang {
                Lang::Ja if a >= 1e8 => format!("{sign}{}億円", sig(a / 1e8)),
                Lang::Ja => format!("{sign}{}万円", sig(a / 1e4)),
                Lang::En if a >= 1e9 => format!("{sign}¥{}bn", sig(a / 1e9)),
                Lang::En => format!("{sign}¥{}m", sig(a / 1e6)),
            };
            format!("{amount}{suffix}")
        }
        Format::Usd => {
            let a = x.abs();
            let sign = if x < 0.0 { "-" } else { "" };
            let amount = match lang {
                Lang::Ja if a >= 1e4 => format!("{sign}{}万ドル", sig(a / 1e4)),
                Lang::Ja => format!("{sign}{}ドル", sig(a)),
                Lang::En if a >= 1e6 => format!("{sign}US${}m", sig(a / 1e6)),
                Lang::En if a >= 1e3 => format!("{sign}US${}k", sig(a / 1e3)),
                Lang::En => format!("{sign}US${}", sig(a)),
            };
            format!("{amount}{suffix}")
        }
        Format::Number => format!("{}{suffix}", sig(x)),
    }
}

/// Whether a control's slider runs on a logarithmic scale: when its range spans more than a
/// factor of 20 from a positive low end (the retinal therapy's durability runs from 8 years to
/// the 500 of its lifelong variant), so that the values around the base case keep fine steps.
fn logarithmic(c: &ControlInfo) -> bool {
    c.min > 0.0 && c.max / c.min > 20.0
}

/// Where a value sits on the slider, from 0 to 1.
fn position(c: &ControlInfo, x: f64) -> f64 {
    let t = if logarithmic(c) {
        (x.ln() - c.min.ln()) / (c.max.ln() - c.min.ln())
    } else {
        (x - c.min) / (c.max - c.min)
    };
    if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// The calculator's controls as the page renders them (JavaScript shows and runs them; without
/// it the section stays hidden and the static results stand).
pub(super) fn calculator(t: &Templates, lang: Lang, sc: &Scenario, r: &ScenarioResults) -> Value {
    let controls: Vec<Value> = tenbin_calculator::controls(sc)
        .iter()
        .map(|c| {
            let p = &sc.parameters[sc.slot_of(&c.parameter).expect("a control's parameter")];
            let (format, suffix) = format_of(c, sc, lang);
            let text = |x: f64| format_control(x, format, &suffix, lang);
            let log = logarithmic(c);
            // The slider moves a position; the script maps it to the value (linear or
            // logarithmic between the range's ends).
            let (min, max, step, value) = if log {
                (0.0, STEPS, 1.0, (position(c, c.base) * STEPS).round())
            } else {
                (c.min, c.max, (c.max - c.min) / STEPS, c.base)
            };
            let band = c.interval.map(|(lo, hi)| {
                let (a, b) = (position(c, lo), position(c, hi));
                context! {
                    left => format!("{:.1}", 100.0 * a),
                    width => format!("{:.1}", 100.0 * (b - a)),
                    text => fill(t.s(lang, "calc_w_interval"), &[("low", &text(lo)), ("high", &text(hi))]),
                }
            });
            let cited: Vec<String> = c.cited.iter().map(|&x| text(x)).collect();
            let kind = c.kind;
            context! {
                kind => kind,
                label => t.s(lang, &format!("calc_{kind}")),
                parameter => c.parameter,
                parameter_label => pick(&p.label, lang),
                min => min,
                max => max,
                step => step,
                value => value,
                base => c.base,
                lo => c.min,
                hi => c.max,
                scale => if log { "log" } else { "linear" },
                format => format.key(),
                suffix => suffix,
                base_text => text(c.base),
                // The ends under the slider without unit words, which the value and the note
                // beside it give.
                min_text => format_control(c.min, format, "", lang),
                max_text => format_control(c.max, format, "", lang),
                band => band,
                cited => (!cited.is_empty()).then(|| fill(t.s(lang, "calc_w_cited"), &[("list", &cited.join(if lang == Lang::Ja { "、" } else { ", " }))])),
                ticks => c.cited.iter().chain([&c.base]).map(|&x| if log { (position(c, x) * STEPS).round() } else { x }).collect::<Vec<f64>>(),
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
    let estimate = ESTIMATE_DRAWS.min(r.draws);
    context! {
        draws => r.draws,
        estimate => estimate,
        intro => fill(t.s(lang, "calc_w_intro"), &[("estimate", &count(estimate)), ("draws", &count(r.draws))]),
        seed => r.seed,
        file => sc.file,
        controls => controls,
        wtps => wtps.iter().map(|&w| context! { value => w, label => yen(w, lang), selected => w == first }).collect::<Vec<_>>(),
        methods => methods,
        instalment_years => instalment_years,
    }
}

/// The bundle a scenario page loads: the scenario (its text and the files it reads) and the
/// answer for the page's own run, summarised by the site build from the draws behind the
/// page's tables ([`ScenarioResults::calculator`]), so that the page shows it without running
/// anything.
pub(crate) fn bundle(scenario: tenbin_calculator::Bundle, r: &ScenarioResults) -> PageBundle {
    let (request, answer): (Request, Answer) = r.calculator.clone();
    PageBundle {
        scenario,
        request,
        answer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_written_in_their_units_for_each_reader() {
        let cases = [
            (0.0196, Format::Percent, "", Lang::En, "1.96%"),
            (0.51, Format::Percent, "", Lang::Ja, "51%"),
            (
                7_980_853.0,
                Format::Yen,
                " per lot",
                Lang::En,
                "¥7.98m per lot",
            ),
            (
                7_980_853.0,
                Format::Yen,
                "／ロット",
                Lang::Ja,
                "798万円／ロット",
            ),
            (
                497_630.0,
                Format::Usd,
                " per lot",
                Lang::En,
                "US$498k per lot",
            ),
            (
                497_630.0,
                Format::Usd,
                "／ロット",
                Lang::Ja,
                "49.8万ドル／ロット",
            ),
            (121_128.0, Format::Yen, "", Lang::En, "¥0.121m"),
            (121_128.0, Format::Yen, "", Lang::Ja, "12.1万円"),
            (1.5e9, Format::Yen, "", Lang::Ja, "15億円"),
            (3.0, Format::Number, " months", Lang::En, "3 months"),
            (3.0, Format::Number, "か月", Lang::Ja, "3か月"),
            (12.26, Format::Number, "年", Lang::Ja, "12.3年"),
        ];
        for (x, f, suffix, lang, want) in cases {
            assert_eq!(format_control(x, f, suffix, lang), want);
        }
        assert_eq!(per_words(" per patient per year", Lang::Ja), "／患者・年");
        assert_eq!(per_words("", Lang::En), "");
    }

    #[test]
    fn a_range_over_a_factor_of_twenty_runs_on_a_logarithmic_scale() {
        let c = ControlInfo {
            kind: "durability",
            parameter: "dur_median".into(),
            base: 15.0,
            min: 8.0,
            max: 500.0,
            interval: Some((9.0, 33.0)),
            cited: vec![500.0, 8.0, 45.0],
        };
        assert!(logarithmic(&c));
        assert_eq!(position(&c, 8.0), 0.0);
        assert_eq!(position(&c, 500.0), 1.0);
        // 15 years sits 15% of the way along, not 1.4%.
        assert!((position(&c, 15.0) - (15f64 / 8.0).ln() / (500f64 / 8.0).ln()).abs() < 1e-12);
        let linear = ControlInfo { min: 0.0, ..c };
        assert!(!logarithmic(&linear));
        assert_eq!(position(&linear, 250.0), 0.5);
    }
}
