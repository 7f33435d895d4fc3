//! The scenario library in `models/`: every file loads, runs a small PSA with every analysis,
//! and obeys the qualitative facts its structure implies (a larger cured fraction raises the
//! threshold price, a higher failure rate raises the cost-based price and the share never
//! treated, and so on). Each fact is checked by rerunning the base case with one input moved.

use std::path::{Path, PathBuf};

use tenbin_engine::analysis::decision::{DecisionOptions, analyse};
use tenbin_engine::report::Report;
use tenbin_engine::run::{Analysis, Evaluation, RunOptions};
use tenbin_engine::scenario::Scenario;

use crate::common::{self, MODELS, method};

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
        .map(common::load)
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

/// Asserts that moving `name` from `from` to `to` (all else at the base case) raises the
/// threshold price at the first willingness to pay.
fn threshold_rises(sc: &Scenario, name: &str, from: f64, to: f64) {
    let (a, b) = (
        threshold(&with(sc, name, from).1),
        threshold(&with(sc, name, to).1),
    );
    assert!(
        b > a,
        "{}: {name} from {from} to {to} moved the threshold price from {a} to {b}",
        sc.meta.id
    );
}

/// Asserts that more failed batches (`name` from `from` to `to`) leave more patients untreated
/// and raise the supply cost per treated patient and the cost-accounting price.
fn failures_cost_patients_and_money(sc: &Scenario, name: &str, from: f64, to: f64) {
    let ((e_lo, r_lo), (e_hi, r_hi)) = (with(sc, name, from), with(sc, name, to));
    let (s_lo, s_hi) = (e_lo.supply.unwrap(), e_hi.supply.unwrap());
    assert!(s_hi.never_treated > s_lo.never_treated, "{}", sc.meta.id);
    assert!(s_hi.costs.total() > s_lo.costs.total(), "{}", sc.meta.id);
    assert!(
        method(&r_hi, "cost_accounting").base_case > method(&r_lo, "cost_accounting").base_case,
        "{}",
        sc.meta.id
    );
}

#[test]
fn every_scenario_runs_with_every_analysis_and_cites_its_sources() {
    let mut all = Vec::new();
    files(Path::new(MODELS), &mut all);
    assert!(all.len() >= 4, "{all:?}");
    for path in all {
        let sc = common::load(&path);
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
    threshold_rises(&sc, "cure_cart", 0.25, 0.45);
    failures_cost_patients_and_money(&sc, "p_fail", 0.01, 0.10);
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
    assert_eq!(method(&r, "comparable_drug").base_case, 167_077_222.0);
    threshold_rises(&sc, "c_vial", 8_500_000.0, 9_500_000.0);
    let (_, sits) = with(&sc, "p_sit_gt", 0.7);
    assert!(threshold(&sits) > threshold(&r));
}

#[test]
fn haemophilia_faster_loss_of_expression_lowers_the_value_of_one_dose() {
    let sc = load("hemophilia-b-gene-therapy");
    threshold_rises(&sc, "q5_loss", 0.1, 0.005);
    threshold_rises(&sc, "c_proph_year", 30_000_000.0, 50_000_000.0);
}
#[test]
fn car_t_paediatric_all_a_cure_in_childhood_is_worth_more_than_the_list_price_and_behaves() {
    let sc = load("car-t-paediatric-all");
    let (_, base) = with(&sc, "cure_cart", 0.50);
    // At Kymriah's single Japanese list price the ICER falls in the band Chuikyo's evaluation
    // reported for B-ALL against blinatumomab: 2M to under 7.5M yen/QALY (CB News, 2021-03-24).
    // With P(w) = w dQ - dC at the scenario's WTPs of 5M and 7.5M: ICER = (L + dC) / dQ.
    let list = 32_647_761.0;
    let (p5, p75) = (
        base.threshold_price[0].base_case,
        base.threshold_price[1].base_case,
    );
    let dq = (p75 - p5) / 2_500_000.0;
    let dc = 5_000_000.0 * dq - p5;
    let icer = (list + dc) / dq;
    assert!((2_000_000.0..7_500_000.0).contains(&icer), "ICER {icer}");
    assert!(threshold(&base) > list);
    // A larger cured fraction of responders raises the threshold price.
    let (_, low) = with(&sc, "cure_cart", 0.35);
    let (_, high) = with(&sc, "cure_cart", 0.62);
    assert!(threshold(&high) > threshold(&base) && threshold(&base) > threshold(&low));
    // The same cure is worth less to a cohort starting at 40 than at 12, and less when the
    // distant future is discounted at 4% rather than 2%.
    let at = |f: &dyn Fn(&mut Scenario)| {
        let mut s = sc.clone();
        f(&mut s);
        let e = Analysis::new(&s).base_case().unwrap();
        threshold(&Report::new(&s, &e, None))
    };
    let adult = at(&|s| {
        s.settings.start_age = 40.0;
        s.settings.horizon_years = 60;
    });
    let discounted = at(&|s| {
        s.settings.discount_rate_costs = 0.04;
        s.settings.discount_rate_outcomes = 0.04;
    });
    assert!(adult < threshold(&base), "{adult}");
    assert!(discounted < threshold(&base), "{discounted}");
    // More failed batches: more never infused, a dearer cost per treated patient and a higher
    // cost-accounting price; a longer wait also leaves more children untreated.
    failures_cost_patients_and_money(&sc, "p_fail", 0.02, 0.12);
    let (e1, _) = with(&sc, "lead_days", 35.0);
    let (e2, _) = with(&sc, "lead_days", 70.0);
    assert!(e2.supply.unwrap().never_treated > e1.supply.unwrap().never_treated);
}
#[test]
fn msc_agvhd_value_rests_on_response_and_a_failed_lot_costs_money_not_patients() {
    let sc = load("msc-steroid-refractory-agvhd");
    // The cells are worth more the more patients respond by day 28, and less the better the
    // comparator (ruxolitinib) does.
    threshold_rises(&sc, "msc_cr", 0.15, 0.35);
    threshold_rises(&sc, "rux_cr", 0.45, 0.25);
    // Against ruxolitinib, a longer ruxolitinib course is a larger avoided cost.
    threshold_rises(&sc, "rux_months", 2.0, 8.0);
    // Off the shelf: a lot that fails release is replaced from stock, so more failures raise
    // the cost per treated patient and the cost-accounting price but leave nobody untreated
    // who would otherwise have been treated.
    let (e_lo, r_lo) = with(&sc, "p_lot_fail", 0.01);
    let (e_hi, r_hi) = with(&sc, "p_lot_fail", 0.15);
    let (s_lo, s_hi) = (e_lo.supply.unwrap(), e_hi.supply.unwrap());
    assert!(s_hi.costs.total() > s_lo.costs.total());
    assert!(
        method(&r_hi, "cost_accounting").base_case > method(&r_lo, "cost_accounting").base_case
    );
    assert!((s_hi.never_treated - s_lo.never_treated).abs() < 1e-12);
    // Centre qualification is spread over a centre's patients: busier centres cost less each.
    let (e_few, _) = with(&sc, "pts_per_centre", 1.0);
    let (e_many, _) = with(&sc, "pts_per_centre", 5.0);
    assert!(
        e_few.supply.unwrap().costs.centre_qualification
            > e_many.supply.unwrap().costs.centre_qualification
    );
}

#[test]
fn cardiac_sheet_base_case_mixes_the_two_worlds_and_failure_to_confirm_costs_more() {
    let sc = load("cardiac-cell-sheet-conditional");
    let base = Analysis::new(&sc).base_case().unwrap();
    let r = Report::new(&sc, &base, None);
    // works_u = 0: the sheets work (p_confirmed 0.3 > 0); works_u = 0.99: they do nothing.
    let (e_works, works) = with(&sc, "works_u", 0.0);
    let (e_fails, fails) = with(&sc, "works_u", 0.99);
    // Without an effect the operation's cost and risk remain: value is negative, and lower than
    // when the sheets work.
    assert!(threshold(&fails) < 0.0);
    assert!(threshold(&works) > threshold(&fails));
    // The effect enters only through the shares leaving the operated state, so the base case
    // (the expected effect) is exactly the probability-weighted mix of the two worlds.
    let p = 0.3;
    let mix = p * threshold(&works) + (1.0 - p) * threshold(&fails);
    assert!(
        (threshold(&r) - mix).abs() < 1.0,
        "{} vs {mix}",
        threshold(&r)
    );
    // A higher chance of confirmation raises the value of the expected case.
    let (_, hopeful) = with(&sc, "p_confirmed", 0.5);
    assert!(threshold(&hopeful) > threshold(&r));
    // If full approval never comes, the confirmatory study is spread over fewer patients: a
    // larger post-approval burden per treated patient and a higher cost-based price.
    let (s_works, s_fails) = (e_works.supply.unwrap(), e_fails.supply.unwrap());
    assert!(s_fails.costs.post_approval > s_works.costs.post_approval);
    assert!(
        method(&fails, "cost_accounting").base_case > method(&works, "cost_accounting").base_case
    );
    // More patients a year spread it thinner.
    let (e_few, _) = with(&sc, "n_year", 6.0);
    let (e_many, _) = with(&sc, "n_year", 30.0);
    assert!(e_few.supply.unwrap().costs.post_approval > e_many.supply.unwrap().costs.post_approval);
    // More failed cultures: more patients never treated and a higher cost-based price.
    failures_cost_patients_and_money(&sc, "p_fail", 0.01, 0.15);
}
#[test]
fn retinal_durability_degeneration_and_the_second_eye_do_what_they_should() {
    let sc = load("retinal-gene-therapy");
    // A longer-lasting effect is worth more.
    threshold_rises(&sc, "dur_median", 8.0, 30.0);
    // If the retina keeps degenerating under treatment, the treatment is worth less.
    threshold_rises(&sc, "degen_treated", 1.0, 0.0);
    // One eye: fewer vials per patient (cheaper to supply), less value than two eyes, but more
    // than half of it, so the second eye is worth less than the first (frac_one_eye > 0.5).
    let (e2, both) = with(&sc, "n_eyes", 2.0);
    let (e1, one) = with(&sc, "n_eyes", 1.0);
    assert!(threshold(&one) < threshold(&both));
    assert!(threshold(&one) > threshold(&both) - threshold(&one));
    assert!(e1.supply.unwrap().costs.total() < e2.supply.unwrap().costs.total());
    // More vector lots failing release raises the cost-based price, and nobody goes untreated
    // (the vials come from stock).
    let (e_lo, r_lo) = with(&sc, "p_lot_fail", 0.0);
    let (e_hi, r_hi) = with(&sc, "p_lot_fail", 0.15);
    assert!(
        method(&r_hi, "cost_accounting").base_case > method(&r_lo, "cost_accounting").base_case
    );
    assert_eq!(e_hi.supply.unwrap().never_treated, 0.0);
    assert!(e_hi.supply.unwrap().costs.total() > e_lo.supply.unwrap().costs.total());
}
#[test]
fn imported_gene_therapy_retesting_costs_vials_money_and_days_unless_the_certificate_is_accepted() {
    let mut sc = load("imported-gene-therapy-retesting");
    let base = Analysis::new(&sc).base_case().unwrap();
    let r = Report::new(&sc, &base, None);
    let s = base.supply.unwrap();
    // Accepting the US site's certificate: no re-test cost, no vials used up, no wait, so a lower
    // cost per treated patient, fewer days to treatment, fewer boys ageing out while they wait and
    // a lower cost-accounting price; the value of the treatment itself does not change.
    sc.supply
        .as_mut()
        .unwrap()
        .levers
        .accept_foreign_certificate = true;
    let acc = Analysis::new(&sc).base_case().unwrap();
    let ra = Report::new(&sc, &acc, None);
    let sa = acc.supply.unwrap();
    assert!(s.costs.import_testing > 0.0);
    assert_eq!(sa.costs.import_testing, 0.0);
    assert!(sa.costs.manufacturing < s.costs.manufacturing);
    assert!(sa.costs.total() < s.costs.total());
    assert!(sa.time_to_treatment_days < s.time_to_treatment_days);
    assert!(sa.never_treated < s.never_treated);
    assert!(method(&ra, "cost_accounting").base_case < method(&r, "cost_accounting").base_case);
    assert_eq!(threshold(&ra), threshold(&r));
    sc.supply
        .as_mut()
        .unwrap()
        .levers
        .accept_foreign_certificate = false;
    // A re-test that uses up more of the lot makes each treated patient dearer and raises the
    // cost-based price, while the value-based price stays where it was.
    let (e_lo, r_lo) = with(&sc, "retest_vials", 3.0);
    let (e_hi, r_hi) = with(&sc, "retest_vials", 12.0);
    assert!(e_hi.supply.unwrap().costs.manufacturing > e_lo.supply.unwrap().costs.manufacturing);
    assert!(
        method(&r_hi, "cost_accounting").base_case > method(&r_lo, "cost_accounting").base_case
    );
    assert_eq!(threshold(&r_hi), threshold(&r_lo));
    // Fewer patients per imported lot: the re-test is spread over fewer boys, and more of them
    // wait for it.
    let (e_few, _) = with(&sc, "kits_per_lot", 2.0);
    let (e_many, _) = with(&sc, "kits_per_lot", 10.0);
    let (s_few, s_many) = (e_few.supply.unwrap(), e_many.supply.unwrap());
    assert!(s_few.costs.import_testing > s_many.costs.import_testing);
    assert!(s_few.time_to_treatment_days > s_many.time_to_treatment_days);
    // A longer delay in the loss of walking raises what the one-time treatment is worth.
    threshold_rises(&sc, "delay_years", 0.5, 3.0);
}
#[test]
fn fresh_export_a_slow_border_makes_grafts_expire_and_leaves_patients_waiting() {
    let mut sc = load("fresh-cell-product-export");
    let base = Analysis::new(&sc).base_case().unwrap();
    let r = Report::new(&sc, &base, None);
    let s = base.supply.unwrap();
    // The closed form at the base case: the inspection's 1.5 days come off a 4-day shelf life,
    // against a lognormal transit with median 1.5 days and sdlog 0.4:
    // 1 - Phi(ln(2.5 / 1.5) / 0.4) = 1 - Phi(1.27706) = 0.10079.
    assert!(
        (s.expiry_probability - 0.10079).abs() < 1e-4,
        "{}",
        s.expiry_probability
    );
    // A slower routine transit: more shipments expire, each treated patient costs more, more
    // patients die before their graft arrives, and the cost-based price rises; the value of a
    // graft that arrives is unchanged.
    let (e1, r1) = with(&sc, "transit_median", 1.0);
    let (e2, r2) = with(&sc, "transit_median", 2.0);
    let (s1, s2) = (e1.supply.unwrap(), e2.supply.unwrap());
    assert!(s2.expiry_probability > s1.expiry_probability);
    assert!(s2.costs.expiry > s1.costs.expiry);
    assert!(s2.costs.total() > s1.costs.total());
    assert!(s2.never_treated > s1.never_treated);
    assert!(s2.time_to_treatment_days > s1.time_to_treatment_days);
    assert!(method(&r2, "cost_accounting").base_case > method(&r1, "cost_accounting").base_case);
    assert_eq!(threshold(&r1), threshold(&r2));
    // Inspection days count against the shelf life.
    let (e3, _) = with(&sc, "inspect_days", 0.5);
    let (e4, _) = with(&sc, "inspect_days", 2.0);
    assert!(e4.supply.unwrap().expiry_probability > e3.supply.unwrap().expiry_probability);
    // Accepting the exporter's certificate removes the extra inspection: fewer expiries, a lower
    // cost per treated patient, fewer days and fewer deaths while waiting.
    sc.supply
        .as_mut()
        .unwrap()
        .levers
        .accept_foreign_certificate = true;
    let acc = Analysis::new(&sc).base_case().unwrap();
    let ra = Report::new(&sc, &acc, None);
    let sa = acc.supply.unwrap();
    assert!(sa.expiry_probability < s.expiry_probability);
    assert_eq!(sa.costs.import_testing, 0.0);
    assert!(sa.costs.total() < s.costs.total());
    assert!(sa.time_to_treatment_days < s.time_to_treatment_days);
    assert!(sa.never_treated < s.never_treated);
    assert!(method(&ra, "cost_accounting").base_case < method(&r, "cost_accounting").base_case);
    assert_eq!(threshold(&ra), threshold(&r));
    // A less effective graft (relative risk of death nearer 1) is worth less.
    sc.supply
        .as_mut()
        .unwrap()
        .levers
        .accept_foreign_certificate = false;
    threshold_rises(&sc, "rr_death", 0.95, 0.6);
}
