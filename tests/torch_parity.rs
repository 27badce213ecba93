//! The learning core against its references: for every fixture below,
//! `nnzoo::eval` computes the module from the fixture's `params`, `options`
//! and `inputs` alone, and every tensor of the fixture's `expected` must
//! agree as its README says: |got - want| <= tol * max(1, max |want|), with
//! integer results exact. (The recurrent cells have their own test,
//! `cells_parity`, which also loads their safetensors exports.)

use nnzoo::eval;
use nnzoo::model::{Weights, weights};
use serde_json::Value;
use std::path::PathBuf;

/// (fixture, tolerance) for every kind the learning core computes.
const FIXTURES: &[(&str, f64)] = &[
    ("elm_rbf_elm", 1e-4),
    ("elm_rbf_rbf", 1e-4),
    ("som_step", 1e-5),
    ("esn_states", 1e-4),
    ("conv2d_backward_plain", 1e-5),
    ("conv2d_backward_stride2_pad1", 1e-5),
    ("conv2d_backward_dilation2", 1e-5),
    ("conv2d_backward_stride2_dilation2", 1e-5),
    ("conv_transpose2d", 1e-5),
    ("conv_transpose2d_backward_plain", 1e-5),
    ("conv_transpose2d_backward_stride2_pad1_outpad1", 1e-5),
    ("conv_transpose2d_backward_k4_stride2_pad1", 1e-5),
    ("time_delay_conv1d", 1e-5),
    ("pool_interp", 1e-5),
    ("pool_backward", 1e-5),
    ("residual_block", 1e-5),
    ("residual_block_backward", 1e-5),
    ("lenet_shapes", 1e-4),
    ("lenet_train_step", 1e-4),
    ("mlp_train_step", 1e-5),
    ("losses_mse", 1e-5),
    ("losses_cross_entropy", 1e-5),
    ("losses_bce_with_logits", 1e-5),
    ("losses_bce_sigmoid_sum", 1e-5),
    ("losses_kl_normal", 1e-5),
    ("optim_steps_sgd_momentum", 1e-5),
    ("optim_steps_adam", 1e-5),
    ("optim_steps_adam_weight_decay", 1e-5),
    ("rbm_cd", 1e-5),
    ("markov_chain_small", 1e-5),
    ("markov_chain_large", 1e-5),
    ("entropy", 1e-5),
    ("argmax_dims", 1e-5),
];

fn load(name: &str) -> Value {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/torch/{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("fixture is JSON")
}

/// The expected value `name` as (shape, flat data): a tensor object, a
/// plain number or a (nested) list of numbers.
fn expected(value: &Value) -> (Vec<usize>, Vec<f64>) {
    if let (Some(shape), Some(data)) = (value.get("shape"), value.get("data")) {
        let shape = shape
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap() as usize)
            .collect();
        let data = data
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        return (shape, data);
    }
    fn flatten(value: &Value, shape: &mut Vec<usize>, depth: usize, data: &mut Vec<f64>) {
        match value {
            Value::Array(items) => {
                if shape.len() == depth {
                    shape.push(items.len());
                }
                for item in items {
                    flatten(item, shape, depth + 1, data);
                }
            }
            other => data.push(other.as_f64().expect("a number")),
        }
    }
    let mut shape = Vec::new();
    let mut data = Vec::new();
    flatten(value, &mut shape, 0, &mut data);
    (shape, data)
}

/// Checks every expected tensor of fixture `name`; returns the worst error
/// relative to max(1, max |want|).
fn check(name: &str, tolerance: f64) -> f64 {
    check_with(name, tolerance, None)
}

/// [`check`], with `weights` in place of the fixture's `params` if given.
fn check_with(name: &str, tolerance: f64, weights: Option<&Weights>) -> f64 {
    let fixture = load(name);
    let outputs = eval::evaluate(&fixture, weights).unwrap_or_else(|e| panic!("{name}: {e}"));
    let wanted = fixture["expected"].as_object().expect("`expected` object");
    let mut worst = 0.0f64;
    for (key, value) in wanted {
        let (shape, want) = expected(value);
        let (_, got) = outputs
            .iter()
            .find(|(n, _)| n == key)
            .unwrap_or_else(|| panic!("{name}: `{key}` not computed"));
        assert_eq!(got.data.len(), want.len(), "{name}: size of `{key}`");
        if !shape.is_empty() {
            assert_eq!(got.shape, shape, "{name}: shape of `{key}`");
        }
        let scale = want.iter().fold(1.0f64, |m, w| m.max(w.abs()));
        for (i, (&g, &w)) in got.data.iter().zip(&want).enumerate() {
            let err = (f64::from(g) - w).abs() / scale;
            assert!(
                err <= tolerance,
                "{name}: `{key}`[{i}] = {g}, PyTorch {w} (tolerance {tolerance} x {scale})"
            );
            worst = worst.max(err);
        }
    }
    worst
}

#[test]
fn every_learning_core_fixture_matches_its_reference() {
    for &(name, tolerance) in FIXTURES {
        let worst = check(name, tolerance);
        println!("{name}: worst relative error {worst:.2e}");
    }
}

/// The fixtures whose module has a `state_dict`, computed from its
/// safetensors export (float32, PyTorch's names) instead of the JSON params.
const SAFETENSORS: &[(&str, f64)] = &[
    ("conv2d_backward_stride2_dilation2", 1e-5),
    ("conv_transpose2d", 1e-5),
    ("conv_transpose2d_backward_k4_stride2_pad1", 1e-5),
    ("residual_block_backward", 1e-5),
    ("lenet_shapes", 1e-4),
    ("lenet_train_step", 1e-4),
];

#[test]
fn safetensors_exports_load_by_their_state_dict_names() {
    for &(name, tolerance) in SAFETENSORS {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join(format!("tests/fixtures/torch/{name}.safetensors"));
        let weights = weights::read(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let worst = check_with(name, tolerance, Some(&weights));
        println!("{name} (safetensors): worst relative error {worst:.2e}");
    }
}
