//! Case files for `tenbin price`: one official calculation from given inputs, as a Chuikyo
//! document publishes them. The format is documented in `cases/README.md`.
//!
//! ```toml
//! title = "Zolgensma, listed 2020-05-20"
//! source = "Chuikyo general meeting, 2020-05-13"
//! method = "comparable_drug"      # or "cost_accounting", "consumption_tax_change"
//! route = "drug"                  # or "device"
//! rule_set = "FY2018"
//!
//! [comparable_drug]
//! comparator_unit_price = 9_493_024
//! units_per_course = 11
//! premiums = { usefulness_1 = 0.5, sakigake = 0.1 }
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::foreign::ForeignPrices;
use super::rules::{RULE_SETS, rule_set};
use super::{
    Calculation, ComparableDrug, CostAccounting, Distribution, Route, comparable_drug,
    consumption_tax_change, cost_accounting,
};
use crate::error::{ScenarioError, SourceText};

/// Premiums by id as a case file writes them.
type Premiums = BTreeMap<Spanned<String>, Spanned<f64>>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    title: Spanned<String>,
    source: Option<Spanned<String>>,
    method: Spanned<String>,
    #[serde(default)]
    route: Option<Spanned<String>>,
    rule_set: Spanned<String>,
    cost_accounting: Option<Spanned<RawCostAccounting>>,
    comparable_drug: Option<Spanned<RawComparable>>,
    consumption_tax_change: Option<Spanned<RawTaxChange>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTaxChange {
    listed_price: Spanned<f64>,
    old_rate: Option<Spanned<f64>>,
    new_rate: Option<Spanned<f64>>,
    expected_price: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCostAccounting {
    #[serde(default)]
    product_cost: Option<Spanned<f64>>,
    published_sum: Option<Spanned<f64>>,
    sga_ratio: Option<Spanned<f64>>,
    sga_cap: Option<Spanned<f64>>,
    operating_profit_ratio: Option<Spanned<f64>>,
    distribution_ratio: Option<Spanned<f64>>,
    distribution_amount: Option<Spanned<f64>>,
    consumption_tax: Option<Spanned<f64>>,
    #[serde(default)]
    premiums: Premiums,
    #[serde(default)]
    disclosure: Option<Spanned<f64>>,
    disclosure_coefficient: Option<Spanned<f64>>,
    actual_sga: Option<Spanned<f64>>,
    actual_operating_profit: Option<Spanned<f64>>,
    foreign: Option<Spanned<RawForeign>>,
    /// The published price, checked against the calculation when given.
    expected_price: Option<Spanned<f64>>,
}

/// `[METHOD.foreign]`: the reference countries' prices, in yen or in their currencies.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawForeign {
    #[serde(default)]
    yen: Premiums,
    #[serde(default)]
    prices: Premiums,
    #[serde(default)]
    exchange_rates: Premiums,
    exclude_over_lowest: Option<Spanned<f64>>,
    cap_over_others: Option<Spanned<f64>>,
    reduce_above: Option<Spanned<f64>>,
    raise_below: Option<Spanned<f64>>,
    raise_cap: Option<Spanned<f64>>,
}

impl RawForeign {
    /// The prices, or an error at the key it concerns.
    fn read(
        f: &Spanned<RawForeign>,
        src: &SourceText,
        route: &super::foreign::ForeignRules,
    ) -> Result<ForeignPrices, ScenarioError> {
        let r = f.get_ref();
        let value = |x: &Option<Spanned<f64>>| x.as_ref().map(|v| *v.get_ref());
        let overrides = super::foreign::Overrides {
            exclude_over_lowest: value(&r.exclude_over_lowest),
            cap_over_others: value(&r.cap_over_others),
            reduce_above: value(&r.reduce_above),
            raise_below: value(&r.raise_below),
            raise_cap: value(&r.raise_cap),
        };
        for x in [
            &r.exclude_over_lowest,
            &r.cap_over_others,
            &r.reduce_above,
            &r.raise_below,
            &r.raise_cap,
        ]
        .into_iter()
        .flatten()
        {
            if !(x.get_ref().is_finite() && *x.get_ref() > 0.0) {
                return Err(src.error(&x.span(), "expected a positive multiple"));
            }
        }
        let given = overrides != super::foreign::Overrides::default();
        let mut prices = ForeignPrices::read(
            &premium_list(&r.yen),
            &premium_list(&r.prices),
            &premium_list(&r.exchange_rates),
        )
        .map_err(|e| {
            let key = e.field.rsplit('.').next().unwrap_or_default();
            let table = if e.field.contains(".yen.") {
                &r.yen
            } else if e.field.contains(".exchange_rates.") {
                &r.exchange_rates
            } else {
                &r.prices
            };
            let at = table
                .iter()
                .find(|(k, _)| k.get_ref() == key)
                .map_or(f.span(), |(k, _)| k.span());
            src.error(&at, e.to_string())
        })?;
        if given {
            prices.rules = Some(route.with(&overrides));
        }
        Ok(prices)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawComparable {
    comparator_unit_price: Spanned<f64>,
    units_per_course: Spanned<f64>,
    #[serde(default)]
    premiums: Premiums,
    foreign: Option<Spanned<RawForeign>>,
    expected_price: Option<Spanned<f64>>,
}

/// A case read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// What is priced.
    pub title: String,
    /// Where the inputs were published.
    pub source: Option<String>,
    /// The calculation.
    pub calculation: Calculation,
    /// The published price, when the file gives one.
    pub expected_price: Option<f64>,
}

/// Reads a case and runs its calculation. Errors name the file, line and column.
pub fn run_case(file: &str, text: &str) -> Result<Case, ScenarioError> {
    let src = SourceText::new(file, text);
    let raw: RawCase = toml::from_str(text).map_err(|e| {
        src.error_at(
            e.span().map_or(0, |s| s.start),
            e.message().trim().replace('\n', "; "),
        )
    })?;
    let Some(rules) = rule_set(raw.rule_set.get_ref()) else {
        let known: Vec<&str> = RULE_SETS.iter().map(|r| r.id).collect();
        return Err(src.error(
            &raw.rule_set.span(),
            format!(
                "unknown rule set `{}`; expected one of {}",
                raw.rule_set.get_ref(),
                known.join(", ")
            ),
        ));
    };
    let route = match raw.route.as_ref().map(|r| r.get_ref().as_str()) {
        None | Some("drug") => Route::Drug,
        Some("device") => Route::Device,
        Some(other) => {
            let span = raw.route.as_ref().map(|r| r.span()).unwrap_or_default();
            return Err(src.error(
                &span,
                format!("unknown route `{other}`; expected drug or device"),
            ));
        }
    };
    let value = |x: &Option<Spanned<f64>>| x.as_ref().map(|v| *v.get_ref());
    // A pricing error names a field; point at it when the file has it, else at the table.
    let (calculation, expected) = match raw.method.get_ref().as_str() {
        "cost_accounting" => {
            let Some(ca) = &raw.cost_accounting else {
                return Err(src.error(
                    &raw.method.span(),
                    "method cost_accounting needs a [cost_accounting] table",
                ));
            };
            let r = ca.get_ref();
            if let (Some(_), Some(b)) = (&r.distribution_ratio, &r.distribution_amount) {
                return Err(src.error(
                    &b.span(),
                    "give distribution_ratio or distribution_amount, not both",
                ));
            }
            let product_cost = match (&r.product_cost, &r.published_sum) {
                (Some(p), _) => *p.get_ref(),
                // The build-up is not recomputed; the product cost only has to be positive.
                (None, Some(sum)) => *sum.get_ref(),
                (None, None) => {
                    return Err(src.error(
                        &ca.span(),
                        "give product_cost (the build-up is computed) or published_sum (the published sum before premiums)",
                    ));
                }
            };
            let c = CostAccounting {
                route,
                product_cost,
                published_sum: value(&r.published_sum),
                sga_cap: value(&r.sga_cap),
                sga_ratio: value(&r.sga_ratio),
                operating_profit_ratio: value(&r.operating_profit_ratio),
                distribution: value(&r.distribution_amount)
                    .map(Distribution::Amount)
                    .or(value(&r.distribution_ratio).map(Distribution::Ratio)),
                consumption_tax: value(&r.consumption_tax),
                premiums: premium_list(&r.premiums),
                disclosure: value(&r.disclosure).unwrap_or(0.0),
                disclosure_coefficient: value(&r.disclosure_coefficient),
                actual_sga: value(&r.actual_sga),
                actual_operating_profit: value(&r.actual_operating_profit),
                foreign: r
                    .foreign
                    .as_ref()
                    .map(|f| RawForeign::read(f, &src, route.foreign_rules(rules)))
                    .transpose()?,
            };
            let calc = cost_accounting(&c, rules).map_err(|e| {
                let span = premium_span(&r.premiums, &e.field);
                let span = span.or(match e.field.as_str() {
                    "product_cost" => r.product_cost.as_ref().map(|x| x.span()),
                    "published_sum" => r.published_sum.as_ref().map(|x| x.span()),
                    "sga_ratio" => r.sga_ratio.as_ref().map(|x| x.span()),
                    "operating_profit_ratio" => r.operating_profit_ratio.as_ref().map(|x| x.span()),
                    "distribution_ratio" => r.distribution_ratio.as_ref().map(|x| x.span()),
                    "consumption_tax" => r.consumption_tax.as_ref().map(|x| x.span()),
                    "disclosure" => r.disclosure.as_ref().map(|x| x.span()),
                    "disclosure_coefficient" => r.disclosure_coefficient.as_ref().map(|x| x.span()),
                    "distribution_amount" => r.distribution_amount.as_ref().map(|x| x.span()),
                    _ => None,
                });
                src.error(&span.unwrap_or(ca.span()), e.to_string())
            })?;
            (calc, value(&r.expected_price))
        }
        "comparable_drug" => {
            let Some(cd) = &raw.comparable_drug else {
                return Err(src.error(
                    &raw.method.span(),
                    "method comparable_drug needs a [comparable_drug] table",
                ));
            };
            let r = cd.get_ref();
            let c = ComparableDrug {
                route,
                comparator_unit_price: *r.comparator_unit_price.get_ref(),
                units_per_course: *r.units_per_course.get_ref(),
                premiums: premium_list(&r.premiums),
                foreign: r
                    .foreign
                    .as_ref()
                    .map(|f| RawForeign::read(f, &src, route.foreign_rules(rules)))
                    .transpose()?,
            };
            let calc = comparable_drug(&c, rules).map_err(|e| {
                let span = premium_span(&r.premiums, &e.field);
                let span = span.or(match e.field.as_str() {
                    "comparator_unit_price" => Some(r.comparator_unit_price.span()),
                    "units_per_course" => Some(r.units_per_course.span()),
                    _ => None,
                });
                src.error(&span.unwrap_or(cd.span()), e.to_string())
            })?;
            (calc, value(&r.expected_price))
        }
        "consumption_tax_change" => {
            let Some(t) = &raw.consumption_tax_change else {
                return Err(src.error(
                    &raw.method.span(),
                    "method consumption_tax_change needs a [consumption_tax_change] table",
                ));
            };
            let r = t.get_ref();
            let calc = consumption_tax_change(
                route,
                *r.listed_price.get_ref(),
                value(&r.old_rate).unwrap_or(0.08),
                value(&r.new_rate).unwrap_or(rules.consumption_tax.value),
                rules,
            )
            .map_err(|e| {
                let span = match e.field.as_str() {
                    "listed_price" => Some(r.listed_price.span()),
                    "old_rate" => r.old_rate.as_ref().map(|x| x.span()),
                    "new_rate" => r.new_rate.as_ref().map(|x| x.span()),
                    _ => None,
                };
                src.error(&span.unwrap_or(t.span()), e.to_string())
            })?;
            (calc, value(&r.expected_price))
        }
        other => {
            return Err(src.error(
                &raw.method.span(),
                format!(
                    "unknown method `{other}`; expected cost_accounting, comparable_drug or consumption_tax_change"
                ),
            ));
        }
    };
    Ok(Case {
        title: raw.title.get_ref().clone(),
        source: raw.source.map(|s| s.get_ref().clone()),
        calculation,
        expected_price: expected,
    })
}

/// A case's premiums by id, as the calculations take them.
fn premium_list(premiums: &Premiums) -> Vec<(String, f64)> {
    premiums
        .iter()
        .map(|(k, v)| (k.get_ref().clone(), *v.get_ref()))
        .collect()
}

/// Where the premium an error names (`premiums.ID`) is written, if it is one.
fn premium_span(premiums: &Premiums, field: &str) -> Option<std::ops::Range<usize>> {
    let id = field.strip_prefix("premiums.")?;
    premiums
        .keys()
        .find(|k| k.get_ref() == id)
        .map(Spanned::span)
}
