//! A link checker for a built site: every internal `href` and `src` must name a file that
//! exists, and every `#fragment` an `id` on the page it points to.
//!
//! The generator runs it on the staged site before swapping it in, so a broken link fails the
//! build like any other error. Links that leave the site (`https:`, `mailto:`) are not followed:
//! they are citations, which the reader chooses to open; the site itself requests nothing
//! outside it (see the Content-Security-Policy in the base template).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// One broken link: on which page, what it pointed at and why it is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    /// The page, relative to the site's root.
    pub page: String,
    /// The link as written.
    pub link: String,
    /// What is wrong.
    pub reason: String,
}

impl std::fmt::Display for BrokenLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: link {:?}: {}", self.page, self.link, self.reason)
    }
}

/// What one HTML file contains for the checker.
#[derive(Debug, Default)]
struct Page {
    links: Vec<String>,
    ids: HashSet<String>,
}

/// Checks every `.html` file under `root`; returns the broken links, in page order.
pub fn check(root: &Path) -> std::io::Result<Vec<BrokenLink>> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(root) {
        let entry = entry?;
        if !entry.file_type().is_dir() {
            files.push(entry.into_path());
        }
    }
    files.sort();
    let mut pages: HashMap<PathBuf, Page> = HashMap::new();
    for f in &files {
        if f.extension().is_some_and(|e| e == "html") {
            let text = std::fs::read_to_string(f)?;
            pages.insert(f.clone(), scan(&text));
        }
    }
    let mut broken = Vec::new();
    for f in files.iter().filter(|f| pages.contains_key(*f)) {
        let page = &pages[f];
        let rel = f
            .strip_prefix(root)
            .unwrap_or(f)
            .to_string_lossy()
            .replace('\\', "/");
        for link in &page.links {
            if let Some(reason) = resolve(root, f, link, &pages) {
                broken.push(BrokenLink {
                    page: rel.clone(),
                    link: decode_entities(link),
                    reason,
                });
            }
        }
    }
    Ok(broken)
}

/// Why `link` on page `from` is broken, or `None` if it is fine.
fn resolve(root: &Path, from: &Path, link: &str, pages: &HashMap<PathBuf, Page>) -> Option<String> {
    let link = decode_entities(link);
    if link.is_empty() {
        return Some("empty link".into());
    }
    let lower = link.to_ascii_lowercase();
    if ["http://", "https://", "mailto:", "data:"]
        .iter()
        .any(|s| lower.starts_with(s))
    {
        return None;
    }
    if lower.contains(':') && !lower.starts_with('#') && lower.find(':') < lower.find('/') {
        return Some("links may only leave the site by https:, http: or mailto:".into());
    }
    let (path, fragment) = match link.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (link.as_str(), None),
    };
    let path = path.split('?').next().unwrap_or("");
    let target = if path.is_empty() {
        from.to_path_buf()
    } else if let Some(abs) = path.strip_prefix('/') {
        root.join(abs)
    } else {
        from.parent().unwrap_or(root).join(path)
    };
    let target = normalise(&target);
    if !target.starts_with(normalise(root)) {
        return Some("points outside the site".into());
    }
    let file = if target.is_dir() {
        target.join("index.html")
    } else {
        target
    };
    if !file.is_file() {
        return Some(format!(
            "no such file {}",
            file.strip_prefix(root).unwrap_or(&file).display()
        ));
    }
    match fragment {
        Some(id) if !id.is_empty() => match pages.get(&file) {
            Some(page) if page.ids.contains(id) => None,
            Some(_) => Some(format!("no element with id {id:?} on that page")),
            None => None,
        },
        _ => None,
    }
}

/// Resolves `.` and `..` without touching the file system.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Decodes the character references an attribute value may hold (minijinja writes `/` as
/// `&#x2f;`, for one).
fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest.find(';').and_then(|end| {
            let name = &rest[1..end];
            let c = match name {
                "amp" => Some('&'),
                "quot" => Some('"'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "apos" => Some('\''),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            }?;
            Some((c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Pulls `href`, `src` and `id` attribute values out of HTML. The site's HTML comes from its own
/// templates and from ammonia, both of which quote every attribute with double quotes, so a
/// scanner is enough; a full HTML parser would be a large dependency for the same answer.
fn scan(html: &str) -> Page {
    let mut page = Page::default();
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(eq) = html[i..].find("=\"") {
        let at = i + eq;
        let name_start = html[..at]
            .rfind(|c: char| c.is_ascii_whitespace())
            .map_or(0, |p| p + 1);
        let name = &html[name_start..at];
        let value_start = at + 2;
        let Some(len) = html[value_start..].find('"') else {
            break;
        };
        let value = &html[value_start..value_start + len];
        // Attributes only: the name must directly follow whitespace inside a tag.
        if name_start > 0 && bytes[name_start - 1].is_ascii_whitespace() {
            match name.to_ascii_lowercase().as_str() {
                "href" | "src" => page.links.push(value.to_string()),
                "id" => {
                    page.ids.insert(decode_entities(value));
                }
                _ => {}
            }
        }
        i = value_start + len + 1;
    }
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_broken_files_and_anchors_and_accepts_good_ones() {
        let root = std::env::temp_dir().join(format!("tenbin-links-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("ja/glossary")).unwrap();
        std::fs::create_dir_all(root.join("assets")).unwrap();
        std::fs::write(root.join("assets/site.css"), "").unwrap();
        std::fs::write(
            root.join("ja/glossary/index.html"),
            "<h2 id=\"qaly\">QALY</h2><a href=\"#qaly\">self</a><a href=\"#nope\">bad</a>",
        )
        .unwrap();
        std::fs::write(
            root.join("ja/index.html"),
            "<link rel=\"stylesheet\" href=\"../assets/site.css\">\
             <a href=\"glossary/#qaly\">ok</a> <a href=\"glossary/\">ok</a>\
             <a href=\"glossary/#icer\">no anchor</a> <a href=\"methods/\">no page</a>\
             <a href=\"https://www.mhlw.go.jp/\">external</a> <a href=\"../../x\">outside</a>\
             <a href=\"..&#x2f;ja&#x2F;glossary&#47;#qaly\">encoded</a>\
             <a href=\"javascript:void(0)\">script</a> <p data-x=\"href\">text href=&quot;a&quot;</p>",
        )
        .unwrap();
        let broken = check(&root).unwrap();
        let got: Vec<(&str, &str)> = broken
            .iter()
            .map(|b| (b.page.as_str(), b.link.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("ja/glossary/index.html", "#nope"),
                ("ja/index.html", "glossary/#icer"),
                ("ja/index.html", "methods/"),
                ("ja/index.html", "../../x"),
                ("ja/index.html", "javascript:void(0)"),
            ],
            "{broken:#?}"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }
}
