//! Gradient checks by central finite differences.
//!
//! A layer's hand-written backward pass is checked against
//! (L(θ + ε) - L(θ - ε)) / 2ε for every input value and every parameter, with
//! the scalar L = Σ y ⊙ r for a fixed random r, so that dL/dy = r reaches the
//! backward pass as an arbitrary upstream gradient. The layers compute in
//! f32, so ε is fairly large (1e-2 by default) and the comparison is relative
//! to the size of the gradients; a wrong index or a missing term gives errors
//! of order one, far above the f32 noise.

use super::Layer;
use ndarray::{ArrayD, ArrayViewD, IxDyn, Zip};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// How far the hand-written gradients are from the finite differences.
#[derive(Debug, Clone, PartialEq)]
pub struct GradCheck {
    /// Per checked tensor (`x`, then each parameter by name): the largest
    /// |analytic - numeric| divided by max(1, the largest |numeric|).
    pub errors: Vec<(String, f32)>,
}

impl GradCheck {
    /// The largest relative error over every tensor.
    pub fn worst(&self) -> f32 {
        self.errors.iter().map(|(_, e)| *e).fold(0.0, f32::max)
    }

    /// Panics with every tensor's error if any is above `tolerance`; for tests.
    pub fn assert_below(&self, tolerance: f32) {
        assert!(
            self.worst() <= tolerance,
            "gradient check failed (tolerance {tolerance}): {:?}",
            self.errors
        );
    }
}

/// Checks `layer`'s backward pass at input `x` (gradients of the input and of
/// every parameter), with step `epsilon`. The layer's gradients are zeroed
/// first and left holding the analytic ones.
pub fn check_layer(layer: &mut dyn Layer, x: &ArrayD<f32>, epsilon: f32, seed: u64) -> GradCheck {
    let y = layer.forward(x.view());
    let mut rng = StdRng::seed_from_u64(seed);
    let r = ArrayD::from_shape_simple_fn(y.raw_dim(), || rng.random_range(-1.0f32..1.0));
    let loss = |layer: &mut dyn Layer, x: ArrayViewD<'_, f32>| -> f64 {
        let y = layer.infer(x);
        Zip::from(&y)
            .and(&r)
            .fold(0.0f64, |acc, &y, &r| acc + f64::from(y) * f64::from(r))
    };

    layer.zero_grad();
    layer.forward(x.view());
    let grad_x = layer.backward(r.view());
    let mut errors = Vec::new();

    // dL/dx, one input value at a time.
    let mut numeric = ArrayD::<f32>::zeros(x.raw_dim());
    let mut probe = x.clone();
    for i in 0..x.len() {
        let original = probe.as_slice_mut().expect("standard layout")[i];
        probe.as_slice_mut().expect("standard layout")[i] = original + epsilon;
        let up = loss(layer, probe.view());
        probe.as_slice_mut().expect("standard layout")[i] = original - epsilon;
        let down = loss(layer, probe.view());
        probe.as_slice_mut().expect("standard layout")[i] = original;
        numeric.as_slice_mut().expect("standard layout")[i] =
            ((up - down) / (2.0 * f64::from(epsilon))) as f32;
    }
    errors.push((
        "x".to_string(),
        relative_error(grad_x.view(), numeric.view()),
    ));

    // dL/dθ, one parameter value at a time. Parameters are visited by name,
    // so each is copied out, nudged and written back through the visitor.
    let mut names = Vec::new();
    let mut analytic = Vec::new();
    layer.visit_params(&mut |p| {
        names.push(p.name.to_string());
        analytic.push(p.grad.to_owned());
    });
    for (k, name) in names.iter().enumerate() {
        let len = analytic[k].len();
        let mut numeric = ArrayD::<f32>::zeros(IxDyn(analytic[k].shape()));
        for i in 0..len {
            let nudge = |layer: &mut dyn Layer, delta: f32| {
                let mut index = 0;
                layer.visit_params_mut(&mut |mut p| {
                    if index == k {
                        let mut flat = p
                            .value
                            .view_mut()
                            .into_shape_with_order(len)
                            .expect("contiguous");
                        flat[i] += delta;
                    }
                    index += 1;
                });
            };
            nudge(layer, epsilon);
            let up = loss(layer, x.view());
            nudge(layer, -2.0 * epsilon);
            let down = loss(layer, x.view());
            nudge(layer, epsilon);
            numeric.as_slice_mut().expect("standard layout")[i] =
                ((up - down) / (2.0 * f64::from(epsilon))) as f32;
        }
        errors.push((
            name.clone(),
            relative_error(analytic[k].view(), numeric.view()),
        ));
    }
    GradCheck { errors }
}

/// Checks the gradient `analytic` of a scalar function `f` at `x` (a loss
/// against its input), with step `epsilon`.
pub fn check_function(
    f: impl Fn(ArrayViewD<'_, f32>) -> f64,
    x: &ArrayD<f32>,
    analytic: ArrayViewD<'_, f32>,
    epsilon: f32,
) -> f32 {
    let mut probe = x.clone();
    let mut numeric = ArrayD::<f32>::zeros(x.raw_dim());
    for i in 0..x.len() {
        let original = probe.as_slice().expect("standard layout")[i];
        probe.as_slice_mut().expect("standard layout")[i] = original + epsilon;
        let up = f(probe.view());
        probe.as_slice_mut().expect("standard layout")[i] = original - epsilon;
        let down = f(probe.view());
        probe.as_slice_mut().expect("standard layout")[i] = original;
        numeric.as_slice_mut().expect("standard layout")[i] =
            ((up - down) / (2.0 * f64::from(epsilon))) as f32;
    }
    relative_error(analytic, numeric.view())
}

/// max |a - n| / max(1, max |n|).
fn relative_error(analytic: ArrayViewD<'_, f32>, numeric: ArrayViewD<'_, f32>) -> f32 {
    assert_eq!(analytic.shape(), numeric.shape(), "gradient shapes differ");
    let scale = numeric.iter().fold(1.0f32, |m, v| m.max(v.abs()));
    Zip::from(&analytic)
        .and(&numeric)
        .fold(0.0f32, |m, a, n| m.max((a - n).abs()))
        / scale
}
