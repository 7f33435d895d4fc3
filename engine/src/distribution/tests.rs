//! Tests of [`Distribution`] as a whole: draws against analytic moments and reference CDFs,
//! how many random numbers each family consumes, quantiles against statrs and high-precision
//! references, and the pinned random stream.

use super::test_support::{SequenceRng, assert_close, solves};
use super::*;
use rand_xoshiro::Xoshiro256PlusPlus;
use rand_xoshiro::rand_core::SeedableRng;
use statrs::distribution as sd;
use statrs::distribution::ContinuousCDF;
use statrs::statistics::Distribution as _;

const DRAWS: usize = 200_000;

/// Mean, unbiased variance and fourth central moment of a sample.
fn sample_moments(xs: &[f64]) -> (f64, f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let m2 = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>();
    let m4 = xs.iter().map(|x| libm::pow(x - mean, 4.0)).sum::<f64>() / n;
    (mean, m2 / (n - 1.0), m4)
}

/// Draws `DRAWS` values and checks the sample mean and variance against the analytic ones,
/// each within 4 standard errors. `mu4` is the analytic fourth central moment; `None` uses
/// the sample's own, which for the bounded, light-tailed cases it is used on is estimated to
/// within a few per cent at this sample size, so the 4-SE band stays honest.
fn check_moments(name: &str, dist: &Distribution, mu4: Option<f64>, seed: u64) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let xs: Vec<f64> = (0..DRAWS).map(|_| dist.sample(&mut rng)).collect();
    let (lo, hi) = dist.support();
    assert!(
        xs.iter().all(|x| *x >= lo && *x <= hi),
        "{name}: a draw left the support"
    );
    let (mean, var, sample_mu4) = sample_moments(&xs);
    let n = DRAWS as f64;
    let true_mean = dist.mean();
    let true_var = dist.variance();
    let se_mean = libm::sqrt(true_var / n);
    assert!(
        (mean - true_mean).abs() < 4.0 * se_mean,
        "{name}: sample mean {mean} vs analytic {true_mean} (SE {se_mean})"
    );
    let mu4 = mu4.unwrap_or(sample_mu4);
    let se_var = libm::sqrt((mu4 - true_var * true_var) / n);
    assert!(
        (var - true_var).abs() < 4.0 * se_var,
        "{name}: sample variance {var} vs analytic {true_var} (SE {se_var})"
    );
}

fn beta_mu4(a: f64, b: f64, scale: f64) -> f64 {
    let s = a + b;
    let excess =
        6.0 * ((a - b) * (a - b) * (s + 1.0) - a * b * (s + 2.0)) / (a * b * (s + 2.0) * (s + 3.0));
    let var = beta_variance(a, b) * scale * scale;
    (3.0 + excess) * var * var
}

#[test]
fn sample_moments_match_analytic_moments() {
    let normal = Distribution::normal(10.0, 2.0).unwrap();
    check_moments("normal", &normal, Some(3.0 * 16.0), 1);

    let lognormal = Distribution::lognormal(0.5, 0.4).unwrap();
    let s2 = 0.16;
    let excess = libm::exp(4.0 * s2) + 2.0 * libm::exp(3.0 * s2) + 3.0 * libm::exp(2.0 * s2) - 6.0;
    let v = lognormal.variance();
    check_moments("lognormal", &lognormal, Some((3.0 + excess) * v * v), 2);

    for (seed, (k, theta)) in [(0.5, 2.0), (36.0, 1.0 / 30.0), (0.1, 5.0), (2.5, 1.0)]
        .into_iter()
        .enumerate()
    {
        let d = Distribution::gamma(k, theta).unwrap();
        let v = d.variance();
        check_moments(
            &format!("gamma({k}, {theta})"),
            &d,
            Some((3.0 + 6.0 / k) * v * v),
            10 + seed as u64,
        );
    }

    for (seed, (a, b)) in [(0.5, 0.5), (45.0, 5.0), (2.0, 3.0), (0.2, 0.7), (0.05, 3.0)]
        .into_iter()
        .enumerate()
    {
        let d = Distribution::beta(a, b).unwrap();
        check_moments(
            &format!("beta({a}, {b})"),
            &d,
            Some(beta_mu4(a, b, 1.0)),
            20 + seed as u64,
        );
    }

    let uniform = Distribution::uniform(2.0, 5.0).unwrap();
    check_moments("uniform", &uniform, Some(81.0 / 80.0), 30);

    for (seed, (a, c, b)) in [(1.0, 2.0, 6.0), (0.0, 0.0, 1.0), (-3.0, 4.0, 4.0)]
        .into_iter()
        .enumerate()
    {
        let d = Distribution::triangular(a, c, b).unwrap();
        let v = d.variance();
        // The triangular's excess kurtosis is -3/5 whatever its shape.
        check_moments(
            &format!("triangular({a}, {c}, {b})"),
            &d,
            Some(2.4 * v * v),
            40 + seed as u64,
        );
    }

    for (seed, (min, mode, max, lambda)) in [
        (0.0, 0.2, 1.0, 4.0),
        (10.0, 30.0, 50.0, 4.0),
        (100.0, 110.0, 200.0, 2.0),
    ]
    .into_iter()
    .enumerate()
    {
        let d = Distribution::pert(min, mode, max, lambda).unwrap();
        let (a, b) = pert_shapes(min, mode, max, lambda);
        check_moments(
            &format!("PERT({min}, {mode}, {max}, {lambda})"),
            &d,
            Some(beta_mu4(a, b, max - min)),
            50 + seed as u64,
        );
    }

    for (seed, (mean, sd_, lower, upper)) in [
        (0.0, 1.0, -0.5, 2.0),              // two-sided around the mean
        (0.0, 1.0, 1.5, f64::INFINITY),     // one-sided, right tail (mirrored)
        (5.0, 2.0, f64::NEG_INFINITY, 4.0), // one-sided from above
        (0.0, 1.0, 3.0, 4.0),               // two-sided far in the right tail
        (0.0, 1.0, -6.0, -5.0),             // two-sided far in the left tail
        (0.3, 0.5, 0.0, 1.0),               // proportions
        (0.0, 10.0, 0.0, 1.0),              // narrow relative to sd (quadrature moments)
    ]
    .into_iter()
    .enumerate()
    {
        let d = Distribution::truncated_normal(mean, sd_, lower, upper).unwrap();
        check_moments(
            &format!("truncated normal({mean}, {sd_}, {lower}, {upper})"),
            &d,
            None,
            60 + seed as u64,
        );
    }

    let values = vec![1.0, 2.0, 2.0, 3.5, 10.0, -4.0, 0.25];
    let empirical = Distribution::empirical(values.clone()).unwrap();
    let m = empirical.mean();
    let mu4 = values.iter().map(|v| libm::pow(v - m, 4.0)).sum::<f64>() / values.len() as f64;
    check_moments("empirical", &empirical, Some(mu4), 70);

    let fixed = Distribution::fixed(3.25).unwrap();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(80);
    let before = rng.clone();
    assert_eq!(fixed.sample(&mut rng), 3.25);
    assert_eq!(
        rng, before,
        "a fixed distribution must consume no random numbers"
    );
    assert_eq!((fixed.mean(), fixed.variance()), (3.25, 0.0));
}

#[test]
fn analytic_moments_agree_with_statrs() {
    let cases: Vec<(Distribution, f64, f64)> = vec![
        {
            let s = sd::Beta::new(2.5, 7.0).unwrap();
            (
                Distribution::beta(2.5, 7.0).unwrap(),
                s.mean().unwrap(),
                s.variance().unwrap(),
            )
        },
        {
            let s = sd::Beta::new(0.3, 0.4).unwrap();
            (
                Distribution::beta(0.3, 0.4).unwrap(),
                s.mean().unwrap(),
                s.variance().unwrap(),
            )
        },
        {
            let s = sd::Gamma::new(3.0, 1.0 / 0.5).unwrap();
            (
                Distribution::gamma(3.0, 0.5).unwrap(),
                s.mean().unwrap(),
                s.variance().unwrap(),
            )
        },
        {
            let s = sd::LogNormal::new(1.2, 0.6).unwrap();
            (
                Distribution::lognormal(1.2, 0.6).unwrap(),
                s.mean().unwrap(),
                s.variance().unwrap(),
            )
        },
        {
            let s = sd::Normal::new(-3.0, 0.7).unwrap();
            (
                Distribution::normal(-3.0, 0.7).unwrap(),
                s.mean().unwrap(),
                s.variance().unwrap(),
            )
        },
        {
            let s = sd::Uniform::new(-1.0, 9.0).unwrap();
            (
                Distribution::uniform(-1.0, 9.0).unwrap(),
                s.mean().unwrap(),
                s.variance().unwrap(),
            )
        },
        {
            let s = sd::Triangular::new(1.0, 6.0, 2.0).unwrap();
            (
                Distribution::triangular(1.0, 2.0, 6.0).unwrap(),
                s.mean().unwrap(),
                s.variance().unwrap(),
            )
        },
    ];
    for (dist, mean, variance) in cases {
        assert_close(&format!("{dist:?} mean"), dist.mean(), mean, 1e-12);
        assert_close(
            &format!("{dist:?} variance"),
            dist.variance(),
            variance,
            1e-12,
        );
    }
}

#[test]
fn inversion_samplers_consume_one_number_and_fixed_none() {
    let one_each = [
        Distribution::normal(0.0, 1.0).unwrap(),
        Distribution::lognormal(0.0, 1.0).unwrap(),
        Distribution::truncated_normal(0.0, 1.0, 0.5, 3.0).unwrap(),
        Distribution::uniform(0.0, 1.0).unwrap(),
        Distribution::triangular(0.0, 0.3, 1.0).unwrap(),
        Distribution::empirical(vec![1.0, 2.0, 3.0]).unwrap(),
    ];
    for d in one_each {
        let mut rng = SequenceRng::new(&[0x9e37_79b9_7f4a_7c15, 0x1234_5678_9abc_def0]);
        let _ = d.sample(&mut rng);
        assert_eq!(rng.position, 1, "{d:?}");
    }
    let mut rng = SequenceRng::new(&[1]);
    let _ = Distribution::fixed(1.0).unwrap().sample(&mut rng);
    assert_eq!(rng.position, 0);
}

/// The largest gap between the empirical CDF of `xs` and `cdf`.
fn kolmogorov_smirnov(mut xs: Vec<f64>, cdf: impl Fn(f64) -> f64) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len() as f64;
    xs.iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = cdf(x);
            (f - i as f64 / n).max((i + 1) as f64 / n - f)
        })
        .fold(0.0, f64::max)
}

#[test]
fn gamma_and_beta_samples_pass_kolmogorov_smirnov() {
    let n = 50_000;
    let critical = 1.63 / libm::sqrt(n as f64); // 1% level
    for (i, (k, theta)) in [(0.5, 1.0), (36.0, 1.0 / 30.0), (0.05, 1.0), (3.0, 2.0)]
        .into_iter()
        .enumerate()
    {
        let d = Distribution::gamma(k, theta).unwrap();
        let reference = sd::Gamma::new(k, 1.0 / theta).unwrap();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(100 + i as u64);
        let xs = (0..n).map(|_| d.sample(&mut rng)).collect();
        let stat = kolmogorov_smirnov(xs, |x| reference.cdf(x));
        assert!(stat < critical, "gamma({k}, {theta}): D = {stat}");
    }
    // Shapes far below one put visible mass within 1e-16 of an end, where draws round to
    // the end itself and the KS statistic would measure that rounding; (2, 0.3) has
    // about 1e-5 of its mass there.
    for (i, (a, b)) in [(0.5, 0.5), (45.0, 5.0), (0.3, 2.0), (2.0, 0.3), (1.0, 1.0)]
        .into_iter()
        .enumerate()
    {
        let d = Distribution::beta(a, b).unwrap();
        let reference = sd::Beta::new(a, b).unwrap();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(200 + i as u64);
        let xs = (0..n).map(|_| d.sample(&mut rng)).collect();
        let stat = kolmogorov_smirnov(xs, |x| reference.cdf(x));
        assert!(stat < critical, "beta({a}, {b}): D = {stat}");
    }
}

/// cdf(quantile(p)) against p, relative to the smaller tail probability.
fn check_inverse(
    name: &str,
    quantile: impl Fn(f64) -> f64,
    cdf: impl Fn(f64) -> f64,
    sf: impl Fn(f64) -> f64,
) {
    for p in [1e-12, 1e-6, 0.01, 0.3, 0.5, 0.7, 0.99, 1.0 - 1e-6] {
        let x = quantile(p);
        let ok = if p <= 0.5 {
            solves(x, p, &cdf)
        } else {
            solves(x, 1.0 - p, &sf)
        };
        assert!(
            ok,
            "{name}: quantile({p}) = {x} has tail probabilities {} / {}",
            cdf(x),
            sf(x)
        );
    }
}

#[test]
fn beta_and_gamma_quantiles_invert_statrs_cdf() {
    for (a, b) in [
        (0.3, 0.3),
        (0.3, 5.0),
        (0.5, 0.5),
        (1.0, 1.0),
        (2.0, 3.0),
        (45.0, 5.0),
        (0.05, 0.05),
        (0.01, 2.0),
        (7.0, 0.2),
        (500.0, 800.0),
        (1e4, 3.0),
    ] {
        let d = Distribution::beta(a, b).unwrap();
        let r = sd::Beta::new(a, b).unwrap();
        check_inverse(
            &format!("beta({a}, {b})"),
            |p| d.quantile(p),
            |x| r.cdf(x),
            |x| r.sf(x),
        );
    }
    for k in [0.01, 0.05, 0.3, 0.5, 1.0, 2.5, 36.0, 999.0] {
        let d = Distribution::gamma(k, 1.0 / 30.0).unwrap();
        let r = sd::Gamma::new(k, 30.0).unwrap();
        check_inverse(
            &format!("gamma({k})"),
            |p| d.quantile(p),
            |x| r.cdf(x),
            |x| r.sf(x),
        );
    }
    let d = Distribution::pert(0.0, 0.2, 1.0, 4.0).unwrap();
    let r = sd::Beta::new(1.8, 4.2).unwrap();
    check_inverse("PERT", |p| d.quantile(p), |x| r.cdf(x), |x| r.sf(x));
}

#[test]
fn large_shape_quantiles_match_high_precision_references() {
    // References computed with mpmath 1.3 at 40 digits (regularised incomplete gamma, and the
    // beta density integrated numerically), solved for the quantile.
    let cases: [(Distribution, f64, f64); 11] = [
        (
            Distribution::gamma(1e4, 1.0).unwrap(),
            1e-6,
            9531.835117189807,
        ),
        (
            Distribution::gamma(1e4, 1.0).unwrap(),
            0.3,
            9947.319262019584,
        ),
        (
            Distribution::gamma(1e4, 1.0).unwrap(),
            0.99,
            10234.104379158054,
        ),
        (
            Distribution::gamma(1e6, 1.0).unwrap(),
            1e-6,
            995253.7719775001,
        ),
        (
            Distribution::gamma(1e6, 1.0).unwrap(),
            0.3,
            999475.3579172359,
        ),
        (
            Distribution::gamma(1e6, 1.0).unwrap(),
            0.99,
            1002327.8184027579,
        ),
        (
            Distribution::beta(1e6, 1e6).unwrap(),
            0.3,
            0.4998145964039009,
        ),
        (
            Distribution::beta(1e6, 1e6).unwrap(),
            1e-6,
            0.4983194152552276,
        ),
        (
            Distribution::beta(2e5, 5e4).unwrap(),
            0.99,
            0.801857539843762,
        ),
        (
            Distribution::beta(2e5, 5e4).unwrap(),
            1e-6,
            0.7961800522536843,
        ),
        (
            Distribution::beta(30.0, 2e4).unwrap(),
            0.5,
            0.00148119421390506,
        ),
    ];
    for (d, p, expected) in cases {
        assert_close(
            &format!("{d:?} quantile({p})"),
            d.quantile(p),
            expected,
            1e-13,
        );
    }
    // Where statrs's series would not finish (shape + 1 == shape), the answer is still
    // prompt and close to the normal approximation.
    let huge = Distribution::gamma(1e17, 1.0).unwrap();
    let x = huge.quantile(0.975);
    let normal_approximation = 1e17 + 1.959963984540054 * 316_227_766.016_837_94;
    assert_close("gamma(1e17) quantile", x, normal_approximation, 1e-12);
}

#[test]
fn closed_form_quantiles() {
    let n = Distribution::normal(1.0, 2.0).unwrap();
    assert_close(
        "normal",
        n.quantile(0.975),
        1.0 + 2.0 * 1.959963984540054,
        1e-15,
    );
    let ln = Distribution::lognormal(0.0, 1.0).unwrap();
    assert_close("lognormal", ln.quantile(0.5), 1.0, 1e-15);
    let u = Distribution::uniform(2.0, 4.0).unwrap();
    assert_eq!(u.quantile(0.25), 2.5);
    let t = Distribution::triangular(0.0, 1.0, 2.0).unwrap();
    assert_close("triangular low", t.quantile(0.125), 0.5, 1e-15);
    assert_close("triangular high", t.quantile(0.875), 1.5, 1e-15);
    assert_eq!(t.quantile(0.0), 0.0);
    assert_eq!(t.quantile(1.0), 2.0);
    let e = Distribution::empirical(vec![3.0, 1.0, 2.0, 4.0]).unwrap();
    assert_eq!(e.quantile(0.1), 1.0);
    assert_eq!(e.quantile(0.25), 2.0);
    assert_eq!(e.quantile(0.99), 4.0);
    let hand_built = Distribution::Empirical {
        values: vec![3.0, 1.0, 2.0, 4.0],
    };
    assert_eq!(hand_built.quantile(0.3), 2.0);
    // Truncated normal: quantiles land inside the interval and invert the truncated CDF,
    // including an interval deep in the right tail where 1 - Φ carries the digits.
    for (mean, sd_, lower, upper) in [
        (0.0, 1.0, -1.0, 2.0),
        (0.0, 1.0, 5.0, 6.0),
        (0.0, 1.0, 5.0, f64::INFINITY),
        (0.0, 1.0, f64::NEG_INFINITY, -6.5),
    ] {
        let d = Distribution::truncated_normal(mean, sd_, lower, upper).unwrap();
        let upper_tail = |x: f64| normal_cdf(-(x - mean) / sd_);
        let mass = upper_tail(lower) - upper_tail(upper);
        let lower_tail = |x: f64| normal_cdf((x - mean) / sd_);
        let lower_mass = lower_tail(upper) - lower_tail(lower);
        let truncated_cdf = |x: f64| {
            if lower > mean {
                (upper_tail(lower) - upper_tail(x)) / mass
            } else {
                (lower_tail(x) - lower_tail(lower)) / lower_mass
            }
        };
        for p in [1e-6, 0.1, 0.5, 0.9, 1.0 - 1e-6] {
            let x = d.quantile(p);
            assert!(x >= lower && x <= upper);
            assert!(
                solves(x, p, &truncated_cdf),
                "{d:?} at {p}: cdf {}",
                truncated_cdf(x)
            );
        }
    }
    assert!(n.quantile(f64::NAN).is_nan());
    assert_eq!(n.quantile(0.0), f64::NEG_INFINITY);
}

#[test]
fn same_seed_same_sequence() {
    let dists = [
        Distribution::normal(0.0, 1.0).unwrap(),
        Distribution::gamma(0.3, 2.0).unwrap(),
        Distribution::beta(0.4, 9.0).unwrap(),
        Distribution::pert(0.0, 1.0, 5.0, 4.0).unwrap(),
        Distribution::empirical(vec![1.0, 2.0, 3.0]).unwrap(),
        Distribution::truncated_normal(0.0, 1.0, 0.5, 3.0).unwrap(),
    ];
    let run = |seed| {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        (0..1000)
            .flat_map(|_| {
                dists
                    .iter()
                    .map(|d| d.sample(&mut rng).to_bits())
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<u64>>()
    };
    assert_eq!(run(3), run(3));
    assert_ne!(run(3), run(4));
}

/// Pins the random stream. These bit patterns were recorded from this implementation; if a
/// refactor changes them, every stored analysis result changes too, so a failure here must
/// be a deliberate, announced decision rather than an accident.
#[test]
fn golden_samples() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(42);
    let gamma = Distribution::gamma(36.0, 1.0 / 30.0).unwrap();
    let got: Vec<u64> = (0..3).map(|_| gamma.sample(&mut rng).to_bits()).collect();
    // 1.4633855397366984, 1.7459673306738932, 1.27922195310331 (ziggurat normals since
    // 2026-11-26; inversion before).
    assert_eq!(
        got,
        [
            4609269321744104479,
            4610541956992470917,
            4608439922683967137
        ],
        "gamma"
    );
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(42);
    let beta = Distribution::beta(45.0, 5.0).unwrap();
    let got: Vec<u64> = (0..3).map(|_| beta.sample(&mut rng).to_bits()).collect();
    // 0.81511402970259, 0.9419574729904184, 0.8857804582598346
    assert_eq!(
        got,
        [
            4605517114026142511,
            4606659618193993421,
            4606153620628778533
        ],
        "beta"
    );
}

#[test]
fn empirical_index_is_unbiased_and_in_range() {
    let d = Distribution::empirical(vec![0.0, 1.0, 2.0]).unwrap();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
    let mut counts = [0_usize; 3];
    let n = 300_000;
    for _ in 0..n {
        counts[d.sample(&mut rng) as usize] += 1;
    }
    // Each count is Binomial(n, 1/3): sd = sqrt(n * 2/9) ≈ 258.
    for c in counts {
        assert!(
            (c as f64 - n as f64 / 3.0).abs() < 4.0 * 258.2,
            "{counts:?}"
        );
    }
}

#[test]
fn parameter_error_displays_its_message() {
    let e = Distribution::gamma(-1.0, 1.0).unwrap_err();
    assert_eq!(
        e.to_string(),
        "gamma distribution: shape must be positive, got -1"
    );
    let boxed: Box<dyn std::error::Error> = Box::new(e);
    assert!(boxed.to_string().starts_with("gamma"));
}
