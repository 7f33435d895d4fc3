//! The calculator's WebAssembly build, run under Node, answers as the native engine does: the
//! same JSON, numbers equal to 1e-12 relative, for the same scenario, holds, willingness to pay,
//! seed and draws; and a request split into draw ranges and merged, as the page's workers run
//! it, gives the same answer as one run, bit for bit. Natively it answers as `tenbin run` does,
//! bit for bit, since both build the scenario the same way.

use std::path::{Path, PathBuf};
use std::process::Command;

use tenbin_calculator::{Bundle, Calculator, Request};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn request(json: &str) -> Request {
    serde_json::from_str(json).unwrap()
}

#[test]
fn the_webassembly_build_answers_as_the_native_engine_does() {
    let root = root();
    let built = Command::new(root.join("site/tools/build-calculator"))
        .status()
        .expect("run site/tools/build-calculator");
    assert!(built.success(), "site/tools/build-calculator failed");
    let module = root.join("target/calculator/node/tenbin_calculator.js");
    let scratch = std::env::temp_dir().join(format!("tenbin-calculator-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let cases = [
        (
            "models/hemophilia-b-gene-therapy.toml",
            vec![
                r#"{"draws": 2000, "seed": 20240601}"#,
                r#"{"draws": 1000, "seed": 7, "hold": {"q5_loss": 0.1}, "wtp": 7500000, "instalment_years": 8}"#,
            ],
        ),
        (
            "models/car-t-large-b-cell-lymphoma.toml",
            vec![r#"{"draws": 500, "seed": 3, "hold": {"p_fail": 0.2}}"#],
        ),
        (
            "models/reference/durable-gene-therapy.toml",
            vec![r#"{"draws": 3000, "seed": 11, "hold": {"lambda": 12}}"#],
        ),
        (
            // Held beyond its distribution, at the optimistic variant's cure.
            "models/car-t-large-b-cell-lymphoma.toml",
            vec![r#"{"draws": 700, "seed": 9, "hold": {"cure_cart": 0.51}, "wtp": 7500000}"#],
        ),
    ];
    for (file, requests) in cases {
        let bundle = Bundle::read(&root.join(file), file).unwrap();
        let calc = Calculator::new(&bundle).unwrap();
        let bundle_path = scratch.join("bundle.json");
        let requests_path = scratch.join("requests.json");
        std::fs::write(&bundle_path, serde_json::to_string(&bundle).unwrap()).unwrap();
        std::fs::write(&requests_path, format!("[{}]", requests.join(","))).unwrap();
        let out = Command::new("node")
            .arg(root.join("site/calculator/tests/run.cjs"))
            .args([&module, &bundle_path, &requests_path])
            .args(["--split", "3"])
            .output()
            .expect("run node");
        assert!(
            out.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let lines: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        assert_eq!(lines.len(), 2 * requests.len());
        for (req, pair) in requests.iter().zip(lines.chunks(2)) {
            let (wasm, split) = (&pair[0], &pair[1]);
            // Three uneven ranges, run in reverse order and merged: the same JSON text, so the
            // same bits (floats are written in shortest round-trip form).
            assert_eq!(
                split, wasm,
                "{file} {req}: split and merged differs from one run"
            );
            let native = serde_json::to_value(calc.run(&request(req)).unwrap()).unwrap();
            let wasm: serde_json::Value = serde_json::from_str(wasm).unwrap();
            let mut compared = 0;
            let mut worst: f64 = 0.0;
            same(
                &native,
                &wasm,
                &format!("{file} {req}"),
                &mut compared,
                &mut worst,
            );
            assert!(compared > 10, "{compared}");
            eprintln!("{file} {req}: {compared} numbers, largest relative difference {worst:.1e}");
        }
    }
    std::fs::remove_dir_all(&scratch).unwrap();
}

/// Equal structure, equal text, and numbers equal to 1e-12 relative (WebAssembly has no fused
/// multiply-add, so its `exp` may differ in the last place; the issue asks for 1e-9 at least).
fn same(
    a: &serde_json::Value,
    b: &serde_json::Value,
    at: &str,
    compared: &mut usize,
    worst: &mut f64,
) {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            *compared += 1;
            if x != y {
                *worst = worst.max((x - y).abs() / x.abs().max(y.abs()));
            }
            assert!(
                (x - y).abs() <= 1e-12 * x.abs().max(y.abs()),
                "{at}: native {x} vs wasm {y}"
            );
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{at}");
            for (x, y) in x.iter().zip(y) {
                same(x, y, at, compared, worst);
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(
                x.keys().collect::<Vec<_>>(),
                y.keys().collect::<Vec<_>>(),
                "{at}"
            );
            for (k, v) in x {
                same(v, &y[k], &format!("{at} {k}"), compared, worst);
            }
        }
        _ => assert_eq!(a, b, "{at}"),
    }
}

#[test]
fn the_calculator_answers_as_tenbin_run_with_the_same_holds() {
    let root = root();
    let file = "models/hemophilia-b-gene-therapy.toml";
    let calc = Calculator::new(&Bundle::read(&root.join(file), file).unwrap()).unwrap();
    let a = calc
        .run(&request(
            r#"{"draws": 800, "seed": 5, "hold": {"q5_loss": 0.1}, "wtp": 7500000}"#,
        ))
        .unwrap();
    // The same scenario built as `tenbin run --hold q5_loss=0.1 --wtp 7500000` builds it.
    let mut sc = tenbin_engine::scenario::Scenario::load(&root.join(file)).unwrap();
    sc.hold("q5_loss", 0.1).unwrap();
    sc.set_wtp(vec![7_500_000.0]);
    let r = tenbin_calculator::report(&sc, 800, 5).unwrap();
    let value = r
        .pricing
        .methods
        .iter()
        .find(|m| m.method.id() == "value_based")
        .unwrap();
    let shown = a
        .methods
        .iter()
        .find(|m| m.method == "value_based")
        .unwrap();
    assert_eq!(shown.base_case, value.base_case);
    assert_eq!(shown.mean, value.mean);
    assert_eq!(shown.p50, value.p50);
    assert_eq!(a.held, [("q5_loss".to_string(), 0.1)]);
    // Equal yearly instalments, the scenario's five, add up to the nominal price.
    let i = a.instalments.as_ref().unwrap();
    assert_eq!(i.years, 5);
    assert!((i.per_year * 5.0 - i.nominal_price).abs() <= 1e-9 * i.nominal_price);
    let eight = calc
        .run(&request(
            r#"{"draws": 100, "seed": 5, "instalment_years": 8}"#,
        ))
        .unwrap();
    let i = eight.instalments.unwrap();
    assert_eq!(i.years, 8);
    assert!((i.per_year * 8.0 - i.nominal_price).abs() <= 1e-9 * i.nominal_price);
    // value-based = w dQ - dC at the base case (no supply effect in this scenario's product).
    let t = &r.threshold_price[0];
    assert_eq!(t.wtp, 7_500_000.0);
    assert!((shown.base_case - t.base_case).abs() <= 1e-6 * t.base_case.abs());
}

#[test]
fn bad_requests_are_errors_that_say_what_was_expected() {
    let root = root();
    let file = "models/reference/durable-gene-therapy.toml";
    let calc = Calculator::new(&Bundle::read(&root.join(file), file).unwrap()).unwrap();
    for (req, want) in [
        (r#"{"draws": 0, "seed": 1}"#, "expected 1 to 100000"),
        (
            r#"{"draws": 10, "seed": 1, "hold": {"p_resp": 3}}"#,
            "outside the range",
        ),
        (
            r#"{"draws": 10, "seed": 1, "wtp": -1}"#,
            "expected positive yen per QALY",
        ),
        (
            r#"{"draws": 10, "seed": 1, "instalment_years": 40}"#,
            "expected 1 to 30",
        ),
    ] {
        let e = calc.run(&request(req)).unwrap_err();
        assert!(e.contains(want), "{req}: {e}");
    }
    let broken = Bundle {
        file: "x.toml".into(),
        text: "[scenario]\nid = 3\n".into(),
        files: Default::default(),
    };
    assert!(Calculator::new(&broken).unwrap_err().contains("x.toml:2:"));
}

#[test]
fn draws_split_into_ranges_merge_to_one_run_bit_for_bit() {
    let root = root();
    // A scenario with supply and official prices (seven methods, some not applying to every
    // draw) and one with population variants (the cost-effectiveness adjustment pools them).
    for file in [
        "models/car-t-large-b-cell-lymphoma.toml",
        "models/msc-steroid-refractory-agvhd.toml",
    ] {
        let calc = Calculator::new(&Bundle::read(&root.join(file), file).unwrap()).unwrap();
        let req = request(r#"{"draws": 900, "seed": 4, "hold": {}, "wtp": 7500000}"#);
        let whole = calc.run_range(&req, 0, 900).unwrap();
        assert_eq!(whole.len(), 900 * tenbin_calculator::PER_DRAW);
        let mut parts = Vec::new();
        for (a, b) in [(0, 1), (1, 129), (129, 500), (500, 900)] {
            parts.extend(calc.run_range(&req, a, b).unwrap());
        }
        assert!(
            parts
                .iter()
                .zip(&whole)
                .all(|(x, y)| x.to_bits() == y.to_bits()),
            "{file}"
        );
        assert_eq!(calc.merge(&req, &parts).unwrap(), calc.run(&req).unwrap());
        // A merge wants every draw, and a range within the request.
        assert!(
            calc.merge(&req, &parts[7..])
                .unwrap_err()
                .contains("expected 7 a draw")
        );
        assert!(
            calc.run_range(&req, 800, 901)
                .unwrap_err()
                .contains("within")
        );
    }
}

#[test]
fn the_page_answer_is_the_calculator_run_of_the_page_request() {
    // The site build summarises the page's own run (all variants, the scenario's willingness
    // to pay values) for the calculator to show at rest; it must be what the calculator answers
    // for the page's request, bit for bit, and its means and medians what `tenbin run` reports.
    let root = root();
    for file in [
        "models/hemophilia-b-gene-therapy.toml",
        "models/cardiac-cell-sheet-conditional.toml",
    ] {
        let sc = tenbin_engine::scenario::Scenario::load(&root.join(file)).unwrap();
        let analysis = tenbin_engine::run::Analysis::new(&sc);
        let base = analysis.base_case().unwrap();
        let psa = analysis
            .psa(
                &tenbin_engine::run::RunOptions {
                    draws: 1500,
                    seed: 77,
                    keep_parameters: true,
                    ..Default::default()
                },
                &|_| {},
            )
            .unwrap();
        let (req, page) = tenbin_calculator::page_answer(&sc, &psa).unwrap();
        assert_eq!(req.draws, 1500);
        assert!(req.hold.is_empty());
        let calc = Calculator::new(&Bundle::read(&root.join(file), file).unwrap()).unwrap();
        assert_eq!(page, calc.run(&req).unwrap(), "{file}");
        let report = tenbin_engine::report::Report::new(&sc, &base, Some(&psa));
        assert_eq!(report.pricing.methods.len(), page.methods.len());
        for (r, p) in report.pricing.methods.iter().zip(&page.methods) {
            assert_eq!(r.method.id(), p.method);
            assert_eq!(r.base_case, p.base_case, "{file} {}", p.method);
            assert_eq!(r.mean, p.mean, "{file} {}", p.method);
            assert_eq!(r.p50, p.p50, "{file} {}", p.method);
            // The 95% interval is wider than the report's 90% one.
            assert!(p.p2_5 <= r.p5 && p.p97_5 >= r.p95, "{file} {}", p.method);
        }
    }
}

#[test]
fn controls_reach_the_values_the_scenario_cites() {
    // CAR-T for LBCL: the cured fraction's 1st-99th percentile range stops below 0.40, but the
    // scenario's variants cite 0.28 (JULIET) and 0.51 (ZUMA-1); the control reaches both and
    // shows the 95% interval of the PERT(0.25, 0.31, 0.40) beside it.
    let root = root();
    let file = "models/car-t-large-b-cell-lymphoma.toml";
    let calc = Calculator::new(&Bundle::read(&root.join(file), file).unwrap()).unwrap();
    let controls = calc.controls();
    let cure = controls
        .iter()
        .find(|c| c.parameter == "cure_cart")
        .unwrap();
    assert_eq!(cure.cited, [0.28, 0.51]);
    assert_eq!(cure.max, 0.51);
    assert!(cure.min > 0.25 && cure.min < 0.27, "{}", cure.min);
    let (lo, hi) = cure.interval.unwrap();
    assert!(
        cure.min < lo && lo < 0.31 && 0.31 < hi && hi < 0.40,
        "{lo} {hi}"
    );
    // At the cited end the calculator runs, and the value-based price rises with the cure.
    let at = |v: f64| {
        let req = request(&format!(
            r#"{{"draws": 300, "seed": 2, "hold": {{"cure_cart": {v}}}}}"#
        ));
        calc.run(&req).unwrap().methods[0].p50.unwrap()
    };
    assert!(at(0.51) > at(0.31) && at(0.31) > at(0.26));
}
