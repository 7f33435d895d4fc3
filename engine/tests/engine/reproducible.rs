//! A run is a function of scenario, seed and draw count: identical to the last bit for any
//! thread count and any block size.

use tenbin_engine::run::{Analysis, Psa, RunOptions};

use crate::common::reference_model;

fn run(threads: usize, block_size: usize) -> Psa {
    let sc = reference_model();
    let opts = RunOptions {
        seed: 42,
        draws: 3000,
        threads: Some(threads),
        block_size,
        keep_parameters: true,
    };
    Analysis::new(&sc).psa(&opts, &|_| {}).unwrap()
}

#[test]
fn same_bits_for_any_thread_count_and_block_size() {
    let reference = run(1, 1024);
    for (threads, block) in [(2, 1024), (2, 1), (1, 7), (2, 100), (3, 333)] {
        let other = run(threads, block);
        assert_eq!(
            reference.outcomes, other.outcomes,
            "outcomes, {threads} threads, blocks of {block}"
        );
        assert_eq!(
            reference.parameters, other.parameters,
            "parameters, {threads} threads, blocks of {block}"
        );
        assert_eq!(
            reference.occupancy_mean, other.occupancy_mean,
            "occupancy, {threads} threads, blocks of {block}"
        );
    }
}

#[test]
fn a_draw_does_not_depend_on_how_many_draws_follow() {
    let sc = reference_model();
    let a = Analysis::new(&sc);
    let short = a
        .psa(
            &RunOptions {
                seed: 9,
                draws: 17,
                ..Default::default()
            },
            &|_| {},
        )
        .unwrap();
    let long = a
        .psa(
            &RunOptions {
                seed: 9,
                draws: 1000,
                ..Default::default()
            },
            &|_| {},
        )
        .unwrap();
    assert_eq!(short.outcomes[..], long.outcomes[..short.outcomes.len()]);
    let other_seed = a
        .psa(
            &RunOptions {
                seed: 10,
                draws: 17,
                ..Default::default()
            },
            &|_| {},
        )
        .unwrap();
    assert_ne!(short.outcomes, other_seed.outcomes);
}

#[test]
fn psa_occupancy_mean_is_the_mean_of_each_draws_trace() {
    let sc = reference_model();
    let a = Analysis::new(&sc);
    let psa = a
        .psa(
            &RunOptions {
                seed: 3,
                draws: 50,
                keep_parameters: true,
                ..Default::default()
            },
            &|_| {},
        )
        .unwrap();
    let params = psa.parameters.as_ref().unwrap();
    let mut mean = vec![0.0; psa.occupancy_mean.len()];
    for (i, d) in params.chunks(psa.slot_count).enumerate() {
        let e = a.evaluate(d).unwrap();
        // The same draw through the base-case path gives the same outcome, to the bit.
        assert_eq!(e.arms[..], psa.outcomes[i * psa.arms..(i + 1) * psa.arms]);
        for (m, x) in mean.iter_mut().zip(&e.occupancy) {
            *m += x / 50.0;
        }
    }
    for (i, (got, want)) in psa.occupancy_mean.iter().zip(&mean).enumerate() {
        assert!((got - want).abs() < 1e-12, "point {i}: {got} vs {want}");
    }
    // Year 0 of the gene-therapy arm: p_resp expressing; the dead state starts empty.
    let points = sc.settings.horizon_years as usize + 1;
    let first_draws: f64 = params
        .chunks(psa.slot_count)
        .map(|d| d[sc.slot_of("p_resp").unwrap()])
        .sum::<f64>()
        / 50.0;
    assert!((psa.occupancy_mean[0] - first_draws).abs() < 1e-12);
    assert!(psa.occupancy_mean[2 * points].abs() < 1e-12);
}
