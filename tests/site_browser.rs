//! The real site, built by `tenbin site build` from `models/` and `content/` with its search
//! index, checked in headless Chromium by `site/tools/check.mjs`: every page in both languages
//! loads with no console error, no failed or outside request and no serious accessibility
//! violation (axe-core, WCAG 2.2 AA); search finds Japanese and English words; the first Tab
//! lands on a visible skip link. Screenshots (desktop and phone) go to
//! `target/site-screenshots/` for a person to look at.
//!
//! Needs Node, Pagefind and Chromium: `site/tools/setup --browser` installs them.

use std::path::Path;
use std::process::Command;

#[test]
fn the_built_site_passes_the_browser_checks() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tools = root.join("site/tools");
    let pagefind = tools.join("node_modules/.bin/pagefind");
    assert!(
        pagefind.is_file() && Path::new("/usr/bin/chromium").is_file(),
        "the browser checks need Pagefind and Chromium: run site/tools/setup --browser"
    );
    let target = root.join("target");
    let site = target.join("browser-check-site");
    let build = Command::new(env!("CARGO_BIN_EXE_tenbin"))
        .current_dir(root)
        .args(["site", "build", "--draws", "2000", "--out"])
        .arg(&site)
        .arg("--cache")
        .arg(target.join("browser-check-cache"))
        .arg("--pagefind")
        .arg(&pagefind)
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "site build failed:\n{}",
        String::from_utf8_lossy(&build.stderr)
    );
    let check = Command::new("node")
        .arg(tools.join("check.mjs"))
        .arg(&site)
        .arg("--screenshots")
        .arg(target.join("site-screenshots"))
        .output()
        .expect("node runs");
    let report = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success(),
        "browser checks failed:\n{report}\n{}",
        String::from_utf8_lossy(&check.stderr)
    );
    // The report names every page it checked; make sure it saw both languages' pages.
    for page in [
        "/ja/scenarios/durable-gene-therapy/",
        "/en/scenarios/durable-gene-therapy/",
        "/ja/glossary/",
        "/en/methods/",
    ] {
        assert!(report.contains(page), "{page} was not checked:\n{report}");
    }
    assert!(report.contains("PASSED"), "{report}");
}
