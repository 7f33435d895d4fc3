//! `[mortality]`: background mortality, a Gompertz law or a life table read from a CSV file.

use std::collections::BTreeSet;

use toml::Spanned;

use super::Validator;
use super::meta::check_source;
use crate::scenario::raw::{self, Number, RawScenario};
use crate::scenario::{Mortality, Sex};

/// Reads `[mortality]`; returns the mortality and its source id.
pub(super) fn mortality(
    v: &mut Validator,
    raw: &RawScenario,
    source_ids: &BTreeSet<String>,
    read: &dyn Fn(&str) -> Result<String, String>,
    hashed: &mut Vec<Vec<u8>>,
    start_age: f64,
) -> (Mortality, String) {
    match &raw.mortality {
        None => {
            v.err(&raw.scenario.span(), "missing [mortality] table; expected background mortality (kind = \"gompertz\" or \"life_table\")");
            (Mortality::Gompertz { a: 0.0, b: 0.0 }, String::new())
        }
        Some(ms) => {
            let mr = ms.get_ref();
            check_source(v, source_ids, &mr.source);
            let mortality = match mr.kind.get_ref().as_str() {
                "gompertz" => {
                    let get = |v: &mut Validator, x: &Option<Spanned<Number>>, key: &str| match x {
                        Some(n) => v.number(n, key, |x| {
                            if x > 0.0 {
                                Ok(())
                            } else {
                                Err(format!("must be positive, got {x}"))
                            }
                        }),
                        None => {
                            v.err(&ms.span(), format!("gompertz mortality needs `{key}` (hazard a * exp(b * age) per year)"));
                            None
                        }
                    };
                    let a = get(v, &mr.a, "a").unwrap_or(0.0);
                    let b = get(v, &mr.b, "b").unwrap_or(0.0);
                    Mortality::Gompertz { a, b }
                }
                "life_table" => life_table(v, ms, read, hashed, start_age),
                other => {
                    v.err(
                        &mr.kind.span(),
                        format!(
                            "unknown mortality kind `{other}`; expected gompertz or life_table"
                        ),
                    );
                    Mortality::Gompertz { a: 0.0, b: 0.0 }
                }
            };
            (mortality, mr.source.get_ref().clone())
        }
    }
}

/// Reads a life table CSV with columns `age,male_qx,female_qx` (consecutive integer ages).
fn life_table(
    v: &mut Validator,
    ms: &Spanned<raw::RawMortality>,
    read: &dyn Fn(&str) -> Result<String, String>,
    hashed: &mut Vec<Vec<u8>>,
    start_age: f64,
) -> Mortality {
    let mr = ms.get_ref();
    let fallback = Mortality::Gompertz { a: 0.0, b: 0.0 };
    let Some(file) = &mr.file else {
        v.err(
            &ms.span(),
            "life_table mortality needs `file`, a CSV with columns age,male_qx,female_qx",
        );
        return fallback;
    };
    let sex = match (
        mr.sex.as_ref().map(|s| s.get_ref().as_str()),
        &mr.male_share,
    ) {
        (Some("male"), None) => Sex::Male,
        (Some("female"), None) => Sex::Female,
        (Some("mixed") | None, Some(share)) => match v.number(share, "male_share", |x| {
            if (0.0..=1.0).contains(&x) {
                Ok(())
            } else {
                Err(format!("{x} is not a share between 0 and 1"))
            }
        }) {
            Some(male_share) => Sex::Mixed { male_share },
            None => return fallback,
        },
        (Some(s), _) => {
            let span = mr.sex.as_ref().expect("present").span();
            v.err(&span, format!("sex `{s}` with these keys is not understood; expected sex = \"male\", sex = \"female\", or male_share = 0.5"));
            return fallback;
        }
        (None, None) => {
            v.err(
                &ms.span(),
                "life_table mortality needs `sex` (\"male\" or \"female\") or `male_share`",
            );
            return fallback;
        }
    };
    let text = match read(file.get_ref()) {
        Ok(t) => t,
        Err(e) => {
            v.err(&file.span(), format!("cannot read the life table: {e}"));
            return fallback;
        }
    };
    hashed.push(text.as_bytes().to_vec());
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let header = lines
        .next()
        .map(|(_, l)| l.trim().to_string())
        .unwrap_or_default();
    if header.replace(' ', "") != "age,male_qx,female_qx" {
        v.err(
            &file.span(),
            format!(
                "{}: line 1: header `{header}`; expected `age,male_qx,female_qx`",
                file.get_ref()
            ),
        );
        return fallback;
    }
    let (mut first_age, mut male_qx, mut female_qx) = (None, Vec::new(), Vec::new());
    for (i, line) in lines {
        let cols: Vec<&str> = line.split(',').map(str::trim).collect();
        let parsed = (cols.len() == 3).then(|| {
            (
                cols[0].parse::<u32>().ok(),
                cols[1].parse::<f64>().ok(),
                cols[2].parse::<f64>().ok(),
            )
        });
        let Some((Some(age), Some(m), Some(f))) = parsed else {
            v.err(
                &file.span(),
                format!(
                    "{}: line {}: `{line}`; expected an integer age and two probabilities",
                    file.get_ref(),
                    i + 1
                ),
            );
            return fallback;
        };
        let fa = *first_age.get_or_insert(age);
        if age != fa + male_qx.len() as u32 {
            v.err(
                &file.span(),
                format!(
                    "{}: line {}: age {age} breaks the sequence; expected age {}",
                    file.get_ref(),
                    i + 1,
                    fa + male_qx.len() as u32
                ),
            );
            return fallback;
        }
        if !((0.0..=1.0).contains(&m) && (0.0..=1.0).contains(&f)) {
            v.err(
                &file.span(),
                format!("{}: line {}: qx must lie in [0, 1]", file.get_ref(), i + 1),
            );
            return fallback;
        }
        male_qx.push(m);
        female_qx.push(f);
    }
    let Some(first_age) = first_age else {
        v.err(
            &file.span(),
            format!("{}: the life table has no rows", file.get_ref()),
        );
        return fallback;
    };
    if f64::from(first_age) > start_age {
        v.err(
            &file.span(),
            format!(
                "{}: the table starts at age {first_age}, after the cohort's start age {start_age}",
                file.get_ref()
            ),
        );
        return fallback;
    }
    Mortality::LifeTable {
        file: file.get_ref().clone(),
        first_age,
        male_qx,
        female_qx,
        sex,
    }
}
