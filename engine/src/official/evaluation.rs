//! Which listed products Chuikyo selects for cost-effectiveness evaluation (費用対効果評価の
//! 品目選定), and so which prices the cost-effectiveness adjustment may touch at all; and the
//! adjustment's bands (Chuikyo general meeting no. 527, 2022-08-10).
//!
//! A product is evaluated only when four things hold: it falls in a selection category (H1:
//! forecast peak sales of 10 billion yen or more; H2: 5 to 10 billion; H3: designated by Chuikyo,
//! as notably expensive products have been; H5: a product similar to one already selected
//! follows it); it is not excluded (used only for a rare disease with too few treatments, or only
//! in children); its price carries something the adjustment can cut (a usefulness-type premium,
//! or, under cost accounting, disclosure below 50%); and it is not a conditionally and
//! time-limited approved regenerative product under the 2026 rule (evaluated after full
//! approval). Each outcome carries its reason, so a report can say why a price was not adjusted.

use serde::Serialize;

use super::Calculation;
use super::rules::RuleSet;

/// Where the selection criteria are stated.
pub const SELECTION_SOURCE: &str = "Selection: 費用対効果評価の骨子 (Chuikyo 2019-02-20, 総-8-2; transcribed at real-world-evidence.org/cost-effectiveness): a usefulness-type premium (画期性, 有用性 I/II, device 改良加算(ハ)) or cost accounting with disclosure < 50%, and peak sales forecast >= 10bn yen (H1), 5-10bn (H2), or 著しく単価が高い品目など、中医協総会において必要と判断された品目 (H3); the FY2024 notice keeps H1 (費用対効果評価専門部会 no. 68, 2024-01-17, 費-1参考2 p2); H5 products are not analysed and follow the representative product (no. 73, 2025-10-15, 費-1参考 p36). Exclusion: 治療方法が十分に存在しない稀少な疾患（指定難病、血友病及びHIV感染症）のみに用いられる品目 and products used only in children (費用対効果評価専門部会 no. 53, 2021-04-21, 費-2参考 p7; NIPH slide 2023-06-09). Conditionally approved regenerative products: 費用対効果評価を本承認後に判断 (Chuikyo no. 641, 2026-01-14, as reported by daitoku0110.news)";

/// Forecast peak sales at and above which a product is H1, yen a year.
pub const H1_PEAK_SALES: f64 = 10_000_000_000.0;
/// Forecast peak sales at and above which a product is H2 (below H1), yen a year.
pub const H2_PEAK_SALES: f64 = 5_000_000_000.0;

/// A selection category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Category {
    /// Forecast peak sales of 10 billion yen a year or more.
    H1,
    /// Forecast peak sales of 5 to 10 billion yen a year.
    H2,
    /// Designated by Chuikyo, as notably expensive products (Kymriah, Zolgensma) have been.
    H3,
    /// Similar to a product already selected, and evaluated with it.
    H5,
}

impl Category {
    /// Every category.
    pub const ALL: [Category; 4] = [Category::H1, Category::H2, Category::H3, Category::H5];

    /// The category with this id (`H1`, ...).
    pub fn from_id(id: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.id() == id)
    }

    /// Its id.
    pub fn id(self) -> &'static str {
        match self {
            Category::H1 => "H1",
            Category::H2 => "H2",
            Category::H3 => "H3",
            Category::H5 => "H5",
        }
    }

    /// The category forecast peak sales put a product in, if any (H3 and H5 are designations,
    /// not thresholds).
    pub fn by_peak_sales(peak_sales: f64) -> Option<Category> {
        if peak_sales >= H1_PEAK_SALES {
            Some(Category::H1)
        } else if peak_sales >= H2_PEAK_SALES {
            Some(Category::H2)
        } else {
            None
        }
    }
}

/// What a scenario or case states about selection.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Designation {
    /// Nothing stated: the product is not treated as selected.
    #[default]
    NotStated,
    /// A category stated (H3 or H5 by designation; H1 or H2 as read).
    Category(Category),
    /// Forecast peak sales, yen a year, which set H1 or H2.
    PeakSales(f64),
    /// Stated as not selected.
    NotSelected,
    /// Excluded from selection: used only for a rare disease with too few treatments
    /// (designated intractable diseases, haemophilia, HIV infection) or only in children.
    Excluded,
}

/// Why a product is or is not evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Selected in this category and has an adjustable part.
    Selected,
    /// No category stated (give one, or forecast peak sales).
    NotStated,
    /// Forecast peak sales below 5 billion yen and no designation.
    BelowThresholds,
    /// Stated as not selected.
    NotSelected,
    /// Excluded: used only for a rare disease with too few treatments, or only in children.
    Excluded,
    /// Neither a usefulness-type premium nor (cost accounting) disclosure below 50%: nothing the
    /// adjustment could cut.
    NothingAdjustable,
    /// A conditionally and time-limited approved regenerative product under the 2026 rule:
    /// evaluated after full approval, not at listing.
    ConditionalApproval,
}

impl Reason {
    /// The reason in words.
    pub fn explain(self) -> &'static str {
        match self {
            Reason::Selected => "selected for cost-effectiveness evaluation",
            Reason::NotStated => {
                "the scenario does not state a selection category (evaluation_category or peak_sales_forecast)"
            }
            Reason::BelowThresholds => {
                "forecast peak sales are below 5 billion yen a year and no category is designated"
            }
            Reason::NotSelected => "the scenario states that the product is not selected",
            Reason::Excluded => {
                "products used only for a rare disease with too few treatments (designated intractable diseases, haemophilia, HIV infection) or only in children are excluded from evaluation"
            }
            Reason::NothingAdjustable => {
                "the price has no usefulness-type premium (nor, under cost accounting, disclosure below 50%), so there is nothing an adjustment could cut"
            }
            Reason::ConditionalApproval => {
                "conditionally approved regenerative products are evaluated after full approval, not at listing (2026 rule)"
            }
        }
    }
}

/// The selection of one calculation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Selection {
    /// Whether the product is evaluated (and its price may be adjusted).
    pub selected: bool,
    /// The category, where one applies.
    pub category: Option<Category>,
    /// Why.
    pub reason: Reason,
}

/// Whether `calc` (the listing calculation) is selected: `designation` is what the scenario or
/// case states, `disclosure` the disclosed share of product cost (cost accounting only).
pub fn select(
    designation: Designation,
    calc: &Calculation,
    disclosure: Option<f64>,
    rules: &RuleSet,
) -> Selection {
    let category = match designation {
        Designation::Category(c) => Some(c),
        Designation::PeakSales(s) => Category::by_peak_sales(s),
        Designation::NotStated | Designation::NotSelected | Designation::Excluded => None,
    };
    let not = |reason| Selection {
        selected: false,
        category,
        reason,
    };
    if !rules.evaluated_at_listing {
        return not(Reason::ConditionalApproval);
    }
    match designation {
        Designation::NotStated => return not(Reason::NotStated),
        Designation::NotSelected => return not(Reason::NotSelected),
        Designation::Excluded => return not(Reason::Excluded),
        Designation::PeakSales(_) if category.is_none() => return not(Reason::BelowThresholds),
        _ => {}
    }
    let usefulness = calc
        .steps
        .iter()
        .any(|s| s.label == USEFULNESS_PART && s.value > 0.0);
    let low_disclosure = calc.method == "cost_accounting" && disclosure.is_some_and(|d| d < 0.5);
    if !(usefulness || low_disclosure) {
        return not(Reason::NothingAdjustable);
    }
    Selection {
        selected: true,
        category,
        reason: Reason::Selected,
    }
}

/// One band of the cost-effectiveness adjustment: ICERs from `from` (inclusive) to the next
/// band's start get these coefficients.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Band {
    /// Lower end of the band, yen per QALY, for standard products.
    pub from: f64,
    /// Lower end with special consideration (orphan, paediatric, ...).
    pub from_special: f64,
    /// Coefficient on the premium part (gamma; beta for devices).
    pub premium: f64,
    /// Coefficient on the operating-profit part (theta).
    pub profit: f64,
}

/// The bands of Chuikyo general meeting no. 527 (2022-08-10). Below 2M yen per QALY (or dominant) the
/// coefficients are 1 (the possible raise to 1.25-1.5 under conditions is not applied).
pub const BANDS: [Band; 4] = [
    Band {
        from: f64::NEG_INFINITY,
        from_special: f64::NEG_INFINITY,
        premium: 1.0,
        profit: 1.0,
    },
    Band {
        from: 5_000_000.0,
        from_special: 7_500_000.0,
        premium: 0.7,
        profit: 0.83,
    },
    Band {
        from: 7_500_000.0,
        from_special: 11_250_000.0,
        premium: 0.4,
        profit: 0.67,
    },
    Band {
        from: 10_000_000.0,
        from_special: 15_000_000.0,
        premium: 0.1,
        profit: 0.5,
    },
];

/// The band an ICER falls in (an index into [`BANDS`]); a dominated product (`None`: the same
/// effect at a higher cost) gets the lowest coefficients, those of the last band.
pub fn band(icer: Option<f64>, special: bool) -> usize {
    let Some(icer) = icer else {
        return BANDS.len() - 1;
    };
    BANDS
        .iter()
        .rposition(|b| icer >= if special { b.from_special } else { b.from })
        .unwrap_or(0)
}

/// The coefficients (premium part, profit part) for an ICER; `None` ICER means the product is
/// dominated (the same effect at a higher cost), which gets the lowest band.
pub fn coefficients(icer: Option<f64>, special: bool) -> (f64, f64) {
    let b = &BANDS[band(icer, special)];
    (b.premium, b.profit)
}

/// The reference value, yen per QALY: where the first band that cuts begins (5M, or 7.5M with
/// special consideration). It is also the floor's ICER: an adjusted price never goes below the
/// price at which the ICER equals it.
pub fn reference_value(special: bool) -> f64 {
    if special {
        BANDS[1].from_special
    } else {
        BANDS[1].from
    }
}

/// The step label under which a calculation reports its usefulness-type premium part.
pub const USEFULNESS_PART: &str = "premium, usefulness-type part";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::official::rules::rule_set;
    use crate::official::{
        ComparableDrug, CostAccounting, Route, comparable_drug, cost_accounting,
    };

    fn comparable(premiums: &[(&str, f64)], rules: &str) -> Calculation {
        comparable_drug(
            &ComparableDrug {
                route: Route::Drug,
                comparator_unit_price: 1_000_000.0,
                units_per_course: 1.0,
                premiums: premiums.iter().map(|(i, r)| (i.to_string(), *r)).collect(),
                foreign: None,
            },
            rule_set(rules).unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn peak_sales_set_h1_and_h2_at_ten_and_five_billion() {
        assert_eq!(Category::by_peak_sales(10e9), Some(Category::H1));
        assert_eq!(Category::by_peak_sales(9.99e9), Some(Category::H2));
        assert_eq!(Category::by_peak_sales(5e9), Some(Category::H2));
        assert_eq!(Category::by_peak_sales(4.99e9), None);
    }

    #[test]
    fn a_comparable_drug_needs_a_usefulness_type_premium() {
        let r = rule_set("FY2024").unwrap();
        let h3 = Designation::Category(Category::H3);
        let useful = comparable(&[("usefulness_1", 0.5), ("sakigake", 0.1)], "FY2024");
        assert!(select(h3, &useful, None, r).selected);
        // Sakigake alone is outside the adjustable part: nothing to cut, not selected.
        let sakigake = comparable(&[("sakigake", 0.1)], "FY2024");
        let s = select(h3, &sakigake, None, r);
        assert_eq!((s.selected, s.reason), (false, Reason::NothingAdjustable));
    }

    #[test]
    fn cost_accounting_below_half_disclosure_is_adjustable_without_premiums() {
        let r = rule_set("FY2024").unwrap();
        let c = cost_accounting(&CostAccounting::new(Route::Drug, 10e6), r).unwrap();
        let h1 = Designation::PeakSales(12e9);
        let s = select(h1, &c, Some(0.3), r);
        assert_eq!((s.selected, s.category), (true, Some(Category::H1)));
        assert_eq!(
            select(h1, &c, Some(0.8), r).reason,
            Reason::NothingAdjustable
        );
        assert_eq!(
            select(Designation::PeakSales(3e9), &c, Some(0.3), r).reason,
            Reason::BelowThresholds
        );
        assert_eq!(
            select(Designation::NotStated, &c, Some(0.3), r).reason,
            Reason::NotStated
        );
    }

    #[test]
    fn conditionally_approved_products_are_not_evaluated_at_listing() {
        let r = rule_set("FY2026-conditional").unwrap();
        let c = cost_accounting(&CostAccounting::new(Route::Drug, 10e6), r).unwrap();
        let s = select(Designation::Category(Category::H3), &c, Some(0.0), r);
        assert_eq!((s.selected, s.reason), (false, Reason::ConditionalApproval));
    }
}
