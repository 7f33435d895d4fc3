//! Tests of the EVPPI regression: known answers, oracles and edge cases.

use super::*;
use crate::distribution::{normal_cdf, standard_normal};
use crate::sampling::stream;

/// `n` standard normals from stream `key` of seed `seed`.
fn normals(seed: u64, key: u64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|d| standard_normal(&mut stream(seed, d as u64, key)))
        .collect()
}

fn pdf(x: f64) -> f64 {
    libm::exp(-0.5 * x * x) / libm::sqrt(2.0 * core::f64::consts::PI)
}

/// `E[max(0, Z)] − max(0, m)` for `Z ~ N(m, s²)`.
fn normal_value(m: f64, s: f64) -> f64 {
    m * normal_cdf(m / s) + s * pdf(m / s) - m.max(0.0)
}

/// Draw-major net benefits of two options from an incremental net benefit, with a large
/// shared part so that the baseline is not zero.
fn two_options(inb: &[f64], shared: &[f64]) -> Vec<f64> {
    inb.iter()
        .zip(shared)
        .flat_map(|(i, s)| [1e3 + s, 1e3 + s + i])
        .collect()
}

/// Monte Carlo standard error of the mean of `f`.
fn mcse(f: &[f64]) -> f64 {
    let n = f.len() as f64;
    let m = f.iter().sum::<f64>() / n;
    let v = f.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
    libm::sqrt(v / n)
}

/// The parametric oracle: EVPPI with `g_o(x) = θ_o' z(x)`, the correctly specified model,
/// fitted by least squares on the same draws. It shares the draws' Monte Carlo error, so
/// the spline's distance from it is the price of not knowing the shape of `g`.
fn ols_evppi(x: &[f64], inb: &[Vec<f64>], z: fn(f64) -> [f64; 2]) -> f64 {
    let n = x.len();
    let design = DMatrix::from_fn(n, 2, |d, j| z(x[d])[j]);
    let gram = design.transpose() * &design;
    let chol = Cholesky::new(gram).unwrap();
    let fits: Vec<Vec<f64>> = inb
        .iter()
        .map(|y| {
            let theta = chol.solve(&(design.transpose() * DVector::from_column_slice(y)));
            (0..n).map(|d| (design.row(d) * &theta)[0]).collect()
        })
        .collect();
    let best = (0..n)
        .map(|d| fits.iter().fold(0.0_f64, |m, g| m.max(g[d])))
        .sum::<f64>()
        / n as f64;
    let means = fits
        .iter()
        .fold(0.0_f64, |m, g| m.max(g.iter().sum::<f64>() / n as f64));
    best - means
}

/// Delta-method standard error of that parametric estimator, from its influence function
/// at the true coefficients `theta`: with `h(x) = max(0, g_1(x), …)`, `A = E[z z']`,
/// residuals `r_o = INB_o − θ_o' z` and `o*` the best option on average,
/// `ψ_d = h(x_d) + Σ_o E[z 1{o best}]' A⁻¹ z_d r_{o,d} − INB_{o*,d}` (centred).
fn delta_se(x: &[f64], inb: &[Vec<f64>], z: fn(f64) -> [f64; 2], theta: &[[f64; 2]]) -> f64 {
    let n = x.len();
    let nf = n as f64;
    let g = |o: usize, d: usize| {
        let zd = z(x[d]);
        theta[o][0] * zd[0] + theta[o][1] * zd[1]
    };
    let mut a = DMatrix::<f64>::zeros(2, 2);
    let mut w = vec![DVector::<f64>::zeros(2); inb.len()];
    for (d, &xd) in x.iter().enumerate() {
        let zd = DVector::from_column_slice(&z(xd));
        a += &zd * zd.transpose() / nf;
        let mut best = None;
        let mut top = 0.0;
        for o in 0..inb.len() {
            if g(o, d) > top {
                top = g(o, d);
                best = Some(o);
            }
        }
        if let Some(o) = best {
            w[o] += zd / nf;
        }
    }
    let a_inv = a.try_inverse().unwrap();
    let means: Vec<f64> = inb.iter().map(|y| y.iter().sum::<f64>() / nf).collect();
    let star = (0..inb.len())
        .filter(|&o| means[o] > 0.0)
        .max_by(|&p, &q| means[p].total_cmp(&means[q]));
    let psi: Vec<f64> = (0..n)
        .map(|d| {
            let zd = DVector::from_column_slice(&z(x[d]));
            let h = (0..inb.len()).fold(0.0_f64, |m, o| m.max(g(o, d)));
            let adj: f64 = (0..inb.len())
                .map(|o| (w[o].transpose() * &a_inv * &zd)[0] * (inb[o][d] - g(o, d)))
                .sum();
            h + adj - star.map_or(0.0, |o| inb[o][d])
        })
        .collect();
    mcse(&psi)
}

fn linear(x: f64) -> [f64; 2] {
    [1.0, x]
}

fn square(x: f64) -> [f64; 2] {
    [1.0, x * x - 1.0]
}

#[test]
fn linear_normal_matches_closed_form() {
    // INB = m + a x1 + b x2 + e, so g(x1) = m + a x1 ~ N(m, a²) and
    // EVPPI(x1) = m Φ(m/|a|) + |a| φ(m/|a|) − max(0, m).
    let n = 20_000;
    let (m, a, b, e) = (0.5, 1.0, -0.8, 0.5);
    let x1 = normals(1, 1, n);
    let x2 = normals(1, 2, n);
    let z = normals(1, 3, n);
    let shared = normals(1, 4, n);
    let inb: Vec<f64> = (0..n)
        .map(|d| m + a * x1[d] + b * x2[d] + e * z[d])
        .collect();
    let nb = two_options(&inb, &shared);

    for (x, coef) in [(&x1, a), (&x2, b)] {
        let got = evppi(&nb, 2, &[x]).unwrap();
        let want = normal_value(m, coef.abs());
        let oracle = ols_evppi(x, std::slice::from_ref(&inb), linear);
        let se = delta_se(x, std::slice::from_ref(&inb), linear, &[[m, coef]]);
        eprintln!(
            "linear coef {coef}: want {want:.5} oracle {oracle:.5} got {:.5} (se {se:.5}) \
             evpi {:.5} r2 {:?} edf {:?}",
            got.evppi, got.evpi, got.r_squared, got.edf
        );
        assert!((got.evppi - want).abs() < 4.0 * se, "{got:?} vs {want}");
        assert!(
            (got.evppi - oracle).abs() < 0.01 * want,
            "{got:?} vs oracle {oracle}"
        );
        // A straight line needs about 2 degrees of freedom (intercept and slope).
        assert!(got.edf[0] < 3.0, "{got:?}");
        // R² of the line: a² / (a² + b² + e²).
        let r2 = coef * coef / (a * a + b * b + e * e);
        assert!((got.r_squared[0] - r2).abs() < 0.02, "{got:?} vs R² {r2}");
        assert!(got.evppi <= got.evpi);
    }
}

#[test]
fn noise_input_is_worthless_and_all_inputs_are_worth_evpi() {
    let n = 20_000;
    let (m, a, b) = (0.5, 1.0, 1.5);
    let x1 = normals(2, 1, n);
    let x2 = normals(2, 2, n);
    let noise = normals(2, 3, n);
    let shared = normals(2, 4, n);
    let inb: Vec<f64> = (0..n).map(|d| m + a * x1[d] + b * x2[d]).collect();
    let nb = two_options(&inb, &shared);

    let none = evppi(&nb, 2, &[&noise]).unwrap();
    eprintln!("noise: {none:?}");
    assert!(none.evppi < 0.01 * none.evpi, "{none:?}");
    assert!(none.r_squared[0] < 0.005, "{none:?}");

    let all = evppi(&nb, 2, &[&x1, &x2]).unwrap();
    eprintln!(
        "all: {all:?} rel diff {:e}",
        (all.evppi - all.evpi) / all.evpi
    );
    assert!((all.evppi - all.evpi).abs() < 1e-6 * all.evpi, "{all:?}");
    assert!(all.r_squared[0] > 1.0 - 1e-9, "{all:?}");
    // Adding the noise input changes nothing material either.
    let more = evppi(&nb, 2, &[&x1, &noise, &x2]).unwrap();
    assert!((more.evppi - all.evppi).abs() < 1e-4 * all.evpi, "{more:?}");

    // And the EVPI itself is the closed form for INB ~ N(m, a² + b²) within Monte Carlo error.
    let want = normal_value(m, libm::sqrt(a * a + b * b));
    let per_draw: Vec<f64> = inb.iter().map(|v| v.max(0.0) - v).collect();
    eprintln!(
        "evpi: want {want:.5} got {:.5} (se {:.5})",
        all.evpi,
        mcse(&per_draw)
    );
    assert!(
        (all.evpi - want).abs() < 4.0 * mcse(&per_draw),
        "{} vs {want}",
        all.evpi
    );
}

#[test]
fn curved_effect_is_captured() {
    // INB = m + c (x1² − 1) + b x2 + e. g(x1) = m + c (x1² − 1) has mean m < 0 and is
    // positive when |x1| > r = sqrt(1 − m/c), so
    // EVPPI(x1) = 2 ∫_r^∞ (m + c(x² − 1)) φ(x) dx = 2 [m (1 − Φ(r)) + c r φ(r)].
    // A straight-line fit would find no slope (x1² is uncorrelated with x1) and report 0.
    let n = 20_000;
    let (m, c, b, e) = (-0.5, 1.0, 1.0, 0.5);
    let x1 = normals(3, 1, n);
    let x2 = normals(3, 2, n);
    let z = normals(3, 3, n);
    let shared = normals(3, 4, n);
    let inb: Vec<f64> = (0..n)
        .map(|d| m + c * (x1[d] * x1[d] - 1.0) + b * x2[d] + e * z[d])
        .collect();
    let nb = two_options(&inb, &shared);
    let got = evppi(&nb, 2, &[&x1]).unwrap();
    let r = libm::sqrt(1.0 - m / c);
    let want = 2.0 * (m * (1.0 - normal_cdf(r)) + c * r * pdf(r));
    let oracle = ols_evppi(&x1, std::slice::from_ref(&inb), square);
    let se = delta_se(&x1, std::slice::from_ref(&inb), square, &[[m, c]]);
    eprintln!(
        "curved: want {want:.5} oracle {oracle:.5} got {:.5} (se {se:.5}) evpi {:.5} r2 {:?} \
         edf {:?}",
        got.evppi, got.evpi, got.r_squared, got.edf
    );
    assert!((got.evppi - want).abs() < 4.0 * se, "{got:?} vs {want}");
    assert!(
        (got.evppi - oracle).abs() < 0.02 * want,
        "{got:?} vs oracle {oracle}"
    );
    // Var(c (x1² − 1)) = 2c², so R² = 2c² / (2c² + b² + e²).
    let r2 = 2.0 * c * c / (2.0 * c * c + b * b + e * e);
    assert!((got.r_squared[0] - r2).abs() < 0.02, "{got:?} vs R² {r2}");
    assert!(got.edf[0] > 3.0, "a curve needs more than a line: {got:?}");
}

#[test]
fn skewed_input_matches_its_logarithm() {
    // INB = ln L − 0.3 + y with L lognormal: knowing L is knowing ln L ~ N(0, 1), so
    // EVPPI(L) = EVPPI(ln L) = m Φ(m) + φ(m) − max(0, m) with m = −0.3. Half the draws of L
    // lie below 1 and the largest is near e⁴ ≈ 55: a test of the knot placement.
    let n = 20_000;
    let m = -0.3;
    let x = normals(7, 1, n);
    let y = normals(7, 2, n);
    let level: Vec<f64> = x.iter().map(|v| libm::exp(*v)).collect();
    let inb: Vec<f64> = (0..n).map(|d| m + x[d] + y[d]).collect();
    let nb = two_options(&inb, &vec![0.0; n]);
    let skewed = evppi(&nb, 2, &[&level]).unwrap();
    let log = evppi(&nb, 2, &[&x]).unwrap();
    let want = normal_value(m, 1.0);
    let se = delta_se(&x, std::slice::from_ref(&inb), linear, &[[m, 1.0]]);
    eprintln!(
        "skewed: want {want:.5} got {:.5} on the log scale {:.5} (se {se:.5}) edf {:?} {:?}",
        skewed.evppi, log.evppi, skewed.edf, log.edf
    );
    assert!(
        (skewed.evppi - log.evppi).abs() < 0.01 * want,
        "{skewed:?} vs {log:?}"
    );
    assert!(
        (skewed.evppi - want).abs() < 4.0 * se,
        "{skewed:?} vs {want}"
    );
}

#[test]
fn binary_input() {
    // INB = m + a B + e with B ∈ {0, 1}: g(0) = m, g(1) = m + a, so on the draws
    // EVPPI = p̂ max(0, m + a) + (1 − p̂) max(0, m) − max(0, m + a p̂) up to the noise in the
    // two group means, with p̂ the share of ones.
    let n = 10_000;
    let (m, a) = (0.4, -1.0);
    let u = normals(8, 1, n);
    let e = normals(8, 2, n);
    let b: Vec<f64> = u.iter().map(|v| if *v > 0.5 { 1.0 } else { 0.0 }).collect();
    let inb: Vec<f64> = (0..n).map(|d| m + a * b[d] + e[d]).collect();
    let got = evppi(&two_options(&inb, &vec![0.0; n]), 2, &[&b]).unwrap();
    let share = b.iter().sum::<f64>() / n as f64;
    let want = share * (m + a).max(0.0) + (1.0 - share) * m.max(0.0) - (m + a * share).max(0.0);
    // The exact sample version: the group means of INB.
    let group = |v: f64| {
        let (sum, count) = (0..n)
            .filter(|&d| b[d] == v)
            .fold((0.0, 0.0), |(s, c), d| (s + inb[d], c + 1.0));
        sum / count
    };
    let (g0, g1) = (group(0.0), group(1.0));
    let sample = share * g1.max(0.0) + (1.0 - share) * g0.max(0.0)
        - (share * g1 + (1.0 - share) * g0).max(0.0);
    eprintln!("binary: want {want:.5} group means {sample:.5} got {got:?}");
    assert!(
        (got.evppi - sample).abs() < 1e-6 * sample,
        "{got:?} vs {sample}"
    );
    assert!((got.evppi - want).abs() < 0.05 * want, "{got:?} vs {want}");
}

#[test]
fn evpi_matches_normal_closed_form() {
    // INB ~ N(m, s²): EVPI = E[max(0, INB)] − max(0, m) = m Φ(m/s) + s φ(m/s) − max(0, m).
    let n = 200_000;
    for (m, s) in [(0.3, 2.0), (-1.0, 1.5)] {
        let z = normals(4, 1, n);
        let shared = normals(4, 2, n);
        let inb: Vec<f64> = z.iter().map(|v| m + s * v).collect();
        let got = evpi(&two_options(&inb, &shared), 2);
        let want = normal_value(m, s);
        // The estimate is mean(max(0, INB)) − max(0, mean INB): per draw,
        // max(0, INB) − INB when the mean is positive.
        let per_draw: Vec<f64> = inb
            .iter()
            .map(|v| v.max(0.0) - if m > 0.0 { *v } else { 0.0 })
            .collect();
        let se = mcse(&per_draw);
        eprintln!("evpi m {m} s {s}: want {want:.5} got {got:.5} (se {se:.5})");
        assert!((got - want).abs() < 4.0 * se, "{got} vs {want}");
    }
    // The definition, on a tiny example: draws (0, 2), (0, -1): mean of max = 1,
    // max of means = 0.5.
    assert_eq!(evpi(&[0.0, 2.0, 0.0, -1.0], 2), 0.5);
    assert_eq!(evpi(&[3.0, 3.0], 1), 0.0);
    assert!(evpi(&[1.0, 2.0, 3.0], 2).is_nan());
    assert!(evpi(&[], 2).is_nan());
}

/// `E[max(0, m1 + a1 x, m2 + a2 x)] − max(0, m1, m2)` for `x ~ N(0, 1)`, by the
/// trapezoid rule on [−12, 12].
fn three_option_value(m1: f64, a1: f64, m2: f64, a2: f64) -> f64 {
    let steps = 240_000;
    let h = 24.0 / steps as f64;
    let mut sum = 0.0;
    for i in 0..=steps {
        let x = -12.0 + h * i as f64;
        let w = if i == 0 || i == steps { 0.5 } else { 1.0 };
        sum += w * pdf(x) * (m1 + a1 * x).max(m2 + a2 * x).max(0.0);
    }
    sum * h - m1.max(m2).max(0.0)
}

#[test]
fn three_options() {
    let n = 20_000;
    let x1 = normals(5, 1, n);
    let x2 = normals(5, 2, n);
    let shared = normals(5, 3, n);
    // NB_1 − NB_0 = 0.2 + x1 + 0.5 x2, NB_2 − NB_0 = 0.3 − 0.8 x1 + x2.
    let (m1, a1, b1, m2, a2, b2) = (0.2, 1.0, 0.5, 0.3, -0.8, 1.0);
    let nb: Vec<f64> = (0..n)
        .flat_map(|d| {
            let base = 50.0 + shared[d];
            [
                base,
                base + m1 + a1 * x1[d] + b1 * x2[d],
                base + m2 + a2 * x1[d] + b2 * x2[d],
            ]
        })
        .collect();
    let one = evppi(&nb, 3, &[&x1]).unwrap();
    let both = evppi(&nb, 3, &[&x1, &x2]).unwrap();
    // With x1 known, g_o(x1) = m_o + a_o x1; the value is a one-dimensional integral.
    let want = three_option_value(m1, a1, m2, a2);
    let inb: Vec<Vec<f64>> = (1..3)
        .map(|o| nb.chunks_exact(3).map(|r| r[o] - r[0]).collect())
        .collect();
    let oracle = ols_evppi(&x1, &inb, linear);
    let se = delta_se(&x1, &inb, linear, &[[m1, a1], [m2, a2]]);
    eprintln!(
        "three: want {want:.5} oracle {oracle:.5} got {:.5} (se {se:.5}) both {:.5} \
         evpi {:.5} r2 {:?} edf {:?}",
        one.evppi, both.evppi, one.evpi, one.r_squared, one.edf
    );
    assert_eq!(one.r_squared.len(), 2);
    assert_eq!(one.edf.len(), 2);
    assert!((one.evppi - want).abs() < 4.0 * se, "{one:?} vs {want}");
    assert!(
        (one.evppi - oracle).abs() < 0.01 * want,
        "{one:?} vs oracle {oracle}"
    );
    assert!(one.evppi <= one.evpi, "{one:?}");
    assert!(one.evppi < both.evppi);
    assert!(
        (both.evppi - both.evpi).abs() < 1e-6 * both.evpi,
        "{both:?}"
    );

    // A third option that is always 5 worse than the second changes nothing: the result
    // is the two-option result.
    let dominated: Vec<f64> = nb
        .chunks_exact(3)
        .flat_map(|r| [r[0], r[1], r[1] - 5.0])
        .collect();
    let two: Vec<f64> = nb.chunks_exact(3).flat_map(|r| [r[0], r[1]]).collect();
    let with = evppi(&dominated, 3, &[&x1]).unwrap();
    let without = evppi(&two, 2, &[&x1]).unwrap();
    eprintln!("dominated: {with:?} vs two options {without:?}");
    assert!((with.evppi - without.evppi).abs() <= 1e-12 * without.evppi);
    assert!((with.evpi - without.evpi).abs() <= 1e-12 * without.evpi);
    assert_eq!(with.r_squared[0], without.r_squared[0]);
    // The dropped option's own fit is the same regression shifted by a constant.
    assert!((with.r_squared[1] - without.r_squared[0]).abs() < 1e-9);
}

#[test]
fn fixed_inputs_are_skipped() {
    let n = 2_000;
    let x1 = normals(6, 1, n);
    let x2 = normals(6, 2, n);
    let fixed = vec![3.5; n];
    let inb: Vec<f64> = (0..n).map(|d| 0.1 + x1[d] + x2[d]).collect();
    let nb = two_options(&inb, &vec![0.0; n]);
    let with = evppi(&nb, 2, &[&x1, &fixed]).unwrap();
    let without = evppi(&nb, 2, &[&x1]).unwrap();
    assert_eq!(with, without);
    // Only fixed inputs: no information, and the fit is the intercept.
    let nothing = evppi(&nb, 2, &[&fixed]).unwrap();
    assert_eq!(nothing.evppi, 0.0);
    assert_eq!(nothing.edf, vec![1.0]);
    assert_eq!(nothing.r_squared, vec![0.0]);
    // The same parameter twice is the parameter once (the ridge keeps it solvable).
    let twice = evppi(&nb, 2, &[&x1, &x1]).unwrap();
    assert!(
        (twice.evppi - without.evppi).abs() < 1e-3 * without.evppi,
        "{twice:?}"
    );
    // The same call gives the same bits.
    assert_eq!(evppi(&nb, 2, &[&x1, &x2]), evppi(&nb, 2, &[&x1, &x2]));
}

#[test]
fn errors() {
    let x = [0.0, 1.0, 2.0];
    assert_eq!(
        evppi(&[1.0, 2.0, 3.0], 1, &[&x]),
        Err(EvppiError::TooFewOptions { options: 1 })
    );
    assert_eq!(
        evppi(&[1.0, 2.0, 3.0], 2, &[&x]),
        Err(EvppiError::NetBenefitLength { len: 3, options: 2 })
    );
    assert_eq!(
        evppi(&[], 2, &[&x]),
        Err(EvppiError::NetBenefitLength { len: 0, options: 2 })
    );
    assert_eq!(evppi(&[0.0; 6], 2, &[]), Err(EvppiError::NoInputs));
    assert_eq!(
        evppi(&[0.0; 6], 2, &[&x, &[1.0, 2.0]]),
        Err(EvppiError::InputLength {
            input: 1,
            len: 2,
            draws: 3
        })
    );
    assert_eq!(
        evppi(&[0.0, 1.0, 0.0, f64::NAN, 0.0, 1.0], 2, &[&x]),
        Err(EvppiError::NonFiniteNetBenefit { draw: 1, option: 1 })
    );
    assert_eq!(
        evppi(&[0.0; 6], 2, &[&[0.0, f64::INFINITY, 1.0]]),
        Err(EvppiError::NonFiniteInput { input: 0, draw: 1 })
    );
    // One varying input: 1 + 14 coefficients, so 30 draws are needed.
    let y: Vec<f64> = (0..29).map(|i| i as f64).collect();
    let nb: Vec<f64> = y.iter().flat_map(|v| [0.0, *v]).collect();
    assert_eq!(
        evppi(&nb, 2, &[&y]),
        Err(EvppiError::TooFewDraws {
            draws: 29,
            basis: 15,
            needed: 30
        })
    );
    let y: Vec<f64> = (0..30).map(|i| i as f64).collect();
    let nb: Vec<f64> = y.iter().flat_map(|v| [0.0, *v - 10.0]).collect();
    assert!(evppi(&nb, 2, &[&y]).is_ok());
    // A fixed input needs no coefficients.
    assert!(evppi(&[0.0, 1.0, 0.0, 2.0], 2, &[&[1.0, 1.0]]).is_ok());
    assert!(
        EvppiError::TooFewDraws {
            draws: 29,
            basis: 15,
            needed: 30
        }
        .to_string()
        .contains("need 30")
    );
}
