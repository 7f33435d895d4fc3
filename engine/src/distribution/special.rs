//! Special functions and numerical routines shared by the families: the standard normal's CDF,
//! density and quantile (Wichura's AS 241), a NaN-safe clamp, the safeguarded Newton solver
//! behind the beta and gamma quantiles, `ln(1 + r) - r` without cancellation, and 20-point
//! Gauss–Legendre nodes.

use core::f64::consts::SQRT_2;

#[cfg(test)]
mod tests;

/// The standard normal CDF, `0.5 * erfc(-x / sqrt(2))` (libm's `erfc`, accurate in the lower
/// tail to the last few ulps; use the symmetry `1 - Φ(x) = Φ(-x)` for the upper tail).
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / SQRT_2)
}

/// The standard normal density.
pub(super) fn normal_pdf(x: f64) -> f64 {
    /// 1 / sqrt(2π).
    const FRAC_1_SQRT_2PI: f64 = 0.398_942_280_401_432_7;
    FRAC_1_SQRT_2PI * libm::exp(-0.5 * x * x)
}

/// `x φ(x)`, taken as 0 at ±inf (where the product would be `inf * 0`).
pub(super) fn x_normal_pdf(x: f64) -> f64 {
    if x.is_infinite() {
        0.0
    } else {
        x * normal_pdf(x)
    }
}

/// The standard normal quantile (inverse CDF) by Wichura's algorithm AS 241 (PPND16), accurate
/// to about 1e-16 relative. `p = 0` gives `-inf`, `p = 1` gives `+inf`, and `p` outside `[0, 1]`
/// or NaN gives NaN.
///
/// Wichura, M. J. (1988). Algorithm AS 241: The percentage points of the normal distribution.
/// Applied Statistics 37(3), 477–484.
// The coefficients are kept exactly as published so they can be checked against the paper.
#[allow(clippy::excessive_precision)]
pub fn normal_quantile(p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        let num = ((((((2.5090809287301226727e3 * r + 3.3430575583588128105e4) * r
            + 6.7265770927008700853e4)
            * r
            + 4.5921953931549871457e4)
            * r
            + 1.3731693765509461125e4)
            * r
            + 1.9715909503065514427e3)
            * r
            + 1.3314166789178437745e2)
            * r
            + 3.3871328727963666080e0;
        let den = ((((((5.2264952788528545610e3 * r + 2.8729085735721942674e4) * r
            + 3.9307895800092710610e4)
            * r
            + 2.1213794301586595867e4)
            * r
            + 5.3941960214247511077e3)
            * r
            + 6.8718700749205790830e2)
            * r
            + 4.2313330701600911252e1)
            * r
            + 1.0;
        return q * num / den;
    }
    // Tails: work with the smaller of p and 1 - p (exact for p >= 0.5 by Sterbenz's lemma).
    let tail = if q < 0.0 { p } else { 1.0 - p };
    if tail == 0.0 {
        return if q < 0.0 {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
    }
    let mut r = libm::sqrt(-libm::log(tail));
    let value = if r <= 5.0 {
        r -= 1.6;
        let num = ((((((7.74545014278341407640e-4 * r + 2.27238449892691845833e-2) * r
            + 2.41780725177450611770e-1)
            * r
            + 1.27045825245236838258e0)
            * r
            + 3.64784832476320460504e0)
            * r
            + 5.76949722146069140550e0)
            * r
            + 4.63033784615654529590e0)
            * r
            + 1.42343711074968357734e0;
        let den = ((((((1.05075007164441684324e-9 * r + 5.47593808499534494600e-4) * r
            + 1.51986665636164571966e-2)
            * r
            + 1.48103976427480074590e-1)
            * r
            + 6.89767334985100004550e-1)
            * r
            + 1.67638483018380384940e0)
            * r
            + 2.05319162663775882187e0)
            * r
            + 1.0;
        num / den
    } else {
        r -= 5.0;
        let num = ((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r
            + 1.24266094738807843860e-3)
            * r
            + 2.65321895265761230930e-2)
            * r
            + 2.96560571828504891230e-1)
            * r
            + 1.78482653991729133580e0)
            * r
            + 5.46378491116411436990e0)
            * r
            + 6.65790464350110377720e0;
        let den = ((((((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7) * r
            + 1.84631831751005468180e-5)
            * r
            + 7.86869131145613259100e-4)
            * r
            + 1.48753612908506148525e-2)
            * r
            + 1.36929880922735805310e-1)
            * r
            + 5.99832206555887937690e-1)
            * r
            + 1.0;
        num / den
    };
    if q < 0.0 { -value } else { value }
}

/// `x` limited to `[lo, hi]` without `f64::clamp`'s panic on a reversed or NaN range.
pub(super) fn clamp_to(x: f64, lo: f64, hi: f64) -> f64 {
    x.max(lo).min(hi)
}

/// ln of the smallest positive subnormal, the floor for a log-scale search.
pub(super) const LN_MIN_POSITIVE: f64 = -744.440_072_148_62;

/// The search stops when the log of the achieved tail probability is within this of the target.
const SOLVER_TOLERANCE: f64 = 1e-13;

/// After this many iterations the solver only bisects, which guarantees termination.
const NEWTON_ITERATIONS: usize = 60;

fn midpoint(lo: f64, hi: f64) -> f64 {
    lo + 0.5 * (hi - lo)
}

/// Solves `h(y) = 0` for an increasing `h` on `[lo, hi]`. `eval` returns `h(y)` and `h'(y)`.
/// Newton steps are taken while they stay inside the shrinking bracket and at least halve
/// `|h|`; otherwise the bracket is bisected.
pub(super) fn solve_increasing(
    mut lo: f64,
    mut hi: f64,
    guess: f64,
    mut eval: impl FnMut(f64) -> (f64, f64),
) -> f64 {
    let mut y = if guess > lo && guess < hi {
        guess
    } else {
        midpoint(lo, hi)
    };
    let mut previous = f64::INFINITY;
    for iteration in 0..NEWTON_ITERATIONS + 1100 {
        let (h, slope) = eval(y);
        if h.is_nan() || h.abs() <= SOLVER_TOLERANCE {
            return y;
        }
        if h < 0.0 {
            lo = y;
        } else {
            hi = y;
        }
        let newton = y - h / slope;
        // The closed bracket: the root may sit on an end that an earlier step overshot onto.
        let inside = newton >= lo && newton <= hi;
        // A Newton step of a few ulps: the answer is as good as the coordinate can hold (for a
        // large shape one ulp of x can move ln F by more than the tolerance).
        if inside && (newton - y).abs() <= 4.0 * f64::EPSILON * y.abs() {
            return newton;
        }
        let converging = h.abs() <= 0.5 * previous;
        previous = h.abs();
        y = if iteration < NEWTON_ITERATIONS && converging && inside {
            newton
        } else {
            let mid = midpoint(lo, hi);
            if mid <= lo || mid >= hi {
                return y;
            }
            mid
        };
    }
    y
}

/// `ln(1 + r) - r` without cancellation for small `r`.
pub(super) fn log1p_minus_identity(r: f64) -> f64 {
    if r.abs() < 0.1 {
        // -r^2/2 + r^3/3 - ...; 18 terms leave an error below 0.1^17 relative to the first.
        let mut sum = 0.0;
        for j in (2..=19).rev() {
            let sign = if j % 2 == 0 { -1.0 } else { 1.0 };
            sum = sum * r + sign / f64::from(j);
        }
        sum * r * r
    } else {
        libm::log1p(r) - r
    }
}

/// Nodes (positive half) and weights of 20-point Gauss–Legendre quadrature on `[-1, 1]`.
pub(super) const GAUSS_LEGENDRE_20: [(f64, f64); 10] = [
    (0.076_526_521_133_497_34, 0.152_753_387_130_725_84),
    (0.227_785_851_141_645_07, 0.149_172_986_472_603_74),
    (0.373_706_088_715_419_55, 0.142_096_109_318_382_04),
    (0.510_867_001_950_827_1, 0.131_688_638_449_176_64),
    (0.636_053_680_726_515, 0.118_194_531_961_518_41),
    (0.746_331_906_460_150_8, 0.101_930_119_817_240_44),
    (0.839_116_971_822_218_8, 0.083_276_741_576_704_75),
    (0.912_234_428_251_326, 0.062_672_048_334_109_07),
    (0.963_971_927_277_913_8, 0.040_601_429_800_386_94),
    (0.993_128_599_185_094_9, 0.017_614_007_139_152_118),
];
