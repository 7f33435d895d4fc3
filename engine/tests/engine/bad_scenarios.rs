//! Broken scenario files: each must give an error at the right line and column that says what
//! is wrong, and never a panic.

use tenbin_engine::run::{Analysis, RunOptions};
use tenbin_engine::scenario::Scenario;

use crate::common::{no_files, parse};

/// A small valid scenario; each case below breaks one thing in it.
const VALID: &str = r#"[scenario]
id = "small"
title.en = "Small"
product_type = "autologous_cell"
intervention = "new"
comparator = "old"

[[sources]]
id = "s"
citation = "A source"

[settings]
horizon_years = 10
start_age = 50

[mortality]
kind = "gompertz"
a = 1e-4
b = 0.08
source = "s"

[parameters.p]
value = 0.3
dist = "beta"
mean = 0.3
sd = 0.05
source = "s"

[parameters.u]
value = 0.8
source = "s"

[derived]
q = "p / 2"

[[states]]
id = "A"
utility = "u"

[[states]]
id = "D"
dead = true

[arms.new]
initial = { A = 1 }

[[arms.new.transitions]]
from = "A"
to = "D"
annual_probability = "q"

[arms.old]
initial = { A = 1 }

[[arms.old.transitions]]
from = "A"
to = "D"
annual_probability = "p"
"#;

/// Replaces `from` (which must occur exactly once) with `to`, parses, and returns the first
/// error as `line:column: message`.
fn first_error(from: &str, to: &str) -> String {
    assert_eq!(
        VALID.matches(from).count(),
        1,
        "`{from}` must occur once in the valid scenario"
    );
    let text = VALID.replace(from, to);
    match Scenario::parse("x.toml", &text, &no_files) {
        Ok(_) => panic!("expected an error after replacing `{from}` with `{to}`"),
        Err(e) => {
            let f = e.first();
            assert_eq!(f.file, "x.toml");
            format!("{}:{}: {}", f.line, f.column, f.message)
        }
    }
}

#[test]
fn the_valid_scenario_is_valid_and_runs() {
    let sc = parse("x.toml", VALID);
    let a = Analysis::new(&sc);
    a.base_case().unwrap();
    a.psa(
        &RunOptions {
            draws: 100,
            ..Default::default()
        },
        &|_| {},
    )
    .unwrap();
}

#[test]
fn units_and_notes_are_read_in_both_languages_with_their_place() {
    let text = VALID
        .replace(
            "citation = \"A source\"",
            "citation = \"A source\"\nnote = { en = \"Read twice\", ja = \"2回読みました\" }",
        )
        .replace(
            "value = 0.3\n",
            "value = 0.3\nunit = \"per year\"\nnote = \"From a trial\"\n",
        )
        .replace(
            "value = 0.8\n",
            "value = 0.8\nunit = { en = \"QALYs\", ja = \"QALY\" }\nnote.en = \"Assumed\"\nnote.ja = \"仮定です\"\n",
        );
    let sc = parse("x.toml", &text);
    fn both(t: &Option<tenbin_engine::scenario::Text>) -> (&str, &str, usize, usize) {
        let t = t.as_ref().unwrap();
        (&t.value.en, &t.value.ja, t.loc.line, t.loc.column)
    }
    // A plain string is English only.
    let p = &sc.parameters[0];
    assert_eq!(both(&p.unit), ("per year", "", 25, 8));
    assert_eq!(both(&p.note), ("From a trial", "", 26, 8));
    let u = &sc.parameters[1];
    assert_eq!(both(&u.unit), ("QALYs", "QALY", 34, 8));
    // Written as `note.en` and `note.ja`: the place is the first of them.
    assert_eq!(both(&u.note), ("Assumed", "仮定です", 35, 1));
    assert_eq!(
        both(&sc.sources[0].note),
        ("Read twice", "2回読みました", 11, 8)
    );
}

#[test]
fn broken_files_are_located_and_explained() {
    // (replace this, with this, expected "line:column", expected words in the message)
    let cases: &[(&str, &str, &str, &str)] = &[
        // Syntax and structure.
        (
            "horizon_years = 10",
            "horizon_years = ",
            "13:17",
            "string values must be quoted",
        ),
        (
            "horizon_years = 10",
            "horizon_year = 10",
            "13:1",
            "unknown field `horizon_year`",
        ),
        // Texts readers see: a string (English) or `{ en, ja }`, nothing else.
        (
            "citation = \"A source\"",
            "citation = \"A source\"\nnote = { en = \"Read twice\", fr = \"Lu deux fois\" }",
            "11:8",
            "unknown field `fr`, expected `ja` or `en`",
        ),
        (
            "value = 0.8\n",
            "value = 0.8\nunit = 3\n",
            "31:8",
            "a text in quotes (English), or `{ en = \"...\", ja = \"...\" }`",
        ),
        (
            "value = 0.8\n",
            "value = 0.8\nnote = {}\n",
            "31:8",
            "empty text; expected `ja` and/or `en`",
        ),
        (
            "start_age = 50",
            "start_age = \"fifty\"",
            "14:13",
            "expected a number",
        ),
        (
            "id = \"small\"",
            "id = \"Small one\"",
            "2:6",
            "scenario id `Small one` is not a valid id",
        ),
        (
            "product_type = \"autologous_cell\"",
            "product_type = \"stem\"",
            "4:16",
            "unknown product type `stem`; expected one of autologous_cell",
        ),
        (
            "comparator = \"old\"",
            "comparator = \"older\"",
            "6:14",
            "unknown arm `older`; expected one of new, old",
        ),
        // Settings.
        (
            "horizon_years = 10",
            "horizon_years = 10\ndiscount_rate_costs = 2",
            "14:23",
            "discount_rate_costs: 2 is outside [0, 1); write 0.02 for 2%",
        ),
        (
            "horizon_years = 10",
            "horizon_years = 10\nwithin_cycle_correction = \"half\"",
            "14:27",
            "unknown within-cycle correction `half`",
        ),
        (
            "horizon_years = 10",
            "horizon_years = 10\nwtp = []",
            "14:7",
            "wtp is empty",
        ),
        // Distributions.
        (
            "mean = 0.3\nsd = 0.05",
            "mean = 0.95\nsd = 0.3",
            "26:6",
            "beta distribution: mean 0.95 with sd 0.3 is impossible (sd must be below 0.217)",
        ),
        (
            "dist = \"beta\"",
            "dist = \"betta\"",
            "24:8",
            "unknown distribution `betta`",
        ),
        (
            "mean = 0.3\nsd = 0.05",
            "alpha = 3\nsd = 0.05",
            "24:8",
            "incomplete beta distribution",
        ),
        (
            "mean = 0.3\nsd = 0.05",
            "mean = 0.3\nsd = 0.05\nshape = 2",
            "27:9",
            "key `shape` does not apply to a beta distribution",
        ),
        (
            "value = 0.3",
            "value = 1.3",
            "23:9",
            "base-case value 1.3 lies outside the distribution's range [0, 1]",
        ),
        (
            "source = \"s\"\n\n[parameters.u]",
            "source = \"t\"\n\n[parameters.u]",
            "27:10",
            "unknown source `t`",
        ),
        // Expressions.
        (
            "q = \"p / 2\"",
            "q = \"p / \"",
            "34:10",
            "in expression: unexpected end of the expression",
        ),
        (
            "q = \"p / 2\"",
            "q = \"p / r\"",
            "34:10",
            "unknown name `r`",
        ),
        (
            "q = \"p / 2\"",
            "q = \"p / q\"",
            "34:1",
            "refer to each other in a circle: q -> q",
        ),
        (
            "utility = \"u\"",
            "utility = \"u * (1 - p\"",
            "38:16",
            "unclosed `(`",
        ),
        // States, arms and transitions.
        (
            "id = \"D\"\ndead = true",
            "id = \"D\"",
            "36:1",
            "0 states are marked dead = true",
        ),
        (
            "initial = { A = 1 }\n\n[[arms.new",
            "initial = { B = 1 }\n\n[[arms.new",
            "45:13",
            "unknown state `B`; expected one of A, D",
        ),
        (
            "to = \"D\"\nannual_probability = \"q\"",
            "to = \"D\"",
            "47:1",
            "needs exactly one of probability, annual_probability, rate",
        ),
        (
            "annual_probability = \"q\"",
            "weibull = { shape = 1 }",
            "50:11",
            "weibull law needs `scale`",
        ),
        (
            "annual_probability = \"q\"",
            "weibull = { shape = 1, scale = 2, rate = 3 }",
            "50:42",
            "`rate` does not apply to a weibull law",
        ),
    ];
    let mut failures = Vec::new();
    for (from, to, at, words) in cases {
        let got = first_error(from, to);
        let (loc, msg) = got.split_once(": ").expect("line:col: message");
        if loc != *at || !msg.contains(words) {
            failures.push(format!(
                "replacing {from:?} with {to:?}\n   expected {at}: ...{words}...\n   got      {got}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases wrong:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn a_correlation_matrix_that_is_not_positive_definite_is_refused() {
    let text = VALID.replace(
        "[derived]",
        "[parameters.v]\nvalue = 0.5\ndist = \"uniform\"\nmin = 0\nmax = 1\nsource = \"s\"\n\n\
         [parameters.w]\nvalue = 0.5\ndist = \"uniform\"\nmin = 0\nmax = 1\nsource = \"s\"\n\n\
         [[correlations]]\nparameters = [\"p\", \"v\", \"w\"]\nmatrix = [[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]]\n\n[derived]",
    );
    let e = Scenario::parse("x.toml", &text, &no_files).unwrap_err();
    let f = e.first();
    assert!(f.message.contains("not positive definite"), "{f}");
    assert_eq!((f.line, f.column), (49, 10), "{f}");
}

#[test]
fn a_draw_the_model_cannot_use_names_the_draw_and_the_place() {
    // A normal distribution lets the annual probability go negative in some draws.
    let text = VALID.replace(
        "dist = \"beta\"\nmean = 0.3\nsd = 0.05",
        "dist = \"normal\"\nmean = 0.3\nsd = 0.3",
    );
    let sc = parse("x.toml", &text);
    let err = Analysis::new(&sc)
        .psa(
            &RunOptions {
                draws: 1000,
                ..Default::default()
            },
            &|_| {},
        )
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("x.toml:50:22: in probabilistic draw "),
        "{err}"
    );
    assert!(
        err.contains("annual_probability of transition A -> D in arm `new` must be a probability"),
        "{err}"
    );
    assert!(err.contains("p = -"), "{err}");
}

#[test]
fn initial_shares_must_sum_to_one() {
    let text = VALID.replace(
        "[arms.old]\ninitial = { A = 1 }",
        "[arms.old]\ninitial = { A = 0.9 }",
    );
    let sc = parse("x.toml", &text);
    let err = Analysis::new(&sc).base_case().unwrap_err().to_string();
    assert_eq!(
        err,
        "x.toml:53:11: in the base case, initial occupancy of arm `old` sums to 0.9; expected 1"
    );
}

#[test]
fn arbitrary_garbage_never_panics() {
    // Mutate the valid file byte by byte; every result must be Ok or a located error.
    let bytes = VALID.as_bytes();
    let mut s: u64 = 7;
    for _ in 0..3000 {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let pos = (s >> 33) as usize % bytes.len();
        let mut b = bytes.to_vec();
        b[pos] = b"=\"[]{}.,0x-#\n"[(s >> 20) as usize % 13];
        let text = String::from_utf8_lossy(&b);
        if let Ok(sc) = Scenario::parse("x.toml", &text, &no_files) {
            let a = Analysis::new(&sc);
            let _ = a.base_case();
        }
    }
}

#[test]
fn defect_2_scenario_premiums_are_named_and_the_device_route_needs_its_distribution() {
    let with = |pricing: &str| format!("{VALID}\n[pricing]\n{pricing}\n");
    let error = |pricing: &str| match Scenario::parse("x.toml", &with(pricing), &no_files) {
        Ok(_) => panic!("expected an error for {pricing}"),
        Err(e) => e.first().message.clone(),
    };
    // The unnamed rate is refused with a pointer to the named premiums.
    assert!(error("premium_rate = 0.45").contains("premiums named by id"));
    assert!(error("premiums = { novelty = 0.1 }").contains("unknown premium"));
    assert!(
        error("premiums = { marketability_1 = 0.1, marketability_2 = 0.05 }")
            .contains("do not stack")
    );
    // The device route has no distribution default read: the scenario must give it.
    assert!(error("route = \"device\"").contains("distribution_ratio"));
    for ok in [
        "premiums = { usefulness_1 = 0.35, marketability_1 = 0.1 }",
        "route = \"device\"\ndistribution_ratio = 0.0428",
        "rule_set = \"FY2026-conditional\"\npremiums = { usefulness_1 = 0.35, marketability_1 = 0.1 }",
    ] {
        if let Err(e) = Scenario::parse("x.toml", &with(ok), &no_files) {
            panic!("{ok}: {}", e.first().message);
        }
    }
}
