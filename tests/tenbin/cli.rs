//! The `tenbin` command as a user runs it: outputs, exit statuses, and messages.

use std::path::PathBuf;
use std::process::Output;

use crate::common::{json, tenbin_command};

const MODEL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/models/reference/durable-gene-therapy.toml"
);

fn tenbin(args: &[&str]) -> Output {
    tenbin_command().args(args).output().expect("run tenbin")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tenbin-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn run_writes_summary_manifest_and_draws() {
    let dir = scratch("run");
    let out = dir.join("out");
    let o = tenbin(&[
        "run",
        MODEL,
        "--draws",
        "2000",
        "--seed",
        "5",
        "--out",
        out.to_str().unwrap(),
        "--keep-draws",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        o.stderr.is_empty(),
        "stderr must stay quiet: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let printed: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let summary = json(&out.join("summary.json"));
    assert_eq!(printed, summary);
    // The documented keys.
    for arm in ["gene_therapy", "prophylaxis"] {
        for k in ["qalys", "life_years", "costs"] {
            assert!(
                summary["base_case"]["arms"][arm][k].is_f64(),
                "base_case.arms.{arm}.{k}"
            );
        }
    }
    for k in ["qalys", "costs"] {
        assert!(summary["base_case"]["incremental"][k].is_f64());
        for s in ["mean", "mcse", "p2_5", "p50", "p97_5"] {
            assert!(
                summary["psa"]["incremental"][k][s].is_f64(),
                "psa.incremental.{k}.{s}"
            );
        }
    }
    let prices = summary["threshold_price"].as_array().unwrap();
    assert_eq!(prices.len(), 3);
    for k in ["wtp", "base_case", "mean", "mcse", "p2_5", "p50", "p97_5"] {
        assert!(prices[0][k].is_f64(), "threshold_price[0].{k}");
    }
    assert_eq!(prices[0]["wtp"], 5_000_000.0);
    // The base-case threshold price is the reference model's (see engine/tests/engine/reference_model.rs).
    assert!((prices[0]["base_case"].as_f64().unwrap() - 342_986_897.448).abs() < 1.0);
    assert_eq!(summary["seed"], 5);
    assert_eq!(summary["draws"], 2000);
    assert_eq!(summary["tenbin_version"], env!("CARGO_PKG_VERSION"));

    let manifest = json(&out.join("manifest.json"));
    assert_eq!(manifest["tenbin_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(manifest["seed"], 5);
    assert_eq!(manifest["draws"], 2000);
    assert_eq!(manifest["scenario_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(manifest["scenario_sha256"], summary["scenario"]["sha256"]);
    assert!(manifest["elapsed_seconds"].as_f64().unwrap() > 0.0);

    let csv = std::fs::read_to_string(out.join("draws.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2001);
    let header: Vec<&str> = lines[0].split(',').collect();
    assert_eq!(header[0], "draw");
    assert!(header.contains(&"p_resp") && header.contains(&"threshold_price.5000000"));
    assert!(
        lines[1..]
            .iter()
            .all(|l| l.split(',').count() == header.len())
    );
    // The mean of the per-draw threshold prices is the summary's mean.
    let col = header
        .iter()
        .position(|h| *h == "threshold_price.5000000")
        .unwrap();
    let mean: f64 = lines[1..]
        .iter()
        .map(|l| l.split(',').nth(col).unwrap().parse::<f64>().unwrap())
        .sum::<f64>()
        / 2000.0;
    assert!((mean - prices[0]["mean"].as_f64().unwrap()).abs() < 1e-6 * mean.abs());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn thread_count_does_not_change_any_number() {
    let dir = scratch("threads");
    let run = |t: &str| {
        let out = dir.join(format!("t{t}"));
        let o = tenbin(&[
            "run",
            MODEL,
            "--draws",
            "3000",
            "--threads",
            t,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success());
        std::fs::read(out.join("summary.json")).unwrap()
    };
    assert_eq!(run("1"), run("2"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn check_reports_every_problem_with_its_place() {
    let dir = scratch("check");
    let bad = dir.join("bad.toml");
    let text = std::fs::read_to_string(MODEL)
        .unwrap()
        .replace("alpha = 45\nbeta = 5", "mean = 0.95\nsd = 0.3")
        .replace("shape = 36\nrate = 30", "shape = -36\nrate = 30");
    std::fs::write(&bad, text).unwrap();
    let o = tenbin(&["check", MODEL, bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    let name = bad.display().to_string();
    assert!(
        err.contains(&format!("{name}:"))
            && err.contains("gamma distribution: shape must be positive"),
        "{err}"
    );
    assert!(
        err.contains(
            "beta distribution: mean 0.95 with sd 0.3 is impossible (sd must be below 0.217)"
        ),
        "{err}"
    );
    assert!(!err.contains("panicked"));
    let ok = tenbin(&["check", MODEL]);
    assert!(ok.status.success());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_failed_run_leaves_no_output_and_keeps_the_previous_one() {
    let dir = scratch("fail");
    let out = dir.join("out");
    assert!(
        tenbin(&[
            "run",
            MODEL,
            "--draws",
            "100",
            "--out",
            out.to_str().unwrap()
        ])
        .status
        .success()
    );
    let before = std::fs::read(out.join("summary.json")).unwrap();
    // A scenario that validates but whose draws break a rule: a normal utility can exceed one,
    // which is allowed, so break the initial occupancy instead with a normal p_resp.
    let text = std::fs::read_to_string(MODEL).unwrap().replace(
        "dist = \"beta\"\nalpha = 45\nbeta = 5",
        "dist = \"normal\"\nmean = 0.9\nsd = 0.2",
    );
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, text).unwrap();
    let o = tenbin(&[
        "run",
        bad.to_str().unwrap(),
        "--draws",
        "5000",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("in probabilistic draw") && err.contains("must be a probability"),
        "{err}"
    );
    assert_eq!(std::fs::read(out.join("summary.json")).unwrap(), before);
    let entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(entries.len(), 2, "only out/ and bad.toml: {entries:?}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn missing_files_and_bad_options_are_errors_not_panics() {
    let o = tenbin(&["run", "no/such/file.toml"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("error: no/such/file.toml:1:1: cannot read the scenario file"),
        "{err}"
    );
    let o = tenbin(&["run", MODEL, "--threads", "0"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("threads must be at least 1"));
    let o = tenbin(&["run", MODEL, "--draws", "many"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn run_holds_parameters_and_sets_willingness_to_pay_and_says_so() {
    let o = tenbin(&[
        "run",
        MODEL,
        "--draws",
        "300",
        "--hold",
        "lambda=12",
        "--wtp",
        "7500000",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["scenario"]["held"], serde_json::json!([["lambda", 12.0]]));
    assert_eq!(r["threshold_price"][0]["wtp"], 7_500_000.0);
    assert_eq!(r["threshold_price"].as_array().unwrap().len(), 1);
    let plain = tenbin(&["run", MODEL, "--draws", "300", "--format", "json"]);
    let p: serde_json::Value = serde_json::from_slice(&plain.stdout).unwrap();
    assert!(p["scenario"].get("held").is_none());
    // A shorter durability lowers the gain.
    assert!(
        r["base_case"]["incremental"]["qalys"].as_f64()
            < p["base_case"]["incremental"]["qalys"].as_f64()
    );
    for (arg, want) in [
        ("lambda", "expected NAME=VALUE"),
        ("lambda=soon", "is not a number"),
    ] {
        let o = tenbin(&["run", MODEL, "--hold", arg]);
        assert_eq!(o.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&o.stderr).contains(want));
    }
    let o = tenbin(&["run", MODEL, "--hold", "p_resp=2"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("--hold p_resp=2: 2 is outside the range `p_resp` can take")
    );
    let o = tenbin(&["run", MODEL, "--wtp", "0"]);
    assert_eq!(o.status.code(), Some(1));
}

const SUPPLY_MODEL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/site/tests/fixture/models/one-dose-cell-therapy.toml"
);

#[test]
fn levers_reports_each_lever_paired_and_refuses_a_scenario_without_supply() {
    let o = tenbin(&["levers", SUPPLY_MODEL, "--draws", "500", "--format", "json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["draws"], 500);
    let levers = v["levers"].as_array().unwrap();
    let names: Vec<&str> = levers
        .iter()
        .map(|l| l["lever"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "accept_foreign_certificate",
            "supply_oos",
            "shared_accreditation",
            "price_post_approval"
        ]
    );
    // The fixture re-tests imports at 800,000 yen a batch and 7 days.
    assert_eq!(levers[0]["cost_per_treated"]["base_case"], -800_000.0);
    assert_eq!(levers[0]["time_to_treatment_days"]["base_case"], -7.0);
    // The same run as a table names every lever.
    let o = tenbin(&["levers", SUPPLY_MODEL, "--draws", "0"]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("supply_oos: false -> true"), "{text}");
    // run --keep-draws exports each draw's supply results, matching the summary's means.
    let dir = scratch("supply-draws");
    let o = tenbin(&[
        "run",
        SUPPLY_MODEL,
        "--draws",
        "300",
        "--out",
        dir.join("out").to_str().unwrap(),
        "--keep-draws",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = std::fs::read_to_string(dir.join("out/draws.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == "supply.never_treated")
        .unwrap();
    assert!(header.contains(&"supply.failure_and_oos"));
    let values: Vec<f64> = lines
        .map(|l| l.split(',').nth(col).unwrap().parse().unwrap())
        .collect();
    assert_eq!(values.len(), 300);
    let summary = json(&dir.join("out/summary.json"));
    let mean = summary["supply"]["never_treated"]["psa"]["mean"]
        .as_f64()
        .unwrap();
    let got = values.iter().sum::<f64>() / 300.0;
    assert!(
        (got - mean).abs() <= 1e-12 * mean.abs().max(1e-12),
        "{got} vs {mean}"
    );
    // Without [supply] there is nothing to flip: an error, not an empty report.
    let o = tenbin(&["levers", MODEL, "--draws", "0"]);
    assert!(!o.status.success());
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("has no [supply] block"), "{err}");
}

#[test]
fn price_reproduces_the_published_cases_and_locates_bad_inputs() {
    let root = env!("CARGO_MANIFEST_DIR");
    for (case, price) in [
        ("zolgensma", 167_077_222.0),
        ("heartsheet-kit-a", 6_360_000.0),
        ("heartsheet-kit-b", 1_680_000.0),
        ("kymriah-2019-listing", 33_493_407.0),
        ("kymriah-2019-10-tax", 34_113_655.0),
        ("stemirac-2019-10-tax", 15_234_750.0),
        ("abecma-2022", 32_647_761.0),
    ] {
        let path = format!("{root}/cases/{case}.toml");
        let o = tenbin(&["price", &path, "--format", "json"]);
        assert!(
            o.status.success(),
            "{case}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["price"], price, "{case}");
        assert!(v["steps"].as_array().unwrap().len() >= 3, "{case}");
    }
    let dir = scratch("price");
    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        "title = \"x\"\nmethod = \"comparable_drug\"\nrule_set = \"FY2024\"\n\n[comparable_drug]\n\
         comparator_unit_price = 1000\nunits_per_course = 1\npremiums = { usefulness_1 = 0.9 }\n",
    )
    .unwrap();
    let o = tenbin(&["price", bad.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains("bad.toml:8:14: premiums.usefulness_1"),
        "{err}"
    );
    assert!(err.contains("allowed from 0.35 to 0.6"), "{err}");
    // A case whose published price the calculation misses fails, saying both numbers.
    std::fs::write(
        &bad,
        "title = \"x\"\nmethod = \"comparable_drug\"\nrule_set = \"FY2024\"\n\n[comparable_drug]\n\
         comparator_unit_price = 1000\nunits_per_course = 2\nexpected_price = 2001\n",
    )
    .unwrap();
    let o = tenbin(&["price", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8(o.stderr)
            .unwrap()
            .contains("gives 2,000 yen, the published price is 2,001 yen")
    );
}

#[test]
fn compare_sets_methods_side_by_side_and_writes_csv_and_json() {
    let dir = scratch("compare");
    let out = dir.join("cmp");
    let o = tenbin(&[
        "compare",
        MODEL,
        SUPPLY_MODEL,
        "--draws",
        "400",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains("durable-gene-therapy         value_based"),
        "{text}"
    );
    assert!(
        text.contains("one-dose-cell-therapy        cost_accounting_adjusted"),
        "{text}"
    );
    let v = json(&out.join("compare.json"));
    assert_eq!(v["draws"], 400);
    let reference = &v["scenarios"][0];
    // Without supply or a comparator, only the value-based methods apply.
    let methods: Vec<&str> = reference["methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["method"].as_str().unwrap())
        .collect();
    assert_eq!(methods, ["value_based", "shared_savings"]);
    // The reference model's base-case value-based price is its known threshold price.
    assert_eq!(
        reference["methods"][0]["base_case"]
            .as_f64()
            .unwrap()
            .round(),
        342_986_897.0
    );
    let csv = std::fs::read_to_string(out.join("compare.csv")).unwrap();
    assert_eq!(
        csv.lines().next().unwrap(),
        "scenario,method,base_case,mean,p5,p50,p95"
    );
    assert_eq!(csv.lines().count(), 1 + 2 + 5);
}

#[test]
fn analyses_write_decision_files_that_agree_with_the_summary() {
    let dir = scratch("analyses");
    let out = dir.join("out");
    let o = tenbin(&[
        "run",
        MODEL,
        "--draws",
        "2000",
        "--analyses",
        "--two-way",
        "kappa,lambda",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("EVPI per patient"), "{text}");
    let manifest = json(&out.join("manifest.json"));
    for f in [
        "decision.json",
        "ceac.csv",
        "price_acceptability.csv",
        "evpi.csv",
        "evppi.csv",
        "tornado.csv",
        "convergence.csv",
        "two_way.csv",
    ] {
        assert!(out.join(f).exists(), "{f}");
        assert!(
            manifest["files"].as_array().unwrap().iter().any(|x| x == f),
            "{f} listed"
        );
    }
    let d = json(&out.join("decision.json"));
    let s = json(&out.join("summary.json"));
    // The price assumed is the base-case threshold price at 5M yen/QALY, to three figures.
    assert_eq!(d["price"], 343_000_000.0);
    // Convergence ends at the summary's mean and standard error.
    let last = d["convergence"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["draws"], 2000);
    let t = &s["threshold_price"][0];
    assert!((last["mean"].as_f64().unwrap() - t["mean"].as_f64().unwrap()).abs() < 1e-6);
    assert!((last["mcse"].as_f64().unwrap() - t["mcse"].as_f64().unwrap()).abs() < 1e-6);
    // The price-acceptability curve at 5M falls from near 1 to near 0 across its grid.
    let pa = d["price_acceptability"][0]["points"].as_array().unwrap();
    let first = pa.first().unwrap()[1].as_f64().unwrap();
    let last = pa.last().unwrap()[1].as_f64().unwrap();
    assert!(first >= 0.98 && last <= 0.02, "{first} {last}");
    // The tornado's base matches the summary's base case.
    assert_eq!(
        d["one_way"]["base_threshold_price"],
        s["threshold_price"][0]["base_case"]
    );
    let csv = std::fs::read_to_string(out.join("two_way.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 49);
    assert!(csv.starts_with("kappa,lambda,threshold_price\n"));

    // --draws auto stops at the tolerance and records it.
    let auto = dir.join("auto");
    let o = tenbin(&[
        "run",
        MODEL,
        "--draws",
        "auto",
        "--tolerance",
        "3000000",
        "--out",
        auto.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m = json(&auto.join("manifest.json"));
    let p = &m["precision"];
    assert_eq!(p["reached"], true);
    assert!(p["mcse"].as_f64().unwrap() <= 3_000_000.0);
    assert_eq!(m["draws"], p["draws"]);
    // Bad uses are errors with a message.
    let o = tenbin(&["run", MODEL, "--draws", "many"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("expected a whole number or `auto`"));
    let o = tenbin(&["run", MODEL, "--tolerance", "5"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("--tolerance needs --draws auto"));
    let o = tenbin(&["run", MODEL, "--analyses", "--two-way", "kappa"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("two parameters"));
}

#[test]
fn check_accepts_a_folder_and_every_shipped_scenario_passes() {
    let models = concat!(env!("CARGO_MANIFEST_DIR"), "/models");
    let o = tenbin(&["check", models]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{}{}",
        text,
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(text.contains("(durable-gene-therapy)"), "{text}");
    assert!(text.contains("(hemophilia-b-gene-therapy)"), "{text}");
    assert!(text.lines().all(|l| l.starts_with("ok: ")), "{text}");
}
