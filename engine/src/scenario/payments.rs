//! The compiled `[payments]` block: the price a payment scheme is built to match and the terms
//! of each scheme; and the names of the schemes. Plain data; [`crate::pricing::payments`]
//! computes cash flows from it.

/// The schemes, in the order they are reported.
pub const SCHEMES: [&str; 5] = [
    "up_front",
    "instalments",
    "outcome_instalments",
    "refund",
    "at_result",
];

/// What price the contract is built to match, in expectation, at the base case.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PriceBasis {
    /// The base-case price under a pricing method (an index into
    /// [`super::pricing::METHODS`]).
    Method(usize),
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
}

impl PaymentSpec {
    /// The defaults, with the given living states as response states.
    pub fn defaults(alive_states: Vec<usize>) -> PaymentSpec {
        PaymentSpec {
            response_states: alive_states,
            price: PriceBasis::Method(0),
            instalment_years: 5,
            refund_share: 0.8,
            refund_years: 2,
            milestones: vec![(0.0, 1.0 / 3.0), (0.5, 1.0 / 3.0), (1.0, 1.0 / 3.0)],
            maker_discount_rate: None,
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
    }
}
