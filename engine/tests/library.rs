//! The scenario library in `models/`: every file loads, runs a small PSA with every analysis,
//! and obeys the qualitative facts its structure implies (a larger cured fraction raises the
//! threshold price, a higher failure rate raises the cost-based price and the share never
//! treated, and so on). Each fact is checked by rerunning the base case with one input moved.

use std::path::{Path, PathBuf};

use tenbin_engine::decision::{DecisionOptions, analyse};
use tenbin_engine::report::Report;
use tenbin_engine::run::{Analysis, Evaluation, RunOptions};
use tenbin_engine::scenario::Scenario;

const MODELS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../models");

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "toml") {
            out.push(p);
        }
    }
}

fn load(id: &str) -> Scenario {
    let mut all = Vec::new();
    files(Path::new(MODELS), &mut all);
    all.iter()
        .map(|p| Scenario::load(p).unwrap_or_else(|e| panic!("{e}")))
        .find(|s| s.meta.id == id)
        .unwrap_or_else(|| panic!("no scenario {id}"))
}

/// The base case with one parameter set to `x`.
fn with(sc: &Scenario, name: &str, x: f64) -> (Evaluation, Report) {
    let mut v: Vec<f64> = sc.parameters.iter().map(|p| p.base).collect();
    v[sc.slot_of(name).unwrap_or_else(|| panic!("{name}"))] = x;
    let e = Analysis::new(sc).evaluate(&v).unwrap();
    let r = Report::new(sc, &e, None);
    (e, r)
}

fn threshold(r: &Report) -> f64 {
    r.threshold_price[0].base_case
}

fn method(r: &Report, id: &str) -> f64 {
    r.pricing
        .methods
        .iter()
        .find(|m| m.method == id)
        .unwrap_or_else(|| panic!("{id}"))
        .base_case
}

#[test]
fn every_scenario_runs_with_every_analysis_and_cites_its_sources() {
    let mut all = Vec::new();
    files(Path::new(MODELS), &mut all);
    assert!(all.len() >= 4, "{all:?}");
    for path in all {
        let sc = Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let ids: Vec<&str> = sc.sources.iter().map(|s| s.id.as_str()).collect();
        for p in &sc.parameters {
            assert!(ids.contains(&p.source.as_str()), "{}: {}", sc.file, p.name);
        }
        assert!(!sc.meta.title.ja.is_empty() && !sc.meta.title.en.is_empty());
        assert!(!sc.meta.summary.ja.is_empty() && !sc.meta.summary.en.is_empty());
        // The home page lists the library by the question each scenario answers.
        assert!(
            !sc.meta.question.ja.is_empty() && !sc.meta.question.en.is_empty(),
            "{}: no question",
            sc.file
        );
        let a = Analysis::new(&sc);
        let base = a.base_case().unwrap();
        let psa = a
            .psa(
                &RunOptions {
                    draws: 300,
                    keep_parameters: true,
                    ..RunOptions::default()
                },
                &|_| {},
            )
            .unwrap_or_else(|e| panic!("{e}"));
        let r = Report::new(&sc, &base, Some(&psa));
        assert!(r.threshold_price.iter().all(|t| t.base_case.is_finite()));
        let d = analyse(&a, &psa, &DecisionOptions::default()).unwrap();
        assert!(
            d.value_of_information.evpi_per_patient >= 0.0,
            "{}",
            sc.file
        );
    }
}

#[test]
fn car_t_a_larger_cured_fraction_and_fewer_failures_do_what_they_should() {
    let sc = load("car-t-large-b-cell-lymphoma");
    let (_, low) = with(&sc, "cure_cart", 0.25);
    let (_, high) = with(&sc, "cure_cart", 0.45);
    assert!(threshold(&high) > threshold(&low));
    let (e_lo, r_lo) = with(&sc, "p_fail", 0.01);
    let (e_hi, r_hi) = with(&sc, "p_fail", 0.10);
    let (s_lo, s_hi) = (e_lo.supply.unwrap(), e_hi.supply.unwrap());
    assert!(s_hi.never_treated > s_lo.never_treated);
    assert!(s_hi.costs.total() > s_lo.costs.total());
    assert!(method(&r_hi, "cost_accounting") > method(&r_lo, "cost_accounting"));
    // A longer wait leaves more patients untreated.
    let (e1, _) = with(&sc, "lead_days", 28.0);
    let (e2, _) = with(&sc, "lead_days", 63.0);
    assert!(e2.supply.unwrap().never_treated > e1.supply.unwrap().never_treated);
}

#[test]
fn sma_the_comparable_drug_price_is_the_listing_and_a_dearer_comparator_raises_value() {
    let sc = load("sma-type-1-gene-therapy");
    let base = Analysis::new(&sc).base_case().unwrap();
    let r = Report::new(&sc, &base, None);
    // Chuikyo, 2020-05-13: 9,493,024 yen x 11 vials x (1 + 0.5 + 0.1).
    assert_eq!(method(&r, "comparable_drug"), 167_077_222.0);
    let (_, cheap) = with(&sc, "c_vial", 8_500_000.0);
    let (_, dear) = with(&sc, "c_vial", 9_500_000.0);
    assert!(threshold(&dear) > threshold(&cheap));
    let (_, sits) = with(&sc, "p_sit_gt", 0.7);
    assert!(threshold(&sits) > threshold(&r));
}

#[test]
fn haemophilia_faster_loss_of_expression_lowers_the_value_of_one_dose() {
    let sc = load("hemophilia-b-gene-therapy");
    let (_, slow) = with(&sc, "q5_loss", 0.005);
    let (_, fast) = with(&sc, "q5_loss", 0.1);
    assert!(threshold(&slow) > threshold(&fast));
    let (_, dear) = with(&sc, "c_proph_year", 50_000_000.0);
    let (_, cheap) = with(&sc, "c_proph_year", 30_000_000.0);
    assert!(threshold(&dear) > threshold(&cheap));
}
