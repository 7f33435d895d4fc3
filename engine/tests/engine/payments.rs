//! Payment schemes, budget impact and variants end to end, against closed forms and against
//! the same scenario written with the variant's values.
//!
//! The scenario makes the share responding exact: background mortality is negligible, a share
//! `p0` responds at treatment and response is lost at a constant rate `lambda`, so
//! R(t) = p0 exp(-lambda t) at every whole year. Each scheme's expected present cost is then a
//! short sum the test writes out itself.

use tenbin_engine::pricing::payments::SchemeReport;
use tenbin_engine::report::Report;
use tenbin_engine::run::{Analysis, RunOptions};
use tenbin_engine::scenario::Scenario;
use tenbin_engine::scenario::payments::Scheme;

use crate::common::{close, method, no_files, parse};

const P0: f64 = 0.9;
const LAMBDA: f64 = 0.2;
const RATE: f64 = 0.03;

fn text(payments: &str, budget: &str) -> String {
    text_with(LAMBDA, payments, budget)
}

fn text_with(lambda: f64, payments: &str, budget: &str) -> String {
    format!(
        r#"[scenario]
id = "payments"
title.en = "Payments"
product_type = "viral_vector_gene_therapy"
intervention = "x"
comparator = "y"

[[sources]]
id = "s"
citation = "closed forms"

[settings]
cycles_per_year = 4
horizon_years = 30
start_age = 40
discount_rate_costs = {RATE}
discount_rate_outcomes = {RATE}
within_cycle_correction = "start_of_cycle"
wtp = [5_000_000]

[mortality]
kind = "gompertz"
a = 1e-300
b = 1e-9
source = "s"

[parameters.lambda]
value = {lambda}
dist = "gamma"
shape = 25
rate = 125
source = "s"

[parameters.incident]
value = 40
dist = "gamma"
shape = 100
rate = 2.5
source = "s"

[[states]]
id = "R"
utility = 1

[[states]]
id = "L"
utility = 0.5

[[states]]
id = "D"
dead = true

[[costs]]
name = "care"
states = ["L"]
per_year = 1_000_000

[arms.x]
initial = {{ R = {P0}, L = {l0} }}

[[arms.x.transitions]]
from = "R"
to = "L"
rate = "lambda"

[arms.y]
initial = {{ L = 1 }}

{payments}

{budget}
"#,
        l0 = 1.0 - P0
    )
}

fn scenario(payments: &str, budget: &str) -> Scenario {
    parse("payments.toml", &text(payments, budget))
}

fn error_of(payments: &str, budget: &str) -> String {
    match Scenario::parse("payments.toml", &text(payments, budget), &no_files) {
        Ok(_) => panic!("accepted:\n{payments}\n{budget}"),
        Err(e) => e.to_string(),
    }
}

/// R(t) at whole and half years (linear between whole years, as documented).
fn response(lambda: f64, t: f64) -> f64 {
    let at = |k: f64| P0 * (-lambda * k).exp();
    if t.fract() == 0.0 {
        at(t)
    } else {
        let k = t.floor();
        at(k) + t.fract() * (at(k + 1.0) - at(k))
    }
}

fn d(t: f64) -> f64 {
    (1.0 + RATE).powf(-t)
}

/// Each scheme's expected present cost per unit of nominal price, written out.
fn closed_form(scheme: &str, lambda: f64) -> f64 {
    match scheme {
        "up_front" => 1.0,
        "instalments" => (0..5).map(|t| d(t as f64)).sum::<f64>() / 5.0,
        "outcome_instalments" => {
            (0..5)
                .map(|t| response(lambda, t as f64) * d(t as f64))
                .sum::<f64>()
                / 5.0
        }
        "refund" => {
            1.0 - 0.8
                * ((1.0 - P0)
                    + (1..=2)
                        .map(|t| {
                            let t = t as f64;
                            (response(lambda, t - 1.0) - response(lambda, t)) * d(t)
                        })
                        .sum::<f64>())
        }
        "at_result" => [0.0, 0.5, 1.0]
            .iter()
            .map(|&t| response(lambda, t) * d(t) / 3.0)
            .sum(),
        _ => unreachable!(),
    }
}

fn scheme<'a>(r: &'a Report, id: &str) -> &'a SchemeReport {
    r.payments
        .as_ref()
        .expect("payments report")
        .schemes
        .iter()
        .find(|s| s.scheme.id() == id)
        .expect(id)
}

#[test]
fn each_scheme_costs_the_payer_its_closed_form_and_matches_the_target() {
    let sc = scenario("[payments]\nresponse_states = [\"R\"]", "");
    let base = Analysis::new(&sc).base_case().unwrap();
    let report = Report::new(&sc, &base, None);
    let p = report.payments.as_ref().unwrap();
    // The target is the base case's value-based price.
    assert_eq!(p.target_method.map(|m| m.id()), Some("value_based"));
    assert_eq!(p.target_price, report.threshold_price[0].base_case);
    for t in 0..=2 {
        assert!(close(p.response[t], response(LAMBDA, t as f64), 1e-9));
    }
    for id in Scheme::ALL.map(Scheme::id) {
        let s = scheme(&report, id);
        let want = closed_form(id, LAMBDA);
        assert!(
            close(s.payer_factor, want, 1e-9),
            "{id}: {} vs {want}",
            s.payer_factor
        );
        // The nominal price makes the expected present cost equal to the target.
        assert!(close(
            s.nominal_price * s.payer_factor,
            p.target_price,
            1e-12
        ));
        // The maker discounts at the same rate here, so it expects the target too.
        assert!(close(s.maker_expected_receipts, p.target_price, 1e-12));
        // Patients' outcomes average to the cohort's expectation.
        let pp = s.per_patient.expect("response only falls");
        assert!(pp.payer[0] <= pp.payer[1] && pp.payer[1] <= pp.payer[2]);
    }
    // Equal instalments: five payments of a fifth of the nominal price, due whatever happens.
    let inst = scheme(&report, "instalments");
    assert_eq!(inst.payments.len(), 5);
    assert!(close(
        inst.payments[4].share,
        inst.nominal_price / 5.0,
        1e-12
    ));
    assert_eq!(inst.per_patient.unwrap().paid_in_full, 1.0);
    // Outcome-based: paid in full only for patients still responding at the fifth payment.
    let out = scheme(&report, "outcome_instalments");
    assert!(close(
        out.per_patient.unwrap().paid_in_full,
        response(LAMBDA, 4.0),
        1e-9
    ));
    // Patients who never respond pay nothing: the lowest 10% pay 0.
    assert_eq!(out.per_patient.unwrap().payer[0], 0.0);
    // Refund: kept in full by those still responding at two years.
    let refund = scheme(&report, "refund");
    assert!(close(
        refund.per_patient.unwrap().paid_in_full,
        response(LAMBDA, 2.0),
        1e-9
    ));
    assert!(close(
        refund.payments[1].share,
        -0.8 * refund.nominal_price,
        1e-12
    ));
    // At result: everything paid for patients responding at 12 months.
    let at = scheme(&report, "at_result");
    assert!(close(
        at.per_patient.unwrap().paid_in_full,
        response(LAMBDA, 1.0),
        1e-9
    ));
}

#[test]
fn a_higher_maker_rate_lowers_what_instalments_are_worth_to_the_maker() {
    let sc = scenario(
        "[payments]\nresponse_states = [\"R\"]\nmaker_discount_rate = 0.08",
        "",
    );
    let base = Analysis::new(&sc).base_case().unwrap();
    let report = Report::new(&sc, &base, None);
    let target = report.payments.as_ref().unwrap().target_price;
    assert_eq!(scheme(&report, "up_front").maker_expected_receipts, target);
    let inst = scheme(&report, "instalments");
    let maker: f64 = (0..5).map(|t| 1.08f64.powi(-t)).sum::<f64>() / 5.0;
    assert!(close(
        inst.maker_expected_receipts,
        inst.nominal_price * maker,
        1e-12
    ));
    assert!(inst.maker_expected_receipts < target);
}

#[test]
fn over_draws_the_contract_is_fixed_and_its_cost_follows_each_draws_response() {
    let sc = scenario(
        "[payments]\nresponse_states = [\"R\"]\nprice = 30_000_000",
        "[budget]\nprevalent = 1000\nincident = \"incident\"\nuptake = [0.1, 0.2, 0.5]\nscheme = \"outcome_instalments\"",
    );
    let analysis = Analysis::new(&sc);
    let base = analysis.base_case().unwrap();
    let opts = RunOptions {
        draws: 2_000,
        keep_parameters: true,
        ..RunOptions::default()
    };
    let psa = analysis.psa(&opts, &|_| {}).unwrap();
    let report = Report::new(&sc, &base, Some(&psa));
    let p = report.payments.as_ref().unwrap();
    assert_eq!(p.target_method, None);
    assert_eq!(p.target_price, 30_000_000.0);
    let lambda_slot = sc.slot_of("lambda").unwrap();
    let params = psa.parameters.as_ref().unwrap();
    let lambdas: Vec<f64> = (0..opts.draws)
        .map(|k| params[k * psa.slot_count + lambda_slot])
        .collect();
    for id in ["up_front", "outcome_instalments", "refund"] {
        let s = scheme(&report, id);
        let mean = lambdas
            .iter()
            .map(|&l| s.nominal_price * closed_form(id, l))
            .sum::<f64>()
            / opts.draws as f64;
        let got = s.payer_cost.unwrap().mean;
        assert!(close(got, mean, 1e-9), "{id}: {got} vs {mean}");
    }
    // Up front, the payer's cost does not depend on the draw.
    let up = scheme(&report, "up_front").payer_cost.unwrap();
    assert_eq!((up.p5, up.p95), (30e6, 30e6));

    // Budget: patients and spending year by year at the base case.
    let b = report.budget.as_ref().unwrap();
    assert_eq!(b.scheme.id(), "outcome_instalments");
    let treated = [105.0, 0.2 * 900.0 + 0.2 * 40.0, 0.5 * 720.0 + 0.5 * 40.0];
    let treated: Vec<f64> = [
        0.1 * 1040.0,
        treated[1],
        treated[2],
        0.5 * 360.0 + 20.0,
        0.5 * 180.0 + 20.0,
    ]
    .to_vec();
    let nominal = b.nominal_price;
    assert_eq!(
        nominal,
        scheme(&report, "outcome_instalments").nominal_price
    );
    for (y, row) in b.years.iter().enumerate() {
        assert!(close(row.patients_treated, treated[y], 1e-12), "year {y}");
        // Cohort c pays an instalment in year y if it still responds y - c years on.
        let want: f64 = (0..=y)
            .map(|c| treated[c] * nominal / 5.0 * response(LAMBDA, (y - c) as f64))
            .sum();
        assert!(
            close(row.spending, want, 1e-9),
            "year {y}: {} vs {want}",
            row.spending
        );
        let s = row.spending_draws.unwrap();
        assert!(s.p5 <= s.p50 && s.p50 <= s.p95);
    }
    assert!(close(
        b.total,
        b.years.iter().map(|y| y.spending).sum(),
        1e-12
    ));
}

#[test]
fn bad_payment_and_budget_blocks_are_located() {
    let cases = [
        (
            "[payments]\nresponse_states = [\"Q\"]",
            "",
            "unknown state `Q`; expected one of R, L",
        ),
        (
            "[payments]\nresponse_states = [\"D\"]",
            "",
            "the dead state cannot be a response state",
        ),
        (
            "[payments]\nprice = \"corridor\"",
            "",
            "the corridor method needs a [supply] block",
        ),
        (
            "[payments]\nprice = \"median\"",
            "",
            "unknown pricing method `median`",
        ),
        (
            "[payments]\nmilestones = [0, 1]\nmilestone_shares = [0.5, 0.4]",
            "",
            "milestone_shares sum to 0.9",
        ),
        (
            "[payments]\nmilestones = [1, 0.5]\nmilestone_shares = [0.5, 0.5]",
            "",
            "milestones must be in increasing order",
        ),
        (
            "[payments]\ninstalment_years = 2.5",
            "",
            "instalment_years: expected a whole number from 1 to 30",
        ),
        (
            "[payments]\nrefund_years = 31",
            "",
            "refund_years: expected a whole number from 1 to 30",
        ),
        (
            "",
            "[budget]\nyears = 12\nincident = 5\nuptake = [0.5]",
            "years: expected a whole number from 5 to 10",
        ),
        (
            "",
            "[budget]\nincident = \"nobody\"\nuptake = [0.5]",
            "unknown name `nobody`",
        ),
        (
            "",
            "[budget]\nincident = 5\nuptake = [1.5]",
            "uptake: expected a share of eligible patients from 0 to 1",
        ),
        (
            "",
            "[budget]\nincident = 5\nuptake = [0.5]\nscheme = \"lease\"",
            "unknown payment scheme `lease`",
        ),
    ];
    for (payments, budget, want) in cases {
        let e = error_of(payments, budget);
        assert!(e.contains(want), "{payments}{budget}: {e}");
        assert!(e.starts_with("payments.toml:"), "{e}");
    }
    // The location is the offending value's.
    let e = error_of("[payments]\nresponse_states = [\"Q\"]", "");
    let line = text("[payments]\nresponse_states = [\"Q\"]", "")
        .lines()
        .position(|l| l.starts_with("response_states"))
        .unwrap()
        + 1;
    assert!(e.contains(&format!("payments.toml:{line}:20")), "{e}");
}

#[test]
fn a_budget_alone_pays_up_front_and_stops_payments_only_at_death() {
    let sc = scenario("", "[budget]\nincident = 10\nuptake = [1]");
    let p = sc.payments.as_ref().unwrap();
    assert_eq!(p.response_states, vec![0, 1]);
    let base = Analysis::new(&sc).base_case().unwrap();
    let report = Report::new(&sc, &base, None);
    let b = report.budget.unwrap();
    let price = report.threshold_price[0].base_case;
    assert_eq!(b.scheme.id(), "up_front");
    assert!(
        b.years
            .iter()
            .all(|y| close(y.spending, 10.0 * price, 1e-12))
    );
}

fn base_threshold(lambda: f64, extra: &str) -> (f64, f64, f64) {
    let t = text_with(lambda, extra, "");
    let sc = parse("payments.toml", &t);
    let b = Analysis::new(&sc).base_case().unwrap();
    let r = Report::new(&sc, &b, None);
    (
        r.threshold_price[0].base_case,
        r.base_case.incremental.qalys,
        r.base_case.incremental.costs,
    )
}

#[test]
fn a_variant_equals_the_scenario_written_with_its_values() {
    let variants = r#"
[[variants]]
id = "optimistic"
role = "durability"
label = { en = "Lasting effect", ja = "効果が長く続く" }
set = { lambda = 0.02 }

[[variants]]
id = "same"
role = "scenario"
set = { lambda = "lambda" }
"#;
    let sc = scenario(variants, "");
    let analysis = Analysis::new(&sc);
    let base = analysis.base_case().unwrap();
    let psa = analysis
        .psa(
            &RunOptions {
                draws: 500,
                ..RunOptions::default()
            },
            &|_| {},
        )
        .unwrap();
    let report = Report::new(&sc, &base, Some(&psa));
    let opt = &report.variants[0];
    let (price, dq, dc) = base_threshold(0.02, "");
    assert_eq!(opt.value_based[0].base_case, price);
    assert_eq!((opt.incremental_qalys, opt.incremental_costs), (dq, dc));
    // Fixed at 0.02 in every draw, the variant's price does not vary.
    let d = opt.value_based[0].draws.unwrap();
    assert_eq!((d.p5, d.p95), (price, price));
    assert!(price > report.threshold_price[0].base_case);
    // A variant that sets nothing new reproduces the scenario draw by draw.
    let same = &report.variants[1];
    let main = &report.threshold_price[0];
    assert_eq!(same.value_based[0].base_case, main.base_case);
    assert_eq!(same.value_based[0].draws.unwrap().mean, main.mean.unwrap());
    assert_eq!(same.value_based[0].draws.unwrap().p50, main.p50.unwrap());
    // Shared savings credit half the offsets: w dQ - dC / 2 when dC < 0.
    assert!(dc < 0.0);
    assert_eq!(opt.shared_savings.base_case, 5e6 * dq - dc / 2.0);
}

#[test]
fn populations_weight_the_cost_effectiveness_adjustment_by_share() {
    let comparable = r#"
[pricing]
evaluation_category = "H1"

[pricing.comparable_drug]
comparator_unit_price = 800_000
units_per_course = 20
premiums = { innovativeness = 1.0 }
"#;
    let populations = format!(
        "{comparable}\n[[variants]]\nid = \"a\"\nrole = \"population\"\nshare = 0.8\nset = {{ lambda = 0.05 }}\n\n\
         [[variants]]\nid = \"b\"\nrole = \"population\"\nshare = 0.2\nset = {{ lambda = 3 }}\n"
    );
    let sc = scenario(&populations, "");
    let base = Analysis::new(&sc).base_case().unwrap();
    let report = Report::new(&sc, &base, None);
    let price = method(&report, "comparable_drug").base_case;
    assert_eq!(price, 16e6 * 2.0);
    // Recompute: each population's ICER at the listed price picks its coefficient; the premium
    // part is cut by the share-weighted (1 - coefficient), at most 15% of the price (premium
    // rate 100%), and not below the share-weighted price at 5M yen per QALY.
    let premium_part = price - 16e6;
    let mut cut = 0.0;
    let mut floor = 0.0;
    for (lambda, share) in [(0.05, 0.8), (3.0, 0.2)] {
        let (_, dq, dc) = base_threshold(lambda, "");
        let icer = (dc + price) / dq;
        let (gamma, _) = tenbin_engine::official::evaluation::coefficients(Some(icer), false);
        cut += share * premium_part * (1.0 - gamma);
        floor += share * (5e6 * dq - dc);
    }
    let max_cut = price * 0.15;
    let adjusted = (price - cut.min(max_cut)).max(floor.min(price)).round();
    assert!(adjusted < price, "the test should see a cut: {adjusted}");
    assert_eq!(
        method(&report, "comparable_drug_adjusted").base_case,
        adjusted
    );
    // Without populations the scenario's own ICER decides, and the answer differs.
    let plain = scenario(comparable, "");
    let b = Analysis::new(&plain).base_case().unwrap();
    let r = Report::new(&plain, &b, None);
    let alone = method(&r, "comparable_drug_adjusted").base_case;
    assert_ne!(alone, adjusted);
}

#[test]
fn bad_variants_are_located() {
    let cases = [
        (
            "[[variants]]\nid = \"v\"\nrole = \"hope\"\nset = { lambda = 1 }",
            "unknown role `hope`",
        ),
        (
            "[[variants]]\nid = \"v\"\nrole = \"durability\"\nset = { speed = 1 }",
            "`speed` is not a parameter",
        ),
        (
            "[[variants]]\nid = \"v\"\nrole = \"population\"\nset = { lambda = 1 }",
            "needs `share`",
        ),
        (
            "[[variants]]\nid = \"v\"\nrole = \"durability\"\nshare = 0.5\nset = { lambda = 1 }",
            "only population variants have a share",
        ),
        (
            "[[variants]]\nid = \"v\"\nrole = \"population\"\nshare = 0.5\nset = { lambda = 1 }",
            "shares sum to 0.5; expected 1",
        ),
        (
            "[[variants]]\nid = \"v\"\nrole = \"durability\"\nset = { lambda = \"lambda *\" }",
            "in expression",
        ),
    ];
    for (variants, want) in cases {
        let e = error_of(variants, "");
        assert!(e.contains(want), "{variants}: {e}");
    }
}

#[test]
fn a_variant_may_change_the_discount_rates_as_if_the_scenario_said_so() {
    let variant = "[[variants]]\nid = \"rate5\"\nrole = \"scenario\"\nsettings = { discount_rate_costs = 0.05, discount_rate_outcomes = 0.05 }\n";
    let sc = scenario(variant, "");
    let base = Analysis::new(&sc).base_case().unwrap();
    let report = Report::new(&sc, &base, None);
    let t = text("", "")
        .replace("discount_rate_costs = 0.03", "discount_rate_costs = 0.05")
        .replace(
            "discount_rate_outcomes = 0.03",
            "discount_rate_outcomes = 0.05",
        );
    let other = parse("payments.toml", &t);
    let b = Analysis::new(&other).base_case().unwrap();
    let r = Report::new(&other, &b, None);
    assert_eq!(
        report.variants[0].value_based[0].base_case,
        r.threshold_price[0].base_case
    );
    assert_ne!(
        report.variants[0].value_based[0].base_case,
        report.threshold_price[0].base_case
    );
    for (bad, want) in [
        (
            "[[variants]]\nid = \"v\"\nrole = \"scenario\"\nsettings = { discount_rate_costs = 0.5 }",
            "expected a yearly rate from 0 to 0.2",
        ),
        (
            "[[variants]]\nid = \"v\"\nrole = \"scenario\"\nlevers = { supply_oos = true }",
            "which this scenario does not have",
        ),
        (
            "[[variants]]\nid = \"v\"\nrole = \"scenario\"",
            "a variant needs `set` (parameters), `settings` (discount rates) or `levers`",
        ),
    ] {
        let e = error_of(bad, "");
        assert!(e.contains(want), "{bad}: {e}");
    }
}
