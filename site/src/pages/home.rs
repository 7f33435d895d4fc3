//! The home page and the list of scenarios: a card per scenario with its headline in plain
//! words; and the lists of written pages (on the home page and on each section's page).

use minijinja::{Value, context};
use tenbin_engine::scenario::Scenario;

use super::Templates;
use super::scenario::parameter_label;
use crate::content::Document;
use crate::i18n::{Lang, count, fill, pick, yen};
use crate::results::ScenarioResults;

/// The headline in plain words: the page's answer (the suggested range against the list price)
/// or, for a scenario without a value-based price, the threshold price at the first willingness
/// to pay; then what drives its uncertainty.
pub(super) fn headline(t: &Templates, lang: Lang, sc: &Scenario, r: &ScenarioResults) -> String {
    let answer = super::answer::answer(t, lang, sc, r);
    if let Ok(sentence) = answer.get_attr("sentence") {
        if let Some(s) = sentence.as_str() {
            return s.to_string();
        }
    }
    let Some(first) = r.thresholds.first() else {
        return String::new();
    };
    let mut s = fill(
        t.s(lang, "headline"),
        &[
            ("wtp", &yen(first.wtp, lang)),
            ("low", &yen(first.draws.p2_5, lang)),
            ("high", &yen(first.draws.p97_5, lang)),
            ("median", &yen(first.draws.p50, lang)),
            ("draws", &count(r.draws)),
        ],
    );
    s.push_str(&driver_sentence(t, lang, sc, r));
    s
}

/// "The input most closely tied to the uncertainty is ...", or nothing without a PSA.
pub(super) fn driver_sentence(
    t: &Templates,
    lang: Lang,
    sc: &Scenario,
    r: &ScenarioResults,
) -> String {
    r.influence
        .first()
        .map(|top| {
            fill(
                t.s(lang, "headline_driver"),
                &[("input", &parameter_label(sc, &top.parameter, lang))],
            )
        })
        .unwrap_or_default()
}

pub(super) fn scenario_card(
    t: &Templates,
    lang: Lang,
    sc: &Scenario,
    r: &ScenarioResults,
) -> Value {
    context! {
        id => sc.meta.id,
        title => pick(&sc.meta.title, lang),
        summary => pick(&sc.meta.summary, lang),
        // A scenario that states no question is listed under its title.
        question => Some(pick(&sc.meta.question, lang)).filter(|q| !q.is_empty()).unwrap_or_else(|| pick(&sc.meta.title, lang)),
        headline => headline(t, lang, sc, r),
    }
}

pub(super) fn section_docs(docs: &[Document], lang: Lang, section: &str) -> Vec<Value> {
    let mut list: Vec<&Document> = docs
        .iter()
        .filter(|d| d.lang == lang && d.section() == section)
        .collect();
    list.sort_by(|a, b| a.front.order.cmp(&b.front.order).then(a.path.cmp(&b.path)));
    list.into_iter()
        .map(|d| context! { slug => d.slug(), title => d.front.title, summary => d.front.summary })
        .collect()
}
