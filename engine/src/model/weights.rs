//! Trace-point and flow weights: the within-cycle correction, discounting and time windows.

use crate::scenario::WithinCycleCorrection;

/// Trace-point weights `w_0..w_K` such that a cycle-level sum with the given correction,
/// discount rate and time window equals `sum_j x_j w_j`.
///
/// Cycle k (from `t_k = k/c` to `t_{k+1}`) counts when its midpoint lies in
/// `[from_year, until_year)`. Trapezoid: cycle k contributes `(x_k + x_{k+1}) / 2`
/// discounted at its midpoint, `(1 + r)^-((k + 1/2) / c)`. Start of cycle: `x_k` discounted
/// at `t_k`. End of cycle: `x_{k+1}` discounted at `t_{k+1}`.
pub fn trace_weights(
    rate: f64,
    from_year: f64,
    until_year: f64,
    correction: WithinCycleCorrection,
    cycles_per_year: u32,
    cycles: usize,
) -> Vec<f64> {
    let c = f64::from(cycles_per_year);
    let inside = |k: usize| {
        let mid = (k as f64 + 0.5) / c;
        mid >= from_year && mid < until_year
    };
    let disc = |t: f64| {
        if rate == 0.0 {
            1.0
        } else {
            libm::pow(1.0 + rate, -t)
        }
    };
    let mut w = vec![0.0; cycles + 1];
    for k in 0..cycles {
        if !inside(k) {
            continue;
        }
        match correction {
            WithinCycleCorrection::Trapezoid => {
                let d = disc((k as f64 + 0.5) / c);
                w[k] += 0.5 * d;
                w[k + 1] += 0.5 * d;
            }
            WithinCycleCorrection::StartOfCycle => w[k] += disc(k as f64 / c),
            WithinCycleCorrection::EndOfCycle => w[k + 1] += disc((k + 1) as f64 / c),
        }
    }
    w
}

/// Per-cycle weights for flows (entries into a state) during cycle k, discounted at the time
/// the correction assigns to the cycle.
pub(super) fn flow_weights(
    rate: f64,
    correction: WithinCycleCorrection,
    cycles_per_year: u32,
    cycles: usize,
) -> Vec<f64> {
    let c = f64::from(cycles_per_year);
    let at = |k: usize| match correction {
        WithinCycleCorrection::Trapezoid => (k as f64 + 0.5) / c,
        WithinCycleCorrection::StartOfCycle => k as f64 / c,
        WithinCycleCorrection::EndOfCycle => (k + 1) as f64 / c,
    };
    (0..cycles)
        .map(|k| {
            if rate == 0.0 {
                1.0
            } else {
                libm::pow(1.0 + rate, -at(k))
            }
        })
        .collect()
}
