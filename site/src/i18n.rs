//! The reader's language: [`Lang`], the interface strings (`site/i18n.toml`), and numbers and
//! money written for each language: yen as 億円 and 万円 in Japanese, as millions and billions
//! in English ([`format_value`]); shares as percentages; thousands separators ([`thousands`]).
//!
//! The pages and the charts format every number here, so that templates only place words and
//! ready-made values.

use std::collections::BTreeMap;
use std::path::Path;

use tenbin_engine::scenario::Bilingual;

use crate::Error;

/// The language a chart (or a page) is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    /// Japanese.
    Ja,
    /// English.
    En,
}

impl Lang {
    /// Both languages, Japanese first (the site's first language).
    pub const ALL: [Lang; 2] = [Lang::Ja, Lang::En];

    /// The language code used in `lang`, `hreflang` and addresses.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    /// The other language.
    pub fn other(self) -> Lang {
        match self {
            Lang::Ja => Lang::En,
            Lang::En => Lang::Ja,
        }
    }
}

pub(crate) fn pick(b: &Bilingual, lang: Lang) -> &str {
    match lang {
        Lang::Ja => &b.ja,
        Lang::En => &b.en,
    }
}

/// Replaces `{name}` placeholders in an interface string.
pub(crate) fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (k, v) in values {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

/// Reads the interface strings: a `[ja]` and an `[en]` table with the same keys.
pub(crate) fn load_strings(file: &Path) -> Result<BTreeMap<Lang, BTreeMap<String, String>>, Error> {
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

/// What the numbers on an axis are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Yen.
    Yen,
    /// Quality-adjusted life years.
    Qalys,
    /// A share or probability from 0 to 1, written as a percentage ("40%").
    Share,
    /// Anything else, printed as it is.
    Plain,
}

/// A number with up to `digits` significant digits, without trailing zeros.
fn significant(x: f64, digits: usize) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let magnitude = x.abs().log10().floor() as i32;
    let decimals = (digits as i32 - 1 - magnitude).max(0) as usize;
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Commas between thousands in a number's integer part: 20000 becomes 20,000.
pub fn thousands(number: &str) -> String {
    let (int, frac) = number
        .split_once('.')
        .map_or((number, None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// A number in a unit, for a reader of `lang`: yen as 億円/万円 or as millions/billions, a
/// share as a percentage.
pub fn format_value(x: f64, unit: Unit, lang: Lang) -> String {
    let sign = if x < 0.0 { "-" } else { "" };
    let a = x.abs();
    match (unit, lang) {
        (Unit::Yen, Lang::Ja) if a >= 1e8 => format!("{sign}{}億円", significant(a / 1e8, 3)),
        (Unit::Yen, Lang::Ja) if a >= 1e4 => format!("{sign}{}万円", significant(a / 1e4, 3)),
        (Unit::Yen, Lang::Ja) => format!("{sign}{}円", significant(a, 3)),
        (Unit::Yen, Lang::En) if a >= 1e9 => format!("{sign}¥{}bn", significant(a / 1e9, 3)),
        (Unit::Yen, Lang::En) if a >= 1e6 => format!("{sign}¥{}m", significant(a / 1e6, 3)),
        (Unit::Yen, Lang::En) => format!("{sign}¥{}", thousands(&significant(a, 3))),
        (Unit::Share, _) => format!("{sign}{}%", significant(a * 100.0, 3)),
        (Unit::Qalys, _) | (Unit::Plain, _) => format!("{sign}{}", significant(a, 3)),
    }
}

/// A rule set's name for readers: `FY2024` is 2024年度の算定ルール / the FY2024 rules; the
/// 2026 conditional-approval rules and the October 2019 tax change are said in words. An id
/// this does not know is shown as it is.
pub(crate) fn rule_set_name(id: &str, lang: Lang) -> String {
    let Some(rest) = id.strip_prefix("FY") else {
        return id.to_string();
    };
    let (year, variant) = rest.split_at(rest.len().min(4));
    if year.len() != 4 || !year.chars().all(|c| c.is_ascii_digit()) {
        return id.to_string();
    }
    match (lang, variant) {
        (Lang::Ja, "") => format!("{year}年度の算定ルール"),
        (Lang::Ja, "-conditional") => format!("{year}年度の算定ルール（条件・期限付き承認の特例）"),
        (Lang::Ja, "-2019-10") => format!("{year}年度の算定ルール（2019年10月の消費税率改定後）"),
        (Lang::En, "") => format!("the FY{year} rules"),
        (Lang::En, "-conditional") => {
            format!("the FY{year} rules for conditionally approved products")
        }
        (Lang::En, "-2019-10") => {
            format!("the FY{year} rules after the October 2019 consumption tax change")
        }
        _ => id.to_string(),
    }
}

pub(crate) fn yen(x: f64, lang: Lang) -> String {
    format_value(x, Unit::Yen, lang)
}

/// An integer with thousands separators (10,000).
pub(crate) fn count(n: usize) -> String {
    thousands(&n.to_string())
}

pub(crate) fn percent(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// A number with three significant digits (QALYs, life years, rates).
pub(crate) fn plain(x: f64) -> String {
    format_value(x, Unit::Plain, Lang::En)
}

/// A value in the unit its parameter declares: amounts in yen as yen, with what follows the
/// currency ("per month", ", once") said in the reader's language; other units as written.
pub(crate) fn with_unit(x: f64, unit: Option<&str>, lang: Lang) -> String {
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

#[cfg(test)]
mod tests {

    #[test]
    fn rule_sets_are_named_in_words() {
        assert_eq!(rule_set_name("FY2024", Lang::Ja), "2024年度の算定ルール");
        assert_eq!(rule_set_name("FY2024", Lang::En), "the FY2024 rules");
        assert_eq!(
            rule_set_name("FY2026-conditional", Lang::Ja),
            "2026年度の算定ルール（条件・期限付き承認の特例）"
        );
        assert!(rule_set_name("FY2018-2019-10", Lang::En).contains("October 2019"));
        // Unknown ids pass through rather than vanish.
        assert_eq!(rule_set_name("custom", Lang::Ja), "custom");
        assert_eq!(rule_set_name("FY20x4", Lang::Ja), "FY20x4");
    }

    use super::*;

    #[test]
    fn yen_is_written_for_each_reader() {
        assert_eq!(format_value(342_986_897.0, Unit::Yen, Lang::Ja), "3.43億円");
        assert_eq!(format_value(342_986_897.0, Unit::Yen, Lang::En), "¥343m");
        assert_eq!(format_value(5_000_000.0, Unit::Yen, Lang::Ja), "500万円");
        assert_eq!(
            format_value(1_250_000_000.0, Unit::Yen, Lang::En),
            "¥1.25bn"
        );
        assert_eq!(format_value(-30_000.0, Unit::Yen, Lang::Ja), "-3万円");
        assert_eq!(format_value(1.9764, Unit::Qalys, Lang::En), "1.98");
        assert_eq!(format_value(0.0, Unit::Plain, Lang::En), "0");
    }

    #[test]
    fn shares_are_percentages_in_both_languages() {
        for lang in Lang::ALL {
            assert_eq!(format_value(0.4, Unit::Share, lang), "40%");
            assert_eq!(format_value(0.125, Unit::Share, lang), "12.5%");
            assert_eq!(format_value(1.0, Unit::Share, lang), "100%");
            assert_eq!(format_value(0.0, Unit::Share, lang), "0%");
            assert_eq!(format_value(0.6000000000000001, Unit::Share, lang), "60%");
            assert_eq!(format_value(-0.05, Unit::Share, lang), "-5%");
        }
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
