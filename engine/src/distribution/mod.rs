//! Univariate parameter distributions for the probabilistic sensitivity analysis.
//!
//! A scenario gives every uncertain parameter a distribution. This module
//!
//! - validates the parameters with messages an analyst can act on ([`ParamError`] names the
//!   scenario key at fault, e.g. `"sd"`),
//! - converts a mean and standard deviation into native parameters by the method of moments
//!   ([`Distribution::beta_from_mean_sd`], [`Distribution::gamma_from_mean_sd`],
//!   [`Distribution::lognormal_from_mean_sd`]),
//! - draws samples ([`Distribution::sample`], [`Dirichlet::sample_into`]),
//! - gives the quantile function ([`Distribution::quantile`]) through which the Gaussian copula
//!   turns correlated normal scores into parameter values, and
//! - reports analytic means, variances and supports.
//!
//! # Reproducibility
//!
//! A probabilistic analysis must give the same bits on every target (x86_64 and wasm32), so
//! sampling uses nothing but IEEE arithmetic and [`libm`]; `f64::ln`, `f64::exp` and `f64::powf`
//! call the platform's C library and are avoided, as is `mul_add` (its single rounding differs
//! from the separate multiply and add written everywhere else). Every random number is built from
//! one `u64` by [`uniform_open01`]; normals come from a ziggurat ([`standard_normal`]: one `u64`
//! for about 99% of draws, never a cached second value), so the number of `u64`s a draw consumes
//! is a property of the algorithm and the stream alone (see [`Distribution::sample`]).
//! [`normal_quantile`] inverts the normal CDF for the quantile functions.
//!
//! The quantiles of the beta, gamma and PERT distributions are the one place where the
//! [`statrs`] crate is used (its regularised incomplete beta and gamma functions). Those use the
//! platform's floating-point library, so these three quantiles are accurate (about 1e-13
//! relative in probability) but are not promised to be bit-identical across targets; the
//! sampling path never touches them.

// The submodules, by concern:
// - construct: the constructors, their parameter checks and the method of moments;
// - beta, gamma, truncated_normal: each family's sampling, quantile and moment helpers (the
//   uniform's, triangular's and empirical's are a line or two and sit below in this file);
// - mode_density: quantiles of large-shape gammas and betas by quadrature of the density;
// - dirichlet: the Dirichlet distribution;
// - rng: uniforms, ziggurat normals and unbiased indices, one `u64` at a time;
// - special: the normal CDF, density and quantile, the safeguarded Newton solver, quadrature.
mod beta;
mod construct;
mod dirichlet;
mod gamma;
mod mode_density;
mod rng;
mod special;
mod truncated_normal;

#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;

pub use dirichlet::Dirichlet;
pub use rng::{standard_normal, uniform_open01};
pub use special::{normal_cdf, normal_quantile};

use std::fmt;

use rand_xoshiro::rand_core::Rng;

use beta::{beta_quantile, beta_variance, pert_shapes, sample_beta};
use gamma::{gamma_quantile, sample_standard_gamma};
use rng::bounded_index;
use special::clamp_to;
use truncated_normal::{truncated_normal_moments, truncated_normal_quantile};

/// Why a distribution's parameters are unacceptable.
///
/// `field` names the offending key as an analyst wrote it in the scenario file (e.g. `"sd"`,
/// `"alpha"`, `"mode"`, `"values"`) so the caller can point at its line; `message` is a full
/// sentence that states the rule and the value that broke it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamError {
    /// The scenario key whose value is at fault.
    pub field: &'static str,
    /// What is wrong, starting with the distribution's name, e.g.
    /// `"gamma distribution: shape must be positive, got -1"`.
    pub message: String,
}

impl ParamError {
    fn new(field: &'static str, message: String) -> Self {
        Self { field, message }
    }
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParamError {}

/// A univariate distribution with validated parameters.
///
/// Build it with the constructors ([`Distribution::normal`], [`Distribution::beta_from_mean_sd`],
/// ...), which check the parameters; the variants are public so that callers can match on them,
/// but a hand-built variant skips validation (its methods then return NaN rather than panic).
#[derive(Debug, Clone, PartialEq)]
pub enum Distribution {
    /// A known value: no uncertainty.
    Fixed {
        /// The value.
        value: f64,
    },
    /// Normal distribution.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation (positive).
        sd: f64,
    },
    /// Normal distribution restricted to `[lower, upper]`.
    TruncatedNormal {
        /// Mean of the untruncated normal.
        mean: f64,
        /// Standard deviation of the untruncated normal.
        sd: f64,
        /// Lower bound; may be `-inf` for truncation from above only.
        lower: f64,
        /// Upper bound; may be `+inf` for truncation from below only.
        upper: f64,
    },
    /// Log-normal distribution: `exp` of a normal.
    LogNormal {
        /// Mean of the logarithm.
        meanlog: f64,
        /// Standard deviation of the logarithm (positive).
        sdlog: f64,
    },
    /// Beta distribution on `(0, 1)`.
    Beta {
        /// First shape (positive).
        alpha: f64,
        /// Second shape (positive).
        beta: f64,
    },
    /// Gamma distribution with mean `shape * scale`.
    Gamma {
        /// Shape (positive).
        shape: f64,
        /// Scale (positive).
        scale: f64,
    },
    /// Continuous uniform distribution on `[min, max]`.
    Uniform {
        /// Lower end.
        min: f64,
        /// Upper end (above `min`).
        max: f64,
    },
    /// Triangular distribution.
    Triangular {
        /// Lower end.
        min: f64,
        /// Most likely value, in `[min, max]`.
        mode: f64,
        /// Upper end (above `min`).
        max: f64,
    },
    /// (Modified) PERT distribution: `min + (max - min) * Beta(a, b)` with
    /// `a = 1 + lambda (mode - min) / (max - min)` and `b = 1 + lambda (max - mode) / (max - min)`.
    Pert {
        /// Lower end.
        min: f64,
        /// Most likely value, in `[min, max]`.
        mode: f64,
        /// Upper end (above `min`).
        max: f64,
        /// Weight of the mode; 4 is the classic PERT.
        lambda: f64,
    },
    /// The empirical distribution of a set of values, each drawn with equal probability
    /// (e.g. a bootstrap sample or the draws of an earlier analysis).
    Empirical {
        /// The values; [`Distribution::empirical`] stores them sorted ascending.
        values: Vec<f64>,
    },
}

impl Distribution {
    /// Draws one value.
    ///
    /// `u64`s consumed from `rng` (each becomes one uniform through [`uniform_open01`]):
    /// - `Fixed`: none;
    /// - `TruncatedNormal`, `Uniform`, `Triangular`: exactly one (inversion of the CDF);
    /// - `Normal`, `LogNormal`: one for about 99% of draws ([`standard_normal`], a ziggurat),
    ///   occasionally more;
    /// - `Empirical`: one, plus one more for each rejection of Lemire's unbiased index method
    ///   (probability below `n / 2^64` each);
    /// - `Gamma`: Marsaglia–Tsang, a normal and a uniform per attempt (the uniform is skipped
    ///   when the candidate is rejected first), at least 95% of attempts succeed; `shape < 1` adds one
    ///   uniform after the loop for the `U^(1/shape)` boost;
    /// - `Beta`: a gamma draw for `alpha` then one for `beta`;
    /// - `Pert`: as the beta it is built on.
    ///
    /// The count therefore varies between calls for gamma, beta and PERT. A hand-built variant
    /// with invalid parameters returns NaN (or a value outside the support) rather than panic.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Self::Fixed { value } => *value,
            Self::Normal { mean, sd } => mean + sd * standard_normal(rng),
            Self::TruncatedNormal {
                mean,
                sd,
                lower,
                upper,
            } => truncated_normal_quantile(*mean, *sd, *lower, *upper, uniform_open01(rng)),
            Self::LogNormal { meanlog, sdlog } => libm::exp(meanlog + sdlog * standard_normal(rng)),
            Self::Beta { alpha, beta } => sample_beta(*alpha, *beta, rng),
            Self::Gamma { shape, scale } => scale * sample_standard_gamma(*shape, rng),
            Self::Uniform { min, max } => {
                clamp_to(min + (max - min) * uniform_open01(rng), *min, *max)
            }
            Self::Triangular { min, mode, max } => {
                triangular_quantile(*min, *mode, *max, uniform_open01(rng))
            }
            Self::Pert {
                min,
                mode,
                max,
                lambda,
            } => {
                let (a, b) = pert_shapes(*min, *mode, *max, *lambda);
                clamp_to(min + (max - min) * sample_beta(a, b, rng), *min, *max)
            }
            Self::Empirical { values } => {
                if values.is_empty() {
                    f64::NAN
                } else {
                    values[bounded_index(rng, values.len())]
                }
            }
        }
    }

    /// The inverse CDF at `p` in `(0, 1)`, used by the Gaussian copula. `p <= 0` gives the lower
    /// end of the support, `p >= 1` the upper end, NaN gives NaN.
    ///
    /// - Closed forms: fixed, normal (via [`normal_quantile`]), log-normal, uniform, triangular,
    ///   and truncated normal (via [`normal_cdf`] and [`normal_quantile`], on the tail nearer the
    ///   interval so that far-tail intervals keep their digits).
    /// - Empirical: the value at index `floor(p n)` (capped at `n - 1`) of the values sorted
    ///   ascending: `(0, 1)` is cut into `n` equal cells and cell `i` maps to the `i`-th
    ///   smallest value, so every value keeps its probability `1 / n`.
    /// - Beta, gamma and PERT use [`statrs`]: a safeguarded Newton iteration (falling back to
    ///   bisection) on statrs's CDF, or on its survival function for `p > 0.5`, solves to about
    ///   1e-13 relative in probability (or to the nearest few doubles where the quantile sits
    ///   closer to 0 or 1 than a double can resolve). statrs's own `inverse_cdf` is not used: for
    ///   shapes below one it is off by orders of magnitude in the tails. For large shapes (gamma shape above 1000, beta
    ///   with both shapes at least 20 and summing above 1e4) statrs's incomplete functions are
    ///   slow or lose digits, so the CDF is instead integrated numerically (Gauss–Legendre on the
    ///   density written relative to its mode). A beta with one shape below 20 and a very large
    ///   sum (above about 1e6) inherits statrs's error there, about 1e-8 in probability.
    pub fn quantile(&self, p: f64) -> f64 {
        if p.is_nan() {
            return f64::NAN;
        }
        if p <= 0.0 {
            return self.support().0;
        }
        if p >= 1.0 {
            return self.support().1;
        }
        match self {
            Self::Fixed { value } => *value,
            Self::Normal { mean, sd } => mean + sd * normal_quantile(p),
            Self::TruncatedNormal {
                mean,
                sd,
                lower,
                upper,
            } => truncated_normal_quantile(*mean, *sd, *lower, *upper, p),
            Self::LogNormal { meanlog, sdlog } => libm::exp(meanlog + sdlog * normal_quantile(p)),
            Self::Beta { alpha, beta } => beta_quantile(*alpha, *beta, p),
            Self::Gamma { shape, scale } => scale * gamma_quantile(*shape, p),
            Self::Uniform { min, max } => clamp_to(min + (max - min) * p, *min, *max),
            Self::Triangular { min, mode, max } => triangular_quantile(*min, *mode, *max, p),
            Self::Pert {
                min,
                mode,
                max,
                lambda,
            } => {
                let (a, b) = pert_shapes(*min, *mode, *max, *lambda);
                clamp_to(min + (max - min) * beta_quantile(a, b, p), *min, *max)
            }
            Self::Empirical { values } => empirical_quantile(values, p),
        }
    }

    /// The mean (analytic). May be infinite where the true mean overflows `f64`.
    pub fn mean(&self) -> f64 {
        match self {
            Self::Fixed { value } => *value,
            Self::Normal { mean, .. } => *mean,
            Self::TruncatedNormal {
                mean,
                sd,
                lower,
                upper,
            } => truncated_normal_moments(*mean, *sd, *lower, *upper).0,
            Self::LogNormal { meanlog, sdlog } => libm::exp(meanlog + 0.5 * sdlog * sdlog),
            Self::Beta { alpha, beta } => alpha / (alpha + beta),
            Self::Gamma { shape, scale } => shape * scale,
            Self::Uniform { min, max } => min + 0.5 * (max - min),
            Self::Triangular { min, mode, max } => min + ((mode - min) + (max - min)) / 3.0,
            Self::Pert {
                min,
                mode,
                max,
                lambda,
            } => {
                let (a, b) = pert_shapes(*min, *mode, *max, *lambda);
                min + (max - min) * (a / (a + b))
            }
            Self::Empirical { values } => values.iter().sum::<f64>() / values.len() as f64,
        }
    }

    /// The variance (analytic; population variance for `Empirical`).
    pub fn variance(&self) -> f64 {
        match self {
            Self::Fixed { .. } => 0.0,
            Self::Normal { sd, .. } => sd * sd,
            Self::TruncatedNormal {
                mean,
                sd,
                lower,
                upper,
            } => truncated_normal_moments(*mean, *sd, *lower, *upper).1,
            Self::LogNormal { meanlog, sdlog } => {
                let s2 = sdlog * sdlog;
                libm::expm1(s2) * libm::exp(2.0 * meanlog + s2)
            }
            Self::Beta { alpha, beta } => beta_variance(*alpha, *beta),
            Self::Gamma { shape, scale } => shape * scale * scale,
            Self::Uniform { min, max } => {
                let range = max - min;
                range * range / 12.0
            }
            Self::Triangular { min, mode, max } => {
                // Written relative to `min` so that large offsets do not cancel.
                let range = max - min;
                let left = mode - min;
                (range * range - range * left + left * left) / 18.0
            }
            Self::Pert {
                min,
                mode,
                max,
                lambda,
            } => {
                let (a, b) = pert_shapes(*min, *mode, *max, *lambda);
                let range = max - min;
                range * range * beta_variance(a, b)
            }
            Self::Empirical { values } => {
                let n = values.len() as f64;
                let mean = values.iter().sum::<f64>() / n;
                values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n
            }
        }
    }

    /// The closed range `(lowest, highest)` the distribution can take; infinite ends for the
    /// normal, and `(0, inf)`, `(0, 1)` for the log-normal, gamma and beta.
    pub fn support(&self) -> (f64, f64) {
        match self {
            Self::Fixed { value } => (*value, *value),
            Self::Normal { .. } => (f64::NEG_INFINITY, f64::INFINITY),
            Self::TruncatedNormal { lower, upper, .. } => (*lower, *upper),
            Self::LogNormal { .. } | Self::Gamma { .. } => (0.0, f64::INFINITY),
            Self::Beta { .. } => (0.0, 1.0),
            Self::Uniform { min, max }
            | Self::Triangular { min, max, .. }
            | Self::Pert { min, max, .. } => (*min, *max),
            Self::Empirical { values } => {
                if values.is_empty() {
                    (f64::NAN, f64::NAN)
                } else {
                    values
                        .iter()
                        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                            (lo.min(v), hi.max(v))
                        })
                }
            }
        }
    }
}

fn triangular_quantile(min: f64, mode: f64, max: f64, p: f64) -> f64 {
    let range = max - min;
    // Fractions of the range rather than products of lengths, so wide ranges cannot overflow.
    let left = (mode - min) / range;
    let x = if p < left {
        min + range * libm::sqrt(p * left)
    } else {
        max - range * libm::sqrt((1.0 - p) * ((max - mode) / range))
    };
    clamp_to(x, min, max)
}

fn empirical_quantile(values: &[f64], p: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let index = (libm::floor(p * values.len() as f64) as usize).min(values.len() - 1);
    if values.is_sorted() {
        values[index]
    } else {
        // Only a hand-built variant gets here; the constructor sorts.
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        sorted[index]
    }
}
