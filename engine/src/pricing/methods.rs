//! Every pricing method on the same scenario, per draw: value-based prices at each willingness
//! to pay, the ICER-style shared-savings price, Japan's cost-accounting price built on the
//! supply model's cost (and the same after the cost-effectiveness adjustment), the
//! comparable-drug price (and adjusted), and the cost-to-value corridor.
//!
//! [`PricingSpec`] is a scenario's `[pricing]` block (all optional); [`method_prices`] gives one
//! draw's price under each method that applies.

use serde::Serialize;

use super::value::{
    AdjustmentInputs, adjusted_price, corridor, shared_savings_price, threshold_price,
};
use crate::official::evaluation::{BANDS, SELECTION_SOURCE, Selection, USEFULNESS_PART, band};
use crate::official::rules::premium_kind;
use crate::official::{Calculation, comparable_drug, cost_accounting};
use crate::scenario::pricing::{ListPrice, Method, PricingSpec};
use crate::supply::SupplyOutcome;

/// One draw's price under each method (`None` where it does not apply), and whether the
/// corridor has no viable price (`None` without supply).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MethodPrices {
    /// Prices in [`Method::ALL`] order.
    pub prices: [Option<f64>; 7],
    /// Whether the value ceiling is below the cost floor (`None` without supply).
    pub no_viable_price: Option<bool>,
    /// The cost-effectiveness band (an index into [`BANDS`]) of the pooled ICER at the
    /// cost-accounting and the comparable-drug listed price, where the product is selected.
    pub bands: [Option<usize>; 2],
}

impl MethodPrices {
    /// The price under `method`, if it applies.
    pub fn of(&self, method: Method) -> Option<f64> {
        self.prices[method.index()]
    }
}

/// The official calculations at one draw (the base case, for the report), step by step: cost
/// accounting on the supply model's cost, and the comparable-drug method, where they apply.
pub fn official_calculations(
    spec: &PricingSpec,
    supply: Option<&SupplyOutcome>,
) -> Vec<Calculation> {
    let mut out = Vec::new();
    if let Some(s) = supply {
        out.extend(
            cost_accounting(
                &spec.cost_accounting_case(s.costs.product_cost()),
                spec.rules,
            )
            .ok(),
        );
    }
    if let Some(c) = spec.comparable_case() {
        out.extend(comparable_drug(&c, spec.rules).ok());
    }
    out
}

/// One patient population's results in a draw, for the cost-effectiveness adjustment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Population {
    /// Incremental QALYs.
    pub delta_qalys: f64,
    /// Incremental costs (excluding the price).
    pub delta_costs: f64,
    /// The supply model's mean relative effect (1 without supply).
    pub relative_effect: f64,
    /// Share of patients.
    pub share: f64,
}

impl Population {
    /// The population variants of `sc` with their results in one draw (`outcomes` in
    /// `[[variants]]` order); empty when the scenario has none.
    pub fn of(
        sc: &crate::scenario::Scenario,
        outcomes: &[crate::run::VariantOutcome],
    ) -> Vec<Population> {
        sc.variants
            .iter()
            .zip(outcomes)
            .filter(|(v, _)| v.role == crate::scenario::VariantRole::Population)
            .map(|(v, o)| Population {
                delta_qalys: o.delta_qalys,
                delta_costs: o.delta_costs,
                relative_effect: o.relative_effect,
                share: v.share.unwrap_or(0.0),
            })
            .collect()
    }
}

/// The premium a cost-effectiveness adjustment may cut: the usefulness-type part the official
/// calculation reports.
fn adjustable_premium(c: &Calculation) -> f64 {
    c.steps
        .iter()
        .find(|s| s.label == USEFULNESS_PART)
        .map_or(0.0, |s| s.value)
}

/// The usefulness-type premium rate (innovativeness, usefulness I and II, improvement) before
/// the disclosure coefficient: it sets the maximum cut of a cost-effectiveness adjustment
/// (有用性系加算の加算率, 補正加算率を乗じる前; Chuikyo 総会 no. 511, 2022-01-19, and no. 579,
/// 2024-01-17), so Kymriah's 35% usefulness premium counts, its 10% marketability premium not.
fn usefulness_rate(premiums: &[(String, f64)]) -> f64 {
    premiums
        .iter()
        .filter(|(id, _)| premium_kind(id).is_some_and(|k| k.usefulness_type))
        .map(|p| p.1)
        .sum()
}

/// One official method's listed price in a draw, and, when the product is selected for
/// evaluation, the adjusted price and the band of the pooled ICER at the listed price.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Official {
    listed: f64,
    adjusted: Option<f64>,
    band: Option<usize>,
}

/// One draw's price under each method that applies (`value_based` and `shared_savings` at the
/// scenario's value-based willingness to pay, by default the reference value; `None` where a
/// method lacks its inputs or, for the adjusted methods, where the product is not selected for
/// evaluation), and whether the corridor has no viable price. `cost_offsets` are the draw's
/// cost offsets by item ([`crate::model::CostSplit`]), which the shared-savings price shares.
pub fn method_prices(
    spec: &PricingSpec,
    delta_qalys: f64,
    delta_costs: f64,
    cost_offsets: f64,
    supply: Option<&SupplyOutcome>,
    populations: &[Population],
) -> MethodPrices {
    let wtp = spec.value_wtp();
    let r = supply.map_or(1.0, |s| s.mean_relative_effect);
    let value = r * threshold_price(wtp, delta_qalys, delta_costs);
    let shared = r * shared_savings_price(
        wtp,
        delta_qalys,
        delta_costs,
        cost_offsets,
        spec.savings_share,
    );
    // The price at which the ICER equals the evaluation's reference value is its floor.
    let reference = spec.reference_value();
    // Without populations the scenario itself is the one population.
    let whole = [Population {
        delta_qalys,
        delta_costs,
        relative_effect: r,
        share: 1.0,
    }];
    let populations = if populations.is_empty() {
        &whole[..]
    } else {
        populations
    };
    // The floor over populations is their share-weighted floor price.
    let floor: f64 = populations
        .iter()
        .map(|p| p.share * p.relative_effect * (reference * p.delta_qalys - p.delta_costs))
        .sum();
    // The ICER at a price, per treated patient of each population: the products given deliver
    // r of the gain and of the cost difference, so (r dC + P) / (r dQ); no gain means
    // dominated.
    let icer = |p: &Population, price: f64| {
        let (r, dq, dc) = (p.relative_effect, p.delta_qalys, p.delta_costs);
        (r * dq > 0.0).then(|| (r * dc + price) / (r * dq))
    };
    let icers_at = |price: f64| -> Vec<(Option<f64>, f64)> {
        populations
            .iter()
            .map(|p| (icer(p, price), p.share))
            .collect()
    };
    // The pooled ICER (share-weighted gains and costs) names the band an appraisal reports.
    let pooled = populations.iter().fold(
        Population {
            delta_qalys: 0.0,
            delta_costs: 0.0,
            relative_effect: 1.0,
            share: 1.0,
        },
        |acc, p| Population {
            delta_qalys: acc.delta_qalys + p.share * p.relative_effect * p.delta_qalys,
            delta_costs: acc.delta_costs + p.share * p.relative_effect * p.delta_costs,
            ..acc
        },
    );
    let pooled_share: f64 = populations.iter().map(|p| p.share).sum();
    let official = |c: Calculation, premium_rate: f64, profit_part: f64| -> Official {
        if !spec.selection(&c).selected {
            return Official {
                listed: c.price,
                adjusted: None,
                band: None,
            };
        }
        let adjusted = adjusted_price(
            &AdjustmentInputs {
                price: c.price,
                premium_part: adjustable_premium(&c),
                profit_part,
                premium_rate,
                special: spec.special_consideration,
            },
            &icers_at(c.price),
            floor,
        );
        let pooled_icer = icer(&pooled, c.price * pooled_share);
        Official {
            listed: c.price,
            adjusted: Some(spec.route.round(adjusted)),
            band: Some(band(pooled_icer, spec.special_consideration)),
        }
    };

    let cost_based = supply.and_then(|s| {
        let c = cost_accounting(
            &spec.cost_accounting_case(s.costs.product_cost()),
            spec.rules,
        )
        .ok()?;
        // Only the usefulness-type premiums are adjustable (費用対効果評価専門部会 no. 65,
        // 2023-10-04); marketability, paediatric, sakigake and rapid-introduction premiums are
        // not. Cost-accounting products with disclosure under 50% also have their profit
        // adjusted.
        let profit = c
            .steps
            .iter()
            .find(|s| s.label == "operating profit (6)")
            .map_or(0.0, |s| s.value);
        let profit_part = if spec.disclosure < 0.5 { profit } else { 0.0 };
        Some(official(c, usefulness_rate(&spec.premiums), profit_part))
    });
    let comparable = spec.comparable.as_ref().and_then(|cs| {
        let c = comparable_drug(&spec.comparable_case()?, spec.rules).ok()?;
        let rate = usefulness_rate(&cs.premiums);
        Some(official(c, rate, 0.0))
    });
    let corridor = supply.map(|s| {
        corridor(
            s.costs.maker(),
            spec.return_on_cost,
            value,
            spec.corridor_share,
        )
    });
    MethodPrices {
        prices: [
            Some(value),
            Some(shared),
            cost_based.map(|c| c.listed),
            cost_based.and_then(|c| c.adjusted),
            comparable.map(|c| c.listed),
            comparable.and_then(|c| c.adjusted),
            corridor.map(|c| c.suggested),
        ],
        no_viable_price: corridor.map(|c| c.no_viable_price),
        bands: [
            cost_based.and_then(|c| c.band),
            comparable.and_then(|c| c.band),
        ],
    }
}

/// A method's prices over the draws.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MethodSummary {
    /// The method.
    pub method: Method,
    /// At the base case.
    pub base_case: f64,
    /// Mean over draws.
    pub mean: Option<f64>,
    /// 2.5% quantile (the 95% interval's lower end, shown on the site).
    pub p2_5: Option<f64>,
    /// 5% quantile.
    pub p5: Option<f64>,
    /// Median.
    pub p50: Option<f64>,
    /// 95% quantile.
    pub p95: Option<f64>,
    /// 97.5% quantile.
    pub p97_5: Option<f64>,
}

/// What a cost-effectiveness evaluation would do to one official method's price: whether the
/// product is selected and why, the band an appraisal would find at the base case, and how
/// often each band is found over the draws.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MethodEvaluation {
    /// `cost_accounting` or `comparable_drug`.
    pub method: Method,
    /// Selected or not, and why.
    pub selection: Selection,
    /// The band (index into `bands`) of the pooled ICER at the listed price, base case.
    pub base_case_band: Option<usize>,
    /// Share of draws in each band (`None` without a PSA or when not selected).
    pub band_shares: Option<Vec<f64>>,
}

/// One band of the cost-effectiveness adjustment as it applies to a product.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BandRow {
    /// Lower end, yen per QALY (`None` for the first band, which has none).
    pub from: Option<f64>,
    /// Coefficient on the usefulness-type premium part (gamma).
    pub premium: f64,
    /// Coefficient on the operating-profit part (theta).
    pub profit: f64,
}

/// The cost-effectiveness evaluation of a scenario's official prices.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvaluationReport {
    /// Special consideration (the higher bands).
    pub special_consideration: bool,
    /// The reference value, yen per QALY (5M, or 7.5M with special consideration).
    pub reference_value: f64,
    /// The bands as they apply to this product.
    pub bands: Vec<BandRow>,
    /// One entry per official method that applies.
    pub methods: Vec<MethodEvaluation>,
    /// The documents behind the selection rules.
    pub source: &'static str,
}

/// The prices by method over a run, and the corridor's no-viable-price probability.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PricingReport {
    /// The willingness to pay the value-based methods use (the reference value unless the
    /// scenario gives `value_based_wtp`).
    pub wtp: f64,
    /// The official rule set followed.
    pub rule_set: &'static str,
    /// Methods that apply, in [`Method::ALL`] order.
    pub methods: Vec<MethodSummary>,
    /// Share of draws (or, without a PSA, 0 or 1 at the base case) where the value-based
    /// ceiling is below the cost floor.
    pub probability_no_viable_price: Option<f64>,
    /// The official calculations at the base case, step by step.
    pub official: Vec<Calculation>,
    /// Cost-effectiveness evaluation of the official prices.
    pub evaluation: EvaluationReport,
    /// The product's actual Japanese list price, where the scenario records one.
    pub list_price: Option<ListPrice>,
}

impl PricingReport {
    /// Summarises the base case's and each draw's method prices.
    pub fn new(
        spec: &PricingSpec,
        base: MethodPrices,
        draws: Option<&[MethodPrices]>,
        official: Vec<Calculation>,
    ) -> PricingReport {
        let mut methods = Vec::new();
        for method in Method::ALL {
            let Some(b) = base.of(method) else { continue };
            let mut s = MethodSummary {
                method,
                base_case: b,
                mean: None,
                p2_5: None,
                p5: None,
                p50: None,
                p95: None,
                p97_5: None,
            };
            if let Some(d) = draws {
                let mut v: Vec<f64> = d.iter().filter_map(|x| x.of(method)).collect();
                if !v.is_empty() {
                    s.mean = Some(crate::summary::mean(&v));
                    let q = crate::summary::quantiles(&mut v, &[0.025, 0.05, 0.5, 0.95, 0.975]);
                    s.p2_5 = Some(q[0]);
                    (s.p5, s.p50, s.p95) = (Some(q[1]), Some(q[2]), Some(q[3]));
                    s.p97_5 = Some(q[4]);
                }
            }
            methods.push(s);
        }
        let probability_no_viable_price = match draws {
            Some(d) if base.no_viable_price.is_some() => Some(
                d.iter().filter(|x| x.no_viable_price == Some(true)).count() as f64
                    / d.len().max(1) as f64,
            ),
            _ => base.no_viable_price.map(|b| if b { 1.0 } else { 0.0 }),
        };
        let special = spec.special_consideration;
        let evaluation = EvaluationReport {
            special_consideration: special,
            reference_value: spec.reference_value(),
            bands: BANDS
                .iter()
                .map(|b| BandRow {
                    from: Some(if special { b.from_special } else { b.from })
                        .filter(|x| x.is_finite()),
                    premium: b.premium,
                    profit: b.profit,
                })
                .collect(),
            methods: official
                .iter()
                .filter_map(|c| {
                    let (method, slot) = match c.method {
                        "cost_accounting" => (Method::CostAccounting, 0),
                        "comparable_drug" => (Method::ComparableDrug, 1),
                        _ => return None,
                    };
                    let selection = spec.selection(c);
                    let band_shares = draws.filter(|_| selection.selected).map(|d| {
                        let mut shares = vec![0.0; BANDS.len()];
                        for b in d.iter().filter_map(|x| x.bands[slot]) {
                            shares[b] += 1.0 / d.len() as f64;
                        }
                        shares
                    });
                    Some(MethodEvaluation {
                        method,
                        selection,
                        base_case_band: base.bands[slot],
                        band_shares,
                    })
                })
                .collect(),
            source: SELECTION_SOURCE,
        };
        PricingReport {
            wtp: spec.value_wtp(),
            rule_set: spec.rules.id,
            methods,
            probability_no_viable_price,
            official,
            evaluation,
            list_price: spec.list_price.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::official::evaluation::{Category, Designation};
    use crate::scenario::pricing::ComparableSpec;

    #[test]
    fn without_supply_or_comparator_only_value_methods_apply() {
        let spec = PricingSpec::defaults();
        let MethodPrices {
            prices: p,
            no_viable_price: viable,
            ..
        } = method_prices(&spec, 2.0, -10e6, 10e6, None, &[]);
        assert_eq!(p[0], Some(20e6));
        assert_eq!(p[1], Some(15e6));
        assert!(p[2..].iter().all(Option::is_none));
        assert_eq!(viable, None);
    }

    #[test]
    fn the_cost_accounting_price_is_built_on_the_supply_cost() {
        let mut s = SupplyOutcome::default();
        s.costs.manufacturing = 10_000_000.0;
        // Defect 6: shipment (the maker's, but covered by the distribution item) and hospital
        // handling do not enter the product cost; the corridor's floor takes the maker's part.
        s.costs.shipment = 2_000_000.0;
        s.costs.handling = 1_000_000.0;
        s.mean_relative_effect = 1.0;
        let mut spec = PricingSpec::defaults();
        spec.evaluation = Designation::PeakSales(12e9);
        let MethodPrices {
            prices: p,
            no_viable_price: viable,
            bands,
        } = method_prices(&spec, 1.0, 0.0, 0.0, Some(&s), &[]);
        // FY2024 on a cost of 10M (see the official_prices tests): 10M / (1 - 0.677) plus
        // distribution 0.069 and 10% tax.
        let subtotal = 10e6 / (1.0 - 0.510 - 0.167);
        let before_dist = 10e6 + (subtotal * 0.510f64).round() + (subtotal * 0.167f64).round();
        let dist = (before_dist * 0.069 / 0.931f64).round();
        let want = before_dist + dist + ((before_dist + dist) * 0.1f64).round();
        assert_eq!(p[2], Some(want));
        // The ICER at that price is far above 10M yen/QALY: the profit part (disclosure under
        // 50%) is cut by half, held to the maximum cut of 10%, and the floor (5M per QALY
        // gained) is below.
        let adjusted = p[3].unwrap();
        assert!(
            adjusted < want && adjusted >= (want * 0.9).round(),
            "{adjusted} vs {want}"
        );
        // The ICER (about 17.5M yen per QALY) is in the last band.
        assert_eq!(bands, [Some(3), None]);
        // The corridor: floor 12M (manufacturing and shipment), ceiling 5M: no viable price,
        // the suggested price halfway.
        assert_eq!(viable, Some(true));
        assert_eq!(p[6], Some(8.5e6));
    }

    #[test]
    fn defect_3_the_adjustment_cuts_only_usefulness_type_premiums() {
        // Zolgensma's comparable-drug inputs (cases/zolgensma.toml): Spinraza 9,493,024 yen x 11
        // vials = 104,423,264; usefulness I 50% + sakigake 10%: price 104,423,264 x 1.6 =
        // 167,077,222.4 -> 167,077,222. At an ICER of 6M yen/QALY (the 0.7 band) only the
        // usefulness part is adjustable: 0.5 x 104,423,264 = 52,211,632, cut by 0.3 =
        // 15,663,489.6, giving 151,413,732.4 -> 151,413,732. (Cutting the sakigake premium too,
        // as before, took 0.3 x 62,653,958 = 18,796,187.4 off: 3,132,697.8 yen too much.)
        // The cap is 10 + (50 - 25) / 15 = 11.67% of the price (the usefulness-type rate), the
        // floor (ICER 5M) 137.1M: neither binds.
        let mut spec = PricingSpec::defaults();
        spec.evaluation = Designation::Category(Category::H3);
        spec.comparable = Some(ComparableSpec {
            comparator_unit_price: 9_493_024.0,
            units_per_course: 11.0,
            premiums: vec![("usefulness_1".into(), 0.5), ("sakigake".into(), 0.1)],
            foreign_adjustment: false,
        });
        // 30 QALYs gained; costs chosen so that the ICER at the listed price is exactly 6M.
        let (dq, dc) = (30.0, 180_000_000.0 - 167_077_222.0);
        let p = method_prices(&spec, dq, dc, 0.0, None, &[]);
        assert_eq!(p.of(Method::ComparableDrug), Some(167_077_222.0));
        assert_eq!(p.of(Method::ComparableDrugAdjusted), Some(151_413_732.0));
    }

    /// Zolgensma's comparable-drug inputs with a designation and a rule set.
    fn zolgensma(evaluation: Designation, rules: &str) -> PricingSpec {
        let mut spec = PricingSpec::defaults();
        spec.rules = crate::official::rules::rule_set(rules).unwrap();
        spec.evaluation = evaluation;
        spec.comparable = Some(ComparableSpec {
            comparator_unit_price: 9_493_024.0,
            units_per_course: 11.0,
            premiums: vec![("usefulness_1".into(), 0.5), ("sakigake".into(), 0.1)],
            foreign_adjustment: false,
        });
        spec
    }

    #[test]
    fn defect_3_a_product_not_selected_is_never_adjusted() {
        // At an ICER of 20M yen/QALY a selected product would lose 0.9 x 52,211,632 =
        // 46,990,468.8 of its usefulness part; the cap is set by the usefulness-type rate
        // alone (50%, not the 60% with sakigake): 10 + (50 - 25) / 15 = 11.67% of the price,
        // 19,492,342.6, so 167,077,222 - 19,492,342.6 = 147,584,879.4 -> 147,584,879.
        let (dq, dc) = (10.0, 200_000_000.0 - 167_077_222.0);
        let h3 = method_prices(
            &zolgensma(Designation::Category(Category::H3), "FY2024"),
            dq,
            dc,
            0.0,
            None,
            &[],
        );
        assert_eq!(h3.of(Method::ComparableDrugAdjusted), Some(147_584_879.0));
        assert_eq!(h3.bands, [None, Some(3)]);
        // Not stated, stated as not selected, peak sales under 5bn yen, or conditionally
        // approved under the 2026 rule: the listed price stands and no adjusted price exists.
        for (designation, rules) in [
            (Designation::NotStated, "FY2024"),
            (Designation::NotSelected, "FY2024"),
            (Designation::PeakSales(4.2e9), "FY2024"),
            (Designation::Category(Category::H3), "FY2026-conditional"),
        ] {
            let p = method_prices(&zolgensma(designation, rules), dq, dc, 0.0, None, &[]);
            assert!(p.of(Method::ComparableDrug).is_some());
            assert_eq!(
                p.of(Method::ComparableDrugAdjusted),
                None,
                "{designation:?} {rules}"
            );
            assert_eq!(p.bands, [None, None]);
        }
    }

    #[test]
    fn defect_8_the_shared_savings_method_shares_only_the_offsets() {
        // 3 QALYs at the reference value of 5M yen/QALY: 15M of health gain. By item the
        // intervention adds 6M and saves 10M: dC = -4M, offsets 10M. Shared savings at the
        // default share of 0.5: 15M - 6M + 0.5 x 10M = 14M (the value-based price is 19M;
        // netting first gave 15M + 0.5 x 4M = 17M).
        let spec = PricingSpec::defaults();
        let p = method_prices(&spec, 3.0, -4e6, 10e6, None, &[]);
        assert_eq!(p.of(Method::ValueBased), Some(19e6));
        assert_eq!(p.of(Method::SharedSavings), Some(14e6));
        // With supply the price is per treatment given: r = 0.8 of the effect and of the cost
        // difference, 0.8 x 14M = 11.2M.
        let s = SupplyOutcome {
            mean_relative_effect: 0.8,
            ..SupplyOutcome::default()
        };
        let p = method_prices(&spec, 3.0, -4e6, 10e6, Some(&s), &[]);
        assert!((p.of(Method::SharedSavings).unwrap() - 11.2e6).abs() < 1e-6);
    }

    #[test]
    fn defect_3_the_value_based_price_uses_the_reference_value_of_the_band() {
        // 2 QALYs gained, 10M saved: at 5M yen/QALY 20M; with special consideration the
        // reference value is 7.5M: 25M; a stated willingness to pay wins.
        let mut spec = PricingSpec::defaults();
        assert_eq!(
            method_prices(&spec, 2.0, -10e6, 10e6, None, &[]).prices[0],
            Some(20e6)
        );
        spec.special_consideration = true;
        assert_eq!(
            method_prices(&spec, 2.0, -10e6, 10e6, None, &[]).prices[0],
            Some(25e6)
        );
        spec.value_based_wtp = Some(10e6);
        assert_eq!(
            method_prices(&spec, 2.0, -10e6, 10e6, None, &[]).prices[0],
            Some(30e6)
        );
    }
}
