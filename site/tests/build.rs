//! The generator end to end, on the fixture site in `tests/fixture/` (a small made-up scenario
//! and a few pages) with the real templates, strings and stylesheet: snapshots of what it
//! renders, the cache, reproducibility, and builds that must fail without touching the
//! previous site.

use std::fs;
use std::path::{Path, PathBuf};

use tenbin_site::{Error, Options, Search, build};

const DRAWS: usize = 400;

/// A fresh copy of the fixture project (its models and content, the real site/ files) in a
/// temporary directory of its own.
struct Fixture {
    root: PathBuf,
}

impl Fixture {
    fn new(name: &str) -> Fixture {
        let root = std::env::temp_dir().join(format!("tenbin-site-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        copy(&here.join("tests/fixture"), &root);
        for part in ["templates", "assets", "i18n.toml"] {
            copy(&here.join(part), &root.join("site").join(part));
        }
        Fixture { root }
    }

    fn options(&self) -> Options {
        let mut o = Options::new(&self.root);
        o.draws = DRAWS;
        o.search = Search::Off;
        o
    }

    fn out(&self, file: &str) -> String {
        fs::read_to_string(self.root.join("public").join(file))
            .unwrap_or_else(|e| panic!("{file}: {e}"))
    }

    fn edit(&self, file: &str, from: &str, to: &str) {
        let path = self.root.join(file);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file} has no {from:?}");
        fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}

fn copy(from: &Path, to: &Path) {
    if from.is_dir() {
        fs::create_dir_all(to).unwrap();
        for e in fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            copy(&e.path(), &to.join(e.file_name()));
        }
    } else {
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::copy(from, to).unwrap();
    }
}

/// The `<main>` element of a page: what differs between pages (the header and footer are the
/// same everywhere and checked once, on the home page).
fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("a <main>");
    let end = html.find("</main>").expect("a </main>") + "</main>".len();
    &html[start..end]
}

/// Every file of a built site with its bytes, for comparing two builds.
fn snapshot_dir(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
                out.push((rel, fs::read(&p).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[test]
fn the_fixture_site_renders_as_recorded() {
    let f = Fixture::new("snapshots");
    let built = build(&f.options()).unwrap();
    assert_eq!(built.scenarios.len(), 1);
    assert_eq!(built.scenarios[0].file, "models/one-dose-cell-therapy.toml");
    assert!(!built.scenarios[0].cached);
    // Chooser; per language: home, scenarios, one scenario and its one-page summary, compare,
    // levers, about, search, two explainers, the explainers list, glossary and methods.
    assert_eq!(built.pages, 1 + 2 * 13);
    // The summary answers as the scenario page does, with the same range.
    let summary = f.out("ja/scenarios/one-dose-cell-therapy/summary/index.html");
    let page = f.out("ja/scenarios/one-dose-cell-therapy/index.html");
    assert!(summary.contains("<h1>テスト用：単回投与の細胞治療と標準治療の比較</h1>"));
    assert!(summary.contains("このモデルが示す価格の目安は340万円〜1606万円です。"));
    assert!(page.contains("このモデルが示す価格の目安は340万円〜1606万円です。"));
    assert!(page.contains(r#"<a href="summary/">"#));

    insta::assert_snapshot!("chooser", f.out("index.html"));
    insta::assert_snapshot!("home_ja", f.out("ja/index.html"));
    let scenario = "scenarios/one-dose-cell-therapy/";
    insta::assert_snapshot!(
        "scenario_ja",
        main_of(&f.out(&format!("ja/{scenario}index.html")))
    );
    insta::assert_snapshot!(
        "scenario_en",
        main_of(&f.out(&format!("en/{scenario}index.html")))
    );
    insta::assert_snapshot!(
        "threshold_price_svg_en",
        f.out(&format!("en/{scenario}data/threshold-price.svg"))
    );
    insta::assert_snapshot!("readme_ja", f.out(&format!("ja/{scenario}data/README.txt")));
    insta::assert_snapshot!(
        "where_the_money_goes_svg_ja",
        f.out(&format!("ja/{scenario}data/where-the-money-goes.svg"))
    );
    insta::assert_snapshot!("levers_en", main_of(&f.out("en/levers/index.html")));
    insta::assert_snapshot!(
        "explainer_en",
        main_of(&f.out("en/explainers/reading-the-charts/index.html"))
    );
}

#[test]
fn pages_carry_language_links_and_a_content_security_policy() {
    let f = Fixture::new("i18n");
    build(&f.options()).unwrap();
    let ja = f.out("ja/glossary/index.html");
    assert!(ja.starts_with("<!doctype html>\n<html lang=\"ja\">"));
    assert!(ja.contains("<link rel=\"alternate\" hreflang=\"en\" href=\"../../en/glossary/\">"));
    assert!(ja.contains(
        "class=\"lang-switch\" href=\"../../en/glossary/\" hreflang=\"en\" lang=\"en\">English</a>"
    ));
    assert!(ja.contains("Content-Security-Policy\" content=\"default-src 'self';"));
    let en = f.out("en/glossary/index.html");
    assert!(en.contains("<html lang=\"en\">"));
    assert!(en.contains("hreflang=\"ja\" lang=\"ja\">日本語</a>"));
    // Raw HTML in Markdown is stripped; the heading keeps its id for links.
    let explainer = f.out("ja/explainers/reading-the-charts/index.html");
    assert!(!explainer.contains("<script>alert"));
    assert!(explainer.contains("<h2 id=\"distribution\">分布</h2>"));
    // No page asks for anything from another host.
    for (name, bytes) in snapshot_dir(&f.root.join("public")) {
        if name.ends_with(".html") {
            let text = String::from_utf8(bytes).unwrap();
            for attr in ["src=\"http", "href=\"//", "src=\"//", "url(http"] {
                assert!(!text.contains(attr), "{name} has {attr}");
            }
        }
    }
}

#[test]
fn the_page_shows_the_numbers_of_the_run() {
    let f = Fixture::new("numbers");
    build(&f.options()).unwrap();
    let summary: serde_json::Value =
        serde_json::from_str(&f.out("data/one-dose-cell-therapy/summary.json")).unwrap();
    assert_eq!(summary["draws"], DRAWS);
    let first = &summary["threshold_price"][0];
    let page = f.out("en/scenarios/one-dose-cell-therapy/index.html");
    for key in ["p2_5", "p50", "p97_5", "base_case"] {
        let v = first[key].as_f64().unwrap();
        let shown = tenbin_site::chart::format_value(
            v,
            tenbin_site::chart::Unit::Yen,
            tenbin_site::chart::Lang::En,
        );
        assert!(page.contains(&shown), "{key} = {v} shown as {shown}");
    }
    // The download is the CLI's draws table (every parameter included), gzipped; every draw's
    // threshold price in it is w * dQALY - dCost of that draw.
    let gz = std::fs::read(
        f.root
            .join("public/data/one-dose-cell-therapy/draws.csv.gz"),
    )
    .unwrap();
    let mut csv = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut csv).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let sc =
        tenbin_engine::scenario::Scenario::load(&f.root.join("models/one-dose-cell-therapy.toml"))
            .unwrap();
    let mut want = vec!["draw".to_string()];
    want.extend((0..sc.slot_count()).map(|k| sc.slot_name(k).to_string()));
    assert_eq!(header[..want.len()], want, "the draw, then every parameter");
    let (dq, dc) = (col("incremental.qalys"), col("incremental.costs"));
    let (w5, w10) = (
        col("threshold_price.5000000"),
        col("threshold_price.10000000"),
    );
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), DRAWS);
    for r in &rows {
        assert_eq!(r[w5], 5e6 * r[dq] - r[dc]);
        assert_eq!(r[w10], 1e7 * r[dq] - r[dc]);
    }
    let mean = rows.iter().map(|r| r[w5]).sum::<f64>() / DRAWS as f64;
    let reported = first["mean"].as_f64().unwrap();
    assert!(
        (mean - reported).abs() <= 1e-9 * reported.abs(),
        "{mean} vs {reported}"
    );
    // The price-acceptability curve at 5M yen/QALY is the share of those draws whose threshold
    // price is at least each price (the supply block leaves every product's effect whole here).
    let curve = f.out("en/scenarios/one-dose-cell-therapy/data/price-acceptability.csv");
    let mut checked = 0;
    for line in curve.lines().skip(1) {
        let cells: Vec<&str> = line.rsplitn(3, ',').collect();
        let (y, x, series) = (cells[0], cells[1], cells[2]);
        if !series.contains("¥5m") {
            continue;
        }
        let (x, y): (f64, f64) = (x.parse().unwrap(), y.parse().unwrap());
        let share = rows.iter().filter(|r| r[w5] >= x).count() as f64 / DRAWS as f64;
        assert_eq!(y, share, "at {x}");
        checked += 1;
    }
    assert!(checked > 30, "{checked} points checked");
}

#[test]
fn an_unchanged_scenario_comes_from_the_cache_with_the_same_bits() {
    let f = Fixture::new("cache");
    let first = build(&f.options()).unwrap();
    assert!(!first.scenarios[0].cached);
    let fresh = snapshot_dir(&f.root.join("public"));
    let second = build(&f.options()).unwrap();
    assert!(second.scenarios[0].cached);
    assert_eq!(snapshot_dir(&f.root.join("public")), fresh);
    // A changed scenario, seed or draw count is run again.
    let mut o = f.options();
    o.seed += 1;
    assert!(!build(&o).unwrap().scenarios[0].cached);
    f.edit(
        "models/one-dose-cell-therapy.toml",
        "alpha = 80",
        "alpha = 81",
    );
    assert!(!build(&f.options()).unwrap().scenarios[0].cached);
    // A damaged cache file is ignored, not trusted.
    for e in fs::read_dir(f.root.join("target/tenbin-site-cache")).unwrap() {
        fs::write(e.unwrap().path(), "{ not json").unwrap();
    }
    assert!(!build(&f.options()).unwrap().scenarios[0].cached);
}

#[test]
fn the_site_is_the_same_for_any_thread_count() {
    let f = Fixture::new("threads");
    let mut o = f.options();
    o.threads = Some(1);
    o.cache = f.root.join("cache-1");
    build(&o).unwrap();
    let one = snapshot_dir(&f.root.join("public"));
    o.threads = Some(3);
    o.cache = f.root.join("cache-3");
    build(&o).unwrap();
    assert_eq!(snapshot_dir(&f.root.join("public")), one);
}

/// Builds once, breaks something, and checks that the build fails with `expected` in its
/// message and leaves the first site exactly as it was.
fn fails_and_keeps_the_site(name: &str, break_it: impl FnOnce(&Fixture), expected: &[&str]) {
    let f = Fixture::new(name);
    build(&f.options()).unwrap();
    let before = snapshot_dir(&f.root.join("public"));
    break_it(&f);
    let err = build(&f.options()).unwrap_err().to_string();
    for e in expected {
        assert!(err.contains(e), "expected {e:?} in: {err}");
    }
    assert_eq!(
        snapshot_dir(&f.root.join("public")),
        before,
        "the previous site changed"
    );
    let leftovers: Vec<_> = fs::read_dir(&f.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("tmp"))
        .collect();
    assert!(leftovers.is_empty(), "staging left behind: {leftovers:?}");
}

#[test]
fn a_broken_scenario_stops_the_build_with_its_place() {
    fails_and_keeps_the_site(
        "bad-scenario",
        |f| {
            f.edit(
                "models/one-dose-cell-therapy.toml",
                "alpha = 80",
                "alpha = \"eighty\"",
            )
        },
        &[
            "models/one-dose-cell-therapy.toml:48:9:",
            "expected a number",
        ],
    );
}

#[test]
fn a_broken_template_stops_the_build_with_its_place() {
    fails_and_keeps_the_site(
        "bad-template",
        |f| {
            f.edit(
                "site/templates/scenario.html",
                "{{ headline }}</p>",
                "{{ headline }</p>",
            )
        },
        &["site/templates/scenario.html:17:", "syntax error"],
    );
    fails_and_keeps_the_site(
        "missing-string",
        |f| {
            f.edit(
                "site/templates/compare.html",
                "t.compare_lead",
                "t.compare_leed",
            )
        },
        &["compare.html:6:", "undefined"],
    );
}

#[test]
fn broken_pages_stop_the_build_with_their_place() {
    fails_and_keeps_the_site(
        "bad-front-matter",
        |f| f.edit("content/glossary.en.md", "summary = ", "sumary = "),
        &["content/glossary.en.md:3:1:", "sumary"],
    );
    fails_and_keeps_the_site(
        "no-translation",
        |f| fs::remove_file(f.root.join("content/methods.ja.md")).unwrap(),
        &["content/methods.en.md:1:1:", "no Japanese version"],
    );
    fails_and_keeps_the_site(
        "broken-link",
        |f| f.edit("content/glossary.ja.md", "#distribution", "#distributon"),
        &[
            "1 broken link",
            "ja/glossary/index.html",
            "\"../explainers/reading-the-charts/#distributon\"",
            "no element with id",
        ],
    );
    fails_and_keeps_the_site(
        "missing-strings",
        |f| f.edit("site/i18n.toml", "nav_search = \"検索\"\n", ""),
        &["i18n.toml", "\"nav_search\"", "[en] has"],
    );
}

#[test]
fn duplicate_scenario_ids_are_refused() {
    let f = Fixture::new("duplicate");
    fs::copy(
        f.root.join("models/one-dose-cell-therapy.toml"),
        f.root.join("models/copy.toml"),
    )
    .unwrap();
    let err = build(&f.options()).unwrap_err();
    assert!(matches!(err, Error::Run { .. }), "{err}");
    assert!(err.to_string().contains("must be unique"), "{err}");
}

#[test]
fn the_calculator_is_on_every_scenario_page_with_the_scenario_it_runs() {
    let f = Fixture::new("calculator");
    // A stand-in for site/tools/build-calculator's output: the build copies it as it is.
    let module = f.root.join("module");
    fs::create_dir_all(&module).unwrap();
    fs::write(module.join("tenbin_calculator.js"), "// glue").unwrap();
    fs::write(module.join("tenbin_calculator_bg.wasm"), b"\0asm").unwrap();
    let mut o = f.options();
    o.calculator = Some(module.clone());
    build(&o).unwrap();
    assert_eq!(f.out("calculator/tenbin_calculator.js"), "// glue");
    // The bundle is the scenario as written, with the files it reads, and the page's own run
    // as the calculator answers it: the page's draws and seed, nothing held, summarised from
    // the draws behind the page's tables, the same bits as the calculator computes afresh.
    let bundle: tenbin_calculator::PageBundle =
        serde_json::from_str(&f.out("data/one-dose-cell-therapy/calculator.json")).unwrap();
    assert_eq!(bundle.scenario.file, "models/one-dose-cell-therapy.toml");
    assert_eq!(
        bundle.scenario.text,
        fs::read_to_string(f.root.join("models/one-dose-cell-therapy.toml")).unwrap()
    );
    assert_eq!(bundle.request.draws, o.draws);
    assert_eq!(bundle.request.seed, o.seed);
    assert!(bundle.request.hold.is_empty());
    let calc = tenbin_calculator::Calculator::new(&bundle.scenario).unwrap();
    assert_eq!(calc.run(&bundle.request).unwrap(), bundle.answer);
    assert!(bundle.answer.methods[0].p2_5 < bundle.answer.methods[0].p97_5);
    // The worker that runs the engine is one of the site's assets.
    assert!(f.out("assets/calculator-worker.js").contains("runRange"));
    for lang in ["ja", "en"] {
        let page = f.out(&format!(
            "{lang}/scenarios/one-dose-cell-therapy/index.html"
        ));
        // Hidden until its script runs; the script and the data are the site's own.
        assert!(page.contains(r#"<section id="calculator" class="calculator" aria-labelledby="calculator-heading" hidden"#));
        assert!(
            page.contains(r#"data-bundle="../../../data/one-dose-cell-therapy/calculator.json""#)
        );
        assert!(page.contains(r#"<script type="module" src="../../../assets/calculator.js">"#));
        assert!(page.contains(r#"data-worker="../../../assets/calculator-worker.js""#));
        // The control the scenario names, labelled by what it moves over the parameter's own
        // label, its value as a percentage (a probability), over its parameter's 1st to 99th
        // percentile with the 95% interval beside it.
        assert!(page.contains(r#"data-parameter="p_fail""#), "{lang}");
        let what = if lang == "ja" {
            "製造の失敗率"
        } else {
            "Manufacturing failure rate"
        };
        assert!(
            page.contains(&format!(
                r#"<label for="calc-failure"><span class="calc-what">{what}</span> <span class="calc-parameter">"#
            )),
            "{lang}"
        );
        assert!(page.contains(r#"data-format="percent""#), "{lang}");
        assert!(page.contains(r#"class="calc-band""#), "{lang}");
    }
    // Without the calculator there is neither section nor script.
    build(&f.options()).unwrap();
    let page = f.out("en/scenarios/one-dose-cell-therapy/index.html");
    assert!(!page.contains("calculator"));
    // A missing module stops the build and says how to make it.
    fs::remove_file(module.join("tenbin_calculator_bg.wasm")).unwrap();
    let e = build(&o).unwrap_err().to_string();
    assert!(e.contains("run site/tools/build-calculator"), "{e}");
}

#[test]
fn notes_units_and_source_notes_are_shown_in_the_readers_language() {
    let f = Fixture::new("bilingual-notes");
    build(&f.options()).unwrap();
    let ja = f.out("ja/scenarios/one-dose-cell-therapy/index.html");
    let en = f.out("en/scenarios/one-dose-cell-therapy/index.html");
    // The unit after the base case of 1,000,000 yen a year; the note under the input's name.
    assert!(ja.contains("<td>100万円／年</td>"), "Japanese unit");
    assert!(en.contains("<td>¥1m per year</td>"), "English unit");
    assert!(
        ja.contains(
            "<small>年100万円ほどで、多くの抽出では60万〜150万円の間に収まります。</small>"
        )
    );
    assert!(en.contains(
        "<small>About a million yen a year, between 0.6M and 1.5M in most draws.</small>"
    ));
    assert!(!ja.contains("About a million yen"));
    // The source's note under its reference; the citation itself is the same in both.
    assert!(ja.contains("Made-up values for the site generator&#39;s tests</span><br><small class=\"source-note\">根拠のある値ではなく、切りのよい数字になるように選んだものです。</small>"));
    assert!(en.contains("Made-up values for the site generator&#39;s tests</span><br><small class=\"source-note\">Not evidence: chosen to give round numbers.</small>"));
}

#[test]
fn a_note_or_unit_without_japanese_stops_the_build_with_its_place() {
    // A note written in English only (a plain string is English).
    fails_and_keeps_the_site(
        "note-without-japanese",
        |f| {
            f.edit(
                "models/one-dose-cell-therapy.toml",
                "note.ja = \"年100万円ほどで、多くの抽出では60万〜150万円の間に収まります。\"\n",
                "",
            )
        },
        &[
            "models/one-dose-cell-therapy.toml:61:1: parameter `c_care`: note has no Japanese, so the Japanese page would show it in English (\"About a million yen a year, between 0.6M...\"); expected `note = { en = \"...\", ja = \"...\" }`",
        ],
    );
    // A unit in English only that the site cannot say in Japanese itself, and a source's note.
    fails_and_keeps_the_site(
        "unit-without-japanese",
        |f| {
            f.edit(
                "models/one-dose-cell-therapy.toml",
                "unit = { en = \"yen per year\", ja = \"円／年\" }",
                "unit = \"yen per patient-year\"",
            );
            f.edit(
                "models/one-dose-cell-therapy.toml",
                "note = { en = \"Not evidence: chosen to give round numbers.\", ja = \"根拠のある値ではなく、切りのよい数字になるように選んだものです。\" }",
                "note = \"Not evidence.\"",
            );
        },
        &[
            "models/one-dose-cell-therapy.toml:19:8: source `fixture`: note has no Japanese",
            "models/one-dose-cell-therapy.toml:58:8: parameter `c_care`: unit \"yen per patient-year\" has no Japanese, so the Japanese page would show it in English; expected `unit = { en = \"yen per patient-year\", ja = \"...\" }` with the Japanese starting with 円",
        ],
    );
    // The Japanese of an amount in yen starts with 円 (the page writes 100万円 before what follows).
    fails_and_keeps_the_site(
        "yen-unit-in-other-words",
        |f| {
            f.edit(
                "models/one-dose-cell-therapy.toml",
                "ja = \"円／年\"",
                "ja = \"年間\"",
            )
        },
        &[
            "models/one-dose-cell-therapy.toml:58:8: parameter `c_care`: unit \"yen per year\" is an amount in yen, but its Japanese \"年間\" does not start with 円",
        ],
    );
}

/// The check the build makes, on the project's own scenarios: every note and unit they show
/// (and every source note) has Japanese.
#[test]
fn every_scenario_in_models_has_japanese_for_every_note_and_unit() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let files = tenbin_site::scenario_files(root).unwrap();
    assert!(files.len() >= 10, "{files:?}");
    let (mut notes, mut units) = (0, 0);
    for file in files {
        let rel = file
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let (sc, _) = tenbin_engine::scenario::Scenario::load_as(&file, &rel).unwrap();
        let missing = tenbin_site::pages::missing_japanese(&sc);
        assert!(
            missing.is_empty(),
            "{}",
            missing
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
        notes += sc.parameters.iter().filter(|p| p.note.is_some()).count();
        notes += sc.sources.iter().filter(|s| s.note.is_some()).count();
        units += sc.parameters.iter().filter(|p| p.unit.is_some()).count();
    }
    // The library's scenarios explain almost every input (about 280 notes, 160 units).
    assert!(notes > 250 && units > 150, "{notes} notes, {units} units");
}
