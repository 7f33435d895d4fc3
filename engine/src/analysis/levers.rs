//! What each policy lever of the 2023 proposal changes: for every lever, the scenario is
//! evaluated with the lever flipped and compared with the scenario as written, draw by draw.
//!
//! The levers act on supply only (re-testing, OOS supply, centre accreditation, pricing in the
//! post-approval burden), not on the cohort model, so flipping one re-evaluates each draw's
//! supply from the same parameter values and health outcomes: the comparison is paired (common
//! random numbers), and its interval is that of the difference itself.

use serde::Serialize;

use crate::error::DrawError;
use crate::model::Outcome;
use crate::pricing::methods::official_calculations;
use crate::pricing::value::threshold_price;
use crate::run::{Evaluation, Psa};
use crate::scenario::Scenario;
use crate::scenario::supply::{LEVERS, Levers, SupplySpec};
use crate::summary::{Estimate, summarise_in_place};
use crate::supply::{self, SupplyOutcome};

/// What flipping one lever changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeverEffect {
    /// The lever's name in `[levers]`.
    pub lever: &'static str,
    /// Its setting in the scenario.
    pub from: bool,
    /// The setting compared with it.
    pub to: bool,
    /// Change in cost per treated patient, yen.
    pub cost_per_treated: Estimate,
    /// Change in the share of patients never treated.
    pub never_treated: Estimate,
    /// Change in the expected days to treatment.
    pub time_to_treatment_days: Estimate,
    /// Change in the threshold price per treatment at each willingness to pay.
    pub threshold_price_per_treatment: Vec<(f64, Estimate)>,
    /// Change in the official cost-accounting price (yen), which prices the supply model's
    /// product cost: a lever that lowers what making, testing and delivering costs lowers
    /// this price too. Absent where the scenario has no cost-accounting calculation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_accounting_price: Option<Estimate>,
}

/// One draw's supply outcome under `levers`.
fn outcome(
    spec: &SupplySpec,
    levers: Levers,
    slots: &[f64],
    dq: f64,
    discount_rate: f64,
) -> Result<SupplyOutcome, DrawError> {
    let mut inputs = spec.inputs(slots)?;
    inputs.levers = levers;
    Ok(supply::evaluate(&inputs, dq, discount_rate))
}

/// The effect of flipping each lever, at the base case and (when `psa` kept its parameter
/// values) over the draws. A scenario without `[supply]` has no levers: the list is empty.
pub fn lever_effects(
    sc: &Scenario,
    base: &Evaluation,
    psa: Option<&Psa>,
) -> Result<Vec<LeverEffect>, DrawError> {
    let Some(spec) = &sc.supply else {
        return Ok(Vec::new());
    };
    let rate = sc.settings.discount_rate_costs;
    let inc = |o: &[Outcome]| {
        let inc = Outcome::incremental(sc, o);
        (inc.qalys, inc.costs)
    };
    let (bq, bc) = inc(&base.arms);
    let mut effects = Vec::new();
    for lever in &LEVERS {
        let from = (lever.get)(&spec.levers);
        let mut flipped = spec.levers;
        (lever.set)(&mut flipped, !from);
        // Differences in: cost per treated, never treated, days to treatment, then the price
        // per treatment at each willingness to pay.
        let pair = |slots: &[f64], dq: f64, dc: f64| -> Result<Vec<f64>, DrawError> {
            let a = outcome(spec, spec.levers, slots, dq, rate)?;
            let b = outcome(spec, flipped, slots, dq, rate)?;
            let mut d = vec![
                b.costs.total() - a.costs.total(),
                b.never_treated - a.never_treated,
                b.time_to_treatment_days - a.time_to_treatment_days,
            ];
            for w in &sc.settings.wtp {
                let price =
                    |o: &SupplyOutcome| o.mean_relative_effect * threshold_price(*w, dq, dc);
                d.push(price(&b) - price(&a));
            }
            // The cost-accounting price on each setting's product cost, with this draw's
            // official inputs; NaN where the scenario has no such calculation.
            let spec = sc.pricing_at(slots);
            let cost_accounting = |o: &SupplyOutcome| {
                official_calculations(&spec, Some(o))
                    .into_iter()
                    .find(|c| c.method == "cost_accounting")
                    .map_or(f64::NAN, |c| c.price)
            };
            d.push(cost_accounting(&b) - cost_accounting(&a));
            Ok(d)
        };
        let base_d = pair(&base.slots, bq, bc)?;
        let draws_d: Option<Vec<Vec<f64>>> = match psa {
            Some(p) => match &p.parameters {
                Some(params) => Some(
                    p.outcomes
                        .chunks(p.arms)
                        .zip(params.chunks(p.slot_count.max(1)))
                        .map(|(o, s)| {
                            let (dq, dc) = inc(o);
                            pair(s, dq, dc)
                        })
                        .collect::<Result<_, _>>()?,
                ),
                None => None,
            },
            None => None,
        };
        let change = |k: usize| Estimate {
            base_case: base_d[k],
            psa: draws_d.as_ref().map(|d| {
                let mut v: Vec<f64> = d.iter().map(|x| x[k]).collect();
                summarise_in_place(&mut v)
            }),
        };
        effects.push(LeverEffect {
            lever: lever.name,
            from,
            to: !from,
            cost_per_treated: change(0),
            never_treated: change(1),
            time_to_treatment_days: change(2),
            threshold_price_per_treatment: sc
                .settings
                .wtp
                .iter()
                .enumerate()
                .map(|(k, &w)| (w, change(3 + k)))
                .collect(),
            cost_accounting_price: Some(change(3 + sc.settings.wtp.len()))
                .filter(|e| e.base_case.is_finite()),
        });
    }
    Ok(effects)
}
