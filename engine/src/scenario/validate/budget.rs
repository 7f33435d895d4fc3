//! `[budget]`: the budget impact analysis (years, prevalent and incident patients, uptake and
//! payment scheme).

use super::{Validator, whole};
use crate::scenario::budget::BudgetSpec;
use crate::scenario::payments::Scheme;
use crate::scenario::raw;

/// Reads `[budget]`.
pub(super) fn budget_spec(
    v: &mut Validator,
    b: &raw::RawBudget,
    resolve: &dyn Fn(&str) -> Option<usize>,
) -> Option<BudgetSpec> {
    let years = match &b.years {
        Some(n) => whole(v, n, "years", 5, 10),
        None => Some(5),
    };
    let prevalent = b.prevalent.as_ref().map(|e| v.compile(e, resolve));
    let incident = v.compile(&b.incident, resolve);
    let mut uptake = Vec::new();
    for u in b.uptake.get_ref() {
        uptake.extend(v.number(u, "uptake", |x| {
            if (0.0..=1.0).contains(&x) {
                Ok(())
            } else {
                Err("expected a share of eligible patients from 0 to 1".into())
            }
        }));
    }
    if b.uptake.get_ref().is_empty() {
        v.err(
            &b.uptake.span(),
            "uptake needs at least one year's share of eligible patients who start treatment",
        );
    }
    let scheme = match &b.scheme {
        None => Some(Scheme::UpFront),
        Some(s) => {
            let k = Scheme::from_id(s.get_ref());
            if k.is_none() {
                v.err(
                    &s.span(),
                    format!(
                        "unknown payment scheme `{}`; expected one of {}",
                        s.get_ref(),
                        Scheme::ids()
                    ),
                );
            }
            k
        }
    };
    Some(BudgetSpec {
        years: years?,
        prevalent: match prevalent {
            Some(p) => Some(p?),
            None => None,
        },
        incident: incident?,
        uptake,
        scheme: scheme?,
    })
}
