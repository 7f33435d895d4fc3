//! Tests of the constructors: the method of moments, and every rejected parameter reported
//! with its key and rule; no input, however extreme, makes a constructor or method panic.

use crate::distribution::test_support::assert_close;
use crate::distribution::{Dirichlet, Distribution, ParamError};
use rand_xoshiro::Xoshiro256PlusPlus;
use rand_xoshiro::rand_core::SeedableRng;

#[test]
fn method_of_moments_round_trips() {
    for (m, s) in [(0.3, 0.1), (0.95, 0.2), (0.01, 0.005), (0.5, 1e-4)] {
        let d = Distribution::beta_from_mean_sd(m, s).unwrap();
        assert_close("beta mean", d.mean(), m, 1e-12);
        assert_close("beta sd", libm::sqrt(d.variance()), s, 1e-12);
    }
    for (m, s) in [(5.0, 2.0), (1e4, 3e4), (0.02, 0.001)] {
        let d = Distribution::gamma_from_mean_sd(m, s).unwrap();
        assert_close("gamma mean", d.mean(), m, 1e-12);
        assert_close("gamma sd", libm::sqrt(d.variance()), s, 1e-12);
    }
    for (m, s) in [(10.0, 3.0), (0.5, 2.0), (2e4, 10.0)] {
        let d = Distribution::lognormal_from_mean_sd(m, s).unwrap();
        assert_close("lognormal mean", d.mean(), m, 1e-12);
        assert_close("lognormal sd", libm::sqrt(d.variance()), s, 1e-9);
    }
}

#[test]
fn impossible_beta_moments_state_an_admissible_bound() {
    let error = Distribution::beta_from_mean_sd(0.95, 0.3).unwrap_err();
    assert_eq!(error.field, "sd");
    // sqrt(0.95 * 0.05) = 0.21794...; rounded down so that the stated bound is admissible.
    assert_eq!(
        error.to_string(),
        "beta distribution: mean 0.95 with sd 0.3 is impossible (sd must be below 0.217)"
    );
    assert!(Distribution::beta_from_mean_sd(0.95, 0.217).is_ok());
    assert!(Distribution::beta_from_mean_sd(0.95, 0.218).is_err());
    // At mean 0.5 the bound is exactly 0.5, which itself is not admissible.
    let error = Distribution::beta_from_mean_sd(0.5, 0.5).unwrap_err();
    assert!(
        error.message.ends_with("(sd must be below 0.499)"),
        "{}",
        error.message
    );
    let error = Distribution::beta_from_mean_sd(1e-4, 0.02).unwrap_err();
    assert!(
        error.message.ends_with("(sd must be below 0.00999)"),
        "{}",
        error.message
    );
    let error = Distribution::beta_from_mean_sd(1.2, 0.1).unwrap_err();
    assert_eq!(error.field, "mean");
    assert_eq!(
        error.message,
        "beta distribution: mean must lie strictly between 0 and 1, got 1.2"
    );
}

#[test]
fn invalid_parameters_are_reported_with_field_and_rule() {
    let nan = f64::NAN;
    let inf = f64::INFINITY;
    let cases: Vec<(Result<Distribution, ParamError>, &str, &str)> = vec![
        (
            Distribution::fixed(nan),
            "value",
            "must be a finite number, got NaN",
        ),
        (
            Distribution::normal(0.0, 0.0),
            "sd",
            "sd must be positive, got 0 (use a fixed distribution for a known value)",
        ),
        (
            Distribution::normal(0.0, -1.0),
            "sd",
            "sd must be positive, got -1",
        ),
        (
            Distribution::normal(inf, 1.0),
            "mean",
            "mean must be a finite number, got inf",
        ),
        (
            Distribution::truncated_normal(0.0, 1.0, 2.0, 1.0),
            "upper",
            "lower must be below upper",
        ),
        (
            Distribution::truncated_normal(0.0, 1.0, inf, inf),
            "lower",
            "lower must be a number or -inf",
        ),
        (
            Distribution::truncated_normal(0.0, 1.0, 0.0, nan),
            "upper",
            "upper must be a number or inf",
        ),
        (
            Distribution::truncated_normal(0.0, 1.0, 9.0, 10.0),
            "lower",
            "it needs at least 1e-12",
        ),
        (
            Distribution::truncated_normal(0.0, 1.0, -10.0, -9.0),
            "upper",
            "it needs at least 1e-12",
        ),
        (
            Distribution::lognormal(0.0, 0.0),
            "sdlog",
            "use a fixed distribution",
        ),
        (
            Distribution::lognormal_from_mean_sd(-1.0, 1.0),
            "mean",
            "lognormal distribution: mean must be positive, got -1",
        ),
        (
            Distribution::lognormal_from_mean_sd(1.0, 0.0),
            "sd",
            "use a fixed distribution",
        ),
        (
            Distribution::lognormal_from_mean_sd(1e-200, 1e200),
            "sd",
            "too large relative to mean",
        ),
        (
            Distribution::beta(0.0, 1.0),
            "alpha",
            "beta distribution: alpha must be positive, got 0",
        ),
        (
            Distribution::beta(1.0, nan),
            "beta",
            "beta must be a finite number",
        ),
        (
            Distribution::beta_from_mean_sd(0.0, 0.1),
            "mean",
            "strictly between 0 and 1, got 0",
        ),
        (
            Distribution::beta_from_mean_sd(nan, 0.1),
            "mean",
            "strictly between 0 and 1, got NaN",
        ),
        (
            Distribution::beta_from_mean_sd(0.5, 0.0),
            "sd",
            "use a fixed distribution",
        ),
        (
            Distribution::beta_from_mean_sd(0.5, 1e-200),
            "sd",
            "too small",
        ),
        (
            Distribution::gamma(-1.0, 1.0),
            "shape",
            "gamma distribution: shape must be positive, got -1",
        ),
        (
            Distribution::gamma(1.0, inf),
            "scale",
            "scale must be a finite number, got inf",
        ),
        (
            Distribution::gamma_from_mean_sd(0.0, 1.0),
            "mean",
            "mean must be positive, got 0",
        ),
        (
            Distribution::gamma_from_mean_sd(1.0, 0.0),
            "sd",
            "use a fixed distribution",
        ),
        (
            Distribution::gamma_from_mean_sd(1e300, 1e-300),
            "sd",
            "cannot be represented",
        ),
        (
            Distribution::uniform(1.0, 1.0),
            "max",
            "min must be below max, got min 1 and max 1 (use a fixed",
        ),
        (
            Distribution::uniform(2.0, 1.0),
            "max",
            "min must be below max",
        ),
        (Distribution::uniform(-1e308, 1e308), "max", "too wide"),
        (
            Distribution::uniform(nan, 1.0),
            "min",
            "min must be a finite number",
        ),
        (
            Distribution::triangular(0.0, 2.0, 1.0),
            "mode",
            "mode must lie between min and max",
        ),
        (
            Distribution::triangular(0.0, nan, 1.0),
            "mode",
            "mode must be a finite number",
        ),
        (
            Distribution::pert(0.0, 0.5, 1.0, 0.0),
            "lambda",
            "PERT distribution: lambda must be positive, got 0",
        ),
        (
            Distribution::pert(0.0, -0.5, 1.0, 4.0),
            "mode",
            "mode must lie between",
        ),
        (
            Distribution::pert(1.0, 1.0, 1.0, 4.0),
            "max",
            "use a fixed distribution",
        ),
        (
            Distribution::empirical(vec![]),
            "values",
            "must not be empty",
        ),
        (
            Distribution::empirical(vec![1.0, 2.0, nan]),
            "values",
            "value 3 of 3 is NaN",
        ),
    ];
    for (result, field, text) in cases {
        let error = result.expect_err(text);
        assert_eq!(error.field, field, "{}", error.message);
        assert!(
            error.message.contains(text),
            "{:?} lacks {text:?}",
            error.message
        );
    }
}

#[test]
fn constructors_never_panic_and_accepted_values_behave() {
    let specials = [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        2.0,
        1e-300,
        1e300,
        f64::MIN_POSITIVE,
        5e-324,
        f64::MAX,
        -f64::MAX,
    ];
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
    let mut exercise = |result: Result<Distribution, ParamError>| {
        if let Ok(d) = result {
            // None of these may panic or hang; values are not checked for such extremes.
            let _ = (d.mean(), d.variance(), d.support(), d.quantile(0.3));
            let _ = d.quantile(0.9);
            let _ = d.sample(&mut rng);
        }
    };
    for &a in &specials {
        exercise(Distribution::fixed(a));
        exercise(Distribution::empirical(vec![a, 1.0]));
        for &b in &specials {
            exercise(Distribution::normal(a, b));
            exercise(Distribution::lognormal(a, b));
            exercise(Distribution::lognormal_from_mean_sd(a, b));
            exercise(Distribution::beta(a, b));
            exercise(Distribution::beta_from_mean_sd(a, b));
            exercise(Distribution::gamma(a, b));
            exercise(Distribution::gamma_from_mean_sd(a, b));
            exercise(Distribution::uniform(a, b));
            let _ = Dirichlet::new(vec![a, b]);
            let _ = Dirichlet::from_mean_and_concentration(&[a, b], 2.0);
            for &c in &specials {
                exercise(Distribution::triangular(a, b, c));
                let _ = Dirichlet::from_mean_and_concentration(&[0.5, 0.5], c);
                for &e in &specials {
                    exercise(Distribution::truncated_normal(a, b, c, e));
                    exercise(Distribution::pert(a, b, c, e));
                }
            }
        }
    }
}
