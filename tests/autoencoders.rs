//! Make and remake: the autoencoders, the mean and standard deviation cell
//! and the variational autoencoder. Their fixtures against PyTorch, their
//! hand-written gradients against finite differences, their experiments on
//! short settings, and their labs as snapshots at 80x24 and 120x40 in
//! English and Chinese.

#[path = "support/lab_screen.rs"]
mod lab_screen;

use lab_screen::{lab_with, snapshots};
use ndarray::{Array2, ArrayD, array};
use nnzoo::eval;
use nnzoo::experiment;
use nnzoo::model::autoencoders::Variational;
use nnzoo::model::autoencoders::hourglass::{CodeActivation, Hourglass, Reconstruction};
use nnzoo::model::autoencoders::mean_std_cell::{MeanStdCell, kl_rows};
use nnzoo::model::autoencoders::sparse_autoencoder::{Sparsity, kl_sparsity, l1_sparsity};
use nnzoo::model::autoencoders::vae::{Vae, draw_eps};
use nnzoo::model::{self, Model, weights};
use nnzoo::nn::Layer;
use nnzoo::nn::gradcheck::check_function;
use nnzoo::text::Lang;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;
use std::path::PathBuf;

fn fixture(name: &str) -> Value {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/torch/{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("fixture is JSON")
}

/// Computes the fixture (with `weights` in place of its params if given)
/// and returns its worst relative error, failing on any tensor above 1e-5
/// or not computed.
fn check(name: &str, weights: Option<&model::Weights>) -> f64 {
    let fixture = fixture(name);
    let outputs = eval::evaluate(&fixture, weights).unwrap_or_else(|e| panic!("{name}: {e}"));
    let rows = eval::compare(&fixture, &outputs).unwrap();
    assert!(!rows.is_empty());
    let mut worst = 0.0f64;
    for row in rows {
        let error = row
            .error
            .unwrap_or_else(|| panic!("{name}: `{}` {}", row.name, row.problem));
        assert!(error <= 1e-5, "{name}: `{}` off by {error:.2e}", row.name);
        worst = worst.max(error);
    }
    worst
}

#[test]
fn the_gaussian_cell_matches_pytorch() {
    let worst = check("gaussian_cell", None);
    println!("gaussian_cell: worst relative error {worst:.2e}");
}

#[test]
fn the_vae_step_matches_pytorch_from_json_and_from_safetensors() {
    let worst = check("vae_step", None);
    println!("vae_step: worst relative error {worst:.2e}");
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/torch/vae_step.safetensors");
    let weights = weights::read(&path).unwrap();
    let worst = check("vae_step", Some(&weights));
    println!("vae_step (safetensors): worst relative error {worst:.2e}");
}

#[test]
fn a_vae_fixture_with_a_wrong_shape_is_an_error_naming_the_tensor() {
    let mut f = fixture("vae_step");
    f["params"]["dec1.weight"]["shape"] = serde_json::json!([2, 5]);
    let err = eval::evaluate(&f, None).unwrap_err().to_string();
    assert!(err.contains("dec1.weight"), "{err}");
    let mut f = fixture("vae_step");
    f["inputs"]["eps"]["shape"] = serde_json::json!([2, 3]);
    let err = eval::evaluate(&f, None).unwrap_err().to_string();
    assert!(err.contains("eps"), "{err}");
}

#[test]
fn the_kl_of_the_issue_example_is_0_9431472() {
    // μ = (0.5, −1), σ² = (1, 0.25).
    let kl = kl_rows(
        array![[0.5f32, -1.0]].view(),
        array![[0.0f32, 0.25f32.ln()]].view(),
    );
    assert!((kl[0] - 0.943_147_2).abs() < 1e-6, "{kl}");
    let spec = model::find("mean_std_cell").unwrap();
    let cell = MeanStdCell::new(&spec.default_params(), 1).unwrap();
    assert!((cell.kl() - 0.943_147_2).abs() < 1e-6, "{}", cell.kl());
}

#[test]
fn the_cell_samples_have_its_mean_and_spread() {
    let spec = model::find("mean_std_cell").unwrap();
    let mut cell = MeanStdCell::new(&spec.default_params(), 7).unwrap();
    cell.act("many").unwrap();
    cell.act("many").unwrap();
    let samples = cell.samples();
    assert_eq!(samples.len(), 1000);
    for (unit, (mu, sd)) in [(0.5f64, 1.0f64), (-1.0, 0.5)].into_iter().enumerate() {
        let n = samples.len() as f64;
        let mean = samples.iter().map(|z| f64::from(z[unit])).sum::<f64>() / n;
        let var = samples
            .iter()
            .map(|z| (f64::from(z[unit]) - mean).powi(2))
            .sum::<f64>()
            / n;
        // Four standard errors.
        assert!(
            (mean - mu).abs() < 4.0 * sd / n.sqrt(),
            "unit {unit}: mean {mean}"
        );
        assert!(
            (var.sqrt() - sd).abs() < 0.1 * sd,
            "unit {unit}: sd {}",
            var.sqrt()
        );
    }
}

#[test]
fn bad_cell_parameters_are_errors_saying_what_is_wrong() {
    let spec = model::find("mean_std_cell").unwrap();
    let build = |mu: &str, variance: &str| {
        let mut params = spec.default_params();
        params.set("mu", mu).unwrap();
        params.set("variance", variance).unwrap();
        (spec.build)(&params, 1).err().map(|e| e.to_string())
    };
    let err = build("0.5, x", "1,1").unwrap();
    assert!(err.contains("item 2") && err.contains("`x`"), "{err}");
    let err = build("0.5", "1,1").unwrap();
    assert!(err.contains("1 numbers") || err.contains("has 1"), "{err}");
    let err = build("0,0", "1,-2").unwrap();
    assert!(err.contains("item 2") && err.contains("above 0"), "{err}");
    assert!(build("0,0", "1,2").is_none());
    let mut cell = MeanStdCell::new(&spec.default_params(), 1).unwrap();
    assert!(cell.edit("mu", 5, 1.0).is_err());
    assert!(cell.edit("mu", 0, f32::NAN).is_err());
    cell.edit("mu", 0, 0.0).unwrap();
    cell.edit("logvar", 0, 0.0).unwrap();
    cell.edit("mu", 1, 0.0).unwrap();
    cell.edit("logvar", 1, 0.0).unwrap();
    assert_eq!(cell.kl(), 0.0);
}

#[test]
fn an_edit_in_the_middle_of_a_sample_starts_it_again() {
    let spec = model::find("mean_std_cell").unwrap();
    let mut cell = MeanStdCell::new(&spec.default_params(), 1).unwrap();
    // Through σ and ε, then μ is edited before z is formed.
    for _ in 0..4 {
        cell.stage();
    }
    cell.edit("mu", 0, 2.0).unwrap();
    assert_eq!(cell.next_stage(), 0);
    for _ in 0..5 {
        cell.stage();
    }
    assert_eq!(cell.samples().len(), 1);
    assert_eq!(cell.samples()[0].len(), 2, "a whole sample, not a cut one");
    let _ = cell.views();
}

/// Random values in (lo, hi) of the given shape.
fn uniform(shape: (usize, usize), lo: f32, hi: f32, seed: u64) -> Array2<f32> {
    let mut rng = StdRng::seed_from_u64(seed);
    Array2::from_shape_simple_fn(shape, || rng.random_range(lo..hi))
}

#[test]
fn the_kl_sparsity_penalty_has_ngs_gradient() {
    let code = uniform((5, 7), 0.02, 0.6, 1).into_dyn();
    for rho in [0.05f32, 0.2] {
        let (_, grad, _) = kl_sparsity(code.view().into_dimensionality().unwrap(), rho);
        let error = check_function(
            |a| kl_sparsity(a.into_dimensionality().unwrap(), rho).0,
            &code,
            grad.view().into_dyn(),
            1e-3,
        );
        assert!(error < 2e-3, "rho {rho}: {error}");
    }
    // At ρ̂ = ρ the penalty and its gradient vanish.
    let flat = Array2::from_elem((4, 3), 0.1f32);
    let (value, grad, rho_hat) = kl_sparsity(flat.view(), 0.1);
    assert!(value.abs() < 1e-9 && grad.iter().all(|g| g.abs() < 1e-5));
    assert!(rho_hat.iter().all(|r| (r - 0.1).abs() < 1e-7));
}

#[test]
fn the_l1_penalty_has_its_gradient_away_from_zero() {
    let code: ArrayD<f32> = uniform((4, 6), 0.1, 0.9, 2).into_dyn();
    let mut signed = code.clone();
    signed.iter_mut().step_by(3).for_each(|v| *v = -*v);
    let (_, grad) = l1_sparsity(signed.view().into_dimensionality().unwrap());
    let error = check_function(
        |a| l1_sparsity(a.into_dimensionality().unwrap()).0,
        &signed,
        grad.view().into_dyn(),
        1e-3,
    );
    assert!(error < 1e-3, "{error}");
}

#[test]
fn the_reconstruction_losses_have_their_gradients_on_the_logits() {
    let logits: ArrayD<f32> = uniform((3, 5), -3.0, 3.0, 3).into_dyn();
    let target = uniform((3, 5), 0.0, 1.0, 4);
    for loss in [Reconstruction::Mse, Reconstruction::Bce] {
        let (_, grad) = loss.loss(logits.view().into_dimensionality().unwrap(), target.view());
        let error = check_function(
            |z| loss.loss(z.into_dimensionality().unwrap(), target.view()).0,
            &logits,
            grad.view().into_dyn(),
            1e-2,
        );
        assert!(error < 1e-3, "{loss:?}: {error}");
    }
}

/// Checks every parameter gradient `analytic` (read after `fill`) against
/// central differences of `objective`, over `layer`'s parameters.
fn check_params(layer: &mut dyn Layer, objective: &dyn Fn(&dyn Layer) -> f64, epsilon: f32) -> f32 {
    let mut analytic = Vec::new();
    layer.visit_params(&mut |p| analytic.push(p.grad.to_owned()));
    let mut worst = 0.0f32;
    for (k, grad) in analytic.iter().enumerate() {
        let len = grad.len();
        let scale = grad.iter().fold(1.0f32, |m, g| m.max(g.abs()));
        // Every value of small tensors, a spread of the large ones.
        let step = (len / 40).max(1);
        for i in (0..len).step_by(step) {
            let nudge = |delta: f32, layer: &mut dyn Layer| {
                let mut n = 0;
                layer.visit_params_mut(&mut |mut p| {
                    if n == k {
                        p.value.as_slice_mut().unwrap()[i] += delta;
                    }
                    n += 1;
                });
            };
            nudge(epsilon, layer);
            let up = objective(layer);
            nudge(-2.0 * epsilon, layer);
            let down = objective(layer);
            nudge(epsilon, layer);
            let numeric = ((up - down) / (2.0 * f64::from(epsilon))) as f32;
            let analytic = grad.as_slice().unwrap()[i];
            worst = worst.max((numeric - analytic).abs() / scale);
        }
    }
    worst
}

#[test]
fn the_hourglass_backward_pass_matches_finite_differences_all_three_ways() {
    let x = uniform((6, 10), 0.0, 1.0, 5);
    let noisy = uniform((6, 10), 0.0, 1.0, 6);
    for (activation, loss, sparsity, input) in [
        (CodeActivation::Linear, Reconstruction::Mse, None, &x),
        (CodeActivation::Relu, Reconstruction::Bce, None, &noisy),
        (
            CodeActivation::Sigmoid,
            Reconstruction::Mse,
            Some(Sparsity::Kl {
                rho: 0.1,
                beta: 3.0,
            }),
            &x,
        ),
        (
            CodeActivation::Sigmoid,
            Reconstruction::Bce,
            Some(Sparsity::L1 { lambda: 0.5 }),
            &x,
        ),
    ] {
        let mut rng = StdRng::seed_from_u64(9);
        let mut net = Hourglass::new(10, &[8], 4, activation, &mut rng);
        net.train_pass(input.view(), x.view(), loss, sparsity);
        let decoder = net.decoder.clone();
        let encoder = net.encoder.clone();
        // The encoder's gradients, the decoder held fixed, and the other way.
        let mut enc = net.encoder.clone();
        let worst_enc = check_params(
            &mut enc,
            &|layer: &dyn Layer| {
                let mut probe = Hourglass {
                    encoder: net.encoder.clone(),
                    decoder: decoder.clone(),
                };
                let mut k = 0;
                let mut values = Vec::new();
                layer.visit_params(&mut |p| values.push(p.value.to_owned()));
                probe.encoder.visit_params_mut(&mut |mut p| {
                    p.value.assign(&values[k]);
                    k += 1;
                });
                probe.objective(input.view(), x.view(), loss, sparsity)
            },
            1e-2,
        );
        let mut dec = net.decoder.clone();
        let worst_dec = check_params(
            &mut dec,
            &|layer: &dyn Layer| {
                let mut probe = Hourglass {
                    encoder: encoder.clone(),
                    decoder: net.decoder.clone(),
                };
                let mut k = 0;
                let mut values = Vec::new();
                layer.visit_params(&mut |p| values.push(p.value.to_owned()));
                probe.decoder.visit_params_mut(&mut |mut p| {
                    p.value.assign(&values[k]);
                    k += 1;
                });
                probe.objective(input.view(), x.view(), loss, sparsity)
            },
            1e-2,
        );
        assert!(
            worst_enc < 2e-2 && worst_dec < 2e-2,
            "{activation:?} {loss:?} {sparsity:?}: encoder {worst_enc}, decoder {worst_dec}"
        );
    }
}

#[test]
fn the_vae_backward_pass_matches_finite_differences() {
    let mut rng = StdRng::seed_from_u64(11);
    let mut vae = Vae::new(8, 6, 3, &mut rng);
    let x = uniform((4, 8), 0.0, 1.0, 12);
    let eps = draw_eps(4, 3, &mut rng);
    vae.forward(x.view(), eps.view());
    vae.backward();
    // Each layer in turn, the others held as they are.
    for which in 0..5 {
        let base = vae.clone();
        let mut own = vae.clone();
        let worst = check_params(
            layer_mut(&mut own, which),
            &|layer: &dyn Layer| {
                let mut probe = base.clone();
                let mut values = Vec::new();
                layer.visit_params(&mut |p| values.push(p.value.to_owned()));
                let mut k = 0;
                layer_mut(&mut probe, which).visit_params_mut(&mut |mut p| {
                    p.value.assign(&values[k]);
                    k += 1;
                });
                probe.evaluate(x.view(), eps.view()).loss()
            },
            1e-2,
        );
        assert!(worst < 2e-2, "layer {which}: {worst}");
    }
}

fn layer_mut(v: &mut Vae, which: usize) -> &mut nnzoo::nn::linear::Linear {
    match which {
        0 => &mut v.enc,
        1 => &mut v.enc_mu,
        2 => &mut v.enc_logvar,
        3 => &mut v.dec1,
        _ => &mut v.dec2,
    }
}

fn run_experiment(name: &str, settings: &[(&str, &str)]) -> experiment::Outcome {
    let experiment = experiment::find(name).unwrap();
    let mut params = experiment.default_settings();
    for (k, v) in settings {
        params.set(k, v).unwrap();
    }
    let report = (experiment.run)(&params, 1, &mut nnzoo::work::unwatched).unwrap();
    let text = report.to_text(experiment, 1, &params, Lang::Zh);
    assert!(text.contains("结论"), "{text}");
    report
}

#[test]
fn ae_digits_on_a_short_setting_beats_the_mean_and_measures_pca() {
    let report = run_experiment("ae-digits", &[("hidden", "64"), ("epochs", "15")]);
    let ae = report.metric("ae_mse").unwrap();
    let pca = report.metric("pca_mse").unwrap();
    // PCA with 8 components on these digits: about 0.03 per pixel, far
    // below the 0.1 of predicting every pixel by its mean.
    assert!((0.01..0.05).contains(&pca), "pca {pca}");
    assert!(ae < 0.06, "ae {ae}");
    assert!(report.metric("train_seconds").unwrap() > 0.0);
    let one = run_experiment(
        "ae-digits",
        &[("hidden", "64"), ("epochs", "1"), ("code", "63")],
    );
    assert!(one.metric("pca_mse").unwrap() < 1e-3);
}

#[test]
fn dae_digits_on_a_short_setting_halves_the_noise() {
    let report = run_experiment("dae-digits", &[("epochs", "12")]);
    let ratio = report.metric("denoised_over_noisy").unwrap();
    assert!(report.passed(), "denoised / noisy = {ratio}");
}

#[test]
fn sae_digits_on_a_short_setting_holds_the_activation_near_rho() {
    let report = run_experiment("sae-digits", &[("epochs", "8")]);
    let mean = report.metric("mean_activation").unwrap();
    assert!(report.passed(), "mean activation {mean}");
}

#[test]
fn vae_digits_on_a_short_setting_lowers_the_bound() {
    let report = run_experiment(
        "vae-digits",
        &[("hidden", "64"), ("epochs", "12"), ("lr", "0.001")],
    );
    let series = &report.series[0].1;
    assert_eq!(series.len(), 12);
    assert!(report.passed(), "test −ELBO per epoch {series:?}");
}

// Each lab a few steps in, partway through a step.
snapshots! {
    autoencoder_80x24_english: lab_with("autoencoder", &[], "nnnnnmm"), 80 x 24, Lang::En;
    autoencoder_80x24_chinese: lab_with("autoencoder", &[], "nnnnnmm"), 80 x 24, Lang::Zh;
    autoencoder_120x40_english: lab_with("autoencoder", &[], "nnnnnmm"), 120 x 40, Lang::En;
    autoencoder_120x40_chinese: lab_with("autoencoder", &[], "nnnnnmm"), 120 x 40, Lang::Zh;
    denoising_80x24_english: lab_with("denoising-autoencoder", &[], "nnnnnmm"), 80 x 24, Lang::En;
    denoising_80x24_chinese: lab_with("denoising-autoencoder", &[], "nnnnnmm"), 80 x 24, Lang::Zh;
    denoising_120x40_english: lab_with("denoising-autoencoder", &[], "nnnnnmm"), 120 x 40, Lang::En;
    denoising_120x40_chinese: lab_with("denoising-autoencoder", &[], "nnnnnmm"), 120 x 40, Lang::Zh;
    sparse_80x24_english: lab_with("sparse-autoencoder", &[], "nnnnnmmm"), 80 x 24, Lang::En;
    sparse_80x24_chinese: lab_with("sparse-autoencoder", &[], "nnnnnmmm"), 80 x 24, Lang::Zh;
    sparse_120x40_english: lab_with("sparse-autoencoder", &[], "nnnnnmmm"), 120 x 40, Lang::En;
    sparse_120x40_chinese: lab_with("sparse-autoencoder", &[], "nnnnnmmm"), 120 x 40, Lang::Zh;
    mean_std_cell_80x24_english: lab_with("mean-std-cell", &[], "nnnnnnnnnnmmm"), 80 x 24, Lang::En;
    mean_std_cell_80x24_chinese: lab_with("mean-std-cell", &[], "nnnnnnnnnnmmm"), 80 x 24, Lang::Zh;
    mean_std_cell_120x40_english: lab_with("mean-std-cell", &[], "annmmm"), 120 x 40, Lang::En;
    mean_std_cell_120x40_chinese: lab_with("mean-std-cell", &[], "annmmm"), 120 x 40, Lang::Zh;
    vae_80x24_english: lab_with("vae", &[], "nnnnnmm"), 80 x 24, Lang::En;
    vae_80x24_chinese: lab_with("vae", &[], "nnnnnmm"), 80 x 24, Lang::Zh;
    vae_120x40_english: lab_with("vae", &[], "nnnnnmm"), 120 x 40, Lang::En;
    vae_120x40_chinese: lab_with("vae", &[], "nnnnnmm"), 120 x 40, Lang::Zh;
}
