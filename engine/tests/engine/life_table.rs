//! Background mortality from Japan's 2024 life table: life expectancy computed by the engine
//! equals a direct product of (1 - qx) over the table, for men, women and a mixed cohort.

use std::path::Path;

use tenbin_engine::run::Analysis;
use tenbin_engine::scenario::Scenario;

use crate::common::MODELS;

fn read_table() -> Vec<(f64, f64)> {
    std::fs::read_to_string(Path::new(MODELS).join("data/japan-life-table-2024.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let c: Vec<f64> = l.split(',').map(|x| x.parse().unwrap()).collect();
            (c[1], c[2])
        })
        .collect()
}

fn scenario(sex: &str) -> String {
    format!(
        r#"[scenario]
id = "life"
title.en = "Life expectancy"
product_type = "engineered_tissue"
intervention = "a"
comparator = "b"

[[sources]]
id = "mhlw"
citation = "MHLW, 2024 abridged life table"

[settings]
cycles_per_year = 1
horizon_years = 60
start_age = 50
discount_rate_costs = 0
discount_rate_outcomes = 0

[mortality]
kind = "life_table"
file = "data/japan-life-table-2024.csv"
{sex}
source = "mhlw"

[[states]]
id = "alive"
utility = 1

[[states]]
id = "dead"
dead = true

[arms.a]
initial = {{ alive = 1 }}

[arms.b]
initial = {{ alive = 1 }}
"#
    )
}

fn life_years(sex: &str) -> f64 {
    let read =
        |p: &str| std::fs::read_to_string(Path::new(MODELS).join(p)).map_err(|e| e.to_string());
    let sc = Scenario::parse("life.toml", &scenario(sex), &read).unwrap_or_else(|e| panic!("{e}"));
    Analysis::new(&sc).base_case().unwrap().arms[0].life_years
}

/// Trapezoid life years over 60 yearly cycles from age 50, from survival curve `s`.
fn trapezoid(s: &[f64]) -> f64 {
    (0..60).map(|k| 0.5 * (s[k] + s[k + 1])).sum()
}

fn survival(q: impl Fn(usize) -> f64) -> Vec<f64> {
    let mut s = vec![1.0];
    for k in 0..60 {
        // Past the table's end (age 105, q = 1) nobody survives.
        let qk = if 50 + k < 106 { q(50 + k) } else { 1.0 };
        s.push(s[k] * (1.0 - qk));
    }
    s
}

#[test]
fn life_years_follow_the_table() {
    let t = read_table();
    let men = survival(|a| t[a].0);
    let women = survival(|a| t[a].1);
    let want_men = trapezoid(&men);
    let want_women = trapezoid(&women);
    assert!(
        (life_years("sex = \"male\"") - want_men).abs() < 1e-10,
        "{} vs {want_men}",
        life_years("sex = \"male\"")
    );
    assert!((life_years("sex = \"female\"") - want_women).abs() < 1e-10);
    // A cohort of 40% men follows the mixed survival curve.
    let mixed: Vec<f64> = men
        .iter()
        .zip(&women)
        .map(|(m, w)| 0.4 * m + 0.6 * w)
        .collect();
    let want = trapezoid(&mixed);
    assert!((life_years("male_share = 0.4") - want).abs() < 1e-10);
    // Sanity: Japanese women at 50 live longer than men (about 37.6 vs 32.0 more years).
    assert!(want_women > want_men + 4.0 && want_men > 30.0 && want_women < 40.0);
}
