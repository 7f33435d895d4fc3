//! The constructors of [`Distribution`]: they check every parameter with a message an analyst can
//! act on ([`ParamError`] names the scenario key at fault) and convert a mean and standard
//! deviation into native parameters by the method of moments. Kept apart from the evaluation in
//! `mod.rs` because the checks and their messages are most of the code.

use super::truncated_normal::TruncationFrame;
use super::{Distribution, ParamError};

#[cfg(test)]
mod tests;

/// Appended wherever an analyst gave a spread of zero, which only [`Distribution::Fixed`] allows.
const KNOWN_VALUE_HINT: &str = " (use a fixed distribution for a known value)";

/// The smallest probability a truncated normal's interval may hold. Below it the interval is a
/// numerical accident rather than a modelling choice, and inverting the CDF would lose all digits.
const MIN_TRUNCATED_MASS: f64 = 1e-12;

fn require_finite(dist: &str, field: &'static str, x: f64) -> Result<(), ParamError> {
    if x.is_finite() {
        Ok(())
    } else {
        Err(ParamError::new(
            field,
            format!("{dist} distribution: {field} must be a finite number, got {x}"),
        ))
    }
}

pub(super) fn require_positive(dist: &str, field: &'static str, x: f64) -> Result<(), ParamError> {
    require_finite(dist, field, x)?;
    if x > 0.0 {
        Ok(())
    } else {
        Err(ParamError::new(
            field,
            format!("{dist} distribution: {field} must be positive, got {x}"),
        ))
    }
}

/// Like [`require_positive`], for a spread (sd, sdlog): a zero gets the hint to use `Fixed`.
fn require_spread(dist: &str, field: &'static str, x: f64) -> Result<(), ParamError> {
    require_finite(dist, field, x)?;
    if x > 0.0 {
        Ok(())
    } else {
        let hint = if x == 0.0 { KNOWN_VALUE_HINT } else { "" };
        Err(ParamError::new(
            field,
            format!("{dist} distribution: {field} must be positive, got {x}{hint}"),
        ))
    }
}

/// Checks `min < max` with a representable range; shared by uniform, triangular and PERT.
fn require_range(dist: &str, min: f64, max: f64) -> Result<(), ParamError> {
    require_finite(dist, "min", min)?;
    require_finite(dist, "max", max)?;
    // Both are finite here, so this is the negation of min < max.
    if min >= max {
        let hint = if min == max { KNOWN_VALUE_HINT } else { "" };
        return Err(ParamError::new(
            "max",
            format!(
                "{dist} distribution: min must be below max, got min {min} and max {max}{hint}"
            ),
        ));
    }
    if !(max - min).is_finite() {
        return Err(ParamError::new(
            "max",
            format!(
                "{dist} distribution: the range from min {min} to max {max} is too wide to represent"
            ),
        ));
    }
    Ok(())
}

fn require_mode(dist: &str, min: f64, mode: f64, max: f64) -> Result<(), ParamError> {
    require_finite(dist, "mode", mode)?;
    if min <= mode && mode <= max {
        Ok(())
    } else {
        Err(ParamError::new(
            "mode",
            format!(
                "{dist} distribution: mode must lie between min and max, got mode {mode} with min {min} and max {max}"
            ),
        ))
    }
}

/// Beta shapes with the given mean and sd, if they exist and are representable.
fn beta_shapes_from_moments(mean: f64, sd: f64) -> Option<(f64, f64)> {
    let variance = sd * sd;
    let limit = mean * (1.0 - mean);
    let common = limit / variance - 1.0;
    let (alpha, beta) = (mean * common, (1.0 - mean) * common);
    let usable = |x: f64| x > 0.0 && x.is_finite();
    (sd > 0.0 && variance < limit && usable(alpha) && usable(beta)).then_some((alpha, beta))
}

/// The largest sd with at most three significant digits that is admissible for a beta with
/// this mean, as text. Rounding down (not to nearest) means an analyst who types the stated
/// number back in gets a valid distribution.
fn beta_sd_bound_text(mean: f64) -> String {
    let bound = libm::sqrt(mean * (1.0 - mean));
    if !(bound > 0.0 && bound.is_finite()) {
        return format!("{bound}");
    }
    // digits * 10^(exponent - 2) with 100 <= digits <= 999 brackets the bound from below.
    let mut exponent = libm::floor(libm::log10(bound)) as i32;
    let mut digits = 0_i64;
    for _ in 0..4 {
        digits = libm::floor(bound * libm::pow(10.0, f64::from(2 - exponent))) as i64;
        if digits >= 1000 {
            exponent += 1;
        } else if digits < 100 {
            exponent -= 1;
        } else {
            break;
        }
    }
    // Decimal-to-binary conversion can land a hair above the bound; step down until the value
    // really passes the same test the constructor applies.
    while digits > 0 {
        let candidate: f64 = format!("{digits}e{}", exponent - 2).parse().unwrap_or(0.0);
        if beta_shapes_from_moments(mean, candidate).is_some() {
            return format!("{candidate}");
        }
        digits -= 1;
    }
    format!("{bound}")
}

impl Distribution {
    /// A known value, which must be finite.
    ///
    /// # Errors
    ///
    /// A [`ParamError`] naming the offending key when a parameter breaks these rules.
    pub fn fixed(value: f64) -> Result<Self, ParamError> {
        require_finite("fixed", "value", value)?;
        Ok(Self::Fixed { value })
    }

    /// Normal distribution with the given mean and standard deviation (`sd > 0`).
    ///
    /// # Errors
    ///
    /// A [`ParamError`] naming the offending key when a parameter breaks these rules.
    pub fn normal(mean: f64, sd: f64) -> Result<Self, ParamError> {
        require_finite("normal", "mean", mean)?;
        require_spread("normal", "sd", sd)?;
        Ok(Self::Normal { mean, sd })
    }

    /// Normal distribution with mean `mean` and sd `sd` (of the untruncated normal) restricted to
    /// `[lower, upper]`. `lower` may be `-inf` and `upper` `+inf`; `lower < upper`, and the
    /// interval must hold at least 1e-12 of the normal's probability.
    ///
    /// # Errors
    ///
    /// A [`ParamError`] naming the offending key when a parameter breaks these rules.
    pub fn truncated_normal(
        mean: f64,
        sd: f64,
        lower: f64,
        upper: f64,
    ) -> Result<Self, ParamError> {
        const DIST: &str = "truncated normal";
        require_finite(DIST, "mean", mean)?;
        require_spread(DIST, "sd", sd)?;
        if lower.is_nan() || lower == f64::INFINITY {
            return Err(ParamError::new(
                "lower",
                format!("{DIST} distribution: lower must be a number or -inf, got {lower}"),
            ));
        }
        if upper.is_nan() || upper == f64::NEG_INFINITY {
            return Err(ParamError::new(
                "upper",
                format!("{DIST} distribution: upper must be a number or inf, got {upper}"),
            ));
        }
        // Neither is NaN here, so this is the negation of lower < upper.
        if lower >= upper {
            return Err(ParamError::new(
                "upper",
                format!(
                    "{DIST} distribution: lower must be below upper, got lower {lower} and upper {upper}"
                ),
            ));
        }
        let frame = TruncationFrame::new(mean, sd, lower, upper);
        let mass = frame.mass();
        if mass.is_nan() || mass < MIN_TRUNCATED_MASS {
            // Blame the bound on the far side of the mean: that is the one to move.
            let field = if frame.flipped { "lower" } else { "upper" };
            return Err(ParamError::new(
                field,
                format!(
                    "{DIST} distribution: the interval from {lower} to {upper} holds only {mass:.3e} of the probability of a normal with mean {mean} and sd {sd}; it needs at least 1e-12"
                ),
            ));
        }
        Ok(Self::TruncatedNormal {
            mean,
            sd,
            lower,
            upper,
        })
    }

    /// Log-normal distribution: `exp(N(meanlog, sdlog^2))`, `sdlog > 0`.
    ///
    /// # Errors
    ///
    /// A [`ParamError`] naming the offending key when a parameter breaks these rules.
    pub fn lognormal(meanlog: f64, sdlog: f64) -> Result<Self, ParamError> {
        require_finite("lognormal", "meanlog", meanlog)?;
        require_spread("lognormal", "sdlog", sdlog)?;
        Ok(Self::LogNormal { meanlog, sdlog })
    }

    /// Log-normal distribution with the given mean (`> 0`) and sd of the value itself (not of
    /// its logarithm): `sdlog^2 = ln(1 + sd^2 / mean^2)`, `meanlog = ln(mean) - sdlog^2 / 2`.
    ///
    /// # Errors
    ///
    /// A [`ParamError`] naming the offending key when a parameter breaks these rules.
    pub fn lognormal_from_mean_sd(mean: f64, sd: f64) -> Result<Self, ParamError> {
        const DIST: &str = "lognormal";
        require_positive(DIST, "mean", mean)?;
        require_spread(DIST, "sd", sd)?;
        let cv = sd / mean;
        // log1p keeps the digits when sd is small relative to the mean.
        let variance_log = libm::log1p(cv * cv);
        if variance_log <= 0.0 {
            return Err(ParamError::new(
                "sd",
                format!(
                    "{DIST} distribution: sd {sd} is too small relative to mean {mean} to represent{KNOWN_VALUE_HINT}"
                ),
            ));
        }
        if !variance_log.is_finite() {
            return Err(ParamError::new(
                "sd",
                format!(
                    "{DIST} distribution: sd {sd} is too large relative to mean {mean} to represent"
                ),
            ));
        }
        let sdlog = libm::sqrt(variance_log);
        let meanlog = libm::log(mean) - 0.5 * variance_log;
        Self::lognormal(meanlog, sdlog)
    }

    /// Beta distribution with shapes `alpha > 0` and `beta > 0`.
    ///
    /// # Errors
    ///
    /// A [`ParamError`] naming the offending key when a parameter breaks these rules.
    pub fn beta(alpha: f64, beta: f64) -> Result<Self, ParamError> {
        require_positive("beta", "alpha", alpha)?;
        require_positive("beta", "beta", beta)?;
        Ok(Self::Beta { alpha, beta })
    }

    /// Beta distribution with the given mean and sd (method of moments). Needs
    /// `0 < mean < 1` and `0 < sd < sqrt(mean (1 - mean))`; then
    /// `alpha = mean c`, `beta = (1 - mean) c` with `c = mean (1 - mean) / sd^2 - 1`.
    ///
    /// An impossible pair is reported with the largest admissible sd, rounded down to three
    /// significant digits, e.g.
    /// `beta distribution: mean 0.95 with sd 0.3 is impossible (sd must be below 0.217)`.
    ///
    /// # Errors
    ///
    /// A [`ParamError`] naming the offending key when a parameter breaks these rules.
    pub fn beta_from_mean_sd(mean: f64, sd: f64) -> Result<Self, ParamError> {
        const DIST: &str = "beta";
        if !(mean > 0.0 && mean < 1.0) {
            return Err(ParamError::new(
                "mean",
                format!("{DIST} distribution: mean must lie strictly between 0 and 1, got {mean}"),
            ));
        }
        require_spread(DIST, "sd", sd)?;
        let variance = sd * sd;
        let limit = mean * (1.0 - mean);
        let common = limit / variance - 1.0;
        if !(variance < limit && common > 0.0) {
            let bound = beta_sd_bound_text(mean);
            return Err(ParamError::new(
                "sd",
                format!(
                    "{DIST} distribution: mean {mean} with sd {sd} is impossible (sd must be below {bound})"
                ),
            ));
        }
        let (alpha, beta) = (mean * common, (1.0 - mean) * common);
        if !(alpha.is_finite() && beta.is_finite()) {
            return Err(ParamError::new(
                "sd",
                format!(
                    "{DIST} distribution: sd {sd} is too small for mean {mean} to represent{KNOWN_VALUE_HINT}"
                ),
            ));
        }
        if !(alpha > 0.0 && beta > 0.0) {
            return Err(ParamError::new(
                "mean",
                format!(
                    "{DIST} distribution: mean {mean} with sd {sd} gives shapes alpha {alpha} and beta {beta}, which are too small to represent"
                ),
            ));
        }
        Self::beta(alpha, beta)
    }

    /// Gamma distribution with `shape > 0` and `scale > 0` (mean `shape * scale`).
    ///
    /// # Errors
    ///
    /// A [`ParamError`] naming the offending key when a parameter breaks these rules.
    pub fn gamma(shape: f64, scale: f64) -> Result<Self, ParamError> {
        require_positive("gamma", "shape", shape)?;
        require_positive("gamma", "scale", scale)?;
        Ok(Self::Gamma { shape, scale })
    }

    /// Gamma distribution with the given mean (`> 0`) and sd (`> 0`) by the method of moments:
    /// `shape = (mean / sd)^2`, `scale = sd^2 / mean`.
    ///
    /// # Errors
    ///
    /// A [`ParamError`] naming the offending key when a parameter breaks these rules.
    pub fn gamma_from_mean_sd(mean: f64, sd: f64) -> Result<Self, ParamError> {
        const DIST: &str = "gamma";
        require_positive(DIST, "mean", mean)?;
        require_spread(DIST, "sd", sd)?;
        // Written through the ratio so that neither sd^2 nor mean^2 can overflow on its own.
        let ratio = mean / sd;
        let shape = ratio * ratio;
        let scale = sd / ratio;
        let usable = |x: f64| x > 0.0 && x.is_finite();
        if !(usable(shape) && usable(scale)) {
            return Err(ParamError::new(
                "sd",
                format!(
                    "{DIST} distribution: mean {mean} with sd {sd} gives shape {shape} and scale {scale}, which cannot be represented"
                ),
            ));
        }
        Self::gamma(shape, scale)
    }

    /// Continuous uniform distribution on `[min, max]`, `min < max`.
    ///
    /// # Errors
    ///
    /// A [`ParamError`] naming the offending key when a parameter breaks these rules.
    pub fn uniform(min: f64, max: f64) -> Result<Self, ParamError> {
        require_range("uniform", min, max)?;
        Ok(Self::Uniform { min, max })
    }

    /// Triangular distribution with `min <= mode <= max` and `min < max`.
    ///
    /// # Errors
    ///
    /// A [`ParamError`] naming the offending key when a parameter breaks these rules.
    pub fn triangular(min: f64, mode: f64, max: f64) -> Result<Self, ParamError> {
        require_range("triangular", min, max)?;
        require_mode("triangular", min, mode, max)?;
        Ok(Self::Triangular { min, mode, max })
    }

    /// PERT distribution with `min <= mode <= max`, `min < max` and `lambda > 0`
    /// (`lambda = 4` is the classic PERT).
    ///
    /// # Errors
    ///
    /// A [`ParamError`] naming the offending key when a parameter breaks these rules.
    pub fn pert(min: f64, mode: f64, max: f64, lambda: f64) -> Result<Self, ParamError> {
        require_range("PERT", min, max)?;
        require_mode("PERT", min, mode, max)?;
        require_positive("PERT", "lambda", lambda)?;
        Ok(Self::Pert {
            min,
            mode,
            max,
            lambda,
        })
    }

    /// Empirical distribution: each of `values` (non-empty, all finite) is drawn with equal
    /// probability. The values are stored sorted ascending, which changes nothing about the
    /// distribution and lets [`Distribution::quantile`] index them directly.
    ///
    /// # Errors
    ///
    /// A [`ParamError`] naming the offending key when a parameter breaks these rules.
    pub fn empirical(mut values: Vec<f64>) -> Result<Self, ParamError> {
        if values.is_empty() {
            return Err(ParamError::new(
                "values",
                "empirical distribution: values must not be empty".to_string(),
            ));
        }
        let count = values.len();
        if let Some((index, bad)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(ParamError::new(
                "values",
                format!(
                    "empirical distribution: values must all be finite numbers, but value {} of {count} is {bad}",
                    index + 1
                ),
            ));
        }
        values.sort_by(f64::total_cmp);
        Ok(Self::Empirical { values })
    }
}
