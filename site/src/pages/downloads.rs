//! The data files offered beside the pages: each scenario's summary and draws, and each
//! figure's data as JSON.

use serde::Serialize;
use tenbin_engine::report::VERSION;
use tenbin_engine::scenario::Scenario;

use super::Figure;
use crate::Error;
use crate::chart::Chart;
use crate::results::ScenarioResults;

/// A figure's data as JSON: where it comes from, then its CSV columns and rows as numbers.
pub(super) fn figure_json(
    sc: &Scenario,
    r: &ScenarioResults,
    fig: &Figure,
    chart: &dyn Chart,
) -> serde_json::Value {
    let csv = chart.csv();
    let mut lines = csv.lines();
    let columns: Vec<&str> = lines
        .next()
        .map(|h| h.split(',').collect())
        .unwrap_or_default();
    let rows: Vec<Vec<serde_json::Value>> = lines
        .map(|l| {
            l.split(',')
                .map(|v| {
                    v.parse::<f64>()
                        .ok()
                        .and_then(serde_json::Number::from_f64)
                        .map_or_else(|| serde_json::Value::from(v), serde_json::Value::Number)
                })
                .collect()
        })
        .collect();
    serde_json::json!({
        "chart": fig.id,
        "title": fig.title,
        "scenario": { "id": sc.meta.id, "file": sc.file, "sha256": sc.hash },
        "tenbin_version": VERSION,
        "seed": r.seed,
        "draws": r.draws,
        "columns": columns,
        "rows": rows,
    })
}

pub(super) fn pretty_json<T: Serialize>(v: &T) -> Result<Vec<u8>, Error> {
    let mut bytes = serde_json::to_vec_pretty(v).map_err(|e| Error::Cache(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The draws table (as `tenbin run --keep-draws` writes it), gzipped: at 10,000 draws 2-7 MB per
/// scenario, about half the CSV's size. The gzip header carries no time or name, so the same table
/// gives the same bytes.
pub(super) fn draws_csv_gz(r: &ScenarioResults) -> Result<Vec<u8>, Error> {
    use std::io::Write as _;
    let mut gz = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::default());
    gz.write_all(r.draws_csv.as_bytes())
        .and_then(|()| gz.finish())
        .map_err(|e| Error::Cache(format!("compressing the draws table: {e}")))
}
