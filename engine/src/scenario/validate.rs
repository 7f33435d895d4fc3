//! From the file as written to a validated [`Scenario`]: every key, value and reference is
//! checked here, and every problem is recorded with its location so the analyst sees them all at
//! once rather than one per run.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use toml::Spanned;

use super::budget::BudgetSpec;
use super::payments::{PaymentSpec, PriceBasis, Scheme};
use super::pricing::{ComparableSpec, Method, PricingSpec};
use super::raw::{self, ExprSource, Number, RawScenario};
use super::supply::{Levers, OosPolicy, SupplySpec};
use super::*;
use crate::distribution::{Dirichlet, Distribution, ParamError};
use crate::expr::{Ast, Expr, RESERVED};
use crate::official::Route;

struct Validator<'a> {
    src: SourceText<'a>,
    errors: Vec<ScenarioError>,
}

impl<'a> Validator<'a> {
    fn err(&mut self, span: &Range<usize>, message: impl Into<String>) {
        let e = self.src.error(span, message);
        self.errors.push(e);
    }

    fn loc(&self, span: &Range<usize>) -> Loc {
        let (line, column) = self.src.line_col(span.start);
        Loc { line, column }
    }

    /// Byte offset of the first character inside a string value, when the string is written
    /// without escapes, so that expression errors can point at the exact character.
    fn string_content_start(&self, span: &Range<usize>, content: &str) -> Option<usize> {
        let raw = self.src.text.get(span.clone())?;
        for q in ["\"\"\"", "'''", "\"", "'"] {
            if let Some(rest) = raw.strip_prefix(q) {
                if rest.strip_suffix(q) == Some(content) {
                    return Some(span.start + q.len());
                }
            }
        }
        None
    }

    fn bilingual(&mut self, b: Option<&Spanned<raw::Bilingual>>) -> Bilingual {
        match b {
            None => Bilingual::default(),
            Some(b) => {
                let v = b.get_ref();
                if v.ja.is_none() && v.en.is_none() {
                    self.err(&b.span(), "empty text; expected `ja` and/or `en`");
                }
                let ja =
                    v.ja.as_ref()
                        .map(|s| s.get_ref().clone())
                        .unwrap_or_default();
                let en =
                    v.en.as_ref()
                        .map(|s| s.get_ref().clone())
                        .unwrap_or_default();
                Bilingual { ja, en }
            }
        }
    }

    fn identifier(&mut self, name: &Spanned<String>, what: &str) -> bool {
        let n = name.get_ref();
        let mut chars = n.chars();
        let ok = matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok {
            self.err(
                &name.span(),
                format!(
                    "{what} name `{n}` is not a valid name; expected letters, digits and `_`, starting with a letter or `_`"
                ),
            );
            return false;
        }
        if RESERVED.contains(&n.as_str()) {
            self.err(
                &name.span(),
                format!("{what} name `{n}` is reserved in expressions; choose another name"),
            );
            return false;
        }
        true
    }

    /// Parses an expression (a number or a string), without resolving names.
    fn parse_expr(&mut self, s: &Spanned<ExprSource>) -> Option<(Ast, usize)> {
        match s.get_ref() {
            ExprSource::Number(v) => {
                if !v.is_finite() {
                    self.err(&s.span(), format!("{v} is not a finite number"));
                    return None;
                }
                Some((Ast::parse(&format!("{v:?}")).ok()?, s.span().start))
            }
            ExprSource::Text(t) => {
                let start = self.string_content_start(&s.span(), t);
                match Ast::parse(t) {
                    Ok(ast) => Some((ast, start.unwrap_or(s.span().start))),
                    Err(e) => {
                        let at = start.map_or(s.span().start, |st| st + e.offset);
                        self.errors.push(
                            self.src
                                .error_at(at, format!("in expression: {}", e.message)),
                        );
                        None
                    }
                }
            }
        }
    }

    fn compile(
        &mut self,
        s: &Spanned<ExprSource>,
        resolve: &dyn Fn(&str) -> Option<usize>,
    ) -> Option<Located<Expr>> {
        let (ast, base) = self.parse_expr(s)?;
        let located = matches!(s.get_ref(), ExprSource::Text(t) if self.string_content_start(&s.span(), t).is_some());
        match ast.compile(resolve) {
            Ok(expr) => Some(Located {
                value: expr,
                loc: self.loc(&s.span()),
            }),
            Err(e) => {
                let at = if located { base + e.offset } else { base };
                self.errors.push(
                    self.src
                        .error_at(at, format!("in expression: {}", e.message)),
                );
                None
            }
        }
    }

    fn number(
        &mut self,
        n: &Spanned<Number>,
        what: &str,
        check: impl Fn(f64) -> Result<(), String>,
    ) -> Option<f64> {
        let v = n.get_ref().0;
        if !v.is_finite() {
            self.err(&n.span(), format!("{what}: {v} is not a finite number"));
            return None;
        }
        match check(v) {
            Ok(()) => Some(v),
            Err(m) => {
                self.err(&n.span(), format!("{what}: {m}"));
                None
            }
        }
    }
}

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

pub(super) fn validate(
    file: &str,
    text: &str,
    read: &dyn Fn(&str) -> Result<String, String>,
) -> Result<Scenario, ScenarioErrors> {
    let src = SourceText::new(file, text);
    let raw: RawScenario = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let at = e.span().map_or(0, |s| s.start);
            let msg = e.message().trim().replace('\n', "; ");
            return Err(src.error_at(at, msg).into());
        }
    };
    let mut v = Validator {
        src,
        errors: Vec::new(),
    };
    let mut hashed: Vec<Vec<u8>> = vec![text.as_bytes().to_vec()];

    // ---- metadata and sources ------------------------------------------------------------
    let m = raw.scenario.get_ref();
    // The id names files and web pages, so it is a lower-case slug rather than an identifier.
    let id = m.id.get_ref();
    let slug = id
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !slug {
        v.err(&m.id.span(), format!("scenario id `{id}` is not a valid id; expected lower-case letters, digits, `-` and `_`, e.g. \"car-t-lbcl\""));
    }
    let title = v.bilingual(Some(&m.title));
    let summary = v.bilingual(m.summary.as_ref());
    let question = v.bilingual(m.question.as_ref());
    let product_type = match ProductType::ALL
        .iter()
        .find(|(s, _)| *s == m.product_type.get_ref())
    {
        Some((_, t)) => *t,
        None => {
            let names: Vec<&str> = ProductType::ALL.iter().map(|(s, _)| *s).collect();
            v.err(
                &m.product_type.span(),
                format!(
                    "unknown product type `{}`; expected one of {}",
                    m.product_type.get_ref(),
                    names.join(", ")
                ),
            );
            ProductType::AutologousCell
        }
    };
    let mut sources = Vec::new();
    let mut source_ids = BTreeSet::new();
    for s in &raw.sources {
        let s = s.get_ref();
        if !source_ids.insert(s.id.get_ref().clone()) {
            v.err(
                &s.id.span(),
                format!("source `{}` is defined twice", s.id.get_ref()),
            );
        }
        sources.push(Source {
            id: s.id.get_ref().clone(),
            citation: s.citation.get_ref().clone(),
            url: s.url.as_ref().map(|u| u.get_ref().clone()),
            date: s.date.as_ref().map(|d| d.get_ref().to_string()),
        });
    }
    let check_source = |v: &mut Validator, s: &Spanned<String>| {
        if !source_ids.contains(s.get_ref()) {
            let known: Vec<&str> = source_ids.iter().map(String::as_str).collect();
            v.err(
                &s.span(),
                format!(
                    "unknown source `{}`; expected the id of a [[sources]] entry ({})",
                    s.get_ref(),
                    if known.is_empty() {
                        "none defined".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            );
        }
    };

    // ---- settings ------------------------------------------------------------------------
    let default_settings = raw::RawSettings::default();
    let rs = raw
        .settings
        .as_ref()
        .map_or(&default_settings, |s| s.get_ref());
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
    let discount_rate_costs = rate(&mut v, &rs.discount_rate_costs, "discount_rate_costs");
    let discount_rate_outcomes = rate(&mut v, &rs.discount_rate_outcomes, "discount_rate_outcomes");
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
    let settings = Settings {
        currency,
        discount_rate_costs,
        discount_rate_outcomes,
        cycles_per_year,
        horizon_years,
        start_age,
        within_cycle_correction,
        wtp,
    };

    // ---- background mortality ----------------------------------------------------------------
    let (mortality, mortality_source) = match &raw.mortality {
        None => {
            v.err(&raw.scenario.span(), "missing [mortality] table; expected background mortality (kind = \"gompertz\" or \"life_table\")");
            (Mortality::Gompertz { a: 0.0, b: 0.0 }, String::new())
        }
        Some(ms) => {
            let mr = ms.get_ref();
            check_source(&mut v, &mr.source);
            let mortality = match mr.kind.get_ref().as_str() {
                "gompertz" => {
                    let get = |v: &mut Validator, x: &Option<Spanned<Number>>, key: &str| match x {
                        Some(n) => v.number(n, key, |x| {
                            if x > 0.0 {
                                Ok(())
                            } else {
                                Err(format!("must be positive, got {x}"))
                            }
                        }),
                        None => {
                            v.err(&ms.span(), format!("gompertz mortality needs `{key}` (hazard a * exp(b * age) per year)"));
                            None
                        }
                    };
                    let a = get(&mut v, &mr.a, "a").unwrap_or(0.0);
                    let b = get(&mut v, &mr.b, "b").unwrap_or(0.0);
                    Mortality::Gompertz { a, b }
                }
                "life_table" => life_table(&mut v, ms, read, &mut hashed, start_age),
                other => {
                    v.err(
                        &mr.kind.span(),
                        format!(
                            "unknown mortality kind `{other}`; expected gompertz or life_table"
                        ),
                    );
                    Mortality::Gompertz { a: 0.0, b: 0.0 }
                }
            };
            (mortality, mr.source.get_ref().clone())
        }
    };

    // ---- parameters, Dirichlet groups --------------------------------------------------------
    let mut params: Vec<(Parameter, Range<usize>)> = Vec::new();
    for (name, p) in &raw.parameters {
        v.identifier(name, "parameter");
        let pr = p.get_ref();
        check_source(&mut v, &pr.source);
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
                unit: pr.unit.as_ref().map(|u| u.get_ref().clone()),
                note: pr.note.as_ref().map(|n| n.get_ref().clone()),
                dirichlet: None,
                loc: v.loc(&name.span()),
            },
            name.span(),
        ));
    }
    let mut dirichlet_raw = Vec::new();
    for (gi, (name, g)) in raw.dirichlet.iter().enumerate() {
        v.identifier(name, "Dirichlet group");
        let gr = g.get_ref();
        check_source(&mut v, &gr.source);
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
                        note: gr.note.as_ref().map(|n| n.get_ref().clone()),
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

    // ---- correlations --------------------------------------------------------------------
    let mut correlations = Vec::new();
    let mut correlated = BTreeSet::new();
    for c in &raw.correlations {
        let cr = c.get_ref();
        if let Some(s) = &cr.source {
            check_source(&mut v, s);
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

    // ---- derived quantities --------------------------------------------------------------------
    let np = params.len();
    let derived_raw: Vec<(&Spanned<String>, &Spanned<ExprSource>)> = raw.derived.iter().collect();
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

    // ---- states ----------------------------------------------------------------------------------
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
            (Some(u), false) => v.compile(u, &resolve).unwrap_or_else(zero),
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
            (Some(h), false) => v.compile(h, &resolve).unwrap_or_else(one),
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
    let state_ref = |v: &mut Validator, s: &Spanned<String>| -> Option<usize> {
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
    };

    // ---- costs and arms ----------------------------------------------------------------------------
    let cost = |v: &mut Validator, c: &Spanned<raw::RawCost>| -> Option<Cost> {
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
                    .filter_map(|s| state_ref(v, s))
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
                amount: v.compile(amount, &resolve)?,
                per_year,
                from_year,
                until_year,
            }
        } else if let Some(amount) = &cr.once {
            stray(v, &[states_key, amount_key, window_key], "once");
            CostKind::Once {
                amount: v.compile(amount, &resolve)?,
            }
        } else {
            let entry = cr.on_entry.as_ref().expect("one kind is given");
            stray(v, &[states_key, window_key], "on_entry");
            let state = state_ref(v, entry)?;
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
                amount: v.compile(amount, &resolve)?,
            }
        };
        Some(Cost {
            name: cr.name.get_ref().clone(),
            label,
            category,
            kind,
        })
    };
    let shared_costs: Vec<Cost> = raw.costs.iter().filter_map(|c| cost(&mut v, c)).collect();

    let mut arms = Vec::new();
    for (id, a) in &raw.arms {
        v.identifier(id, "arm");
        let ar = a.get_ref();
        let mut initial = Vec::new();
        for (s, e) in ar.initial.get_ref() {
            if let Some(si) = state_ref(&mut v, s) {
                if states[si].dead {
                    v.err(&s.span(), "the cohort cannot start in the dead state");
                }
                if let Some(x) = v.compile(e, &resolve) {
                    initial.push((si, x));
                }
            }
        }
        if ar.initial.get_ref().is_empty() {
            v.err(&ar.initial.span(), "initial occupancy is empty; expected shares by state that sum to 1, e.g. { E = \"p_resp\", P = \"1 - p_resp\" }");
        }
        let mut transitions = Vec::new();
        for t in &ar.transitions {
            let tr = t.get_ref();
            let (Some(from), Some(to)) = (state_ref(&mut v, &tr.from), state_ref(&mut v, &tr.to))
            else {
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
            if let Some(law) = transition_law(&mut v, t, &resolve) {
                let hazard_ratio = tr
                    .hazard_ratio
                    .as_ref()
                    .and_then(|h| v.compile(h, &resolve));
                let cure_fraction = tr
                    .cure_fraction
                    .as_ref()
                    .and_then(|c| v.compile(c, &resolve));
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
        let mut costs = shared_costs.clone();
        for c in &ar.costs {
            if let Some(c2) = cost(&mut v, c) {
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
            .and_then(|q| v.compile(q, &resolve));
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
    let arm_ref = |v: &mut Validator, s: &Spanned<String>| -> usize {
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
    };
    let intervention = arm_ref(&mut v, &m.intervention);
    let comparator = arm_ref(&mut v, &m.comparator);
    if intervention == comparator
        && !arms.is_empty()
        && m.intervention.get_ref() == m.comparator.get_ref()
    {
        v.err(
            &m.comparator.span(),
            "the comparator must be a different arm from the intervention",
        );
    }

    // ---- supply and levers -------------------------------------------------------------------
    let supply = raw
        .supply
        .as_ref()
        .map(|sp| supply_spec(&mut v, sp.get_ref(), raw.levers.as_ref(), &resolve));
    let pricing = match &raw.pricing {
        Some(p) => pricing_spec(&mut v, p.get_ref()),
        None => PricingSpec::defaults(),
    };
    let payments = if raw.payments.is_some() || raw.budget.is_some() {
        let alive: Vec<usize> = (0..states.len()).filter(|&k| !states[k].dead).collect();
        let mut spec = PaymentSpec::defaults(alive);
        if let Some(p) = &raw.payments {
            let has = (raw.supply.is_some(), pricing.comparable.is_some());
            payments_spec(&mut v, p.get_ref(), &mut spec, &state_index, &states, has);
        }
        if spec.trace_years() > settings.horizon_years as usize {
            let at = raw.payments.as_ref().map_or(0..0, |p| p.span());
            v.err(
                &at,
                format!(
                    "the payment schemes look {} years ahead, beyond the horizon of {} years",
                    spec.trace_years(),
                    settings.horizon_years
                ),
            );
        }
        Some(spec)
    } else {
        None
    };
    let budget = raw
        .budget
        .as_ref()
        .and_then(|b| budget_spec(&mut v, b.get_ref(), &resolve));
    let variants = variants(
        &mut v,
        &raw.variants,
        &param_index,
        &resolve,
        &settings,
        supply.as_ref().map(|s| s.levers),
    );
    if let (None, Some(l)) = (&raw.supply, &raw.levers) {
        v.err(
            &l.span(),
            "[levers] switch parts of the [supply] block, which this scenario does not have",
        );
    }

    let controls = raw
        .calculator
        .as_ref()
        .map(|c| calculator_controls(&mut v, c.get_ref(), &param_index, &params))
        .unwrap_or_default();

    if !v.errors.is_empty() {
        let mut errors = v.errors;
        errors.sort_by_key(|e| (e.line, e.column));
        errors.dedup();
        return Err(ScenarioErrors(errors));
    }
    let parts: Vec<&[u8]> = hashed.iter().map(Vec::as_slice).collect();
    Ok(Scenario {
        file: file.to_string(),
        hash: content_hash(&parts),
        meta: Meta {
            id: m.id.get_ref().clone(),
            title,
            summary,
            question,
            product_type,
        },
        sources,
        settings,
        mortality,
        mortality_source,
        parameters: params.into_iter().map(|(p, _)| p).collect(),
        dirichlets,
        correlations,
        derived,
        states,
        arms,
        intervention,
        comparator,
        supply,
        pricing,
        payments,
        budget,
        variants,
        controls,
        held: Vec::new(),
    })
}

/// Reads `[calculator]`: each control names an uncertain or fixed parameter (not a share of a
/// Dirichlet group, which cannot move alone).
fn calculator_controls(
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

/// Reads `[[variants]]`.
fn variants(
    v: &mut Validator,
    raw: &[Spanned<raw::RawVariant>],
    param_index: &HashMap<String, usize>,
    resolve: &dyn Fn(&str) -> Option<usize>,
    settings: &Settings,
    levers: Option<Levers>,
) -> Vec<Variant> {
    let mut out: Vec<Variant> = Vec::new();
    for rv in raw {
        let span = rv.span();
        let r = rv.get_ref();
        v.identifier(&r.id, "variant");
        if out.iter().any(|o| &o.id == r.id.get_ref()) {
            v.err(
                &r.id.span(),
                format!("variant `{}` is defined twice", r.id.get_ref()),
            );
        }
        let role = match VariantRole::NAMES
            .iter()
            .find(|(n, _)| n == r.role.get_ref())
        {
            Some(&(_, role)) => role,
            None => {
                let known: Vec<&str> = VariantRole::NAMES.iter().map(|n| n.0).collect();
                v.err(
                    &r.role.span(),
                    format!(
                        "unknown role `{}`; expected one of {}",
                        r.role.get_ref(),
                        known.join(", ")
                    ),
                );
                continue;
            }
        };
        let share = match (&r.share, role) {
            (Some(s), VariantRole::Population) => v.number(s, "share", |x| {
                if x > 0.0 && x <= 1.0 {
                    Ok(())
                } else {
                    Err("expected a share of patients above 0 and at most 1".into())
                }
            }),
            (None, VariantRole::Population) => {
                v.err(
                    &span,
                    "a population variant needs `share`, its share of patients",
                );
                None
            }
            (Some(s), _) => {
                v.err(&s.span(), "only population variants have a share");
                None
            }
            (None, _) => None,
        };
        if r.set.is_empty() && r.settings.is_none() && r.levers.is_none() {
            v.err(
                &span,
                "a variant needs `set` (parameters), `settings` (discount rates) or `levers`",
            );
        }
        let variant_settings = r.settings.as_ref().map(|rs| {
            let rs = rs.get_ref();
            let mut s = settings.clone();
            let rate = |x: f64| {
                if (0.0..=0.2).contains(&x) {
                    Ok(())
                } else {
                    Err("expected a yearly rate from 0 to 0.2".to_string())
                }
            };
            if let Some(n) = &rs.discount_rate_costs {
                if let Some(x) = v.number(n, "discount_rate_costs", rate) {
                    s.discount_rate_costs = x;
                }
            }
            if let Some(n) = &rs.discount_rate_outcomes {
                if let Some(x) = v.number(n, "discount_rate_outcomes", rate) {
                    s.discount_rate_outcomes = x;
                }
            }
            s
        });
        let variant_levers = match (&r.levers, levers) {
            (None, _) => None,
            (Some(l), None) => {
                v.err(
                    &l.span(),
                    "levers switch parts of the [supply] block, which this scenario does not have",
                );
                None
            }
            (Some(l), Some(mut lv)) => {
                for lever in &super::supply::LEVERS {
                    if let Some(b) = (lever.raw)(l.get_ref()) {
                        (lever.set)(&mut lv, *b.get_ref());
                    }
                }
                Some(lv)
            }
        };
        let mut set = Vec::new();
        let mut set_text = Vec::new();
        for (name, e) in &r.set {
            set_text.push((
                name.get_ref().clone(),
                match e.get_ref() {
                    ExprSource::Number(x) => format!("{x}"),
                    ExprSource::Text(t) => t.clone(),
                },
            ));
            match param_index.get(name.get_ref()) {
                Some(&slot) => set.extend(v.compile(e, resolve).map(|e| (slot, e))),
                None => v.err(
                    &name.span(),
                    format!(
                        "`{}` is not a parameter; a variant sets parameters (not derived quantities)",
                        name.get_ref()
                    ),
                ),
            }
        }
        // Settings and levers join the written changes, so that a report says what every
        // variant changes, not only its parameters.
        if let Some(s) = &variant_settings {
            for (name, x, was) in [
                (
                    "discount_rate_costs",
                    s.discount_rate_costs,
                    settings.discount_rate_costs,
                ),
                (
                    "discount_rate_outcomes",
                    s.discount_rate_outcomes,
                    settings.discount_rate_outcomes,
                ),
            ] {
                if x != was {
                    set_text.push((format!("settings.{name}"), format!("{x}")));
                }
            }
        }
        if let (Some(l), Some(was)) = (variant_levers, levers) {
            for (name, x) in crate::scenario::supply::changed(&was, &l) {
                set_text.push((format!("levers.{name}"), format!("{x}")));
            }
        }
        out.push(Variant {
            id: r.id.get_ref().clone(),
            role,
            label: v.bilingual(r.label.as_ref()),
            share,
            set,
            set_text,
            settings: variant_settings,
            levers: variant_levers,
        });
    }
    let populations: Vec<(&Variant, &Spanned<raw::RawVariant>)> = out
        .iter()
        .zip(raw)
        .filter(|(o, _)| o.role == VariantRole::Population)
        .collect();
    if !populations.is_empty() && populations.iter().all(|(o, _)| o.share.is_some()) {
        let total: f64 = populations.iter().filter_map(|(o, _)| o.share).sum();
        if (total - 1.0).abs() > 1e-9 {
            v.err(
                &populations[0].1.span(),
                format!("the population variants' shares sum to {total}; expected 1"),
            );
        }
    }
    out
}

/// A whole number from `lo` to `hi`, checked where it is written.
fn whole(v: &mut Validator, n: &Spanned<Number>, what: &str, lo: u32, hi: u32) -> Option<u32> {
    v.number(n, what, |x| {
        if x.fract() == 0.0 && x >= f64::from(lo) && x <= f64::from(hi) {
            Ok(())
        } else {
            Err(format!("expected a whole number from {lo} to {hi}"))
        }
    })
    .map(|x| x as u32)
}

/// Reads `[payments]` into `spec` (which holds the defaults).
fn payments_spec(
    v: &mut Validator,
    p: &raw::RawPayments,
    spec: &mut PaymentSpec,
    state_index: &HashMap<String, usize>,
    states: &[State],
    (has_supply, has_comparable): (bool, bool),
) {
    if let Some(list) = &p.response_states {
        let mut chosen = Vec::new();
        for s in list.get_ref() {
            match state_index.get(s.get_ref()) {
                Some(&k) if states[k].dead => {
                    v.err(&s.span(), "the dead state cannot be a response state")
                }
                Some(&k) => chosen.push(k),
                None => {
                    let known: Vec<&str> = states
                        .iter()
                        .filter(|s| !s.dead)
                        .map(|s| s.id.as_str())
                        .collect();
                    v.err(
                        &s.span(),
                        format!(
                            "unknown state `{}`; expected one of {}",
                            s.get_ref(),
                            known.join(", ")
                        ),
                    );
                }
            }
        }
        if list.get_ref().is_empty() {
            v.err(
                &list.span(),
                "response_states needs at least one living state",
            );
        }
        chosen.sort_unstable();
        chosen.dedup();
        spec.response_states = chosen;
    }
    if let Some(price) = &p.price {
        match price.get_ref() {
            ExprSource::Number(x) if x.is_finite() && *x > 0.0 => {
                spec.price = PriceBasis::Fixed(*x);
            }
            ExprSource::Number(x) => v.err(
                &price.span(),
                format!("price: {x} is not a price; expected a positive number of yen or a method in quotes"),
            ),
            ExprSource::Text(id) => match Method::from_id(id) {
                Some(m) if !m.applies(has_supply, has_comparable) => v.err(
                    &price.span(),
                    format!(
                        "the {id} method needs {} in this scenario",
                        if id.starts_with("comparable") {
                            "a [pricing.comparable_drug] block"
                        } else {
                            "a [supply] block"
                        }
                    ),
                ),
                Some(m) => spec.price = PriceBasis::Method(m),
                None => v.err(
                    &price.span(),
                    format!(
                        "unknown pricing method `{id}`; expected one of {} or a price in yen",
                        Method::ids()
                    ),
                ),
            },
        }
    }
    if let Some(n) = &p.instalment_years {
        if let Some(n) = whole(v, n, "instalment_years", 1, 30) {
            spec.instalment_years = n;
        }
    }
    if let Some(n) = &p.refund_years {
        if let Some(n) = whole(v, n, "refund_years", 1, 30) {
            spec.refund_years = n;
        }
    }
    if let Some(f) = &p.refund_share {
        if let Some(f) = v.number(f, "refund_share", |x| {
            if (0.0..=1.0).contains(&x) {
                Ok(())
            } else {
                Err("expected a share from 0 to 1".into())
            }
        }) {
            spec.refund_share = f;
        }
    }
    if let Some(r) = &p.maker_discount_rate {
        spec.maker_discount_rate = v.number(r, "maker_discount_rate", |x| {
            if (0.0..=0.5).contains(&x) {
                Ok(())
            } else {
                Err("expected a yearly rate from 0 to 0.5".into())
            }
        });
    }
    match (&p.milestones, &p.milestone_shares) {
        (None, None) => {}
        (Some(times), Some(shares)) => {
            let mut list = |items: &Spanned<Vec<Spanned<Number>>>,
                            key: &str,
                            range: std::ops::RangeInclusive<f64>,
                            expected: &str|
             -> Vec<Option<f64>> {
                items
                    .get_ref()
                    .iter()
                    .map(|x| {
                        v.number(x, key, |x| {
                            if range.contains(&x) {
                                Ok(())
                            } else {
                                Err(expected.to_string())
                            }
                        })
                    })
                    .collect()
            };
            let t = list(
                times,
                "milestones",
                0.0..=30.0,
                "expected years after treatment, from 0 to 30",
            );
            let s = list(
                shares,
                "milestone_shares",
                0.0..=1.0,
                "expected a share of the price from 0 to 1",
            );
            if t.len() != s.len() || t.is_empty() {
                v.err(
                    &shares.span(),
                    format!(
                        "milestone_shares has {} values for {} milestones; expected one share per milestone",
                        s.len(),
                        t.len()
                    ),
                );
            } else if let (Some(t), Some(s)) = (
                t.into_iter().collect::<Option<Vec<f64>>>(),
                s.into_iter().collect::<Option<Vec<f64>>>(),
            ) {
                let total: f64 = s.iter().sum();
                if (total - 1.0).abs() > 1e-9 {
                    v.err(
                        &shares.span(),
                        format!("milestone_shares sum to {total}; expected 1"),
                    );
                } else if t.windows(2).any(|w| w[1] <= w[0]) {
                    v.err(&times.span(), "milestones must be in increasing order");
                } else {
                    spec.milestones = t.into_iter().zip(s).collect();
                }
            }
        }
        (Some(t), None) => v.err(
            &t.span(),
            "milestones need milestone_shares, the share of the price paid at each",
        ),
        (None, Some(s)) => v.err(
            &s.span(),
            "milestone_shares need milestones, the years at which each share falls due",
        ),
    }
}

/// Reads `[budget]`.
fn budget_spec(
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

/// Reads `[pricing]`: each value checked where it is written.
fn pricing_spec(v: &mut Validator, p: &raw::RawPricing) -> PricingSpec {
    let mut spec = PricingSpec::defaults();
    if let Some(id) = &p.rule_set {
        match crate::official::rules::rule_set(id.get_ref()) {
            Some(r) => spec.rules = r,
            None => {
                let known: Vec<&str> = crate::official::rules::RULE_SETS
                    .iter()
                    .map(|r| r.id)
                    .collect();
                v.err(
                    &id.span(),
                    format!(
                        "unknown rule set `{}`; expected one of {}",
                        id.get_ref(),
                        known.join(", ")
                    ),
                );
            }
        }
    }
    if let Some(r) = &p.route {
        match r.get_ref().as_str() {
            "drug" => spec.route = Route::Drug,
            "device" => spec.route = Route::Device,
            other => v.err(
                &r.span(),
                format!("unknown route `{other}`; expected drug or device"),
            ),
        }
    }
    let share = |x: f64| {
        if (0.0..=1.0).contains(&x) {
            Ok(())
        } else {
            Err("expected a share from 0 to 1".to_string())
        }
    };
    let num = |v: &mut Validator,
               n: &Option<Spanned<Number>>,
               what: &str,
               check: &dyn Fn(f64) -> Result<(), String>,
               into: &mut f64| {
        if let Some(n) = n {
            if let Some(x) = v.number(n, what, check) {
                *into = x;
            }
        }
    };
    num(
        v,
        &p.premium_rate,
        "premium_rate",
        &|x| {
            if (0.0..=2.0).contains(&x) {
                Ok(())
            } else {
                Err("expected a rate from 0 to 2".into())
            }
        },
        &mut spec.premium_rate,
    );
    num(v, &p.disclosure, "disclosure", &share, &mut spec.disclosure);
    // Checked against the rule set's cap (and with each other) where they are written.
    for (n, key, into) in [
        (&p.sga_ratio, "sga_ratio", &mut spec.sga_ratio),
        (
            &p.operating_profit_ratio,
            "operating_profit_ratio",
            &mut spec.operating_profit_ratio,
        ),
    ] {
        if let Some(n) = n {
            *into = v.number(n, key, share);
        }
    }
    if p.sga_ratio.is_some() || p.operating_profit_ratio.is_some() {
        let probe = crate::official::cost_accounting(
            &crate::official::CostAccounting {
                route: spec.route,
                product_cost: 1_000_000.0,
                sga_ratio: spec.sga_ratio,
                operating_profit_ratio: spec.operating_profit_ratio,
                distribution: None,
                consumption_tax: None,
                premium_rate: 0.0,
                disclosure: 0.0,
                actual_sga: None,
                actual_operating_profit: None,
            },
            spec.rules,
        );
        if let Err(e) = probe {
            let at = if e.field == "operating_profit_ratio" {
                p.operating_profit_ratio.as_ref()
            } else {
                p.sga_ratio.as_ref().or(p.operating_profit_ratio.as_ref())
            };
            if let Some(at) = at {
                v.err(&at.span(), format!("{}: {}", e.field, e.message));
            }
        }
    }
    num(
        v,
        &p.return_on_cost,
        "return_on_cost",
        &|x| {
            if (0.0..=10.0).contains(&x) {
                Ok(())
            } else {
                Err("expected a return from 0 to 10 (0.1 is 10%)".into())
            }
        },
        &mut spec.return_on_cost,
    );
    num(
        v,
        &p.corridor_share,
        "corridor_share",
        &share,
        &mut spec.corridor_share,
    );
    num(
        v,
        &p.savings_share,
        "savings_share",
        &share,
        &mut spec.savings_share,
    );
    if let Some(b) = &p.special_consideration {
        spec.special_consideration = *b.get_ref();
    }
    if let Some(c) = &p.comparable_drug {
        let table_span = c.span();
        let c = c.get_ref();
        let positive = |x: f64| {
            if x > 0.0 {
                Ok(())
            } else {
                Err("expected a positive number".to_string())
            }
        };
        let price = v.number(&c.comparator_unit_price, "comparator_unit_price", positive);
        let units = v.number(&c.units_per_course, "units_per_course", positive);
        let mut premiums = Vec::new();
        for (id, rate) in &c.premiums {
            match crate::official::rules::premium_kind(id.get_ref()) {
                None => {
                    let known: Vec<&str> = crate::official::rules::PREMIUMS
                        .iter()
                        .map(|p| p.id)
                        .collect();
                    v.err(
                        &id.span(),
                        format!(
                            "unknown premium `{}`; expected one of {}",
                            id.get_ref(),
                            known.join(", ")
                        ),
                    );
                }
                Some(kind) => {
                    let ok = |x: f64| {
                        if (kind.min - 1e-12..=kind.max + 1e-12).contains(&x) {
                            Ok(())
                        } else {
                            Err(format!(
                                "{} is allowed from {} to {}",
                                kind.name_ja, kind.min, kind.max
                            ))
                        }
                    };
                    if let Some(x) = v.number(rate, id.get_ref(), ok) {
                        premiums.push((id.get_ref().clone(), x));
                    }
                }
            }
        }
        let foreign_average = c
            .foreign_average
            .as_ref()
            .and_then(|f| v.number(f, "foreign_average", positive));
        if let (Some(comparator_unit_price), Some(units_per_course)) = (price, units) {
            let cs = ComparableSpec {
                comparator_unit_price,
                units_per_course,
                premiums,
                foreign_average,
            };
            // The price does not vary by draw: check it once here, so that a rule it breaks
            // (premiums that do not stack, one the rule set forbids) is an error at its place
            // rather than a method missing from every report.
            let check = crate::official::comparable_drug(
                &crate::official::ComparableDrug {
                    route: spec.route,
                    comparator_unit_price,
                    units_per_course,
                    premiums: cs.premiums.clone(),
                    foreign: None,
                },
                spec.rules,
            );
            match check {
                Ok(_) => spec.comparable = Some(cs),
                Err(e) => {
                    let at = e
                        .field
                        .strip_prefix("premiums.")
                        .and_then(|id| c.premiums.keys().find(|k| k.get_ref() == id))
                        .map_or(table_span.clone(), |k| k.span());
                    v.err(&at, format!("{}: {}", e.field, e.message));
                }
            }
        }
    }
    spec
}

/// Compiles `[supply]` (and `[levers]`) into a [`SupplySpec`].
fn supply_spec<'a>(
    v: &mut Validator,
    sp: &'a raw::RawSupply,
    levers: Option<&Spanned<raw::RawLevers>>,
    resolve: &dyn Fn(&str) -> Option<usize>,
) -> SupplySpec {
    use super::supply::SupplyField as F;
    let mut given: Vec<(&'a Spanned<ExprSource>, F)> = Vec::new();
    let mut add = |x: &'a Option<Spanned<ExprSource>>, f: F| {
        if let Some(x) = x {
            given.push((x, f));
        }
    };
    add(&sp.lead_time_days, F::LeadTimeDays);
    add(&sp.waiting_loss_rate, F::WaitingLossRate);
    if let Some(m) = &sp.manufacturing {
        let m = m.get_ref();
        add(&m.materials_per_batch, F::MaterialsPerBatch);
        add(&m.labour_hours_per_batch, F::LabourHoursPerBatch);
        add(&m.labour_rate, F::LabourRate);
        add(&m.overhead_per_batch, F::OverheadPerBatch);
        add(&m.doses_per_batch, F::DosesPerBatch);
        add(&m.fixed_cost_per_year, F::FixedCostPerYear);
        add(&m.patients_per_year, F::PatientsPerYear);
    }
    if let Some(f) = &sp.failure {
        let f = f.get_ref();
        add(&f.probability, F::FailureProbability);
        add(&f.remanufacture_delay_days, F::RemanufactureDelayDays);
        add(&f.oos_relative_effect, F::OosRelativeEffect);
    }
    if let Some(q) = &sp.quality {
        let q = q.get_ref();
        add(&q.release_test_per_batch, F::ReleaseTestPerBatch);
        add(&q.consumed_share, F::QcConsumedShare);
        add(&q.stability_per_year, F::StabilityPerYear);
    }
    if let Some(i) = &sp.import {
        let i = i.get_ref();
        add(&i.retest_per_batch, F::ImportRetestPerBatch);
        add(&i.retest_delay_days, F::ImportRetestDelayDays);
        add(&i.consumed_share, F::ImportConsumedShare);
    }
    if let Some(fr) = &sp.fresh {
        let fr = fr.get_ref();
        add(&fr.transit_median_days, F::TransitMedianDays);
        add(&fr.transit_sdlog, F::TransitSdlog);
        add(&fr.shelf_life_days, F::ShelfLifeDays);
    }
    if let Some(c) = &sp.centres {
        let c = c.get_ref();
        add(&c.cost_per_year, F::CentreCostPerYear);
        add(&c.patients_per_centre_per_year, F::PatientsPerCentrePerYear);
        add(&c.manufacturers_sharing, F::ManufacturersSharing);
    }
    if let Some(p) = &sp.post_approval {
        let p = p.get_ref();
        add(&p.probability, F::PostApprovalProbability);
        add(&p.one_off, F::PostApprovalOneOff);
        add(&p.per_year, F::PostApprovalPerYear);
        add(&p.years, F::PostApprovalYears);
        add(&p.confirmatory_study, F::ConfirmatoryStudy);
        add(&p.patients_over_lifetime, F::PatientsOverLifetime);
        add(&p.follow_up_per_year, F::FollowUpPerYear);
        add(&p.follow_up_years, F::FollowUpYears);
    }
    if let Some(d) = &sp.distribution {
        let d = d.get_ref();
        add(&d.shipment, F::ShipmentCost);
        add(&d.handling, F::HandlingCost);
    }
    if let Some(l) = &sp.launch_delay {
        let l = l.get_ref();
        add(&l.months, F::LaunchDelayMonths);
        add(&l.eligible_per_year, F::EligiblePerYear);
        add(&l.share_of_gain_lost_waiting, F::ShareOfGainLostWaiting);
    }
    let fields = given
        .into_iter()
        .filter_map(|(x, f)| v.compile(x, resolve).map(|e| (f, e)))
        .collect();

    let failure = sp.failure.as_ref().map(|f| f.get_ref());
    let oos_policy = match failure.and_then(|f| f.policy.as_ref()) {
        None => OosPolicy::Remanufacture,
        Some(p) => match p.get_ref().as_str() {
            "remanufacture" => OosPolicy::Remanufacture,
            "supply_oos" => OosPolicy::SupplyOos,
            "no_treatment" => OosPolicy::NoTreatment,
            other => {
                v.err(&p.span(), format!("unknown failure policy `{other}`; expected remanufacture, supply_oos or no_treatment"));
                OosPolicy::Remanufacture
            }
        },
    };
    let max_attempts = match failure.and_then(|f| f.max_attempts.as_ref()) {
        None => 1,
        Some(n) => v
            .number(n, "max_attempts", |x| {
                if (1.0..=20.0).contains(&x) && x.fract() == 0.0 {
                    Ok(())
                } else {
                    Err("expected a whole number of attempts from 1 to 20".into())
                }
            })
            .map_or(1, |x| x as u32),
    };
    if let (Some(n), Some(f)) = (failure.and_then(|f| f.max_attempts.as_ref()), failure) {
        if f.policy
            .as_ref()
            .is_some_and(|p| p.get_ref() != "remanufacture")
        {
            v.err(
                &n.span(),
                "max_attempts applies only to the remanufacture policy",
            );
        }
    }
    let mut lv = Levers::default();
    if let Some(l) = levers {
        for lever in &super::supply::LEVERS {
            if let Some(b) = (lever.raw)(l.get_ref()) {
                (lever.set)(&mut lv, *b.get_ref());
            }
        }
    }
    SupplySpec {
        fields,
        oos_policy,
        max_attempts,
        imported: sp.import.is_some(),
        fresh: sp.fresh.is_some(),
        levers: lv,
    }
}

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

/// Reads a life table CSV with columns `age,male_qx,female_qx` (consecutive integer ages).
fn life_table(
    v: &mut Validator,
    ms: &Spanned<raw::RawMortality>,
    read: &dyn Fn(&str) -> Result<String, String>,
    hashed: &mut Vec<Vec<u8>>,
    start_age: f64,
) -> Mortality {
    let mr = ms.get_ref();
    let fallback = Mortality::Gompertz { a: 0.0, b: 0.0 };
    let Some(file) = &mr.file else {
        v.err(
            &ms.span(),
            "life_table mortality needs `file`, a CSV with columns age,male_qx,female_qx",
        );
        return fallback;
    };
    let sex = match (
        mr.sex.as_ref().map(|s| s.get_ref().as_str()),
        &mr.male_share,
    ) {
        (Some("male"), None) => Sex::Male,
        (Some("female"), None) => Sex::Female,
        (Some("mixed") | None, Some(share)) => match v.number(share, "male_share", |x| {
            if (0.0..=1.0).contains(&x) {
                Ok(())
            } else {
                Err(format!("{x} is not a share between 0 and 1"))
            }
        }) {
            Some(male_share) => Sex::Mixed { male_share },
            None => return fallback,
        },
        (Some(s), _) => {
            let span = mr.sex.as_ref().expect("present").span();
            v.err(&span, format!("sex `{s}` with these keys is not understood; expected sex = \"male\", sex = \"female\", or male_share = 0.5"));
            return fallback;
        }
        (None, None) => {
            v.err(
                &ms.span(),
                "life_table mortality needs `sex` (\"male\" or \"female\") or `male_share`",
            );
            return fallback;
        }
    };
    let text = match read(file.get_ref()) {
        Ok(t) => t,
        Err(e) => {
            v.err(&file.span(), format!("cannot read the life table: {e}"));
            return fallback;
        }
    };
    hashed.push(text.as_bytes().to_vec());
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let header = lines
        .next()
        .map(|(_, l)| l.trim().to_string())
        .unwrap_or_default();
    if header.replace(' ', "") != "age,male_qx,female_qx" {
        v.err(
            &file.span(),
            format!(
                "{}: line 1: header `{header}`; expected `age,male_qx,female_qx`",
                file.get_ref()
            ),
        );
        return fallback;
    }
    let (mut first_age, mut male_qx, mut female_qx) = (None, Vec::new(), Vec::new());
    for (i, line) in lines {
        let cols: Vec<&str> = line.split(',').map(str::trim).collect();
        let parsed = (cols.len() == 3).then(|| {
            (
                cols[0].parse::<u32>().ok(),
                cols[1].parse::<f64>().ok(),
                cols[2].parse::<f64>().ok(),
            )
        });
        let Some((Some(age), Some(m), Some(f))) = parsed else {
            v.err(
                &file.span(),
                format!(
                    "{}: line {}: `{line}`; expected an integer age and two probabilities",
                    file.get_ref(),
                    i + 1
                ),
            );
            return fallback;
        };
        let fa = *first_age.get_or_insert(age);
        if age != fa + male_qx.len() as u32 {
            v.err(
                &file.span(),
                format!(
                    "{}: line {}: age {age} breaks the sequence; expected age {}",
                    file.get_ref(),
                    i + 1,
                    fa + male_qx.len() as u32
                ),
            );
            return fallback;
        }
        if !((0.0..=1.0).contains(&m) && (0.0..=1.0).contains(&f)) {
            v.err(
                &file.span(),
                format!("{}: line {}: qx must lie in [0, 1]", file.get_ref(), i + 1),
            );
            return fallback;
        }
        male_qx.push(m);
        female_qx.push(f);
    }
    let Some(first_age) = first_age else {
        v.err(
            &file.span(),
            format!("{}: the life table has no rows", file.get_ref()),
        );
        return fallback;
    };
    if f64::from(first_age) > start_age {
        v.err(
            &file.span(),
            format!(
                "{}: the table starts at age {first_age}, after the cohort's start age {start_age}",
                file.get_ref()
            ),
        );
        return fallback;
    }
    Mortality::LifeTable {
        file: file.get_ref().clone(),
        first_age,
        male_qx,
        female_qx,
        sex,
    }
}
