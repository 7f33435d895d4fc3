//! Tests of the normal quantile against reference values and through the CDF.

use super::*;
use crate::distribution::test_support::assert_close;

#[test]
fn normal_quantile_matches_reference_values() {
    let cases = [
        (0.975, 1.959963984540054),
        (0.025, -1.959963984540054),
        (1e-10, -6.361340902404056),
        (0.841_344_746_068_542_9, 1.0),
        (1e-300, -37.0470962993612),
    ];
    for (p, expected) in cases {
        assert_close(
            &format!("normal_quantile({p})"),
            normal_quantile(p),
            expected,
            1e-14,
        );
    }
    assert_eq!(normal_quantile(0.5), 0.0);
    assert_eq!(normal_quantile(0.0), f64::NEG_INFINITY);
    assert_eq!(normal_quantile(1.0), f64::INFINITY);
    assert!(normal_quantile(f64::NAN).is_nan());
    assert!(normal_quantile(1.5).is_nan());
    // Round trip through the CDF, on the tail that holds the digits.
    for p in [
        1e-300,
        1e-20,
        1e-8,
        0.001,
        0.02,
        0.2,
        0.5,
        0.7,
        0.9,
        0.999,
        1.0 - 1e-12,
    ] {
        let z = normal_quantile(p);
        if p <= 0.5 {
            assert_close(&format!("cdf(quantile({p}))"), normal_cdf(z), p, 1e-13);
        } else {
            assert_close(
                &format!("sf(quantile({p}))"),
                normal_cdf(-z),
                1.0 - p,
                1e-12,
            );
        }
    }
}
