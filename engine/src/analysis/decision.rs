//! Decision analysis on a probabilistic run, in terms of price: what an analyst or reviewer asks
//! of a price before trusting it.
//!
//! - [`net_benefit`]: the incremental net monetary and net health benefit at a price.
//! - [`ceac`]: the cost-effectiveness acceptability curve at a given price over a grid of
//!   willingness to pay, each arm's probability of having the highest net benefit, and the
//!   frontier (the arm with the highest expected net benefit, and how likely it is to be best).
//! - [`price_acceptability`]: the probability that the product is cost-effective as a function
//!   of its price, `P(P*(w) >= p)` for the threshold price `P*`: the curve a pricing analyst
//!   wants.
//! - [`evpi`] and EVPPI ([`crate::analysis::evppi`]): the expected value of perfect information, per
//!   patient and for the patients who will be treated, and of partial information on single
//!   parameters and groups.
//! - [`one_way`] and [`two_way`]: the threshold price and each method's price with one (or two)
//!   parameters moved to the ends of their 95% ranges, the others at their base values, by
//!   rerunning the model (the tornado). Not of the ICER, which is ill-defined when the sign of the
//!   QALY difference flips.
//! - [`convergence`]: the running mean and Monte Carlo standard error of the headline price.
//!
//! Net benefit. At willingness to pay `w` and price `p` per treated patient, arm `a` has
//! `NB_a = w Q_a - C_a`, except the intervention, whose products deliver `r` of their effect
//! when the supply model says so: `NB_i = NB_c + r (w dQ - dC) - p`, with `c` the comparator and
//! `r` the mean relative effect of the products given (1 without supply). Its threshold price is
//! `r (w dQ - dC)`, the price per treatment at which it and the comparator are equal.

use serde::Serialize;

use crate::analysis::evppi::{Evppi, evppi};
use crate::model::Outcome;
use crate::pricing::methods::{Population, method_prices};
use crate::pricing::value::threshold_price;
use crate::run::{Analysis, Evaluation, Psa, RunError};
use crate::scenario::Scenario;
use crate::scenario::pricing::Method;
use crate::summary::{mean, sd};

/// The net benefit of each arm in every draw at willingness to pay `w` and price `p`,
/// draw-major (draw d, arm a at `d * arms + a`).
pub fn net_benefits(sc: &Scenario, psa: &Psa, w: f64, p: f64) -> Vec<f64> {
    let (i, c) = (sc.intervention, sc.comparator);
    let mut out = Vec::with_capacity(psa.outcomes.len());
    for (d, o) in psa.outcomes.chunks(psa.arms).enumerate() {
        let r = relative_effect(psa, d);
        for (a, x) in o.iter().enumerate() {
            out.push(if a == i {
                let inc = Outcome::incremental(sc, o);
                let nb_c = w * o[c].qalys - o[c].costs;
                nb_c + r * threshold_price(w, inc.qalys, inc.costs) - p
            } else {
                w * x.qalys - x.costs
            });
        }
    }
    out
}

fn relative_effect(psa: &Psa, d: usize) -> f64 {
    psa.supply
        .as_ref()
        .map_or(1.0, |s| s[d].mean_relative_effect)
}

/// Each draw's threshold price per treatment at `w`: `r (w dQ - dC)`.
pub fn threshold_prices(sc: &Scenario, psa: &Psa, w: f64) -> Vec<f64> {
    psa.outcomes
        .chunks(psa.arms)
        .enumerate()
        .map(|(d, o)| {
            let inc = Outcome::incremental(sc, o);
            relative_effect(psa, d) * threshold_price(w, inc.qalys, inc.costs)
        })
        .collect()
}

/// Incremental net benefit of the intervention over the comparator at one willingness to pay
/// and price, in money and in health.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NetBenefit {
    /// Willingness to pay, yen per QALY.
    pub wtp: f64,
    /// The price, yen per treated patient.
    pub price: f64,
    /// Incremental net monetary benefit `r (w dQ - dC) - p`, yen, over draws.
    pub monetary: crate::summary::Spread,
    /// Incremental net health benefit, the same divided by `w`, QALYs, over draws.
    pub health: crate::summary::Spread,
    /// Share of draws in which it is positive.
    pub probability_positive: f64,
}

/// The incremental net monetary and health benefit at `w` and `price`.
pub fn net_benefit(sc: &Scenario, psa: &Psa, w: f64, price: f64) -> NetBenefit {
    let mut nmb: Vec<f64> = threshold_prices(sc, psa, w)
        .into_iter()
        .map(|t| t - price)
        .collect();
    let positive = nmb.iter().filter(|&&x| x > 0.0).count() as f64 / nmb.len().max(1) as f64;
    let mut nhb: Vec<f64> = nmb.iter().map(|x| x / w).collect();
    NetBenefit {
        wtp: w,
        price,
        monetary: crate::summary::Spread::of(&mut nmb),
        health: crate::summary::Spread::of(&mut nhb),
        probability_positive: positive,
    }
}

/// The acceptability curve at one price.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ceac {
    /// The price of the intervention, yen per treated patient.
    pub price: f64,
    /// Willingness to pay, yen per QALY.
    pub wtp: Vec<f64>,
    /// Arm ids.
    pub arms: Vec<String>,
    /// For each arm, at each willingness to pay, the share of draws in which it has the highest
    /// net benefit.
    pub probability: Vec<Vec<f64>>,
    /// At each willingness to pay, the arm with the highest expected net benefit (its index in
    /// `arms`) and the share of draws in which it is best: the frontier.
    pub frontier: Vec<(usize, f64)>,
}

/// The arm with the highest value (the first on ties, so that results do not depend on order
/// of evaluation).
fn best(values: &[f64]) -> usize {
    let mut k = 0;
    for (a, &v) in values.iter().enumerate() {
        if v > values[k] {
            k = a;
        }
    }
    k
}

/// The cost-effectiveness acceptability curve and frontier at `price` over `wtp`.
pub fn ceac(sc: &Scenario, psa: &Psa, price: f64, wtp: &[f64]) -> Ceac {
    let arms = psa.arms;
    let mut probability = vec![vec![0.0; wtp.len()]; arms];
    let mut frontier = Vec::with_capacity(wtp.len());
    for (k, &w) in wtp.iter().enumerate() {
        let nb = net_benefits(sc, psa, w, price);
        let mut wins = vec![0usize; arms];
        let mut sums = vec![0.0; arms];
        for draw in nb.chunks(arms) {
            wins[best(draw)] += 1;
            for (s, x) in sums.iter_mut().zip(draw) {
                *s += x;
            }
        }
        for a in 0..arms {
            probability[a][k] = wins[a] as f64 / psa.draws as f64;
        }
        let top = best(&sums);
        frontier.push((top, probability[top][k]));
    }
    Ceac {
        price,
        wtp: wtp.to_vec(),
        arms: sc.arms.iter().map(|a| a.id.clone()).collect(),
        probability,
        frontier,
    }
}

/// One price-acceptability curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceAcceptability {
    /// Willingness to pay, yen per QALY.
    pub wtp: f64,
    /// (price, share of draws whose threshold price is at least that price).
    pub points: Vec<(f64, f64)>,
}

/// The probability that the product is cost-effective at each price: the share of draws whose
/// threshold price is at least the price.
pub fn price_acceptability(thresholds: &[f64], prices: &[f64]) -> Vec<(f64, f64)> {
    let mut sorted = thresholds.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    prices
        .iter()
        .map(|&p| {
            // Draws below p come first in the sorted list.
            let below = sorted.partition_point(|&t| t < p);
            (p, (sorted.len() - below) as f64 / n)
        })
        .collect()
}

/// A grid of `n` prices spanning the 1st to the 99th percentile of some threshold prices,
/// rounded to three significant figures so that they read as prices.
pub fn price_grid(thresholds: &[&[f64]], n: usize) -> Vec<f64> {
    let mut all: Vec<f64> = thresholds.iter().flat_map(|t| t.iter().copied()).collect();
    if all.is_empty() || n < 2 {
        return Vec::new();
    }
    let q = crate::summary::quantiles(&mut all, &[0.01, 0.99]);
    let (lo, hi) = (q[0], q[1]);
    let step = (hi - lo) / (n - 1) as f64;
    let mut grid: Vec<f64> = (0..n)
        .map(|k| crate::official::round_significant(lo + step * k as f64, 3))
        .collect();
    grid.dedup();
    grid
}

/// The expected value of perfect information per patient: `E[max_a NB_a] - max_a E[NB_a]`.
pub fn evpi(net_benefit: &[f64], arms: usize) -> f64 {
    crate::analysis::evppi::evpi(net_benefit, arms)
}

/// The value of information at one willingness to pay.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueOfInformation {
    /// Willingness to pay, yen per QALY.
    pub wtp: f64,
    /// The price assumed, yen per treated patient.
    pub price: f64,
    /// EVPI per patient, yen.
    pub evpi_per_patient: f64,
    /// EVPI for the patients the budget expects to treat, discounted (with `[budget]`).
    pub evpi_population: Option<f64>,
    /// EVPPI per patient of single parameters and of groups, largest first.
    pub evppi: Vec<EvppiEntry>,
}

/// The EVPPI of one parameter or group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvppiEntry {
    /// The parameter's name, or the group's.
    pub name: String,
    /// The parameters in it.
    pub parameters: Vec<String>,
    /// EVPPI per patient, yen.
    pub per_patient: f64,
    /// As a share of the EVPI.
    pub share_of_evpi: f64,
    /// How well the metamodel fits (R² of each incremental net benefit).
    pub r_squared: Vec<f64>,
}

/// The parameter groups whose EVPPI is reported: each varying parameter alone, each correlated
/// group and each Dirichlet group.
pub fn evppi_sets(sc: &Scenario) -> Vec<(String, Vec<usize>)> {
    let varies = |k: usize| {
        !matches!(
            sc.parameters[k].distribution,
            crate::distribution::Distribution::Fixed { .. }
        ) || sc.parameters[k].dirichlet.is_some()
    };
    let mut sets: Vec<(String, Vec<usize>)> = (0..sc.parameters.len())
        .filter(|&k| varies(k) && sc.parameters[k].dirichlet.is_none())
        .map(|k| (sc.parameters[k].name.clone(), vec![k]))
        .collect();
    for c in &sc.correlations {
        let names: Vec<&str> = c
            .parameters
            .iter()
            .map(|&k| sc.parameters[k].name.as_str())
            .collect();
        sets.push((names.join(" + "), c.parameters.clone()));
    }
    for g in &sc.dirichlets {
        sets.push((g.name.clone(), g.components.clone()));
    }
    sets
}

/// Value of information at `w` and `price`. EVPPI needs the PSA's parameter values
/// (`keep_parameters`); without them only the EVPI is given. `population` is the discounted
/// number of patients to be treated, if known.
pub fn value_of_information(
    sc: &Scenario,
    psa: &Psa,
    w: f64,
    price: f64,
    population: Option<f64>,
) -> ValueOfInformation {
    let nb = net_benefits(sc, psa, w, price);
    let per_patient = evpi(&nb, psa.arms);
    let mut entries = Vec::new();
    if let Some(params) = &psa.parameters {
        let sc_n = psa.slot_count;
        for (name, slots) in evppi_sets(sc) {
            let columns: Vec<Vec<f64>> = slots
                .iter()
                .map(|&s| (0..psa.draws).map(|d| params[d * sc_n + s]).collect())
                .collect();
            let inputs: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
            if let Ok(Evppi {
                evppi, r_squared, ..
            }) = evppi(&nb, psa.arms, &inputs)
            {
                entries.push(EvppiEntry {
                    name,
                    parameters: slots
                        .iter()
                        .map(|&s| sc.parameters[s].name.clone())
                        .collect(),
                    per_patient: evppi,
                    share_of_evpi: if per_patient > 0.0 {
                        evppi / per_patient
                    } else {
                        0.0
                    },
                    r_squared,
                });
            }
        }
        entries.sort_by(|a, b| b.per_patient.total_cmp(&a.per_patient));
    }
    ValueOfInformation {
        wtp: w,
        price,
        evpi_per_patient: per_patient,
        evpi_population: population.map(|n| n * per_patient),
        evppi: entries,
    }
}

/// One parameter's bar of the tornado.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TornadoBar {
    /// The parameter.
    pub parameter: String,
    /// Its low and high values (the 2.5% and 97.5% quantiles of its distribution).
    pub values: (f64, f64),
    /// The threshold price at the first willingness to pay with the parameter low and high.
    pub threshold_price: (f64, f64),
    /// Each method's price with the parameter low and high, in [`Method::ALL`] order (absent where
    /// a method does not apply).
    pub methods: Vec<(Method, f64, f64)>,
}

/// The one-way analysis: base values, then every varying parameter moved to each end of its
/// 95% range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OneWay {
    /// Willingness to pay, yen per QALY.
    pub wtp: f64,
    /// The threshold price at the base case.
    pub base_threshold_price: f64,
    /// Each method's base-case price.
    pub base_methods: Vec<(Method, f64)>,
    /// One bar per parameter, widest swing of the threshold price first.
    pub bars: Vec<TornadoBar>,
}

/// A threshold price and each applicable method's price.
type Prices = (f64, Vec<(Method, f64)>);

/// A base-case evaluation's threshold price and method prices at `w`.
fn prices_at(sc: &Scenario, e: &Evaluation, w: f64) -> Prices {
    let Outcome {
        qalys: dq,
        costs: dc,
        ..
    } = Outcome::incremental(sc, &e.arms);
    let r = e.supply.as_ref().map_or(1.0, |s| s.mean_relative_effect);
    let prices = method_prices(
        &sc.pricing_at(&e.slots),
        dq,
        dc,
        e.cost_split.offsets,
        e.supply.as_ref(),
        &Population::of(sc, &e.variants),
    );
    let methods = Method::ALL
        .into_iter()
        .filter_map(|m| prices.of(m).map(|p| (m, p)))
        .collect();
    (r * threshold_price(w, dq, dc), methods)
}

/// The low and high values of a parameter: the ends of its 95% range.
fn range_of(sc: &Scenario, k: usize) -> (f64, f64) {
    let d = &sc.parameters[k].distribution;
    (d.quantile(0.025), d.quantile(0.975))
}

/// The tornado: each varying parameter (Dirichlet components move as a group and are left out)
/// at the ends of its 95% range, the others at their base values, by rerunning the model.
pub fn one_way(analysis: &Analysis<'_>, w: f64) -> Result<OneWay, RunError> {
    let sc = analysis.scenario();
    let base_values: Vec<f64> = sc.parameters.iter().map(|p| p.base).collect();
    let base = analysis.base_case()?;
    let (base_threshold_price, base_methods) = prices_at(sc, &base, w);
    let mut bars = Vec::new();
    for (k, p) in sc.parameters.iter().enumerate() {
        if matches!(
            p.distribution,
            crate::distribution::Distribution::Fixed { .. }
        ) || p.dirichlet.is_some()
        {
            continue;
        }
        let (lo, hi) = range_of(sc, k);
        let at = |x: f64| -> Result<Prices, RunError> {
            let mut v = base_values.clone();
            v[k] = x;
            let e = analysis.evaluate(&v).map_err(|error| RunError::BaseCase {
                file: sc.file.clone(),
                error: crate::error::DrawError {
                    message: format!("with {} at {x}: {}", p.name, error.message),
                    loc: error.loc,
                },
            })?;
            Ok(prices_at(sc, &e, w))
        };
        let (t_lo, m_lo) = at(lo)?;
        let (t_hi, m_hi) = at(hi)?;
        let methods = m_lo
            .iter()
            .zip(&m_hi)
            .map(|(a, b)| (a.0, a.1, b.1))
            .collect();
        bars.push(TornadoBar {
            parameter: p.name.clone(),
            values: (lo, hi),
            threshold_price: (t_lo, t_hi),
            methods,
        });
    }
    let swing = |b: &TornadoBar| (b.threshold_price.1 - b.threshold_price.0).abs();
    bars.sort_by(|a, b| swing(b).total_cmp(&swing(a)));
    Ok(OneWay {
        wtp: w,
        base_threshold_price,
        base_methods,
        bars,
    })
}

/// A two-way analysis: the threshold price on a grid of two parameters' values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TwoWay {
    /// Willingness to pay, yen per QALY.
    pub wtp: f64,
    /// The two parameters.
    pub parameters: (String, String),
    /// The first parameter's values (rows).
    pub x: Vec<f64>,
    /// The second parameter's values (columns).
    pub y: Vec<f64>,
    /// Threshold price at (`x[row]`, `y[column]`).
    pub threshold_price: Vec<Vec<f64>>,
}

/// The threshold price over an `n` x `n` grid spanning each parameter's 95% range.
pub fn two_way(
    analysis: &Analysis<'_>,
    w: f64,
    a: usize,
    b: usize,
    n: usize,
) -> Result<TwoWay, RunError> {
    let sc = analysis.scenario();
    let grid = |k: usize| -> Vec<f64> {
        let (lo, hi) = range_of(sc, k);
        if n < 2 {
            return vec![sc.parameters[k].base];
        }
        (0..n)
            .map(|j| lo + (hi - lo) * j as f64 / (n - 1) as f64)
            .collect()
    };
    let (x, y) = (grid(a), grid(b));
    let mut values: Vec<f64> = sc.parameters.iter().map(|p| p.base).collect();
    let mut rows = Vec::with_capacity(x.len());
    for &xa in &x {
        let mut row = Vec::with_capacity(y.len());
        for &yb in &y {
            values[a] = xa;
            values[b] = yb;
            let e = analysis
                .evaluate(&values)
                .map_err(|error| RunError::BaseCase {
                    file: sc.file.clone(),
                    error,
                })?;
            row.push(prices_at(sc, &e, w).0);
        }
        rows.push(row);
    }
    Ok(TwoWay {
        wtp: w,
        parameters: (sc.parameters[a].name.clone(), sc.parameters[b].name.clone()),
        x,
        y,
        threshold_price: rows,
    })
}

/// The running mean of the headline price at a number of draws.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Checkpoint {
    /// Draws so far.
    pub draws: usize,
    /// Mean of the threshold price over them.
    pub mean: f64,
    /// Its Monte Carlo standard error, sd / sqrt(draws).
    pub mcse: f64,
}

/// The running mean and standard error of `values` (in draw order) at 100, 200, 500, 1,000,
/// 2,000, 5,000, ... draws and at the end.
pub fn convergence(values: &[f64]) -> Vec<Checkpoint> {
    let mut marks = Vec::new();
    let mut scale = 100;
    'outer: loop {
        for m in [1, 2, 5] {
            let n = m * scale;
            if n >= values.len() {
                break 'outer;
            }
            marks.push(n);
        }
        scale *= 10;
    }
    marks.push(values.len());
    marks
        .into_iter()
        .filter(|&n| n >= 2)
        .map(|n| {
            let v = &values[..n];
            let m = mean(v);
            Checkpoint {
                draws: n,
                mean: m,
                mcse: sd(v, m) / (n as f64).sqrt(),
            }
        })
        .collect()
}

/// Every analysis of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionReport {
    /// The price the acceptability curve and the value of information assume (yen per treated
    /// patient): by default the base-case threshold price at the first willingness to pay,
    /// rounded to three significant figures.
    pub price: f64,
    /// Incremental net monetary and health benefit at the first willingness to pay and that
    /// price.
    pub net_benefit: NetBenefit,
    /// The acceptability curve and frontier at that price.
    pub ceac: Ceac,
    /// Price-acceptability curves, one per willingness to pay of the scenario.
    pub price_acceptability: Vec<PriceAcceptability>,
    /// EVPI over the willingness-to-pay grid at the price.
    pub evpi_curve: Vec<(f64, f64)>,
    /// Value of information at the first willingness to pay, with EVPPI.
    pub value_of_information: ValueOfInformation,
    /// The tornado.
    pub one_way: OneWay,
    /// The two-way grid, when asked for.
    pub two_way: Option<TwoWay>,
    /// Convergence of the threshold price at the first willingness to pay.
    pub convergence: Vec<Checkpoint>,
}

/// What the analyses are asked to do.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DecisionOptions {
    /// The price assumed by the acceptability curve and the value of information (default:
    /// the base-case threshold price, rounded).
    pub price: Option<f64>,
    /// The willingness-to-pay grid (default: 0 to 20M yen per QALY by 500,000).
    pub wtp_grid: Option<Vec<f64>>,
    /// Parameters (by slot) of a two-way analysis, with the grid size.
    pub two_way: Option<(usize, usize, usize)>,
    /// Discounted patients to be treated, for the population EVPI.
    pub population: Option<f64>,
}

/// Runs every analysis on a base case and PSA of `analysis`'s scenario.
pub fn analyse(
    analysis: &Analysis<'_>,
    psa: &Psa,
    opts: &DecisionOptions,
) -> Result<DecisionReport, RunError> {
    let sc = analysis.scenario();
    let w0 = sc.settings.wtp.first().copied().unwrap_or(5_000_000.0);
    let base = analysis.base_case()?;
    let (base_threshold, _) = prices_at(sc, &base, w0);
    let price = opts
        .price
        .unwrap_or_else(|| crate::official::round_significant(base_threshold, 3));
    let wtp_grid = opts
        .wtp_grid
        .clone()
        .unwrap_or_else(|| (0..=40).map(|k| f64::from(k) * 500_000.0).collect());
    let thresholds: Vec<Vec<f64>> = sc
        .settings
        .wtp
        .iter()
        .map(|&w| threshold_prices(sc, psa, w))
        .collect();
    let refs: Vec<&[f64]> = thresholds.iter().map(Vec::as_slice).collect();
    let prices = price_grid(&refs, 41);
    let price_acceptability = sc
        .settings
        .wtp
        .iter()
        .zip(&thresholds)
        .map(|(&w, t)| PriceAcceptability {
            wtp: w,
            points: price_acceptability(t, &prices),
        })
        .collect();
    let evpi_curve = wtp_grid
        .iter()
        .map(|&w| (w, evpi(&net_benefits(sc, psa, w, price), psa.arms)))
        .collect();
    Ok(DecisionReport {
        price,
        net_benefit: net_benefit(sc, psa, w0, price),
        ceac: ceac(sc, psa, price, &wtp_grid),
        price_acceptability,
        evpi_curve,
        value_of_information: value_of_information(sc, psa, w0, price, opts.population),
        one_way: one_way(analysis, w0)?,
        two_way: match opts.two_way {
            Some((a, b, n)) => Some(two_way(analysis, w0, a, b, n)?),
            None => None,
        },
        convergence: convergence(thresholds.first().map_or(&[][..], Vec::as_slice)),
    })
}

/// How precisely a run estimates its headline price (the mean threshold price at the first
/// willingness to pay).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Precision {
    /// Draws used.
    pub draws: usize,
    /// Monte Carlo standard error of the mean threshold price, yen.
    pub mcse: f64,
    /// The standard error asked for, yen.
    pub tolerance: f64,
    /// Whether it was reached within the most draws allowed.
    pub reached: bool,
}

/// The mean threshold price at the first willingness to pay and its standard error.
pub fn headline(sc: &Scenario, psa: &Psa) -> (f64, f64) {
    let w0 = sc.settings.wtp.first().copied().unwrap_or(5_000_000.0);
    let t = threshold_prices(sc, psa, w0);
    let m = mean(&t);
    (m, sd(&t, m) / (t.len() as f64).sqrt())
}

/// Runs the PSA with more draws until the standard error of the headline price is at most
/// `tolerance` yen (by default 0.5% of the mean's size), starting from `opts.draws` and never
/// beyond `max_draws`. Each try after the first asks for the draws the last one's standard error
/// says are needed (n (se / tolerance)², plus a tenth, in whole thousands). Draw `i` is the same
/// in every try, so the result is the run with that many draws: reproducible from the draw count
/// alone.
pub fn psa_until_precise(
    analysis: &Analysis<'_>,
    opts: &crate::run::RunOptions,
    tolerance: Option<f64>,
    max_draws: usize,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<(Psa, Precision), RunError> {
    let sc = analysis.scenario();
    let mut draws = opts.draws.clamp(2, max_draws.max(2));
    loop {
        let psa = analysis.psa(
            &crate::run::RunOptions {
                draws,
                ..opts.clone()
            },
            progress,
        )?;
        let (m, se) = headline(sc, &psa);
        let tol = tolerance.unwrap_or(0.005 * m.abs());
        let reached = se <= tol;
        if reached || draws >= max_draws || !se.is_finite() || tol <= 0.0 {
            return Ok((
                psa,
                Precision {
                    draws,
                    mcse: se,
                    tolerance: tol,
                    reached,
                },
            ));
        }
        let needed = draws as f64 * (se / tol).powi(2) * 1.1;
        let next = ((needed / 1000.0).ceil() as usize).saturating_mul(1000);
        draws = next.clamp(draws + 1, max_draws);
    }
}

/// The patients the budget expects to treat over its years, discounted to the first year at
/// `rate` (year y counts `(1 + rate)^-(y - 1)`): the population whose decisions better
/// information would improve.
pub fn discounted_patients(budget: &crate::pricing::budget::BudgetReport, rate: f64) -> f64 {
    budget
        .years
        .iter()
        .map(|y| y.patients_treated * libm::pow(1.0 + rate, -f64::from(y.year - 1)))
        .sum()
}
