//! Max and average pooling over NCHW images, PyTorch's `nn.MaxPool2d` and
//! `nn.AvgPool2d` (no padding, floor mode): each output pixel summarises a
//! `kernel` window, windows `stride` apart (by default the kernel, so they
//! tile the image). The output is `floor((H - k) / s) + 1` tall; with odd
//! sizes the rows and columns no window reaches are dropped, and their
//! gradient is 0.
//!
//! - Max pooling passes on each window's largest value, so its gradient goes
//!   to that one pixel, the window's *winner*; the training pass keeps the
//!   winners, which a lab can also show.
//! - Average pooling passes on the window's mean, so each of its k_h·k_w
//!   pixels receives dy / (k_h·k_w).
//!
//! Reference: the `torch.nn.MaxPool2d` and `torch.nn.AvgPool2d`
//! documentation; LeCun, Bottou, Bengio & Haffner, "Gradient-based learning
//! applied to document recognition" (1998), for subsampling layers.

use super::conv2d::pair;
use super::{Layer, ShapeError};
use ndarray::{Array4, ArrayD, ArrayView4, ArrayViewD, Ix4, Zip};

/// A pooling's output length along one axis, `floor((input - kernel) /
/// stride) + 1`, or `None` when the input is shorter than the kernel.
pub fn output_size(input: usize, kernel: usize, stride: usize) -> Option<usize> {
    if input < kernel || kernel == 0 || stride == 0 {
        None
    } else {
        Some((input - kernel) / stride + 1)
    }
}

fn out_dims(
    x: (usize, usize, usize, usize),
    kernel: (usize, usize),
    stride: (usize, usize),
) -> (usize, usize, usize, usize) {
    let (n, c, h, w) = x;
    let oh =
        output_size(h, kernel.0, stride.0).expect("pooling: the input is smaller than the kernel");
    let ow =
        output_size(w, kernel.1, stride.1).expect("pooling: the input is smaller than the kernel");
    (n, c, oh, ow)
}

/// Max pooling of x `[N, C, H, W]`: the output, and for each output pixel
/// its winner, the position `row·W + col` of the maximum within its input
/// channel (the first one if several are equal, as PyTorch; a NaN wins).
pub fn max_pool2d(
    x: ArrayView4<'_, f32>,
    kernel: (usize, usize),
    stride: (usize, usize),
) -> (Array4<f32>, Array4<usize>) {
    let dims = out_dims(x.dim(), kernel, stride);
    let width = x.dim().3;
    let mut y = Array4::<f32>::zeros(dims);
    let mut winners = Array4::<usize>::zeros(dims);
    Zip::indexed(&mut y)
        .and(&mut winners)
        .for_each(|(n, c, i, j), y, winner| {
            let (top, left) = (i * stride.0, j * stride.1);
            let mut best = (f32::NEG_INFINITY, top * width + left);
            for r in top..top + kernel.0 {
                for col in left..left + kernel.1 {
                    let v = x[[n, c, r, col]];
                    if v > best.0 || (v.is_nan() && !best.0.is_nan()) {
                        best = (v, r * width + col);
                    }
                }
            }
            (*y, *winner) = best;
        });
    (y, winners)
}

/// The backward pass of max pooling: each dL/dy goes to its window's winner
/// (added, in case overlapping windows share one); every other pixel gets 0.
/// `input` is the input's (H, W).
pub fn max_pool2d_backward(
    grad_y: ArrayView4<'_, f32>,
    winners: ArrayView4<'_, usize>,
    input: (usize, usize),
) -> Array4<f32> {
    let (n, c, _, _) = grad_y.dim();
    let (height, width) = input;
    let mut grad_x = Array4::<f32>::zeros((n, c, height, width));
    Zip::indexed(&grad_y)
        .and(&winners)
        .for_each(|(b, ch, _, _), &dy, &winner| {
            grad_x[[b, ch, winner / width, winner % width]] += dy;
        });
    grad_x
}

/// Average pooling of x `[N, C, H, W]`: each window's mean.
pub fn avg_pool2d(
    x: ArrayView4<'_, f32>,
    kernel: (usize, usize),
    stride: (usize, usize),
) -> Array4<f32> {
    let dims = out_dims(x.dim(), kernel, stride);
    let area = (kernel.0 * kernel.1) as f32;
    Array4::from_shape_fn(dims, |(n, c, i, j)| {
        let (top, left) = (i * stride.0, j * stride.1);
        let mut sum = 0.0;
        for r in top..top + kernel.0 {
            for col in left..left + kernel.1 {
                sum += x[[n, c, r, col]];
            }
        }
        sum / area
    })
}

/// The backward pass of average pooling: each pixel of a window receives
/// dy / (k_h·k_w) (summed over the windows it belongs to). `input` is the
/// input's (H, W).
pub fn avg_pool2d_backward(
    grad_y: ArrayView4<'_, f32>,
    input: (usize, usize),
    kernel: (usize, usize),
    stride: (usize, usize),
) -> Array4<f32> {
    let (n, c, _, _) = grad_y.dim();
    let area = (kernel.0 * kernel.1) as f32;
    let mut grad_x = Array4::<f32>::zeros((n, c, input.0, input.1));
    for ((b, ch, i, j), &dy) in grad_y.indexed_iter() {
        let share = dy / area;
        let (top, left) = (i * stride.0, j * stride.1);
        for r in top..top + kernel.0 {
            for col in left..left + kernel.1 {
                grad_x[[b, ch, r, col]] += share;
            }
        }
    }
    grad_x
}

/// The output shape of a pooling layer for `input`, or why it cannot take it.
fn pool_shape(
    layer: String,
    input: &[usize],
    kernel: (usize, usize),
    stride: (usize, usize),
) -> Result<Vec<usize>, ShapeError> {
    if input.len() != 4 {
        return Err(ShapeError {
            layer,
            message: format!("takes input of shape [N, C, H, W], got {input:?}"),
        });
    }
    match (
        output_size(input[2], kernel.0, stride.0),
        output_size(input[3], kernel.1, stride.1),
    ) {
        (Some(oh), Some(ow)) => Ok(vec![input[0], input[1], oh, ow]),
        _ => Err(ShapeError {
            layer,
            message: format!(
                "input {}x{} is smaller than the {}x{} window",
                input[2], input[3], kernel.0, kernel.1
            ),
        }),
    }
}

fn check_window(name: &str, kernel: (usize, usize), stride: (usize, usize)) {
    assert!(
        kernel.0 > 0 && kernel.1 > 0,
        "{name}: the kernel must be at least 1x1"
    );
    assert!(
        stride.0 > 0 && stride.1 > 0,
        "{name}: stride must be at least 1"
    );
}

fn describe(name: &str, kernel: (usize, usize), stride: (usize, usize)) -> String {
    format!(
        "{name}(kernel_size={}, stride={})",
        pair(kernel),
        pair(stride)
    )
}

/// What max pooling keeps from its training pass.
#[derive(Debug, Clone)]
struct MaxPoolCache {
    input: (usize, usize),
    winners: Array4<usize>,
}

/// `nn.MaxPool2d`: the window and stride, and the winners of the last
/// training pass.
#[derive(Debug, Clone)]
pub struct MaxPool2d {
    pub kernel: (usize, usize),
    pub stride: (usize, usize),
    cache: Option<MaxPoolCache>,
}

impl MaxPool2d {
    /// Max pooling over `kernel` windows that tile the image (stride =
    /// kernel, PyTorch's default).
    pub fn new(kernel: (usize, usize)) -> MaxPool2d {
        check_window("MaxPool2d", kernel, kernel);
        MaxPool2d {
            kernel,
            stride: kernel,
            cache: None,
        }
    }

    /// The same pooling with windows `stride` apart.
    pub fn stride(mut self, stride: (usize, usize)) -> MaxPool2d {
        check_window("MaxPool2d", self.kernel, stride);
        self.stride = stride;
        self
    }

    /// The winners of the last training pass, `[N, C, oh, ow]`: the position
    /// `row·W + col` of each window's maximum within its input channel.
    pub fn winners(&self) -> Option<ArrayView4<'_, usize>> {
        self.cache.as_ref().map(|c| c.winners.view())
    }

    /// The (row, col) in the input of the winner of output pixel
    /// `[n, c, i, j]` of the last training pass.
    pub fn winner_at(&self, index: [usize; 4]) -> Option<(usize, usize)> {
        let cache = self.cache.as_ref()?;
        let flat = *cache.winners.get(index)?;
        Some((flat / cache.input.1, flat % cache.input.1))
    }
}

impl Layer for MaxPool2d {
    fn boxed_clone(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }

    fn describe(&self) -> String {
        describe("MaxPool2d", self.kernel, self.stride)
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>, ShapeError> {
        pool_shape(self.describe(), input, self.kernel, self.stride)
    }

    fn forward(&mut self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let x = x
            .into_dimensionality::<Ix4>()
            .expect("MaxPool2d takes [N, C, H, W]");
        let (y, winners) = max_pool2d(x, self.kernel, self.stride);
        let (_, _, h, w) = x.dim();
        self.cache = Some(MaxPoolCache {
            input: (h, w),
            winners,
        });
        y.into_dyn()
    }

    fn backward(&mut self, grad_y: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let cache = self
            .cache
            .as_ref()
            .expect("MaxPool2d: backward before forward");
        let grad_y = grad_y
            .into_dimensionality::<Ix4>()
            .expect("MaxPool2d: dL/dy is [N, C, H, W]");
        max_pool2d_backward(grad_y, cache.winners.view(), cache.input).into_dyn()
    }

    fn infer(&self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let x = x
            .into_dimensionality::<Ix4>()
            .expect("MaxPool2d takes [N, C, H, W]");
        max_pool2d(x, self.kernel, self.stride).0.into_dyn()
    }
}

/// `nn.AvgPool2d`: the window and stride, and the input size of the last
/// training pass.
#[derive(Debug, Clone)]
pub struct AvgPool2d {
    pub kernel: (usize, usize),
    pub stride: (usize, usize),
    cache: Option<(usize, usize)>,
}

impl AvgPool2d {
    /// Average pooling over `kernel` windows that tile the image (stride =
    /// kernel, PyTorch's default).
    pub fn new(kernel: (usize, usize)) -> AvgPool2d {
        check_window("AvgPool2d", kernel, kernel);
        AvgPool2d {
            kernel,
            stride: kernel,
            cache: None,
        }
    }

    /// The same pooling with windows `stride` apart.
    pub fn stride(mut self, stride: (usize, usize)) -> AvgPool2d {
        check_window("AvgPool2d", self.kernel, stride);
        self.stride = stride;
        self
    }
}

impl Layer for AvgPool2d {
    fn boxed_clone(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }

    fn describe(&self) -> String {
        describe("AvgPool2d", self.kernel, self.stride)
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>, ShapeError> {
        pool_shape(self.describe(), input, self.kernel, self.stride)
    }

    fn forward(&mut self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let x = x
            .into_dimensionality::<Ix4>()
            .expect("AvgPool2d takes [N, C, H, W]");
        let (_, _, h, w) = x.dim();
        self.cache = Some((h, w));
        avg_pool2d(x, self.kernel, self.stride).into_dyn()
    }

    fn backward(&mut self, grad_y: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let input = self.cache.expect("AvgPool2d: backward before forward");
        let grad_y = grad_y
            .into_dimensionality::<Ix4>()
            .expect("AvgPool2d: dL/dy is [N, C, H, W]");
        avg_pool2d_backward(grad_y, input, self.kernel, self.stride).into_dyn()
    }

    fn infer(&self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let x = x
            .into_dimensionality::<Ix4>()
            .expect("AvgPool2d takes [N, C, H, W]");
        avg_pool2d(x, self.kernel, self.stride).into_dyn()
    }
}
