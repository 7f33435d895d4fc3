//! `[scenario]` (id, titles, product type) and `[[sources]]`, and the check that a `source`
//! key names one of the sources.

use std::collections::BTreeSet;

use toml::Spanned;

use super::Validator;
use crate::scenario::raw;
use crate::scenario::{Meta, ProductType, Source};

/// Reads `[scenario]` (the arms it names are checked with `[arms]`).
pub(super) fn meta(v: &mut Validator, m: &raw::RawMeta) -> Meta {
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
    let short_title = v.bilingual(m.short_title.as_ref());
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
    Meta {
        id: m.id.get_ref().clone(),
        title,
        summary,
        question,
        short_title,
        product_type,
    }
}

/// Reads `[[sources]]`; returns them with the set of their ids.
pub(super) fn sources(
    v: &mut Validator,
    raw_sources: &[Spanned<raw::RawSource>],
) -> (Vec<Source>, BTreeSet<String>) {
    let mut sources = Vec::new();
    let mut source_ids = BTreeSet::new();
    for s in raw_sources {
        let s = s.get_ref();
        if !source_ids.insert(s.id.get_ref().clone()) {
            v.err(
                &s.id.span(),
                format!("source `{}` is defined twice", s.id.get_ref()),
            );
        }
        sources.push(Source {
            id: s.id.get_ref().clone(),
            citation: v
                .text(Some(&s.citation))
                .map(|t| t.value)
                .unwrap_or_default(),
            note: v.text(s.note.as_ref()),
            url: s.url.as_ref().map(|u| u.get_ref().clone()),
            date: s.date.as_ref().map(|d| d.get_ref().to_string()),
        });
    }
    (sources, source_ids)
}

/// Checks that `s` is the id of a `[[sources]]` entry.
pub(super) fn check_source(v: &mut Validator, source_ids: &BTreeSet<String>, s: &Spanned<String>) {
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
}
