//! The gamma family: Marsaglia–Tsang sampling (also the source of the beta's and the
//! Dirichlet's draws, and in log form for shapes so small that the draw would underflow) and
//! the quantile, solved on statrs's CDF or, for large shapes, by quadrature.

use rand_xoshiro::rand_core::Rng;
use statrs::distribution::{Continuous, ContinuousCDF, Gamma as StatrsGamma};

use super::mode_density::ModeDensity;
use super::rng::{standard_normal, uniform_open01};
use super::special::{LN_MIN_POSITIVE, normal_quantile, solve_increasing};

/// Marsaglia & Tsang (2000), "A simple method for generating gamma variables", for
/// `shape >= 1`. Two uniforms per attempt: the first makes the normal, the second decides.
fn marsaglia_tsang<R: Rng + ?Sized>(shape: f64, rng: &mut R) -> f64 {
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / libm::sqrt(9.0 * d);
    loop {
        let x = standard_normal(rng);
        let v = 1.0 + c * x;
        if v <= 0.0 {
            continue;
        }
        let v = v * v * v;
        let u = uniform_open01(rng);
        let x2 = x * x;
        // The squeeze accepts most candidates without a logarithm.
        if u < 1.0 - 0.0331 * x2 * x2 {
            return d * v;
        }
        if libm::log(u) < 0.5 * x2 + d * (1.0 - v + libm::log(v)) {
            return d * v;
        }
    }
}

pub(super) fn valid_shape(shape: f64) -> bool {
    shape > 0.0 && shape.is_finite()
}

/// A Gamma(shape, 1) draw; `shape < 1` uses Gamma(shape + 1) * U^(1/shape).
pub(super) fn sample_standard_gamma<R: Rng + ?Sized>(shape: f64, rng: &mut R) -> f64 {
    if !valid_shape(shape) {
        // A hand-built variant: the rejection loop would never end on NaN.
        return f64::NAN;
    }
    if shape < 1.0 {
        let g = marsaglia_tsang(shape + 1.0, rng);
        let u = uniform_open01(rng);
        g * libm::exp(libm::log(u) / shape)
    } else {
        marsaglia_tsang(shape, rng)
    }
}

/// The logarithm of a Gamma(shape, 1) draw, consuming the same numbers in the same order as
/// [`sample_standard_gamma`]; it cannot underflow for tiny shapes.
pub(super) fn sample_log_standard_gamma<R: Rng + ?Sized>(shape: f64, rng: &mut R) -> f64 {
    if !valid_shape(shape) {
        return f64::NAN;
    }
    if shape < 1.0 {
        let g = marsaglia_tsang(shape + 1.0, rng);
        let u = uniform_open01(rng);
        libm::log(g) + libm::log(u) / shape
    } else {
        libm::log(marsaglia_tsang(shape, rng))
    }
}
/// The quantile of Gamma(shape, 1) at `p` in `(0, 1)`.
pub(super) fn gamma_quantile(shape: f64, p: f64) -> f64 {
    if !valid_shape(shape) {
        return f64::NAN;
    }
    if shape > 1e3 {
        // statrs's incomplete gamma series needs O(sqrt(shape)) terms near the mode (it never
        // ends once shape + 1 == shape) and loses digits; integrate instead.
        return ModeDensity::gamma(shape).quantile(p);
    }
    let Ok(dist) = StatrsGamma::new(shape, 1.0) else {
        return f64::NAN;
    };
    let z = normal_quantile(p);
    // Wilson–Hilferty: (X / shape)^(1/3) is close to normal.
    let wilson_hilferty = {
        let nine_k = 9.0 * shape;
        let base = 1.0 - 1.0 / nine_k + z / libm::sqrt(nine_k);
        shape * base * base * base
    };
    if p <= 0.5 {
        let ln_p = libm::log(p);
        // F(x) ≈ x^shape / Γ(shape + 1) for small x.
        let power_guess = (ln_p + libm::lgamma(shape + 1.0)) / shape;
        let guess = if shape >= 1.0 && wilson_hilferty > 0.0 {
            libm::log(wilson_hilferty)
        } else {
            power_guess
        };
        // The median of a gamma lies below its mean, so x <= shape here.
        let y = solve_increasing(LN_MIN_POSITIVE, libm::log(shape) + 1.0, guess, |y| {
            let x = libm::exp(y);
            let ln_cdf = libm::log(dist.cdf(x));
            (ln_cdf - ln_p, libm::exp(y + dist.ln_pdf(x) - ln_cdf))
        });
        libm::exp(y)
    } else {
        let q = 1.0 - p;
        let ln_q = libm::log(q);
        let mut hi = (2.0 * shape).max(1.0);
        for _ in 0..2100 {
            if dist.sf(hi) <= q {
                break;
            }
            hi *= 2.0;
        }
        let guess = if wilson_hilferty > 0.0 {
            wilson_hilferty
        } else {
            -ln_q
        };
        solve_increasing(0.0, hi, guess, |x| {
            let ln_sf = libm::log(dist.sf(x));
            (ln_q - ln_sf, libm::exp(dist.ln_pdf(x) - ln_sf))
        })
    }
}
