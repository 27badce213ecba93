//! A transposed 2-D convolution, PyTorch's `nn.ConvTranspose2d` (groups 1):
//! NCHW input, weight `[in, out, kh, kw]` (in before out, unlike `Conv2d`),
//! bias `[out]`, with stride, padding, output padding and dilation.
//!
//! Each input pixel scatters a copy of its kernel, scaled by its value, onto
//! the output, `stride` pixels apart from its neighbour's copy; with
//! dilation d the kernel's taps land d pixels apart:
//!
//! y[n, o, i·s - p + ki·d, j·s - p + kj·d] += x[n, c, i, j] · w[c, o, ki, kj]
//!
//! plus the bias, which makes the output
//! `(H - 1)·s - 2p + d·(k - 1) + output_padding + 1` tall, the extra
//! `output_padding` rows and columns at the bottom and right (where only
//! the bias lands unless a kernel reaches them). This is the gradient of a
//! `Conv2d` with the same weight, stride, padding and dilation with respect
//! to its input, which is
//! how it is computed: per image, cols = Wᵀ · x (W viewed as
//! `[in, out·kh·kw]`), then [`col2im`] adds the columns onto the output.
//! The backward pass is the adjoint: dx = W · [`im2col`](dy),
//! dW += x · im2col(dy)ᵀ, db = Σ dy.
//!
//! Reference: the `torch.nn.ConvTranspose2d` documentation; Dumoulin &
//! Visin, "A guide to convolution arithmetic for deep learning" (2016), §4.

use super::conv2d::{self, Conv2dOptions, ConvGrads, Patches, col2im, im2col};
use super::{Layer, ParamMut, ParamRef, ShapeError, init};
use ndarray::linalg::general_mat_mul;
use ndarray::{Array1, Array2, Array4, ArrayD, ArrayView1, ArrayView4, ArrayViewD, Axis, Ix4};
use rand::Rng;

/// The settings of a transposed convolution that are not tensors, each as
/// (h, w).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvTranspose2dOptions {
    pub stride: (usize, usize),
    /// Rows and columns cut from each side of the full scatter.
    pub padding: (usize, usize),
    /// Rows and columns added at the bottom and right, to reach an output
    /// size that stride alone leaves ambiguous; less than the stride or
    /// the dilation.
    pub output_padding: (usize, usize),
    /// The spacing of the kernel's taps on the output (1: adjacent).
    pub dilation: (usize, usize),
}

impl Default for ConvTranspose2dOptions {
    /// PyTorch's defaults: stride 1, no padding, no output padding,
    /// dilation 1.
    fn default() -> Self {
        ConvTranspose2dOptions {
            stride: (1, 1),
            padding: (0, 0),
            output_padding: (0, 0),
            dilation: (1, 1),
        }
    }
}

/// A transposed convolution's output length along one axis,
/// `(input - 1)·stride - 2·padding + dilation·(kernel - 1) + output_padding
/// + 1` (PyTorch's formula), or `None` when the padding cuts away
/// everything (or `input` or `kernel` is 0).
pub fn output_size(
    input: usize,
    kernel: usize,
    stride: usize,
    padding: usize,
    output_padding: usize,
    dilation: usize,
) -> Option<usize> {
    let full =
        (input.checked_sub(1)?) * stride + dilation * (kernel.checked_sub(1)?) + output_padding + 1;
    full.checked_sub(2 * padding).filter(|&len| len > 0)
}

/// The convolution whose input gradient this transposed convolution is:
/// it reads the `[out, Ho, Wo]` output and gives back `[in, H, W]`.
fn patches(
    out_channels: usize,
    input: (usize, usize),
    kernel: (usize, usize),
    options: ConvTranspose2dOptions,
) -> Option<Patches> {
    let o = options;
    if o.stride.0 == 0 || o.stride.1 == 0 || o.dilation.0 == 0 || o.dilation.1 == 0 {
        return None;
    }
    let out_h = output_size(
        input.0,
        kernel.0,
        o.stride.0,
        o.padding.0,
        o.output_padding.0,
        o.dilation.0,
    )?;
    let out_w = output_size(
        input.1,
        kernel.1,
        o.stride.1,
        o.padding.1,
        o.output_padding.1,
        o.dilation.1,
    )?;
    let conv = Conv2dOptions {
        stride: o.stride,
        padding: o.padding,
        dilation: o.dilation,
    };
    let mut p = Patches::new(out_channels, (out_h, out_w), kernel, conv)?;
    // The convolution over that output has H + floor(output_padding /
    // stride) positions along each axis: exactly the input's H when
    // output_padding < stride. When output_padding reaches the stride
    // (PyTorch allows it below the dilation instead) the positions past H
    // are ones no input pixel scatters from, so they are left out.
    if p.out_h < input.0 || p.out_w < input.1 {
        return None;
    }
    (p.out_h, p.out_w) = input;
    Some(p)
}

/// y = conv_transpose2d(x, weight) + bias, for x `[N, in, H, W]` and weight
/// `[in, out, kh, kw]`.
pub fn forward(
    x: ArrayView4<'_, f32>,
    weight: ArrayView4<'_, f32>,
    bias: Option<ArrayView1<'_, f32>>,
    options: ConvTranspose2dOptions,
) -> Array4<f32> {
    let (batch, channels, height, width) = x.dim();
    let (in_channels, out_channels, kh, kw) = weight.dim();
    assert_eq!(
        channels, in_channels,
        "conv_transpose2d: input channels differ from the weight's"
    );
    let p = patches(out_channels, (height, width), (kh, kw), options)
        .expect("conv_transpose2d: options that give no output");
    let x = x.as_standard_layout();
    let w = weight_matrix(weight);
    let mut y = Array4::<f32>::zeros((batch, out_channels, p.height, p.width));
    let mut cols = Array2::<f32>::zeros((p.rows(), p.cols()));
    for (x_n, mut y_n) in x.outer_iter().zip(y.outer_iter_mut()) {
        let x_n = x_n
            .into_shape_with_order((in_channels, height * width))
            .expect("contiguous");
        // cols = Wᵀ · x: column (i, j) is the sum of the kernels input pixel
        // (i, j) scatters, one row per (out channel, tap) ...
        general_mat_mul(1.0, &w.t(), &x_n, 0.0, &mut cols);
        // ... and col2im adds each onto the output pixel the tap lands on.
        if let Some(b) = bias {
            y_n.assign(&b.insert_axis(Axis(1)).insert_axis(Axis(2)));
        }
        col2im(
            cols.as_slice().expect("own"),
            &p,
            y_n.as_slice_mut().expect("own"),
        );
    }
    y
}

/// The backward pass of [`forward`]: given x, the weight and dL/dy, returns
/// (dL/dx, dL/dweight, dL/dbias).
pub fn backward(
    x: ArrayView4<'_, f32>,
    weight: ArrayView4<'_, f32>,
    grad_y: ArrayView4<'_, f32>,
    options: ConvTranspose2dOptions,
) -> (Array4<f32>, Array4<f32>, Array1<f32>) {
    let (batch, in_channels, height, width) = x.dim();
    let (_, out_channels, kh, kw) = weight.dim();
    let p = patches(out_channels, (height, width), (kh, kw), options)
        .expect("conv_transpose2d: options that give no output");
    assert_eq!(
        grad_y.dim(),
        (batch, out_channels, p.height, p.width),
        "conv_transpose2d: dL/dy has another shape than y"
    );
    let x = x.as_standard_layout();
    let grad_y = grad_y.as_standard_layout();
    let w = weight_matrix(weight);
    let mut grad_x = Array4::<f32>::zeros(x.raw_dim());
    let mut grad_w = Array2::<f32>::zeros(w.raw_dim());
    let mut grad_cols = Array2::<f32>::zeros((p.rows(), p.cols()));
    for ((x_n, dy_n), dx_n) in x
        .outer_iter()
        .zip(grad_y.outer_iter())
        .zip(grad_x.outer_iter_mut())
    {
        // y = col2im(cols), so dcols = im2col(dy) ...
        im2col(
            dy_n.as_slice().expect("standard layout"),
            &p,
            grad_cols.as_slice_mut().expect("own"),
        );
        let x_n = x_n
            .into_shape_with_order((in_channels, height * width))
            .expect("contiguous");
        let mut dx_n = dx_n
            .into_shape_with_order((in_channels, height * width))
            .expect("contiguous");
        // ... and cols = Wᵀ · x, so dx = W · dcols and dW += x · dcolsᵀ.
        general_mat_mul(1.0, &w, &grad_cols, 0.0, &mut dx_n);
        general_mat_mul(1.0, &x_n, &grad_cols.t(), 1.0, &mut grad_w);
    }
    let grad_b = grad_y.sum_axis(Axis(3)).sum_axis(Axis(2)).sum_axis(Axis(0));
    let grad_w = grad_w
        .into_shape_with_order(weight.raw_dim())
        .expect("same size");
    (grad_x, grad_w, grad_b)
}

/// PyTorch's rule: along each axis the output padding is smaller than the
/// stride or than the dilation.
fn output_padding_fits(
    output_padding: (usize, usize),
    stride: (usize, usize),
    dilation: (usize, usize),
) -> bool {
    let fits = |op: usize, s: usize, d: usize| op < s || op < d;
    fits(output_padding.0, stride.0, dilation.0) && fits(output_padding.1, stride.1, dilation.1)
}

/// A `[in, out, kh, kw]` weight as the `[in, out·kh·kw]` matrix.
fn weight_matrix(weight: ArrayView4<'_, f32>) -> Array2<f32> {
    let (inp, out, kh, kw) = weight.dim();
    weight
        .as_standard_layout()
        .into_owned()
        .into_shape_with_order((inp, out * kh * kw))
        .expect("standard layout")
}

/// `nn.ConvTranspose2d`: weight, bias, options, gradients and the input of
/// the last training pass.
#[derive(Debug, Clone)]
pub struct ConvTranspose2d {
    /// `[in_channels, out_channels, kh, kw]`.
    pub weight: Array4<f32>,
    /// `[out_channels]`, or none (`bias=False`).
    pub bias: Option<Array1<f32>>,
    pub stride: (usize, usize),
    pub padding: (usize, usize),
    pub output_padding: (usize, usize),
    pub dilation: (usize, usize),
    pub grads: ConvGrads<Ix4>,
    cache: Option<Array4<f32>>,
}

impl ConvTranspose2d {
    /// A transposed convolution from `in_channels` to `out_channels` with a
    /// `kernel` = (kh, kw), stride 1, no padding and a bias, initialised as
    /// PyTorch does: U(-1/√fan_in, 1/√fan_in) with fan_in read from the
    /// weight's dimension 1, i.e. out_channels·kh·kw (see [`init`]).
    pub fn new(
        in_channels: usize,
        out_channels: usize,
        kernel: (usize, usize),
        rng: &mut impl Rng,
    ) -> ConvTranspose2d {
        assert!(
            kernel.0 > 0 && kernel.1 > 0,
            "ConvTranspose2d: the kernel must be at least 1x1"
        );
        let bound = init::default_bound(out_channels * kernel.0 * kernel.1);
        let weight = init::uniform((in_channels, out_channels, kernel.0, kernel.1), bound, rng);
        let bias = init::uniform(out_channels, bound, rng);
        ConvTranspose2d::with_options(weight, Some(bias), ConvTranspose2dOptions::default())
    }

    /// A transposed convolution with the given parameters and options, or
    /// why they do not fit together (a bias not of the weight's output
    /// channels, a zero stride or dilation, output padding below neither
    /// the stride nor the dilation).
    pub fn from_parts(
        weight: Array4<f32>,
        bias: Option<Array1<f32>>,
        options: ConvTranspose2dOptions,
    ) -> Result<ConvTranspose2d, ShapeError> {
        let (inp, out, kh, kw) = weight.dim();
        let layer = format!("ConvTranspose2d({inp}, {out}, kernel_size=({kh}, {kw}))");
        let fail = |message: String| {
            Err(ShapeError {
                layer: layer.clone(),
                message,
            })
        };
        if let Some(message) = conv2d::parts_problem(kh == 0 || kw == 0, bias.as_ref(), out) {
            return fail(message);
        }
        let o = options;
        if o.stride.0 == 0 || o.stride.1 == 0 {
            return fail(format!("stride {:?} must be at least 1", o.stride));
        }
        if o.dilation.0 == 0 || o.dilation.1 == 0 {
            return fail(format!("dilation {:?} must be at least 1", o.dilation));
        }
        if !output_padding_fits(o.output_padding, o.stride, o.dilation) {
            return fail(format!(
                "output_padding {:?} must be smaller than stride {:?} or dilation {:?}",
                o.output_padding, o.stride, o.dilation
            ));
        }
        Ok(ConvTranspose2d::with_options(weight, bias, options))
    }

    fn with_options(
        weight: Array4<f32>,
        bias: Option<Array1<f32>>,
        options: ConvTranspose2dOptions,
    ) -> ConvTranspose2d {
        let grads = ConvGrads::zeros(weight.raw_dim(), bias.as_ref().map(Array1::len));
        ConvTranspose2d {
            weight,
            bias,
            stride: options.stride,
            padding: options.padding,
            output_padding: options.output_padding,
            dilation: options.dilation,
            grads,
            cache: None,
        }
    }

    /// The same layer with stride `stride` (each at least 1).
    pub fn stride(mut self, stride: (usize, usize)) -> ConvTranspose2d {
        assert!(
            stride.0 > 0 && stride.1 > 0,
            "ConvTranspose2d: stride must be at least 1"
        );
        self.stride = stride;
        self
    }

    /// The same layer with `padding` rows and columns cut from each side.
    pub fn padding(mut self, padding: (usize, usize)) -> ConvTranspose2d {
        self.padding = padding;
        self
    }

    /// The same layer with `output_padding` extra rows and columns at the
    /// bottom and right; set the stride and dilation first, as each must
    /// stay below one of them (PyTorch's rule).
    pub fn output_padding(mut self, output_padding: (usize, usize)) -> ConvTranspose2d {
        assert!(
            output_padding_fits(output_padding, self.stride, self.dilation),
            "ConvTranspose2d: output_padding must be smaller than stride or dilation"
        );
        self.output_padding = output_padding;
        self
    }

    /// The same layer with its kernel's taps `dilation` pixels apart on the
    /// output (each at least 1).
    pub fn dilation(mut self, dilation: (usize, usize)) -> ConvTranspose2d {
        assert!(
            dilation.0 > 0 && dilation.1 > 0,
            "ConvTranspose2d: dilation must be at least 1"
        );
        self.dilation = dilation;
        self
    }

    /// The same layer without a bias.
    pub fn without_bias(mut self) -> ConvTranspose2d {
        self.bias = None;
        self.grads.bias = None;
        self
    }

    /// The options as the plain functions take them.
    pub fn options(&self) -> ConvTranspose2dOptions {
        ConvTranspose2dOptions {
            stride: self.stride,
            padding: self.padding,
            output_padding: self.output_padding,
            dilation: self.dilation,
        }
    }

    pub fn in_channels(&self) -> usize {
        self.weight.dim().0
    }

    pub fn out_channels(&self) -> usize {
        self.weight.dim().1
    }

    pub fn kernel(&self) -> (usize, usize) {
        let (_, _, kh, kw) = self.weight.dim();
        (kh, kw)
    }
}

impl Layer for ConvTranspose2d {
    fn boxed_clone(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }

    fn describe(&self) -> String {
        conv2d::describe(
            "ConvTranspose2d",
            (self.in_channels(), self.out_channels()),
            self.kernel(),
            &[
                ("stride", self.stride, (1, 1)),
                ("padding", self.padding, (0, 0)),
                ("output_padding", self.output_padding, (0, 0)),
                ("dilation", self.dilation, (1, 1)),
            ],
            conv2d::pair,
            self.bias.is_some(),
        )
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>, ShapeError> {
        let layer = self.describe();
        conv2d::check_input(&layer, input, 4, "[N, C, H, W]", self.in_channels())?;
        match patches(
            self.out_channels(),
            (input[2], input[3]),
            self.kernel(),
            self.options(),
        ) {
            Some(p) => Ok(vec![input[0], self.out_channels(), p.height, p.width]),
            None => Err(ShapeError {
                layer,
                message: format!(
                    "input {}x{} gives no output: padding {} cuts away all of it",
                    input[2],
                    input[3],
                    conv2d::pair(self.padding)
                ),
            }),
        }
    }

    fn forward(&mut self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let x = x
            .into_dimensionality::<Ix4>()
            .expect("ConvTranspose2d takes [N, C, H, W]");
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
            .expect("ConvTranspose2d: backward before forward");
        let grad_y = grad_y
            .into_dimensionality::<Ix4>()
            .expect("ConvTranspose2d: dL/dy is [N, C, H, W]");
        let (grad_x, grad_w, grad_b) =
            backward(x.view(), self.weight.view(), grad_y, self.options());
        self.grads.add(&grad_w, &grad_b);
        grad_x.into_dyn()
    }

    fn infer(&self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let x = x
            .into_dimensionality::<Ix4>()
            .expect("ConvTranspose2d takes [N, C, H, W]");
        forward(
            x,
            self.weight.view(),
            self.bias.as_ref().map(|b| b.view()),
            self.options(),
        )
        .into_dyn()
    }

    fn visit_params_mut(&mut self, visit: &mut dyn FnMut(ParamMut<'_>)) {
        conv2d::visit_conv_params_mut(&mut self.weight, &mut self.bias, &mut self.grads, visit);
    }

    fn visit_params(&self, visit: &mut dyn FnMut(ParamRef<'_>)) {
        conv2d::visit_conv_params(&self.weight, &self.bias, &self.grads, visit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array;

    /// The scatter written straight from the definition.
    fn direct(x: &Array4<f32>, w: &Array4<f32>, o: ConvTranspose2dOptions) -> Array4<f32> {
        let (n, _, h, wd) = x.dim();
        let (_, oc, kh, kw) = w.dim();
        let oh = output_size(
            h,
            kh,
            o.stride.0,
            o.padding.0,
            o.output_padding.0,
            o.dilation.0,
        )
        .unwrap();
        let ow = output_size(
            wd,
            kw,
            o.stride.1,
            o.padding.1,
            o.output_padding.1,
            o.dilation.1,
        )
        .unwrap();
        let mut y = Array4::zeros((n, oc, oh, ow));
        for ((b, ch, i, j), &v) in x.indexed_iter() {
            for ((_, k, ki, kj), &wv) in w.slice(ndarray::s![ch..ch + 1, .., .., ..]).indexed_iter()
            {
                let yi = (i * o.stride.0 + ki * o.dilation.0) as isize - o.padding.0 as isize;
                let yj = (j * o.stride.1 + kj * o.dilation.1) as isize - o.padding.1 as isize;
                if yi >= 0 && yj >= 0 && (yi as usize) < oh && (yj as usize) < ow {
                    y[[b, k, yi as usize, yj as usize]] += v * wv;
                }
            }
        }
        y
    }

    #[test]
    fn the_product_form_equals_the_scatter() {
        let x = Array::from_shape_fn((2, 3, 4, 5), |(a, b, c, d)| {
            ((a * 31 + b * 7 + c * 5 + d) as f32 * 0.37).sin()
        });
        let w = Array::from_shape_fn((3, 2, 3, 4), |(a, b, c, d)| {
            ((a * 13 + b * 5 + c * 3 + d) as f32 * 0.71).cos()
        });
        for (stride, padding, output_padding, dilation) in [
            ((1, 1), (0, 0), (0, 0), (1, 1)),
            ((2, 2), (1, 1), (1, 1), (1, 1)),
            ((3, 2), (2, 1), (2, 0), (1, 1)),
            ((1, 2), (1, 0), (0, 1), (2, 3)),
            // Output padding at or past the stride, allowed below the dilation.
            ((1, 2), (0, 2), (1, 2), (2, 3)),
        ] {
            let o = ConvTranspose2dOptions {
                stride,
                padding,
                output_padding,
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
    fn output_size_follows_pytorch_formula() {
        assert_eq!(output_size(4, 3, 2, 1, 1, 1), Some(8));
        assert_eq!(output_size(4, 4, 2, 1, 0, 1), Some(8));
        assert_eq!(output_size(5, 3, 1, 0, 0, 1), Some(7));
        assert_eq!(output_size(1, 1, 1, 1, 0, 1), None);
        // (4 - 1)·2 - 2·1 + 3·(3 - 1) + 1 + 1 = 12
        assert_eq!(output_size(4, 3, 2, 1, 1, 3), Some(12));
        // (5 - 1)·1 - 0 + 2·(2 - 1) + 1 + 1 = 8
        assert_eq!(output_size(5, 2, 1, 0, 1, 2), Some(8));
    }
}
