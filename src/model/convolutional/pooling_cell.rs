//! The pooling and interpolating cells: a picture made smaller by keeping
//! each window's largest value or its mean, or made larger by copying the
//! nearest pixel or blending the four around.
//!
//! Max pooling as in Ranzato, Huang, Boureau and LeCun, "Unsupervised
//! learning of invariant feature hierarchies with applications to object
//! recognition", CVPR 2007; average pooling as LeCun et al.'s subsampling
//! layers ("Gradient-based learning applied to document recognition",
//! 1998); upsampling as PyTorch's `nn.Upsample` with `align_corners=False`:
//!
//! ```text
//! max:      y[i, j] = max over the window x̃[i·s .. i·s + k, j·s .. j·s + k]
//! avg:      y[i, j] = Σ window / k²            (padding counts as 0)
//! out = floor((in + 2p − k)/s) + 1
//! nearest:  y[i, j] = x[floor(i/f), floor(j/f)]
//! bilinear: y[i, j] = Σ (1−λ or λ)(1−μ or μ) x[4 neighbours],
//!           source = max((o + 0.5)/f − 0.5, 0) along each axis
//! out = in · f
//! ```
//!
//! One step computes one output position, its window (or the pixels it
//! reads) marked on the input, the values written out; max pooling marks
//! each window's winner. The lab's own loops give the same numbers as
//! `nn::pool` and `nn::upsample`.

use super::{DIGITS, digit, num, output_view, pass_status};
use crate::data;
use crate::model::view::{MarkTone, PixelMarks, Pixels};
use crate::model::{
    Model, ModelError, ModelSpec, ParamKind, ParamRole, ParamSpec, ParamValue, Params, Status,
    View, ViewContent,
};
use crate::nn::pool;
use crate::text::Bilingual;
use ndarray::Array2;

pub const MODES: &[&str] = &["max", "avg", "nearest", "bilinear"];

/// The side of the picture the upsampling modes enlarge.
const SMALL: usize = 4;

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
        ParamSpec::new(
            "mode",
            "max or avg pooling (smaller), nearest or bilinear upsampling (larger)",
            "max 或 avg 池化（变小），nearest 或 bilinear 上采样（变大）",
            ParamKind::Choice(MODES),
            ParamValue::Choice("max"),
        ),
        int(
            "digit",
            "which built-in 8x8 digit is the picture",
            "用哪一张内置的 8x8 数字图片",
            0,
            DIGITS - 1,
            0,
        )
        .with_role(ParamRole::InputSource),
        int(
            "k",
            "pooling window k (k x k)",
            "池化窗口 k（k x k）",
            1,
            4,
            2,
        ),
        int("stride", "pooling stride s", "池化步幅 s", 1, 4, 2),
        int(
            "padding",
            "pooling padding p on every side (at most k/2)",
            "池化时四边的填充 p（至多 k/2）",
            0,
            2,
            0,
        ),
        int(
            "scale",
            "upsampling factor f (the 4x4 picture becomes 4f x 4f)",
            "上采样倍数 f（4x4 的图片变成 4f x 4f）",
            2,
            4,
            2,
        ),
    ]
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "pooling_cell",
    name: Bilingual::new("Pooling and interpolating cell", "池化与插值单元"),
    params,
    build: |params, seed| Ok(Box::new(PoolingCell::new(params, seed)?)),
    params_from_weights: None,
};

/// What an output position reads: input pixels (row, column) with the
/// weight each is read with (max: 1 for every pixel of the window).
type Reads = Vec<((usize, usize), f32)>;

/// Where upsampled position `o` reads along an axis of `len` pixels:
/// the lower and upper neighbours and the upper one's weight λ, as ATen
/// computes it in f32.
fn source(o: usize, len: usize, scale: usize) -> (usize, usize, f32) {
    let ratio = 1.0 / scale as f32;
    let src = (ratio * (o as f32 + 0.5) - 0.5).max(0.0);
    let lower = (src as usize).min(len - 1);
    let upper = (lower + 1).min(len - 1);
    (lower, upper, src - lower as f32)
}

/// A picture pooled or upsampled, one output position per step.
#[derive(Clone)]
pub struct PoolingCell {
    params: Params,
    seed: u64,
    mode: &'static str,
    x: Array2<f32>,
    label: usize,
    k: usize,
    stride: usize,
    padding: usize,
    scale: usize,
    y: Array2<f32>,
    /// For max pooling: each computed window's winner (input row, column).
    winners: Vec<(usize, usize)>,
    done: usize,
    steps: u64,
}

impl PoolingCell {
    pub fn new(params: &Params, seed: u64) -> Result<PoolingCell, ModelError> {
        let mode = params.choice("mode");
        let (picture, label) = digit(params.int("digit") as usize, 8)?;
        let (k, stride, padding, scale) = (
            params.int("k") as usize,
            params.int("stride") as usize,
            params.int("padding") as usize,
            params.int("scale") as usize,
        );
        let pooling = matches!(mode, "max" | "avg");
        let (x, out) = if pooling {
            if padding > k / 2 {
                return Err(ModelError::Invalid(Bilingual::owned(
                    format!(
                        "padding {padding} must be at most half the {k}x{k} window ({})",
                        k / 2
                    ),
                    format!("填充 {padding} 至多是 {k}x{k} 窗口的一半（{}）", k / 2),
                )));
            }
            let side = picture.nrows();
            let out = pool::output_size(side, k, stride, padding, false).ok_or_else(|| {
                ModelError::Invalid(Bilingual::owned(
                    format!("the {k}x{k} window is larger than the padded picture ({side} + 2·{padding})"),
                    format!("{k}x{k} 的窗口比填充后的图片（{side} + 2·{padding}）还大"),
                ))
            })?;
            (picture, out)
        } else {
            let small = data::resize_bilinear(picture.view(), SMALL, SMALL);
            (small, SMALL * scale)
        };
        Ok(PoolingCell {
            params: params.clone(),
            seed,
            mode,
            x,
            label,
            k,
            stride,
            padding,
            scale,
            y: Array2::zeros((out, out)),
            winners: Vec::new(),
            done: 0,
            steps: 0,
        })
    }

    pub fn mode(&self) -> &'static str {
        self.mode
    }

    pub fn input(&self) -> &Array2<f32> {
        &self.x
    }

    pub fn options(&self) -> pool::Pool2dOptions {
        pool::Pool2dOptions {
            kernel: (self.k, self.k),
            stride: (self.stride, self.stride),
            padding: (self.padding, self.padding),
            ceil_mode: false,
        }
    }

    pub fn scale(&self) -> usize {
        self.scale
    }

    pub fn output(&self) -> &Array2<f32> {
        &self.y
    }

    /// Each max-pooling window's winner as a flat index `row·W + col` of
    /// the input, as `nn::pool::max_pool2d` gives them.
    pub fn winners(&self) -> Vec<usize> {
        self.winners
            .iter()
            .map(|&(r, c)| r * self.x.ncols() + c)
            .collect()
    }

    fn pooling(&self) -> bool {
        matches!(self.mode, "max" | "avg")
    }

    fn positions(&self) -> usize {
        self.y.len()
    }

    fn position(&self, n: usize) -> (usize, usize) {
        (n / self.y.ncols(), n % self.y.ncols())
    }

    fn current(&self) -> Option<(usize, usize)> {
        (self.done > 0).then(|| self.position(self.done - 1))
    }

    /// The input rows (or columns) `lo..hi` of pooling window `i`, and how
    /// many of its k places fall on padding.
    fn window(&self, i: usize) -> (usize, usize) {
        let start = i * self.stride;
        let lo = start.saturating_sub(self.padding);
        let hi = (start + self.k)
            .saturating_sub(self.padding)
            .min(self.x.nrows());
        (lo, hi.max(lo))
    }

    /// The input pixels output (i, j) reads and their weights.
    fn reads(&self, (i, j): (usize, usize)) -> Reads {
        match self.mode {
            "max" | "avg" => {
                let ((top, bottom), (left, right)) = (self.window(i), self.window(j));
                let w = if self.mode == "avg" {
                    1.0 / (self.k * self.k) as f32
                } else {
                    1.0
                };
                (top..bottom)
                    .flat_map(|r| (left..right).map(move |c| ((r, c), w)))
                    .collect()
            }
            "nearest" => vec![((i / self.scale, j / self.scale), 1.0)],
            _ => {
                let n = self.x.nrows();
                let (r0, r1, lr) = source(i, n, self.scale);
                let (c0, c1, lc) = source(j, n, self.scale);
                vec![
                    ((r0, c0), (1.0 - lr) * (1.0 - lc)),
                    ((r0, c1), (1.0 - lr) * lc),
                    ((r1, c0), lr * (1.0 - lc)),
                    ((r1, c1), lr * lc),
                ]
            }
        }
    }

    /// Output `at` and, for max pooling, its winner.
    fn compute(&self, at: (usize, usize)) -> (f32, Option<(usize, usize)>) {
        let reads = self.reads(at);
        match self.mode {
            "max" => {
                // The first of equal values wins, as in PyTorch.
                let mut best: Option<((usize, usize), f32)> = None;
                for &(p, _) in &reads {
                    let v = self.x[p];
                    if best.is_none_or(|(_, b)| v > b) {
                        best = Some((p, v));
                    }
                }
                best.map_or((0.0, None), |(p, v)| (v, Some(p)))
            }
            "bilinear" => {
                // ATen's order: the two rows' blends, each weighted.
                let v = |n: usize| self.x[reads[n].0];
                let n = self.x.nrows();
                let (_, _, lr) = source(at.0, n, self.scale);
                let (_, _, lc) = source(at.1, n, self.scale);
                let y = (1.0 - lr) * ((1.0 - lc) * v(0) + lc * v(1))
                    + lr * ((1.0 - lc) * v(2) + lc * v(3));
                (y, None)
            }
            "avg" => {
                let sum: f32 = reads.iter().map(|&(p, _)| self.x[p]).sum();
                (sum / (self.k * self.k) as f32, None)
            }
            _ => (self.x[reads[0].0], None),
        }
    }

    fn equations(&self) -> View {
        let n = self.x.nrows();
        let out = self.y.nrows();
        let lines = match self.mode {
            "max" | "avg" => vec![
                if self.mode == "max" {
                    "y[i, j] = max of x̃ over rows i·s .. i·s+k−1, columns j·s .. j·s+k−1 (padding never wins)".to_string()
                } else {
                    "y[i, j] = (Σ of x̃ over the k x k window) / k²  (padding counts as 0)"
                        .to_string()
                },
                format!("k = {}, s = {}, p = {}", self.k, self.stride, self.padding),
                "out = floor((in + 2p − k)/s) + 1".to_string(),
                format!(
                    "    = floor(({n} + 2·{} − {})/{}) + 1 = {out}",
                    self.padding, self.k, self.stride
                ),
            ],
            "nearest" => vec![
                "y[i, j] = x[floor(i/f), floor(j/f)]".to_string(),
                format!("out = in · f = {n} · {} = {out}", self.scale),
            ],
            _ => vec![
                "src(o) = max((o + 0.5)/f − 0.5, 0), i0 = floor(src), λ = src − i0".to_string(),
                "y[i, j] = (1−λ)((1−μ) x[i0, j0] + μ x[i0, j1]) + λ((1−μ) x[i1, j0] + μ x[i1, j1])"
                    .to_string(),
                format!("out = in · f = {n} · {} = {out}", self.scale),
            ],
        };
        View::new(
            "equations",
            Bilingual::owned(
                format!("{} and its output size", self.mode_name().en),
                format!("{}及其输出大小", self.mode_name().zh),
            ),
            ViewContent::equations(lines, None),
        )
    }

    fn mode_name(&self) -> Bilingual {
        match self.mode {
            "max" => Bilingual::new("max pooling", "最大池化"),
            "avg" => Bilingual::new("average pooling", "平均池化"),
            "nearest" => Bilingual::new("nearest upsampling", "最近邻上采样"),
            _ => Bilingual::new("bilinear upsampling", "双线性上采样"),
        }
    }

    fn input_view(&self) -> View {
        let w = self.x.ncols();
        let flat = |(r, c): (usize, usize)| r * w + c;
        let read: Vec<usize> = self.current().map_or_else(Vec::new, |at| {
            self.reads(at).iter().map(|&(p, _)| flat(p)).collect()
        });
        let mut marks = vec![PixelMarks {
            label: if self.pooling() {
                Bilingual::new(
                    "the window of the output just computed",
                    "刚算出的输出的窗口",
                )
            } else {
                Bilingual::new(
                    "the pixels the output just computed reads",
                    "刚算出的输出读取的像素",
                )
            },
            tone: MarkTone::Focus,
            pixels: read,
        }];
        if self.mode == "max" {
            marks.push(PixelMarks {
                label: Bilingual::new(
                    "each window's winner (its largest value)",
                    "每个窗口的胜者（最大值）",
                ),
                tone: MarkTone::Alert,
                pixels: self.winners.iter().map(|&p| flat(p)).collect(),
            });
        }
        let (label_en, label_zh) = if self.pooling() {
            (
                format!(
                    "digit {} (label {}), 8x8",
                    self.params.int("digit"),
                    self.label
                ),
                format!(
                    "第 {} 张数字（标签 {}），8x8",
                    self.params.int("digit"),
                    self.label
                ),
            )
        } else {
            (
                format!(
                    "digit {} (label {}) resized to {SMALL}x{SMALL}",
                    self.params.int("digit"),
                    self.label
                ),
                format!(
                    "第 {} 张数字（标签 {}）缩放成 {SMALL}x{SMALL}",
                    self.params.int("digit"),
                    self.label
                ),
            )
        };
        View::new(
            "x",
            Bilingual::owned(label_en, label_zh),
            ViewContent::Pixels(Pixels {
                width: w,
                height: self.x.nrows(),
                values: self.x.iter().copied().collect(),
                range: (0.0, 1.0),
                marks,
            }),
        )
    }

    fn working_view(&self) -> View {
        let Some(at) = self.current() else {
            return View::new(
                "work",
                Bilingual::new("the values read", "读取的数值"),
                ViewContent::steps(
                    vec![Bilingual::new(
                        "step (n) to compute the first output position",
                        "按 n 计算第一个输出位置",
                    )],
                    None,
                ),
            );
        };
        let reads = self.reads(at);
        let (i, j) = at;
        let y = self.y[at];
        let values: Vec<String> = reads.iter().map(|&(p, _)| num(self.x[p])).collect();
        let line = match self.mode {
            "max" => {
                let (r, c) = self.winners.last().copied().unwrap_or_default();
                Bilingual::owned(
                    format!(
                        "y[{i}, {j}] = max({}) = {} at x[{r}, {c}]",
                        values.join(", "),
                        num(y)
                    ),
                    format!(
                        "y[{i}, {j}] = max({}) = {}，在 x[{r}, {c}]",
                        values.join(", "),
                        num(y)
                    ),
                )
            }
            "avg" => Bilingual::same(format!(
                "y[{i}, {j}] = ({}) / {} = {}",
                values.join(" + "),
                self.k * self.k,
                num(y)
            )),
            "nearest" => {
                let (r, c) = reads[0].0;
                Bilingual::same(format!(
                    "y[{i}, {j}] = x[{i}/{f}, {j}/{f}] = x[{r}, {c}] = {}",
                    num(y),
                    f = self.scale
                ))
            }
            _ => {
                let terms: Vec<String> = reads
                    .iter()
                    .map(|&((r, c), w)| format!("{}·x[{r},{c}]", num(w)))
                    .collect();
                let numbers: Vec<String> = reads
                    .iter()
                    .map(|&(p, w)| format!("{}·{}", num(w), num(self.x[p])))
                    .collect();
                return View::new(
                    "work",
                    Bilingual::owned(
                        format!("y[{i}, {j}]: the four neighbours, weighted"),
                        format!("y[{i}, {j}]：四个相邻像素的加权和"),
                    ),
                    ViewContent::steps(
                        vec![
                            Bilingual::same(format!("y[{i}, {j}] = {}", terms.join(" + "))),
                            Bilingual::same(format!("= {} = {}", numbers.join(" + "), num(y))),
                        ],
                        Some(1),
                    ),
                );
            }
        };
        View::new(
            "work",
            Bilingual::owned(
                format!("y[{i}, {j}]: the values read"),
                format!("y[{i}, {j}]：读取的数值"),
            ),
            ViewContent::steps(vec![line], Some(0)),
        )
    }
}

impl Model for PoolingCell {
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
        if let Ok(fresh) = PoolingCell::new(&self.params, seed) {
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

    fn stage(&mut self) {
        if self.done == self.positions() {
            self.done = 0;
            self.y.fill(0.0);
            self.winners.clear();
        }
        let at = self.position(self.done);
        let (v, winner) = self.compute(at);
        self.y[at] = v;
        self.winners.extend(winner);
        self.done += 1;
        self.steps += 1;
    }

    fn views(&self) -> Vec<View> {
        vec![
            self.equations(),
            self.input_view(),
            self.working_view(),
            output_view(&self.y, self.done, (0.0, 1.0), self.current()),
        ]
    }

    fn status(&self) -> Option<Status> {
        pass_status(
            self.done,
            self.positions(),
            Bilingual::new("position", "位置"),
            Bilingual::owned(
                format!(
                    "done: {} {}x{} → {}x{}; the next step starts over",
                    self.mode_name().en,
                    self.x.nrows(),
                    self.x.ncols(),
                    self.y.nrows(),
                    self.y.ncols()
                ),
                format!(
                    "完成：{} {}x{} → {}x{}；下一步重新开始",
                    self.mode_name().zh,
                    self.x.nrows(),
                    self.x.ncols(),
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
