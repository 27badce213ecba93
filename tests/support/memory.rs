//! What the NTM's and the DNC's tests share: their fixtures, the
//! finite-difference check of backpropagation through time, the copy
//! experiment on a short setting, and the bundled weights copying in the
//! lab.
//!
//! A test file takes it in at its top with
//!
//! ```ignore
//! #[path = "support/memory.rs"]
//! mod memory;
//! ```

#![allow(dead_code)]

use ndarray::Array2;
use nnzoo::model::memory::copy_task::{self, MemoryNetwork};
use nnzoo::model::memory::network;
use nnzoo::model::{self, Weights};
use rand::rngs::StdRng;
use serde_json::Value;

pub fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/torch/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("JSON")
}

/// The error text of the lab `key` built from a file of `weights`.
pub fn lab_refuses(key: &str, weights: &Weights) -> String {
    let spec = model::find(key).expect("registered");
    let path =
        std::env::temp_dir().join(format!("nnzoo-{key}-{}-weights.json", std::process::id()));
    std::fs::write(&path, network::weights_json(weights)).expect("a temporary file");
    let mut params = spec.default_params();
    params
        .set("weights", &path.display().to_string())
        .expect("a path");
    let err = (spec.build)(&params, 1).err().expect("refused");
    let _ = std::fs::remove_file(path);
    err.to_string()
}

/// Through `load_weights` too: the lab `key` refuses `bad` and loads
/// `good`.
pub fn lab_loads_only(key: &str, bad: &Weights, good: &Weights) {
    let spec = model::find(key).expect("registered");
    let mut lab = (spec.build)(&spec.default_params(), 1).expect("builds");
    assert!(lab.load_weights(bad).is_err());
    lab.load_weights(good).expect("the right shape loads");
}

/// The summed BCE of every recall bit of `seq`.
fn loss<N: MemoryNetwork>(net: &N, seq: &copy_task::Sequence) -> f64 {
    let steps = net.run(seq.inputs.view());
    seq.targets
        .rows()
        .into_iter()
        .enumerate()
        .map(|(k, t)| {
            network::bce_with_logits(N::logits(&steps[seq.recall_start() + k]).view(), t).0
        })
        .sum()
}

/// Holds every weight's gradient of `net`, its tensors named `names`, on
/// one sequence of three vectors of `bits` bits drawn from `rng`, to
/// central differences.
pub fn check_backward_through_time<N: MemoryNetwork>(
    mut net: N,
    names: &[&str],
    bits: usize,
    rng: &mut StdRng,
) {
    // Larger weights than the start's, so that every path carries gradient.
    for t in net.tensors_mut() {
        t.iter_mut().for_each(|v| *v *= 2.5);
    }
    let seq = copy_task::sequence(bits, 3, rng);
    let steps = net.run(seq.inputs.view());
    let mut grad_logits = Array2::zeros((steps.len(), bits));
    for (k, t) in seq.targets.rows().into_iter().enumerate() {
        let row = seq.recall_start() + k;
        grad_logits
            .row_mut(row)
            .assign(&network::bce_with_logits(N::logits(&steps[row]).view(), t).1);
    }
    let mut grads = net.zero_grads();
    net.backward(&steps, grad_logits.view(), &mut grads);
    let eps = 1e-6;
    let analytic: Vec<Vec<f64>> = N::grads(&grads).iter().map(|t| t.to_vec()).collect();
    for (k, name) in names.iter().enumerate() {
        let mut worst: f64 = 0.0;
        let mut largest: f64 = 0.0;
        for (i, &grad) in analytic[k].iter().enumerate() {
            let original = net.tensors_mut()[k][i];
            net.tensors_mut()[k][i] = original + eps;
            let up = loss(&net, &seq);
            net.tensors_mut()[k][i] = original - eps;
            let down = loss(&net, &seq);
            net.tensors_mut()[k][i] = original;
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

/// Runs the copy experiment `name` on a short setting (`rows` memory rows,
/// training lengths 1 to `max_length`, held-out lengths to `long`) and
/// checks that the network learns something.
pub fn check_the_experiment_learns(name: &str, rows: i64, max_length: i64, long: i64) {
    let experiment = nnzoo::experiment::find(name).expect("registered");
    let mut settings = experiment.default_settings();
    for (name, value) in [
        ("sequences", 960),
        ("batch", 8),
        ("rows", rows),
        ("width", 6),
        ("hidden", 24),
        ("max_length", max_length),
        ("long", long),
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

/// The lab `key` with its bundled weights, checked to have `stages` stages,
/// copies one sequence of length 6 (13 steps; the next sequence's first
/// step counts its errors): its status line, and the bit error rate in it.
pub fn bundled_lab_bit_errors(key: &str, stages: usize) -> (f64, String) {
    let spec = model::find(key).expect("registered");
    let mut lab = (spec.build)(&spec.default_params(), 7).expect("builds");
    assert_eq!(lab.stage_count(), stages);
    for _ in 0..14 {
        lab.step();
    }
    let status = lab.status().expect("a status").text.en.to_string();
    let rate: f64 = status
        .rsplit(' ')
        .next()
        .and_then(|r| r.parse().ok())
        .unwrap_or_else(|| panic!("no bit error rate in {status}"));
    (rate, status)
}
