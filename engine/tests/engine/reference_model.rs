//! The reference model of `docs/reference-model.md`, computed here by a plain,
//! literal transcription of the specification (loops over cycles, the platform's `exp`, no
//! engine code), must equal the engine's deterministic base case of
//! `models/reference/durable-gene-therapy.toml` to 1e-9 relative.

use tenbin_engine::report::Report;
use tenbin_engine::run::Analysis;

use crate::common::reference_model;

struct Arm {
    qaly: f64,
    ly: f64,
    cost: f64,
}

/// The specification, cycle by cycle, exactly as written.
fn spec() -> (Arm, Arm) {
    let (a, b) = (2.0e-5_f64, 0.095_f64);
    let k_cycles = 840;
    let r = 0.02_f64;
    let (p_resp, kappa, lambda, hr_p) = (0.9_f64, 1.2_f64, 25.0_f64, 1.2_f64);
    let (u_e, u_p) = (0.85, 0.72);
    let (c_proph, c_monitor, c_admin, c_ltfu) = (2_000_000.0, 30_000.0, 1_500_000.0, 20_000.0);
    let t = |k: usize| k as f64 / 12.0;
    let age = |k: usize| 30.0 + t(k);
    let h = |tt: f64| (tt / lambda).powf(kappa);

    // Traces x_k for k = 0..=K.
    let (mut e, mut p) = (vec![0.0; k_cycles + 1], vec![0.0; k_cycles + 1]);
    let mut s = vec![0.0; k_cycles + 1];
    e[0] = p_resp;
    p[0] = 1.0 - p_resp;
    s[0] = 1.0;
    for k in 0..k_cycles {
        let m = (a / b) * ((b * age(k + 1)).exp() - (b * age(k)).exp());
        let q_e = 1.0 - (-m).exp();
        let q_p = 1.0 - (-hr_p * m).exp();
        let l = 1.0 - (-(h(t(k + 1)) - h(t(k)))).exp();
        e[k + 1] = e[k] * (1.0 - q_e) * (1.0 - l);
        p[k + 1] = p[k] * (1.0 - q_p) + e[k] * (1.0 - q_e) * l;
        s[k + 1] = s[k] * (1.0 - q_p);
    }
    let mut gt = Arm {
        qaly: 0.0,
        ly: 0.0,
        cost: c_admin,
    };
    let mut soc = Arm {
        qaly: 0.0,
        ly: 0.0,
        cost: 0.0,
    };
    for k in 0..k_cycles {
        let d = (1.0 + r).powf(-(k as f64 + 0.5) / 12.0);
        let (em, pm, sm) = (
            0.5 * (e[k] + e[k + 1]),
            0.5 * (p[k] + p[k + 1]),
            0.5 * (s[k] + s[k + 1]),
        );
        gt.qaly += (em * u_e / 12.0 + pm * u_p / 12.0) * d;
        gt.cost += (em * c_monitor + pm * c_proph) * d;
        if k < 180 {
            gt.cost += (em + pm) * c_ltfu * d;
        }
        gt.ly += (em + pm) / 12.0;
        soc.qaly += sm * u_p / 12.0 * d;
        soc.cost += sm * c_proph * d;
        soc.ly += sm / 12.0;
    }
    (gt, soc)
}

fn close(got: f64, want: f64, what: &str) {
    let rel = ((got - want) / want).abs();
    assert!(
        rel < 1e-9,
        "{what}: engine {got}, specification {want} (relative difference {rel:e})"
    );
}

#[test]
fn base_case_equals_the_specification() {
    let sc = reference_model();
    let base = Analysis::new(&sc)
        .base_case()
        .unwrap_or_else(|e| panic!("{e}"));
    let report = Report::new(&sc, &base, None);
    let (gt, soc) = spec();
    let e_gt = &report.base_case.arms["gene_therapy"];
    let e_soc = &report.base_case.arms["prophylaxis"];
    close(e_gt.qalys, gt.qaly, "gene therapy QALYs");
    close(e_gt.life_years, gt.ly, "gene therapy life years");
    close(e_gt.costs, gt.cost, "gene therapy costs");
    close(e_soc.qalys, soc.qaly, "prophylaxis QALYs");
    close(e_soc.life_years, soc.ly, "prophylaxis life years");
    close(e_soc.costs, soc.cost, "prophylaxis costs");
    let (dq, dc) = (gt.qaly - soc.qaly, gt.cost - soc.cost);
    close(report.base_case.incremental.qalys, dq, "incremental QALYs");
    close(report.base_case.incremental.costs, dc, "incremental costs");
    let headline = report
        .threshold_price
        .iter()
        .find(|t| t.wtp == 5_000_000.0)
        .expect("w = 5 million");
    close(
        headline.base_case,
        5_000_000.0 * dq - dc,
        "threshold price at 5 million yen per QALY",
    );
}

#[test]
fn every_instruction_set_gives_the_same_bits() {
    use tenbin_engine::model::Model;
    use tenbin_engine::model::kernel::Isa;
    let sc = reference_model();
    let run = |isa| {
        let a = Analysis::with_model(&sc, Model::with_isa(&sc, isa));
        let opts = tenbin_engine::run::RunOptions {
            draws: 40,
            ..Default::default()
        };
        a.psa(&opts, &|_| {}).unwrap().outcomes
    };
    let baseline = run(Isa::Baseline);
    assert_eq!(baseline, run(Isa::Avx2));
    assert_eq!(baseline, run(Isa::Avx512));
}
