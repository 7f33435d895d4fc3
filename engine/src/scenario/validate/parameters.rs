//! `[parameters.NAME]` (each with its distribution) and `[dirichlet.NAME]` (groups of shares
//! that sum to one), which share one namespace.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use toml::Spanned;

use super::Validator;
use super::meta::check_source;
use crate::distribution::{Dirichlet, Distribution, ParamError};
use crate::scenario::raw::{self, Number, RawScenario};
use crate::scenario::{DirichletGroup, Parameter};

/// Spans of the distribution keys of a parameter, so a [`ParamError`] can point at its field.
fn field_span(p: &raw::RawParameter, field: &str) -> Option<Range<usize>> {
    let n = |x: &Option<Spanned<Number>>| x.as_ref().map(|s| s.span());
    match field {
        "value" => Some(p.value.span()),
        "mean" => n(&p.mean),
        "sd" => n(&p.sd),
        "alpha" => n(&p.alpha),
        "beta" => n(&p.beta),
        "shape" => n(&p.shape),
        "scale" => n(&p.scale),
        "rate" => n(&p.rate),
        "meanlog" => n(&p.meanlog),
        "sdlog" => n(&p.sdlog),
        "min" => n(&p.min),
        "max" => n(&p.max),
        "mode" => n(&p.mode),
        "lower" => n(&p.lower),
        "upper" => n(&p.upper),
        "lambda" => n(&p.lambda),
        "values" => p.values.as_ref().map(|s| s.span()),
        _ => None,
    }
}

const DIST_KINDS: &str = "fixed, normal, truncated_normal, lognormal, beta, gamma, uniform, triangular, pert or empirical";

/// Builds the distribution of one parameter, checking that only keys of its kind are present.
fn distribution(p: &raw::RawParameter) -> Result<Distribution, (Range<usize>, String)> {
    let kind = p.dist.as_ref().map_or("fixed", |d| d.get_ref().as_str());
    let kind_span = p.dist.as_ref().map_or(p.value.span(), |d| d.span());
    let present: Vec<(&str, Range<usize>)> = [
        "mean", "sd", "alpha", "beta", "shape", "scale", "rate", "meanlog", "sdlog", "min", "max",
        "mode", "lower", "upper", "lambda", "values",
    ]
    .into_iter()
    .filter_map(|f| field_span(p, f).map(|s| (f, s)))
    .collect();
    let has = |f: &str| present.iter().any(|(k, _)| *k == f);
    let num = |x: &Option<Spanned<Number>>| x.as_ref().map(|s| s.get_ref().0);
    // The accepted parametrisations of each kind, as sets of keys.
    let forms: &[&[&str]] = match kind {
        "fixed" => &[&[]],
        "normal" => &[&["mean", "sd"]],
        "truncated_normal" => &[
            &["mean", "sd", "lower", "upper"],
            &["mean", "sd", "lower"],
            &["mean", "sd", "upper"],
        ],
        "lognormal" => &[&["meanlog", "sdlog"], &["mean", "sd"]],
        "beta" => &[&["alpha", "beta"], &["mean", "sd"]],
        "gamma" => &[&["shape", "scale"], &["shape", "rate"], &["mean", "sd"]],
        "uniform" => &[&["min", "max"]],
        "triangular" => &[&["min", "mode", "max"]],
        "pert" => &[&["min", "mode", "max"], &["min", "mode", "max", "lambda"]],
        "empirical" => &[&["values"]],
        other => {
            return Err((
                kind_span,
                format!("unknown distribution `{other}`; expected {DIST_KINDS}"),
            ));
        }
    };
    let matches_form = |form: &[&str]| form.len() == present.len() && form.iter().all(|f| has(f));
    if !forms.iter().any(|f| matches_form(f)) {
        let describe = |form: &[&str]| {
            if form.is_empty() {
                "no distribution keys".to_string()
            } else {
                form.join(", ")
            }
        };
        let expected: Vec<String> = forms.iter().map(|f| describe(f)).collect();
        // Point at the first key that belongs to no accepted form, or at `dist`.
        let stray = present
            .iter()
            .find(|(k, _)| !forms.iter().any(|f| f.contains(k)));
        let (span, lead) = match stray {
            Some((k, s)) => (
                s.clone(),
                format!("key `{k}` does not apply to a {kind} distribution"),
            ),
            None => (kind_span, format!("incomplete {kind} distribution")),
        };
        return Err((span, format!("{lead}; expected {}", expected.join(", or "))));
    }
    let v = |x: Option<f64>| x.unwrap_or(f64::NAN);
    let r = match kind {
        "fixed" => Distribution::fixed(p.value.get_ref().0),
        "normal" => Distribution::normal(v(num(&p.mean)), v(num(&p.sd))),
        "truncated_normal" => Distribution::truncated_normal(
            v(num(&p.mean)),
            v(num(&p.sd)),
            num(&p.lower).unwrap_or(f64::NEG_INFINITY),
            num(&p.upper).unwrap_or(f64::INFINITY),
        ),
        "lognormal" if has("mean") => {
            Distribution::lognormal_from_mean_sd(v(num(&p.mean)), v(num(&p.sd)))
        }
        "lognormal" => Distribution::lognormal(v(num(&p.meanlog)), v(num(&p.sdlog))),
        "beta" if has("mean") => Distribution::beta_from_mean_sd(v(num(&p.mean)), v(num(&p.sd))),
        "beta" => Distribution::beta(v(num(&p.alpha)), v(num(&p.beta))),
        "gamma" if has("mean") => Distribution::gamma_from_mean_sd(v(num(&p.mean)), v(num(&p.sd))),
        "gamma" if has("rate") => {
            let rate = v(num(&p.rate));
            if !(rate > 0.0 && rate.is_finite()) {
                return Err((
                    field_span(p, "rate").unwrap_or(kind_span),
                    format!("gamma distribution: rate must be positive, got {rate}"),
                ));
            }
            Distribution::gamma(v(num(&p.shape)), 1.0 / rate)
        }
        "gamma" => Distribution::gamma(v(num(&p.shape)), v(num(&p.scale))),
        "uniform" => Distribution::uniform(v(num(&p.min)), v(num(&p.max))),
        "triangular" => Distribution::triangular(v(num(&p.min)), v(num(&p.mode)), v(num(&p.max))),
        "pert" => Distribution::pert(
            v(num(&p.min)),
            v(num(&p.mode)),
            v(num(&p.max)),
            num(&p.lambda).unwrap_or(4.0),
        ),
        "empirical" => Distribution::empirical(
            p.values
                .as_ref()
                .map(|vs| vs.get_ref().iter().map(|x| x.get_ref().0).collect())
                .unwrap_or_default(),
        ),
        _ => unreachable!("kinds are matched above"),
    };
    r.map_err(|ParamError { field, message }| (field_span(p, field).unwrap_or(kind_span), message))
}

/// The parameters (with the Dirichlet components), each with the span of its name.
type Params = Vec<(Parameter, Range<usize>)>;

/// A Dirichlet group as read: its name, its component names and its distribution (`None` when
/// it is invalid).
type RawGroup = (String, Vec<String>, Option<Dirichlet>);

/// Reads `[parameters.*]` and `[dirichlet.*]`: the parameters (with the Dirichlet components)
/// sorted by name with the span of each name, the index of each name, and the groups.
pub(super) fn parameters(
    v: &mut Validator,
    raw: &RawScenario,
    source_ids: &BTreeSet<String>,
) -> (Params, HashMap<String, usize>, Vec<DirichletGroup>) {
    let mut params = parameter_table(v, raw, source_ids);
    let dirichlet_raw = dirichlet_groups(v, raw, source_ids, &mut params);
    params.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    for w in params.windows(2) {
        if w[0].0.name == w[1].0.name {
            let later = if w[0].1.start > w[1].1.start {
                &w[0].1
            } else {
                &w[1].1
            };
            let msg = format!(
                "`{}` is defined twice (as a parameter or Dirichlet component)",
                w[0].0.name
            );
            v.err(later, msg);
        }
    }
    let param_index: HashMap<String, usize> = params
        .iter()
        .enumerate()
        .map(|(i, (p, _))| (p.name.clone(), i))
        .collect();
    let mut dirichlets = Vec::new();
    for (gi, (name, comps, dist)) in dirichlet_raw.into_iter().enumerate() {
        if let Some(distribution) = dist {
            let components: Vec<usize> = comps
                .iter()
                .filter_map(|c| param_index.get(c).copied())
                .collect();
            for &c in &components {
                params[c].0.dirichlet = Some(gi);
            }
            dirichlets.push(DirichletGroup {
                name,
                components,
                distribution,
            });
        } else {
            dirichlets.push(DirichletGroup {
                name,
                components: Vec::new(),
                distribution: Dirichlet::new(vec![1.0, 1.0]).expect("valid"),
            });
        }
    }
    (params, param_index, dirichlets)
}

/// Reads `[parameters.*]`, in name order.
fn parameter_table(v: &mut Validator, raw: &RawScenario, source_ids: &BTreeSet<String>) -> Params {
    let mut params: Vec<(Parameter, Range<usize>)> = Vec::new();
    for (name, p) in &raw.parameters {
        v.identifier(name, "parameter");
        let pr = p.get_ref();
        check_source(v, source_ids, &pr.source);
        let base = pr.value.get_ref().0;
        let dist = match distribution(pr) {
            Ok(d) => {
                let (lo, hi) = d.support();
                if !base.is_finite() {
                    v.err(
                        &pr.value.span(),
                        format!("value {base} is not a finite number"),
                    );
                } else if base < lo || base > hi {
                    v.err(
                        &pr.value.span(),
                        format!("base-case value {base} lies outside the distribution's range [{lo}, {hi}]"),
                    );
                }
                d
            }
            Err((span, msg)) => {
                v.err(&span, msg);
                Distribution::Fixed { value: base }
            }
        };
        params.push((
            Parameter {
                name: name.get_ref().clone(),
                base,
                distribution: dist,
                source: pr.source.get_ref().clone(),
                label: v.bilingual(pr.label.as_ref()),
                unit: v.text(pr.unit.as_ref()),
                note: v.text(pr.note.as_ref()),
                dirichlet: None,
                loc: v.loc(&name.span()),
            },
            name.span(),
        ));
    }
    params
}

/// Reads `[dirichlet.*]`, adding each group's components to `params`.
fn dirichlet_groups(
    v: &mut Validator,
    raw: &RawScenario,
    source_ids: &BTreeSet<String>,
    params: &mut Params,
) -> Vec<RawGroup> {
    let mut dirichlet_raw = Vec::new();
    for (gi, (name, g)) in raw.dirichlet.iter().enumerate() {
        v.identifier(name, "Dirichlet group");
        let gr = g.get_ref();
        check_source(v, source_ids, &gr.source);
        let comps = gr.components.get_ref();
        let values: Vec<f64> = gr.value.get_ref().iter().map(|x| x.get_ref().0).collect();
        if comps.len() != values.len() {
            v.err(
                &gr.value.span(),
                format!(
                    "{} values for {} components; expected one base-case share per component",
                    values.len(),
                    comps.len()
                ),
            );
            continue;
        }
        let sum: f64 = values.iter().sum();
        if (sum - 1.0).abs() > 1e-9 || values.iter().any(|x| x.is_nan() || *x < 0.0) {
            v.err(
                &gr.value.span(),
                format!("base-case shares must be non-negative and sum to 1, got a sum of {sum}"),
            );
        }
        let dist = match (&gr.alpha, &gr.concentration) {
            (Some(a), None) => {
                let alpha: Vec<f64> = a.get_ref().iter().map(|x| x.get_ref().0).collect();
                if alpha.len() != comps.len() {
                    v.err(
                        &a.span(),
                        format!(
                            "{} alpha values for {} components",
                            alpha.len(),
                            comps.len()
                        ),
                    );
                    None
                } else {
                    Dirichlet::new(alpha)
                        .map_err(|e| v.err(&a.span(), e.message.clone()))
                        .ok()
                }
            }
            (None, Some(c)) => Dirichlet::from_mean_and_concentration(&values, c.get_ref().0)
                .map_err(|e| v.err(&c.span(), e.message.clone()))
                .ok(),
            _ => {
                v.err(&g.span(), "a Dirichlet group needs either `alpha` (one per component) or `concentration` (the sum of alphas, with the base-case shares as means)");
                None
            }
        };
        let note = v.text(gr.note.as_ref());
        for (c, val) in comps.iter().zip(&values) {
            if v.identifier(c, "Dirichlet component") {
                params.push((
                    Parameter {
                        name: c.get_ref().clone(),
                        base: *val,
                        distribution: Distribution::Fixed { value: *val },
                        source: gr.source.get_ref().clone(),
                        label: v.bilingual(gr.label.as_ref()),
                        unit: None,
                        note: note.clone(),
                        dirichlet: Some(gi),
                        loc: v.loc(&c.span()),
                    },
                    c.span(),
                ));
            }
        }
        dirichlet_raw.push((
            name.get_ref().clone(),
            comps
                .iter()
                .map(|c| c.get_ref().clone())
                .collect::<Vec<_>>(),
            dist,
        ));
    }
    dirichlet_raw
}
