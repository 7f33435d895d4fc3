//! The scenario page: its context (headline, run, settings, results, inputs and sources) and its
//! downloads; its charts are built in `figures`, its tables in `tables`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use minijinja::{Value, context};
use tenbin_engine::distribution::Distribution;
use tenbin_engine::report::VERSION;
use tenbin_engine::scenario::{Bilingual, Scenario, ScenarioError, Text};

use super::downloads::{figure_json, pretty_json};
use super::figures::scenario_figures;
use super::home::headline;
use super::tables::{
    budget_rows, information_rows, official_steps, payment_rows, supply_rows, variant_rows,
};
use super::{Figure, Files, Templates};
use crate::Error;
use crate::i18n::{Lang, count, fill, is_yen, japanese_unit, percent, pick, plain, with_unit, yen};
use crate::results::ScenarioResults;

/// Inputs listed under "what drives the uncertainty".
const DRIVERS_SHOWN: usize = 5;

pub(super) fn parameter_label(sc: &Scenario, name: &str, lang: Lang) -> String {
    sc.parameters
        .iter()
        .find(|p| p.name == name)
        .map_or_else(|| name.to_string(), |p| pick(&p.label, lang).to_string())
}

/// A value of an input, with its unit, in the reader's language.
pub(super) fn value_text(sc: &Scenario, name: &str, x: f64, lang: Lang) -> String {
    let unit = sc
        .parameters
        .iter()
        .find(|p| p.name == name)
        .and_then(|p| p.unit.as_ref().map(|u| &u.value));
    with_unit(x, unit, lang)
}

/// What a scenario's Japanese page would show in English: each parameter's, Dirichlet group's
/// and source's note and each parameter's unit written without Japanese (but for the few English
/// units the site says in Japanese itself, such as `yen per month` and `years`), or the unit of
/// an amount in yen whose Japanese does not start with 円. One message per problem, at the file,
/// line and column of the text; the site build refuses a scenario with any ([`crate::build`]).
pub fn missing_japanese(sc: &Scenario) -> Vec<ScenarioError> {
    let mut errors = Vec::new();
    let mut err = |t: &Text, message: String| {
        errors.push(ScenarioError {
            file: sc.file.clone(),
            line: t.loc.line,
            column: t.loc.column,
            message,
        });
    };
    let mut note = |owner: &str, t: &Text| {
        if t.value.ja.trim().is_empty() {
            let start: String = t.value.en.trim().chars().take(40).collect();
            err(
                t,
                format!(
                    "{owner}: note has no Japanese, so the Japanese page would show it in English (\"{start}...\"); expected `note = {{ en = \"...\", ja = \"...\" }}` (or `note.en` and `note.ja`)"
                ),
            );
        }
    };
    let mut groups_seen = Vec::new();
    for p in &sc.parameters {
        match (&p.note, p.dirichlet) {
            (Some(t), Some(g)) if !groups_seen.contains(&g) => {
                groups_seen.push(g);
                note(&format!("Dirichlet group `{}`", sc.dirichlets[g].name), t);
            }
            (Some(_), Some(_)) | (None, _) => {}
            (Some(t), None) => note(&format!("parameter `{}`", p.name), t),
        }
    }
    for s in &sc.sources {
        if let Some(t) = &s.note {
            note(&format!("source `{}`", s.id), t);
        }
    }
    for p in &sc.parameters {
        let Some(u) = &p.unit else { continue };
        if japanese_unit(&u.value).is_some() {
            continue;
        }
        let (en, ja) = (&u.value.en, &u.value.ja);
        let message = if ja.trim().is_empty() {
            format!(
                "parameter `{}`: unit \"{en}\" has no Japanese, so the Japanese page would show it in English; expected `unit = {{ en = \"{en}\", ja = \"...\" }}`{}",
                p.name,
                if is_yen(&u.value) {
                    " with the Japanese starting with 円, e.g. \"円／年\""
                } else {
                    ""
                }
            )
        } else {
            format!(
                "parameter `{}`: unit \"{en}\" is an amount in yen, but its Japanese \"{ja}\" does not start with 円; expected, e.g., \"円／年\" (the page writes the amount in 万円 or 億円 and what follows 円 after it)",
                p.name
            )
        };
        errors.push(ScenarioError {
            file: sc.file.clone(),
            line: u.loc.line,
            column: u.loc.column,
            message,
        });
    }
    errors.sort_by_key(|e| (e.line, e.column));
    errors
}

/// A distribution in a compact notation, named in the reader's language.
fn describe(d: &Distribution, lang: Lang) -> String {
    let ja = lang == Lang::Ja;
    let p = |x: f64| plain(x);
    match d {
        Distribution::Fixed { value } if ja => format!("固定値 {}", p(*value)),
        Distribution::Fixed { value } => format!("fixed {}", p(*value)),
        Distribution::Normal { mean, sd } if ja => {
            format!("正規分布（平均 {}、標準偏差 {}）", p(*mean), p(*sd))
        }
        Distribution::Normal { mean, sd } => format!("Normal(mean {}, sd {})", p(*mean), p(*sd)),
        Distribution::TruncatedNormal {
            mean,
            sd,
            lower,
            upper,
        } if ja => format!(
            "切断正規分布（平均 {}、標準偏差 {}、{}〜{}）",
            p(*mean),
            p(*sd),
            p(*lower),
            p(*upper)
        ),
        Distribution::TruncatedNormal {
            mean,
            sd,
            lower,
            upper,
        } => format!(
            "Normal(mean {}, sd {}) in [{}, {}]",
            p(*mean),
            p(*sd),
            p(*lower),
            p(*upper)
        ),
        Distribution::LogNormal { meanlog, sdlog } if ja => format!(
            "対数正規分布（対数の平均 {}、対数の標準偏差 {}）",
            p(*meanlog),
            p(*sdlog)
        ),
        Distribution::LogNormal { meanlog, sdlog } => {
            format!("LogNormal(meanlog {}, sdlog {})", p(*meanlog), p(*sdlog))
        }
        Distribution::Beta { alpha, beta } if ja => {
            format!("ベータ分布（{}、{}）", p(*alpha), p(*beta))
        }
        Distribution::Beta { alpha, beta } => format!("Beta({}, {})", p(*alpha), p(*beta)),
        Distribution::Gamma { shape, scale } if ja => {
            format!("ガンマ分布（形状 {}、尺度 {}）", p(*shape), p(*scale))
        }
        Distribution::Gamma { shape, scale } => {
            format!("Gamma(shape {}, scale {})", p(*shape), p(*scale))
        }
        Distribution::Uniform { min, max } if ja => format!("一様分布（{}〜{}）", p(*min), p(*max)),
        Distribution::Uniform { min, max } => format!("Uniform({}, {})", p(*min), p(*max)),
        Distribution::Triangular { min, mode, max } if ja => format!(
            "三角分布（最小 {}、最頻 {}、最大 {}）",
            p(*min),
            p(*mode),
            p(*max)
        ),
        Distribution::Triangular { min, mode, max } => {
            format!("Triangular({}, {}, {})", p(*min), p(*mode), p(*max))
        }
        Distribution::Pert {
            min,
            mode,
            max,
            lambda,
        } if ja => format!(
            "PERT分布（最小 {}、最頻 {}、最大 {}、λ {}）",
            p(*min),
            p(*mode),
            p(*max),
            p(*lambda)
        ),
        Distribution::Pert {
            min,
            mode,
            max,
            lambda,
        } => format!(
            "PERT({}, {}, {}; λ {})",
            p(*min),
            p(*mode),
            p(*max),
            p(*lambda)
        ),
        Distribution::Empirical { values } if ja => format!("経験分布（{}個の値）", values.len()),
        Distribution::Empirical { values } => format!("empirical ({} values)", values.len()),
    }
}

/// A source's citation for a reader of `lang`: in that language when the scenario gives it
/// (the project's own sources), else as written (references keep their own language).
fn source_text(sc: &Scenario, id: &str, lang: Lang) -> String {
    sc.sources.iter().find(|s| s.id == id).map_or_else(
        || id.to_string(),
        |s| citation(&s.citation, lang).to_string(),
    )
}

fn citation(c: &Bilingual, lang: Lang) -> &str {
    match pick(c, lang) {
        "" => pick(c, lang.other()),
        text => text,
    }
}

/// A source as a page cites it: by its number in the page's one reference list (the
/// scenario's sources in the order the file gives them, numbered from 1).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Cited {
    /// Number in the page's reference list (none for a source the page names in words, such
    /// as the pricing rules, whose documents the methods page lists).
    pub number: Option<usize>,
    /// The full citation (for the figure's JSON download; the page shows the number).
    pub citation: String,
}

impl Cited {
    /// A source named in words rather than by number.
    pub fn words(text: &str) -> Cited {
        Cited {
            number: None,
            citation: text.to_string(),
        }
    }
}

/// The number of a source in the page's reference list.
pub(super) fn source_number(sc: &Scenario, id: &str) -> Option<usize> {
    sc.sources.iter().position(|s| s.id == id).map(|i| i + 1)
}

/// The sources a scenario's parameters name (and its background mortality's), each once, in
/// the order of the page's reference list.
pub(super) fn cited_sources(sc: &Scenario, with_mortality: bool, lang: Lang) -> Vec<Cited> {
    let mut ids: Vec<&str> = sc.parameters.iter().map(|p| p.source.as_str()).collect();
    if with_mortality {
        ids.push(&sc.mortality_source);
    }
    let mut cited: Vec<Cited> = ids
        .into_iter()
        .filter_map(|id| {
            Some(Cited {
                number: Some(source_number(sc, id)?),
                citation: source_text(sc, id, lang),
            })
        })
        .collect();
    cited.sort_by_key(|c| c.number);
    cited.dedup_by_key(|c| c.number);
    cited
}

/// The scenario page's context and its downloads (paths relative to the page).
pub(super) fn scenario_page(
    t: &Templates,
    lang: Lang,
    sc: &Scenario,
    r: &ScenarioResults,
) -> Result<(Value, Files), Error> {
    let mut downloads = Vec::new();
    let figures = scenario_figures(t, lang, sc, r);
    let mut readme = fill(
        t.s(lang, "download_readme"),
        &[
            ("title", pick(&sc.meta.title, lang)),
            ("file", &sc.file),
            ("sha256", &sc.hash),
            ("seed", &r.seed.to_string()),
            ("draws", &r.draws.to_string()),
            ("version", VERSION),
            ("command", &rerun_command(sc, r)),
        ],
    );
    readme.push('\n');
    for (f, _) in &figures {
        let _ = writeln!(readme, "- {}: {}", f.id, f.title);
    }
    downloads.push(("data/README.txt".to_string(), readme.into_bytes()));
    let mut shown = Vec::new();
    let mut in_sections: BTreeMap<&str, Figure> = BTreeMap::new();
    let mut decision_taken: BTreeMap<String, Figure> = BTreeMap::new();
    for (fig, chart) in figures {
        downloads.push((format!("data/{}.svg", fig.id), chart.svg().into_bytes()));
        downloads.push((format!("data/{}.csv", fig.id), chart.csv().into_bytes()));
        let json = figure_json(sc, r, &fig, chart.as_ref());
        downloads.push((format!("data/{}.json", fig.id), pretty_json(&json)?));
        match SECTION_FIGURES.iter().find(|(id, _)| *id == fig.id) {
            Some((_, "decision")) => {
                decision_taken.insert(fig.id.clone(), fig);
            }
            Some((_, section)) => {
                in_sections.insert(section, fig);
            }
            None => shown.push(fig),
        }
    }
    let decision_figures: Vec<Figure> = ["price-acceptability", "acceptability", "tornado"]
        .iter()
        .filter_map(|id| decision_taken.remove(*id))
        .collect();
    let payments = &r.report["payments"];
    let payments_ctx = (!payments.is_null()).then(|| {
        let rate = |k: &str| payments[k].as_f64().map(percent).unwrap_or_default();
        context! {
            figure => in_sections.remove("payments"),
            rows => payment_rows(t, lang, r),
            target => payments["target_price"].as_f64().map(|x| yen(x, lang)).unwrap_or_default(),
            method => payments["target_method"].as_str().map(|m| t.s(lang, &format!("method_{m}")).to_string()).unwrap_or_else(|| t.s(lang, "given_price").to_string()),
            payer_rate => rate("payer_discount_rate"),
            maker_rate => rate("maker_discount_rate"),
        }
    });
    let budget = &r.report["budget"];
    let budget_ctx = (!budget.is_null()).then(|| {
        let uptake: Vec<String> = budget["uptake"]
            .as_array()
            .map(|u| u.iter().filter_map(|x| x.as_f64()).map(percent).collect())
            .unwrap_or_default();
        context! {
            figure => in_sections.remove("budget"),
            rows => budget_rows(t, lang, r),
            prevalent => budget["prevalent"].as_f64().map(|x| format!("{x:.0}")).unwrap_or_default(),
            incident => budget["incident"].as_f64().map(|x| format!("{x:.0}")).unwrap_or_default(),
            uptake => uptake.join(" → "),
            total => budget["total"].as_f64().map(|x| yen(x, lang)).unwrap_or_default(),
        }
    });

    let thresholds: Vec<Value> = r
        .thresholds
        .iter()
        .map(|th| {
            context! {
                wtp => yen(th.wtp, lang),
                base_case => yen(th.base_case, lang),
                mean => yen(th.draws.mean, lang),
                mcse => yen(th.draws.mcse, lang),
                median => yen(th.draws.p50, lang),
                low => yen(th.draws.p2_5, lang),
                high => yen(th.draws.p97_5, lang),
                positive => percent(th.probability_positive),
            }
        })
        .collect();
    let base = &r.report["base_case"]["arms"];
    let arms: Vec<Value> = sc
        .arms
        .iter()
        .map(|a| {
            let o = &base[&a.id];
            let num = |k: &str| o[k].as_f64().unwrap_or(f64::NAN);
            context! {
                label => pick(&a.label, lang),
                qalys => plain(num("qalys")),
                life_years => plain(num("life_years")),
                costs => yen(num("costs"), lang),
            }
        })
        .collect();
    let drivers: Vec<Value> = r
        .influence
        .iter()
        .take(DRIVERS_SHOWN)
        .map(|i| {
            context! {
                label => parameter_label(sc, &i.parameter, lang),
                name => i.parameter,
                rho => format!("{:+.2}", i.rank_correlation),
            }
        })
        .collect();
    let inputs: Vec<Value> = sc
        .parameters
        .iter()
        .map(|p| {
            let unit = p.unit.as_ref().map(|u| &u.value);
            let spread =
                if matches!(p.distribution, Distribution::Fixed { .. }) || p.dirichlet.is_some() {
                    String::new()
                } else {
                    format!(
                        "{} – {}",
                        with_unit(p.distribution.quantile(0.025), unit, lang),
                        with_unit(p.distribution.quantile(0.975), unit, lang)
                    )
                };
            let distribution = match p.dirichlet {
                Some(g) if lang == Lang::Ja => {
                    format!("ディリクレ分布（{}）", sc.dirichlets[g].name)
                }
                Some(g) => format!("Dirichlet ({})", sc.dirichlets[g].name),
                None => describe(&p.distribution, lang),
            };
            context! {
                name => p.name,
                label => pick(&p.label, lang),
                base => with_unit(p.base, unit, lang),
                distribution => distribution,
                spread => spread,
                source => source_number(sc, &p.source),
                note => p.note.as_ref().map_or("", |n| pick(&n.value, lang)),
            }
        })
        .collect();
    let sources: Vec<Value> = sc
        .sources
        .iter()
        .enumerate()
        .map(|(i, s)| {
            context! {
                number => i + 1,
                id => s.id,
                citation => citation(&s.citation, lang),
                note => s.note.as_ref().map_or("", |n| pick(&n.value, lang)),
                url => s.url,
                date => s.date,
            }
        })
        .collect();
    let settings = &sc.settings;
    let ctx = context! {
        scenario => context! {
            id => sc.meta.id,
            title => pick(&sc.meta.title, lang),
            summary => pick(&sc.meta.summary, lang),
            question => pick(&sc.meta.question, lang),
            yardstick => super::is_reference_model(sc),
            file => sc.file,
            sha256 => sc.hash,
        },
        headline => headline(t, lang, sc, r),
        answer => super::answer::answer(t, lang, sc, r),
        answer_figure => in_sections.remove("answer"),
        run => context! {
            seed => r.seed,
            draws => count(r.draws),
            version => VERSION,
            command => rerun_command(sc, r),
        },
        settings => context! {
            horizon_years => settings.horizon_years,
            start_age => plain(settings.start_age),
            discount_costs => percent(settings.discount_rate_costs),
            discount_outcomes => percent(settings.discount_rate_outcomes),
            cycles_per_year => settings.cycles_per_year,
        },
        mortality_source => source_number(sc, &sc.mortality_source),
        thresholds => thresholds,
        arms => arms,
        drivers => drivers,
        figures => shown,
        supply => supply_rows(t, lang, r),
        official => official_steps(t, lang, r),
        variants => variant_rows(t, lang, sc, r),
        decision => context! {
            figures => decision_figures,
            information => information_rows(t, lang, sc, r),
        },
        payments => payments_ctx,
        budget => budget_ctx,
        inputs => inputs,
        sources => sources,
    };
    Ok((ctx, downloads))
}

/// The command that reproduces a scenario's numbers.
pub(super) fn rerun_command(sc: &Scenario, r: &ScenarioResults) -> String {
    format!(
        "tenbin run {} --seed {} --draws {}",
        sc.file, r.seed, r.draws
    )
}

/// The figures shown in their own sections rather than among the charts.
const SECTION_FIGURES: [(&str, &str); 6] = [
    ("price-by-method", "answer"),
    ("payer-cost-by-scheme", "payments"),
    ("budget-impact", "budget"),
    ("price-acceptability", "decision"),
    ("acceptability", "decision"),
    ("tornado", "decision"),
];
