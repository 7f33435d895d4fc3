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
    if let Some(r) = &p.premium_rate {
        v.err(
            &r.span(),
            "premium_rate was replaced by premiums named by id, e.g. premiums = { usefulness_1 = 0.35, marketability_1 = 0.1 } (see cases/README.md for the ids and ranges)",
        );
    }
    spec.premiums = premiums(v, &p.premiums);
    num(v, &p.disclosure, "disclosure", &share, &mut spec.disclosure);
    // Checked against the rule set's cap (and with each other) where they are written.
    for (n, key, into) in [
        (&p.sga_ratio, "sga_ratio", &mut spec.sga_ratio),
        (
            &p.operating_profit_ratio,
            "operating_profit_ratio",
            &mut spec.operating_profit_ratio,
        ),
        (
            &p.distribution_ratio,
            "distribution_ratio",
            &mut spec.distribution_ratio,
        ),
    ] {
        if let Some(n) = n {
            *into = v.number(n, key, share);
        }
    }
    // The ratios, the route's defaults and the premiums do not vary by draw: check them once
    // here, where they are written.
    let probe = crate::official::cost_accounting(
        &crate::official::CostAccounting {
            sga_ratio: spec.sga_ratio,
            operating_profit_ratio: spec.operating_profit_ratio,
            distribution: spec
                .distribution_ratio
                .map(crate::official::Distribution::Ratio),
            premiums: spec.premiums.clone(),
            ..crate::official::CostAccounting::new(spec.route, 1_000_000.0)
        },
        spec.rules,
    );
    if let Err(e) = probe {
        let at = if let Some(id) = e.field.strip_prefix("premiums.") {
            p.premiums
                .keys()
                .find(|k| k.get_ref() == id)
                .map(|k| k.span())
        } else {
            match e.field.as_str() {
                "operating_profit_ratio" => p.operating_profit_ratio.as_ref().map(|x| x.span()),
                "distribution_ratio" | "distribution_amount" => p
                    .distribution_ratio
                    .as_ref()
                    .map(|x| x.span())
                    .or(p.route.as_ref().map(|r| r.span())),
                _ => p
                    .sga_ratio
                    .as_ref()
                    .or(p.operating_profit_ratio.as_ref())
                    .map(|x| x.span()),
            }
        };
        if let Some(at) = at {
            let message = if e.field == "distribution_amount" {
                e.message.replace(
                    "distribution_amount",
                    "not available in a scenario; give distribution_ratio",
                )
            } else {
                e.message
            };
            v.err(&at, format!("{}: {message}", e.field));
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
    let premiums = premiums(v, &c.premiums);
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

/// Reads premiums by id (cost accounting and comparable drug), each within its range.
fn premiums(
    v: &mut Validator,
    raw: &std::collections::BTreeMap<Spanned<String>, Spanned<Number>>,
) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    for (id, rate) in raw {
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
                    out.push((id.get_ref().clone(), x));
                }
            }
        }
    }
    out
}
