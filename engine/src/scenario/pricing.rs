//! The compiled `[pricing]` block: the rule set and route of Japan's official methods, the
//! inputs they need beyond the supply model's cost, and the shares the other methods use; and
//! the names of the pricing methods. Plain data; [`crate::pricing`] computes the prices.

use crate::error::{DrawError, Located};
use crate::expr::Expr;
use crate::official::evaluation::{Designation, Selection, select};
use crate::official::foreign::ForeignPrices;
use crate::official::rules::{self, RuleSet};
use crate::official::{Calculation, ComparableDrug, CostAccounting, Distribution, Route};

/// The comparable-drug inputs of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparableSpec {
    /// The comparator's price per unit, yen.
    pub comparator_unit_price: f64,
    /// Units per course.
    pub units_per_course: f64,
    /// Premiums by id.
    pub premiums: Vec<(String, f64)>,
    /// Whether the foreign average price adjustment applies (from FY2018 only where no drug
    /// with a similar mechanism exists; default false).
    pub foreign_adjustment: bool,
}

/// A product's actual Japanese list price, for setting beside the prices Tenbin suggests.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ListPrice {
    /// Yen for what the scenario prices (one patient's treatment).
    pub yen: f64,
    /// The `[[sources]]` id it was read from.
    pub source: String,
    /// What it is (which product, when listed, what a course comprises).
    pub label: super::Bilingual,
}

/// An official pricing input a scenario may give as an expression over its parameters, so that
/// it varies by draw (a premium decision, the disclosure share, the comparator's price).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PricingInput {
    /// The disclosed share of product cost.
    Disclosure,
    /// A cost-accounting premium's rate (index into `premiums`).
    Premium(usize),
    /// A comparable-drug premium's rate (index into the comparable block's `premiums`).
    ComparablePremium(usize),
    /// The comparator's price per unit.
    ComparatorUnitPrice,
    /// The comparator's units per course.
    UnitsPerCourse,
    /// A reference country's price in yen (index into the foreign prices).
    ForeignYen(usize),
}

impl ComparableSpec {
    /// The comparable-drug calculation's inputs on `route`, with the foreign prices when the
    /// adjustment applies.
    pub fn case(&self, route: Route, foreign: Option<ForeignPrices>) -> ComparableDrug {
        ComparableDrug {
            route,
            comparator_unit_price: self.comparator_unit_price,
            units_per_course: self.units_per_course,
            premiums: self.premiums.clone(),
            foreign,
        }
    }
}

/// A scenario's `[pricing]` block, with defaults for what it leaves out.
#[derive(Debug, Clone, PartialEq)]
pub struct PricingSpec {
    /// The rule set of the official methods (default FY2024).
    pub rules: &'static RuleSet,
    /// Drug or device route (default drug).
    pub route: Route,
    /// Cost-accounting premiums by id with their rates, before the disclosure coefficient.
    pub premiums: Vec<(String, f64)>,
    /// Disclosed share of the product cost.
    pub disclosure: f64,
    /// The cost-accounting SG&A and R&D share, when not the rule set's cap (e.g. 0 for an
    /// import whose transfer price already covers it, as Kymriah's did).
    pub sga_ratio: Option<f64>,
    /// The cost-accounting operating-profit share, when not the rule set's.
    pub operating_profit_ratio: Option<f64>,
    /// The cost-accounting distribution share, when not the rule set's (required on the device
    /// route, which has no default read).
    pub distribution_ratio: Option<f64>,
    /// Special consideration in the cost-effectiveness adjustment (anticancer products,
    /// products used only in children, designated rare diseases): the higher ICER bands and a
    /// reference value of 7.5M rather than 5M yen per QALY.
    pub special_consideration: bool,
    /// What the scenario states about selection for cost-effectiveness evaluation (a category,
    /// or forecast peak sales); not stated means not selected.
    pub evaluation: Designation,
    /// The willingness to pay of the value-based and shared-savings prices, when not the
    /// reference value the product's evaluation would use.
    pub value_based_wtp: Option<f64>,
    /// Return on cost added to the corridor's floor (e.g. 0.1).
    pub return_on_cost: f64,
    /// Where in the corridor the suggested price sits (0 = floor, 1 = ceiling; default 0.5).
    pub corridor_share: f64,
    /// Share of cost offsets credited by the shared-savings price (default 0.5).
    pub savings_share: f64,
    /// Comparable-drug inputs, if the scenario names a comparator price.
    pub comparable: Option<ComparableSpec>,
    /// The product's actual Japanese list price, where one exists.
    pub list_price: Option<ListPrice>,
    /// The reference countries' prices (`[pricing.foreign]`), for the foreign average price
    /// adjustment of the cost-accounting price (and of the comparable-drug price where it
    /// applies).
    pub foreign: Option<ForeignPrices>,
    /// The inputs given as expressions, which [`PricingSpec::at`] evaluates for a draw (the
    /// values above stand in for them until then).
    pub inputs: Vec<(PricingInput, Located<Expr>)>,
}

impl PricingSpec {
    /// The defaults: FY2024 rules, drug route, no premium, no disclosure, no return, the middle
    /// of the corridor, half the offsets.
    pub fn defaults() -> PricingSpec {
        PricingSpec {
            rules: rules::rule_set("FY2024").unwrap_or(&rules::RULE_SETS[4]),
            route: Route::Drug,
            premiums: Vec::new(),
            disclosure: 0.0,
            sga_ratio: None,
            operating_profit_ratio: None,
            distribution_ratio: None,
            special_consideration: false,
            evaluation: Designation::NotStated,
            value_based_wtp: None,
            return_on_cost: 0.0,
            corridor_share: 0.5,
            savings_share: 0.5,
            comparable: None,
            list_price: None,
            foreign: None,
            inputs: Vec::new(),
        }
    }

    /// The reference value of a cost-effectiveness evaluation, yen per QALY: where the first
    /// band that cuts begins, 5M, or 7.5M with special consideration.
    pub fn reference_value(&self) -> f64 {
        crate::official::evaluation::reference_value(self.special_consideration)
    }

    /// The willingness to pay of the value-based prices: the stated one, or the reference value.
    pub fn value_wtp(&self) -> f64 {
        self.value_based_wtp
            .unwrap_or_else(|| self.reference_value())
    }

    /// The cost-accounting case of this block on a product cost (item 4): the rule set's
    /// ratios unless the block gives its own, its premiums, disclosure and foreign prices.
    pub fn cost_accounting_case(&self, product_cost: f64) -> CostAccounting {
        CostAccounting {
            sga_ratio: self.sga_ratio,
            operating_profit_ratio: self.operating_profit_ratio,
            distribution: self.distribution_ratio.map(Distribution::Ratio),
            premiums: self.premiums.clone(),
            disclosure: self.disclosure,
            foreign: self.foreign.clone(),
            ..CostAccounting::new(self.route, product_cost)
        }
    }

    /// The comparable-drug case of this block, if it names a comparator.
    pub fn comparable_case(&self) -> Option<ComparableDrug> {
        let cs = self.comparable.as_ref()?;
        Some(cs.case(
            self.route,
            self.foreign.clone().filter(|_| cs.foreign_adjustment),
        ))
    }

    /// Whether an official calculation of this block is selected for cost-effectiveness
    /// evaluation, and why (disclosure counts only for cost accounting).
    pub fn selection(&self, c: &Calculation) -> Selection {
        let disclosure = (c.method == "cost_accounting").then_some(self.disclosure);
        select(self.evaluation, c, disclosure, self.rules)
    }

    /// Whether any input varies by draw.
    pub fn varies(&self) -> bool {
        !self.inputs.is_empty()
    }

    /// The block as it stands in a draw with these slot values: each expression evaluated and
    /// checked (a share from 0 to 1, a premium within its range, a positive price); an error
    /// names the value and where its expression is written.
    pub fn at(&self, slots: &[f64]) -> Result<PricingSpec, DrawError> {
        let mut s = self.clone();
        for (input, expr) in &self.inputs {
            let x = expr.value.eval(slots);
            let bad = |what: String, expected: String| DrawError {
                message: format!("{what} is {x}; expected {expected}"),
                loc: expr.loc,
            };
            let positive = |what: &str| {
                if x.is_finite() && x > 0.0 {
                    Ok(x)
                } else {
                    Err(bad(what.to_string(), "a positive amount".into()))
                }
            };
            let premium = |(id, rate): &mut (String, f64)| {
                let kind = crate::official::rules::premium_kind(id);
                match kind {
                    Some(k) if k.allows(x) => {
                        *rate = x;
                        Ok(())
                    }
                    Some(k) => Err(bad(
                        format!("premium {id}"),
                        format!("a rate from {} to {}", k.min, k.max),
                    )),
                    None => Err(bad(format!("premium {id}"), "a known premium".into())),
                }
            };
            match *input {
                PricingInput::Disclosure => {
                    if !(0.0..=1.0).contains(&x) {
                        return Err(bad("disclosure".into(), "a share from 0 to 1".into()));
                    }
                    s.disclosure = x;
                }
                PricingInput::Premium(k) => premium(&mut s.premiums[k])?,
                PricingInput::ComparablePremium(k) => {
                    if let Some(c) = s.comparable.as_mut() {
                        premium(&mut c.premiums[k])?;
                    }
                }
                PricingInput::ComparatorUnitPrice => {
                    let v = positive("comparator_unit_price")?;
                    if let Some(c) = s.comparable.as_mut() {
                        c.comparator_unit_price = v;
                    }
                }
                PricingInput::UnitsPerCourse => {
                    let v = positive("units_per_course")?;
                    if let Some(c) = s.comparable.as_mut() {
                        c.units_per_course = v;
                    }
                }
                PricingInput::ForeignYen(k) => {
                    let v = positive("a foreign price")?;
                    if let Some(f) = s.foreign.as_mut() {
                        f.yen[k].1 = v;
                    }
                }
            }
        }
        Ok(s)
    }

    /// The sum of the cost-accounting premium rates.
    pub fn premium_rate(&self) -> f64 {
        self.premiums.iter().map(|p| p.1).sum()
    }
}

/// A pricing method. Reports list them in [`Method::ALL`] order and write them by their id
/// (`value_based`, `cost_accounting_adjusted`, ...), which is also how `[payments] price` names
/// one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The value-based (threshold) price at the first willingness to pay.
    ValueBased,
    /// ICER-style shared savings: the health gain at full value, a share of the cost offsets.
    SharedSavings,
    /// Japan's cost-accounting method on the supply model's cost.
    CostAccounting,
    /// The same after the cost-effectiveness adjustment.
    CostAccountingAdjusted,
    /// Japan's comparable-drug method.
    ComparableDrug,
    /// The same after the cost-effectiveness adjustment.
    ComparableDrugAdjusted,
    /// A price between the cost floor and the value ceiling.
    Corridor,
}

impl Method {
    /// Every method, in the order they are reported.
    pub const ALL: [Method; 7] = [
        Method::ValueBased,
        Method::SharedSavings,
        Method::CostAccounting,
        Method::CostAccountingAdjusted,
        Method::ComparableDrug,
        Method::ComparableDrugAdjusted,
        Method::Corridor,
    ];

    /// Its id in scenario files and reports.
    pub fn id(self) -> &'static str {
        match self {
            Method::ValueBased => "value_based",
            Method::SharedSavings => "shared_savings",
            Method::CostAccounting => "cost_accounting",
            Method::CostAccountingAdjusted => "cost_accounting_adjusted",
            Method::ComparableDrug => "comparable_drug",
            Method::ComparableDrugAdjusted => "comparable_drug_adjusted",
            Method::Corridor => "corridor",
        }
    }

    /// The method with this id.
    pub fn from_id(id: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.id() == id)
    }

    /// Every id, comma-separated (for messages).
    pub fn ids() -> String {
        Method::ALL.map(Method::id).join(", ")
    }

    /// Its place in [`Method::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Whether it has its inputs: the cost-based methods and the corridor need a supply model,
    /// the comparable-drug methods a comparator.
    pub fn applies(self, has_supply: bool, has_comparable: bool) -> bool {
        match self {
            Method::CostAccounting | Method::CostAccountingAdjusted | Method::Corridor => {
                has_supply
            }
            Method::ComparableDrug | Method::ComparableDrugAdjusted => has_comparable,
            Method::ValueBased | Method::SharedSavings => true,
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}
