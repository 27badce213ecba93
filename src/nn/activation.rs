//! Element-wise activations (ReLU, leaky ReLU, sigmoid, tanh) and softmax,
//! as layers and as plain functions other models reuse.
//!
//! References: PyTorch `torch.nn.ReLU`, `torch.nn.LeakyReLU` (default
//! `negative_slope` 0.01), `torch.nn.Sigmoid`, `torch.nn.Tanh` and
//! `torch.nn.Softmax` (<https://pytorch.org/docs/stable/nn.html#non-linear-activations-weighted-sum-nonlinearity>).
//! As in PyTorch, ReLU's derivative at 0 is taken as 0, and softmax here runs
//! over the last axis (`dim=-1`).
//!
//! Each layer keeps what its derivative needs and no more: sigmoid, tanh,
//! ReLU and softmax keep their output (each derivative is a function of it),
//! leaky ReLU keeps its input's sign through the input itself.

use super::{Layer, ShapeError};
use ndarray::{
    Array, Array2, ArrayD, ArrayView, ArrayView2, ArrayViewD, ArrayViewMut1, Axis, Dimension, Zip,
};

/// max(x, 0).
pub fn relu(x: f32) -> f32 {
    if x > 0.0 { x } else { 0.0 }
}

/// x for x > 0, `negative_slope` · x otherwise.
pub fn leaky_relu(x: f32, negative_slope: f32) -> f32 {
    if x > 0.0 { x } else { negative_slope * x }
}

/// The logistic function 1 / (1 + e^-x), computed so that e^x never
/// overflows: for x < 0 it is written e^x / (1 + e^x).
pub fn sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// dL/dx of y = relu(x) given its output: the gradient passes where y > 0.
pub fn relu_backward<D: Dimension>(
    y: ArrayView<'_, f32, D>,
    grad_y: ArrayView<'_, f32, D>,
) -> Array<f32, D> {
    Zip::from(&grad_y)
        .and(&y)
        .map_collect(|&g, &y| if y > 0.0 { g } else { 0.0 })
}

/// dL/dx of y = leaky_relu(x): the gradient passes where x > 0 and is scaled
/// by the slope elsewhere.
pub fn leaky_relu_backward<D: Dimension>(
    x: ArrayView<'_, f32, D>,
    negative_slope: f32,
    grad_y: ArrayView<'_, f32, D>,
) -> Array<f32, D> {
    Zip::from(&grad_y)
        .and(&x)
        .map_collect(|&g, &x| if x > 0.0 { g } else { negative_slope * g })
}

/// dL/dx of y = sigmoid(x) given its output: σ'(x) = y (1 - y).
pub fn sigmoid_backward<D: Dimension>(
    y: ArrayView<'_, f32, D>,
    grad_y: ArrayView<'_, f32, D>,
) -> Array<f32, D> {
    Zip::from(&grad_y)
        .and(&y)
        .map_collect(|&g, &y| g * y * (1.0 - y))
}

/// dL/dx of y = tanh(x) given its output: tanh'(x) = 1 - y².
pub fn tanh_backward<D: Dimension>(
    y: ArrayView<'_, f32, D>,
    grad_y: ArrayView<'_, f32, D>,
) -> Array<f32, D> {
    Zip::from(&grad_y)
        .and(&y)
        .map_collect(|&g, &y| g * (1.0 - y * y))
}

/// Softmax of one row in place: the maximum is subtracted first so that no
/// exponential overflows (the result is the same, as softmax ignores shifts).
pub fn softmax_in_place(mut row: ArrayViewMut1<'_, f32>) {
    let max = row.fold(f32::NEG_INFINITY, |m, &v| m.max(v));
    let mut total = 0.0f32;
    row.mapv_inplace(|v| {
        let e = (v - max).exp();
        total += e;
        e
    });
    row.mapv_inplace(|e| e / total);
}

/// Softmax of every row of `logits` `[batch, classes]`.
pub fn softmax_rows(logits: ArrayView2<'_, f32>) -> Array2<f32> {
    let mut p = logits.to_owned();
    for row in p.rows_mut() {
        softmax_in_place(row);
    }
    p
}

/// Softmax over the last axis of an array of any shape.
pub fn softmax_last_axis<D: Dimension>(x: ArrayView<'_, f32, D>) -> Array<f32, D> {
    let mut y = x.to_owned();
    let last = Axis(y.ndim().saturating_sub(1));
    for lane in y.lanes_mut(last) {
        softmax_in_place(lane);
    }
    y
}

/// dL/dx of y = softmax(x) over the last axis, given its output. The Jacobian
/// is ∂y_i/∂x_j = y_i (δ_ij - y_j), so dL/dx_j = y_j (g_j - Σ_i g_i y_i).
pub fn softmax_backward<D: Dimension>(
    y: ArrayView<'_, f32, D>,
    grad_y: ArrayView<'_, f32, D>,
) -> Array<f32, D> {
    let mut grad_x = grad_y.to_owned();
    let last = Axis(y.ndim().saturating_sub(1));
    for (mut g, y) in grad_x.lanes_mut(last).into_iter().zip(y.lanes(last)) {
        let g_dot_y: f32 = g.iter().zip(y).map(|(g, y)| g * y).sum();
        Zip::from(&mut g)
            .and(&y)
            .for_each(|g, &y| *g = y * (*g - g_dot_y));
    }
    grad_x
}

/// Copies `from` into `cache`, reusing its memory when the shape is the same.
fn keep(cache: &mut ArrayD<f32>, from: ArrayViewD<'_, f32>) {
    if cache.shape() == from.shape() {
        cache.assign(&from);
    } else {
        *cache = from.to_owned();
    }
}

fn any_shape(input: &[usize]) -> Result<Vec<usize>, ShapeError> {
    Ok(input.to_vec())
}

/// Rectified linear unit, max(x, 0).
#[derive(Debug, Clone, Default)]
pub struct ReLU {
    output: ArrayD<f32>,
}

impl ReLU {
    pub fn new() -> ReLU {
        ReLU::default()
    }
}

impl Layer for ReLU {
    fn boxed_clone(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }

    fn describe(&self) -> String {
        "ReLU".into()
    }
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>, ShapeError> {
        any_shape(input)
    }
    fn forward(&mut self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let y = x.mapv(relu);
        keep(&mut self.output, y.view());
        y
    }
    fn backward(&mut self, grad_y: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        relu_backward(self.output.view(), grad_y)
    }
    fn infer(&self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        x.mapv(relu)
    }
}

/// Leaky ReLU: x for x > 0, `negative_slope` · x otherwise.
#[derive(Debug, Clone)]
pub struct LeakyReLU {
    pub negative_slope: f32,
    input: ArrayD<f32>,
}

impl LeakyReLU {
    pub fn new(negative_slope: f32) -> LeakyReLU {
        LeakyReLU {
            negative_slope,
            input: ArrayD::zeros(vec![0]),
        }
    }
}

impl Default for LeakyReLU {
    /// PyTorch's default slope, 0.01.
    fn default() -> LeakyReLU {
        LeakyReLU::new(0.01)
    }
}

impl Layer for LeakyReLU {
    fn boxed_clone(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }

    fn describe(&self) -> String {
        format!("LeakyReLU(negative_slope={})", self.negative_slope)
    }
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>, ShapeError> {
        any_shape(input)
    }
    fn forward(&mut self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        keep(&mut self.input, x.view());
        self.infer(x)
    }
    fn backward(&mut self, grad_y: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        leaky_relu_backward(self.input.view(), self.negative_slope, grad_y)
    }
    fn infer(&self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let slope = self.negative_slope;
        x.mapv(|v| leaky_relu(v, slope))
    }
}

/// The logistic sigmoid, 1 / (1 + e^-x).
#[derive(Debug, Clone, Default)]
pub struct Sigmoid {
    output: ArrayD<f32>,
}

impl Sigmoid {
    pub fn new() -> Sigmoid {
        Sigmoid::default()
    }
}

impl Layer for Sigmoid {
    fn boxed_clone(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }

    fn describe(&self) -> String {
        "Sigmoid".into()
    }
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>, ShapeError> {
        any_shape(input)
    }
    fn forward(&mut self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let y = x.mapv(sigmoid);
        keep(&mut self.output, y.view());
        y
    }
    fn backward(&mut self, grad_y: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        sigmoid_backward(self.output.view(), grad_y)
    }
    fn infer(&self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        x.mapv(sigmoid)
    }
}

/// The hyperbolic tangent.
#[derive(Debug, Clone, Default)]
pub struct Tanh {
    output: ArrayD<f32>,
}

impl Tanh {
    pub fn new() -> Tanh {
        Tanh::default()
    }
}

impl Layer for Tanh {
    fn boxed_clone(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }

    fn describe(&self) -> String {
        "Tanh".into()
    }
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>, ShapeError> {
        any_shape(input)
    }
    fn forward(&mut self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let y = x.mapv(f32::tanh);
        keep(&mut self.output, y.view());
        y
    }
    fn backward(&mut self, grad_y: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        tanh_backward(self.output.view(), grad_y)
    }
    fn infer(&self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        x.mapv(f32::tanh)
    }
}

/// Softmax over the last axis: each lane becomes a probability distribution.
#[derive(Debug, Clone, Default)]
pub struct Softmax {
    output: ArrayD<f32>,
}

impl Softmax {
    pub fn new() -> Softmax {
        Softmax::default()
    }
}

impl Layer for Softmax {
    fn boxed_clone(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }

    fn describe(&self) -> String {
        "Softmax(dim=-1)".into()
    }
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>, ShapeError> {
        if input.is_empty() {
            return Err(ShapeError {
                layer: self.describe(),
                message: "needs at least one axis".into(),
            });
        }
        any_shape(input)
    }
    fn forward(&mut self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let y = softmax_last_axis(x);
        keep(&mut self.output, y.view());
        y
    }
    fn backward(&mut self, grad_y: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        softmax_backward(self.output.view(), grad_y)
    }
    fn infer(&self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        softmax_last_axis(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn sigmoid_is_stable_at_both_ends() {
        assert_eq!(sigmoid(0.0), 0.5);
        assert_eq!(sigmoid(200.0), 1.0);
        assert_eq!(sigmoid(-200.0), 0.0);
        assert!(sigmoid(-100.0) > 0.0 && sigmoid(-100.0).is_finite());
        assert!((sigmoid(2.0) + sigmoid(-2.0) - 1.0).abs() < 1e-7);
    }

    #[test]
    fn softmax_rows_sum_to_one_even_for_huge_logits() {
        let p = softmax_rows(array![[1000.0f32, 1000.0, 0.0], [1.0, 2.0, 3.0]].view());
        assert!((p[[0, 0]] - 0.5).abs() < 1e-7 && p[[0, 2]] == 0.0);
        for row in p.rows() {
            assert!((row.sum() - 1.0).abs() < 1e-6);
        }
        assert!((p[[1, 2]] - 0.66524096).abs() < 1e-6);
    }

    #[test]
    fn relu_and_leaky_relu_pass_gradients_by_sign() {
        let x = array![-2.0f32, 0.0, 3.0].into_dyn();
        let g = array![1.0f32, 1.0, 1.0].into_dyn();
        let mut layer = ReLU::new();
        assert_eq!(layer.forward(x.view()), array![0.0f32, 0.0, 3.0].into_dyn());
        assert_eq!(
            layer.backward(g.view()),
            array![0.0f32, 0.0, 1.0].into_dyn()
        );
        let mut leaky = LeakyReLU::default();
        assert_eq!(
            leaky.forward(x.view()),
            array![-0.02f32, 0.0, 3.0].into_dyn()
        );
        assert_eq!(
            leaky.backward(g.view()),
            array![0.01f32, 0.01, 1.0].into_dyn()
        );
    }
}
