//! The Neural Turing Machine: its addressing held to the `ntm_addressing_*`
//! fixtures, its backward pass through time checked by finite differences,
//! the `ntm-copy` experiment on a short setting, weights of the wrong shape
//! refused, and its lab at 80x24 and 120x40 in English and Chinese.

#[path = "support/lab_screen.rs"]
mod lab_screen;

use lab_screen::{lab_with, snapshots};
use ndarray::Array2;
use nnzoo::model;
use nnzoo::model::memory::copy_task;
use nnzoo::model::memory::network::{self, Ntm, Shape};
use nnzoo::text::Lang;
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/torch/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("JSON")
}

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

/// The summed BCE of every recall bit of `seq`.
fn loss(ntm: &Ntm, seq: &copy_task::Sequence) -> f64 {
    let steps = ntm.run(seq.inputs.view());
    seq.targets
        .rows()
        .into_iter()
        .enumerate()
        .map(|(k, t)| network::bce_with_logits(steps[seq.recall_start() + k].logits.view(), t).0)
        .sum()
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
    let mut ntm = Ntm::new(shape, &mut rng);
    // Larger weights than the start's, so that every path carries gradient.
    for t in ntm.params.tensors_mut() {
        t.iter_mut().for_each(|v| *v *= 2.5);
    }
    let seq = copy_task::sequence(3, 3, &mut rng);
    let steps = ntm.run(seq.inputs.view());
    let mut grad_logits = Array2::zeros((steps.len(), 3));
    for (k, t) in seq.targets.rows().into_iter().enumerate() {
        let row = seq.recall_start() + k;
        grad_logits
            .row_mut(row)
            .assign(&network::bce_with_logits(steps[row].logits.view(), t).1);
    }
    let mut grads = ntm.zero_grads();
    ntm.backward(&steps, grad_logits.view(), &mut grads);
    let eps = 1e-6;
    let analytic: Vec<Vec<f64>> = grads.tensors().iter().map(|t| t.to_vec()).collect();
    for (k, name) in network::NAMES.iter().enumerate() {
        let mut worst: f64 = 0.0;
        let mut largest: f64 = 0.0;
        for (i, &grad) in analytic[k].iter().enumerate() {
            let original = ntm.params.tensors()[k][i];
            ntm.params.tensors_mut()[k][i] = original + eps;
            let up = loss(&ntm, &seq);
            ntm.params.tensors_mut()[k][i] = original - eps;
            let down = loss(&ntm, &seq);
            ntm.params.tensors_mut()[k][i] = original;
            let numeric = (up - down) / (2.0 * eps);
            worst = worst.max((numeric - grad).abs());
            largest = largest.max(numeric.abs());
        }
        assert!(largest > 1e-4, "{name}: no gradient reaches it ({largest})");
        assert!(
            worst < 1e-6 * largest.max(1.0),
            "{name}: off by {worst} (largest {largest})"
        );
    }
}

#[test]
fn the_experiment_learns_short_sequences() {
    let experiment = nnzoo::experiment::find("ntm-copy").expect("registered");
    let mut settings = experiment.default_settings();
    for (name, value) in [
        ("sequences", 960),
        ("batch", 8),
        ("rows", 8),
        ("width", 6),
        ("hidden", 24),
        ("max_length", 3),
        ("long", 5),
        ("lstm_hidden", 16),
        ("lstm_sequences", 160),
        ("held_out", 4),
        ("report", 320),
    ] {
        settings.set(name, &value.to_string()).expect("a setting");
    }
    settings.set("lr", "0.01").expect("lr");
    let outcome = (experiment.run)(&settings, 1, &mut nnzoo::work::unwatched).expect("runs");
    let curve = &outcome
        .series
        .iter()
        .find(|(n, _)| *n == "loss_bits")
        .expect("a curve")
        .1;
    assert_eq!(curve.len(), 3, "{curve:?}");
    // Random guessing costs 1 bit per output bit; the loss must fall well below.
    assert!(
        curve[2] < 0.8 * curve[0],
        "the loss did not fall: {curve:?}"
    );
    let metric = |name| {
        outcome
            .metrics
            .iter()
            .find(|(n, _)| *n == name)
            .expect("a metric")
            .1
    };
    assert!(
        metric("bit_error_rate") < 0.4,
        "{}",
        metric("bit_error_rate")
    );
    assert!((0.0..=1.0).contains(&metric("lstm_bit_error_rate_long")));
}

fn write_temp(name: &str, text: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("nnzoo-memory-{}-{name}", std::process::id()));
    std::fs::write(&path, text).expect("a temporary file");
    path
}

#[test]
fn weights_of_the_wrong_shape_are_refused_with_a_clear_error() {
    let spec = model::find("ntm").expect("registered");
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
    let path = write_temp("bad.json", &network::weights_json(&weights));
    let mut params = spec.default_params();
    params
        .set("weights", &path.display().to_string())
        .expect("a path");
    let err = (spec.build)(&params, 1).err().expect("refused");
    let text = err.to_string();
    assert!(
        text.contains("read_head.weight")
            && text.contains("[9, 5]")
            && text.contains("expected [10, 5]"),
        "{text}"
    );
    // Through `load_weights` too, and a file of the right shape loads.
    let mut lab = (spec.build)(&spec.default_params(), 1).expect("builds");
    assert!(lab.load_weights(&weights).is_err());
    let good = ntm.to_weights();
    lab.load_weights(&good).expect("the right shape loads");
    let _ = std::fs::remove_file(path);
}

#[test]
fn the_bundled_weights_copy_a_sequence_in_the_lab() {
    let spec = model::find("ntm").expect("registered");
    let mut lab = (spec.build)(&spec.default_params(), 7).expect("builds");
    let stages = lab.stage_count();
    assert_eq!(stages, 8);
    // Length 6: 13 steps, then the next sequence's first step counts its errors.
    for _ in 0..14 {
        lab.step();
    }
    let status = lab.status().expect("a status").text.en;
    let rate: f64 = status
        .rsplit(' ')
        .next()
        .and_then(|r| r.parse().ok())
        .unwrap_or_else(|| panic!("no bit error rate in {status}"));
    assert!(rate <= 0.05, "the trained NTM copies badly: {status}");
}

// Seven steps, then three stages into the eighth.
snapshots! {
    ntm_80x24_english: lab_with("ntm", &[], "nnnnnnnmmm"), 80 x 24, Lang::En;
    ntm_80x24_chinese: lab_with("ntm", &[], "nnnnnnnmmm"), 80 x 24, Lang::Zh;
    ntm_120x40_english: lab_with("ntm", &[], "nnnnnnnmmm"), 120 x 40, Lang::En;
    ntm_120x40_chinese: lab_with("ntm", &[], "nnnnnnnmmm"), 120 x 40, Lang::Zh;
}
