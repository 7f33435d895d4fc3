//! `[pricing]` (rule set, route, premiums and ratios of the official pricing methods) and
//! `[pricing.comparable_drug]`.

use toml::Spanned;

use super::Validator;
use crate::official::Route;
use crate::scenario::pricing::{ComparableSpec, PricingSpec};
use crate::scenario::raw::{self, Number};

/// Reads `[pricing]`: each value checked where it is written.
pub(super) fn pricing_spec(v: &mut Validator, p: &raw::RawPricing) -> PricingSpec {
    let mut spec = PricingSpec::defaults();
    if let Some(id) = &p.rule_set {
        match crate::official::rules::rule_set(id.get_ref()) {
            Some(r) => spec.rules = r,
            None => {
                let known: Vec<&str> = crate::official::rules::RULE_SETS
                    .iter()
                    .map(|r| r.id)
                    .collect();
                v.err(
                    &id.span(),
                    format!(
                        "unknown rule set `{}`; expected one of {}",
                        id.get_ref(),
                        known.join(", ")
                    ),
                );
            }
        }
    }
    if let Some(r) = &p.route {
        match r.get_ref().as_str() {
            "drug" => spec.route = Route::Drug,
            "device" => spec.route = Route::Device,
            other => v.err(
                &r.span(),
                format!("unknown route `{other}`; expected drug or device"),
            ),
        }
    }
    let share = |x: f64| {
        if (0.0..=1.0).contains(&x) {
            Ok(())
        } else {
            Err("expected a share from 0 to 1".to_string())
        }
    };
    let num = |v: &mut Validator,
               n: &Option<Spanned<Number>>,
               what: &str,
               check: &dyn Fn(f64) -> Result<(), String>,
               into: &mut f64| {
        if let Some(n) = n {
            if let Some(x) = v.number(n, what, check) {
                *into = x;
            }
        }
    };
    num(
        v,
        &p.premium_rate,
        "premium_rate",
        &|x| {
            if (0.0..=2.0).contains(&x) {
                Ok(())
            } else {
                Err("expected a rate from 0 to 2".into())
            }
        },
        &mut spec.premium_rate,
    );
    num(v, &p.disclosure, "disclosure", &share, &mut spec.disclosure);
    // Checked against the rule set's cap (and with each other) where they are written.
    for (n, key, into) in [
        (&p.sga_ratio, "sga_ratio", &mut spec.sga_ratio),
        (
            &p.operating_profit_ratio,
            "operating_profit_ratio",
            &mut spec.operating_profit_ratio,
        ),
    ] {
        if let Some(n) = n {
            *into = v.number(n, key, share);
        }
    }
    if p.sga_ratio.is_some() || p.operating_profit_ratio.is_some() {
        let probe = crate::official::cost_accounting(
            &crate::official::CostAccounting {
                route: spec.route,
                product_cost: 1_000_000.0,
                sga_ratio: spec.sga_ratio,
                operating_profit_ratio: spec.operating_profit_ratio,
                distribution: None,
                consumption_tax: None,
                premium_rate: 0.0,
                disclosure: 0.0,
                actual_sga: None,
                actual_operating_profit: None,
            },
            spec.rules,
        );
        if let Err(e) = probe {
            let at = if e.field == "operating_profit_ratio" {
                p.operating_profit_ratio.as_ref()
            } else {
                p.sga_ratio.as_ref().or(p.operating_profit_ratio.as_ref())
            };
            if let Some(at) = at {
                v.err(&at.span(), format!("{}: {}", e.field, e.message));
            }
        }
    }
    num(
        v,
        &p.return_on_cost,
        "return_on_cost",
        &|x| {
            if (0.0..=10.0).contains(&x) {
                Ok(())
            } else {
                Err("expected a return from 0 to 10 (0.1 is 10%)".into())
            }
        },
        &mut spec.return_on_cost,
    );
    num(
        v,
        &p.corridor_share,
        "corridor_share",
        &share,
        &mut spec.corridor_share,
    );
    num(
        v,
        &p.savings_share,
        "savings_share",
        &share,
        &mut spec.savings_share,
    );
    if let Some(b) = &p.special_consideration {
        spec.special_consideration = *b.get_ref();
    }
    if let Some(c) = &p.comparable_drug {
        comparable_drug(v, c, &mut spec);
    }
    spec
}

/// Reads `[pricing.comparable_drug]` into `spec`, checking the price once against the rule set.
fn comparable_drug(
    v: &mut Validator,
    c: &Spanned<raw::RawPricingComparable>,
    spec: &mut PricingSpec,
) {
    let table_span = c.span();
    let c = c.get_ref();
    let positive = |x: f64| {
        if x > 0.0 {
            Ok(())
        } else {
            Err("expected a positive number".to_string())
        }
    };
    let price = v.number(&c.comparator_unit_price, "comparator_unit_price", positive);
    let units = v.number(&c.units_per_course, "units_per_course", positive);
    let mut premiums = Vec::new();
    for (id, rate) in &c.premiums {
        match crate::official::rules::premium_kind(id.get_ref()) {
            None => {
                let known: Vec<&str> = crate::official::rules::PREMIUMS
                    .iter()
                    .map(|p| p.id)
                    .collect();
                v.err(
                    &id.span(),
                    format!(
                        "unknown premium `{}`; expected one of {}",
                        id.get_ref(),
                        known.join(", ")
                    ),
                );
            }
            Some(kind) => {
                let ok = |x: f64| {
                    if (kind.min - 1e-12..=kind.max + 1e-12).contains(&x) {
                        Ok(())
                    } else {
                        Err(format!(
                            "{} is allowed from {} to {}",
                            kind.name_ja, kind.min, kind.max
                        ))
                    }
                };
                if let Some(x) = v.number(rate, id.get_ref(), ok) {
                    premiums.push((id.get_ref().clone(), x));
                }
            }
        }
    }
    let foreign_average = c
        .foreign_average
        .as_ref()
        .and_then(|f| v.number(f, "foreign_average", positive));
    if let (Some(comparator_unit_price), Some(units_per_course)) = (price, units) {
        let cs = ComparableSpec {
            comparator_unit_price,
            units_per_course,
            premiums,
            foreign_average,
        };
        // The price does not vary by draw: check it once here, so that a rule it breaks
        // (premiums that do not stack, one the rule set forbids) is an error at its place
        // rather than a method missing from every report.
        let check = crate::official::comparable_drug(
            &crate::official::ComparableDrug {
                route: spec.route,
                comparator_unit_price,
                units_per_course,
                premiums: cs.premiums.clone(),
                foreign: None,
            },
            spec.rules,
        );
        match check {
            Ok(_) => spec.comparable = Some(cs),
            Err(e) => {
                let at = e
                    .field
                    .strip_prefix("premiums.")
                    .and_then(|id| c.premiums.keys().find(|k| k.get_ref() == id))
                    .map_or(table_span.clone(), |k| k.span());
                v.err(&at, format!("{}: {}", e.field, e.message));
            }
        }
    }
}
