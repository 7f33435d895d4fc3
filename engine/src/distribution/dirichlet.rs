//! The Dirichlet distribution: random proportions that sum to one, drawn as normalised gammas.

use rand_xoshiro::rand_core::Rng;

use super::ParamError;
use super::construct::require_positive;
use super::gamma::{sample_log_standard_gamma, sample_standard_gamma};

#[cfg(test)]
mod tests;

/// A Dirichlet distribution: random proportions that sum to one (e.g. the split of a cohort over
/// mutually exclusive outcomes).
#[derive(Debug, Clone, PartialEq)]
pub struct Dirichlet {
    alpha: Vec<f64>,
}

impl Dirichlet {
    /// A Dirichlet with concentration parameters `alpha` (at least 2, each positive and finite).
    ///
    /// # Errors
    ///
    /// A [`ParamError`] naming the offending key when a parameter breaks these rules.
    pub fn new(alpha: Vec<f64>) -> Result<Self, ParamError> {
        if alpha.len() < 2 {
            return Err(ParamError::new(
                "alpha",
                format!(
                    "Dirichlet distribution: alpha needs at least 2 components, got {}",
                    alpha.len()
                ),
            ));
        }
        if let Some((index, bad)) = alpha
            .iter()
            .enumerate()
            .find(|(_, a)| !(a.is_finite() && **a > 0.0))
        {
            return Err(ParamError::new(
                "alpha",
                format!(
                    "Dirichlet distribution: every alpha must be a positive finite number, got {bad} for component {}",
                    index + 1
                ),
            ));
        }
        Ok(Self { alpha })
    }

    /// A Dirichlet with the given component means and concentration (`alpha_i = mean_i *
    /// concentration`, so the concentration is the sum of the alphas). The means must be positive
    /// and sum to 1 within 1e-9.
    ///
    /// # Errors
    ///
    /// A [`ParamError`] naming the offending key when a parameter breaks these rules.
    pub fn from_mean_and_concentration(
        means: &[f64],
        concentration: f64,
    ) -> Result<Self, ParamError> {
        if means.len() < 2 {
            return Err(ParamError::new(
                "means",
                format!(
                    "Dirichlet distribution: means needs at least 2 components, got {}",
                    means.len()
                ),
            ));
        }
        if let Some((index, bad)) = means
            .iter()
            .enumerate()
            .find(|(_, m)| !(m.is_finite() && **m > 0.0))
        {
            return Err(ParamError::new(
                "means",
                format!(
                    "Dirichlet distribution: every mean must be a positive finite number, got {bad} for component {}",
                    index + 1
                ),
            ));
        }
        let sum: f64 = means.iter().sum();
        // An overflowing sum is infinite, which fails this test too.
        if (sum - 1.0).abs() > 1e-9 {
            return Err(ParamError::new(
                "means",
                format!("Dirichlet distribution: means must sum to 1, but they sum to {sum}"),
            ));
        }
        require_positive("Dirichlet", "concentration", concentration)?;
        let alpha: Vec<f64> = means.iter().map(|m| m * concentration).collect();
        if let Some(bad) = alpha.iter().find(|a| !(a.is_finite() && **a > 0.0)) {
            return Err(ParamError::new(
                "concentration",
                format!(
                    "Dirichlet distribution: concentration {concentration} gives alpha {bad}, which cannot be represented"
                ),
            ));
        }
        Ok(Self { alpha })
    }

    /// Draws one vector of proportions into `out` (normalised independent gammas; the entries
    /// sum to 1 up to rounding). Consumes one gamma draw per component, in order (see
    /// [`Distribution::sample`](super::Distribution::sample)).
    ///
    /// # Panics
    ///
    /// If `out.len()` differs from the number of components.
    pub fn sample_into<R: Rng + ?Sized>(&self, rng: &mut R, out: &mut [f64]) {
        assert_eq!(
            out.len(),
            self.alpha.len(),
            "Dirichlet::sample_into: output length must equal the number of components"
        );
        if self.alpha.iter().all(|&a| a >= 1.0) {
            for (slot, &a) in out.iter_mut().zip(&self.alpha) {
                *slot = sample_standard_gamma(a, rng);
            }
        } else {
            // Gammas with shapes far below one underflow to zero; work with their logarithms
            // and scale by the largest before exponentiating.
            for (slot, &a) in out.iter_mut().zip(&self.alpha) {
                *slot = sample_log_standard_gamma(a, rng);
            }
            let largest = out.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if !largest.is_finite() {
                out.fill(1.0);
            } else {
                for slot in out.iter_mut() {
                    *slot = libm::exp(*slot - largest);
                }
            }
        }
        let total: f64 = out.iter().sum();
        for slot in out.iter_mut() {
            *slot /= total;
        }
    }

    /// The mean of each component, `alpha_i / sum(alpha)`.
    pub fn means(&self) -> Vec<f64> {
        let total: f64 = self.alpha.iter().sum();
        self.alpha.iter().map(|a| a / total).collect()
    }

    /// The concentration parameters.
    pub fn alpha(&self) -> &[f64] {
        &self.alpha
    }
}
