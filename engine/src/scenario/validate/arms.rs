//! `[arms.NAME]`: each arm's initial occupancy, transitions and costs; and the intervention and
//! comparator named in `[scenario]`.

use std::collections::{BTreeMap, HashMap};

use toml::Spanned;

use super::Validator;
use super::costs::cost;
use super::states::state_ref;
use super::transitions::transitions;
use crate::scenario::raw;
use crate::scenario::{Arm, Cost, State};

/// Reads `[arms.*]`; every arm starts with the shared costs.
pub(super) fn arms(
    v: &mut Validator,
    raw_arms: &BTreeMap<Spanned<String>, Spanned<raw::RawArm>>,
    shared_costs: &[Cost],
    states: &[State],
    state_index: &HashMap<String, usize>,
    resolve: &dyn Fn(&str) -> Option<usize>,
) -> Vec<Arm> {
    let mut arms = Vec::new();
    for (id, a) in raw_arms {
        v.identifier(id, "arm");
        let ar = a.get_ref();
        let mut initial = Vec::new();
        for (s, e) in ar.initial.get_ref() {
            if let Some(si) = state_ref(v, states, state_index, s) {
                if states[si].dead {
                    v.err(&s.span(), "the cohort cannot start in the dead state");
                }
                if let Some(x) = v.compile(e, resolve) {
                    initial.push((si, x));
                }
            }
        }
        if ar.initial.get_ref().is_empty() {
            v.err(&ar.initial.span(), "initial occupancy is empty; expected shares by state that sum to 1, e.g. { E = \"p_resp\", P = \"1 - p_resp\" }");
        }
        let transitions = transitions(v, ar, states, state_index, resolve);
        let mut costs = shared_costs.to_vec();
        for c in &ar.costs {
            if let Some(c2) = cost(v, c, states, state_index, resolve) {
                if costs.iter().any(|x| x.name == c2.name) {
                    v.err(
                        &c.get_ref().name.span(),
                        format!(
                            "cost `{}` is defined twice for arm `{}`",
                            c2.name,
                            id.get_ref()
                        ),
                    );
                }
                costs.push(c2);
            }
        }
        let one_time_qalys = ar
            .one_time_qalys
            .as_ref()
            .and_then(|q| v.compile(q, resolve));
        arms.push(Arm {
            id: id.get_ref().clone(),
            label: v.bilingual(ar.label.as_ref()),
            initial,
            initial_loc: v.loc(&ar.initial.span()),
            transitions,
            costs,
            one_time_qalys,
        });
    }
    arms
}

/// The index of the arm named `s`, or an error listing the arms (and 0).
fn arm_ref(v: &mut Validator, arms: &[Arm], s: &Spanned<String>) -> usize {
    match arms.iter().position(|a| &a.id == s.get_ref()) {
        Some(i) => i,
        None => {
            let known: Vec<&str> = arms.iter().map(|a| a.id.as_str()).collect();
            v.err(
                &s.span(),
                format!(
                    "unknown arm `{}`; expected one of {}",
                    s.get_ref(),
                    if known.is_empty() {
                        "(no [arms] defined)".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            );
            0
        }
    }
}

/// Finds the intervention and comparator arms named in `[scenario]`.
pub(super) fn intervention_and_comparator(
    v: &mut Validator,
    m: &raw::RawMeta,
    arms: &[Arm],
) -> (usize, usize) {
    let intervention = arm_ref(v, arms, &m.intervention);
    let comparator = arm_ref(v, arms, &m.comparator);
    if intervention == comparator
        && !arms.is_empty()
        && m.intervention.get_ref() == m.comparator.get_ref()
    {
        v.err(
            &m.comparator.span(),
            "the comparator must be a different arm from the intervention",
        );
    }
    (intervention, comparator)
}
