//! Budget impact: what paying for the therapy costs the insurers year by year over 5 to 10
//! years, from the number of eligible patients, how fast they take it up and how the price is
//! paid ([`super::payments`]).
//!
//! Patients: the prevalent backlog is eligible from year one and, untreated, stays eligible the
//! next year; each year's newly eligible (incident) patients take it up in that year or not at
//! all. A year's uptake share applies to both. Of those who start, the supply model's
//! never-treated share is not treated and not paid for. Spending is in undiscounted yen of the
//! year it is paid (a budget is cash), at the contract's nominal price fixed at the base case;
//! its spread over draws comes from the uncertain patient numbers, response and supply.

use serde::Serialize;

use crate::error::{DrawError, Located};
use crate::expr::Expr;
use crate::scenario::budget::BudgetSpec;
use crate::scenario::payments::Scheme;
use crate::summary::Spread;

impl BudgetSpec {
    /// One draw's (prevalent, incident) patients, checked.
    pub fn patients(&self, slots: &[f64]) -> Result<[f64; 2], DrawError> {
        let one = |e: &Located<Expr>, key: &str| {
            let x = e.value.eval(slots);
            if x.is_finite() && x >= 0.0 {
                Ok(x)
            } else {
                Err(DrawError {
                    message: format!("budget.{key} is {x}; expected zero or more patients"),
                    loc: e.loc,
                })
            }
        };
        Ok([
            self.prevalent
                .as_ref()
                .map_or(Ok(0.0), |e| one(e, "prevalent"))?,
            one(&self.incident, "incident")?,
        ])
    }

    /// The uptake share in year `y` (0-based).
    pub fn uptake_in(&self, y: usize) -> f64 {
        self.uptake
            .get(y)
            .or(self.uptake.last())
            .copied()
            .unwrap_or(0.0)
    }

    /// Patients treated in each year.
    pub fn treated(&self, [prevalent, incident]: [f64; 2], never_treated: f64) -> Vec<f64> {
        let mut backlog = prevalent;
        (0..self.years as usize)
            .map(|y| {
                let u = self.uptake_in(y);
                let starting = u * (backlog + incident);
                backlog -= u * backlog;
                starting * (1.0 - never_treated)
            })
            .collect()
    }
}

/// Yearly spending: each year's treated patients pay the scheme's cash flows (per unit of
/// nominal price, `flows`) at `nominal` yen, each flow in the year it falls in.
pub fn spending(treated: &[f64], flows: &[(f64, f64)], nominal: f64) -> Vec<f64> {
    let mut out = vec![0.0; treated.len()];
    for (start, &n) in treated.iter().enumerate() {
        for &(t, x) in flows {
            let y = start + t.floor() as usize;
            if y < out.len() {
                out[y] += n * x * nominal;
            }
        }
    }
    out
}

/// One year of the budget.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BudgetYear {
    /// 1 for the first year.
    pub year: u32,
    /// Patients treated, base case.
    pub patients_treated: f64,
    /// Over draws.
    pub patients_treated_draws: Option<Spread>,
    /// Spending, base case, yen.
    pub spending: f64,
    /// Over draws.
    pub spending_draws: Option<Spread>,
}

/// The `[budget]` results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BudgetReport {
    /// The payment scheme.
    pub scheme: Scheme,
    /// The contract's nominal price per treated patient, yen.
    pub nominal_price: f64,
    /// Prevalent and incident patients at the base case.
    pub prevalent: f64,
    /// Newly eligible patients per year at the base case.
    pub incident: f64,
    /// Uptake in each year shown.
    pub uptake: Vec<f64>,
    /// Year by year.
    pub years: Vec<BudgetYear>,
    /// Spending over all the years, base case.
    pub total: f64,
    /// Over draws.
    pub total_draws: Option<Spread>,
}

/// One draw's budget inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetDraw {
    /// Patients: prevalent (the backlog) and incident (newly eligible each year).
    pub patients: [f64; 2],
    /// The supply model's share of patients never treated.
    pub never_treated: f64,
    /// The scheme's cash flows per unit of nominal price: (years after treatment, amount).
    pub flows: Vec<(f64, f64)>,
}

impl BudgetReport {
    /// Builds the report from the base case and, with a PSA, every draw.
    pub fn new(
        spec: &BudgetSpec,
        nominal_price: f64,
        base: &BudgetDraw,
        draws: Option<&[BudgetDraw]>,
    ) -> BudgetReport {
        // Each draw's patients treated and spending, by year.
        struct Years {
            treated: Vec<f64>,
            spending: Vec<f64>,
        }
        let run = |d: &BudgetDraw| -> Years {
            let treated = spec.treated(d.patients, d.never_treated);
            let spending = spending(&treated, &d.flows, nominal_price);
            Years { treated, spending }
        };
        let Years {
            treated: base_treated,
            spending: base_spend,
        } = run(base);
        let per_draw: Option<Vec<Years>> = draws.map(|d| d.iter().map(run).collect());
        let column = |pick: &dyn Fn(&Years) -> f64| {
            per_draw.as_ref().filter(|v| !v.is_empty()).map(|v| {
                let mut x: Vec<f64> = v.iter().map(pick).collect();
                Spread::of(&mut x)
            })
        };
        let years = (0..spec.years as usize)
            .map(|y| BudgetYear {
                year: y as u32 + 1,
                patients_treated: base_treated[y],
                patients_treated_draws: column(&|d| d.treated[y]),
                spending: base_spend[y],
                spending_draws: column(&|d| d.spending[y]),
            })
            .collect();
        BudgetReport {
            scheme: spec.scheme,
            nominal_price,
            prevalent: base.patients[0],
            incident: base.patients[1],
            uptake: (0..spec.years as usize)
                .map(|y| spec.uptake_in(y))
                .collect(),
            years,
            total: base_spend.iter().sum(),
            total_draws: column(&|d| d.spending.iter().sum()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::Ast;

    fn spec(uptake: Vec<f64>) -> BudgetSpec {
        let constant = |x: f64| Located {
            value: Ast::parse(&x.to_string())
                .unwrap()
                .compile(&|_| None)
                .unwrap(),
            loc: Default::default(),
        };
        BudgetSpec {
            years: 5,
            prevalent: Some(constant(1000.0)),
            incident: constant(50.0),
            uptake,
            scheme: Scheme::UpFront,
        }
    }

    #[test]
    fn the_backlog_is_worked_down_and_newly_eligible_take_it_up_in_their_year() {
        let s = spec(vec![0.1, 0.2, 0.5]);
        let n = s.patients(&[]).unwrap();
        assert_eq!(n, [1000.0, 50.0]);
        let t = s.treated(n, 0.0);
        // Year 1: 10% of 1000 + 10% of 50; backlog 900. Year 2: 20% of 900 + 20% of 50;
        // backlog 720. Years 3-5 at 50%: 360 + 25, then 180 + 25, then 90 + 25.
        let want = [105.0, 190.0, 385.0, 205.0, 115.0];
        for (a, b) in t.iter().zip(want) {
            assert!((a - b).abs() < 1e-9, "{t:?}");
        }
        // Never-treated patients are not treated (nor paid for).
        let t2 = s.treated(n, 0.2);
        assert!((t2[0] - 84.0).abs() < 1e-9);
    }

    #[test]
    fn spending_follows_each_cohorts_payments_into_later_years() {
        // Two instalments of half the price, a year apart, at 10M nominal.
        let flows = [(0.0, 0.5), (1.0, 0.5)];
        let s = spending(&[10.0, 20.0, 0.0], &flows, 10e6);
        assert_eq!(s, vec![50e6, 150e6, 100e6]);
        // Payments at 6 months fall in the year of treatment.
        let s = spending(&[10.0, 0.0], &[(0.0, 0.5), (0.5, 0.5)], 1.0);
        assert_eq!(s, vec![10.0, 0.0]);
    }

    #[test]
    fn a_negative_count_names_its_key() {
        let mut s = spec(vec![0.1]);
        s.incident = Located {
            value: Ast::parse("x - 10")
                .unwrap()
                .compile(&|n| (n == "x").then_some(0))
                .unwrap(),
            loc: Default::default(),
        };
        let e = s.patients(&[3.0]).unwrap_err();
        assert!(e.message.contains("budget.incident is -7"), "{}", e.message);
    }
}
