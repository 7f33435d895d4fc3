//! Analyses above prices: what the decision to pay a price risks and what more evidence would
//! be worth ([`decision`], [`evppi`]), and what each policy lever of the proposal changes
//! ([`levers`]).

pub mod decision;
pub mod evppi;
pub mod levers;
