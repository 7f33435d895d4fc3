//! Japan's official pricing rules against published calculations, to the yen. Each test names
//! the Chuikyo document it reproduces.

use tenbin_engine::official::rules::{RULE_SETS, rule_set};
use tenbin_engine::official::{
    ComparableDrug, CostAccounting, Distribution, ForeignAdjustment, Route, comparable_drug,
    cost_accounting, round_significant,
};

use crate::common::step;

/// HeartSheet, device route, Chuikyo general meeting 2015-11-18 (総-4-2): operating profit 5.8% of
/// the price excluding distribution, the company's distribution amount, 8% tax, four
/// significant figures. (The listing predates the FY2018 rule set used below; every coefficient
/// is given as published, so the rule set supplies none of them.)
fn heartsheet(product_cost: f64, distribution: f64) -> CostAccounting {
    CostAccounting {
        route: Route::Device,
        product_cost,
        sga_ratio: Some(0.0),
        operating_profit_ratio: Some(0.058),
        distribution: Some(Distribution::Amount(distribution)),
        consumption_tax: Some(0.08),
        premium_rate: 0.0,
        disclosure: 1.0,
        actual_sga: None,
        actual_operating_profit: None,
    }
}

/// A drug-route cost-accounting case with every ratio from the rule set and no premium.
fn drug(product_cost: f64) -> CostAccounting {
    CostAccounting {
        route: Route::Drug,
        product_cost,
        sga_ratio: None,
        operating_profit_ratio: None,
        distribution: None,
        consumption_tax: None,
        premium_rate: 0.0,
        disclosure: 0.0,
        actual_sga: None,
        actual_operating_profit: None,
    }
}

#[test]
fn heartsheet_kit_a_chuikyo_2015_11_18() {
    let c = cost_accounting(
        &heartsheet(5_389_054.0, 167_924.0),
        rule_set("FY2018").unwrap(),
    )
    .unwrap();
    assert_eq!(step(&c, "operating profit (6)"), 331_810.0);
    assert_eq!(step(&c, "distribution (7)"), 167_924.0);
    assert_eq!(step(&c, "consumption tax (8)"), 471_103.0);
    assert_eq!(step(&c, "sum (4)+...+(8)"), 6_359_891.0);
    assert_eq!(c.price, 6_360_000.0);
}

#[test]
fn heartsheet_kit_b_chuikyo_2015_11_18() {
    let c = cost_accounting(
        &heartsheet(1_386_638.0, 83_504.0),
        rule_set("FY2018").unwrap(),
    )
    .unwrap();
    assert_eq!(step(&c, "operating profit (6)"), 85_377.0);
    assert_eq!(step(&c, "consumption tax (8)"), 124_442.0);
    assert_eq!(step(&c, "sum (4)+...+(8)"), 1_679_961.0);
    assert_eq!(c.price, 1_680_000.0);
}

#[test]
fn zolgensma_comparable_drug_listed_2020_05_20() {
    // Spinraza 9,493,024 yen a vial, 11 vials a course; usefulness I 50% + sakigake 10%.
    let z = ComparableDrug {
        route: Route::Drug,
        comparator_unit_price: 9_493_024.0,
        units_per_course: 11.0,
        premiums: vec![("usefulness_1".into(), 0.5), ("sakigake".into(), 0.1)],
        foreign: None,
    };
    let c = comparable_drug(&z, rule_set("FY2018").unwrap()).unwrap();
    assert_eq!(step(&c, "comparator course cost"), 104_423_264.0);
    assert!((c.unrounded - 167_077_222.4).abs() < 1e-6);
    assert_eq!(c.price, 167_077_222.0);
}

#[test]
fn kymriah_consumption_tax_change_october_2019() {
    // 33,493,407 yen at 8% becomes 34,113,655 at 10% (x 110/108, to the yen).
    assert_eq!(
        Route::Drug.round(33_493_407.0 * 110.0 / 108.0),
        34_113_655.0
    );
}

#[test]
fn fy2024_drug_route_follows_its_ratios() {
    // A product cost of 10,000,000 under FY2024: SG&A 0.510 and profit 0.167 of (4)+(5)+(6),
    // distribution 0.069 of (4)..(7), tax 10%; checked by hand with the same rounding.
    let c = cost_accounting(&drug(10_000_000.0), rule_set("FY2024").unwrap()).unwrap();
    let subtotal = 10_000_000.0 / (1.0 - 0.510 - 0.167);
    let sga = (subtotal * 0.510f64).round();
    let profit = (subtotal * 0.167f64).round();
    let before_dist = 10_000_000.0 + sga + profit;
    let dist = (before_dist * 0.069 / 0.931f64).round();
    let tax = ((before_dist + dist) * 0.1f64).round();
    assert_eq!(step(&c, "SG&A and R&D (5)"), sga);
    assert_eq!(step(&c, "operating profit (6)"), profit);
    assert_eq!(step(&c, "distribution (7)"), dist);
    assert_eq!(c.price, before_dist + dist + tax);
    // The ratios hold: profit is 16.7% of (4)+(5)+(6), distribution 6.9% of (4)..(7).
    assert!((profit / before_dist - 0.167).abs() < 1e-6);
    assert!((dist / (before_dist + dist) - 0.069).abs() < 1e-6);
}

#[test]
fn the_2026_conditional_rule_halves_operating_profit_and_forbids_usefulness_premiums() {
    let base = CostAccounting {
        sga_ratio: Some(0.3),
        ..drug(50_000_000.0)
    };
    let normal = cost_accounting(&base, rule_set("FY2024").unwrap()).unwrap();
    let conditional = cost_accounting(&base, rule_set("FY2026-conditional").unwrap()).unwrap();
    let (p1, p2) = (
        step(&normal, "operating profit (6)"),
        step(&conditional, "operating profit (6)"),
    );
    // Shares of (4)+(5)+(6): 0.167 vs 0.0835.
    let s1 = p1 / (50_000_000.0 + step(&normal, "SG&A and R&D (5)") + p1);
    let s2 = p2 / (50_000_000.0 + step(&conditional, "SG&A and R&D (5)") + p2);
    assert!(
        (s1 - 0.167).abs() < 1e-7 && (s2 - 0.0835).abs() < 1e-7,
        "{s1} {s2}"
    );
    assert!(conditional.price < normal.price);
    let z = ComparableDrug {
        route: Route::Drug,
        comparator_unit_price: 1_000_000.0,
        units_per_course: 10.0,
        premiums: vec![("usefulness_1".into(), 0.4)],
        foreign: None,
    };
    let err = comparable_drug(&z, rule_set("FY2026-conditional").unwrap()).unwrap_err();
    assert!(
        err.to_string().contains("no usefulness-type premium"),
        "{err}"
    );
}

#[test]
fn premiums_stay_within_their_ranges_and_marketability_does_not_stack() {
    let mut z = ComparableDrug {
        route: Route::Drug,
        comparator_unit_price: 1_000.0,
        units_per_course: 1.0,
        premiums: vec![("usefulness_1".into(), 0.65)],
        foreign: None,
    };
    let rules = rule_set("FY2024").unwrap();
    let err = comparable_drug(&z, rules).unwrap_err().to_string();
    assert!(
        err.starts_with("premiums.usefulness_1: 有用性加算(I) is 0.65; allowed from 0.35 to 0.6"),
        "{err}"
    );
    z.premiums = vec![
        ("marketability_1".into(), 0.1),
        ("marketability_2".into(), 0.05),
    ];
    assert!(
        comparable_drug(&z, rules)
            .unwrap_err()
            .to_string()
            .contains("do not stack")
    );
    z.premiums = vec![("novelty".into(), 0.1)];
    assert!(
        comparable_drug(&z, rules)
            .unwrap_err()
            .to_string()
            .contains("unknown premium")
    );
    // Every allowed rate, at each end of each range, is accepted and raises the price.
    for kind in tenbin_engine::official::rules::PREMIUMS {
        for rate in [kind.min, kind.max] {
            z.premiums = vec![(kind.id.into(), rate)];
            let c = comparable_drug(&z, rules).unwrap();
            assert_eq!(c.price, (1_000.0 * (1.0 + rate)).round(), "{}", kind.id);
        }
    }
}

#[test]
fn a_higher_disclosure_never_lowers_the_premium() {
    for rules in &RULE_SETS {
        let mut last = 0.0;
        for d in [0.0, 0.3, 0.49, 0.5, 0.6, 0.79, 0.8, 1.0] {
            let c = cost_accounting(
                &CostAccounting {
                    premium_rate: 0.4,
                    disclosure: d,
                    ..drug(20_000_000.0)
                },
                rules,
            )
            .unwrap();
            assert!(c.price >= last, "{} at disclosure {d}", rules.id);
            last = c.price;
        }
    }
}

#[test]
fn actual_costs_are_used_where_lower_for_regenerative_products() {
    let mut c = CostAccounting {
        actual_sga: Some(1_000_000.0),
        actual_operating_profit: Some(1e12),
        ..drug(20_000_000.0)
    };
    let rules = rule_set("FY2024").unwrap();
    let with = cost_accounting(&c, rules).unwrap();
    assert_eq!(step(&with, "SG&A and R&D (5)"), 1_000_000.0);
    c.actual_sga = None;
    let without = cost_accounting(&c, rules).unwrap();
    // The actual profit is higher than the ratio's, so the ratio's stays.
    assert_eq!(
        step(&with, "operating profit (6)"),
        step(&without, "operating profit (6)")
    );
    assert!(with.price < without.price);
}

#[test]
fn the_foreign_adjustment_moves_prices_towards_the_average_and_never_past_it() {
    let f = ForeignAdjustment::with_average(100.0);
    assert_eq!(f.apply(110.0), 110.0);
    // 150 is 1.5x the average: (1/3 x 1.5 + 5/6) x 100 = 133.3...
    assert!((f.apply(150.0) - (0.5 + 5.0 / 6.0) * 100.0).abs() < 1e-9);
    // 60 is 0.6x: (1/3 x 0.6 + 1/2) x 100 = 70.
    assert!((f.apply(60.0) - 70.0).abs() < 1e-9);
    // Very low prices at most double.
    assert_eq!(f.apply(10.0), 20.0);
    for p in [1.0, 30.0, 74.0, 75.0, 76.0, 124.0, 125.0, 200.0, 1000.0] {
        let a = f.apply(p);
        if p >= 100.0 {
            assert!(a <= p && a >= 100.0, "{p} -> {a}");
        } else {
            assert!(a >= p && a <= 100.0, "{p} -> {a}");
        }
    }
}

#[test]
fn device_prices_round_to_four_significant_figures() {
    assert_eq!(round_significant(6_359_891.0, 4), 6_360_000.0);
    assert_eq!(round_significant(1_679_961.0, 4), 1_680_000.0);
    assert_eq!(round_significant(12_345.0, 4), 12_350.0);
    assert_eq!(round_significant(999_950.0, 4), 1_000_000.0);
}
