//! Probabilistic results against analytic values: PSA means must converge to the exact
//! expectation (within 4 Monte Carlo standard errors) for models simple enough to solve by hand.

use tenbin_engine::report::Report;
use tenbin_engine::run::{Analysis, RunOptions};
use tenbin_engine::summary::summarise;

use crate::common::parse;

/// One living state left at a constant annual rate `r ~ Gamma(k, theta)`; utility
/// `u ~ Beta(8, 2)`; cost per cycle `c ~ LogNormal(mean 1000, sd 300)`; no discounting,
/// end-of-cycle counting and negligible background mortality, so that with `K` cycles of length
/// `dt`, `E[QALY] = E[u] dt S`, `E[cost] = E[c] S` and `E[LY] = dt S` where
/// `S = sum_{j=1..K} E[exp(-r j dt)] = sum_j (1 + theta j dt)^-k` (the gamma's Laplace transform).
fn one_state(k: f64, theta: f64) -> String {
    format!(
        r#"[scenario]
id = "analytic"
title.en = "Analytic"
product_type = "engineered_tissue"
intervention = "new"
comparator = "none"

[[sources]]
id = "s"
citation = "test"

[settings]
cycles_per_year = 4
horizon_years = 20
start_age = 40
discount_rate_costs = 0
discount_rate_outcomes = 0
within_cycle_correction = "end_of_cycle"
wtp = [1_000_000]

[mortality]
kind = "gompertz"
a = 1e-300
b = 1e-9
source = "s"

[parameters.r]
value = 0.1
dist = "gamma"
shape = {k}
scale = {theta}
source = "s"

[parameters.u]
value = 0.8
dist = "beta"
alpha = 8
beta = 2
source = "s"

[parameters.c]
value = 1000
dist = "lognormal"
mean = 1000
sd = 300
source = "s"

[[states]]
id = "A"
utility = "u"

[[states]]
id = "D"
dead = true

[[costs]]
name = "care"
states = ["A"]
per_cycle = "c"

[arms.new]
initial = {{ A = 1 }}

[[arms.new.transitions]]
from = "A"
to = "D"
rate = "r"

[arms.none]
initial = {{ A = 1 }}
one_time_qalys = 0

[[arms.none.transitions]]
from = "A"
to = "D"
probability = 1e-12
"#
    )
}

fn within(got: f64, mcse: f64, want: f64, what: &str) {
    let z = (got - want) / mcse;
    assert!(
        z.abs() < 4.0,
        "{what}: PSA mean {got} (MC s.e. {mcse}) vs exact {want}: z = {z:.2}"
    );
}

#[test]
fn psa_means_converge_to_the_gamma_laplace_transform() {
    let (k, theta) = (4.0, 0.05);
    let sc = parse("a.toml", &one_state(k, theta));
    let a = Analysis::new(&sc);
    let psa = a
        .psa(
            &RunOptions {
                draws: 40_000,
                seed: 11,
                ..Default::default()
            },
            &|_| {},
        )
        .unwrap();
    let dt = 0.25;
    let s: f64 = (1..=80)
        .map(|j| (1.0 + theta * j as f64 * dt).powf(-k))
        .sum();
    let arm = sc.arm_index("new").unwrap();
    let q = summarise(&psa.arm_values(arm, |o| o.qalys));
    let c = summarise(&psa.arm_values(arm, |o| o.costs));
    let ly = summarise(&psa.arm_values(arm, |o| o.life_years));
    within(q.mean, q.mcse, 0.8 * dt * s, "QALYs");
    within(c.mean, c.mcse, 1000.0 * s, "costs");
    within(ly.mean, ly.mcse, dt * s, "life years");
    // The base case uses the base values, not the means: exp(-0.1 j dt) summed.
    let base = a.base_case().unwrap();
    let s0: f64 = (1..=80).map(|j| (-0.1 * j as f64 * dt).exp()).sum();
    assert!((base.arms[arm].life_years - dt * s0).abs() < 1e-12 * s0);
}

#[test]
fn threshold_price_mean_is_linear_in_the_means() {
    let (k, theta) = (2.0, 0.1);
    let sc = parse("a.toml", &one_state(k, theta));
    let a = Analysis::new(&sc);
    let base = a.base_case().unwrap();
    let psa = a
        .psa(
            &RunOptions {
                draws: 20_000,
                seed: 3,
                ..Default::default()
            },
            &|_| {},
        )
        .unwrap();
    let report = Report::new(&sc, &base, Some(&psa));
    let t = &report.threshold_price[0];
    // Comparator: almost everyone stays (probability 1e-12 of leaving per cycle), with the
    // same draws of u and c, so dQ = u dt (S - S0) and dC = c (S - S0).
    let dt = 0.25;
    let s: f64 = (1..=80)
        .map(|j| (1.0 + theta * j as f64 * dt).powf(-k))
        .sum();
    let s0: f64 = (1..=80).map(|j| (1.0 - 1e-12f64).powi(j)).sum();
    let want = 1_000_000.0 * 0.8 * dt * (s - s0) - 1000.0 * (s - s0);
    within(t.mean.unwrap(), t.mcse.unwrap(), want, "threshold price");
    assert!(t.p2_5.unwrap() < t.p50.unwrap() && t.p50.unwrap() < t.p97_5.unwrap());
}

/// Correlated normal costs through the copula: `E[x y] = mu_x mu_y + rho sd_x sd_y`, and a
/// Dirichlet split of the starting cohort: `E[share] = alpha / sum alpha`.
#[test]
fn copula_and_dirichlet_means_are_exact() {
    let text = one_state(4.0, 0.05)
        .replace(
            "[[states]]\nid = \"A\"",
            "[parameters.x]\nvalue = 10\ndist = \"normal\"\nmean = 10\nsd = 2\nsource = \"s\"\n\n\
             [parameters.y]\nvalue = 5\ndist = \"normal\"\nmean = 5\nsd = 1\nsource = \"s\"\n\n\
             [[correlations]]\nparameters = [\"x\", \"y\"]\nmatrix = [[1, 0.6], [0.6, 1]]\n\n\
             [dirichlet.start]\ncomponents = [\"in_a\", \"in_b\"]\nvalue = [0.5, 0.5]\nalpha = [3, 7]\nsource = \"s\"\n\n\
             [[states]]\nid = \"B\"\nutility = 0\n\n[[states]]\nid = \"A\"",
        )
        .replacen("[arms.new]\ninitial = { A = 1 }", "[arms.new]\ninitial = { A = \"in_a\", B = \"in_b\" }\n\n[[arms.new.costs]]\nname = \"xy\"\nonce = \"x * y\"", 1);
    let sc = parse("a.toml", &text);
    let a = Analysis::new(&sc);
    let psa = a
        .psa(
            &RunOptions {
                draws: 40_000,
                seed: 5,
                keep_parameters: true,
                ..Default::default()
            },
            &|_| {},
        )
        .unwrap();
    let params = psa.parameters.as_ref().unwrap();
    let col = |name: &str| -> Vec<f64> {
        let i = sc.slot_of(name).unwrap();
        params.chunks(psa.slot_count).map(|d| d[i]).collect()
    };
    let xy: Vec<f64> = col("x").iter().zip(col("y")).map(|(x, y)| x * y).collect();
    let s = summarise(&xy);
    within(s.mean, s.mcse, 10.0 * 5.0 + 0.6 * 2.0 * 1.0, "E[x y]");
    let sa = summarise(&col("in_a"));
    within(sa.mean, sa.mcse, 0.3, "Dirichlet share");
    for (p, q) in col("in_a").iter().zip(col("in_b")) {
        assert!((p + q - 1.0).abs() < 1e-12);
    }
    // The cost item sees the same draws.
    let arm = sc.arm_index("new").unwrap();
    let per_draw_once: Vec<f64> = psa
        .outcomes
        .chunks(psa.arms)
        .zip(&xy)
        .map(|(o, xy)| o[arm].costs - xy)
        .collect();
    let care = summarise(&per_draw_once);
    let dt = 0.25;
    let sum: f64 = (1..=80)
        .map(|j| (1.0 + 0.05 * j as f64 * dt).powf(-4.0))
        .sum();
    // Only the share starting in A accrues care costs: E = E[in_a] E[c] S.
    within(
        care.mean,
        care.mcse,
        0.3 * 1000.0 * sum,
        "care costs of the A share",
    );
}
