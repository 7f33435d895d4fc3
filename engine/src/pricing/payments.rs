//! How the price of a one-time therapy is paid, and what that does to payer and maker: paying up
//! front, in equal instalments, in instalments that stop when response is lost or the patient
//! dies, up front with a refund if response is lost early, or at results (shares of the price at
//! set times, each due only if the patient still responds). These are arrangements in use
//! abroad: Zolgensma's five yearly instalments (US), Zynteglo's 80% refund within two years (US)
//! and Italy's payment at infusion, 6 and 12 months for Kymriah (AIFA, 2019).
//!
//! Everything rests on one curve per draw: the share of treated patients in a response state,
//! R(t), read from the model's state occupancy of the intervention arm at each time a scheme
//! looks ([`PaymentSpec::response_times`]: every whole year it needs, the milestones and the
//! first assessment), at the model's cycle resolution ([`crate::model::Model::response`]). A
//! scheme is a list of expected cash flows per unit of the contract's nominal price
//! ([`cash_flows`]); discounting them gives the payer's expected cost per patient (at the
//! scenario's cost rate) and the maker's expected receipts (at the maker's rate, which may be
//! higher: instalments are a loan from maker to payer).
//!
//! Conventions, all documented in `models/README.md`:
//! - Response is first assessed `a` years after treatment (`response_assessed_years`, default
//!   0). A payment that depends on response and falls due at or after `a` is due if the patient
//!   is in a response state then; one that falls due before `a` is due for every treated
//!   patient, as the payment at infusion is in Italy's payment at results (nothing is yet known
//!   to condition on).
//! - R is the model's occupancy at the trace point of each time; a time between two trace points
//!   (a milestone that is not a whole number of cycles) is interpolated linearly between them.
//! - A refund is paid when response is lost: (1 - R(a)) at `a` (never responded, or lost by the
//!   first assessment), then R(p) - R(t) at the end of each whole year t after `a`, with p the
//!   previous look (`a`, then t - 1), up to the guarantee's last year. Death counts as losing
//!   response.
//! - Per-patient spreads ([`per_patient`]) assume that response once lost does not come back,
//!   which is what a contract that stops for good assumes; where the model lets R rise, they are
//!   not reported.

use serde::Serialize;

use crate::scenario::payments::{PaymentSpec, PriceBasis, Scheme};
use crate::scenario::pricing::Method;
use crate::summary::Spread;

/// Times closer than this (years) are the same time.
const SAME_TIME: f64 = 1e-9;

/// The share of patients in a response state at `t` years, from the shares `response` at
/// `times` (increasing): the share at `t` when it is one of the times, else interpolated
/// linearly between the times around it, holding the first and last values beyond them. The
/// scheme functions only ask for times in [`PaymentSpec::response_times`], at which the model
/// gives the curve.
pub fn response_at(times: &[f64], response: &[f64], t: f64) -> f64 {
    let k = times.partition_point(|&x| x < t - SAME_TIME);
    match k {
        _ if k < times.len() && (times[k] - t).abs() <= SAME_TIME => response[k],
        0 => response[0],
        _ if k == times.len() => response[k - 1],
        _ => {
            let f = (t - times[k - 1]) / (times[k] - times[k - 1]);
            response[k - 1] + f * (response[k] - response[k - 1])
        }
    }
}

/// One draw's response curve: the share responding at each of the scheme's times.
#[derive(Debug, Clone, Copy)]
pub struct Curve<'a> {
    /// [`PaymentSpec::response_times`].
    pub times: &'a [f64],
    /// The share responding at each.
    pub response: &'a [f64],
}

impl Curve<'_> {
    /// The share responding at `t` ([`response_at`]).
    pub fn at(&self, t: f64) -> f64 {
        response_at(self.times, self.response, t)
    }
}

/// Whether a payment falling due at `t` years depends on response: only from the first
/// assessment on.
fn conditional(spec: &PaymentSpec, t: f64) -> bool {
    t >= spec.response_assessed_years - SAME_TIME
}

/// The times at which a refund looks at response: the first assessment, then each whole year
/// after it up to the guarantee's last year.
fn refund_looks(spec: &PaymentSpec) -> Vec<f64> {
    let a = spec.response_assessed_years;
    std::iter::once(a)
        .chain(
            (1..=spec.refund_years)
                .map(f64::from)
                .filter(|&t| t > a + SAME_TIME),
        )
        .collect()
}

/// A scheme's expected cash flows per patient per unit of nominal price: (years after
/// treatment, amount). Refunds are negative.
pub fn cash_flows(scheme: Scheme, spec: &PaymentSpec, r: Curve<'_>) -> Vec<(f64, f64)> {
    let n = spec.instalment_years.max(1);
    // The share of patients for whom a payment due at t is paid.
    let paid = |t: f64| if conditional(spec, t) { r.at(t) } else { 1.0 };
    match scheme {
        Scheme::UpFront => vec![(0.0, 1.0)],
        Scheme::Instalments => (0..n).map(|t| (f64::from(t), 1.0 / f64::from(n))).collect(),
        Scheme::OutcomeInstalments => (0..n)
            .map(|t| {
                let t = f64::from(t);
                (t, paid(t) / f64::from(n))
            })
            .collect(),
        Scheme::Refund => {
            let f = spec.refund_share;
            let looks = refund_looks(spec);
            let mut flows = vec![(0.0, 1.0)];
            // Not responding at the first assessment.
            let first = looks[0];
            flows.push((first, -f * (1.0 - r.at(first))));
            for w in looks.windows(2) {
                flows.push((w[1], -f * (r.at(w[0]) - r.at(w[1]))));
            }
            // Assessed at treatment: one flow then, as before the assessment time existed.
            if first == 0.0 {
                let at_zero = flows.remove(1).1;
                flows[0].1 += at_zero;
            }
            flows
        }
        Scheme::AtResult => spec
            .milestones
            .iter()
            .map(|&(t, share)| (t, share * paid(t)))
            .collect(),
    }
}

/// The present value of cash flows at a discount rate.
pub fn present_value(flows: &[(f64, f64)], rate: f64) -> f64 {
    flows
        .iter()
        .map(|&(t, x)| x * discount(rate, t))
        .sum::<f64>()
}

fn discount(rate: f64, t: f64) -> f64 {
    if t == 0.0 || rate == 0.0 {
        1.0
    } else {
        libm::pow(1.0 + rate, -t)
    }
}

/// The nominal payments of a scheme per unit of nominal price: (years after treatment, amount
/// due if its condition holds, what it depends on).
pub fn schedule(scheme: Scheme, spec: &PaymentSpec) -> Vec<Payment> {
    let n = spec.instalment_years.max(1);
    // Payments before the first assessment are due whatever happens.
    let condition = |t: f64| {
        if conditional(spec, t) {
            "in_response"
        } else {
            "always"
        }
    };
    let each = |years: f64, share: f64, condition: &'static str| Payment {
        years,
        share,
        condition,
    };
    match scheme {
        Scheme::UpFront => vec![each(0.0, 1.0, "always")],
        Scheme::Instalments => (0..n)
            .map(|t| each(f64::from(t), 1.0 / f64::from(n), "always"))
            .collect(),
        Scheme::OutcomeInstalments => (0..n)
            .map(|t| {
                let t = f64::from(t);
                each(t, 1.0 / f64::from(n), condition(t))
            })
            .collect(),
        Scheme::Refund => vec![
            each(0.0, 1.0, "always"),
            each(
                f64::from(spec.refund_years),
                -spec.refund_share,
                "refund_if_response_lost_by_then",
            ),
        ],
        Scheme::AtResult => spec
            .milestones
            .iter()
            .map(|&(t, s)| each(t, s, condition(t)))
            .collect(),
    }
}

/// One payment of a contract.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Payment {
    /// When it falls due (for a refund: the last year of the guarantee), years after treatment.
    pub years: f64,
    /// Its share of the nominal price (negative for a refund).
    pub share: f64,
    /// `always`, `in_response` (due only if the patient responds then; payments before the
    /// first assessment are `always`) or `refund_if_response_lost_by_then` (including never
    /// responding by the first assessment).
    pub condition: &'static str,
}

/// One kind of patient under a scheme.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PatientOutcome {
    /// Share of patients.
    pub probability: f64,
    /// Present value paid per unit of nominal price, at the payer's rate.
    pub payer: f64,
    /// Present value received per unit of nominal price, at the maker's rate.
    pub maker: f64,
    /// Every payment made and nothing refunded.
    pub in_full: bool,
}

/// Per-patient outcomes of a scheme, by when response ends. `None` when R rises anywhere the
/// scheme looks from the first assessment on, so that patients' paths cannot be read from the
/// cohort.
pub fn per_patient(
    scheme: Scheme,
    spec: &PaymentSpec,
    response: Curve<'_>,
    payer_rate: f64,
    maker_rate: f64,
) -> Option<Vec<PatientOutcome>> {
    // The times the scheme looks at from the first assessment on, and the whole years between.
    let a = spec.response_assessed_years;
    let mut grid: Vec<f64> = std::iter::once(a)
        .chain((0..=spec.trace_years()).map(|t| t as f64))
        .collect();
    if scheme == Scheme::AtResult {
        grid.extend(spec.milestones.iter().map(|m| m.0));
    }
    grid.retain(|&t| t >= a);
    grid.sort_by(f64::total_cmp);
    grid.dedup();
    let r: Vec<f64> = grid.iter().map(|&t| response.at(t)).collect();
    if r.windows(2).any(|w| w[1] > w[0] + 1e-12) {
        return None;
    }
    // A patient's response ends at grid point i (not responding there, responding at i - 1);
    // `grid.len()` means still responding at the last point.
    let mut outcomes = Vec::with_capacity(grid.len() + 1);
    for end in 0..=grid.len() {
        let p = match end {
            0 => 1.0 - r[0],
            e if e == grid.len() => r[e - 1],
            e => r[e - 1] - r[e],
        };
        // Payments before the first assessment are due for everyone.
        let responds_at = |t: f64| !conditional(spec, t) || end == grid.len() || t < grid[end];
        let mut flows: Vec<(f64, f64)> = Vec::new();
        let n = spec.instalment_years.max(1);
        let in_full = match scheme {
            Scheme::UpFront => {
                flows.push((0.0, 1.0));
                true
            }
            Scheme::Instalments => {
                flows.extend((0..n).map(|t| (f64::from(t), 1.0 / f64::from(n))));
                true
            }
            Scheme::OutcomeInstalments => {
                flows.extend(
                    (0..n)
                        .map(f64::from)
                        .filter(|&t| responds_at(t))
                        .map(|t| (t, 1.0 / f64::from(n))),
                );
                flows.len() == n as usize
            }
            Scheme::Refund => {
                flows.push((0.0, 1.0));
                // Response that ends at a grid point up to the guarantee's last year is refunded
                // then (never responding: at the first assessment, the first grid point); later
                // losses are not.
                if end < grid.len() && grid[end] <= f64::from(spec.refund_years) {
                    flows.push((grid[end], -spec.refund_share));
                }
                flows.len() == 1
            }
            Scheme::AtResult => {
                flows.extend(spec.milestones.iter().filter(|m| responds_at(m.0)).copied());
                flows.len() == spec.milestones.len()
            }
        };
        outcomes.push(PatientOutcome {
            probability: p.max(0.0),
            payer: present_value(&flows, payer_rate),
            maker: present_value(&flows, maker_rate),
            in_full,
        });
    }
    Some(outcomes)
}

/// The `q`-quantile of a discrete distribution of (probability, value) pairs.
fn weighted_quantile(mut points: Vec<(f64, f64)>, q: f64) -> f64 {
    points.sort_by(|a, b| a.1.total_cmp(&b.1));
    let total: f64 = points.iter().map(|p| p.0).sum();
    let mut seen = 0.0;
    for &(p, x) in &points {
        seen += p;
        if seen >= q * total - 1e-12 {
            return x;
        }
    }
    points.last().map_or(f64::NAN, |p| p.1)
}

/// The spread of per-patient outcomes at the base case.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PerPatient {
    /// Share of patients for whom every payment is made (and nothing refunded).
    pub paid_in_full: f64,
    /// Present value the payer pays per patient: 10%, 50% and 90% of patients pay at most this.
    pub payer: [f64; 3],
    /// Present value the maker receives per patient, at the maker's rate.
    pub maker: [f64; 3],
}

/// One scheme's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchemeReport {
    /// The scheme.
    pub scheme: Scheme,
    /// The nominal price (every payment made) that makes the payer's expected cost equal the
    /// target price at the base case.
    pub nominal_price: f64,
    /// The payments, in yen at that nominal price.
    pub payments: Vec<Payment>,
    /// The payer's expected present cost per patient per yen of nominal price, at the base case.
    pub payer_factor: f64,
    /// The maker's expected present receipts per patient at the maker's rate, at the base case.
    pub maker_expected_receipts: f64,
    /// Over draws, the payer's expected present cost per patient with the contract fixed at the
    /// base case's nominal price.
    pub payer_cost: Option<Spread>,
    /// Share of draws in which that cost exceeds the draw's own value-based price.
    pub probability_above_value: Option<f64>,
    /// Per-patient spread at the base case (absent where response can return).
    pub per_patient: Option<PerPatient>,
}

/// The `[payments]` results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PaymentsReport {
    /// The method whose base-case price is the target (absent for a given price).
    pub target_method: Option<Method>,
    /// The target price per treated patient, yen.
    pub target_price: f64,
    /// The payer's discount rate (the scenario's cost rate).
    pub payer_discount_rate: f64,
    /// The maker's discount rate.
    pub maker_discount_rate: f64,
    /// The response states, by id.
    pub response_states: Vec<String>,
    /// The share responding at each whole year after treatment, base case.
    pub response: Vec<f64>,
    /// Years after treatment at which response is first assessed.
    pub response_assessed_years: f64,
    /// One entry per scheme, in [`Scheme::ALL`] order.
    pub schemes: Vec<SchemeReport>,
}

/// What the per-draw part of the payments report needs from each draw.
#[derive(Debug, Clone, Copy)]
pub struct DrawView<'a> {
    /// The draw's share responding at each of [`PaymentSpec::response_times`].
    pub response: &'a [f64],
    /// The draw's value-based price.
    pub value_price: f64,
}

impl PaymentsReport {
    /// Builds the report: the contract of each scheme is fixed at the base case, then each
    /// draw says what it costs.
    pub fn new(
        spec: &PaymentSpec,
        response_ids: Vec<String>,
        target_price: f64,
        payer_rate: f64,
        base_response: &[f64],
        draws: Option<&[DrawView<'_>]>,
    ) -> PaymentsReport {
        let maker_rate = spec.maker_discount_rate.unwrap_or(payer_rate);
        let times = spec.response_times();
        let base = Curve {
            times: &times,
            response: base_response,
        };
        let schemes = Scheme::ALL
            .into_iter()
            .map(|k| {
                let flows = cash_flows(k, spec, base);
                let payer_factor = present_value(&flows, payer_rate);
                // With nothing expected to be paid there is no nominal price that matches.
                let nominal_price = if payer_factor > 0.0 {
                    target_price / payer_factor
                } else {
                    f64::NAN
                };
                let payments = schedule(k, spec)
                    .into_iter()
                    .map(|p| Payment {
                        share: p.share * nominal_price,
                        ..p
                    })
                    .collect();
                let maker_expected_receipts = nominal_price * present_value(&flows, maker_rate);
                let (payer_cost, probability_above_value) = match draws {
                    Some(d) if !d.is_empty() => {
                        let mut costs: Vec<f64> = d
                            .iter()
                            .map(|v| {
                                nominal_price
                                    * present_value(
                                        &cash_flows(
                                            k,
                                            spec,
                                            Curve {
                                                times: &times,
                                                response: v.response,
                                            },
                                        ),
                                        payer_rate,
                                    )
                            })
                            .collect();
                        let above = costs
                            .iter()
                            .zip(d)
                            .filter(|(c, v)| **c > v.value_price)
                            .count() as f64
                            / d.len() as f64;
                        (Some(Spread::of(&mut costs)), Some(above))
                    }
                    _ => (None, None),
                };
                let per_patient = per_patient(k, spec, base, payer_rate, maker_rate).map(|o| {
                    let q = |value: &dyn Fn(&PatientOutcome) -> f64| {
                        let points: Vec<(f64, f64)> = o
                            .iter()
                            .map(|x| (x.probability, value(x) * nominal_price))
                            .collect();
                        [0.1, 0.5, 0.9].map(|q| weighted_quantile(points.clone(), q))
                    };
                    PerPatient {
                        paid_in_full: o.iter().filter(|x| x.in_full).map(|x| x.probability).sum(),
                        payer: q(&|x| x.payer),
                        maker: q(&|x| x.maker),
                    }
                });
                SchemeReport {
                    scheme: k,
                    nominal_price,
                    payments,
                    payer_factor,
                    maker_expected_receipts,
                    payer_cost,
                    probability_above_value,
                    per_patient,
                }
            })
            .collect();
        PaymentsReport {
            target_method: match spec.price {
                PriceBasis::Method(m) => Some(m),
                PriceBasis::Fixed(_) => None,
            },
            target_price,
            payer_discount_rate: payer_rate,
            maker_discount_rate: maker_rate,
            response_states: response_ids,
            response: (0..=spec.trace_years())
                .map(|t| base.at(t as f64))
                .collect(),
            response_assessed_years: spec.response_assessed_years,
            schemes,
        }
    }
}
