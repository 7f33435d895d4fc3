//! `[pricing]` (rule set, route, premiums and ratios of the official pricing methods) and
//! `[pricing.comparable_drug]`.

use toml::Spanned;

use super::Validator;
use crate::error::Located;
use crate::expr::Expr;
use crate::official::Route;
use crate::official::evaluation::{Category, Designation};
use crate::scenario::pricing::{ComparableSpec, ListPrice, Method, PricingInput, PricingSpec};
use crate::scenario::raw::{self, ExprSource, Number};

/// Reads `[pricing]`: each value checked where it is written.
pub(super) fn pricing_spec(
    v: &mut Validator,
    p: &raw::RawPricing,
    source_ids: &std::collections::BTreeSet<String>,
    resolve: &dyn Fn(&str) -> Option<usize>,
) -> PricingSpec {
    let mut spec = PricingSpec::defaults();
    let mut inputs = Vec::new();
    if let Some(lp) = &p.list_price {
        let r = lp.get_ref();
        super::meta::check_source(v, source_ids, &r.source);
        let positive = |x: f64| {
            if x > 0.0 {
                Ok(())
            } else {
                Err("expected a price in yen above 0".to_string())
            }
        };
        if let Some(yen) = v.number(&r.yen, "list_price.yen", positive) {
            spec.list_price = Some(ListPrice {
                yen,
                source: r.source.get_ref().clone(),
                label: v.bilingual(r.label.as_ref()),
            });
        }
    }
    if let Some(id) = &p.rule_set {
        match crate::official::rules::rule_set(id.get_ref()) {
            Some(r) => spec.rules = r,
            None => {
                let known: Vec<&str> = crate::official::rules::RULE_SETS
                    .iter()
                    .map(|r| r.id)
                    .collect();
                v.err(
                    &id.span(),
                    format!(
                        "unknown rule set `{}`; expected one of {}",
                        id.get_ref(),
                        known.join(", ")
                    ),
                );
            }
        }
    }
    if let Some(r) = &p.route {
        match r.get_ref().as_str() {
            "drug" => spec.route = Route::Drug,
            "device" => spec.route = Route::Device,
            other => v.err(
                &r.span(),
                format!("unknown route `{other}`; expected drug or device"),
            ),
        }
    }
    let share = |x: f64| {
        if (0.0..=1.0).contains(&x) {
            Ok(())
        } else {
            Err("expected a share from 0 to 1".to_string())
        }
    };
    let num = |v: &mut Validator,
               n: &Option<Spanned<Number>>,
               what: &str,
               check: &dyn Fn(f64) -> Result<(), String>,
               into: &mut f64| {
        if let Some(n) = n {
            if let Some(x) = v.number(n, what, check) {
                *into = x;
            }
        }
    };
    if let Some(r) = &p.premium_rate {
        v.err(
            &r.span(),
            "premium_rate was replaced by premiums named by id, e.g. premiums = { usefulness_1 = 0.35, marketability_1 = 0.1 } (see cases/README.md for the ids and ranges)",
        );
    }
    spec.premiums = premiums(v, &p.premiums, resolve, &mut inputs, PricingInput::Premium);
    if let Some(d) = &p.disclosure {
        if let Some(x) = given(
            v,
            d,
            "disclosure",
            &share,
            (0.0, PricingInput::Disclosure),
            resolve,
            &mut inputs,
        ) {
            spec.disclosure = x;
        }
    }
    // Checked against the rule set's cap (and with each other) where they are written.
    for (n, key, into) in [
        (&p.sga_ratio, "sga_ratio", &mut spec.sga_ratio),
        (
            &p.operating_profit_ratio,
            "operating_profit_ratio",
            &mut spec.operating_profit_ratio,
        ),
        (
            &p.distribution_ratio,
            "distribution_ratio",
            &mut spec.distribution_ratio,
        ),
    ] {
        if let Some(n) = n {
            *into = v.number(n, key, share);
        }
    }
    // The ratios, the route's defaults and the premiums do not vary by draw: check them once
    // here, where they are written.
    let probe =
        crate::official::cost_accounting(&spec.cost_accounting_case(1_000_000.0), spec.rules);
    if let Err(e) = probe {
        let at = if let Some(id) = e.field.strip_prefix("premiums.") {
            p.premiums
                .keys()
                .find(|k| k.get_ref() == id)
                .map(|k| k.span())
        } else {
            match e.field.as_str() {
                "operating_profit_ratio" => p.operating_profit_ratio.as_ref().map(|x| x.span()),
                "distribution_ratio" | "distribution_amount" => p
                    .distribution_ratio
                    .as_ref()
                    .map(|x| x.span())
                    .or(p.route.as_ref().map(|r| r.span())),
                _ => p
                    .sga_ratio
                    .as_ref()
                    .or(p.operating_profit_ratio.as_ref())
                    .map(|x| x.span()),
            }
        };
        if let Some(at) = at {
            let message = if e.field == "distribution_amount" {
                e.message.replace(
                    "distribution_amount",
                    "not available in a scenario; give distribution_ratio",
                )
            } else {
                e.message
            };
            v.err(&at, format!("{}: {message}", e.field));
        }
    }
    num(
        v,
        &p.return_on_cost,
        "return_on_cost",
        &|x| {
            if (0.0..=10.0).contains(&x) {
                Ok(())
            } else {
                Err("expected a return from 0 to 10 (0.1 is 10%)".into())
            }
        },
        &mut spec.return_on_cost,
    );
    num(
        v,
        &p.corridor_share,
        "corridor_share",
        &share,
        &mut spec.corridor_share,
    );
    num(
        v,
        &p.savings_share,
        "savings_share",
        &share,
        &mut spec.savings_share,
    );
    if let Some(b) = &p.special_consideration {
        spec.special_consideration = *b.get_ref();
    }
    match (&p.evaluation_category, &p.peak_sales_forecast) {
        (Some(_), Some(s)) => v.err(
            &s.span(),
            "give evaluation_category or peak_sales_forecast, not both (peak sales set H1 or H2)",
        ),
        (Some(c), None) => match c.get_ref().as_str() {
            "none" => spec.evaluation = Designation::NotSelected,
            "excluded" => spec.evaluation = Designation::Excluded,
            id => match Category::from_id(id) {
                Some(cat) => spec.evaluation = Designation::Category(cat),
                None => v.err(
                    &c.span(),
                    format!("unknown evaluation category `{id}`; expected H1, H2, H3, H5, none or excluded (used only for a rare disease with too few treatments, or only in children)"),
                ),
            },
        },
        (None, Some(s)) => {
            let positive = |x: f64| {
                if x >= 0.0 {
                    Ok(())
                } else {
                    Err("expected forecast peak sales in yen a year, 0 or more".to_string())
                }
            };
            if let Some(x) = v.number(s, "peak_sales_forecast", positive) {
                spec.evaluation = Designation::PeakSales(x);
            }
        }
        (None, None) => {}
    }
    if let Some(w) = &p.value_based_wtp {
        let positive = |x: f64| {
            if x > 0.0 {
                Ok(())
            } else {
                Err("expected a willingness to pay in yen per QALY above 0".to_string())
            }
        };
        spec.value_based_wtp = v.number(w, "value_based_wtp", positive);
    }
    if let Some(f) = &p.foreign {
        spec.foreign = foreign(v, f, resolve, &mut inputs);
    }
    if let Some(c) = &p.comparable_drug {
        comparable_drug(v, c, &mut spec, resolve, &mut inputs);
        if spec
            .comparable
            .as_ref()
            .is_some_and(|c| c.foreign_adjustment)
            && spec.foreign.is_none()
        {
            v.err(
                &c.span(),
                "foreign_adjustment = true needs the reference countries' prices in [pricing.foreign]",
            );
        }
    }
    spec.inputs = inputs;
    spec
}

/// The inputs a block gives as expressions, as they are read.
type Inputs = Vec<(PricingInput, Located<Expr>)>;

/// A value written as a number (checked here) or as an expression over the parameters
/// (compiled, recorded as `input` in `inputs` and checked in each draw; `placeholder` stands in
/// for it in the checks made once here).
fn given(
    v: &mut Validator,
    x: &Spanned<ExprSource>,
    what: &str,
    check: &dyn Fn(f64) -> Result<(), String>,
    (placeholder, input): (f64, PricingInput),
    resolve: &dyn Fn(&str) -> Option<usize>,
    inputs: &mut Inputs,
) -> Option<f64> {
    match x.get_ref() {
        ExprSource::Number(n) => {
            if !n.is_finite() {
                v.err(&x.span(), format!("{what}: {n} is not a finite number"));
                return None;
            }
            match check(*n) {
                Ok(()) => Some(*n),
                Err(m) => {
                    v.err(&x.span(), format!("{what}: {m}"));
                    None
                }
            }
        }
        ExprSource::Text(_) => {
            let e = v.compile(x, resolve)?;
            inputs.push((input, e));
            Some(placeholder)
        }
    }
}

/// Reads `[pricing.foreign]`: each price and rate where it is written.
fn foreign(
    v: &mut Validator,
    f: &Spanned<raw::RawPricingForeign>,
    resolve: &dyn Fn(&str) -> Option<usize>,
    inputs: &mut Inputs,
) -> Option<crate::official::foreign::ForeignPrices> {
    let r = f.get_ref();
    let mut yen = Vec::new();
    for (k, x) in &r.yen {
        let positive = |x: f64| {
            if x > 0.0 {
                Ok(())
            } else {
                Err("expected a positive price in yen".to_string())
            }
        };
        let input = (1.0, PricingInput::ForeignYen(yen.len()));
        if let Some(x) = given(v, x, k.get_ref(), &positive, input, resolve, inputs) {
            yen.push((k.get_ref().clone(), x));
        }
    }
    let read = |v: &mut Validator,
                m: &std::collections::BTreeMap<Spanned<String>, Spanned<Number>>| {
        let mut out = Vec::new();
        for (k, x) in m {
            if let Some(x) = v.number(x, k.get_ref(), |_| Ok(())) {
                out.push((k.get_ref().clone(), x));
            }
        }
        out
    };
    let (prices, rates) = (read(v, &r.prices), read(v, &r.exchange_rates));
    match crate::official::foreign::ForeignPrices::read(&yen, &prices, &rates) {
        Ok(p) => Some(p),
        Err(e) => {
            let key = e.field.rsplit('.').next().unwrap_or_default();
            let keys: Vec<&Spanned<String>> = if e.field.contains(".yen.") {
                r.yen.keys().collect()
            } else if e.field.contains(".exchange_rates.") {
                r.exchange_rates.keys().collect()
            } else {
                r.prices.keys().collect()
            };
            let at = keys
                .into_iter()
                .find(|k| k.get_ref() == key)
                .map_or(f.span(), |k| k.span());
            v.err(&at, e.to_string());
            None
        }
    }
}

/// Why the adjusted price of `method` does not exist in this scenario (the product is not
/// selected for cost-effectiveness evaluation), if it does not; `None` for other methods. The
/// selection depends on the premiums, disclosure and rule set, not on the cost, so a probe
/// calculation on any cost tells.
pub(super) fn not_evaluated(spec: &PricingSpec, method: Method) -> Option<String> {
    // Premiums or disclosure that vary by draw cannot be judged here.
    if spec.varies() {
        return None;
    }
    let calc = match method {
        Method::CostAccountingAdjusted => {
            crate::official::cost_accounting(&spec.cost_accounting_case(1_000_000.0), spec.rules)
        }
        Method::ComparableDrugAdjusted => {
            crate::official::comparable_drug(&spec.comparable_case()?, spec.rules)
        }
        _ => return None,
    }
    .ok()?;
    let s = spec.selection(&calc);
    (!s.selected).then(|| s.reason.explain().to_string())
}

/// Reads `[pricing.comparable_drug]` into `spec`, checking the price once against the rule set.
fn comparable_drug(
    v: &mut Validator,
    c: &Spanned<raw::RawPricingComparable>,
    spec: &mut PricingSpec,
    resolve: &dyn Fn(&str) -> Option<usize>,
    inputs: &mut Inputs,
) {
    let table_span = c.span();
    let c = c.get_ref();
    let positive = |x: f64| {
        if x > 0.0 {
            Ok(())
        } else {
            Err("expected a positive number".to_string())
        }
    };
    let price = given(
        v,
        &c.comparator_unit_price,
        "comparator_unit_price",
        &positive,
        (1.0, PricingInput::ComparatorUnitPrice),
        resolve,
        inputs,
    );
    let units = given(
        v,
        &c.units_per_course,
        "units_per_course",
        &positive,
        (1.0, PricingInput::UnitsPerCourse),
        resolve,
        inputs,
    );
    let premiums = premiums(
        v,
        &c.premiums,
        resolve,
        inputs,
        PricingInput::ComparablePremium,
    );
    if let Some(f) = &c.foreign_average {
        v.err(
            &f.span(),
            "foreign_average was replaced by the reference countries' prices in [pricing.foreign] (yen = { us = ..., uk = ... }, or prices with exchange_rates) and foreign_adjustment = true here",
        );
    }
    let foreign_adjustment = c.foreign_adjustment.as_ref().is_some_and(|b| *b.get_ref());
    if let (Some(comparator_unit_price), Some(units_per_course)) = (price, units) {
        let cs = ComparableSpec {
            comparator_unit_price,
            units_per_course,
            premiums,
            foreign_adjustment,
        };
        // The rules it follows do not vary by draw: check it once here (with any expression's
        // stand-in), so that a rule it breaks (premiums that do not stack, one the rule set
        // forbids) is an error at its place rather than a method missing from every report.
        let check = crate::official::comparable_drug(&cs.case(spec.route, None), spec.rules);
        match check {
            Ok(_) => spec.comparable = Some(cs),
            Err(e) => {
                let at = e
                    .field
                    .strip_prefix("premiums.")
                    .and_then(|id| c.premiums.keys().find(|k| k.get_ref() == id))
                    .map_or(table_span.clone(), |k| k.span());
                v.err(&at, format!("{}: {}", e.field, e.message));
            }
        }
    }
}

/// Reads premiums by id (cost accounting and comparable drug), each within its range.
fn premiums(
    v: &mut Validator,
    raw: &std::collections::BTreeMap<Spanned<String>, Spanned<ExprSource>>,
    resolve: &dyn Fn(&str) -> Option<usize>,
    inputs: &mut Inputs,
    as_input: fn(usize) -> PricingInput,
) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    for (id, rate) in raw {
        match crate::official::rules::premium_kind(id.get_ref()) {
            None => {
                let known: Vec<&str> = crate::official::rules::PREMIUMS
                    .iter()
                    .map(|p| p.id)
                    .collect();
                v.err(
                    &id.span(),
                    format!(
                        "unknown premium `{}`; expected one of {}",
                        id.get_ref(),
                        known.join(", ")
                    ),
                );
            }
            Some(kind) => {
                let ok = |x: f64| {
                    if kind.allows(x) {
                        Ok(())
                    } else {
                        Err(format!(
                            "{} is allowed from {} to {}",
                            kind.name_ja, kind.min, kind.max
                        ))
                    }
                };
                // An expression's stand-in is the lowest rate allowed, checked in each draw.
                let input = (kind.min, as_input(out.len()));
                if let Some(x) = given(v, rate, id.get_ref(), &ok, input, resolve, inputs) {
                    out.push((id.get_ref().clone(), x));
                }
            }
        }
    }
    out
}
