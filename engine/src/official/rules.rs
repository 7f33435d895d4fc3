//! Japan's pricing coefficients as named, dated rule sets, each value with where it was read.
//!
//! Rules change every two years, so a calculation names the rule set it follows, and a case may
//! override any coefficient (a published calculation states the values it used). Values the
//! reference could not confirm are marked `verified: false` and say why; they are defaults to
//! override, never hidden constants. Each value's `source` names the Chuikyo document it was read
//! from.

use serde::Serialize;

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

const fn sourced(value: f64, source: &'static str) -> Coefficient {
    Coefficient {
        value,
        source,
        verified: true,
    }
}

const fn unverified(value: f64, source: &'static str) -> Coefficient {
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

/// One dated set of cost-accounting rules (原価計算方式) for the drug route.
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
    /// Whether usefulness-type premiums are allowed at listing.
    pub usefulness_premium_allowed: bool,
}

const FY2024_SOURCE: &str =
    "Chuikyo drug pricing subcommittee no. 225, 2024-07-17, material 薬-1参考1 (FY2024 rules)";
const DISCLOSURE_SOURCE: &str = "Premium x disclosure coefficient on the whole price since FY2018; coefficient for disclosure < 50%: 0.2 in FY2018-FY2021, 0 from FY2022 (unchanged in FY2026)";
const NOT_IN_REFERENCE: &str = "FY2024 value; the reference gives no figure for this rule set: override with the published value";

/// Every rule set the engine knows, oldest first.
pub const RULE_SETS: [RuleSet; 4] = [
    RuleSet {
        id: "FY2018",
        name: "FY2018 rules: premium x disclosure coefficient applied to the whole price",
        sga_cap: unverified(0.510, NOT_IN_REFERENCE),
        operating_profit: unverified(0.167, NOT_IN_REFERENCE),
        distribution: unverified(0.069, NOT_IN_REFERENCE),
        consumption_tax: sourced(0.08, "Consumption tax 8% before October 2019"),
        disclosure: DisclosureCoefficients {
            high: 1.0,
            middle: 0.6,
            low: 0.2,
            source: DISCLOSURE_SOURCE,
        },
        operating_profit_factor: sourced(
            1.0,
            "No reduction outside the 2026 conditional-approval rule",
        ),
        usefulness_premium_allowed: true,
    },
    RuleSet {
        id: "FY2022",
        name: "FY2022 rules: disclosure coefficient 0 below 50%",
        sga_cap: unverified(0.510, NOT_IN_REFERENCE),
        operating_profit: unverified(0.167, NOT_IN_REFERENCE),
        distribution: unverified(0.069, NOT_IN_REFERENCE),
        consumption_tax: sourced(0.10, "Consumption tax 10% from October 2019"),
        disclosure: DisclosureCoefficients {
            high: 1.0,
            middle: 0.6,
            low: 0.0,
            source: DISCLOSURE_SOURCE,
        },
        operating_profit_factor: sourced(
            1.0,
            "No reduction outside the 2026 conditional-approval rule",
        ),
        usefulness_premium_allowed: true,
    },
    RuleSet {
        id: "FY2024",
        name: "FY2024 rules",
        sga_cap: sourced(0.510, FY2024_SOURCE),
        operating_profit: sourced(0.167, FY2024_SOURCE),
        distribution: sourced(0.069, FY2024_SOURCE),
        consumption_tax: sourced(0.10, FY2024_SOURCE),
        disclosure: DisclosureCoefficients {
            high: 1.0,
            middle: 0.6,
            low: 0.0,
            source: DISCLOSURE_SOURCE,
        },
        operating_profit_factor: sourced(
            1.0,
            "No reduction outside the 2026 conditional-approval rule",
        ),
        usefulness_premium_allowed: true,
    },
    RuleSet {
        id: "FY2026-conditional",
        name: "2026 rule for conditionally and time-limited approved regenerative products (first applied to Elevidys)",
        sga_cap: sourced(0.510, FY2024_SOURCE),
        operating_profit: sourced(0.167, FY2024_SOURCE),
        distribution: sourced(0.069, FY2024_SOURCE),
        consumption_tax: sourced(0.10, FY2024_SOURCE),
        disclosure: DisclosureCoefficients {
            high: 1.0,
            middle: 0.6,
            low: 0.0,
            source: DISCLOSURE_SOURCE,
        },
        operating_profit_factor: sourced(
            0.5,
            "Chuikyo 2026-01-14: operating-profit coefficient = industry average x 0.5 for conditionally approved regenerative products",
        ),
        usefulness_premium_allowed: false,
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
pub const PREMIUMS: [PremiumKind; 9] = [
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
];

/// The premium kind with this id.
pub fn premium_kind(id: &str) -> Option<&'static PremiumKind> {
    PREMIUMS.iter().find(|p| p.id == id)
}
