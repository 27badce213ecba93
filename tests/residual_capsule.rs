//! The residual block as a layer, the residual-versus-plain experiment and
//! lab, and the capsule network: gradients by finite differences, the
//! PyTorch and numpy fixtures, short training runs, parameter bounds, and
//! snapshots of both labs at 80x24 and 120x40 in English and Chinese.

#[path = "support/lab_screen.rs"]
mod lab_screen;

use lab_screen::{lab_with, snapshots};
use ndarray::{ArrayD, IxDyn};
use nnzoo::experiment;
use nnzoo::model;
use nnzoo::model::convolutional::capsule_network::{
    CapsuleNet, CapsuleTrainer, Config, evaluate, margin_loss, squash, squash_backward,
};
use nnzoo::model::convolutional::residual_network::{self, Shape};
use nnzoo::nn::Layer;
use nnzoo::nn::activation::ReLU;
use nnzoo::nn::conv2d::Conv2d;
use nnzoo::nn::gradcheck::{check_function, check_layer};
use nnzoo::nn::residual::Residual;
use nnzoo::nn::sequential::Sequential;
use nnzoo::text::Lang;
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::Value;
use std::path::PathBuf;

fn load(name: &str) -> Value {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/torch/{name}.json"));
    let text = std::fs::read_to_string(&path).expect("fixture present");
    serde_json::from_str(&text).expect("fixture is JSON")
}

/// Every expected tensor of fixture `name` computed within `tol`, relative
/// to max(1, max |expected|) as the fixtures' README says.
fn holds(name: &str, tol: f64) {
    let fixture = load(name);
    let outputs = nnzoo::eval::evaluate(&fixture, None).expect("computes");
    let rows = nnzoo::eval::compare(&fixture, &outputs).expect("compares");
    assert!(!rows.is_empty());
    for row in rows {
        let error = row.error.unwrap_or_else(|| panic!("{name}: {row:?}"));
        assert!(error <= tol, "{name}: {} off by {error}", row.name);
    }
}

#[test]
fn the_residual_fixtures_hold_through_the_residual_layer() {
    holds("residual_block", 1e-5);
    holds("residual_block_backward", 1e-5);
}

#[test]
fn the_capsule_routing_fixture_holds() {
    holds("capsule_routing", 1e-5);
}

#[test]
fn a_capsule_routing_fixture_with_a_bad_option_is_refused() {
    let mut fixture = load("capsule_routing");
    fixture["options"]["iterations"] = Value::from(0);
    let e = nnzoo::eval::evaluate(&fixture, None).unwrap_err();
    assert!(e.message().en.contains("iterations"), "{}", e.message().en);
    let mut fixture = load("capsule_routing");
    fixture["inputs"]["u_hat"]["shape"] = serde_json::json!([2, 6, 12]);
    let e = nnzoo::eval::evaluate(&fixture, None).unwrap_err();
    assert!(e.message().en.contains("u_hat"), "{}", e.message().en);
}

#[test]
fn a_convolutional_residual_block_matches_finite_differences() {
    let mut rng = StdRng::seed_from_u64(7);
    let body = Sequential::new()
        .with(Conv2d::new(2, 2, (3, 3), &mut rng).padding((1, 1)))
        .with(ReLU::new())
        .with(Conv2d::new(2, 2, (3, 3), &mut rng).padding((1, 1)));
    let mut block = Residual::new(body);
    let x = ArrayD::from_shape_fn(IxDyn(&[2, 2, 4, 4]), |i| {
        ((i[0] * 32 + i[1] * 16 + i[2] * 4 + i[3]) as f32 * 0.71).sin()
    });
    // A small step, so that no ReLU (inside F or after the sum) changes
    // side between the two evaluations.
    let check = check_layer(&mut block, &x, 1e-3, 11);
    check.assert_below(2e-2);
    // x, then both convolutions' weight and bias.
    assert_eq!(check.errors.len(), 5, "{:?}", check.errors);
}

#[test]
fn both_networks_start_from_the_same_weights_and_differ_by_the_skips() {
    let shape = Shape {
        blocks: 3,
        width: 6,
    };
    let (residual, plain) = residual_network::networks(shape, 5);
    let values = |net: &Sequential| {
        let mut v = Vec::new();
        net.visit_params(&mut |p| v.push(p.value.to_owned()));
        v
    };
    assert_eq!(values(&residual), values(&plain));
    assert_eq!(values(&residual).len(), 2 * shape.depth());
    let x = ArrayD::from_shape_fn(IxDyn(&[2, 64]), |i| ((i[0] * 64 + i[1]) as f32).cos());
    assert_ne!(residual.infer(x.view()), plain.infer(x.view()));
}

#[test]
fn the_drn_experiment_on_a_short_setting_puts_the_residual_loss_below_the_plain() {
    let drn = experiment::find("drn-digits").expect("registered");
    assert_eq!(drn.models, &["drn"]);
    let mut settings = drn.default_settings();
    settings.set("epochs", "3").unwrap();
    let report = (drn.run)(&settings, 1, &mut nnzoo::work::unwatched).unwrap();
    let series = |name: &str| {
        report
            .series
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no series {name}"))
    };
    let residual = series("residual_train_loss");
    let plain = series("plain_train_loss");
    assert_eq!(residual.len(), 3);
    assert_eq!(series("residual_test_accuracy").len(), 3);
    assert_eq!(series("plain_test_accuracy").len(), 3);
    let ratio = report.metric("residual_over_plain_train_loss").unwrap();
    assert!(
        (ratio - residual[2] / plain[2]).abs() < 1e-12,
        "the ratio is the last losses'"
    );
    assert!(
        residual[2] < plain[2],
        "residual {residual:?}, plain {plain:?}"
    );
    assert!(report.passed(), "{report:?}");
    assert!(report.metric("train_seconds").unwrap() > 0.0);
    // The gradient reaching the first layer at the first step.
    let r = report.metric("residual_first_layer_grad").unwrap();
    let p = report.metric("plain_first_layer_grad").unwrap();
    assert!(r > p, "residual {r}, plain {p}");
}

#[test]
fn bad_settings_are_refused_with_the_bounds() {
    let drn = model::find("drn").expect("registered");
    let mut params = drn.default_params();
    let e = params.assign("blocks=0").unwrap_err().to_string();
    assert!(e.contains("blocks") && e.contains("1"), "{e}");
    assert!(params.assign("width=100000").is_err());
    let caps = model::find("capsule-network").expect("registered");
    let mut params = caps.default_params();
    let e = params.assign("iterations=0").unwrap_err().to_string();
    assert!(e.contains("iterations"), "{e}");
    assert!(params.assign("types=-1").is_err());
    let experiment = experiment::find("drn-digits").unwrap();
    let mut settings = experiment.default_settings();
    assert!(settings.assign("epochs=0").is_err());
}

#[test]
fn squash_backward_matches_finite_differences() {
    let s = ArrayD::from_shape_fn(IxDyn(&[3, 4]), |i| ((i[0] * 4 + i[1]) as f32 * 0.9).sin());
    let r = ArrayD::from_shape_fn(IxDyn(&[3, 4]), |i| ((i[0] * 4 + i[1]) as f32 * 1.3).cos());
    let r2 = r
        .clone()
        .into_dimensionality::<ndarray::Ix2>()
        .expect("2-D");
    let f = |x: ndarray::ArrayViewD<'_, f32>| -> f64 {
        let x = x.into_dimensionality::<ndarray::Ix2>().expect("2-D");
        squash(x)
            .iter()
            .zip(&r2)
            .map(|(a, b)| f64::from(a * b))
            .sum()
    };
    let s2 = s.clone().into_dimensionality::<ndarray::Ix2>().unwrap();
    let analytic = squash_backward(s2.view(), r2.view()).into_dyn();
    let error = check_function(f, &s, analytic.view(), 1e-2);
    assert!(error < 1e-2, "{error}");
}

#[test]
fn the_capsule_backward_with_the_coupling_held_matches_finite_differences() {
    let config = Config {
        channels: 2,
        types: 1,
        primary_dim: 3,
        digit_dim: 2,
        iterations: 3,
    };
    let mut net = CapsuleNet::new(config, 3);
    let x = ArrayD::from_shape_fn(IxDyn(&[2, 1, 8, 8]), |i| {
        (((i[0] * 64 + i[2] * 8 + i[3]) as f32 * 0.37).sin() + 1.0) / 2.0
    });
    net.forward(x.view());
    let coupling = net.routing().unwrap().iterations.last().unwrap().c.clone();
    net.freeze_coupling(true);
    let check = check_layer(&mut net, &x, 1e-2, 5);
    check.assert_below(3e-2);
    // The frozen coefficients were the routed ones.
    net.freeze_coupling(false);
    net.forward(x.view());
    assert_eq!(
        net.routing().unwrap().iterations.last().unwrap().c,
        coupling
    );
}

#[test]
fn the_margin_loss_is_the_papers() {
    let lengths = ndarray::arr2(&[[0.95, 0.05, 0.5], [0.2, 0.8, 0.0]]);
    let (loss, grad) = margin_loss(lengths.view(), &[0, 2]);
    // Row 0: label 0 present (0.95 ≥ 0.9), 0.5 absent: 0.5·0.4²; row 1:
    // label 2 at 0 → 0.9², absent 0.2 → 0.5·0.1², 0.8 → 0.5·0.7².
    let want = (0.5 * 0.16 + 0.81 + 0.5 * 0.01 + 0.5 * 0.49) / 2.0;
    assert!((loss - want).abs() < 1e-6, "{loss} vs {want}");
    assert_eq!(grad[[0, 0]], 0.0);
    assert!((grad[[1, 2]] + 0.9).abs() < 1e-6);
}

#[test]
fn the_capsule_network_lowers_its_loss_on_a_short_setting() {
    let (train, test) = residual_network::digits(1).unwrap();
    let config = Config {
        channels: 8,
        types: 2,
        primary_dim: 8,
        digit_dim: 8,
        iterations: 3,
    };
    let net = CapsuleNet::new(config, 1);
    let (_, before) = evaluate(&net, &test);
    let mut trainer = CapsuleTrainer::new(net, 0.01, train, test.clone(), 32, 1);
    for _ in 0..30 {
        trainer.step();
    }
    let (accuracy, after) = evaluate(&trainer.net, &test);
    assert!(after < 0.7 * before, "test loss {before} -> {after}");
    assert!(accuracy > 0.3, "test accuracy {accuracy}");
}

// The residual and plain networks three steps and four stages in (the
// gradients of the fourth step computed); the capsule network two steps
// in and two routing iterations into the third.
snapshots! {
    drn_80x24_english: lab_with("drn", &[], "nnnmmmm"), 80 x 24, Lang::En;
    drn_80x24_chinese: lab_with("drn", &[], "nnnmmmm"), 80 x 24, Lang::Zh;
    drn_120x40_english: lab_with("drn", &[], "nnnmmmm"), 120 x 40, Lang::En;
    drn_120x40_chinese: lab_with("drn", &[], "nnnmmmm"), 120 x 40, Lang::Zh;
    capsule_80x24_english: lab_with("capsule-network", &[], "nnmmmm"), 80 x 24, Lang::En;
    capsule_80x24_chinese: lab_with("capsule-network", &[], "nnmmmm"), 80 x 24, Lang::Zh;
    capsule_120x40_english: lab_with("capsule-network", &[], "nnmmmm"), 120 x 40, Lang::En;
    capsule_120x40_chinese: lab_with("capsule-network", &[], "nnmmmm"), 120 x 40, Lang::Zh;
}
