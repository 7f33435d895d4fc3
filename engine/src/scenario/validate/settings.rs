//! `[settings]`: currency, discount rates, cycle length, horizon, start age, within-cycle
//! correction and willingness to pay.

use toml::Spanned;

use super::Validator;
use crate::scenario::raw::{self, Number};
use crate::scenario::{Settings, WithinCycleCorrection};

/// Reads `[settings]`, with the defaults for what is not written.
pub(super) fn settings(
    v: &mut Validator,
    raw_settings: Option<&Spanned<raw::RawSettings>>,
) -> Settings {
    let default_settings = raw::RawSettings::default();
    let rs = raw_settings.map_or(&default_settings, |s| s.get_ref());
    let currency = rs
        .currency
        .as_ref()
        .map_or("JPY".to_string(), |c| c.get_ref().clone());
    if currency != "JPY" {
        let span = rs.currency.as_ref().map(|c| c.span()).unwrap_or_default();
        v.err(
            &span,
            format!("currency `{currency}` is not supported; expected JPY"),
        );
    }
    let rate = |v: &mut Validator, x: &Option<Spanned<Number>>, what: &str| {
        x.as_ref()
            .and_then(|x| {
                v.number(x, what, |r| {
                    if (0.0..1.0).contains(&r) {
                        Ok(())
                    } else {
                        Err(format!("{r} is outside [0, 1); write 0.02 for 2%"))
                    }
                })
            })
            .unwrap_or(0.02)
    };
    let discount_rate_costs = rate(v, &rs.discount_rate_costs, "discount_rate_costs");
    let discount_rate_outcomes = rate(v, &rs.discount_rate_outcomes, "discount_rate_outcomes");
    let cycles_per_year = match &rs.cycles_per_year {
        None => 12,
        Some(c) if (1..=365).contains(c.get_ref()) => *c.get_ref() as u32,
        Some(c) => {
            v.err(
                &c.span(),
                format!(
                    "cycles_per_year must be between 1 and 365, got {}",
                    c.get_ref()
                ),
            );
            12
        }
    };
    let start_age = rs
        .start_age
        .as_ref()
        .and_then(|a| {
            v.number(a, "start_age", |x| {
                if (0.0..=120.0).contains(&x) {
                    Ok(())
                } else {
                    Err(format!("{x} is not an age between 0 and 120"))
                }
            })
        })
        .unwrap_or(40.0);
    let horizon_years = match &rs.horizon_years {
        None => (100.0 - start_age).ceil().max(1.0) as u32,
        Some(h) if (1..=150).contains(h.get_ref()) => *h.get_ref() as u32,
        Some(h) => {
            v.err(
                &h.span(),
                format!(
                    "horizon_years must be between 1 and 150, got {}",
                    h.get_ref()
                ),
            );
            1
        }
    };
    let within_cycle_correction = match rs
        .within_cycle_correction
        .as_ref()
        .map(|s| (s.get_ref().as_str(), s.span()))
    {
        None | Some(("trapezoid", _)) => WithinCycleCorrection::Trapezoid,
        Some(("start_of_cycle", _)) => WithinCycleCorrection::StartOfCycle,
        Some(("end_of_cycle", _)) => WithinCycleCorrection::EndOfCycle,
        Some((other, span)) => {
            v.err(&span, format!("unknown within-cycle correction `{other}`; expected trapezoid, start_of_cycle or end_of_cycle"));
            WithinCycleCorrection::Trapezoid
        }
    };
    let wtp = match &rs.wtp {
        None => vec![5_000_000.0],
        Some(list) => {
            if list.get_ref().is_empty() {
                v.err(
                    &list.span(),
                    "wtp is empty; expected at least one willingness to pay, e.g. [5_000_000]",
                );
            }
            list.get_ref()
                .iter()
                .filter_map(|w| {
                    v.number(w, "wtp", |x| {
                        if x >= 0.0 {
                            Ok(())
                        } else {
                            Err(format!("{x} is negative"))
                        }
                    })
                })
                .collect()
        }
    };
    Settings {
        currency,
        discount_rate_costs,
        discount_rate_outcomes,
        cycles_per_year,
        horizon_years,
        start_age,
        within_cycle_correction,
        wtp,
    }
}
