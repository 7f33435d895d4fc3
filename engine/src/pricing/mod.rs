//! Pricing methods: Japan's official rules as step-by-step calculations ([`official`]) under
//! named, dated rule sets ([`rules`]); prices from value and cost per draw ([`value`]): the
//! cost-effectiveness adjustment, shared-savings prices and the cost-to-value corridor.
//!
//! Start at [`official::cost_accounting`] and [`official::comparable_drug`]; `tenbin price`
//! runs one calculation from a case file.

pub mod budget;
pub mod case;
pub mod methods;
pub mod official;
pub mod payments;
pub mod rules;
pub mod value;
