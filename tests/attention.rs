//! Attention: scaled dot-product and multi-head attention held to PyTorch
//! and to finite differences, the attention network learning to reverse
//! digits, its experiment on a short setting, and its lab on screen.

#[path = "support/lab_screen.rs"]
mod lab_screen;

use ndarray::{Array3, ArrayD, ArrayViewD};
use nnzoo::eval;
use nnzoo::model::Weights;
use nnzoo::nn::Layer;
use nnzoo::nn::attention::{MultiheadAttention, scaled_dot_product, scaled_dot_product_backward};
use nnzoo::nn::gradcheck;
use nnzoo::nn::vars::VarBuilder;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;
use std::path::PathBuf;

fn load(name: &str) -> Value {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/torch/{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("fixture is JSON")
}

/// Every expected tensor of fixture `name` against nnzoo's, relative to
/// max(1, max |want|) as the fixtures' README asks; the worst error.
fn check(fixture: &Value, tolerance: f64, weights: Option<&Weights>) -> f64 {
    let outputs = eval::evaluate(fixture, weights).unwrap_or_else(|e| panic!("{e}"));
    let wanted = fixture["expected"].as_object().expect("`expected` object");
    let mut worst = 0.0f64;
    for (key, value) in wanted {
        let shape: Vec<usize> = value["shape"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap() as usize)
            .collect();
        let want: Vec<f64> = value["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let (_, got) = outputs
            .iter()
            .find(|(n, _)| n == key)
            .unwrap_or_else(|| panic!("`{key}` not computed"));
        assert_eq!(got.shape, shape, "shape of `{key}`");
        let scale = want.iter().fold(1.0f64, |m, w| m.max(w.abs()));
        for (i, (&g, &w)) in got.data.iter().zip(&want).enumerate() {
            let err = (f64::from(g) - w).abs() / scale;
            assert!(
                err <= tolerance,
                "`{key}`[{i}] = {g}, PyTorch {w} (tolerance {tolerance} x {scale})"
            );
            worst = worst.max(err);
        }
    }
    worst
}

#[test]
fn scaled_dot_product_attention_matches_pytorch() {
    let worst = check(&load("attention"), 1e-5, None);
    println!("attention: worst relative error {worst:.2e}");
}

#[test]
fn multihead_attention_matches_pytorch_from_json_and_safetensors() {
    let fixture = load("multihead_attention");
    let worst = check(&fixture, 1e-5, None);
    println!("multihead_attention: worst relative error {worst:.2e}");
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/torch/multihead_attention.safetensors");
    let weights = nnzoo::model::weights::read(&path).unwrap();
    let worst = check(&fixture, 1e-5, Some(&weights));
    println!("multihead_attention (safetensors): worst relative error {worst:.2e}");
}

/// The same module laid out sequence first (`batch_first=False`, PyTorch's
/// default) gives the same numbers, transposed.
#[test]
fn multihead_attention_takes_sequence_first_inputs() {
    let mut fixture = load("multihead_attention");
    fixture["options"]["batch_first"] = Value::Bool(false);
    for name in ["q", "k", "v"] {
        fixture["inputs"][name] = transposed(&fixture["inputs"][name]);
    }
    fixture["expected"]["out"] = transposed(&fixture["expected"]["out"]);
    check(&fixture, 1e-5, None);
}

/// A `{"shape": [a, b, c], "data"}` tensor with its first two axes swapped.
fn transposed(t: &Value) -> Value {
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
    let a = ndarray::Array3::from_shape_vec((shape[0], shape[1], shape[2]), data).unwrap();
    let b = a.permuted_axes([1, 0, 2]);
    serde_json::json!({
        "shape": [shape[1], shape[0], shape[2]],
        "data": b.iter().copied().collect::<Vec<f64>>(),
    })
}

#[test]
fn a_wrong_attention_fixture_is_a_clear_error() {
    let mut fixture = load("multihead_attention");
    fixture["options"]["num_heads"] = Value::from(3);
    let err = eval::evaluate(&fixture, None).unwrap_err().to_string();
    assert!(err.contains("not divisible by 3 heads"), "{err}");
    let mut fixture = load("multihead_attention");
    fixture["inputs"]["v"] = fixture["inputs"]["q"].clone();
    let err = eval::evaluate(&fixture, None).unwrap_err().to_string();
    assert!(err.contains("key has 4 positions and value 3"), "{err}");
    let mut fixture = load("attention");
    fixture["inputs"]["mask"] = fixture["inputs"]["q"].clone();
    let err = eval::evaluate(&fixture, None).unwrap_err().to_string();
    assert!(err.contains("`mask`"), "{err}");
    let mut fixture = load("attention");
    fixture["inputs"]
        .as_object_mut()
        .unwrap()
        .remove("k")
        .unwrap();
    let err = eval::evaluate(&fixture, None).unwrap_err().to_string();
    assert!(err.contains("no `k`"), "{err}");
    let mut fixture = load("multihead_attention");
    fixture["params"]
        .as_object_mut()
        .unwrap()
        .remove("out_proj.bias")
        .unwrap();
    let err = eval::evaluate(&fixture, None).unwrap_err().to_string();
    assert!(err.contains("out_proj.bias"), "{err}");
}

fn random(shape: (usize, usize, usize), rng: &mut StdRng) -> Array3<f32> {
    Array3::from_shape_simple_fn(shape, || rng.random_range(-1.0f32..1.0))
}

/// dL/dq, dL/dk, dL/dv of plain attention against finite differences of
/// L = Σ Y ⊙ r.
#[test]
fn scaled_dot_product_backward_matches_finite_differences() {
    let mut rng = StdRng::seed_from_u64(2);
    // Larger scores than a random draw of ±1 gives, so the softmax is
    // far from flat and its Jacobian matters.
    let q = random((1, 3, 4), &mut rng).mapv(|v| 2.5 * v);
    let k = random((1, 5, 4), &mut rng).mapv(|v| 2.5 * v);
    let v = random((1, 5, 3), &mut rng);
    let r = random((1, 3, 3), &mut rng).index_axis_move(ndarray::Axis(0), 0);
    let q2 = q.index_axis(ndarray::Axis(0), 0).to_owned();
    let k2 = k.index_axis(ndarray::Axis(0), 0).to_owned();
    let v2 = v.index_axis(ndarray::Axis(0), 0).to_owned();
    let (_, a) = scaled_dot_product(q2.view(), k2.view(), v2.view());
    let (gq, gk, gv) =
        scaled_dot_product_backward(q2.view(), k2.view(), v2.view(), a.view(), r.view());
    let loss = |q: ArrayViewD<'_, f32>, k: ArrayViewD<'_, f32>, v: ArrayViewD<'_, f32>| -> f64 {
        let (y, _) = scaled_dot_product(
            q.into_dimensionality().unwrap(),
            k.into_dimensionality().unwrap(),
            v.into_dimensionality().unwrap(),
        );
        y.iter()
            .zip(&r)
            .map(|(&y, &r)| f64::from(y) * f64::from(r))
            .sum()
    };
    let (qd, kd, vd) = (
        q2.clone().into_dyn(),
        k2.clone().into_dyn(),
        v2.clone().into_dyn(),
    );
    let eq = gradcheck::check_function(
        |q| loss(q, kd.view(), vd.view()),
        &qd,
        gq.view().into_dyn(),
        1e-2,
    );
    let ek = gradcheck::check_function(
        |k| loss(qd.view(), k, vd.view()),
        &kd,
        gk.view().into_dyn(),
        1e-2,
    );
    let ev = gradcheck::check_function(
        |v| loss(qd.view(), kd.view(), v),
        &vd,
        gv.view().into_dyn(),
        1e-2,
    );
    println!("dq {eq:.2e} dk {ek:.2e} dv {ev:.2e}");
    assert!(eq < 2e-3 && ek < 2e-3 && ev < 2e-3, "{eq} {ek} {ev}");
}

fn module(embed: usize, heads: usize, seed: u64) -> MultiheadAttention {
    let vb = VarBuilder::seeded(seed);
    let mut mha = MultiheadAttention::new(embed, heads, &vb).unwrap();
    // PyTorch zeroes both biases; non-zero ones make every bias gradient
    // count, and larger weights make the softmax sharper.
    let mut rng = StdRng::seed_from_u64(seed + 1);
    mha.in_proj_bias
        .mapv_inplace(|_| rng.random_range(-0.5f32..0.5));
    mha.in_proj_weight.mapv_inplace(|w| 2.0 * w);
    if let Some(b) = mha.out_proj.bias.as_mut() {
        b.mapv_inplace(|_| rng.random_range(-0.5f32..0.5));
    }
    mha
}

/// Self-attention as a layer: every parameter and the input, one or two
/// heads.
#[test]
fn multihead_self_attention_matches_finite_differences() {
    for heads in [1, 2] {
        let mut mha = module(4, heads, 7);
        let mut rng = StdRng::seed_from_u64(9);
        let x = random((2, 3, 4), &mut rng).into_dyn();
        let check = gradcheck::check_layer(&mut mha, &x, 1e-2, 13);
        println!("{heads} heads: {:?}", check.errors);
        check.assert_below(2e-3);
        assert_eq!(
            check
                .errors
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>(),
            [
                "x",
                "in_proj_weight",
                "in_proj_bias",
                "out_proj.weight",
                "out_proj.bias"
            ]
        );
    }
}

/// Cross-attention: query, key and value apart (keys and queries of
/// different lengths), each against finite differences.
#[test]
fn multihead_cross_attention_gives_query_key_and_value_their_gradients() {
    let mut mha = module(6, 3, 21);
    let mut rng = StdRng::seed_from_u64(4);
    let q = random((2, 2, 6), &mut rng);
    let k = random((2, 4, 6), &mut rng);
    let v = random((2, 4, 6), &mut rng);
    let r = random((2, 2, 6), &mut rng);
    mha.forward(q.view(), k.view(), v.view());
    let (gq, gk, gv) = mha.backward(r.view());
    let loss = |q: ArrayViewD<'_, f32>, k: ArrayViewD<'_, f32>, v: ArrayViewD<'_, f32>| -> f64 {
        let out = mha
            .infer(
                q.into_dimensionality().unwrap(),
                k.into_dimensionality().unwrap(),
                v.into_dimensionality().unwrap(),
            )
            .out;
        out.iter()
            .zip(&r)
            .map(|(&y, &r)| f64::from(y) * f64::from(r))
            .sum()
    };
    let (qd, kd, vd): (ArrayD<f32>, ArrayD<f32>, ArrayD<f32>) =
        (q.into_dyn(), k.into_dyn(), v.into_dyn());
    let eq = gradcheck::check_function(
        |q| loss(q, kd.view(), vd.view()),
        &qd,
        gq.view().into_dyn(),
        1e-2,
    );
    let ek = gradcheck::check_function(
        |k| loss(qd.view(), k, vd.view()),
        &kd,
        gk.view().into_dyn(),
        1e-2,
    );
    let ev = gradcheck::check_function(
        |v| loss(qd.view(), kd.view(), v),
        &vd,
        gv.view().into_dyn(),
        1e-2,
    );
    println!("dq {eq:.2e} dk {ek:.2e} dv {ev:.2e}");
    assert!(eq < 2e-3 && ek < 2e-3 && ev < 2e-3, "{eq} {ek} {ev}");
    assert_eq!(mha.param_count(), 3 * 6 * 6 + 3 * 6 + 6 * 6 + 6);
}

#[test]
fn the_experiment_on_a_short_setting_reverses_held_out_sequences() {
    let experiment = nnzoo::experiment::find("attention-reverse").unwrap();
    let mut settings = experiment.default_settings();
    for (name, value) in [
        ("length", "4"),
        ("dim", "16"),
        ("epochs", "3"),
        ("steps_per_epoch", "100"),
        ("held_out", "300"),
    ] {
        settings.set(name, value).unwrap();
    }
    let report = (experiment.run)(&settings, 1, &mut nnzoo::work::unwatched).unwrap();
    println!("{}", report.details.en);
    let accuracy = report.metric("sequence_accuracy").unwrap();
    let digits = report.metric("digit_accuracy").unwrap();
    println!("sequence accuracy {accuracy:.3}, digit accuracy {digits:.3}");
    assert!(accuracy >= 0.95, "sequence accuracy {accuracy}");
    assert!(digits >= accuracy);
    assert!(report.passed());
    assert!(report.metric("train_seconds").unwrap() > 0.0);
    let losses = &report.series[0].1;
    assert_eq!(losses.len(), 3);
    // From about ln 10 = 2.3 nats (a guess) down to a small fraction of it.
    assert!(losses[2] < 0.2 && losses[2] < losses[0], "{losses:?}");
    // Held-out sequences are never trained on.
    let task = nnzoo::model::sequences::attention_network::Task::new(4, 300, 1);
    let mut rng = StdRng::seed_from_u64(5);
    for _ in 0..2000 {
        assert!(!task.held_out.contains(&task.draw(&mut rng)));
    }
}

#[test]
fn an_untrained_network_fails_the_claim() {
    let experiment = nnzoo::experiment::find("attention-reverse").unwrap();
    let mut settings = experiment.default_settings();
    for (name, value) in [
        ("length", "4"),
        ("dim", "16"),
        ("epochs", "1"),
        ("steps_per_epoch", "1"),
        ("held_out", "300"),
    ] {
        settings.set(name, value).unwrap();
    }
    let report = (experiment.run)(&settings, 1, &mut nnzoo::work::unwatched).unwrap();
    let accuracy = report.metric("sequence_accuracy").unwrap();
    assert!(accuracy < 0.2, "{accuracy}");
    assert!(!report.passed());
    // Widths the heads cannot share are refused, in both languages.
    settings.set("heads", "3").unwrap();
    let err = (experiment.run)(&settings, 1, &mut nnzoo::work::unwatched).unwrap_err();
    assert!(err.to_string().contains("multiple of heads 3"), "{err}");
    assert!(err.message().zh.contains("倍数"));
}

mod lab {
    use crate::lab_screen::{lab_with, snapshots};
    use nnzoo::model::{self, Model, ViewContent};
    use nnzoo::text::Lang;

    /// Forty steps, then four stages into the next: three outputs produced.
    const KEYS: &str = "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnmmmm";

    snapshots! {
        attention_80x24_english: lab_with("attention-network", &[], KEYS), 80 x 24, Lang::En;
        attention_80x24_chinese: lab_with("attention-network", &[], KEYS), 80 x 24, Lang::Zh;
        attention_120x40_english: lab_with("attention-network", &[], KEYS), 120 x 40, Lang::En;
        attention_120x40_chinese: lab_with("attention-network", &["heads=4"], KEYS), 120 x 40, Lang::Zh;
    }

    /// The share of held-out sequences reversed right, from the status line.
    fn held_out(m: &dyn Model) -> f64 {
        let status = m.status().expect("a score").text.en.to_string();
        status
            .split_whitespace()
            .nth(5)
            .unwrap()
            .parse()
            .unwrap_or_else(|_| panic!("{status}"))
    }

    #[test]
    fn training_in_the_lab_draws_the_anti_diagonal() {
        let spec = model::find("attention_network").unwrap();
        let mut params = spec.default_params();
        params.assign("length=5").unwrap();
        params.assign("dim=16").unwrap();
        let mut m = (spec.build)(&params, 3).unwrap();
        let first = held_out(&*m);
        m.act("train_100").unwrap();
        m.act("train_100").unwrap();
        assert_eq!(m.steps_done(), 200);
        let later = held_out(&*m);
        assert!(first < 0.05 && later > 0.9, "held out {first} -> {later}");
        // A whole step more: every output produced, its row of weights in
        // the map, heaviest on the input it copies.
        m.step();
        let views = m.views();
        let map = views.iter().find(|v| v.name == "attention").unwrap();
        let ViewContent::Pixels(map) = &map.content else {
            panic!("the attention is a picture")
        };
        let n = 5;
        for i in 0..n {
            let row = &map.values[i * n..(i + 1) * n];
            let sum: f32 = row.iter().sum();
            assert!((sum - 1.0).abs() < 1e-4, "row {i} sums to {sum}");
            let heaviest = (0..n).max_by(|&a, &b| row[a].total_cmp(&row[b])).unwrap();
            assert_eq!(heaviest, n - 1 - i, "row {i}: {row:?}");
        }
        for view in &views {
            assert!(!view.content.kind().has_non_finite(), "{}", view.name);
        }
        // Stage by stage is the same as step by step, and one seed gives
        // one model.
        let mut stepped = (spec.build)(&params, 3).unwrap();
        let mut staged = (spec.build)(&params, 3).unwrap();
        for _ in 0..30 {
            stepped.step();
        }
        for _ in 0..30 * staged.stage_count() {
            staged.stage();
        }
        assert_eq!(staged.stage_count(), n + 2);
        assert_eq!(
            format!("{:?}", staged.views()),
            format!("{:?}", stepped.views())
        );
    }

    #[test]
    fn heads_that_do_not_divide_the_width_are_refused() {
        let spec = model::find("attention_network").unwrap();
        let mut params = spec.default_params();
        params.assign("heads=3").unwrap();
        let err = (spec.build)(&params, 1).err().expect("refused");
        assert!(
            err.to_string()
                .contains("dim 32 must be a multiple of heads 3")
        );
    }
}
