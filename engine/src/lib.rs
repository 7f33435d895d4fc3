//! # tenbin-engine
//!
//! The library behind Tenbin (天秤): it reads a scenario describing a regenerative medicine
//! product and its comparator, samples the uncertain parameters, runs a Markov cohort model for
//! every draw, and reports costs, QALYs and the value-based threshold price.
//!
//! ## Layers
//!
//! Data flows one way: scenario → draws → health model → supply cost → run → prices → analyses →
//! report. Each module may use only the modules above it in this list (the engine's
//! `layers` test reads every source file and fails on an import that runs upward):
//!
//! 1. Foundations, which know nothing of scenarios: [`error`] (located errors), [`summary`]
//!    (estimates with intervals, quantiles), [`expr`] (arithmetic over parameters) and
//!    [`distribution`] (parameter uncertainty, special functions, random numbers).
//! 2. [`official`]: Japan's official pricing rules, step by step under dated rule sets, and the
//!    case files of `tenbin price`. It depends on nothing but [`error`].
//! 3. [`scenario`]: the TOML scenario file, validated and compiled into plain data (including
//!    the `[supply]`, `[pricing]`, `[payments]` and `[budget]` blocks).
//! 4. [`sampling`]: the draws, correlated through a Gaussian copula, with random streams keyed by
//!    (seed, draw, parameter).
//! 5. [`model`]: the health model, a Markov cohort compiled into a structure-of-arrays kernel,
//!    with each arm's costs by item and the share responding at the times payment schemes look.
//! 6. [`supply`]: what making, testing and delivering a treatment costs, and what failures,
//!    re-testing and expiry do to patients.
//! 7. [`run`]: the base case and the probabilistic analysis over the same code path; its outputs
//!    ([`run::Psa`], [`run::Evaluation`], [`run::VariantOutcome`]) are plain data.
//! 8. [`pricing`]: prices per draw under every method, ways to pay and budget impact.
//! 9. [`analysis`]: decisions (acceptability, value of information, tornado, convergence) and
//!    what each policy lever changes.
//! 10. [`report`]: the stable result structure that the command line, the site and the
//!     calculator print.
//!
//! ```no_run
//! use tenbin_engine::{run::{Analysis, RunOptions}, report::Report, scenario::Scenario};
//! let sc = Scenario::load("models/reference/durable-gene-therapy.toml".as_ref()).unwrap();
//! let analysis = Analysis::new(&sc);
//! let base = analysis.base_case().unwrap();
//! let psa = analysis.psa(&RunOptions { draws: 10_000, ..RunOptions::default() }, &|_| {}).unwrap();
//! let report = Report::new(&sc, &base, Some(&psa));
//! println!("{}", report.threshold_price[0].base_case);
//! ```
//!
//! The engine never prints, reads the clock or touches the network. Parallelism (rayon) sits behind
//! the default `parallel` feature so the engine also builds for WebAssembly. All transcendental
//! functions come from [`libm`] or from the engine's own vectorisable routines, never from the
//! platform's C library, so that a run gives the same bits on every target.

// The order of these declarations is the layer order above (the `layers` test reads it; each
// stands apart so that rustfmt keeps the order).
// Foundations:
pub mod error;

pub mod summary;

pub mod expr;

pub mod distribution;

// Japan's official rules:
pub mod official;

// scenario → draws → health model → supply cost → run → prices → analyses → report:
pub mod scenario;

pub mod sampling;

pub mod model;

pub mod supply;

pub mod run;

pub mod pricing;

pub mod analysis;

pub mod report;
