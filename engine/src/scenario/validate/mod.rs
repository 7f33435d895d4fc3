//! From the file as written to a validated [`Scenario`]: every key, value and reference is
//! checked here, and every problem is recorded with its location so the analyst sees them all at
//! once rather than one per run.
//!
//! One file per table of the scenario format; [`validate`] checks them in the order of the
//! format (metadata, settings, mortality, parameters, ..., calculator) and gathers the errors.

mod arms;
mod budget;
mod calculator;
mod correlations;
mod costs;
mod derived;
mod meta;
mod mortality;
mod parameters;
mod payments;
mod pricing;
mod settings;
mod states;
mod supply;
mod transitions;
mod variants;

use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;

use super::pricing::PricingSpec;
use super::raw::{self, ExprSource, Number, RawScenario};
use super::{
    Bilingual, Loc, Located, Scenario, ScenarioError, ScenarioErrors, SourceText, Text,
    content_hash,
};
use crate::expr::{Ast, Expr, RESERVED};

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

    /// A text readers see (a unit or a note): a plain string is English only; a table needs at
    /// least one language.
    fn text(&mut self, t: Option<&Spanned<raw::RawText>>) -> Option<Text> {
        let t = t?;
        let value = match t.get_ref() {
            raw::RawText::Plain(en) => Bilingual {
                ja: String::new(),
                en: en.clone(),
            },
            raw::RawText::Both(b) => {
                if b.ja.is_none() && b.en.is_none() {
                    self.err(&t.span(), "empty text; expected `ja` and/or `en`");
                }
                let get = |s: &Option<Spanned<String>>| {
                    s.as_ref().map(|s| s.get_ref().clone()).unwrap_or_default()
                };
                Bilingual {
                    ja: get(&b.ja),
                    en: get(&b.en),
                }
            }
        };
        Some(Located {
            value,
            loc: self.loc(&t.span()),
        })
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

/// Resolves a name to its slot: a parameter, else a derived quantity.
fn slot_resolver<'r>(
    param_index: &'r HashMap<String, usize>,
    slot_of_derived: &'r HashMap<&'r str, usize>,
) -> impl Fn(&str) -> Option<usize> + 'r {
    |name: &str| {
        param_index
            .get(name)
            .copied()
            .or_else(|| slot_of_derived.get(name).copied())
    }
}

/// Parses and checks scenario `text` (see [`Scenario::parse`]), table by table.
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

    let m = raw.scenario.get_ref();
    let meta = meta::meta(&mut v, m);
    let (sources, source_ids) = meta::sources(&mut v, &raw.sources);
    let settings = settings::settings(&mut v, raw.settings.as_ref());
    let (mortality, mortality_source) = mortality::mortality(
        &mut v,
        &raw,
        &source_ids,
        read,
        &mut hashed,
        settings.start_age,
    );
    let (params, param_index, dirichlets) = parameters::parameters(&mut v, &raw, &source_ids);
    let correlations = correlations::correlations(
        &mut v,
        &raw.correlations,
        &source_ids,
        &params,
        &param_index,
    );
    let (derived, slot_of_derived) =
        derived::derived(&mut v, &raw.derived, &param_index, params.len());
    let resolve = slot_resolver(&param_index, &slot_of_derived);
    let (states, state_index) = states::states(&mut v, &raw, &resolve);
    let shared_costs: Vec<_> = raw
        .costs
        .iter()
        .filter_map(|c| costs::cost(&mut v, c, &states, &state_index, &resolve))
        .collect();
    let arms = arms::arms(
        &mut v,
        &raw.arms,
        &shared_costs,
        &states,
        &state_index,
        &resolve,
    );
    let (intervention, comparator) = arms::intervention_and_comparator(&mut v, m, &arms);

    let supply = raw
        .supply
        .as_ref()
        .map(|sp| supply::supply_spec(&mut v, sp.get_ref(), raw.levers.as_ref(), &resolve));
    let pricing = match &raw.pricing {
        Some(p) => pricing::pricing_spec(&mut v, p.get_ref(), &source_ids, &resolve),
        None => PricingSpec::defaults(),
    };
    let payments = payments::payments(&mut v, &raw, &pricing, &states, &state_index, &settings);
    let budget = raw
        .budget
        .as_ref()
        .and_then(|b| budget::budget_spec(&mut v, b.get_ref(), &resolve));
    let variants = variants::variants(
        &mut v,
        &raw.variants,
        &param_index,
        &resolve,
        &settings,
        supply.as_ref().map(|s| s.levers),
    );
    supply::levers_without_supply(&mut v, &raw);

    let controls = raw
        .calculator
        .as_ref()
        .map(|c| calculator::calculator_controls(&mut v, c.get_ref(), &param_index, &params))
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
        meta,
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
