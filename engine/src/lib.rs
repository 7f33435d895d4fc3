//! # tenbin-engine
//!
//! The library behind Tenbin (天秤): it reads a scenario describing a regenerative medicine
//! product and its comparator, samples the uncertain parameters, runs a Markov cohort model for
//! every draw, and reports costs, QALYs and the value-based threshold price.
//!
//! Where to start:
//! - [`scenario`]: the TOML scenario file, its validation and located errors.
//! - [`distribution`] and [`sampling`]: parameter uncertainty, correlated through a Gaussian
//!   copula, with random streams keyed by (seed, draw, parameter).
//! - [`expr`]: derived quantities written as arithmetic over parameters.
//! - [`model`]: the cohort model compiled into a structure-of-arrays kernel.
//! - [`run`]: the deterministic base case and the probabilistic analysis over the same code path.
//! - [`report`] and [`summary`]: the stable result structure and Monte Carlo summaries.
//! - [`pricing`]: Japan's official pricing rules, step by step, under dated rule sets.
//! - [`supply`]: what making, testing and delivering a treatment costs, and what failures,
//!   re-testing and expiry do to patients (`[supply]`); [`levers`]: what each policy lever
//!   of the proposal changes.
//! - [`decision`]: acceptability curves, value of information ([`evppi`]), the tornado and
//!   convergence, all in terms of price.
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

pub mod decision;
pub mod distribution;
pub mod error;
pub mod evppi;
pub mod expr;
pub mod levers;
pub mod model;
pub mod pricing;
pub mod report;
pub mod run;
pub mod sampling;
pub mod scenario;
pub mod summary;
pub mod supply;
