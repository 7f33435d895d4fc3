//! Tests of the Dirichlet: draws sum to one with the right means, and bad input is rejected.

use super::*;
use crate::distribution::test_support::assert_close;
use rand_xoshiro::Xoshiro256PlusPlus;
use rand_xoshiro::rand_core::SeedableRng;

#[test]
fn dirichlet_sums_to_one_and_has_the_right_means() {
    for (seed, alpha) in [
        vec![2.0, 3.0, 5.0],
        vec![0.2, 0.5, 0.01, 1.5],
        vec![1e-3, 1e-3],
    ]
    .into_iter()
    .enumerate()
    {
        let d = Dirichlet::new(alpha.clone()).unwrap();
        let k = alpha.len();
        let total: f64 = alpha.iter().sum();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(300 + seed as u64);
        let mut out = vec![0.0; k];
        let mut sums = vec![0.0; k];
        let n = 100_000;
        for _ in 0..n {
            d.sample_into(&mut rng, &mut out);
            let s: f64 = out.iter().sum();
            assert!((s - 1.0).abs() <= 1e-12, "sum {s}");
            assert!(out.iter().all(|x| (0.0..=1.0).contains(x)));
            for (acc, x) in sums.iter_mut().zip(&out) {
                *acc += x;
            }
        }
        for (i, m) in d.means().iter().enumerate() {
            assert_close("means()", *m, alpha[i] / total, 1e-15);
            // Var(X_i) = m (1 - m) / (total + 1).
            let se = libm::sqrt(m * (1.0 - m) / (total + 1.0) / n as f64);
            let sample_mean = sums[i] / n as f64;
            assert!(
                (sample_mean - m).abs() < 4.0 * se,
                "component {i} of {alpha:?}: {sample_mean} vs {m}"
            );
        }
    }
    let d = Dirichlet::from_mean_and_concentration(&[0.2, 0.3, 0.5], 50.0).unwrap();
    assert_eq!(d.alpha(), &[10.0, 15.0, 25.0]);
}

#[test]
fn dirichlet_rejects_bad_input() {
    let e = Dirichlet::new(vec![1.0]).unwrap_err();
    assert_eq!(e.field, "alpha");
    assert!(e.message.contains("at least 2 components"));
    let e = Dirichlet::new(vec![1.0, -2.0]).unwrap_err();
    assert!(
        e.message.contains("got -2 for component 2"),
        "{}",
        e.message
    );
    let e = Dirichlet::from_mean_and_concentration(&[0.2, 0.3], 10.0).unwrap_err();
    assert_eq!(e.field, "means");
    assert!(e.message.contains("sum to 0.5"), "{}", e.message);
    let e = Dirichlet::from_mean_and_concentration(&[0.5, 0.5], 0.0).unwrap_err();
    assert_eq!(e.field, "concentration");
    assert!(Dirichlet::from_mean_and_concentration(&[0.5, 0.5 + 5e-10], 1.0).is_ok());
}
