//! The compiled `[budget]` block: patient numbers, uptake and the way the price is paid, for
//! the budget-impact analysis. Plain data; [`crate::pricing::budget`] computes spending.

use crate::error::Located;
use crate::expr::Expr;

use super::payments::Scheme;

/// A scenario's `[budget]` block.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetSpec {
    /// Years shown (5 to 10).
    pub years: u32,
    /// Prevalent patients eligible from year one (the backlog).
    pub prevalent: Option<Located<Expr>>,
    /// Newly eligible patients per year.
    pub incident: Located<Expr>,
    /// Share of eligible patients who start treatment in each year; the last value holds for
    /// later years.
    pub uptake: Vec<f64>,
    /// How the price is paid.
    pub scheme: Scheme,
}
