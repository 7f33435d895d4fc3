//! The compiled `[payments]` block: the price a payment scheme is built to match and the terms
//! of each scheme; and the names of the schemes. Plain data; [`crate::pricing::payments`]
//! computes cash flows from it.

use super::pricing::Method;

/// A way to pay the price. Reports list them in [`Scheme::ALL`] order and write them by their
/// id, which is also how `[budget] scheme` names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scheme {
    /// All of it at treatment.
    UpFront,
    /// Equal yearly instalments.
    Instalments,
    /// Equal yearly instalments, each due only while the patient responds.
    OutcomeInstalments,
    /// All of it at treatment, with a refund if response is lost within the guarantee.
    Refund,
    /// Shares of the price at set times, each due only if the patient still responds.
    AtResult,
}

impl Scheme {
    /// Every scheme, in the order they are reported.
    pub const ALL: [Scheme; 5] = [
        Scheme::UpFront,
        Scheme::Instalments,
        Scheme::OutcomeInstalments,
        Scheme::Refund,
        Scheme::AtResult,
    ];

    /// Its id in scenario files and reports.
    pub fn id(self) -> &'static str {
        match self {
            Scheme::UpFront => "up_front",
            Scheme::Instalments => "instalments",
            Scheme::OutcomeInstalments => "outcome_instalments",
            Scheme::Refund => "refund",
            Scheme::AtResult => "at_result",
        }
    }

    /// The scheme with this id.
    pub fn from_id(id: &str) -> Option<Scheme> {
        Scheme::ALL.into_iter().find(|s| s.id() == id)
    }

    /// Its place in [`Scheme::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Every id, comma-separated (for messages).
    pub fn ids() -> String {
        Scheme::ALL.map(Scheme::id).join(", ")
    }
}

/// What price the contract is built to match, in expectation, at the base case.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PriceBasis {
    /// The base-case price under a pricing method.
    Method(Method),
    /// A given price (e.g. an actual list price), yen.
    Fixed(f64),
}

/// A scenario's `[payments]` block.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentSpec {
    /// States that count as responding (by index); by default every living state, so that
    /// payments stop only at death.
    pub response_states: Vec<usize>,
    /// The price the schemes match in expectation.
    pub price: PriceBasis,
    /// Years of equal instalments (default 5, as Zolgensma's US option).
    pub instalment_years: u32,
    /// Share of the price refunded if response is lost within the guarantee (default 0.8).
    pub refund_share: f64,
    /// Years the refund guarantee lasts (default 2).
    pub refund_years: u32,
    /// Payments at results: (years after treatment, share of the price); shares sum to 1.
    /// Default: thirds at infusion, 6 and 12 months (Italy's Kymriah arrangement).
    pub milestones: Vec<(f64, f64)>,
    /// The maker's discount rate; `None` for the scenario's cost rate.
    pub maker_discount_rate: Option<f64>,
    /// Years after treatment at which response is first assessed (default 0). Payments due
    /// before then are due for every treated patient; the refund for patients not responding
    /// then falls due then.
    pub response_assessed_years: f64,
}

impl PaymentSpec {
    /// The defaults, with the given living states as response states.
    pub fn defaults(alive_states: Vec<usize>) -> PaymentSpec {
        PaymentSpec {
            response_states: alive_states,
            price: PriceBasis::Method(Method::ValueBased),
            instalment_years: 5,
            refund_share: 0.8,
            refund_years: 2,
            milestones: vec![(0.0, 1.0 / 3.0), (0.5, 1.0 / 3.0), (1.0, 1.0 / 3.0)],
            maker_discount_rate: None,
            response_assessed_years: 0.0,
        }
    }

    /// The last whole year of the response curve any scheme needs.
    pub fn trace_years(&self) -> usize {
        let last_milestone = self
            .milestones
            .iter()
            .map(|m| m.0.ceil() as usize)
            .max()
            .unwrap_or(0);
        (self.instalment_years as usize)
            .saturating_sub(1)
            .max(self.refund_years as usize)
            .max(last_milestone)
            .max(self.response_assessed_years.ceil() as usize)
    }

    /// The times (years after treatment, increasing) at which the schemes read the share
    /// responding: every whole year up to [`PaymentSpec::trace_years`], the milestones and the
    /// first assessment.
    pub fn response_times(&self) -> Vec<f64> {
        let mut t: Vec<f64> = (0..=self.trace_years()).map(|y| y as f64).collect();
        t.extend(self.milestones.iter().map(|m| m.0));
        t.push(self.response_assessed_years);
        t.sort_by(f64::total_cmp);
        t.dedup();
        t
    }
}

impl std::fmt::Display for Scheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}
