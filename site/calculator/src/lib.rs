//! The Tenbin engine in the browser: the calculator on every scenario page.
//!
//! The site build embeds each scenario (its text and the files it reads, such as the life table)
//! in a JSON *bundle* ([`PageBundle`]), with the answer for the page's own run, which the page
//! shows until the reader moves a control. The page's web workers hand the bundle to
//! [`Calculator::new`] once, then answer each request (parameters held at the reader's values,
//! [`Scenario::hold`], a willingness to pay, instalment years, a number of draws and a seed) in
//! two steps: [`Calculator::run_range`] runs some of the draws and returns each draw's price
//! under every method ([`PER_DRAW`] numbers a draw), so that several workers can share a
//! request, and [`Calculator::merge`] puts the draws together and summarises them. The answer
//! holds what the page shows: the price under each pricing method with its median and 95%
//! interval, and the instalment plan. [`Calculator::run`] does both steps at once.
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
use tenbin_engine::distribution::Distribution;
use tenbin_engine::model::Outcome;
use tenbin_engine::pricing::methods::{Population, method_prices};
use tenbin_engine::report::{Report, VERSION};
use tenbin_engine::run::{Analysis, Psa, RunOptions};
use tenbin_engine::scenario::payments::Scheme;
use tenbin_engine::scenario::pricing::Method;
use tenbin_engine::scenario::{Scenario, ScenarioFiles, VariantRole};
use tenbin_engine::summary::{mean, quantiles};

/// The most draws one request may ask for, so that a page cannot freeze its tab by accident.
pub const MAX_DRAWS: usize = 100_000;

/// Numbers kept per draw by [`Calculator::run_range`]: the draw's price under each method of
/// [`Method::ALL`], in that order, NaN where the method does not apply to the draw (a price is
/// never NaN: the model refuses non-finite results).
pub const PER_DRAW: usize = Method::ALL.len();

/// The quantiles the page shows: the 95% interval and the median, as the page's headline.
const QUANTILES: [f64; 3] = [0.025, 0.5, 0.975];

/// A scenario as the site build embeds it: its text and every file it reads, written by the
/// engine's one loader ([`ScenarioFiles::read`]).
pub type Bundle = ScenarioFiles;

/// What a scenario page loads (`data/ID/calculator.json`): the scenario, and the request and
/// answer of the page's own run, which the page shows until a control moves.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PageBundle {
    /// The scenario.
    pub scenario: Bundle,
    /// The page's run as a request: its draws and seed, nothing held.
    pub request: Request,
    /// Its answer, summarised from the page's own draws.
    pub answer: Answer,
}

/// What the reader asks for.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ControlInfo {
    /// What it stands for (`durability`, `response`, `failure`, `qc_cost`, `post_approval`).
    pub kind: &'static str,
    /// The parameter it holds.
    pub parameter: String,
    /// The parameter's base case.
    pub base: f64,
    /// Low end of the range offered: the parameter's 1st percentile, or lower to reach a
    /// value the scenario's variants cite.
    pub min: f64,
    /// High end: the 99th percentile, or higher to reach a cited value.
    pub max: f64,
    /// The parameter's 95% interval (2.5% and 97.5% quantiles), `None` when it is fixed.
    pub interval: Option<(f64, f64)>,
    /// The values the scenario's `[[variants]]` set it to (published alternatives).
    pub cited: Vec<f64>,
}

/// The controls of a scenario, as [`Calculator::controls`] gives them and the site renders
/// them. The engine's range (1st to 99th percentile) is widened to reach every value the
/// scenario's own variants cite, which [`Scenario::hold`] accepts, so that a reader can set,
/// say, CAR-T's cure fraction to the 51% of the optimistic trial the scenario names.
pub fn controls(sc: &Scenario) -> Vec<ControlInfo> {
    sc.controls
        .iter()
        .map(|c| {
            let p = &sc.parameters[c.parameter];
            let cited = sc.variant_values(&p.name);
            let (min, max) = cited
                .iter()
                .fold((c.min, c.max), |(lo, hi), &v| (lo.min(v), hi.max(v)));
            let interval = match p.distribution {
                Distribution::Fixed { .. } => None,
                ref d => Some((d.quantile(QUANTILES[0]), d.quantile(QUANTILES[2]))),
            };
            ControlInfo {
                kind: c.kind.key(),
                parameter: p.name.clone(),
                base: p.base,
                min,
                max,
                interval,
                cited,
            }
        })
        .collect()
}

/// The instalment plan for the scenario's target price.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
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

/// One method's price per treatment: at the base case and over the draws.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Price {
    /// The method's id (`value_based`, `cost_accounting`, ...; see `summary.json`'s
    /// `pricing.methods`).
    pub method: String,
    /// At the base case.
    pub base_case: f64,
    /// Mean over the draws where the method applies (`None` where it applies to none).
    pub mean: Option<f64>,
    /// 2.5% quantile.
    pub p2_5: Option<f64>,
    /// Median.
    pub p50: Option<f64>,
    /// 97.5% quantile.
    pub p97_5: Option<f64>,
}

/// What the page shows.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// Tenbin's version.
    pub tenbin_version: String,
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
    /// Price per treatment under each method that applies, in [`Method::ALL`] order; mean and
    /// median as `summary.json`'s `pricing.methods` has them.
    pub methods: Vec<Price>,
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

    /// A calculator for a scenario already loaded (the site build's).
    pub fn from_scenario(scenario: Scenario) -> Calculator {
        Calculator { scenario }
    }

    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The controls the scenario names in `[calculator]` (see [`controls`]).
    pub fn controls(&self) -> Vec<ControlInfo> {
        controls(&self.scenario)
    }

    /// The request of a page's own run: `draws` draws with `seed`, nothing held, at the
    /// willingness to pay of the scenario's value-based price and its own instalment years,
    /// as the page's controls stand before the reader moves one.
    pub fn page_request(&self, seed: u64, draws: usize) -> Request {
        Request {
            draws,
            seed,
            hold: BTreeMap::new(),
            wtp: Some(self.scenario.pricing.value_wtp()),
            instalment_years: self.scenario.payments.as_ref().map(|p| p.instalment_years),
        }
    }

    /// The scenario as the request has it: parameters held, willingness to pay and instalment
    /// years set, as `tenbin run --hold ... --wtp ...` builds it, without the variants the page
    /// does not show.
    pub fn scenario_for(&self, req: &Request) -> Result<Scenario, String> {
        let mut sc = self.scenario.clone();
        for (name, value) in &req.hold {
            sc.hold(name, *value)?;
        }
        // The page shows no variants, and only population variants change what it shows (they
        // feed the cost-effectiveness adjustment); the others would double the work or more.
        // (Dropped after the holds: a held value may be one a dropped variant cites.)
        sc.variants.retain(|v| v.role == VariantRole::Population);
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

    /// Runs the draws `from..to` of the request (of its `draws`) and returns each draw's prices,
    /// [`PER_DRAW`] numbers a draw. Since a draw depends only on the seed and its index, runs
    /// over adjacent ranges put end to end are one run over their union, bit for bit.
    pub fn run_range(&self, req: &Request, from: usize, to: usize) -> Result<Vec<f64>, String> {
        check_draws(req.draws)?;
        if !(from < to && to <= req.draws) {
            return Err(format!(
                "draws {from} to {to}: expected a range within the request's {}",
                req.draws
            ));
        }
        let sc = self.scenario_for(req)?;
        let opts = RunOptions {
            draws: to - from,
            seed: req.seed,
            ..RunOptions::default()
        };
        let psa = Analysis::new(&sc)
            .psa_from(from, &opts, &|_| {})
            .map_err(|e| e.to_string())?;
        Ok(draw_values(&sc, &psa))
    }

    /// Summarises the request's draws (`values`, every draw's [`PER_DRAW`] numbers in draw
    /// order, as [`Calculator::run_range`] gives them) with its base case.
    pub fn merge(&self, req: &Request, values: &[f64]) -> Result<Answer, String> {
        check_draws(req.draws)?;
        if values.len() != req.draws * PER_DRAW {
            return Err(format!(
                "{} values for {} draws: expected {PER_DRAW} a draw",
                values.len(),
                req.draws
            ));
        }
        let sc = self.scenario_for(req)?;
        let base = Analysis::new(&sc).base_case().map_err(|e| e.to_string())?;
        Ok(answer(
            &Report::new(&sc, &base, None),
            req.seed,
            req.draws,
            values,
        ))
    }

    /// Runs the base case and `req.draws` draws and summarises what the page shows.
    pub fn run(&self, req: &Request) -> Result<Answer, String> {
        let values = self.run_range(req, 0, req.draws)?;
        self.merge(req, &values)
    }
}

/// The full report of a scenario at `draws` draws and `seed`: what `tenbin run` computes, for
/// comparing the calculator with the command line.
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

fn check_draws(draws: usize) -> Result<(), String> {
    if (1..=MAX_DRAWS).contains(&draws) {
        Ok(())
    } else {
        Err(format!("{draws} draws: expected 1 to {MAX_DRAWS}"))
    }
}

/// Each draw's prices under every method ([`PER_DRAW`] numbers a draw) from a run of `sc`,
/// computed as the report computes them (`summary.json`'s `pricing.methods`).
pub fn draw_values(sc: &Scenario, psa: &Psa) -> Vec<f64> {
    let nvar = sc.variants.len();
    let mut out = Vec::with_capacity(psa.draws * PER_DRAW);
    for (d, o) in psa.outcomes.chunks(psa.arms).enumerate() {
        let inc = Outcome::incremental(sc, o);
        // Official inputs given as expressions take each draw's own values.
        let spec = match &psa.parameters {
            Some(params) if sc.pricing.varies() => {
                sc.pricing_at(&params[d * psa.slot_count..(d + 1) * psa.slot_count])
            }
            _ => std::borrow::Cow::Borrowed(&sc.pricing),
        };
        let prices = method_prices(
            &spec,
            inc.qalys,
            inc.costs,
            psa.cost_offsets[d],
            psa.supply.as_ref().map(|s| &s[d]),
            &Population::of(sc, &psa.variants[d * nvar..(d + 1) * nvar]),
        );
        out.extend(prices.prices.iter().map(|p| p.unwrap_or(f64::NAN)));
    }
    out
}

/// The page's answer for its own run: the site build calls it with the scenario and the run
/// behind the page's tables, so that the calculator shows, before a control moves, the same
/// draws as the rest of the page without running them again. It is what
/// [`Calculator::run`] answers for [`Calculator::page_request`].
pub fn page_answer(sc: &Scenario, psa: &Psa) -> Result<(Request, Answer), String> {
    let calc = Calculator::from_scenario(sc.clone());
    let req = calc.page_request(psa.seed, psa.draws);
    let answer = calc.merge(&req, &draw_values(sc, psa))?;
    Ok((req, answer))
}

/// The page's summary of a base-case report and the draws' prices.
fn answer(r: &Report, seed: u64, draws: usize, values: &[f64]) -> Answer {
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
    let methods = r
        .pricing
        .methods
        .iter()
        .map(|m| {
            let k = m.method.index();
            // As the report does: the draws where the method applies, in draw order.
            let mut v: Vec<f64> = values
                .iter()
                .skip(k)
                .step_by(PER_DRAW)
                .copied()
                .filter(|x| !x.is_nan())
                .collect();
            let (mean, q) = if v.is_empty() {
                (None, [None; 3])
            } else {
                let m = mean(&v);
                let q = quantiles(&mut v, &QUANTILES);
                (Some(m), [Some(q[0]), Some(q[1]), Some(q[2])])
            };
            Price {
                method: m.method.id().to_string(),
                base_case: m.base_case,
                mean,
                p2_5: q[0],
                p50: q[1],
                p97_5: q[2],
            }
        })
        .collect();
    Answer {
        tenbin_version: VERSION.to_string(),
        scenario: r.scenario.id.clone(),
        sha256: r.scenario.sha256.clone(),
        seed,
        draws,
        wtp: r.pricing.wtp,
        held: r.scenario.held.clone(),
        incremental_qalys: r.base_case.incremental.qalys,
        incremental_costs: r.base_case.incremental.costs,
        methods,
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

    /// A page's bundle, or the scenario alone (Node's tests).
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Loaded {
        Page(Box<super::PageBundle>),
        Scenario(super::Bundle),
    }

    fn request(json: &str) -> Result<super::Request, JsError> {
        Ok(serde_json::from_str(json)?)
    }

    #[wasm_bindgen(js_class = Calculator)]
    impl WasmCalculator {
        /// Loads a page's bundle (JSON: scenario, request, answer) or a scenario's (JSON: file,
        /// text, files).
        #[wasm_bindgen(constructor)]
        pub fn new(bundle: &str) -> Result<WasmCalculator, JsError> {
            let b = match serde_json::from_str(bundle)? {
                Loaded::Page(p) => p.scenario,
                Loaded::Scenario(s) => s,
            };
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
            let a = self
                .0
                .run(&self::request(request)?)
                .map_err(|e| JsError::new(&e))?;
            Ok(serde_json::to_string(&a)?)
        }

        /// Runs draws `from..to` of a request (JSON): a Float64Array of each draw's prices.
        #[wasm_bindgen(js_name = runRange)]
        pub fn run_range(
            &self,
            request: &str,
            from: usize,
            to: usize,
        ) -> Result<Vec<f64>, JsError> {
            self.0
                .run_range(&self::request(request)?, from, to)
                .map_err(|e| JsError::new(&e))
        }

        /// Summarises a request's draws (a Float64Array of every draw's prices, in draw order)
        /// as JSON.
        pub fn merge(&self, request: &str, values: &[f64]) -> Result<String, JsError> {
            let a = self
                .0
                .merge(&self::request(request)?, values)
                .map_err(|e| JsError::new(&e))?;
            Ok(serde_json::to_string(&a)?)
        }
    }
}
