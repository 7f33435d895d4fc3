//! `[payments]`: the schemes by which the price is paid (response states, price basis,
//! instalments, refunds, milestones), also set up when only `[budget]` is written.

use std::collections::HashMap;

use toml::Spanned;

use super::{Validator, whole};
use crate::scenario::payments::{PaymentSpec, PriceBasis};
use crate::scenario::pricing::{Method, PricingSpec};
use crate::scenario::raw::{self, ExprSource, Number, RawScenario};
use crate::scenario::{Settings, State};

/// Reads `[payments]` (when it or `[budget]` is written) and checks that the schemes fit within
/// the horizon.
pub(super) fn payments(
    v: &mut Validator,
    raw: &RawScenario,
    pricing: &PricingSpec,
    states: &[State],
    state_index: &HashMap<String, usize>,
    settings: &Settings,
) -> Option<PaymentSpec> {
    if raw.payments.is_some() || raw.budget.is_some() {
        let alive: Vec<usize> = (0..states.len()).filter(|&k| !states[k].dead).collect();
        let mut spec = PaymentSpec::defaults(alive);
        if let Some(p) = &raw.payments {
            let has = (raw.supply.is_some(), pricing);
            payments_spec(
                v,
                p.get_ref(),
                &mut spec,
                state_index,
                states,
                has,
                settings.horizon_years,
            );
            if let (Some(price), PriceBasis::Method(m)) = (&p.get_ref().price, spec.price) {
                if let Some(reason) = super::pricing::not_evaluated(pricing, m) {
                    v.err(
                        &price.span(),
                        format!("the {m} price does not exist: {reason}; pay the unadjusted price or state the evaluation category in [pricing]"),
                    );
                }
            }
        }
        if spec.trace_years() > settings.horizon_years as usize {
            let at = raw.payments.as_ref().map_or(0..0, |p| p.span());
            v.err(
                &at,
                format!(
                    "the payment schemes look {} years ahead, beyond the horizon of {} years",
                    spec.trace_years(),
                    settings.horizon_years
                ),
            );
        }
        Some(spec)
    } else {
        None
    }
}

/// Reads `[payments]` into `spec` (which holds the defaults).
fn payments_spec(
    v: &mut Validator,
    p: &raw::RawPayments,
    spec: &mut PaymentSpec,
    state_index: &HashMap<String, usize>,
    states: &[State],
    (has_supply, pricing): (bool, &PricingSpec),
    horizon_years: u32,
) {
    let has_comparable = pricing.comparable.is_some();
    if let Some(list) = &p.response_states {
        let mut chosen = Vec::new();
        for s in list.get_ref() {
            match state_index.get(s.get_ref()) {
                Some(&k) if states[k].dead => {
                    v.err(&s.span(), "the dead state cannot be a response state")
                }
                Some(&k) => chosen.push(k),
                None => {
                    let known: Vec<&str> = states
                        .iter()
                        .filter(|s| !s.dead)
                        .map(|s| s.id.as_str())
                        .collect();
                    v.err(
                        &s.span(),
                        format!(
                            "unknown state `{}`; expected one of {}",
                            s.get_ref(),
                            known.join(", ")
                        ),
                    );
                }
            }
        }
        if list.get_ref().is_empty() {
            v.err(
                &list.span(),
                "response_states needs at least one living state",
            );
        }
        chosen.sort_unstable();
        chosen.dedup();
        spec.response_states = chosen;
    }
    if let Some(price) = &p.price {
        match price.get_ref() {
            ExprSource::Number(x) if x.is_finite() && *x > 0.0 => {
                spec.price = PriceBasis::Fixed(*x);
            }
            ExprSource::Number(x) => v.err(
                &price.span(),
                format!("price: {x} is not a price; expected a positive number of yen or a method in quotes"),
            ),
            ExprSource::Text(id) if id == "list_price" => match &pricing.list_price {
                Some(lp) => spec.price = PriceBasis::Fixed(lp.yen),
                None => v.err(
                    &price.span(),
                    "price = \"list_price\" needs [pricing] list_price = { yen = ..., source = \"...\" }",
                ),
            },
            ExprSource::Text(id) => match Method::from_id(id) {
                Some(m) if !m.applies(has_supply, has_comparable) => v.err(
                    &price.span(),
                    format!(
                        "the {id} method needs {} in this scenario",
                        if id.starts_with("comparable") {
                            "a [pricing.comparable_drug] block"
                        } else {
                            "a [supply] block"
                        }
                    ),
                ),
                Some(m) => spec.price = PriceBasis::Method(m),
                None => v.err(
                    &price.span(),
                    format!(
                        "unknown pricing method `{id}`; expected one of {} or a price in yen",
                        Method::ids()
                    ),
                ),
            },
        }
    }
    if let Some(n) = &p.instalment_years {
        if let Some(n) = whole(v, n, "instalment_years", 1, 30) {
            spec.instalment_years = n;
        }
    }
    if let Some(n) = &p.refund_years {
        if let Some(n) = whole(v, n, "refund_years", 1, 30) {
            spec.refund_years = n;
        }
    }
    if let Some(f) = &p.refund_share {
        if let Some(f) = v.number(f, "refund_share", |x| {
            if (0.0..=1.0).contains(&x) {
                Ok(())
            } else {
                Err("expected a share from 0 to 1".into())
            }
        }) {
            spec.refund_share = f;
        }
    }
    if let Some(a) = &p.response_assessed_years {
        let horizon = f64::from(horizon_years);
        if let Some(a) = v.number(a, "response_assessed_years", |x| {
            if (0.0..=horizon).contains(&x) {
                Ok(())
            } else {
                Err(format!(
                    "expected years after treatment from 0 to the horizon of {horizon_years} years"
                ))
            }
        }) {
            spec.response_assessed_years = a;
        }
        if spec.response_assessed_years > f64::from(spec.refund_years) {
            v.err(
                &a.span(),
                format!(
                    "response_assessed_years: response is first assessed after the refund guarantee of {} years has ended; assess it earlier or lengthen refund_years",
                    spec.refund_years
                ),
            );
        }
    }
    if let Some(r) = &p.maker_discount_rate {
        spec.maker_discount_rate = v.number(r, "maker_discount_rate", |x| {
            if (0.0..=0.5).contains(&x) {
                Ok(())
            } else {
                Err("expected a yearly rate from 0 to 0.5".into())
            }
        });
    }
    match (&p.milestones, &p.milestone_shares) {
        (None, None) => {}
        (Some(times), Some(shares)) => {
            let mut list = |items: &Spanned<Vec<Spanned<Number>>>,
                            key: &str,
                            range: std::ops::RangeInclusive<f64>,
                            expected: &str|
             -> Vec<Option<f64>> {
                items
                    .get_ref()
                    .iter()
                    .map(|x| {
                        v.number(x, key, |x| {
                            if range.contains(&x) {
                                Ok(())
                            } else {
                                Err(expected.to_string())
                            }
                        })
                    })
                    .collect()
            };
            let t = list(
                times,
                "milestones",
                0.0..=30.0,
                "expected years after treatment, from 0 to 30",
            );
            let s = list(
                shares,
                "milestone_shares",
                0.0..=1.0,
                "expected a share of the price from 0 to 1",
            );
            if t.len() != s.len() || t.is_empty() {
                v.err(
                    &shares.span(),
                    format!(
                        "milestone_shares has {} values for {} milestones; expected one share per milestone",
                        s.len(),
                        t.len()
                    ),
                );
            } else if let (Some(t), Some(s)) = (
                t.into_iter().collect::<Option<Vec<f64>>>(),
                s.into_iter().collect::<Option<Vec<f64>>>(),
            ) {
                let total: f64 = s.iter().sum();
                if (total - 1.0).abs() > 1e-9 {
                    v.err(
                        &shares.span(),
                        format!("milestone_shares sum to {total}; expected 1"),
                    );
                } else if t.windows(2).any(|w| w[1] <= w[0]) {
                    v.err(&times.span(), "milestones must be in increasing order");
                } else {
                    spec.milestones = t.into_iter().zip(s).collect();
                }
            }
        }
        (Some(t), None) => v.err(
            &t.span(),
            "milestones need milestone_shares, the share of the price paid at each",
        ),
        (None, Some(s)) => v.err(
            &s.span(),
            "milestone_shares need milestones, the years at which each share falls due",
        ),
    }
}
