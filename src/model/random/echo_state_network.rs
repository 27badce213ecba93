//! The echo state network: a large recurrent reservoir drawn at random and
//! never trained, driven by the signal, with only a linear readout of its
//! states solved by ridge regression.
//!
//! H. Jaeger and H. Haas, "Harnessing nonlinearity: predicting chaotic
//! systems and saving energy in wireless communication", Science 304
//! (5667): 78–80, 2004. With N units, inputs u(t) (K values), outputs y(t)
//! (L values) and a leak rate a:
//!
//! ```text
//! W [N, N]          sparse, each entry nonzero with probability c (the
//!                   connectivity), uniform in [-1, 1], then scaled so that
//!                   its spectral radius max |λᵢ(W)| is ρ
//! W_in [N, 1 + K]   column 0 the bias (it multiplies a constant 1)
//! W_fb [N, L]       output feedback
//! x(t+1) = (1 − a) x(t) + a tanh(W x(t) + W_in [1; u(t)] + W_fb y(t) + ν(t))
//! y(t+1) = W_out x(t+1)
//! W_out = Y Xᵀ (X Xᵀ + λ I)⁻¹       X [N, T'] the states after the washout,
//!                                    Y [L, T'] their targets
//! ```
//!
//! ν(t) is a tiny noise, uniform in [-ν, ν], added while the network is
//! driven for training. Training is teacher forcing: the network is driven
//! with the desired output fed back as y(t); once W_out is solved it runs
//! free, its own output fed back. The lab does this on the Mackey-Glass
//! series as the paper does, in three stages: drive the reservoir (a
//! washout whose states are dropped, then the training steps whose states
//! are collected), fit the readout, run free.

use crate::data;
use crate::linalg::{self, SparseRows};
use crate::model::view::{Curve, History, Mark, Plot};
use crate::model::{
    Action, Flow, Model, ModelError, ModelSpec, ParamKind, ParamSpec, ParamValue, Params, Progress,
    Report, Status, StatusLevel, View, ViewContent,
};
use crate::text::Bilingual;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, s};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::VecDeque;
use std::sync::Arc;

/// The random weights of a reservoir and its leak rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Reservoir {
    /// Recurrent weights `[N, N]`, stored sparsely.
    pub w: SparseRows,
    /// Input weights `[N, 1 + K]`, column 0 the bias.
    pub w_in: Array2<f64>,
    /// Output feedback weights `[N, L]` (L = 0: no feedback).
    pub w_fb: Array2<f64>,
    /// The leak rate a in (0, 1]: 1 is the plain tanh unit.
    pub leak: f64,
}

/// How a reservoir is drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    pub units: usize,
    pub inputs: usize,
    pub outputs: usize,
    /// Probability that an entry of W is nonzero.
    pub connectivity: f64,
    /// The spectral radius W is scaled to.
    pub spectral_radius: f64,
    /// W_in's input columns are uniform in [-input_scale, input_scale].
    pub input_scale: f64,
    /// W_in's bias column is uniform in [-bias_scale, bias_scale].
    pub bias_scale: f64,
    /// W_fb is uniform in [-feedback_scale, feedback_scale].
    pub feedback_scale: f64,
    pub leak: f64,
}

/// A drawn reservoir and what its W measured before scaling.
#[derive(Debug, Clone, PartialEq)]
pub struct Drawn {
    pub reservoir: Reservoir,
    /// The spectral radius of the raw W, before it was scaled to ρ.
    pub raw_radius: f64,
}

impl Reservoir {
    /// Draws W, W_in and W_fb from `rng`, in that order, and scales W to the
    /// spectral radius asked for (its eigenvalues computed by `faer`).
    pub fn draw<R: Rng + ?Sized>(design: &Design, rng: &mut R) -> Result<Drawn, ModelError> {
        let n = design.units;
        if n == 0 {
            return Err(ModelError::Invalid(Bilingual::new(
                "a reservoir needs at least one unit",
                "储备池至少要一个单元",
            )));
        }
        let c = design.connectivity;
        if c.is_nan() || c <= 0.0 || c > 1.0 {
            return Err(ModelError::Invalid(Bilingual::owned(
                format!(
                    "the connectivity must be in (0, 1], not {}",
                    design.connectivity
                ),
                format!("连接率须在 (0, 1] 内，不能是 {}", design.connectivity),
            )));
        }
        let mut w = SparseRows::empty(n);
        for _ in 0..n {
            let mut row = Vec::new();
            for j in 0..n {
                if rng.random::<f64>() < design.connectivity {
                    row.push((j, rng.random_range(-1.0..=1.0)));
                }
            }
            w.push_row(row);
        }
        let raw_radius = linalg::spectral_radius(w.to_dense().view()).map_err(|e| {
            ModelError::Invalid(Bilingual::owned(
                format!("the spectral radius of W: {e}"),
                format!("W 的谱半径：{e}"),
            ))
        })?;
        if raw_radius > 0.0 {
            w.scale(design.spectral_radius / raw_radius);
        }
        let mut w_in = Array2::zeros((n, 1 + design.inputs));
        for mut row in w_in.rows_mut() {
            row[0] = design.bias_scale * rng.random_range(-1.0..=1.0);
            for k in 0..design.inputs {
                row[1 + k] = design.input_scale * rng.random_range(-1.0..=1.0);
            }
        }
        let w_fb = Array2::from_shape_fn((n, design.outputs), |_| {
            design.feedback_scale * rng.random_range(-1.0..=1.0)
        });
        Ok(Drawn {
            reservoir: Reservoir {
                w,
                w_in,
                w_fb,
                leak: design.leak,
            },
            raw_radius,
        })
    }

    pub fn units(&self) -> usize {
        self.w.rows()
    }

    pub fn inputs(&self) -> usize {
        self.w_in.ncols() - 1
    }

    pub fn outputs(&self) -> usize {
        self.w_fb.ncols()
    }

    /// One step: `x ← (1 − a) x + a tanh(W x + W_in [1; u] + W_fb y + ν)`,
    /// ν uniform in [-noise, noise] when a generator is given. `pre` is
    /// room for the N pre-activations (left holding their tanh), so that a
    /// step allocates nothing.
    pub fn update(
        &self,
        x: &mut [f64],
        u: &[f64],
        y: &[f64],
        noise: Option<(f64, &mut StdRng)>,
        pre: &mut [f64],
    ) {
        let n = self.units();
        debug_assert!(x.len() == n && pre.len() == n);
        debug_assert!(u.len() == self.inputs() && y.len() == self.outputs());
        self.w.mul_vec_into(
            ArrayView1::from(&*x),
            ndarray::ArrayViewMut1::from(&mut *pre),
        );
        let w_in = self
            .w_in
            .as_slice()
            .expect("W_in is built in standard layout");
        let w_fb = self
            .w_fb
            .as_slice()
            .expect("W_fb is built in standard layout");
        let (width_in, width_fb) = (self.w_in.ncols(), self.w_fb.ncols());
        let a = self.leak;
        let mut noise = noise;
        let rows_in = w_in.chunks_exact(width_in);
        let rows_fb = w_fb.chunks(width_fb.max(1));
        for ((z_i, row_in), row_fb) in pre
            .iter_mut()
            .zip(rows_in)
            .zip(rows_fb.chain(std::iter::repeat(&[][..])))
        {
            let mut z = *z_i + row_in[0];
            for (w, v) in row_in[1..].iter().zip(u) {
                z += w * v;
            }
            for (w, v) in row_fb.iter().zip(y) {
                z += w * v;
            }
            if let Some((level, rng)) = noise.as_mut() {
                z += *level * rng.random_range(-1.0..=1.0);
            }
            *z_i = z;
        }
        // All the units' tanh at once, so that it vectorises.
        crate::kernels::tanh_f64(pre);
        for (xi, &t) in x.iter_mut().zip(pre.iter()) {
            *xi = (1.0 - a) * *xi + a * t;
        }
    }

    /// Drives the reservoir from `x` through `steps` steps, input u(t) the
    /// row t of `inputs` (`[T, K]`) and the fed-back y(t) the row t of
    /// `teacher` (`[T, L]`, teacher forcing); returns the states after every
    /// step, `[T, N]` (row t is x(t+1), the state after reading row t).
    pub fn drive(
        &self,
        x: &mut Array1<f64>,
        inputs: ArrayView2<'_, f64>,
        teacher: ArrayView2<'_, f64>,
        mut noise: Option<(f64, &mut StdRng)>,
    ) -> Result<Array2<f64>, ModelError> {
        let steps = inputs.nrows();
        if inputs.ncols() != self.inputs() || teacher.ncols() != self.outputs() {
            let (i, o, gi, go) = (
                self.inputs(),
                self.outputs(),
                inputs.ncols(),
                teacher.ncols(),
            );
            return Err(ModelError::Invalid(Bilingual::owned(
                format!(
                    "the reservoir takes {i} inputs and feeds back {o} outputs, but got {gi} and {go}"
                ),
                format!("储备池取 {i} 个输入、反馈 {o} 个输出，得到的却是 {gi} 和 {go}"),
            )));
        }
        if teacher.nrows() != steps || x.len() != self.units() {
            let (t, x, n) = (teacher.nrows(), x.len(), self.units());
            return Err(ModelError::Invalid(Bilingual::owned(
                format!("{steps} steps of input, {t} of teacher and a state of {x} for {n} units"),
                format!("输入 {steps} 步、教师信号 {t} 步、状态 {x} 维，而单元有 {n} 个"),
            )));
        }
        let n = self.units();
        let mut states = Array2::zeros((steps, n));
        let mut pre = vec![0.0; n];
        let (mut u, mut y) = (vec![0.0; self.inputs()], vec![0.0; self.outputs()]);
        let state = x.as_slice_mut().expect("a state is contiguous");
        for t in 0..steps {
            u.iter_mut().zip(inputs.row(t)).for_each(|(a, b)| *a = *b);
            y.iter_mut().zip(teacher.row(t)).for_each(|(a, b)| *a = *b);
            let noise = noise.as_mut().map(|(level, rng)| (*level, &mut **rng));
            self.update(state, &u, &y, noise, &mut pre);
            states
                .row_mut(t)
                .as_slice_mut()
                .expect("rows of a new array are contiguous")
                .copy_from_slice(state);
        }
        Ok(states)
    }
}

impl Reservoir {
    /// Runs free from `x` for `steps` steps: at each, the output
    /// y = W_out x (`readout` `[L, N]`) is read, kept and fed back, input
    /// u(t) the row t of `inputs` (`[steps, K]`). Returns the outputs,
    /// `[steps, L]`: row k is read from the state k steps after `x`.
    pub fn run_free(
        &self,
        x: &mut Array1<f64>,
        readout: ArrayView2<'_, f64>,
        inputs: ArrayView2<'_, f64>,
    ) -> Result<Array2<f64>, ModelError> {
        let steps = inputs.nrows();
        if readout.dim() != (self.outputs(), self.units()) || inputs.ncols() != self.inputs() {
            let (o, n, i) = (self.outputs(), self.units(), self.inputs());
            let (got, gi) = (readout.dim(), inputs.ncols());
            return Err(ModelError::Invalid(Bilingual::owned(
                format!(
                    "a free run needs W_out [{o}, {n}] and {i} inputs, not W_out {got:?} and {gi}"
                ),
                format!("自由运行要 W_out [{o}, {n}] 和 {i} 个输入，而不是 W_out {got:?} 和 {gi}"),
            )));
        }
        let n = self.units();
        let mut outputs = Array2::zeros((steps, self.outputs()));
        let mut pre = vec![0.0; n];
        let mut u = vec![0.0; self.inputs()];
        let mut y = vec![0.0; self.outputs()];
        let state = x.as_slice_mut().expect("a state is contiguous");
        for t in 0..steps {
            for (l, w) in readout.rows().into_iter().enumerate() {
                y[l] = w.iter().zip(state.iter()).map(|(a, b)| a * b).sum();
                outputs[[t, l]] = y[l];
            }
            u.iter_mut().zip(inputs.row(t)).for_each(|(a, b)| *a = *b);
            self.update(state, &u, &y, None, &mut pre);
        }
        Ok(outputs)
    }
}

/// The readout `W_out = Y Xᵀ (X Xᵀ + λ I)⁻¹` (`[L, N]`) from the states
/// `[T, N]` and their targets `[T, L]`, the first `washout` rows left out.
pub fn fit_readout(
    states: ArrayView2<'_, f64>,
    targets: ArrayView2<'_, f64>,
    washout: usize,
    ridge: f64,
) -> Result<Array2<f64>, ModelError> {
    if states.nrows() != targets.nrows() {
        let (s, t) = (states.nrows(), targets.nrows());
        return Err(ModelError::Invalid(Bilingual::owned(
            format!("{s} states but {t} targets"),
            format!("{s} 个状态，却有 {t} 个目标"),
        )));
    }
    if washout >= states.nrows() {
        let s = states.nrows();
        return Err(ModelError::Invalid(Bilingual::owned(
            format!("the washout ({washout}) leaves none of the {s} states to fit on"),
            format!("预热期（{washout}）之后 {s} 个状态一个不剩，无从拟合"),
        )));
    }
    linalg::ridge(
        states.slice(s![washout.., ..]),
        targets.slice(s![washout.., ..]),
        ridge,
    )
    .map_err(|e| {
        ModelError::Invalid(Bilingual::owned(
            format!("the ridge readout: {e}"),
            format!("岭回归读出：{e}"),
        ))
    })
}

/// The root mean square of `got − want` over their standard deviation of
/// `want`'s series, `sigma`.
pub fn nrmse(got: &[f64], want: &[f64], sigma: f64) -> f64 {
    let n = got.len().min(want.len()).max(1) as f64;
    let mse = got
        .iter()
        .zip(want)
        .map(|(g, w)| (g - w) * (g - w))
        .sum::<f64>()
        / n;
    mse.sqrt() / sigma
}

/// The standard deviation of `values`.
pub fn std_dev(values: &[f64]) -> f64 {
    let n = values.len().max(1) as f64;
    let mean = values.iter().sum::<f64>() / n;
    (values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt()
}

/// The Mackey-Glass series as the network sees it: `tanh(x − 1)`, which
/// puts it in (-1, 1) around 0 (the paper's shift and squash).
pub fn squash(x: f64) -> f64 {
    (x - 1.0).tanh()
}

/// Back from [`squash`] to the series' own units.
pub fn unsquash(y: f64) -> f64 {
    y.clamp(-1.0 + 1e-15, 1.0 - 1e-15).atanh() + 1.0
}

/// Values of the Mackey-Glass series dropped before the lab's series
/// starts, so that it starts on the attractor.
pub const TRANSIENT: usize = 500;

/// The squashed Mackey-Glass series, `n` values after the transient.
pub fn mackey_glass_squashed(n: usize) -> Vec<f64> {
    data::mackey_glass_f64(TRANSIENT + n)[TRANSIENT..]
        .iter()
        .map(|&x| squash(x))
        .collect()
}

/// The Mackey-Glass set-up of the paper, as defaults of the lab and the
/// experiment: W_in's bias column and W_fb's scales.
pub const BIAS_SCALE: f64 = 0.2;
pub const FEEDBACK_SCALE: f64 = 1.0;

/// Units whose states the lab draws over time.
const SHOWN_UNITS: usize = 16;
/// Steps of the states' history the lab keeps.
const HISTORY_STEPS: usize = 64;
/// Steps of the series before now that the plot shows while driving.
const PLOT_BEFORE: usize = 200;

fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "units",
            "reservoir units N",
            "储备池单元数 N",
            ParamKind::Int { min: 2, max: 1000 },
            ParamValue::Int(100),
        ),
        ParamSpec::new(
            "connectivity",
            "probability that an entry of W is nonzero",
            "W 中一个元素非零的概率",
            ParamKind::Float {
                min: 0.001,
                max: 1.0,
            },
            ParamValue::Float(0.05),
        ),
        ParamSpec::new(
            "spectral_radius",
            "spectral radius ρ that W is scaled to",
            "W 缩放后的谱半径 ρ",
            ParamKind::Float {
                min: 0.01,
                max: 1.5,
            },
            ParamValue::Float(0.8),
        ),
        ParamSpec::new(
            "leak",
            "leak rate a (1: plain tanh units)",
            "泄漏率 a（1：普通 tanh 单元）",
            ParamKind::Float {
                min: 0.01,
                max: 1.0,
            },
            ParamValue::Float(1.0),
        ),
        ParamSpec::new(
            "washout",
            "teacher-forced steps whose states are dropped",
            "状态被丢弃的教师强制步数（冲洗期）",
            ParamKind::Int { min: 0, max: 2000 },
            ParamValue::Int(100),
        ),
        ParamSpec::new(
            "train",
            "teacher-forced steps whose states train the readout",
            "用于训练读出层的教师强制步数",
            ParamKind::Int { min: 2, max: 5000 },
            ParamValue::Int(400),
        ),
        ParamSpec::new(
            "free",
            "steps the network runs free after the fit",
            "拟合后网络自由运行的步数",
            ParamKind::Int { min: 1, max: 2000 },
            ParamValue::Int(200),
        ),
        ParamSpec::new(
            "noise",
            "state noise ν while driving, uniform in [-ν, ν]",
            "驱动时的状态噪声 ν，在 [-ν, ν] 中均匀分布",
            ParamKind::Float { min: 0.0, max: 0.1 },
            ParamValue::Float(1e-7),
        ),
        ParamSpec::new(
            "ridge",
            "ridge λ of the readout",
            "读出层的岭参数 λ",
            ParamKind::Float {
                min: 0.0,
                max: 10.0,
            },
            ParamValue::Float(1e-8),
        ),
    ]
}

/// What the lab does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Drive,
    Fit,
    Free,
    Done,
}

/// The lab's echo state network on the Mackey-Glass series.
#[derive(Clone)]
pub struct EchoStateNetwork {
    params: Params,
    seed: u64,
    reservoir: Arc<Reservoir>,
    raw_radius: f64,
    /// The squashed series d(0), d(1), ...: washout + train + free + 1 values.
    series: Arc<Vec<f64>>,
    /// Its standard deviation in the series' own units.
    sigma: f64,
    washout: usize,
    train: usize,
    free: usize,
    noise: f64,
    ridge: f64,
    noise_rng: StdRng,
    phase: Phase,
    /// The state x(t).
    x: Array1<f64>,
    /// Teacher-forced steps done: x(t) has read d(0) .. d(t − 1).
    t: usize,
    /// The collected training states `[train, N]`, rows filled so far.
    states: Array2<f64>,
    readout: Option<Array1<f64>>,
    /// The readout's output on the training states, once fitted.
    fitted: Vec<f64>,
    train_nrmse: Option<f64>,
    /// The free run's outputs so far; output k predicts d(T + k), T the
    /// teacher-forced steps.
    predictions: Vec<f64>,
    /// The last states of the first units, oldest first.
    history: VecDeque<Vec<f32>>,
    failure: Option<String>,
}

impl EchoStateNetwork {
    pub fn new(params: &Params, seed: u64) -> Result<EchoStateNetwork, ModelError> {
        let units = params.int("units") as usize;
        let design = Design {
            units,
            inputs: 0,
            outputs: 1,
            connectivity: params.float("connectivity"),
            spectral_radius: params.float("spectral_radius"),
            input_scale: 0.0,
            bias_scale: BIAS_SCALE,
            feedback_scale: FEEDBACK_SCALE,
            leak: params.float("leak"),
        };
        let mut rng = StdRng::seed_from_u64(seed);
        let drawn = Reservoir::draw(&design, &mut rng)?;
        let (washout, train, free) = (
            params.int("washout") as usize,
            params.int("train") as usize,
            params.int("free") as usize,
        );
        let series = mackey_glass_squashed(washout + train + free + 1);
        let sigma = std_dev(&series.iter().map(|&y| unsquash(y)).collect::<Vec<_>>());
        Ok(EchoStateNetwork {
            params: params.clone(),
            seed,
            reservoir: Arc::new(drawn.reservoir),
            raw_radius: drawn.raw_radius,
            series: Arc::new(series),
            sigma,
            washout,
            train,
            free,
            noise: params.float("noise"),
            ridge: params.float("ridge"),
            noise_rng: StdRng::seed_from_u64(seed ^ 0x4553_4e00),
            phase: Phase::Drive,
            x: Array1::zeros(units),
            t: 0,
            states: Array2::zeros((train, units)),
            readout: None,
            fitted: Vec::new(),
            train_nrmse: None,
            predictions: Vec::new(),
            history: VecDeque::new(),
            failure: None,
        })
    }

    fn units(&self) -> usize {
        self.reservoir.units()
    }

    fn remember(&mut self) {
        let shown = self.units().min(SHOWN_UNITS);
        self.history
            .push_back(self.x.iter().take(shown).map(|&v| v as f32).collect());
        if self.history.len() > HISTORY_STEPS {
            self.history.pop_front();
        }
    }

    fn update(&mut self, fed_back: f64, noisy: bool) {
        let mut pre = vec![0.0; self.units()];
        let noise = (noisy && self.noise > 0.0).then_some((self.noise, &mut self.noise_rng));
        let x = self.x.as_slice_mut().expect("the state is contiguous");
        self.reservoir.update(x, &[], &[fed_back], noise, &mut pre);
        self.remember();
    }

    /// One step of the stage under way.
    fn advance(&mut self) {
        match self.phase {
            Phase::Drive => {
                let d = self.series[self.t];
                self.update(d, true);
                if self.t >= self.washout {
                    let row = self.t - self.washout;
                    self.states.row_mut(row).assign(&self.x);
                }
                self.t += 1;
                if self.t == self.washout + self.train {
                    self.phase = Phase::Fit;
                }
            }
            Phase::Fit => {
                self.fit();
                self.phase = if self.readout.is_some() {
                    Phase::Free
                } else {
                    Phase::Done
                };
            }
            Phase::Free => {
                let y = self.readout.as_ref().map_or(0.0, |w| w.dot(&self.x));
                self.predictions.push(y);
                if self.predictions.len() == self.free {
                    self.phase = Phase::Done;
                } else {
                    self.update(y, false);
                }
            }
            Phase::Done => {}
        }
    }

    fn fit(&mut self) {
        // State x(washout + k + 1) is fitted to d(washout + k + 1).
        let targets =
            Array2::from_shape_fn((self.train, 1), |(k, _)| self.series[self.washout + k + 1]);
        match fit_readout(self.states.view(), targets.view(), 0, self.ridge) {
            Ok(w) => {
                let w = w.row(0).to_owned();
                self.fitted = self.states.dot(&w).to_vec();
                let want: Vec<f64> = targets.iter().map(|&y| unsquash(y)).collect();
                let got: Vec<f64> = self.fitted.iter().map(|&y| unsquash(y)).collect();
                self.train_nrmse = Some(nrmse(&got, &want, self.sigma));
                self.readout = Some(w);
                self.failure = None;
            }
            Err(e) => self.failure = Some(e.to_string()),
        }
    }

    fn steps_total(&self) -> u64 {
        (self.washout + self.train + 1 + self.free) as u64
    }

    /// The free run's error so far at its last step, in the series' units
    /// over its standard deviation.
    fn free_error(&self) -> Option<f64> {
        let k = self.predictions.len().checked_sub(1)?;
        let want = unsquash(self.series[self.washout + self.train + k]);
        Some((unsquash(self.predictions[k]) - want).abs() / self.sigma)
    }

    fn plot_view(&self) -> View {
        let start = self.washout + self.train;
        let (lo, hi) = match self.phase {
            Phase::Drive => {
                let hi = self.t.max(PLOT_BEFORE);
                (hi.saturating_sub(PLOT_BEFORE), hi)
            }
            _ => (start.saturating_sub(PLOT_BEFORE / 2), start + self.free),
        };
        let target_end = match self.phase {
            Phase::Drive => self.t,
            _ => hi,
        };
        let series = &self.series;
        let mut curves = vec![Curve {
            label: Bilingual::new("Mackey-Glass x(t)", "Mackey-Glass x(t)"),
            points: (lo..target_end.min(series.len()))
                .map(|t| (t as f64, unsquash(series[t])))
                .collect(),
        }];
        if !self.fitted.is_empty() {
            // fitted[k] is the output at time washout + k + 1.
            let mut points: Vec<(f64, f64)> = (lo.max(self.washout + 1)..=start)
                .map(|t| (t as f64, unsquash(self.fitted[t - self.washout - 1])))
                .collect();
            points.extend(
                self.predictions
                    .iter()
                    .enumerate()
                    .map(|(k, &y)| ((start + k) as f64, unsquash(y))),
            );
            curves.push(Curve {
                label: Bilingual::new("network output", "网络输出"),
                points,
            });
        }
        let marks = if self.phase == Phase::Drive {
            Vec::new()
        } else {
            vec![Mark {
                axis: crate::model::Axis::X,
                value: start as f64,
                label: Bilingual::new("runs free", "自由运行"),
            }]
        };
        let now = match self.phase {
            Phase::Drive => self.t,
            _ => start + self.predictions.len(),
        };
        View::new(
            "series",
            Bilingual::new(
                "the Mackey-Glass series and the network's output",
                "Mackey-Glass 序列与网络的输出",
            ),
            ViewContent::Plot(Plot {
                curves,
                x_label: Bilingual::new("t", "t"),
                y_label: Bilingual::new("x", "x"),
                x_range: Some((lo as f64, hi as f64)),
                y_range: Some((0.2, 1.5)),
                marks,
                now: Some(now as f64),
            }),
        )
    }

    fn history_view(&self) -> View {
        let cols = self.units().min(SHOWN_UNITS);
        let rows = self.history.len();
        let values: Vec<f32> = self.history.iter().flatten().copied().collect();
        let first = self.steps_done().saturating_sub(rows as u64) + 1;
        View::new(
            "states",
            Bilingual::owned(
                format!("reservoir states x(t), units 0–{}", cols - 1),
                format!("储备池状态 x(t)，单元 0–{}", cols - 1),
            ),
            ViewContent::History(History {
                rows,
                cols,
                values,
                range: (-1.0, 1.0),
                first,
            }),
        )
    }

    fn steps_view(&self) -> View {
        let (n, ww, tr) = (self.units(), self.washout, self.train);
        let radius = self.params.float("spectral_radius");
        let nonzeros = self.reservoir.w.nonzeros();
        let driven = self.t.min(ww + tr);
        let mut lines = vec![
            Bilingual::owned(
                format!(
                    "W: {n}×{n}, {nonzeros} nonzeros, ρ {:.3} → {radius}",
                    self.raw_radius
                ),
                format!(
                    "W：{n}×{n}，{nonzeros} 个非零元，ρ {:.3} → {radius}",
                    self.raw_radius
                ),
            ),
            Bilingual::owned(
                format!(
                    "1 drive: x(t+1) = (1−a)x(t) + a·tanh(W x + W_in[1] + W_fb d(t) + ν), step {driven} of {ww}+{tr}"
                ),
                format!(
                    "1 驱动：x(t+1) = (1−a)x(t) + a·tanh(W x + W_in[1] + W_fb d(t) + ν)，第 {driven} 步，共 {ww}+{tr} 步"
                ),
            ),
        ];
        lines.push(match (self.train_nrmse, &self.failure) {
            (_, Some(failure)) => Bilingual::owned(
                format!("2 the fit failed: {failure}"),
                format!("2 拟合失败：{failure}"),
            ),
            (Some(e), None) => Bilingual::owned(
                format!("2 W_out = Y Xᵀ(X Xᵀ + λI)⁻¹ on {tr} states: training NRMSE {e:.2e}"),
                format!("2 W_out = Y Xᵀ(X Xᵀ + λI)⁻¹，用 {tr} 个状态：训练 NRMSE {e:.2e}"),
            ),
            (None, None) => Bilingual::owned(
                format!("2 W_out = Y Xᵀ(X Xᵀ + λI)⁻¹ on {tr} states"),
                format!("2 W_out = Y Xᵀ(X Xᵀ + λI)⁻¹，用 {tr} 个状态"),
            ),
        });
        let k = self.predictions.len();
        lines.push(match self.free_error() {
            Some(e) => Bilingual::owned(
                format!(
                    "3 run free: y = W_out x fed back, step {k} of {}, error {e:.2e} σ",
                    self.free
                ),
                format!(
                    "3 自由运行：y = W_out x 反馈回网络，第 {k} 步，共 {} 步，误差 {e:.2e} σ",
                    self.free
                ),
            ),
            None => Bilingual::owned(
                format!("3 run free: y = W_out x fed back, {} steps", self.free),
                format!("3 自由运行：y = W_out x 反馈回网络，共 {} 步", self.free),
            ),
        });
        let current = match self.phase {
            Phase::Drive => Some(1),
            Phase::Fit => Some(2),
            Phase::Free => Some(3),
            Phase::Done => None,
        };
        View::new(
            "stages",
            Bilingual::new(
                "drive, fit the readout, run free",
                "驱动、拟合读出层、自由运行",
            ),
            ViewContent::steps(lines, current),
        )
    }

    fn state_view(&self) -> View {
        let shown = self.units().min(2 * SHOWN_UNITS);
        match &self.readout {
            Some(w) => {
                let values: Vec<f32> = w.iter().take(shown).map(|&v| v as f32).collect();
                let top = values.iter().fold(1e-6f32, |a, v| a.max(v.abs()));
                View::new(
                    "readout",
                    Bilingual::owned(
                        format!("readout weights W_out, units 0–{}", shown - 1),
                        format!("读出权重 W_out，单元 0–{}", shown - 1),
                    ),
                    ViewContent::vector(values, (-top, top)),
                )
            }
            None => View::new(
                "state",
                Bilingual::owned(
                    format!("state x(t), units 0–{}", shown - 1),
                    format!("状态 x(t)，单元 0–{}", shown - 1),
                ),
                ViewContent::vector(
                    self.x.iter().take(shown).map(|&v| v as f32).collect(),
                    (-1.0, 1.0),
                ),
            ),
        }
    }
}

impl Model for EchoStateNetwork {
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
        if let Ok(fresh) = EchoStateNetwork::new(&self.params, seed) {
            *self = fresh;
        }
    }

    fn stage_count(&self) -> usize {
        3
    }

    fn stage_label(&self, index: usize) -> Bilingual {
        match index {
            0 => Bilingual::new(
                "drive the reservoir (teacher forcing)",
                "驱动储备池（教师强制）",
            ),
            1 => Bilingual::new("fit the readout", "拟合读出层"),
            _ => Bilingual::new("run free", "自由运行"),
        }
    }

    fn next_stage(&self) -> usize {
        match self.phase {
            Phase::Drive => 0,
            Phase::Fit => 1,
            Phase::Free | Phase::Done => 2,
        }
    }

    /// Teacher-forced steps, the fit, and free steps.
    fn steps_done(&self) -> u64 {
        self.t as u64
            + u64::from(self.readout.is_some() || self.failure.is_some())
            + self.predictions.len() as u64
    }

    /// The rest of the stage under way: the whole drive, the fit, or the
    /// whole free run.
    fn stage(&mut self) {
        let phase = self.phase;
        while self.phase == phase && phase != Phase::Done {
            self.advance();
        }
    }

    /// One time step (the fit is one step of its own).
    fn step(&mut self) {
        self.advance();
    }

    fn views(&self) -> Vec<View> {
        vec![
            self.plot_view(),
            self.steps_view(),
            self.history_view(),
            self.state_view(),
        ]
    }

    fn actions(&self) -> Vec<Action> {
        vec![Action {
            name: "to_the_end",
            key: 'f',
            label: Bilingual::new(
                "drive, fit and run free to the end",
                "驱动、拟合并自由运行到结束",
            ),
            long: true,
        }]
    }

    fn act(&mut self, action: &str) -> Result<(), ModelError> {
        self.work(action, &mut crate::work::unwatched)
    }

    fn work(&mut self, action: &str, progress: Report<'_>) -> Result<(), ModelError> {
        if action != "to_the_end" {
            return Err(ModelError::no_action(action));
        }
        let total = self.steps_total();
        while self.phase != Phase::Done {
            self.advance();
            let done = self.steps_done();
            if done.is_multiple_of(64) || self.phase == Phase::Done {
                let note = self.stage_label(self.next_stage()).en.to_string();
                if progress(&Progress::new(done as usize, total as usize, note)) == Flow::Stop {
                    break;
                }
            }
        }
        Ok(())
    }

    fn status(&self) -> Option<Status> {
        if let Some(failure) = &self.failure {
            return Some(Status {
                level: StatusLevel::Warning,
                text: Bilingual::owned(
                    format!("the readout could not be fitted: {failure}"),
                    format!("读出层无法拟合：{failure}"),
                ),
            });
        }
        let e = self.free_error()?;
        let k = self.predictions.len();
        Some(Status {
            level: StatusLevel::Info,
            text: if self.phase == Phase::Done {
                Bilingual::owned(
                    format!(
                        "ran free {k} steps: the error at the last is {e:.2e} of the series' σ"
                    ),
                    format!("自由运行了 {k} 步：最后一步的误差为序列 σ 的 {e:.2e}"),
                )
            } else {
                Bilingual::owned(
                    format!("running free, step {k}: error {e:.2e} of the series' σ"),
                    format!("自由运行第 {k} 步：误差为序列 σ 的 {e:.2e}"),
                )
            },
        })
    }

    fn at_rest(&self) -> bool {
        self.phase == Phase::Done
    }
}

fn build(params: &Params, seed: u64) -> Result<Box<dyn Model>, ModelError> {
    Ok(Box::new(EchoStateNetwork::new(params, seed)?))
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "esn",
    name: Bilingual::new("Echo state network", "回声状态网络"),
    params,
    build,
    params_from_weights: None,
};

#[cfg(test)]
mod tests {
    use super::*;

    fn design(units: usize) -> Design {
        Design {
            units,
            inputs: 1,
            outputs: 1,
            connectivity: 0.1,
            spectral_radius: 0.8,
            input_scale: 1.0,
            bias_scale: 0.2,
            feedback_scale: 1.0,
            leak: 0.5,
        }
    }

    #[test]
    fn the_reservoir_is_scaled_to_its_spectral_radius_and_stored_sparsely() {
        let mut rng = StdRng::seed_from_u64(3);
        let drawn = Reservoir::draw(&design(200), &mut rng).unwrap();
        let w = drawn.reservoir.w.to_dense();
        let radius = linalg::spectral_radius(w.view()).unwrap();
        assert!((radius - 0.8).abs() < 1e-9, "ρ = {radius}");
        // About 10% of 40,000 entries.
        let nonzeros = drawn.reservoir.w.nonzeros();
        assert!((3_400..4_600).contains(&nonzeros), "{nonzeros}");
        assert_eq!(w.iter().filter(|v| **v != 0.0).count(), nonzeros);
        // The same seed draws the same reservoir.
        let again = Reservoir::draw(&design(200), &mut StdRng::seed_from_u64(3)).unwrap();
        assert_eq!(again, drawn);
    }

    #[test]
    fn one_step_is_the_leaky_tanh_equation() {
        let mut rng = StdRng::seed_from_u64(5);
        let r = Reservoir::draw(&design(30), &mut rng).unwrap().reservoir;
        let x0: Array1<f64> = Array1::from_shape_fn(30, |i| (i as f64 * 0.37).sin() * 0.5);
        let (u, y) = (0.3, -0.6);
        let z = r.w.to_dense().dot(&x0)
            + r.w_in.column(0)
            + &(&r.w_in.column(1) * u)
            + &(&r.w_fb.column(0) * y);
        let want = &x0 * (1.0 - r.leak) + &(z.mapv(f64::tanh) * r.leak);
        let mut x = x0.to_vec();
        r.update(&mut x, &[u], &[y], None, &mut vec![0.0; 30]);
        for (a, b) in x.iter().zip(want.iter()) {
            assert!((a - b).abs() < 1e-14, "{a} {b}");
        }
    }

    /// The echo state property: the state forgets where it started. Two
    /// reservoirs started far apart and driven by the same input and
    /// teacher end in the same state.
    #[test]
    fn two_initial_states_converge_under_the_same_input() {
        let mut rng = StdRng::seed_from_u64(11);
        let r = Reservoir::draw(&design(100), &mut rng).unwrap().reservoir;
        let steps = 300;
        let series = mackey_glass_squashed(steps + 1);
        let teacher = Array2::from_shape_fn((steps, 1), |(t, _)| series[t]);
        let inputs = Array2::from_shape_fn((steps, 1), |(t, _)| (t as f64 * 0.1).sin());
        let mut a = Array1::from_elem(100, 0.9);
        let mut b = Array1::from_shape_fn(100, |i| if i % 2 == 0 { -0.9 } else { 0.4 });
        let sa = r
            .drive(&mut a, inputs.view(), teacher.view(), None)
            .unwrap();
        let sb = r
            .drive(&mut b, inputs.view(), teacher.view(), None)
            .unwrap();
        let gap = |t: usize| {
            (&sa.row(t) - &sb.row(t))
                .iter()
                .fold(0.0f64, |m, d| m.max(d.abs()))
        };
        assert!(gap(0) > 0.1, "they start apart: {}", gap(0));
        assert!(
            gap(steps - 1) < 1e-10,
            "and end together: {}",
            gap(steps - 1)
        );
        // The gap shrinks along the way.
        assert!(gap(100) < gap(10) && gap(200) < gap(100));
    }

    #[test]
    fn a_reservoir_past_its_edge_need_not_forget() {
        // ρ = 1.5 with no input: the zero state is unstable, and two
        // starts need not meet; the echo state property is the spectral
        // radius' doing, not the equation's.
        let mut rng = StdRng::seed_from_u64(11);
        let mut big = design(100);
        big.spectral_radius = 1.5;
        big.leak = 1.0;
        big.bias_scale = 0.0;
        big.feedback_scale = 0.0;
        big.input_scale = 0.0;
        let r = Reservoir::draw(&big, &mut rng).unwrap().reservoir;
        let none = Array2::zeros((300, 1));
        let mut a = Array1::from_shape_fn(100, |i| ((i * 7) as f64).sin() * 0.5);
        let mut b = -&a;
        let sa = r.drive(&mut a, none.view(), none.view(), None).unwrap();
        let sb = r.drive(&mut b, none.view(), none.view(), None).unwrap();
        let gap = (&sa.row(299) - &sb.row(299))
            .iter()
            .fold(0.0f64, |m, d| m.max(d.abs()));
        assert!(gap > 1e-3, "{gap}");
    }

    #[test]
    fn the_readout_solves_the_ridge_normal_equations() {
        let mut rng = StdRng::seed_from_u64(2);
        let states = Array2::from_shape_fn((50, 8), |_| rng.random_range(-1.0..1.0));
        let targets = Array2::from_shape_fn((50, 1), |(t, _)| (t as f64 * 0.2).sin());
        let w = fit_readout(states.view(), targets.view(), 10, 0.1).unwrap();
        let x = states.slice(s![10.., ..]);
        let y = targets.slice(s![10.., ..]);
        // W (X Xᵀ + λI) = Y Xᵀ with X = statesᵀ.
        let lhs = w.dot(&(x.t().dot(&x) + 0.1 * Array2::<f64>::eye(8)));
        let rhs = y.t().dot(&x);
        assert!((&lhs - &rhs).iter().all(|d| d.abs() < 1e-12));
        assert!(fit_readout(states.view(), targets.view(), 50, 0.1).is_err());
    }

    fn lab(units: i64, washout: i64, train: i64, free: i64) -> EchoStateNetwork {
        let mut p = Params::defaults(params());
        for (k, v) in [
            ("units", units),
            ("washout", washout),
            ("train", train),
            ("free", free),
        ] {
            p.set(k, &v.to_string()).unwrap();
        }
        EchoStateNetwork::new(&p, 4).unwrap()
    }

    #[test]
    fn the_lab_drives_fits_and_runs_free() {
        let mut m = lab(100, 100, 400, 50);
        assert_eq!(m.next_stage(), 0);
        m.step();
        assert_eq!((m.steps_done(), m.next_stage()), (1, 0));
        m.stage();
        assert_eq!((m.steps_done(), m.next_stage()), (500, 1));
        assert!(m.readout.is_none());
        m.step();
        assert_eq!((m.steps_done(), m.next_stage()), (501, 2));
        let train = m.train_nrmse.unwrap();
        assert!(train < 1e-2, "training NRMSE {train}");
        m.step();
        assert_eq!(m.predictions.len(), 1);
        m.stage();
        assert!(m.at_rest());
        assert_eq!(m.predictions.len(), 50);
        assert_eq!(m.steps_done(), 551);
        // Fifty steps ahead, a small reservoir still follows the series.
        let e = m.free_error().unwrap();
        assert!(e < 0.2, "error after 50 free steps {e}");
        m.step();
        assert_eq!(m.steps_done(), 551, "at rest, a step does nothing");
        let views = m.views();
        let names: Vec<&str> = views.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["series", "stages", "states", "readout"]);
        let ViewContent::History(h) = &views[2].content else {
            panic!("the states are a heat map over time")
        };
        assert_eq!((h.rows, h.cols), (HISTORY_STEPS, SHOWN_UNITS));
    }

    #[test]
    fn the_long_action_reaches_the_end_and_can_be_stopped() {
        let mut m = lab(50, 20, 100, 30);
        let mut calls = 0;
        m.work("to_the_end", &mut |_: &Progress| {
            calls += 1;
            Flow::Stop
        })
        .unwrap();
        assert_eq!(calls, 1);
        assert!(!m.at_rest() && m.steps_done() == 64);
        m.act("to_the_end").unwrap();
        assert!(m.at_rest());
        assert!(m.act("nothing").is_err());
    }
}
