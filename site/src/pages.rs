//! Every page of the site, in both languages: what each page shows (built here as data) and how
//! it looks (the minijinja templates in `site/templates/`, auto-escaped).
//!
//! Numbers are formatted here, in Rust, for each language, so templates only place words and
//! ready-made values. Interface words come from `site/i18n.toml`, whose Japanese and English
//! tables must have the same keys; a template that asks for a missing key or value fails the
//! build (strict undefined), naming the template and line.
//!
//! Pages live at `/<lang>/<path>/index.html`. Every link is relative (`root` leads back to the
//! site's root), so the site works from any folder of any web server, or from a file system.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use minijinja::{Environment, UndefinedBehavior, Value, context};
use serde::Serialize;
use tenbin_engine::distribution::Distribution;
use tenbin_engine::report::VERSION;
use tenbin_engine::scenario::{Bilingual, Scenario};

use crate::Error;
use crate::chart::{
    Axis, Bar, Bars, Chart, Histogram, Lang, Lines, Marker, Scatter, Series, Table, Text, Tornado,
    TornadoBar, Unit, format_value, thousands,
};
use crate::content::Document;
use crate::results::ScenarioResults;
use crate::staging::Staging;

/// Points drawn on the cost-effectiveness plane: enough to show the cloud's shape, few enough
/// to keep the page light. They are the first draws, so the same on every build.
const PLANE_POINTS: usize = 2_000;
/// Bins of the threshold-price histogram.
const HISTOGRAM_BINS: usize = 30;
/// Inputs listed under "what drives the uncertainty".
const DRIVERS_SHOWN: usize = 5;

/// The templates and the interface strings of both languages.
pub struct Templates {
    env: Environment<'static>,
    strings: BTreeMap<Lang, BTreeMap<String, String>>,
    dir: PathBuf,
}

impl Templates {
    /// Loads `site/templates/` and `site/i18n.toml` under `root`, checking every template parses.
    pub fn load(root: &Path) -> Result<Templates, Error> {
        let dir = root.join("site").join("templates");
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_loader(minijinja::path_loader(&dir));
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        // minijinja's HTML escaping also writes `/` as `&#x2f;`, which is safe but makes every
        // address unreadable in the page source; escaping the five characters that matter in
        // text and quoted attributes is enough.
        env.set_formatter(|out, state, value| {
            if state.auto_escape() == minijinja::AutoEscape::None || value.is_safe() {
                return minijinja::escape_formatter(out, state, value);
            }
            let text = match value.as_str() {
                Some(s) => crate::chart::escape(s),
                None if value.is_undefined() || value.is_none() => String::new(),
                None => crate::chart::escape(&value.to_string()),
            };
            out.write_str(&text).map_err(minijinja::Error::from)
        });
        let t = Templates {
            env,
            strings: load_strings(&root.join("site").join("i18n.toml"))?,
            dir,
        };
        // Parse every template now, so that a syntax error is reported even in a template no
        // page happens to use yet.
        let entries = std::fs::read_dir(&t.dir).map_err(|e| Error::io(&t.dir, e))?;
        for entry in entries {
            let path = entry.map_err(|e| Error::io(&t.dir, e))?.path();
            if path.extension().is_some_and(|e| e == "html") {
                let name = path.file_name().unwrap_or_default().to_string_lossy();
                t.env.get_template(&name).map_err(|e| t.error(e))?;
            }
        }
        Ok(t)
    }

    fn error(&self, e: minijinja::Error) -> Error {
        let place = match (e.name(), e.line()) {
            (Some(name), Some(line)) => format!("{}:{line}: ", self.dir.join(name).display()),
            (Some(name), None) => format!("{}: ", self.dir.join(name).display()),
            _ => String::new(),
        };
        let mut message = format!("{place}{}", e.kind());
        if let Some(detail) = e.detail() {
            let _ = write!(message, ": {detail}");
        }
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            let _ = write!(message, ": {s}");
            source = s.source();
        }
        Error::Template(message)
    }

    fn render(&self, template: &str, ctx: Value) -> Result<String, Error> {
        self.env
            .get_template(template)
            .and_then(|t| t.render(ctx))
            .map_err(|e| self.error(e))
    }

    /// One interface string.
    fn s<'a>(&'a self, lang: Lang, key: &'a str) -> &'a str {
        self.strings[&lang].get(key).map_or(key, String::as_str)
    }
}

/// Reads the interface strings: a `[ja]` and an `[en]` table with the same keys.
fn load_strings(file: &Path) -> Result<BTreeMap<Lang, BTreeMap<String, String>>, Error> {
    let text = std::fs::read_to_string(file).map_err(|e| Error::io(file, e))?;
    let bad = |message: String| Error::Strings {
        file: file.to_path_buf(),
        message,
    };
    let mut all: BTreeMap<String, BTreeMap<String, String>> =
        toml::from_str(&text).map_err(|e| {
            let place = e.span().map_or(String::new(), |s| {
                let before = &text[..s.start];
                format!(
                    "{}:{}: ",
                    before.matches('\n').count() + 1,
                    before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1
                )
            });
            bad(format!(
                "{place}{} (expected [ja] and [en] tables of strings)",
                e.message()
            ))
        })?;
    let mut out = BTreeMap::new();
    for lang in Lang::ALL {
        let table = all
            .remove(lang.code())
            .ok_or_else(|| bad(format!("no [{}] table", lang.code())))?;
        out.insert(lang, table);
    }
    if let Some(extra) = all.keys().next() {
        return Err(bad(format!(
            "unknown table [{extra}]: expected only [ja] and [en]"
        )));
    }
    for lang in Lang::ALL {
        let other = lang.other();
        if let Some(k) = out[&lang].keys().find(|k| !out[&other].contains_key(*k)) {
            return Err(bad(format!(
                "[{}] has {k:?} but [{}] does not: every string needs both languages",
                lang.code(),
                other.code()
            )));
        }
    }
    Ok(out)
}

/// Everything the pages are made from.
pub struct Site<'a> {
    /// Each scenario with its results, in file order.
    pub runs: &'a [(Scenario, ScenarioResults)],
    /// The written pages.
    pub docs: &'a [Document],
    /// Whether a search index will be built.
    pub searchable: bool,
    /// Whether the pages carry the calculator.
    pub calculator: bool,
}

/// How much a render wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// HTML pages.
    pub pages: usize,
    /// All files (pages and downloads).
    pub files: usize,
}

/// A chart as a page shows it: the SVG, the words around it, its table and its downloads.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    /// Element id on the page and base of the download names.
    pub id: String,
    /// Heading.
    pub title: String,
    /// Caption under the chart.
    pub caption: String,
    /// The SVG markup (drawn by [`crate::chart`], which escapes all text).
    pub svg: String,
    /// The numbers as a table.
    pub table: Table,
    /// "What you should know about this chart".
    pub note: String,
    /// Sources of the inputs behind it.
    pub sources: Vec<String>,
    /// Downloads, relative to the page.
    pub downloads: Vec<Download>,
}

/// A file offered for download.
#[derive(Debug, Clone, Serialize)]
pub struct Download {
    /// Link text.
    pub label: String,
    /// Address relative to the page.
    pub href: String,
}

/// Files to write beside the pages: path under the site root (or the page), and contents.
type Files = Vec<(String, Vec<u8>)>;

/// One page to write: where, with which template and context.
struct Page {
    /// Path under the site root, ending in `/` (a directory with `index.html`), or empty for
    /// the root.
    path: String,
    template: &'static str,
    ctx: Value,
    lang: Option<Lang>,
}

/// Renders every page (and every download) into the staging directory.
pub fn render(t: &Templates, site: &Site, stage: &Staging) -> Result<Written, Error> {
    let mut files = Files::new();
    let mut pages = vec![Page {
        path: String::new(),
        template: "chooser.html",
        ctx: context! {},
        lang: None,
    }];

    for (sc, r) in site.runs {
        files.push((
            format!("data/{}/summary.json", sc.meta.id),
            pretty_json(&r.report)?,
        ));
        files.push((
            format!("data/{}/draws.csv", sc.meta.id),
            draws_csv(r).into_bytes(),
        ));
    }

    for lang in Lang::ALL {
        let l = lang.code();
        let cards: Vec<Value> = site
            .runs
            .iter()
            .map(|(sc, r)| scenario_card(t, lang, sc, r))
            .collect();
        let explainers = section_docs(site.docs, lang, "explainers");
        pages.push(Page {
            path: format!("{l}/"),
            template: "home.html",
            ctx: context! { scenarios => cards.clone(), explainers => explainers.clone() },
            lang: Some(lang),
        });
        pages.push(Page {
            path: format!("{l}/scenarios/"),
            template: "scenarios.html",
            ctx: context! { scenarios => cards.clone() },
            lang: Some(lang),
        });
        for (sc, r) in site.runs {
            let path = format!("{l}/scenarios/{}/", sc.meta.id);
            let (ctx, downloads) = scenario_page(t, lang, sc, r)?;
            let ctx = context! {
                calculator => site.calculator.then(|| calculator(t, lang, sc, r)),
                ..ctx
            };
            for (name, bytes) in downloads {
                files.push((format!("{path}{name}"), bytes));
            }
            pages.push(Page {
                path,
                template: "scenario.html",
                ctx,
                lang: Some(lang),
            });
        }
        pages.push(Page {
            path: format!("{l}/compare/"),
            template: "compare.html",
            ctx: context! {
                rows => compare_rows(lang, site.runs),
                methods => method_rows(t, lang, site.runs),
            },
            lang: Some(lang),
        });
        pages.push(Page {
            path: format!("{l}/levers/"),
            template: "levers.html",
            ctx: context! { rows => lever_rows(t, lang, site.runs) },
            lang: Some(lang),
        });
        pages.push(Page {
            path: format!("{l}/about/"),
            template: "about.html",
            ctx: context! { runs => about_rows(site.runs) },
            lang: Some(lang),
        });
        pages.push(Page {
            path: format!("{l}/search/"),
            template: "search.html",
            ctx: context! { searchable => site.searchable },
            lang: Some(lang),
        });
        for d in site.docs.iter().filter(|d| d.lang == lang) {
            pages.push(Page {
                path: format!("{l}/{}/", d.path),
                template: "page.html",
                ctx: context! {
                    doc => context! {
                        title => d.front.title,
                        summary => d.front.summary,
                        html => Value::from_safe_string(d.html.clone()),
                        section => d.section(),
                        // Long pages get a table of contents; short ones read better without.
                        toc => if d.toc.len() >= 5 { d.toc.clone() } else { Vec::new() },
                    },
                },
                lang: Some(lang),
            });
        }
        // Every folder of pages without a page of its own gets a list of its pages.
        let mut sections: Vec<&str> = site
            .docs
            .iter()
            .map(Document::section)
            .filter(|s| !s.is_empty())
            .collect();
        sections.sort_unstable();
        sections.dedup();
        for section in sections {
            if site.docs.iter().any(|d| d.path == section) {
                continue;
            }
            pages.push(Page {
                path: format!("{l}/{section}/"),
                template: "section.html",
                ctx: context! { section => section, docs => section_docs(site.docs, lang, section) },
                lang: Some(lang),
            });
        }
    }

    let mut written = Written { pages: 0, files: 0 };
    for page in pages {
        let ctx = match page.lang {
            Some(lang) => {
                let base = base_context(t, lang, &page.path);
                context! { ..page.ctx, ..base }
            }
            None => context! {
                root => "",
                version => VERSION,
                ja => Value::from_serialize(&t.strings[&Lang::Ja]),
                en => Value::from_serialize(&t.strings[&Lang::En]),
            },
        };
        let html = t.render(page.template, ctx)?;
        let file = format!("{}index.html", page.path);
        stage
            .write(&file, |w| w.write_all(html.as_bytes()))
            .map_err(|e| Error::io(&stage.path().join(&file), e))?;
        written.pages += 1;
    }
    for (name, bytes) in files {
        stage
            .write(&name, |w| w.write_all(&bytes))
            .map_err(|e| Error::io(&stage.path().join(&name), e))?;
        written.files += 1;
    }
    written.files += written.pages;
    Ok(written)
}

/// What every page's template can use: the language, the way back to the root, the address of
/// the same page in the other language, and the interface strings.
fn base_context(t: &Templates, lang: Lang, path: &str) -> Value {
    let depth = path.matches('/').count();
    let root = "../".repeat(depth);
    let in_lang = path.split_once('/').map_or("", |(_, rest)| rest);
    let section = in_lang.split('/').next().unwrap_or("");
    context! {
        lang => lang.code(),
        other_lang => lang.other().code(),
        root => root,
        home => format!("{root}{}/", lang.code()),
        path => in_lang,
        section => section,
        alternate => format!("{root}{}/{in_lang}", lang.other().code()),
        version => VERSION,
        t => Value::from_serialize(&t.strings[&lang]),
    }
}

fn pick(b: &Bilingual, lang: Lang) -> &str {
    match lang {
        Lang::Ja => &b.ja,
        Lang::En => &b.en,
    }
}

/// Replaces `{name}` placeholders in an interface string.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (k, v) in values {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

fn yen(x: f64, lang: Lang) -> String {
    format_value(x, Unit::Yen, lang)
}

/// An integer with thousands separators (10,000).
fn count(n: usize) -> String {
    thousands(&n.to_string())
}

fn percent(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// A number with three significant digits (QALYs, life years, rates).
fn plain(x: f64) -> String {
    format_value(x, Unit::Plain, Lang::En)
}

fn parameter_label(sc: &Scenario, name: &str, lang: Lang) -> String {
    sc.parameters
        .iter()
        .find(|p| p.name == name)
        .map_or_else(|| name.to_string(), |p| pick(&p.label, lang).to_string())
}

/// The headline in plain words: the price range at the first willingness to pay and what
/// drives its uncertainty.
fn headline(t: &Templates, lang: Lang, sc: &Scenario, r: &ScenarioResults) -> String {
    let Some(first) = r.thresholds.first() else {
        return String::new();
    };
    let mut s = fill(
        t.s(lang, "headline"),
        &[
            ("wtp", &yen(first.wtp, lang)),
            ("low", &yen(first.p2_5, lang)),
            ("high", &yen(first.p97_5, lang)),
            ("median", &yen(first.p50, lang)),
            ("draws", &count(r.draws)),
        ],
    );
    if let Some(top) = r.influence.first() {
        s.push_str(&fill(
            t.s(lang, "headline_driver"),
            &[("input", &parameter_label(sc, &top.parameter, lang))],
        ));
    }
    s
}

fn scenario_card(t: &Templates, lang: Lang, sc: &Scenario, r: &ScenarioResults) -> Value {
    context! {
        id => sc.meta.id,
        title => pick(&sc.meta.title, lang),
        summary => pick(&sc.meta.summary, lang),
        // A scenario that states no question is listed under its title.
        question => Some(pick(&sc.meta.question, lang)).filter(|q| !q.is_empty()).unwrap_or_else(|| pick(&sc.meta.title, lang)),
        headline => headline(t, lang, sc, r),
    }
}

fn section_docs(docs: &[Document], lang: Lang, section: &str) -> Vec<Value> {
    let mut list: Vec<&Document> = docs
        .iter()
        .filter(|d| d.lang == lang && d.section() == section)
        .collect();
    list.sort_by(|a, b| a.front.order.cmp(&b.front.order).then(a.path.cmp(&b.path)));
    list.into_iter()
        .map(|d| context! { slug => d.slug(), title => d.front.title, summary => d.front.summary })
        .collect()
}

/// A distribution in a compact, language-neutral notation.
fn describe(d: &Distribution) -> String {
    match d {
        Distribution::Fixed { value } => format!("fixed {}", plain(*value)),
        Distribution::Normal { mean, sd } => {
            format!("Normal(mean {}, sd {})", plain(*mean), plain(*sd))
        }
        Distribution::TruncatedNormal {
            mean,
            sd,
            lower,
            upper,
        } => format!(
            "Normal(mean {}, sd {}) in [{}, {}]",
            plain(*mean),
            plain(*sd),
            plain(*lower),
            plain(*upper)
        ),
        Distribution::LogNormal { meanlog, sdlog } => {
            format!(
                "LogNormal(meanlog {}, sdlog {})",
                plain(*meanlog),
                plain(*sdlog)
            )
        }
        Distribution::Beta { alpha, beta } => format!("Beta({}, {})", plain(*alpha), plain(*beta)),
        Distribution::Gamma { shape, scale } => {
            format!("Gamma(shape {}, scale {})", plain(*shape), plain(*scale))
        }
        Distribution::Uniform { min, max } => format!("Uniform({}, {})", plain(*min), plain(*max)),
        Distribution::Triangular { min, mode, max } => format!(
            "Triangular({}, {}, {})",
            plain(*min),
            plain(*mode),
            plain(*max)
        ),
        Distribution::Pert {
            min,
            mode,
            max,
            lambda,
        } => format!(
            "PERT({}, {}, {}; λ {})",
            plain(*min),
            plain(*mode),
            plain(*max),
            plain(*lambda)
        ),
        Distribution::Empirical { values } => format!("empirical ({} values)", values.len()),
    }
}

/// A value in the unit its parameter declares: amounts in yen as yen, with what follows the
/// currency ("per month", ", once") said in the reader's language; other units as written.
fn with_unit(x: f64, unit: Option<&str>, lang: Lang) -> String {
    let Some(unit) = unit else {
        return plain(x);
    };
    let lower = unit.to_ascii_lowercase();
    let Some(rest) = lower
        .strip_prefix("yen")
        .or_else(|| lower.strip_prefix("jpy"))
    else {
        return format!("{} {unit}", plain(x));
    };
    let rest = rest.trim_start_matches([',', ' ']);
    let per = match (lang, rest) {
        (_, "") => String::new(),
        (Lang::Ja, "per month") => "／月".into(),
        (Lang::Ja, "per year") => "／年".into(),
        (Lang::Ja, "per cycle") => "／サイクル".into(),
        (Lang::Ja, "once") => "（1回）".into(),
        (Lang::Ja, "per patient") => "／患者".into(),
        (Lang::En, r) if r.starts_with("per ") => format!(" {r}"),
        (_, r) => format!(" ({r})"),
    };
    format!("{}{per}", yen(x, lang))
}

fn source_text(sc: &Scenario, id: &str) -> String {
    sc.sources
        .iter()
        .find(|s| s.id == id)
        .map_or_else(|| id.to_string(), |s| s.citation.clone())
}

/// The citations of the sources a scenario's parameters name (and its background mortality's),
/// each once.
fn cited_sources(sc: &Scenario, with_mortality: bool) -> Vec<String> {
    let mut ids: Vec<&str> = sc.parameters.iter().map(|p| p.source.as_str()).collect();
    if with_mortality {
        ids.push(&sc.mortality_source);
    }
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter().map(|id| source_text(sc, id)).collect()
}

/// The scenario page's context and its downloads (paths relative to the page).
fn scenario_page(
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
                mean => yen(th.mean, lang),
                mcse => yen(th.mcse, lang),
                median => yen(th.p50, lang),
                low => yen(th.p2_5, lang),
                high => yen(th.p97_5, lang),
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
            let unit = p.unit.as_deref();
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
                Some(g) => format!("Dirichlet ({})", sc.dirichlets[g].name),
                None => describe(&p.distribution),
            };
            context! {
                name => p.name,
                label => pick(&p.label, lang),
                base => with_unit(p.base, unit, lang),
                distribution => distribution,
                spread => spread,
                source => source_text(sc, &p.source),
                note => p.note.clone().unwrap_or_default(),
            }
        })
        .collect();
    let sources: Vec<Value> = sc
        .sources
        .iter()
        .map(|s| context! { id => s.id, citation => s.citation, url => s.url, date => s.date })
        .collect();
    let settings = &sc.settings;
    let ctx = context! {
        scenario => context! {
            id => sc.meta.id,
            title => pick(&sc.meta.title, lang),
            summary => pick(&sc.meta.summary, lang),
            file => sc.file,
            sha256 => sc.hash,
        },
        headline => headline(t, lang, sc, r),
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
        mortality_source => source_text(sc, &sc.mortality_source),
        thresholds => thresholds,
        arms => arms,
        drivers => drivers,
        figures => shown,
        supply => supply_rows(t, lang, r),
        official => official_steps(t, lang, r),
        variants => variant_rows(t, lang, r),
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

/// Draws the calculator runs per request: enough for a steady median and 90% interval, few
/// enough to answer within a fifth of a second in the browser.
const CALCULATOR_DRAWS: usize = 5_000;

/// The calculator's controls as the page renders them (JavaScript shows and runs them; without
/// it the section stays hidden and the static results stand).
fn calculator(t: &Templates, lang: Lang, sc: &Scenario, r: &ScenarioResults) -> Value {
    let controls: Vec<Value> = sc
        .controls
        .iter()
        .map(|c| {
            let p = &sc.parameters[c.parameter];
            context! {
                kind => c.kind.key(),
                label => t.s(lang, &format!("calc_{}", c.kind.key())),
                parameter => p.name,
                parameter_label => pick(&p.label, lang),
                unit => p.unit.clone().unwrap_or_default(),
                min => c.min,
                max => c.max,
                step => (c.max - c.min) / 100.0,
                value => p.base,
            }
        })
        .collect();
    // The scenario's willingness-to-pay values and Japan's reference values.
    let mut wtps: Vec<f64> = sc.settings.wtp.clone();
    for w in [5_000_000.0, 7_500_000.0, 10_000_000.0, 15_000_000.0] {
        if !wtps.contains(&w) {
            wtps.push(w);
        }
    }
    let first = sc.settings.wtp.first().copied().unwrap_or(5_000_000.0);
    wtps.sort_by(f64::total_cmp);
    let methods: Vec<Value> = r.report["pricing"]["methods"]
        .as_array()
        .map(|m| {
            m.iter()
                .filter_map(|m| m["method"].as_str())
                .map(|id| context! { id => id, label => t.s(lang, &format!("method_{id}")) })
                .collect()
        })
        .unwrap_or_default();
    let instalment_years = sc.payments.as_ref().map(|p| p.instalment_years);
    context! {
        draws => CALCULATOR_DRAWS,
        draws_text => count(CALCULATOR_DRAWS),
        seed => r.seed,
        file => sc.file,
        controls => controls,
        wtps => wtps.iter().map(|&w| context! { value => w, label => yen(w, lang), selected => w == first }).collect::<Vec<_>>(),
        methods => methods,
        instalment_years => instalment_years,
    }
}

/// The command that reproduces a scenario's numbers.
fn rerun_command(sc: &Scenario, r: &ScenarioResults) -> String {
    format!(
        "tenbin run {} --seed {} --draws {}",
        sc.file, r.seed, r.draws
    )
}

/// The scenario page's charts, each with its words, in page order. Add a chart here.
fn scenario_figures(
    t: &Templates,
    lang: Lang,
    sc: &Scenario,
    r: &ScenarioResults,
) -> Vec<(Figure, Box<dyn Chart>)> {
    let mut out: Vec<(Figure, Box<dyn Chart>)> = Vec::new();
    let Some(first) = r.thresholds.first() else {
        return out;
    };
    let sources = cited_sources(sc, true);
    let words = |key: &str, extra: &[(&str, &str)]| {
        let mut values = vec![
            ("wtp", yen(first.wtp, lang)),
            ("draws", count(r.draws)),
            ("base", yen(first.base_case, lang)),
            ("median", yen(first.p50, lang)),
            ("low", yen(first.p2_5, lang)),
            ("high", yen(first.p97_5, lang)),
        ];
        values.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        let refs: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
        fill(t.s(lang, key), &refs)
    };
    let downloads = |id: &str| {
        ["csv", "json", "svg"]
            .iter()
            .map(|ext| Download {
                label: fill(t.s(lang, "download_as"), &[("format", &ext.to_uppercase())]),
                href: format!("data/{id}.{ext}"),
            })
            .chain(std::iter::once(Download {
                label: t.s(lang, "download_readme_link").to_string(),
                href: "data/README.txt".into(),
            }))
            .collect::<Vec<_>>()
    };

    // A chart's figure: the parts that differ are the chart, its words and its sources.
    let figure = |chart: Box<dyn Chart>,
                  title: String,
                  caption: String,
                  note: String,
                  sources: Vec<String>|
     -> (Figure, Box<dyn Chart>) {
        (
            Figure {
                id: chart.id().to_string(),
                title,
                caption,
                svg: chart.svg(),
                table: chart.table(),
                note,
                sources,
                downloads: downloads(chart.id()),
            },
            chart,
        )
    };
    let bar_figure = |chart: Bars, caption: String, note: String, sources: Vec<String>| {
        let title = chart.text.title.clone();
        figure(Box::new(chart), title, caption, note, sources)
    };
    let line_figure = |chart: Lines, caption: String, note: String, sources: Vec<String>| {
        let title = chart.text.title.clone();
        figure(Box::new(chart), title, caption, note, sources)
    };

    // 1. The threshold price distribution at the first willingness to pay.
    let prices = r.threshold_draws(first.wtp);
    let hist = Histogram {
        id: "threshold-price".into(),
        lang,
        text: Text {
            title: words("fig_threshold_title", &[]),
            description: words("fig_threshold_desc", &[]),
        },
        x: Axis {
            label: words("fig_threshold_x", &[]),
            unit: Unit::Yen,
        },
        y_label: t.s(lang, "fig_threshold_y").to_string(),
        bins: Histogram::bin(&prices, HISTOGRAM_BINS),
        markers: vec![
            Marker {
                value: first.p2_5,
                label: t.s(lang, "marker_p2_5").into(),
            },
            Marker {
                value: first.base_case,
                label: t.s(lang, "marker_base").into(),
            },
            Marker {
                value: first.p50,
                label: t.s(lang, "marker_median").into(),
            },
            Marker {
                value: first.p97_5,
                label: t.s(lang, "marker_p97_5").into(),
            },
        ],
    };
    out.push((
        Figure {
            id: hist.id.clone(),
            title: hist.text.title.clone(),
            caption: words("fig_threshold_caption", &[]),
            svg: hist.svg(),
            table: hist.table(),
            note: words("fig_threshold_note", &[]),
            sources: sources.clone(),
            downloads: downloads(&hist.id),
        },
        Box::new(hist),
    ));

    // 2. The cost-effectiveness plane at a price near the base-case threshold price.
    let price = round_price(first.base_case);
    let points: Vec<(f64, f64)> = r
        .delta_qalys
        .iter()
        .zip(&r.delta_costs)
        .take(PLANE_POINTS)
        .map(|(q, c)| (*q, c + price))
        .collect();
    let shown = count(points.len());
    let lines = r
        .thresholds
        .iter()
        .map(|th| Marker {
            value: th.wtp,
            label: fill(t.s(lang, "fig_plane_line"), &[("wtp", &yen(th.wtp, lang))]),
        })
        .collect();
    let plane = Scatter {
        id: "ce-plane".into(),
        lang,
        text: Text {
            title: words("fig_plane_title", &[("price", &yen(price, lang))]),
            description: String::new(),
        },
        x: Axis {
            label: t.s(lang, "fig_plane_x").to_string(),
            unit: Unit::Qalys,
        },
        y: Axis {
            label: words("fig_plane_y", &[("price", &yen(price, lang))]),
            unit: Unit::Yen,
        },
        points,
        lines,
    };
    let below = percent(plane.share_below(first.wtp));
    let mut plane = plane;
    plane.text.description = words(
        "fig_plane_desc",
        &[
            ("price", &yen(price, lang)),
            ("shown", &shown),
            ("below", &below),
        ],
    );
    out.push((
        Figure {
            id: plane.id.clone(),
            title: plane.text.title.clone(),
            caption: words(
                "fig_plane_caption",
                &[
                    ("price", &yen(price, lang)),
                    ("shown", &shown),
                    ("below", &below),
                ],
            ),
            svg: plane.svg(),
            table: plane.table(),
            note: words("fig_plane_note", &[("price", &yen(price, lang))]),
            sources,
            downloads: downloads(&plane.id),
        },
        Box::new(plane),
    ));

    // 3. Price by method: every pricing method that applies, with its 90% interval.
    if let Some(methods) = r.report["pricing"]["methods"].as_array() {
        let bars: Vec<Bar> = methods
            .iter()
            .filter_map(|m| {
                let id = m["method"].as_str()?;
                let value = m["p50"].as_f64().or_else(|| m["base_case"].as_f64())?;
                Some(Bar {
                    label: t.s(lang, &format!("method_{id}")).to_string(),
                    value,
                    low: m["p5"].as_f64().unwrap_or(value),
                    high: m["p95"].as_f64().unwrap_or(value),
                })
            })
            .collect();
        let no_viable = r.report["pricing"]["probability_no_viable_price"]
            .as_f64()
            .map(|p| fill(t.s(lang, "fig_methods_no_viable"), &[("p", &percent(p))]))
            .unwrap_or_default();
        let rule_set = r.report["pricing"]["rule_set"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let chart = Bars {
            id: "price-by-method".into(),
            lang,
            text: Text {
                title: words("fig_methods_title", &[]),
                description: words("fig_methods_desc", &[("rule_set", &rule_set)]),
            },
            x: Axis {
                label: t.s(lang, "fig_methods_x").to_string(),
                unit: Unit::Yen,
            },
            bars,
            interval_label: t.s(lang, "interval_90").to_string(),
            parts_of_a_whole: false,
        };
        let mut caption = words("fig_methods_caption", &[("rule_set", &rule_set)]);
        if !no_viable.is_empty() {
            caption.push_str(&no_viable);
        }
        out.push(bar_figure(
            chart,
            caption,
            t.s(lang, "fig_methods_note").to_string(),
            vec![t.s(lang, "pricing_rules_source").to_string()],
        ));
    }

    // 4. Where the money goes: cost per treated patient by component (scenarios with supply).
    if let Some(components) = r.report["supply"]["components"].as_array() {
        let bars: Vec<Bar> = components
            .iter()
            .filter_map(|c| {
                let cost = &c["cost"];
                let psa = &cost["psa"];
                let value = psa["mean"]
                    .as_f64()
                    .or_else(|| cost["base_case"].as_f64())?;
                let name = c["name"].as_str()?;
                (value != 0.0).then(|| Bar {
                    label: t.s(lang, &format!("component_{name}")).to_string(),
                    value,
                    low: psa["p2_5"].as_f64().unwrap_or(value),
                    high: psa["p97_5"].as_f64().unwrap_or(value),
                })
            })
            .collect();
        let total = r.report["supply"]["total_cost_per_treated"]["psa"]["mean"]
            .as_f64()
            .unwrap_or(0.0);
        let money = Bars {
            id: "where-the-money-goes".into(),
            lang,
            text: Text {
                title: t.s(lang, "fig_money_title").to_string(),
                description: words("fig_money_desc", &[("total", &yen(total, lang))]),
            },
            x: Axis {
                label: t.s(lang, "fig_money_x").to_string(),
                unit: Unit::Yen,
            },
            bars,
            interval_label: t.s(lang, "interval_95").to_string(),
            parts_of_a_whole: true,
        };
        // Costs do not depend on background mortality: only the parameters' sources.
        let sources = cited_sources(sc, false);
        out.push(bar_figure(
            money,
            words("fig_money_caption", &[("total", &yen(total, lang))]),
            t.s(lang, "fig_money_note").to_string(),
            sources,
        ));
    }
    // 5. What the payer expects to pay per patient under each payment scheme, with each
    // contract fixed at the base case.
    let payments = &r.report["payments"];
    if let Some(schemes) = payments["schemes"].as_array() {
        let target = payments["target_price"].as_f64().unwrap_or(f64::NAN);
        let bars: Vec<Bar> = schemes
            .iter()
            .filter_map(|s| {
                let id = s["scheme"].as_str()?;
                let c = &s["payer_cost"];
                let value = c["p50"].as_f64().unwrap_or(target);
                Some(Bar {
                    label: t.s(lang, &format!("scheme_{id}")).to_string(),
                    value,
                    low: c["p5"].as_f64().unwrap_or(value),
                    high: c["p95"].as_f64().unwrap_or(value),
                })
            })
            .collect();
        let extra = [("target", yen(target, lang))];
        let extra: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let chart = Bars {
            id: "payer-cost-by-scheme".into(),
            lang,
            text: Text {
                title: t.s(lang, "fig_schemes_title").to_string(),
                description: words("fig_schemes_desc", &extra),
            },
            x: Axis {
                label: t.s(lang, "fig_schemes_x").to_string(),
                unit: Unit::Yen,
            },
            bars,
            interval_label: t.s(lang, "interval_90").to_string(),
            parts_of_a_whole: false,
        };
        out.push(bar_figure(
            chart,
            words("fig_schemes_caption", &extra),
            t.s(lang, "fig_schemes_note").to_string(),
            vec![t.s(lang, "pricing_rules_source").to_string()],
        ));
    }

    // 6. Budget impact: spending year by year.
    let budget = &r.report["budget"];
    if let Some(years) = budget["years"].as_array() {
        let scheme = budget["scheme"].as_str().unwrap_or_default();
        let bars: Vec<Bar> = years
            .iter()
            .filter_map(|y| {
                let value = y["spending"].as_f64()?;
                let d = &y["spending_draws"];
                Some(Bar {
                    label: fill(
                        t.s(lang, "budget_year"),
                        &[("n", &y["year"].as_u64()?.to_string())],
                    ),
                    value,
                    low: d["p5"].as_f64().unwrap_or(value),
                    high: d["p95"].as_f64().unwrap_or(value),
                })
            })
            .collect();
        let extra = [
            ("scheme", t.s(lang, &format!("scheme_{scheme}")).to_string()),
            (
                "total",
                yen(budget["total"].as_f64().unwrap_or(f64::NAN), lang),
            ),
            (
                "nominal",
                yen(budget["nominal_price"].as_f64().unwrap_or(f64::NAN), lang),
            ),
        ];
        let extra: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let chart = Bars {
            id: "budget-impact".into(),
            lang,
            text: Text {
                title: t.s(lang, "fig_budget_title").to_string(),
                description: words("fig_budget_desc", &extra),
            },
            x: Axis {
                label: t.s(lang, "fig_budget_x").to_string(),
                unit: Unit::Yen,
            },
            bars,
            interval_label: t.s(lang, "interval_90").to_string(),
            parts_of_a_whole: true,
        };
        out.push(bar_figure(
            chart,
            words("fig_budget_caption", &extra),
            t.s(lang, "fig_budget_note").to_string(),
            cited_sources(sc, true),
        ));
    }
    // 7-9. Decision analyses: price acceptability, acceptability at a price, the tornado.
    let d = &r.decision;
    let decision_sources = cited_sources(sc, true);
    if let Some(curves) = d["price_acceptability"].as_array() {
        let series: Vec<Series> = curves
            .iter()
            .map(|c| Series {
                label: fill(
                    t.s(lang, "series_at_wtp"),
                    &[("wtp", &yen(c["wtp"].as_f64().unwrap_or(f64::NAN), lang))],
                ),
                points: c["points"]
                    .as_array()
                    .map(|ps| {
                        ps.iter()
                            .filter_map(|p| Some((p[0].as_f64()?, p[1].as_f64()?)))
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect();
        let chart = Lines {
            id: "price-acceptability".into(),
            lang,
            text: Text {
                title: t.s(lang, "fig_price_accept_title").to_string(),
                description: words("fig_price_accept_desc", &[]),
            },
            x: Axis {
                label: t.s(lang, "fig_price_accept_x").to_string(),
                unit: Unit::Yen,
            },
            y: Axis {
                label: t.s(lang, "fig_accept_y").to_string(),
                unit: Unit::Share,
            },
            series,
            markers: vec![Marker {
                value: first.base_case,
                label: t.s(lang, "marker_base").into(),
            }],
        };
        out.push(line_figure(
            chart,
            words("fig_price_accept_caption", &[]),
            t.s(lang, "fig_price_accept_note").to_string(),
            decision_sources.clone(),
        ));
    }
    if let Some(wtp) = d["ceac"]["wtp"].as_array() {
        let wtp: Vec<f64> = wtp.iter().filter_map(|x| x.as_f64()).collect();
        let price = d["ceac"]["price"].as_f64().unwrap_or(f64::NAN);
        let series: Vec<Series> = sc
            .arms
            .iter()
            .enumerate()
            .map(|(a, arm)| Series {
                label: pick(&arm.label, lang).to_string(),
                points: wtp
                    .iter()
                    .zip(d["ceac"]["probability"][a].as_array().into_iter().flatten())
                    .filter_map(|(w, p)| Some((*w, p.as_f64()?)))
                    .collect(),
            })
            .collect();
        let extra = [("price", yen(price, lang))];
        let extra: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let chart = Lines {
            id: "acceptability".into(),
            lang,
            text: Text {
                title: words("fig_ceac_title", &extra),
                description: words("fig_ceac_desc", &extra),
            },
            x: Axis {
                label: t.s(lang, "fig_ceac_x").to_string(),
                unit: Unit::Yen,
            },
            y: Axis {
                label: t.s(lang, "fig_ceac_y").to_string(),
                unit: Unit::Share,
            },
            series,
            markers: r
                .thresholds
                .iter()
                .map(|th| Marker {
                    value: th.wtp,
                    label: t.s(lang, "marker_wtp").to_string(),
                })
                .take(1)
                .collect(),
        };
        out.push(line_figure(
            chart,
            words("fig_ceac_caption", &extra),
            t.s(lang, "fig_ceac_note").to_string(),
            decision_sources.clone(),
        ));
    }
    if let Some(bars) = d["one_way"]["bars"].as_array() {
        // The input's value at each end, short: yen as yen, anything else as a number (the
        // table and the inputs section give the units).
        let input = |name: &str, x: f64| {
            let unit = sc
                .parameters
                .iter()
                .find(|p| p.name == name)
                .and_then(|p| p.unit.as_deref())
                .unwrap_or_default()
                .to_ascii_lowercase();
            if unit.starts_with("yen") || unit.starts_with("jpy") {
                yen(x, lang)
            } else {
                plain(x)
            }
        };
        let bars: Vec<TornadoBar> = bars
            .iter()
            .take(TORNADO_BARS)
            .filter_map(|b| {
                let name = b["parameter"].as_str()?;
                Some(TornadoBar {
                    label: parameter_label(sc, name, lang),
                    low_input: input(name, b["values"][0].as_f64()?),
                    high_input: input(name, b["values"][1].as_f64()?),
                    low: b["threshold_price"][0].as_f64()?,
                    high: b["threshold_price"][1].as_f64()?,
                })
            })
            .collect();
        let base = d["one_way"]["base_threshold_price"]
            .as_f64()
            .unwrap_or(first.base_case);
        let chart = Tornado {
            id: "tornado".into(),
            lang,
            text: Text {
                title: words("fig_tornado_title", &[]),
                description: words("fig_tornado_desc", &[]),
            },
            x: Axis {
                label: words("fig_threshold_x", &[]),
                unit: Unit::Yen,
            },
            base,
            base_label: fill(t.s(lang, "fig_tornado_base"), &[("base", &yen(base, lang))]),
            low_label: t.s(lang, "fig_tornado_low").to_string(),
            high_label: t.s(lang, "fig_tornado_high").to_string(),
            bars,
        };
        let title = chart.text.title.clone();
        out.push(figure(
            Box::new(chart),
            title,
            words("fig_tornado_caption", &[]),
            t.s(lang, "fig_tornado_note").to_string(),
            decision_sources,
        ));
    }
    out
}

/// Bars shown in the tornado.
const TORNADO_BARS: usize = 10;

/// The figures shown in their own sections rather than among the charts.
const SECTION_FIGURES: [(&str, &str); 5] = [
    ("payer-cost-by-scheme", "payments"),
    ("budget-impact", "budget"),
    ("price-acceptability", "decision"),
    ("acceptability", "decision"),
    ("tornado", "decision"),
];

/// The value of information: EVPI and the largest EVPPIs.
fn information_rows(t: &Templates, lang: Lang, sc: &Scenario, r: &ScenarioResults) -> Value {
    let vi = &r.decision["value_of_information"];
    if vi.is_null() {
        return Value::from(());
    }
    let rows: Vec<Value> = vi["evppi"]
        .as_array()
        .map(|e| {
            e.iter()
                .take(8)
                .map(|x| {
                    let params: Vec<String> = x["parameters"]
                        .as_array()
                        .map(|p| {
                            p.iter()
                                .filter_map(|n| n.as_str())
                                .map(|n| parameter_label(sc, n, lang))
                                .collect()
                        })
                        .unwrap_or_default();
                    context! {
                        label => params.join(" + "),
                        name => x["name"].as_str().unwrap_or_default(),
                        value => x["per_patient"].as_f64().map(|v| yen(v, lang)).unwrap_or_default(),
                        share => x["share_of_evpi"].as_f64().map(percent).unwrap_or_default(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let convergence: Vec<Value> = r.decision["convergence"]
        .as_array()
        .map(|c| {
            c.iter()
                .map(|x| {
                    context! {
                        draws => count(x["draws"].as_u64().unwrap_or(0) as usize),
                        mean => x["mean"].as_f64().map(|v| yen(v, lang)).unwrap_or_default(),
                        mcse => x["mcse"].as_f64().map(|v| yen(v, lang)).unwrap_or_default(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let nb = &r.decision["net_benefit"];
    let net_benefit = fill(
        t.s(lang, "net_benefit_sentence"),
        &[
            (
                "price",
                &yen(nb["price"].as_f64().unwrap_or(f64::NAN), lang),
            ),
            (
                "nmb",
                &yen(nb["monetary"]["mean"].as_f64().unwrap_or(f64::NAN), lang),
            ),
            (
                "nhb",
                &format!("{:.2}", nb["health"]["mean"].as_f64().unwrap_or(f64::NAN)),
            ),
            (
                "positive",
                &percent(nb["probability_positive"].as_f64().unwrap_or(f64::NAN)),
            ),
        ],
    );
    context! {
        net_benefit => net_benefit,
        wtp => yen(vi["wtp"].as_f64().unwrap_or(f64::NAN), lang),
        price => yen(vi["price"].as_f64().unwrap_or(f64::NAN), lang),
        evpi => yen(vi["evpi_per_patient"].as_f64().unwrap_or(f64::NAN), lang),
        population => vi["evpi_population"].as_f64().map(|v| yen(v, lang)),
        evppi => rows,
        convergence => convergence,
        words => t.s(lang, "voi_intro"),
    }
}

/// One row per payment scheme: its contract and what it does to payer and maker.
fn payment_rows(t: &Templates, lang: Lang, r: &ScenarioResults) -> Vec<Value> {
    let Some(schemes) = r.report["payments"]["schemes"].as_array() else {
        return Vec::new();
    };
    let money = |v: &serde_json::Value| v.as_f64().map(|x| yen(x, lang)).unwrap_or_default();
    schemes
        .iter()
        .map(|s| {
            let id = s["scheme"].as_str().unwrap_or_default();
            let payments: Vec<String> = s["payments"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .map(|p| {
                            let when = p["years"].as_f64().unwrap_or(0.0);
                            let key = match p["condition"].as_str() {
                                Some("in_response") => "payment_in_response",
                                Some("refund_if_response_lost_by_then") => "payment_refund",
                                _ => "payment_always",
                            };
                            let when_words = if when == 0.0 {
                                t.s(lang, "when_treatment").to_string()
                            } else {
                                fill(t.s(lang, "when_years"), &[("years", &plain(when))])
                            };
                            fill(
                                t.s(lang, key),
                                &[
                                    ("amount", &yen(p["share"].as_f64().unwrap_or(0.0).abs(), lang)),
                                    ("years", &plain(when)),
                                    ("when", &when_words),
                                ],
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let pp = &s["per_patient"];
            let spread = |k: &str| match (pp[k][0].as_f64(), pp[k][2].as_f64()) {
                (Some(a), Some(b)) => format!("{}{}{}", yen(a, lang), t.s(lang, "range_to"), yen(b, lang)),
                _ => t.s(lang, "not_applicable").to_string(),
            };
            context! {
                label => t.s(lang, &format!("scheme_{id}")),
                nominal => money(&s["nominal_price"]),
                payments => payments,
                maker => money(&s["maker_expected_receipts"]),
                in_full => pp["paid_in_full"].as_f64().map(percent).unwrap_or_else(|| t.s(lang, "not_applicable").to_string()),
                payer_spread => spread("payer"),
                above_value => s["probability_above_value"].as_f64().map(percent).unwrap_or_default(),
            }
        })
        .collect()
}

/// One row per variant, after a row for the scenario as written: what it changes, the
/// value-based prices it gives and, with `[supply]`, what supply costs and does under it (a
/// variant that flips a lever shows its effect there, not in the value-based price).
fn variant_rows(t: &Templates, lang: Lang, r: &ScenarioResults) -> Vec<Value> {
    let Some(variants) = r.report["variants"].as_array().filter(|v| !v.is_empty()) else {
        return Vec::new();
    };
    let money = |x: &serde_json::Value| x.as_f64().map(|x| yen(x, lang)).unwrap_or_default();
    let interval = |d: &serde_json::Value| match (d["p5"].as_f64(), d["p95"].as_f64()) {
        (Some(a), Some(b)) => format!("{}{}{}", yen(a, lang), t.s(lang, "range_to"), yen(b, lang)),
        _ => String::new(),
    };
    let supply = |cost: &serde_json::Value, never: &serde_json::Value, days: &serde_json::Value| {
        context! {
            cost => money(&cost["base_case"]),
            never_treated => never["base_case"].as_f64().map(percent).unwrap_or_default(),
            days => days["base_case"]
                .as_f64()
                .map(|x| fill(t.s(lang, "days"), &[("n", &format!("{x:.1}"))]))
                .unwrap_or_default(),
        }
    };
    let methods = r.report["pricing"]["methods"].as_array();
    let method = |id: &str| {
        methods
            .and_then(|m| m.iter().find(|m| m["method"] == id))
            .cloned()
            .unwrap_or_default()
    };
    let (value, savings) = (method("value_based"), method("shared_savings"));
    let sup = &r.report["supply"];
    let as_written = context! {
        label => t.s(lang, "variant_as_written"),
        role => "",
        share => "",
        set => Vec::<String>::new(),
        base_case => money(&value["base_case"]),
        interval => interval(&value),
        shared_savings => money(&savings["base_case"]),
        supply => (!sup.is_null()).then(|| supply(
            &sup["total_cost_per_treated"],
            &sup["never_treated"],
            &sup["time_to_treatment_days"],
        )),
    };
    let rows = variants.iter().map(|v| {
        let label = v["label"][lang.code()]
            .as_str()
            .filter(|l| !l.is_empty())
            .or_else(|| v["id"].as_str())
            .unwrap_or_default();
        let set: Vec<String> = v["set"]
            .as_array()
            .map(|s| {
                s.iter()
                    .map(|p| {
                        format!(
                            "{} = {}",
                            p[0].as_str().unwrap_or_default(),
                            p[1].as_str().unwrap_or_default()
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let first = &v["value_based"][0];
        let s = &v["supply"];
        context! {
            label => label,
            role => t.s(lang, &format!("role_{}", v["role"].as_str().unwrap_or("scenario"))),
            share => v["share"].as_f64().map(percent).unwrap_or_default(),
            set => set,
            base_case => money(&first["base_case"]),
            interval => interval(&first["draws"]),
            shared_savings => money(&v["shared_savings"]["base_case"]),
            supply => (!s.is_null()).then(|| supply(
                &s["cost_per_treated"],
                &s["never_treated"],
                &s["time_to_treatment_days"],
            )),
        }
    });
    std::iter::once(as_written).chain(rows).collect()
}

/// One row per budget year.
fn budget_rows(t: &Templates, lang: Lang, r: &ScenarioResults) -> Vec<Value> {
    let Some(years) = r.report["budget"]["years"].as_array() else {
        return Vec::new();
    };
    let range = |d: &serde_json::Value, f: &dyn Fn(f64) -> String| match (
        d["p5"].as_f64(),
        d["p95"].as_f64(),
    ) {
        (Some(a), Some(b)) => format!("{}{}{}", f(a), t.s(lang, "range_to"), f(b)),
        _ => String::new(),
    };
    let patients = |x: f64| format!("{x:.0}");
    years
        .iter()
        .map(|y| {
            context! {
                year => fill(t.s(lang, "budget_year"), &[("n", &y["year"].as_u64().unwrap_or(0).to_string())]),
                patients => y["patients_treated"].as_f64().map(patients).unwrap_or_default(),
                patients_range => range(&y["patients_treated_draws"], &patients),
                spending => y["spending"].as_f64().map(|x| yen(x, lang)).unwrap_or_default(),
                spending_range => range(&y["spending_draws"], &|x| yen(x, lang)),
            }
        })
        .collect()
}

/// The official calculations at the base case, step by step, with labels in the reader's
/// language.
fn official_steps(t: &Templates, lang: Lang, r: &ScenarioResults) -> Vec<Value> {
    let Some(calcs) = r.report["pricing"]["official"].as_array() else {
        return Vec::new();
    };
    calcs
        .iter()
        .map(|c| {
            let method = c["method"].as_str().unwrap_or_default();
            let steps: Vec<Value> = c["steps"]
                .as_array()
                .map(|steps| {
                    steps
                        .iter()
                        .map(|st| {
                            let label = st["label"].as_str().unwrap_or_default();
                            let rule = st["rule"].as_str().unwrap_or_default();
                            let value = st["value"].as_f64().unwrap_or(f64::NAN);
                            let (label, value) = match label.strip_prefix("premium ") {
                                // A named premium of the comparable-drug method: a rate.
                                Some(id) => (
                                    fill(
                                        t.s(lang, "step_premium_named"),
                                        &[("name", if lang == Lang::Ja { rule } else { id })],
                                    ),
                                    percent(value),
                                ),
                                None => (t.s(lang, &step_key(label)).to_string(), yen(value, lang)),
                            };
                            context! { label => label, value => value, rule => rule }
                        })
                        .collect()
                })
                .unwrap_or_default();
            context! {
                method => t.s(lang, &format!("method_{method}")),
                rule_set => c["rule_set"].as_str().unwrap_or_default(),
                route => t.s(lang, &format!("route_{}", c["route"].as_str().unwrap_or("drug"))),
                price => c["price"].as_f64().map(|x| yen(x, lang)).unwrap_or_default(),
                steps => steps,
            }
        })
        .collect()
}

/// The strings key of an official calculation step: `step_` and its label's words.
fn step_key(label: &str) -> String {
    let mut key = String::from("step");
    for word in label
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        key.push('_');
        key.push_str(&word.to_ascii_lowercase());
    }
    key
}

/// The scenario page's supply facts: never treated, time to treatment, price per treatment.
fn supply_rows(t: &Templates, lang: Lang, r: &ScenarioResults) -> Vec<Value> {
    let sup = &r.report["supply"];
    if sup.is_null() {
        return Vec::new();
    }
    let row = |label: String, m: &serde_json::Value, f: &dyn Fn(f64) -> String| {
        let get = |k: &str| m["psa"][k].as_f64();
        context! {
            label => label,
            base_case => m["base_case"].as_f64().map(f).unwrap_or_default(),
            mean => get("mean").map(f).unwrap_or_default(),
            interval => match (get("p2_5"), get("p97_5")) {
                (Some(a), Some(b)) => format!("{}{}{}", f(a), t.s(lang, "range_to"), f(b)),
                _ => String::new(),
            },
        }
    };
    let money = |x: f64| yen(x, lang);
    let days = |x: f64| fill(t.s(lang, "days"), &[("n", &format!("{x:.1}"))]);
    let mut rows = vec![
        row(
            t.s(lang, "row_total_cost").into(),
            &sup["total_cost_per_treated"],
            &money,
        ),
        row(
            t.s(lang, "row_never_treated").into(),
            &sup["never_treated"],
            &|x| format!("{:.2}%", 100.0 * x),
        ),
        row(
            t.s(lang, "row_time_to_treatment").into(),
            &sup["time_to_treatment_days"],
            &days,
        ),
        row(
            t.s(lang, "row_treated_with_oos").into(),
            &sup["treated_with_oos"],
            &|x| format!("{:.2}%", 100.0 * x),
        ),
        row(
            t.s(lang, "row_post_approval_burden").into(),
            &sup["post_approval_burden"],
            &money,
        ),
    ];
    if let Some(prices) = sup["threshold_price_per_treatment"].as_array() {
        for p in prices {
            let wtp = p[0].as_f64().unwrap_or(0.0);
            rows.push(row(
                fill(
                    t.s(lang, "row_price_per_treatment"),
                    &[("wtp", &yen(wtp, lang))],
                ),
                &p[1],
                &money,
            ));
        }
    }
    rows
}

/// One row per scenario with supply and lever, for the levers page.
fn lever_rows(t: &Templates, lang: Lang, runs: &[(Scenario, ScenarioResults)]) -> Vec<Value> {
    let mut rows = Vec::new();
    for (sc, r) in runs {
        let Some(levers) = r.levers.as_array() else {
            continue;
        };
        for l in levers {
            let name = l["lever"].as_str().unwrap_or_default();
            let change = |m: &serde_json::Value, f: &dyn Fn(f64) -> String| {
                let psa = &m["psa"];
                match (
                    psa["mean"].as_f64(),
                    psa["p2_5"].as_f64(),
                    psa["p97_5"].as_f64(),
                ) {
                    (Some(mean), Some(a), Some(b)) if a != b => {
                        format!("{} ({}{}{})", f(mean), f(a), t.s(lang, "range_to"), f(b))
                    }
                    (Some(mean), _, _) => f(mean),
                    _ => m["base_case"].as_f64().map(f).unwrap_or_default(),
                }
            };
            let signed_yen = |x: f64| {
                let v = yen(x, lang);
                if x > 0.0 { format!("+{v}") } else { v }
            };
            let on_off = |b: bool| {
                t.s(lang, if b { "lever_on" } else { "lever_off" })
                    .to_string()
            };
            rows.push(context! {
                id => sc.meta.id,
                title => pick(&sc.meta.title, lang),
                lever => t.s(lang, &format!("lever_{name}")).to_string(),
                setting => format!(
                    "{} → {}",
                    on_off(l["from"].as_bool().unwrap_or_default()),
                    on_off(l["to"].as_bool().unwrap_or_default())
                ),
                cost => change(&l["cost_per_treated"], &signed_yen),
                never => change(&l["never_treated"], &|x| format!("{:+.2}", 100.0 * x)),
                days => change(&l["time_to_treatment_days"], &|x| format!("{x:+.1}")),
                price => change(&l["threshold_price_per_treatment"][0][1], &signed_yen),
            });
        }
    }
    rows
}

/// A price rounded to three significant digits, as a round figure a reader can hold in mind.
fn round_price(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let step = 10f64.powf(x.abs().log10().floor() - 2.0);
    (x / step).round() * step
}

/// A figure's data as JSON: where it comes from, then its CSV columns and rows as numbers.
fn figure_json(
    sc: &Scenario,
    r: &ScenarioResults,
    fig: &Figure,
    chart: &dyn Chart,
) -> serde_json::Value {
    let csv = chart.csv();
    let mut lines = csv.lines();
    let columns: Vec<&str> = lines
        .next()
        .map(|h| h.split(',').collect())
        .unwrap_or_default();
    let rows: Vec<Vec<serde_json::Value>> = lines
        .map(|l| {
            l.split(',')
                .map(|v| {
                    v.parse::<f64>()
                        .ok()
                        .and_then(serde_json::Number::from_f64)
                        .map_or_else(|| serde_json::Value::from(v), serde_json::Value::Number)
                })
                .collect()
        })
        .collect();
    serde_json::json!({
        "chart": fig.id,
        "title": fig.title,
        "scenario": { "id": sc.meta.id, "file": sc.file, "sha256": sc.hash },
        "tenbin_version": VERSION,
        "seed": r.seed,
        "draws": r.draws,
        "columns": columns,
        "rows": rows,
    })
}

fn pretty_json<T: Serialize>(v: &T) -> Result<Vec<u8>, Error> {
    let mut bytes = serde_json::to_vec_pretty(v).map_err(|e| Error::Cache(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Every draw's incremental results and threshold prices.
fn draws_csv(r: &ScenarioResults) -> String {
    let mut out = String::from("draw,incremental_qalys,incremental_costs");
    for th in &r.thresholds {
        let _ = write!(out, ",threshold_price_{}", th.wtp);
    }
    out.push('\n');
    for (d, (q, c)) in r.delta_qalys.iter().zip(&r.delta_costs).enumerate() {
        let _ = write!(out, "{d},{q},{c}");
        for th in &r.thresholds {
            let _ = write!(out, ",{}", th.wtp * q - c);
        }
        out.push('\n');
    }
    out
}

/// One row per scenario and willingness to pay, for the comparison page.
fn compare_rows(lang: Lang, runs: &[(Scenario, ScenarioResults)]) -> Vec<Value> {
    runs.iter()
        .flat_map(|(sc, r)| {
            r.thresholds.iter().map(move |th| {
                context! {
                    id => sc.meta.id,
                    title => pick(&sc.meta.title, lang),
                    wtp => yen(th.wtp, lang),
                    base_case => yen(th.base_case, lang),
                    median => yen(th.p50, lang),
                    low => yen(th.p2_5, lang),
                    high => yen(th.p97_5, lang),
                    positive => percent(th.probability_positive),
                }
            })
        })
        .collect()
}

/// One row per scenario and pricing method, for the comparison page.
fn method_rows(t: &Templates, lang: Lang, runs: &[(Scenario, ScenarioResults)]) -> Vec<Value> {
    let mut rows = Vec::new();
    for (sc, r) in runs {
        let Some(methods) = r.report["pricing"]["methods"].as_array() else {
            continue;
        };
        for m in methods {
            let id = m["method"].as_str().unwrap_or_default();
            let f = |k: &str| m[k].as_f64().map(|x| yen(x, lang)).unwrap_or_default();
            rows.push(context! {
                id => sc.meta.id,
                title => pick(&sc.meta.title, lang),
                method => t.s(lang, &format!("method_{id}")).to_string(),
                base_case => f("base_case"),
                median => f("p50"),
                interval => match (m["p5"].as_f64(), m["p95"].as_f64()) {
                    (Some(a), Some(b)) => format!("{}{}{}", yen(a, lang), t.s(lang, "range_to"), yen(b, lang)),
                    _ => String::new(),
                },
            });
        }
    }
    rows
}

/// What the about page lists for each run.
fn about_rows(runs: &[(Scenario, ScenarioResults)]) -> Vec<Value> {
    runs.iter()
        .map(|(sc, r)| {
            context! {
                id => sc.meta.id,
                file => sc.file,
                sha256 => sc.hash,
                seed => r.seed,
                draws => count(r.draws),
                command => rerun_command(sc, r),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_round_to_three_significant_digits() {
        assert_eq!(round_price(342_986_897.0), 343_000_000.0);
        assert_eq!(round_price(-1_234_567.0), -1_230_000.0);
        assert_eq!(round_price(0.0), 0.0);
    }

    #[test]
    fn units_are_said_in_the_readers_language() {
        assert_eq!(
            with_unit(1_500_000.0, Some("yen, once"), Lang::Ja),
            "150万円（1回）"
        );
        assert_eq!(
            with_unit(1_500_000.0, Some("yen, once"), Lang::En),
            "¥1.5m (once)"
        );
        assert_eq!(
            with_unit(20_000.0, Some("yen per month"), Lang::Ja),
            "2万円／月"
        );
        assert_eq!(
            with_unit(20_000.0, Some("yen per month"), Lang::En),
            "¥20,000 per month"
        );
        assert_eq!(with_unit(25.0, Some("years"), Lang::En), "25 years");
        assert_eq!(with_unit(0.85, None, Lang::Ja), "0.85");
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            fill("{a} and {b}, {a}", &[("a", "x"), ("b", "y")]),
            "x and y, x"
        );
        assert_eq!(count(10_000), "10,000");
        assert_eq!(count(999), "999");
    }
}
