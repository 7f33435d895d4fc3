//! The compiler from a validated scenario to the kernel's program and tables, and the
//! descriptions it leaves in the [`Model`]: per-draw value checks, lane inputs and readouts.

use super::kernel::{Accumulate, Isa, Op, Program, Reg, Tables, Way};
use super::weights::{flow_weights, trace_weights};
use super::{Model, mortality};
use crate::error::{Loc, Located};
use crate::expr::Expr;
use crate::scenario::{CostKind, Scenario, TransitionLaw};

/// A rule a per-draw value must obey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Rule {
    Finite,
    NonNegative,
    Positive,
    Probability,
    /// Strictly below 1 (probabilities that become hazards).
    ProbabilityBelowOne,
}

impl Rule {
    pub(super) fn holds(self, x: f64) -> bool {
        match self {
            Rule::Finite => x.is_finite(),
            Rule::NonNegative => x.is_finite() && x >= 0.0,
            Rule::Positive => x.is_finite() && x > 0.0,
            Rule::Probability => (0.0..=1.0).contains(&x),
            Rule::ProbabilityBelowOne => (0.0..1.0).contains(&x),
        }
    }
    pub(super) fn expected(self) -> &'static str {
        match self {
            Rule::Finite => "a finite number",
            Rule::NonNegative => "zero or more",
            Rule::Positive => "positive",
            Rule::Probability => "a probability between 0 and 1",
            Rule::ProbabilityBelowOne => "a probability of at least 0 and below 1",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Check {
    pub(super) value: usize,
    pub(super) rule: Rule,
    pub(super) what: String,
    pub(super) loc: Loc,
}

/// How a lane input register is computed from a draw's values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum LaneInput {
    Value(usize),
    /// `shape * ln(scale)`.
    ShapeLnScale {
        shape: usize,
        scale: usize,
    },
    /// `rate / shape`, or `rate` when shape is 0 (Gompertz).
    GompertzRatio {
        shape: usize,
        rate: usize,
    },
    /// Probability of staying for one cycle.
    Stay(ConstLaw),
    /// Hazard increment over one cycle.
    Hazard(ConstLaw),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum ConstLaw {
    Cycle(usize),
    Annual(usize),
    Rate { rate: usize, hr: Option<usize> },
}

impl ConstLaw {
    pub(super) fn hazard(self, v: &[f64], dt: f64) -> f64 {
        match self {
            ConstLaw::Cycle(p) => -libm::log1p(-v[p]),
            ConstLaw::Annual(p) => -libm::log1p(-v[p]) * dt,
            ConstLaw::Rate { rate, hr } => v[rate] * hr.map_or(1.0, |h| v[h]) * dt,
        }
    }
    pub(super) fn stay(self, v: &[f64], dt: f64) -> f64 {
        match self {
            ConstLaw::Cycle(p) => 1.0 - v[p],
            _ => libm::exp(-self.hazard(v, dt)),
        }
    }
}

/// How an arm's outcome is read from the accumulators.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Readout {
    /// `costs += value * acc * factor`, and the cost item (index into `Model::cost_items`)
    /// each term belongs to.
    pub(super) costs: Vec<(usize, Reg, f64, usize)>,
    /// Once costs: value and cost item.
    pub(super) once_costs: Vec<(usize, usize)>,
    /// `qalys += utility * acc * dt`.
    pub(super) qalys: Vec<(usize, Reg)>,
    pub(super) one_time_qalys: Option<usize>,
    pub(super) life_years: Vec<Reg>,
    /// Initial occupancy values, for the check that they sum to one.
    pub(super) initial: Vec<usize>,
    pub(super) initial_loc: Loc,
    pub(super) id: String,
}

/// Builds the program; kept apart from [`Model`] so its bookkeeping does not outlive compilation.
struct Compiler<'a> {
    sc: &'a Scenario,
    values: Vec<Expr>,
    checks: Vec<Check>,
    inputs: Vec<(Reg, LaneInput)>,
    registers: usize,
    tables: Tables,
    /// Keys of deduplicated registers and tables.
    input_keys: Vec<(LaneInput, Reg)>,
    bg_keys: Vec<(usize, Reg)>,
    bg_table_keys: Vec<(u64, Reg)>,
    law_keys: Vec<(LawKey, Reg)>,
    stay_keys: Vec<(Reg, Reg)>,
    weight_keys: Vec<((u64, u64, u64), usize)>,
    flow_keys: Vec<(u64, usize)>,
    acc_keys: Vec<((Reg, usize), Reg)>,
    law_ops: Vec<Op>,
    program: Program,
}

#[derive(Debug, Clone, PartialEq)]
struct LawKey {
    kind: u8,
    params: [usize; 2],
    cure: Option<usize>,
    hr: Option<usize>,
}

impl<'a> Compiler<'a> {
    fn reg(&mut self) -> Reg {
        self.registers += 1;
        self.registers - 1
    }

    fn value(&mut self, e: &Located<Expr>, rule: Rule, what: String) -> usize {
        let idx = match self.values.iter().position(|v| *v == e.value) {
            Some(i) => i,
            None => {
                self.values.push(e.value.clone());
                self.values.len() - 1
            }
        };
        if !self.checks.iter().any(|c| c.value == idx && c.rule == rule) {
            self.checks.push(Check {
                value: idx,
                rule,
                what,
                loc: e.loc,
            });
        }
        idx
    }

    fn input(&mut self, li: LaneInput) -> Reg {
        if let Some(&(_, r)) = self.input_keys.iter().find(|(k, _)| *k == li) {
            return r;
        }
        let r = self.reg();
        self.input_keys.push((li, r));
        self.inputs.push((r, li));
        r
    }

    /// The register holding a state's background survival factor for the current cycle.
    fn background(&mut self, state: usize) -> Reg {
        let hr = &self.sc.states[state].mortality_hr;
        if let Some(c) = hr.value.constant() {
            // A fixed hazard ratio: the factor is the same for every draw, from a table.
            let key = c.to_bits();
            if let Some(&(_, r)) = self.bg_table_keys.iter().find(|(k, _)| *k == key) {
                return r;
            }
            let table = self.tables.neg_m.iter().map(|m| libm::exp(c * m)).collect();
            self.tables.scalar.push(table);
            let out = self.reg();
            self.law_ops.push(Op::Broadcast {
                table: self.tables.scalar.len() - 1,
                out,
            });
            self.bg_table_keys.push((key, out));
            return out;
        }
        let what = format!("mortality_hr of state `{}`", self.sc.states[state].id);
        let v = self.value(&hr.clone(), Rule::NonNegative, what);
        if let Some(&(_, r)) = self.bg_keys.iter().find(|(k, _)| *k == v) {
            return r;
        }
        let hr_reg = self.input(LaneInput::Value(v));
        let out = self.reg();
        self.law_ops
            .push(Op::BackgroundSurvival { hr: hr_reg, out });
        self.bg_keys.push((v, out));
        out
    }

    /// The hazard-increment register of a time-dependent law, or the constant law.
    fn law(&mut self, arm: usize, t: &crate::scenario::Transition) -> Result<Reg, ConstLaw> {
        let sc = self.sc;
        let name = format!(
            "transition {} -> {} in arm `{}`",
            sc.states[t.from].id, sc.states[t.to].id, sc.arms[arm].id
        );
        let hr = t
            .hazard_ratio
            .as_ref()
            .map(|h| self.value(h, Rule::NonNegative, format!("hazard_ratio of {name}")));
        let val = |c: &mut Self, e: &Located<Expr>, rule: Rule, key: &str| {
            c.value(e, rule, format!("{key} of {name}"))
        };
        let (kind, params) = match &t.law {
            TransitionLaw::CycleProbability(p) => {
                return Err(ConstLaw::Cycle(val(
                    self,
                    p,
                    Rule::ProbabilityBelowOne,
                    "probability",
                )));
            }
            TransitionLaw::AnnualProbability(p) => {
                return Err(ConstLaw::Annual(val(
                    self,
                    p,
                    Rule::ProbabilityBelowOne,
                    "annual_probability",
                )));
            }
            TransitionLaw::Rate(r) => {
                return Err(ConstLaw::Rate {
                    rate: val(self, r, Rule::NonNegative, "rate"),
                    hr,
                });
            }
            TransitionLaw::Exponential { rate } => (
                0u8,
                [
                    val(self, rate, Rule::NonNegative, "exponential rate"),
                    usize::MAX,
                ],
            ),
            TransitionLaw::Weibull { shape, scale } => (
                1,
                [
                    val(self, shape, Rule::Positive, "weibull shape"),
                    val(self, scale, Rule::Positive, "weibull scale"),
                ],
            ),
            TransitionLaw::Gompertz { shape, rate } => (
                2,
                [
                    val(self, shape, Rule::Finite, "gompertz shape"),
                    val(self, rate, Rule::NonNegative, "gompertz rate"),
                ],
            ),
            TransitionLaw::LogLogistic { shape, scale } => (
                3,
                [
                    val(self, shape, Rule::Positive, "loglogistic shape"),
                    val(self, scale, Rule::Positive, "loglogistic scale"),
                ],
            ),
            TransitionLaw::LogNormal { meanlog, sdlog } => (
                4,
                [
                    val(self, meanlog, Rule::Finite, "lognormal meanlog"),
                    val(self, sdlog, Rule::Positive, "lognormal sdlog"),
                ],
            ),
        };
        let cure = t
            .cure_fraction
            .as_ref()
            .map(|c| self.value(c, Rule::Probability, format!("cure_fraction of {name}")));
        let key = LawKey {
            kind,
            params,
            cure,
            hr,
        };
        if let Some((_, r)) = self.law_keys.iter().find(|(k, _)| *k == key) {
            return Ok(*r);
        }
        let h = self.reg();
        let op = match kind {
            0 => Op::ExponentialH {
                rate: self.input(LaneInput::Value(params[0])),
                out: h,
            },
            1 => Op::WeibullH {
                a: self.input(LaneInput::Value(params[0])),
                b: self.input(LaneInput::ShapeLnScale {
                    shape: params[0],
                    scale: params[1],
                }),
                out: h,
            },
            2 => Op::GompertzH {
                shape: self.input(LaneInput::Value(params[0])),
                ratio: self.input(LaneInput::GompertzRatio {
                    shape: params[0],
                    rate: params[1],
                }),
                out: h,
            },
            3 => Op::LogLogisticH {
                a: self.input(LaneInput::Value(params[0])),
                b: self.input(LaneInput::ShapeLnScale {
                    shape: params[0],
                    scale: params[1],
                }),
                out: h,
            },
            _ => Op::LogNormalH {
                meanlog: self.input(LaneInput::Value(params[0])),
                sdlog: self.input(LaneInput::Value(params[1])),
                out: h,
            },
        };
        self.law_ops.push(op);
        if let Some(c) = cure {
            let cure = self.input(LaneInput::Value(c));
            self.law_ops.push(Op::Cure { cure, h });
        }
        let h_prev = self.reg();
        self.program.carried.push(h_prev);
        let dh = self.reg();
        let hr = hr.map(|v| self.input(LaneInput::Value(v)));
        self.law_ops.push(Op::Increment {
            h,
            h_prev,
            hr,
            dh: Some(dh),
            stay: None,
        });
        self.law_keys.push((key, dh));
        Ok(dh)
    }

    fn stay_of(&mut self, dh: Reg) -> Reg {
        if let Some(&(_, r)) = self.stay_keys.iter().find(|(k, _)| *k == dh) {
            return r;
        }
        let out = self.reg();
        // Fused into the increment that produces dh: every dh comes from one.
        let fused = self.law_ops.iter_mut().any(|op| match op {
            Op::Increment {
                dh: Some(d),
                stay: s @ None,
                ..
            } if *d == dh => {
                *s = Some(out);
                true
            }
            _ => false,
        });
        assert!(fused, "a hazard increment without its Increment operation");
        self.stay_keys.push((dh, out));
        out
    }

    fn weights(&mut self, rate: f64, from: f64, until: f64) -> usize {
        let key = (rate.to_bits(), from.to_bits(), until.to_bits());
        if let Some(&(_, i)) = self.weight_keys.iter().find(|(k, _)| *k == key) {
            return i;
        }
        let s = &self.sc.settings;
        let w = trace_weights(
            rate,
            from,
            until,
            s.within_cycle_correction,
            s.cycles_per_year,
            s.cycles(),
        );
        self.tables.weights.push(w);
        self.weight_keys.push((key, self.tables.weights.len() - 1));
        self.tables.weights.len() - 1
    }

    fn accumulator(&mut self, x: Reg, weights: usize) -> Reg {
        if let Some(&(_, r)) = self.acc_keys.iter().find(|(k, _)| *k == (x, weights)) {
            return r;
        }
        let acc = self.reg();
        self.program.accumulate.push(Accumulate { x, weights, acc });
        self.acc_keys.push(((x, weights), acc));
        acc
    }

    fn flow_accumulator(&mut self, inflow: Reg, rate: f64) -> Reg {
        let key = rate.to_bits();
        let w = match self.flow_keys.iter().find(|(k, _)| *k == key) {
            Some(&(_, i)) => i,
            None => {
                let s = &self.sc.settings;
                self.tables.flow_weights.push(flow_weights(
                    rate,
                    s.within_cycle_correction,
                    s.cycles_per_year,
                    s.cycles(),
                ));
                self.flow_keys
                    .push((key, self.tables.flow_weights.len() - 1));
                self.tables.flow_weights.len() - 1
            }
        };
        let acc = self.reg();
        self.program.accumulate_flows.push(Accumulate {
            x: inflow,
            weights: w,
            acc,
        });
        acc
    }
}

/// Where `t` years falls on the trace points (at `cycles_per_year`, `cycles` cycles): the trace
/// point at or before it and the fraction of a cycle beyond it (0 on a trace point, up to a
/// rounding error of 1e-9 cycles).
fn response_point(t: f64, cycles_per_year: u32, cycles: usize) -> (usize, f64) {
    let x = (t * f64::from(cycles_per_year)).clamp(0.0, cycles as f64);
    let nearest = x.round();
    if (x - nearest).abs() < 1e-9 {
        (nearest as usize, 0.0)
    } else {
        let j = x.floor();
        (j as usize, x - j)
    }
}

impl Model {
    /// Compiles a validated scenario for a given instruction set (for tests and benchmarks;
    /// an instruction set the processor lacks falls back to the baseline).
    pub fn with_isa(sc: &Scenario, isa: Isa) -> Model {
        let s = &sc.settings;
        let cycles = s.cycles();
        let dt = s.cycle_years();
        let neg_m = mortality::integrated_hazards(&sc.mortality, s.start_age, dt, cycles)
            .into_iter()
            .map(|m| -m)
            .collect();
        let t_next: Vec<f64> = (1..=cycles)
            .map(|k| k as f64 / f64::from(s.cycles_per_year))
            .collect();
        let tables = Tables {
            cycles,
            neg_m,
            ln_t_next: t_next.iter().map(|&t| libm::log(t)).collect(),
            t_next,
            ..Tables::default()
        };
        let mut c = Compiler {
            sc,
            values: Vec::new(),
            checks: Vec::new(),
            inputs: Vec::new(),
            registers: 0,
            tables,
            input_keys: Vec::new(),
            bg_keys: Vec::new(),
            bg_table_keys: Vec::new(),
            law_keys: Vec::new(),
            stay_keys: Vec::new(),
            weight_keys: Vec::new(),
            flow_keys: Vec::new(),
            acc_keys: Vec::new(),
            law_ops: Vec::new(),
            program: Program {
                snapshot_every: s.cycles_per_year as usize,
                ..Program::default()
            },
        };
        let n_states = sc.states.len();
        let dead = sc.states.iter().position(|st| st.dead).unwrap_or(0);
        let mut step_ops = Vec::new();
        let mut initial = Vec::new();
        let mut readouts = Vec::new();
        let mut snapshot_layout = Vec::new();
        let cost_items: Vec<String> = sc.cost_items().into_iter().map(String::from).collect();
        let w_qalys = c.weights(s.discount_rate_outcomes, 0.0, f64::INFINITY);
        let w_life = c.weights(0.0, 0.0, f64::INFINITY);
        for (ai, arm) in sc.arms.iter().enumerate() {
            // States the cohort can reach in this arm; the others stay empty and cost nothing.
            let mut reachable = vec![false; n_states];
            let mut queue: Vec<usize> = arm.initial.iter().map(|(st, _)| *st).collect();
            while let Some(st) = queue.pop() {
                if !reachable[st] {
                    reachable[st] = true;
                    queue.extend(
                        arm.transitions
                            .iter()
                            .filter(|t| t.from == st)
                            .map(|t| t.to),
                    );
                }
            }
            let mut cur = vec![None; n_states];
            let mut next = vec![None; n_states];
            for st in 0..n_states {
                if reachable[st] && !sc.states[st].dead {
                    let (a, b) = (c.reg(), c.reg());
                    cur[st] = Some(a);
                    next[st] = Some(b);
                    c.program.occupancy.push((a, b));
                    snapshot_layout.push((ai, st));
                }
            }
            // The intervention's response states, whose sum payment schemes read.
            if let (Some(spec), true) = (&sc.payments, ai == sc.intervention) {
                c.program.response = spec
                    .response_states
                    .iter()
                    .filter_map(|&st| cur[st])
                    .collect();
            }
            // Inflow registers for states whose entry costs something in this arm.
            let mut inflow = vec![None; n_states];
            for cost in &arm.costs {
                if let CostKind::OnEntry { state, .. } = cost.kind {
                    if reachable[state] && inflow[state].is_none() {
                        let r = c.reg();
                        c.program.inflows.push(r);
                        inflow[state] = Some(r);
                    }
                }
            }
            let mut ro = Readout {
                id: arm.id.clone(),
                initial_loc: arm.initial_loc,
                ..Readout::default()
            };
            for (st, e) in &arm.initial {
                let what = format!(
                    "initial occupancy of `{}` in arm `{}`",
                    sc.states[*st].id, arm.id
                );
                let v = c.value(e, Rule::Probability, what);
                ro.initial.push(v);
                if let Some(r) = cur[*st] {
                    initial.push((r, v));
                }
            }
            for st in 0..n_states {
                let Some(x) = cur[st] else { continue };
                let nx = next[st].expect("paired with cur");
                let bg = c.background(st);
                let deaths = inflow[dead];
                let outs: Vec<&crate::scenario::Transition> =
                    arm.transitions.iter().filter(|t| t.from == st).collect();
                match outs.as_slice() {
                    [] => step_ops.push(Op::Keep {
                        x,
                        bg,
                        next: nx,
                        deaths,
                    }),
                    [t] => {
                        let stay = match c.law(ai, t) {
                            Ok(dh) => c.stay_of(dh),
                            Err(k) => c.input(LaneInput::Stay(k)),
                        };
                        step_ops.push(Op::Leave {
                            x,
                            bg,
                            stay,
                            next: nx,
                            to: next[t.to],
                            inflow: inflow[t.to],
                            deaths,
                        });
                    }
                    many => {
                        let ways = many
                            .iter()
                            .map(|t| {
                                let dh = match c.law(ai, t) {
                                    Ok(dh) => dh,
                                    Err(k) => c.input(LaneInput::Hazard(k)),
                                };
                                Way {
                                    dh,
                                    to: next[t.to],
                                    inflow: inflow[t.to],
                                }
                            })
                            .collect();
                        step_ops.push(Op::Compete {
                            x,
                            bg,
                            next: nx,
                            ways,
                            deaths,
                        });
                    }
                }
                let u = c.value(
                    &sc.states[st].utility,
                    Rule::Finite,
                    format!("utility of state `{}`", sc.states[st].id),
                );
                let acc = c.accumulator(x, w_qalys);
                ro.qalys.push((u, acc));
                let acc = c.accumulator(x, w_life);
                ro.life_years.push(acc);
            }
            for cost in &arm.costs {
                let what = format!("cost `{}` in arm `{}`", cost.name, arm.id);
                let item = cost_items
                    .iter()
                    .position(|n| *n == cost.name)
                    .expect("every cost is an item");
                match &cost.kind {
                    CostKind::State {
                        states,
                        amount,
                        per_year,
                        from_year,
                        until_year,
                    } => {
                        let v = c.value(amount, Rule::Finite, what);
                        let w = c.weights(s.discount_rate_costs, *from_year, *until_year);
                        let factor = if *per_year { dt } else { 1.0 };
                        for st in states {
                            if let Some(x) = cur[*st] {
                                let acc = c.accumulator(x, w);
                                ro.costs.push((v, acc, factor, item));
                            }
                        }
                    }
                    CostKind::Once { amount } => {
                        let v = c.value(amount, Rule::Finite, what);
                        ro.once_costs.push((v, item));
                    }
                    CostKind::OnEntry { state, amount } => {
                        let v = c.value(amount, Rule::Finite, what);
                        if let Some(f) = inflow[*state] {
                            let acc = c.flow_accumulator(f, s.discount_rate_costs);
                            ro.costs.push((v, acc, 1.0, item));
                        }
                    }
                }
            }
            if let Some(q) = &arm.one_time_qalys {
                ro.one_time_qalys = Some(c.value(
                    q,
                    Rule::Finite,
                    format!("one_time_qalys of arm `{}`", arm.id),
                ));
            }
            readouts.push(ro);
        }
        // An increment needs storing only for competing transitions, which read it.
        let competing: Vec<Reg> = step_ops
            .iter()
            .flat_map(|op| match op {
                Op::Compete { ways, .. } => ways.iter().map(|w| w.dh).collect(),
                _ => Vec::new(),
            })
            .collect();
        for op in &mut c.law_ops {
            if let Op::Increment {
                dh, stay: Some(_), ..
            } = op
            {
                if dh.is_some_and(|d| !competing.contains(&d)) {
                    *dh = None;
                }
            }
        }
        // Where each time the payment schemes read falls on the trace points.
        let response_read: Vec<(usize, f64)> = sc.payments.as_ref().map_or(Vec::new(), |spec| {
            spec.response_times()
                .iter()
                .map(|&t| response_point(t, s.cycles_per_year, cycles))
                .collect()
        });
        c.program.response_points = response_read
            .iter()
            .map(|&(j, f)| if f > 0.0 { j + 2 } else { j + 1 })
            .max()
            .unwrap_or(0);
        // Laws and background factors first, then the moves between states.
        let mut ops = std::mem::take(&mut c.law_ops);
        ops.extend(step_ops);
        c.program.ops = ops;
        c.program.registers = c.registers;
        c.program.check();
        Model {
            isa,
            dt,
            tables: c.tables,
            program: c.program,
            values: c.values,
            checks: c.checks,
            inputs: c.inputs,
            initial,
            readouts,
            snapshot_layout,
            cost_items,
            response_read,
            arms: sc.arms.len(),
            states: n_states,
            dead,
            years: s.horizon_years as usize,
        }
    }
}
