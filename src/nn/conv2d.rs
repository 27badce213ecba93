//! A 2-D convolution layer, PyTorch's `nn.Conv2d`: NCHW input, weight
//! `[out, in, kh, kw]`, bias `[out]`, with stride, zero padding and dilation.
//!
//! y[n, o, i, j] = b[o] + Σ_c Σ_ki Σ_kj w[o, c, ki, kj] ·
//!                 x[n, c, i·s_h - p_h + ki·d_h, j·s_w - p_w + kj·d_w]
//!
//! (reads outside the image are zeros). Reference: the `torch.nn.Conv2d`
//! documentation, which gives the output size
//! `floor((H + 2p - d(k - 1) - 1) / s) + 1`; Dumoulin & Visin, "A guide to
//! convolution arithmetic for deep learning" (2016), for the arithmetic.
//!
//! The passes are matrix products, as Chellapilla, Puri & Simard ("High
//! performance convolutional neural networks for document processing",
//! 2006) arranged them: [`im2col`] lays every patch an output reads out as a
//! column, so that, per image,
//! - forward:  Y = W · cols + b           (W viewed as `[out, in·kh·kw]`)
//! - backward: dW += dY · colsᵀ, dcols = Wᵀ · dY, dx = [`col2im`](dcols),
//!
//! where `col2im` is the adjoint of `im2col`: it adds every column entry
//! back onto the pixel it was read from. The products go to ndarray's
//! `general_mat_mul` (matrixmultiply's blocked kernels). The same two
//! helpers serve [`super::conv_transpose2d`] and [`super::conv1d`].

use super::{Layer, ParamMut, ParamRef, ShapeError, init};
use ndarray::linalg::general_mat_mul;
use ndarray::{
    Array, Array1, Array2, Array4, ArrayD, ArrayView1, ArrayView4, ArrayViewD, Axis, Dimension, Ix4,
};
use rand::Rng;

/// The settings of a convolution that are not tensors, each as (h, w).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conv2dOptions {
    pub stride: (usize, usize),
    /// Zeros added on every side.
    pub padding: (usize, usize),
    /// The spacing between the kernel's taps (1: adjacent pixels).
    pub dilation: (usize, usize),
}

impl Default for Conv2dOptions {
    /// PyTorch's defaults: stride 1, no padding, no dilation.
    fn default() -> Self {
        Conv2dOptions {
            stride: (1, 1),
            padding: (0, 0),
            dilation: (1, 1),
        }
    }
}

/// A convolution's output length along one axis,
/// `floor((input + 2·padding - dilation·(kernel - 1) - 1) / stride) + 1`,
/// or `None` when the padded input is shorter than the dilated kernel.
pub fn output_size(
    input: usize,
    kernel: usize,
    stride: usize,
    padding: usize,
    dilation: usize,
) -> Option<usize> {
    let padded = input + 2 * padding;
    let reach = dilation * (kernel.max(1) - 1) + 1;
    if padded < reach || stride == 0 {
        None
    } else {
        Some((padded - reach) / stride + 1)
    }
}

/// Where a kernel reads an image of `channels × height × width`: the sizes
/// [`im2col`] and [`col2im`] need. The columns matrix is
/// `[channels·kh·kw, out_h·out_w]`, row `(c, ki, kj)` in row-major order,
/// which is the order of a `[out, in, kh, kw]` weight's flattened rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Patches {
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    pub kernel: (usize, usize),
    pub options: Conv2dOptions,
    pub out_h: usize,
    pub out_w: usize,
}

impl Patches {
    /// The geometry of a convolution over `channels × height × width`, or
    /// `None` if the image is too small for the kernel.
    pub fn new(
        channels: usize,
        (height, width): (usize, usize),
        kernel: (usize, usize),
        options: Conv2dOptions,
    ) -> Option<Patches> {
        let o = options;
        Some(Patches {
            channels,
            height,
            width,
            kernel,
            options,
            out_h: output_size(height, kernel.0, o.stride.0, o.padding.0, o.dilation.0)?,
            out_w: output_size(width, kernel.1, o.stride.1, o.padding.1, o.dilation.1)?,
        })
    }

    /// Rows of the columns matrix: one per (channel, kernel tap).
    pub fn rows(&self) -> usize {
        self.channels * self.kernel.0 * self.kernel.1
    }

    /// Columns of the columns matrix: one per output pixel.
    pub fn cols(&self) -> usize {
        self.out_h * self.out_w
    }

    /// The output positions `lo..hi` along one axis whose input position
    /// `out·stride + tap·dilation - padding` falls inside `0..len`; the rest
    /// read the zero padding.
    fn inside(
        out: usize,
        len: usize,
        tap: usize,
        stride: usize,
        dilation: usize,
        pad: usize,
    ) -> (usize, usize) {
        let offset = tap * dilation; // input position of output 0, plus `pad`
        // out·stride + offset >= pad
        let lo = if offset >= pad {
            0
        } else {
            (pad - offset).div_ceil(stride)
        };
        // out·stride + offset < len + pad
        let hi = if offset >= len + pad {
            0
        } else {
            (len + pad - offset).div_ceil(stride)
        };
        (lo.min(out), hi.min(out).max(lo.min(out)))
    }

    /// Calls `visit(row, oh, ow_lo..ow_hi, input offset of ow_lo, input
    /// step)` for every run of an output row that reads real pixels; both
    /// `im2col` and `col2im` walk the patches this way, so they are exact
    /// adjoints of one another.
    fn walk(&self, mut visit: impl FnMut(usize, usize, usize, usize, usize, usize)) {
        let (kh, kw) = self.kernel;
        let Conv2dOptions {
            stride: (sh, sw),
            padding: (ph, pw),
            dilation: (dh, dw),
        } = self.options;
        for c in 0..self.channels {
            for ki in 0..kh {
                let (oh_lo, oh_hi) = Self::inside(self.out_h, self.height, ki, sh, dh, ph);
                for kj in 0..kw {
                    let row = (c * kh + ki) * kw + kj;
                    let (ow_lo, ow_hi) = Self::inside(self.out_w, self.width, kj, sw, dw, pw);
                    if ow_lo >= ow_hi {
                        continue;
                    }
                    for oh in oh_lo..oh_hi {
                        let ih = oh * sh + ki * dh - ph;
                        let iw = ow_lo * sw + kj * dw - pw;
                        let start = (c * self.height + ih) * self.width + iw;
                        visit(row, oh, ow_lo, ow_hi, start, sw);
                    }
                }
            }
        }
    }
}

/// Lays out every patch of one image `[channels, height, width]` (row-major
/// slice) as a column of `cols` `[rows, out_h·out_w]`; padding reads as 0.
pub fn im2col(image: &[f32], patches: &Patches, cols: &mut [f32]) {
    debug_assert_eq!(
        image.len(),
        patches.channels * patches.height * patches.width
    );
    debug_assert_eq!(cols.len(), patches.rows() * patches.cols());
    // Zero first: the taps that fall on padding are simply never written.
    cols.fill(0.0);
    let (out_w, per_row) = (patches.out_w, patches.cols());
    patches.walk(|row, oh, lo, hi, start, step| {
        let dst = &mut cols[row * per_row + oh * out_w..][lo..hi];
        if step == 1 {
            dst.copy_from_slice(&image[start..start + (hi - lo)]);
        } else {
            for (k, d) in dst.iter_mut().enumerate() {
                *d = image[start + k * step];
            }
        }
    });
}

/// The adjoint of [`im2col`]: adds every entry of `cols` onto the pixel of
/// `image` it was read from (a pixel read by several patches gathers the
/// sum). `image` is added to, not overwritten.
pub fn col2im(cols: &[f32], patches: &Patches, image: &mut [f32]) {
    debug_assert_eq!(
        image.len(),
        patches.channels * patches.height * patches.width
    );
    debug_assert_eq!(cols.len(), patches.rows() * patches.cols());
    let (out_w, per_row) = (patches.out_w, patches.cols());
    patches.walk(|row, oh, lo, hi, start, step| {
        let src = &cols[row * per_row + oh * out_w..][lo..hi];
        for (k, s) in src.iter().enumerate() {
            image[start + k * step] += s;
        }
    });
}

/// y = conv2d(x, weight) + bias, for x `[N, C, H, W]` and weight
/// `[out, C, kh, kw]`. The input must be large enough for the kernel
/// ([`output_size`] is `Some`), and its channels must match the weight's.
pub fn forward(
    x: ArrayView4<'_, f32>,
    weight: ArrayView4<'_, f32>,
    bias: Option<ArrayView1<'_, f32>>,
    options: Conv2dOptions,
) -> Array4<f32> {
    let (batch, channels, height, width) = x.dim();
    let (out_channels, in_channels, kh, kw) = weight.dim();
    assert_eq!(
        channels, in_channels,
        "conv2d: input channels differ from the weight's"
    );
    let patches = Patches::new(channels, (height, width), (kh, kw), options)
        .expect("conv2d: the input is smaller than the kernel");
    let x = x.as_standard_layout();
    let w = weight_matrix(weight);
    let mut y = Array4::<f32>::zeros((batch, out_channels, patches.out_h, patches.out_w));
    let mut cols = Array2::<f32>::zeros((patches.rows(), patches.cols()));
    for (image, y_n) in x.outer_iter().zip(y.outer_iter_mut()) {
        im2col(
            image.as_slice().expect("standard layout"),
            &patches,
            cols.as_slice_mut().expect("own"),
        );
        let mut y_n = y_n
            .into_shape_with_order((out_channels, patches.cols()))
            .expect("contiguous");
        // Y = b (broadcast along each output channel's row), then Y += W · cols.
        if let Some(b) = bias {
            y_n.assign(&b.insert_axis(Axis(1)));
        }
        general_mat_mul(1.0, &w, &cols, 1.0, &mut y_n);
    }
    y
}

/// The backward pass of [`forward`]: given x, the weight and dL/dy, returns
/// (dL/dx, dL/dweight, dL/dbias). dL/dbias is Σ over batch and positions of
/// dL/dy, returned whether or not the layer has a bias.
pub fn backward(
    x: ArrayView4<'_, f32>,
    weight: ArrayView4<'_, f32>,
    grad_y: ArrayView4<'_, f32>,
    options: Conv2dOptions,
) -> (Array4<f32>, Array4<f32>, Array1<f32>) {
    let (batch, channels, height, width) = x.dim();
    let (out_channels, _, kh, kw) = weight.dim();
    let patches = Patches::new(channels, (height, width), (kh, kw), options)
        .expect("conv2d: the input is smaller than the kernel");
    assert_eq!(
        grad_y.dim(),
        (batch, out_channels, patches.out_h, patches.out_w),
        "conv2d: dL/dy has another shape than y"
    );
    let x = x.as_standard_layout();
    let grad_y = grad_y.as_standard_layout();
    let w = weight_matrix(weight);
    let mut grad_x = Array4::<f32>::zeros(x.raw_dim());
    let mut grad_w = Array2::<f32>::zeros(w.raw_dim());
    let mut cols = Array2::<f32>::zeros((patches.rows(), patches.cols()));
    let mut grad_cols = Array2::<f32>::zeros((patches.rows(), patches.cols()));
    for ((image, dy_n), mut dx_n) in x
        .outer_iter()
        .zip(grad_y.outer_iter())
        .zip(grad_x.outer_iter_mut())
    {
        let dy_n = dy_n
            .into_shape_with_order((out_channels, patches.cols()))
            .expect("contiguous");
        // Y = W · cols, so dW += dY · colsᵀ ...
        im2col(
            image.as_slice().expect("standard layout"),
            &patches,
            cols.as_slice_mut().expect("own"),
        );
        general_mat_mul(1.0, &dy_n, &cols.t(), 1.0, &mut grad_w);
        // ... and dcols = Wᵀ · dY, which col2im sends back to the pixels read.
        general_mat_mul(1.0, &w.t(), &dy_n, 0.0, &mut grad_cols);
        col2im(
            grad_cols.as_slice().expect("own"),
            &patches,
            dx_n.as_slice_mut().expect("own"),
        );
    }
    // y = ... + b[o] at every position: db[o] = Σ_n Σ_ij dy[n, o, i, j].
    let grad_b = grad_y.sum_axis(Axis(3)).sum_axis(Axis(2)).sum_axis(Axis(0));
    let grad_w = grad_w
        .into_shape_with_order(weight.raw_dim())
        .expect("same size");
    (grad_x, grad_w, grad_b)
}

/// A `[out, in, kh, kw]` weight as the `[out, in·kh·kw]` matrix that
/// multiplies im2col's columns.
fn weight_matrix(weight: ArrayView4<'_, f32>) -> Array2<f32> {
    let (out, inp, kh, kw) = weight.dim();
    weight
        .as_standard_layout()
        .into_owned()
        .into_shape_with_order((out, inp * kh * kw))
        .expect("standard layout")
}

/// The gradients of a convolution's parameters, shaped like them.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvGrads<D: Dimension> {
    pub weight: Array<f32, D>,
    pub bias: Option<Array1<f32>>,
}

impl<D: Dimension> ConvGrads<D> {
    /// Zero gradients for a weight of shape `weight` and a bias if `bias`.
    pub fn zeros(weight: D, bias: Option<usize>) -> Self {
        ConvGrads {
            weight: Array::zeros(weight),
            bias: bias.map(Array1::zeros),
        }
    }

    /// Adds one backward pass's gradients to those gathered so far (the
    /// bias's only where the layer has a bias).
    pub fn add(&mut self, weight: &Array<f32, D>, bias: &Array1<f32>) {
        self.weight += weight;
        if let Some(g) = &mut self.bias {
            *g += bias;
        }
    }
}

/// `nn.Conv2d`: the weight and bias, the options, their gradients, and the
/// input of the last training pass.
#[derive(Debug, Clone)]
pub struct Conv2d {
    /// `[out_channels, in_channels, kh, kw]`.
    pub weight: Array4<f32>,
    /// `[out_channels]`, or none (`bias=False`).
    pub bias: Option<Array1<f32>>,
    pub stride: (usize, usize),
    pub padding: (usize, usize),
    pub dilation: (usize, usize),
    pub grads: ConvGrads<Ix4>,
    /// The input of the last [`Layer::forward`], which the backward pass reads.
    cache: Option<Array4<f32>>,
}

impl Conv2d {
    /// A convolution from `in_channels` to `out_channels` with a
    /// `kernel` = (kh, kw), stride 1, no padding, no dilation and a bias,
    /// initialised as PyTorch does: weight and bias from U(-1/√fan_in,
    /// 1/√fan_in), fan_in = in_channels·kh·kw. Change the options with
    /// [`Conv2d::stride`], [`Conv2d::padding`], [`Conv2d::dilation`],
    /// [`Conv2d::without_bias`].
    pub fn new(
        in_channels: usize,
        out_channels: usize,
        kernel: (usize, usize),
        rng: &mut impl Rng,
    ) -> Conv2d {
        assert!(
            kernel.0 > 0 && kernel.1 > 0,
            "Conv2d: the kernel must be at least 1x1"
        );
        let bound = init::default_bound(in_channels * kernel.0 * kernel.1);
        let weight = init::uniform((out_channels, in_channels, kernel.0, kernel.1), bound, rng);
        let bias = init::uniform(out_channels, bound, rng);
        Conv2d::with_options(weight, Some(bias), Conv2dOptions::default())
    }

    /// A convolution with the given parameters and options, or why they do
    /// not fit together (a bias whose length is not the weight's output
    /// channels, a zero stride or dilation, an empty kernel).
    pub fn from_parts(
        weight: Array4<f32>,
        bias: Option<Array1<f32>>,
        options: Conv2dOptions,
    ) -> Result<Conv2d, ShapeError> {
        let (out, inp, kh, kw) = weight.dim();
        let layer = format!("Conv2d({inp}, {out}, kernel_size=({kh}, {kw}))");
        let fail = |message: String| {
            Err(ShapeError {
                layer: layer.clone(),
                message,
            })
        };
        if let Some(message) = parts_problem(kh == 0 || kw == 0, bias.as_ref(), out) {
            return fail(message);
        }
        let o = options;
        if o.stride.0 == 0 || o.stride.1 == 0 || o.dilation.0 == 0 || o.dilation.1 == 0 {
            return fail(format!(
                "stride {:?} and dilation {:?} must be at least 1",
                o.stride, o.dilation
            ));
        }
        Ok(Conv2d::with_options(weight, bias, options))
    }

    fn with_options(
        weight: Array4<f32>,
        bias: Option<Array1<f32>>,
        options: Conv2dOptions,
    ) -> Conv2d {
        let grads = ConvGrads::zeros(weight.raw_dim(), bias.as_ref().map(Array1::len));
        Conv2d {
            weight,
            bias,
            stride: options.stride,
            padding: options.padding,
            dilation: options.dilation,
            grads,
            cache: None,
        }
    }

    /// The same layer with stride `stride` (each at least 1).
    pub fn stride(mut self, stride: (usize, usize)) -> Conv2d {
        assert!(
            stride.0 > 0 && stride.1 > 0,
            "Conv2d: stride must be at least 1"
        );
        self.stride = stride;
        self
    }

    /// The same layer with `padding` zeros on every side.
    pub fn padding(mut self, padding: (usize, usize)) -> Conv2d {
        self.padding = padding;
        self
    }

    /// The same layer with taps `dilation` pixels apart (each at least 1).
    pub fn dilation(mut self, dilation: (usize, usize)) -> Conv2d {
        assert!(
            dilation.0 > 0 && dilation.1 > 0,
            "Conv2d: dilation must be at least 1"
        );
        self.dilation = dilation;
        self
    }

    /// The same layer without a bias (`bias=False`).
    pub fn without_bias(mut self) -> Conv2d {
        self.bias = None;
        self.grads.bias = None;
        self
    }

    /// The options as the plain functions take them.
    pub fn options(&self) -> Conv2dOptions {
        Conv2dOptions {
            stride: self.stride,
            padding: self.padding,
            dilation: self.dilation,
        }
    }

    pub fn in_channels(&self) -> usize {
        self.weight.dim().1
    }

    pub fn out_channels(&self) -> usize {
        self.weight.dim().0
    }

    pub fn kernel(&self) -> (usize, usize) {
        let (_, _, kh, kw) = self.weight.dim();
        (kh, kw)
    }
}

/// `(a, b)` as PyTorch prints a pair: `a` alone when both are equal.
pub(crate) fn pair((a, b): (usize, usize)) -> String {
    if a == b {
        a.to_string()
    } else {
        format!("({a}, {b})")
    }
}

/// Why a kernel and a bias do not make a layer with `out_channels`
/// outputs, if they do not: the kernel is empty, or the bias has another
/// length.
pub(crate) fn parts_problem(
    kernel_empty: bool,
    bias: Option<&Array1<f32>>,
    out_channels: usize,
) -> Option<String> {
    if kernel_empty {
        return Some("the kernel is empty".into());
    }
    match bias {
        Some(b) if b.len() != out_channels => Some(format!(
            "bias has {} values for {out_channels} output channels",
            b.len()
        )),
        _ => None,
    }
}

/// A convolution as PyTorch prints it: `name(in, out, kernel_size=k`,
/// each option whose value is not its default (`(name, value, default)`,
/// values written by `show`), `bias=False` when there is no bias.
pub(crate) fn describe<T: PartialEq + Copy>(
    name: &str,
    (in_channels, out_channels): (usize, usize),
    kernel: T,
    options: &[(&str, T, T)],
    show: impl Fn(T) -> String,
    has_bias: bool,
) -> String {
    let mut text = format!(
        "{name}({in_channels}, {out_channels}, kernel_size={}",
        show(kernel)
    );
    for &(option, value, default) in options {
        if value != default {
            text += &format!(", {option}={}", show(value));
        }
    }
    if !has_bias {
        text += ", bias=False";
    }
    text + ")"
}

/// Checks a batch-first input of rank `rank` whose axis 1 holds `channels`.
pub(crate) fn check_input(
    layer: &str,
    input: &[usize],
    rank: usize,
    names: &str,
    channels: usize,
) -> Result<(), ShapeError> {
    let fail = |message: String| {
        Err(ShapeError {
            layer: layer.to_string(),
            message,
        })
    };
    if input.len() != rank {
        return fail(format!("takes input of shape {names}, got {input:?}"));
    }
    if input[1] != channels {
        return fail(format!(
            "takes {channels} input channels, got {} (input shape {input:?})",
            input[1]
        ));
    }
    Ok(())
}

impl Layer for Conv2d {
    fn boxed_clone(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }

    fn describe(&self) -> String {
        describe(
            "Conv2d",
            (self.in_channels(), self.out_channels()),
            self.kernel(),
            &[
                ("stride", self.stride, (1, 1)),
                ("padding", self.padding, (0, 0)),
                ("dilation", self.dilation, (1, 1)),
            ],
            pair,
            self.bias.is_some(),
        )
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>, ShapeError> {
        let layer = self.describe();
        check_input(&layer, input, 4, "[N, C, H, W]", self.in_channels())?;
        let patches = Patches::new(
            input[1],
            (input[2], input[3]),
            self.kernel(),
            self.options(),
        );
        match patches {
            Some(p) => Ok(vec![input[0], self.out_channels(), p.out_h, p.out_w]),
            None => {
                let (kh, kw) = self.kernel();
                let (dh, dw) = self.dilation;
                Err(ShapeError {
                    layer,
                    message: format!(
                        "input {}x{} with padding {} is smaller than the kernel, which spans {}x{}",
                        input[2],
                        input[3],
                        pair(self.padding),
                        dh * (kh - 1) + 1,
                        dw * (kw - 1) + 1
                    ),
                })
            }
        }
    }

    fn forward(&mut self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let x = x
            .into_dimensionality::<Ix4>()
            .expect("Conv2d takes [N, C, H, W]");
        let y = forward(
            x,
            self.weight.view(),
            self.bias.as_ref().map(|b| b.view()),
            self.options(),
        );
        self.cache = Some(x.to_owned());
        y.into_dyn()
    }

    fn backward(&mut self, grad_y: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let x = self
            .cache
            .as_ref()
            .expect("Conv2d: backward before forward");
        let grad_y = grad_y
            .into_dimensionality::<Ix4>()
            .expect("Conv2d: dL/dy is [N, C, H, W]");
        let (grad_x, grad_w, grad_b) =
            backward(x.view(), self.weight.view(), grad_y, self.options());
        self.grads.add(&grad_w, &grad_b);
        grad_x.into_dyn()
    }

    fn infer(&self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let x = x
            .into_dimensionality::<Ix4>()
            .expect("Conv2d takes [N, C, H, W]");
        forward(
            x,
            self.weight.view(),
            self.bias.as_ref().map(|b| b.view()),
            self.options(),
        )
        .into_dyn()
    }

    fn visit_params_mut(&mut self, visit: &mut dyn FnMut(ParamMut<'_>)) {
        visit_conv_params_mut(&mut self.weight, &mut self.bias, &mut self.grads, visit);
    }

    fn visit_params(&self, visit: &mut dyn FnMut(ParamRef<'_>)) {
        visit_conv_params(&self.weight, &self.bias, &self.grads, visit);
    }
}

/// `weight`, then `bias` if any, with their gradients: the visit every
/// convolution shares.
pub(crate) fn visit_conv_params_mut<D: Dimension>(
    weight: &mut Array<f32, D>,
    bias: &mut Option<Array1<f32>>,
    grads: &mut ConvGrads<D>,
    visit: &mut dyn FnMut(ParamMut<'_>),
) {
    visit(ParamMut {
        name: "weight",
        value: weight.view_mut().into_dyn(),
        grad: grads.weight.view_mut().into_dyn(),
    });
    if let (Some(b), Some(g)) = (bias, &mut grads.bias) {
        visit(ParamMut {
            name: "bias",
            value: b.view_mut().into_dyn(),
            grad: g.view_mut().into_dyn(),
        });
    }
}

/// The read-only twin of [`visit_conv_params_mut`].
pub(crate) fn visit_conv_params<D: Dimension>(
    weight: &Array<f32, D>,
    bias: &Option<Array1<f32>>,
    grads: &ConvGrads<D>,
    visit: &mut dyn FnMut(ParamRef<'_>),
) {
    visit(ParamRef {
        name: "weight",
        value: weight.view().into_dyn(),
        grad: grads.weight.view().into_dyn(),
    });
    if let (Some(b), Some(g)) = (bias, &grads.bias) {
        visit(ParamRef {
            name: "bias",
            value: b.view().into_dyn(),
            grad: g.view().into_dyn(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array;

    /// The sum written straight from the definition, for comparison.
    fn direct(x: &Array4<f32>, w: &Array4<f32>, o: Conv2dOptions) -> Array4<f32> {
        let (n, c, h, wd) = x.dim();
        let (oc, _, kh, kw) = w.dim();
        let oh = output_size(h, kh, o.stride.0, o.padding.0, o.dilation.0).unwrap();
        let ow = output_size(wd, kw, o.stride.1, o.padding.1, o.dilation.1).unwrap();
        Array4::from_shape_fn((n, oc, oh, ow), |(b, k, i, j)| {
            let mut sum = 0.0;
            for ch in 0..c {
                for ki in 0..kh {
                    for kj in 0..kw {
                        let ih =
                            (i * o.stride.0 + ki * o.dilation.0) as isize - o.padding.0 as isize;
                        let iw =
                            (j * o.stride.1 + kj * o.dilation.1) as isize - o.padding.1 as isize;
                        if ih >= 0 && iw >= 0 && (ih as usize) < h && (iw as usize) < wd {
                            sum += w[[k, ch, ki, kj]] * x[[b, ch, ih as usize, iw as usize]];
                        }
                    }
                }
            }
            sum
        })
    }

    #[test]
    fn im2col_products_equal_the_direct_sum() {
        let x = Array::from_shape_fn((2, 3, 7, 6), |(a, b, c, d)| {
            ((a * 31 + b * 7 + c * 5 + d) as f32 * 0.37).sin()
        });
        let w = Array::from_shape_fn((4, 3, 3, 2), |(a, b, c, d)| {
            ((a * 13 + b * 5 + c * 3 + d) as f32 * 0.71).cos()
        });
        for (stride, padding, dilation) in [
            ((1, 1), (0, 0), (1, 1)),
            ((2, 1), (1, 2), (1, 2)),
            ((2, 3), (2, 0), (2, 1)),
        ] {
            let o = Conv2dOptions {
                stride,
                padding,
                dilation,
            };
            let got = forward(x.view(), w.view(), None, o);
            let want = direct(&x, &w, o);
            assert_eq!(got.dim(), want.dim());
            let worst = (&got - &want).mapv(f32::abs).fold(0.0f32, |m, &v| m.max(v));
            assert!(worst < 1e-5, "{o:?}: {worst}");
        }
    }

    #[test]
    fn col2im_is_the_adjoint_of_im2col() {
        // <im2col(x), c> = <x, col2im(c)> for any x and c.
        let p = Patches::new(
            2,
            (5, 6),
            (3, 3),
            Conv2dOptions {
                stride: (2, 1),
                padding: (1, 2),
                dilation: (1, 2),
            },
        )
        .unwrap();
        let x: Vec<f32> = (0..2 * 5 * 6).map(|i| (i as f32 * 0.3).sin()).collect();
        let c: Vec<f32> = (0..p.rows() * p.cols())
            .map(|i| (i as f32 * 0.7).cos())
            .collect();
        let mut cols = vec![0.0; c.len()];
        im2col(&x, &p, &mut cols);
        let mut back = vec![0.0; x.len()];
        col2im(&c, &p, &mut back);
        let lhs: f32 = cols.iter().zip(&c).map(|(a, b)| a * b).sum();
        let rhs: f32 = x.iter().zip(&back).map(|(a, b)| a * b).sum();
        assert!((lhs - rhs).abs() < 1e-4, "{lhs} {rhs}");
    }

    #[test]
    fn output_size_follows_pytorch_formula() {
        assert_eq!(output_size(28, 5, 1, 0, 1), Some(24));
        assert_eq!(output_size(7, 3, 2, 2, 2), Some(4));
        assert_eq!(output_size(4, 5, 1, 0, 1), None);
        assert_eq!(output_size(4, 5, 1, 1, 1), Some(2));
        assert_eq!(output_size(5, 3, 1, 0, 3), None);
    }
}
