//! Every transition law, counting rule and cost kind against closed forms. Background mortality
//! is made negligible (hazard 1e-300 per year) so that the only way out is the law under test;
//! then a cohort starting in `A` has `A(t) = S(t)`, the law's survival function, at every trace
//! point, and life years, QALYs and costs are sums of `S(t_j)` that the test computes itself.

use statrs::distribution::{ContinuousCDF, Normal};
use tenbin_engine::run::Analysis;

use crate::common::{assert_close, parse};

const CYCLES_PER_YEAR: usize = 4;
const YEARS: usize = 30;
const DT: f64 = 1.0 / CYCLES_PER_YEAR as f64;

/// A two-arm scenario; arm `x` has the given transitions and extra arm-level TOML, arm `y` never
/// moves. Returns the outcome of arm `x`: (QALYs, costs, life years).
fn run(correction: &str, discount: f64, states: &str, arm: &str) -> (f64, f64, f64) {
    let text = format!(
        r#"[scenario]
id = "laws"
title.en = "Laws"
product_type = "allogeneic_cell"
intervention = "x"
comparator = "y"

[[sources]]
id = "s"
citation = "closed forms"

[settings]
cycles_per_year = {CYCLES_PER_YEAR}
horizon_years = {YEARS}
start_age = 40
discount_rate_costs = {discount}
discount_rate_outcomes = {discount}
within_cycle_correction = "{correction}"

[mortality]
kind = "gompertz"
a = 1e-300
b = 1e-9
source = "s"

[[states]]
id = "A"
utility = 1

{states}

[[states]]
id = "D"
dead = true

[arms.x]
initial = {{ A = 1 }}
{arm}

[arms.y]
initial = {{ A = 1 }}
"#
    );
    let sc = parse("laws.toml", &text);
    let o = Analysis::new(&sc)
        .base_case()
        .unwrap_or_else(|e| panic!("{e}"))
        .arms[sc.arm_index("x").unwrap()];
    (o.qalys, o.costs, o.life_years)
}

/// Life years with end-of-cycle counting and no discounting: `dt * sum_{j=1..K} S(t_j)`.
fn end_of_cycle_sum(s: impl Fn(f64) -> f64) -> f64 {
    (1..=CYCLES_PER_YEAR * YEARS)
        .map(|j| s(j as f64 * DT))
        .sum::<f64>()
        * DT
}

/// Tolerance against the closed forms, relative (see `common::close`).
const TOLERANCE: f64 = 1e-10;

fn one_law(law: &str) -> f64 {
    let arm = format!("[[arms.x.transitions]]\nfrom = \"A\"\nto = \"D\"\n{law}\n");
    run("end_of_cycle", 0.0, "", &arm).2
}

#[test]
fn parametric_survival_laws_follow_their_closed_forms() {
    let (r, k, l) = (0.12, 1.7, 8.0);
    assert_close(
        one_law("exponential = { rate = 0.12 }"),
        end_of_cycle_sum(|t| (-r * t).exp()),
        TOLERANCE,
        "exponential",
    );
    assert_close(
        one_law("rate = 0.12"),
        end_of_cycle_sum(|t| (-r * t).exp()),
        TOLERANCE,
        "constant rate",
    );
    assert_close(
        one_law("weibull = { shape = 1.7, scale = 8 }"),
        end_of_cycle_sum(|t| (-(t / l).powf(k)).exp()),
        TOLERANCE,
        "weibull",
    );
    assert_close(
        one_law("weibull = { shape = 1.7, scale = 8 }\nhazard_ratio = 0.6"),
        end_of_cycle_sum(|t| (-0.6 * (t / l).powf(k)).exp()),
        TOLERANCE,
        "weibull with a hazard ratio",
    );
    let (gs, gr) = (0.15, 0.02);
    assert_close(
        one_law("gompertz = { shape = 0.15, rate = 0.02 }"),
        end_of_cycle_sum(|t| (-(gr / gs) * ((gs * t).exp() - 1.0)).exp()),
        TOLERANCE,
        "gompertz",
    );
    assert_close(
        one_law("gompertz = { shape = 0, rate = 0.02 }"),
        end_of_cycle_sum(|t| (-gr * t).exp()),
        TOLERANCE,
        "gompertz with shape 0",
    );
    assert_close(
        one_law("loglogistic = { shape = 2.5, scale = 6 }"),
        end_of_cycle_sum(|t| 1.0 / (1.0 + (t / 6.0).powf(2.5))),
        TOLERANCE,
        "log-logistic",
    );
    let n = Normal::new(1.5, 0.8).unwrap();
    assert_close(
        one_law("lognormal = { meanlog = 1.5, sdlog = 0.8 }"),
        end_of_cycle_sum(|t| 1.0 - n.cdf(t.ln())),
        TOLERANCE,
        "lognormal",
    );
    assert_close(
        one_law("weibull = { shape = 1.7, scale = 8 }\ncure_fraction = 0.35"),
        end_of_cycle_sum(|t| 0.35 + 0.65 * (-(t / l).powf(k)).exp()),
        TOLERANCE,
        "mixture cure",
    );
    assert_close(
        one_law("probability = 0.03"),
        end_of_cycle_sum(|t| 0.97f64.powf(t / DT)),
        TOLERANCE,
        "probability per cycle",
    );
    assert_close(
        one_law("annual_probability = 0.1"),
        end_of_cycle_sum(|t| 0.9f64.powf(t)),
        TOLERANCE,
        "probability per year",
    );
}

#[test]
fn counting_rules_and_discounting() {
    let law = "[[arms.x.transitions]]\nfrom = \"A\"\nto = \"D\"\nrate = 0.2\n";
    let s = |t: f64| (-0.2 * t).exp();
    let k = CYCLES_PER_YEAR * YEARS;
    // Start of cycle: x_k discounted at t_k.
    let (q, _, ly) = run("start_of_cycle", 0.03, "", law);
    assert_close(
        ly,
        (0..k).map(|j| s(j as f64 * DT)).sum::<f64>() * DT,
        TOLERANCE,
        "life years, start of cycle",
    );
    assert_close(
        q,
        (0..k)
            .map(|j| s(j as f64 * DT) * 1.03f64.powf(-(j as f64 * DT)))
            .sum::<f64>()
            * DT,
        TOLERANCE,
        "QALYs, start of cycle",
    );
    // Trapezoid: half of each end, discounted at mid-cycle.
    let (q, _, _) = run("trapezoid", 0.03, "", law);
    let want: f64 = (0..k)
        .map(|j| {
            let (t0, t1) = (j as f64 * DT, (j + 1) as f64 * DT);
            0.5 * (s(t0) + s(t1)) * 1.03f64.powf(-(t0 + t1) / 2.0)
        })
        .sum::<f64>()
        * DT;
    assert_close(q, want, TOLERANCE, "QALYs, trapezoid");
}

#[test]
fn competing_transitions_share_the_leavers_by_hazard() {
    let states = "[[states]]\nid = \"B\"\nutility = 0.5";
    let arm = "[[arms.x.transitions]]\nfrom = \"A\"\nto = \"B\"\nrate = 0.3\n\n\
               [[arms.x.transitions]]\nfrom = \"A\"\nto = \"D\"\nrate = 0.1\n\n\
               [[arms.x.costs]]\nname = \"entering_b\"\non_entry = \"B\"\namount = 1000\n\n\
               [[arms.x.costs]]\nname = \"death\"\non_entry = \"D\"\namount = 50\n\n\
               [[arms.x.costs]]\nname = \"care\"\nstates = [\"A\"]\nper_year = 400\n";
    let (q, c, ly) = run("end_of_cycle", 0.0, states, arm);
    let a = |t: f64| (-0.4 * t).exp();
    let b = |t: f64| 0.75 * (1.0 - a(t));
    let horizon = YEARS as f64;
    assert_close(
        ly,
        end_of_cycle_sum(|t| a(t) + b(t)),
        TOLERANCE,
        "life years",
    );
    assert_close(
        q,
        end_of_cycle_sum(|t| a(t) + 0.5 * b(t)),
        TOLERANCE,
        "QALYs",
    );
    // Everyone who ever entered B, everyone who died (only from A), and care in A per year.
    let want_costs =
        1000.0 * b(horizon) + 50.0 * 0.25 * (1.0 - a(horizon)) + 400.0 * end_of_cycle_sum(a);
    assert_close(c, want_costs, TOLERANCE, "costs");
}

#[test]
fn one_time_items_and_time_windows() {
    let arm = "one_time_qalys = -0.05\n\n\
               [[arms.x.transitions]]\nfrom = \"A\"\nto = \"D\"\nrate = 0.2\n\n\
               [[arms.x.costs]]\nname = \"admin\"\nonce = 2500\n\n\
               [[arms.x.costs]]\nname = \"follow_up\"\nstates = [\"A\"]\nper_cycle = 100\nfrom_year = 2\nuntil_year = 5\n";
    let (q, c, _) = run("end_of_cycle", 0.0, "", arm);
    let s = |t: f64| (-0.2 * t).exp();
    assert_close(
        q,
        end_of_cycle_sum(s) - 0.05,
        TOLERANCE,
        "QALYs with a one-time loss",
    );
    // Cycles whose midpoint lies in [2, 5): k = 8..=19, counted at their end, t_{k+1}.
    let window: f64 = (8..20).map(|k| s((k + 1) as f64 * DT)).sum();
    assert_close(
        c,
        2500.0 + 100.0 * window,
        TOLERANCE,
        "one-time and windowed costs",
    );
}

/// Every kernel operation gives the same bits whichever instruction set runs it.
#[test]
fn all_laws_give_the_same_bits_on_every_instruction_set() {
    use tenbin_engine::model::Model;
    use tenbin_engine::model::kernel::Isa;
    let states = "[[states]]\nid = \"B\"\nutility = 0.5\nmortality_hr = 1.3\n\n[[states]]\nid = \"C\"\nutility = 0.3";
    let arm = "[[arms.x.transitions]]\nfrom = \"A\"\nto = \"B\"\nweibull = { shape = 1.4, scale = 9 }\ncure_fraction = 0.2\n\n\
               [[arms.x.transitions]]\nfrom = \"A\"\nto = \"D\"\ngompertz = { shape = 0.1, rate = 0.01 }\n\n\
               [[arms.x.transitions]]\nfrom = \"B\"\nto = \"C\"\nloglogistic = { shape = 2, scale = 4 }\nhazard_ratio = 1.1\n\n\
               [[arms.x.transitions]]\nfrom = \"C\"\nto = \"D\"\nlognormal = { meanlog = 1, sdlog = 0.5 }\n\n\
               [[arms.x.costs]]\nname = \"death\"\non_entry = \"D\"\namount = 50\n";
    let text = format!(
        "[scenario]\nid = \"isa\"\ntitle.en = \"ISA\"\nproduct_type = \"allogeneic_cell\"\nintervention = \"x\"\ncomparator = \"y\"\n\n\
         [[sources]]\nid = \"s\"\ncitation = \"c\"\n\n[settings]\nhorizon_years = 40\nstart_age = 50\n\n\
         [mortality]\nkind = \"gompertz\"\na = 2e-5\nb = 0.09\nsource = \"s\"\n\n\
         [[states]]\nid = \"A\"\nutility = 1\n\n{states}\n\n[[states]]\nid = \"D\"\ndead = true\n\n\
         [arms.x]\ninitial = {{ A = 1 }}\n{arm}\n[arms.y]\ninitial = {{ A = 1 }}\n"
    );
    let sc = parse("isa.toml", &text);
    let run = |isa| {
        let a = Analysis::with_model(&sc, Model::with_isa(&sc, isa));
        let e = a.base_case().unwrap();
        (e.arms, e.occupancy)
    };
    let baseline = run(Isa::Baseline);
    assert!(baseline.0[0].life_years > 0.0 && baseline.0[0].costs > 0.0);
    assert_eq!(baseline, run(Isa::Avx2));
    assert_eq!(baseline, run(Isa::Avx512));
}

/// A scenario with no parameters at all runs, keeps (no) parameters and gives one outcome.
#[test]
fn a_scenario_without_parameters_runs_its_psa() {
    use tenbin_engine::run::RunOptions;
    let text = "[scenario]\nid = \"bare\"\ntitle.en = \"Bare\"\nproduct_type = \"allogeneic_cell\"\nintervention = \"x\"\ncomparator = \"y\"\n\n\
                [[sources]]\nid = \"s\"\ncitation = \"c\"\n\n[mortality]\nkind = \"gompertz\"\na = 2e-5\nb = 0.09\nsource = \"s\"\n\n\
                [[states]]\nid = \"A\"\nutility = 1\n\n[[states]]\nid = \"D\"\ndead = true\n\n\
                [arms.x]\ninitial = { A = 1 }\n\n[arms.y]\ninitial = { A = 1 }\n";
    let sc = parse("bare.toml", text);
    let a = Analysis::new(&sc);
    let psa = a
        .psa(
            &RunOptions {
                draws: 37,
                keep_parameters: true,
                ..Default::default()
            },
            &|_| {},
        )
        .unwrap();
    assert_eq!(psa.parameters.as_deref(), Some(&[][..]));
    // Nothing is uncertain, so every draw equals the base case.
    let base = a.base_case().unwrap();
    assert!(psa.outcomes.chunks(2).all(|d| d == &base.arms[..]));
}
