//! The recurrent cells and bidirectional layers against PyTorch: every
//! tensor of every rnn, lstm, gru and bi* fixture (states and gates, every
//! step) to 1e-5 absolute, with the weights from the fixture's JSON params
//! and from its safetensors export.

use nnzoo::eval;
use nnzoo::model::{self, ViewContent, weights};
use nnzoo::view::History;
use serde_json::Value;
use std::path::PathBuf;

const TOLERANCE: f64 = 1e-5;

const FIXTURES: &[&str] = &[
    "rnn_cell_tanh_small",
    "rnn_cell_relu_batch",
    "lstm_cell_small",
    "lstm_cell_batch",
    "lstm_cell_wide",
    "gru_cell_small",
    "gru_cell_batch",
    "gru_cell_wide",
    "birnn",
    "bilstm",
    "bigru",
];

fn path(name: &str, ext: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/torch/{name}.{ext}"))
}

fn load(name: &str) -> Value {
    let text = std::fs::read_to_string(path(name, "json")).expect("fixture present");
    serde_json::from_str(&text).expect("fixture is JSON")
}

fn expected(fixture: &Value, name: &str) -> (Vec<usize>, Vec<f64>) {
    let t = &fixture["expected"][name];
    let shape = t["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect();
    let data = t["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    (shape, data)
}

/// Largest error over every expected tensor; fails on a missing or
/// misshapen one.
fn max_error(fixture: &Value, outputs: &eval::Outputs) -> f64 {
    let names: Vec<&String> = fixture["expected"].as_object().unwrap().keys().collect();
    assert_eq!(
        names.len(),
        outputs.len(),
        "computed {:?}, expected {names:?}",
        outputs.iter().map(|(n, _)| n).collect::<Vec<_>>()
    );
    let mut worst = 0.0f64;
    for name in names {
        let (shape, want) = expected(fixture, name);
        let (_, got) = outputs
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("`{name}` not computed"));
        assert_eq!(got.shape, shape, "shape of `{name}`");
        for (i, (&g, &w)) in got.data.iter().zip(&want).enumerate() {
            let err = (f64::from(g) - w).abs();
            assert!(err < TOLERANCE, "`{name}`[{i}]: {g} vs {w}");
            worst = worst.max(err);
        }
    }
    worst
}

#[test]
fn every_fixture_matches_pytorch_from_its_json_params() {
    for name in FIXTURES {
        let fixture = load(name);
        let outputs = eval::evaluate(&fixture, None).unwrap_or_else(|e| panic!("{name}: {e}"));
        let worst = max_error(&fixture, &outputs);
        eprintln!("{name:22} json params:  max abs error {worst:.3e}");
    }
}

#[test]
fn every_fixture_matches_pytorch_from_its_safetensors_export() {
    for name in FIXTURES {
        let fixture = load(name);
        let weights = weights::read(&path(name, "safetensors")).unwrap();
        let outputs =
            eval::evaluate(&fixture, Some(&weights)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let worst = max_error(&fixture, &outputs);
        eprintln!("{name:22} safetensors: max abs error {worst:.3e}");
    }
}

#[test]
fn the_safetensors_exports_hold_the_json_params() {
    for name in FIXTURES {
        let from_json = weights::from_json_value(&load(name)).unwrap();
        let from_file = weights::read(&path(name, "safetensors")).unwrap();
        assert_eq!(
            from_json.keys().collect::<Vec<_>>(),
            from_file.keys().collect::<Vec<_>>()
        );
        for (key, t) in &from_json {
            assert_eq!(t.shape, from_file[key].shape, "{name} {key}");
        }
    }
}

/// The bidirectional models themselves (not only the evaluator): loaded
/// with the export, fed the fixture's first sequence through edits of the
/// input window, their `output` view is PyTorch's output.
#[test]
fn the_bidirectional_models_reproduce_pytorch_through_their_views() {
    for (name, key) in [("birnn", "birnn"), ("bilstm", "bilstm"), ("bigru", "bigru")] {
        let fixture = load(name);
        let (x_shape, x) = {
            let t = &fixture["inputs"]["x"];
            let shape: Vec<usize> = t["shape"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_u64().unwrap() as usize)
                .collect();
            let data: Vec<f64> = t["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            (shape, data)
        };
        let (steps, batch, input) = (x_shape[0], x_shape[1], x_shape[2]);
        let spec = model::find(key).unwrap();
        let mut params = spec.default_params();
        params.set("input", &input.to_string()).unwrap();
        params.set("hidden", "6").unwrap();
        params.set("length", &steps.to_string()).unwrap();
        let mut m = (spec.build)(&params, 1).unwrap();
        m.load_weights(&weights::read(&path(name, "safetensors")).unwrap())
            .unwrap();
        for t in 0..steps {
            for i in 0..input {
                m.edit("x", t * input + i, x[(t * batch) * input + i] as f32)
                    .unwrap();
            }
        }
        m.step();
        let views = m.views();
        let output = views.iter().find(|v| v.name == "output").unwrap();
        let ViewContent::History(History {
            rows, cols, values, ..
        }) = &output.content
        else {
            panic!("output is a history view");
        };
        let (_, want) = expected(&fixture, "output");
        assert_eq!((*rows, *cols), (steps, 12));
        for t in 0..steps {
            for k in 0..12 {
                let w = want[(t * batch) * 12 + k];
                let g = f64::from(values[t * 12 + k]);
                assert!(
                    (g - w).abs() < TOLERANCE,
                    "{name} output[{t}][{k}]: {g} vs {w}"
                );
            }
        }
    }
}
