//! A run is a function of scenario, seed and draw count: identical to the last bit for any
//! thread count and any block size.

use tenbin_engine::run::{Analysis, Psa, RunOptions};
use tenbin_engine::scenario::Scenario;

const MODEL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../models/reference/durable-gene-therapy.toml"
);

fn run(threads: usize, block_size: usize) -> Psa {
    let sc = Scenario::load(MODEL.as_ref()).unwrap();
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
    let sc = Scenario::load(MODEL.as_ref()).unwrap();
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
