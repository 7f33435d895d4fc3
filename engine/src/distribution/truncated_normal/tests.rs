//! Tests of the truncated normal's moments: quadrature and closed form agree where both are
//! accurate, and the limits (narrow, untruncated, half-normal) come out right.

use super::*;
use crate::distribution::Distribution;
use crate::distribution::test_support::assert_close;

#[test]
fn truncated_normal_moments_agree_between_formulas_and_with_limits() {
    // Width 0.9 is handled by quadrature; 1.1 by the closed form. Both formulas are accurate
    // at these widths, so evaluate the other one directly and compare.
    for (a, b) in [(-0.2, 0.7), (1.0, 1.9), (-3.0, -2.1), (0.3, 1.4)] {
        let closed = {
            let mass = normal_cdf(b) - normal_cdf(a);
            let m = (normal_pdf(a) - normal_pdf(b)) / mass;
            (m, 1.0 + (x_normal_pdf(a) - x_normal_pdf(b)) / mass - m * m)
        };
        let d = Distribution::truncated_normal(0.0, 1.0, a, b).unwrap();
        assert_close("truncated mean", d.mean(), closed.0, 1e-12);
        assert_close("truncated variance", d.variance(), closed.1, 1e-11);
    }
    // A very narrow interval is nearly uniform: variance width^2 / 12.
    let d = Distribution::truncated_normal(0.0, 1.0, 0.0, 1e-6).unwrap();
    assert_close("narrow variance", d.variance(), 1e-12 / 12.0, 1e-6);
    assert_close("narrow mean", d.mean(), 0.5e-6, 1e-6);
    // Untruncated in effect: the moments of the normal itself.
    let d = Distribution::truncated_normal(2.0, 3.0, -1e3, 1e3).unwrap();
    assert_close("wide mean", d.mean(), 2.0, 1e-12);
    assert_close("wide variance", d.variance(), 9.0, 1e-12);
    // Half-normal: mean sqrt(2/pi), variance 1 - 2/pi.
    let d = Distribution::truncated_normal(0.0, 1.0, 0.0, f64::INFINITY).unwrap();
    let two_over_pi = 2.0 / core::f64::consts::PI;
    assert_close("half-normal mean", d.mean(), libm::sqrt(two_over_pi), 1e-14);
    assert_close(
        "half-normal variance",
        d.variance(),
        1.0 - two_over_pi,
        1e-14,
    );
}
