//! Max and average pooling over NCHW images, PyTorch's `nn.MaxPool2d` and
//! `nn.AvgPool2d`: each output pixel summarises a `kernel` window, windows
//! `stride` apart (by default the kernel, so they tile the image), over the
//! input with `padding` rows and columns added on each side.
//!
//! The output is `floor((H + 2p - k) / s) + 1` tall, or with `ceil_mode`
//! `ceil((H + 2p - k) / s) + 1`, less one if the last window would start in
//! the right padding (PyTorch's rule: every window starts inside the input or
//! the left padding). In floor mode the rows and columns no window reaches
//! are dropped, and their gradient is 0; in ceil mode a last, partial window
//! covers them. The padding is at most half the kernel, so every window
//! holds at least one input pixel.
//!
//! - Max pooling passes on each window's largest value, the padding never
//!   counting, so its gradient goes to that one pixel, the window's
//!   *winner*; the training pass keeps the winners, which a lab can also
//!   show.
//! - Average pooling passes on the window's sum divided by its size. With
//!   `count_include_pad` (PyTorch's default) the size counts the padding the
//!   window covers but not the part of a ceil-mode window that runs past the
//!   right padding; without it, only the input pixels are counted. Each
//!   input pixel of the window receives dy divided by that same size.
//!
//! Reference: the `torch.nn.MaxPool2d` and `torch.nn.AvgPool2d`
//! documentation, and `pooling_output_shape` and `avg_pool2d`'s window in
//! PyTorch's ATen (`aten/src/ATen/native/Pool.h`,
//! `AvgPoolKernel.cpp`); LeCun, Bottou, Bengio & Haffner, "Gradient-based
//! learning applied to document recognition" (1998), for subsampling layers.

use super::conv2d::pair;
use super::{Layer, ShapeError};
use ndarray::{Array4, ArrayD, ArrayView4, ArrayViewD, Ix4, Zip};

/// The settings of a pooling that are not tensors, each as (h, w).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pool2dOptions {
    pub kernel: (usize, usize),
    pub stride: (usize, usize),
    /// Rows and columns added on each side; at most half the kernel.
    pub padding: (usize, usize),
    /// Round the output size up, so a last, partial window covers what the
    /// others leave out.
    pub ceil_mode: bool,
}

impl Pool2dOptions {
    /// Windows of `kernel` that tile the image: stride = kernel, no padding,
    /// floor mode (PyTorch's defaults).
    pub fn new(kernel: (usize, usize)) -> Pool2dOptions {
        Pool2dOptions {
            kernel,
            stride: kernel,
            padding: (0, 0),
            ceil_mode: false,
        }
    }

    /// Why these options cannot pool anything, if they cannot.
    fn problem(&self) -> Option<String> {
        let (k, s, p) = (self.kernel, self.stride, self.padding);
        if k.0 == 0 || k.1 == 0 {
            Some("the kernel must be at least 1x1".into())
        } else if s.0 == 0 || s.1 == 0 {
            Some("stride must be at least 1".into())
        } else if p.0 > k.0 / 2 || p.1 > k.1 / 2 {
            Some(format!(
                "padding {} must be at most half the {}x{} kernel",
                pair(p),
                k.0,
                k.1
            ))
        } else {
            None
        }
    }

    fn output(&self, (height, width): (usize, usize)) -> Option<(usize, usize)> {
        let (k, s, p, ceil) = (self.kernel, self.stride, self.padding, self.ceil_mode);
        Some((
            output_size(height, k.0, s.0, p.0, ceil)?,
            output_size(width, k.1, s.1, p.1, ceil)?,
        ))
    }
}

/// A pooling's output length along one axis, as PyTorch's
/// `pooling_output_shape` computes it: `floor((input + 2·padding - kernel)
/// / stride) + 1`, or with `ceil_mode` the same rounded up, less one if that
/// last window would start at or past `input + padding` (in the right
/// padding). `None` when no window fits (or the kernel or stride is 0, or
/// the padding is more than half the kernel).
pub fn output_size(
    input: usize,
    kernel: usize,
    stride: usize,
    padding: usize,
    ceil_mode: bool,
) -> Option<usize> {
    if kernel == 0 || stride == 0 || padding > kernel / 2 || input == 0 {
        return None;
    }
    let (input, kernel, stride, padding) =
        (input as i64, kernel as i64, stride as i64, padding as i64);
    let room = input + 2 * padding - kernel + if ceil_mode { stride - 1 } else { 0 };
    let mut out = room.div_euclid(stride) + 1;
    if ceil_mode && (out - 1) * stride >= input + padding {
        out -= 1;
    }
    usize::try_from(out).ok().filter(|&out| out > 0)
}

/// Window `index` along one axis: the input positions `lo..hi` it covers
/// (never empty for the sizes [`output_size`] allows), and its size
/// counting the padding it covers, cut at the end of the right padding
/// (`count_include_pad`'s divisor).
#[inline]
fn window(
    index: usize,
    kernel: usize,
    stride: usize,
    padding: usize,
    len: usize,
) -> (usize, usize, usize) {
    let start = index * stride; // in the padded input
    let end = (start + kernel).min(len + 2 * padding);
    let lo = start.saturating_sub(padding);
    let hi = end.saturating_sub(padding).min(len);
    (lo, hi.max(lo), end - start)
}

fn out_dims(
    x: (usize, usize, usize, usize),
    options: Pool2dOptions,
) -> (usize, usize, usize, usize) {
    let (n, c, h, w) = x;
    let (oh, ow) = options
        .output((h, w))
        .expect("pooling: the input is smaller than the kernel");
    (n, c, oh, ow)
}

/// Max pooling of x `[N, C, H, W]`: the output, and for each output pixel
/// its winner, the position `row·W + col` of the maximum within its input
/// channel (the first one if several are equal, as PyTorch; a NaN wins; the
/// padding never does).
pub fn max_pool2d(x: ArrayView4<'_, f32>, options: Pool2dOptions) -> (Array4<f32>, Array4<usize>) {
    let dims = out_dims(x.dim(), options);
    let (_, _, height, width) = x.dim();
    let (k, s, p) = (options.kernel, options.stride, options.padding);
    let mut y = Array4::<f32>::zeros(dims);
    let mut winners = Array4::<usize>::zeros(dims);
    Zip::indexed(&mut y)
        .and(&mut winners)
        .for_each(|(n, c, i, j), y, winner| {
            let (top, bottom, _) = window(i, k.0, s.0, p.0, height);
            let (left, right, _) = window(j, k.1, s.1, p.1, width);
            let mut best = (f32::NEG_INFINITY, top * width + left);
            for r in top..bottom {
                for col in left..right {
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

/// The input rows and columns of output pixel (i, j)'s window and the size
/// its sum is divided by.
#[inline]
fn avg_window(
    (i, j): (usize, usize),
    input: (usize, usize),
    options: Pool2dOptions,
    count_include_pad: bool,
) -> ((usize, usize), (usize, usize), f32) {
    let (k, s, p) = (options.kernel, options.stride, options.padding);
    let (top, bottom, padded_h) = window(i, k.0, s.0, p.0, input.0);
    let (left, right, padded_w) = window(j, k.1, s.1, p.1, input.1);
    let divisor = if count_include_pad {
        padded_h * padded_w
    } else {
        (bottom - top) * (right - left)
    };
    ((top, bottom), (left, right), divisor as f32)
}

/// Average pooling of x `[N, C, H, W]`: each window's sum over its input
/// pixels divided by its size (see the module's notes on
/// `count_include_pad`).
pub fn avg_pool2d(
    x: ArrayView4<'_, f32>,
    options: Pool2dOptions,
    count_include_pad: bool,
) -> Array4<f32> {
    let dims = out_dims(x.dim(), options);
    let (_, _, height, width) = x.dim();
    Array4::from_shape_fn(dims, |(n, c, i, j)| {
        let ((top, bottom), (left, right), divisor) =
            avg_window((i, j), (height, width), options, count_include_pad);
        let mut sum = 0.0;
        for r in top..bottom {
            for col in left..right {
                sum += x[[n, c, r, col]];
            }
        }
        sum / divisor
    })
}

/// The backward pass of average pooling: each input pixel of a window
/// receives dy divided by the window's size (summed over the windows it
/// belongs to). `input` is the input's (H, W).
pub fn avg_pool2d_backward(
    grad_y: ArrayView4<'_, f32>,
    input: (usize, usize),
    options: Pool2dOptions,
    count_include_pad: bool,
) -> Array4<f32> {
    let (n, c, _, _) = grad_y.dim();
    let mut grad_x = Array4::<f32>::zeros((n, c, input.0, input.1));
    for ((b, ch, i, j), &dy) in grad_y.indexed_iter() {
        let ((top, bottom), (left, right), divisor) =
            avg_window((i, j), input, options, count_include_pad);
        let share = dy / divisor;
        for r in top..bottom {
            for col in left..right {
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
    options: Pool2dOptions,
) -> Result<Vec<usize>, ShapeError> {
    if input.len() != 4 {
        return Err(ShapeError {
            layer,
            message: format!("takes input of shape [N, C, H, W], got {input:?}"),
        });
    }
    match options.output((input[2], input[3])) {
        Some((oh, ow)) => Ok(vec![input[0], input[1], oh, ow]),
        None => Err(ShapeError {
            layer,
            message: format!(
                "input {}x{} is smaller than the {}x{} window",
                input[2], input[3], options.kernel.0, options.kernel.1
            ),
        }),
    }
}

fn check_window(name: &str, options: Pool2dOptions) {
    if let Some(problem) = options.problem() {
        panic!("{name}: {problem}");
    }
}

/// PyTorch's way of printing the layer, with the settings left at their
/// defaults (padding 0, floor mode, counting the padding) omitted.
fn describe(name: &str, options: Pool2dOptions, count_include_pad: bool) -> String {
    let mut text = format!(
        "{name}(kernel_size={}, stride={}",
        pair(options.kernel),
        pair(options.stride)
    );
    if options.padding != (0, 0) {
        text += &format!(", padding={}", pair(options.padding));
    }
    if options.ceil_mode {
        text += ", ceil_mode=True";
    }
    if !count_include_pad {
        text += ", count_include_pad=False";
    }
    text + ")"
}

/// What max pooling keeps from its training pass.
#[derive(Debug, Clone)]
struct MaxPoolCache {
    input: (usize, usize),
    winners: Array4<usize>,
}

/// `nn.MaxPool2d`: the window, stride, padding and rounding, and the winners
/// of the last training pass.
#[derive(Debug, Clone)]
pub struct MaxPool2d {
    pub options: Pool2dOptions,
    cache: Option<MaxPoolCache>,
}

impl MaxPool2d {
    /// Max pooling over `kernel` windows that tile the image (stride =
    /// kernel, no padding, floor mode: PyTorch's defaults).
    pub fn new(kernel: (usize, usize)) -> MaxPool2d {
        MaxPool2d::with_options(Pool2dOptions::new(kernel))
    }

    /// Max pooling with the given options.
    ///
    /// # Panics
    /// On a zero kernel or stride, or padding above half the kernel.
    pub fn with_options(options: Pool2dOptions) -> MaxPool2d {
        check_window("MaxPool2d", options);
        MaxPool2d {
            options,
            cache: None,
        }
    }

    /// The same pooling with windows `stride` apart.
    pub fn stride(self, stride: (usize, usize)) -> MaxPool2d {
        MaxPool2d::with_options(Pool2dOptions {
            stride,
            ..self.options
        })
    }

    /// The same pooling over the input with `padding` rows and columns on
    /// each side (at most half the kernel), which never win.
    pub fn padding(self, padding: (usize, usize)) -> MaxPool2d {
        MaxPool2d::with_options(Pool2dOptions {
            padding,
            ..self.options
        })
    }

    /// The same pooling with the output size rounded up (`ceil_mode=True`).
    pub fn ceil_mode(self, ceil_mode: bool) -> MaxPool2d {
        MaxPool2d::with_options(Pool2dOptions {
            ceil_mode,
            ..self.options
        })
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
        describe("MaxPool2d", self.options, true)
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>, ShapeError> {
        pool_shape(self.describe(), input, self.options)
    }

    fn forward(&mut self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let x = x
            .into_dimensionality::<Ix4>()
            .expect("MaxPool2d takes [N, C, H, W]");
        let (y, winners) = max_pool2d(x, self.options);
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
        max_pool2d(x, self.options).0.into_dyn()
    }
}

/// `nn.AvgPool2d`: the window, stride, padding, rounding and divisor, and
/// the input size of the last training pass.
#[derive(Debug, Clone)]
pub struct AvgPool2d {
    pub options: Pool2dOptions,
    /// Divide by the window's size including the padding it covers
    /// (PyTorch's default), rather than by its input pixels alone.
    pub count_include_pad: bool,
    cache: Option<(usize, usize)>,
}

impl AvgPool2d {
    /// Average pooling over `kernel` windows that tile the image (stride =
    /// kernel, no padding, floor mode, counting the padding: PyTorch's
    /// defaults).
    pub fn new(kernel: (usize, usize)) -> AvgPool2d {
        AvgPool2d::with_options(Pool2dOptions::new(kernel))
    }

    /// Average pooling with the given options, counting the padding.
    ///
    /// # Panics
    /// On a zero kernel or stride, or padding above half the kernel.
    pub fn with_options(options: Pool2dOptions) -> AvgPool2d {
        check_window("AvgPool2d", options);
        AvgPool2d {
            options,
            count_include_pad: true,
            cache: None,
        }
    }

    /// The same pooling with windows `stride` apart.
    pub fn stride(self, stride: (usize, usize)) -> AvgPool2d {
        self.reoptioned(Pool2dOptions {
            stride,
            ..self.options
        })
    }

    /// The same pooling over the input with `padding` zero rows and columns
    /// on each side (at most half the kernel).
    pub fn padding(self, padding: (usize, usize)) -> AvgPool2d {
        self.reoptioned(Pool2dOptions {
            padding,
            ..self.options
        })
    }

    /// The same pooling with the output size rounded up (`ceil_mode=True`).
    pub fn ceil_mode(self, ceil_mode: bool) -> AvgPool2d {
        self.reoptioned(Pool2dOptions {
            ceil_mode,
            ..self.options
        })
    }

    /// The same pooling dividing by the padded window's size (`true`,
    /// PyTorch's default) or by the number of input pixels in it.
    pub fn count_include_pad(mut self, count_include_pad: bool) -> AvgPool2d {
        self.count_include_pad = count_include_pad;
        self
    }

    fn reoptioned(&self, options: Pool2dOptions) -> AvgPool2d {
        AvgPool2d {
            count_include_pad: self.count_include_pad,
            ..AvgPool2d::with_options(options)
        }
    }
}

impl Layer for AvgPool2d {
    fn boxed_clone(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }

    fn describe(&self) -> String {
        describe("AvgPool2d", self.options, self.count_include_pad)
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>, ShapeError> {
        pool_shape(self.describe(), input, self.options)
    }

    fn forward(&mut self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let x = x
            .into_dimensionality::<Ix4>()
            .expect("AvgPool2d takes [N, C, H, W]");
        let (_, _, h, w) = x.dim();
        self.cache = Some((h, w));
        avg_pool2d(x, self.options, self.count_include_pad).into_dyn()
    }

    fn backward(&mut self, grad_y: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let input = self.cache.expect("AvgPool2d: backward before forward");
        let grad_y = grad_y
            .into_dimensionality::<Ix4>()
            .expect("AvgPool2d: dL/dy is [N, C, H, W]");
        avg_pool2d_backward(grad_y, input, self.options, self.count_include_pad).into_dyn()
    }

    fn infer(&self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let x = x
            .into_dimensionality::<Ix4>()
            .expect("AvgPool2d takes [N, C, H, W]");
        avg_pool2d(x, self.options, self.count_include_pad).into_dyn()
    }
}
