//! A 1-D convolution over time, PyTorch's `nn.Conv1d`: input `[N, C, L]`,
//! weight `[out, in, k]`, bias `[out]`, with stride, zero padding and
//! dilation. With dilation d it is a time-delay layer: output t reads the
//! inputs at t·s - p, t·s - p + d, ..., t·s - p + (k - 1)·d.
//!
//! y[n, o, t] = b[o] + Σ_c Σ_k w[o, c, k] · x[n, c, t·s - p + k·d]
//!
//! Output length `floor((L + 2p - d(k - 1) - 1) / s) + 1`. A 1-D convolution
//! is a 2-D one over an image one row tall with a kernel one row tall, so the
//! passes view the arrays that way and reuse [`super::conv2d`]'s.
//!
//! References: the `torch.nn.Conv1d` documentation; Waibel, Hanazawa,
//! Hinton, Shikano & Lang, "Phoneme recognition using time-delay neural
//! networks" (1989), for the time-delay layer.

use super::conv2d::{self, Conv2dOptions, ConvGrads};
use super::{Layer, ParamMut, ParamRef, ShapeError, init};
use ndarray::{Array1, Array3, ArrayD, ArrayView1, ArrayView3, ArrayViewD, Axis, Ix3};
use rand::Rng;

/// The settings of a 1-D convolution that are not tensors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conv1dOptions {
    pub stride: usize,
    pub padding: usize,
    /// The delay between the kernel's taps, in steps.
    pub dilation: usize,
}

impl Default for Conv1dOptions {
    /// PyTorch's defaults: stride 1, no padding, no dilation.
    fn default() -> Self {
        Conv1dOptions {
            stride: 1,
            padding: 0,
            dilation: 1,
        }
    }
}

impl Conv1dOptions {
    /// The same options for a one-row 2-D convolution.
    fn as_2d(self) -> Conv2dOptions {
        Conv2dOptions {
            stride: (1, self.stride),
            padding: (0, self.padding),
            dilation: (1, self.dilation),
        }
    }
}

/// The output length, `floor((L + 2p - d(k - 1) - 1) / s) + 1`, or `None`
/// when the padded input is shorter than the dilated kernel.
pub fn output_size(length: usize, kernel: usize, options: Conv1dOptions) -> Option<usize> {
    conv2d::output_size(
        length,
        kernel,
        options.stride,
        options.padding,
        options.dilation,
    )
}

/// y = conv1d(x, weight) + bias, for x `[N, C, L]` and weight `[out, C, k]`.
pub fn forward(
    x: ArrayView3<'_, f32>,
    weight: ArrayView3<'_, f32>,
    bias: Option<ArrayView1<'_, f32>>,
    options: Conv1dOptions,
) -> Array3<f32> {
    let y = conv2d::forward(
        x.insert_axis(Axis(2)),
        weight.insert_axis(Axis(2)),
        bias,
        options.as_2d(),
    );
    y.remove_axis(Axis(2))
}

/// The backward pass of [`forward`]: (dL/dx, dL/dweight, dL/dbias).
pub fn backward(
    x: ArrayView3<'_, f32>,
    weight: ArrayView3<'_, f32>,
    grad_y: ArrayView3<'_, f32>,
    options: Conv1dOptions,
) -> (Array3<f32>, Array3<f32>, Array1<f32>) {
    let (grad_x, grad_w, grad_b) = conv2d::backward(
        x.insert_axis(Axis(2)),
        weight.insert_axis(Axis(2)),
        grad_y.insert_axis(Axis(2)),
        options.as_2d(),
    );
    (
        grad_x.remove_axis(Axis(2)),
        grad_w.remove_axis(Axis(2)),
        grad_b,
    )
}

/// `nn.Conv1d`: weight, bias, options, gradients and the input of the last
/// training pass.
#[derive(Debug, Clone)]
pub struct Conv1d {
    /// `[out_channels, in_channels, k]`.
    pub weight: Array3<f32>,
    /// `[out_channels]`, or none (`bias=False`).
    pub bias: Option<Array1<f32>>,
    pub stride: usize,
    pub padding: usize,
    pub dilation: usize,
    pub grads: ConvGrads<Ix3>,
    cache: Option<Array3<f32>>,
}

impl Conv1d {
    /// A convolution from `in_channels` to `out_channels` over `kernel`
    /// steps, stride 1, no padding, no dilation, with a bias; PyTorch's
    /// initialisation, fan_in = in_channels·kernel.
    pub fn new(
        in_channels: usize,
        out_channels: usize,
        kernel: usize,
        rng: &mut impl Rng,
    ) -> Conv1d {
        assert!(kernel > 0, "Conv1d: the kernel must be at least 1 step");
        let bound = init::default_bound(in_channels * kernel);
        let weight = init::uniform((out_channels, in_channels, kernel), bound, rng);
        let bias = init::uniform(out_channels, bound, rng);
        Conv1d::with_options(weight, Some(bias), Conv1dOptions::default())
    }

    /// A convolution with the given parameters and options, or why they do
    /// not fit together.
    pub fn from_parts(
        weight: Array3<f32>,
        bias: Option<Array1<f32>>,
        options: Conv1dOptions,
    ) -> Result<Conv1d, ShapeError> {
        let (out, inp, k) = weight.dim();
        let fail = |message: String| {
            Err(ShapeError {
                layer: format!("Conv1d({inp}, {out}, kernel_size={k})"),
                message,
            })
        };
        if let Some(message) = conv2d::parts_problem(k == 0, bias.as_ref(), out) {
            return fail(message);
        }
        if options.stride == 0 || options.dilation == 0 {
            return fail(format!(
                "stride {} and dilation {} must be at least 1",
                options.stride, options.dilation
            ));
        }
        Ok(Conv1d::with_options(weight, bias, options))
    }

    fn with_options(
        weight: Array3<f32>,
        bias: Option<Array1<f32>>,
        options: Conv1dOptions,
    ) -> Conv1d {
        let grads = ConvGrads::zeros(weight.raw_dim(), bias.as_ref().map(Array1::len));
        Conv1d {
            weight,
            bias,
            stride: options.stride,
            padding: options.padding,
            dilation: options.dilation,
            grads,
            cache: None,
        }
    }

    /// The same layer with stride `stride` (at least 1).
    pub fn stride(mut self, stride: usize) -> Conv1d {
        assert!(stride > 0, "Conv1d: stride must be at least 1");
        self.stride = stride;
        self
    }

    /// The same layer with `padding` zeros at each end.
    pub fn padding(mut self, padding: usize) -> Conv1d {
        self.padding = padding;
        self
    }

    /// The same layer with taps `dilation` steps apart (at least 1).
    pub fn dilation(mut self, dilation: usize) -> Conv1d {
        assert!(dilation > 0, "Conv1d: dilation must be at least 1");
        self.dilation = dilation;
        self
    }

    /// The same layer without a bias.
    pub fn without_bias(mut self) -> Conv1d {
        self.bias = None;
        self.grads.bias = None;
        self
    }

    /// The options as the plain functions take them.
    pub fn options(&self) -> Conv1dOptions {
        Conv1dOptions {
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

    pub fn kernel(&self) -> usize {
        self.weight.dim().2
    }
}

impl Layer for Conv1d {
    fn boxed_clone(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }

    fn describe(&self) -> String {
        conv2d::describe(
            "Conv1d",
            (self.in_channels(), self.out_channels()),
            self.kernel(),
            &[
                ("stride", self.stride, 1),
                ("padding", self.padding, 0),
                ("dilation", self.dilation, 1),
            ],
            |v: usize| v.to_string(),
            self.bias.is_some(),
        )
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>, ShapeError> {
        let layer = self.describe();
        conv2d::check_input(&layer, input, 3, "[N, C, L]", self.in_channels())?;
        match output_size(input[2], self.kernel(), self.options()) {
            Some(len) => Ok(vec![input[0], self.out_channels(), len]),
            None => Err(ShapeError {
                layer,
                message: format!(
                    "input of {} steps with padding {} is shorter than the kernel, which spans {}",
                    input[2],
                    self.padding,
                    self.dilation * (self.kernel() - 1) + 1
                ),
            }),
        }
    }

    fn forward(&mut self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let x = x
            .into_dimensionality::<Ix3>()
            .expect("Conv1d takes [N, C, L]");
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
            .expect("Conv1d: backward before forward");
        let grad_y = grad_y
            .into_dimensionality::<Ix3>()
            .expect("Conv1d: dL/dy is [N, C, L]");
        let (grad_x, grad_w, grad_b) =
            backward(x.view(), self.weight.view(), grad_y, self.options());
        self.grads.add(&grad_w, &grad_b);
        grad_x.into_dyn()
    }

    fn infer(&self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let x = x
            .into_dimensionality::<Ix3>()
            .expect("Conv1d takes [N, C, L]");
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
