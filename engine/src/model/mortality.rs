//! Background mortality integrated over each cycle.
//!
//! The cohort model needs, for cycle k, the all-cause cumulative hazard
//! `M_k = integral of mu(age) over [a_k, a_{k+1}]`; a state with hazard ratio `hr` then keeps
//! `exp(-hr * M_k)` of its members. For a Gompertz law the integral is closed-form. For a life
//! table the annual hazard `-ln(1 - qx)` is constant within each year of age; a cohort mixing
//! men and women is followed through its own survival curve `S = m S_men + (1 - m) S_women`, so
//! `M_k = ln S(a_k) - ln S(a_{k+1})`, which lets the share of men fall with age as it should.

use crate::scenario::{Mortality, Sex};

/// Where a table says everyone dies (qx = 1), the cumulative hazard is infinite; it is capped
/// here so that `exp(-hr * M)` is 0 for any positive hazard ratio and 1 for a ratio of 0,
/// never NaN (`0 * inf`).
const MAX_CYCLE_HAZARD: f64 = 1e6;

/// `M_k` for k = 0..cycles, with cycle length `dt` years from `start_age`.
pub fn integrated_hazards(m: &Mortality, start_age: f64, dt: f64, cycles: usize) -> Vec<f64> {
    raw_hazards(m, start_age, dt, cycles)
        .into_iter()
        .map(|h| {
            if h.is_nan() || h > MAX_CYCLE_HAZARD {
                MAX_CYCLE_HAZARD
            } else {
                h
            }
        })
        .collect()
}

fn raw_hazards(m: &Mortality, start_age: f64, dt: f64, cycles: usize) -> Vec<f64> {
    let age = |k: usize| start_age + k as f64 * dt;
    match m {
        Mortality::Gompertz { a, b } => (0..cycles)
            .map(|k| (a / b) * (libm::exp(b * age(k + 1)) - libm::exp(b * age(k))))
            .collect(),
        Mortality::LifeTable {
            first_age,
            male_qx,
            female_qx,
            sex,
            ..
        } => {
            let male = CumulativeHazard::new(*first_age, male_qx);
            let female = CumulativeHazard::new(*first_age, female_qx);
            match sex {
                Sex::Male => (0..cycles)
                    .map(|k| male.at(age(k + 1)) - male.at(age(k)))
                    .collect(),
                Sex::Female => (0..cycles)
                    .map(|k| female.at(age(k + 1)) - female.at(age(k)))
                    .collect(),
                Sex::Mixed { male_share } => {
                    // Survival from the start age, mixed; conditional on being alive at start_age.
                    let s = |a: f64| {
                        male_share * libm::exp(-(male.at(a) - male.at(start_age)))
                            + (1.0 - male_share) * libm::exp(-(female.at(a) - female.at(start_age)))
                    };
                    (0..cycles)
                        .map(|k| {
                            let (s0, s1) = (s(age(k)), s(age(k + 1)));
                            if s1 > 0.0 {
                                libm::log(s0) - libm::log(s1)
                            } else {
                                f64::INFINITY
                            }
                        })
                        .collect()
                }
            }
        }
    }
}

/// Cumulative hazard from the table's first age, piecewise linear between integer ages.
struct CumulativeHazard {
    first_age: f64,
    /// Hazard per year in each year of age; the last is used beyond the table.
    hazard: Vec<f64>,
    /// Cumulative hazard at each integer age from the first.
    cumulative: Vec<f64>,
}

impl CumulativeHazard {
    fn new(first_age: u32, qx: &[f64]) -> Self {
        let hazard: Vec<f64> = qx
            .iter()
            .map(|&q| {
                if q >= 1.0 {
                    f64::INFINITY
                } else {
                    -libm::log1p(-q)
                }
            })
            .collect();
        let mut cumulative = Vec::with_capacity(hazard.len() + 1);
        let mut acc = 0.0;
        cumulative.push(0.0);
        for h in &hazard {
            acc += h;
            cumulative.push(acc);
        }
        CumulativeHazard {
            first_age: f64::from(first_age),
            hazard,
            cumulative,
        }
    }

    fn at(&self, age: f64) -> f64 {
        let x = (age - self.first_age).max(0.0);
        let n = self.hazard.len();
        let i = (x.floor() as usize).min(n - 1);
        let frac = x - i as f64;
        if frac == 0.0 {
            // Exactly on an integer age: avoid inf * 0 past a qx = 1 row.
            return self.cumulative[i];
        }
        self.cumulative[i] + self.hazard[i] * frac
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gompertz_matches_closed_form() {
        let m = Mortality::Gompertz {
            a: 2.0e-5,
            b: 0.095,
        };
        let h = integrated_hazards(&m, 30.0, 1.0 / 12.0, 24);
        let total: f64 = h.iter().sum();
        let want = (2.0e-5 / 0.095) * ((0.095f64 * 32.0).exp() - (0.095f64 * 30.0).exp());
        assert!(
            (total - want).abs() < 1e-15 * want.max(1.0) * 100.0,
            "{total} vs {want}"
        );
    }

    #[test]
    fn life_table_year_sums_to_minus_log_survival() {
        let qx = vec![0.01, 0.02, 0.5, 1.0];
        let m = Mortality::LifeTable {
            file: "t.csv".into(),
            first_age: 60,
            male_qx: qx.clone(),
            female_qx: qx,
            sex: Sex::Male,
        };
        // Two years from age 60 in monthly cycles: survival (1 - 0.01)(1 - 0.02).
        let h = integrated_hazards(&m, 60.0, 1.0 / 12.0, 24);
        let total: f64 = h.iter().sum();
        let want = -(0.99f64 * 0.98).ln();
        assert!((total - want).abs() < 1e-13, "{total} vs {want}");
        // Past the qx = 1 row nobody survives, and nothing becomes NaN.
        let h = integrated_hazards(&m, 60.0, 1.0, 6);
        assert_eq!(h[3..], [MAX_CYCLE_HAZARD; 3]);
    }

    #[test]
    fn mixed_cohort_follows_the_mixed_survival_curve() {
        let m = Mortality::LifeTable {
            file: "t.csv".into(),
            first_age: 0,
            male_qx: vec![0.5, 0.5, 0.5],
            female_qx: vec![0.1, 0.1, 0.1],
            sex: Sex::Mixed { male_share: 0.5 },
        };
        let h = integrated_hazards(&m, 0.0, 1.0, 2);
        // S(1) = 0.5 * 0.5 + 0.5 * 0.9 = 0.7; S(2) = 0.5 * 0.25 + 0.5 * 0.81 = 0.53.
        assert!((h[0] - -(0.7f64).ln()).abs() < 1e-14);
        assert!((h[1] - (0.7f64 / 0.53).ln()).abs() < 1e-14);
    }
}
