//! `tenbin run`: the base case, the probabilistic analysis and the threshold prices of one
//! scenario, printed as a table or JSON and optionally written to a directory.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use tenbin_engine::analysis::decision::{
    DecisionOptions, DecisionReport, Precision, analyse, discounted_patients,
};
use tenbin_engine::report::draws::draws_csv;
use tenbin_engine::report::{Report, VERSION};
use tenbin_engine::run::Analysis;
use tenbin_engine::scenario::Scenario;

use super::Error;
use tenbin_site::staging::Staging;

/// How the summary is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A readable table.
    Table,
    /// The summary as JSON (the same as `summary.json`).
    Json,
}

/// Arguments of `tenbin run`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file (TOML).
    scenario: PathBuf,
    #[command(flatten)]
    sampling: super::Sampling,
    /// Write summary.json and manifest.json (and draws.csv with --keep-draws) to this directory.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Also write every draw's parameters and results to draws.csv (needs --out).
    #[arg(long, requires = "out")]
    keep_draws: bool,
    /// How to print the summary.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Also run the decision analyses (acceptability curves, value of information, tornado,
    /// convergence) and write decision.json and their CSV files (with --out).
    #[arg(long)]
    analyses: bool,
    /// The price (yen per treated patient) the acceptability curve and value of information
    /// assume (default: the base-case threshold price, rounded).
    #[arg(long, requires = "analyses")]
    price: Option<f64>,
    /// Two parameters for a two-way analysis of the threshold price, e.g. `kappa,lambda`.
    #[arg(long, requires = "analyses", value_delimiter = ',')]
    two_way: Option<Vec<String>>,
    /// Hold a parameter at a value in the base case and every draw, e.g. `--hold p_fail=0.1`
    /// (repeatable); the others keep their distributions and their draws. The calculator
    /// (`site/calculator`) builds its scenarios the same way.
    #[arg(long, value_name = "NAME=VALUE", value_parser = parse_hold)]
    hold: Vec<(String, f64)>,
    /// Willingness-to-pay values (yen per QALY) instead of the scenario's, e.g.
    /// `--wtp 7500000,10000000`; the first is the one the pricing methods use.
    #[arg(long, value_delimiter = ',')]
    wtp: Option<Vec<f64>>,
}

/// `NAME=VALUE` for `--hold`.
fn parse_hold(s: &str) -> Result<(String, f64), String> {
    let (name, value) = s
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=VALUE, e.g. p_fail=0.1, got `{s}`"))?;
    let value: f64 =
        value.trim().replace('_', "").parse().map_err(|_| {
            format!("`{value}` is not a number; expected NAME=VALUE, e.g. p_fail=0.1")
        })?;
    Ok((name.trim().to_string(), value))
}

/// What `manifest.json` records: enough to rerun and check any number.
#[derive(Debug, Serialize)]
struct Manifest<'a> {
    tenbin_version: &'a str,
    scenario_file: String,
    scenario_id: &'a str,
    scenario_sha256: &'a str,
    seed: u64,
    draws: usize,
    /// With --draws auto: the standard error reached and asked for.
    precision: Option<Precision>,
    threads: usize,
    elapsed_seconds: f64,
    files: Vec<&'a str>,
    command: String,
}

/// Runs the subcommand.
pub fn run(args: &Args) -> Result<ExitCode, Error> {
    let mut sc = Scenario::load(&args.scenario).map_err(|e| e.to_string())?;
    for (name, value) in &args.hold {
        sc.hold(name, *value)
            .map_err(|e| format!("--hold {name}={value}: {e}"))?;
    }
    if let Some(wtp) = &args.wtp {
        if let Some(bad) = wtp.iter().find(|w| !(w.is_finite() && **w > 0.0)) {
            return Err(format!("--wtp {bad}: expected positive yen per QALY").into());
        }
        sc.set_wtp(wtp.clone());
    }
    let started = Instant::now();
    let analysis = Analysis::new(&sc);
    let base = analysis.base_case()?;
    let show_bar = std::io::stderr().is_terminal()
        && matches!(args.sampling.draws, super::Draws::Count(n) if n >= 20_000);
    let bar = if show_bar {
        let n = match args.sampling.draws {
            super::Draws::Count(n) => n as u64,
            super::Draws::Auto => 0,
        };
        let bar = ProgressBar::new(n);
        bar.set_style(
            ProgressStyle::with_template("{spinner} {wide_bar} {pos}/{len} draws ({eta} left)")
                .map_err(|e| e.to_string())?,
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    // EVPPI needs every draw's parameter values.
    let keep = args.keep_draws || args.analyses;
    let (psa, precision) = args.sampling.psa(&analysis, keep, &|n| bar.inc(n as u64))?;
    bar.finish_and_clear();
    let elapsed = started.elapsed().as_secs_f64();
    let report = Report::new(&sc, &base, psa.as_ref());
    let decision = match (&psa, args.analyses) {
        (Some(p), true) => {
            let two_way = match &args.two_way {
                Some(names) if names.len() != 2 => {
                    return Err(format!(
                        "--two-way needs two parameters separated by a comma, got {}",
                        names.len()
                    )
                    .into());
                }
                Some(names) => {
                    let slot = |name: &str| {
                        sc.parameters
                            .iter()
                            .position(|p| p.name == name)
                            .ok_or_else(|| {
                                format!("--two-way: `{name}` is not a parameter of {}", sc.file)
                            })
                    };
                    Some((slot(&names[0])?, slot(&names[1])?, 7))
                }
                None => None,
            };
            let opts = DecisionOptions {
                price: args.price,
                wtp_grid: None,
                two_way,
                population: report
                    .budget
                    .as_ref()
                    .map(|b| discounted_patients(b, sc.settings.discount_rate_costs)),
            };
            Some(analyse(&analysis, p, &opts)?)
        }
        (None, true) => return Err("--analyses needs draws (not --draws 0)".into()),
        _ => None,
    };

    if let Some(dir) = &args.out {
        let staging = Staging::new(dir)?;
        let mut files = vec!["summary.json", "manifest.json"];
        staging.write("summary.json", |w| {
            serde_json::to_writer_pretty(&mut *w, &report)?;
            writeln!(w)
        })?;
        if let (true, Some(p)) = (args.keep_draws, &psa) {
            files.push("draws.csv");
            staging.write("draws.csv", |w| w.write_all(draws_csv(&sc, p).as_bytes()))?;
        }
        if let Some(d) = &decision {
            files.extend(write_decision(&staging, d)?);
        }
        let manifest = Manifest {
            tenbin_version: VERSION,
            scenario_file: args.scenario.display().to_string(),
            scenario_id: &sc.meta.id,
            scenario_sha256: &sc.hash,
            seed: args.sampling.seed,
            draws: psa.as_ref().map_or(0, |p| p.draws),
            precision,
            threads: args
                .sampling
                .threads
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
            elapsed_seconds: elapsed,
            files,
            command: std::env::args().collect::<Vec<_>>().join(" "),
        };
        staging.write("manifest.json", |w| {
            serde_json::to_writer_pretty(&mut *w, &manifest)?;
            writeln!(w)
        })?;
        staging.commit()?;
    }

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        Format::Table => {
            print_table(&mut out, &sc, &report)?;
            if let Some(p) = &precision {
                writeln!(
                    out,
                    "\n--draws auto: {} draws, standard error of the mean price {} yen (asked for {}{})",
                    p.draws,
                    yen(p.mcse),
                    yen(p.tolerance),
                    if p.reached {
                        ""
                    } else {
                        "; not reached within --max-draws"
                    }
                )?;
            }
            if let Some(d) = &decision {
                print_decision(&mut out, d)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes decision.json and one CSV per analysis; returns their names.
fn write_decision(staging: &Staging, d: &DecisionReport) -> Result<Vec<&'static str>, Error> {
    staging.write("decision.json", |w| {
        serde_json::to_writer_pretty(&mut *w, d)?;
        writeln!(w)
    })?;
    staging.write("ceac.csv", |w| {
        write!(w, "wtp")?;
        for a in &d.ceac.arms {
            write!(w, ",p_best_{a}")?;
        }
        writeln!(w, ",frontier_arm,frontier_probability")?;
        for (k, wtp) in d.ceac.wtp.iter().enumerate() {
            write!(w, "{wtp}")?;
            for p in &d.ceac.probability {
                write!(w, ",{}", p[k])?;
            }
            let (arm, p) = d.ceac.frontier[k];
            writeln!(w, ",{},{p}", d.ceac.arms[arm])?;
        }
        Ok(())
    })?;
    staging.write("price_acceptability.csv", |w| {
        writeln!(w, "wtp,price,probability_cost_effective")?;
        for c in &d.price_acceptability {
            for (p, q) in &c.points {
                writeln!(w, "{},{p},{q}", c.wtp)?;
            }
        }
        Ok(())
    })?;
    staging.write("evpi.csv", |w| {
        writeln!(w, "wtp,evpi_per_patient")?;
        for (wtp, e) in &d.evpi_curve {
            writeln!(w, "{wtp},{e}")?;
        }
        Ok(())
    })?;
    staging.write("evppi.csv", |w| {
        writeln!(w, "name,parameters,evppi_per_patient,share_of_evpi")?;
        for e in &d.value_of_information.evppi {
            writeln!(
                w,
                "\"{}\",\"{}\",{},{}",
                e.name,
                e.parameters.join(" "),
                e.per_patient,
                e.share_of_evpi
            )?;
        }
        Ok(())
    })?;
    staging.write("tornado.csv", |w| {
        writeln!(
            w,
            "parameter,low_value,high_value,threshold_price_low,threshold_price_high"
        )?;
        for b in &d.one_way.bars {
            writeln!(
                w,
                "{},{},{},{},{}",
                b.parameter, b.values.0, b.values.1, b.threshold_price.0, b.threshold_price.1
            )?;
        }
        Ok(())
    })?;
    staging.write("convergence.csv", |w| {
        writeln!(w, "draws,mean_threshold_price,mcse")?;
        for c in &d.convergence {
            writeln!(w, "{},{},{}", c.draws, c.mean, c.mcse)?;
        }
        Ok(())
    })?;
    let mut files = vec![
        "decision.json",
        "ceac.csv",
        "price_acceptability.csv",
        "evpi.csv",
        "evppi.csv",
        "tornado.csv",
        "convergence.csv",
    ];
    if let Some(t) = &d.two_way {
        staging.write("two_way.csv", |w| {
            writeln!(w, "{},{},threshold_price", t.parameters.0, t.parameters.1)?;
            for (x, row) in t.x.iter().zip(&t.threshold_price) {
                for (y, p) in t.y.iter().zip(row) {
                    writeln!(w, "{x},{y},{p}")?;
                }
            }
            Ok(())
        })?;
        files.push("two_way.csv");
    }
    Ok(files)
}

fn print_decision(w: &mut dyn Write, d: &DecisionReport) -> std::io::Result<()> {
    let vi = &d.value_of_information;
    writeln!(w)?;
    writeln!(
        w,
        "Decision analysis at {} yen/QALY and a price of {} yen",
        yen(vi.wtp),
        yen(d.price)
    )?;
    let nb = &d.net_benefit;
    writeln!(
        w,
        "  incremental net benefit: mean {} yen ({:.3} QALYs), positive in {:.1}% of draws",
        yen(nb.monetary.mean),
        nb.health.mean,
        100.0 * nb.probability_positive
    )?;
    writeln!(w, "  EVPI per patient {:>20}", yen(vi.evpi_per_patient))?;
    if let Some(p) = vi.evpi_population {
        writeln!(w, "  EVPI, budget's patients {:>12}", yen(p))?;
    }
    writeln!(w, "  EVPPI per patient (largest first)")?;
    for e in vi.evppi.iter().take(8) {
        writeln!(
            w,
            "    {:<28} {:>16}  {:>5.1}% of EVPI",
            e.name,
            yen(e.per_patient),
            100.0 * e.share_of_evpi
        )?;
    }
    writeln!(
        w,
        "  One-way (threshold price {} at base): parameter at its 2.5% and 97.5% quantiles",
        yen(d.one_way.base_threshold_price)
    )?;
    for b in d.one_way.bars.iter().take(8) {
        writeln!(
            w,
            "    {:<28} {:>16} to {:>16}",
            b.parameter,
            yen(b.threshold_price.0),
            yen(b.threshold_price.1)
        )?;
    }
    if let Some(c) = d.convergence.last() {
        writeln!(
            w,
            "  Mean threshold price {} (MC s.e. {}) after {} draws",
            yen(c.mean),
            yen(c.mcse),
            c.draws
        )?;
    }
    Ok(())
}

/// Yen with thousands separators, rounded to the yen.
pub(crate) fn yen(x: f64) -> String {
    let neg = x < 0.0;
    let digits = format!("{:.0}", x.abs());
    let mut s = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            s.push(',');
        }
        s.push(ch);
    }
    if neg { format!("-{s}") } else { s }
}

fn print_table(w: &mut dyn Write, sc: &Scenario, r: &Report) -> std::io::Result<()> {
    let title = if sc.meta.title.en.is_empty() {
        &sc.meta.title.ja
    } else {
        &sc.meta.title.en
    };
    writeln!(w, "{title}")?;
    writeln!(
        w,
        "scenario {} ({}), sha256 {}",
        sc.meta.id,
        sc.file,
        &sc.hash[..16]
    )?;
    match r.seed {
        Some(seed) => writeln!(
            w,
            "tenbin {}, seed {seed}, {} draws",
            r.tenbin_version, r.draws
        )?,
        None => writeln!(w, "tenbin {}, base case only", r.tenbin_version)?,
    }
    if !sc.held.is_empty() {
        let held: Vec<String> = sc.held.iter().map(|(n, v)| format!("{n} = {v}")).collect();
        writeln!(w, "held in every draw: {}", held.join(", "))?;
    }
    writeln!(w)?;
    writeln!(
        w,
        "Base case            {:>14} {:>14} {:>20}",
        "QALYs", "life years", "costs excl. price"
    )?;
    for arm in &sc.arms {
        let o = &r.base_case.arms[&arm.id];
        writeln!(
            w,
            "  {:<18} {:>14.4} {:>14.4} {:>20}",
            arm.id,
            o.qalys,
            o.life_years,
            yen(o.costs)
        )?;
    }
    let inc = &r.base_case.incremental;
    writeln!(
        w,
        "  {:<18} {:>14.4} {:>14.4} {:>20}",
        "incremental",
        inc.qalys,
        inc.life_years,
        yen(inc.costs)
    )?;
    if let Some(psa) = &r.psa {
        writeln!(w)?;
        writeln!(
            w,
            "Probabilistic ({} draws)   mean (MC s.e.)          95% interval",
            psa.draws
        )?;
        for arm in &sc.arms {
            let a = &psa.arms[&arm.id];
            writeln!(
                w,
                "  {:<14} QALYs {:>12.4} ({:.4})   {:.4} to {:.4}",
                arm.id, a.qalys.mean, a.qalys.mcse, a.qalys.p2_5, a.qalys.p97_5
            )?;
            writeln!(
                w,
                "  {:<14} costs {:>16} ({})   {} to {}",
                "",
                yen(a.costs.mean),
                yen(a.costs.mcse),
                yen(a.costs.p2_5),
                yen(a.costs.p97_5)
            )?;
        }
        let q = &psa.incremental.qalys;
        let c = &psa.incremental.costs;
        writeln!(
            w,
            "  {:<14} QALYs {:>12.4} ({:.4})   {:.4} to {:.4}",
            "incremental", q.mean, q.mcse, q.p2_5, q.p97_5
        )?;
        writeln!(
            w,
            "  {:<14} costs {:>16} ({})   {} to {}",
            "",
            yen(c.mean),
            yen(c.mcse),
            yen(c.p2_5),
            yen(c.p97_5)
        )?;
    }
    writeln!(w)?;
    writeln!(
        w,
        "Threshold price of {} (yen, paid once): P*(w) = w x dQALY - dCost",
        sc.arms[sc.intervention].id
    )?;
    for t in &r.threshold_price {
        write!(
            w,
            "  at {:>12} yen/QALY: base case {:>16}",
            yen(t.wtp),
            yen(t.base_case)
        )?;
        if let (Some(m), Some(se), Some(lo), Some(hi)) = (t.mean, t.mcse, t.p2_5, t.p97_5) {
            write!(
                w,
                ", mean {} (MC s.e. {}), 95% interval {} to {}",
                yen(m),
                yen(se),
                yen(lo),
                yen(hi)
            )?;
        }
        writeln!(w)?;
    }
    if let Some(sup) = &r.supply {
        print_supply(w, sup)?;
    }
    if !r.variants.is_empty() {
        writeln!(w)?;
        writeln!(
            w,
            "Other assumptions (same draws)          value-based price at {} yen/QALY: base case   [90% over draws]",
            yen(r.variants[0].value_based.first().map_or(0.0, |v| v.wtp))
        )?;
        for v in &r.variants {
            let first = &v.value_based[0];
            write!(w, "  {:<36} {:>20}", v.id, yen(first.base_case))?;
            if let Some(d) = &first.draws {
                write!(w, "   {} to {}", yen(d.p5), yen(d.p95))?;
            }
            writeln!(w)?;
        }
        // Supply under each variant: where a lever is flipped, this is where it shows.
        if r.variants.iter().any(|v| v.supply.is_some()) {
            writeln!(
                w,
                "  {:<36} {:>20} {:>14} {:>10}",
                "supply at the base case", "cost per treated", "never treated", "days"
            )?;
            if let Some(s) = &r.supply {
                writeln!(
                    w,
                    "  {:<36} {:>20} {:>13.1}% {:>10.1}",
                    "(as written)",
                    yen(s.total_cost_per_treated.base_case),
                    100.0 * s.never_treated.base_case,
                    s.time_to_treatment_days.base_case
                )?;
            }
            for v in &r.variants {
                if let Some(s) = &v.supply {
                    writeln!(
                        w,
                        "  {:<36} {:>20} {:>13.1}% {:>10.1}",
                        v.id,
                        yen(s.cost_per_treated.base_case),
                        100.0 * s.never_treated.base_case,
                        s.time_to_treatment_days.base_case
                    )?;
                }
            }
        }
    }
    if let Some(p) = &r.payments {
        print_payments(w, p)?;
    }
    if let Some(b) = &r.budget {
        print_budget(w, b)?;
    }
    Ok(())
}

fn print_payments(
    w: &mut dyn Write,
    p: &tenbin_engine::pricing::payments::PaymentsReport,
) -> std::io::Result<()> {
    writeln!(w)?;
    writeln!(
        w,
        "Payment schemes matching {} yen per treated patient ({}), payer at {:.1}%, maker at {:.1}%",
        yen(p.target_price),
        p.target_method.map_or("given price", |m| m.id()),
        100.0 * p.payer_discount_rate,
        100.0 * p.maker_discount_rate
    )?;
    writeln!(
        w,
        "  {:<20} {:>16} {:>16} {:>12}  payer's cost over draws (90%)",
        "scheme", "nominal price", "maker receives", "paid in full"
    )?;
    for s in &p.schemes {
        write!(
            w,
            "  {:<20} {:>16} {:>16} {:>12}",
            s.scheme,
            yen(s.nominal_price),
            yen(s.maker_expected_receipts),
            s.per_patient
                .map_or("-".into(), |pp| format!("{:.1}%", 100.0 * pp.paid_in_full))
        )?;
        if let Some(c) = &s.payer_cost {
            write!(w, "  {} to {}", yen(c.p5), yen(c.p95))?;
        }
        writeln!(w)?;
    }
    Ok(())
}

fn print_budget(
    w: &mut dyn Write,
    b: &tenbin_engine::pricing::budget::BudgetReport,
) -> std::io::Result<()> {
    writeln!(w)?;
    writeln!(
        w,
        "Budget impact ({}, nominal {} yen; undiscounted)   patients   spending (yen)   [90% over draws]",
        b.scheme,
        yen(b.nominal_price)
    )?;
    for y in &b.years {
        write!(
            w,
            "  year {:<3} {:>10.1} {:>18}",
            y.year,
            y.patients_treated,
            yen(y.spending)
        )?;
        if let Some(s) = &y.spending_draws {
            write!(w, "   {} to {}", yen(s.p5), yen(s.p95))?;
        }
        writeln!(w)?;
    }
    write!(w, "  total    {:>10} {:>18}", "", yen(b.total))?;
    if let Some(s) = &b.total_draws {
        write!(w, "   {} to {}", yen(s.p5), yen(s.p95))?;
    }
    writeln!(w)
}

/// A supply measure: base case, then the PSA mean and interval when there is one.
fn measure(m: &tenbin_engine::summary::Estimate, fmt: &dyn Fn(f64) -> String) -> String {
    match &m.psa {
        Some(s) => format!(
            "{:>16}   mean {} (95% {} to {})",
            fmt(m.base_case),
            fmt(s.mean),
            fmt(s.p2_5),
            fmt(s.p97_5)
        ),
        None => format!("{:>16}", fmt(m.base_case)),
    }
}

fn print_supply(
    w: &mut dyn Write,
    sup: &tenbin_engine::report::SupplyReport,
) -> std::io::Result<()> {
    let pct = |x: f64| format!("{:.2}%", 100.0 * x);
    let days = |x: f64| format!("{x:.1} d");
    writeln!(w)?;
    writeln!(
        w,
        "Supply: cost per treated patient (yen)   base case   [PSA]   share of total"
    )?;
    for c in &sup.components {
        if c.cost.base_case == 0.0 && c.cost.psa.is_none_or(|s| s.mean == 0.0) {
            continue;
        }
        writeln!(
            w,
            "  {:<22} {}   {}",
            c.name,
            measure(&c.cost, &yen),
            pct(c.share_of_total)
        )?;
    }
    writeln!(
        w,
        "  {:<22} {}",
        "total",
        measure(&sup.total_cost_per_treated, &yen)
    )?;
    writeln!(
        w,
        "  {:<22} {}",
        "never treated",
        measure(&sup.never_treated, &pct)
    )?;
    writeln!(
        w,
        "  {:<22} {}",
        "time to treatment",
        measure(&sup.time_to_treatment_days, &days)
    )?;
    writeln!(
        w,
        "  {:<22} {}",
        "treated with OOS",
        measure(&sup.treated_with_oos, &pct)
    )?;
    if sup.launch_delay_qalys_lost.base_case > 0.0 {
        writeln!(
            w,
            "  {:<22} {}",
            "QALYs lost to delay",
            measure(&sup.launch_delay_qalys_lost, &|x| format!("{x:.1}"))
        )?;
    }
    for (wtp, m) in &sup.threshold_price_per_treatment {
        writeln!(
            w,
            "  price/treatment at {:>10} yen/QALY {}",
            yen(*wtp),
            measure(m, &yen)
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::yen;

    #[test]
    fn yen_groups_thousands() {
        assert_eq!(yen(0.0), "0");
        assert_eq!(yen(999.4), "999");
        assert_eq!(yen(1000.0), "1,000");
        assert_eq!(yen(-1234567.6), "-1,234,568");
        assert_eq!(yen(5_000_000.0), "5,000,000");
    }
}
