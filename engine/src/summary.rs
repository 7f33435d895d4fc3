//! Summaries of Monte Carlo output: means with their Monte Carlo standard errors, and
//! quantiles by linear interpolation between order statistics (R's type 7, numpy's default),
//! found by linear-time selection rather than a full sort.

use serde::{Deserialize, Serialize};

/// Mean, spread and 95% interval of a quantity over the draws: the summary of outcomes,
/// threshold prices and supply measures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Sample mean.
    pub mean: f64,
    /// Monte Carlo standard error of the mean: sd / sqrt(n).
    pub mcse: f64,
    /// Sample standard deviation (n - 1 denominator).
    pub sd: f64,
    /// 2.5% quantile.
    pub p2_5: f64,
    /// Median.
    pub p50: f64,
    /// 97.5% quantile.
    pub p97_5: f64,
}

impl Summary {
    /// The interval's coverage: from the 2.5% to the 97.5% quantile.
    pub const LEVEL: f64 = 0.95;
}

/// Mean, median, 90% and 95% intervals of a quantity over the draws: the summary of prices by
/// method, payments, budgets and net benefit. The 5% and 95% quantiles are the convention of
/// those analyses' own tables; the 2.5% and 97.5% ones let a page show one interval (95%) for
/// every number it gives, as the threshold prices' [`Summary`] does.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spread {
    /// Mean.
    pub mean: f64,
    /// 2.5% quantile.
    pub p2_5: f64,
    /// 5% quantile.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95% quantile.
    pub p95: f64,
    /// 97.5% quantile.
    pub p97_5: f64,
}

impl Spread {
    /// The interval's coverage: from the 5% to the 95% quantile.
    pub const LEVEL: f64 = 0.90;

    /// Summarises values (reordering them).
    pub fn of(values: &mut [f64]) -> Spread {
        let mean = mean(values);
        let q = quantiles(values, &[0.025, 0.05, 0.5, 0.95, 0.975]);
        Spread {
            mean,
            p2_5: q[0],
            p5: q[1],
            p50: q[2],
            p95: q[3],
            p97_5: q[4],
        }
    }
}

/// An estimate: its value at the base case and, with a probabilistic analysis, its summary over
/// the draws. The summary's type carries the interval's level ([`Summary`] at 95%, [`Spread`] at
/// 90%).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate<S = Summary> {
    /// At the base case.
    pub base_case: f64,
    /// Over the draws (absent without a probabilistic analysis).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub psa: Option<S>,
}

/// Sample mean, in draw order (so the result does not depend on threads).
pub fn mean(x: &[f64]) -> f64 {
    if x.is_empty() {
        return f64::NAN;
    }
    x.iter().sum::<f64>() / x.len() as f64
}

/// Sample standard deviation around `m` (n - 1 denominator; 0 for one value).
pub fn sd(x: &[f64], m: f64) -> f64 {
    if x.len() < 2 {
        return 0.0;
    }
    (x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() - 1) as f64).sqrt()
}

/// Type-7 quantiles of `x` at each probability in `ps`. Reorders `x`.
///
/// The probabilities are visited in increasing order and each selection searches only what
/// lies to the right of the previous one, so three quantiles cost about two passes, not three.
pub fn quantiles(x: &mut [f64], ps: &[f64]) -> Vec<f64> {
    let n = x.len();
    if n == 0 {
        return vec![f64::NAN; ps.len()];
    }
    let mut order: Vec<usize> = (0..ps.len()).collect();
    order.sort_by(|&a, &b| ps[a].total_cmp(&ps[b]));
    let mut out = vec![f64::NAN; ps.len()];
    // Everything left of `start` is at most every value from `start` on.
    let mut start = 0;
    for k in order {
        let h = (n - 1) as f64 * ps[k].clamp(0.0, 1.0);
        let lo = (h.floor() as usize).max(start);
        let (_, &mut x_lo, right) = x[start..].select_nth_unstable_by(lo - start, f64::total_cmp);
        let frac = h - lo as f64;
        out[k] = if frac <= 0.0 || right.is_empty() {
            x_lo
        } else {
            let x_hi = right.iter().copied().fold(f64::INFINITY, f64::min);
            x_lo + frac * (x_hi - x_lo)
        };
        start = lo;
    }
    out
}

/// Summarises `x` (reorders a copy, not `x`).
pub fn summarise(x: &[f64]) -> Summary {
    summarise_in_place(&mut x.to_vec())
}

/// Summarises `x`, reordering it: for values the caller no longer needs in draw order, it
/// saves a copy of every draw.
pub fn summarise_in_place(x: &mut [f64]) -> Summary {
    // Mean and sd first, in draw order, so that they do not depend on the reordering.
    let m = mean(x);
    let s = sd(x, m);
    let q = quantiles(x, &[0.025, 0.5, 0.975]);
    Summary {
        mean: m,
        mcse: s / (x.len() as f64).sqrt(),
        sd: s,
        p2_5: q[0],
        p50: q[1],
        p97_5: q[2],
    }
}

/// Ranks of `x`, 1 for the smallest, ties sharing the mean of their ranks. NaN ranks last.
pub fn ranks(x: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i + 1;
        while j < order.len() && x[order[j]] == x[order[i]] {
            j += 1;
        }
        // Positions i..j hold equal values: each gets the mean rank (i + 1 + j) / 2.
        let shared = (i + 1 + j) as f64 / 2.0;
        for &k in &order[i..j] {
            r[k] = shared;
        }
        i = j;
    }
    r
}

/// Pearson's correlation of `x` and `y` (NaN if either is constant or they differ in length).
pub fn correlation(x: &[f64], y: &[f64]) -> f64 {
    if x.len() != y.len() || x.len() < 2 {
        return f64::NAN;
    }
    let (mx, my) = (mean(x), mean(y));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx == 0.0 || syy == 0.0 {
        return f64::NAN;
    }
    sxy / (sxx * syy).sqrt()
}

/// Spearman's rank correlation: Pearson's correlation of the ranks (ties share ranks). It says
/// how closely an output moves with one input over the draws, whatever the shape of the link,
/// as long as it keeps one direction.
pub fn rank_correlation(x: &[f64], y: &[f64]) -> f64 {
    correlation(&ranks(x), &ranks(y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_numpy_linear_interpolation() {
        // numpy.quantile([1, 2, 3, 4, 10], [0.025, 0.5, 0.975, 0.1]) = [1.1, 3.0, 9.4, 1.4]
        let mut x = vec![10.0, 3.0, 1.0, 4.0, 2.0];
        let q = quantiles(&mut x, &[0.025, 0.5, 0.975, 0.1]);
        let want = [1.1, 3.0, 9.4, 1.4];
        for (a, b) in q.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{q:?}");
        }
        let mut one = vec![7.0];
        assert_eq!(quantiles(&mut one, &[0.025, 0.975]), vec![7.0, 7.0]);
    }

    #[test]
    fn quantiles_agree_with_a_full_sort() {
        let mut s: u64 = 12345;
        let x: Vec<f64> = (0..1001)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (s >> 11) as f64 / (1u64 << 53) as f64
            })
            .collect();
        let mut sorted = x.clone();
        sorted.sort_by(f64::total_cmp);
        for p in [0.0, 0.025, 0.3333, 0.5, 0.975, 1.0] {
            let h: f64 = 1000.0 * p;
            let lo = h.floor() as usize;
            let want = if lo == 1000 {
                sorted[1000]
            } else {
                sorted[lo] + (h - lo as f64) * (sorted[lo + 1] - sorted[lo])
            };
            let got = quantiles(&mut x.clone(), &[p])[0];
            assert_eq!(got, want, "p = {p}");
        }
    }

    #[test]
    fn several_quantiles_at_once_match_one_at_a_time() {
        let mut s: u64 = 99;
        let x: Vec<f64> = (0..5000)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((s >> 11) as f64 / (1u64 << 53) as f64).powi(3)
            })
            .collect();
        let ps = [0.975, 0.025, 0.5, 0.3333, 1.0, 0.0, 0.5];
        let together = quantiles(&mut x.clone(), &ps);
        for (p, got) in ps.iter().zip(&together) {
            assert_eq!(*got, quantiles(&mut x.clone(), &[*p])[0], "p = {p}");
        }
    }

    #[test]
    fn summary_of_known_values() {
        let s = summarise(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(s.mean, 2.5);
        assert!((s.sd - (5.0f64 / 3.0).sqrt()).abs() < 1e-15);
        assert!((s.mcse - s.sd / 2.0).abs() < 1e-15);
        assert_eq!(s.p50, 2.5);
    }

    #[test]
    fn ranks_share_ties() {
        assert_eq!(
            ranks(&[5.0, 6.0, 7.0, 8.0, 7.0]),
            vec![1.0, 2.0, 3.5, 5.0, 3.5]
        );
        assert_eq!(ranks(&[2.0, 2.0, 2.0]), vec![2.0, 2.0, 2.0]);
    }

    #[test]
    fn rank_correlation_matches_hand_worked_values() {
        // Any increasing transform gives 1, any decreasing one -1.
        let x: Vec<f64> = (0..50).map(|i| i as f64 * 0.37 - 4.0).collect();
        let up: Vec<f64> = x.iter().map(|v| v.exp()).collect();
        let down: Vec<f64> = x.iter().map(|v| -v * v * v).collect();
        assert!((rank_correlation(&x, &up) - 1.0).abs() < 1e-15);
        assert!((rank_correlation(&x, &down) + 1.0).abs() < 1e-15);
        // x = 1..5, y = 5, 6, 7, 8, 7: ranks 1..5 and 1, 2, 3.5, 5, 3.5. Centred: -2..2 and
        // -2, -1, 0.5, 2, 0.5; sum of products 4 + 1 + 0 + 2 + 1 = 8; sums of squares 10 and 9.5.
        let r = rank_correlation(&[1.0, 2.0, 3.0, 4.0, 5.0], &[5.0, 6.0, 7.0, 8.0, 7.0]);
        assert!((r - 8.0 / (10.0f64 * 9.5).sqrt()).abs() < 1e-15, "{r}");
        assert!(rank_correlation(&[1.0, 1.0], &[1.0, 2.0]).is_nan());
    }
}
