//! Tests of the supply model: closed forms, an independent simulation of remanufacture, and
//! each cost and delay mechanism.

use super::*;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

/// A plain simulation of patients going through manufacture, as an independent check of the
/// closed forms (xorshift uniforms; no engine code).
fn simulate_remanufacture(p: f64, m: u32, patients: u32) -> (f64, f64, f64) {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut uniform = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let (mut batches, mut treated, mut failures_of_treated) = (0.0, 0.0, 0.0);
    for _ in 0..patients {
        for attempt in 0..m {
            batches += 1.0;
            if uniform() >= p {
                treated += 1.0;
                failures_of_treated += f64::from(attempt);
                break;
            }
        }
    }
    let n = f64::from(patients);
    (
        batches / n,
        1.0 - treated / n,
        failures_of_treated / treated,
    )
}

#[test]
fn nothing_modelled_costs_nothing_and_delays_no_one() {
    let o = evaluate(&SupplyInputs::default(), 1.5, 0.02);
    assert_eq!(o.costs, CostComponents::default());
    assert_eq!(o.never_treated, 0.0);
    assert_eq!(o.time_to_treatment_days, 0.0);
    assert_eq!(o.mean_relative_effect, 1.0);
    assert_eq!(o.batches_per_treated, 1.0);
    assert_eq!(o.launch_delay_qalys_lost, 0.0);
}

#[test]
fn attempts_follow_the_geometric_sum() {
    assert_eq!(expected_attempts(0.1, 1), 1.0);
    assert!(close(expected_attempts(0.1, 3), (1.0 - 0.001) / 0.9, 1e-15));
    assert_eq!(expected_attempts(1.0, 4), 4.0);
    let s = SupplyInputs {
        materials_per_batch: 1_000_000.0,
        failure_probability: 0.2,
        max_attempts: 2,
        remanufacture_delay_days: 30.0,
        lead_time_days: 25.0,
        ..SupplyInputs::default()
    };
    let o = evaluate(&s, 1.0, 0.0);
    // Never treated: p^m; batches per patient starting: (1 - p^m) / (1 - p) = 1.2.
    assert!(close(o.never_treated, 0.04, 1e-15));
    assert!(close(o.batches_per_treated, 1.2 / 0.96, 1e-15));
    assert!(close(o.costs.manufacturing, 1_000_000.0, 1e-15));
    assert!(close(
        o.costs.failure_and_oos,
        1_000_000.0 * (1.2 / 0.96 - 1.0),
        1e-12
    ));
    // Of those treated, a share p(1 - p) / (1 - p^2) = 0.16 / 0.96 waited one re-make.
    assert!(close(
        o.time_to_treatment_days,
        25.0 + 30.0 * 0.16 / 0.96,
        1e-15
    ));
    // The same numbers from simulated patients.
    let (batches, never, waits) = simulate_remanufacture(0.2, 2, 400_000);
    assert!(close(batches, 1.2, 5e-3), "{batches}");
    assert!(close(never, 0.04, 2e-3), "{never}");
    assert!(close(waits, 0.16 / 0.96, 1e-2), "{waits}");
}

#[test]
fn policies_trade_failures_for_untreated_patients_or_oos_products() {
    let base = SupplyInputs {
        materials_per_batch: 100.0,
        failure_probability: 0.1,
        max_attempts: 3,
        oos_relative_effect: 0.8,
        ..SupplyInputs::default()
    };
    let none = evaluate(
        &SupplyInputs {
            oos_policy: OosPolicy::NoTreatment,
            ..base
        },
        1.0,
        0.0,
    );
    assert!(close(none.never_treated, 0.1, 1e-15));
    assert!(close(
        none.costs.failure_and_oos,
        100.0 * (1.0 / 0.9 - 1.0),
        1e-12
    ));
    // The lever overrides the scenario's policy: every patient is treated, a tenth with an
    // OOS product at 80% effectiveness, and no batch is wasted.
    let lever = Levers {
        supply_oos: true,
        ..Levers::default()
    };
    let oos = evaluate(
        &SupplyInputs {
            levers: lever,
            ..base
        },
        1.0,
        0.0,
    );
    assert_eq!(oos.never_treated, 0.0);
    assert!(close(oos.treated_with_oos, 0.1, 1e-15));
    assert!(close(oos.mean_relative_effect, 0.98, 1e-15));
    assert_eq!(oos.costs.failure_and_oos, 0.0);
}

#[test]
fn multi_dose_batches_spread_costs_over_sellable_doses() {
    let s = SupplyInputs {
        materials_per_batch: 9_000_000.0,
        doses_per_batch: 10.0,
        qc_consumed_share: 0.1,
        failure_probability: 0.25,
        release_test_per_batch: 900_000.0,
        fixed_cost_per_year: 500_000_000.0,
        patients_per_year: 50.0,
        ..SupplyInputs::default()
    };
    let o = evaluate(&s, 1.0, 0.0);
    // 9 sellable doses per conforming batch; 1 / 0.75 batches per conforming one.
    assert!(close(
        o.costs.manufacturing,
        1_000_000.0 + 10_000_000.0,
        1e-15
    ));
    assert!(close(o.costs.failure_and_oos, 1_000_000.0 / 3.0, 1e-12));
    assert!(close(
        o.costs.quality_control,
        900_000.0 / (0.75 * 9.0),
        1e-12
    ));
    assert_eq!(o.never_treated, 0.0);
    assert_eq!(o.time_to_treatment_days, 0.0);
}

#[test]
fn import_retesting_costs_money_time_and_product_unless_certificates_are_accepted() {
    let s = SupplyInputs {
        materials_per_batch: 1_000.0,
        doses_per_batch: 4.0,
        imported: true,
        import_retest_per_batch: 400.0,
        import_retest_delay_days: 7.0,
        import_retest_consumed_share: 0.25,
        ..SupplyInputs::default()
    };
    let o = evaluate(&s, 1.0, 0.0);
    assert!(close(o.costs.manufacturing, 1_000.0 / 3.0, 1e-15));
    assert!(close(o.costs.import_testing, 400.0 / 3.0, 1e-15));
    assert!(close(o.time_to_treatment_days, 7.0, 1e-15));
    let lever = Levers {
        accept_foreign_certificate: true,
        ..Levers::default()
    };
    let accepted = evaluate(&SupplyInputs { levers: lever, ..s }, 1.0, 0.0);
    assert_eq!(accepted.costs.import_testing, 0.0);
    assert!(close(accepted.costs.manufacturing, 250.0, 1e-15));
    assert_eq!(accepted.time_to_treatment_days, 0.0);
}

#[test]
fn fresh_products_expire_with_the_lognormal_tail() {
    let s = SupplyInputs {
        materials_per_batch: 1_000.0,
        shipment_cost: 200.0,
        fresh: true,
        transit_median_days: 2.0,
        transit_sdlog: 0.5,
        shelf_life_days: 4.0,
        lead_time_days: 20.0,
        ..SupplyInputs::default()
    };
    let o = evaluate(&s, 1.0, 0.0);
    // P(T > 4) for ln T ~ N(ln 2, 0.5): 1 - Phi(ln 2 / 0.5) = 1 - Phi(1.386294) = 0.0828...
    let q = 0.082_828_4;
    assert!(
        close(o.expiry_probability, q, 1e-5),
        "{}",
        o.expiry_probability
    );
    let again = o.expiry_probability / (1.0 - o.expiry_probability);
    assert!(close(o.costs.expiry, 1_200.0 * again, 1e-12));
    assert!(close(o.time_to_treatment_days, 20.0 * (1.0 + again), 1e-12));
    // A re-test of an imported fresh product eats into the shelf life.
    let retested = evaluate(
        &SupplyInputs {
            imported: true,
            import_retest_delay_days: 2.0,
            ..s
        },
        1.0,
        0.0,
    );
    assert!(close(retested.expiry_probability, 0.5, 1e-12));
}

#[test]
fn fixed_costs_divide_by_volume_and_shared_accreditation_by_manufacturers() {
    let s = SupplyInputs {
        fixed_cost_per_year: 600_000_000.0,
        patients_per_year: 120.0,
        stability_per_year: 12_000_000.0,
        centre_cost_per_year: 3_000_000.0,
        patients_per_centre_per_year: 6.0,
        manufacturers_sharing: 4.0,
        ..SupplyInputs::default()
    };
    let o = evaluate(&s, 1.0, 0.0);
    assert_eq!(o.costs.manufacturing, 5_000_000.0);
    assert_eq!(o.costs.quality_control, 100_000.0);
    assert_eq!(o.costs.centre_qualification, 500_000.0);
    let lever = Levers {
        shared_accreditation: true,
        ..Levers::default()
    };
    let shared = evaluate(&SupplyInputs { levers: lever, ..s }, 1.0, 0.0);
    assert_eq!(shared.costs.centre_qualification, 125_000.0);
}

#[test]
fn post_approval_burden_is_amortised_and_can_be_left_out_of_the_price() {
    let s = SupplyInputs {
        post_approval_probability: 0.5,
        post_approval_one_off: 200_000_000.0,
        post_approval_per_year: 50_000_000.0,
        post_approval_years: 4.0,
        confirmatory_study: 300_000_000.0,
        patients_over_lifetime: 1_000.0,
        follow_up_per_year: 100_000.0,
        follow_up_years: 15.0,
        ..SupplyInputs::default()
    };
    let o = evaluate(&s, 1.0, 0.02);
    // 0.5 (200M + 50M x annuity(2%, 4)) / 1000 + 300M / 1000 + 100,000 x annuity(2%, 15).
    let annuity = |n: i32| (1.0 - 1.02f64.powi(-n)) / 0.02;
    let want = 0.5 * (200_000_000.0 + 50_000_000.0 * annuity(4)) / 1000.0 + 300_000.0;
    assert!(
        close(o.costs.post_approval, want, 1e-12),
        "{}",
        o.costs.post_approval
    );
    // Follow-up is its own component, whoever pays for it.
    assert!(close(o.costs.follow_up, 100_000.0 * annuity(15), 1e-12));
    let lever = Levers {
        price_post_approval: false,
        ..Levers::default()
    };
    let out = evaluate(&SupplyInputs { levers: lever, ..s }, 1.0, 0.02);
    assert_eq!(out.costs.post_approval, 0.0);
    assert!(close(out.post_approval_burden, want, 1e-12));
}

#[test]
fn patients_lost_while_waiting_are_never_treated_and_raise_the_cost_per_treated() {
    let s = SupplyInputs {
        materials_per_batch: 1_000.0,
        shipment_cost: 100.0,
        handling_cost: 50.0,
        lead_time_days: 36.525,
        waiting_loss_rate: 1.0,
        ..SupplyInputs::default()
    };
    let o = evaluate(&s, 1.0, 0.0);
    // A tenth of a year at a loss rate of 1 a year: exp(-0.1) still reach treatment.
    let survive = (-0.1f64).exp();
    assert!(close(o.never_treated, 1.0 - survive, 1e-15));
    assert!(close(o.costs.manufacturing, 1_000.0 / survive, 1e-15));
    assert!(close(o.costs.shipment, 100.0 / survive, 1e-15));
    assert_eq!(o.costs.handling, 50.0);
}

#[test]
fn defect_6_only_the_makers_costs_less_shipment_are_product_cost() {
    let s = SupplyInputs {
        materials_per_batch: 10_000_000.0,
        shipment_cost: 1_000_000.0,
        handling_cost: 500_000.0,
        follow_up_per_year: 2_000_000.0,
        follow_up_years: 1.0,
        follow_up_bearer: Bearer::Insurer,
        ..SupplyInputs::default()
    };
    let o = evaluate(&s, 1.0, 0.0);
    // One year of follow-up at 0% is 2M: the insurer's. Handling 0.5M: the hospital's.
    // Shipment 1M: the maker's, inside the cost-accounting distribution item, not item 4.
    assert_eq!(o.costs.total(), 13_500_000.0);
    assert_eq!(o.costs.maker(), 11_000_000.0);
    assert_eq!(o.costs.product_cost(), 10_000_000.0);
    // A post-marketing follow-up study is the maker's, and part of its product cost.
    let study = evaluate(
        &SupplyInputs {
            follow_up_bearer: Bearer::Maker,
            ..s
        },
        1.0,
        0.0,
    );
    assert_eq!(study.costs.maker(), 13_000_000.0);
    assert_eq!(study.costs.product_cost(), 12_000_000.0);
}

#[test]
fn launch_delay_costs_the_waiting_patients_part_of_their_gain() {
    let s = SupplyInputs {
        launch_delay_months: 18.0,
        eligible_per_year: 200.0,
        share_of_gain_lost_waiting: 0.25,
        ..SupplyInputs::default()
    };
    // 1.5 years x 200 patients x 25% x 2 QALYs = 150 QALYs.
    assert_eq!(evaluate(&s, 2.0, 0.0).launch_delay_qalys_lost, 150.0);
}
