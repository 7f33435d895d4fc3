//! The cohort kernel: every cycle of a block of draws, one operation at a time across all lanes.
//!
//! A compiled model is a short list of operations over *registers*, each an array of
//! [`LANES`] values (one per draw). Each operation is a plain loop over the lanes with no
//! branches between lanes, so the compiler turns it into SIMD instructions; the list is walked
//! once per cycle, so the cost of interpreting it is spread over all lanes. Everything that does
//! not depend on the draw (time, background hazard, discount weights) comes from per-cycle
//! tables computed once per model.
//!
//! The same source is compiled three times, for SSE2 (any x86-64), AVX2 and AVX-512, and the
//! fastest the processor supports is chosen at start-up. The operations use only IEEE adds,
//! multiplies, divisions and the engine's own [`fastmath::exp`], never fused multiply-add, so the
//! three versions, and the WebAssembly build, give identical bits.

use super::fastmath;

/// Draws evaluated together. 16 doubles fill two AVX-512 or four AVX2 registers per operation,
/// and a model's registers stay in the first-level cache.
pub const LANES: usize = 16;

/// One register: a value for each draw in the block.
pub type Lanes = [f64; LANES];

/// Index of a register.
pub(crate) type Reg = usize;

/// A per-cycle value shared by all lanes (from a table) or a per-lane register.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Src {
    /// `tables.scalar[t][k]`, the same for every draw.
    Table(usize),
    /// A register.
    Reg(Reg),
}

/// One step of a cycle.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    /// `out = exp(hr * neg_m[k])`: survival of background mortality with a per-draw hazard ratio.
    BackgroundSurvival { hr: Reg, out: Reg },
    /// `h = exp(a * ln_t[k+1] - b)`: a Weibull cumulative hazard `(t / scale)^shape` with
    /// `a = shape`, `b = shape * ln(scale)`.
    WeibullH { a: Reg, b: Reg, out: Reg },
    /// `h = rate * t[k+1]`.
    ExponentialH { rate: Reg, out: Reg },
    /// `h = ratio * (exp(shape * t[k+1]) - 1)` with `ratio = rate / shape`, or `rate * t` when
    /// `shape` is zero (`ratio` then holds the rate).
    GompertzH { shape: Reg, ratio: Reg, out: Reg },
    /// `h = ln(1 + exp(a * ln_t[k+1] - b))`: log-logistic with `a = shape`, `b = shape ln(scale)`.
    LogLogisticH { a: Reg, b: Reg, out: Reg },
    /// `h = -ln(1 - Phi((ln_t[k+1] - meanlog) / sdlog))`.
    LogNormalH { meanlog: Reg, sdlog: Reg, out: Reg },
    /// Mixture cure: `h = -ln(cure + (1 - cure) exp(-h))`.
    Cure { cure: Reg, h: Reg },
    /// `dh = (h - h_prev) [* hr]; h_prev = h`.
    Increment {
        h: Reg,
        h_prev: Reg,
        hr: Option<Reg>,
        dh: Reg,
    },
    /// `out = exp(-dh)`.
    Stay { dh: Reg, out: Reg },
    /// `surv = x * bg`: the share of the state that survives background mortality.
    Survive { x: Reg, bg: Src, surv: Reg },
    /// `dead_inflow += x - surv` (only when entering the dead state has a cost).
    BackgroundDeaths { x: Reg, surv: Reg, inflow: Reg },
    /// One way out: `kept = surv * stay; next += kept; to += surv - kept; inflow += surv - kept`.
    Leave {
        surv: Reg,
        stay: Reg,
        next: Reg,
        to: Option<Reg>,
        inflow: Option<Reg>,
    },
    /// Several ways out, sharing `1 - exp(-sum dh)` in proportion to each `dh`.
    Compete {
        surv: Reg,
        next: Reg,
        ways: Vec<Way>,
    },
    /// No way out but death: `next += surv`.
    Stay2 { surv: Reg, next: Reg },
}

/// A destination among competing transitions.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Way {
    /// The hazard increment register.
    pub dh: Reg,
    /// The destination's next-occupancy register (None for the untracked dead state).
    pub to: Option<Reg>,
    /// Inflow register when entering the destination has a cost.
    pub inflow: Option<Reg>,
}

/// Discounted (or undiscounted) sum of a register over trace points: `acc += x * w[j]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Accumulate {
    /// What is summed.
    pub x: Reg,
    /// Index into `tables.weights` (trace-point weights, length cycles + 1).
    pub weights: usize,
    /// The running sum.
    pub acc: Reg,
}

/// Draw-independent tables.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Tables {
    /// Number of cycles.
    pub cycles: usize,
    /// `-M_k`, minus the background cumulative hazard over cycle k.
    pub neg_m: Vec<f64>,
    /// `t_{k+1}` in years.
    pub t_next: Vec<f64>,
    /// `ln t_{k+1}`.
    pub ln_t_next: Vec<f64>,
    /// Per-cycle scalar tables (background survival with a fixed hazard ratio).
    pub scalar: Vec<Vec<f64>>,
    /// Trace-point weights (length cycles + 1) for occupancy sums.
    pub weights: Vec<Vec<f64>>,
    /// Per-cycle weights (length cycles) for inflow sums.
    pub flow_weights: Vec<Vec<f64>>,
}

/// The compiled per-cycle program of a model.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Program {
    /// Total registers.
    pub registers: usize,
    /// Occupancy at the start of the current cycle, paired with its next-cycle register:
    /// after each cycle `cur = next` and `next = 0`.
    pub occupancy: Vec<(Reg, Reg)>,
    /// Inflow registers, zeroed each cycle.
    pub inflows: Vec<Reg>,
    /// Cumulative hazards carried between cycles (start at 0).
    pub carried: Vec<Reg>,
    /// Operations of one cycle, in order.
    pub ops: Vec<Op>,
    /// Occupancy sums over trace points 0..=cycles (applied to `cur` registers).
    pub accumulate: Vec<Accumulate>,
    /// Inflow sums over cycles: `acc += inflow * flow_weights[w][k]`.
    pub accumulate_flows: Vec<Accumulate>,
    /// Every this many cycles, the occupancy registers are copied out (yearly snapshots).
    pub snapshot_every: usize,
}

/// Which instruction set the kernel uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isa {
    /// Whatever the build targets (SSE2 on a default x86-64 build, SIMD128 or scalar on wasm).
    Baseline,
    /// AVX2 (x86-64, detected at run time).
    Avx2,
    /// AVX-512F (x86-64, detected at run time).
    Avx512,
}

impl Isa {
    /// The best instruction set this processor supports.
    pub fn detect() -> Isa {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                return Isa::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return Isa::Avx2;
            }
        }
        Isa::Baseline
    }
}

/// Runs the program over all cycles. `regs` holds the lane inputs already; occupancy registers
/// hold the initial occupancy; accumulators, inflows and carried hazards are zero.
/// `snapshot` receives the `cur` occupancy registers at trace points 0, s, 2s, ... (s =
/// `snapshot_every`), `occupancy.len()` registers each.
pub(crate) fn run(
    isa: Isa,
    p: &Program,
    t: &Tables,
    regs: &mut [Lanes],
    snapshot: &mut Vec<Lanes>,
) {
    match isa {
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 if std::arch::is_x86_feature_detected!("avx512f") => {
            // SAFETY: the processor supports AVX-512F, checked just above.
            unsafe { run_avx512(p, t, regs, snapshot) }
        }
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 | Isa::Avx512 if std::arch::is_x86_feature_detected!("avx2") => {
            // SAFETY: the processor supports AVX2, checked just above.
            unsafe { run_avx2(p, t, regs, snapshot) }
        }
        _ => run_generic(p, t, regs, snapshot),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn run_avx512(p: &Program, t: &Tables, regs: &mut [Lanes], snapshot: &mut Vec<Lanes>) {
    run_generic(p, t, regs, snapshot)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn run_avx2(p: &Program, t: &Tables, regs: &mut [Lanes], snapshot: &mut Vec<Lanes>) {
    run_generic(p, t, regs, snapshot)
}

/// Two distinct registers, one to read and one to write.
#[inline(always)]
fn rw(regs: &mut [Lanes], read: Reg, write: Reg) -> (&Lanes, &mut Lanes) {
    debug_assert_ne!(read, write);
    if read < write {
        let (a, b) = regs.split_at_mut(write);
        (&a[read], &mut b[0])
    } else {
        let (a, b) = regs.split_at_mut(read);
        (&b[0], &mut a[write])
    }
}

#[inline(always)]
fn map1(regs: &mut [Lanes], a: Reg, out: Reg, f: impl Fn(f64) -> f64) {
    let (a, o) = rw(regs, a, out);
    for l in 0..LANES {
        o[l] = f(a[l]);
    }
}

#[inline(always)]
fn map2(regs: &mut [Lanes], a: Reg, b: Reg, out: Reg, f: impl Fn(f64, f64) -> f64) {
    let av = regs[a];
    let bv = regs[b];
    let o = &mut regs[out];
    for l in 0..LANES {
        o[l] = f(av[l], bv[l]);
    }
}

#[inline(always)]
fn run_generic(p: &Program, t: &Tables, regs: &mut [Lanes], snapshot: &mut Vec<Lanes>) {
    snapshot.clear();
    let take_snapshot = |regs: &[Lanes], snapshot: &mut Vec<Lanes>| {
        snapshot.extend(p.occupancy.iter().map(|&(cur, _)| regs[cur]));
    };
    // Trace point 0.
    for a in &p.accumulate {
        let w = t.weights[a.weights][0];
        let x = regs[a.x];
        let acc = &mut regs[a.acc];
        for l in 0..LANES {
            acc[l] += x[l] * w;
        }
    }
    if p.snapshot_every > 0 {
        take_snapshot(regs, snapshot);
    }
    for k in 0..t.cycles {
        for op in &p.ops {
            step(op, k, t, regs);
        }
        for a in &p.accumulate_flows {
            let w = t.flow_weights[a.weights][k];
            let (x, acc) = rw(regs, a.x, a.acc);
            for l in 0..LANES {
                acc[l] += x[l] * w;
            }
        }
        // The next occupancy becomes the current one; next and inflows restart from zero.
        for &(cur, next) in &p.occupancy {
            let (n, c) = rw(regs, next, cur);
            *c = *n;
        }
        for &(_, next) in &p.occupancy {
            regs[next] = [0.0; LANES];
        }
        for &r in &p.inflows {
            regs[r] = [0.0; LANES];
        }
        for a in &p.accumulate {
            let w = t.weights[a.weights][k + 1];
            let (x, acc) = rw(regs, a.x, a.acc);
            for l in 0..LANES {
                acc[l] += x[l] * w;
            }
        }
        if p.snapshot_every > 0 && (k + 1) % p.snapshot_every == 0 {
            take_snapshot(regs, snapshot);
        }
    }
}

#[inline(always)]
fn step(op: &Op, k: usize, t: &Tables, regs: &mut [Lanes]) {
    match *op {
        Op::BackgroundSurvival { hr, out } => {
            let m = t.neg_m[k];
            map1(regs, hr, out, |h| fastmath::exp(h * m));
        }
        Op::WeibullH { a, b, out } => {
            let lt = t.ln_t_next[k];
            map2(regs, a, b, out, |a, b| fastmath::exp(a * lt - b));
        }
        Op::ExponentialH { rate, out } => {
            let tt = t.t_next[k];
            map1(regs, rate, out, |r| r * tt);
        }
        Op::GompertzH { shape, ratio, out } => {
            let tt = t.t_next[k];
            map2(regs, shape, ratio, out, |s, q| {
                let g = q * (fastmath::exp(s * tt) - 1.0);
                if s == 0.0 { q * tt } else { g }
            });
        }
        Op::LogLogisticH { a, b, out } => {
            let lt = t.ln_t_next[k];
            map2(regs, a, b, out, |a, b| {
                libm::log1p(fastmath::exp(a * lt - b))
            });
        }
        Op::LogNormalH {
            meanlog,
            sdlog,
            out,
        } => {
            let lt = t.ln_t_next[k];
            map2(regs, meanlog, sdlog, out, |mu, sd| {
                let z = (lt - mu) / sd;
                -libm::log(0.5 * libm::erfc(z * std::f64::consts::FRAC_1_SQRT_2))
            });
        }
        Op::Cure { cure, h } => {
            let c = regs[cure];
            let hv = &mut regs[h];
            for l in 0..LANES {
                hv[l] = -libm::log(c[l] + (1.0 - c[l]) * fastmath::exp(-hv[l]));
            }
        }
        Op::Increment { h, h_prev, hr, dh } => {
            let hv = regs[h];
            let hrv = hr.map(|r| regs[r]);
            let prev = regs[h_prev];
            let mut d = [0.0; LANES];
            for l in 0..LANES {
                d[l] = hv[l] - prev[l];
            }
            if let Some(hrv) = hrv {
                for l in 0..LANES {
                    d[l] *= hrv[l];
                }
            }
            regs[dh] = d;
            regs[h_prev] = hv;
        }
        Op::Stay { dh, out } => map1(regs, dh, out, |d| fastmath::exp(-d)),
        Op::Survive { x, bg, surv } => match bg {
            Src::Table(i) => {
                let f = t.scalar[i][k];
                map1(regs, x, surv, |x| x * f);
            }
            Src::Reg(r) => map2(regs, x, r, surv, |x, b| x * b),
        },
        Op::BackgroundDeaths { x, surv, inflow } => {
            let (xv, sv) = (regs[x], regs[surv]);
            let f = &mut regs[inflow];
            for l in 0..LANES {
                f[l] += xv[l] - sv[l];
            }
        }
        Op::Leave {
            surv,
            stay,
            next,
            to,
            inflow,
        } => {
            let (sv, st) = (regs[surv], regs[stay]);
            let mut kept = [0.0; LANES];
            let mut moved = [0.0; LANES];
            for l in 0..LANES {
                kept[l] = sv[l] * st[l];
                moved[l] = sv[l] - kept[l];
            }
            add_into(&mut regs[next], &kept);
            if let Some(to) = to {
                add_into(&mut regs[to], &moved);
            }
            if let Some(f) = inflow {
                add_into(&mut regs[f], &moved);
            }
        }
        Op::Compete {
            surv,
            next,
            ref ways,
        } => {
            let sv = regs[surv];
            let mut total = [0.0; LANES];
            for w in ways {
                add_into(&mut total, &regs[w.dh]);
            }
            let mut kept = [0.0; LANES];
            // Share of the leavers per unit of hazard; zero total hazard moves nobody.
            let mut per_hazard = [0.0; LANES];
            for l in 0..LANES {
                kept[l] = sv[l] * fastmath::exp(-total[l]);
                let q = (sv[l] - kept[l]) / total[l];
                per_hazard[l] = if total[l] > 0.0 { q } else { 0.0 };
            }
            add_into(&mut regs[next], &kept);
            for w in ways {
                let d = regs[w.dh];
                let mut moved = [0.0; LANES];
                for l in 0..LANES {
                    moved[l] = per_hazard[l] * d[l];
                }
                if let Some(to) = w.to {
                    add_into(&mut regs[to], &moved);
                }
                if let Some(f) = w.inflow {
                    add_into(&mut regs[f], &moved);
                }
            }
        }
        Op::Stay2 { surv, next } => {
            let sv = regs[surv];
            add_into(&mut regs[next], &sv);
        }
    }
}

#[inline(always)]
fn add_into(dst: &mut Lanes, src: &Lanes) {
    for l in 0..LANES {
        dst[l] += src[l];
    }
}
