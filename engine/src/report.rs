//! The results of a run as a stable, documented structure (serialised to `summary.json`).
//!
//! Keys are part of Tenbin's interface: the site, the calculator and analysts' scripts read
//! them. Add keys freely; rename or remove one only with a major version. The schema is
//! documented in `docs/output-schema.md`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::Outcome;
use crate::run::{Evaluation, Psa};
use crate::scenario::{Bilingual, Scenario, Settings};
use crate::summary::{Summary, summarise_in_place};

/// The Tenbin version that produced a result.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Identity of the scenario a result comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioInfo {
    /// Scenario id.
    pub id: String,
    /// Title.
    pub title: Bilingual,
    /// File it was read from.
    pub file: String,
    /// SHA-256 of the scenario and the files it reads.
    pub sha256: String,
    /// Arm whose price is solved for.
    pub intervention: String,
    /// Comparator arm.
    pub comparator: String,
}

/// Incremental results, intervention minus comparator.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Incremental {
    /// Difference in discounted QALYs.
    pub qalys: f64,
    /// Difference in discounted costs, excluding the price.
    pub costs: f64,
    /// Difference in undiscounted life years.
    pub life_years: f64,
}

/// The deterministic base case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaseCaseReport {
    /// Per arm.
    pub arms: BTreeMap<String, Outcome>,
    /// Intervention minus comparator.
    pub incremental: Incremental,
}

/// One arm's PSA summaries.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArmSummary {
    /// Discounted QALYs.
    pub qalys: Summary,
    /// Discounted costs excluding the price.
    pub costs: Summary,
    /// Undiscounted life years.
    pub life_years: Summary,
}

/// Summaries of the incremental results over draws.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncrementalSummary {
    /// Difference in discounted QALYs.
    pub qalys: Summary,
    /// Difference in discounted costs excluding the price.
    pub costs: Summary,
    /// Difference in undiscounted life years.
    pub life_years: Summary,
}

/// The probabilistic analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PsaReport {
    /// Number of draws.
    pub draws: usize,
    /// Per arm.
    pub arms: BTreeMap<String, ArmSummary>,
    /// Intervention minus comparator.
    pub incremental: IncrementalSummary,
}

/// The value-based threshold price at one willingness to pay: `P*(w) = w * dQALY - dCost`,
/// the most that could be paid once, up front, for the intervention while its ICER stays at
/// or below `w`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThresholdPrice {
    /// Willingness to pay, yen per QALY.
    pub wtp: f64,
    /// At the base case.
    pub base_case: f64,
    /// Mean over draws (absent without a PSA, as are the other PSA fields).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    /// Monte Carlo standard error of the mean.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mcse: Option<f64>,
    /// Standard deviation over draws.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sd: Option<f64>,
    /// 2.5% quantile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p2_5: Option<f64>,
    /// Median.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p50: Option<f64>,
    /// 97.5% quantile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p97_5: Option<f64>,
    /// Share of draws with a positive threshold price.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probability_positive: Option<f64>,
}

/// Mean occupancy by year, per arm and state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OccupancyReport {
    /// Years 0, 1, ..., horizon.
    pub years: Vec<u32>,
    /// Arm -> state -> share of the cohort at each year (base case).
    pub base_case: BTreeMap<String, BTreeMap<String, Vec<f64>>>,
    /// Arm -> state -> mean share over draws (absent without a PSA).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub psa_mean: Option<BTreeMap<String, BTreeMap<String, Vec<f64>>>>,
}

/// Everything `summary.json` holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Tenbin version.
    pub tenbin_version: String,
    /// Scenario identity and hash.
    pub scenario: ScenarioInfo,
    /// Settings used.
    pub settings: Settings,
    /// Seed of the PSA (absent without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Number of PSA draws (0 without a PSA).
    pub draws: usize,
    /// Deterministic base case.
    pub base_case: BaseCaseReport,
    /// Probabilistic analysis.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub psa: Option<PsaReport>,
    /// Threshold prices, one per willingness to pay in the settings.
    pub threshold_price: Vec<ThresholdPrice>,
    /// State occupancy over time.
    pub occupancy: OccupancyReport,
}

/// One quantity of an outcome.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Field {
    Qalys,
    Costs,
    LifeYears,
}

impl Field {
    fn of(self, o: &Outcome) -> f64 {
        match self {
            Field::Qalys => o.qalys,
            Field::Costs => o.costs,
            Field::LifeYears => o.life_years,
        }
    }
}

/// A per-draw quantity that the report summarises.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Measure {
    /// One arm's value.
    Arm(usize, Field),
    /// Intervention minus comparator.
    Incremental(Field),
    /// `w * dQALY - dCost` at willingness to pay `w`.
    ThresholdPrice(f64),
}

impl Measure {
    /// The quantity for every draw, in draw order.
    fn values(self, p: &Psa, i: usize, c: usize) -> Vec<f64> {
        let draws = p.outcomes.chunks(p.arms);
        match self {
            Measure::Arm(a, f) => p.arm_values(a, |o| f.of(o)),
            Measure::Incremental(f) => draws.map(|d| f.of(&d[i]) - f.of(&d[c])).collect(),
            Measure::ThresholdPrice(w) => draws
                .map(|d| w * (d[i].qalys - d[c].qalys) - (d[i].costs - d[c].costs))
                .collect(),
        }
    }
}

fn by_arm_state(
    sc: &Scenario,
    values: &[f64],
    points: usize,
) -> BTreeMap<String, BTreeMap<String, Vec<f64>>> {
    let states = sc.states.len();
    sc.arms
        .iter()
        .enumerate()
        .map(|(a, arm)| {
            let per_state = sc
                .states
                .iter()
                .enumerate()
                .map(|(s, st)| {
                    let start = (a * states + s) * points;
                    (st.id.clone(), values[start..start + points].to_vec())
                })
                .collect();
            (arm.id.clone(), per_state)
        })
        .collect()
}

impl Report {
    /// Builds the report from a base case and, optionally, a PSA of the same scenario.
    pub fn new(sc: &Scenario, base: &Evaluation, psa: Option<&Psa>) -> Report {
        let (i, c) = (sc.intervention, sc.comparator);
        let base_inc = Incremental {
            qalys: base.arms[i].qalys - base.arms[c].qalys,
            costs: base.arms[i].costs - base.arms[c].costs,
            life_years: base.arms[i].life_years - base.arms[c].life_years,
        };
        let base_case = BaseCaseReport {
            arms: sc
                .arms
                .iter()
                .zip(&base.arms)
                .map(|(a, o)| (a.id.clone(), *o))
                .collect(),
            incremental: base_inc,
        };
        let points = sc.settings.horizon_years as usize + 1;
        // Every PSA summary, computed in parallel: each is a pass over all draws.
        let measures: Vec<Measure> = (0..sc.arms.len())
            .flat_map(|a| {
                [
                    Measure::Arm(a, Field::Qalys),
                    Measure::Arm(a, Field::Costs),
                    Measure::Arm(a, Field::LifeYears),
                ]
            })
            .chain([Field::Qalys, Field::Costs, Field::LifeYears].map(Measure::Incremental))
            .chain(sc.settings.wtp.iter().map(|&w| Measure::ThresholdPrice(w)))
            .collect();
        let summaries: Option<Vec<(Summary, f64)>> = psa.map(|p| {
            let one = |m: &Measure| {
                let mut v = m.values(p, i, c);
                let positive = v.iter().filter(|&&x| x > 0.0).count() as f64 / v.len() as f64;
                (summarise_in_place(&mut v), positive)
            };
            #[cfg(feature = "parallel")]
            {
                use rayon::prelude::*;
                measures.par_iter().map(one).collect()
            }
            #[cfg(not(feature = "parallel"))]
            {
                measures.iter().map(one).collect()
            }
        });
        let find = |m: Measure| -> Option<(Summary, f64)> {
            let k = measures.iter().position(|x| *x == m)?;
            summaries.as_ref().map(|s| s[k])
        };
        let summary_of = |m: Measure| find(m).map(|s| s.0).expect("measured");
        let psa_report = psa.map(|p| PsaReport {
            draws: p.draws,
            arms: sc
                .arms
                .iter()
                .enumerate()
                .map(|(a, arm)| {
                    (
                        arm.id.clone(),
                        ArmSummary {
                            qalys: summary_of(Measure::Arm(a, Field::Qalys)),
                            costs: summary_of(Measure::Arm(a, Field::Costs)),
                            life_years: summary_of(Measure::Arm(a, Field::LifeYears)),
                        },
                    )
                })
                .collect(),
            incremental: IncrementalSummary {
                qalys: summary_of(Measure::Incremental(Field::Qalys)),
                costs: summary_of(Measure::Incremental(Field::Costs)),
                life_years: summary_of(Measure::Incremental(Field::LifeYears)),
            },
        });
        let threshold_price = sc
            .settings
            .wtp
            .iter()
            .map(|&w| {
                let s = find(Measure::ThresholdPrice(w));
                ThresholdPrice {
                    wtp: w,
                    base_case: w * base_inc.qalys - base_inc.costs,
                    mean: s.map(|s| s.0.mean),
                    mcse: s.map(|s| s.0.mcse),
                    sd: s.map(|s| s.0.sd),
                    p2_5: s.map(|s| s.0.p2_5),
                    p50: s.map(|s| s.0.p50),
                    p97_5: s.map(|s| s.0.p97_5),
                    probability_positive: s.map(|s| s.1),
                }
            })
            .collect();
        Report {
            tenbin_version: VERSION.to_string(),
            scenario: ScenarioInfo {
                id: sc.meta.id.clone(),
                title: sc.meta.title.clone(),
                file: sc.file.clone(),
                sha256: sc.hash.clone(),
                intervention: sc.arms[i].id.clone(),
                comparator: sc.arms[c].id.clone(),
            },
            settings: sc.settings.clone(),
            seed: psa.map(|p| p.seed),
            draws: psa.map_or(0, |p| p.draws),
            base_case,
            psa: psa_report,
            threshold_price,
            occupancy: OccupancyReport {
                years: (0..points as u32).collect(),
                base_case: by_arm_state(sc, &base.occupancy, points),
                psa_mean: psa.map(|p| by_arm_state(sc, &p.occupancy_mean, points)),
            },
        }
    }
}
