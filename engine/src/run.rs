//! Running a scenario: the deterministic base case and the probabilistic sensitivity analysis
//! (PSA), both through the same compiled model.
//!
//! The PSA splits draws into blocks (1,024 by default) evaluated in parallel when the `parallel`
//! feature is on. Every draw depends only on `(seed, draw index)`, each block writes its draws'
//! results into its own slice of the output, and the mean occupancy trace is summed in fixed
//! point (exact integer arithmetic, so the order of addition cannot matter). Results are
//! therefore identical to the last bit for any thread count and any block size.

use std::fmt;

use crate::error::{DrawError, Loc};
use crate::model::kernel::LANES;
use crate::model::{CostSplit, Model, OCCUPANCY_SCALE, Occupancy, Outcome, Workspace};
use crate::sampling::Sampler;
use crate::scenario::Scenario;
use crate::supply::{self, SupplyOutcome};

/// Settings of a probabilistic run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOptions {
    /// Seed of every random stream.
    pub seed: u64,
    /// Number of draws.
    pub draws: usize,
    /// Worker threads (None: one per core). Ignored without the `parallel` feature.
    pub threads: Option<usize>,
    /// Draws per unit of parallel work; does not change results.
    pub block_size: usize,
    /// Keep every draw's parameter and derived values (needed for `draws.csv` and for
    /// analyses of parameter uncertainty).
    pub keep_parameters: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            seed: 20_240_601,
            draws: 10_000,
            threads: None,
            block_size: 1024,
            keep_parameters: false,
        }
    }
}

/// Why a run could not finish.
#[derive(Debug, Clone, PartialEq)]
pub enum RunError {
    /// The base case's own values break a rule of the model.
    BaseCase {
        /// The scenario file.
        file: String,
        /// What is wrong.
        error: DrawError,
    },
    /// A probabilistic draw breaks a rule of the model.
    Draw {
        /// The scenario file.
        file: String,
        /// Which draw (0-based).
        draw: usize,
        /// Its parameter values, by name.
        values: Vec<(String, f64)>,
        /// What is wrong.
        error: DrawError,
    },
    /// Options that make no sense (zero draws, zero threads).
    Options(String),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = |f: &mut fmt::Formatter<'_>, file: &str, loc: &Loc| {
            write!(f, "{file}:{}:{}: ", loc.line, loc.column)
        };
        match self {
            RunError::BaseCase { file, error } => {
                at(f, file, &error.loc)?;
                write!(f, "in the base case, {}", error.message)
            }
            RunError::Draw {
                file,
                draw,
                values,
                error,
            } => {
                at(f, file, &error.loc)?;
                write!(
                    f,
                    "in probabilistic draw {draw}, {}; the draw's parameters: ",
                    error.message
                )?;
                let shown: Vec<String> = values.iter().map(|(n, v)| format!("{n} = {v}")).collect();
                write!(
                    f,
                    "{}; give the distributions narrower ranges or bounds that keep every draw valid",
                    shown.join(", ")
                )
            }
            RunError::Options(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for RunError {}

/// The model's result for one set of parameter values.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Parameter and derived values, by slot.
    pub slots: Vec<f64>,
    /// Outcome per arm.
    pub arms: Vec<Outcome>,
    /// Discounted costs by cost item ([`Model::cost_items`]) per arm, ordered arm, item.
    pub item_costs: Vec<f64>,
    /// The intervention's costs against the comparator's, item by item: added costs and
    /// offsets.
    pub cost_split: CostSplit,
    /// Occupancy at each whole year, ordered arm, state, year.
    pub occupancy: Vec<f64>,
    /// What supply costs and does, when the scenario has a `[supply]` block.
    pub supply: Option<SupplyOutcome>,
    /// The payment extras (`[payments]` or `[budget]`), when the scenario has them.
    pub payment: Option<PaymentDraw>,
    /// Each variant's result on the same parameter values, in `[[variants]]` order.
    pub variants: Vec<VariantOutcome>,
}

/// A variant's result for one draw: what the pricing methods need.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct VariantOutcome {
    /// Incremental QALYs of the intervention over the comparator.
    pub delta_qalys: f64,
    /// Incremental costs (excluding the price).
    pub delta_costs: f64,
    /// Cost offsets: over cost items on which the intervention spends less than the
    /// comparator, the sum of the differences (positive).
    pub cost_offsets: f64,
    /// The supply model's mean relative effect of the products given (1 without supply).
    pub relative_effect: f64,
    /// What supply costs and does under the variant (scenarios with `[supply]`), so that a
    /// variant flipping a lever shows its effect even where the value-based price cannot move.
    pub supply: Option<VariantSupply>,
}

/// The supply figures a variant reports.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct VariantSupply {
    /// Cost per treated patient, yen.
    pub cost_per_treated: f64,
    /// Share of patients starting the process who are never treated.
    pub never_treated: f64,
    /// Expected days from collection (or order) to treatment.
    pub time_to_treatment_days: f64,
}

/// What the payment schemes and the budget need from one draw.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PaymentDraw {
    /// Share of treated patients in a response state at each time of
    /// [`crate::scenario::payments::PaymentSpec::response_times`].
    pub response: Vec<f64>,
    /// (prevalent, incident) patients, when the scenario has a `[budget]`.
    pub patients: Option<[f64; 2]>,
}

/// Per-draw results of a probabilistic run.
#[derive(Debug, Clone, PartialEq)]
pub struct Psa {
    /// Seed used.
    pub seed: u64,
    /// Number of draws.
    pub draws: usize,
    /// Number of arms.
    pub arms: usize,
    /// Outcomes, draw-major: draw d, arm a at `d * arms + a`.
    pub outcomes: Vec<Outcome>,
    /// Each draw's cost offsets of the intervention against the comparator (see
    /// [`CostSplit`]; the added costs are the incremental costs plus the offsets).
    pub cost_offsets: Vec<f64>,
    /// Slot values per draw (`draws * slot_count`), when kept.
    pub parameters: Option<Vec<f64>>,
    /// Slots per draw.
    pub slot_count: usize,
    /// Mean occupancy over draws, ordered arm, state, year.
    pub occupancy_mean: Vec<f64>,
    /// Each draw's supply outcome, when the scenario has a `[supply]` block.
    pub supply: Option<Vec<SupplyOutcome>>,
    /// Each draw's payment extras, when the scenario has `[payments]` or `[budget]`.
    pub payment: Option<Vec<PaymentDraw>>,
    /// Each draw's variant results, draw-major: draw d, variant v at `d * variants + v`.
    pub variants: Vec<VariantOutcome>,
}

impl Psa {
    /// One arm's values of one measure, in draw order.
    pub fn arm_values(&self, arm: usize, measure: impl Fn(&Outcome) -> f64) -> Vec<f64> {
        self.outcomes
            .iter()
            .skip(arm)
            .step_by(self.arms)
            .map(measure)
            .collect()
    }
}

/// A zeroed vector for `per_draw` values of each of `draws` draws, or an error that says how
/// much memory was asked for, rather than an abort when the request is too large.
fn allocate<T: Default + Clone>(
    draws: usize,
    per_draw: usize,
    what: &str,
) -> Result<Vec<T>, RunError> {
    let too_many = || {
        let bytes = draws as f64 * per_draw as f64 * std::mem::size_of::<T>() as f64;
        RunError::Options(format!(
            "{draws} draws need {:.1} GB for their {what}, more than this machine can give; use fewer draws",
            bytes / 1e9
        ))
    };
    let n = draws.checked_mul(per_draw).ok_or_else(too_many)?;
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| too_many())?;
    v.resize(n, T::default());
    Ok(v)
}

/// The supply outcome of one draw of `sc` from its slot values and arm outcomes.
fn supply_of(
    sc: &Scenario,
    slots: &[f64],
    arms: &[Outcome],
) -> Result<Option<SupplyOutcome>, DrawError> {
    let Some(spec) = &sc.supply else {
        return Ok(None);
    };
    let inputs = spec.inputs(slots)?;
    Ok(Some(supply::evaluate(
        &inputs,
        Outcome::incremental(sc, arms).qalys,
        sc.settings.discount_rate_costs,
    )))
}

/// One block's share of every per-draw output.
struct BlockOutputs<'w> {
    /// Outcomes, `arms` per draw.
    outcomes: &'w mut [Outcome],
    /// Cost offsets, one per draw.
    cost_offsets: &'w mut [f64],
    /// Slot values per draw (empty when not kept).
    parameters: &'w mut [f64],
    /// Supply outcomes (empty without `[supply]`).
    supply: &'w mut [SupplyOutcome],
    /// Payment extras (empty without `[payments]`).
    payment: &'w mut [PaymentDraw],
    /// Variant results, `variants` per draw.
    variants: &'w mut [VariantOutcome],
}

/// A scenario ready to run: the compiled model and the sampling plan.
#[derive(Debug, Clone)]
pub struct Analysis<'a> {
    scenario: &'a Scenario,
    model: Model,
    sampler: Sampler,
    /// Per variant that changes settings or levers: its scenario and compiled model.
    variant_runs: Vec<Option<(Scenario, Model)>>,
}

/// The scenarios and models of variants that change settings or levers.
fn variant_runs(sc: &Scenario) -> Vec<Option<(Scenario, Model)>> {
    sc.variants
        .iter()
        .map(|v| {
            v.scenario(sc).map(|s| {
                let m = Model::new(&s);
                (s, m)
            })
        })
        .collect()
}

impl<'a> Analysis<'a> {
    /// Compiles the model and plans the sampling.
    pub fn new(scenario: &'a Scenario) -> Self {
        Analysis {
            scenario,
            model: Model::new(scenario),
            sampler: Sampler::new(scenario),
            variant_runs: variant_runs(scenario),
        }
    }

    /// The same with a given compiled model (e.g. a specific instruction set).
    pub fn with_model(scenario: &'a Scenario, model: Model) -> Self {
        Analysis {
            scenario,
            model,
            sampler: Sampler::new(scenario),
            variant_runs: variant_runs(scenario),
        }
    }

    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        self.scenario
    }

    /// The compiled model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Evaluates the model at given parameter values (derived quantities are computed here).
    pub fn evaluate(&self, parameters: &[f64]) -> Result<Evaluation, DrawError> {
        let mut slots = parameters[..self.scenario.parameters.len()].to_vec();
        slots.resize(self.scenario.slot_count(), 0.0);
        self.scenario.evaluate_derived(&mut slots);
        let mut ws = self.model.workspace();
        let mut arms = vec![Outcome::default(); self.model.arms()];
        let mut occupancy = vec![0.0; self.model.occupancy_len()];
        self.model
            .evaluate_block(
                &mut ws,
                &slots,
                1,
                &mut arms,
                Occupancy::PerDraw(&mut occupancy),
            )
            .map_err(|(_, e)| e)?;
        let n_items = self.model.cost_items().len();
        let mut item_costs = vec![0.0; arms.len() * n_items];
        for (a, out) in item_costs.chunks_mut(n_items.max(1)).enumerate() {
            self.model.item_costs(&ws, 0, a, out);
        }
        let cost_split = self.model.cost_split(
            &mut ws,
            0,
            self.scenario.intervention,
            self.scenario.comparator,
        );
        let supply = self.supply(&slots, &arms)?;
        if self.scenario.pricing.varies() {
            self.scenario.pricing.at(&slots)?;
        }
        let payment = self.payment(&slots, self.model.response(&ws, 0))?;
        let mut variants = vec![VariantOutcome::default(); self.scenario.variants.len()];
        self.variants(&mut ws, &slots, 1, &mut variants)
            .map_err(|(_, e)| e)?;
        Ok(Evaluation {
            slots,
            arms,
            item_costs,
            cost_split,
            occupancy,
            supply,
            payment,
            variants,
        })
    }

    /// Evaluates every variant on `n` draws' slots (draw-major), writing `n * variants`
    /// results (draw-major).
    fn variants(
        &self,
        ws: &mut Workspace,
        slots: &[f64],
        n: usize,
        out: &mut [VariantOutcome],
    ) -> Result<(), (usize, DrawError)> {
        let nv = self.scenario.variants.len();
        if nv == 0 {
            return Ok(());
        }
        let sc = self.scenario.slot_count();
        let arms = self.model.arms();
        let mut vslots = vec![0.0; n * sc];
        let mut vout = vec![Outcome::default(); n * arms];
        for (k, variant) in self.scenario.variants.iter().enumerate() {
            let in_variant = |e: DrawError| DrawError {
                message: format!("in variant `{}`: {}", variant.id, e.message),
                loc: e.loc,
            };
            // A variant with its own settings or levers runs its own scenario and model.
            let (vsc, model, mut own_ws) = match &self.variant_runs[k] {
                Some((s, m)) => (s, m, Some(m.workspace())),
                None => (self.scenario, &self.model, None),
            };
            let ws = own_ws.as_mut().unwrap_or(&mut *ws);
            for lane in 0..n {
                let to = &mut vslots[lane * sc..(lane + 1) * sc];
                variant.apply(&slots[lane * sc..(lane + 1) * sc], to);
                vsc.evaluate_derived(to);
            }
            model
                .evaluate_block(ws, &vslots, n, &mut vout, Occupancy::Skip)
                .map_err(|(lane, e)| (lane, in_variant(e)))?;
            for lane in 0..n {
                let split = model.cost_split(ws, lane, vsc.intervention, vsc.comparator);
                let o = &vout[lane * arms..(lane + 1) * arms];
                let s = &vslots[lane * sc..(lane + 1) * sc];
                let supply = supply_of(vsc, s, o).map_err(|e| (lane, in_variant(e)))?;
                let inc = Outcome::incremental(vsc, o);
                out[lane * nv + k] = VariantOutcome {
                    delta_qalys: inc.qalys,
                    delta_costs: inc.costs,
                    cost_offsets: split.offsets,
                    relative_effect: supply.as_ref().map_or(1.0, |s| s.mean_relative_effect),
                    supply: supply.map(|s| VariantSupply {
                        cost_per_treated: s.costs.total(),
                        never_treated: s.never_treated,
                        time_to_treatment_days: s.time_to_treatment_days,
                    }),
                };
            }
        }
        Ok(())
    }

    /// The payment extras of one draw from its slot values and response curve.
    fn payment(&self, slots: &[f64], response: Vec<f64>) -> Result<Option<PaymentDraw>, DrawError> {
        if self.scenario.payments.is_none() {
            return Ok(None);
        }
        let patients = match &self.scenario.budget {
            Some(b) => Some(b.patients(slots)?),
            None => None,
        };
        Ok(Some(PaymentDraw { response, patients }))
    }

    /// The supply outcome of one draw from its slot values and arm outcomes.
    fn supply(&self, slots: &[f64], arms: &[Outcome]) -> Result<Option<SupplyOutcome>, DrawError> {
        supply_of(self.scenario, slots, arms)
    }

    /// The deterministic base case: every parameter at its base-case value.
    pub fn base_case(&self) -> Result<Evaluation, RunError> {
        let base: Vec<f64> = self.scenario.parameters.iter().map(|p| p.base).collect();
        self.evaluate(&base).map_err(|error| RunError::BaseCase {
            file: self.scenario.file.clone(),
            error,
        })
    }

    /// The probabilistic analysis. `progress` is called with the number of draws finished by
    /// each block, from whichever thread finished it.
    pub fn psa(
        &self,
        opts: &RunOptions,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Psa, RunError> {
        self.psa_from(0, opts, progress)
    }

    /// The probabilistic analysis of draws `first..first + opts.draws` alone: since every draw
    /// depends only on `(seed, draw index)`, runs over adjacent ranges, put end to end, give
    /// the per-draw results of one run over their union, to the last bit (the calculator splits
    /// a request across browser workers this way). The occupancy mean is over the range's own
    /// draws.
    pub fn psa_from(
        &self,
        first: usize,
        opts: &RunOptions,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Psa, RunError> {
        if opts.draws == 0 {
            return Err(RunError::Options(
                "the number of draws must be at least 1".into(),
            ));
        }
        if opts.block_size == 0 {
            return Err(RunError::Options(
                "the block size must be at least 1".into(),
            ));
        }
        if opts.threads == Some(0) {
            return Err(RunError::Options(
                "the number of threads must be at least 1".into(),
            ));
        }
        #[cfg(feature = "parallel")]
        if let Some(t) = opts.threads {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .map_err(|e| RunError::Options(format!("cannot start {t} threads: {e}")))?;
            return pool.install(|| self.psa_in_pool(first, opts, progress));
        }
        self.psa_in_pool(first, opts, progress)
    }

    fn psa_in_pool(
        &self,
        first: usize,
        opts: &RunOptions,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Psa, RunError> {
        let arms = self.model.arms();
        let slot_count = self.scenario.slot_count();
        let bs = opts.block_size;
        // Official pricing inputs given as expressions are read from each draw's slot values
        // by the report, so a scenario with them keeps its parameters.
        let keep_parameters = opts.keep_parameters || self.scenario.pricing.varies();
        let mut outcomes = allocate(opts.draws, arms, "results")?;
        let mut cost_offsets = allocate(opts.draws, 1, "results")?;
        let mut parameters = if keep_parameters {
            allocate(opts.draws, slot_count, "parameter values")?
        } else {
            Vec::new()
        };
        // (A scenario without parameters keeps nothing: chunks of zero length are not allowed.)
        let mut param_chunks: Vec<&mut [f64]> = if keep_parameters && slot_count > 0 {
            parameters.chunks_mut(bs * slot_count).collect()
        } else {
            Vec::new()
        };
        param_chunks.resize_with(opts.draws.div_ceil(bs), || &mut []);
        let mut supply = if self.scenario.supply.is_some() {
            allocate(opts.draws, 1, "supply results")?
        } else {
            Vec::new()
        };
        let mut supply_chunks: Vec<&mut [SupplyOutcome]> = if supply.is_empty() {
            Vec::new()
        } else {
            supply.chunks_mut(bs).collect()
        };
        supply_chunks.resize_with(opts.draws.div_ceil(bs), || &mut []);
        let mut payment: Vec<PaymentDraw> = if self.scenario.payments.is_some() {
            allocate(opts.draws, 1, "payment results")?
        } else {
            Vec::new()
        };
        let mut payment_chunks: Vec<&mut [PaymentDraw]> = if payment.is_empty() {
            Vec::new()
        } else {
            payment.chunks_mut(bs).collect()
        };
        payment_chunks.resize_with(opts.draws.div_ceil(bs), || &mut []);
        let nvar = self.scenario.variants.len();
        let mut variants: Vec<VariantOutcome> = allocate(opts.draws, nvar, "variant results")?;
        let mut variant_chunks: Vec<&mut [VariantOutcome]> = if nvar == 0 {
            Vec::new()
        } else {
            variants.chunks_mut(bs * nvar).collect()
        };
        variant_chunks.resize_with(opts.draws.div_ceil(bs), || &mut []);
        let work: Vec<(usize, BlockOutputs)> = outcomes
            .chunks_mut(bs * arms)
            .zip(cost_offsets.chunks_mut(bs))
            .zip(param_chunks)
            .zip(supply_chunks)
            .zip(payment_chunks)
            .zip(variant_chunks)
            .map(
                |(((((outcomes, cost_offsets), parameters), supply), payment), variants)| {
                    BlockOutputs {
                        outcomes,
                        cost_offsets,
                        parameters,
                        supply,
                        payment,
                        variants,
                    }
                },
            )
            .enumerate()
            .collect();
        let run = |(b, out): (usize, BlockOutputs)| {
            let n = out.outcomes.len() / arms;
            let r = self.block(opts.seed, first + b * bs, out);
            progress(n);
            r
        };
        #[cfg(feature = "parallel")]
        let sums: Vec<Result<Vec<i128>, RunError>> = {
            use rayon::prelude::*;
            work.into_par_iter().map(run).collect()
        };
        #[cfg(not(feature = "parallel"))]
        let sums: Vec<Result<Vec<i128>, RunError>> = work.into_iter().map(run).collect();
        let mut total = vec![0i128; self.model.occupancy_len()];
        for s in sums {
            for (t, x) in total.iter_mut().zip(s?) {
                *t += x;
            }
        }
        let occupancy_mean = total
            .iter()
            .map(|&t| t as f64 / OCCUPANCY_SCALE / opts.draws as f64)
            .collect();
        Ok(Psa {
            seed: opts.seed,
            draws: opts.draws,
            arms,
            outcomes,
            cost_offsets,
            parameters: keep_parameters.then_some(parameters),
            slot_count,
            occupancy_mean,
            supply: self.scenario.supply.is_some().then_some(supply),
            payment: self.scenario.payments.is_some().then_some(payment),
            variants,
        })
    }

    /// Evaluates the draws `first..first + out.len() / arms`, writing outcomes (and slot values
    /// when `params` is not empty); returns the block's fixed-point occupancy sums.
    fn block(&self, seed: u64, first: usize, o: BlockOutputs) -> Result<Vec<i128>, RunError> {
        let BlockOutputs {
            outcomes: out,
            cost_offsets,
            parameters: params,
            supply,
            payment,
            variants,
        } = o;
        let nvar = self.scenario.variants.len();
        let arms = self.model.arms();
        let sc = self.scenario.slot_count();
        let n_draws = out.len() / arms;
        let occ_len = self.model.occupancy_len();
        let mut ws = self.model.workspace();
        let mut slots = vec![0.0; LANES * sc];
        let mut sums = vec![0i128; occ_len];
        let (i, c) = (self.scenario.intervention, self.scenario.comparator);
        for start in (0..n_draws).step_by(LANES) {
            let n = LANES.min(n_draws - start);
            for lane in 0..n {
                let s = &mut slots[lane * sc..(lane + 1) * sc];
                self.sampler.draw(seed, (first + start + lane) as u64, s);
                self.scenario.evaluate_derived(s);
            }
            let result = self.model.evaluate_block(
                &mut ws,
                &slots[..n * sc],
                n,
                &mut out[start * arms..(start + n) * arms],
                Occupancy::Sum(&mut sums),
            );
            let result = result.and_then(|()| {
                for lane in 0..n {
                    let s = &slots[lane * sc..(lane + 1) * sc];
                    // An official input outside what the rules allow is this draw's error.
                    if self.scenario.pricing.varies() {
                        self.scenario.pricing.at(s).map_err(|e| (lane, e))?;
                    }
                    cost_offsets[start + lane] = self.model.cost_split(&mut ws, lane, i, c).offsets;
                    if !supply.is_empty() {
                        let o = &out[(start + lane) * arms..(start + lane + 1) * arms];
                        supply[start + lane] = self
                            .supply(s, o)
                            .map_err(|e| (lane, e))?
                            .unwrap_or_default();
                    }
                    if !payment.is_empty() {
                        payment[start + lane] = self
                            .payment(s, self.model.response(&ws, lane))
                            .map_err(|e| (lane, e))?
                            .unwrap_or_default();
                    }
                }
                self.variants(
                    &mut ws,
                    &slots[..n * sc],
                    n,
                    &mut variants[start * nvar..(start + n) * nvar],
                )
            });
            if let Err((lane, error)) = result {
                let s = &slots[lane * sc..(lane + 1) * sc];
                let values = (0..self.scenario.parameters.len())
                    .filter(|&i| self.sampler_varies(i))
                    .map(|i| (self.scenario.slot_name(i).to_string(), s[i]))
                    .collect();
                return Err(RunError::Draw {
                    file: self.scenario.file.clone(),
                    draw: first + start + lane,
                    values,
                    error,
                });
            }
            if !params.is_empty() {
                params[start * sc..(start + n) * sc].copy_from_slice(&slots[..n * sc]);
            }
        }
        Ok(sums)
    }

    fn sampler_varies(&self, slot: usize) -> bool {
        !matches!(
            self.scenario.parameters[slot].distribution,
            crate::distribution::Distribution::Fixed { .. }
        ) || self.scenario.parameters[slot].dirichlet.is_some()
    }
}
