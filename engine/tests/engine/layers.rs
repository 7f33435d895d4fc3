//! The engine's layers run one way: a module may use the modules declared before it in
//! `src/lib.rs` and never one declared after it. This test reads every source file and fails on
//! any path (`crate::x`, `use crate::{x, ..}`, or `super::` climbing out of a module) that
//! reaches a later layer, naming the file, line and the two layers.

use std::fs;
use std::path::{Path, PathBuf};

/// The layers, lowest first, as `src/lib.rs` declares them.
fn layers(src: &Path) -> Vec<String> {
    let lib = fs::read_to_string(src.join("lib.rs")).expect("read src/lib.rs");
    lib.lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|l| l.trim_end_matches(';').to_string())
        .collect()
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .expect("read the source folder")
        .map(|e| e.expect("a folder entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a source file: `pricing/methods.rs` is `[pricing, methods]`,
/// `pricing/mod.rs` is `[pricing]`.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).expect("a file under src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|c| c.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|l| l == "mod" || l == "lib") {
        parts.pop();
    }
    parts
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The leading identifier of `text`.
fn ident(text: &str) -> String {
    text.chars().take_while(|&c| is_ident(c)).collect()
}

/// The first name of each item at the outer level of a `{ .. }` group that `text` starts with
/// (just after the brace), each with its byte offset in `text`.
fn group_items(text: &str) -> Vec<(usize, String)> {
    let mut items = Vec::new();
    let mut depth = 0;
    let mut at_item_start = true;
    for (k, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => at_item_start = true,
            c if c.is_whitespace() => {}
            _ => {
                if at_item_start {
                    at_item_start = false;
                    let name = ident(&text[k..]);
                    if !name.is_empty() && name != "self" {
                        items.push((k, name));
                    }
                }
            }
        }
    }
    items
}

/// The top-level modules that the code of a file in module `here` reaches, each with the byte
/// offset where its path starts. `text` has its comments blanked out.
fn reached(text: &str, here: &[String]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    // `crate::x` and `crate::{x, y::z}` (a group may run over several lines).
    for (i, _) in text.match_indices("crate::") {
        if text[..i].chars().next_back().is_some_and(is_ident) {
            continue; // e.g. `tenbin_crate::`
        }
        let at = i + "crate::".len();
        let rest = &text[at..];
        if let Some(group) = rest.strip_prefix('{') {
            out.extend(group_items(group).into_iter().map(|(k, n)| (at + 1 + k, n)));
        } else {
            let name = ident(rest);
            if !name.is_empty() {
                out.push((i, name));
            }
        }
    }
    // `super::super::x` climbing out of the top-level module.
    for (i, _) in text.match_indices("super::") {
        if text[..i].ends_with("super::") {
            continue; // counted from the first `super::` of the chain
        }
        let mut rest = &text[i..];
        let mut depth = 0;
        while let Some(r) = rest.strip_prefix("super::") {
            depth += 1;
            rest = r;
        }
        if depth >= here.len() {
            let name = ident(rest);
            if !name.is_empty() {
                out.push((i, name));
            }
        }
    }
    out
}

/// `text` with every `//` comment blanked out (doc links may point anywhere), lengths kept.
fn without_comments(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(k) => format!("{}{}", &l[..k], " ".repeat(l.len() - k)),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every upward path in the engine, as `file:line: a (layer i) uses b (layer j)`.
fn upward_imports(src: &Path) -> Vec<String> {
    let order = layers(src);
    let rank = |m: &str| order.iter().position(|l| l == m);
    let mut files = Vec::new();
    sources(src, &mut files);
    let mut found = Vec::new();
    for file in files {
        let here = module_path(src, &file);
        let Some(top) = here.first() else { continue };
        let mine = rank(top).unwrap_or_else(|| {
            panic!(
                "{}: module `{top}` is not declared in src/lib.rs",
                file.display()
            )
        });
        let text = without_comments(&fs::read_to_string(&file).expect("read a source file"));
        for (at, target) in reached(&text, &here) {
            if let Some(theirs) = rank(&target)
                && theirs > mine
            {
                found.push(format!(
                    "{}:{}: `{top}` (layer {}) uses `{target}` (layer {}), a later layer",
                    file.display(),
                    text[..at].matches('\n').count() + 1,
                    mine + 1,
                    theirs + 1
                ));
            }
        }
    }
    found
}

#[test]
fn no_module_uses_a_later_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let order = layers(&src);
    assert_eq!(
        order,
        [
            "error",
            "summary",
            "expr",
            "distribution",
            "official",
            "scenario",
            "sampling",
            "model",
            "supply",
            "run",
            "pricing",
            "analysis",
            "report"
        ],
        "src/lib.rs declares the layers in this order; change the list here and the README's \
         architecture section together with it"
    );
    let upward = upward_imports(&src);
    assert!(upward.is_empty(), "{}", upward.join("\n"));
}

#[test]
fn the_check_sees_upward_paths() {
    let here = ["pricing".to_string(), "methods".to_string()];
    let names = |text: &str| -> Vec<String> {
        reached(&without_comments(text), &here)
            .into_iter()
            .map(|(_, n)| n)
            .collect()
    };
    assert_eq!(names("use crate::run::Psa;"), ["run"]);
    assert_eq!(
        names("use crate::{report::Report, scenario::Scenario};"),
        ["report", "scenario"]
    );
    assert_eq!(
        names("use crate::{\n    analysis::levers,\n    run::{Evaluation, Psa},\n    self,\n};"),
        ["analysis", "run"]
    );
    assert_eq!(names("let x = crate::analysis::levers::x();"), ["analysis"]);
    assert_eq!(names("use super::super::report::Report;"), ["report"]);
    assert!(names("use super::value::threshold_price;").is_empty());
    assert!(names("/// see [`crate::report`]\nlet a = 1; // crate::run").is_empty());
    assert!(names("use tenbin_crate::run;").is_empty());
}
