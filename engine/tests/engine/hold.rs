//! Holding a parameter at a chosen value (the calculator's controls, `tenbin run --hold`): the
//! result is the scenario written with that parameter fixed, and every other parameter keeps
//! its draws. Also the `[calculator]` block that names the parameters behind the controls.

use tenbin_engine::run::{Analysis, Psa, RunOptions};
use tenbin_engine::scenario::{ControlKind, Scenario};

use crate::common::{REFERENCE_TEXT, no_files, parse};

fn psa(sc: &Scenario) -> Psa {
    Analysis::new(sc)
        .psa(
            &RunOptions {
                draws: 400,
                keep_parameters: true,
                ..RunOptions::default()
            },
            &|_| {},
        )
        .unwrap()
}

#[test]
fn a_held_parameter_is_the_scenario_written_with_it_fixed() {
    let mut held = parse("reference.toml", REFERENCE_TEXT);
    held.hold("lambda", 12.0).unwrap();
    assert_eq!(held.held, [("lambda".to_string(), 12.0)]);
    // The same scenario written by hand with lambda fixed at 12.
    let written = REFERENCE_TEXT.replace(
        "value = 25\ndist = \"lognormal\"\nmeanlog = 3.2188758248682006 # ln 25\nsdlog = 0.4",
        "value = 12",
    );
    assert_ne!(written, REFERENCE_TEXT);
    let written = parse("reference.toml", &written);
    let (a, b) = (psa(&held), psa(&written));
    assert_eq!(a.outcomes, b.outcomes);
    assert_eq!(
        Analysis::new(&held).base_case().unwrap().arms,
        Analysis::new(&written).base_case().unwrap().arms
    );
}

#[test]
fn holding_one_parameter_leaves_every_other_draw_as_it_was() {
    let sc = parse("reference.toml", REFERENCE_TEXT);
    let mut held = sc.clone();
    held.hold("kappa", 2.0).unwrap();
    let (a, b) = (psa(&sc), psa(&held));
    let k = sc.slot_of("kappa").unwrap();
    let n = sc.parameters.len();
    let (pa, pb) = (
        a.parameters.as_ref().unwrap(),
        b.parameters.as_ref().unwrap(),
    );
    for d in 0..400 {
        for j in 0..n {
            let (x, y) = (pa[d * a.slot_count + j], pb[d * b.slot_count + j]);
            if j == k {
                assert_eq!(y, 2.0);
            } else {
                assert_eq!(x, y, "draw {d}, parameter {j}");
            }
        }
    }
    // And the result moves: a steeper loss of expression lowers the gain.
    let dq = |p: &Psa| {
        p.outcomes
            .chunks(p.arms)
            .map(|o| o[0].qalys - o[1].qalys)
            .sum::<f64>()
    };
    assert_ne!(dq(&a), dq(&b));
}

#[test]
fn a_value_outside_the_parameter_range_or_a_dirichlet_share_is_refused() {
    let mut sc = parse("reference.toml", REFERENCE_TEXT);
    let e = sc.hold("p_resp", 1.2).unwrap_err();
    assert!(e.contains("expected a value from 0 to 1"), "{e}");
    let e = sc.hold("nope", 1.0).unwrap_err();
    assert!(e.contains("`nope` is not a parameter"), "{e}");
    let e = sc.hold("kappa", f64::NAN).unwrap_err();
    assert!(e.contains("outside the range"), "{e}");
    assert!(sc.held.is_empty());
    let text = format!(
        "{REFERENCE_TEXT}\n[dirichlet.shares]\ncomponents = [\"s_a\", \"s_b\"]\nvalue = [0.4, 0.6]\nconcentration = 50\nsource = \"spec\"\n"
    );
    let mut d = parse("reference.toml", &text);
    let e = d.hold("s_a", 0.5).unwrap_err();
    assert!(e.contains("Dirichlet"), "{e}");
}

#[test]
fn the_calculator_block_names_parameters_and_offers_their_range() {
    // The reference model's own block: durability = "lambda", response = "p_resp", ...
    let sc = parse("reference.toml", REFERENCE_TEXT);
    let c = sc.controls[0];
    assert_eq!(c.kind, ControlKind::Durability);
    assert_eq!(sc.parameters[c.parameter].name, "lambda");
    // lognormal(ln 25, 0.4): the 1st and 99th percentiles are 25 exp(-/+ 2.3263 x 0.4).
    assert!((c.min - 25.0 * (-2.326_347_874 * 0.4_f64).exp()).abs() < 1e-6);
    assert!((c.max - 25.0 * (2.326_347_874 * 0.4_f64).exp()).abs() < 1e-6);
    assert_eq!(sc.controls[1].kind, ControlKind::Response);
    assert_eq!(sc.parameters[sc.controls[1].parameter].name, "p_resp");

    let line = REFERENCE_TEXT
        .lines()
        .position(|l| l.starts_with("durability = "))
        .expect("the reference model names a durability control")
        + 1;
    let bad = REFERENCE_TEXT.replace("durability = \"lambda\"", "durability = \"p_fial\"");
    let e = Scenario::parse("reference.toml", &bad, &no_files)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(&format!("reference.toml:{line}:14:"))
            && e.contains("`p_fial` is not a parameter"),
        "{e}"
    );
    let bad = REFERENCE_TEXT.replace("durability = \"lambda\"", "speed = \"lambda\"");
    let e = Scenario::parse("reference.toml", &bad, &no_files)
        .unwrap_err()
        .to_string();
    assert!(e.contains("speed"), "{e}");

    // A fixed parameter may be held anywhere (its range is not known); the range offered is
    // half to one and a half times its value.
    let mut fixed = parse(
        "reference.toml",
        &REFERENCE_TEXT.replace(
            "value = 25\ndist = \"lognormal\"\nmeanlog = 3.2188758248682006 # ln 25\nsdlog = 0.4",
            "value = 25",
        ),
    );
    let c = fixed.controls[0];
    assert_eq!((c.min, c.max), (12.5, 37.5));
    fixed.hold("lambda", 30.0).unwrap();
}

#[test]
fn a_value_a_variant_sets_may_be_held_though_outside_the_distribution() {
    // CAR-T for LBCL: the cured fraction is PERT(0.25, 0.31, 0.40), and the scenario's
    // optimistic variant cites ZUMA-1's 51%. Holding it there is allowed (and gives the
    // variant's cure in every draw); anything beyond the cited values is not.
    let mut sc = crate::common::load(format!(
        "{}/car-t-large-b-cell-lymphoma.toml",
        crate::common::MODELS
    ));
    assert_eq!(sc.variant_values("cure_cart"), [0.28, 0.51]);
    assert!(sc.variant_values("p_fail").is_empty());
    let e = sc.clone().hold("cure_cart", 0.52).unwrap_err();
    assert!(e.contains("expected a value from 0.25 to 0.51"), "{e}");
    sc.hold("cure_cart", 0.51).unwrap();
    let p = psa(&sc);
    let k = sc.slot_of("cure_cart").unwrap();
    let params = p.parameters.as_ref().unwrap();
    assert!((0..400).all(|d| params[d * p.slot_count + k] == 0.51));
}

#[test]
fn draws_run_in_pieces_are_the_draws_of_one_run() {
    // Draws [0, 150) and [150, 400) put end to end are the 400 draws of one run, bit for bit:
    // what lets the calculator split a request across browser workers.
    let sc = parse("reference.toml", REFERENCE_TEXT);
    let a = Analysis::new(&sc);
    let whole = psa(&sc);
    let opts = |draws| RunOptions {
        draws,
        keep_parameters: true,
        ..RunOptions::default()
    };
    let head = a.psa_from(0, &opts(150), &|_| {}).unwrap();
    let tail = a.psa_from(150, &opts(250), &|_| {}).unwrap();
    let joined: Vec<_> = head
        .outcomes
        .iter()
        .chain(&tail.outcomes)
        .copied()
        .collect();
    assert_eq!(joined, whole.outcomes);
    let joined: Vec<f64> = head
        .parameters
        .unwrap()
        .into_iter()
        .chain(tail.parameters.unwrap())
        .collect();
    assert_eq!(&joined, whole.parameters.as_ref().unwrap());
    assert_eq!(
        [head.cost_offsets, tail.cost_offsets].concat(),
        whole.cost_offsets
    );
}
