//! `[[arms.NAME.transitions]]`: moves between states, each with one law (a probability, a rate
//! or a parametric survival law) and an optional hazard ratio or cure fraction.

use std::collections::HashMap;

use toml::Spanned;

use super::Validator;
use super::states::state_ref;
use crate::scenario::raw::{self, ExprSource};
use crate::scenario::{State, Transition, TransitionLaw};

/// Reads the transitions of one arm.
pub(super) fn transitions(
    v: &mut Validator,
    ar: &raw::RawArm,
    states: &[State],
    state_index: &HashMap<String, usize>,
    resolve: &dyn Fn(&str) -> Option<usize>,
) -> Vec<Transition> {
    let mut transitions = Vec::new();
    for t in &ar.transitions {
        let tr = t.get_ref();
        let (Some(from), Some(to)) = (
            state_ref(v, states, state_index, &tr.from),
            state_ref(v, states, state_index, &tr.to),
        ) else {
            continue;
        };
        if states[from].dead {
            v.err(&tr.from.span(), "no transition can leave the dead state");
            continue;
        }
        if from == to {
            v.err(
                &tr.to.span(),
                "a transition must lead to another state; staying is what remains",
            );
            continue;
        }
        if transitions
            .iter()
            .any(|x: &Transition| x.from == from && x.to == to)
        {
            v.err(
                &t.span(),
                format!(
                    "a second transition from `{}` to `{}`; combine them into one",
                    tr.from.get_ref(),
                    tr.to.get_ref()
                ),
            );
            continue;
        }
        if let Some(law) = transition_law(v, t, resolve) {
            let hazard_ratio = tr.hazard_ratio.as_ref().and_then(|h| v.compile(h, resolve));
            let cure_fraction = tr
                .cure_fraction
                .as_ref()
                .and_then(|c| v.compile(c, resolve));
            if cure_fraction.is_some() && !law.is_time_dependent() {
                v.err(&tr.cure_fraction.as_ref().expect("present").span(), "cure_fraction needs a parametric survival law (exponential, weibull, gompertz, loglogistic or lognormal)");
            }
            if hazard_ratio.is_some()
                && matches!(
                    law,
                    TransitionLaw::CycleProbability(_) | TransitionLaw::AnnualProbability(_)
                )
            {
                v.err(&tr.hazard_ratio.as_ref().expect("present").span(), "hazard_ratio applies to rates and survival laws; multiply the probability's odds or hazard instead");
            }
            transitions.push(Transition {
                from,
                to,
                law,
                hazard_ratio,
                cure_fraction,
                loc: v.loc(&t.span()),
            });
        }
    }
    transitions
}

/// The law of one transition; `None` when it is invalid.
fn transition_law(
    v: &mut Validator,
    t: &Spanned<raw::RawTransition>,
    resolve: &dyn Fn(&str) -> Option<usize>,
) -> Option<TransitionLaw> {
    let tr = t.get_ref();
    let mut given: Vec<&str> = Vec::new();
    for (present, key) in [
        (tr.probability.is_some(), "probability"),
        (tr.annual_probability.is_some(), "annual_probability"),
        (tr.rate.is_some(), "rate"),
        (tr.exponential.is_some(), "exponential"),
        (tr.weibull.is_some(), "weibull"),
        (tr.gompertz.is_some(), "gompertz"),
        (tr.loglogistic.is_some(), "loglogistic"),
        (tr.lognormal.is_some(), "lognormal"),
    ] {
        if present {
            given.push(key);
        }
    }
    if given.len() != 1 {
        v.err(&t.span(), format!(
            "a transition needs exactly one of probability, annual_probability, rate, exponential, weibull, gompertz, loglogistic or lognormal; found {}",
            if given.is_empty() { "none".to_string() } else { given.join(", ") }
        ));
        return None;
    }
    if let Some(p) = &tr.probability {
        return Some(TransitionLaw::CycleProbability(v.compile(p, resolve)?));
    }
    if let Some(p) = &tr.annual_probability {
        return Some(TransitionLaw::AnnualProbability(v.compile(p, resolve)?));
    }
    if let Some(r) = &tr.rate {
        return Some(TransitionLaw::Rate(v.compile(r, resolve)?));
    }
    let (name, params, keys): (&str, &Spanned<raw::RawLawParams>, &[&str]) =
        if let Some(p) = &tr.exponential {
            ("exponential", p, &["rate"])
        } else if let Some(p) = &tr.weibull {
            ("weibull", p, &["shape", "scale"])
        } else if let Some(p) = &tr.gompertz {
            ("gompertz", p, &["shape", "rate"])
        } else if let Some(p) = &tr.loglogistic {
            ("loglogistic", p, &["shape", "scale"])
        } else {
            (
                "lognormal",
                tr.lognormal.as_ref().expect("one law is given"),
                &["meanlog", "sdlog"],
            )
        };
    let pr = params.get_ref();
    let all = [
        ("rate", &pr.rate),
        ("shape", &pr.shape),
        ("scale", &pr.scale),
        ("meanlog", &pr.meanlog),
        ("sdlog", &pr.sdlog),
    ];
    let mut ok = true;
    for (k, val) in all {
        if val.is_some() && !keys.contains(&k) {
            v.err(
                &val.as_ref().expect("present").span(),
                format!(
                    "`{k}` does not apply to a {name} law; expected {}",
                    keys.join(" and ")
                ),
            );
            ok = false;
        }
        if val.is_none() && keys.contains(&k) {
            v.err(
                &params.span(),
                format!("{name} law needs `{k}`; expected {}", keys.join(" and ")),
            );
            ok = false;
        }
    }
    if !ok {
        return None;
    }
    let mut get =
        |x: &Option<Spanned<ExprSource>>| v.compile(x.as_ref().expect("checked above"), resolve);
    Some(match name {
        "exponential" => TransitionLaw::Exponential {
            rate: get(&pr.rate)?,
        },
        "weibull" => TransitionLaw::Weibull {
            shape: get(&pr.shape)?,
            scale: get(&pr.scale)?,
        },
        "gompertz" => TransitionLaw::Gompertz {
            shape: get(&pr.shape)?,
            rate: get(&pr.rate)?,
        },
        "loglogistic" => TransitionLaw::LogLogistic {
            shape: get(&pr.shape)?,
            scale: get(&pr.scale)?,
        },
        _ => TransitionLaw::LogNormal {
            meanlog: get(&pr.meanlog)?,
            sdlog: get(&pr.sdlog)?,
        },
    })
}
