//! The Tenbin engine in the browser: the calculator on every scenario page.
//!
//! The site build embeds each scenario (its text and the files it reads, such as the life table)
//! in a JSON *bundle*. The page hands that bundle to [`Calculator::new`] once, then asks
//! [`Calculator::run`] for a result whenever the reader moves a control: parameters held at the
//! reader's values ([`Scenario::hold`]), a willingness to pay, instalment years, a number of draws
//! and a seed. The answer holds what the page shows: the price under each pricing method with its
//! interval, the value-based price's spread, and the instalment plan.
//!
//! The engine runs here without rayon (plain WebAssembly has no threads) and gives the numbers
//! `tenbin run` gives with the same scenario, holds, seed and draws: every draw's random numbers
//! come from streams keyed by seed, draw and parameter name, never from the thread or platform.
//! They agree to about 1e-14 relative rather than bit for bit, because WebAssembly has no fused
//! multiply-add (see `tenbin_engine::model::fastmath`); natively, this crate and `tenbin run`
//! give the same bits.
//! [`Calculator`] is plain Rust, so native tests can compare it with the command line; the
//! `wasm` module wraps it for JavaScript with wasm-bindgen.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tenbin_engine::pricing::methods::MethodSummary;
use tenbin_engine::report::{Report, VERSION};
use tenbin_engine::run::{Analysis, RunOptions};
use tenbin_engine::scenario::payments::Scheme;
use tenbin_engine::scenario::{Scenario, ScenarioFiles, VariantRole};

/// The most draws one request may ask for, so that a page cannot freeze its tab by accident.
pub const MAX_DRAWS: usize = 100_000;

/// A scenario as the site build embeds it: its text and every file it reads, written by the
/// engine's one loader ([`ScenarioFiles::read`]).
pub type Bundle = ScenarioFiles;

/// What the reader asks for.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// Monte Carlo draws (1 to [`MAX_DRAWS`]).
    pub draws: usize,
    /// Seed of the draws.
    pub seed: u64,
    /// Parameters held at the reader's values.
    #[serde(default)]
    pub hold: BTreeMap<String, f64>,
    /// Willingness to pay (yen per QALY) instead of the scenario's first.
    #[serde(default)]
    pub wtp: Option<f64>,
    /// Years of instalments instead of the scenario's (scenarios with `[payments]`).
    #[serde(default)]
    pub instalment_years: Option<u32>,
}

/// One calculator control: the parameter behind it, its base case and the range offered.
#[derive(Debug, Clone, Serialize)]
pub struct ControlInfo {
    /// What it stands for (`durability`, `response`, `failure`, `qc_cost`, `post_approval`).
    pub kind: &'static str,
    /// The parameter it holds.
    pub parameter: String,
    /// The parameter's base case.
    pub base: f64,
    /// Low end of the range offered.
    pub min: f64,
    /// High end of the range offered.
    pub max: f64,
}

/// The instalment plan for the scenario's target price.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Instalments {
    /// The price the plan pays for, in expectation (the scenario's `[payments] price`).
    pub target_price: f64,
    /// Years of payments.
    pub years: u32,
    /// The nominal price, every instalment paid.
    pub nominal_price: f64,
    /// Each yearly payment.
    pub per_year: f64,
}

/// What the page shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    /// Tenbin's version.
    pub tenbin_version: &'static str,
    /// Scenario id.
    pub scenario: String,
    /// SHA-256 of the scenario and the files it reads.
    pub sha256: String,
    /// Seed used.
    pub seed: u64,
    /// Draws used.
    pub draws: usize,
    /// The willingness to pay the prices use.
    pub wtp: f64,
    /// Parameters held, `[name, value]`.
    pub held: Vec<(String, f64)>,
    /// Incremental QALYs at the base case.
    pub incremental_qalys: f64,
    /// Incremental costs (excluding the price) at the base case.
    pub incremental_costs: f64,
    /// Price per treatment under each method that applies, as in `summary.json`'s `pricing`.
    pub methods: Vec<MethodSummary>,
    /// Share of draws with a positive value-based threshold price.
    pub probability_positive: Option<f64>,
    /// The instalment plan (scenarios with `[payments]` or `[budget]`).
    pub instalments: Option<Instalments>,
}

/// A scenario ready to answer requests.
#[derive(Debug, Clone)]
pub struct Calculator {
    scenario: Scenario,
}

impl Calculator {
    /// Parses and validates the bundled scenario.
    pub fn new(bundle: &Bundle) -> Result<Calculator, String> {
        let scenario = bundle.parse().map_err(|e| e.to_string())?;
        Ok(Calculator { scenario })
    }

    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The controls the scenario names in `[calculator]`.
    pub fn controls(&self) -> Vec<ControlInfo> {
        self.scenario
            .controls
            .iter()
            .map(|c| {
                let p = &self.scenario.parameters[c.parameter];
                ControlInfo {
                    kind: c.kind.key(),
                    parameter: p.name.clone(),
                    base: p.base,
                    min: c.min,
                    max: c.max,
                }
            })
            .collect()
    }

    /// The scenario as the request has it: parameters held, willingness to pay and instalment
    /// years set, as `tenbin run --hold ... --wtp ...` builds it, without the variants the page
    /// does not show.
    pub fn scenario_for(&self, req: &Request) -> Result<Scenario, String> {
        let mut sc = self.scenario.clone();
        // The page shows no variants, and only population variants change what it shows (they
        // feed the cost-effectiveness adjustment); the others would double the work or more.
        sc.variants.retain(|v| v.role == VariantRole::Population);
        for (name, value) in &req.hold {
            sc.hold(name, *value)?;
        }
        if let Some(w) = req.wtp {
            if !(w.is_finite() && w > 0.0) {
                return Err(format!(
                    "willingness to pay {w}: expected positive yen per QALY"
                ));
            }
            sc.set_wtp(vec![w]);
        }
        if let Some(n) = req.instalment_years {
            if !(1..=30).contains(&n) {
                return Err(format!("{n} instalment years: expected 1 to 30"));
            }
            if let Some(p) = sc.payments.as_mut() {
                p.instalment_years = n;
            }
        }
        Ok(sc)
    }

    /// Runs the base case and `req.draws` draws and summarises what the page shows.
    pub fn run(&self, req: &Request) -> Result<Answer, String> {
        if !(1..=MAX_DRAWS).contains(&req.draws) {
            return Err(format!("{} draws: expected 1 to {MAX_DRAWS}", req.draws));
        }
        let sc = self.scenario_for(req)?;
        let report = report(&sc, req.draws, req.seed)?;
        Ok(answer(&report))
    }
}

/// The full report of a scenario at `draws` draws and `seed`: what `tenbin run` computes.
pub fn report(sc: &Scenario, draws: usize, seed: u64) -> Result<Report, String> {
    let analysis = Analysis::new(sc);
    let base = analysis.base_case().map_err(|e| e.to_string())?;
    let opts = RunOptions {
        draws,
        seed,
        ..RunOptions::default()
    };
    let psa = analysis.psa(&opts, &|_| {}).map_err(|e| e.to_string())?;
    Ok(Report::new(sc, &base, Some(&psa)))
}

/// The page's summary of a report.
pub fn answer(r: &Report) -> Answer {
    let instalments = r.payments.as_ref().and_then(|p| {
        p.schemes
            .iter()
            .find(|s| s.scheme == Scheme::Instalments)
            .map(|s| Instalments {
                target_price: p.target_price,
                years: s.payments.len() as u32,
                nominal_price: s.nominal_price,
                // The report's payments are in yen at the nominal price (output-schema.md).
                per_year: s.payments.first().map_or(0.0, |x| x.share),
            })
    });
    Answer {
        tenbin_version: VERSION,
        scenario: r.scenario.id.clone(),
        sha256: r.scenario.sha256.clone(),
        seed: r.seed.unwrap_or_default(),
        draws: r.draws,
        wtp: r.pricing.wtp,
        held: r.scenario.held.clone(),
        incremental_qalys: r.base_case.incremental.qalys,
        incremental_costs: r.base_case.incremental.costs,
        methods: r.pricing.methods.clone(),
        probability_positive: r
            .threshold_price
            .first()
            .and_then(|t| t.probability_positive),
        instalments,
    }
}

/// The JavaScript face of [`Calculator`]: JSON in, JSON out, errors as exceptions.
#[cfg(target_arch = "wasm32")]
mod wasm {
    use wasm_bindgen::prelude::*;

    /// A scenario loaded in the browser.
    #[wasm_bindgen(js_name = Calculator)]
    pub struct WasmCalculator(super::Calculator);

    #[wasm_bindgen(js_class = Calculator)]
    impl WasmCalculator {
        /// Loads a bundle (JSON: file, text, files).
        #[wasm_bindgen(constructor)]
        pub fn new(bundle: &str) -> Result<WasmCalculator, JsError> {
            let b: super::Bundle = serde_json::from_str(bundle)?;
            super::Calculator::new(&b)
                .map(WasmCalculator)
                .map_err(|e| JsError::new(&e))
        }

        /// The controls, as JSON.
        pub fn controls(&self) -> Result<String, JsError> {
            Ok(serde_json::to_string(&self.0.controls())?)
        }

        /// Answers a request (JSON) with JSON.
        pub fn run(&self, request: &str) -> Result<String, JsError> {
            let req: super::Request = serde_json::from_str(request)?;
            let a = self.0.run(&req).map_err(|e| JsError::new(&e))?;
            Ok(serde_json::to_string(&a)?)
        }
    }
}
