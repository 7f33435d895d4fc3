//! Japan's pricing coefficients as named, dated rule sets, each value with where it was read.
//!
//! Rules change every two years, so a calculation names the rule set it follows, and a case may
//! override any coefficient (a published calculation states the values it used). Values the
//! reference could not confirm are marked `verified: false` and say why; they are defaults to
//! override, never hidden constants. Each value's `source` names the Chuikyo document it was read
//! from.

use serde::Serialize;

use super::foreign::{self, ForeignRules};

/// A coefficient with its source.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Coefficient {
    /// The value.
    pub value: f64,
    /// Where it comes from.
    pub source: &'static str,
    /// Whether the source confirms it for this rule set.
    pub verified: bool,
}

pub(super) const fn sourced(value: f64, source: &'static str) -> Coefficient {
    Coefficient {
        value,
        source,
        verified: true,
    }
}

pub(super) const fn unverified(value: f64, source: &'static str) -> Coefficient {
    Coefficient {
        value,
        source,
        verified: false,
    }
}

/// The disclosure coefficient by the share of product cost a company discloses (開示度).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DisclosureCoefficients {
    /// Disclosure of 80% or more.
    pub high: f64,
    /// From 50% to under 80%.
    pub middle: f64,
    /// Under 50%.
    pub low: f64,
    /// Where they come from.
    pub source: &'static str,
    /// Whether the source confirms them for this rule set and route.
    pub verified: bool,
}

impl DisclosureCoefficients {
    /// The coefficient for a disclosure ratio in [0, 1].
    pub fn for_ratio(&self, disclosure: f64) -> f64 {
        if disclosure >= 0.8 {
            self.high
        } else if disclosure >= 0.5 {
            self.middle
        } else {
            self.low
        }
    }
}

/// The material-price (device, 特定保険医療材料) route's own cost-accounting coefficients.
///
/// On this route the company's total product cost (製品総原価) already includes SG&A and R&D,
/// operating profit is a share of the price excluding distribution and tax (from the device
/// industry survey, 医療機器産業実態調査), and distribution is the company's requested amount
/// or the survey's ratio.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DeviceRules {
    /// Operating profit as a share of (total product cost + operating profit).
    pub operating_profit: Coefficient,
    /// Distribution as a share of the price before tax; `None` where no figure was read, so a
    /// calculation must give the company's requested amount or a ratio.
    pub distribution: Option<Coefficient>,
    /// Premium times this coefficient, by disclosure level (device rules).
    pub disclosure: DisclosureCoefficients,
    /// The device route's foreign average price adjustment.
    pub foreign: &'static ForeignRules,
}

/// One dated set of cost-accounting rules (原価計算方式): the drug route's coefficients, and the
/// device route's in [`DeviceRules`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RuleSet {
    /// Identifier used in case files (`FY2024`).
    pub id: &'static str,
    /// What it is.
    pub name: &'static str,
    /// Cap on selling, general, administrative and R&D costs as a share of
    /// manufacturing + SG&A + operating profit.
    pub sga_cap: Coefficient,
    /// Operating profit as a share of manufacturing + SG&A + operating profit.
    pub operating_profit: Coefficient,
    /// Distribution as a share of the price before tax.
    pub distribution: Coefficient,
    /// Consumption tax.
    pub consumption_tax: Coefficient,
    /// Premium times this coefficient, by disclosure level.
    pub disclosure: DisclosureCoefficients,
    /// Multiplier of the operating-profit ratio (0.5 for conditionally and time-limited
    /// approved regenerative products under the 2026 rule; 1 otherwise).
    pub operating_profit_factor: Coefficient,
    /// Whether usefulness-type premiums are granted at listing (withheld otherwise).
    pub usefulness_premium_allowed: bool,
    /// Whether a selected product is evaluated for cost-effectiveness after listing (under the
    /// 2026 conditional rule only after full approval).
    pub evaluated_at_listing: bool,
    /// The drug route's foreign average price adjustment.
    pub foreign: &'static ForeignRules,
    /// The device route's coefficients.
    pub device: DeviceRules,
}

// Sources, each as read (see /work/shared/reference and the search index's stored pages).
const FY2022_DRUG: &str = "Chuikyo general meeting no. 511, 2022-01-19, 総-2参考1 p8 (FY2022 drug pricing reform; wic-net 390/8): SG&A cap 0.506, operating profit 0.155, distribution 0.075, labour 3,657 yen/h";
const FY2024_DRUG: &str = "Chuikyo drug pricing subcommittee no. 225, 2024-07-17, 薬-1参考1 p10 (wic-net 15737/10): SG&A cap 0.510, operating profit 0.167, distribution 0.069, labour 3,634 yen/h";
const FY2018_NOT_READ: &str = "not read for this rule set (the coefficients are the latest 3-year averages and change every year: 薬価算定の基準 第1章22, wic-net 21965/20); FY2022's figure shown (総会 511, 2022-01-19): override with the published value";
const FY2026_NOT_READ: &str = "not read for FY2026; FY2024's figure shown (薬価専門部会 225, 2024-07-17): override with the published value";
const TAX_8: &str = "8% until 2019-09-30: Kymriah 33,493,407 (listed 2019-05-22) became 34,113,655 = x110/108 on 2019-10-01 (jmedj 16991; cbnews 20210414190031)";
const TAX_10: &str = "10% from 2019-10-01 (same Kymriah conversion, x110/108)";
const DISCLOSURE_02: &str = "FY2018 reform: premium x coefficient 1.0 (>= 80%), 0.6 (50-80%), 0.2 (< 50%) on the whole price (cbnews 20191023212827; 薬価専門部会 239, 2025-10-08, wic-net 21965/65); kept until FY2022 cut the < 50% coefficient \"from the present 0.2 to 0\" (総会 511, 2022-01-19, wic-net 390/8)";
const DISCLOSURE_0: &str = "FY2022 reform: coefficient for disclosure < 50% cut from 0.2 to 0 (総会 511, 2022-01-19, 総-2参考1 p8, wic-net 390/8); 1.0 and 0.6 unchanged";
const DISCLOSURE_0_LATER: &str = "< 50%: 0 since FY2022 (総会 511, 2022-01-19); reported unchanged since (shared/reference/pricing-rules.md, Luxturna 2023-08-23 coefficient 0, Elevidys 2026-02-13 coefficient 0): the FY2024/FY2026 rule text itself not read";
const NO_FACTOR: &str = "No reduction outside the 2026 conditional-approval rule";
const DEVICE_PROFIT: &str = "5.8% of the price excluding distribution, from the device industry survey (医療機器産業実態調査報告書), as printed on the HeartSheet sheet (Chuikyo 総-4-2, 2015-11-18); no later survey figure read: override with the published value";
const DEVICE_DISCLOSURE_FY2022: &str = "FY2022 device rules: 加算係数 1.0 (開示度 >= 80%), 0.6 (50-80%), 0.2 (< 50%) (Chuikyo general meeting no. 511, 2022-01-19, 総-4-1参考2 p12, wic-net 328/12)";
const DEVICE_DISCLOSURE_OTHER: &str = "FY2022 device coefficients (総会 511, 2022-01-19, wic-net 328/12); this rule set's device text not read";

const fn drug_disclosure(low: f64, source: &'static str, verified: bool) -> DisclosureCoefficients {
    DisclosureCoefficients {
        high: 1.0,
        middle: 0.6,
        low,
        source,
        verified,
    }
}

const fn device(
    disclosure_source: &'static str,
    disclosure_verified: bool,
    foreign: &'static ForeignRules,
) -> DeviceRules {
    DeviceRules {
        foreign,
        operating_profit: unverified(0.058, DEVICE_PROFIT),
        distribution: None,
        disclosure: DisclosureCoefficients {
            high: 1.0,
            middle: 0.6,
            low: 0.2,
            source: disclosure_source,
            verified: disclosure_verified,
        },
    }
}

/// Every rule set the engine knows, oldest first.
pub const RULE_SETS: [RuleSet; 7] = [
    RuleSet {
        id: "FY2018",
        name: "FY2018 rules (April 2018 to September 2019, consumption tax 8%): premium x disclosure coefficient on the whole price, 0.2 below 50%",
        sga_cap: unverified(0.506, FY2018_NOT_READ),
        operating_profit: unverified(0.155, FY2018_NOT_READ),
        distribution: unverified(0.075, FY2018_NOT_READ),
        consumption_tax: sourced(0.08, TAX_8),
        disclosure: drug_disclosure(0.2, DISCLOSURE_02, true),
        operating_profit_factor: sourced(1.0, NO_FACTOR),
        usefulness_premium_allowed: true,
        evaluated_at_listing: true,
        foreign: &foreign::DRUG,
        device: device(DEVICE_DISCLOSURE_OTHER, false, &foreign::DEVICE_FY2018),
    },
    RuleSet {
        id: "FY2018-2019-10",
        name: "FY2018 rules after the October 2019 consumption tax change (10%)",
        sga_cap: unverified(0.506, FY2018_NOT_READ),
        operating_profit: unverified(0.155, FY2018_NOT_READ),
        distribution: unverified(0.075, FY2018_NOT_READ),
        consumption_tax: sourced(0.10, TAX_10),
        disclosure: drug_disclosure(0.2, DISCLOSURE_02, true),
        operating_profit_factor: sourced(1.0, NO_FACTOR),
        usefulness_premium_allowed: true,
        evaluated_at_listing: true,
        foreign: &foreign::DRUG,
        device: device(DEVICE_DISCLOSURE_OTHER, false, &foreign::DEVICE_FY2018),
    },
    RuleSet {
        id: "FY2020",
        name: "FY2020 rules: disclosure coefficient still 0.2 below 50%",
        sga_cap: unverified(0.506, FY2018_NOT_READ),
        operating_profit: unverified(0.155, FY2018_NOT_READ),
        distribution: unverified(0.075, FY2018_NOT_READ),
        consumption_tax: sourced(0.10, TAX_10),
        disclosure: drug_disclosure(0.2, DISCLOSURE_02, true),
        operating_profit_factor: sourced(1.0, NO_FACTOR),
        usefulness_premium_allowed: true,
        evaluated_at_listing: true,
        foreign: &foreign::DRUG,
        device: device(DEVICE_DISCLOSURE_OTHER, false, &foreign::DEVICE_FY2018),
    },
    RuleSet {
        id: "FY2022",
        name: "FY2022 rules: drug disclosure coefficient 0 below 50% (devices kept 0.2)",
        sga_cap: sourced(0.506, FY2022_DRUG),
        operating_profit: sourced(0.155, FY2022_DRUG),
        distribution: sourced(0.075, FY2022_DRUG),
        consumption_tax: sourced(0.10, FY2022_DRUG),
        disclosure: drug_disclosure(0.0, DISCLOSURE_0, true),
        operating_profit_factor: sourced(1.0, NO_FACTOR),
        usefulness_premium_allowed: true,
        evaluated_at_listing: true,
        foreign: &foreign::DRUG,
        device: device(DEVICE_DISCLOSURE_FY2022, true, &foreign::DEVICE_FY2022),
    },
    RuleSet {
        id: "FY2024",
        name: "FY2024 rules",
        sga_cap: sourced(0.510, FY2024_DRUG),
        operating_profit: sourced(0.167, FY2024_DRUG),
        distribution: sourced(0.069, FY2024_DRUG),
        consumption_tax: sourced(0.10, FY2024_DRUG),
        disclosure: drug_disclosure(0.0, DISCLOSURE_0_LATER, false),
        operating_profit_factor: sourced(1.0, NO_FACTOR),
        usefulness_premium_allowed: true,
        evaluated_at_listing: true,
        foreign: &foreign::DRUG,
        device: device(DEVICE_DISCLOSURE_OTHER, false, &foreign::DEVICE_FY2022),
    },
    RuleSet {
        id: "FY2026",
        name: "FY2026 rules",
        sga_cap: unverified(0.510, FY2026_NOT_READ),
        operating_profit: unverified(0.167, FY2026_NOT_READ),
        distribution: unverified(0.069, FY2026_NOT_READ),
        consumption_tax: sourced(0.10, TAX_10),
        disclosure: drug_disclosure(0.0, DISCLOSURE_0_LATER, false),
        operating_profit_factor: sourced(1.0, NO_FACTOR),
        usefulness_premium_allowed: true,
        evaluated_at_listing: true,
        foreign: &foreign::DRUG,
        device: device(DEVICE_DISCLOSURE_OTHER, false, &foreign::DEVICE_FY2022),
    },
    RuleSet {
        id: "FY2026-conditional",
        name: "2026 rule for conditionally and time-limited approved regenerative products (Chuikyo 2026-01-14, first applied to Elevidys): operating profit x 0.5, usefulness-type premiums withheld at listing",
        sga_cap: unverified(0.510, FY2026_NOT_READ),
        operating_profit: unverified(0.167, FY2026_NOT_READ),
        distribution: unverified(0.069, FY2026_NOT_READ),
        consumption_tax: sourced(0.10, TAX_10),
        disclosure: drug_disclosure(0.0, DISCLOSURE_0_LATER, false),
        operating_profit_factor: sourced(
            0.5,
            "Chuikyo 2026-01-14: operating-profit coefficient = industry average x 0.5 for conditionally approved regenerative products; no usefulness-type premium at listing, other premiums granted (mixonline artid=79593, 2026-01-15; regulatory-j.com/?p=704)",
        ),
        usefulness_premium_allowed: false,
        evaluated_at_listing: false,
        foreign: &foreign::DRUG,
        device: device(DEVICE_DISCLOSURE_OTHER, false, &foreign::DEVICE_FY2022),
    },
];

/// The rule set with this id.
pub fn rule_set(id: &str) -> Option<&'static RuleSet> {
    RULE_SETS.iter().find(|r| r.id == id)
}

/// A premium of the comparable-drug method with its allowed range.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PremiumKind {
    /// Identifier used in case files.
    pub id: &'static str,
    /// Japanese name.
    pub name_ja: &'static str,
    /// Lowest allowed rate.
    pub min: f64,
    /// Highest allowed rate.
    pub max: f64,
    /// Whether the range is confirmed by the reference.
    pub verified: bool,
    /// Whether it is a usefulness-type premium (withheld under the 2026 conditional rule).
    pub usefulness_type: bool,
    /// Marketability premiums do not stack: at most one of them applies.
    pub marketability: bool,
}

/// The premiums and their ranges (FY2022 reform overview; FY2024 added rapid introduction).
/// The device route's improvement premium (改良加算) takes the bounds of the device rules' alpha
/// (2.5-30%, Chuikyo general meeting no. 511, 2022-01-19, 総-4-1参考2 p12); the device route's
/// other premiums are checked against the drug ranges here (their sliding alpha is not modelled).
pub const PREMIUMS: [PremiumKind; 10] = [
    PremiumKind {
        id: "innovativeness",
        name_ja: "画期性加算",
        min: 0.70,
        max: 1.20,
        verified: true,
        usefulness_type: true,
        marketability: false,
    },
    PremiumKind {
        id: "usefulness_1",
        name_ja: "有用性加算(I)",
        min: 0.35,
        max: 0.60,
        verified: true,
        usefulness_type: true,
        marketability: false,
    },
    PremiumKind {
        id: "usefulness_2",
        name_ja: "有用性加算(II)",
        min: 0.05,
        max: 0.30,
        verified: true,
        usefulness_type: true,
        marketability: false,
    },
    PremiumKind {
        id: "marketability_1",
        name_ja: "市場性加算(I)",
        min: 0.10,
        max: 0.20,
        verified: true,
        usefulness_type: false,
        marketability: true,
    },
    PremiumKind {
        id: "marketability_2",
        name_ja: "市場性加算(II)",
        min: 0.05,
        max: 0.05,
        verified: true,
        usefulness_type: false,
        marketability: true,
    },
    PremiumKind {
        id: "paediatric",
        name_ja: "小児加算",
        min: 0.05,
        max: 0.20,
        verified: true,
        usefulness_type: false,
        marketability: false,
    },
    PremiumKind {
        id: "rapid_introduction",
        name_ja: "迅速導入加算",
        min: 0.05,
        max: 0.10,
        verified: true,
        usefulness_type: false,
        marketability: false,
    },
    PremiumKind {
        id: "sakigake",
        name_ja: "先駆加算",
        min: 0.10,
        max: 0.20,
        verified: false,
        usefulness_type: false,
        marketability: false,
    },
    PremiumKind {
        id: "specific_use",
        name_ja: "特定用途加算",
        min: 0.05,
        max: 0.20,
        verified: false,
        usefulness_type: false,
        marketability: false,
    },
    PremiumKind {
        id: "improvement",
        name_ja: "改良加算",
        min: 0.025,
        max: 0.30,
        verified: true,
        usefulness_type: true,
        marketability: false,
    },
];

impl PremiumKind {
    /// Whether `rate` is within the kind's range (allowing for rounding in a written rate).
    pub fn allows(&self, rate: f64) -> bool {
        (self.min - 1e-12..=self.max + 1e-12).contains(&rate)
    }
}

/// The premium kind with this id.
pub fn premium_kind(id: &str) -> Option<&'static PremiumKind> {
    PREMIUMS.iter().find(|p| p.id == id)
}
