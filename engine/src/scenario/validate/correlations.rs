//! `[[correlations]]`: groups of uncertain parameters drawn through a Gaussian copula, each with
//! its correlation matrix (checked to be a valid one and factorised here).

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use toml::Spanned;

use super::Validator;
use super::meta::check_source;
use crate::distribution::Distribution;
use crate::scenario::raw;
use crate::scenario::{Correlation, Parameter};

/// Reads `[[correlations]]`.
pub(super) fn correlations(
    v: &mut Validator,
    raw_correlations: &[Spanned<raw::RawCorrelation>],
    source_ids: &BTreeSet<String>,
    params: &[(Parameter, Range<usize>)],
    param_index: &HashMap<String, usize>,
) -> Vec<Correlation> {
    let mut correlations = Vec::new();
    let mut correlated = BTreeSet::new();
    for c in raw_correlations {
        let cr = c.get_ref();
        if let Some(s) = &cr.source {
            check_source(v, source_ids, s);
        }
        let mut idx = Vec::new();
        for p in cr.parameters.get_ref() {
            match param_index.get(p.get_ref()) {
                None => v.err(
                    &p.span(),
                    format!("unknown parameter `{}` in a correlation", p.get_ref()),
                ),
                Some(&i) => {
                    let par = &params[i].0;
                    if par.dirichlet.is_some() {
                        v.err(&p.span(), format!("`{}` is a Dirichlet component; components are correlated through their group and cannot join a copula", par.name));
                    } else if matches!(par.distribution, Distribution::Fixed { .. }) {
                        v.err(
                            &p.span(),
                            format!(
                                "`{}` is fixed; only uncertain parameters can be correlated",
                                par.name
                            ),
                        );
                    } else if !correlated.insert(i) {
                        v.err(&p.span(), format!("`{}` appears in more than one correlation group; merge the groups into one matrix", par.name));
                    }
                    idx.push(i);
                }
            }
        }
        let n = cr.parameters.get_ref().len();
        let rows = cr.matrix.get_ref();
        if n < 2 {
            v.err(
                &cr.parameters.span(),
                "a correlation needs at least two parameters",
            );
            continue;
        }
        if rows.len() != n || rows.iter().any(|r| r.get_ref().len() != n) {
            v.err(
                &cr.matrix.span(),
                format!("the matrix must be {n} x {n}, one row and column per parameter"),
            );
            continue;
        }
        let mut ok = true;
        let mut m = nalgebra::DMatrix::<f64>::zeros(n, n);
        for (i, r) in rows.iter().enumerate() {
            for (j, x) in r.get_ref().iter().enumerate() {
                let val = x.get_ref().0;
                m[(i, j)] = val;
                if i == j && val != 1.0 {
                    v.err(
                        &x.span(),
                        format!("diagonal entries of a correlation matrix must be 1, got {val}"),
                    );
                    ok = false;
                } else if !(-1.0..=1.0).contains(&val) {
                    v.err(&x.span(), format!("correlation {val} is outside [-1, 1]"));
                    ok = false;
                }
            }
        }
        for i in 0..n {
            for j in 0..i {
                if m[(i, j)] != m[(j, i)] {
                    let span = rows[i].get_ref()[j].span();
                    v.err(&span, format!("the matrix is not symmetric: row {} column {} is {} but row {} column {} is {}", i + 1, j + 1, m[(i, j)], j + 1, i + 1, m[(j, i)]));
                    ok = false;
                }
            }
        }
        if !ok || idx.len() != n {
            continue;
        }
        match nalgebra::Cholesky::new(m.clone()) {
            Some(ch) => {
                let l = ch.l();
                correlations.push(Correlation {
                    parameters: idx,
                    cholesky: (0..n)
                        .map(|i| (0..n).map(|j| l[(i, j)]).collect())
                        .collect(),
                });
            }
            None => {
                let min_eig = m.symmetric_eigenvalues().min();
                v.err(&cr.matrix.span(), format!("the correlation matrix is not positive definite (smallest eigenvalue {min_eig:.3}); some correlations contradict each other"));
            }
        }
    }
    correlations
}
