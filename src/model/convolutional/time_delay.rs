//! Time-delayed connections: a unit that reads its input now and at fixed
//! delays before, the same weights at every time step, which is a dilated
//! 1-D convolution over time.
//!
//! Waibel, Hanazawa, Hinton, Shikano and Lang, "Phoneme recognition using
//! time-delay neural networks", IEEE Transactions on Acoustics, Speech and
//! Signal Processing 37(3):328–339, 1989; the dilation as in PyTorch's
//! `nn.Conv1d`:
//!
//! ```text
//! y[t] = b + Σ_k w[k] · x[t·s − p + k·d]      k = 0 .. K−1
//! the taps of output t: x[t'], x[t' + d], ..., x[t' + (K−1)d],  t' = t·s − p
//! out = floor((L + 2p − d(K − 1) − 1)/s) + 1
//! ```
//!
//! The sequence is a sine of period 16 with Gaussian noise (σ = 0.2) drawn
//! from the seed. One step computes one output: its taps are marked on the
//! sequence and the products written out. The lab's sum gives the same
//! numbers as `nn::conv1d::forward`.

use super::num;
use crate::data::toy::standard_normal;
use crate::model::view::{Axis, Curve, Mark, Plot};
use crate::model::{
    Model, ModelError, ModelSpec, ParamKind, ParamSpec, ParamValue, Params, Status, StatusLevel,
    View, ViewContent,
};
use crate::nn::{conv1d, init};
use crate::text::Bilingual;
use ndarray::Array1;
use rand::SeedableRng;
use rand::rngs::StdRng;

pub const KERNELS: &[&str] = &["average", "difference", "random"];

/// The sine's period in steps and the noise's standard deviation.
const PERIOD: f64 = 16.0;
const NOISE: f64 = 0.2;

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
        int("length", "the sequence's length L", "序列长度 L", 4, 96, 40),
        ParamSpec::new(
            "kernel",
            "average: every tap 1/K (smooths); difference: −1 to +1 (a slope over the delays); random: PyTorch's default init",
            "average：每个抽头 1/K（平滑）；difference：−1 到 +1（跨延迟的斜率）；random：PyTorch 默认初始化",
            ParamKind::Choice(KERNELS),
            ParamValue::Choice("average"),
        ),
        int(
            "taps",
            "taps K: how many delayed inputs each output reads",
            "抽头数 K：每个输出读取几个延迟的输入",
            1,
            5,
            3,
        ),
        int(
            "dilation",
            "the delay d between taps, in steps",
            "抽头之间的延迟 d（步）",
            1,
            8,
            2,
        ),
        int(
            "stride",
            "stride s: steps between outputs",
            "步幅 s：输出之间相隔的步数",
            1,
            4,
            1,
        ),
        int(
            "padding",
            "padding p: zeros before and after the sequence",
            "填充 p：序列前后补的零",
            0,
            8,
            0,
        ),
    ]
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "time_delay",
    name: Bilingual::new("Time-delayed connections", "时间延迟连接"),
    params,
    build: |params, seed| Ok(Box::new(TimeDelay::new(params, seed)?)),
    params_from_weights: None,
};

/// A dilated 1-D convolution over a noisy sine, one output per step.
#[derive(Clone)]
pub struct TimeDelay {
    params: Params,
    seed: u64,
    x: Array1<f32>,
    w: Array1<f32>,
    b: f32,
    options: conv1d::Conv1dOptions,
    y: Array1<f32>,
    done: usize,
    steps: u64,
}

impl TimeDelay {
    pub fn new(params: &Params, seed: u64) -> Result<TimeDelay, ModelError> {
        let length = params.int("length") as usize;
        let k = params.int("taps") as usize;
        let options = conv1d::Conv1dOptions {
            stride: params.int("stride") as usize,
            padding: params.int("padding") as usize,
            dilation: params.int("dilation") as usize,
        };
        let out = conv1d::output_size(length, k, options).ok_or_else(|| {
            let (d, p) = (options.dilation, options.padding);
            let reach = d * (k - 1) + 1;
            ModelError::Invalid(Bilingual::owned(
                format!(
                    "{k} taps {d} steps apart span {reach} steps, more than the padded sequence's {length} + 2·{p} = {}: fewer taps, a shorter delay or a longer sequence",
                    length + 2 * p
                ),
                format!(
                    "{k} 个相隔 {d} 步的抽头跨 {reach} 步，超过了填充后序列的 {length} + 2·{p} = {}：请减少抽头、缩短延迟或加长序列",
                    length + 2 * p
                ),
            ))
        })?;
        let mut rng = StdRng::seed_from_u64(seed);
        let x = Array1::from_shape_fn(length, |t| {
            let phase = 2.0 * std::f64::consts::PI * t as f64 / PERIOD;
            (phase.sin() + NOISE * standard_normal(&mut rng)) as f32
        });
        let (w, b) = match params.choice("kernel") {
            "difference" if k > 1 => (
                Array1::from_shape_fn(k, |i| (2.0 * i as f32 - (k - 1) as f32) / (k - 1) as f32),
                0.0,
            ),
            "random" => {
                let bound = init::default_bound(k);
                let w = init::uniform(k, bound, &mut rng);
                let b = init::uniform(1, bound, &mut rng)[0];
                (w, b)
            }
            _ => (Array1::from_elem(k, 1.0 / k as f32), 0.0),
        };
        Ok(TimeDelay {
            params: params.clone(),
            seed,
            x,
            w,
            b,
            options,
            y: Array1::zeros(out),
            done: 0,
            steps: 0,
        })
    }

    pub fn sequence(&self) -> &Array1<f32> {
        &self.x
    }

    /// The weights, one per tap.
    pub fn weights(&self) -> &Array1<f32> {
        &self.w
    }

    pub fn bias(&self) -> f32 {
        self.b
    }

    pub fn options(&self) -> conv1d::Conv1dOptions {
        self.options
    }

    pub fn output(&self) -> &Array1<f32> {
        &self.y
    }

    /// The time output t's tap k reads (negative or past the end: padding).
    fn tap(&self, t: usize, k: usize) -> i64 {
        (t * self.options.stride + k * self.options.dilation) as i64 - self.options.padding as i64
    }

    fn read(&self, time: i64) -> f32 {
        usize::try_from(time)
            .ok()
            .and_then(|i| self.x.get(i).copied())
            .unwrap_or(0.0)
    }

    fn compute(&self, t: usize) -> f32 {
        let mut sum = 0.0f32;
        for (k, &w) in self.w.iter().enumerate() {
            sum += w * self.read(self.tap(t, k));
        }
        sum + self.b
    }

    fn current(&self) -> Option<usize> {
        self.done.checked_sub(1)
    }

    fn equations(&self) -> View {
        let (k, o) = (self.w.len(), self.options);
        let (s, p, d) = (o.stride, o.padding, o.dilation);
        let mut lines = vec![
            "y[t] = b + Σ_k w[k] · x[t·s − p + k·d]".to_string(),
            format!(
                "K = {k}, d = {d}, s = {s}, p = {p}; w = [{}], b = {}",
                self.w
                    .iter()
                    .map(|&v| num(v))
                    .collect::<Vec<_>>()
                    .join(", "),
                num(self.b)
            ),
            "out = floor((L + 2p − d(K−1) − 1)/s) + 1".to_string(),
            format!(
                "    = floor(({} + 2·{p} − {d}·({k}−1) − 1)/{s}) + 1 = {}",
                self.x.len(),
                self.y.len()
            ),
        ];
        let current = self.current().map(|t| {
            let taps: Vec<String> = (0..k)
                .map(|j| {
                    let at = self.tap(t, j);
                    let pad = if at < 0 || at >= self.x.len() as i64 {
                        " pad"
                    } else {
                        ""
                    };
                    format!("{}·x[{at}]{pad}", num(self.w[j]))
                })
                .collect();
            let numbers: Vec<String> = (0..k)
                .map(|j| format!("{}·{}", num(self.w[j]), num(self.read(self.tap(t, j)))))
                .collect();
            lines.push(format!("y[{t}] = {}", taps.join(" + ")));
            lines.push(format!(
                "     = {} + {} = {}",
                numbers.join(" + "),
                num(self.b),
                num(self.y[t])
            ));
            lines.len() - 1
        });
        View::new(
            "equations",
            Bilingual::new(
                "a time-delay layer: the same weights at every step, taps d steps apart",
                "时间延迟层：每一步用同样的权重，抽头相隔 d 步",
            ),
            ViewContent::equations(lines, current),
        )
        .whole()
    }

    fn sequence_view(&self) -> View {
        let marks = self.current().map_or_else(Vec::new, |t| {
            (0..self.w.len())
                .map(|k| {
                    let at = self.tap(t, k);
                    // Only the first tap is named: the labels of taps a
                    // few steps apart would run into one another.
                    let label = if k == 0 {
                        format!("x[{at}]")
                    } else {
                        String::new()
                    };
                    Mark {
                        axis: Axis::X,
                        value: at as f64,
                        label: Bilingual::same(label),
                    }
                })
                .collect()
        });
        let len = self.x.len() as f64;
        let p = self.options.padding as f64;
        View::new(
            "x",
            Bilingual::new(
                "the sequence x: a sine of period 16 with noise σ = 0.2 (the taps marked)",
                "序列 x：周期 16 的正弦加噪声 σ = 0.2（标出各抽头）",
            ),
            ViewContent::Plot(Plot {
                curves: vec![Curve {
                    label: Bilingual::new("x[t]", "x[t]"),
                    points: self
                        .x
                        .iter()
                        .enumerate()
                        .map(|(t, &v)| (t as f64, f64::from(v)))
                        .collect(),
                }],
                x_label: Bilingual::new("t", "t"),
                y_label: Bilingual::new("x", "x"),
                x_range: Some((-p, len - 1.0 + p)),
                y_range: Some((-1.6, 1.6)),
                marks,
                now: None,
            }),
        )
    }

    fn output_view(&self) -> View {
        let len = self.x.len() as f64;
        let p = self.options.padding as f64;
        // Output t sits at the time of its first tap, so the two plots line up.
        let points = (0..self.done)
            .map(|t| (self.tap(t, 0) as f64, f64::from(self.y[t])))
            .collect();
        View::new(
            "y",
            Bilingual::owned(
                format!(
                    "the output y ({} of {} done), drawn at its first tap's time",
                    self.done,
                    self.y.len()
                ),
                format!(
                    "输出 y（已算 {} 个，共 {} 个），画在第一个抽头的时刻",
                    self.done,
                    self.y.len()
                ),
            ),
            ViewContent::Plot(Plot {
                curves: vec![Curve {
                    label: Bilingual::new("y[t]", "y[t]"),
                    points,
                }],
                x_label: Bilingual::new("t", "t"),
                y_label: Bilingual::new("y", "y"),
                x_range: Some((-p, len - 1.0 + p)),
                y_range: None,
                marks: self
                    .current()
                    .map(|t| Mark {
                        axis: Axis::X,
                        value: self.tap(t, 0) as f64,
                        label: Bilingual::same(format!("y[{t}]")),
                    })
                    .into_iter()
                    .collect(),
                now: None,
            }),
        )
    }
}

impl Model for TimeDelay {
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
        if let Ok(fresh) = TimeDelay::new(&self.params, seed) {
            *self = fresh;
        }
    }

    fn stage_label(&self, _index: usize) -> Bilingual {
        let t = self.done % self.y.len();
        Bilingual::owned(format!("output y[{t}]"), format!("输出 y[{t}]"))
    }

    fn steps_done(&self) -> u64 {
        self.steps
    }

    fn stage(&mut self) {
        if self.done == self.y.len() {
            self.done = 0;
            self.y.fill(0.0);
        }
        self.y[self.done] = self.compute(self.done);
        self.done += 1;
        self.steps += 1;
    }

    fn views(&self) -> Vec<View> {
        vec![self.equations(), self.sequence_view(), self.output_view()]
    }

    fn status(&self) -> Option<Status> {
        let n = self.y.len();
        let text = if self.done == n {
            Bilingual::owned(
                format!("done: {n} outputs; the next step starts over"),
                format!("完成：{n} 个输出；下一步重新开始"),
            )
        } else {
            Bilingual::owned(
                format!("next: output {} of {n}", self.done + 1),
                format!("下一个：第 {} 个输出，共 {n} 个", self.done + 1),
            )
        };
        Some(Status {
            level: StatusLevel::Info,
            text,
        })
    }

    fn at_rest(&self) -> bool {
        self.done == self.y.len()
    }
}
