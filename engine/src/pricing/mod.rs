//! Prices per draw from what the model and the supply layer give: value-based and
//! shared-savings prices ([`value`]), every method side by side including Japan's official ones
//! ([`methods`], built on [`crate::official`]), ways to pay ([`payments`]) and budget impact
//! ([`budget`]).

pub mod budget;
pub mod methods;
pub mod payments;
pub mod value;
