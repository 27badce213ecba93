//! Recurrent networks that learn: backpropagation through time held to
//! PyTorch and to finite differences, the character-level language model
//! and its experiment, and its lab on screen.

#[path = "support/lab_screen.rs"]
mod lab_screen;

use ndarray::{Array2, Array3, ArrayD, ArrayViewD};
use nnzoo::eval;
use nnzoo::model::Weights;
use nnzoo::model::cells::bptt::{CellKind, Unrolled};
use nnzoo::model::cells::rnn_cell::Nonlinearity;
use nnzoo::nn::gradcheck;
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
fn check(name: &str, tolerance: f64, weights: Option<&Weights>) -> f64 {
    let fixture = load(name);
    let outputs = eval::evaluate(&fixture, weights).unwrap_or_else(|e| panic!("{name}: {e}"));
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
            .unwrap_or_else(|| panic!("{name}: `{key}` not computed"));
        assert_eq!(got.shape, shape, "{name}: shape of `{key}`");
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
fn bptt_of_every_cell_matches_pytorch() {
    for name in ["rnn_bptt", "lstm_bptt", "gru_bptt"] {
        let worst = check(name, 1e-5, None);
        println!("{name}: worst relative error {worst:.2e}");
        // The same from the module's safetensors export.
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join(format!("tests/fixtures/torch/{name}.safetensors"));
        let weights = nnzoo::model::weights::read(&path).unwrap();
        let worst = check(name, 1e-5, Some(&weights));
        println!("{name} (safetensors): worst relative error {worst:.2e}");
    }
}

#[test]
fn a_wrong_fixture_is_a_clear_error() {
    let mut fixture = load("lstm_bptt");
    fixture["inputs"]["labels"][0][1] = Value::from(9);
    let err = eval::evaluate(&fixture, None).unwrap_err().to_string();
    assert!(err.contains("labels[0][1]"), "{err}");
    let mut fixture = load("rnn_bptt");
    fixture["inputs"]["c0"] = fixture["inputs"]["h0"].clone();
    let err = eval::evaluate(&fixture, None).unwrap_err().to_string();
    assert!(err.contains("c0"), "{err}");
}

fn kinds() -> [CellKind; 4] {
    [
        CellKind::Rnn(Nonlinearity::Tanh),
        CellKind::Rnn(Nonlinearity::Relu),
        CellKind::Lstm,
        CellKind::Gru,
    ]
}

#[test]
fn bptt_matches_finite_differences_for_every_weight_and_input() {
    for kind in kinds() {
        let mut rng = StdRng::seed_from_u64(3);
        let mut cell = Unrolled::new(kind, 3, 4, &mut rng);
        // Larger weights than the default draw, so that the gates are not
        // all near their middle and every term of the chain matters.
        cell.weight_hh.mapv_inplace(|w| 2.0 * w);
        let x = ArrayD::from_shape_simple_fn(vec![5, 2, 3], || rng.random_range(-1.0f32..1.0));
        let check = gradcheck::check_layer(&mut cell, &x, 1e-2, 11);
        println!("{}: {:?}", kind.name(), check.errors);
        check.assert_below(2e-3);
    }
}

/// dL/dh₀ and dL/dc₀, which the layer check does not reach, against finite
/// differences of L = Σ h_t ⊙ r.
#[test]
fn bptt_gives_the_initial_state_its_gradient() {
    for kind in kinds() {
        let mut rng = StdRng::seed_from_u64(5);
        let mut cell = Unrolled::new(kind, 3, 4, &mut rng);
        let x = Array3::from_shape_simple_fn((4, 2, 3), || rng.random_range(-1.0f32..1.0));
        let h0 = Array2::from_shape_simple_fn((2, 4), || rng.random_range(-0.8f32..0.8));
        let c0 = Array2::from_shape_simple_fn((2, 4), || rng.random_range(-0.8f32..0.8));
        let r = Array3::from_shape_simple_fn((4, 2, 4), || rng.random_range(-1.0f32..1.0));
        cell.run(x.view(), h0.view(), Some(c0.view()));
        let grads = cell.backward_through_time(r.view());
        let loss = |h0: ArrayViewD<'_, f32>, c0: ArrayViewD<'_, f32>| -> f64 {
            let mut probe = cell.clone();
            let h0 = h0.into_dimensionality().unwrap();
            let c0 = c0.into_dimensionality().unwrap();
            let hs = probe.run(x.view(), h0, Some(c0));
            hs.iter()
                .zip(&r)
                .map(|(&h, &r)| f64::from(h) * f64::from(r))
                .sum()
        };
        let (h0d, c0d) = (h0.clone().into_dyn(), c0.clone().into_dyn());
        let err_h = gradcheck::check_function(
            |h| loss(h, c0d.view()),
            &h0d,
            grads.h0.view().into_dyn(),
            1e-2,
        );
        assert!(err_h < 2e-3, "{}: dL/dh0 off by {err_h}", kind.name());
        match grads.c0 {
            Some(gc) => {
                let err_c = gradcheck::check_function(
                    |c| loss(h0d.view(), c),
                    &c0d,
                    gc.view().into_dyn(),
                    1e-2,
                );
                assert!(err_c < 2e-3, "{}: dL/dc0 off by {err_c}", kind.name());
            }
            None => assert_ne!(kind, CellKind::Lstm),
        }
    }
}

#[test]
fn the_experiment_on_a_short_setting_beats_the_markov_chain() {
    let char_rnn = nnzoo::experiment::find("char-rnn").unwrap();
    let mut settings = char_rnn.default_settings();
    for (name, value) in [
        ("hidden", "32"),
        ("embed", "16"),
        ("window", "32"),
        ("streams", "8"),
        ("steps", "300"),
        ("scored", "3000"),
        ("lr", "0.01"),
    ] {
        settings.set(name, value).unwrap();
    }
    let report = (char_rnn.run)(&settings, 1, &mut nnzoo::work::unwatched).unwrap();
    let rnn = report.metric("rnn_bits_per_char").unwrap();
    let markov = report.metric("markov_bits_per_char").unwrap();
    println!("{}", report.details.en);
    println!("rnn {rnn:.3} bits, markov {markov:.3} bits");
    // An order-1 chain on Shakespeare gives about 3.3 bits; a uniform
    // guess over the alphabet log2(65) = 6.0.
    assert!((3.0..3.8).contains(&markov), "markov {markov}");
    assert!(rnn < markov, "rnn {rnn} does not beat the chain's {markov}");
    assert!(report.passed());
    assert!(report.metric("train_seconds").unwrap() > 0.0);
    let series = &report.series[0].1;
    assert!(series.last().unwrap() < &series[0], "{series:?}");
}

mod lab {
    use crate::lab_screen::{lab_with, snapshots};
    use nnzoo::model::{self, Model};
    use nnzoo::text::Lang;

    /// Thirty steps, then two stages into the next (forward through time).
    const KEYS: &str = "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnmm";

    snapshots! {
        char_rnn_80x24_english: lab_with("rnn", &["text=en"], KEYS), 80 x 24, Lang::En;
        char_rnn_80x24_chinese: lab_with("rnn", &["text=zh"], KEYS), 80 x 24, Lang::Zh;
        char_rnn_120x40_english: lab_with("rnn", &["text=en"], KEYS), 120 x 40, Lang::En;
        char_rnn_120x40_chinese: lab_with("rnn", &["text=zh", "cell=gru"], KEYS), 120 x 40, Lang::Zh;
    }

    #[test]
    fn training_in_the_lab_lowers_the_loss_and_samples_from_the_alphabet() {
        let spec = model::find("char_rnn").unwrap();
        let mut params = spec.default_params();
        params.assign("hidden=24").unwrap();
        let mut m = (spec.build)(&params, 3).unwrap();
        let first = held_out(&*m);
        for _ in 0..60 {
            m.step();
        }
        assert_eq!(m.steps_done(), 60);
        let later = held_out(&*m);
        assert!(later < first - 0.5, "held-out bits {first} -> {later}");
        // Every view is drawn from numbers that are finite.
        let views = m.views();
        for name in [
            "window",
            "hidden",
            "next",
            "sample",
            "bits",
            "gradient_over_time",
        ] {
            let view = views.iter().find(|v| v.name == name).expect(name);
            assert!(!view.content.kind().has_non_finite(), "{name}");
        }
        // The same seed gives the same model.
        let mut again = (spec.build)(&params, 3).unwrap();
        for _ in 0..60 {
            again.step();
        }
        assert_eq!(format!("{:?}", again.views()), format!("{:?}", m.views()));
        // Stage by stage is the same as step by step.
        let mut staged = (spec.build)(&params, 3).unwrap();
        for _ in 0..60 * staged.stage_count() {
            staged.stage();
        }
        assert_eq!(format!("{:?}", staged.views()), format!("{:?}", m.views()));
    }

    /// The last held-out score, read from the model's status line.
    fn held_out(m: &dyn Model) -> f64 {
        let status = m.status().expect("a score").text.en.to_string();
        status
            .split_whitespace()
            .nth(2)
            .unwrap()
            .parse()
            .unwrap_or_else(|_| panic!("{status}"))
    }
}
