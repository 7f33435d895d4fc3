//! The draws table: every draw's parameters, each arm's outcomes, the incremental results, the
//! threshold price at each willingness to pay and, with `[supply]`, the supply results. It is
//! what `tenbin run --keep-draws` writes and what the site offers for download, with one header
//! (documented in `docs/output-schema.md`), so that a reader can redo any analysis from it.

use std::fmt::Write as _;

use crate::model::Outcome;
use crate::pricing::value::threshold_price;
use crate::run::Psa;
use crate::scenario::Scenario;
use crate::supply::CostComponents;

/// The supply results of each draw, after the cost components, in column order.
const SUPPLY_COLUMNS: [&str; 8] = [
    "total_cost_per_treated",
    "maker_cost_per_treated",
    "product_cost_per_treated",
    "never_treated",
    "time_to_treatment_days",
    "treated_with_oos",
    "expiry_probability",
    "launch_delay_qalys_lost",
];

/// The table's header: `draw`, every parameter and derived quantity by name (when the run kept
/// them), `ARM.qalys`, `ARM.costs`, `ARM.life_years` for each arm, `incremental.qalys`,
/// `incremental.costs`, `threshold_price.W` for each willingness to pay and, with supply,
/// `supply.*`.
pub fn draws_header(sc: &Scenario, psa: &Psa) -> Vec<String> {
    let mut header = vec!["draw".to_string()];
    if psa.parameters.is_some() {
        header.extend((0..sc.slot_count()).map(|s| sc.slot_name(s).to_string()));
    }
    for arm in &sc.arms {
        for m in ["qalys", "costs", "life_years"] {
            header.push(format!("{}.{m}", arm.id));
        }
    }
    header.push("incremental.qalys".into());
    header.push("incremental.costs".into());
    header.push("incremental.cost_offsets".into());
    for wtp in &sc.settings.wtp {
        header.push(format!("threshold_price.{wtp}"));
    }
    if psa.supply.is_some() {
        for name in CostComponents::NAMES.iter().chain(&SUPPLY_COLUMNS) {
            header.push(format!("supply.{name}"));
        }
    }
    header
}

/// The whole table as CSV, one line per draw in draw order, numbers in shortest round-trip
/// form (read back, they are the same bits).
pub fn draws_csv(sc: &Scenario, psa: &Psa) -> String {
    let mut out = draws_header(sc, psa).join(",");
    out.push('\n');
    let params = psa.parameters.as_deref();
    let supply = psa.supply.as_deref();
    for d in 0..psa.draws {
        let _ = write!(out, "{d}");
        if let Some(params) = params {
            for v in &params[d * psa.slot_count..(d + 1) * psa.slot_count] {
                let _ = write!(out, ",{v}");
            }
        }
        let o = &psa.outcomes[d * psa.arms..(d + 1) * psa.arms];
        for a in o {
            let _ = write!(out, ",{},{},{}", a.qalys, a.costs, a.life_years);
        }
        let inc = Outcome::incremental(sc, o);
        let _ = write!(out, ",{},{},{}", inc.qalys, inc.costs, psa.cost_offsets[d]);
        for wtp in &sc.settings.wtp {
            let _ = write!(out, ",{}", threshold_price(*wtp, inc.qalys, inc.costs));
        }
        if let Some(s) = supply.map(|s| &s[d]) {
            for v in s.costs.values() {
                let _ = write!(out, ",{v}");
            }
            let _ = write!(
                out,
                ",{},{},{},{},{},{},{},{}",
                s.costs.total(),
                s.costs.maker(),
                s.costs.product_cost(),
                s.never_treated,
                s.time_to_treatment_days,
                s.treated_with_oos,
                s.expiry_probability,
                s.launch_delay_qalys_lost
            );
        }
        out.push('\n');
    }
    out
}
