//! Japan's official pricing calculations, step by step: the cost-accounting method
//! (原価計算方式) and the comparable-drug method (類似薬効比較方式) with its premiums and the
//! foreign average price adjustment (外国平均価格調整).
//!
//! Each calculation returns every step (what was computed, its value, the rule behind it) and the
//! final price rounded as its route requires: drugs to the nearest yen, devices (material prices)
//! to four significant figures. Intermediate amounts are rounded to the yen, as Chuikyo documents
//! print them. Rules and coefficients: [`rules`]; case files
//! for `tenbin price`: [`case`].
//!
//! This layer depends on nothing but [`crate::error`]: a rule is a rule whatever model feeds it.

use serde::Serialize;

pub mod case;
pub mod rules;

use rules::{PREMIUMS, RuleSet, premium_kind};

/// Which price list a product is priced on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// The NHI drug price list (薬価): rounded to the yen.
    Drug,
    /// The material (device) price list (材料価格): rounded to four significant figures.
    Device,
}

impl Route {
    /// How the route rounds a final price, in words.
    pub fn rounding_rule(self) -> &'static str {
        match self {
            Route::Drug => "drug route: rounded to the yen",
            Route::Device => "device route: rounded to four significant figures",
        }
    }

    /// The route's rounding of a final price.
    pub fn round(self, x: f64) -> f64 {
        match self {
            Route::Drug => libm::round(x),
            Route::Device => round_significant(x, 4),
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

/// Inputs of the cost-accounting method. Ratios left `None` come from the rule set.
#[derive(Debug, Clone, PartialEq)]
pub struct CostAccounting {
    /// Drug or device route.
    pub route: Route,
    /// Product manufacturing (or import) cost per unit (製品製造(輸入)原価), yen.
    pub product_cost: f64,
    /// SG&A and R&D as a share of cost + SG&A + profit; capped by the rule set (`None`: the cap).
    pub sga_ratio: Option<f64>,
    /// Operating profit as a share of cost + SG&A + profit (`None`: the rule set's).
    pub operating_profit_ratio: Option<f64>,
    /// Distribution (`None`: the rule set's ratio).
    pub distribution: Option<Distribution>,
    /// Consumption tax (`None`: the rule set's).
    pub consumption_tax: Option<f64>,
    /// Premium rate before the disclosure coefficient.
    pub premium_rate: f64,
    /// Share of the product cost the company discloses, in [0, 1].
    pub disclosure: f64,
    /// Actual SG&A amount, for the regenerative products' "actual cost if lower" clause.
    pub actual_sga: Option<f64>,
    /// Actual operating profit amount, for the same clause.
    pub actual_operating_profit: Option<f64>,
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

/// The cost-accounting price under `rules`, step by step.
pub fn cost_accounting(c: &CostAccounting, rules: &RuleSet) -> Result<Calculation, PricingError> {
    if !(c.product_cost.is_finite() && c.product_cost > 0.0) {
        return Err(bad(
            "product_cost",
            format!("is {}; expected a positive amount of yen", c.product_cost),
        ));
    }
    let cap = rules.sga_cap.value;
    let sga_ratio = c.sga_ratio.unwrap_or(cap);
    check_share("sga_ratio", sga_ratio)?;
    if sga_ratio > cap + 1e-12 {
        return Err(bad(
            "sga_ratio",
            format!(
                "is {sga_ratio}; the {} rules cap it at {cap} ({})",
                rules.id, rules.sga_cap.source
            ),
        ));
    }
    let base_profit = c
        .operating_profit_ratio
        .unwrap_or(rules.operating_profit.value);
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
    if !(0.0..=2.0).contains(&c.premium_rate) {
        return Err(bad(
            "premium_rate",
            format!("is {}; expected a rate from 0 to 2", c.premium_rate),
        ));
    }

    let mut steps = Vec::new();
    let mut step = |label: &str, value: f64, rule: String| {
        steps.push(Step {
            label: label.to_string(),
            value,
            rule,
        });
        value
    };
    let cost = step(
        "product cost (4)",
        c.product_cost,
        "given: manufacturing or import cost per unit".into(),
    );
    // (4 + 5 + 6) = cost / (1 - s - p): SG&A and profit are shares of that sum.
    let subtotal = c.product_cost / (1.0 - sga_ratio - profit_ratio);
    let mut sga = libm::round(subtotal * sga_ratio);
    let mut profit = libm::round(subtotal * profit_ratio);
    let sga_rule = format!(
        "{sga_ratio} of (4)+(5)+(6){}",
        if c.sga_ratio.is_none() {
            format!(", the {} cap", rules.id)
        } else {
            String::new()
        }
    );
    let profit_rule = if factor != 1.0 {
        format!(
            "{base_profit} x {factor} (conditional approval) of (4)+(5)+(6); {}",
            rules.operating_profit_factor.source
        )
    } else {
        format!("{base_profit} of (4)+(5)+(6)")
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
    let sga = step("SG&A and R&D (5)", sga, format!("{sga_rule}{lower_clause}"));
    let profit = step(
        "operating profit (6)",
        profit,
        format!("{profit_rule}{lower_clause}"),
    );
    let before_distribution = cost + sga + profit;
    let distribution = match c.distribution {
        Some(Distribution::Amount(a)) => step(
            "distribution (7)",
            libm::round(a),
            "given amount (company request)".into(),
        ),
        other => {
            let d = match other {
                Some(Distribution::Ratio(d)) => d,
                _ => rules.distribution.value,
            };
            check_share("distribution_ratio", d)?;
            step(
                "distribution (7)",
                libm::round(before_distribution * d / (1.0 - d)),
                format!("{d} of (4)+(5)+(6)+(7)"),
            )
        }
    };
    let before_tax = before_distribution + distribution;
    let tax_amount = step(
        "consumption tax (8)",
        libm::round(before_tax * tax),
        format!("{tax} of (4)+...+(7)"),
    );
    let total = step(
        "sum (4)+...+(8)",
        before_tax + tax_amount,
        "before premium".into(),
    );
    let coefficient = rules.disclosure.for_ratio(c.disclosure);
    let premium = total * c.premium_rate * coefficient;
    let unrounded = if c.premium_rate > 0.0 {
        step(
            "premium",
            premium,
            format!(
                "rate {} x disclosure coefficient {coefficient} (disclosure {:.0}%) on the whole price; {}",
                c.premium_rate,
                100.0 * c.disclosure,
                rules.disclosure.source
            ),
        );
        step(
            "price before rounding",
            total + premium,
            "sum + premium".into(),
        )
    } else {
        total
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

/// The foreign average price adjustment's formula (the reference marks it to be verified, so
/// every number is an input with a documented default).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ForeignAdjustment {
    /// Average of the reference countries' prices for the same unit, yen.
    pub foreign_average: f64,
    /// Adjust downwards when the price is at least this multiple of the average (1.25).
    pub upper_trigger: f64,
    /// Adjust upwards when the price is at most this multiple (0.75).
    pub lower_trigger: f64,
    /// Above: price = (a x ratio + b) x average, with (a, b) = (1/3, 5/6).
    pub upper_formula: (f64, f64),
    /// Below: price = (a x ratio + b) x average, with (a, b) = (1/3, 1/2).
    pub lower_formula: (f64, f64),
    /// An upward adjustment at most doubles the price (2).
    pub max_raise: f64,
}

impl ForeignAdjustment {
    /// The defaults the reference gives (to be verified), for a given foreign average.
    pub fn with_average(foreign_average: f64) -> Self {
        ForeignAdjustment {
            foreign_average,
            upper_trigger: 1.25,
            lower_trigger: 0.75,
            upper_formula: (1.0 / 3.0, 5.0 / 6.0),
            lower_formula: (1.0 / 3.0, 0.5),
            max_raise: 2.0,
        }
    }

    /// The adjusted price (unchanged between the triggers). It never raises a price above the
    /// foreign average nor lowers it below it.
    pub fn apply(&self, price: f64) -> f64 {
        let avg = self.foreign_average;
        if avg <= 0.0 {
            return price;
        }
        let ratio = price / avg;
        if ratio >= self.upper_trigger {
            let (a, b) = self.upper_formula;
            ((a * ratio + b) * avg).min(price).max(avg)
        } else if ratio <= self.lower_trigger {
            let (a, b) = self.lower_formula;
            ((a * ratio + b) * avg)
                .min(self.max_raise * price)
                .max(price)
                .min(avg)
        } else {
            price
        }
    }
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
    /// The foreign average price adjustment, if reference countries have prices.
    pub foreign: Option<ForeignAdjustment>,
}

/// The comparable-drug price under `rules`, step by step. Premiums must be known, within their
/// ranges, and at most one marketability premium applies.
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
    let mut total_rate = 0.0;
    let mut marketability: Option<&str> = None;
    for (id, rate) in &c.premiums {
        let field = format!("premiums.{id}");
        let Some(kind) = premium_kind(id) else {
            let known: Vec<&str> = PREMIUMS.iter().map(|p| p.id).collect();
            return Err(bad(
                &field,
                format!("unknown premium; expected one of {}", known.join(", ")),
            ));
        };
        if !(kind.min - 1e-12..=kind.max + 1e-12).contains(rate) {
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
        if kind.usefulness_type && !rules.usefulness_premium_allowed {
            return Err(bad(
                &field,
                format!(
                    "{} rules allow no usefulness-type premium at listing",
                    rules.id
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
        total_rate += rate;
    }
    let mut steps = Vec::new();
    let mut step = |label: &str, value: f64, rule: String| {
        steps.push(Step {
            label: label.to_string(),
            value,
            rule,
        });
        value
    };
    let course = step(
        "comparator course cost",
        c.comparator_unit_price * c.units_per_course,
        format!(
            "{} yen x {} units for the same course",
            c.comparator_unit_price, c.units_per_course
        ),
    );
    for (id, rate) in &c.premiums {
        let kind = premium_kind(id).map_or(id.as_str(), |k| k.name_ja);
        step(&format!("premium {id}"), *rate, kind.to_string());
    }
    let mut price = step(
        "price with premiums",
        course * (1.0 + total_rate),
        format!("course cost x (1 + {total_rate})"),
    );
    if let Some(f) = &c.foreign {
        let adjusted = f.apply(price);
        price = step(
            "foreign average price adjustment",
            adjusted,
            format!(
                "foreign average {} yen, ratio {:.3}; adjusted only beyond {} or {} (formula to be verified)",
                f.foreign_average,
                price / f.foreign_average,
                f.upper_trigger,
                f.lower_trigger
            ),
        );
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
