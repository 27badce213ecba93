//! The liquid state machine: a column of spiking neurons wired at random and
//! never trained, stirred by spike trains, with only a linear readout of its
//! filtered spikes trained.
//!
//! W. Maass, T. Natschläger and H. Markram, "Real-time computing without
//! stable states: a new framework for neural computation based on
//! perturbations", Neural Computation 14 (11): 2531–2560, 2002. The liquid
//! follows the paper's appendix:
//!
//! ```text
//! column      135 leaky integrate-and-fire neurons on the integer points of
//!             a 15 × 3 × 3 block, 20% of them inhibitory
//! neuron      τ_m dV/dt = −V + R (I_syn + I_b),  τ_m 30 ms, R 1 MΩ, I_b 13.5 nA
//!             V ≥ 15 mV ⇒ spike, V ← 13.5 mV, silent 3 ms (E) or 2 ms (I);
//!             V starts uniform in [13.5, 15] mV
//! wiring      P(a → b) = C · exp(−(D(a, b)/λ)²),  C = 0.3 EE, 0.2 EI, 0.4 IE, 0.1 II
//! synapse     a spike of a adds A·u·R to b's current, which decays with
//!             τ_s = 3 ms (from E) or 6 ms (from I), after a delay of
//!             1.5 ms (EE) or 0.8 ms (others); u and R follow Markram's
//!             dynamic synapse between spikes Δ apart:
//!             u ← U + u (1 − U) e^(−Δ/F),  R ← 1 + (R − u R − 1) e^(−Δ/D)
//!             means: U 0.5, 0.05, 0.25, 0.32; D 1.1, 0.125, 0.7, 0.144 s;
//!             F 0.05, 1.2, 0.02, 0.06 s; A 30, 60, −19, −19 nA (EE, EI, IE, II)
//! input       each input spike train reaches each neuron with probability
//!             0.3, through synapses like those from an excitatory neuron
//!             with A 18 nA (to E) or 9 nA (to I)
//! readout     x_i(t) = Σ_spikes of i e^(−(t − s)/30 ms),  y = w · [1; x(T)],
//!             w by ridge regression on the training samples' states
//! ```
//!
//! Each synapse's U, D and F are drawn around their means with a standard
//! deviation of half the mean (kept positive), and A from a gamma
//! distribution with that mean and the same relative spread. Time runs in
//! steps of 0.1 ms.
//!
//! The task is the paper's kind of spike-train classification: two
//! templates, each a few Poisson spike trains of 20 Hz over 200 ms; every
//! sample is one of them with each spike moved by Gaussian jitter. The
//! readout sees only the liquid's state at the end, so what it knows of the
//! earlier spikes is what the liquid still holds of them.

use crate::data::toy::standard_normal;
use crate::linalg;
use crate::model::view::{Plane, PlanePoint, Segment};
use crate::model::{
    Action, Flow, Model, ModelError, ModelSpec, ParamKind, ParamSpec, ParamValue, Params, Progress,
    Report, Status, StatusLevel, View, ViewContent,
};
use crate::text::Bilingual;
use crate::view::{Raster, Table};
use ndarray::{Array1, Array2};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::sync::Arc;

/// The block the neurons sit in.
pub const COLUMN: [usize; 3] = [15, 3, 3];
pub const INHIBITORY_FRACTION: f64 = 0.2;
/// Simulation step, ms.
pub const DT: f64 = 0.1;
const TAU_M: f64 = 30.0;
const THRESHOLD: f64 = 15.0;
const RESET: f64 = 13.5;
const BACKGROUND: f64 = 13.5;
/// Time constant of the readout's filter, ms.
pub const TAU_READOUT: f64 = 30.0;
/// Mean rate of a template's spike trains, Hz.
pub const TEMPLATE_RATE: f64 = 20.0;
/// Probability that an input train reaches a given neuron.
const INPUT_CONNECTIVITY: f64 = 0.3;
/// Ridge λ of the readout.
const RIDGE: f64 = 1e-2;
/// Bins of the lab's rasters, ms.
const BIN_MS: f64 = 2.0;

/// The kind of a connection: from an excitatory or inhibitory neuron to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pair {
    EE,
    EI,
    IE,
    II,
}

/// The paper's means for one kind of connection.
struct Kind {
    c: f64,
    u: f64,
    d: f64,
    f: f64,
    a: f64,
    delay: f64,
}

impl Pair {
    fn of(from_excitatory: bool, to_excitatory: bool) -> Pair {
        match (from_excitatory, to_excitatory) {
            (true, true) => Pair::EE,
            (true, false) => Pair::EI,
            (false, true) => Pair::IE,
            (false, false) => Pair::II,
        }
    }

    fn kind(self) -> Kind {
        match self {
            Pair::EE => Kind {
                c: 0.3,
                u: 0.5,
                d: 1100.0,
                f: 50.0,
                a: 30.0,
                delay: 1.5,
            },
            Pair::EI => Kind {
                c: 0.2,
                u: 0.05,
                d: 125.0,
                f: 1200.0,
                a: 60.0,
                delay: 0.8,
            },
            Pair::IE => Kind {
                c: 0.4,
                u: 0.25,
                d: 700.0,
                f: 20.0,
                a: -19.0,
                delay: 0.8,
            },
            Pair::II => Kind {
                c: 0.1,
                u: 0.32,
                d: 144.0,
                f: 60.0,
                a: -19.0,
                delay: 0.8,
            },
        }
    }
}

/// One dynamic synapse (times in ms, A in nA).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Synapse {
    pub post: usize,
    pub a: f64,
    pub u: f64,
    pub d: f64,
    pub f: f64,
    /// Delay in steps of [`DT`].
    pub delay: usize,
}

impl Synapse {
    /// Markram's dynamic synapse: the (u, R) of a spike, given the gap
    /// since the previous spike and that spike's (u, R); the first spike
    /// has u = U and R = 1. The current it sends is A·u·R.
    pub fn efficacy(&self, previous: Option<(f64, f64, f64)>) -> (f64, f64) {
        match previous {
            None => (self.u, 1.0),
            Some((gap, u, r)) => (
                self.u + u * (1.0 - self.u) * (-gap / self.f).exp(),
                1.0 + (r - u * r - 1.0) * (-gap / self.d).exp(),
            ),
        }
    }
}

/// The drawn liquid: which neurons are inhibitory and every synapse,
/// grouped by the neuron or input train they leave.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub excitatory: Vec<bool>,
    /// `from_neuron[i]`: the synapses neuron i sends.
    pub from_neuron: Vec<Vec<Synapse>>,
    /// `from_input[c]`: the synapses input train c sends.
    pub from_input: Vec<Vec<Synapse>>,
}

/// A value drawn around `mean` with a standard deviation of half of it,
/// kept positive (redrawn when it is not).
fn around<R: Rng + ?Sized>(mean: f64, rng: &mut R) -> f64 {
    loop {
        let v = mean * (1.0 + 0.5 * standard_normal(rng));
        if v > 0.0 {
            return v;
        }
    }
}

/// A gamma value of mean `mean` and standard deviation half of it: shape 4,
/// the sum of four exponentials.
fn gamma_around<R: Rng + ?Sized>(mean: f64, rng: &mut R) -> f64 {
    let sum: f64 = (0..4).map(|_| -(1.0 - rng.random::<f64>()).ln()).sum();
    mean * sum / 4.0
}

fn synapse<R: Rng + ?Sized>(post: usize, kind: &Kind, a: f64, rng: &mut R) -> Synapse {
    let sign = a.signum();
    Synapse {
        post,
        a: sign * gamma_around(a.abs(), rng),
        u: around(kind.u, rng).min(1.0),
        d: around(kind.d, rng),
        f: around(kind.f, rng),
        delay: (kind.delay / DT).round() as usize,
    }
}

impl Column {
    /// Draws the paper's column with connection length `lambda` and
    /// `inputs` input trains.
    pub fn draw<R: Rng + ?Sized>(lambda: f64, inputs: usize, rng: &mut R) -> Column {
        let [nx, ny, nz] = COLUMN;
        let n = nx * ny * nz;
        let position = |i: usize| {
            [
                (i / (ny * nz)) as f64,
                ((i / nz) % ny) as f64,
                (i % nz) as f64,
            ]
        };
        let mut excitatory = vec![true; n];
        let inhibitory = (INHIBITORY_FRACTION * n as f64).round() as usize;
        let mut order: Vec<usize> = (0..n).collect();
        for k in 0..inhibitory {
            let j = rng.random_range(k..n);
            order.swap(k, j);
            excitatory[order[k]] = false;
        }
        let mut from_neuron = vec![Vec::new(); n];
        for (a, out) in from_neuron.iter_mut().enumerate() {
            for b in 0..n {
                if a == b {
                    continue;
                }
                let kind = Pair::of(excitatory[a], excitatory[b]).kind();
                let (pa, pb) = (position(a), position(b));
                let dist2: f64 = (0..3).map(|k| (pa[k] - pb[k]).powi(2)).sum();
                if rng.random::<f64>() < kind.c * (-dist2 / (lambda * lambda)).exp() {
                    out.push(synapse(b, &kind, kind.a, rng));
                }
            }
        }
        let from_input = (0..inputs)
            .map(|_| {
                (0..n)
                    .filter_map(|b| {
                        if rng.random::<f64>() >= INPUT_CONNECTIVITY {
                            return None;
                        }
                        let kind = Pair::of(true, excitatory[b]).kind();
                        let a = if excitatory[b] { 18.0 } else { 9.0 };
                        Some(synapse(b, &kind, a, rng))
                    })
                    .collect()
            })
            .collect();
        Column {
            excitatory,
            from_neuron,
            from_input,
        }
    }

    pub fn neurons(&self) -> usize {
        self.excitatory.len()
    }

    pub fn synapse_count(&self) -> usize {
        self.from_neuron.iter().map(Vec::len).sum()
    }
}

/// What the liquid did over one sample: every neuron's spike times (ms).
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub spikes: Vec<Vec<f64>>,
    pub duration: f64,
}

impl Response {
    /// The liquid state x(t): each neuron's spikes filtered by
    /// e^(−(t − s)/τ).
    pub fn state(&self, t: f64) -> Array1<f64> {
        filtered(&self.spikes, t)
    }

    /// Mean firing rate over neurons and time, Hz.
    pub fn rate_hz(&self) -> f64 {
        let total: usize = self.spikes.iter().map(Vec::len).sum();
        total as f64 / self.spikes.len().max(1) as f64 / (self.duration / 1000.0)
    }
}

/// Spike trains filtered as the readout sees them, at time `t` (ms).
pub fn filtered(trains: &[Vec<f64>], t: f64) -> Array1<f64> {
    trains
        .iter()
        .map(|train| {
            train
                .iter()
                .filter(|&&s| s <= t)
                .map(|&s| (-(t - s) / TAU_READOUT).exp())
                .sum()
        })
        .collect()
}

/// Runs the liquid for `duration` ms on the input spike trains (times in
/// ms), its membranes started from `rng`.
pub fn simulate<R: Rng + ?Sized>(
    column: &Column,
    input: &[Vec<f64>],
    duration: f64,
    rng: &mut R,
) -> Response {
    let n = column.neurons();
    let steps = (duration / DT).round() as usize;
    let mut v: Vec<f64> = (0..n)
        .map(|_| RESET + (THRESHOLD - RESET) * rng.random::<f64>())
        .collect();
    let (mut i_exc, mut i_inh) = (vec![0.0; n], vec![0.0; n]);
    let mut silent = vec![0usize; n];
    let refractory = |e: bool| ((if e { 3.0 } else { 2.0 }) / DT).round() as usize;
    let (decay_exc, decay_inh) = ((-DT / 3.0).exp(), (-DT / 6.0).exp());
    let leak = DT / TAU_M;
    // Each synapse's u and R as they stand after its last spike, and the
    // time of the last spike of each neuron and input train.
    let mut neuron_state: Vec<Vec<(f64, f64)>> = column
        .from_neuron
        .iter()
        .map(|s| vec![(0.0, 1.0); s.len()])
        .collect();
    let mut input_state: Vec<Vec<(f64, f64)>> = column
        .from_input
        .iter()
        .map(|s| vec![(0.0, 1.0); s.len()])
        .collect();
    let mut neuron_last = vec![None; n];
    let mut input_last = vec![None; input.len()];
    let max_delay = column
        .from_neuron
        .iter()
        .chain(&column.from_input)
        .flatten()
        .map(|s| s.delay)
        .max()
        .unwrap_or(0);
    let slots = max_delay + 1;
    // Current arriving at each neuron `delay` steps ahead: [slot][neuron].
    let mut arriving_exc = vec![vec![0.0; n]; slots];
    let mut arriving_inh = vec![vec![0.0; n]; slots];
    let mut input_steps: Vec<Vec<usize>> = vec![Vec::new(); steps + 1];
    for (c, train) in input.iter().enumerate() {
        for &s in train {
            let k = (s / DT).round();
            if k >= 0.0 && (k as usize) <= steps {
                input_steps[k as usize].push(c);
            }
        }
    }
    let mut spikes = vec![Vec::new(); n];
    let mut fired = Vec::new();
    // One spike leaving: each synapse's amplitude A·u·R, queued.
    let send = |synapses: &[Synapse],
                state: &mut [(f64, f64)],
                last: &mut Option<f64>,
                t: f64,
                step: usize,
                excitatory_source: bool,
                arriving_exc: &mut [Vec<f64>],
                arriving_inh: &mut [Vec<f64>]| {
        for (syn, (u, r)) in synapses.iter().zip(state.iter_mut()) {
            let (u_now, r_now) = syn.efficacy(last.map(|before| (t - before, *u, *r)));
            (*u, *r) = (u_now, r_now);
            let slot = (step + syn.delay.max(1)) % slots;
            let target = if excitatory_source {
                &mut arriving_exc[slot]
            } else {
                &mut arriving_inh[slot]
            };
            target[syn.post] += syn.a * u_now * r_now;
        }
        *last = Some(t);
    };
    for (step, arriving_inputs) in input_steps.iter().enumerate().take(steps) {
        let t = step as f64 * DT;
        let slot = step % slots;
        for j in 0..n {
            i_exc[j] += std::mem::take(&mut arriving_exc[slot][j]);
            i_inh[j] += std::mem::take(&mut arriving_inh[slot][j]);
        }
        for &c in arriving_inputs {
            send(
                &column.from_input[c],
                &mut input_state[c],
                &mut input_last[c],
                t,
                step,
                true,
                &mut arriving_exc,
                &mut arriving_inh,
            );
        }
        fired.clear();
        for j in 0..n {
            if silent[j] > 0 {
                silent[j] -= 1;
            } else {
                v[j] += leak * (-v[j] + i_exc[j] + i_inh[j] + BACKGROUND);
                if v[j] >= THRESHOLD {
                    v[j] = RESET;
                    silent[j] = refractory(column.excitatory[j]);
                    fired.push(j);
                }
            }
            i_exc[j] *= decay_exc;
            i_inh[j] *= decay_inh;
        }
        for &j in &fired {
            spikes[j].push(t);
            send(
                &column.from_neuron[j],
                &mut neuron_state[j],
                &mut neuron_last[j],
                t,
                step,
                column.excitatory[j],
                &mut arriving_exc,
                &mut arriving_inh,
            );
        }
    }
    Response { spikes, duration }
}

/// Poisson spike trains of `rate` Hz over `duration` ms, one per channel.
pub fn poisson_trains<R: Rng + ?Sized>(
    channels: usize,
    rate: f64,
    duration: f64,
    rng: &mut R,
) -> Vec<Vec<f64>> {
    (0..channels)
        .map(|_| {
            let mut train = Vec::new();
            let mut t = 0.0;
            loop {
                t += -(1.0 - rng.random::<f64>()).ln() * 1000.0 / rate;
                if t >= duration {
                    return train;
                }
                train.push(t);
            }
        })
        .collect()
}

/// A template with each spike moved by Gaussian jitter of `sigma` ms, kept
/// inside [0, duration).
pub fn jittered<R: Rng + ?Sized>(
    template: &[Vec<f64>],
    sigma: f64,
    duration: f64,
    rng: &mut R,
) -> Vec<Vec<f64>> {
    template
        .iter()
        .map(|train| {
            let mut moved: Vec<f64> = train
                .iter()
                .map(|&s| (s + sigma * standard_normal(rng)).clamp(0.0, duration - DT))
                .collect();
            moved.sort_by(f64::total_cmp);
            moved
        })
        .collect()
}

/// The classification task: two templates and how samples are drawn. A
/// sample is a template, jittered, over its first `duration − tail` ms,
/// then `tail` ms of fresh Poisson spikes that say nothing of the class:
/// read out at the end, the class is known only to what remembers.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub templates: [Vec<Vec<f64>>; 2],
    pub jitter: f64,
    pub duration: f64,
    pub tail: f64,
}

impl Task {
    pub fn new<R: Rng + ?Sized>(
        channels: usize,
        jitter: f64,
        duration: f64,
        tail: f64,
        rng: &mut R,
    ) -> Result<Task, ModelError> {
        if tail >= duration {
            return Err(ModelError::Invalid(Bilingual::owned(
                format!(
                    "tail ({tail} ms) must be shorter than the sample (duration {duration} ms): otherwise no template is left to classify"
                ),
                format!(
                    "tail（{tail} 毫秒）必须短于样本时长（duration {duration} 毫秒），否则没有模板可分类"
                ),
            )));
        }
        let length = duration - tail;
        let a = poisson_trains(channels, TEMPLATE_RATE, length, rng);
        let b = poisson_trains(channels, TEMPLATE_RATE, length, rng);
        Ok(Task {
            templates: [a, b],
            jitter,
            duration,
            tail,
        })
    }

    /// Sample `seed`: its class and its input, drawn from the seed alone, so
    /// that a sample is the same however it is reached.
    pub fn sample(&self, seed: u64) -> (usize, Vec<Vec<f64>>) {
        let mut rng = StdRng::seed_from_u64(seed);
        let class = usize::from(rng.random::<bool>());
        let length = self.duration - self.tail;
        let mut input = jittered(&self.templates[class], self.jitter, length, &mut rng);
        let tail = poisson_trains(input.len(), TEMPLATE_RATE, self.tail, &mut rng);
        for (train, extra) in input.iter_mut().zip(tail) {
            train.extend(extra.into_iter().map(|s| s + length));
        }
        (class, input)
    }
}

/// Readout features: a constant 1 and the state.
fn features(state: &Array1<f64>) -> Vec<f64> {
    std::iter::once(1.0).chain(state.iter().copied()).collect()
}

/// Ridge readout of states (rows) to targets ±1 (class 0 → +1).
pub fn fit_readout(states: &[Array1<f64>], classes: &[usize]) -> Result<Array1<f64>, ModelError> {
    let k = states.first().map_or(1, |s| s.len() + 1);
    let x = Array2::from_shape_vec(
        (states.len(), k),
        states.iter().flat_map(features).collect(),
    )
    .map_err(|e| ModelError::Invalid(Bilingual::owned(e.to_string(), e.to_string())))?;
    let y = Array2::from_shape_fn(
        (classes.len(), 1),
        |(i, _)| {
            if classes[i] == 0 { 1.0 } else { -1.0 }
        },
    );
    let w = linalg::ridge(x.view(), y.view(), RIDGE).map_err(|e| {
        ModelError::Invalid(Bilingual::owned(
            format!("the readout could not be fitted: {e}"),
            format!("读出层无法拟合：{e}"),
        ))
    })?;
    Ok(w.row(0).to_owned())
}

/// The readout's output y = w · [1; x].
pub fn read_out(w: &Array1<f64>, state: &Array1<f64>) -> f64 {
    features(state).iter().zip(w).map(|(a, b)| a * b).sum()
}

/// The class the readout says: 0 when y ≥ 0.
pub fn decide(y: f64) -> usize {
    usize::from(y < 0.0)
}

/// The task's and the liquid's settings, shared by the lab and the
/// `lsm-templates` experiment.
pub fn task_params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "jitter",
            "jitter σ of each input spike, ms",
            "每个输入脉冲的抖动 σ（毫秒）",
            ParamKind::Float {
                min: 0.0,
                max: 50.0,
            },
            ParamValue::Float(4.0),
        ),
        ParamSpec::new(
            "tail",
            "ms of fresh random spikes closing each sample, the same for either class",
            "每个样本末尾的新随机脉冲时长（毫秒），两类相同",
            ParamKind::Float {
                min: 0.0,
                max: 1000.0,
            },
            ParamValue::Float(50.0),
        ),
        ParamSpec::new(
            "lambda",
            "connection length λ of the liquid",
            "液体的连接长度 λ",
            ParamKind::Float { min: 0.1, max: 8.0 },
            ParamValue::Float(2.0),
        ),
        ParamSpec::new(
            "channels",
            "input spike trains per template",
            "每个模板的输入脉冲序列数",
            ParamKind::Int { min: 1, max: 16 },
            ParamValue::Int(4),
        ),
        ParamSpec::new(
            "duration",
            "length of a sample, ms",
            "每个样本的时长（毫秒）",
            ParamKind::Float {
                min: 20.0,
                max: 1000.0,
            },
            ParamValue::Float(200.0),
        ),
    ]
}

fn params() -> Vec<ParamSpec> {
    let mut specs = task_params();
    specs.extend([
        ParamSpec::new(
            "train",
            "samples the readout is fitted on",
            "用于拟合读出层的样本数",
            ParamKind::Int { min: 2, max: 1000 },
            ParamValue::Int(60),
        ),
        ParamSpec::new(
            "test",
            "samples the readout is tested on",
            "用于测试读出层的样本数",
            ParamKind::Int { min: 1, max: 1000 },
            ParamValue::Int(40),
        ),
    ]);
    specs
}

/// What the lab does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Train,
    Fit,
    Test,
    Done,
}

/// The last sample the liquid ran.
#[derive(Debug, Clone)]
struct Shown {
    class: usize,
    input: Vec<Vec<f64>>,
    response: Response,
    /// The readout's output, in the test phase.
    output: Option<f64>,
}

/// The lab's liquid state machine on the two-template task.
#[derive(Clone)]
pub struct LiquidStateMachine {
    params: Params,
    seed: u64,
    column: Arc<Column>,
    task: Arc<Task>,
    train: usize,
    test: usize,
    phase: Phase,
    /// Samples run so far (training, then test).
    samples: usize,
    states: Vec<Array1<f64>>,
    classes: Vec<usize>,
    readout: Option<Array1<f64>>,
    training_accuracy: Option<f64>,
    /// Test outputs so far: (class, y).
    outputs: Vec<(usize, f64)>,
    shown: Option<Shown>,
    spikes_total: usize,
    failure: Option<Bilingual>,
}

impl LiquidStateMachine {
    pub fn new(params: &Params, seed: u64) -> Result<LiquidStateMachine, ModelError> {
        let channels = params.int("channels") as usize;
        let mut rng = StdRng::seed_from_u64(seed);
        let column = Column::draw(params.float("lambda"), channels, &mut rng);
        let task = Task::new(
            channels,
            params.float("jitter"),
            params.float("duration"),
            params.float("tail"),
            &mut rng,
        )?;
        Ok(LiquidStateMachine {
            params: params.clone(),
            seed,
            column: Arc::new(column),
            task: Arc::new(task),
            train: params.int("train") as usize,
            test: params.int("test") as usize,
            phase: Phase::Train,
            samples: 0,
            states: Vec::new(),
            classes: Vec::new(),
            readout: None,
            training_accuracy: None,
            outputs: Vec::new(),
            shown: None,
            spikes_total: 0,
            failure: None,
        })
    }

    /// Runs sample `samples` through the liquid.
    fn run_sample(&mut self) -> Shown {
        let sample_seed = self.seed ^ (0x4c53_4d00 + self.samples as u64);
        let (class, input) = self.task.sample(sample_seed);
        let mut rng = StdRng::seed_from_u64(sample_seed.rotate_left(17));
        let response = simulate(&self.column, &input, self.task.duration, &mut rng);
        self.samples += 1;
        self.spikes_total += response.spikes.iter().map(Vec::len).sum::<usize>();
        Shown {
            class,
            input,
            response,
            output: None,
        }
    }

    fn advance(&mut self) {
        match self.phase {
            Phase::Train => {
                let shown = self.run_sample();
                self.states.push(shown.response.state(self.task.duration));
                self.classes.push(shown.class);
                self.shown = Some(shown);
                if self.states.len() == self.train {
                    self.phase = Phase::Fit;
                }
            }
            Phase::Fit => match fit_readout(&self.states, &self.classes) {
                Ok(w) => {
                    let right = self
                        .states
                        .iter()
                        .zip(&self.classes)
                        .filter(|(s, c)| decide(read_out(&w, s)) == **c)
                        .count();
                    self.training_accuracy = Some(right as f64 / self.states.len() as f64);
                    self.readout = Some(w);
                    self.phase = Phase::Test;
                }
                Err(e) => {
                    self.failure = Some(e.message());
                    self.phase = Phase::Done;
                }
            },
            Phase::Test => {
                let mut shown = self.run_sample();
                if let Some(w) = &self.readout {
                    let y = read_out(w, &shown.response.state(self.task.duration));
                    shown.output = Some(y);
                    self.outputs.push((shown.class, y));
                }
                self.shown = Some(shown);
                if self.outputs.len() == self.test {
                    self.phase = Phase::Done;
                }
            }
            Phase::Done => {}
        }
    }

    fn test_accuracy(&self) -> Option<f64> {
        if self.outputs.is_empty() {
            return None;
        }
        let right = self
            .outputs
            .iter()
            .filter(|(c, y)| decide(*y) == *c)
            .count();
        Some(right as f64 / self.outputs.len() as f64)
    }

    /// Mean firing rate of the liquid over every sample run, Hz.
    fn rate_hz(&self) -> f64 {
        let time = self.samples as f64 * self.task.duration / 1000.0;
        self.spikes_total as f64 / self.column.neurons() as f64 / time.max(1e-9)
    }

    fn class_name(class: usize) -> Bilingual {
        if class == 0 {
            Bilingual::new("template A", "模板 A")
        } else {
            Bilingual::new("template B", "模板 B")
        }
    }

    fn rasters(&self) -> Vec<View> {
        let bins = (self.task.duration / BIN_MS).ceil() as usize;
        let binned = |trains: &[Vec<f64>]| {
            let mut out = vec![Vec::new(); bins];
            for (unit, train) in trains.iter().enumerate() {
                for &s in train {
                    out[((s / BIN_MS) as usize).min(bins - 1)].push(unit);
                }
            }
            out
        };
        let template_ms = (self.task.duration - self.task.tail).max(0.0);
        let (input_label, input, liquid) = match &self.shown {
            Some(shown) => {
                let name = Self::class_name(shown.class);
                (
                    Bilingual::owned(
                        format!(
                            "input: {} jittered by σ {} ms for {} ms, then {} ms of fresh random spikes; {} ms per column of dots",
                            name.en, self.task.jitter, template_ms, self.task.tail, BIN_MS
                        ),
                        format!(
                            "输入：{}（抖动 σ {} 毫秒）持续 {} 毫秒，之后 {} 毫秒是新的随机脉冲；每列点 {} 毫秒",
                            name.zh, self.task.jitter, template_ms, self.task.tail, BIN_MS
                        ),
                    ),
                    binned(&shown.input),
                    binned(&shown.response.spikes),
                )
            }
            None => (
                Bilingual::new(
                    "input: no sample has run yet (n runs one)",
                    "输入：还没有运行样本（按 n 运行一个）",
                ),
                vec![Vec::new(); bins],
                vec![Vec::new(); bins],
            ),
        };
        let inhibitory = self.column.excitatory.iter().filter(|e| !**e).count();
        vec![
            View::new(
                "input",
                input_label,
                ViewContent::Raster(Raster {
                    units: self.task.templates[0].len(),
                    spikes: input,
                }),
            ),
            View::new(
                "liquid",
                Bilingual::owned(
                    format!(
                        "the liquid's spikes ({} neurons, {inhibitory} inhibitory)",
                        self.column.neurons()
                    ),
                    format!(
                        "液体的脉冲（{} 个神经元，其中 {inhibitory} 个抑制性）",
                        self.column.neurons()
                    ),
                ),
                ViewContent::Raster(Raster {
                    units: self.column.neurons(),
                    spikes: liquid,
                }),
            ),
        ]
    }

    fn steps_view(&self) -> View {
        let (train, test) = (self.train, self.test);
        let column = &self.column;
        let mut lines = vec![Bilingual::owned(
            format!(
                "liquid: {} LIF neurons in a 15×3×3 column, {} synapses, λ {}",
                column.neurons(),
                column.synapse_count(),
                self.params.float("lambda")
            ),
            format!(
                "液体：15×3×3 柱中 {} 个 LIF 神经元，{} 个突触，λ {}",
                column.neurons(),
                column.synapse_count(),
                self.params.float("lambda")
            ),
        )];
        let spikes_now = self.shown.as_ref().map(|s| {
            (
                s.response.spikes.iter().map(Vec::len).sum::<usize>(),
                s.response.rate_hz(),
            )
        });
        let run = self.states.len();
        lines.push(match (self.phase, spikes_now) {
            (Phase::Train, Some((n, hz))) => Bilingual::owned(
                format!(
                    "1 run: sample {run} of {train}, {n} spikes ({hz:.1} Hz); x(T) = Σ e^(−(T−s)/30 ms) kept"
                ),
                format!(
                    "1 运行：第 {run} 个样本，共 {train} 个，{n} 次放电（{hz:.1} Hz）；保存 x(T) = Σ e^(−(T−s)/30 ms)"
                ),
            ),
            _ => Bilingual::owned(
                format!("1 run {train} training samples, keep each x(T) = Σ e^(−(T−s)/30 ms)"),
                format!("1 运行 {train} 个训练样本，保存每个 x(T) = Σ e^(−(T−s)/30 ms)"),
            ),
        });
        lines.push(match (self.training_accuracy, &self.failure) {
            (_, Some(failure)) => Bilingual::owned(
                format!("2 the fit failed: {}", failure.en),
                format!("2 拟合失败：{}", failure.zh),
            ),
            (Some(acc), None) => Bilingual::owned(
                format!(
                    "2 w = ridge([1; x(T)] → ±1) on {run} states: {:.0}% right on them",
                    acc * 100.0
                ),
                format!(
                    "2 w = 岭回归([1; x(T)] → ±1)，用 {run} 个状态：其中 {:.0}% 分对",
                    acc * 100.0
                ),
            ),
            (None, None) => Bilingual::owned(
                format!("2 w = ridge([1; x(T)] → ±1) on {train} states"),
                format!("2 w = 岭回归([1; x(T)] → ±1)，用 {train} 个状态"),
            ),
        });
        let k = self.outputs.len();
        lines.push(match (&self.shown, self.phase) {
            (
                Some(Shown {
                    output: Some(y),
                    class,
                    ..
                }),
                _,
            ) => {
                let said = Self::class_name(decide(*y));
                let right = decide(*y) == *class;
                Bilingual::owned(
                    format!(
                        "3 test {k} of {test}: y = w·[1; x(T)] = {y:+.2} → {} ({})",
                        said.en,
                        if right { "right" } else { "wrong" }
                    ),
                    format!(
                        "3 测试第 {k} 个，共 {test} 个：y = w·[1; x(T)] = {y:+.2} → {}（{}）",
                        said.zh,
                        if right { "对" } else { "错" }
                    ),
                )
            }
            _ => Bilingual::owned(
                format!("3 test {test} new samples: y ≥ 0 says A, y < 0 says B"),
                format!("3 测试 {test} 个新样本：y ≥ 0 判为 A，y < 0 判为 B"),
            ),
        });
        let current = match self.phase {
            Phase::Train => Some(1),
            Phase::Fit => Some(2),
            Phase::Test => Some(3),
            Phase::Done => None,
        };
        View::new(
            "stages",
            Bilingual::new(
                "run the liquid, fit the readout, test",
                "运行液体、拟合读出层、测试",
            ),
            ViewContent::steps(lines, current),
        )
    }

    /// The test samples' readout outputs by class, the line y = 0 between.
    fn outputs_view(&self) -> View {
        let top = self
            .outputs
            .iter()
            .fold(1.0f64, |a, (_, y)| a.max(y.abs()))
            .min(10.0);
        let last = self.outputs.len().saturating_sub(1);
        let points = self
            .outputs
            .iter()
            .enumerate()
            .map(|(i, &(class, y))| PlanePoint {
                x: i as f64,
                y: y.clamp(-top, top),
                class,
                highlight: i == last && self.phase != Phase::Done,
                ring: false,
            })
            .collect();
        let width = self.test.max(2) as f64 - 1.0;
        View::new(
            "outputs",
            Bilingual::new(
                "readout y of each test sample (A above 0, B below when right)",
                "每个测试样本的读出 y（分对时 A 在 0 之上，B 在 0 之下）",
            ),
            ViewContent::Plane(Plane {
                points,
                classes: vec![Bilingual::same("A"), Bilingual::same("B")],
                field: None,
                lines: vec![Segment {
                    from: (0.0, 0.0),
                    to: (width, 0.0),
                    arrow: false,
                }],
                x_range: (0.0, width),
                y_range: (-top, top),
            }),
        )
    }

    fn confusion_view(&self) -> View {
        let mut counts = [[0usize; 2]; 2];
        for &(class, y) in &self.outputs {
            counts[class][decide(y)] += 1;
        }
        let rows = (0..2)
            .map(|c| {
                vec![
                    if c == 0 {
                        "A".to_string()
                    } else {
                        "B".to_string()
                    },
                    counts[c][0].to_string(),
                    counts[c][1].to_string(),
                ]
            })
            .collect();
        View::new(
            "confusion",
            Bilingual::new(
                "test samples: true class (rows) against the readout's (columns)",
                "测试样本：真实类别（行）与读出的判断（列）",
            ),
            ViewContent::Table(Table::same(
                vec![String::new(), "→A".into(), "→B".into()],
                rows,
                self.shown.as_ref().and_then(|s| s.output.map(|_| s.class)),
            )),
        )
    }
}

impl Model for LiquidStateMachine {
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
        if let Ok(fresh) = LiquidStateMachine::new(&self.params, seed) {
            *self = fresh;
        }
    }

    fn stage_count(&self) -> usize {
        3
    }

    fn stage_label(&self, index: usize) -> Bilingual {
        match index {
            0 => Bilingual::new(
                "run a training sample through the liquid",
                "让一个训练样本流过液体",
            ),
            1 => Bilingual::new("fit the readout", "拟合读出层"),
            _ => Bilingual::new("test a new sample", "测试一个新样本"),
        }
    }

    fn next_stage(&self) -> usize {
        match self.phase {
            Phase::Train => 0,
            Phase::Fit => 1,
            Phase::Test | Phase::Done => 2,
        }
    }

    /// Samples run, plus one for the fit.
    fn steps_done(&self) -> u64 {
        self.samples as u64 + u64::from(self.readout.is_some() || self.failure.is_some())
    }

    fn stage(&mut self) {
        self.advance();
    }

    fn step(&mut self) {
        self.advance();
    }

    fn views(&self) -> Vec<View> {
        let mut views = self.rasters();
        views.push(self.steps_view());
        views.push(self.outputs_view());
        views.push(self.confusion_view());
        views
    }

    fn actions(&self) -> Vec<Action> {
        vec![Action {
            name: "to_the_end",
            key: 'f',
            label: Bilingual::new(
                "run every sample, fit and test to the end",
                "运行全部样本、拟合并测试到结束",
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
        let total = self.train + 1 + self.test;
        while self.phase != Phase::Done {
            self.advance();
            let note = self.stage_label(self.next_stage()).en.to_string();
            if progress(&Progress::new(self.steps_done() as usize, total, note)) == Flow::Stop {
                break;
            }
        }
        Ok(())
    }

    fn status(&self) -> Option<Status> {
        if let Some(failure) = &self.failure {
            return Some(Status {
                level: StatusLevel::Warning,
                text: failure.clone(),
            });
        }
        let hz = self.rate_hz();
        if self.samples > 0 && self.spikes_total == 0 {
            return Some(Status {
                level: StatusLevel::Warning,
                text: Bilingual::new(
                    "the liquid is silent: no neuron has fired",
                    "液体静默：没有神经元放电",
                ),
            });
        }
        let acc = self.test_accuracy()?;
        let k = self.outputs.len();
        Some(Status {
            level: StatusLevel::Info,
            text: Bilingual::owned(
                format!(
                    "{:.0}% of {k} test samples right; the liquid fires at {hz:.1} Hz",
                    acc * 100.0
                ),
                format!(
                    "{k} 个测试样本中 {:.0}% 分对；液体放电率 {hz:.1} Hz",
                    acc * 100.0
                ),
            ),
        })
    }

    fn at_rest(&self) -> bool {
        self.phase == Phase::Done
    }
}

fn build(params: &Params, seed: u64) -> Result<Box<dyn Model>, ModelError> {
    Ok(Box::new(LiquidStateMachine::new(params, seed)?))
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "lsm",
    name: Bilingual::new("Liquid state machine", "液态机"),
    params,
    build,
    params_from_weights: None,
};

#[cfg(test)]
mod tests {
    use super::*;

    fn column(seed: u64) -> Column {
        Column::draw(2.0, 4, &mut StdRng::seed_from_u64(seed))
    }

    #[test]
    fn the_column_has_the_papers_shape_and_wiring() {
        let c = column(1);
        assert_eq!(c.neurons(), 135);
        assert_eq!(c.excitatory.iter().filter(|e| !**e).count(), 27);
        // Connections fall off with distance: neighbours in x one apart are
        // far more often connected than neurons five apart.
        let position = |i: usize| i / 9;
        let (mut near, mut far) = (0, 0);
        for (a, out) in c.from_neuron.iter().enumerate() {
            for s in out {
                let d = position(a).abs_diff(position(s.post));
                if d <= 1 {
                    near += 1;
                }
                if d >= 5 {
                    far += 1;
                }
            }
        }
        assert!(near > 20 * far.max(1), "near {near}, far {far}");
        for out in &c.from_neuron {
            for s in out {
                assert!(s.u > 0.0 && s.u <= 1.0 && s.d > 0.0 && s.f > 0.0);
                assert!(s.delay == 15 || s.delay == 8, "delay {}", s.delay);
            }
        }
        // Inhibitory neurons send negative currents, excitatory positive.
        for (a, out) in c.from_neuron.iter().enumerate() {
            assert!(out.iter().all(|s| (s.a > 0.0) == c.excitatory[a]));
        }
    }

    #[test]
    fn with_no_input_the_liquid_rests_below_threshold() {
        // I_b alone holds the membranes at 13.5 mV, under the 15 mV
        // threshold: nothing fires.
        let c = column(2);
        let r = simulate(
            &c,
            &vec![Vec::new(); 4],
            100.0,
            &mut StdRng::seed_from_u64(3),
        );
        assert_eq!(r.spikes.iter().map(Vec::len).sum::<usize>(), 0);
    }

    #[test]
    fn a_fast_train_depresses_an_ee_synapse_and_facilitates_an_ei_one() {
        let ee = Synapse {
            post: 0,
            a: 30.0,
            u: 0.5,
            d: 1100.0,
            f: 50.0,
            delay: 15,
        };
        let (u1, r1) = ee.efficacy(None);
        assert_eq!((u1, r1), (0.5, 1.0));
        let (u2, r2) = ee.efficacy(Some((5.0, u1, r1)));
        assert!((u2 - (0.5 + 0.25 * (-0.1f64).exp())).abs() < 1e-12);
        assert!((r2 - (1.0 - 0.5 * (-5.0f64 / 1100.0).exp())).abs() < 1e-12);
        assert!(u2 * r2 < u1 * r1, "depressed: {} < {}", u2 * r2, u1 * r1);
        // Long after, the synapse has recovered.
        let (u3, r3) = ee.efficacy(Some((1e6, u2, r2)));
        assert!((u3 - 0.5).abs() < 1e-9 && (r3 - 1.0).abs() < 1e-9);
        let ei = Synapse {
            u: 0.05,
            d: 125.0,
            f: 1200.0,
            ..ee
        };
        let (u1, r1) = ei.efficacy(None);
        let (u2, r2) = ei.efficacy(Some((5.0, u1, r1)));
        assert!(u2 * r2 > u1 * r1, "facilitated: {} > {}", u2 * r2, u1 * r1);
    }

    #[test]
    fn input_spikes_make_the_liquid_fire_at_a_finite_rate() {
        let c = column(4);
        let train: Vec<f64> = (0..10).map(|k| 5.0 + 5.0 * k as f64).collect();
        let r = simulate(
            &c,
            &[train, vec![], vec![], vec![]],
            80.0,
            &mut StdRng::seed_from_u64(5),
        );
        let total: usize = r.spikes.iter().map(Vec::len).sum();
        assert!(total > 0);
        assert!(r.rate_hz() < 500.0);
    }

    #[test]
    fn the_state_filters_spikes_with_thirty_ms() {
        let x = filtered(&[vec![10.0], vec![], vec![10.0, 40.0]], 40.0);
        assert!((x[0] - (-1.0f64).exp()).abs() < 1e-12);
        assert_eq!(x[1], 0.0);
        assert!((x[2] - (1.0 + (-1.0f64).exp())).abs() < 1e-12);
    }

    #[test]
    fn jitter_moves_spikes_and_keeps_their_count() {
        let mut rng = StdRng::seed_from_u64(6);
        let template = poisson_trains(3, 20.0, 200.0, &mut rng);
        let moved = jittered(&template, 4.0, 200.0, &mut rng);
        for (a, b) in template.iter().zip(&moved) {
            assert_eq!(a.len(), b.len());
        }
        let unmoved = jittered(&template, 0.0, 200.0, &mut rng);
        assert_eq!(unmoved, template);
    }

    fn lab(train: i64, test: i64) -> LiquidStateMachine {
        let mut p = SPEC.default_params();
        p.set("train", &train.to_string()).unwrap();
        p.set("test", &test.to_string()).unwrap();
        LiquidStateMachine::new(&p, 7).unwrap()
    }

    #[test]
    fn the_lab_runs_fits_and_tests() {
        let mut m = lab(6, 3);
        for _ in 0..6 {
            assert_eq!(m.next_stage(), 0);
            m.step();
        }
        assert_eq!(m.next_stage(), 1);
        m.step();
        assert!(m.readout.is_some());
        assert_eq!(m.steps_done(), 7);
        while !m.at_rest() {
            m.step();
        }
        assert_eq!(m.outputs.len(), 3);
        assert!(m.status().is_some());
        let names: Vec<String> = m.views().iter().map(|v| v.name.clone()).collect();
        assert_eq!(names, ["input", "liquid", "stages", "outputs", "confusion"]);
    }

    #[test]
    fn a_tail_as_long_as_the_sample_is_refused() {
        let mut p = SPEC.default_params();
        p.set("tail", "200").unwrap();
        let err = LiquidStateMachine::new(&p, 1).err().expect("refused");
        assert!(
            err.message().en.contains("shorter than the sample"),
            "{err}"
        );
        assert!(err.message().zh.contains("短于样本时长"));
    }

    #[test]
    fn a_sample_is_the_same_however_it_is_reached() {
        let mut a = lab(4, 2);
        let mut b = lab(4, 2);
        a.act("to_the_end").unwrap();
        for _ in 0..7 {
            b.step();
        }
        assert_eq!(a.outputs, b.outputs);
    }
}
