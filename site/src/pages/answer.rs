//! The answer a scenario page opens with: one sentence that answers the page's question with
//! the suggested price range set against the product's actual Japanese list price, the basis of
//! that range, and, where they occur, what a negative price or "no viable price" means.
//!
//! The range is the value-based price at the product's reference value (the willingness to pay
//! of `pricing.wtp`), its median and 95% interval over the page's draws: the same numbers the
//! first chart, the methods table and the calculator at rest show.

use minijinja::{Value, context};
use tenbin_engine::scenario::Scenario;

use super::Templates;
use super::home::driver_sentence;
use crate::i18n::{Lang, count, fill, percent, yen};
use crate::results::ScenarioResults;

/// The suggested range the page answers with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Range {
    /// Willingness to pay per QALY behind it.
    pub wtp: f64,
    /// 2.5% quantile.
    pub low: f64,
    /// Median.
    pub median: f64,
    /// 97.5% quantile.
    pub high: f64,
}

/// The value-based price's median and 95% interval, where the run has them.
pub(super) fn suggested_range(r: &ScenarioResults) -> Option<Range> {
    let pricing = &r.report["pricing"];
    let m = pricing["methods"]
        .as_array()?
        .iter()
        .find(|m| m["method"] == "value_based")?;
    Some(Range {
        wtp: pricing["wtp"].as_f64()?,
        low: m["p2_5"].as_f64()?,
        median: m["p50"].as_f64()?,
        high: m["p97_5"].as_f64()?,
    })
}

/// Where the list price sits against the range, and how far.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Position {
    /// Above the top: `list / high` times it (only meaningful when the top is positive).
    Above(f64),
    /// Inside the range.
    Within,
    /// Below the bottom: `list / low` of it.
    Below(f64),
    /// The whole range is at or below zero, so the list price is above it by no ratio.
    AboveNonPositive,
}

pub(super) fn position(list: f64, range: &Range) -> Position {
    if range.high <= 0.0 {
        Position::AboveNonPositive
    } else if list > range.high {
        Position::Above(list / range.high)
    } else if list < range.low && range.low > 0.0 {
        Position::Below(list / range.low)
    } else {
        Position::Within
    }
}

/// A ratio in words: one decimal below 10 ("1.7"), whole numbers above ("24").
fn ratio_text(x: f64) -> String {
    if x < 9.95 {
        format!("{x:.1}")
    } else {
        format!("{x:.0}")
    }
}

/// The answer's sentences: `sentence` answers the question; `basis` says what the range is;
/// `notes` explain negative prices and "no viable price" where they occur.
pub(super) fn answer(t: &Templates, lang: Lang, sc: &Scenario, r: &ScenarioResults) -> Value {
    let Some(range) = suggested_range(r) else {
        return Value::UNDEFINED;
    };
    let money = |x: f64| yen(x, lang);
    let values = [
        ("low", money(range.low)),
        ("high", money(range.high)),
        ("median", money(range.median)),
        ("wtp", money(range.wtp)),
        ("draws", count(r.draws)),
    ];
    let list = r.report["pricing"]["list_price"]["yen"].as_f64();
    let sentence = match list {
        None => fill_owned(t.s(lang, "answer_no_list"), &values, &[]),
        Some(list) => {
            let (key, ratio) = match position(list, &range) {
                Position::Above(x) => ("answer_above", ratio_text(x)),
                Position::Within => ("answer_within", String::new()),
                Position::Below(x) => ("answer_below", percent(x)),
                Position::AboveNonPositive => ("answer_above_negative", String::new()),
            };
            fill_owned(
                t.s(lang, key),
                &values,
                &[("list", money(list)), ("ratio", ratio)],
            )
        }
    };
    let mut basis = fill_owned(t.s(lang, "answer_basis"), &values, &[]);
    basis.push_str(&driver_sentence(t, lang, sc, r));
    let mut notes = Vec::new();
    if range.high <= 0.0 {
        notes.push(fill_owned(t.s(lang, "answer_negative_all"), &values, &[]));
    } else if range.low < 0.0 {
        notes.push(fill_owned(t.s(lang, "answer_negative_some"), &values, &[]));
    }
    if let Some(p) = r.report["pricing"]["probability_no_viable_price"]
        .as_f64()
        .filter(|p| *p > 0.0)
    {
        notes.push(fill(
            t.s(lang, "answer_no_viable"),
            &[("share", &percent(p))],
        ));
    }
    context! {
        sentence => sentence,
        basis => basis,
        notes => notes,
        // As the tables print them, for the browser check that they agree (check.mjs).
        low => money(range.low),
        high => money(range.high),
        median => money(range.median),
        wtp => money(range.wtp),
        method => t.s(lang, "method_value_based"),
    }
}

fn fill_owned(template: &str, values: &[(&str, String)], more: &[(&str, String)]) -> String {
    let pairs: Vec<(&str, &str)> = values
        .iter()
        .chain(more)
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    fill(template, &pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(low: f64, high: f64) -> Range {
        Range {
            wtp: 5e6,
            low,
            median: (low + high) / 2.0,
            high,
        }
    }

    #[test]
    fn the_list_price_is_placed_against_the_range() {
        // CAR-T LBCL's shape: 32.65M against 9.3M-24.07M is 1.36 times the top.
        match position(32_647_761.0, &range(9_303_594.0, 24_066_368.0)) {
            Position::Above(x) => assert!((x - 1.3566).abs() < 1e-3, "{x}"),
            p => panic!("{p:?}"),
        }
        assert_eq!(position(10e6, &range(5e6, 20e6)), Position::Within);
        match position(4e6, &range(5e6, 20e6)) {
            Position::Below(x) => assert!((x - 0.8).abs() < 1e-12),
            p => panic!("{p:?}"),
        }
        // A range reaching below zero has no lower ratio: a positive price is inside it.
        assert_eq!(position(1e6, &range(-5e6, 20e6)), Position::Within);
        assert_eq!(
            position(1e6, &range(-9e6, -1e6)),
            Position::AboveNonPositive
        );
    }

    #[test]
    fn ratios_read_as_words() {
        assert_eq!(ratio_text(1.3566), "1.4");
        assert_eq!(ratio_text(9.94), "9.9");
        assert_eq!(ratio_text(80.4), "80");
    }
}
