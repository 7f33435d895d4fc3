//! The beta family and the PERT built on it: sampling as a ratio of gammas, the variance, the
//! PERT's shapes, and the quantile, solved on statrs's CDF or, for large shapes, by quadrature.

use rand_xoshiro::rand_core::Rng;
use statrs::distribution::{Beta as StatrsBeta, Continuous, ContinuousCDF};

use super::gamma::{sample_log_standard_gamma, sample_standard_gamma, valid_shape};
use super::mode_density::ModeDensity;
use super::special::{LN_MIN_POSITIVE, clamp_to, solve_increasing};

/// Beta(alpha, beta) as X / (X + Y) from two gammas (alpha's first).
pub(super) fn sample_beta<R: Rng + ?Sized>(alpha: f64, beta: f64, rng: &mut R) -> f64 {
    if alpha >= 1.0 && beta >= 1.0 {
        let x = sample_standard_gamma(alpha, rng);
        let y = sample_standard_gamma(beta, rng);
        x / (x + y)
    } else {
        // With a shape below one either gamma can underflow to 0 (0 / 0); the ratio
        // 1 / (1 + Y / X) computed from logarithms cannot.
        let log_x = sample_log_standard_gamma(alpha, rng);
        let log_y = sample_log_standard_gamma(beta, rng);
        let difference = log_y - log_x;
        if difference.is_nan() {
            // Both -inf (shapes near the smallest subnormal) or invalid shapes.
            if log_x == log_y { 0.5 } else { f64::NAN }
        } else {
            1.0 / (1.0 + libm::exp(difference))
        }
    }
}

pub(super) fn beta_variance(alpha: f64, beta: f64) -> f64 {
    // Grouped so that huge shapes cannot overflow the products.
    let total = alpha + beta;
    (alpha / total) * (beta / total) / (total + 1.0)
}

pub(super) fn pert_shapes(min: f64, mode: f64, max: f64, lambda: f64) -> (f64, f64) {
    let range = max - min;
    (
        1.0 + lambda * (mode - min) / range,
        1.0 + lambda * (max - mode) / range,
    )
}

/// The quantile of Beta(alpha, beta) at `p` in `(0, 1)`.
pub(super) fn beta_quantile(alpha: f64, beta: f64, p: f64) -> f64 {
    if !(valid_shape(alpha) && valid_shape(beta)) {
        return f64::NAN;
    }
    if alpha.min(beta) >= 20.0 && alpha + beta > 1e4 {
        return ModeDensity::beta(alpha, beta).quantile(p);
    }
    let Ok(dist) = StatrsBeta::new(alpha, beta) else {
        return f64::NAN;
    };
    let ln_beta_fn = libm::lgamma(alpha) + libm::lgamma(beta) - libm::lgamma(alpha + beta);
    let mean = alpha / (alpha + beta);
    if p <= 0.5 {
        // Search y = ln x for ln F(x) = ln p: F behaves like a power of x near 0, which is a
        // straight line in these coordinates.
        let ln_p = libm::log(p);
        // F(x) ≈ x^alpha / (alpha B(alpha, beta)) for small x.
        let power_guess = (ln_p + libm::log(alpha) + ln_beta_fn) / alpha;
        let guess = power_guess.min(libm::log(mean));
        let y = solve_increasing(LN_MIN_POSITIVE, 0.0, guess, |y| {
            let x = libm::exp(y);
            let ln_cdf = libm::log(dist.cdf(x));
            (ln_cdf - ln_p, libm::exp(y + dist.ln_pdf(x) - ln_cdf))
        });
        clamp_to(libm::exp(y), 0.0, 1.0)
    } else {
        // Mirror image: y = -ln(1 - x) and the survival function.
        let q = 1.0 - p;
        let ln_q = libm::log(q);
        let power_guess = -(ln_q + libm::log(beta) + ln_beta_fn) / beta;
        let guess = power_guess.max(-libm::log1p(-mean));
        // 1 - x cannot be resolved below 2^-53 = e^-36.7.
        let y = solve_increasing(0.0, 37.5, guess, |y| {
            let x = -libm::expm1(-y);
            let ln_sf = libm::log(dist.sf(x));
            (ln_q - ln_sf, libm::exp(dist.ln_pdf(x) - y - ln_sf))
        });
        clamp_to(-libm::expm1(-y), 0.0, 1.0)
    }
}
