//! Pricing methods: Japan's official rules as step-by-step calculations ([`official`]) under
//! named, dated rule sets ([`rules`]).
//!
//! Start at [`official::cost_accounting`] and [`official::comparable_drug`]; `tenbin price`
//! runs one calculation from a case file.

pub mod case;
pub mod official;
pub mod rules;
