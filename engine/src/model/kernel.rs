//! The cohort kernel: every cycle of a block of draws, one operation at a time across all lanes.
//!
//! A compiled model is a short list of operations over *registers*, each an array of
//! [`LANES`] values (one per draw). Each operation is a plain loop over the lanes with no
//! branches between lanes, so the compiler turns it into SIMD instructions; the list is walked
//! once per cycle, so the cost of interpreting it is spread over all lanes. Everything that does
//! not depend on the draw (time, background hazard, discount weights) comes from per-cycle
//! tables computed once per model.
//!
//! The same source is compiled three times, for SSE2 (any x86-64), AVX2 with FMA and AVX-512,
//! and the fastest the processor supports is chosen at start-up. The operations use only IEEE
//! adds, multiplies, divisions, correctly rounded fused multiply-adds and the engine's own
//! [`fastmath::exp`], so the three versions, and the WebAssembly build, give identical bits.

use super::fastmath;

/// Draws evaluated together. 16 doubles fill two AVX-512 or four AVX2 registers per operation,
/// and a model's registers stay in the first-level cache.
pub const LANES: usize = 128;

/// One register: a value for each draw in the block.
pub type Lanes = [f64; LANES];

/// Index of a register.
pub(crate) type Reg = usize;

/// One step of a cycle.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    /// `out = scalar[table][k]` in every lane: a per-cycle value shared by all draws.
    Broadcast { table: usize, out: Reg },
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
    /// `dh = (h - h_prev) [* hr]; h_prev = h`, and `stay = exp(-dh)` when wanted (fused, so
    /// the increment never leaves the processor's registers). `dh` is kept only when
    /// competing transitions read it.
    Increment {
        h: Reg,
        h_prev: Reg,
        hr: Option<Reg>,
        dh: Option<Reg>,
        stay: Option<Reg>,
    },
    /// No way out but death: `next += x * bg`.
    Keep {
        x: Reg,
        bg: Reg,
        next: Reg,
        deaths: Option<Reg>,
    },
    /// One way out. With `s = x * bg` (survivors of background mortality):
    /// `kept = s * stay; next += kept; to += s - kept; inflow += s - kept`.
    Leave {
        x: Reg,
        bg: Reg,
        stay: Reg,
        next: Reg,
        to: Option<Reg>,
        inflow: Option<Reg>,
        deaths: Option<Reg>,
    },
    /// Several ways out: survivors keep `exp(-sum dh)` and the leavers are shared in
    /// proportion to each `dh`.
    Compete {
        x: Reg,
        bg: Reg,
        next: Reg,
        ways: Vec<Way>,
        deaths: Option<Reg>,
    },
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
    /// Occupancy registers whose sum is recorded at every trace point `0..=response_points - 1`
    /// (the intervention arm's response states, for payment schemes); empty records nothing.
    pub response: Vec<Reg>,
    /// How many trace points of the response sum are recorded (0 for none).
    pub response_points: usize,
}

/// Which instruction set the kernel uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isa {
    /// Whatever the build targets (SSE2 on a default x86-64 build, SIMD128 or scalar on wasm).
    Baseline,
    /// AVX2 with FMA (x86-64, detected at run time).
    Avx2,
    /// AVX-512F with FMA (x86-64, detected at run time).
    Avx512,
}

impl Isa {
    /// The best instruction set this processor supports.
    pub fn detect() -> Isa {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("fma")
            {
                return Isa::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
            {
                return Isa::Avx2;
            }
        }
        Isa::Baseline
    }
}

/// What a run copies out of the registers besides the accumulators.
#[derive(Debug, Clone, Default)]
pub(crate) struct Snapshots {
    /// The `cur` occupancy registers at trace points 0, s, 2s, ... (s = `snapshot_every`),
    /// `occupancy.len()` registers each.
    pub yearly: Vec<Lanes>,
    /// The sum of the `response` registers at trace points `0..response_points`, one register
    /// each.
    pub response: Vec<Lanes>,
}

/// Runs the program over all cycles. `regs` holds the lane inputs already; occupancy registers
/// hold the initial occupancy; accumulators, inflows and carried hazards are zero.
pub(crate) fn run(isa: Isa, p: &Program, t: &Tables, regs: &mut [Lanes], out: &mut Snapshots) {
    match isa {
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("fma") =>
        {
            // SAFETY: the processor supports AVX-512F and FMA, checked just above.
            unsafe { run_avx512(p, t, regs, out) }
        }
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 | Isa::Avx512
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma") =>
        {
            // SAFETY: the processor supports AVX2 and FMA, checked just above.
            unsafe { run_avx2(p, t, regs, out) }
        }
        _ => run_generic(p, t, regs, out),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn run_avx512(p: &Program, t: &Tables, regs: &mut [Lanes], out: &mut Snapshots) {
    run_generic(p, t, regs, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn run_avx2(p: &Program, t: &Tables, regs: &mut [Lanes], out: &mut Snapshots) {
    run_generic(p, t, regs, out)
}

/// The registers one operation touches.
struct Access {
    /// Read only.
    reads: Vec<Reg>,
    /// Written, and held mutably for the whole operation: distinct from everything else.
    exclusive: Vec<Reg>,
    /// Counters the operation adds to one at a time (inflows, deaths): they may coincide with
    /// each other (a transition into the dead state that also counts deaths), never with the
    /// registers above.
    counters: Vec<Reg>,
}

impl Op {
    /// The registers the operation reads and writes (read-modify-write ones count as written
    /// only: the kernel touches them through the mutable reference alone).
    fn access(&self) -> Access {
        let (reads, exclusive, counters): (Vec<Reg>, Vec<Reg>, Vec<Reg>) = match self {
            Op::Broadcast { out, .. } => (vec![], vec![*out], vec![]),
            Op::BackgroundSurvival { hr, out } => (vec![*hr], vec![*out], vec![]),
            Op::WeibullH { a, b, out } | Op::LogLogisticH { a, b, out } => {
                (vec![*a, *b], vec![*out], vec![])
            }
            Op::ExponentialH { rate, out } => (vec![*rate], vec![*out], vec![]),
            Op::GompertzH { shape, ratio, out } => (vec![*shape, *ratio], vec![*out], vec![]),
            Op::LogNormalH {
                meanlog,
                sdlog,
                out,
            } => (vec![*meanlog, *sdlog], vec![*out], vec![]),
            Op::Cure { cure, h } => (vec![*cure], vec![*h], vec![]),
            Op::Increment {
                h,
                h_prev,
                hr,
                dh,
                stay,
            } => {
                let reads = std::iter::once(*h).chain(*hr).collect();
                let writes = std::iter::once(*h_prev).chain(*dh).chain(*stay).collect();
                (reads, writes, vec![])
            }
            Op::Keep {
                x,
                bg,
                next,
                deaths,
            } => (vec![*x, *bg], vec![*next], deaths.iter().copied().collect()),
            Op::Leave {
                x,
                bg,
                stay,
                next,
                to,
                inflow,
                deaths,
            } => {
                let exclusive = std::iter::once(*next).chain(*to).collect();
                let counters = inflow.iter().chain(deaths).copied().collect();
                (vec![*x, *stay, *bg], exclusive, counters)
            }
            Op::Compete {
                x,
                bg,
                next,
                ways,
                deaths,
            } => {
                let mut reads = vec![*x, *bg];
                let mut exclusive = vec![*next];
                let mut counters: Vec<Reg> = deaths.iter().copied().collect();
                for way in ways {
                    reads.push(way.dh);
                    exclusive.extend(way.to);
                    counters.extend(way.inflow);
                }
                (reads, exclusive, counters)
            }
        };
        Access {
            reads,
            exclusive,
            counters,
        }
    }
}

impl Program {
    /// Checks what the kernel's unchecked register access relies on: every register index is
    /// in range; no operation writes a register it reads; a register held mutably for a whole
    /// operation is touched by nothing else in it. Called once per compiled model; a failure is
    /// a bug in the compiler, not in a scenario.
    pub(crate) fn check(&self) {
        let in_range = |r: &Reg| *r < self.registers;
        for op in &self.ops {
            let Access {
                reads,
                exclusive,
                counters,
            } = op.access();
            assert!(
                reads
                    .iter()
                    .chain(&exclusive)
                    .chain(&counters)
                    .all(in_range),
                "register out of range in {op:?}"
            );
            for (i, w) in exclusive.iter().enumerate() {
                assert!(
                    !reads.contains(w) && !exclusive[i + 1..].contains(w) && !counters.contains(w),
                    "aliased registers in {op:?}"
                );
            }
            assert!(
                counters.iter().all(|c| !reads.contains(c)),
                "aliased registers in {op:?}"
            );
        }
        for a in self.accumulate.iter().chain(&self.accumulate_flows) {
            assert!(
                in_range(&a.x) && in_range(&a.acc) && a.x != a.acc,
                "bad accumulator {a:?}"
            );
        }
        for &(c, n) in &self.occupancy {
            assert!(in_range(&c) && in_range(&n) && c != n, "bad occupancy pair");
        }
        assert!(
            self.inflows
                .iter()
                .chain(&self.carried)
                .chain(&self.response)
                .all(in_range)
        );
    }
}

/// The register file during a run. Operations reach registers through a raw pointer so that
/// one operation can read some registers while writing others without copying them;
/// [`Program::check`] has verified that within an operation no written register is also read,
/// and that a register held mutably throughout is touched by nothing else, so the shared and
/// mutable references alive at any moment never overlap. (Counters such as deaths are each
/// borrowed only for their own loop.)
struct RegFile {
    base: *mut Lanes,
}

impl RegFile {
    #[inline(always)]
    fn r(&self, i: Reg) -> &Lanes {
        // SAFETY: `i` is in range (checked by Program::check) and not written by this operation.
        unsafe { &*self.base.add(i) }
    }

    #[inline(always)]
    #[allow(clippy::mut_from_ref)]
    fn w(&self, i: Reg) -> &mut Lanes {
        // SAFETY: `i` is in range and, within one operation, referenced by nothing else.
        unsafe { &mut *self.base.add(i) }
    }
}

#[inline(always)]
fn accumulate(rf: &RegFile, a: &Accumulate, w: f64) {
    let (x, acc) = (rf.r(a.x), rf.w(a.acc));
    if w == 1.0 {
        // Undiscounted interior points (life years): x * 1 is x, so skip the multiplication.
        for l in 0..LANES {
            acc[l] += x[l];
        }
    } else {
        for l in 0..LANES {
            acc[l] += x[l] * w;
        }
    }
}

/// Appends the sum of the response registers.
#[inline(always)]
fn record_response(rf: &RegFile, regs: &[Reg], out: &mut Vec<Lanes>) {
    let mut sum = [0.0; LANES];
    for &r in regs {
        let x = rf.r(r);
        for l in 0..LANES {
            sum[l] += x[l];
        }
    }
    out.push(sum);
}

#[inline(always)]
fn run_generic(p: &Program, t: &Tables, regs: &mut [Lanes], out: &mut Snapshots) {
    assert!(
        regs.len() >= p.registers,
        "workspace too small for the program"
    );
    let Snapshots {
        yearly: snapshot,
        response,
    } = out;
    snapshot.clear();
    response.clear();
    let rf = RegFile {
        base: regs.as_mut_ptr(),
    };
    let take_snapshot = |rf: &RegFile, snapshot: &mut Vec<Lanes>| {
        snapshot.extend(p.occupancy.iter().map(|&(cur, _)| *rf.r(cur)));
    };
    // Trace point 0.
    for a in &p.accumulate {
        accumulate(&rf, a, t.weights[a.weights][0]);
    }
    if p.snapshot_every > 0 {
        take_snapshot(&rf, snapshot);
    }
    if p.response_points > 0 {
        record_response(&rf, &p.response, response);
    }
    for k in 0..t.cycles {
        for op in &p.ops {
            step(op, k, t, &rf);
        }
        for a in &p.accumulate_flows {
            accumulate(&rf, a, t.flow_weights[a.weights][k]);
        }
        // The next occupancy becomes the current one; next and inflows restart from zero.
        // (Element loops rather than array assignment: those become calls to memcpy.)
        for &(cur, next) in &p.occupancy {
            let (n, c) = (rf.w(next), rf.w(cur));
            for l in 0..LANES {
                c[l] = n[l];
                n[l] = 0.0;
            }
        }
        for &r in &p.inflows {
            let f = rf.w(r);
            for v in f.iter_mut() {
                *v = 0.0;
            }
        }
        for a in &p.accumulate {
            let w = t.weights[a.weights][k + 1];
            // Weights are zero outside a cost's time window: skip the work.
            if w != 0.0 {
                accumulate(&rf, a, w);
            }
        }
        if p.snapshot_every > 0 && (k + 1) % p.snapshot_every == 0 {
            take_snapshot(&rf, snapshot);
        }
        // Trace point k + 1; without payment schemes (no points) never taken.
        if k + 1 < p.response_points {
            record_response(&rf, &p.response, response);
        }
    }
}

/// `dh = (h - prev) [* hr]`, `prev = h`, `stay = exp(-dh)`, storing only what is wanted; with
/// `HR` false, `hr` is not read.
#[inline(always)]
fn increment<const HR: bool>(
    h: &Lanes,
    prev: &mut Lanes,
    hr: &Lanes,
    dh: Option<&mut Lanes>,
    stay: Option<&mut Lanes>,
) {
    let inc = |l: usize, prev: &Lanes| {
        if HR {
            (h[l] - prev[l]) * hr[l]
        } else {
            h[l] - prev[l]
        }
    };
    match (dh, stay) {
        (None, Some(o)) => {
            for l in 0..LANES {
                let d = inc(l, prev);
                prev[l] = h[l];
                o[l] = fastmath::exp(-d);
            }
        }
        (Some(dh), Some(o)) => {
            for l in 0..LANES {
                let d = inc(l, prev);
                dh[l] = d;
                prev[l] = h[l];
                o[l] = fastmath::exp(-d);
            }
        }
        (Some(dh), None) => {
            for l in 0..LANES {
                dh[l] = inc(l, prev);
                prev[l] = h[l];
            }
        }
        (None, None) => prev.copy_from_slice(h),
    }
}

/// `deaths += x - x * bg`: those who die of background causes this cycle.
#[inline(always)]
fn add_deaths(deaths: &mut Lanes, x: &Lanes, bg: &Lanes) {
    for l in 0..LANES {
        deaths[l] += x[l] - x[l] * bg[l];
    }
}

#[inline(always)]
fn step(op: &Op, k: usize, t: &Tables, rf: &RegFile) {
    match *op {
        Op::Broadcast { table, out } => {
            rf.w(out).fill(t.scalar[table][k]);
        }
        Op::BackgroundSurvival { hr, out } => {
            let m = t.neg_m[k];
            let (hr, o) = (rf.r(hr), rf.w(out));
            for l in 0..LANES {
                o[l] = fastmath::exp(hr[l] * m);
            }
        }
        Op::WeibullH { a, b, out } => {
            let lt = t.ln_t_next[k];
            let (a, b, o) = (rf.r(a), rf.r(b), rf.w(out));
            for l in 0..LANES {
                o[l] = fastmath::exp(a[l] * lt - b[l]);
            }
        }
        Op::ExponentialH { rate, out } => {
            let tt = t.t_next[k];
            let (r, o) = (rf.r(rate), rf.w(out));
            for l in 0..LANES {
                o[l] = r[l] * tt;
            }
        }
        Op::GompertzH { shape, ratio, out } => {
            let tt = t.t_next[k];
            let (s, q, o) = (rf.r(shape), rf.r(ratio), rf.w(out));
            for l in 0..LANES {
                let g = q[l] * (fastmath::exp(s[l] * tt) - 1.0);
                o[l] = if s[l] == 0.0 { q[l] * tt } else { g };
            }
        }
        Op::LogLogisticH { a, b, out } => {
            let lt = t.ln_t_next[k];
            let (a, b, o) = (rf.r(a), rf.r(b), rf.w(out));
            for l in 0..LANES {
                o[l] = libm::log1p(fastmath::exp(a[l] * lt - b[l]));
            }
        }
        Op::LogNormalH {
            meanlog,
            sdlog,
            out,
        } => {
            let lt = t.ln_t_next[k];
            let (mu, sd, o) = (rf.r(meanlog), rf.r(sdlog), rf.w(out));
            for l in 0..LANES {
                let z = (lt - mu[l]) / sd[l];
                o[l] = -libm::log(0.5 * libm::erfc(z * std::f64::consts::FRAC_1_SQRT_2));
            }
        }
        Op::Cure { cure, h } => {
            let (c, hv) = (rf.r(cure), rf.w(h));
            for l in 0..LANES {
                hv[l] = -libm::log(c[l] + (1.0 - c[l]) * fastmath::exp(-hv[l]));
            }
        }
        Op::Increment {
            h,
            h_prev,
            hr,
            dh,
            stay,
        } => {
            let (hv, prev) = (rf.r(h), rf.w(h_prev));
            let (d, o) = (dh.map(|r| rf.w(r)), stay.map(|r| rf.w(r)));
            match hr {
                Some(hr) => increment::<true>(hv, prev, rf.r(hr), d, o),
                None => increment::<false>(hv, prev, hv, d, o),
            }
        }
        Op::Keep {
            x,
            bg,
            next,
            deaths,
        } => {
            let (x, b, n) = (rf.r(x), rf.r(bg), rf.w(next));
            for l in 0..LANES {
                n[l] += x[l] * b[l];
            }
            if let Some(d) = deaths {
                add_deaths(rf.w(d), x, b);
            }
        }
        Op::Leave {
            x,
            bg,
            stay,
            next,
            to,
            inflow,
            deaths,
        } => {
            let (x, b, st, n) = (rf.r(x), rf.r(bg), rf.r(stay), rf.w(next));
            match (to, inflow) {
                (Some(to), None) => {
                    let to = rf.w(to);
                    for l in 0..LANES {
                        let s = x[l] * b[l];
                        let kept = s * st[l];
                        n[l] += kept;
                        to[l] += s - kept;
                    }
                }
                _ => {
                    for l in 0..LANES {
                        n[l] += x[l] * b[l] * st[l];
                    }
                    for dst in [to, inflow].into_iter().flatten() {
                        let d = rf.w(dst);
                        for l in 0..LANES {
                            let s = x[l] * b[l];
                            d[l] += s - s * st[l];
                        }
                    }
                }
            }
            if let Some(d) = deaths {
                add_deaths(rf.w(d), x, b);
            }
        }
        Op::Compete {
            x,
            bg,
            next,
            ref ways,
            deaths,
        } => {
            let (x, b, n) = (rf.r(x), rf.r(bg), rf.w(next));
            let mut total = [0.0; LANES];
            for w in ways {
                let d = rf.r(w.dh);
                for l in 0..LANES {
                    total[l] += d[l];
                }
            }
            // Share of the leavers per unit of hazard; zero total hazard moves nobody.
            let mut per_hazard = [0.0; LANES];
            for l in 0..LANES {
                let s = x[l] * b[l];
                let kept = s * fastmath::exp(-total[l]);
                n[l] += kept;
                let q = (s - kept) / total[l];
                per_hazard[l] = if total[l] > 0.0 { q } else { 0.0 };
            }
            for w in ways {
                let d = rf.r(w.dh);
                for dst in [w.to, w.inflow].into_iter().flatten() {
                    let o = rf.w(dst);
                    for l in 0..LANES {
                        o[l] += per_hazard[l] * d[l];
                    }
                }
            }
            if let Some(d) = deaths {
                add_deaths(rf.w(d), x, b);
            }
        }
    }
}
