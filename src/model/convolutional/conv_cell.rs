//! The convolutional cell: a small kernel slid over a picture, each output
//! a weighted sum of the pixels under the kernel plus a bias.
//!
//! LeCun, Boser, Denker, Henderson, Howard, Hubbard and Jackel,
//! "Backpropagation applied to handwritten zip code recognition", Neural
//! Computation 1(4):541–551, 1989 (shared weights slid over the picture);
//! the arithmetic of stride, padding and dilation as in Dumoulin and
//! Visin, "A guide to convolution arithmetic for deep learning", 2016, and
//! PyTorch's `nn.Conv2d`:
//!
//! ```text
//! y[i, j] = b + Σ_ki Σ_kj w[ki, kj] · x̃[i·s + ki·d, j·s + kj·d]
//! x̃ = x with p rows and columns of zeros on every side
//! out = floor((in + 2p − d(k − 1) − 1) / s) + 1
//! ```
//!
//! One step computes one output position: the receptive field is marked on
//! the padded picture, the k·k products are written out with their
//! numbers, summed and added to the bias, and the value takes its place in
//! the output. The written-out sum is the lab's own; `nn::conv2d::forward`
//! (im2col and a matrix product) gives the same map.

use super::{DIGITS, digit, kernel_view, num, output_view, pass_status, value_range};
use crate::model::view::{MarkTone, PixelMarks, Pixels, Table};
use crate::model::{
    Model, ModelError, ModelSpec, ParamKind, ParamRole, ParamSpec, ParamValue, Params, Status,
    View, ViewContent,
};
use crate::nn::{conv2d, init};
use crate::text::Bilingual;
use ndarray::Array2;
use rand::SeedableRng;
use rand::rngs::StdRng;

/// The kernels a person can slide.
pub const KERNELS: &[&str] = &["edge", "blur", "sharpen", "random"];

fn params() -> Vec<ParamSpec> {
    let int = |name, en, zh, min, max, default| {
        ParamSpec::new(
            name,
            en,
            zh,
            ParamKind::Int { min, max },
            ParamValue::Int(default),
        )
    };
    vec![
        int(
            "digit",
            "which built-in 8x8 digit is the picture",
            "用哪一张内置的 8x8 数字图片",
            0,
            DIGITS - 1,
            0,
        )
        .with_role(ParamRole::InputSource),
        ParamSpec::new(
            "kernel",
            "edge: −1 to +1 across (a vertical edge detector); blur: all 1/k²; sharpen: 2 at the centre minus blur; random: PyTorch's default init",
            "edge：从左到右 −1 到 +1（竖直边缘检测）；blur：全为 1/k²；sharpen：中心 2 减去 blur；random：PyTorch 默认初始化",
            ParamKind::Choice(KERNELS),
            ParamValue::Choice("edge"),
        ),
        int(
            "k",
            "kernel size k (k x k)",
            "卷积核大小 k（k x k）",
            1,
            5,
            3,
        ),
        int(
            "stride",
            "stride s: how far the kernel moves between outputs",
            "步幅 s：每个输出之间卷积核移动的距离",
            1,
            4,
            1,
        ),
        int(
            "padding",
            "padding p: rows and columns of zeros added on every side",
            "填充 p：四边各补的零行零列数",
            0,
            3,
            0,
        ),
        int(
            "dilation",
            "dilation d: the spacing between the kernel's taps",
            "膨胀 d：卷积核各抽头之间的间距",
            1,
            3,
            1,
        ),
        ParamSpec::new(
            "bias",
            "the bias b added to every output",
            "加到每个输出上的偏置 b",
            ParamKind::Float {
                min: -2.0,
                max: 2.0,
            },
            ParamValue::Float(0.0),
        ),
    ]
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "conv_cell",
    name: Bilingual::new("Convolutional cell", "卷积单元"),
    params,
    build: |params, seed| Ok(Box::new(ConvCell::new(params, seed)?)),
    params_from_weights: None,
};

/// The k x k kernel of a named kind; `random` draws PyTorch's default
/// initialisation, U(−1/k, 1/k) (fan-in k²), from `rng`.
pub fn kernel(kind: &str, k: usize, rng: &mut StdRng) -> Array2<f32> {
    let centre = k / 2;
    match kind {
        "blur" => Array2::from_elem((k, k), 1.0 / (k * k) as f32),
        "sharpen" => Array2::from_shape_fn((k, k), |(i, j)| {
            let delta = if (i, j) == (centre, centre) { 2.0 } else { 0.0 };
            delta - 1.0 / (k * k) as f32
        }),
        "random" => init::uniform((k, k), init::default_bound(k * k), rng),
        _ if k == 1 => Array2::ones((1, 1)),
        _ => Array2::from_shape_fn((k, k), |(_, j)| {
            (2.0 * j as f32 - (k - 1) as f32) / (k - 1) as f32
        }),
    }
}

/// The geometry of a convolution along one axis, checked: the output
/// size, or an error saying that the dilated kernel does not fit in the
/// padded input (`what` names the layer in the message).
pub fn checked_output(
    input: usize,
    k: usize,
    s: usize,
    p: usize,
    d: usize,
) -> Result<usize, ModelError> {
    conv2d::output_size(input, k, s, p, d).ok_or_else(|| {
        let reach = d * (k.max(1) - 1) + 1;
        ModelError::Invalid(Bilingual::owned(
            format!(
                "kernel {k} with dilation {d} reaches {reach} pixels, more than the padded input's {input} + 2·{p} = {}: make k, d smaller or p larger",
                input + 2 * p
            ),
            format!(
                "卷积核 {k}、膨胀 {d} 覆盖 {reach} 个像素，超过了填充后输入的 {input} + 2·{p} = {}：请减小 k、d 或增大 p",
                input + 2 * p
            ),
        ))
    })
}

/// The size formula, then the same with the numbers put in (a line of
/// its own, so that a narrow screen still shows it whole).
pub fn size_lines(input: usize, k: usize, s: usize, p: usize, d: usize, out: usize) -> [String; 2] {
    [
        "out = floor((in + 2p − d(k−1) − 1)/s) + 1".to_string(),
        format!("    = floor(({input} + 2·{p} − {d}·({k}−1) − 1)/{s}) + 1 = {out}"),
    ]
}

/// A kernel slid over a digit, one output position per step.
#[derive(Clone)]
pub struct ConvCell {
    params: Params,
    seed: u64,
    /// The picture `[H, W]` in [0, 1].
    x: Array2<f32>,
    label: usize,
    /// The kernel `[k, k]`.
    w: Array2<f32>,
    b: f32,
    stride: usize,
    padding: usize,
    dilation: usize,
    /// The output `[out, out]`; positions not yet reached hold 0.
    y: Array2<f32>,
    /// Output positions computed in this pass.
    done: usize,
    /// Positions computed since the start.
    steps: u64,
}

impl ConvCell {
    pub fn new(params: &Params, seed: u64) -> Result<ConvCell, ModelError> {
        let (x, label) = digit(params.int("digit") as usize, 8)?;
        let k = params.int("k") as usize;
        let stride = params.int("stride") as usize;
        let padding = params.int("padding") as usize;
        let dilation = params.int("dilation") as usize;
        let out_h = checked_output(x.nrows(), k, stride, padding, dilation)?;
        let out_w = checked_output(x.ncols(), k, stride, padding, dilation)?;
        let mut rng = StdRng::seed_from_u64(seed);
        let w = kernel(params.choice("kernel"), k, &mut rng);
        Ok(ConvCell {
            params: params.clone(),
            seed,
            x,
            label,
            w,
            b: params.float("bias") as f32,
            stride,
            padding,
            dilation,
            y: Array2::zeros((out_h, out_w)),
            done: 0,
            steps: 0,
        })
    }

    /// The picture, `[H, W]`.
    pub fn input(&self) -> &Array2<f32> {
        &self.x
    }

    /// The kernel, `[k, k]`.
    pub fn kernel(&self) -> &Array2<f32> {
        &self.w
    }

    pub fn bias(&self) -> f32 {
        self.b
    }

    pub fn options(&self) -> conv2d::Conv2dOptions {
        conv2d::Conv2dOptions {
            stride: (self.stride, self.stride),
            padding: (self.padding, self.padding),
            dilation: (self.dilation, self.dilation),
        }
    }

    /// The output map as computed so far (all of it once at rest).
    pub fn output(&self) -> &Array2<f32> {
        &self.y
    }

    fn positions(&self) -> usize {
        self.y.len()
    }

    /// The picture with its zero padding, `[H + 2p, W + 2p]`.
    fn padded(&self) -> Array2<f32> {
        let p = self.padding;
        let (h, w) = self.x.dim();
        let mut out = Array2::zeros((h + 2 * p, w + 2 * p));
        out.slice_mut(ndarray::s![p..p + h, p..p + w])
            .assign(&self.x);
        out
    }

    /// Where output (i, j)'s kernel tap (ki, kj) reads, in the padded picture.
    fn tap(&self, (i, j): (usize, usize), (ki, kj): (usize, usize)) -> (usize, usize) {
        (
            i * self.stride + ki * self.dilation,
            j * self.stride + kj * self.dilation,
        )
    }

    /// Output (i, j): the bias plus each tap's product, in the kernel's
    /// row-major order.
    fn compute(&self, at: (usize, usize)) -> f32 {
        let x = self.padded();
        let mut sum = 0.0f32;
        for ((ki, kj), &w) in self.w.indexed_iter() {
            sum += w * x[self.tap(at, (ki, kj))];
        }
        sum + self.b
    }

    /// The position of output number `n` (row-major).
    fn position(&self, n: usize) -> (usize, usize) {
        (n / self.y.ncols(), n % self.y.ncols())
    }

    /// The position the window is on: the one just computed, or the first
    /// before any.
    fn current(&self) -> Option<(usize, usize)> {
        (self.done > 0).then(|| self.position(self.done - 1))
    }

    fn equations(&self) -> View {
        let (k, s, p, d) = (self.w.nrows(), self.stride, self.padding, self.dilation);
        let mut lines = vec![
            "y[i, j] = b + Σ_ki Σ_kj w[ki, kj] · x̃[i·s + ki·d, j·s + kj·d]".to_string(),
            format!("k = {k}, s = {s}, p = {p}, d = {d}, b = {}", num(self.b)),
        ];
        lines.extend(size_lines(self.x.nrows(), k, s, p, d, self.y.nrows()));
        View::new(
            "equations",
            Bilingual::new(
                "the convolution and its output size (x̃: the padded picture)",
                "卷积及其输出大小（x̃：填充后的图片）",
            ),
            ViewContent::equations(lines, self.current().map(|_| 0)),
        )
    }

    fn input_view(&self) -> View {
        let x = self.padded();
        let (ph, pw) = x.dim();
        let field = self.current().map_or_else(Vec::new, |at| {
            self.w
                .indexed_iter()
                .map(|((ki, kj), _)| {
                    let (r, c) = self.tap(at, (ki, kj));
                    r * pw + c
                })
                .collect()
        });
        let (label_en, label_zh) = match self.current() {
            Some((i, j)) => (
                format!("the receptive field of y[{i}, {j}]"),
                format!("y[{i}, {j}] 的感受野"),
            ),
            None => (
                "the receptive field (after the first step)".to_string(),
                "感受野（第一步之后）".to_string(),
            ),
        };
        View::new(
            "x",
            Bilingual::owned(
                format!(
                    "digit {} (label {}), {}x{} padded by {} to {ph}x{pw}",
                    self.params.int("digit"),
                    self.label,
                    self.x.nrows(),
                    self.x.ncols(),
                    self.padding
                ),
                format!(
                    "第 {} 张数字（标签 {}），{}x{} 四边填充 {} 成 {ph}x{pw}",
                    self.params.int("digit"),
                    self.label,
                    self.x.nrows(),
                    self.x.ncols(),
                    self.padding
                ),
            ),
            ViewContent::Pixels(Pixels {
                width: pw,
                height: ph,
                values: x.iter().copied().collect(),
                range: (0.0, 1.0),
                marks: vec![PixelMarks {
                    label: Bilingual::owned(label_en, label_zh),
                    tone: MarkTone::Focus,
                    pixels: field,
                }],
            }),
        )
    }

    /// The products of the current position written out, a line per
    /// kernel row, then their sum, the bias and the output.
    fn product_view(&self) -> View {
        let Some(at) = self.current() else {
            return View::new(
                "product",
                Bilingual::new("the products x·w", "乘积 x·w"),
                ViewContent::steps(
                    vec![Bilingual::new(
                        "step (n) to put the kernel on the first position and multiply",
                        "按 n 把卷积核放到第一个位置并相乘",
                    )],
                    None,
                ),
            );
        };
        let x = self.padded();
        let mut lines = Vec::new();
        let mut total = 0.0f32;
        for (ki, row) in self.w.rows().into_iter().enumerate() {
            let mut terms = Vec::new();
            let mut sum = 0.0f32;
            for (kj, &w) in row.iter().enumerate() {
                let v = x[self.tap(at, (ki, kj))];
                terms.push(format!("{}·{}", num(v), num(w)));
                sum += w * v;
            }
            total += sum;
            lines.push(Bilingual::same(format!(
                "{} = {}",
                terms.join(" + "),
                num(sum)
            )));
        }
        let (i, j) = at;
        let y = self.y[at];
        lines.push(Bilingual::same(format!(
            "Σ = {} ({} terms), + b {} = y[{i}, {j}] = {}",
            num(total),
            self.w.len(),
            num(self.b),
            num(y)
        )));
        let current = lines.len() - 1;
        View::new(
            "product",
            Bilingual::owned(
                format!("y[{i}, {j}]: the pixels under the kernel times its weights, x·w"),
                format!("y[{i}, {j}]：卷积核下的像素乘以权重，x·w"),
            ),
            ViewContent::steps(lines, Some(current)),
        )
    }

    fn output_views(&self) -> Vec<View> {
        let (oh, ow) = self.y.dim();
        let pixels = output_view(&self.y, self.done, value_range(&self.y), self.current());
        let mut header = vec!["y".to_string()];
        header.extend((0..ow).map(|j| j.to_string()));
        let table = View::new(
            "y_values",
            Bilingual::new(
                "the output's values (· not yet computed)",
                "输出的数值（· 尚未计算）",
            ),
            ViewContent::Table(Table::same(
                header,
                (0..oh)
                    .map(|i| {
                        let mut row = vec![i.to_string()];
                        row.extend((0..ow).map(|j| {
                            if i * ow + j < self.done {
                                num(self.y[[i, j]])
                            } else {
                                "·".into()
                            }
                        }));
                        row
                    })
                    .collect(),
                self.current().map(|(i, _)| i),
            )),
        )
        .untraced();
        vec![pixels, table]
    }
}

impl Model for ConvCell {
    fn snapshot(&self) -> Box<dyn Model> {
        Box::new(self.clone())
    }

    fn params(&self) -> &Params {
        &self.params
    }

    fn seed(&self) -> u64 {
        self.seed
    }

    fn reset(&mut self, seed: u64) {
        if let Ok(fresh) = ConvCell::new(&self.params, seed) {
            *self = fresh;
        }
    }

    fn stage_label(&self, _index: usize) -> Bilingual {
        let (i, j) = self.position(self.done % self.positions());
        Bilingual::owned(
            format!("output position ({i}, {j})"),
            format!("输出位置 ({i}, {j})"),
        )
    }

    fn steps_done(&self) -> u64 {
        self.steps
    }

    /// Computes the next output position; after the last, the next step
    /// starts the map over.
    fn stage(&mut self) {
        if self.done == self.positions() {
            self.done = 0;
            self.y.fill(0.0);
        }
        let at = self.position(self.done);
        self.y[at] = self.compute(at);
        self.done += 1;
        self.steps += 1;
    }

    fn views(&self) -> Vec<View> {
        let mut out = vec![self.equations(), self.input_view(), self.product_view()];
        out.extend(self.output_views());
        out.push(kernel_view(&self.w, self.params.choice("kernel")));
        out
    }

    fn status(&self) -> Option<Status> {
        pass_status(
            self.done,
            self.positions(),
            Bilingual::new("position", "位置"),
            Bilingual::owned(
                format!(
                    "done: {} positions, a {}x{} map; the next step starts over",
                    self.positions(),
                    self.y.nrows(),
                    self.y.ncols()
                ),
                format!(
                    "完成：{} 个位置，得到 {}x{} 的特征图；下一步重新开始",
                    self.positions(),
                    self.y.nrows(),
                    self.y.ncols()
                ),
            ),
        )
    }

    fn at_rest(&self) -> bool {
        self.done == self.positions()
    }
}
