//! The Markov cohort model, compiled for speed.
//!
//! [`Model::new`] turns a validated [`Scenario`] into a `kernel::Program`: a short list of
//! lane-wise operations per cycle, with everything that does not depend on the draw
//! (background hazard, time, discount weights) moved into per-cycle tables. Costs and utilities
//! are not applied inside the cycle loop: the loop only accumulates each state's occupancy
//! weighted by its discount (and time-window) weights, and values multiply those sums at the
//! end, once per draw.
//!
//! Sequence within a cycle, for each arm: background mortality first (each living state keeps
//! `exp(-hr_s M_k)`), then, among survivors, the state's own transitions. When several
//! transitions leave a state they compete: the state keeps `exp(-sum dh)` and the leavers are
//! shared in proportion to each transition's hazard increment `dh`. Time in parametric laws is
//! time since the start of the model.
//!
//! Counting: with trace points `x_0 .. x_K`, every value is `sum_j x_j w_j` where the weights
//! `w` encode the within-cycle correction, discounting and any time window; see
//! [`trace_weights`].
//!
//! Read after a block: costs by cost item ([`Model::item_costs`], [`Model::cost_split`]) from
//! the same accumulators as the totals, and, for payment schemes, the intervention's share in a
//! response state at each time they look ([`Model::response`]), from the sum of its response
//! states recorded at every trace point up to the last such time. Neither adds work to the cycle
//! loop of a scenario without payment schemes beyond one comparison per cycle.

mod compile;
pub mod fastmath;
pub mod kernel;
pub mod mortality;
mod weights;

pub use weights::trace_weights;

use compile::{Check, LaneInput, Readout};
use kernel::{Isa, LANES, Lanes, Program, Reg, Snapshots, Tables};

use crate::error::DrawError;
use crate::expr::Expr;
use crate::scenario::Scenario;

/// What one draw gives for one arm.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Outcome {
    /// Discounted costs, excluding the product's price.
    pub costs: f64,
    /// Discounted quality-adjusted life years.
    pub qalys: f64,
    /// Undiscounted life years.
    pub life_years: f64,
}

impl Outcome {
    /// The intervention's outcome minus the comparator's, from one evaluation's outcomes by arm:
    /// the one place Tenbin takes "intervention minus comparator".
    pub fn incremental(sc: &Scenario, arms: &[Outcome]) -> Outcome {
        let (i, c) = (arms[sc.intervention], arms[sc.comparator]);
        Outcome {
            costs: i.costs - c.costs,
            qalys: i.qalys - c.qalys,
            life_years: i.life_years - c.life_years,
        }
    }
}

/// How one draw's cost items divide between the intervention and the comparator: by item,
/// the intervention's cost minus the comparator's, summed separately where it is positive and
/// where it is negative.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CostSplit {
    /// The sum over items on which the intervention arm spends more: added costs.
    pub added: f64,
    /// The sum over items on which it spends less, as a positive number: cost offsets.
    pub offsets: f64,
}

impl CostSplit {
    /// The split of two arms' costs by item (the same items in the same order, from
    /// [`Model::item_costs`]).
    pub fn of(intervention: &[f64], comparator: &[f64]) -> CostSplit {
        let mut split = CostSplit::default();
        for (i, c) in intervention.iter().zip(comparator) {
            let d = i - c;
            if d > 0.0 {
                split.added += d;
            } else {
                split.offsets -= d;
            }
        }
        split
    }
}

/// A scenario compiled into the kernel's program and tables.
#[derive(Debug, Clone)]
pub struct Model {
    isa: Isa,
    dt: f64,
    tables: Tables,
    program: Program,
    values: Vec<Expr>,
    checks: Vec<Check>,
    inputs: Vec<(Reg, LaneInput)>,
    initial: Vec<(Reg, usize)>,
    readouts: Vec<Readout>,
    /// (arm, state) of each snapshot register, in `program.occupancy` order.
    snapshot_layout: Vec<(usize, usize)>,
    /// Cost items by name, over all arms.
    cost_items: Vec<String>,
    /// For each time of [`crate::scenario::payments::PaymentSpec::response_times`], the trace
    /// point at or before it and the fraction of a cycle beyond.
    response_read: Vec<(usize, f64)>,
    arms: usize,
    states: usize,
    dead: usize,
    years: usize,
}

/// Fixed-point scale of occupancy sums: each draw's share (in [0, 1]) becomes an integer
/// multiple of 2^-51, so sums are exact and independent of the order of addition.
pub const OCCUPANCY_SCALE: f64 = (1u64 << 51) as f64;

/// `x * 2^51` rounded to an integer, for `x` in about [-1, 2): adding 2^52 leaves the integer
/// in the low mantissa bits. Branch-free, so the lane loops vectorise (a saturating `as i64`
/// does not).
#[inline(always)]
fn fixed_point(x: f64) -> i64 {
    const MAGIC: f64 = (1u64 << 52) as f64;
    // x * 2^51 is exact; the addition rounds once, identically on every target.
    ((x * OCCUPANCY_SCALE + MAGIC).to_bits() as i64) - (MAGIC.to_bits() as i64)
}

/// What [`Model::evaluate_block`] does with the yearly occupancy of each draw.
#[derive(Debug)]
pub enum Occupancy<'a> {
    /// Nothing.
    Skip,
    /// Writes each draw's trace: `n * occupancy_len()` values, ordered draw, arm, state, year.
    PerDraw(&'a mut [f64]),
    /// Adds each draw's trace, in fixed point ([`OCCUPANCY_SCALE`]), to `occupancy_len()`
    /// sums ordered arm, state, year.
    Sum(&'a mut [i128]),
    /// Both: writes each draw's trace and adds it to the sums.
    Both {
        /// As [`Occupancy::PerDraw`].
        per_draw: &'a mut [f64],
        /// As [`Occupancy::Sum`].
        sums: &'a mut [i128],
    },
}

/// Scratch space for evaluating blocks of draws; one per thread.
#[derive(Debug, Clone, Default)]
pub struct Workspace {
    regs: Vec<Lanes>,
    values: Vec<f64>,
    snap: Snapshots,
    /// Two arms' costs by item, for [`Model::cost_split`].
    items: Vec<f64>,
}

impl Model {
    /// Compiles a validated scenario.
    pub fn new(sc: &Scenario) -> Model {
        Model::with_isa(sc, Isa::detect())
    }

    /// The number of arms.
    pub fn arms(&self) -> usize {
        self.arms
    }

    /// The number of yearly occupancy points per arm and state (`horizon_years + 1`).
    pub fn occupancy_points(&self) -> usize {
        self.years + 1
    }

    /// The number of values one draw's occupancy trace holds: arms x states x points.
    pub fn occupancy_len(&self) -> usize {
        self.arms * self.states * self.occupancy_points()
    }

    /// A workspace sized for this model.
    pub fn workspace(&self) -> Workspace {
        Workspace {
            regs: vec![[0.0; LANES]; self.program.registers],
            values: vec![0.0; self.values.len() * LANES],
            snap: Snapshots {
                yearly: Vec::with_capacity(self.program.occupancy.len() * (self.years + 1)),
                response: Vec::with_capacity(self.program.response_points),
            },
            items: vec![0.0; 2 * self.cost_items.len()],
        }
    }

    /// The cost items by name ([`Scenario::cost_items`]).
    pub fn cost_items(&self) -> &[String] {
        &self.cost_items
    }

    /// One draw's discounted costs by item for one arm, as [`Outcome::costs`] counts them (an
    /// item the arm does not have costs 0), written to `out` (one value per
    /// [`Model::cost_items`]). Reads the workspace as the last [`Model::evaluate_block`] on it
    /// left it: `lane` is the draw's place in that block.
    pub fn item_costs(&self, ws: &Workspace, lane: usize, arm: usize, out: &mut [f64]) {
        self.items_into(&ws.values, &ws.regs, lane, arm, out);
    }

    fn items_into(&self, values: &[f64], regs: &[Lanes], lane: usize, arm: usize, out: &mut [f64]) {
        out.fill(0.0);
        let nv = self.values.len();
        let v = &values[lane * nv..(lane + 1) * nv];
        let ro = &self.readouts[arm];
        for &(val, r, factor, item) in &ro.costs {
            out[item] += v[val] * regs[r][lane] * factor;
        }
        for &(val, item) in &ro.once_costs {
            out[item] += v[val];
        }
    }

    /// One draw's split of costs into added costs and offsets, intervention (arm `i`) against
    /// comparator (arm `c`), item by item; read as [`Model::item_costs`] reads.
    pub fn cost_split(&self, ws: &mut Workspace, lane: usize, i: usize, c: usize) -> CostSplit {
        let n = self.cost_items.len();
        let (a, b) = ws.items.split_at_mut(n);
        self.items_into(&ws.values, &ws.regs, lane, i, a);
        self.items_into(&ws.values, &ws.regs, lane, c, b);
        CostSplit::of(a, b)
    }

    /// One draw's share of the intervention arm in a response state at each time of the
    /// scenario's [`crate::scenario::payments::PaymentSpec::response_times`] (empty without
    /// payment schemes): its occupancy at the trace point of that time, or interpolated linearly
    /// between the two trace points around it. Read as [`Model::item_costs`] reads.
    pub fn response(&self, ws: &Workspace, lane: usize) -> Vec<f64> {
        let r = &ws.snap.response;
        self.response_read
            .iter()
            .map(|&(j, f)| {
                let a = r[j][lane];
                if f == 0.0 {
                    a
                } else {
                    a + f * (r[j + 1][lane] - a)
                }
            })
            .collect()
    }

    /// Evaluates up to [`LANES`] draws. `slots` holds each draw's parameter and derived values
    /// (`n * slot_count`, draw-major); `out` receives `n * arms` outcomes (draw-major);
    /// `occupancy` says what to do with the yearly occupancy traces. On a draw the model cannot
    /// use, returns that draw's lane and the reason.
    pub fn evaluate_block(
        &self,
        ws: &mut Workspace,
        slots: &[f64],
        n: usize,
        out: &mut [Outcome],
        occupancy: Occupancy<'_>,
    ) -> Result<(), (usize, DrawError)> {
        assert!((1..=LANES).contains(&n), "a block holds 1 to {LANES} draws");
        let slot_count = slots.len() / n;
        let nv = self.values.len();
        for lane in 0..n {
            let s = &slots[lane * slot_count..(lane + 1) * slot_count];
            let v = &mut ws.values[lane * nv..(lane + 1) * nv];
            for (dst, e) in v.iter_mut().zip(&self.values) {
                *dst = e.eval(s);
            }
            self.check(v).map_err(|e| (lane, e))?;
        }
        for r in ws.regs.iter_mut() {
            *r = [0.0; LANES];
        }
        for lane in 0..LANES {
            // Spare lanes repeat the first draw so that they hold valid numbers.
            let src = if lane < n { lane } else { 0 };
            let v = &ws.values[src * nv..(src + 1) * nv];
            for &(r, li) in &self.inputs {
                ws.regs[r][lane] = self.lane_input(li, v);
            }
            for &(r, vi) in &self.initial {
                ws.regs[r][lane] = v[vi];
            }
        }
        kernel::run(
            self.isa,
            &self.program,
            &self.tables,
            &mut ws.regs,
            &mut ws.snap,
        );
        let dt = self.dt;
        for lane in 0..n {
            let v = &ws.values[lane * nv..(lane + 1) * nv];
            for (ai, ro) in self.readouts.iter().enumerate() {
                let acc = |r: Reg| ws.regs[r][lane];
                let mut costs = 0.0;
                for &(val, r, factor, _) in &ro.costs {
                    costs += v[val] * acc(r) * factor;
                }
                for &(val, _) in &ro.once_costs {
                    costs += v[val];
                }
                let mut qalys = 0.0;
                for &(u, r) in &ro.qalys {
                    qalys += v[u] * acc(r) * dt;
                }
                if let Some(q) = ro.one_time_qalys {
                    qalys += v[q];
                }
                let life_years = ro.life_years.iter().map(|&r| acc(r)).sum::<f64>() * dt;
                out[lane * self.arms + ai] = Outcome {
                    costs,
                    qalys,
                    life_years,
                };
            }
        }
        let points = self.occupancy_points();
        // (At least one: validation guarantees a living starting state, and chunks(0) would panic.)
        let regs_per_point = self.program.occupancy.len().max(1);
        let (per_draw, sums) = match occupancy {
            Occupancy::Skip => (None, None),
            Occupancy::PerDraw(o) => (Some(o), None),
            Occupancy::Sum(s) => (None, Some(s)),
            Occupancy::Both { per_draw, sums } => (Some(per_draw), Some(sums)),
        };
        if let Some(occ) = per_draw {
            let per_draw = self.occupancy_len();
            for lane in 0..n {
                let o = &mut occ[lane * per_draw..(lane + 1) * per_draw];
                o.fill(0.0);
                for (y, chunk) in ws
                    .snap
                    .yearly
                    .chunks(regs_per_point)
                    .enumerate()
                    .take(points)
                {
                    for (i, &(arm, st)) in self.snapshot_layout.iter().enumerate() {
                        o[(arm * self.states + st) * points + y] = chunk[i][lane];
                    }
                    // The dead state holds whatever is not alive.
                    for arm in 0..self.arms {
                        let alive: f64 = (0..self.states)
                            .filter(|&st| st != self.dead)
                            .map(|st| o[(arm * self.states + st) * points + y])
                            .sum();
                        o[(arm * self.states + self.dead) * points + y] = 1.0 - alive;
                    }
                }
            }
        }
        if let Some(sums) = sums {
            // Each draw's share is rounded to a multiple of 2^-51 before adding, so the
            // integer sums do not depend on how draws are grouped.
            let fixed = fixed_point;
            let mut alive = vec![[0.0; LANES]; self.arms];
            for (y, chunk) in ws
                .snap
                .yearly
                .chunks(regs_per_point)
                .enumerate()
                .take(points)
            {
                alive.iter_mut().for_each(|a| *a = [0.0; LANES]);
                for (reg, &(arm, st)) in chunk.iter().zip(&self.snapshot_layout) {
                    let mut total = 0i64;
                    for l in 0..n {
                        total += fixed(reg[l]);
                        alive[arm][l] += reg[l];
                    }
                    sums[(arm * self.states + st) * points + y] += i128::from(total);
                }
                for (arm, a) in alive.iter().enumerate() {
                    let total: i64 = a[..n].iter().map(|&x| fixed(1.0 - x)).sum();
                    sums[(arm * self.states + self.dead) * points + y] += i128::from(total);
                }
            }
        }
        Ok(())
    }

    fn check(&self, v: &[f64]) -> Result<(), DrawError> {
        for c in &self.checks {
            let x = v[c.value];
            if !c.rule.holds(x) {
                return Err(DrawError {
                    message: format!("{} must be {}, got {x}", c.what, c.rule.expected()),
                    loc: c.loc,
                });
            }
        }
        for ro in &self.readouts {
            let total: f64 = ro.initial.iter().map(|&i| v[i]).sum();
            if (total - 1.0).abs() > 1e-9 {
                return Err(DrawError {
                    message: format!(
                        "initial occupancy of arm `{}` sums to {total}; expected 1",
                        ro.id
                    ),
                    loc: ro.initial_loc,
                });
            }
        }
        Ok(())
    }

    fn lane_input(&self, li: LaneInput, v: &[f64]) -> f64 {
        match li {
            LaneInput::Value(i) => v[i],
            LaneInput::ShapeLnScale { shape, scale } => v[shape] * libm::log(v[scale]),
            LaneInput::GompertzRatio { shape, rate } => {
                if v[shape] == 0.0 {
                    v[rate]
                } else {
                    v[rate] / v[shape]
                }
            }
            LaneInput::Stay(k) => k.stay(v, self.dt),
            LaneInput::Hazard(k) => k.hazard(v, self.dt),
        }
    }
}
