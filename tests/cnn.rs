//! The seed's CNN lab: its shape table equals the seed's (the `lenet_shapes`
//! fixture, computed by PyTorch), every row of it shows the layer PyTorch's
//! module gives at that point, the softmax, entropy and argmax of the
//! predictions agree with PyTorch's, and the forward pass walks the table
//! row by row, one stage per row.

use ndarray::{Array2, ArrayD, IxDyn};
use nnzoo::model::convolutional::cnn::{self, Cnn};
use nnzoo::model::{self, Model, ViewContent};
use nnzoo::nn::Layer;
use serde_json::Value;
use std::path::PathBuf;

fn fixture(name: &str) -> Value {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/torch/{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn tensor(value: &Value) -> ArrayD<f32> {
    if let Some(list) = value.as_array() {
        let data: Vec<f32> = list.iter().map(|v| v.as_f64().unwrap() as f32).collect();
        return ArrayD::from_shape_vec(IxDyn(&[data.len()]), data).unwrap();
    }
    let shape: Vec<usize> = value["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect();
    let data = value["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap() as f32)
        .collect();
    ArrayD::from_shape_vec(IxDyn(&shape), data).unwrap()
}

fn cnn_with(batch: i64) -> Cnn {
    let mut params = model::find("cnn").unwrap().default_params();
    params.set("batch", &batch.to_string()).unwrap();
    Cnn::new(&params, 7).unwrap()
}

fn close(a: &ArrayD<f32>, b: &ArrayD<f32>, what: &str) {
    assert_eq!(a.shape(), b.shape(), "{what}");
    for (x, y) in a.iter().zip(b.iter()) {
        assert!(
            (x - y).abs() <= 1e-4 + 1e-4 * y.abs(),
            "{what}: {x} against {y}"
        );
    }
}

#[test]
fn the_shape_table_is_the_seeds_to_the_last_number() {
    let f = fixture("lenet_shapes");
    let model = cnn_with(2);
    let table = model.shape_table();
    let expected = f["shape_table"].as_array().unwrap();
    assert_eq!(table.rows.len(), expected.len());
    for (row, want) in table.rows.iter().zip(expected) {
        assert_eq!(row[0].en, want[0].as_str().unwrap());
        let shape: Vec<u64> = want[1]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap())
            .collect();
        assert_eq!(row[2].en, format!("{shape:?}"), "row {}", row[0].en);
    }
    assert_eq!(table.current, None, "no batch has passed yet");
}

#[test]
fn each_row_shows_what_pytorch_computes_there_and_the_predictions_agree() {
    let f = fixture("lenet_shapes");
    let mut net = cnn::network(0);
    let mut k = 0;
    let names = f["params"].as_object().unwrap();
    let order = [
        "conv1.weight",
        "conv1.bias",
        "conv2.weight",
        "conv2.bias",
        "fc1.weight",
        "fc1.bias",
        "fc2.weight",
        "fc2.bias",
        "out.weight",
        "out.bias",
    ];
    net.visit_params_mut(&mut |mut p| {
        let value = tensor(&names[order[k]]);
        assert_eq!(p.value.shape(), value.shape(), "{}", order[k]);
        p.value.assign(&value);
        k += 1;
    });
    assert_eq!(k, order.len());
    let x = tensor(&f["inputs"]["x"]);
    let rows = x.shape()[0];
    let flat = x.into_shape_with_order(IxDyn(&[rows, 784])).unwrap();
    let y = net.forward(flat.view());
    let expected = &f["expected"];
    let outputs = net.outputs();
    // The layers the table's rows show, in the seed's order.
    for (layer, name) in [
        (0, "identity"),
        (2, "conv1_relu"),
        (3, "pool1"),
        (5, "conv2_relu"),
        (6, "pool2"),
        (7, "flatten"),
        (9, "fc1_relu"),
        (11, "fc2_relu"),
        (12, "logits"),
    ] {
        close(&outputs[layer], &tensor(&expected[name]), name);
    }
    let y: Array2<f32> = y.into_dimensionality().unwrap();
    let p = nnzoo::nn::activation::softmax_rows(y.view());
    close(
        &p.clone().into_dyn(),
        &tensor(&expected["softmax"]),
        "softmax",
    );
    let entropy = tensor(&expected["entropy_nats"]);
    let argmax = tensor(&expected["argmax"]);
    for r in 0..rows {
        let row = p.row(r).to_vec();
        let h = cnn::entropy_nats(&row);
        assert!(
            (h - entropy[r]).abs() < 1e-4,
            "entropy {h} against {}",
            entropy[r]
        );
        let guess = nnzoo::train::argmax(row.iter().copied());
        assert_eq!(guess as f32, argmax[r], "argmax of row {r}");
    }
}

#[test]
fn the_entropy_leaves_out_zero_terms() {
    assert_eq!(cnn::entropy_nats(&[1.0, 0.0, 0.0]), 0.0);
    let h = cnn::entropy_nats(&[0.5, 0.5, 0.0]);
    assert!((h - std::f32::consts::LN_2).abs() < 1e-6);
}

fn table(model: &Cnn) -> nnzoo::view::Table {
    model.shape_table()
}

fn view_names(model: &Cnn) -> Vec<String> {
    model.views().iter().map(|v| v.name.to_string()).collect()
}

#[test]
fn the_forward_pass_walks_the_table_row_by_row() {
    let mut model = cnn_with(4);
    assert_eq!(model.stage_count(), 12);
    model.stage(); // 1: the batch
    assert_eq!(table(&model).current, Some(0));
    assert!(view_names(&model).contains(&"digit".to_string()));
    for row in 1..9 {
        model.stage();
        assert_eq!(table(&model).current, Some(row), "stage {}", row + 1);
        let names = view_names(&model);
        assert_eq!(
            names.contains(&"maps_conv1".to_string()),
            row >= 1,
            "row {row}: {names:?}"
        );
        assert_eq!(names.contains(&"maps_pool2".to_string()), row >= 4);
        assert_eq!(names.contains(&"probabilities".to_string()), row == 8);
    }
    assert_eq!(table(&model).rows[1][2].en, "[4, 6, 24, 24]");
    let probabilities = model
        .views()
        .into_iter()
        .find(|v| v.name == "probabilities")
        .unwrap();
    let ViewContent::Vector(v) = probabilities.content else {
        panic!("a vector");
    };
    let sum: f32 = v.values.iter().sum();
    assert!((sum - 1.0).abs() < 1e-5);
    // Loss, gradients, update: the step ends and the clock moves on.
    for _ in 0..3 {
        model.stage();
    }
    assert_eq!(model.next_stage(), 0);
    assert_eq!(model.steps_done(), 1);
    assert_eq!(table(&model).current, None);
}

/// `cnn-digits` on a short setting: one epoch in minibatches of 4 already
/// takes LeNet far past chance (10%) on the held-out digits (0.83 at seed
/// 1), and the metrics are what the experiment reports.
#[test]
fn the_cnn_experiment_learns_the_digits_in_one_epoch() {
    let cnn_digits = nnzoo::experiment::find("cnn-digits").expect("registered");
    assert_eq!(cnn_digits.models, &["cnn"]);
    let mut settings = cnn_digits.default_settings();
    settings.set("epochs", "1").unwrap();
    settings.set("batch", "4").unwrap();
    let report = (cnn_digits.run)(&settings, 1, &mut nnzoo::work::unwatched).unwrap();
    let accuracy = report.metric("test_accuracy").unwrap();
    assert!(accuracy >= 0.7, "test accuracy {accuracy} after one epoch");
    let loss = report.metric("test_loss").unwrap();
    assert!(
        loss < 1.5,
        "test loss {loss} after one epoch (ln 10 = 2.30 at chance)"
    );
    assert!(report.metric("train_seconds").unwrap() > 0.0);
}
