//! The share of an arm still responding, year by year: read from one draw's state occupancy, it
//! is what outcome-based payments, refunds and payment at results depend on.

/// The share in a response state at each whole year `0..=years` from one draw's yearly
/// occupancy (ordered arm, state, year, `points` years per state).
pub fn response_curve(
    occupancy: &[f64],
    arm: usize,
    states: usize,
    points: usize,
    response_states: &[usize],
    years: usize,
) -> Vec<f64> {
    (0..=years)
        .map(|t| {
            response_states
                .iter()
                .map(|&s| occupancy[(arm * states + s) * points + t])
                .sum()
        })
        .collect()
}
