//! One module per subcommand.

pub mod check;
pub mod compare;
pub mod levers;
pub mod price;
pub mod run;
pub mod site;

/// Errors of any subcommand; each is printed as one `error: ...` line.
pub type Error = Box<dyn std::error::Error + Send + Sync>;
