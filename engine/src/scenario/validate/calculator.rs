//! `[calculator]`: the parameters behind the in-browser calculator's controls.

use std::collections::HashMap;
use std::ops::Range;

use super::Validator;
use crate::scenario::raw;
use crate::scenario::{Control, ControlKind, Parameter};

/// Reads `[calculator]`: each control names an uncertain or fixed parameter (not a share of a
/// Dirichlet group, which cannot move alone).
pub(super) fn calculator_controls(
    v: &mut Validator,
    c: &raw::RawCalculator,
    param_index: &HashMap<String, usize>,
    params: &[(Parameter, Range<usize>)],
) -> Vec<Control> {
    let named = [
        &c.durability,
        &c.response,
        &c.failure,
        &c.qc_cost,
        &c.post_approval,
    ];
    let mut out = Vec::new();
    for ((_, kind), name) in ControlKind::ALL.iter().zip(named) {
        let Some(name) = name else { continue };
        match param_index.get(name.get_ref()) {
            Some(&i) if params[i].0.dirichlet.is_some() => v.err(
                &name.span(),
                format!(
                    "`{}` is a share of a Dirichlet group and cannot move alone; expected a parameter of its own",
                    name.get_ref()
                ),
            ),
            Some(&i) => {
                let (min, max) = Control::range(&params[i].0);
                out.push(Control {
                    kind: *kind,
                    parameter: i,
                    min,
                    max,
                });
            }
            None => v.err(
                &name.span(),
                format!(
                    "`{}` is not a parameter; expected the name of a [parameters.NAME] entry",
                    name.get_ref()
                ),
            ),
        }
    }
    out
}
