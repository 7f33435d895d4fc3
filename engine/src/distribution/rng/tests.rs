//! Tests of the random-number primitives: the open uniform's ends and symmetry, Lemire's
//! rejection, and the ziggurat's distribution and tables.

use super::*;
use crate::distribution::special::{normal_cdf, normal_quantile};
use crate::distribution::test_support::SequenceRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use rand_xoshiro::rand_core::SeedableRng;

#[test]
fn uniform_open01_is_open_exact_and_symmetric() {
    let lowest = uniform_open01(&mut SequenceRng::new(&[0]));
    let highest = uniform_open01(&mut SequenceRng::new(&[u64::MAX]));
    assert_eq!(lowest, libm::pow(2.0, -53.0));
    assert_eq!(highest, 1.0 - libm::pow(2.0, -53.0));
    assert!(highest < 1.0);
    assert_eq!(lowest, 1.0 - highest);
    // Symmetry: complementing the 52 used bits gives 1 - u, so normals come in exact pairs.
    let x = 0x1234_5678_9abc_def0_u64;
    let u = uniform_open01(&mut SequenceRng::new(&[x]));
    let v = uniform_open01(&mut SequenceRng::new(&[!x]));
    assert_eq!(u, 1.0 - v);
    assert_eq!(normal_quantile(u), -normal_quantile(v));
}

#[test]
fn lemire_index_rejects_over_represented_draws() {
    // For n = 3, 2^64 mod 3 = 1: the single low half 0 (from x = 0) is rejected. The next
    // draw, 2^63, gives 3 * 2^63 = 2^64 + 2^63: index 1.
    let mut rng = SequenceRng::new(&[0, 1 << 63, 7]);
    assert_eq!(bounded_index(&mut rng, 3), 1);
    assert_eq!(
        rng.position, 2,
        "exactly the rejected and the accepted draw"
    );
    // Without a rejection one draw suffices: u64::MAX * 3 >> 64 = 2.
    let mut rng = SequenceRng::new(&[u64::MAX]);
    assert_eq!(bounded_index(&mut rng, 3), 2);
    assert_eq!(rng.position, 1);
}

/// The ziggurat's draws follow the normal distribution: Kolmogorov–Smirnov against the
/// normal CDF, and the share beyond the tail start, which takes the rare tail path.
#[test]
fn ziggurat_draws_are_standard_normal() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(2024);
    let n = 400_000;
    let mut x: Vec<f64> = (0..n).map(|_| standard_normal(&mut rng)).collect();
    let beyond = x.iter().filter(|v| v.abs() > ZIG_R).count() as f64 / n as f64;
    let p_tail = 2.0 * normal_cdf(-ZIG_R);
    let se = (p_tail * (1.0 - p_tail) / n as f64).sqrt();
    assert!(
        (beyond - p_tail).abs() < 4.0 * se,
        "tail share {beyond} vs {p_tail}"
    );
    x.sort_by(f64::total_cmp);
    let d = x
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let f = normal_cdf(v);
            (f - i as f64 / n as f64)
                .abs()
                .max(((i + 1) as f64 / n as f64 - f).abs())
        })
        .fold(0.0, f64::max);
    assert!(d < 1.63 / (n as f64).sqrt(), "KS distance {d}");
    // The tables close: the top layer ends at 0 and ratios lie in (0, 1).
    let z = ziggurat();
    assert_eq!(z.x[ZIG_LAYERS], 0.0);
    assert!(z.ratio.iter().all(|r| (0.0..1.0).contains(r)));
}
