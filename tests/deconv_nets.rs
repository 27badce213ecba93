//! Networks that draw: the deconvolutional network (a label and a code in,
//! a digit out) and the DCIGN (a VAE with a convolutional encoder and a
//! deconvolutional decoder). Their hand-written gradients against finite
//! differences on tiny shapes, their training on short settings, their
//! parameters' bounds and edits refused with clear errors, and their labs
//! as snapshots at 80x24 and 120x40 in English and Chinese.

#[path = "support/lab_screen.rs"]
mod lab_screen;

use lab_screen::{lab_with, snapshots};
use ndarray::{Array2, ArrayD};
use nnzoo::experiment;
use nnzoo::model::autoencoders::Variational;
use nnzoo::model::autoencoders::dcign::{Dcign, DcignLab, WALK};
use nnzoo::model::autoencoders::vae::draw_eps;
use nnzoo::model::convolutional::deconv_network::{DeconvLab, DeconvNetwork, digits28};
use nnzoo::model::{self, Model, ViewContent};
use nnzoo::nn::Layer;
use nnzoo::nn::gradcheck::check_layer;
use nnzoo::nn::optim::Adam;
use nnzoo::text::Lang;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn uniform(shape: (usize, usize), lo: f32, hi: f32, seed: u64) -> Array2<f32> {
    let mut rng = StdRng::seed_from_u64(seed);
    Array2::from_shape_simple_fn(shape, || rng.random_range(lo..hi))
}

/// Checks the gradients left in `layer`'s parameters against central
/// differences of `objective` (every value of small tensors, a spread of
/// the large ones); the largest error relative to the largest gradient, or
/// to `floor` when every gradient is smaller.
fn check_params(
    layer: &mut dyn Layer,
    objective: &dyn Fn(&dyn Layer) -> f64,
    epsilon: f32,
    floor: f32,
) -> f32 {
    let mut analytic = Vec::new();
    layer.visit_params(&mut |p| analytic.push(p.grad.to_owned()));
    let mut worst = 0.0f32;
    for (k, grad) in analytic.iter().enumerate() {
        let len = grad.len();
        let scale = grad.iter().fold(floor, |m, g| m.max(g.abs()));
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

/// Copies the parameter values of `from` into `to` (two layers of one shape).
fn copy_params(from: &dyn Layer, to: &mut dyn Layer) {
    let mut values = Vec::new();
    from.visit_params(&mut |p| values.push(p.value.to_owned()));
    let mut k = 0;
    to.visit_params_mut(&mut |mut p| {
        p.value.assign(&values[k]);
        k += 1;
    });
}

#[test]
fn the_deconvolutional_decoder_matches_finite_differences() {
    // Linear, Unflatten, ReLU, two stride-2 transposed convolutions and a
    // ReLU between them: 12 inputs to 2 maps of 7x7, 1 of 14x14, 1 of 28x28.
    let mut rng = StdRng::seed_from_u64(3);
    let mut net = DeconvNetwork::new(2, 2, &mut rng);
    let x: ArrayD<f32> = uniform((2, 12), -1.0, 1.0, 4).into_dyn();
    // A small step: a larger one carries ReLU inputs near 0 across the kink.
    let check = check_layer(&mut net.decoder, &x, 1e-3, 5);
    check.assert_below(2e-2);
}

#[test]
fn the_deconvolutional_network_matches_finite_differences_through_the_code() {
    // The whole loss, from the picture through the encoder's tanh code and
    // the decoder, against each layer's parameters.
    let mut rng = StdRng::seed_from_u64(7);
    let mut net = DeconvNetwork::new(3, 2, &mut rng);
    let x = uniform((3, 784), 0.0, 1.0, 8);
    let labels = [1, 7, 4];
    net.forward(x.view(), &labels);
    net.backward();
    let base = net.clone();
    let mut encoder = net.encoder.clone().unwrap();
    let worst_encoder = check_params(
        &mut encoder,
        &|layer: &dyn Layer| {
            let mut probe = base.clone();
            copy_params(layer, probe.encoder.as_mut().unwrap());
            probe.objective(x.view(), &labels)
        },
        1e-2,
        1e-3,
    );
    let mut decoder = net.decoder.clone();
    let worst_decoder = check_params(
        &mut decoder,
        &|layer: &dyn Layer| {
            let mut probe = base.clone();
            copy_params(layer, &mut probe.decoder);
            probe.objective(x.view(), &labels)
        },
        1e-2,
        1e-3,
    );
    assert!(
        worst_encoder < 2e-2 && worst_decoder < 2e-2,
        "encoder {worst_encoder}, decoder {worst_decoder}"
    );
}

#[test]
fn the_deconvolutional_network_learns_to_draw_on_a_short_setting() {
    let (train, test) = digits28(1).unwrap();
    let labels: Vec<usize> = train.labels().unwrap().to_vec();
    let test_labels: Vec<usize> = test.labels().unwrap().to_vec();
    let mut rng = StdRng::seed_from_u64(1);
    let mut net = DeconvNetwork::new(2, 8, &mut rng);
    let mut adam = Adam::new(0.005);
    let before = net.objective(test.records.view(), &test_labels);
    for step in 0..40 {
        let rows: Vec<usize> = (0..32).map(|k| (step * 32 + k) % train.len()).collect();
        let x = train.records.select(ndarray::Axis(0), &rows);
        let y: Vec<usize> = rows.iter().map(|&r| labels[r]).collect();
        net.forward(x.view(), &y);
        net.backward();
        net.update(&mut adam);
    }
    let after = net.objective(test.records.view(), &test_labels);
    // Untrained, every pixel near σ(0) = 0.5: about ln 2 = 0.69 per pixel.
    // Forty batches draw the dark background and the strokes' places.
    assert!(before > 0.6, "untrained loss {before}");
    assert!(after < 0.75 * before, "test loss {before} -> {after}");
    // The codes stay off the tanh's flat ends, where they would say nothing.
    let codes = net.encode(test.records.view());
    let saturated = codes.iter().filter(|c| c.abs() > 0.99).count();
    assert!(
        saturated < codes.len() / 10,
        "{saturated} of {}",
        codes.len()
    );
}

#[test]
fn the_deconvolutional_lab_trains_through_its_stages() {
    let spec = model::find("deconvolutional-network").unwrap();
    let mut params = spec.default_params();
    params.set("maps", "4").unwrap();
    params.set("batch", "64").unwrap();
    params.set("lr", "0.01").unwrap();
    let mut lab = DeconvLab::new(&params, 2).unwrap();
    assert_eq!(lab.stage_count(), 8);
    let loss = |lab: &DeconvLab| {
        lab.views()
            .iter()
            .find(|v| v.name == "loss")
            .and_then(|v| match &v.content {
                ViewContent::Scalar(s) => Some(s.value),
                _ => None,
            })
            .unwrap()
    };
    lab.step();
    let first = loss(&lab);
    for _ in 0..21 {
        lab.step();
    }
    // 23 batches of 64: an epoch of the 1,437 training digits.
    lab.step();
    assert_eq!(lab.history().len(), 1);
    let last = loss(&lab);
    assert!(last < 0.8 * first, "batch loss {first} -> {last}");
    assert!(lab.history()[0].test_loss < first);
}

#[test]
fn the_deconvolutional_lab_refuses_bad_parameters_and_edits() {
    let spec = model::find("deconvolutional-network").unwrap();
    let mut params = spec.default_params();
    for (name, value) in [("code", "17"), ("maps", "0"), ("batch", "0"), ("lr", "2")] {
        let error = params.set(name, value).unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains(name) && text.contains(value),
            "{name}={value}: {text}"
        );
        assert!(!error.message().zh.is_empty());
    }
    let mut lab = DeconvLab::new(&spec.default_params(), 1).unwrap();
    for (view, index, value, says) in [
        ("label", 10, 1.0, "no 10"),
        ("label", 4, 0.0, "setting its value to 1"),
        ("code", 2, 0.5, "no number 2"),
        ("code", 0, f32::NAN, "not a finite number"),
        ("steps", 0, 1.0, "cannot be edited"),
    ] {
        let error = lab.edit(view, index, value).unwrap_err();
        assert!(
            error.to_string().contains(says),
            "{view}[{index}] = {value}: {error}"
        );
    }
    lab.edit("label", 7, 1.0).unwrap();
    lab.edit("code", 1, 5.0).unwrap();
    assert_eq!(
        lab.chosen(),
        (7, &[0.0f32, 1.0][..]),
        "clamped to the tanh's range"
    );
    // Without a code there is nothing to take.
    let mut bare = spec.default_params();
    bare.set("code", "0").unwrap();
    let mut lab = (spec.build)(&bare, 1).unwrap();
    assert!(lab.actions().iter().all(|a| a.name != "take_code"));
    assert!(lab.act("take_code").is_err());
}

#[test]
fn taking_a_training_digits_code_draws_that_digit_s_style() {
    let spec = model::find("deconvolutional-network").unwrap();
    let mut lab = DeconvLab::new(&spec.default_params(), 1).unwrap();
    lab.act("next_label").unwrap();
    assert_eq!(lab.chosen().0, 4);
    lab.act("take_code").unwrap();
    let first = lab.chosen().1.to_vec();
    assert!(first.iter().all(|c| c.abs() < 1.0));
    lab.act("take_code").unwrap();
    assert_ne!(lab.chosen().1, first.as_slice(), "the next digit's code");
}

#[test]
fn the_dcign_encoder_and_decoder_match_finite_differences() {
    // The convolutional encoder (Unflatten, two stride-2 convolutions with
    // ReLUs, Flatten) against its input and weights, on one map.
    let mut rng = StdRng::seed_from_u64(21);
    let mut net = Dcign::new(1, 2, &mut rng);
    let x: ArrayD<f32> = uniform((1, 784), 0.0, 1.0, 22).into_dyn();
    check_layer(&mut net.encoder, &x, 1e-3, 23).assert_below(2e-2);
    let z: ArrayD<f32> = uniform((2, 2), -1.0, 1.0, 24).into_dyn();
    check_layer(&mut net.decoder, &z, 1e-3, 25).assert_below(2e-2);
}

#[test]
fn the_dcign_backward_pass_matches_finite_differences_through_the_cell() {
    let mut rng = StdRng::seed_from_u64(31);
    let mut net = Dcign::new(2, 3, &mut rng);
    let x = uniform((3, 784), 0.0, 1.0, 32);
    let eps = draw_eps(3, 3, &mut rng);
    net.forward(x.view(), eps.view());
    net.backward();
    // Each part in turn, the others held as they are. The decoder's two
    // ReLUs see thousands of inputs, some near 0: a step of 1e-2 carries
    // them across the kink (its error falls with the step: 0.07 at 1e-2,
    // 0.04 at 3e-3, 0.02 at 1e-3), so it is nudged by 1e-3.
    for (which, epsilon) in [(0, 1e-2), (1, 1e-2), (2, 1e-2), (3, 1e-3)] {
        let base = net.clone();
        let mut own = net.clone();
        let worst = check_params(
            dcign_part(&mut own, which),
            &|layer: &dyn Layer| {
                let mut probe = base.clone();
                copy_params(layer, dcign_part(&mut probe, which));
                probe.evaluate(x.view(), eps.view()).loss()
            },
            epsilon,
            // −ELBO sums 784 pixels in f32: judged, as the VAE's check is,
            // against gradients of at least 1.
            1.0,
        );
        assert!(worst < 3e-2, "part {which}: {worst}");
    }
}

fn dcign_part(net: &mut Dcign, which: usize) -> &mut dyn Layer {
    match which {
        0 => &mut net.encoder,
        1 => &mut net.enc_mu,
        2 => &mut net.enc_logvar,
        _ => &mut net.decoder,
    }
}

#[test]
fn the_dcign_lab_lowers_the_bound_in_an_epoch() {
    let spec = model::find("dcign").unwrap();
    let mut params = spec.default_params();
    params.set("maps", "2").unwrap();
    params.set("latent", "2").unwrap();
    params.set("batch", "16").unwrap();
    params.set("lr", "0.02").unwrap();
    let mut lab = DcignLab::new(&params, 2).unwrap();
    lab.step();
    let (r, k) = lab.test_terms();
    let before = r + k;
    lab.act("finish_epoch").unwrap();
    let record = lab.history()[0];
    // Untrained, each of 784 pixels costs about ln 2: some 540 nats a digit.
    assert!(before > 400.0, "untrained −ELBO {before}");
    assert!(
        record.test_neg_elbo() < 0.8 * before,
        "test −ELBO {before} -> {}",
        record.test_neg_elbo()
    );
    assert!(record.test_kl > 0.0);
}

#[test]
fn the_dcign_walk_moves_one_unit_and_holds_the_others() {
    let base = [0.5f32, -0.25, 1.0];
    let z = Dcign::walk_codes(&base, 1, 2.0);
    assert_eq!(z.nrows(), WALK);
    assert_eq!(z[[0, 1]], -2.0);
    assert_eq!(z[[WALK - 1, 1]], 2.0);
    assert_eq!(z[[WALK / 2, 1]], 0.0);
    for row in z.outer_iter() {
        assert_eq!((row[0], row[2]), (0.5, 1.0));
    }
    let spec = model::find("dcign").unwrap();
    let lab = DcignLab::new(&spec.default_params(), 1).unwrap();
    let (held, pictures) = lab.walk();
    assert_eq!(held.len(), 8);
    assert_eq!(pictures.dim(), (WALK, 784));
    assert_ne!(pictures.row(0), pictures.row(WALK - 1));
}

#[test]
fn the_dcign_lab_refuses_a_unit_it_does_not_have() {
    let spec = model::find("dcign").unwrap();
    let mut params = spec.default_params();
    for (name, value) in [
        ("latent", "33"),
        ("maps", "0"),
        ("unit", "0"),
        ("reach", "11"),
    ] {
        let text = params.set(name, value).unwrap_err().to_string();
        assert!(text.contains(name) && text.contains(value), "{text}");
    }
    params.set("unit", "9").unwrap();
    let error = DcignLab::new(&params, 1).err().expect("unit 9 of 8");
    assert!(
        error.to_string().contains("the code has 8 units"),
        "{error}"
    );
    assert!(error.message().zh.contains("8 个单元"));
    let mut lab = DcignLab::new(&spec.default_params(), 1).unwrap();
    let error = lab.retune(&params).unwrap_err();
    assert!(error.to_string().contains("pick 1 to 8"), "{error}");
    params.set("unit", "3").unwrap();
    lab.retune(&params).unwrap();
}

#[test]
fn dcign_digits_on_a_short_setting_measures_both_networks() {
    let experiment = experiment::find("dcign-digits").unwrap();
    let mut settings = experiment.default_settings();
    for (k, v) in [
        ("epochs", "1"),
        ("maps", "2"),
        ("hidden", "32"),
        ("latent", "2"),
        ("batch", "16"),
        ("lr", "0.02"),
    ] {
        settings.set(k, v).unwrap();
    }
    let report = (experiment.run)(&settings, 1, &mut nnzoo::work::unwatched).unwrap();
    let text = report.to_text(experiment, 1, &settings, Lang::Zh);
    assert!(text.contains("结论"), "{text}");
    // Untrained, each of 784 pixels costs about ln 2: some 540 nats a
    // digit. One epoch takes both well below.
    for (name, series) in &report.series {
        assert_eq!(series.len(), 1, "{name}");
        assert!(series[0] < 0.8 * 784.0 * 2f64.ln(), "{name}: {series:?}");
    }
    assert!(report.metric("dcign_train_seconds").unwrap() > 0.0);
    assert!(report.metric("dcign_over_vae").unwrap().is_finite());
}

// Two steps in, then three stages: the drawing of 4 has reached the first
// deconvolution's maps.
snapshots! {
    deconv_80x24_english: lab_with("deconvolutional-network", &["maps=8"], "xnnmmm"), 80 x 24, Lang::En;
    deconv_80x24_chinese: lab_with("deconvolutional-network", &["maps=8"], "xnnmmm"), 80 x 24, Lang::Zh;
    deconv_120x40_english: lab_with("deconvolutional-network", &["maps=8"], "xnnmmm"), 120 x 40, Lang::En;
    deconv_120x40_chinese: lab_with("deconvolutional-network", &["maps=8"], "xnnmmm"), 120 x 40, Lang::Zh;
}

// Four steps in, then two stages: the batch drawn and reconstructed; the
// walk along z2 from −2 to 2.
snapshots! {
    dcign_80x24_english: lab_with("dcign", &["maps=4", "unit=2", "reach=2"], "nnnnmm"), 80 x 24, Lang::En;
    dcign_80x24_chinese: lab_with("dcign", &["maps=4", "unit=2", "reach=2"], "nnnnmm"), 80 x 24, Lang::Zh;
    dcign_120x40_english: lab_with("dcign", &["maps=4", "unit=2", "reach=2"], "nnnnmm"), 120 x 40, Lang::En;
    dcign_120x40_chinese: lab_with("dcign", &["maps=4", "unit=2", "reach=2"], "nnnnmm"), 120 x 40, Lang::Zh;
}
