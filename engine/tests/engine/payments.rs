//! Payment schemes, budget impact and variants end to end, against closed forms and against
//! the same scenario written with the variant's values.
//!
//! The scenario makes the share responding exact: background mortality is negligible, a share
//! `p0` responds at treatment and response is lost at a constant rate `lambda`, so
//! R(t) = p0 exp(-lambda t) at every trace point (quarterly cycles: t = 0, 0.25, 0.5, ...).
//! Each scheme's expected present cost is then a short sum the test writes out itself.

use tenbin_engine::pricing::payments::{Curve, SchemeReport, cash_flows};
use tenbin_engine::report::Report;
use tenbin_engine::run::{Analysis, RunOptions};
use tenbin_engine::scenario::Scenario;
use tenbin_engine::scenario::payments::Scheme;

use crate::common::{MODELS, close, load, method, no_files, parse};

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

/// R(t) on the quarterly cycle grid, where the model reads it (whole years, the milestones at
/// 0 and 6 months).
fn response(lambda: f64, t: f64) -> f64 {
    assert_eq!((4.0 * t).fract(), 0.0, "{t} is not on the cycle grid");
    P0 * (-lambda * t).exp()
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

/// An intervention-only cost: 300,000 yen a year while responding.
const MONITORING: &str =
    "[[arms.x.costs]]\nname = \"monitoring\"\nstates = [\"R\"]\nper_year = 300_000\n";

/// The closed form of the cost offsets: the comparator's care (1M yen a year in L, everyone
/// in L) minus the intervention's (1M a year on 1 - R(t)), start of cycle, quarterly:
/// 1M x 0.25 x sum_{k<120} R(k/4) d(k/4) = 225,000 x (1 - q^120) / (1 - q), with
/// q = exp(-lambda / 4) 1.03^(-1/4).
fn offsets(lambda: f64) -> f64 {
    let q = (-lambda / 4.0).exp() * (1.0 + RATE).powf(-0.25);
    225_000.0 * (1.0 - q.powi(120)) / (1.0 - q)
}

#[test]
fn defect_8_shared_savings_shares_only_the_offsets() {
    // Items: `care` (both arms) is an offset, the intervention's `monitoring` an added cost. At
    // lambda = 0.2, q = exp(-0.05) 1.03^-0.25 = 0.944226, (1 - q^120) / (1 - q) = 17.911202:
    // offsets 225,000 x 17.911202 = 4,030,020.39 yen; monitoring is 0.3 x the same sum (300,000
    // a year on R(t) instead of 1M): added 1,209,006.12 yen; dC = added - offsets
    // = -2,821,014.27. Shared savings, half the offsets: value-based price - 0.5 x offsets,
    // 2,015,010.19 below it. Netting first credited 0.5 x 2,821,014.27 = 1,410,507.14 below
    // it: 604,503.06 = (1 - 0.5) x min(added, offsets) too high.
    let sc = scenario(MONITORING, "");
    let base = Analysis::new(&sc).base_case().unwrap();
    let r = Report::new(&sc, &base, None);
    let b = &r.base_case;
    assert!(
        close(b.cost_offsets, 4_030_020.39, 1e-8),
        "{}",
        b.cost_offsets
    );
    assert!(close(b.cost_offsets, offsets(LAMBDA), 1e-12));
    assert!(
        close(b.added_costs, 1_209_006.12, 1e-8),
        "{}",
        b.added_costs
    );
    assert!(close(b.incremental.costs, -2_821_014.27, 1e-8));
    // By item, per arm: the comparator has no monitoring item of its own.
    let x = &b.costs_by_item["x"];
    let y = &b.costs_by_item["y"];
    assert!(close(x["monitoring"], 1_209_006.12, 1e-8));
    assert!(close(y["care"] - x["care"], 4_030_020.39, 1e-8));
    assert!(!y.contains_key("monitoring"));
    let value = method(&r, "value_based").base_case;
    let shared = method(&r, "shared_savings").base_case;
    assert!(
        close(value - shared, 2_015_010.19, 1e-8),
        "{}",
        value - shared
    );

    // Over draws each draw shares its own offsets (lambda is uncertain).
    let analysis = Analysis::new(&sc);
    let opts = RunOptions {
        draws: 300,
        keep_parameters: true,
        ..RunOptions::default()
    };
    let psa = analysis.psa(&opts, &|_| {}).unwrap();
    let slot = sc.slot_of("lambda").unwrap();
    let params = psa.parameters.as_ref().unwrap();
    for d in 0..opts.draws {
        let lambda = params[d * psa.slot_count + slot];
        assert!(
            close(psa.cost_offsets[d], offsets(lambda), 1e-9),
            "draw {d}: {} vs {}",
            psa.cost_offsets[d],
            offsets(lambda)
        );
    }

    // A variant shares its own offsets: with lambda = 0.02, q = exp(-0.005) 1.03^-0.25,
    // offsets 225,000 x (1 - q^120) / (1 - q).
    let variant = format!(
        "{MONITORING}\n[[variants]]\nid = \"slow\"\nrole = \"durability\"\nset = {{ lambda = 0.02 }}\n"
    );
    let sc = scenario(&variant, "");
    let base = Analysis::new(&sc).base_case().unwrap();
    let r = Report::new(&sc, &base, None);
    let v = &r.variants[0];
    assert!(close(
        v.value_based[0].base_case - v.shared_savings.base_case,
        0.5 * offsets(0.02),
        1e-9
    ));
}

/// The at-result scheme with one payment at `t` years: its payer factor is R(t) d(t).
fn one_milestone(cycles_per_year: u32, t: f64) -> f64 {
    let text = text(
        &format!(
            "[payments]\nresponse_states = [\"R\"]\nmilestones = [{t}]\nmilestone_shares = [1]"
        ),
        "",
    )
    .replace(
        "cycles_per_year = 4",
        &format!("cycles_per_year = {cycles_per_year}"),
    );
    let sc = parse("payments.toml", &text);
    let base = Analysis::new(&sc).base_case().unwrap();
    let r = Report::new(&sc, &base, None);
    scheme(&r, "at_result").payer_factor / d(t)
}

#[test]
fn defect_8_payment_at_result_reads_the_models_occupancy_at_each_milestone() {
    // R(t) = 0.9 exp(-0.2 t). At 6 months: 0.9 exp(-0.1) = 0.814354; the old linear
    // interpolation between whole years gave (R(0) + R(1)) / 2 = (0.9 + 0.736858) / 2 = 0.818429.
    // Quarterly and monthly cycles both have 0.5 years on their grid: exact.
    for cpy in [4, 12] {
        let got = one_milestone(cpy, 0.5);
        assert!(close(got, 0.814_353_676, 1e-9), "{cpy} a year: {got}");
    }
    // Yearly cycles have no trace point at 6 months: the curve is interpolated between the
    // cycles around it, here whole years, (0.9 + 0.736858) / 2.
    assert!(close(one_milestone(1, 0.5), 0.818_428_839, 1e-9));
    // Between quarterly trace points: 0.3 years is 0.2 of the way from 0.25 to 0.5,
    // 0.8 x 0.9 exp(-0.05) + 0.2 x 0.9 exp(-0.1) = 0.847756, within the interpolation error
    // over one cycle, h^2 / 8 x max |R''| = 0.25^2 / 8 x 0.9 x 0.2^2 = 0.00028, of the true
    // 0.9 exp(-0.06) = 0.847588.
    let got = one_milestone(4, 0.3);
    assert!(close(got, 0.847_755_921, 1e-9), "{got}");
    assert!((got - 0.847_588_080).abs() < 0.000_281);
    // The run keeps the curve at exactly the times the schemes read.
    let sc = scenario(
        "[payments]\nresponse_states = [\"R\"]\nmilestones = [0.25, 0.5, 1.75]\nmilestone_shares = [0.25, 0.25, 0.5]",
        "",
    );
    let spec = sc.payments.as_ref().unwrap();
    let times = spec.response_times();
    assert_eq!(times, [0.0, 0.25, 0.5, 1.0, 1.75, 2.0, 3.0, 4.0]);
    let base = Analysis::new(&sc).base_case().unwrap();
    let response = &base.payment.as_ref().unwrap().response;
    for (t, r) in times.iter().zip(response) {
        assert!(close(*r, P0 * (-LAMBDA * t).exp(), 1e-12), "{t}: {r}");
    }
}

#[test]
fn defect_8_the_refund_falls_due_when_response_is_first_assessed() {
    // Response assessed at 6 months. R(0.5) = 0.814354, R(1) = 0.736858, R(2) = 0.603288;
    // d(0.5) = 1.03^-0.5 = 0.985329, d(1) = 0.970874, d(2) = 0.942596.
    let sc = scenario(
        "[payments]\nresponse_states = [\"R\"]\nresponse_assessed_years = 0.5",
        "",
    );
    let spec = sc.payments.as_ref().unwrap();
    assert_eq!(spec.response_assessed_years, 0.5);
    let base = Analysis::new(&sc).base_case().unwrap();
    let times = spec.response_times();
    let curve = Curve {
        times: &times,
        response: &base.payment.as_ref().unwrap().response,
    };
    // Refund: the price at treatment; 0.8 x (1 - R(0.5)) back at 6 months for those not
    // responding then; losses in (0.5, 1] back at 1 year and in (1, 2] at 2 years.
    let flows = cash_flows(Scheme::Refund, spec, curve);
    let want = [
        (0.0, 1.0),
        (0.5, -0.8 * (1.0 - 0.814_353_676)),
        (1.0, -0.8 * (0.814_353_676 - 0.736_857_678)),
        (2.0, -0.8 * (0.736_857_678 - 0.603_288_041)),
    ];
    assert_eq!(flows.len(), want.len());
    for (f, w) in flows.iter().zip(want) {
        assert_eq!(f.0, w.0);
        assert!(close(f.1, w.1, 1e-8), "{f:?} vs {w:?}");
    }
    let report = Report::new(&sc, &base, None);
    // 1 - 0.8 x (0.185646 x 0.985329 + 0.077496 x 0.970874 + 0.133570 x 0.942596)
    // = 1 - 0.8 x 0.384066 = 0.692749 (booked at treatment, 0.692566).
    let refund = scheme(&report, "refund");
    assert!(close(refund.payer_factor, 0.692_748_972, 1e-8));
    assert!(close(
        refund.per_patient.unwrap().paid_in_full,
        0.603_288_041,
        1e-8
    ));
    // Payments before the assessment are due for every patient: the first outcome-based
    // instalment, (1 + sum_{t=1..4} R(t) d(t)) / 5 = 0.619074 (0.599074 when it waited for
    // response at treatment, R(0) = 0.9), and the payment at infusion, (1 + R(0.5) d(0.5) +
    // R(1) d(1)) / 3 = 0.839267.
    let out = scheme(&report, "outcome_instalments");
    assert!(close(out.payer_factor, 0.619_073_933, 1e-8));
    assert_eq!(out.payments[0].condition, "always");
    assert_eq!(out.payments[1].condition, "in_response");
    assert!(close(
        out.per_patient.unwrap().paid_in_full,
        response(LAMBDA, 4.0),
        1e-9
    ));
    let at = scheme(&report, "at_result");
    assert!(close(at.payer_factor, 0.839_267_441, 1e-8));
    assert_eq!(at.payments[0].condition, "always");
    assert_eq!(
        report.payments.as_ref().unwrap().response_assessed_years,
        0.5
    );

    // Assessed at a whole year: the never-responders' refund and the first year's losses fall
    // together at 1 year, 0.8 x (1 - R(1)).
    let sc = scenario(
        "[payments]\nresponse_states = [\"R\"]\nresponse_assessed_years = 1",
        "",
    );
    let spec = sc.payments.as_ref().unwrap();
    let base = Analysis::new(&sc).base_case().unwrap();
    let times = spec.response_times();
    let curve = Curve {
        times: &times,
        response: &base.payment.as_ref().unwrap().response,
    };
    let flows = cash_flows(Scheme::Refund, spec, curve);
    assert_eq!(flows.len(), 3);
    assert!(close(flows[1].1, -0.8 * (1.0 - 0.736_857_678), 1e-8));
    assert_eq!((flows[1].0, flows[2].0), (1.0, 2.0));
}

#[test]
fn defect_8_the_cardiac_sheet_refunds_nobody_before_response_is_judged() {
    // Everyone starts in the operated state P, outside the response state M, and improvement
    // is judged from 6 months: R(0) = 0. Booked at treatment, the refund took 0.8 of the price
    // back from everyone at once and then 'refunded' negative amounts as R rose.
    let sc = load(format!("{MODELS}/cardiac-cell-sheet-conditional.toml"));
    let spec = sc.payments.as_ref().unwrap();
    assert_eq!(spec.response_assessed_years, 0.5);
    let base = Analysis::new(&sc).base_case().unwrap();
    let times = spec.response_times();
    let response = &base.payment.as_ref().unwrap().response;
    assert_eq!(response[0], 0.0);
    let curve = Curve {
        times: &times,
        response,
    };
    let flows = cash_flows(Scheme::Refund, spec, curve);
    assert_eq!(flows[0], (0.0, 1.0));
    assert_eq!(flows[1].0, 0.5);
    assert!(flows[1..].iter().all(|f| f.1 <= 0.0), "{flows:?}");
    // The first outcome-based instalment, at grafting, is due for every patient.
    let report = Report::new(&sc, &base, None);
    let out = scheme(&report, "outcome_instalments");
    assert_eq!(out.payments[0].condition, "always");
    // Response never returns in this model once lost, so per-patient spreads exist.
    assert!(scheme(&report, "refund").per_patient.is_some());
}

#[test]
fn bad_response_assessment_times_are_located() {
    for (payments, want) in [
        (
            "[payments]\nresponse_assessed_years = 31",
            "response_assessed_years: expected years after treatment from 0 to the horizon of 30 years",
        ),
        (
            "[payments]\nresponse_assessed_years = -1",
            "response_assessed_years: expected years after treatment from 0 to the horizon of 30 years",
        ),
        (
            "[payments]\nresponse_assessed_years = 3",
            "response is first assessed after the refund guarantee of 2 years has ended",
        ),
    ] {
        let e = error_of(payments, "");
        assert!(e.contains(want), "{payments}: {e}");
        let line = text(payments, "")
            .lines()
            .position(|l| l.starts_with("response_assessed_years"))
            .unwrap()
            + 1;
        assert!(
            e.contains(&format!("payments.toml:{line}:27")),
            "{payments}: {e}"
        );
    }
    // Within the guarantee it is accepted.
    let sc = scenario("[payments]\nresponse_assessed_years = 2", "");
    assert_eq!(sc.payments.unwrap().response_assessed_years, 2.0);
}
