//! `[[states]]`: the health states, their utilities and mortality hazard ratios, with exactly
//! one dead state; and the check that a state named elsewhere exists.

use std::collections::HashMap;

use toml::Spanned;

use super::Validator;
use crate::expr::Expr;
use crate::scenario::raw::RawScenario;
use crate::scenario::{Loc, Located, State};

/// Reads `[[states]]`; returns them with the index of each id.
pub(super) fn states(
    v: &mut Validator,
    raw: &RawScenario,
    resolve: &dyn Fn(&str) -> Option<usize>,
) -> (Vec<State>, HashMap<String, usize>) {
    let mut states = Vec::new();
    let mut state_index: HashMap<String, usize> = HashMap::new();
    let one = || Located {
        value: Expr::from_constant(1.0),
        loc: Loc::default(),
    };
    let zero = || Located {
        value: Expr::from_constant(0.0),
        loc: Loc::default(),
    };
    for s in &raw.states {
        let sr = s.get_ref();
        v.identifier(&sr.id, "state");
        if state_index
            .insert(sr.id.get_ref().clone(), states.len())
            .is_some()
        {
            v.err(
                &sr.id.span(),
                format!("state `{}` is defined twice", sr.id.get_ref()),
            );
        }
        let dead = sr.dead.as_ref().is_some_and(|d| *d.get_ref());
        let utility = match (&sr.utility, dead) {
            (Some(u), false) => v.compile(u, resolve).unwrap_or_else(zero),
            (None, false) => {
                v.err(&s.span(), format!("state `{}` needs a `utility` (quality-of-life weight per year, e.g. 0.8 or a parameter name)", sr.id.get_ref()));
                zero()
            }
            (Some(u), true) => {
                v.err(&u.span(), "the dead state has no utility; remove this key");
                zero()
            }
            (None, true) => zero(),
        };
        let mortality_hr = match (&sr.mortality_hr, dead) {
            (Some(h), true) => {
                v.err(
                    &h.span(),
                    "the dead state has no mortality; remove this key",
                );
                one()
            }
            (Some(h), false) => v.compile(h, resolve).unwrap_or_else(one),
            (None, _) => one(),
        };
        states.push(State {
            id: sr.id.get_ref().clone(),
            label: v.bilingual(sr.label.as_ref()),
            dead,
            utility,
            mortality_hr,
        });
    }
    let dead_count = states.iter().filter(|s| s.dead).count();
    if raw.states.is_empty() {
        v.err(
            &raw.scenario.span(),
            "no [[states]]; expected at least one living state and one state with dead = true",
        );
    } else if dead_count != 1 {
        v.err(&raw.states[0].span(), format!("{dead_count} states are marked dead = true; expected exactly one, where background mortality leads"));
    }
    (states, state_index)
}

/// The index of the state named `s`, or an error listing the states.
pub(super) fn state_ref(
    v: &mut Validator,
    states: &[State],
    state_index: &HashMap<String, usize>,
    s: &Spanned<String>,
) -> Option<usize> {
    let r = state_index.get(s.get_ref()).copied();
    if r.is_none() {
        let known: Vec<&str> = states.iter().map(|s| s.id.as_str()).collect();
        v.err(
            &s.span(),
            format!(
                "unknown state `{}`; expected one of {}",
                s.get_ref(),
                known.join(", ")
            ),
        );
    }
    r
}
