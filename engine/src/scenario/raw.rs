//! The scenario file exactly as written: serde structures with the byte span of every value, so
//! that validation can point at the line and column of a mistake. Nothing here is checked beyond
//! types and key names (unknown keys are rejected); `validate` turns this into a [`super::Scenario`].

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use toml::Spanned;

/// A number or an arithmetic expression, as written.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprSource {
    /// A plain TOML number.
    Number(f64),
    /// A string holding an expression over parameters.
    Text(String),
}

impl<'de> Deserialize<'de> for ExprSource {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = ExprSource;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number or an expression in quotes, such as \"c_drug * 12\"")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<ExprSource, E> {
                Ok(ExprSource::Number(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ExprSource, E> {
                Ok(ExprSource::Number(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ExprSource, E> {
                Ok(ExprSource::Number(v as f64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ExprSource, E> {
                Ok(ExprSource::Text(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A number written as a TOML integer or float.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Number(pub f64);

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Number;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Number, E> {
                Ok(Number(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Number, E> {
                Ok(Number(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Number, E> {
                Ok(Number(v as f64))
            }
        }
        d.deserialize_any(V)
    }
}

/// Japanese and English versions of a text.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Bilingual {
    pub ja: Option<Spanned<String>>,
    pub en: Option<Spanned<String>>,
}

/// A text readers see in either language (a parameter's unit or note, a source's note): a plain
/// string, read as English (older files write it so), or Japanese and English as
/// `{ en = "...", ja = "..." }` (or `note.en = ...` and `note.ja = ...`).
#[derive(Debug, Clone)]
pub enum RawText {
    /// A plain string: English only.
    Plain(String),
    /// Japanese and English.
    Both(Bilingual),
}

impl<'de> Deserialize<'de> for RawText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a text in quotes (English), or `{ en = \"...\", ja = \"...\" }`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawText, E> {
                Ok(RawText::Plain(v.to_string()))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<RawText, A::Error> {
                let mut b = Bilingual::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "ja" => b.ja = Some(map.next_value()?),
                        "en" => b.en = Some(map.next_value()?),
                        other => return Err(de::Error::unknown_field(other, &["ja", "en"])),
                    }
                }
                Ok(RawText::Both(b))
            }
        }
        d.deserialize_any(V)
    }
}

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub scenario: Spanned<RawMeta>,
    #[serde(default)]
    pub sources: Vec<Spanned<RawSource>>,
    #[serde(default)]
    pub settings: Option<Spanned<RawSettings>>,
    pub mortality: Option<Spanned<RawMortality>>,
    #[serde(default)]
    pub parameters: BTreeMap<Spanned<String>, Spanned<RawParameter>>,
    #[serde(default)]
    pub dirichlet: BTreeMap<Spanned<String>, Spanned<RawDirichlet>>,
    #[serde(default)]
    pub correlations: Vec<Spanned<RawCorrelation>>,
    #[serde(default)]
    pub derived: BTreeMap<Spanned<String>, Spanned<ExprSource>>,
    #[serde(default)]
    pub states: Vec<Spanned<RawState>>,
    #[serde(default)]
    pub costs: Vec<Spanned<RawCost>>,
    #[serde(default)]
    pub arms: BTreeMap<Spanned<String>, Spanned<RawArm>>,
    pub supply: Option<Spanned<RawSupply>>,
    pub levers: Option<Spanned<RawLevers>>,
    pub pricing: Option<Spanned<RawPricing>>,
    pub payments: Option<Spanned<RawPayments>>,
    pub budget: Option<Spanned<RawBudget>>,
    #[serde(default)]
    pub variants: Vec<Spanned<RawVariant>>,
    pub calculator: Option<Spanned<RawCalculator>>,
}

/// `[calculator]`: the parameters behind the in-browser calculator's controls.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCalculator {
    pub durability: Option<Spanned<String>>,
    pub response: Option<Spanned<String>>,
    pub failure: Option<Spanned<String>>,
    pub qc_cost: Option<Spanned<String>>,
    pub post_approval: Option<Spanned<String>>,
}

/// `[[variants]]`: the scenario again with some parameters set otherwise (durability
/// scenarios, a cap on the comparator's yearly cost, patient populations).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVariant {
    pub id: Spanned<String>,
    pub role: Spanned<String>,
    pub label: Option<Spanned<Bilingual>>,
    pub share: Option<Spanned<Number>>,
    #[serde(default)]
    pub set: BTreeMap<Spanned<String>, Spanned<ExprSource>>,
    pub settings: Option<Spanned<RawVariantSettings>>,
    pub levers: Option<Spanned<RawLevers>>,
}

/// The settings a variant may change.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVariantSettings {
    pub discount_rate_costs: Option<Spanned<Number>>,
    pub discount_rate_outcomes: Option<Spanned<Number>>,
}

/// `[payments]`: how the price is paid (up front, instalments, outcome-based, refunds, at
/// results).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPayments {
    pub response_states: Option<Spanned<Vec<Spanned<String>>>>,
    /// A method id in quotes, or a price in yen (the same number-or-text shape as expressions).
    pub price: Option<Spanned<ExprSource>>,
    pub instalment_years: Option<Spanned<Number>>,
    pub refund_share: Option<Spanned<Number>>,
    pub refund_years: Option<Spanned<Number>>,
    pub milestones: Option<Spanned<Vec<Spanned<Number>>>>,
    pub milestone_shares: Option<Spanned<Vec<Spanned<Number>>>>,
    pub maker_discount_rate: Option<Spanned<Number>>,
    pub response_assessed_years: Option<Spanned<Number>>,
}

/// `[budget]`: patients, uptake and the years of a budget-impact analysis.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBudget {
    pub years: Option<Spanned<Number>>,
    pub prevalent: Option<Spanned<ExprSource>>,
    pub incident: Spanned<ExprSource>,
    pub uptake: Spanned<Vec<Spanned<Number>>>,
    pub scheme: Option<Spanned<String>>,
}

/// `[pricing]`: how the pricing methods are applied to this scenario.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPricing {
    pub rule_set: Option<Spanned<String>>,
    pub route: Option<Spanned<String>>,
    pub premium_rate: Option<Spanned<Number>>,
    #[serde(default)]
    pub premiums: BTreeMap<Spanned<String>, Spanned<ExprSource>>,
    pub disclosure: Option<Spanned<ExprSource>>,
    pub sga_ratio: Option<Spanned<Number>>,
    pub operating_profit_ratio: Option<Spanned<Number>>,
    pub distribution_ratio: Option<Spanned<Number>>,
    pub special_consideration: Option<Spanned<bool>>,
    pub evaluation_category: Option<Spanned<String>>,
    pub peak_sales_forecast: Option<Spanned<Number>>,
    pub value_based_wtp: Option<Spanned<Number>>,
    pub return_on_cost: Option<Spanned<Number>>,
    pub corridor_share: Option<Spanned<Number>>,
    pub savings_share: Option<Spanned<Number>>,
    pub comparable_drug: Option<Spanned<RawPricingComparable>>,
    pub foreign: Option<Spanned<RawPricingForeign>>,
    pub list_price: Option<Spanned<RawListPrice>>,
}

/// `[pricing] list_price`: the product's actual Japanese list price, with its source.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawListPrice {
    pub yen: Spanned<Number>,
    pub source: Spanned<String>,
    pub label: Option<Spanned<Bilingual>>,
}

/// `[pricing.foreign]`: the reference countries' prices, in yen or in their currencies.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPricingForeign {
    #[serde(default)]
    pub yen: BTreeMap<Spanned<String>, Spanned<ExprSource>>,
    #[serde(default)]
    pub prices: BTreeMap<Spanned<String>, Spanned<Number>>,
    #[serde(default)]
    pub exchange_rates: BTreeMap<Spanned<String>, Spanned<Number>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPricingComparable {
    pub comparator_unit_price: Spanned<ExprSource>,
    pub units_per_course: Spanned<ExprSource>,
    #[serde(default)]
    pub premiums: BTreeMap<Spanned<String>, Spanned<ExprSource>>,
    pub foreign_average: Option<Spanned<Number>>,
    pub foreign_adjustment: Option<Spanned<bool>>,
}

/// `[supply]`: what making, testing and delivering one treatment takes. Each group is optional;
/// a missing group or key means "not modelled".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSupply {
    pub lead_time_days: Option<Spanned<ExprSource>>,
    pub waiting_loss_rate: Option<Spanned<ExprSource>>,
    pub manufacturing: Option<Spanned<RawManufacturing>>,
    pub failure: Option<Spanned<RawFailure>>,
    pub quality: Option<Spanned<RawQuality>>,
    pub import: Option<Spanned<RawImport>>,
    pub fresh: Option<Spanned<RawFresh>>,
    pub centres: Option<Spanned<RawCentres>>,
    pub post_approval: Option<Spanned<RawPostApproval>>,
    pub distribution: Option<Spanned<RawDistribution>>,
    pub launch_delay: Option<Spanned<RawLaunchDelay>>,
}

type Field = Option<Spanned<ExprSource>>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawManufacturing {
    pub materials_per_batch: Field,
    pub labour_hours_per_batch: Field,
    pub labour_rate: Field,
    pub overhead_per_batch: Field,
    pub doses_per_batch: Field,
    pub fixed_cost_per_year: Field,
    pub patients_per_year: Field,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFailure {
    pub probability: Field,
    pub policy: Option<Spanned<String>>,
    pub max_attempts: Option<Spanned<Number>>,
    pub remanufacture_delay_days: Field,
    pub oos_relative_effect: Field,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawQuality {
    pub release_test_per_batch: Field,
    pub consumed_share: Field,
    pub stability_per_year: Field,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawImport {
    pub retest_per_batch: Field,
    pub retest_delay_days: Field,
    pub consumed_share: Field,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFresh {
    pub transit_median_days: Field,
    pub transit_sdlog: Field,
    pub shelf_life_days: Field,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCentres {
    pub cost_per_year: Field,
    pub patients_per_centre_per_year: Field,
    pub manufacturers_sharing: Field,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPostApproval {
    pub probability: Field,
    pub one_off: Field,
    pub per_year: Field,
    pub years: Field,
    pub confirmatory_study: Field,
    pub patients_over_lifetime: Field,
    pub follow_up_per_year: Field,
    pub follow_up_years: Field,
    pub follow_up_paid_by: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDistribution {
    pub shipment: Field,
    pub handling: Field,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLaunchDelay {
    pub months: Field,
    pub eligible_per_year: Field,
    pub share_of_gain_lost_waiting: Field,
}

/// `[levers]`: the proposal's policy switches.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLevers {
    pub accept_foreign_certificate: Option<Spanned<bool>>,
    pub supply_oos: Option<Spanned<bool>>,
    pub shared_accreditation: Option<Spanned<bool>>,
    pub price_post_approval: Option<Spanned<bool>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    pub id: Spanned<String>,
    pub title: Spanned<Bilingual>,
    pub summary: Option<Spanned<Bilingual>>,
    pub question: Option<Spanned<Bilingual>>,
    pub short_title: Option<Spanned<Bilingual>>,
    pub product_type: Spanned<String>,
    pub intervention: Spanned<String>,
    pub comparator: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    pub id: Spanned<String>,
    pub citation: Spanned<RawText>,
    pub note: Option<Spanned<RawText>>,
    pub url: Option<Spanned<String>>,
    pub date: Option<Spanned<toml::value::Datetime>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawSettings {
    pub currency: Option<Spanned<String>>,
    pub discount_rate_costs: Option<Spanned<Number>>,
    pub discount_rate_outcomes: Option<Spanned<Number>>,
    pub cycles_per_year: Option<Spanned<i64>>,
    pub horizon_years: Option<Spanned<i64>>,
    pub start_age: Option<Spanned<Number>>,
    pub within_cycle_correction: Option<Spanned<String>>,
    pub wtp: Option<Spanned<Vec<Spanned<Number>>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMortality {
    pub kind: Spanned<String>,
    pub source: Spanned<String>,
    pub a: Option<Spanned<Number>>,
    pub b: Option<Spanned<Number>>,
    pub file: Option<Spanned<String>>,
    pub sex: Option<Spanned<String>>,
    pub male_share: Option<Spanned<Number>>,
}

/// One uncertain parameter: its base case, its source and its distribution. The distribution's
/// own keys sit beside `dist`; which ones apply depends on the kind.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawParameter {
    pub value: Spanned<Number>,
    pub source: Spanned<String>,
    pub dist: Option<Spanned<String>>,
    pub label: Option<Spanned<Bilingual>>,
    pub unit: Option<Spanned<RawText>>,
    pub note: Option<Spanned<RawText>>,
    pub mean: Option<Spanned<Number>>,
    pub sd: Option<Spanned<Number>>,
    pub alpha: Option<Spanned<Number>>,
    pub beta: Option<Spanned<Number>>,
    pub shape: Option<Spanned<Number>>,
    pub scale: Option<Spanned<Number>>,
    pub rate: Option<Spanned<Number>>,
    pub meanlog: Option<Spanned<Number>>,
    pub sdlog: Option<Spanned<Number>>,
    pub min: Option<Spanned<Number>>,
    pub max: Option<Spanned<Number>>,
    pub mode: Option<Spanned<Number>>,
    pub lower: Option<Spanned<Number>>,
    pub upper: Option<Spanned<Number>>,
    pub lambda: Option<Spanned<Number>>,
    pub values: Option<Spanned<Vec<Spanned<Number>>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDirichlet {
    pub components: Spanned<Vec<Spanned<String>>>,
    pub value: Spanned<Vec<Spanned<Number>>>,
    pub source: Spanned<String>,
    pub alpha: Option<Spanned<Vec<Spanned<Number>>>>,
    pub concentration: Option<Spanned<Number>>,
    pub label: Option<Spanned<Bilingual>>,
    pub note: Option<Spanned<RawText>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCorrelation {
    pub parameters: Spanned<Vec<Spanned<String>>>,
    pub matrix: Spanned<Vec<Spanned<Vec<Spanned<Number>>>>>,
    pub source: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawState {
    pub id: Spanned<String>,
    pub label: Option<Spanned<Bilingual>>,
    #[serde(default)]
    pub dead: Option<Spanned<bool>>,
    pub utility: Option<Spanned<ExprSource>>,
    pub mortality_hr: Option<Spanned<ExprSource>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCost {
    pub name: Spanned<String>,
    pub label: Option<Spanned<Bilingual>>,
    pub category: Option<Spanned<String>>,
    pub states: Option<Spanned<Vec<Spanned<String>>>>,
    pub per_cycle: Option<Spanned<ExprSource>>,
    pub per_year: Option<Spanned<ExprSource>>,
    pub once: Option<Spanned<ExprSource>>,
    pub on_entry: Option<Spanned<String>>,
    pub amount: Option<Spanned<ExprSource>>,
    pub from_year: Option<Spanned<Number>>,
    pub until_year: Option<Spanned<Number>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawArm {
    pub label: Option<Spanned<Bilingual>>,
    pub initial: Spanned<BTreeMap<Spanned<String>, Spanned<ExprSource>>>,
    #[serde(default)]
    pub transitions: Vec<Spanned<RawTransition>>,
    #[serde(default)]
    pub costs: Vec<Spanned<RawCost>>,
    pub one_time_qalys: Option<Spanned<ExprSource>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTransition {
    pub from: Spanned<String>,
    pub to: Spanned<String>,
    pub probability: Option<Spanned<ExprSource>>,
    pub annual_probability: Option<Spanned<ExprSource>>,
    pub rate: Option<Spanned<ExprSource>>,
    pub exponential: Option<Spanned<RawLawParams>>,
    pub weibull: Option<Spanned<RawLawParams>>,
    pub gompertz: Option<Spanned<RawLawParams>>,
    pub loglogistic: Option<Spanned<RawLawParams>>,
    pub lognormal: Option<Spanned<RawLawParams>>,
    pub hazard_ratio: Option<Spanned<ExprSource>>,
    pub cure_fraction: Option<Spanned<ExprSource>>,
}

/// Parameters of a parametric survival law; which apply depends on the law.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLawParams {
    pub rate: Option<Spanned<ExprSource>>,
    pub shape: Option<Spanned<ExprSource>>,
    pub scale: Option<Spanned<ExprSource>>,
    pub meanlog: Option<Spanned<ExprSource>>,
    pub sdlog: Option<Spanned<ExprSource>>,
}
