//! Drawing parameter values for the probabilistic analysis.
//!
//! Reproducibility rests on one rule: the random numbers of draw `i` come from streams derived
//! from `(seed, i)` alone, so a draw's values never depend on which thread evaluates it or how
//! draws are grouped. Each parameter (and each Dirichlet or correlated group) has a stream of its
//! own, keyed by its name as well, so adding, removing or reordering parameters in a scenario
//! leaves every other parameter's draws unchanged. That also gives two scenarios that share
//! parameter names *common random numbers*: policy comparisons see the effect of the change, not
//! of different luck.
//!
//! Streams are xoshiro256++ generators seeded through SplitMix64 from a hash of the three keys.
//! Correlated parameters go through a Gaussian copula: independent standard normals from the
//! group's stream, multiplied by the Cholesky factor of the correlation matrix, mapped to uniforms
//! with the normal CDF and then through each marginal's quantile function.

use rand_xoshiro::Xoshiro256PlusPlus;
use rand_xoshiro::rand_core::SeedableRng;

use crate::distribution::{Dirichlet, Distribution, normal_cdf, standard_normal};
use crate::scenario::Scenario;

/// SplitMix64's finaliser: a bijective mix of 64 bits.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a of a name: a stable key that does not depend on Rust's hasher.
fn name_key(name: &str) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}

/// The random stream of one named quantity in one draw.
pub fn stream(seed: u64, draw: u64, key: u64) -> Xoshiro256PlusPlus {
    let s = mix64(
        mix64(seed ^ 0x5445_4E42_494E_0001) ^ mix64(draw.wrapping_add(0x9E37_79B9_7F4A_7C15)) ^ key,
    );
    Xoshiro256PlusPlus::seed_from_u64(mix64(s))
}

#[derive(Debug, Clone)]
struct Independent {
    slot: usize,
    distribution: Distribution,
    key: u64,
}

#[derive(Debug, Clone)]
struct DirichletDraw {
    slots: Vec<usize>,
    distribution: Dirichlet,
    key: u64,
}

#[derive(Debug, Clone)]
struct CopulaDraw {
    slots: Vec<usize>,
    marginals: Vec<Distribution>,
    cholesky: Vec<Vec<f64>>,
    key: u64,
}

/// Draws every uncertain parameter of a scenario.
#[derive(Debug, Clone)]
pub struct Sampler {
    fixed: Vec<(usize, f64)>,
    independent: Vec<Independent>,
    dirichlets: Vec<DirichletDraw>,
    copulas: Vec<CopulaDraw>,
}

impl Sampler {
    /// Plans the draws of a scenario's parameters.
    pub fn new(sc: &Scenario) -> Sampler {
        let correlated: Vec<usize> = sc
            .correlations
            .iter()
            .flat_map(|c| c.parameters.iter().copied())
            .collect();
        let mut fixed = Vec::new();
        let mut independent = Vec::new();
        for (slot, p) in sc.parameters.iter().enumerate() {
            if p.dirichlet.is_some() || correlated.contains(&slot) {
                continue;
            }
            match p.distribution {
                Distribution::Fixed { value } => fixed.push((slot, value)),
                ref d => independent.push(Independent {
                    slot,
                    distribution: d.clone(),
                    key: name_key(&p.name),
                }),
            }
        }
        let dirichlets = sc
            .dirichlets
            .iter()
            .map(|g| DirichletDraw {
                slots: g.components.clone(),
                distribution: g.distribution.clone(),
                key: name_key(&format!("dirichlet:{}", g.name)),
            })
            .collect();
        let copulas = sc
            .correlations
            .iter()
            .map(|c| {
                let names: Vec<&str> = c
                    .parameters
                    .iter()
                    .map(|&i| sc.parameters[i].name.as_str())
                    .collect();
                CopulaDraw {
                    slots: c.parameters.clone(),
                    marginals: c
                        .parameters
                        .iter()
                        .map(|&i| sc.parameters[i].distribution.clone())
                        .collect(),
                    cholesky: c.cholesky.clone(),
                    key: name_key(&format!("copula:{}", names.join(","))),
                }
            })
            .collect();
        Sampler {
            fixed,
            independent,
            dirichlets,
            copulas,
        }
    }

    /// Writes draw `draw`'s parameter values into the first slots of `slots`.
    pub fn draw(&self, seed: u64, draw: u64, slots: &mut [f64]) {
        for &(slot, v) in &self.fixed {
            slots[slot] = v;
        }
        for p in &self.independent {
            let mut rng = stream(seed, draw, p.key);
            slots[p.slot] = p.distribution.sample(&mut rng);
        }
        let mut buf = Vec::new();
        for g in &self.dirichlets {
            let mut rng = stream(seed, draw, g.key);
            buf.resize(g.slots.len(), 0.0);
            g.distribution.sample_into(&mut rng, &mut buf);
            for (&slot, &v) in g.slots.iter().zip(&buf) {
                slots[slot] = v;
            }
        }
        for g in &self.copulas {
            let mut rng = stream(seed, draw, g.key);
            let z: Vec<f64> = g.slots.iter().map(|_| standard_normal(&mut rng)).collect();
            for (i, &slot) in g.slots.iter().enumerate() {
                let zi: f64 = g.cholesky[i][..=i].iter().zip(&z).map(|(l, z)| l * z).sum();
                // Keep u strictly inside (0, 1): far tails round to 0 or 1 in double precision.
                let u = normal_cdf(zi).clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON / 2.0);
                slots[slot] = g.marginals[i].quantile(u);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_differ_by_seed_draw_and_key() {
        use rand_xoshiro::rand_core::Rng;
        let a = stream(1, 0, 7).next_u64();
        assert_ne!(a, stream(2, 0, 7).next_u64());
        assert_ne!(a, stream(1, 1, 7).next_u64());
        assert_ne!(a, stream(1, 0, 8).next_u64());
        assert_eq!(a, stream(1, 0, 7).next_u64());
    }

    #[test]
    fn name_key_is_fnv1a() {
        // FNV-1a test vectors.
        assert_eq!(name_key(""), 0xCBF2_9CE4_8422_2325);
        assert_eq!(name_key("a"), 0xAF63_DC4C_8601_EC8C);
    }
}
