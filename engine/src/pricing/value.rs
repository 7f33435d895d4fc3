//! Prices from value and from cost, per draw: Japan's cost-effectiveness adjustment
//! (費用対効果評価), value-based prices with shared savings, and the cost-to-value corridor.
//!
//! Every function here works on one draw's numbers, so applied to each draw of a probabilistic
//! analysis it yields a distribution of prices, not just one.

use serde::Serialize;

use crate::official::evaluation::coefficients;

/// The price at which the ICER equals `w`: `w dQ - dC`, where `dC` excludes the price.
pub fn threshold_price(w: f64, delta_qalys: f64, delta_costs: f64) -> f64 {
    w * delta_qalys - delta_costs
}

/// The ICER-style shared-savings price for a one-time therapy: the health gain at full value,
/// added costs in full and only `share` of the cost offsets (0.5 for the 50/50 split),
/// `w dQ - added + share x offsets`. Offsets are, over cost items, the savings on items where
/// the intervention spends less than the comparator, and added costs the extra spending on the
/// others ([`crate::model::CostSplit`]), so `dC = added - offsets`: the price is
/// `w dQ - dC - (1 - share) x offsets`. Added costs are not netted against offsets before
/// sharing (which would credit `share` of `-dC` and overstate the price by
/// `(1 - share) x min(added, offsets)`).
pub fn shared_savings_price(
    w: f64,
    delta_qalys: f64,
    delta_costs: f64,
    cost_offsets: f64,
    share: f64,
) -> f64 {
    w * delta_qalys - delta_costs - (1.0 - share) * cost_offsets
}

/// What the cost-effectiveness adjustment needs about a listed product.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AdjustmentInputs {
    /// The listed price, yen.
    pub price: f64,
    /// The part of the price that came from premiums, yen.
    pub premium_part: f64,
    /// The operating-profit part, yen: adjusted only for cost-accounting products with
    /// disclosure under 50% (zero otherwise).
    pub profit_part: f64,
    /// The usefulness-type premium rate before the disclosure coefficient, which sets the
    /// maximum cut.
    pub premium_rate: f64,
    /// Special consideration (the higher ICER bands apply).
    pub special: bool,
}

/// The adjusted price for one draw, where each population has an ICER (or is dominated) and a
/// weight. Each population's adjustment is `premium_part (1 - gamma) + profit_part (1 - theta)`;
/// they are weighted by share. The cut is at most 10% of the price for premium rates up to 25%,
/// `10 + (rate - 25) / 15` percent from there to 100%, and 15% above (the reference marks this
/// to be verified), and the
/// price never falls below `floor` (the price at which the ICER equals 5M, or 7.5M yen per QALY
/// with special consideration), unless it was already below it.
pub fn adjusted_price(a: &AdjustmentInputs, populations: &[(Option<f64>, f64)], floor: f64) -> f64 {
    let total_weight: f64 = populations.iter().map(|p| p.1).sum();
    if total_weight <= 0.0 {
        return a.price;
    }
    let cut: f64 = populations
        .iter()
        .map(|&(icer, w)| {
            let (gamma, theta) = coefficients(icer, a.special);
            w / total_weight * (a.premium_part * (1.0 - gamma) + a.profit_part * (1.0 - theta))
        })
        .sum();
    let rate_pct = 100.0 * a.premium_rate;
    // The formula is given for premium rates from 25% to 100% (Chuikyo general meeting no. 511,
    // FY2022): the cut is at most 15% of the price however high the rate.
    let max_cut_pct = if rate_pct <= 25.0 {
        10.0
    } else {
        (10.0 + (rate_pct - 25.0) / 15.0).min(15.0)
    };
    let cut = cut.min(a.price * max_cut_pct / 100.0);
    let adjusted = a.price - cut;
    if adjusted < floor {
        floor.min(a.price)
    } else {
        adjusted
    }
}

/// The cost-to-value corridor of one draw: between the full cost per treated patient plus a
/// stated return (the floor) and the value-based price (the ceiling).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Corridor {
    /// Cost per treated patient x (1 + return).
    pub floor: f64,
    /// The value-based price.
    pub ceiling: f64,
    /// `floor + share x (ceiling - floor)`.
    pub suggested: f64,
    /// Whether the ceiling is below the floor: no price is both justified by value and viable
    /// to supply.
    pub no_viable_price: bool,
}

/// The corridor for one draw.
pub fn corridor(cost_per_treated: f64, ret: f64, ceiling: f64, share: f64) -> Corridor {
    let floor = cost_per_treated * (1.0 + ret);
    Corridor {
        floor,
        ceiling,
        suggested: floor + share * (ceiling - floor),
        no_viable_price: ceiling < floor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_follow_chuikyo_527_at_their_edges() {
        let c = |icer: f64| coefficients(Some(icer), false);
        assert_eq!(c(-1.0), (1.0, 1.0)); // dominant
        assert_eq!(c(4_999_999.0), (1.0, 1.0));
        assert_eq!(c(5_000_000.0), (0.7, 0.83));
        assert_eq!(c(7_500_000.0), (0.4, 0.67));
        assert_eq!(c(9_999_999.0), (0.4, 0.67));
        assert_eq!(c(10_000_000.0), (0.1, 0.5));
        assert_eq!(c(1e9), (0.1, 0.5));
        let s = |icer: f64| coefficients(Some(icer), true);
        assert_eq!(s(7_499_999.0), (1.0, 1.0));
        assert_eq!(s(7_500_000.0), (0.7, 0.83));
        assert_eq!(s(11_250_000.0), (0.4, 0.67));
        assert_eq!(s(15_000_000.0), (0.1, 0.5));
        assert_eq!(coefficients(None, false), (0.1, 0.5));
    }

    #[test]
    fn the_adjustment_cuts_the_premium_part_weighted_over_populations() {
        let a = AdjustmentInputs {
            price: 100_000_000.0,
            premium_part: 20_000_000.0,
            profit_part: 0.0,
            premium_rate: 0.6,
            special: false,
        };
        // One population at 8M yen/QALY: gamma 0.4, the cut 20M x 0.6 = 12M, within the
        // maximum cut of 10 + 35/15 = 12.33%.
        assert_eq!(adjusted_price(&a, &[(Some(8e6), 1.0)], 0.0), 88_000_000.0);
        // Half the patients at 3M (no cut), half at 8M: 6M cut.
        assert_eq!(
            adjusted_price(&a, &[(Some(3e6), 1.0), (Some(8e6), 1.0)], 0.0),
            94_000_000.0
        );
        // A premium rate of 20% caps the cut at 10% of the price.
        let low = AdjustmentInputs {
            premium_rate: 0.2,
            ..a
        };
        assert_eq!(adjusted_price(&low, &[(Some(2e7), 1.0)], 0.0), 90_000_000.0);
        // The floor holds.
        assert_eq!(
            adjusted_price(&a, &[(Some(8e6), 1.0)], 95_000_000.0),
            95_000_000.0
        );
        // Cost-accounting below 50% disclosure: the profit part is cut too (theta 0.67).
        // A premium rate of 100% allows the largest cut, 15% of the price.
        let ca = AdjustmentInputs {
            profit_part: 10_000_000.0,
            premium_rate: 1.0,
            ..a
        };
        let got = adjusted_price(&ca, &[(Some(8e6), 1.0)], 0.0);
        assert!((got - (100e6 - 15e6)).abs() < 1e-6, "{got}");
        // Beyond 100% the cut stays at 15%.
        let high = AdjustmentInputs {
            premium_rate: 1.2,
            ..ca
        };
        assert!((adjusted_price(&high, &[(Some(8e6), 1.0)], 0.0) - 85e6).abs() < 1e-6);
        // At a 60% rate the same 15.3M cut is held to 12.33% of the price.
        let capped = AdjustmentInputs {
            profit_part: 10_000_000.0,
            ..a
        };
        let got = adjusted_price(&capped, &[(Some(8e6), 1.0)], 0.0);
        let max_cut = (10.0 + 35.0 / 15.0) / 100.0;
        assert!((got - 100e6 * (1.0 - max_cut)).abs() < 1e-6, "{got}");
    }

    #[test]
    fn an_adjustment_never_raises_a_price() {
        let a = AdjustmentInputs {
            price: 50_000_000.0,
            premium_part: 10_000_000.0,
            profit_part: 5_000_000.0,
            premium_rate: 0.5,
            special: false,
        };
        for icer in [None, Some(-1e6), Some(1e6), Some(6e6), Some(9e6), Some(2e7)] {
            for floor in [0.0, 40e6, 60e6] {
                let p = adjusted_price(&a, &[(icer, 1.0)], floor);
                assert!(p <= a.price, "{icer:?} floor {floor}: {p}");
            }
        }
    }

    #[test]
    fn the_floor_is_never_crossed_and_the_cut_never_exceeds_the_adjustable_parts() {
        // Over a grid of prices, parts, rates, ICERs and floors: the adjusted price lies between
        // min(floor, price) and the price, and the cut is at most the adjustable parts and the
        // maximum cut.
        for price in [10e6, 50e6, 300e6] {
            for (premium_part, profit_part) in [(0.0, 0.0), (0.2, 0.0), (0.1, 0.15), (0.0, 0.2)] {
                for rate in [0.0, 0.25, 0.6, 1.0, 1.5] {
                    for special in [false, true] {
                        let a = AdjustmentInputs {
                            price,
                            premium_part: premium_part * price,
                            profit_part: profit_part * price,
                            premium_rate: rate,
                            special,
                        };
                        for icer in [None, Some(1e6), Some(6e6), Some(9e6), Some(12e6), Some(4e7)] {
                            for floor in [0.0, 0.8 * price, 0.95 * price, 2.0 * price] {
                                let p = adjusted_price(&a, &[(icer, 1.0)], floor);
                                let cap = if rate <= 0.25 {
                                    0.1
                                } else {
                                    ((10.0 + (100.0 * rate - 25.0) / 15.0) / 100.0).min(0.15)
                                };
                                let most = (a.premium_part + a.profit_part).min(cap * price);
                                assert!(p <= price, "{a:?} {icer:?} {floor}: {p}");
                                assert!(p >= floor.min(price) - 1e-6, "{a:?} {icer:?}: {p}");
                                assert!(price - p <= most + 1e-6, "{a:?} {icer:?}: {p}");
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn shared_savings_credit_half_the_offsets_only() {
        // 2 QALYs at 5M, 30M of savings and nothing added: full credit 40M, half credit 25M.
        assert_eq!(threshold_price(5e6, 2.0, -30e6), 40e6);
        assert_eq!(shared_savings_price(5e6, 2.0, -30e6, 30e6, 0.5), 25e6);
        // Added costs only: nothing to share, the value-based price 10M - 4M.
        assert_eq!(shared_savings_price(5e6, 2.0, 4e6, 0.0, 0.5), 6e6);
    }

    #[test]
    fn defect_8_shared_savings_shares_only_the_offsets() {
        // 2 QALYs at 5M yen/QALY = 10M of health gain. Items: the intervention adds 12M of
        // monitoring and saves 20M of the comparator's care, so dC = 12M - 20M = -8M.
        // ICER's scenario: 10M - 12M (added, in full) + 0.5 x 20M (half the offsets) = 8M.
        // Netting first (the old formula) credited 0.5 x 8M: 10M + 4M = 14M, too high by
        // (1 - 0.5) x min(12M, 20M) = 6M.
        assert_eq!(shared_savings_price(5e6, 2.0, -8e6, 20e6, 0.5), 8e6);
        // Added costs above the offsets (dC = +4M: 24M added, 20M saved): 10M - 24M + 10M = -4M
        // (netting first gave 10M - 4M = 6M, too high by 0.5 x 20M = 10M).
        assert_eq!(shared_savings_price(5e6, 2.0, 4e6, 20e6, 0.5), -4e6);
        // A share of 1 gives back the value-based price; 0 credits no offsets at all:
        // 10M - 12M = -2M.
        assert_eq!(
            shared_savings_price(5e6, 2.0, -8e6, 20e6, 1.0),
            threshold_price(5e6, 2.0, -8e6)
        );
        assert_eq!(shared_savings_price(5e6, 2.0, -8e6, 20e6, 0.0), -2e6);
    }

    #[test]
    fn the_corridor_flags_draws_with_no_viable_price() {
        let c = corridor(20e6, 0.1, 30e6, 0.5);
        assert_eq!(
            (c.floor, c.suggested, c.no_viable_price),
            (22e6, 26e6, false)
        );
        let c = corridor(20e6, 0.1, 15e6, 0.5);
        assert!(c.no_viable_price);
        assert_eq!(c.suggested, 18.5e6);
    }
}
