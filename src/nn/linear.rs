//! The fully connected layer, y = x Wᵀ + b, with its backward pass.
//!
//! Reference: PyTorch `torch.nn.Linear`
//! (<https://pytorch.org/docs/stable/generated/torch.nn.Linear.html>):
//! `weight` is `[out_features, in_features]`, `bias` is `[out_features]`, both
//! drawn from U(-1/sqrt(in), 1/sqrt(in)) by default. The input is
//! `[*, in_features]`: every leading axis is treated as batch.
//!
//! The products go through ndarray's `general_mat_mul` (matrixmultiply), which
//! also lets the backward pass add dL/dW into the gradient in place.

use super::{Layer, ParamMut, ParamRef, ShapeError, init};
use ndarray::linalg::general_mat_mul;
use ndarray::{
    Array1, Array2, ArrayD, ArrayView1, ArrayView2, ArrayViewD, ArrayViewMut1, ArrayViewMut2, Axis,
    CowArray, Ix2, IxDyn,
};
use rand::Rng;
use std::sync::OnceLock;

/// Products of at least this many multiply-adds (a character model's
/// readout over a window: 2,048 x 128 x 1,359 is 356 million) are split
/// across two threads; below it, starting a thread costs more than it saves.
const SPLIT_PRODUCT: usize = 1 << 24;

/// Whether two threads may share a product: two cores or more, and not
/// `NNZOO_THREADS=1`.
fn two_threads() -> bool {
    static ALLOWED: OnceLock<bool> = OnceLock::new();
    *ALLOWED.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let allowed = std::env::var("NNZOO_THREADS").map_or(true, |v| v.trim() != "1");
        cores >= 2 && allowed
    })
}

/// c = alpha a b + beta c, as `general_mat_mul`; a large product is split
/// by the rows of c, the upper half on this thread and the lower on a
/// second, so each row is computed exactly as it would be alone.
fn mat_mul(
    alpha: f32,
    a: &ArrayView2<'_, f32>,
    b: &ArrayView2<'_, f32>,
    beta: f32,
    c: &mut ArrayViewMut2<'_, f32>,
) {
    let (m, k) = a.dim();
    let n = b.ncols();
    if m < 2 || m * k * n < SPLIT_PRODUCT || !two_threads() {
        general_mat_mul(alpha, a, b, beta, c);
        return;
    }
    let half = m / 2;
    let (a_top, a_bottom) = a.view().split_at(Axis(0), half);
    let (mut c_top, mut c_bottom) = c.view_mut().split_at(Axis(0), half);
    std::thread::scope(|scope| {
        scope.spawn(move || general_mat_mul(alpha, &a_bottom, b, beta, &mut c_bottom));
        general_mat_mul(alpha, &a_top, b, beta, &mut c_top);
    });
}

/// y = x Wᵀ + b for x `[batch, in]`, weight `[out, in]`, bias `[out]`.
pub fn forward(
    x: ArrayView2<'_, f32>,
    weight: ArrayView2<'_, f32>,
    bias: Option<ArrayView1<'_, f32>>,
) -> Array2<f32> {
    let batch = x.nrows();
    let out_features = weight.nrows();
    // Start from the bias broadcast over the batch, then add x Wᵀ onto it:
    // one allocation and no separate pass for the bias.
    let (mut y, beta) = match bias {
        Some(b) => (b.broadcast((batch, out_features)).unwrap().to_owned(), 1.0),
        None => (Array2::zeros((batch, out_features)), 0.0),
    };
    mat_mul(1.0, &x, &weight.t(), beta, &mut y.view_mut());
    y
}

/// The gradients of y = x Wᵀ + b given dL/dy, as new arrays:
/// (dL/dx `[batch, in]`, dL/dW `[out, in]`, dL/db `[out]`).
pub fn backward(
    x: ArrayView2<'_, f32>,
    weight: ArrayView2<'_, f32>,
    grad_y: ArrayView2<'_, f32>,
) -> (Array2<f32>, Array2<f32>, Array1<f32>) {
    let mut grad_weight = Array2::zeros(weight.raw_dim());
    let mut grad_bias = Array1::zeros(weight.nrows());
    accumulate_param_grads(
        x,
        grad_y,
        grad_weight.view_mut(),
        Some(grad_bias.view_mut()),
    );
    (input_grad(weight, grad_y), grad_weight, grad_bias)
}

/// dL/dx = dL/dy · W: each input feature collects the gradient of every
/// output it feeds, weighted by the connection.
pub fn input_grad(weight: ArrayView2<'_, f32>, grad_y: ArrayView2<'_, f32>) -> Array2<f32> {
    let mut grad_x = Array2::zeros((grad_y.nrows(), weight.ncols()));
    mat_mul(1.0, &grad_y, &weight, 0.0, &mut grad_x.view_mut());
    grad_x
}

/// Adds dL/dW = (dL/dy)ᵀ · x (summed over the batch) into `grad_weight` and
/// dL/db = Σ_batch dL/dy into `grad_bias`, in place, as PyTorch accumulates
/// `.grad`.
pub fn accumulate_param_grads(
    x: ArrayView2<'_, f32>,
    grad_y: ArrayView2<'_, f32>,
    mut grad_weight: ArrayViewMut2<'_, f32>,
    grad_bias: Option<ArrayViewMut1<'_, f32>>,
) {
    // y[n, o] = Σ_i x[n, i] W[o, i] + b[o], so dL/dW[o, i] = Σ_n dy[n, o] x[n, i].
    mat_mul(1.0, &grad_y.t(), &x, 1.0, &mut grad_weight);
    // dy[n, o] reaches b[o] once per row n.
    if let Some(mut grad_bias) = grad_bias {
        for row in grad_y.rows() {
            grad_bias += &row;
        }
    }
}

/// A fully connected layer with its gradients and the input of its last
/// training pass.
#[derive(Debug, Clone)]
pub struct Linear {
    /// `[out_features, in_features]`, as PyTorch stores it.
    pub weight: Array2<f32>,
    pub bias: Option<Array1<f32>>,
    pub grad_weight: Array2<f32>,
    pub grad_bias: Option<Array1<f32>>,
    /// The input of the last forward pass, as `[rows, in_features]`.
    input: Array2<f32>,
}

impl Linear {
    /// A layer with PyTorch's default initialisation: weight, then bias, from
    /// U(-1/sqrt(in), 1/sqrt(in)).
    pub fn new(in_features: usize, out_features: usize, bias: bool, rng: &mut impl Rng) -> Linear {
        let bound = init::default_bound(in_features);
        let weight = init::uniform((out_features, in_features), bound, rng);
        let bias = bias.then(|| init::uniform(out_features, bound, rng));
        Linear::from_parts(weight, bias)
    }

    /// A layer with the given weight `[out, in]` and bias `[out]`.
    ///
    /// # Panics
    /// If the bias's length is not the weight's number of rows.
    pub fn from_parts(weight: Array2<f32>, bias: Option<Array1<f32>>) -> Linear {
        if let Some(b) = &bias {
            assert_eq!(
                b.len(),
                weight.nrows(),
                "Linear: bias has {} values for {} outputs",
                b.len(),
                weight.nrows()
            );
        }
        Linear {
            grad_weight: Array2::zeros(weight.raw_dim()),
            grad_bias: bias.as_ref().map(|b| Array1::zeros(b.raw_dim())),
            input: Array2::zeros((0, weight.ncols())),
            weight,
            bias,
        }
    }

    pub fn in_features(&self) -> usize {
        self.weight.ncols()
    }

    pub fn out_features(&self) -> usize {
        self.weight.nrows()
    }
}

/// `x` `[*, features]` viewed as `[rows, features]`.
fn as_rows<'a>(x: &'a ArrayViewD<'_, f32>) -> CowArray<'a, f32, Ix2> {
    let features = x.shape().last().copied().unwrap_or(1);
    let rows = x.len().checked_div(features).unwrap_or(0);
    match x.view().into_shape_with_order((rows, features)) {
        Ok(v) => v.into(),
        // A non-contiguous view (a transposed input) cannot be reshaped in
        // place, so it is copied into row-major order first.
        Err(_) => x
            .as_standard_layout()
            .into_owned()
            .into_shape_with_order((rows, features))
            .expect("the same number of values")
            .into(),
    }
}

/// `y` `[rows, out]` given back the leading axes of the input `x`.
fn with_leading_axes(y: Array2<f32>, input_shape: &[usize]) -> ArrayD<f32> {
    if input_shape.len() == 2 {
        return y.into_dyn();
    }
    let mut shape = input_shape.to_vec();
    if let Some(last) = shape.last_mut() {
        *last = y.ncols();
    }
    y.into_shape_with_order(IxDyn(&shape))
        .expect("rows are the input's leading axes")
}

impl Layer for Linear {
    fn boxed_clone(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }

    fn describe(&self) -> String {
        let bias = if self.bias.is_some() {
            ""
        } else {
            ", bias=False"
        };
        format!(
            "Linear({}, {}{bias})",
            self.in_features(),
            self.out_features()
        )
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>, ShapeError> {
        match input.last() {
            Some(&features) if features == self.in_features() => {
                let mut shape = input.to_vec();
                *shape.last_mut().unwrap() = self.out_features();
                Ok(shape)
            }
            _ => Err(ShapeError {
                layer: self.describe(),
                message: format!("takes [*, {}] but was given {input:?}", self.in_features()),
            }),
        }
    }

    fn forward(&mut self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let rows = as_rows(&x);
        let rows = rows.view();
        // Reuse the cache's memory when the batch has not changed size.
        if self.input.dim() == rows.dim() {
            self.input.assign(&rows);
        } else {
            self.input = rows.to_owned();
        }
        let y = forward(
            rows,
            self.weight.view(),
            self.bias.as_ref().map(|b| b.view()),
        );
        with_leading_axes(y, x.shape())
    }

    fn backward(&mut self, grad_y: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let input_shape: Vec<usize> = grad_y
            .shape()
            .iter()
            .take(grad_y.ndim().saturating_sub(1))
            .copied()
            .chain([self.in_features()])
            .collect();
        let grad_y = as_rows(&grad_y);
        let grad_y = grad_y.view();
        accumulate_param_grads(
            self.input.view(),
            grad_y,
            self.grad_weight.view_mut(),
            self.grad_bias.as_mut().map(|g| g.view_mut()),
        );
        let grad_x = input_grad(self.weight.view(), grad_y);
        with_leading_axes(grad_x, &input_shape)
    }

    fn infer(&self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let y = forward(
            as_rows(&x).view(),
            self.weight.view(),
            self.bias.as_ref().map(|b| b.view()),
        );
        with_leading_axes(y, x.shape())
    }

    fn visit_params_mut(&mut self, visit: &mut dyn FnMut(ParamMut<'_>)) {
        visit(ParamMut {
            name: "weight",
            value: self.weight.view_mut().into_dyn(),
            grad: self.grad_weight.view_mut().into_dyn(),
        });
        if let (Some(bias), Some(grad)) = (self.bias.as_mut(), self.grad_bias.as_mut()) {
            visit(ParamMut {
                name: "bias",
                value: bias.view_mut().into_dyn(),
                grad: grad.view_mut().into_dyn(),
            });
        }
    }

    fn visit_params(&self, visit: &mut dyn FnMut(ParamRef<'_>)) {
        visit(ParamRef {
            name: "weight",
            value: self.weight.view().into_dyn(),
            grad: self.grad_weight.view().into_dyn(),
        });
        if let (Some(bias), Some(grad)) = (self.bias.as_ref(), self.grad_bias.as_ref()) {
            visit(ParamRef {
                name: "bias",
                value: bias.view().into_dyn(),
                grad: grad.view().into_dyn(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn a_product_split_across_two_threads_equals_it_whole() {
        // 2,048 x 128 x 80: past the split, so (on two cores) the lower
        // rows come from a second thread; each row is computed the same way.
        let mut rng = StdRng::seed_from_u64(5);
        let x = init::uniform((2048, 128), 1.0, &mut rng);
        let weight = init::uniform((80, 128), 1.0, &mut rng);
        const { assert!(2048 * 128 * 80 >= SPLIT_PRODUCT) };
        let mut whole = Array2::zeros((2048, 80));
        general_mat_mul(1.0, &x, &weight.t(), 0.0, &mut whole);
        assert_eq!(forward(x.view(), weight.view(), None), whole);
        let grad_y = init::uniform((2048, 80), 1.0, &mut rng);
        let mut grad_w = Array2::zeros((80, 128));
        accumulate_param_grads(x.view(), grad_y.view(), grad_w.view_mut(), None);
        assert_eq!(grad_w, grad_y.t().dot(&x));
        assert_eq!(
            input_grad(weight.view(), grad_y.view()),
            grad_y.dot(&weight)
        );
    }

    #[test]
    fn forward_is_x_times_weight_transposed_plus_bias() {
        let x = array![[1.0f32, 2.0], [3.0, -1.0]];
        let w = array![[1.0f32, 0.0], [0.5, -1.0], [2.0, 1.0]];
        let b = array![0.1f32, 0.2, 0.3];
        let y = forward(x.view(), w.view(), Some(b.view()));
        assert_eq!(y, array![[1.1f32, -1.3, 4.3], [3.1, 2.7, 5.3]]);
        let y = forward(x.view(), w.view(), None);
        assert_eq!(y, array![[1.0f32, -1.5, 4.0], [3.0, 2.5, 5.0]]);
    }

    #[test]
    fn backward_matches_the_hand_worked_sums() {
        let x = array![[1.0f32, 2.0], [3.0, -1.0]];
        let w = array![[1.0f32, 0.0], [0.5, -1.0], [2.0, 1.0]];
        let dy = array![[1.0f32, 0.0, -1.0], [0.0, 2.0, 1.0]];
        let (dx, dw, db) = backward(x.view(), w.view(), dy.view());
        // dx = dy W
        assert_eq!(dx, array![[-1.0f32, -1.0], [3.0, -1.0]]);
        // dW = dyᵀ x
        assert_eq!(dw, array![[1.0f32, 2.0], [6.0, -2.0], [2.0, -3.0]]);
        assert_eq!(db, array![1.0f32, 2.0, 0.0]);
    }

    #[test]
    fn leading_axes_pass_through_and_gradients_accumulate() {
        let mut rng = StdRng::seed_from_u64(3);
        let mut layer = Linear::new(4, 3, true, &mut rng);
        let x = ArrayD::from_shape_fn(IxDyn(&[2, 5, 4]), |i| (i[0] + i[1] + i[2]) as f32 * 0.1);
        let y = layer.forward(x.view());
        assert_eq!(y.shape(), &[2, 5, 3]);
        assert_eq!(layer.output_shape(&[2, 5, 4]).unwrap(), vec![2, 5, 3]);
        assert!(layer.output_shape(&[2, 5]).is_err());
        let dy = ArrayD::from_elem(y.raw_dim(), 1.0f32);
        let dx = layer.backward(dy.view());
        assert_eq!(dx.shape(), &[2, 5, 4]);
        let once = layer.grad_weight.clone();
        layer.forward(x.view());
        layer.backward(dy.view());
        assert_eq!(layer.grad_weight, &once * 2.0);
        assert_eq!(
            layer.grad_bias.as_ref().unwrap(),
            &array![10.0f32, 10.0, 10.0] * 2.0
        );
        layer.zero_grad();
        assert!(layer.grad_weight.iter().all(|&g| g == 0.0));
        assert_eq!(layer.param_count(), 15);
        assert_eq!(layer.describe(), "Linear(4, 3)");
    }

    #[test]
    fn a_transposed_input_is_read_in_its_logical_order() {
        let mut rng = StdRng::seed_from_u64(4);
        let layer = Linear::new(3, 2, true, &mut rng);
        let x = array![[1.0f32, 2.0], [3.0, 4.0], [5.0, 6.0]];
        let from_view = layer.infer(x.t().into_dyn());
        let from_copy = layer.infer(x.t().to_owned().into_dyn().view());
        assert_eq!(from_view, from_copy);
    }

    #[test]
    fn default_init_stays_inside_pytorchs_bound() {
        let mut rng = StdRng::seed_from_u64(1);
        let layer = Linear::new(16, 8, false, &mut rng);
        assert!(layer.weight.iter().all(|w| w.abs() < 0.25));
        assert!(layer.bias.is_none());
        assert_eq!(layer.describe(), "Linear(16, 8, bias=False)");
    }
}
