//! `[[costs]]` (shared by all arms) and `[[arms.NAME.costs]]`: per-cycle or per-year costs in
//! states, one-off costs, and costs on entry into a state.

use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;

use super::Validator;
use super::states::state_ref;
use crate::scenario::raw;
use crate::scenario::{Cost, CostKind, State};

/// Reads one cost; `None` when it is invalid.
pub(super) fn cost(
    v: &mut Validator,
    c: &Spanned<raw::RawCost>,
    states: &[State],
    state_index: &HashMap<String, usize>,
    resolve: &dyn Fn(&str) -> Option<usize>,
) -> Option<Cost> {
    let cr = c.get_ref();
    v.identifier(&cr.name, "cost");
    let label = v.bilingual(cr.label.as_ref());
    let category = cr.category.as_ref().map(|x| x.get_ref().clone());
    let given: Vec<&str> = [
        cr.per_cycle.as_ref().map(|_| "per_cycle"),
        cr.per_year.as_ref().map(|_| "per_year"),
        cr.once.as_ref().map(|_| "once"),
        cr.on_entry.as_ref().map(|_| "on_entry"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if given.len() != 1 {
        v.err(&c.span(), format!(
            "cost `{}` must have exactly one of per_cycle, per_year, once or on_entry; found {}",
            cr.name.get_ref(),
            if given.is_empty() { "none".to_string() } else { given.join(", ") }
        ));
        return None;
    }
    // Keys that belong to other kinds of cost, with their spans when present.
    let states_key = ("states", cr.states.as_ref().map(|s| s.span()));
    let amount_key = ("amount", cr.amount.as_ref().map(|a| a.span()));
    let window_key = (
        "from_year/until_year",
        cr.from_year
            .as_ref()
            .or(cr.until_year.as_ref())
            .map(|a| a.span()),
    );
    let stray = |v: &mut Validator, keys: &[(&str, Option<Range<usize>>)], kind: &str| {
        for (key, span) in keys {
            if let Some(span) = span {
                v.err(span, format!("`{key}` does not apply to a `{kind}` cost"));
            }
        }
    };
    let kind = if let Some(amount) = cr.per_cycle.as_ref().or(cr.per_year.as_ref()) {
        let per_year = cr.per_year.is_some();
        stray(v, &[amount_key], "per_cycle/per_year");
        let states_list = match &cr.states {
            Some(ss) => ss
                .get_ref()
                .iter()
                .filter_map(|s| state_ref(v, states, state_index, s))
                .collect::<Vec<_>>(),
            None => {
                v.err(
                    &c.span(),
                    format!(
                        "cost `{}` needs `states`, the states in which it accrues",
                        cr.name.get_ref()
                    ),
                );
                Vec::new()
            }
        };
        for (&si, s) in states_list
            .iter()
            .zip(cr.states.iter().flat_map(|ss| ss.get_ref().iter()))
        {
            if states[si].dead {
                v.err(
                    &s.span(),
                    "costs cannot accrue in the dead state; use on_entry for a cost at death",
                );
            }
        }
        let from_year = cr
            .from_year
            .as_ref()
            .and_then(|x| {
                v.number(x, "from_year", |y| {
                    if y >= 0.0 {
                        Ok(())
                    } else {
                        Err(format!("{y} is negative"))
                    }
                })
            })
            .unwrap_or(0.0);
        let until_year = cr
            .until_year
            .as_ref()
            .and_then(|x| {
                v.number(x, "until_year", |y| {
                    if y > from_year {
                        Ok(())
                    } else {
                        Err(format!("{y} is not after from_year ({from_year})"))
                    }
                })
            })
            .unwrap_or(f64::INFINITY);
        CostKind::State {
            states: states_list,
            amount: v.compile(amount, resolve)?,
            per_year,
            from_year,
            until_year,
        }
    } else if let Some(amount) = &cr.once {
        stray(v, &[states_key, amount_key, window_key], "once");
        CostKind::Once {
            amount: v.compile(amount, resolve)?,
        }
    } else {
        let entry = cr.on_entry.as_ref().expect("one kind is given");
        stray(v, &[states_key, window_key], "on_entry");
        let state = state_ref(v, states, state_index, entry)?;
        let Some(amount) = &cr.amount else {
            v.err(
                &c.span(),
                format!(
                    "cost `{}` needs `amount`, the cost per entry into `{}`",
                    cr.name.get_ref(),
                    entry.get_ref()
                ),
            );
            return None;
        };
        CostKind::OnEntry {
            state,
            amount: v.compile(amount, resolve)?,
        }
    };
    Some(Cost {
        name: cr.name.get_ref().clone(),
        label,
        category,
        kind,
    })
}
