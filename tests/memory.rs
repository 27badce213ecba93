//! The Neural Turing Machine: its addressing held to the `ntm_addressing_*`
//! fixtures, its backward pass through time checked by finite differences,
//! the `ntm-copy` experiment on a short setting, weights of the wrong shape
//! refused, and its lab at 80x24 and 120x40 in English and Chinese.

#[path = "support/lab_screen.rs"]
mod lab_screen;
#[path = "support/memory.rs"]
mod memory;

use lab_screen::{lab_with, snapshots};
use memory::fixture;
use nnzoo::model::memory::network::{self, Ntm, Shape};
use nnzoo::text::Lang;
use rand::SeedableRng;
use rand::rngs::StdRng;

#[test]
fn addressing_matches_the_fixtures() {
    for name in [
        "ntm_addressing_example",
        "ntm_addressing_random1",
        "ntm_addressing_random2",
    ] {
        let f = fixture(name);
        let outputs = nnzoo::eval::evaluate(&f, None).expect("evaluates");
        let rows = nnzoo::eval::compare(&f, &outputs).expect("compares");
        assert_eq!(rows.len(), 8, "{name}: every expected tensor");
        for row in rows {
            let error = row
                .error
                .unwrap_or_else(|| panic!("{name}: {} not compared", row.name));
            assert!(error < 1e-6, "{name}: {} off by {error}", row.name);
        }
    }
}

#[test]
fn a_fixture_with_too_few_rows_is_an_error_not_a_panic() {
    let mut f = fixture("ntm_addressing_example");
    f["inputs"]["M"] = serde_json::json!({"shape": [2, 3], "data": [1, 2, 3, 4, 5, 6]});
    let err = nnzoo::eval::evaluate(&f, None).expect_err("two rows cannot shift");
    assert!(err.to_string().contains("`M`"), "{err}");
}

#[test]
fn backward_through_time_matches_finite_differences() {
    let mut rng = StdRng::seed_from_u64(3);
    let shape = Shape {
        bits: 3,
        rows: 5,
        width: 4,
        hidden: 6,
    };
    let ntm = Ntm::new(shape, &mut rng);
    memory::check_backward_through_time(ntm, &network::NAMES, 3, &mut rng);
}

#[test]
fn the_experiment_learns_short_sequences() {
    memory::check_the_experiment_learns("ntm-copy", 8, 3, 5);
}

#[test]
fn weights_of_the_wrong_shape_are_refused_with_a_clear_error() {
    let mut rng = StdRng::seed_from_u64(1);
    let ntm = Ntm::new(
        Shape {
            bits: 8,
            rows: 6,
            width: 4,
            hidden: 5,
        },
        &mut rng,
    );
    let mut weights = ntm.to_weights();
    // A read head of the wrong size.
    weights.get_mut("read_head.weight").expect("a tensor").shape = vec![9, 5];
    weights
        .get_mut("read_head.weight")
        .expect("a tensor")
        .data
        .truncate(45);
    let text = memory::lab_refuses("ntm", &weights);
    assert!(
        text.contains("read_head.weight")
            && text.contains("[9, 5]")
            && text.contains("expected [10, 5]"),
        "{text}"
    );
    memory::lab_loads_only("ntm", &weights, &ntm.to_weights());
}

#[test]
fn the_bundled_weights_copy_a_sequence_in_the_lab() {
    let (rate, status) = memory::bundled_lab_bit_errors("ntm", 8);
    assert!(rate <= 0.05, "the trained NTM copies badly: {status}");
}

// Seven steps, then three stages into the eighth.
snapshots! {
    ntm_80x24_english: lab_with("ntm", &[], "nnnnnnnmmm"), 80 x 24, Lang::En;
    ntm_80x24_chinese: lab_with("ntm", &[], "nnnnnnnmmm"), 80 x 24, Lang::Zh;
    ntm_120x40_english: lab_with("ntm", &[], "nnnnnnnmmm"), 120 x 40, Lang::En;
    ntm_120x40_chinese: lab_with("ntm", &[], "nnnnnnnmmm"), 120 x 40, Lang::Zh;
}
