//! The `[supply]` block end to end: read from a scenario, evaluated per draw, summarised in the
//! report, checked against closed forms and against the same scenario without supply.

use tenbin_engine::report::Report;
use tenbin_engine::run::{Analysis, RunOptions};
use tenbin_engine::scenario::Scenario;
use tenbin_engine::scenario::pricing::Method;

use crate::common::{method, no_files, parse, step};

/// A small scenario: a one-dose autologous therapy slows progression.
const HEALTH: &str = r#"
[scenario]
id = "supply-test"
title = { en = "Supply test", ja = "供給のテスト" }
product_type = "autologous_cell"
intervention = "treated"
comparator = "usual"

[[sources]]
id = "t"
citation = "Made-up values for tests"

[settings]
cycles_per_year = 4
horizon_years = 20
start_age = 50
wtp = [5_000_000]

[mortality]
kind = "gompertz"
a = 3.0e-5
b = 0.09
source = "t"

[parameters.p_fail]
value = 0.1
dist = "beta"
alpha = 6
beta = 54
source = "t"
label = { en = "Batch failure probability", ja = "バッチ不適合の確率" }

[parameters.c_batch]
value = 20_000_000
dist = "gamma"
shape = 100
scale = 200_000
source = "t"
label = { en = "Batch cost", ja = "バッチ費用" }

[[states]]
id = "S"
label = { en = "Stable", ja = "安定" }
utility = 0.8

[[states]]
id = "P"
label = { en = "Progressed", ja = "増悪" }
utility = 0.5

[[states]]
id = "D"
label = { en = "Dead", ja = "死亡" }
dead = true

[[costs]]
name = "care"
states = ["P"]
per_year = 1_000_000

[arms.treated]
initial = { S = 1 }
[[arms.treated.transitions]]
from = "S"
to = "P"
rate = 0.1

[arms.usual]
initial = { S = 1 }
[[arms.usual.transitions]]
from = "S"
to = "P"
rate = 0.3
"#;

fn scenario(supply: &str) -> Scenario {
    parse("supply.toml", &format!("{HEALTH}\n{supply}"))
}

fn error_of(supply: &str) -> String {
    let text = format!("{HEALTH}\n{supply}");
    let lines_before = HEALTH.lines().count() + 1;
    match Scenario::parse("supply.toml", &text, &no_files) {
        Ok(_) => panic!("expected an error for {supply}"),
        // Report lines relative to the supply text, so that tests read naturally.
        Err(e) => {
            e.0.iter()
                .map(|x| format!("{}:{}: {}", x.line - lines_before, x.column, x.message))
                .collect::<Vec<_>>()
                .join("\n")
        }
    }
}

const OPTS: RunOptions = RunOptions {
    seed: 7,
    draws: 4_000,
    threads: None,
    block_size: 1024,
    keep_parameters: false,
};

#[test]
fn a_supply_block_that_models_nothing_changes_no_health_result() {
    let plain = scenario("");
    let empty = scenario(
        "[supply]\nlead_time_days = 0\n[supply.failure]\nprobability = 0\nmax_attempts = 3\n",
    );
    let a = Analysis::new(&plain);
    let b = Analysis::new(&empty);
    let (ba, bb) = (a.base_case().unwrap(), b.base_case().unwrap());
    assert_eq!(ba.arms, bb.arms);
    let (pa, pb) = (
        a.psa(&OPTS, &|_| {}).unwrap(),
        b.psa(&OPTS, &|_| {}).unwrap(),
    );
    assert_eq!(pa.outcomes, pb.outcomes, "to the last bit");
    let report = Report::new(&empty, &bb, Some(&pb));
    let s = report.supply.expect("a supply section");
    assert_eq!(s.total_cost_per_treated.base_case, 0.0);
    assert_eq!(s.never_treated.psa.unwrap().mean, 0.0);
    // With nobody lost and every product conforming, the per-starting-patient gain is the gain.
    let dq = report.base_case.incremental.qalys;
    assert_eq!(s.incremental_qalys_per_patient_starting.base_case, dq);
    assert_eq!(
        s.threshold_price_per_treatment[0].1.base_case,
        report.threshold_price[0].base_case
    );
    assert!(Report::new(&plain, &ba, Some(&pa)).supply.is_none());
}

#[test]
fn failures_and_remanufacture_follow_their_closed_forms_over_draws() {
    let sc = scenario(
        r#"
[supply]
lead_time_days = 30
[supply.manufacturing]
materials_per_batch = "c_batch"
[supply.failure]
probability = "p_fail"
policy = "remanufacture"
max_attempts = 2
remanufacture_delay_days = 35
"#,
    );
    let a = Analysis::new(&sc);
    let base = a.base_case().unwrap();
    let bs = base.supply.unwrap();
    // Base case p = 0.1, m = 2: never treated p^2, batches (1 + p) / (1 - p^2) per treated.
    assert!((bs.never_treated - 0.01).abs() < 1e-15);
    assert!((bs.costs.manufacturing - 20_000_000.0).abs() < 1e-6);
    assert!((bs.costs.failure_and_oos - 20_000_000.0 * (1.1 / 0.99 - 1.0)).abs() < 1e-6);
    assert!((bs.time_to_treatment_days - (30.0 + 35.0 * 0.09 / 0.99)).abs() < 1e-12);

    // Over draws, p ~ Beta(6, 54): E[p^2] = 6 * 7 / (60 * 61).
    let psa = a.psa(&OPTS, &|_| {}).unwrap();
    let report = Report::new(&sc, &base, Some(&psa));
    let never = report.supply.as_ref().unwrap().never_treated.psa.unwrap();
    let want = 42.0 / 3660.0;
    assert!(
        (never.mean - want).abs() < 4.0 * never.mcse,
        "{} vs {want} (MCSE {})",
        never.mean,
        never.mcse
    );
    // Same bits for any thread count and block size.
    let other = a
        .psa(
            &RunOptions {
                threads: Some(1),
                block_size: 77,
                ..OPTS
            },
            &|_| {},
        )
        .unwrap();
    assert_eq!(psa.supply, other.supply);
    // Components' shares add up to one.
    let shares: f64 = report
        .supply
        .unwrap()
        .components
        .iter()
        .map(|c| c.share_of_total)
        .sum();
    assert!((shares - 1.0).abs() < 1e-12, "{shares}");
}

#[test]
fn supplying_oos_products_lowers_the_price_per_treatment_by_their_lost_effect() {
    let sc = scenario(
        r#"
[supply.failure]
probability = 0.2
policy = "supply_oos"
oos_relative_effect = 0.5
"#,
    );
    let a = Analysis::new(&sc);
    let base = a.base_case().unwrap();
    let r = Report::new(&sc, &base, None);
    let s = r.supply.unwrap();
    // A fifth of products at half effect: mean relative effect 0.9.
    let p = r.threshold_price[0].base_case;
    assert!((s.threshold_price_per_treatment[0].1.base_case - 0.9 * p).abs() < 1e-6 * p.abs());
    assert_eq!(s.never_treated.base_case, 0.0);
    assert!((s.treated_with_oos.base_case - 0.2).abs() < 1e-15);
}

#[test]
fn bad_supply_blocks_are_located() {
    let e = error_of("[supply.manufacturing]\nmaterial_per_batch = 3\n");
    assert!(
        e.starts_with("2:1: unknown field `material_per_batch`"),
        "{e}"
    );
    assert!(e.contains("materials_per_batch"), "{e}");
    let e = error_of("[supply.failure]\nprobability = 0.1\npolicy = \"retry\"\n");
    assert_eq!(
        e,
        "3:10: unknown failure policy `retry`; expected remanufacture, supply_oos or no_treatment"
    );
    let e = error_of("[supply.failure]\nmax_attempts = 2.5\n");
    assert!(
        e.starts_with("2:16: max_attempts: expected a whole number"),
        "{e}"
    );
    let e = error_of("[supply.failure]\nprobability = \"p_fial\"\n");
    assert!(e.starts_with("2:16: in expression:"), "{e}");
    assert!(e.contains("p_fial"), "{e}");
    let e = error_of("[levers]\nsupply_oos = true\n");
    assert!(
        e.contains("[levers] switch parts of the [supply] block"),
        "{e}"
    );
}

#[test]
fn a_supply_value_outside_its_range_names_the_key_and_the_draw() {
    let sc = scenario("[supply.failure]\nprobability = \"p_fail * 20\"\n");
    let err = Analysis::new(&sc).base_case().unwrap_err().to_string();
    assert!(err.contains("supply.failure.probability is 2"), "{err}");
    assert!(err.contains("expected between 0 and 1"), "{err}");
    assert!(err.contains("supply.toml:"), "{err}");
}

#[test]
fn each_lever_changes_what_it_should_by_its_closed_form() {
    use tenbin_engine::analysis::levers::lever_effects;
    let sc = scenario(
        r#"
[supply]
lead_time_days = 40
[supply.manufacturing]
materials_per_batch = "c_batch"
[supply.failure]
probability = "p_fail"
max_attempts = 2
oos_relative_effect = 0.6
[supply.import]
retest_per_batch = 1_500_000
retest_delay_days = 10
[supply.centres]
cost_per_year = 4_000_000
patients_per_centre_per_year = 8
manufacturers_sharing = 4
[supply.post_approval]
probability = 1
one_off = 500_000_000
patients_over_lifetime = 1000
[levers]
price_post_approval = true
"#,
    );
    let a = Analysis::new(&sc);
    let base = a.base_case().unwrap();
    let psa = a
        .psa(
            &RunOptions {
                keep_parameters: true,
                ..OPTS
            },
            &|_| {},
        )
        .unwrap();
    let effects = lever_effects(&sc, &base, Some(&psa)).unwrap();
    let by = |name: &str| effects.iter().find(|e| e.lever == name).unwrap();

    let cert = by("accept_foreign_certificate");
    assert_eq!((cert.from, cert.to), (false, true));
    // One conforming batch re-tested per treated patient, 10 days saved.
    assert!((cert.cost_per_treated.base_case + 1_500_000.0).abs() < 1e-6);
    assert!((cert.time_to_treatment_days.base_case + 10.0).abs() < 1e-12);
    assert_eq!(cert.never_treated.base_case, 0.0);
    let s = cert.cost_per_treated.psa.unwrap();
    assert!((s.mean + 1_500_000.0).abs() < 1e-6 && s.sd < 1e-6, "{s:?}");
    // The cost-accounting price builds on the product cost, so the saving reaches it marked up
    // by the drug route's FY2024 ratios, in closed form: SG&A 51% and profit 16.7% of cost +
    // SG&A + profit, distribution 6.9% of the price before tax, tax 10%; 1.1 / ((1 - 0.51 -
    // 0.167)(1 - 0.069)) = 3.658. The rule is linear in the product cost (up to rounding to
    // the yen), so every draw shows the same factor.
    let ca = cert.cost_accounting_price.expect("a cost-accounting price");
    let markup = ca.base_case / cert.cost_per_treated.base_case;
    let closed_form = 1.1 / ((1.0 - 0.51 - 0.167) * (1.0 - 0.069));
    assert!(
        (markup - closed_form).abs() < 1e-5,
        "{markup} vs {closed_form}"
    );
    let ca_draws = ca.psa.unwrap();
    assert!(
        (ca_draws.mean / s.mean - markup).abs() < 1e-3 * markup,
        "{ca_draws:?} vs {markup}"
    );

    let oos = by("supply_oos");
    // Re-manufacture leaves p^2 untreated; supplying OOS leaves none, at 60% effect for p.
    assert!((oos.never_treated.base_case + 0.01).abs() < 1e-15);
    let p_star = 5e6 * base.arms[0].qalys
        - 5e6 * base.arms[1].qalys
        - (base.arms[0].costs - base.arms[1].costs);
    let want = (0.9 + 0.1 * 0.6 - 1.0) * p_star;
    let got = oos.threshold_price_per_treatment[0].1.base_case;
    assert!((got - want).abs() < 1e-6 * p_star.abs(), "{got} vs {want}");
    // Over draws p varies, so the paired change has a spread; its mean is E[p^2] below zero.
    let never = oos.never_treated.psa.unwrap();
    assert!(
        (never.mean + 42.0 / 3660.0).abs() < 4.0 * never.mcse,
        "{never:?}"
    );

    let shared = by("shared_accreditation");
    assert!(
        (shared.cost_per_treated.base_case - (1_000_000.0 / 8.0 - 4_000_000.0 / 8.0)).abs() < 1e-6
    );

    let post = by("price_post_approval");
    assert_eq!((post.from, post.to), (true, false));
    assert!((post.cost_per_treated.base_case + 500_000.0).abs() < 1e-6);
    assert_eq!(post.threshold_price_per_treatment[0].1.base_case, 0.0);

    // No [supply], no levers.
    let plain = scenario("");
    let b = Analysis::new(&plain).base_case().unwrap();
    assert!(lever_effects(&plain, &b, None).unwrap().is_empty());
}

#[test]
fn every_pricing_method_gives_a_distribution_consistent_with_its_rule() {
    use tenbin_engine::pricing::methods::method_prices;
    let sc = scenario(
        r#"
[supply.manufacturing]
materials_per_batch = "c_batch"
[supply.failure]
probability = "p_fail"
max_attempts = 2

[pricing]
rule_set = "FY2024"
return_on_cost = 0.2
corridor_share = 0.25
comparable_drug = { comparator_unit_price = 1_000_000, units_per_course = 30, premiums = { usefulness_2 = 0.1 } }
"#,
    );
    let a = Analysis::new(&sc);
    let base = a.base_case().unwrap();
    let psa = a.psa(&OPTS, &|_| {}).unwrap();
    let r = Report::new(&sc, &base, Some(&psa));
    let by = |m: &str| method(&r, m);
    // Value-based: the threshold price at the first willingness to pay.
    assert_eq!(by("value_based").base_case, r.threshold_price[0].base_case);
    assert_eq!(by("value_based").p50, r.threshold_price[0].p50);
    // Comparable drug: 30M x 1.1, the same in every draw.
    let cd = by("comparable_drug");
    assert_eq!(
        (cd.base_case, cd.p5, cd.p95),
        (33e6, Some(33e6), Some(33e6))
    );
    // No-viable-price probability: the share of draws whose value ceiling is below
    // 1.2 x the cost per treated patient, counted directly.
    let supply = psa.supply.as_ref().unwrap();
    let count = psa
        .outcomes
        .chunks(2)
        .zip(supply)
        .filter(|(o, s)| {
            let ceiling = 5e6 * (o[0].qalys - o[1].qalys) - (o[0].costs - o[1].costs);
            ceiling < 1.2 * s.costs.total()
        })
        .count();
    assert_eq!(
        r.pricing.probability_no_viable_price,
        Some(count as f64 / OPTS.draws as f64)
    );
    // Per draw, the corridor's suggested price sits a quarter of the way up.
    let p = method_prices(&sc.pricing, 1.0, 0.0, 0.0, Some(&supply[0]), &[]);
    let floor = 1.2 * supply[0].costs.total();
    assert!((p.of(Method::Corridor).unwrap() - (floor + 0.25 * (5e6 - floor))).abs() < 1e-6);
    // A bad [pricing] block is located.
    let e = error_of("[pricing]\nrule_set = \"FY2030\"\n");
    assert!(e.starts_with("2:12: unknown rule set `FY2030`"), "{e}");
    let e = error_of(
        "[pricing.comparable_drug]\ncomparator_unit_price = 1\nunits_per_course = 1\npremiums = { usefulness_1 = 0.9 }\n",
    );
    assert!(
        e.contains("4:29: usefulness_1: 有用性加算(I) is allowed from 0.35 to 0.6"),
        "{e}"
    );
}

#[test]
fn a_lever_variant_equals_the_scenario_with_that_lever_flipped() {
    let supply = r#"
[supply]
lead_time_days = 40
[supply.manufacturing]
materials_per_batch = "c_batch"
[supply.failure]
probability = "p_fail"
max_attempts = 2
oos_relative_effect = 0.6
[supply.import]
retest_per_batch = 1_500_000
retest_delay_days = 10
"#;
    let with_variant = scenario(&format!(
        "{supply}\n[[variants]]\nid = \"certificate\"\nrole = \"scenario\"\nlevers = {{ accept_foreign_certificate = true, supply_oos = true }}\n"
    ));
    let flipped = scenario(&format!(
        "{supply}\n[levers]\naccept_foreign_certificate = true\nsupply_oos = true\n"
    ));
    let opts = RunOptions { draws: 500, ..OPTS };
    let a = Analysis::new(&with_variant);
    let r = Report::new(
        &with_variant,
        &a.base_case().unwrap(),
        Some(&a.psa(&opts, &|_| {}).unwrap()),
    );
    let b = Analysis::new(&flipped);
    let f = Report::new(
        &flipped,
        &b.base_case().unwrap(),
        Some(&b.psa(&opts, &|_| {}).unwrap()),
    );
    let variant = &r.variants[0].value_based[0];
    let per_treatment = &f.supply.as_ref().unwrap().threshold_price_per_treatment[0].1;
    assert_eq!(variant.base_case, per_treatment.base_case);
    assert_eq!(variant.draws.unwrap().mean, per_treatment.psa.unwrap().mean);
    // And it differs from the scenario as written (OOS products lose effect).
    assert_ne!(
        variant.base_case,
        r.supply.as_ref().unwrap().threshold_price_per_treatment[0]
            .1
            .base_case
    );
    // Its supply figures are those of the flipped scenario, base case and over draws, and
    // differ from the scenario as written (no re-testing cost or days).
    let vs = r.variants[0].supply.unwrap();
    let fs = f.supply.as_ref().unwrap();
    for (v, f) in [
        (vs.cost_per_treated, fs.total_cost_per_treated),
        (vs.never_treated, fs.never_treated),
        (vs.time_to_treatment_days, fs.time_to_treatment_days),
    ] {
        assert_eq!(v.base_case, f.base_case);
        assert_eq!(v.psa.unwrap().mean, f.psa.unwrap().mean);
        assert_eq!(v.psa.unwrap().p97_5, f.psa.unwrap().p97_5);
    }
    let written = r.supply.as_ref().unwrap();
    assert!(vs.cost_per_treated.base_case < written.total_cost_per_treated.base_case);
    assert_eq!(
        written.time_to_treatment_days.base_case - vs.time_to_treatment_days.base_case,
        10.0
    );
    // The report says what the variant changes.
    assert_eq!(
        r.variants[0].set,
        [
            (
                "levers.accept_foreign_certificate".to_string(),
                "true".to_string()
            ),
            ("levers.supply_oos".to_string(), "true".to_string()),
        ]
    );
}

#[test]
fn the_cost_accounting_shares_can_be_set_where_the_product_cost_already_covers_them() {
    let supply = "[supply]\n[supply.manufacturing]\nmaterials_per_batch = 10_000_000\n";
    let sc = scenario(&format!("{supply}\n[pricing]\nsga_ratio = 0\n"));
    let base = Analysis::new(&sc).base_case().unwrap();
    let r = Report::new(&sc, &base, None);
    let calc = &r.pricing.official[0];
    assert_eq!(step(calc, "SG&A and R&D (5)"), 0.0);
    // FY2024: profit 0.167 of (4)+(6), distribution 0.069 of the whole, tax 10%.
    let cost = step(calc, "product cost (4)");
    let profit = (cost / (1.0 - 0.167) * 0.167f64).round();
    assert_eq!(step(calc, "operating profit (6)"), profit);
    let before = cost + profit;
    let dist = (before * 0.069 / 0.931f64).round();
    assert_eq!(
        calc.price,
        before + dist + ((before + dist) * 0.1f64).round()
    );
    // Above the rule set's cap is an error where it is written.
    let e = error_of(&format!("{supply}\n[pricing]\nsga_ratio = 0.6\n"));
    assert!(e.contains("sga_ratio") && e.contains("cap"), "{e}");
    assert!(e.starts_with("6:13:"), "{e}");
}

#[test]
fn defect_7_official_inputs_vary_by_draw_and_show_the_disclosure_cliff() {
    // Disclosure uncertain between 30% and 90%; usefulness I 45% (an expression too). The
    // FY2024 drug rules give the premium a coefficient of 0 below 50% disclosure, 0.6 from 50%
    // to 80%, 1.0 from 80%: the price is the sum (4)..(8) times 1, 1.27 or 1.45.
    let text = r#"
[supply]
[supply.manufacturing]
materials_per_batch = 10_000_000

[parameters.disc]
value = 0.6
dist = "uniform"
min = 0.3
max = 0.9
source = "t"
label = { en = "Disclosure", ja = "開示度" }

[parameters.useful]
value = 0.45
source = "t"
label = { en = "Usefulness premium", ja = "有用性加算" }

[pricing]
disclosure = "disc"
premiums = { usefulness_1 = "useful" }
peak_sales_forecast = 12_000_000_000
"#;
    let sc = scenario(text);
    assert!(sc.pricing.varies());
    let a = Analysis::new(&sc);
    let at = |d: f64| {
        let values: Vec<f64> = sc
            .parameters
            .iter()
            .map(|p| if p.name == "disc" { d } else { p.base })
            .collect();
        let e = a.evaluate(&values).unwrap();
        Report::new(&sc, &e, None).pricing.official[0].clone()
    };
    let (low, mid, high) = (at(0.4), at(0.6), at(0.85));
    let sum = step(&low, "sum (4)+...+(8)");
    assert_eq!(low.price, sum);
    assert_eq!(mid.price, (sum * (1.0 + 0.45 * 0.6)).round());
    assert_eq!(high.price, (sum * 1.45).round());
    // Over the draws the official price takes exactly those three values, in the shares
    // the uniform disclosure gives them: 1/3 below 50%, 1/2 from 50% to 80%, 1/6 above.
    let psa = a.psa(&OPTS, &|_| {}).unwrap();
    let base = a.base_case().unwrap();
    let r = Report::new(&sc, &base, Some(&psa));
    let ca = method(&r, "cost_accounting");
    assert_eq!(ca.base_case, mid.price);
    assert_eq!((ca.p5, ca.p95), (Some(sum), Some(high.price)));
    // A draw outside the rules is an error naming the input and where it is written.
    let bad = scenario(&text.replace("max = 0.9", "max = 1.3"));
    let e = Analysis::new(&bad)
        .psa(&OPTS, &|_| {})
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("disclosure is") && e.contains("from 0 to 1"),
        "{e}"
    );
    // The one-way analysis moves the official price with disclosure: at its 2.5% quantile
    // (0.315) the sum, at its 97.5% quantile (0.885) the full premium.
    let tornado = tenbin_engine::analysis::decision::one_way(&a, 5e6).unwrap();
    let bar = tornado.bars.iter().find(|b| b.parameter == "disc").unwrap();
    let ca = bar
        .methods
        .iter()
        .find(|m| m.0 == Method::CostAccounting)
        .unwrap();
    assert_eq!((ca.1, ca.2), (sum, high.price));
}

#[test]
fn new_pricing_keys_are_checked_where_they_are_written() {
    // Line numbers count from the line after the health model.
    let e = error_of("[pricing]\nevaluation_category = \"H4\"\n");
    assert!(
        e.starts_with("2:23: unknown evaluation category `H4`"),
        "{e}"
    );
    let e = error_of("[pricing]\nevaluation_category = \"H3\"\npeak_sales_forecast = 1e10\n");
    assert!(e.starts_with("3:23:") && e.contains("not both"), "{e}");
    let e = error_of("[pricing]\nlist_price = { yen = 1_000, source = \"nowhere\" }\n");
    assert!(e.contains("unknown source `nowhere`"), "{e}");
    let e = error_of("[pricing]\ndisclosure = \"no_such_parameter\"\n");
    assert!(
        e.starts_with("2:15:") && e.contains("no_such_parameter"),
        "{e}"
    );
    let e = error_of("[pricing]\npremiums = { usefulness_1 = 0.9 }\n");
    assert!(e.starts_with("2:29:") && e.contains("usefulness_1"), "{e}");
    let e = error_of("[pricing.foreign]\nprices = { us = 100 }\n");
    assert!(
        e.starts_with("2:12:") && e.contains("exchange_rates.usd"),
        "{e}"
    );
    let e = error_of("[supply.post_approval]\nfollow_up_paid_by = \"hospital\"\n");
    assert!(e.starts_with("2:21:") && e.contains("maker"), "{e}");
}
