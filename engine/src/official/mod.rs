//! Japan's official pricing calculations, step by step: the cost-accounting method
//! (原価計算方式) and the comparable-drug method (類似薬効比較方式) with its premiums and the
//! foreign average price adjustment (外国平均価格調整).
//!
//! Each calculation returns every step (what was computed, its value, the rule behind it) and the
//! final price rounded as its route requires: drugs to the nearest yen, devices (material prices)
//! to three significant figures. Intermediate amounts are rounded to the yen, as Chuikyo documents
//! print them. Rules and coefficients: [`rules`]; case files
//! for `tenbin price`: [`case`].
//!
//! This layer depends on nothing but [`crate::error`]: a rule is a rule whatever model feeds it.

use serde::Serialize;

pub mod case;
pub mod evaluation;
pub mod foreign;
pub mod rules;

use foreign::{ForeignPrices, ForeignRules};
use rules::{PREMIUMS, RuleSet, premium_kind};

/// Which price list a product is priced on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// The NHI drug price list (薬価): rounded to the yen.
    Drug,
    /// The material (device) price list (材料価格): rounded half up at the fourth significant
    /// digit, which leaves three significant figures.
    Device,
}

/// Significant figures a material (device) price keeps. The HeartSheet sheet (Chuikyo 総-4-2,
/// 2015-11-18) rounds "有効数字4桁目を四捨五入" (half up at the fourth significant digit), and
/// every material price of a regenerative product read in shared/reference/japan-listings.md
/// has three significant figures (6,360,000; 1,680,000; 306,000; 895,000; 1,270,000; 4,380,000;
/// 151,000; 4,460,000; 154,000; 4,280,000; 5,470,000; 7,940,000; 1,000,000; 1,890,000), which
/// rounding to four figures would leave only one time in ten each.
pub const DEVICE_SIGNIFICANT_FIGURES: i32 = 3;

impl Route {
    /// How the route rounds a final price, in words.
    pub fn rounding_rule(self) -> &'static str {
        match self {
            Route::Drug => "drug route: rounded to the yen",
            Route::Device => {
                "device route: rounded half up at the 4th significant digit (3 significant figures; Chuikyo 総-4-2, 2015-11-18)"
            }
        }
    }

    /// The route's rounding of a final price.
    pub fn round(self, x: f64) -> f64 {
        match self {
            Route::Drug => libm::round(x),
            Route::Device => round_significant(x, DEVICE_SIGNIFICANT_FIGURES),
        }
    }

    /// The route's foreign average price adjustment under `rules`.
    pub fn foreign_rules(self, rules: &RuleSet) -> &'static ForeignRules {
        match self {
            Route::Drug => rules.foreign,
            Route::Device => rules.device.foreign,
        }
    }
}

/// `x` rounded to `digits` significant figures (half away from zero).
pub fn round_significant(x: f64, digits: i32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let magnitude = libm::floor(libm::log10(x.abs())) as i32;
    let scale = libm::pow(10.0, f64::from(magnitude - digits + 1));
    libm::round(x / scale) * scale
}

/// One step of a calculation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// What was computed.
    pub label: String,
    /// Its value (yen, or a ratio).
    pub value: f64,
    /// The rule or formula behind it.
    pub rule: String,
    /// The document that states the rule or coefficient, where it is one of the rule set's
    /// (empty for arithmetic and given values).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub source: String,
}

/// The basis of a step: its rule or formula, and the document behind it.
#[derive(Debug, Clone, PartialEq, Default)]
struct Basis {
    rule: String,
    source: String,
}

impl Basis {
    /// A rule read from `source`.
    fn sourced(rule: String, source: &str) -> Basis {
        Basis {
            rule,
            source: source.to_string(),
        }
    }
}

impl From<String> for Basis {
    fn from(rule: String) -> Basis {
        Basis {
            rule,
            source: String::new(),
        }
    }
}

impl From<&str> for Basis {
    fn from(rule: &str) -> Basis {
        Basis::from(rule.to_string())
    }
}

/// A finished calculation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calculation {
    /// `cost_accounting` or `comparable_drug`.
    pub method: &'static str,
    /// The route.
    pub route: Route,
    /// The rule set followed.
    pub rule_set: &'static str,
    /// Every step, in order.
    pub steps: Vec<Step>,
    /// The price before the route's rounding.
    pub unrounded: f64,
    /// The price.
    pub price: f64,
}

/// Why a calculation cannot be done as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricingError {
    /// The input at fault (a key of the case file).
    pub field: String,
    /// What is wrong and what was expected.
    pub message: String,
}

impl std::fmt::Display for PricingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for PricingError {}

fn bad(field: &str, message: impl Into<String>) -> PricingError {
    PricingError {
        field: field.to_string(),
        message: message.into(),
    }
}

/// Distribution costs: a share of the price before tax, or an amount (the device route allows
/// the company's requested amount).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Distribution {
    /// Share of (cost + SG&A + profit + distribution).
    Ratio(f64),
    /// A given amount.
    Amount(f64),
}

/// Inputs of the cost-accounting method. Ratios left `None` come from the rule set (the drug
/// route's, or on the device route [`rules::DeviceRules`]).
#[derive(Debug, Clone, PartialEq)]
pub struct CostAccounting {
    /// Drug or device route.
    pub route: Route,
    /// Product manufacturing (or import) cost per unit (製品製造(輸入)原価), yen; on the device
    /// route the total product cost (製品総原価), which includes SG&A and R&D.
    pub product_cost: f64,
    /// The published sum (4)+...+(8) before premiums, where a document prints it but not its
    /// items (Kymriah 2019: 30,727,896): the build-up is then not recomputed.
    pub published_sum: Option<f64>,
    /// SG&A and R&D as a share of cost + SG&A + profit; capped by the rule set on the drug route
    /// (`None`: the cap; on the device route 0, as they are inside the total product cost).
    pub sga_ratio: Option<f64>,
    /// The SG&A cap, where a case gives it instead of the rule set's (the special 0.70 cap, an
    /// orphan product allowed more, or a year whose cap the rule set could not read).
    pub sga_cap: Option<f64>,
    /// Operating profit as a share of cost + SG&A + profit (`None`: the rule set's for the
    /// route).
    pub operating_profit_ratio: Option<f64>,
    /// Distribution (`None`: the rule set's ratio for the route; the device route has none read,
    /// so it must be given).
    pub distribution: Option<Distribution>,
    /// Consumption tax (`None`: the rule set's).
    pub consumption_tax: Option<f64>,
    /// Premiums by id ([`rules::PREMIUMS`]) with their rates, before the disclosure coefficient.
    pub premiums: Vec<(String, f64)>,
    /// Share of the product cost the company discloses, in [0, 1].
    pub disclosure: f64,
    /// The disclosure coefficient, when a case gives it instead of the rule set's.
    pub disclosure_coefficient: Option<f64>,
    /// Actual SG&A amount, for the regenerative products' "actual cost if lower" clause.
    pub actual_sga: Option<f64>,
    /// Actual operating profit amount, for the same clause.
    pub actual_operating_profit: Option<f64>,
    /// The reference countries' prices, for the foreign average price adjustment.
    pub foreign: Option<ForeignPrices>,
}

impl CostAccounting {
    /// A case with only a route and product cost: everything else from the rule set, no
    /// premium, no disclosure.
    pub fn new(route: Route, product_cost: f64) -> CostAccounting {
        CostAccounting {
            route,
            product_cost,
            published_sum: None,
            sga_ratio: None,
            sga_cap: None,
            operating_profit_ratio: None,
            distribution: None,
            consumption_tax: None,
            premiums: Vec::new(),
            disclosure: 0.0,
            disclosure_coefficient: None,
            actual_sga: None,
            actual_operating_profit: None,
            foreign: None,
        }
    }
}

fn check_share(field: &str, x: f64) -> Result<(), PricingError> {
    if (0.0..1.0).contains(&x) {
        Ok(())
    } else {
        Err(bad(
            field,
            format!("is {x}; expected a share from 0 to below 1"),
        ))
    }
}

/// Premiums checked against their kinds and the rule set, split into those granted and those
/// withheld (usefulness-type premiums under a rule set that withholds them at listing).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PremiumDecision {
    /// Granted premiums: id, rate, whether usefulness-type.
    pub granted: Vec<(String, f64, bool)>,
    /// Withheld premiums: id, rate.
    pub withheld: Vec<(String, f64)>,
}

impl PremiumDecision {
    /// Sum of the granted rates.
    pub fn rate(&self) -> f64 {
        self.granted.iter().map(|p| p.1).sum()
    }

    /// Sum of the granted usefulness-type rates.
    pub fn usefulness_rate(&self) -> f64 {
        self.granted.iter().filter(|p| p.2).map(|p| p.1).sum()
    }
}

/// Checks premiums by id: each known and within its range, at most one marketability premium,
/// usefulness-type premiums withheld where the rule set withholds them at listing.
pub fn decide_premiums(
    premiums: &[(String, f64)],
    rules: &RuleSet,
) -> Result<PremiumDecision, PricingError> {
    let mut decision = PremiumDecision::default();
    let mut marketability: Option<&str> = None;
    for (id, rate) in premiums {
        let field = format!("premiums.{id}");
        let Some(kind) = premium_kind(id) else {
            let known: Vec<&str> = PREMIUMS.iter().map(|p| p.id).collect();
            return Err(bad(
                &field,
                format!("unknown premium; expected one of {}", known.join(", ")),
            ));
        };
        if !kind.allows(*rate) {
            return Err(bad(
                &field,
                format!(
                    "{} is {rate}; allowed from {} to {}{}",
                    kind.name_ja,
                    kind.min,
                    kind.max,
                    if kind.verified {
                        ""
                    } else {
                        " (range to be verified)"
                    }
                ),
            ));
        }
        if kind.marketability {
            if let Some(other) = marketability {
                return Err(bad(
                    &field,
                    format!("marketability premiums do not stack; {other} is already given"),
                ));
            }
            marketability = Some(kind.id);
        }
        if kind.usefulness_type && !rules.usefulness_premium_allowed {
            decision.withheld.push((id.clone(), *rate));
        } else {
            decision
                .granted
                .push((id.clone(), *rate, kind.usefulness_type));
        }
    }
    Ok(decision)
}

type StepFn<'a> = dyn FnMut(&str, f64, Basis) -> f64 + 'a;

/// Writes one step per premium (granted or withheld) and returns nothing.
fn premium_steps(d: &PremiumDecision, rules: &RuleSet, step: &mut StepFn<'_>) {
    for (id, rate, _) in &d.granted {
        let kind = premium_kind(id).map_or(id.as_str(), |k| k.name_ja);
        step(&format!("premium {id}"), *rate, kind.to_string().into());
    }
    for (id, rate) in &d.withheld {
        let kind = premium_kind(id).map_or(id.as_str(), |k| k.name_ja);
        step(
            &format!("premium {id} withheld"),
            0.0,
            Basis::sourced(
                format!(
                    "{kind} {rate}: usefulness-type premiums are not granted at listing under the {} rules (judged again at full approval)",
                    rules.id
                ),
                rules.operating_profit_factor.source,
            ),
        );
    }
}

/// The cost-accounting price under `rules`, step by step.
pub fn cost_accounting(c: &CostAccounting, rules: &RuleSet) -> Result<Calculation, PricingError> {
    if !(c.product_cost.is_finite() && c.product_cost > 0.0) {
        return Err(bad(
            "product_cost",
            format!("is {}; expected a positive amount of yen", c.product_cost),
        ));
    }
    let device = c.route == Route::Device;
    let cap = c.sga_cap.unwrap_or(rules.sga_cap.value);
    let cap_source = if c.sga_cap.is_some() {
        "given"
    } else {
        rules.sga_cap.source
    };
    let sga_ratio = c.sga_ratio.unwrap_or(if device { 0.0 } else { cap });
    check_share("sga_ratio", sga_ratio)?;
    if !device && sga_ratio > cap + 1e-12 {
        return Err(bad(
            "sga_ratio",
            format!(
                "is {sga_ratio}; the {} rules cap it at {cap} ({cap_source}); give sga_cap to override",
                rules.id
            ),
        ));
    }
    let route_profit = if device {
        rules.device.operating_profit
    } else {
        rules.operating_profit
    };
    let base_profit = c.operating_profit_ratio.unwrap_or(route_profit.value);
    check_share("operating_profit_ratio", base_profit)?;
    let factor = rules.operating_profit_factor.value;
    let profit_ratio = base_profit * factor;
    if sga_ratio + profit_ratio >= 1.0 {
        return Err(bad(
            "sga_ratio",
            "SG&A and operating profit together must be below 1 of the price",
        ));
    }
    let tax = c.consumption_tax.unwrap_or(rules.consumption_tax.value);
    if !(0.0..1.0).contains(&tax) {
        return Err(bad(
            "consumption_tax",
            format!("is {tax}; expected a rate such as 0.1"),
        ));
    }
    if !(0.0..=1.0).contains(&c.disclosure) {
        return Err(bad(
            "disclosure",
            format!("is {}; expected a share from 0 to 1", c.disclosure),
        ));
    }
    let premiums = decide_premiums(&c.premiums, rules)?;
    let route_disclosure = if device {
        &rules.device.disclosure
    } else {
        &rules.disclosure
    };
    let coefficient = match c.disclosure_coefficient {
        Some(k) if (0.0..=1.0).contains(&k) => k,
        Some(k) => {
            return Err(bad(
                "disclosure_coefficient",
                format!("is {k}; expected a coefficient from 0 to 1"),
            ));
        }
        None => route_disclosure.for_ratio(c.disclosure),
    };
    let distribution_input = match (c.distribution, device, rules.device.distribution) {
        (Some(d), _, _) => d,
        (None, false, _) => Distribution::Ratio(rules.distribution.value),
        (None, true, Some(d)) => Distribution::Ratio(d.value),
        (None, true, None) => {
            return Err(bad(
                "distribution_amount",
                format!(
                    "the device route needs the distribution: the company's requested amount (distribution_amount) or the device survey's ratio (distribution_ratio); the {} rules have no device figure read",
                    rules.id
                ),
            ));
        }
    };

    let mut steps = Vec::new();
    let mut step = |label: &str, value: f64, basis: Basis| {
        steps.push(Step {
            label: label.to_string(),
            value,
            rule: basis.rule,
            source: basis.source,
        });
        value
    };
    let total = if let Some(sum) = c.published_sum {
        if !(sum.is_finite() && sum > 0.0) {
            return Err(bad("published_sum", "expected a positive amount of yen"));
        }
        step(
            "sum (4)+...+(8)",
            sum,
            "as published (items not recomputed)".into(),
        )
    } else {
        let cost = step(
            "product cost (4)",
            c.product_cost,
            if device {
                "given: total product cost (製品総原価), SG&A and R&D included".into()
            } else {
                "given: manufacturing or import cost per unit".into()
            },
        );
        // (4 + 5 + 6) = cost / (1 - s - p): SG&A and profit are shares of that sum.
        let subtotal = c.product_cost / (1.0 - sga_ratio - profit_ratio);
        let mut sga = libm::round(subtotal * sga_ratio);
        let mut profit = libm::round(subtotal * profit_ratio);
        let sga_rule = if device && c.sga_ratio.is_none() {
            "device route: inside the total product cost (製品総原価)".to_string()
        } else {
            format!(
                "{sga_ratio} of (4)+(5)+(6){}",
                if c.sga_ratio.is_none() {
                    format!(", the {} cap", rules.id)
                } else {
                    String::new()
                }
            )
        };
        let profit_source = if c.operating_profit_ratio.is_some() {
            "given"
        } else {
            route_profit.source
        };
        let of = if device {
            "of the price excluding distribution and tax"
        } else {
            "of (4)+(5)+(6)"
        };
        let profit_rule = if factor != 1.0 {
            Basis::sourced(
                format!("{base_profit} x {factor} (conditional approval) {of}"),
                &format!("{profit_source}; {}", rules.operating_profit_factor.source),
            )
        } else {
            Basis::sourced(format!("{base_profit} {of}"), profit_source)
        };
        if let Some(actual) = c.actual_sga {
            if actual < sga {
                sga = libm::round(actual);
            }
        }
        if let Some(actual) = c.actual_operating_profit {
            if actual < profit {
                profit = libm::round(actual);
            }
        }
        let lower_clause = if c.actual_sga.is_some() || c.actual_operating_profit.is_some() {
            "; the actual amount where lower (regenerative products)"
        } else {
            ""
        };
        let sga = step(
            "SG&A and R&D (5)",
            sga,
            format!("{sga_rule}{lower_clause}").into(),
        );
        let profit = step(
            "operating profit (6)",
            profit,
            Basis {
                rule: format!("{}{lower_clause}", profit_rule.rule),
                ..profit_rule
            },
        );
        let before_distribution = cost + sga + profit;
        let distribution = match distribution_input {
            Distribution::Amount(a) => step(
                "distribution (7)",
                libm::round(a),
                "given amount (company request)".into(),
            ),
            Distribution::Ratio(d) => {
                check_share("distribution_ratio", d)?;
                let why = if c.distribution.is_some() {
                    "given"
                } else {
                    rules.distribution.source
                };
                step(
                    "distribution (7)",
                    libm::round(before_distribution * d / (1.0 - d)),
                    Basis::sourced(format!("{d} of (4)+(5)+(6)+(7)"), why),
                )
            }
        };
        let before_tax = before_distribution + distribution;
        let tax_amount = step(
            "consumption tax (8)",
            libm::round(before_tax * tax),
            format!("{tax} of (4)+...+(7)").into(),
        );
        step(
            "sum (4)+...+(8)",
            before_tax + tax_amount,
            "before premium".into(),
        )
    };
    premium_steps(&premiums, rules, &mut step);
    let rate = premiums.rate();
    let unrounded = if rate > 0.0 {
        let premium = total * rate * coefficient;
        step(
            "premium",
            premium,
            Basis::sourced(
                format!(
                    "rate {} x disclosure coefficient {coefficient} (disclosure {}) on the whole price",
                    libm::round(rate * 1e6) / 1e6,
                    if c.disclosure >= 0.8 {
                        "80% or more"
                    } else if c.disclosure >= 0.5 {
                        "50% to under 80%"
                    } else {
                        "under 50%"
                    },
                ),
                route_disclosure.source,
            ),
        );
        step(
            evaluation::USEFULNESS_PART,
            total * premiums.usefulness_rate() * coefficient,
            "the part a cost-effectiveness adjustment may cut".into(),
        );
        step(
            "price before rounding",
            total + premium,
            "sum + premium".into(),
        )
    } else {
        total
    };
    // Applied at listing to the price after premiums (the Kymriah figures fit a test on that
    // price: 33,493,407 against a foreign average of 43,568,238 is 0.769, no raise, while the
    // sum before premiums would have been 0.705).
    let unrounded = match &c.foreign {
        Some(f) => {
            let r = f.rules.unwrap_or(*c.route.foreign_rules(rules));
            foreign_steps(unrounded, f, &r, &mut step)
        }
        None => unrounded,
    };
    let price = c.route.round(unrounded);
    step("price", price, c.route.rounding_rule().into());
    Ok(Calculation {
        method: "cost_accounting",
        route: c.route,
        rule_set: rules.id,
        steps,
        unrounded,
        price,
    })
}

/// The foreign average price adjustment's steps on `price` (after premiums, before rounding):
/// the foreign average with what the outlier rules did, then the adjusted price. Returns the
/// price to carry on with.
fn foreign_steps(
    price: f64,
    prices: &ForeignPrices,
    rules: &ForeignRules,
    step: &mut StepFn<'_>,
) -> f64 {
    let avg = foreign::foreign_average(prices, rules);
    let mut what = prices.conversions.join("; ");
    for n in &avg.notes {
        what.push_str(&format!("{}{n}", if what.is_empty() { "" } else { "; " }));
    }
    let Some(average) = avg.average else {
        step(
            "foreign average price adjustment",
            price,
            Basis::sourced(format!("not adjusted: {what}"), rules.min_countries.source),
        );
        return price;
    };
    step(
        "foreign average",
        average,
        Basis::sourced(
            what,
            &format!(
                "{}; outliers: {}",
                rules.min_countries.source, rules.exclude_over_lowest.source
            ),
        ),
    );
    let adjusted = foreign::adjust(price, average, rules);
    let ratio = price / average;
    let (rule, source) = if adjusted < price {
        (
            match rules.reduce_formula {
                Some((a, b)) => format!(
                    "ratio {ratio:.4} above {}: ({:.4} x ratio + {:.4}) x average",
                    rules.reduce_above.value, a.value, b.value
                ),
                None => format!(
                    "ratio {ratio:.4} above {0}: {0} x average",
                    rules.reduce_above.value
                ),
            },
            rules.reduce_above.source,
        )
    } else if adjusted > price {
        let (a, b) = rules.raise_formula;
        (
            format!(
                "ratio {ratio:.4} below {}: ({:.4} x ratio + {:.4}) x average, at most {} x the price",
                rules.raise_below.map_or(f64::NAN, |r| r.value),
                a.value,
                b.value,
                rules.raise_cap.value
            ),
            rules.raise_cap.source,
        )
    } else {
        (
            format!(
                "ratio {ratio:.4}: not adjusted (only above {}{})",
                rules.reduce_above.value,
                rules
                    .raise_below
                    .map_or(String::new(), |r| format!(" or below {}", r.value))
            ),
            rules.reduce_above.source,
        )
    };
    step(
        "foreign average price adjustment",
        adjusted,
        Basis::sourced(rule, source),
    )
}

/// Inputs of the comparable-drug method.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparableDrug {
    /// Drug or device route.
    pub route: Route,
    /// The comparator's price per unit (vial, tablet), yen.
    pub comparator_unit_price: f64,
    /// Units of the comparator that make the same course of treatment (e.g. 11 vials for the
    /// course a one-time therapy replaces).
    pub units_per_course: f64,
    /// Premiums by id with their rates.
    pub premiums: Vec<(String, f64)>,
    /// The reference countries' prices, for the foreign average price adjustment (from FY2018
    /// applied to comparable-drug prices only where no drug with a similar mechanism exists,
    /// 医薬経済 2023-12-01: give them only then).
    pub foreign: Option<ForeignPrices>,
}

/// The comparable-drug price under `rules`, step by step. Premiums must be known, within their
/// ranges, and at most one marketability premium applies; usefulness-type premiums are withheld
/// where the rule set withholds them at listing ([`decide_premiums`]).
pub fn comparable_drug(c: &ComparableDrug, rules: &RuleSet) -> Result<Calculation, PricingError> {
    if !(c.comparator_unit_price.is_finite() && c.comparator_unit_price > 0.0) {
        return Err(bad(
            "comparator_unit_price",
            "expected a positive amount of yen",
        ));
    }
    if !(c.units_per_course.is_finite() && c.units_per_course > 0.0) {
        return Err(bad(
            "units_per_course",
            "expected a positive number of units",
        ));
    }
    let premiums = decide_premiums(&c.premiums, rules)?;
    let total_rate = premiums.rate();
    let mut steps = Vec::new();
    let mut step = |label: &str, value: f64, basis: Basis| {
        steps.push(Step {
            label: label.to_string(),
            value,
            rule: basis.rule,
            source: basis.source,
        });
        value
    };
    let course = step(
        "comparator course cost",
        c.comparator_unit_price * c.units_per_course,
        format!(
            "{} yen x {} units for the same course",
            c.comparator_unit_price, c.units_per_course
        )
        .into(),
    );
    premium_steps(&premiums, rules, &mut step);
    step(
        evaluation::USEFULNESS_PART,
        course * premiums.usefulness_rate(),
        "the part a cost-effectiveness adjustment may cut".into(),
    );
    let mut price = step(
        "price with premiums",
        course * (1.0 + total_rate),
        format!(
            "course cost x (1 + {})",
            libm::round(total_rate * 1e6) / 1e6
        )
        .into(),
    );
    if let Some(f) = &c.foreign {
        let r = f.rules.unwrap_or(*c.route.foreign_rules(rules));
        price = foreign_steps(price, f, &r, &mut step);
    }
    let rounded = c.route.round(price);
    step("price", rounded, c.route.rounding_rule().into());
    Ok(Calculation {
        method: "comparable_drug",
        route: c.route,
        rule_set: rules.id,
        steps,
        unrounded: price,
        price: rounded,
    })
}

/// A listed price converted at a consumption-tax change: price x (1 + new rate) / (1 + old
/// rate), rounded as the route requires (Kymriah 33,493,407 to 34,113,655 and Stemirac
/// 14,957,755 to 15,234,750 on 2019-10-01, 8% to 10%).
pub fn consumption_tax_change(
    route: Route,
    listed_price: f64,
    old_rate: f64,
    new_rate: f64,
    rules: &RuleSet,
) -> Result<Calculation, PricingError> {
    if !(listed_price.is_finite() && listed_price > 0.0) {
        return Err(bad("listed_price", "expected a positive amount of yen"));
    }
    for (field, r) in [("old_rate", old_rate), ("new_rate", new_rate)] {
        if !(0.0..1.0).contains(&r) {
            return Err(bad(field, format!("is {r}; expected a rate such as 0.1")));
        }
    }
    let mut steps = vec![Step {
        label: "listed price".into(),
        value: listed_price,
        rule: format!("given, including {}% tax", 100.0 * old_rate),
        source: String::new(),
    }];
    let unrounded = listed_price * (1.0 + new_rate) / (1.0 + old_rate);
    steps.push(Step {
        label: "price before rounding".into(),
        value: unrounded,
        rule: format!("x (1 + {new_rate}) / (1 + {old_rate})"),
        source: rules.consumption_tax.source.to_string(),
    });
    let price = route.round(unrounded);
    steps.push(Step {
        label: "price".into(),
        value: price,
        rule: route.rounding_rule().into(),
        source: String::new(),
    });
    Ok(Calculation {
        method: "consumption_tax_change",
        route,
        rule_set: rules.id,
        steps,
        unrounded,
        price,
    })
}
