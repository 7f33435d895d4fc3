//! `[[variants]]`: named changes to parameters, discount rates or levers, each with a role
//! (durability, offset cap, population with its share, or scenario).

use std::collections::HashMap;

use toml::Spanned;

use super::Validator;
use crate::scenario::raw::{self, ExprSource};
use crate::scenario::supply::{LEVERS, Levers};
use crate::scenario::{Settings, Variant, VariantRole};

/// Reads `[[variants]]`.
pub(super) fn variants(
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
                for lever in &LEVERS {
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
