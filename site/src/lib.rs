//! # tenbin-site
//!
//! The static-site generator behind Tenbin's public site: every scenario in `models/` run and
//! shown beside the plain-language explainers in `content/`, in Japanese and English.
//!
//! A build reads like its steps ([`build`]):
//!
//! 1. load the templates (`site/templates/`, minijinja) and the interface strings
//!    (`site/i18n.toml`, [`i18n`]);
//! 2. load and run every scenario ([`results`], cached by scenario hash, seed, draws and version);
//! 3. load the written pages ([`content`]: Markdown with front matter, sanitised);
//! 4. render every page in both languages ([`pages`]), with charts from [`chart`] and their
//!    downloads and numbers written for each language ([`i18n`]), into a staging directory
//!    ([`staging`]);
//! 5. copy `site/assets/`, check every internal link and anchor ([`links`]), index the site for
//!    search (Pagefind), and only then swap the staging directory in for the old site.
//!
//! Any error (a broken scenario, template or page, a broken link) stops the build with the file
//! and place, and the previous site stays as it was.
//!
//! Adding a page is a Markdown file pair in `content/`; adding a chart to the scenario page is a
//! [`chart::Chart`] plus one [`pages::Figure`] in `scenario_figures` (`pages/figures.rs`).

pub mod chart;
pub mod content;
pub mod i18n;
pub mod links;
pub mod pages;
pub mod results;
pub mod staging;

use std::path::{Path, PathBuf};

use tenbin_engine::scenario::Scenario;

/// Why a build failed. Every variant names the file (and where it can, the line and column).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A scenario file is invalid (the messages carry file, line and column).
    #[error("{0}")]
    Scenario(String),
    /// A scenario is valid but could not be run.
    #[error("{file}: {message}")]
    Run {
        /// The scenario file.
        file: String,
        /// What went wrong.
        message: String,
    },
    /// A Markdown page is invalid.
    #[error("{}:{line}:{column}: {message}", file.display())]
    Content {
        /// The page's file.
        file: PathBuf,
        /// Line, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A template failed to load or render.
    #[error("{0}")]
    Template(String),
    /// The interface strings are invalid.
    #[error("{}: {message}", file.display())]
    Strings {
        /// The strings file.
        file: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The built site has broken links.
    #[error("{} broken link(s) in the built site:\n  {}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n  "))]
    Links(Vec<links::BrokenLink>),
    /// The search index could not be built.
    #[error("search index: {0}")]
    Search(String),
    /// The calculator could not be added.
    #[error("calculator: {0}")]
    Calculator(String),
    /// The results cache could not be written.
    #[error("results cache: {0}")]
    Cache(String),
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// How the search index is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Search {
    /// No index (the search page says search is unavailable); for tests and quick previews.
    Off,
    /// Run this Pagefind executable on the staged site.
    Pagefind(PathBuf),
}

/// What to build, from where, and where to.
#[derive(Debug, Clone)]
pub struct Options {
    /// The project's root: `models/`, `content/`, `site/templates/`, `site/assets/` and
    /// `site/i18n.toml` are found under it.
    pub root: PathBuf,
    /// Where the site goes (replaced as a whole).
    pub out: PathBuf,
    /// Where run results are cached.
    pub cache: PathBuf,
    /// Seed of every scenario's random streams.
    pub seed: u64,
    /// Probabilistic draws per scenario.
    pub draws: usize,
    /// Worker threads (results do not depend on it).
    pub threads: Option<usize>,
    /// Search index.
    pub search: Search,
    /// The calculator's WebAssembly build for the browser (the directory holding
    /// `tenbin_calculator.js` and `tenbin_calculator_bg.wasm`, as `site/tools/build-calculator`
    /// writes them to `target/calculator/web/`), or `None` to leave the calculator out.
    pub calculator: Option<PathBuf>,
}

impl Options {
    /// Defaults for a project rooted at `root`: the site in `public/`, the cache in
    /// `target/tenbin-site-cache/`, the engine's default seed and 10,000 draws per scenario.
    pub fn new(root: &Path) -> Options {
        Options {
            root: root.to_path_buf(),
            out: root.join("public"),
            cache: root.join("target").join("tenbin-site-cache"),
            seed: tenbin_engine::run::RunOptions::default().seed,
            draws: 10_000,
            threads: None,
            search: Search::Off,
            calculator: None,
        }
    }
}

/// One scenario as the build used it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioBuilt {
    /// Scenario id.
    pub id: String,
    /// Its file, relative to the project root.
    pub file: String,
    /// Draws run (or read from the cache).
    pub draws: usize,
    /// Whether the results came from the cache.
    pub cached: bool,
}

/// What a build did.
#[derive(Debug, Clone, PartialEq)]
pub struct Built {
    /// HTML pages written.
    pub pages: usize,
    /// Files written in all.
    pub files: usize,
    /// The scenarios, in the order they appear on the site.
    pub scenarios: Vec<ScenarioBuilt>,
    /// Whether a search index was built.
    pub searchable: bool,
}

/// Every scenario file under `models/`: the library's own files (directly in `models/`) by
/// path, then those in sub-folders (such as `models/reference/`, the engine's yardsticks).
pub fn scenario_files(root: &Path) -> Result<Vec<PathBuf>, Error> {
    let models = root.join("models");
    let mut files = toml_files_under(&models)?;
    files.sort_by_key(|p| (p.parent() != Some(models.as_path()), p.clone()));
    Ok(files)
}

/// Every `.toml` file under `dir`, at any depth, sorted by path.
pub fn toml_files_under(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.map_err(|e| walk_error(dir, e))?;
        if entry.file_type().is_file() && entry.path().extension().is_some_and(|e| e == "toml") {
            files.push(entry.into_path());
        }
    }
    files.sort();
    Ok(files)
}

/// A failed directory walk as the site's I/O error, naming the path that failed.
fn walk_error(dir: &Path, e: walkdir::Error) -> Error {
    let path = e.path().unwrap_or(dir).to_path_buf();
    Error::io(&path, e.into())
}

/// Builds the whole site. On any error the previous site at `opts.out` is left as it was.
pub fn build(opts: &Options) -> Result<Built, Error> {
    let templates = pages::Templates::load(&opts.root)?;

    let mut runs = Vec::new();
    let mut built = Vec::new();
    for file in scenario_files(&opts.root)? {
        // Scenario files name themselves relative to the project root in messages and on pages.
        let rel = file.strip_prefix(&opts.root).unwrap_or(&file).to_path_buf();
        let sc = load_scenario(&opts.root, &rel)?;
        // A Japanese page must not show a note or unit in English only: refused before running.
        let untranslated = pages::missing_japanese(&sc);
        if !untranslated.is_empty() {
            return Err(Error::Scenario(
                tenbin_engine::scenario::ScenarioErrors(untranslated).to_string(),
            ));
        }
        let (results, cached) =
            results::load_or_run(&sc, opts.seed, opts.draws, opts.threads, &opts.cache)?;
        built.push(ScenarioBuilt {
            id: sc.meta.id.clone(),
            file: rel.to_string_lossy().replace('\\', "/"),
            draws: results.draws,
            cached,
        });
        runs.push((sc, results));
    }
    if let Some(dup) = runs
        .iter()
        .enumerate()
        .find_map(|(i, (a, _))| runs[..i].iter().find(|(b, _)| b.meta.id == a.meta.id))
    {
        return Err(Error::Run {
            file: dup.0.file.clone(),
            message: format!(
                "another scenario file also has id {:?}; ids name pages and must be unique",
                dup.0.meta.id
            ),
        });
    }

    let docs = content::load(&opts.root.join("content"))?;
    let stage = staging::Staging::new(&opts.out).map_err(|e| Error::io(&opts.out, e))?;
    let site = pages::Site {
        runs: &runs,
        docs: &docs,
        searchable: opts.search != Search::Off,
        calculator: opts.calculator.is_some(),
    };
    let written = pages::render(&templates, &site, &stage)?;
    let calculator_files = match &opts.calculator {
        Some(module) => add_calculator(&opts.root, module, &runs, &stage)?,
        None => 0,
    };
    let assets = copy_dir(
        &opts.root.join("site").join("assets"),
        &stage.path().join("assets"),
    )?;

    let broken = links::check(stage.path()).map_err(|e| Error::io(stage.path(), e))?;
    if !broken.is_empty() {
        return Err(Error::Links(broken));
    }
    if let Search::Pagefind(bin) = &opts.search {
        index_for_search(bin, stage.path())?;
    }
    stage.commit().map_err(|e| Error::io(&opts.out, e))?;
    Ok(Built {
        pages: written.pages,
        files: written.files + assets + calculator_files,
        scenarios: built,
        searchable: opts.search != Search::Off,
    })
}

/// Loads a scenario, with errors naming it by its path relative to the project root.
fn load_scenario(root: &Path, rel: &Path) -> Result<Scenario, Error> {
    Scenario::load_as(&root.join(rel), &rel.to_string_lossy())
        .map(|(sc, _)| sc)
        .map_err(|errors| Error::Scenario(errors.to_string()))
}

/// The calculator: its module in `calculator/`, and each scenario as the bundle the page loads
/// (`data/ID/calculator.json`: the scenario's text and the files it reads, and the answer for
/// the page's own run). Returns how many files it wrote.
fn add_calculator(
    root: &Path,
    module: &Path,
    runs: &[(Scenario, results::ScenarioResults)],
    stage: &staging::Staging,
) -> Result<usize, Error> {
    let mut n = 0;
    for name in ["tenbin_calculator.js", "tenbin_calculator_bg.wasm"] {
        let from = module.join(name);
        if !from.is_file() {
            return Err(Error::Calculator(format!(
                "{} is missing: run site/tools/build-calculator (or build with --no-calculator)",
                from.display()
            )));
        }
        let to = stage.path().join("calculator").join(name);
        std::fs::create_dir_all(stage.path().join("calculator")).map_err(|e| Error::io(&to, e))?;
        std::fs::copy(&from, &to).map_err(|e| Error::io(&from, e))?;
        n += 1;
    }
    for (sc, results) in runs {
        let scenario = tenbin_calculator::Bundle::read(&root.join(&sc.file), &sc.file)
            .map_err(|e| Error::Calculator(e.to_string()))?;
        let bundle = pages::calculator_bundle(scenario, results);
        let json = serde_json::to_vec(&bundle).map_err(|e| Error::Calculator(e.to_string()))?;
        let name = format!("data/{}/calculator.json", sc.meta.id);
        stage
            .write(&name, |w| w.write_all(&json))
            .map_err(|e| Error::io(&stage.path().join(&name), e))?;
        n += 1;
    }
    Ok(n)
}

/// Copies the files of `from` into `to`; returns how many.
fn copy_dir(from: &Path, to: &Path) -> Result<usize, Error> {
    std::fs::create_dir_all(to).map_err(|e| Error::io(to, e))?;
    let mut n = 0;
    for entry in walkdir::WalkDir::new(from).min_depth(1) {
        let entry = entry.map_err(|e| walk_error(from, e))?;
        let rel = entry.path().strip_prefix(from).unwrap_or(entry.path());
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).map_err(|e| Error::io(&dest, e))?;
        } else {
            std::fs::copy(entry.path(), &dest).map_err(|e| Error::io(entry.path(), e))?;
            n += 1;
        }
    }
    Ok(n)
}

/// Runs Pagefind over the staged site: one index per page language, Japanese segmented.
fn index_for_search(bin: &Path, site: &Path) -> Result<(), Error> {
    let out = std::process::Command::new(bin)
        .arg("--site")
        .arg(site)
        .output()
        .map_err(|e| Error::Search(format!("could not start {}: {e}", bin.display())))?;
    if !out.status.success() {
        return Err(Error::Search(format!(
            "{} failed ({}):\n{}{}",
            bin.display(),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    if !site.join("pagefind").join("pagefind.js").is_file() {
        return Err(Error::Search(
            "Pagefind ran but wrote no pagefind/pagefind.js".into(),
        ));
    }
    Ok(())
}
