//! The results of a run as a stable, documented structure (serialised to `summary.json`).
//!
//! Keys are part of Tenbin's interface: the site, the calculator and analysts' scripts read
//! them. Add keys freely; rename or remove one only with a major version. The schema is
//! documented in `docs/output-schema.md`.

pub mod draws;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::Outcome;
use crate::pricing::budget::{BudgetDraw, BudgetReport};
use crate::pricing::methods::{Population, PricingReport, method_prices, official_calculations};
use crate::pricing::payments::{Curve, DrawView, PaymentsReport, cash_flows};
use crate::pricing::value::{shared_savings_price, threshold_price};
use crate::run::{Evaluation, Psa};
use crate::run::{VariantOutcome, VariantSupply};
use crate::scenario::payments::PriceBasis;
use crate::scenario::pricing::Method;
use crate::scenario::supply::Levers;
use crate::scenario::{Bilingual, Scenario, Settings};
use crate::scenario::{Variant, VariantRole};
use crate::summary::{Estimate, Spread, Summary, summarise_in_place};
use crate::supply::{Bearer, CostComponents, SupplyOutcome};

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
    /// Parameters held at a chosen value (`tenbin run --hold`, the calculator), as
    /// `[name, value]`; absent when none is.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub held: Vec<(String, f64)>,
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

impl From<Outcome> for Incremental {
    /// The report's order of an incremental outcome ([`Outcome::incremental`]).
    fn from(o: Outcome) -> Self {
        Incremental {
            qalys: o.qalys,
            costs: o.costs,
            life_years: o.life_years,
        }
    }
}

/// The deterministic base case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaseCaseReport {
    /// Per arm.
    pub arms: BTreeMap<String, Outcome>,
    /// Intervention minus comparator.
    pub incremental: Incremental,
    /// Per arm, discounted costs by cost item (name), excluding the price.
    pub costs_by_item: BTreeMap<String, BTreeMap<String, f64>>,
    /// Over cost items on which the intervention spends more than the comparator, the sum of
    /// the differences.
    pub added_costs: f64,
    /// Over cost items on which it spends less, the sum of the savings (positive): the offsets
    /// the shared-savings price shares.
    pub cost_offsets: f64,
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
    /// What supply costs and does (absent without a `[supply]` block).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supply: Option<SupplyReport>,
    /// The price under each pricing method that applies, at the first willingness to pay.
    pub pricing: PricingReport,
    /// How each payment scheme would pay the target price (with `[payments]` or `[budget]`;
    /// absent when the target price is not positive).
    pub payments: Option<PaymentsReport>,
    /// Yearly spending (with `[budget]`).
    pub budget: Option<BudgetReport>,
    /// Each variant's results, in `[[variants]]` order.
    pub variants: Vec<VariantReport>,
}

/// One component of the cost per treated patient.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SupplyComponent {
    /// Its name (`manufacturing`, `failure_and_oos`, ...).
    pub name: String,
    /// Yen per treated patient.
    pub cost: Estimate,
    /// Its share of the total: of the PSA means when there is a PSA, else of the base case.
    pub share_of_total: f64,
    /// Who pays for it.
    pub bearer: Bearer,
    /// Whether the cost-accounting method counts it in the product cost (item 4).
    pub in_product_cost: bool,
}

/// The `[supply]` results: cost per treated patient by component, what failures and waiting do
/// to patients, and the value-based price per treatment once they are counted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SupplyReport {
    /// Lever settings the run used.
    pub levers: Levers,
    /// Components of the cost per treated patient, in a fixed order.
    pub components: Vec<SupplyComponent>,
    /// Their total, whoever pays.
    pub total_cost_per_treated: Estimate,
    /// The maker's part: what the price has to cover (the corridor's floor).
    pub maker_cost_per_treated: Estimate,
    /// The product cost the cost-accounting method builds up (item 4): the maker's part
    /// without shipment, which the method's distribution item stands for.
    pub product_cost_per_treated: Estimate,
    /// Share of patients starting the process who are never treated.
    pub never_treated: Estimate,
    /// Expected days from collection (or order) to treatment.
    pub time_to_treatment_days: Estimate,
    /// Share of treated patients who receive an out-of-specification product.
    pub treated_with_oos: Estimate,
    /// Probability that a fresh shipment expires.
    pub expiry_probability: Estimate,
    /// Post-approval burden per treated patient, priced in or not.
    pub post_approval_burden: Estimate,
    /// QALYs lost by eligible patients waiting out the launch delay.
    pub launch_delay_qalys_lost: Estimate,
    /// Incremental QALYs per patient who starts the process: never-treated patients gain
    /// nothing, OOS products gain their relative share.
    pub incremental_qalys_per_patient_starting: Estimate,
    /// Value-based threshold price per treatment given, `r * (w dQALY - dCost)` with `r` the
    /// mean relative effect of the products given (never-treated patients are not paid for).
    pub threshold_price_per_treatment: Vec<(f64, Estimate)>,
}

impl SupplyReport {
    /// Builds the supply section from the base case's and each draw's supply outcomes with the
    /// incremental results they go with.
    pub fn new(
        levers: Levers,
        wtp: &[f64],
        base: (&SupplyOutcome, Incremental),
        draws: Option<(&[SupplyOutcome], &[Incremental])>,
    ) -> SupplyReport {
        let measure = |f: &(dyn Fn(&SupplyOutcome, &Incremental) -> f64 + Sync)| Estimate {
            base_case: f(base.0, &base.1),
            psa: draws.map(|(d, inc)| {
                let mut v: Vec<f64> = d.iter().zip(inc).map(|(o, i)| f(o, i)).collect();
                summarise_in_place(&mut v)
            }),
        };
        let total = measure(&|o, _| o.costs.total());
        let components: Vec<SupplyComponent> = CostComponents::NAMES
            .iter()
            .enumerate()
            .map(|(k, name)| {
                let cost = measure(&|o, _| o.costs.values()[k]);
                let (part, whole) = match (cost.psa, total.psa) {
                    (Some(c), Some(t)) => (c.mean, t.mean),
                    _ => (cost.base_case, total.base_case),
                };
                SupplyComponent {
                    name: (*name).to_string(),
                    cost,
                    share_of_total: if whole > 0.0 { part / whole } else { 0.0 },
                    bearer: base.0.costs.bearers()[k],
                    in_product_cost: base.0.costs.in_product_cost()[k],
                }
            })
            .collect();
        SupplyReport {
            levers,
            components,
            total_cost_per_treated: total,
            maker_cost_per_treated: measure(&|o, _| o.costs.maker()),
            product_cost_per_treated: measure(&|o, _| o.costs.product_cost()),
            never_treated: measure(&|o, _| o.never_treated),
            time_to_treatment_days: measure(&|o, _| o.time_to_treatment_days),
            treated_with_oos: measure(&|o, _| o.treated_with_oos),
            expiry_probability: measure(&|o, _| o.expiry_probability),
            post_approval_burden: measure(&|o, _| o.post_approval_burden),
            launch_delay_qalys_lost: measure(&|o, _| o.launch_delay_qalys_lost),
            incremental_qalys_per_patient_starting: measure(&|o, i| {
                (1.0 - o.never_treated) * o.mean_relative_effect * i.qalys
            }),
            threshold_price_per_treatment: wtp
                .iter()
                .map(|&w| {
                    (
                        w,
                        measure(&|o, i| o.mean_relative_effect * (w * i.qalys - i.costs)),
                    )
                })
                .collect(),
        }
    }
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
    fn values(self, sc: &Scenario, p: &Psa) -> Vec<f64> {
        let draws = p.outcomes.chunks(p.arms);
        match self {
            Measure::Arm(a, f) => p.arm_values(a, |o| f.of(o)),
            Measure::Incremental(f) => draws.map(|d| f.of(&Outcome::incremental(sc, d))).collect(),
            Measure::ThresholdPrice(w) => draws
                .map(|d| {
                    let inc = Outcome::incremental(sc, d);
                    threshold_price(w, inc.qalys, inc.costs)
                })
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
        let base_inc = Incremental::from(Outcome::incremental(sc, &base.arms));
        let items = sc.cost_items();
        let base_case = BaseCaseReport {
            arms: sc
                .arms
                .iter()
                .zip(&base.arms)
                .map(|(a, o)| (a.id.clone(), *o))
                .collect(),
            incremental: base_inc,
            costs_by_item: sc
                .arms
                .iter()
                .zip(base.item_costs.chunks(items.len().max(1)))
                .map(|(a, costs)| {
                    let by_item = a
                        .costs
                        .iter()
                        .map(|c| {
                            let k = items.iter().position(|n| *n == c.name).expect("an item");
                            (c.name.clone(), costs[k])
                        })
                        .collect();
                    (a.id.clone(), by_item)
                })
                .collect(),
            added_costs: base.cost_split.added,
            cost_offsets: base.cost_split.offsets,
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
                let mut v = m.values(sc, p);
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
        let nvar = sc.variants.len();
        // Official inputs given as expressions take each evaluation's own values.
        let base_pricing = sc.pricing_at(&base.slots);
        let pricing_base = method_prices(
            &base_pricing,
            base_inc.qalys,
            base_inc.costs,
            base.cost_split.offsets,
            base.supply.as_ref(),
            &Population::of(sc, &base.variants),
        );
        let pricing_draws = psa.map(|p| {
            p.outcomes
                .chunks(p.arms)
                .enumerate()
                .map(|(d, o)| {
                    let inc = Outcome::incremental(sc, o);
                    let spec = match &p.parameters {
                        Some(params) if sc.pricing.varies() => {
                            sc.pricing_at(&params[d * p.slot_count..(d + 1) * p.slot_count])
                        }
                        _ => std::borrow::Cow::Borrowed(&sc.pricing),
                    };
                    method_prices(
                        &spec,
                        inc.qalys,
                        inc.costs,
                        p.cost_offsets[d],
                        p.supply.as_ref().map(|s| &s[d]),
                        &Population::of(sc, &p.variants[d * nvar..(d + 1) * nvar]),
                    )
                })
                .collect::<Vec<_>>()
        });
        let pricing = PricingReport::new(
            &base_pricing,
            pricing_base,
            pricing_draws.as_deref(),
            official_calculations(&base_pricing, base.supply.as_ref()),
        );
        let payments = sc.payments.as_ref().and_then(|spec| {
            let base_pay = base.payment.as_ref()?;
            let target = match spec.price {
                PriceBasis::Method(m) => pricing_base.of(m)?,
                PriceBasis::Fixed(x) => x,
            };
            // (NaN included: no positive price to pay.)
            if target.is_nan() || target <= 0.0 {
                return None;
            }
            let views: Option<Vec<DrawView>> = psa.and_then(|p| {
                let pay = p.payment.as_ref()?;
                let prices = pricing_draws.as_ref()?;
                Some(
                    pay.iter()
                        .zip(prices)
                        .map(|(d, pr)| DrawView {
                            response: &d.response,
                            value_price: pr.of(Method::ValueBased).unwrap_or(f64::NAN),
                        })
                        .collect(),
                )
            });
            Some(PaymentsReport::new(
                spec,
                spec.response_states
                    .iter()
                    .map(|&k| sc.states[k].id.clone())
                    .collect(),
                target,
                sc.settings.discount_rate_costs,
                &base_pay.response,
                views.as_deref(),
            ))
        });
        let budget = sc.budget.as_ref().and_then(|b| {
            let spec = sc.payments.as_ref()?;
            let nominal = payments.as_ref()?.schemes[b.scheme.index()].nominal_price;
            let times = spec.response_times();
            let one = |pay: &crate::run::PaymentDraw, supply: Option<&SupplyOutcome>| BudgetDraw {
                patients: pay.patients.unwrap_or_default(),
                never_treated: supply.map_or(0.0, |s| s.never_treated),
                flows: cash_flows(
                    b.scheme,
                    spec,
                    Curve {
                        times: &times,
                        response: &pay.response,
                    },
                ),
            };
            let base_draw = one(base.payment.as_ref()?, base.supply.as_ref());
            let draws: Option<Vec<BudgetDraw>> = psa.and_then(|p| {
                let pay = p.payment.as_ref()?;
                Some(
                    pay.iter()
                        .enumerate()
                        .map(|(d, x)| one(x, p.supply.as_ref().map(|s| &s[d])))
                        .collect(),
                )
            });
            Some(BudgetReport::new(b, nominal, &base_draw, draws.as_deref()))
        });
        Report {
            tenbin_version: VERSION.to_string(),
            scenario: ScenarioInfo {
                id: sc.meta.id.clone(),
                title: sc.meta.title.clone(),
                file: sc.file.clone(),
                sha256: sc.hash.clone(),
                held: sc.held.clone(),
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
            supply: sc.supply.as_ref().and_then(|spec| {
                let base_supply = base.supply.as_ref()?;
                let per_draw = psa.and_then(|p| {
                    let d = p.supply.as_deref()?;
                    let inc: Vec<Incremental> = p
                        .outcomes
                        .chunks(p.arms)
                        .map(|o| Incremental::from(Outcome::incremental(sc, o)))
                        .collect();
                    Some((d, inc))
                });
                Some(SupplyReport::new(
                    spec.levers,
                    &sc.settings.wtp,
                    (base_supply, base_inc),
                    per_draw.as_ref().map(|(d, inc)| (*d, inc.as_slice())),
                ))
            }),
            pricing,
            payments,
            budget,
            variants: sc
                .variants
                .iter()
                .enumerate()
                .map(|(k, v)| {
                    let draws: Option<Vec<VariantOutcome>> =
                        psa.map(|p| p.variants.iter().skip(k).step_by(nvar).copied().collect());
                    VariantReport::new(sc, v, base.variants[k], draws.as_deref())
                })
                .collect(),
        }
    }
}

/// A price over draws: base case, mean and 90% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PriceSummary {
    /// Willingness to pay, yen per QALY.
    pub wtp: f64,
    /// At the base case.
    pub base_case: f64,
    /// Over draws (absent without a PSA).
    pub draws: Option<Spread>,
}

/// A variant's results: its incremental outcomes and value-based prices.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VariantReport {
    /// Identifier.
    pub id: String,
    /// What it is for.
    pub role: VariantRole,
    /// A readable name.
    pub label: Bilingual,
    /// Share of patients (populations).
    pub share: Option<f64>,
    /// What it changes, as written: parameters, then `settings.*` and `levers.*`.
    pub set: Vec<(String, String)>,
    /// Incremental QALYs at the base case.
    pub incremental_qalys: f64,
    /// Incremental costs at the base case (excluding the price).
    pub incremental_costs: f64,
    /// The value-based price at each willingness to pay.
    pub value_based: Vec<PriceSummary>,
    /// The shared-savings price at the first willingness to pay.
    pub shared_savings: PriceSummary,
    /// Supply under the variant (scenarios with `[supply]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supply: Option<VariantSupplyReport>,
}

/// What supply costs and does under a variant.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct VariantSupplyReport {
    /// Cost per treated patient, yen.
    pub cost_per_treated: Estimate,
    /// Share of patients starting the process who are never treated.
    pub never_treated: Estimate,
    /// Expected days from collection (or order) to treatment.
    pub time_to_treatment_days: Estimate,
}

impl VariantReport {
    fn new(
        sc: &Scenario,
        v: &Variant,
        base: VariantOutcome,
        draws: Option<&[VariantOutcome]>,
    ) -> VariantReport {
        let summary = |w: f64, price: &dyn Fn(&VariantOutcome) -> f64| PriceSummary {
            wtp: w,
            base_case: price(&base),
            draws: draws.filter(|d| !d.is_empty()).map(|d| {
                let mut x: Vec<f64> = d.iter().map(price).collect();
                Spread::of(&mut x)
            }),
        };
        let share = sc.pricing.savings_share;
        let wtp = sc.pricing.value_wtp();
        VariantReport {
            id: v.id.clone(),
            role: v.role,
            label: v.label.clone(),
            share: v.share,
            set: v.set_text.clone(),
            incremental_qalys: base.delta_qalys,
            incremental_costs: base.delta_costs,
            value_based: sc
                .settings
                .wtp
                .iter()
                .map(|&w| {
                    summary(w, &|o| {
                        o.relative_effect * threshold_price(w, o.delta_qalys, o.delta_costs)
                    })
                })
                .collect(),
            shared_savings: summary(wtp, &|o| {
                o.relative_effect
                    * shared_savings_price(wtp, o.delta_qalys, o.delta_costs, o.cost_offsets, share)
            }),
            supply: base.supply.map(|b| {
                let measure = |f: fn(&VariantSupply) -> f64| Estimate {
                    base_case: f(&b),
                    psa: draws.filter(|d| !d.is_empty()).map(|d| {
                        let mut v: Vec<f64> =
                            d.iter().filter_map(|o| o.supply.as_ref()).map(f).collect();
                        summarise_in_place(&mut v)
                    }),
                };
                VariantSupplyReport {
                    cost_per_treated: measure(|s| s.cost_per_treated),
                    never_treated: measure(|s| s.never_treated),
                    time_to_treatment_days: measure(|s| s.time_to_treatment_days),
                }
            }),
        }
    }
}
