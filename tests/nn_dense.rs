//! The dense learning core checked from outside: every layer's hand-written
//! backward pass against central finite differences, every loss's gradient
//! likewise, inference against training passes, `Sequential`'s names, shapes
//! and per-layer records, and the optimisers' learning-rate changes.

use ndarray::{Array2, ArrayD, ArrayView2, ArrayViewD, Ix2, IxDyn, array};
use nnzoo::nn::activation::{LeakyReLU, ReLU, Sigmoid, Softmax, Tanh};
use nnzoo::nn::gradcheck::{check_function, check_layer};
use nnzoo::nn::linear::Linear;
use nnzoo::nn::loss::{self, Reduction};
use nnzoo::nn::optim::{Adam, Optimizer, Sgd};
use nnzoo::nn::sequential::{Flatten, Sequential};
use nnzoo::nn::{Layer, ParamMut};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const EPSILON: f32 = 1e-2;
const TOLERANCE: f32 = 1e-2;

fn random(shape: &[usize], low: f32, high: f32, seed: u64) -> ArrayD<f32> {
    let mut rng = StdRng::seed_from_u64(seed);
    ArrayD::from_shape_simple_fn(IxDyn(shape), || rng.random_range(low..high))
}

/// Values of either sign at least 0.1 from zero, so that a step of ε never
/// crosses ReLU's kink.
fn away_from_zero(shape: &[usize], seed: u64) -> ArrayD<f32> {
    random(shape, 0.1, 2.0, seed) * random(shape, -1.0, 1.0, seed + 1).mapv(f32::signum)
}

/// The training pass and the inference pass give the same output.
fn assert_infer_equals_forward(layer: &mut dyn Layer, x: &ArrayD<f32>) {
    let trained = layer.forward(x.view());
    let inferred = layer.infer(x.view());
    assert_eq!(trained, inferred, "{}", layer.describe());
    assert_eq!(
        layer.output_shape(x.shape()).unwrap(),
        trained.shape(),
        "{}",
        layer.describe()
    );
}

#[test]
fn linear_gradients_match_finite_differences() {
    let mut rng = StdRng::seed_from_u64(1);
    let x = random(&[5, 4], -1.0, 1.0, 2);
    for bias in [true, false] {
        let mut layer = Linear::new(4, 3, bias, &mut rng);
        let check = check_layer(&mut layer, &x, EPSILON, 3);
        assert_eq!(check.errors.len(), if bias { 3 } else { 2 });
        check.assert_below(TOLERANCE);
        assert_infer_equals_forward(&mut layer, &x);
    }
    // Leading axes beyond the batch are batch too.
    let mut layer = Linear::new(4, 2, true, &mut rng);
    check_layer(&mut layer, &random(&[2, 3, 4], -1.0, 1.0, 4), EPSILON, 5).assert_below(TOLERANCE);
}

#[test]
fn activation_gradients_match_finite_differences() {
    let x = away_from_zero(&[4, 5], 10);
    let layers: Vec<Box<dyn Layer>> = vec![
        Box::new(ReLU::new()),
        Box::new(LeakyReLU::default()),
        Box::new(LeakyReLU::new(0.2)),
        Box::new(Sigmoid::new()),
        Box::new(Tanh::new()),
        Box::new(Softmax::new()),
    ];
    for mut layer in layers {
        let check = check_layer(layer.as_mut(), &x, EPSILON, 11);
        assert!(
            check.worst() <= TOLERANCE,
            "{}: {:?}",
            layer.describe(),
            check
        );
        assert_infer_equals_forward(layer.as_mut(), &x);
    }
    // Softmax over the last axis of a 3-axis input.
    check_layer(
        &mut Softmax::new(),
        &random(&[2, 3, 4], -2.0, 2.0, 12),
        EPSILON,
        13,
    )
    .assert_below(TOLERANCE);
}

#[test]
fn sequential_and_flatten_gradients_match_finite_differences() {
    let mut rng = StdRng::seed_from_u64(20);
    let mut net = Sequential::new()
        .with(Linear::new(4, 6, true, &mut rng))
        .with(Tanh::new())
        .with(Linear::new(6, 3, true, &mut rng));
    let x = random(&[5, 4], -1.0, 1.0, 21);
    let check = check_layer(&mut net, &x, EPSILON, 22);
    let names: Vec<&str> = check.errors.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["x", "0.weight", "0.bias", "2.weight", "2.bias"]);
    check.assert_below(TOLERANCE);
    assert_infer_equals_forward(&mut net, &x);

    let mut flatten = Flatten::new();
    let images = random(&[2, 3, 2, 2], -1.0, 1.0, 23);
    check_layer(&mut flatten, &images, EPSILON, 24).assert_below(TOLERANCE);
    assert_infer_equals_forward(&mut flatten, &images);
    let mut conv_like = Sequential::new()
        .with(Flatten::new())
        .with(Linear::new(12, 2, true, &mut rng));
    check_layer(&mut conv_like, &images, EPSILON, 25).assert_below(TOLERANCE);
}

#[test]
fn a_wrong_backward_pass_would_be_caught() {
    // The check itself must fail on a broken gradient: a tanh that claims
    // sigmoid's derivative.
    #[derive(Clone)]
    struct WrongTanh(Tanh, Sigmoid);
    impl Layer for WrongTanh {
        fn boxed_clone(&self) -> Box<dyn Layer> {
            Box::new(self.clone())
        }
        fn describe(&self) -> String {
            "WrongTanh".into()
        }
        fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>, nnzoo::nn::ShapeError> {
            Ok(input.to_vec())
        }
        fn forward(&mut self, x: ndarray::ArrayViewD<'_, f32>) -> ArrayD<f32> {
            self.1.forward(x.view());
            self.0.forward(x)
        }
        fn backward(&mut self, grad_y: ndarray::ArrayViewD<'_, f32>) -> ArrayD<f32> {
            self.1.backward(grad_y)
        }
        fn infer(&self, x: ndarray::ArrayViewD<'_, f32>) -> ArrayD<f32> {
            self.0.infer(x)
        }
    }
    let check = check_layer(
        &mut WrongTanh(Tanh::new(), Sigmoid::new()),
        &random(&[3, 4], -1.0, 1.0, 30),
        EPSILON,
        31,
    );
    assert!(check.worst() > 0.1, "{check:?}");
}

#[test]
fn loss_gradients_match_finite_differences() {
    let pred = random(&[4, 3], -1.0, 1.0, 40);
    let target = random(&[4, 3], -1.0, 1.0, 41);
    let f64_of = |v: f32| f64::from(v);

    // Mean squared error, against the prediction and the target.
    let (_, grad) = loss::mse(pred.view(), target.view());
    let err = check_function(
        |p| f64_of(loss::mse(p, target.view()).0),
        &pred,
        grad.view(),
        EPSILON,
    );
    assert!(err < TOLERANCE, "mse input: {err}");
    let grad_target = loss::mse_grad_target(pred.view(), target.view());
    let err = check_function(
        |t| f64_of(loss::mse(pred.view(), t).0),
        &target,
        grad_target.view(),
        EPSILON,
    );
    assert!(err < TOLERANCE, "mse target: {err}");

    // Cross-entropy against the logits.
    let logits = random(&[5, 4], -3.0, 3.0, 42);
    let labels = [3, 0, 1, 1, 2];
    let (_, grad) = loss::cross_entropy(as_matrix(logits.view()), &labels);
    let err = check_function(
        |z| f64_of(loss::cross_entropy(as_matrix(z), &labels).0),
        &logits,
        grad.view().into_dyn(),
        EPSILON,
    );
    assert!(err < TOLERANCE, "cross_entropy: {err}");

    // Binary cross-entropy on logits, against the logits and the target.
    let bce_logits = random(&[4, 3], -3.0, 3.0, 47);
    let soft_target = random(&[4, 3], 0.0, 1.0, 43);
    let (_, grad) = loss::bce_with_logits(bce_logits.view(), soft_target.view());
    let err = check_function(
        |z| f64_of(loss::bce_with_logits(z, soft_target.view()).0),
        &bce_logits,
        grad.view(),
        EPSILON,
    );
    assert!(err < TOLERANCE, "bce_with_logits logits: {err}");
    let grad_target = loss::bce_with_logits_grad_target(bce_logits.view());
    let err = check_function(
        |t| f64_of(loss::bce_with_logits(bce_logits.view(), t).0),
        &soft_target,
        grad_target.view(),
        EPSILON,
    );
    assert!(err < TOLERANCE, "bce_with_logits target: {err}");

    // Binary cross-entropy on probabilities, both reductions.
    let p = random(&[4, 3], 0.1, 0.9, 44);
    for reduction in [Reduction::Mean, Reduction::Sum] {
        let (_, grad) = loss::binary_cross_entropy(p.view(), soft_target.view(), reduction);
        let err = check_function(
            |q| f64_of(loss::binary_cross_entropy(q, soft_target.view(), reduction).0),
            &p,
            grad.view(),
            1e-3,
        );
        assert!(
            err < TOLERANCE,
            "binary_cross_entropy {reduction:?} p: {err}"
        );
        let grad_target = loss::binary_cross_entropy_grad_target(p.view(), reduction);
        let err = check_function(
            |t| f64_of(loss::binary_cross_entropy(p.view(), t, reduction).0),
            &soft_target,
            grad_target.view(),
            EPSILON,
        );
        assert!(
            err < TOLERANCE,
            "binary_cross_entropy {reduction:?} target: {err}"
        );
    }

    // Gaussian KL, against the mean and the log-variance.
    let mu = random(&[3, 4], -1.0, 1.0, 45);
    let logvar = random(&[3, 4], -1.0, 1.0, 46);
    let kl = loss::gaussian_kl(as_matrix(mu.view()), as_matrix(logvar.view()));
    assert!((kl.rows.sum() - kl.total).abs() < 1e-5);
    let err = check_function(
        |m| f64_of(loss::gaussian_kl(as_matrix(m), as_matrix(logvar.view())).total),
        &mu,
        kl.grad_mu.view().into_dyn(),
        EPSILON,
    );
    assert!(err < TOLERANCE, "gaussian_kl mu: {err}");
    let err = check_function(
        |lv| f64_of(loss::gaussian_kl(as_matrix(mu.view()), as_matrix(lv)).total),
        &logvar,
        kl.grad_logvar.view().into_dyn(),
        EPSILON,
    );
    assert!(err < TOLERANCE, "gaussian_kl logvar: {err}");
}

#[test]
fn sequential_names_shapes_and_records_per_layer() {
    let mut rng = StdRng::seed_from_u64(50);
    let mut net = Sequential::new();
    net.push(Flatten::new())
        .push(Linear::new(6, 8, true, &mut rng))
        .push(ReLU::new())
        .push(Linear::new(8, 3, false, &mut rng));
    assert_eq!(net.len(), 4);
    let mut names = Vec::new();
    net.visit_params(&mut |p| names.push((p.name.to_string(), p.value.shape().to_vec())));
    assert_eq!(
        names,
        [
            ("1.weight".to_string(), vec![8, 6]),
            ("1.bias".to_string(), vec![8]),
            ("3.weight".to_string(), vec![3, 8]),
        ]
    );
    assert_eq!(net.output_shape(&[5, 2, 3]).unwrap(), vec![5, 3]);
    assert!(net.output_shape(&[5, 7]).is_err());
    let descriptions: Vec<String> = net.layers().iter().map(|l| l.describe()).collect();
    assert_eq!(
        descriptions,
        [
            "Flatten",
            "Linear(6, 8)",
            "ReLU",
            "Linear(8, 3, bias=False)"
        ]
    );

    let x = random(&[5, 2, 3], -1.0, 1.0, 51);
    let y = net.forward(x.view());
    let shapes: Vec<&[usize]> = net.outputs().iter().map(|o| o.shape()).collect();
    assert_eq!(shapes, [&[5, 6][..], &[5, 8], &[5, 8], &[5, 3]]);
    assert_eq!(net.outputs()[3], y);
    assert!(net.outputs()[2].iter().all(|&v| v >= 0.0));

    let grad_y = random(&[5, 3], -1.0, 1.0, 52);
    let grad_x = net.backward(grad_y.view());
    assert_eq!(grad_x.shape(), x.shape());
    let shapes: Vec<&[usize]> = net.output_grads().iter().map(|g| g.shape()).collect();
    assert_eq!(shapes, [&[5, 6][..], &[5, 8], &[5, 8], &[5, 3]]);
    assert_eq!(net.output_grads()[3], grad_y);
    // The gradient at ReLU's input is zero wherever ReLU's output is.
    for (g, &y) in net.output_grads()[1].iter().zip(net.outputs()[2].iter()) {
        if y == 0.0 {
            assert_eq!(*g, 0.0);
        }
    }
}

/// A `[rows, columns]` view of a 2-axis array.
fn as_matrix(a: ArrayViewD<'_, f32>) -> ArrayView2<'_, f32> {
    a.into_dimensionality::<Ix2>().unwrap()
}

/// One parameter `w` stepped by hand with the given gradient.
fn step(opt: &mut dyn Optimizer, w: &mut ArrayD<f32>, g: &ArrayD<f32>) {
    let mut g = g.clone();
    opt.begin_step();
    opt.update(ParamMut {
        name: "w",
        value: w.view_mut(),
        grad: g.view_mut(),
    });
}

#[test]
fn sgd_learning_rate_changes_apply_next_step_and_keep_momentum() {
    let g1 = array![1.0f32, -2.0].into_dyn();
    let g2 = array![0.5f32, 1.0].into_dyn();
    let mut opt = Sgd::new(0.1).with_momentum(0.9);
    let mut w = array![1.0f32, 1.0].into_dyn();
    step(&mut opt, &mut w, &g1);
    let after_first = w.clone();
    opt.set_learning_rate(0.05);
    assert_eq!(opt.learning_rate(), 0.05);
    step(&mut opt, &mut w, &g2);
    // buf = 0.9 g1 + g2, applied with the new rate.
    let buf = &g1 * 0.9 + &g2;
    let want = &after_first - &(&buf * 0.05);
    for (a, b) in w.iter().zip(want.iter()) {
        assert!((a - b).abs() < 1e-6, "{w} vs {want}");
    }
    assert_eq!(opt.momentum_buffer("w").unwrap(), &buf);
    assert_eq!(opt.steps(), 2);
}

#[test]
fn adam_learning_rate_changes_apply_next_step_and_keep_moments() {
    let g1 = array![0.3f32, -2.0].into_dyn();
    let g2 = array![-0.1f32, 0.5].into_dyn();
    let mut slow = Adam::new(0.01);
    let mut fast = Adam::new(0.01);
    let mut w_slow = array![1.0f32, 1.0].into_dyn();
    let mut w_fast = w_slow.clone();
    step(&mut slow, &mut w_slow, &g1);
    step(&mut fast, &mut w_fast, &g1);
    let before = w_slow.clone();
    fast.set_learning_rate(0.02);
    step(&mut slow, &mut w_slow, &g2);
    step(&mut fast, &mut w_fast, &g2);
    // Same moments, twice the rate: twice the move.
    let slow_move = &w_slow - &before;
    let fast_move = &w_fast - &before;
    for (s, f) in slow_move.iter().zip(fast_move.iter()) {
        assert!((2.0 * s - f).abs() < 1e-6, "{slow_move} {fast_move}");
    }
    // The second step used the first step's moments (t = 2).
    let (b1, b2) = (0.9f32, 0.999f32);
    for i in 0..2 {
        let m = b1 * (1.0 - b1) * g1[i] + (1.0 - b1) * g2[i];
        let v = b2 * (1.0 - b2) * g1[i] * g1[i] + (1.0 - b2) * g2[i] * g2[i];
        let m_hat = m / (1.0 - b1 * b1);
        let v_hat = v / (1.0 - b2 * b2);
        let want = -0.01 * m_hat / (v_hat.sqrt() + 1e-8);
        assert!(
            (slow_move[i] - want).abs() < 1e-6,
            "{i}: {} vs {want}",
            slow_move[i]
        );
    }
    let (m, _) = fast.moments("w").unwrap();
    assert!((m[0] - (b1 * (1.0 - b1) * g1[0] + (1.0 - b1) * g2[0])).abs() < 1e-7);
}

#[test]
fn a_small_network_learns_a_separable_problem() {
    // Two Gaussian blobs; a few hundred full-batch steps of the layers,
    // loss and optimisers together must get the loss well down.
    let mut rng = StdRng::seed_from_u64(60);
    let n = 64;
    let labels: Vec<usize> = (0..n).map(|i| i % 2).collect();
    let x = Array2::from_shape_fn((n, 2), |(i, j)| {
        let centre = if labels[i] == 1 { 1.0 } else { -1.0 };
        centre * if j == 0 { 1.0 } else { -1.0 } + rng.random_range(-0.5f32..0.5)
    });
    for optimizer in [
        Box::new(Sgd::new(0.5).with_momentum(0.5)) as Box<dyn Optimizer>,
        Box::new(Adam::new(0.05)),
    ] {
        let mut optimizer = optimizer;
        let mut net = Sequential::new()
            .with(Linear::new(2, 8, true, &mut rng))
            .with(ReLU::new())
            .with(Linear::new(8, 2, true, &mut rng));
        let mut losses = Vec::new();
        for _ in 0..100 {
            let logits = net.forward(x.view().into_dyn());
            let (loss, grad) =
                loss::cross_entropy(logits.view().into_dimensionality().unwrap(), &labels);
            losses.push(loss);
            net.zero_grad();
            net.backward(grad.view().into_dyn());
            optimizer.step(&mut net);
        }
        let last = *losses.last().unwrap();
        assert!(last < 0.05 && last < losses[0] / 10.0, "{losses:?}");
    }
}
