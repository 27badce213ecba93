//! The deconvolutional cell: a transposed convolution, seen as a scatter.
//! Each input pixel stamps a copy of the kernel, scaled by its value, onto
//! the output, `stride` pixels from its neighbour's stamp; where stamps
//! overlap they add up.
//!
//! Zeiler, Krishnan, Taylor and Fergus, "Deconvolutional networks", CVPR
//! 2010; the arithmetic as in Dumoulin and Visin, "A guide to convolution
//! arithmetic for deep learning", 2016, §4, and PyTorch's
//! `nn.ConvTranspose2d`:
//!
//! ```text
//! y = b everywhere, then for every input pixel (i, j) and tap (ki, kj):
//! y[i·s − p + ki·d, j·s − p + kj·d] += x[i, j] · w[ki, kj]
//! out = (in − 1)s − 2p + d(k − 1) + output_padding + 1
//! ```
//!
//! Taps that land in the p rows and columns cut from each side are lost;
//! output_padding adds rows and columns at the bottom and right, where only
//! the bias lands unless a stamp reaches them. One step stamps one input
//! pixel. The scatter is the lab's own; `nn::conv_transpose2d::forward`
//! (a matrix product and col2im) gives the same output.

use super::{DIGITS, digit, kernel_view, num, pass_status, value_range};
use crate::data;
use crate::model::view::{MarkTone, PixelMarks, Pixels, Table};
use crate::model::{
    Model, ModelError, ModelSpec, ParamKind, ParamRole, ParamSpec, ParamValue, Params, Status,
    View, ViewContent,
};
use crate::nn::conv_transpose2d::{self, ConvTranspose2dOptions};
use crate::nn::init;
use crate::text::Bilingual;
use ndarray::Array2;
use rand::SeedableRng;
use rand::rngs::StdRng;

/// The kernels a person can stamp.
pub const KERNELS: &[&str] = &["tent", "ones", "random"];

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
            "which built-in digit is shrunk into the input",
            "把哪一张内置数字缩小成输入",
            0,
            DIGITS - 1,
            0,
        )
        .with_role(ParamRole::InputSource),
        int(
            "size",
            "the input's side: the digit resized to size x size",
            "输入的边长：数字缩放成 size x size",
            2,
            8,
            4,
        ),
        ParamSpec::new(
            "kernel",
            "tent: 1 at the centre falling to the edges (upsampling that blends neighbours); ones: all 1; random: PyTorch's default init",
            "tent：中心为 1、向边缘递减（融合相邻像素的上采样）；ones：全为 1；random：PyTorch 默认初始化",
            ParamKind::Choice(KERNELS),
            ParamValue::Choice("tent"),
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
            "stride s: how far apart neighbouring stamps land",
            "步幅 s：相邻印记之间的距离",
            1,
            4,
            2,
        ),
        int(
            "padding",
            "padding p: rows and columns cut from each side",
            "填充 p：从四边裁掉的行列数",
            0,
            3,
            0,
        ),
        int(
            "output_padding",
            "rows and columns added at the bottom and right (less than the stride or the dilation)",
            "在下边和右边加的行列数（小于步幅或膨胀）",
            0,
            3,
            0,
        ),
        int(
            "dilation",
            "dilation d: the spacing of the kernel's taps on the output",
            "膨胀 d：卷积核抽头在输出上的间距",
            1,
            3,
            1,
        ),
        ParamSpec::new(
            "bias",
            "the bias b every output starts from",
            "每个输出的初值，偏置 b",
            ParamKind::Float {
                min: -2.0,
                max: 2.0,
            },
            ParamValue::Float(0.0),
        ),
    ]
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "deconv_cell",
    name: Bilingual::new("Deconvolutional cell", "解卷积单元"),
    params,
    build: |params, seed| Ok(Box::new(DeconvCell::new(params, seed)?)),
    params_from_weights: None,
};

/// The k x k kernel of a named kind; `random` draws PyTorch's default
/// initialisation for a one-channel `ConvTranspose2d`, U(−1/k, 1/k).
fn kernel(kind: &str, k: usize, rng: &mut StdRng) -> Array2<f32> {
    match kind {
        "ones" => Array2::ones((k, k)),
        "random" => init::uniform((k, k), init::default_bound(k * k), rng),
        _ => {
            // 1 − |t − c| / (c + 1) along each axis, c the centre.
            let c = (k as f32 - 1.0) / 2.0;
            let tent = |t: usize| 1.0 - (t as f32 - c).abs() / (c + 1.0);
            Array2::from_shape_fn((k, k), |(i, j)| tent(i) * tent(j))
        }
    }
}

/// The size formula, then the same with the numbers put in (a line of
/// its own, so that a narrow screen still shows it whole).
pub fn size_lines(input: usize, k: usize, o: ConvTranspose2dOptions, out: usize) -> [String; 2] {
    let (s, p, op, d) = (o.stride.0, o.padding.0, o.output_padding.0, o.dilation.0);
    [
        "out = (in−1)s − 2p + d(k−1) + output_padding + 1".to_string(),
        format!("    = ({input}−1)·{s} − 2·{p} + {d}·({k}−1) + {op} + 1 = {out}"),
    ]
}

/// Checks a transposed convolution's settings as PyTorch does: the output
/// padding below the stride or the dilation, and something left after the
/// padding is cut. Gives the output side.
pub fn checked_output(
    input: usize,
    k: usize,
    o: ConvTranspose2dOptions,
) -> Result<usize, ModelError> {
    let (s, p, op, d) = (o.stride.0, o.padding.0, o.output_padding.0, o.dilation.0);
    if op >= s && op >= d {
        return Err(ModelError::Invalid(Bilingual::owned(
            format!("output_padding {op} must be smaller than the stride {s} or the dilation {d}"),
            format!("output_padding {op} 必须小于步幅 {s} 或膨胀 {d}"),
        )));
    }
    conv_transpose2d::output_size(input, k, s, p, op, d).ok_or_else(|| {
        let full = (input.max(1) - 1) * s + d * (k.max(1) - 1) + op + 1;
        ModelError::Invalid(Bilingual::owned(
            format!(
                "padding {p} cuts 2·{p} = {} from an output of {full}: nothing is left; make p smaller",
                2 * p
            ),
            format!(
                "填充 {p} 从 {full} 的输出上裁掉 2·{p} = {}：什么也不剩；请减小 p",
                2 * p
            ),
        ))
    })
}

/// A transposed convolution stamped pixel by pixel.
#[derive(Clone)]
pub struct DeconvCell {
    params: Params,
    seed: u64,
    /// The input `[H, W]`.
    x: Array2<f32>,
    label: usize,
    w: Array2<f32>,
    b: f32,
    options: ConvTranspose2dOptions,
    /// The output `[out, out]`: the bias plus the stamps so far.
    y: Array2<f32>,
    /// Input pixels stamped in this pass.
    done: usize,
    steps: u64,
}

impl DeconvCell {
    pub fn new(params: &Params, seed: u64) -> Result<DeconvCell, ModelError> {
        let (picture, label) = digit(params.int("digit") as usize, 8)?;
        let size = params.int("size") as usize;
        let x = if size == 8 {
            picture
        } else {
            data::resize_bilinear(picture.view(), size, size)
        };
        let k = params.int("k") as usize;
        let pair = |name| {
            let v = params.int(name) as usize;
            (v, v)
        };
        let options = ConvTranspose2dOptions {
            stride: pair("stride"),
            padding: pair("padding"),
            output_padding: pair("output_padding"),
            dilation: pair("dilation"),
        };
        let out = checked_output(size, k, options)?;
        let mut rng = StdRng::seed_from_u64(seed);
        let w = kernel(params.choice("kernel"), k, &mut rng);
        let b = params.float("bias") as f32;
        Ok(DeconvCell {
            params: params.clone(),
            seed,
            x,
            label,
            w,
            b,
            options,
            y: Array2::from_elem((out, out), b),
            done: 0,
            steps: 0,
        })
    }

    pub fn input(&self) -> &Array2<f32> {
        &self.x
    }

    pub fn kernel(&self) -> &Array2<f32> {
        &self.w
    }

    pub fn bias(&self) -> f32 {
        self.b
    }

    pub fn options(&self) -> ConvTranspose2dOptions {
        self.options
    }

    /// The output as stamped so far (all of it once at rest).
    pub fn output(&self) -> &Array2<f32> {
        &self.y
    }

    fn pixels(&self) -> usize {
        self.x.len()
    }

    fn position(&self, n: usize) -> (usize, usize) {
        (n / self.x.ncols(), n % self.x.ncols())
    }

    fn current(&self) -> Option<(usize, usize)> {
        (self.done > 0).then(|| self.position(self.done - 1))
    }

    /// Where input (i, j)'s tap (ki, kj) lands on the output, if inside it
    /// (not in the padding cut away).
    fn lands(&self, (i, j): (usize, usize), (ki, kj): (usize, usize)) -> Option<(usize, usize)> {
        let (s, p, d) = (
            self.options.stride.0,
            self.options.padding.0,
            self.options.dilation.0,
        );
        let r = (i * s + ki * d).checked_sub(p)?;
        let c = (j * s + kj * d).checked_sub(p)?;
        (r < self.y.nrows() && c < self.y.ncols()).then_some((r, c))
    }

    /// Stamps input pixel (i, j): adds x[i, j]·w onto the output.
    fn stamp(&mut self, at: (usize, usize)) {
        let v = self.x[at];
        for ((ki, kj), &w) in self.w.indexed_iter() {
            if let Some(to) = self.lands(at, (ki, kj)) {
                self.y[to] += v * w;
            }
        }
    }

    fn equations(&self) -> View {
        let k = self.w.nrows();
        let o = self.options;
        let mut lines = vec![
            "y[i·s − p + ki·d, j·s − p + kj·d] += x[i, j] · w[ki, kj]   (y starts as b)"
                .to_string(),
            format!(
                "k = {k}, s = {}, p = {}, output_padding = {}, d = {}, b = {}",
                o.stride.0,
                o.padding.0,
                o.output_padding.0,
                o.dilation.0,
                num(self.b)
            ),
        ];
        lines.extend(size_lines(self.x.nrows(), k, o, self.y.nrows()));
        View::new(
            "equations",
            Bilingual::new(
                "the transposed convolution as a scatter, and its output size",
                "转置卷积（散布）及其输出大小",
            ),
            ViewContent::equations(lines, self.current().map(|_| 0)),
        )
    }

    fn input_view(&self) -> View {
        let (h, w) = self.x.dim();
        let current = self.current().map(|(i, j)| i * w + j);
        View::new(
            "x",
            Bilingual::owned(
                format!(
                    "the input x: digit {} (label {}) resized to {h}x{w}",
                    self.params.int("digit"),
                    self.label
                ),
                format!(
                    "输入 x：第 {} 张数字（标签 {}）缩放成 {h}x{w}",
                    self.params.int("digit"),
                    self.label
                ),
            ),
            ViewContent::Pixels(Pixels {
                width: w,
                height: h,
                values: self.x.iter().copied().collect(),
                range: (0.0, 1.0),
                marks: vec![PixelMarks {
                    label: Bilingual::new("the pixel stamping now", "正在盖印的像素"),
                    tone: MarkTone::Focus,
                    pixels: current.into_iter().collect(),
                }],
            }),
        )
    }

    fn stamp_view(&self) -> View {
        let Some(at) = self.current() else {
            return View::new(
                "stamp",
                Bilingual::new("the stamp x[i, j]·w", "印记 x[i, j]·w"),
                ViewContent::steps(
                    vec![Bilingual::new(
                        "step (n) to stamp the first input pixel's scaled kernel onto y",
                        "按 n 把第一个输入像素缩放后的卷积核盖到 y 上",
                    )],
                    None,
                ),
            );
        };
        let v = self.x[at];
        let mut lines = Vec::new();
        for (ki, row) in self.w.rows().into_iter().enumerate() {
            let terms: Vec<String> = row
                .iter()
                .enumerate()
                .map(|(kj, &w)| match self.lands(at, (ki, kj)) {
                    Some((r, c)) => format!("y[{r},{c}] += {}·{} = {}", num(v), num(w), num(v * w)),
                    None => format!("({}·{} cut)", num(v), num(w)),
                })
                .collect();
            lines.push(Bilingual::same(terms.join("  ")));
        }
        let (i, j) = at;
        View::new(
            "stamp",
            Bilingual::owned(
                format!("x[{i}, {j}] = {} stamps its scaled kernel onto y", num(v)),
                format!("x[{i}, {j}] = {} 把缩放后的卷积核盖到 y 上", num(v)),
            ),
            ViewContent::steps(lines, None),
        )
    }

    fn output_views(&self) -> Vec<View> {
        let (oh, ow) = self.y.dim();
        let stamped: Vec<usize> = self.current().map_or_else(Vec::new, |at| {
            self.w
                .indexed_iter()
                .filter_map(|(tap, _)| self.lands(at, tap))
                .map(|(r, c)| r * ow + c)
                .collect()
        });
        let pixels = View::new(
            "y",
            Bilingual::owned(
                format!(
                    "the output y, {oh}x{ow}: {} of {} pixels stamped",
                    self.done,
                    self.pixels()
                ),
                format!(
                    "输出 y，{oh}x{ow}：已盖印 {} 个像素，共 {} 个",
                    self.done,
                    self.pixels()
                ),
            ),
            ViewContent::Pixels(Pixels {
                width: ow,
                height: oh,
                values: self.y.iter().copied().collect(),
                range: value_range(&self.y),
                marks: vec![PixelMarks {
                    label: Bilingual::new("the area just stamped", "刚盖印的区域"),
                    tone: MarkTone::Focus,
                    pixels: stamped,
                }],
            }),
        );
        let mut header = vec!["y".to_string()];
        header.extend((0..ow).map(|j| j.to_string()));
        let table = View::new(
            "y_values",
            Bilingual::new("the output's values so far", "到目前为止输出的数值"),
            ViewContent::Table(Table::same(
                header,
                self.y
                    .rows()
                    .into_iter()
                    .enumerate()
                    .map(|(i, row)| {
                        let mut cells = vec![i.to_string()];
                        cells.extend(row.iter().map(|&v| num(v)));
                        cells
                    })
                    .collect(),
                None,
            )),
        )
        .untraced();
        let kernel = kernel_view(&self.w, self.params.choice("kernel"));
        vec![pixels, table, kernel]
    }
}

impl Model for DeconvCell {
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
        if let Ok(fresh) = DeconvCell::new(&self.params, seed) {
            *self = fresh;
        }
    }

    fn stage_label(&self, _index: usize) -> Bilingual {
        let (i, j) = self.position(self.done % self.pixels());
        Bilingual::owned(
            format!("stamp input pixel ({i}, {j})"),
            format!("盖印输入像素 ({i}, {j})"),
        )
    }

    fn steps_done(&self) -> u64 {
        self.steps
    }

    /// Stamps the next input pixel; after the last, the next step starts
    /// over from the bias.
    fn stage(&mut self) {
        if self.done == self.pixels() {
            self.done = 0;
            self.y.fill(self.b);
        }
        let at = self.position(self.done);
        self.stamp(at);
        self.done += 1;
        self.steps += 1;
    }

    fn views(&self) -> Vec<View> {
        let mut out = vec![self.equations(), self.input_view(), self.stamp_view()];
        out.extend(self.output_views());
        out
    }

    fn status(&self) -> Option<Status> {
        pass_status(
            self.done,
            self.pixels(),
            Bilingual::new("input pixel", "输入像素"),
            Bilingual::owned(
                format!(
                    "done: {} stamps, a {}x{} output; the next step starts over",
                    self.pixels(),
                    self.y.nrows(),
                    self.y.ncols()
                ),
                format!(
                    "完成：{} 次盖印，得到 {}x{} 的输出；下一步重新开始",
                    self.pixels(),
                    self.y.nrows(),
                    self.y.ncols()
                ),
            ),
        )
    }

    fn at_rest(&self) -> bool {
        self.done == self.pixels()
    }
}
