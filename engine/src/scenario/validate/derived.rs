//! `[derived]`: quantities computed from parameters (and from each other), put in evaluation
//! order after the parameters' slots.

use std::collections::{BTreeMap, HashMap};

use toml::Spanned;

use super::Validator;
use crate::expr::Expr;
use crate::scenario::Derived;
use crate::scenario::raw::ExprSource;

/// Topological order of derived quantities; on a cycle, returns the names along it.
fn derived_order(deps: &[Vec<usize>]) -> Result<Vec<usize>, Vec<usize>> {
    // 0 = unvisited, 1 = on the stack, 2 = done.
    fn visit(
        i: usize,
        deps: &[Vec<usize>],
        mark: &mut [u8],
        order: &mut Vec<usize>,
        stack: &mut Vec<usize>,
    ) -> Result<(), Vec<usize>> {
        match mark[i] {
            2 => return Ok(()),
            1 => {
                let from = stack.iter().position(|&s| s == i).unwrap_or(0);
                let mut cycle = stack[from..].to_vec();
                cycle.push(i);
                return Err(cycle);
            }
            _ => {}
        }
        mark[i] = 1;
        stack.push(i);
        for &d in &deps[i] {
            visit(d, deps, mark, order, stack)?;
        }
        stack.pop();
        mark[i] = 2;
        order.push(i);
        Ok(())
    }
    let mut mark = vec![0u8; deps.len()];
    let mut order = Vec::with_capacity(deps.len());
    for i in 0..deps.len() {
        visit(i, deps, &mut mark, &mut order, &mut Vec::new())?;
    }
    Ok(order)
}

/// Reads `[derived]`: the quantities in evaluation order, and the slot of each name (after the
/// `np` parameters).
pub(super) fn derived<'r>(
    v: &mut Validator,
    raw_derived: &'r BTreeMap<Spanned<String>, Spanned<ExprSource>>,
    param_index: &HashMap<String, usize>,
    np: usize,
) -> (Vec<Derived>, HashMap<&'r str, usize>) {
    let derived_raw: Vec<(&Spanned<String>, &Spanned<ExprSource>)> = raw_derived.iter().collect();
    let derived_index: HashMap<&str, usize> = derived_raw
        .iter()
        .enumerate()
        .map(|(i, (n, _))| (n.get_ref().as_str(), i))
        .collect();
    let mut asts = Vec::new();
    let mut deps = Vec::new();
    for (name, e) in &derived_raw {
        v.identifier(name, "derived quantity");
        if param_index.contains_key(name.get_ref()) {
            v.err(
                &name.span(),
                format!(
                    "`{}` is both a parameter and a derived quantity",
                    name.get_ref()
                ),
            );
        }
        let parsed = v.parse_expr(e);
        let d: Vec<usize> = parsed
            .as_ref()
            .map(|(a, _)| {
                a.identifiers()
                    .iter()
                    .filter_map(|(id, _)| derived_index.get(id).copied())
                    .collect()
            })
            .unwrap_or_default();
        deps.push(d);
        asts.push(parsed);
    }
    let order = match derived_order(&deps) {
        Ok(o) => o,
        Err(cycle) => {
            let names: Vec<&str> = cycle
                .iter()
                .map(|&i| derived_raw[i].0.get_ref().as_str())
                .collect();
            v.err(&derived_raw[cycle[0]].0.span(), format!("derived quantities refer to each other in a circle: {}; expected each to use only parameters and other derived quantities", names.join(" -> ")));
            (0..derived_raw.len()).collect()
        }
    };
    let slot_of_derived: HashMap<&str, usize> = order
        .iter()
        .enumerate()
        .map(|(pos, &i)| (derived_raw[i].0.get_ref().as_str(), np + pos))
        .collect();
    let resolve = |name: &str| {
        param_index
            .get(name)
            .copied()
            .or_else(|| slot_of_derived.get(name).copied())
    };
    let mut derived = Vec::new();
    for &i in &order {
        let (name, e) = derived_raw[i];
        let text = match e.get_ref() {
            ExprSource::Number(x) => format!("{x}"),
            ExprSource::Text(t) => t.clone(),
        };
        let expr = if asts[i].is_some() {
            v.compile(e, &resolve).map(|l| l.value)
        } else {
            None
        };
        derived.push(Derived {
            name: name.get_ref().clone(),
            text,
            expr: expr.unwrap_or_else(|| Expr::from_constant(f64::NAN)),
        });
    }
    (derived, slot_of_derived)
}
