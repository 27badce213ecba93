//! The extreme learning machine: a one-hidden-layer network whose hidden
//! layer is drawn at random and never trained; only the output weights are
//! solved, in one step, by the pseudo-inverse. No backpropagation.
//!
//! G.-B. Huang, Q.-Y. Zhu and C.-K. Siew, "Extreme learning machine: theory
//! and applications", Neurocomputing 70(1-3): 489–501, 2006. With inputs X
//! `[n, d]`, targets T `[n, m]` and L hidden units:
//!
//! ```text
//! W [L, d], b [L]  drawn uniformly from [-s, s] and kept fixed
//! H = g(X Wᵀ + b)                          [n, L], g the logistic sigmoid
//! β = H⁺ T                                 [L, m], H⁺ the Moore-Penrose pseudo-inverse
//! f(x) = g(x Wᵀ + b) β
//! ```
//!
//! β is the least-squares solution of H β = T with the smallest norm. One
//! stage of the lab is one line of this: draw W and b, compute H, solve β,
//! measure the fit; one step is a whole fit with a fresh random hidden
//! layer, so stepping on shows how much the fit depends on the draw. The
//! data is the paper's SinC curve (training targets with uniform noise in
//! [-0.2, 0.2], the clean curve to test on) or two classes on the plane,
//! one output per class, the larger output deciding.

use crate::data::{self, Dataset, Targets};
use crate::linalg;
use crate::model::view::{Curve, Field, Plane, PlanePoint, Plot};
use crate::model::{
    Model, ModelError, ModelSpec, ParamKind, ParamSpec, ParamValue, Params, View, ViewContent,
};
use crate::text::Bilingual;
use ndarray::{Array1, Array2, ArrayView2, Axis};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// What the machine fits: the SinC curve, or two classes on the plane.
const DATA: &[&str] = &["sinc", "moons", "circles", "xor", "spirals"];
/// The noise on SinC's training targets, as in the paper.
pub const SINC_NOISE: f32 = 0.2;
/// Points of the clean curve the fit is tested and drawn on.
const CURVE_POINTS: usize = 200;
const FIELD_COLS: usize = 48;
const FIELD_ROWS: usize = 24;
/// Fits whose errors the lab remembers.
const HISTORY: usize = 200;

fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "data",
            "sinc: the curve sin(x)/x with noisy targets; the rest: two classes on the plane",
            "sinc：目标带噪声的曲线 sin(x)/x；其余：平面上的两类点",
            ParamKind::Choice(DATA),
            ParamValue::Choice("sinc"),
        ),
        ParamSpec::new(
            "hidden",
            "hidden units L",
            "隐藏单元数 L",
            ParamKind::Int { min: 1, max: 2000 },
            ParamValue::Int(20),
        ),
        ParamSpec::new(
            "points",
            "training points",
            "训练点数",
            ParamKind::Int { min: 2, max: 5000 },
            ParamValue::Int(1000),
        ),
        ParamSpec::new(
            "scale",
            "input weights and biases are drawn from [-scale, scale]",
            "输入权重与偏置从 [-scale, scale] 中均匀抽取",
            ParamKind::Float {
                min: 1e-3,
                max: 100.0,
            },
            ParamValue::Float(1.0),
        ),
    ]
}

/// A random hidden layer and the output weights solved on top of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Elm {
    /// Input weights `[L, d]`, one row per hidden unit.
    pub w: Array2<f64>,
    /// Hidden biases `[L]`.
    pub b: Array1<f64>,
    /// Output weights `[L, m]`.
    pub beta: Array2<f64>,
}

/// W `[hidden, inputs]` and b `[hidden]` uniform in [-scale, scale].
pub fn draw_hidden<R: Rng + ?Sized>(
    inputs: usize,
    hidden: usize,
    scale: f64,
    rng: &mut R,
) -> (Array2<f64>, Array1<f64>) {
    let w = Array2::from_shape_fn((hidden, inputs), |_| rng.random_range(-scale..=scale));
    let b = Array1::from_shape_fn(hidden, |_| rng.random_range(-scale..=scale));
    (w, b)
}

/// H = g(X Wᵀ + b), g the logistic sigmoid.
pub fn hidden_layer(
    x: ArrayView2<'_, f64>,
    w: ArrayView2<'_, f64>,
    b: &Array1<f64>,
) -> Array2<f64> {
    let mut h = x.dot(&w.t());
    h += b;
    match h.as_slice_memory_order_mut() {
        Some(values) => crate::kernels::sigmoid_f64(values),
        None => h.mapv_inplace(|a| 1.0 / (1.0 + (-a).exp())),
    }
    h
}

/// β = H⁺ T. When H has at least as many rows as columns and full column
/// rank (the usual case: more points than hidden units), H⁺T is the one
/// least-squares solution of H β = T, found by a QR factorisation of H,
/// several times cheaper than forming H⁺ from the singular value
/// decomposition. Otherwise (fewer points than units, or dependent
/// columns) the least-squares solutions are many, and H⁺T is the one of
/// least norm: it is computed by the pseudo-inverse itself
/// ([`output_weights_by_pseudo_inverse`]).
pub fn output_weights(
    h: ArrayView2<'_, f64>,
    t: ArrayView2<'_, f64>,
) -> Result<Array2<f64>, ModelError> {
    if h.nrows() != t.nrows() {
        return Err(ModelError::Invalid(Bilingual::owned(
            format!("H has {} rows but T has {}", h.nrows(), t.nrows()),
            format!("H 有 {} 行，而 T 有 {} 行", h.nrows(), t.nrows()),
        )));
    }
    match linalg::lstsq(h, t) {
        Ok(beta) => Ok(beta),
        Err(
            linalg::LinalgError::Underdetermined { .. } | linalg::LinalgError::RankDeficient { .. },
        ) => output_weights_by_pseudo_inverse(h, t),
        Err(e) => Err(ModelError::Invalid(Bilingual::owned(
            format!("β = H⁺T: {e}"),
            format!("β = H⁺T：{e}"),
        ))),
    }
}

/// β = H⁺ T with H⁺ the Moore-Penrose pseudo-inverse formed from the
/// singular value decomposition of H, as the paper writes it.
pub fn output_weights_by_pseudo_inverse(
    h: ArrayView2<'_, f64>,
    t: ArrayView2<'_, f64>,
) -> Result<Array2<f64>, ModelError> {
    if h.nrows() != t.nrows() {
        return Err(ModelError::Invalid(Bilingual::owned(
            format!("H has {} rows but T has {}", h.nrows(), t.nrows()),
            format!("H 有 {} 行，而 T 有 {} 行", h.nrows(), t.nrows()),
        )));
    }
    let pinv = linalg::pinv(h).map_err(|e| {
        ModelError::Invalid(Bilingual::owned(format!("H⁺: {e}"), format!("H⁺：{e}")))
    })?;
    Ok(pinv.dot(&t))
}

impl Elm {
    /// Fits β on X `[n, d]` and T `[n, m]` over the hidden layer W, b.
    pub fn fit(
        w: Array2<f64>,
        b: Array1<f64>,
        x: ArrayView2<'_, f64>,
        t: ArrayView2<'_, f64>,
    ) -> Result<Elm, ModelError> {
        if x.ncols() != w.ncols() || b.len() != w.nrows() {
            return Err(ModelError::Invalid(Bilingual::owned(
                format!(
                    "W is {}x{} and b has {} values, but X has {} columns",
                    w.nrows(),
                    w.ncols(),
                    b.len(),
                    x.ncols()
                ),
                format!(
                    "W 是 {}x{}，b 有 {} 个值，而 X 有 {} 列",
                    w.nrows(),
                    w.ncols(),
                    b.len(),
                    x.ncols()
                ),
            )));
        }
        let h = hidden_layer(x, w.view(), &b);
        let beta = output_weights(h.view(), t)?;
        Ok(Elm { w, b, beta })
    }

    /// f(X) = g(X Wᵀ + b) β.
    pub fn predict(&self, x: ArrayView2<'_, f64>) -> Array2<f64> {
        hidden_layer(x, self.w.view(), &self.b).dot(&self.beta)
    }
}

/// The root mean square of `got - want`.
pub fn rmse(got: ArrayView2<'_, f64>, want: ArrayView2<'_, f64>) -> f64 {
    let n = got.len().max(1) as f64;
    ((&got - &want).mapv(|d| d * d).sum() / n).sqrt()
}

/// The fraction of rows whose largest output is at the label.
pub fn accuracy(outputs: ArrayView2<'_, f64>, labels: &Array1<usize>) -> f64 {
    let right = outputs
        .rows()
        .into_iter()
        .zip(labels)
        .filter(|(row, label)| argmax(row.iter().copied()) == **label)
        .count();
    right as f64 / labels.len().max(1) as f64
}

fn argmax(values: impl Iterator<Item = f64>) -> usize {
    values
        .enumerate()
        .fold((0, f64::NEG_INFINITY), |best, (i, v)| {
            if v > best.1 { (i, v) } else { best }
        })
        .0
}

/// One-hot targets `[n, classes]` for labels.
pub fn one_hot(labels: &Array1<usize>, classes: usize) -> Array2<f64> {
    let mut t = Array2::zeros((labels.len(), classes));
    for (i, &k) in labels.iter().enumerate() {
        t[[i, k]] = 1.0;
    }
    t
}

/// A data set's records as `f64`.
pub fn records(data: &Dataset) -> Array2<f64> {
    data.records.mapv(f64::from)
}

/// What the machine is fitted to.
#[derive(Clone)]
enum Problem {
    /// SinC: noisy training targets, the clean curve on a grid to test on.
    Curve {
        x: Array2<f64>,
        t: Array2<f64>,
        grid: Array2<f64>,
        clean: Array2<f64>,
    },
    /// Two classes on the plane, one-hot targets.
    Plane {
        x: Array2<f64>,
        labels: Array1<usize>,
        t: Array2<f64>,
        classes: Vec<Bilingual>,
        x_range: (f64, f64),
        y_range: (f64, f64),
    },
}

impl Problem {
    fn new(kind: &str, points: usize, seed: u64) -> Problem {
        let mut rng = StdRng::seed_from_u64(seed);
        if kind == "sinc" {
            let train = data::sinc(points, SINC_NOISE, &mut rng);
            let grid = Array2::from_shape_fn((CURVE_POINTS, 1), |(i, _)| {
                -10.0 + 20.0 * i as f64 / (CURVE_POINTS - 1) as f64
            });
            let clean = grid.mapv(|x| if x == 0.0 { 1.0 } else { x.sin() / x });
            let t = match &train.targets {
                Targets::Values(v) => v.mapv(f64::from),
                Targets::Classes { .. } => unreachable!("SinC has values"),
            };
            return Problem::Curve {
                x: records(&train),
                t,
                grid,
                clean,
            };
        }
        let set = plane_set(kind, points, &mut rng);
        let labels = set.labels().cloned().unwrap_or_else(|| Array1::zeros(0));
        let classes = set.n_classes().unwrap_or(2);
        let names = match &set.targets {
            Targets::Classes { names, .. } => names.clone(),
            Targets::Values(_) => (0..classes)
                .map(|k| Bilingual::same(k.to_string()))
                .collect(),
        };
        let x = records(&set);
        let span = |j: usize| {
            let (lo, hi) = x
                .column(j)
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                    (lo.min(v), hi.max(v))
                });
            let pad = 0.1 * (hi - lo).max(1e-6);
            (lo - pad, hi + pad)
        };
        Problem::Plane {
            t: one_hot(&labels, classes),
            classes: names,
            x_range: span(0),
            y_range: span(1),
            x,
            labels,
        }
    }

    fn inputs(&self) -> (&Array2<f64>, &Array2<f64>) {
        match self {
            Problem::Curve { x, t, .. } | Problem::Plane { x, t, .. } => (x, t),
        }
    }
}

fn plane_set(kind: &str, n: usize, rng: &mut StdRng) -> Dataset {
    use crate::data::toy;
    match kind {
        "circles" => toy::circles(n, toy::CIRCLES_NOISE, rng),
        "xor" => toy::xor(n, toy::XOR_NOISE, rng),
        "spirals" => toy::spirals(n, toy::SPIRALS_NOISE, rng),
        _ => toy::moons(n, toy::MOONS_NOISE, rng),
    }
}

/// The four stages of one fit.
const STAGES: usize = 4;

/// The lab's extreme learning machine: a problem, the fit in progress and
/// the errors of the fits so far.
#[derive(Clone)]
pub struct ExtremeLearningMachine {
    params: Params,
    seed: u64,
    problem: Problem,
    rng: StdRng,
    /// The hidden layer of the fit in progress.
    drawn: Option<(Array2<f64>, Array1<f64>)>,
    h: Option<Array2<f64>>,
    /// The last solved machine, and whether the current fit reached it.
    machine: Option<Elm>,
    /// Why the last solve failed, if it did.
    failure: Option<String>,
    next: usize,
    fits: u64,
    /// (training error, test error) per fit: RMSE for the curve, error rate
    /// for the plane (test on the training points there).
    errors: Vec<(f64, f64)>,
}

impl ExtremeLearningMachine {
    pub fn new(params: &Params, seed: u64) -> ExtremeLearningMachine {
        let problem = Problem::new(params.choice("data"), params.int("points") as usize, seed);
        ExtremeLearningMachine {
            params: params.clone(),
            seed,
            problem,
            rng: StdRng::seed_from_u64(seed ^ 0x454c_4d00),
            drawn: None,
            h: None,
            machine: None,
            failure: None,
            next: 0,
            fits: 0,
            errors: Vec::new(),
        }
    }

    fn hidden(&self) -> usize {
        self.params.int("hidden") as usize
    }

    fn run_stage(&mut self) {
        let (x, t) = self.problem.inputs();
        match self.next {
            0 => {
                let scale = self.params.float("scale");
                let hidden = self.hidden();
                self.drawn = Some(draw_hidden(x.ncols(), hidden, scale, &mut self.rng));
                self.h = None;
                self.failure = None;
            }
            1 => {
                if let Some((w, b)) = &self.drawn {
                    self.h = Some(hidden_layer(x.view(), w.view(), b));
                }
            }
            2 => {
                if let (Some((w, b)), Some(h)) = (&self.drawn, &self.h) {
                    match output_weights(h.view(), t.view()) {
                        Ok(beta) => {
                            self.machine = Some(Elm {
                                w: w.clone(),
                                b: b.clone(),
                                beta,
                            })
                        }
                        Err(e) => self.failure = Some(e.to_string()),
                    }
                }
            }
            _ => {
                if self.failure.is_none()
                    && let Some(errors) = self.machine.as_ref().map(|m| self.errors_of(m))
                {
                    self.errors.push(errors);
                    if self.errors.len() > HISTORY {
                        self.errors.remove(0);
                    }
                }
                self.fits += 1;
            }
        }
        self.next = (self.next + 1) % STAGES;
    }

    /// (training, test) RMSE on the curve; (training error rate, the same)
    /// on the plane.
    fn errors_of(&self, machine: &Elm) -> (f64, f64) {
        match &self.problem {
            Problem::Curve {
                x, t, grid, clean, ..
            } => (
                rmse(machine.predict(x.view()).view(), t.view()),
                rmse(machine.predict(grid.view()).view(), clean.view()),
            ),
            Problem::Plane { x, labels, .. } => {
                let wrong = 1.0 - accuracy(machine.predict(x.view()).view(), labels);
                (wrong, wrong)
            }
        }
    }

    fn fit_view(&self) -> View {
        match &self.problem {
            Problem::Curve { grid, clean, .. } => {
                let xs: Vec<f64> = grid.column(0).to_vec();
                let mut curves = vec![Curve {
                    label: Bilingual::new("sin(x)/x", "sin(x)/x"),
                    points: xs
                        .iter()
                        .copied()
                        .zip(clean.column(0).iter().copied())
                        .collect(),
                }];
                if let Some(m) = &self.machine {
                    let fit = m.predict(grid.view());
                    curves.push(Curve {
                        label: Bilingual::new("ELM fit", "ELM 拟合"),
                        points: xs
                            .iter()
                            .copied()
                            .zip(fit.column(0).iter().copied())
                            .collect(),
                    });
                }
                View::new(
                    "fit",
                    Bilingual::new(
                        "the SinC curve and the machine's fit",
                        "SinC 曲线与极限学习机的拟合",
                    ),
                    ViewContent::Plot(Plot {
                        curves,
                        x_label: Bilingual::same("x"),
                        y_label: Bilingual::same("y"),
                        x_range: Some((-10.0, 10.0)),
                        y_range: Some((-0.5, 1.2)),
                        marks: Vec::new(),
                        now: None,
                    }),
                )
            }
            Problem::Plane {
                x,
                labels,
                classes,
                x_range,
                y_range,
                ..
            } => {
                let points = x
                    .rows()
                    .into_iter()
                    .zip(labels)
                    .map(|(p, &class)| PlanePoint {
                        x: p[0],
                        y: p[1],
                        class,
                        highlight: false,
                        ring: false,
                    })
                    .collect();
                let field = self.machine.as_ref().map(|m| {
                    let cells = Array2::from_shape_fn((FIELD_ROWS * FIELD_COLS, 2), |(k, j)| {
                        let (r, c) = (k / FIELD_COLS, k % FIELD_COLS);
                        if j == 0 {
                            x_range.0
                                + (c as f64 + 0.5) / FIELD_COLS as f64 * (x_range.1 - x_range.0)
                        } else {
                            y_range.1
                                - (r as f64 + 0.5) / FIELD_ROWS as f64 * (y_range.1 - y_range.0)
                        }
                    });
                    let out = m.predict(cells.view());
                    // Class 1's output less class 0's: its sign decides.
                    let values = out
                        .rows()
                        .into_iter()
                        .map(|o| (o[1] - o[0]).clamp(-1.0, 1.0) as f32)
                        .collect();
                    Field {
                        cols: FIELD_COLS,
                        rows: FIELD_ROWS,
                        values,
                        range: (-1.0, 1.0),
                    }
                });
                View::new(
                    "fit",
                    Bilingual::new(
                        "points and the machine's output f₁ − f₀ over the plane",
                        "数据点与网络在平面上的输出 f₁ − f₀",
                    ),
                    ViewContent::Plane(Plane {
                        points,
                        classes: classes.clone(),
                        field,
                        lines: Vec::new(),
                        x_range: *x_range,
                        y_range: *y_range,
                    }),
                )
                .untraced()
            }
        }
    }

    fn steps_view(&self) -> View {
        let (x, t) = self.problem.inputs();
        let (n, d, m, l) = (x.nrows(), x.ncols(), t.ncols(), self.hidden());
        let scale = self.params.float("scale");
        let drawn = self.drawn.is_some() && self.next != 0 || self.fits > 0;
        let mut lines = vec![
            Bilingual::owned(
                format!("1 draw W [{l}, {d}] and b [{l}] uniform in [-{scale}, {scale}]"),
                format!("1 在 [-{scale}, {scale}] 中均匀抽取 W [{l}, {d}] 与 b [{l}]"),
            ),
            Bilingual::owned(
                format!("2 H = g(X Wᵀ + b)  [{n}, {l}]"),
                format!("2 H = g(X Wᵀ + b)  [{n}, {l}]"),
            ),
            Bilingual::owned(
                format!(
                    "3 β = H⁺ T  [{l}, {m}]{}",
                    self.machine
                        .as_ref()
                        .filter(|_| drawn)
                        .map_or_else(String::new, |e| format!(
                            ", |β|max = {:.3}",
                            e.beta.iter().fold(0.0f64, |a, v| a.max(v.abs()))
                        ))
                ),
                format!(
                    "3 β = H⁺ T  [{l}, {m}]{}",
                    self.machine
                        .as_ref()
                        .filter(|_| drawn)
                        .map_or_else(String::new, |e| format!(
                            "，|β|max = {:.3}",
                            e.beta.iter().fold(0.0f64, |a, v| a.max(v.abs()))
                        ))
                ),
            ),
        ];
        let last = self.errors.last().copied();
        lines.push(match (&self.problem, last) {
            (_, None) => Bilingual::new("4 measure the fit", "4 衡量拟合"),
            (Problem::Curve { .. }, Some((train, test))) => Bilingual::owned(
                format!("4 RMSE: training {train:.4}, test (clean curve) {test:.4}"),
                format!("4 均方根误差：训练 {train:.4}，测试（无噪声曲线）{test:.4}"),
            ),
            (Problem::Plane { .. }, Some((wrong, _))) => Bilingual::owned(
                format!("4 training points misclassified: {:.1}%", 100.0 * wrong),
                format!("4 训练点分错比例：{:.1}%", 100.0 * wrong),
            ),
        });
        if let Some(failure) = &self.failure {
            lines.push(Bilingual::owned(
                format!("the solve failed: {failure}"),
                format!("求解失败：{failure}"),
            ));
        }
        View::new(
            "stages",
            Bilingual::owned(
                format!("fit {}: no backpropagation, one solve", self.fits + 1),
                format!("第 {} 次拟合：不用反向传播，一次求解", self.fits + 1),
            ),
            ViewContent::steps(lines, Some(self.next)),
        )
    }

    fn errors_view(&self) -> View {
        let curve = matches!(self.problem, Problem::Curve { .. });
        let first = self.fits as usize + 1 - self.errors.len().min(self.fits as usize + 1);
        let series = |pick: fn(&(f64, f64)) -> f64| -> Vec<(f64, f64)> {
            self.errors
                .iter()
                .enumerate()
                .map(|(k, e)| ((first + k) as f64, pick(e)))
                .collect()
        };
        let curves = if curve {
            vec![
                Curve {
                    label: Bilingual::new("training RMSE", "训练均方根误差"),
                    points: series(|e| e.0),
                },
                Curve {
                    label: Bilingual::new("test RMSE", "测试均方根误差"),
                    points: series(|e| e.1),
                },
            ]
        } else {
            vec![Curve {
                label: Bilingual::new("error rate", "错误率"),
                points: series(|e| e.0),
            }]
        };
        View::new(
            "errors",
            Bilingual::new(
                "error of each fit (a fresh random hidden layer each)",
                "每次拟合的误差（每次重新随机抽取隐藏层）",
            ),
            ViewContent::Plot(Plot {
                curves,
                x_label: Bilingual::new("fit", "拟合次数"),
                y_label: Bilingual::new("error", "误差"),
                x_range: None,
                y_range: Some((0.0, if curve { 0.3 } else { 0.5 })),
                marks: Vec::new(),
                now: None,
            }),
        )
    }
}

impl Model for ExtremeLearningMachine {
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
        *self = ExtremeLearningMachine::new(&self.params, seed);
    }

    fn stage_count(&self) -> usize {
        STAGES
    }

    fn stage_label(&self, index: usize) -> Bilingual {
        match index {
            0 => Bilingual::new("draw W and b", "抽取 W 与 b"),
            1 => Bilingual::new("hidden layer H", "隐藏层 H"),
            2 => Bilingual::new("solve β = H⁺T", "求解 β = H⁺T"),
            _ => Bilingual::new("measure the fit", "衡量拟合"),
        }
    }

    fn next_stage(&self) -> usize {
        self.next
    }

    fn steps_done(&self) -> u64 {
        self.fits
    }

    fn stage(&mut self) {
        self.run_stage();
    }

    fn views(&self) -> Vec<View> {
        let mut views = vec![self.fit_view(), self.steps_view(), self.errors_view()];
        if let Some(m) = &self.machine {
            let values: Vec<f32> = m.beta.column(0).iter().map(|&v| v as f32).collect();
            let top = values.iter().fold(1e-6f32, |a, v| a.max(v.abs()));
            views.push(View::new(
                "beta",
                Bilingual::new(
                    "output weights β (first output)",
                    "输出权重 β（第一个输出）",
                ),
                ViewContent::vector(values, (-top, top)),
            ));
        }
        if let Some(h) = &self.h {
            let mean: Vec<f32> = h
                .mean_axis(Axis(0))
                .map(|m| m.iter().map(|&v| v as f32).collect())
                .unwrap_or_default();
            views.push(View::new(
                "h",
                Bilingual::new(
                    "mean activation of each hidden unit over the data",
                    "每个隐藏单元在数据上的平均激活",
                ),
                ViewContent::vector(mean, (0.0, 1.0)),
            ));
        }
        views
    }
}

fn build(params: &Params, seed: u64) -> Result<Box<dyn Model>, ModelError> {
    Ok(Box::new(ExtremeLearningMachine::new(params, seed)))
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "elm",
    name: Bilingual::new("Extreme learning machine", "极限学习机"),
    params,
    build,
    params_from_weights: None,
};

#[cfg(test)]
mod tests {
    use super::*;

    fn lab(data: &str, points: i64, hidden: i64, scale: f64) -> ExtremeLearningMachine {
        let mut p = Params::defaults(params());
        p.set("data", data).unwrap();
        p.set("points", &points.to_string()).unwrap();
        p.set("hidden", &hidden.to_string()).unwrap();
        p.set("scale", &scale.to_string()).unwrap();
        ExtremeLearningMachine::new(&p, 7)
    }

    #[test]
    fn the_four_stages_draw_compute_solve_and_measure() {
        let mut m = lab("sinc", 400, 20, 1.0);
        assert!(m.drawn.is_none() && m.machine.is_none());
        m.stage();
        assert_eq!(m.drawn.as_ref().unwrap().0.dim(), (20, 1));
        m.stage();
        assert_eq!(m.h.as_ref().unwrap().dim(), (400, 20));
        m.stage();
        assert_eq!(m.machine.as_ref().unwrap().beta.dim(), (20, 1));
        assert_eq!(m.steps_done(), 0);
        m.stage();
        assert_eq!(m.steps_done(), 1);
        let (train, test) = m.errors[0];
        // The noise is uniform in [-0.2, 0.2]: its RMS is 0.2/√3 ≈ 0.115,
        // which a good fit cannot go far below on the training points.
        assert!((0.09..0.14).contains(&train), "train {train}");
        assert!(test < 0.05, "test {test}");
    }

    #[test]
    fn beta_meets_the_normal_equations() {
        let mut m = lab("sinc", 300, 10, 1.0);
        m.step();
        let elm = m.machine.clone().unwrap();
        let (x, t) = m.problem.inputs();
        let h = hidden_layer(x.view(), elm.w.view(), &elm.b);
        let gradient = h.t().dot(&(h.dot(&elm.beta) - t));
        let worst = gradient.iter().fold(0.0f64, |a, g| a.max(g.abs()));
        assert!(worst < 1e-6, "Hᵀ(Hβ − T) = {worst}");
    }

    #[test]
    fn the_qr_solve_gives_the_pseudo_inverse_s_beta() {
        // SinC as the experiment has it: H is tall but ill-conditioned
        // (sigmoids of nearby slopes), |β| runs to the thousands.
        let mut m = lab("sinc", 5000, 20, 1.0);
        m.stage();
        m.stage();
        let h = m.h.clone().unwrap();
        let (_, t) = m.problem.inputs();
        let by_qr = output_weights(h.view(), t.view()).unwrap();
        let by_pinv = output_weights_by_pseudo_inverse(h.view(), t.view()).unwrap();
        let top = by_pinv.iter().fold(1.0f64, |a, v| a.max(v.abs()));
        let worst = (&by_qr - &by_pinv)
            .iter()
            .fold(0.0f64, |a, d| a.max(d.abs()));
        assert!(worst / top < 1e-6, "{worst} of {top}");
        let fit = |beta: &Array2<f64>| rmse(h.dot(beta).view(), t.view());
        assert!((fit(&by_qr) - fit(&by_pinv)).abs() < 1e-9);
        // Fewer points than units: the least-norm solution, by H⁺.
        let wide = h.slice(ndarray::s![..10, ..]);
        let few = t.slice(ndarray::s![..10, ..]);
        assert_eq!(
            output_weights(wide, few).unwrap(),
            output_weights_by_pseudo_inverse(wide, few).unwrap()
        );
        // Two equal units: dependent columns, also by H⁺.
        let mut twin = h.slice(ndarray::s![.., ..3]).to_owned();
        let first = twin.column(0).to_owned();
        twin.column_mut(1).assign(&first);
        assert_eq!(
            output_weights(twin.view(), t.view()).unwrap(),
            output_weights_by_pseudo_inverse(twin.view(), t.view()).unwrap()
        );
    }

    #[test]
    fn moons_are_separated_by_a_wide_hidden_layer() {
        let mut m = lab("moons", 300, 100, 4.0);
        m.step();
        let (wrong, _) = m.errors[0];
        assert!(wrong < 0.05, "error rate {wrong}");
        let views = m.views();
        let ViewContent::Plane(plane) = &views[0].content else {
            panic!("the plane")
        };
        assert!(plane.field.is_some());
    }

    #[test]
    fn every_step_draws_a_new_hidden_layer() {
        let mut m = lab("sinc", 200, 5, 1.0);
        m.step();
        let first = m.machine.clone().unwrap();
        m.step();
        assert_ne!(first.w, m.machine.as_ref().unwrap().w);
        m.reset(7);
        m.step();
        assert_eq!(first, *m.machine.as_ref().unwrap());
    }
}
