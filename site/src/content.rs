//! The site's written pages: Markdown files in `content/`, each with TOML front matter, in a
//! Japanese and an English version.
//!
//! `content/<path>.ja.md` and `content/<path>.en.md` become `/ja/<path>/` and `/en/<path>/`; a
//! page without its other-language twin is an error, so the two sites never drift apart. The
//! Markdown is rendered with pulldown-cmark and the HTML it yields is sanitised with ammonia, so
//! raw HTML in a file cannot inject scripts, styles or requests into the site.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use pulldown_cmark::{Options, Parser};
use serde::Deserialize;

use crate::Error;
use crate::i18n::Lang;

/// What a page says about itself, between `+++` lines at the top of its file.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    /// Page title.
    pub title: String,
    /// One or two sentences for lists of pages and the page's description.
    pub summary: String,
    /// Position in lists of pages of the same section (smallest first).
    #[serde(default)]
    pub order: i64,
}

/// One page in one language.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Where it goes, without language: `explainers/conditional-approval`.
    pub path: String,
    /// Its language.
    pub lang: Lang,
    /// The file it came from, as given to [`load`] joined with the file's relative path.
    pub file: PathBuf,
    /// Its front matter.
    pub front: FrontMatter,
    /// The body as sanitised HTML.
    pub html: String,
    /// Its second-level headings that have an id, for a table of contents: (id, text).
    pub toc: Vec<(String, String)>,
}

impl Document {
    /// The section a page belongs to: the first part of its path (`explainers`), or empty for
    /// a top-level page.
    pub fn section(&self) -> &str {
        self.path.rsplit_once('/').map_or("", |(s, _)| s)
    }

    /// The last part of its path.
    pub fn slug(&self) -> &str {
        self.path.rsplit_once('/').map_or(&self.path, |(_, s)| s)
    }
}

/// Reads every `*.ja.md` and `*.en.md` under `dir` (a `README.md` without a language is the
/// folder's own description and is skipped). Pages come back sorted by path, then language.
pub fn load(dir: &Path) -> Result<Vec<Document>, Error> {
    let mut files = Vec::new();
    walk(dir, &mut files)?;
    files.sort();
    let mut docs = Vec::new();
    for file in files {
        let rel = file
            .strip_prefix(dir)
            .unwrap_or(&file)
            .to_string_lossy()
            .replace('\\', "/");
        if rel.rsplit('/').next() == Some("README.md") {
            continue;
        }
        let (path, lang) = if let Some(p) = rel.strip_suffix(".ja.md") {
            (p, Lang::Ja)
        } else if let Some(p) = rel.strip_suffix(".en.md") {
            (p, Lang::En)
        } else {
            return Err(Error::Content {
                file,
                line: 1,
                column: 1,
                message: "a page's file name must end in .ja.md (Japanese) or .en.md (English)"
                    .into(),
            });
        };
        if !path.split('/').all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        }) {
            return Err(Error::Content {
                file,
                line: 1,
                column: 1,
                message: "page names become addresses: use lower-case letters, digits and '-' only"
                    .into(),
            });
        }
        let text = std::fs::read_to_string(&file).map_err(|e| Error::io(&file, e))?;
        let (front, body) = parse(&text, &file)?;
        let html = render_markdown(body);
        docs.push(Document {
            path: path.to_string(),
            lang,
            toc: headings(&html),
            html,
            file,
            front,
        });
    }
    check_pairs(&docs)?;
    Ok(docs)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        if path.is_dir() {
            walk(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "md") {
            files.push(path);
        }
    }
    Ok(())
}

/// Every page must exist in both languages.
fn check_pairs(docs: &[Document]) -> Result<(), Error> {
    let have: HashSet<(&str, Lang)> = docs.iter().map(|d| (d.path.as_str(), d.lang)).collect();
    for d in docs {
        let other = match d.lang {
            Lang::Ja => Lang::En,
            Lang::En => Lang::Ja,
        };
        if !have.contains(&(d.path.as_str(), other)) {
            let (want, ext) = match other {
                Lang::Ja => ("Japanese", "ja"),
                Lang::En => ("English", "en"),
            };
            return Err(Error::Content {
                file: d.file.clone(),
                line: 1,
                column: 1,
                message: format!(
                    "this page has no {want} version: every page needs {}.{ext}.md beside it",
                    d.slug()
                ),
            });
        }
    }
    Ok(())
}

/// Splits a file into its front matter and body and parses the front matter; errors point at
/// the line and column in the file.
pub fn parse<'a>(text: &'a str, file: &Path) -> Result<(FrontMatter, &'a str), Error> {
    let located = |line: usize, column: usize, message: String| Error::Content {
        file: file.to_path_buf(),
        line,
        column,
        message,
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text
        .strip_prefix("+++\n")
        .or_else(|| text.strip_prefix("+++\r\n"))
    else {
        return Err(located(
            1,
            1,
            "expected front matter: a first line of '+++', then title, summary and order in TOML, then '+++'".into(),
        ));
    };
    let end = rest
        .match_indices("+++")
        .find(|(i, _)| *i == 0 || rest.as_bytes()[i - 1] == b'\n')
        .map(|(i, _)| i)
        .ok_or_else(|| {
            located(
                1,
                1,
                "the front matter is not closed: expected a line '+++' after it".into(),
            )
        })?;
    let front_text = &rest[..end];
    let body = rest[end + 3..].trim_start_matches(['\r', '\n']);
    let front: FrontMatter = toml::from_str(front_text).map_err(|e| {
        // Front matter starts on the file's second line.
        let (line, column) = e.span().map_or((2, 1), |s| {
            let before = &front_text[..s.start];
            let line = before.matches('\n').count() + 2;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            (line, column)
        });
        located(
            line,
            column,
            format!("in the front matter: {}", e.message()),
        )
    })?;
    for (name, value) in [("title", &front.title), ("summary", &front.summary)] {
        if value.trim().is_empty() {
            return Err(located(2, 1, format!("the front matter's {name} is empty")));
        }
    }
    Ok((front, body))
}

/// Markdown to safe HTML: GitHub-style tables, footnotes, strikethrough and `{#id}` heading
/// attributes; raw HTML is reduced to a safe subset, links keep their targets, and nothing can
/// load a script, a style or a remote resource.
pub fn render_markdown(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, Parser::new_ext(markdown, options));
    // Wide formulas and tables scroll sideways inside their own box (never the page, on a
    // phone); a keyboard user must be able to reach and scroll them too.
    let html = sanitize(&html)
        .replace("<pre>", "<pre tabindex=\"0\">")
        .replace(
            "<table>",
            "<div class=\"table-wrap\" tabindex=\"0\"><table>",
        )
        .replace("</table>", "</table></div>");
    break_long_code(&html)
}

/// Lets long identifiers in running text (`supply.incremental_qalys_per_patient_starting`)
/// wrap on a phone: a `<wbr>` after each `.`, `_` and `/` of inline `<code>` (not of code
/// blocks, which scroll). A `<wbr>` is no character, so copying the identifier copies it whole;
/// CSS that breaks anywhere would do the same but makes Chromium lay the long written pages out
/// many times slower.
fn break_long_code(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    let mut rest = html;
    while let Some(at) = rest.find("<code>") {
        let before = &rest[..at];
        out.push_str(before);
        let in_block = before.ends_with("<pre tabindex=\"0\">");
        let Some(len) = rest[at..].find("</code>") else {
            rest = &rest[at..];
            break;
        };
        let inner = &rest[at + "<code>".len()..at + len];
        out.push_str("<code>");
        if in_block {
            out.push_str(inner);
        } else {
            for c in inner.chars() {
                out.push(c);
                if matches!(c, '.' | '_' | '/') {
                    out.push_str("<wbr>");
                }
            }
        }
        out.push_str("</code>");
        rest = &rest[at + len + "</code>".len()..];
    }
    out.push_str(rest);
    out
}

/// The `<h2 id="...">` headings of rendered HTML, with their text (tags removed).
pub fn headings(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("<h2 id=\"") {
        rest = &rest[at + 8..];
        let Some(q) = rest.find('"') else { break };
        let id = rest[..q].to_string();
        let Some(open_end) = rest.find('>') else {
            break;
        };
        let Some(close) = rest.find("</h2>") else {
            break;
        };
        let inner = &rest[open_end + 1..close];
        let mut text = String::new();
        let mut in_tag = false;
        for c in inner.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        out.push((id, text));
        rest = &rest[close..];
    }
    out
}

/// The sanitiser every piece of Markdown-born HTML goes through.
fn sanitize(html: &str) -> String {
    let mut tag_attributes: BTreeMap<&str, HashSet<&str>> = BTreeMap::new();
    tag_attributes.insert("a", ["href", "title"].into());
    tag_attributes.insert("ol", ["start"].into());
    // Table alignment arrives as inline styles, which the site's Content-Security-Policy
    // forbids; the columns fall back to the stylesheet's alignment.
    tag_attributes.insert("th", HashSet::new());
    tag_attributes.insert("td", HashSet::new());
    ammonia::Builder::default()
        .add_generic_attributes(["id"])
        .tag_attributes(tag_attributes.into_iter().collect())
        // Images would be requests; pages have none, and raw HTML may not add them.
        .rm_tags(["img"])
        .link_rel(None)
        .clean(html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_and_body_are_split() {
        let (front, body) = parse(
            "+++\ntitle = \"T\"\nsummary = \"S\"\norder = 3\n+++\n\n# Body\n",
            Path::new("x.en.md"),
        )
        .unwrap();
        assert_eq!(
            front,
            FrontMatter {
                title: "T".into(),
                summary: "S".into(),
                order: 3
            }
        );
        assert_eq!(body, "# Body\n");
    }

    #[test]
    fn front_matter_errors_are_located_in_the_file() {
        let err = parse(
            "+++\ntitle = \"T\"\nsummary = \"S\"\nordr = 3\n+++\nbody",
            Path::new("a/b.ja.md"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("a/b.ja.md:4:1: "), "{err}");
        assert!(err.contains("ordr"), "{err}");
        let err = parse("# no front matter", Path::new("c.en.md"))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("c.en.md:1:1: expected front matter"),
            "{err}"
        );
        let err = parse("+++\ntitle = \"T\"\n", Path::new("d.en.md"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("not closed"), "{err}");
    }

    #[test]
    fn markdown_is_rendered_and_raw_html_is_made_safe() {
        let html = render_markdown(
            "## 用語 {#qaly}\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[x](../glossary/#qaly)\n\n\
             <script>alert(1)</script><img src=\"https://example.com/t.png\">\
             <a href=\"javascript:alert(1)\" onclick=\"x()\">y</a><p style=\"color:red\">z</p>",
        );
        assert!(html.contains("<h2 id=\"qaly\">用語</h2>"), "{html}");
        assert_eq!(
            headings("<h2 id=\"a\">One <code>x</code></h2><h2>none</h2><h2 id=\"b\">Two</h2>"),
            vec![("a".into(), "One x".into()), ("b".into(), "Two".into())]
        );
        assert!(html.contains("<table>"), "{html}");
        assert!(render_markdown("```\nx = 1\n```\n").starts_with("<pre tabindex=\"0\"><code>"));
        assert!(
            html.contains("<a href=\"../glossary/#qaly\">x</a>"),
            "{html}"
        );
        for banned in [
            "<script",
            "alert(1)</",
            "<img",
            "javascript:",
            "onclick",
            "style=",
        ] {
            assert!(!html.contains(banned), "{banned} survived: {html}");
        }
    }
}
