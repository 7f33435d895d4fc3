//! What it costs to make, test and deliver one treatment, and what supply does to patients:
//! the mechanisms behind the burdens that the 2023 proposal says today's prices cannot reflect
//! (the 2023 proposal on regenerative medicine products, sections 1(3)-(5), 2 and 3).
//!
//! [`evaluate`] turns one draw's supply inputs ([`SupplyInputs`], every number already drawn)
//! into the cost per treated patient by component, the expected time to treatment, the share of
//! patients never treated and the QALYs lost to a launch delay ([`SupplyOutcome`]). It is pure
//! arithmetic on expectations over patients, so each mechanism has a closed form that the tests
//! check, and a supply block that models nothing costs nothing and delays no one.
//!
//! Conventions:
//! - Costs are per *treated* patient: everything spent on all patients who start the process
//!   (failed batches of those never treated included) divided by the number treated, which is
//!   what a price per treatment has to recover.
//! - A batch of one dose is a patient's own (autologous) product: its failure delays that patient
//!   and may leave them untreated. A batch of many doses (allogeneic, viral vector) goes to stock:
//!   its failure costs money, not time, because the next conforming batch serves the patient.
//! - Days and years are as given; nothing is discounted here except post-approval follow-up over
//!   its years (at the scenario's cost rate, passed in).

use crate::distribution::normal_cdf;
use crate::error::DrawError;
pub use crate::scenario::supply::Bearer;
use crate::scenario::supply::{Accepts, Levers, OosPolicy, SupplyField, SupplySpec};

/// One draw's supply inputs. Every field defaults to zero (or its neutral value): "not modelled".
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SupplyInputs {
    /// Materials per batch, yen.
    pub materials_per_batch: f64,
    /// Labour hours per batch.
    pub labour_hours_per_batch: f64,
    /// Yen per labour hour (the FY2024 cost-accounting rule uses 3,634 yen).
    pub labour_rate: f64,
    /// Manufacturing overhead per batch, yen.
    pub overhead_per_batch: f64,
    /// Doses a batch yields before testing (1 for an autologous product).
    pub doses_per_batch: f64,
    /// Fixed facility or CDMO cost per year, yen.
    pub fixed_cost_per_year: f64,
    /// Patients treated per year, over whom fixed yearly costs are spread.
    pub patients_per_year: f64,
    /// Probability that a batch fails release.
    pub failure_probability: f64,
    /// Manufacturing attempts in all under [`OosPolicy::Remanufacture`] (at least 1).
    pub max_attempts: u32,
    /// Who pays for long-term follow-up.
    pub follow_up_bearer: Bearer,
    /// What happens after a failure.
    pub oos_policy: OosPolicy,
    /// Extra days to treatment for each re-manufacture.
    pub remanufacture_delay_days: f64,
    /// Effectiveness of an OOS product relative to a conforming one (1 = the same).
    pub oos_relative_effect: f64,
    /// Days from collection (or order) to treatment when nothing goes wrong.
    pub lead_time_days: f64,
    /// Rate per year at which patients waiting for treatment die or become unable to receive
    /// it; those lost count as never treated.
    pub waiting_loss_rate: f64,
    /// Release testing per batch, yen.
    pub release_test_per_batch: f64,
    /// Share of a multi-dose batch consumed by release testing.
    pub qc_consumed_share: f64,
    /// Stability programme per year, yen.
    pub stability_per_year: f64,
    /// Whether the product is made abroad and imported.
    pub imported: bool,
    /// Re-testing an imported batch in Japan, yen.
    pub import_retest_per_batch: f64,
    /// Days the re-test adds before release.
    pub import_retest_delay_days: f64,
    /// Share of a multi-dose batch consumed by the re-test.
    pub import_retest_consumed_share: f64,
    /// Whether the product is shipped fresh (not frozen) and can expire in transit.
    pub fresh: bool,
    /// Median transit and inspection time, days (lognormal across shipments).
    pub transit_median_days: f64,
    /// Log-scale spread of transit time across shipments.
    pub transit_sdlog: f64,
    /// Shelf life, days.
    pub shelf_life_days: f64,
    /// Qualification and audit of one treatment centre by one manufacturer per year, yen.
    pub centre_cost_per_year: f64,
    /// Patients treated per centre per year.
    pub patients_per_centre_per_year: f64,
    /// Manufacturers who share one accreditation under the shared scheme.
    pub manufacturers_sharing: f64,
    /// Probability that the authority orders tests or studies at or after approval.
    pub post_approval_probability: f64,
    /// One-off cost of those tests, yen.
    pub post_approval_one_off: f64,
    /// Their yearly cost, yen.
    pub post_approval_per_year: f64,
    /// For how many years.
    pub post_approval_years: f64,
    /// Confirmatory study of a conditionally approved product, yen.
    pub confirmatory_study: f64,
    /// Patients over whom one-off and study costs are spread.
    pub patients_over_lifetime: f64,
    /// Long-term follow-up per treated patient per year, yen.
    pub follow_up_per_year: f64,
    /// Years of long-term follow-up (e.g. 15 after a gene therapy).
    pub follow_up_years: f64,
    /// Cold-chain shipment (dry shipper, courier), yen.
    pub shipment_cost: f64,
    /// Hospital handling per treatment, yen.
    pub handling_cost: f64,
    /// Months between approval abroad and in Japan.
    pub launch_delay_months: f64,
    /// Eligible patients per year in Japan.
    pub eligible_per_year: f64,
    /// Share of a patient's QALY gain lost by waiting out the delay.
    pub share_of_gain_lost_waiting: f64,
    /// The levers.
    pub levers: Levers,
}

impl Default for SupplyInputs {
    fn default() -> Self {
        SupplyInputs {
            materials_per_batch: 0.0,
            labour_hours_per_batch: 0.0,
            labour_rate: 0.0,
            overhead_per_batch: 0.0,
            doses_per_batch: 1.0,
            fixed_cost_per_year: 0.0,
            patients_per_year: 1.0,
            failure_probability: 0.0,
            max_attempts: 1,
            follow_up_bearer: Bearer::Maker,
            oos_policy: OosPolicy::Remanufacture,
            remanufacture_delay_days: 0.0,
            oos_relative_effect: 1.0,
            lead_time_days: 0.0,
            waiting_loss_rate: 0.0,
            release_test_per_batch: 0.0,
            qc_consumed_share: 0.0,
            stability_per_year: 0.0,
            imported: false,
            import_retest_per_batch: 0.0,
            import_retest_delay_days: 0.0,
            import_retest_consumed_share: 0.0,
            fresh: false,
            transit_median_days: 0.0,
            transit_sdlog: 0.0,
            shelf_life_days: f64::INFINITY,
            centre_cost_per_year: 0.0,
            patients_per_centre_per_year: 1.0,
            manufacturers_sharing: 1.0,
            post_approval_probability: 0.0,
            post_approval_one_off: 0.0,
            post_approval_per_year: 0.0,
            post_approval_years: 0.0,
            confirmatory_study: 0.0,
            patients_over_lifetime: 1.0,
            follow_up_per_year: 0.0,
            follow_up_years: 0.0,
            shipment_cost: 0.0,
            handling_cost: 0.0,
            launch_delay_months: 0.0,
            eligible_per_year: 0.0,
            share_of_gain_lost_waiting: 0.0,
            levers: Levers::default(),
        }
    }
}

impl SupplyField {
    /// Sets this field's input in `s`.
    fn set(self, s: &mut SupplyInputs, v: f64) {
        use SupplyField::*;
        let slot = match self {
            LeadTimeDays => &mut s.lead_time_days,
            WaitingLossRate => &mut s.waiting_loss_rate,
            MaterialsPerBatch => &mut s.materials_per_batch,
            LabourHoursPerBatch => &mut s.labour_hours_per_batch,
            LabourRate => &mut s.labour_rate,
            OverheadPerBatch => &mut s.overhead_per_batch,
            DosesPerBatch => &mut s.doses_per_batch,
            FixedCostPerYear => &mut s.fixed_cost_per_year,
            PatientsPerYear => &mut s.patients_per_year,
            FailureProbability => &mut s.failure_probability,
            RemanufactureDelayDays => &mut s.remanufacture_delay_days,
            OosRelativeEffect => &mut s.oos_relative_effect,
            ReleaseTestPerBatch => &mut s.release_test_per_batch,
            QcConsumedShare => &mut s.qc_consumed_share,
            StabilityPerYear => &mut s.stability_per_year,
            ImportRetestPerBatch => &mut s.import_retest_per_batch,
            ImportRetestDelayDays => &mut s.import_retest_delay_days,
            ImportConsumedShare => &mut s.import_retest_consumed_share,
            TransitMedianDays => &mut s.transit_median_days,
            TransitSdlog => &mut s.transit_sdlog,
            ShelfLifeDays => &mut s.shelf_life_days,
            CentreCostPerYear => &mut s.centre_cost_per_year,
            PatientsPerCentrePerYear => &mut s.patients_per_centre_per_year,
            ManufacturersSharing => &mut s.manufacturers_sharing,
            PostApprovalProbability => &mut s.post_approval_probability,
            PostApprovalOneOff => &mut s.post_approval_one_off,
            PostApprovalPerYear => &mut s.post_approval_per_year,
            PostApprovalYears => &mut s.post_approval_years,
            ConfirmatoryStudy => &mut s.confirmatory_study,
            PatientsOverLifetime => &mut s.patients_over_lifetime,
            FollowUpPerYear => &mut s.follow_up_per_year,
            FollowUpYears => &mut s.follow_up_years,
            ShipmentCost => &mut s.shipment_cost,
            HandlingCost => &mut s.handling_cost,
            LaunchDelayMonths => &mut s.launch_delay_months,
            EligiblePerYear => &mut s.eligible_per_year,
            ShareOfGainLostWaiting => &mut s.share_of_gain_lost_waiting,
        };
        *slot = v;
    }
}

impl SupplySpec {
    /// One draw's inputs from its slot values; an input outside what it accepts is an error
    /// naming the key, the value and where the expression is written.
    pub fn inputs(&self, slots: &[f64]) -> Result<SupplyInputs, DrawError> {
        let mut s = SupplyInputs {
            oos_policy: self.oos_policy,
            max_attempts: self.max_attempts,
            follow_up_bearer: self.follow_up_bearer,
            imported: self.imported,
            fresh: self.fresh,
            levers: self.levers,
            ..SupplyInputs::default()
        };
        for (field, expr) in &self.fields {
            let v = expr.value.eval(slots);
            let (key, accepts) = field.describe();
            let (ok, expected) = match accepts {
                Accepts::NonNegative => (v >= 0.0, "zero or more"),
                Accepts::Share => ((0.0..=1.0).contains(&v), "between 0 and 1"),
                Accepts::AtLeastOne => (v >= 1.0, "at least 1"),
                Accepts::Positive => (v > 0.0, "positive"),
            };
            if !(ok && v.is_finite()) {
                return Err(DrawError {
                    message: format!("supply.{key} is {v}; expected {expected}"),
                    loc: expr.loc,
                });
            }
            field.set(&mut s, v);
        }
        Ok(s)
    }
}

/// Cost per treated patient, by component, yen.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct CostComponents {
    /// The conforming batch's materials, labour and overhead, and fixed costs per patient.
    pub manufacturing: f64,
    /// Batches that failed release (and were not supplied).
    pub failure_and_oos: f64,
    /// Release testing of every batch, and the stability programme.
    pub quality_control: f64,
    /// Re-testing imported batches in Japan.
    pub import_testing: f64,
    /// Shipments that expired in transit: the batch and the shipment again.
    pub expiry: f64,
    /// Qualifying and auditing treatment centres.
    pub centre_qualification: f64,
    /// Tests and studies ordered at or after approval, and a confirmatory study.
    pub post_approval: f64,
    /// Long-term follow-up of each treated patient (visits and tests over the years).
    pub follow_up: f64,
    /// Cold-chain shipment to the treating centre.
    pub shipment: f64,
    /// Hospital handling per treatment (receipt, storage, thawing, preparation).
    pub handling: f64,
    /// Who pays for the follow-up (the other components' payers are fixed:
    /// [`CostComponents::bearers`]).
    pub follow_up_bearer: Bearer,
}

impl CostComponents {
    /// Names, in the order of [`CostComponents::values`].
    pub const NAMES: [&'static str; 10] = [
        "manufacturing",
        "failure_and_oos",
        "quality_control",
        "import_testing",
        "expiry",
        "centre_qualification",
        "post_approval",
        "follow_up",
        "shipment",
        "handling",
    ];

    /// Who bears each component, in the order of [`CostComponents::NAMES`]: the maker, except
    /// hospital handling (the hospital's work, paid through the fee schedule) and follow-up,
    /// which the scenario assigns (a post-marketing study is the maker's; follow-up visits and
    /// tests are billed to health insurance).
    pub fn bearers(&self) -> [Bearer; 10] {
        let mut b = [Bearer::Maker; 10];
        b[7] = self.follow_up_bearer;
        b[9] = Bearer::Hospital;
        b
    }

    /// Whether each component is part of the product cost (製品製造(輸入)原価, item 4) the
    /// cost-accounting method builds up: the maker's costs except shipment, which the method's
    /// distribution item (流通経費, item 7) stands for, so that counting it in item 4 as well
    /// would count it twice.
    pub fn in_product_cost(&self) -> [bool; 10] {
        let mut x = self.bearers().map(|b| b == Bearer::Maker);
        x[8] = false;
        x
    }

    /// The components in the order of [`CostComponents::NAMES`].
    pub fn values(&self) -> [f64; 10] {
        [
            self.manufacturing,
            self.failure_and_oos,
            self.quality_control,
            self.import_testing,
            self.expiry,
            self.centre_qualification,
            self.post_approval,
            self.follow_up,
            self.shipment,
            self.handling,
        ]
    }

    /// Their sum: what supplying one treated patient costs, whoever pays.
    pub fn total(&self) -> f64 {
        self.values().iter().sum()
    }

    /// The maker's part: what the price has to cover.
    pub fn maker(&self) -> f64 {
        self.values()
            .iter()
            .zip(self.bearers())
            .filter(|(_, b)| *b == Bearer::Maker)
            .map(|(v, _)| v)
            .sum()
    }

    /// The product cost the cost-accounting method builds up (item 4).
    pub fn product_cost(&self) -> f64 {
        self.values()
            .iter()
            .zip(self.in_product_cost())
            .filter(|(_, x)| *x)
            .map(|(v, _)| v)
            .sum()
    }
}

/// What supply does, per treated patient, in one draw.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct SupplyOutcome {
    /// Cost per treated patient by component (post-approval is zero when the lever leaves it
    /// out of the price; [`SupplyOutcome::post_approval_burden`] keeps it).
    pub costs: CostComponents,
    /// The post-approval burden per treated patient whether or not it is priced in.
    pub post_approval_burden: f64,
    /// Batches made per treated patient (or per sellable dose for multi-dose batches), before
    /// losses while waiting.
    pub batches_per_treated: f64,
    /// Share of patients who start the process and are never treated.
    pub never_treated: f64,
    /// Share of treated patients who receive an out-of-specification product.
    pub treated_with_oos: f64,
    /// Relative effectiveness averaged over treated patients (1 when all products conform).
    pub mean_relative_effect: f64,
    /// Probability that a fresh shipment expires before use.
    pub expiry_probability: f64,
    /// Expected days from collection (or order) to treatment, over treated patients.
    pub time_to_treatment_days: f64,
    /// QALYs lost by the eligible patients who wait out the launch delay.
    pub launch_delay_qalys_lost: f64,
}

/// `1 + p + ... + p^(m-1)`: the expected number of batches made for one patient when up to
/// `m` attempts are allowed and each fails with probability `p`; `(1 - p^m) / (1 - p)` for
/// `p < 1`.
pub fn expected_attempts(p: f64, m: u32) -> f64 {
    let mut sum = 0.0;
    let mut term = 1.0;
    for _ in 0..m.max(1) {
        sum += term;
        term *= p;
    }
    sum
}

/// The present value of 1 yen a year for `years` years, paid at the end of each year, at
/// `rate` (just `years` at a zero rate); a final part-year counts in proportion.
fn annuity(rate: f64, years: f64) -> f64 {
    if years <= 0.0 {
        return 0.0;
    }
    if rate == 0.0 {
        return years;
    }
    (1.0 - libm::pow(1.0 + rate, -years)) / rate
}

/// Evaluates one draw's supply. `delta_qalys` is the draw's QALY gain per treated patient
/// (for the launch-delay loss); `discount_rate` is the scenario's rate for costs.
pub fn evaluate(s: &SupplyInputs, delta_qalys: f64, discount_rate: f64) -> SupplyOutcome {
    let p = s.failure_probability.clamp(0.0, 1.0);
    let batch_cost =
        s.materials_per_batch + s.labour_hours_per_batch * s.labour_rate + s.overhead_per_batch;
    let policy = if s.levers.supply_oos {
        OosPolicy::SupplyOos
    } else {
        s.oos_policy
    };
    let autologous = s.doses_per_batch <= 1.0;
    let retest = s.imported && !s.levers.accept_foreign_certificate;

    // Sellable doses per conforming batch: testing consumes part of a multi-dose batch; a
    // patient's own batch is one dose whatever is sampled from it.
    let sellable = if autologous {
        1.0
    } else {
        let consumed = s.qc_consumed_share
            + if retest {
                s.import_retest_consumed_share
            } else {
                0.0
            };
        s.doses_per_batch * (1.0 - consumed.clamp(0.0, 1.0))
    };

    // Batches per treated patient, the never-treated share and the OOS-treated share.
    let (batches, never, with_oos, extra_delay) = if !autologous {
        // Stock: keep making batches until one conforms; no patient waits for it.
        let batches = if p < 1.0 {
            1.0 / ((1.0 - p) * sellable)
        } else {
            f64::INFINITY
        };
        (batches, 0.0, 0.0, 0.0)
    } else {
        match policy {
            OosPolicy::Remanufacture => {
                let m = s.max_attempts.max(1);
                let made = expected_attempts(p, m);
                let never = libm::pow(p, f64::from(m));
                let treated = 1.0 - never;
                // Failures before the conforming batch, among those treated:
                // E[k | success] = sum_k k p^k (1 - p) / (1 - p^m).
                let mut failures = 0.0;
                let mut pk = 1.0;
                for k in 0..m {
                    failures += f64::from(k) * pk * (1.0 - p);
                    pk *= p;
                }
                let waits = if treated > 0.0 {
                    failures / treated
                } else {
                    0.0
                };
                (
                    if treated > 0.0 {
                        made / treated
                    } else {
                        f64::INFINITY
                    },
                    never,
                    0.0,
                    waits * s.remanufacture_delay_days,
                )
            }
            // One batch each; the failed one is supplied (or not), without waiting.
            OosPolicy::SupplyOos => (1.0, 0.0, p, 0.0),
            OosPolicy::NoTreatment => {
                let treated = 1.0 - p;
                (
                    if treated > 0.0 {
                        1.0 / treated
                    } else {
                        f64::INFINITY
                    },
                    p,
                    0.0,
                    0.0,
                )
            }
        }
    };
    // Conforming batches per treated patient (or sellable dose); the rest failed. A supplied
    // OOS batch is a used batch, not a failed one.
    let used = if autologous { 1.0 } else { 1.0 / sellable };
    let failed_batches = (batches - used).max(0.0);

    // Fresh products: a shipment expires when transit (plus any re-test) outlasts shelf life;
    // an expired one is made and shipped again, as often as needed.
    let transit = s.transit_median_days;
    let extra_transit = if retest {
        s.import_retest_delay_days
    } else {
        0.0
    };
    let expiry_probability = if s.fresh && s.shelf_life_days.is_finite() && transit > 0.0 {
        let available = s.shelf_life_days - extra_transit;
        if available <= 0.0 {
            1.0
        } else if s.transit_sdlog > 0.0 {
            1.0 - normal_cdf((libm::log(available) - libm::log(transit)) / s.transit_sdlog)
        } else if transit > available {
            1.0
        } else {
            0.0
        }
    } else {
        0.0
    };
    let reshipments = if expiry_probability < 1.0 {
        expiry_probability / (1.0 - expiry_probability)
    } else {
        f64::INFINITY
    };

    let fixed_per_patient = if s.patients_per_year > 0.0 {
        s.fixed_cost_per_year / s.patients_per_year
    } else {
        0.0
    };
    let centre_cost = s.centre_cost_per_year
        / if s.levers.shared_accreditation {
            s.manufacturers_sharing.max(1.0)
        } else {
            1.0
        };
    // Yearly tests are paid over their years like follow-up, so both are discounted.
    let post_approval = s.post_approval_probability
        * (s.post_approval_one_off
            + s.post_approval_per_year * annuity(discount_rate, s.post_approval_years))
        / s.patients_over_lifetime.max(1.0)
        + s.confirmatory_study / s.patients_over_lifetime.max(1.0);
    let follow_up = s.follow_up_per_year * annuity(discount_rate, s.follow_up_years);
    let shipments = 1.0 + reshipments;
    let time_to_treatment_days = s.lead_time_days
        + extra_delay
        + extra_transit
        + reshipments * (s.lead_time_days + extra_transit);
    // Patients can die or become unable to receive treatment while they wait. Their product
    // was made and shipped all the same, so every batch-driven cost is spread over fewer
    // treated patients.
    let survive = libm::exp(-s.waiting_loss_rate * time_to_treatment_days / 365.25);
    let per_treated = 1.0 / survive;
    let never = 1.0 - (1.0 - never) * survive;

    let costs = CostComponents {
        manufacturing: batch_cost * used * per_treated + fixed_per_patient,
        failure_and_oos: batch_cost * failed_batches * per_treated,
        quality_control: s.release_test_per_batch * batches * per_treated
            + if s.patients_per_year > 0.0 {
                s.stability_per_year / s.patients_per_year
            } else {
                0.0
            },
        import_testing: if retest {
            // Only conforming batches are shipped and re-tested.
            s.import_retest_per_batch * used * shipments * per_treated
        } else {
            0.0
        },
        expiry: (batch_cost * used + s.shipment_cost) * reshipments * per_treated,
        centre_qualification: if s.patients_per_centre_per_year > 0.0 {
            centre_cost / s.patients_per_centre_per_year
        } else {
            0.0
        },
        post_approval: if s.levers.price_post_approval {
            post_approval
        } else {
            0.0
        },
        follow_up,
        shipment: s.shipment_cost * per_treated,
        handling: s.handling_cost,
        follow_up_bearer: s.follow_up_bearer,
    };
    let mean_relative_effect = 1.0 - with_oos + with_oos * s.oos_relative_effect;
    let launch_delay_qalys_lost = s.launch_delay_months / 12.0
        * s.eligible_per_year
        * s.share_of_gain_lost_waiting
        * delta_qalys;
    SupplyOutcome {
        costs,
        post_approval_burden: post_approval,
        batches_per_treated: batches,
        never_treated: never,
        treated_with_oos: with_oos,
        mean_relative_effect,
        expiry_probability,
        time_to_treatment_days,
        launch_delay_qalys_lost,
    }
}

#[cfg(test)]
mod tests;
