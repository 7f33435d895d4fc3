//! The truncated normal's quantile and moments, computed on whichever side of the mean keeps the
//! digits (a far right-tail interval is mirrored to the left, where `Φ` is small and exact).

use super::special::{
    GAUSS_LEGENDRE_20, clamp_to, normal_cdf, normal_pdf, normal_quantile, x_normal_pdf,
};

#[cfg(test)]
mod tests;

/// A truncated normal standardised to `[a, b]` and, when the interval lies mostly right of the
/// mean, mirrored (`flipped`) so that `[a, b]` sits on the left: there `Φ` is a small number
/// carrying all its digits, whereas `1 - Φ` near the right tail would lose them.
pub(super) struct TruncationFrame {
    a: f64,
    b: f64,
    pub(super) flipped: bool,
    cdf_a: f64,
    cdf_b: f64,
}

impl TruncationFrame {
    pub(super) fn new(mean: f64, sd: f64, lower: f64, upper: f64) -> Self {
        let a = (lower - mean) / sd;
        let b = (upper - mean) / sd;
        // NaN for (-inf, inf): no flip, which is right.
        let flipped = a + b > 0.0;
        let (a, b) = if flipped { (-b, -a) } else { (a, b) };
        Self {
            a,
            b,
            flipped,
            cdf_a: normal_cdf(a),
            cdf_b: normal_cdf(b),
        }
    }

    pub(super) fn mass(&self) -> f64 {
        self.cdf_b - self.cdf_a
    }
}

pub(super) fn truncated_normal_quantile(mean: f64, sd: f64, lower: f64, upper: f64, p: f64) -> f64 {
    let frame = TruncationFrame::new(mean, sd, lower, upper);
    let mass = frame.mass();
    let z = if frame.flipped {
        // Quantile p of the original is minus quantile 1 - p of the mirror image; writing the
        // target as cdf_b - p * mass avoids rounding 1 - p.
        -normal_quantile(frame.cdf_b - p * mass)
    } else {
        normal_quantile(frame.cdf_a + p * mass)
    };
    clamp_to(mean + sd * z, lower, upper)
}

/// Mean and variance of a truncated normal.
pub(super) fn truncated_normal_moments(mean: f64, sd: f64, lower: f64, upper: f64) -> (f64, f64) {
    let frame = TruncationFrame::new(mean, sd, lower, upper);
    let (a, b) = (frame.a, frame.b);
    let (shift, variance) = if a.is_finite() && b.is_finite() && b - a <= 1.0 {
        // Narrow interval: the closed form subtracts nearly equal numbers (its variance is
        // 1 + O(1) terms - O(1) terms for a result of order width^2), so integrate instead. The
        // density relative to the midpoint c is exp(-(x^2 - c^2) / 2) = exp(-t (2c + t) / 2).
        let c = 0.5 * (a + b);
        let h = 0.5 * (b - a);
        let (mut s0, mut s1, mut s2) = (0.0, 0.0, 0.0);
        for &(node, weight) in &GAUSS_LEGENDRE_20 {
            for t in [-node * h, node * h] {
                let w = weight * libm::exp(-0.5 * t * (2.0 * c + t));
                s0 += w;
                s1 += w * t;
                s2 += w * t * t;
            }
        }
        let m = s1 / s0;
        (c + m, s2 / s0 - m * m)
    } else {
        let mass = frame.mass();
        let m = (normal_pdf(a) - normal_pdf(b)) / mass;
        (m, 1.0 + (x_normal_pdf(a) - x_normal_pdf(b)) / mass - m * m)
    };
    let shift = if frame.flipped { -shift } else { shift };
    (mean + sd * shift, sd * sd * variance)
}
