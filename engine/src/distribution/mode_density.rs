//! Quantiles of gammas and betas with large shapes, where statrs's incomplete functions are
//! slow or lose digits: the CDF is integrated numerically (Gauss–Legendre) from the density
//! written relative to its mode, and inverted with the same solver as the small shapes.

use super::beta::beta_variance;
use super::special::{
    GAUSS_LEGENDRE_20, clamp_to, log1p_minus_identity, normal_quantile, solve_increasing,
};

/// The shape of a unimodal density with large shape parameters, written relative to its mode so
/// that no normalising constant (a difference of huge log-gamma values) is needed:
/// `l(t) = ln f(t) - ln f(mode) <= 0`. Tail integrals of `exp(l)` by composite Gauss–Legendre
/// give the CDF to near machine precision where statrs's series lose digits.
pub(super) struct ModeDensity {
    /// `Gamma { shape - 1 }` in unit scale, or `Beta { alpha - 1, beta - 1 }`.
    kind: ModeKind,
    mode: f64,
    /// `1 - mode` for the beta, computed directly to keep its digits.
    mode_complement: f64,
    /// The curvature scale at the mode, `1 / sqrt(-l''(mode))`.
    sigma: f64,
    lo: f64,
    hi: f64,
    mean: f64,
    sd: f64,
    skewness: f64,
}

enum ModeKind {
    Gamma { km1: f64 },
    Beta { am1: f64, bm1: f64 },
}

impl ModeDensity {
    /// Gamma(shape, 1) with `shape > 1`.
    pub(super) fn gamma(shape: f64) -> Self {
        let km1 = shape - 1.0;
        Self {
            kind: ModeKind::Gamma { km1 },
            mode: km1,
            mode_complement: f64::NAN,
            sigma: libm::sqrt(km1),
            lo: 0.0,
            hi: f64::INFINITY,
            mean: shape,
            sd: libm::sqrt(shape),
            skewness: 2.0 / libm::sqrt(shape),
        }
    }

    /// Beta(alpha, beta) with both shapes above 1.
    pub(super) fn beta(alpha: f64, beta: f64) -> Self {
        let (am1, bm1) = (alpha - 1.0, beta - 1.0);
        let mode = am1 / (am1 + bm1);
        let mode_complement = bm1 / (am1 + bm1);
        let total = alpha + beta;
        Self {
            kind: ModeKind::Beta { am1, bm1 },
            mode,
            mode_complement,
            sigma: 1.0
                / libm::sqrt(am1 / (mode * mode) + bm1 / (mode_complement * mode_complement)),
            lo: 0.0,
            hi: 1.0,
            mean: alpha / total,
            sd: libm::sqrt(beta_variance(alpha, beta)),
            skewness: 2.0 * (beta - alpha) / (total + 2.0)
                * libm::sqrt((total + 1.0) / alpha / beta),
        }
    }

    /// `ln f(t) - ln f(mode)`. The linear terms cancel exactly at the mode (that is what makes
    /// it the mode), so they are removed analytically: `km1 ln(1 + r) - d = km1 (ln(1 + r) - r)`
    /// with `r = d / mode`, and likewise for both factors of the beta. Subtracting them in
    /// floating point would cost digits in proportion to sqrt(shape).
    fn log_density(&self, t: f64) -> f64 {
        let d = t - self.mode;
        match self.kind {
            ModeKind::Gamma { km1 } => km1 * log1p_minus_identity(d / self.mode),
            ModeKind::Beta { am1, bm1 } => {
                am1 * log1p_minus_identity(d / self.mode)
                    + bm1 * log1p_minus_identity(-d / self.mode_complement)
            }
        }
    }

    /// `l'(t)`, which sets the panel width.
    fn slope(&self, t: f64) -> f64 {
        match self.kind {
            ModeKind::Gamma { km1 } => km1 / t - 1.0,
            ModeKind::Beta { am1, bm1 } => am1 / t - bm1 / (1.0 - t),
        }
    }

    fn panel(&self, a: f64, b: f64) -> f64 {
        let c = 0.5 * (a + b);
        let h = 0.5 * (b - a);
        let mut sum = 0.0;
        for &(node, weight) in &GAUSS_LEGENDRE_20 {
            sum += weight
                * (libm::exp(self.log_density(c - h * node))
                    + libm::exp(self.log_density(c + h * node)));
        }
        sum * h
    }

    /// `∫ exp(l)` from `x` to the end of the support in the given direction.
    fn tail(&self, x: f64, upward: bool) -> f64 {
        let (direction, end) = if upward {
            (1.0, self.hi)
        } else {
            (-1.0, self.lo)
        };
        let mut t = x;
        let mut sum = 0.0;
        let mut peak = self.log_density(x);
        for _ in 0..20_000 {
            if (t - end) * direction >= 0.0 {
                break;
            }
            // Panels of two sigma near the mode; in the tails, narrow enough that l falls by
            // about 12 across a panel. Either way 20 nodes integrate to full precision.
            let steepness = self.slope(t).abs() * self.sigma;
            let width = self.sigma * (12.0 / steepness).clamp(1e-3, 2.0);
            let next = if upward {
                (t + width).min(end)
            } else {
                (t - width).max(end)
            };
            if next == t {
                break;
            }
            sum += self.panel(t.min(next), t.max(next));
            if (t - self.mode) * (next - self.mode) <= 0.0 {
                peak = peak.max(0.0);
            }
            let l_next = self.log_density(next);
            peak = peak.max(l_next);
            // Past the mode and e^-40 below the largest density seen: the rest is negligible.
            if (next - self.mode) * direction >= 0.0 && l_next < peak - 40.0 {
                break;
            }
            t = next;
        }
        sum
    }

    pub(super) fn quantile(&self, p: f64) -> f64 {
        let z = normal_quantile(p);
        // Cornish–Fisher with the skewness term: a close start for Newton.
        let guess = self.mean + self.sd * (z + (z * z - 1.0) * self.skewness / 6.0);
        // With shapes beyond about 1e24 the whole distribution is narrower than a few ulps of
        // its mode (or sigma is not even representable); the approximation is then exact to
        // the precision of the result.
        let sigma_usable = self.sigma > 1e-12 * self.mode.abs() && self.sigma.is_finite();
        if !(sigma_usable && self.mode.is_finite()) {
            return if guess.is_finite() {
                clamp_to(guess, self.lo, self.hi)
            } else {
                f64::NAN
            };
        }
        let total = self.tail(self.mode, false) + self.tail(self.mode, true);
        let ln_total = libm::log(total);
        let lo = self.lo.max(self.mode - 400.0 * self.sigma);
        let hi = self.hi.min(self.mode + 400.0 * self.sigma);
        let x = if p <= 0.5 {
            let target = libm::log(p) + ln_total;
            solve_increasing(lo, hi, guess, |x| {
                let ln_tail = libm::log(self.tail(x, false));
                (ln_tail - target, libm::exp(self.log_density(x) - ln_tail))
            })
        } else {
            let target = libm::log(1.0 - p) + ln_total;
            solve_increasing(lo, hi, guess, |x| {
                let ln_tail = libm::log(self.tail(x, true));
                (target - ln_tail, libm::exp(self.log_density(x) - ln_tail))
            })
        };
        clamp_to(x, self.lo, self.hi)
    }
}
