//! Every page of the site, in both languages: what each page shows (built here as data) and how
//! it looks (the minijinja templates in `site/templates/`, auto-escaped).
//!
//! Numbers are formatted in Rust ([`crate::i18n`]), for each language, so templates only place
//! words and ready-made values. Interface words come from `site/i18n.toml`, whose Japanese and
//! English tables must have the same keys; a template that asks for a missing key or value fails
//! the build (strict undefined), naming the template and line.
//!
//! Pages live at `/<lang>/<path>/index.html`. Every link is relative (`root` leads back to the
//! site's root), so the site works from any folder of any web server, or from a file system.
//!
//! Here are the templates, the list of pages and what every page shares; what each kind of page
//! shows is built in a file of its own: the home page and scenario list (`home`), the scenario
//! page (`scenario`, with its charts in `figures`, its tables in `tables` and its calculator in
//! `calculator`), the comparison (`compare`), levers (`levers`) and about (`about`) pages, and
//! the data files offered for download (`downloads`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use minijinja::{Environment, UndefinedBehavior, Value, context};
use serde::Serialize;
use tenbin_engine::report::VERSION;
use tenbin_engine::scenario::Scenario;

use crate::Error;
use crate::chart::Table;
use crate::content::Document;
use crate::i18n::{Lang, load_strings};
use crate::results::ScenarioResults;
use crate::staging::Staging;

mod about;
mod answer;
mod calculator;
mod compare;
mod downloads;
mod figures;
mod home;
mod levers;
mod overview;
mod scenario;
mod tables;

use about::about_rows;
pub(crate) use calculator::bundle as calculator_bundle;
use calculator::calculator;
use compare::{compare_rows, method_rows};
use downloads::{draws_csv_gz, pretty_json};
use home::{scenario_card, section_docs};
use levers::lever_rows;
pub use scenario::missing_japanese;
use scenario::scenario_page;

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
    /// The SVG markup for wide screens (drawn by [`crate::chart`], which escapes all text); also
    /// the download.
    pub svg: String,
    /// The same chart drawn for phones; the stylesheet shows one of the two.
    pub svg_narrow: String,
    /// The numbers as a table.
    pub table: Table,
    /// "What you should know about this chart".
    pub note: String,
    /// Sources of the inputs behind it, by their number in the page's reference list.
    pub sources: Vec<scenario::Cited>,
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

/// The reference model (`models/reference/`): the engine's yardstick against the independent
/// reference implementation, not a product anyone prices.
pub(super) fn is_reference_model(sc: &Scenario) -> bool {
    std::path::Path::new(&sc.file)
        .parent()
        .and_then(|d| d.file_name())
        .is_some_and(|d| d == "reference")
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
            format!("data/{}/draws.csv.gz", sc.meta.id),
            draws_csv_gz(r)?,
        ));
    }

    // The reference model is the engine's yardstick, not a product: it keeps its page but is
    // listed on the about page only, not among the scenarios, the comparison or the levers.
    let (yardsticks, public): (Vec<_>, Vec<_>) =
        site.runs.iter().partition(|(sc, _)| is_reference_model(sc));
    let public_runs: Vec<(Scenario, ScenarioResults)> = public.into_iter().cloned().collect();
    for lang in Lang::ALL {
        let l = lang.code();
        let cards: Vec<Value> = public_runs
            .iter()
            .map(|(sc, r)| scenario_card(t, lang, sc, r))
            .collect();
        let explainers = section_docs(site.docs, lang, "explainers");
        // The overview chart leads the home and compare pages; its files sit beside each.
        let overview = overview::overview_figure(t, lang, &public_runs);
        for page in [format!("{l}/"), format!("{l}/compare/")] {
            for (name, bytes) in overview.iter().flat_map(|(_, files)| files.clone()) {
                files.push((format!("{page}{name}"), bytes));
            }
        }
        let overview = overview.map(|(figure, _)| figure);
        pages.push(Page {
            path: format!("{l}/"),
            template: "home.html",
            ctx: context! { scenarios => cards.clone(), explainers => explainers.clone(), overview => overview.clone() },
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
            // The one-page summary for printing: the same context, its own template.
            pages.push(Page {
                path: format!("{path}summary/"),
                template: "summary.html",
                ctx: ctx.clone(),
                lang: Some(lang),
            });
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
                rows => compare_rows(lang, &public_runs),
                methods => method_rows(t, lang, &public_runs),
                overview => overview.clone(),
                side_by_side => overview::side_by_side(t, lang, &public_runs),
            },
            lang: Some(lang),
        });
        pages.push(Page {
            path: format!("{l}/levers/"),
            template: "levers.html",
            ctx: context! { rows => lever_rows(t, lang, &public_runs) },
            lang: Some(lang),
        });
        pages.push(Page {
            path: format!("{l}/about/"),
            template: "about.html",
            ctx: context! {
                runs => about_rows(lang, site.runs),
                yardsticks => yardsticks.iter().map(|(sc, _)| context! { id => sc.meta.id, title => crate::i18n::pick(&sc.meta.title, lang) }).collect::<Vec<_>>(),
            },
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
