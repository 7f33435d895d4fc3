//! Decision analysis against closed forms.
//!
//! The scenario's incremental net benefit is normal with known mean and variance: the
//! intervention adds a one-time QALY gain `g ~ N(mu_g, sd_g)` and a one-time cost
//! `k ~ N(mu_k, sd_k)`, and both arms otherwise live the same lives. So at willingness to pay
//! `w` and price `p`, INB = w g - k - p ~ N(m, s²) with `m = w mu_g - mu_k - p` and
//! `s² = w² sd_g² + sd_k²`; the acceptability is `Phi(m / s)`, the EVPI is
//! `m Phi(m / s) + s phi(m / s) - max(0, m)` and the EVPPI of `g` is the same with `s = w sd_g`.

use statrs::distribution::{Continuous, ContinuousCDF, Normal};
use tenbin_engine::analysis::decision::{
    DecisionOptions, analyse, ceac, convergence, headline, net_benefits, one_way,
    price_acceptability, psa_until_precise, threshold_prices, value_of_information,
};
use tenbin_engine::run::{Analysis, RunOptions};
use tenbin_engine::scenario::Scenario;

use crate::common::parse;

const MU_G: f64 = 2.0;
const SD_G: f64 = 0.8;
const MU_K: f64 = 4_000_000.0;
const SD_K: f64 = 3_000_000.0;
const W: f64 = 5_000_000.0;

fn scenario() -> Scenario {
    parse("normal.toml", &scenario_text())
}

fn scenario_text() -> String {
    format!(
        r#"[scenario]
id = "normal-inb"
title.en = "Normal INB"
product_type = "viral_vector_gene_therapy"
intervention = "x"
comparator = "y"

[[sources]]
id = "s"
citation = "closed forms"

[settings]
cycles_per_year = 1
horizon_years = 10
start_age = 40
wtp = [{W}]

[mortality]
kind = "gompertz"
a = 1e-300
b = 1e-9
source = "s"

[parameters.gain]
value = {MU_G}
dist = "normal"
mean = {MU_G}
sd = {SD_G}
source = "s"

[parameters.cost]
value = {MU_K}
dist = "normal"
mean = {MU_K}
sd = {SD_K}
source = "s"

[[states]]
id = "A"
utility = 1

[[states]]
id = "D"
dead = true

[arms.x]
initial = {{ A = 1 }}
one_time_qalys = "gain"

[[arms.x.costs]]
name = "one_time"
once = "cost"

[arms.y]
initial = {{ A = 1 }}
"#
    )
}

fn std_normal() -> Normal {
    Normal::new(0.0, 1.0).unwrap()
}

/// E[max(0, X)] - max(0, E X) for X ~ N(m, s²).
fn normal_value_of_information(m: f64, s: f64) -> f64 {
    let z = m / s;
    m * std_normal().cdf(z) + s * std_normal().pdf(z) - m.max(0.0)
}

const DRAWS: usize = 40_000;

fn run() -> (Scenario, tenbin_engine::run::Psa) {
    let sc = scenario();
    let psa = Analysis::new(&sc)
        .psa(
            &RunOptions {
                draws: DRAWS,
                keep_parameters: true,
                ..RunOptions::default()
            },
            &|_| {},
        )
        .unwrap();
    (sc, psa)
}

#[test]
fn acceptability_price_acceptability_and_evpi_match_the_normal_closed_forms() {
    let (sc, psa) = run();
    let s_total = |w: f64| (w * w * SD_G * SD_G + SD_K * SD_K).sqrt();
    // The model's incremental outcomes are exactly the two parameters.
    let nb = net_benefits(&sc, &psa, W, 0.0);
    let thresholds = threshold_prices(&sc, &psa, W);
    for (d, t) in thresholds.iter().enumerate().take(5) {
        assert!((nb[2 * d] - nb[2 * d + 1] - t).abs() < 1e-6);
    }
    // CEAC at a price of 5M over a few willingness-to-pay values.
    let price = 5_000_000.0;
    let grid = [0.0, 2_500_000.0, 5_000_000.0, 10_000_000.0];
    let c = ceac(&sc, &psa, price, &grid);
    for (k, &w) in grid.iter().enumerate() {
        let m = w * MU_G - MU_K - price;
        let want = std_normal().cdf(m / s_total(w));
        let got = c.probability[0][k];
        // A proportion's standard error is at most 0.5 / sqrt(n) = 0.0025.
        assert!((got - want).abs() < 0.01, "w {w}: {got} vs {want}");
        assert!((c.probability[0][k] + c.probability[1][k] - 1.0).abs() < 1e-12);
        let frontier_arm = if m > 0.0 { 0 } else { 1 };
        assert_eq!(c.frontier[k].0, frontier_arm, "w {w}");
    }
    // Price acceptability at W: P(threshold >= p).
    let prices = [0.0, 4e6, 6e6, 10e6];
    for (p, got) in price_acceptability(&thresholds, &prices) {
        let want = 1.0 - std_normal().cdf((p - (W * MU_G - MU_K)) / s_total(W));
        assert!((got - want).abs() < 0.01, "p {p}: {got} vs {want}");
    }
    // EVPI and the EVPPI of the QALY gain.
    let voi = value_of_information(&sc, &psa, W, price, Some(100.0));
    let m = W * MU_G - MU_K - price;
    let want = normal_value_of_information(m, s_total(W));
    let got = voi.evpi_per_patient;
    assert!((got - want).abs() < 0.03 * want, "EVPI {got} vs {want}");
    assert_eq!(voi.evpi_population, Some(100.0 * got));
    let gain = voi.evppi.iter().find(|e| e.name == "gain").unwrap();
    let want_gain = normal_value_of_information(m, W * SD_G);
    assert!(
        (gain.per_patient - want_gain).abs() < 0.05 * want_gain,
        "EVPPI(gain) {} vs {want_gain}",
        gain.per_patient
    );
    let cost = voi.evppi.iter().find(|e| e.name == "cost").unwrap();
    let want_cost = normal_value_of_information(m, SD_K);
    assert!(
        (cost.per_patient - want_cost).abs() < 0.05 * want_cost,
        "EVPPI(cost) {} vs {want_cost}",
        cost.per_patient
    );
    // Largest first.
    assert!(voi.evppi[0].per_patient >= voi.evppi[1].per_patient);
}

#[test]
fn tornado_bars_reproduce_one_way_reruns_and_the_closed_form() {
    let sc = scenario();
    let analysis = Analysis::new(&sc);
    let ow = one_way(&analysis, W).unwrap();
    assert_eq!(ow.base_threshold_price, W * MU_G - MU_K);
    let z = std_normal().inverse_cdf(0.975);
    for b in &ow.bars {
        let (lo, hi) = b.values;
        // Each end equals a rerun of the model with that one value changed.
        for (x, got) in [(lo, b.threshold_price.0), (hi, b.threshold_price.1)] {
            let mut v: Vec<f64> = sc.parameters.iter().map(|p| p.base).collect();
            v[sc.slot_of(&b.parameter).unwrap()] = x;
            let e = analysis.evaluate(&v).unwrap();
            let rerun =
                W * (e.arms[0].qalys - e.arms[1].qalys) - (e.arms[0].costs - e.arms[1].costs);
            assert_eq!(got, rerun, "{}", b.parameter);
        }
        let (want_lo, want_hi) = match b.parameter.as_str() {
            "gain" => (W * (MU_G - z * SD_G) - MU_K, W * (MU_G + z * SD_G) - MU_K),
            _ => (W * MU_G - (MU_K - z * SD_K), W * MU_G - (MU_K + z * SD_K)),
        };
        assert!((b.threshold_price.0 - want_lo).abs() < 1e-3 * want_lo.abs().max(1.0));
        assert!((b.threshold_price.1 - want_hi).abs() < 1e-3 * want_hi.abs().max(1.0));
    }
    // Widest first: the cost swings 2 x 1.96 x 3M, the gain 2 x 1.96 x 4M.
    assert_eq!(ow.bars[0].parameter, "gain");
    assert_eq!(ow.bars[1].parameter, "cost");
}

#[test]
fn convergence_ends_at_the_runs_own_mean_and_auto_draws_reach_their_tolerance() {
    let (sc, psa) = run();
    let t = threshold_prices(&sc, &psa, W);
    let c = convergence(&t);
    let draws: Vec<usize> = c.iter().map(|x| x.draws).collect();
    assert_eq!(
        draws,
        [100, 200, 500, 1000, 2000, 5000, 10000, 20000, DRAWS]
    );
    let (m, se) = headline(&sc, &psa);
    assert_eq!(c.last().unwrap().mean, m);
    assert_eq!(c.last().unwrap().mcse, se);
    // The standard error falls like 1 / sqrt(n): s / sqrt(n) with s = sqrt(W² sd_g² + sd_k²).
    let s = (W * W * SD_G * SD_G + SD_K * SD_K).sqrt();
    assert!((se - s / (DRAWS as f64).sqrt()).abs() < 0.03 * se);

    // --draws auto: a tolerance of 50,000 yen needs about (s / 50,000)² = 1,600 draws... times
    // the sd; the run stops once reached, and equals a fixed run with the same draws.
    let analysis = Analysis::new(&sc);
    let opts = RunOptions {
        draws: 1_000,
        ..RunOptions::default()
    };
    let (auto, precision) =
        psa_until_precise(&analysis, &opts, Some(60_000.0), 1_000_000, &|_| {}).unwrap();
    assert!(
        precision.reached && precision.mcse <= 60_000.0,
        "{precision:?}"
    );
    assert!(precision.draws > 1_000);
    assert_eq!(auto.draws, precision.draws);
    let fixed = analysis
        .psa(
            &RunOptions {
                draws: precision.draws,
                ..opts
            },
            &|_| {},
        )
        .unwrap();
    assert_eq!(headline(&sc, &fixed), headline(&sc, &auto));
    // A tolerance that cannot be reached stops at the most draws allowed.
    let (_, p) = psa_until_precise(&analysis, &opts, Some(1.0), 3_000, &|_| {}).unwrap();
    assert_eq!((p.draws, p.reached), (3_000, false));
}

#[test]
fn analyse_puts_every_analysis_together_at_the_rounded_base_price() {
    let (sc, psa) = run();
    let analysis = Analysis::new(&sc);
    let slot = |n: &str| sc.slot_of(n).unwrap();
    let d = analyse(
        &analysis,
        &psa,
        &DecisionOptions {
            two_way: Some((slot("gain"), slot("cost"), 3)),
            ..DecisionOptions::default()
        },
    )
    .unwrap();
    // 10M - 4M = 6M, already three significant figures.
    assert_eq!(d.price, 6_000_000.0);
    // Net benefit at that price: INMB = w g - k - p has mean 0 here, INHB = INMB / w.
    let nb = d.net_benefit;
    let s = (W * W * SD_G * SD_G + SD_K * SD_K).sqrt();
    assert!(
        nb.monetary.mean.abs() < 4.0 * s / (DRAWS as f64).sqrt(),
        "{nb:?}"
    );
    assert!((nb.health.mean - nb.monetary.mean / W).abs() < 1e-9);
    assert!((nb.health.p95 - nb.monetary.p95 / W).abs() < 1e-9);
    assert!((nb.probability_positive - 0.5).abs() < 0.01);
    assert_eq!(d.ceac.wtp.len(), 41);
    assert_eq!(d.price_acceptability.len(), 1);
    assert_eq!(d.evpi_curve.len(), 41);
    let tw = d.two_way.unwrap();
    // The middle of a 3 x 3 grid over symmetric ranges is the base case.
    assert!((tw.threshold_price[1][1] - 6e6).abs() < 1e-3);
    assert!(tw.threshold_price[2][0] > tw.threshold_price[0][2]);
}

#[test]
fn a_dominated_third_arm_never_wins_and_leaves_the_curve_and_evpi_unchanged() {
    let (sc, psa) = run();
    let text = format!(
        "{}\n[arms.z]\ninitial = {{ A = 1 }}\none_time_qalys = \"gain - 10\"\n",
        scenario_text()
    );
    let three = parse("normal3.toml", &text);
    let psa3 = Analysis::new(&three)
        .psa(
            &RunOptions {
                draws: DRAWS,
                keep_parameters: true,
                ..RunOptions::default()
            },
            &|_| {},
        )
        .unwrap();
    let grid = [0.0, 5e6, 1e7];
    let two = ceac(&sc, &psa, 5e6, &grid);
    let c = ceac(&three, &psa3, 5e6, &grid);
    let z = three.arm_index("z").unwrap();
    let (x, y) = (three.arm_index("x").unwrap(), three.arm_index("y").unwrap());
    for k in 0..grid.len() {
        assert_eq!(c.probability[z][k], 0.0);
        assert_eq!(c.probability[x][k], two.probability[0][k]);
        assert_eq!(c.probability[y][k], two.probability[1][k]);
        assert_ne!(c.frontier[k].0, z);
    }
    let e2 = tenbin_engine::analysis::decision::evpi(&net_benefits(&sc, &psa, W, 5e6), 2);
    let e3 = tenbin_engine::analysis::decision::evpi(&net_benefits(&three, &psa3, W, 5e6), 3);
    assert!((e2 - e3).abs() <= 1e-9 * e2);
}
