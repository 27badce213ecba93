//! Boltzmann machine: stochastic binary units, symmetrically connected (no
//! unit to itself), some visible and some hidden, that learn the
//! probability of the visible patterns by comparing how often two units are
//! on together with the visible units clamped to the data and with the
//! network running freely.
//!
//! D. H. Ackley, G. E. Hinton and T. J. Sejnowski, "A learning algorithm
//! for Boltzmann machines", Cognitive Science 9(1):147–169, 1985.
//!
//! With s ∈ {0, 1}ⁿ the states, W symmetric with a zero diagonal and b the
//! biases (the paper's thresholds, −θ, learnt as weights from a unit that
//! is always on):
//!
//! ```text
//! E(s)   = −Σ_{i<j} w_ij s_i s_j − Σ_i b_i s_i
//! ΔE_k   = E(s with s_k = 0) − E(s with s_k = 1) = Σ_j w_kj s_j + b_k
//! p(s_k = 1) = 1 / (1 + e^(−ΔE_k / T))             (one unit, at temperature T)
//! P(s)   = e^(−E(s)/T) / Z                          (at equilibrium)
//! Δw_ij  = ε sign(p_ij − p'_ij)                     (the paper's fixed step)
//! ```
//!
//! p_ij is how often units i and j are on together at equilibrium with the
//! visible units clamped (the positive phase), p'_ij the same with nothing
//! clamped (the negative phase); p_ii is how often unit i is on, which moves
//! its bias.
//!
//! The default problem is the paper's 4-2-4 encoder: two groups of 4
//! visible units, V₁ ("input") and V₂ ("output"), and 2 hidden units H;
//! each of the 4 patterns turns on one unit of V₁ and the same unit of V₂.
//! V₁ and V₂ connect only through H, and each group's units connect to one
//! another. As in the paper: each annealing runs the free units for 2 units
//! of time at T = 20, 2 at 15, 2 at 12 and 4 at 10 (a unit of time gives
//! each free unit, on average, one chance to change), then gathers the
//! co-occurrences for 10 more units of time at T = 10; each pattern is
//! clamped for 2 annealings per learning cycle, with noise (an on bit goes
//! off with probability 0.15, an off bit on with 0.05) so that the weights
//! stay finite, and the negative phase runs as many free annealings; every
//! weight then moves by ±2 after the sign of p_ij − p'_ij. A pattern is
//! completed when, with V₁ clamped to its input half (without noise), the
//! most probable state of V₂ at equilibrium at the final temperature
//! (T = 10) is the pattern's output half; with so few free units that
//! distribution is computed exactly, by enumerating their states.

use crate::model::view::{Curve, Graph, Matrix, Plot, Table};
use crate::model::{
    Action, Flow, Model, ModelError, ModelSpec, ParamKind, ParamRole, ParamSpec, ParamValue,
    Params, Progress, Report, Status, StatusLevel, View, ViewContent,
};
use crate::text::Bilingual;
use ndarray::{Array1, Array2, ArrayView1};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The paper's annealing schedule: (units of time, temperature).
pub const PAPER_SCHEDULE: &[(usize, f64)] = &[(2, 20.0), (2, 15.0), (2, 12.0), (4, 10.0)];
/// Units of time the co-occurrences are gathered for after annealing, and
/// at what temperature.
pub const PAPER_COLLECT: (usize, f64) = (10, 10.0);
/// Learning cycles the `f` key runs at most while waiting for every pattern
/// to be completed.
const UNTIL_LIMIT: u64 = 2000;
/// Learning cycles the `T` key runs.
const MANY: u64 = 100;

/// 1 / (1 + e^(−x)).
fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Weights, biases and which pairs of units are connected.
#[derive(Debug, Clone, PartialEq)]
pub struct Machine {
    /// Symmetric, zero on the diagonal and wherever two units are not connected.
    pub w: Array2<f64>,
    pub b: Array1<f64>,
    /// Symmetric, false on the diagonal.
    pub connected: Array2<bool>,
}

/// How often units are on, and on together, over the states gathered:
/// `mean[[i, j]]` is p_ij, its diagonal p_i.
#[derive(Debug, Clone, PartialEq)]
pub struct Cooccurrence {
    sum: Array2<f64>,
    samples: usize,
}

impl Cooccurrence {
    pub fn new(units: usize) -> Cooccurrence {
        Cooccurrence {
            sum: Array2::zeros((units, units)),
            samples: 0,
        }
    }

    /// Counts one state.
    pub fn add(&mut self, s: ArrayView1<f64>) {
        for (i, &si) in s.iter().enumerate() {
            if si != 0.0 {
                for (j, &sj) in s.iter().enumerate() {
                    self.sum[[i, j]] += si * sj;
                }
            }
        }
        self.samples += 1;
    }

    /// Adds another's counts.
    pub fn merge(&mut self, other: &Cooccurrence) {
        self.sum += &other.sum;
        self.samples += other.samples;
    }

    pub fn samples(&self) -> usize {
        self.samples
    }

    /// p_ij (p_i on the diagonal); zero before any state is counted.
    pub fn mean(&self) -> Array2<f64> {
        &self.sum / self.samples.max(1) as f64
    }
}

impl Machine {
    /// All weights and biases at zero, the units connected as `connected` says.
    pub fn new(connected: Array2<bool>) -> Machine {
        let n = connected.nrows();
        Machine {
            w: Array2::zeros((n, n)),
            b: Array1::zeros(n),
            connected,
        }
    }

    pub fn units(&self) -> usize {
        self.b.len()
    }

    /// E(s) = −Σ_{i<j} w_ij s_i s_j − Σ_i b_i s_i.
    pub fn energy(&self, s: ArrayView1<f64>) -> f64 {
        -0.5 * s.dot(&self.w.dot(&s)) - self.b.dot(&s)
    }

    /// ΔE_k = Σ_j w_kj s_j + b_k: how much lower the energy is with unit k
    /// on than off.
    pub fn energy_gap(&self, s: ArrayView1<f64>, k: usize) -> f64 {
        self.w.row(k).dot(&s) + self.b[k]
    }

    /// Unit k takes state 1 with probability σ(ΔE_k / T).
    pub fn update_unit(&self, s: &mut Array1<f64>, k: usize, t: f64, rng: &mut StdRng) {
        let p = sigmoid(self.energy_gap(s.view(), k) / t);
        s[k] = if rng.random::<f64>() < p { 1.0 } else { 0.0 };
    }

    /// One unit of time: as many updates as there are free units, each of a
    /// free unit picked at random.
    pub fn time_unit(&self, s: &mut Array1<f64>, free: &[usize], t: f64, rng: &mut StdRng) {
        if free.is_empty() {
            return;
        }
        for _ in 0..free.len() {
            let k = free[rng.random_range(0..free.len())];
            self.update_unit(s, k, t, rng);
        }
    }

    /// Runs the free units through `schedule`, then counts the state after
    /// each of `collect.0` units of time at temperature `collect.1`.
    pub fn anneal(
        &self,
        s: &mut Array1<f64>,
        free: &[usize],
        schedule: &[(usize, f64)],
        collect: (usize, f64),
        rng: &mut StdRng,
        stats: &mut Cooccurrence,
    ) {
        for &(time, t) in schedule {
            for _ in 0..time {
                self.time_unit(s, free, t, rng);
            }
        }
        for _ in 0..collect.0 {
            self.time_unit(s, free, collect.1, rng);
            stats.add(s.view());
        }
    }

    /// The learning rule with the paper's fixed step: every connected
    /// weight moves by `increment` after the sign of p_ij − p'_ij, every
    /// bias after that of p_i − p'_i. Returns how many moved.
    pub fn learn(
        &mut self,
        positive: &Array2<f64>,
        negative: &Array2<f64>,
        increment: f64,
    ) -> usize {
        let n = self.units();
        let mut moved = 0;
        for i in 0..n {
            let d = positive[[i, i]] - negative[[i, i]];
            if d != 0.0 {
                self.b[i] += increment * d.signum();
                moved += 1;
            }
            for j in i + 1..n {
                if !self.connected[[i, j]] {
                    continue;
                }
                let d = positive[[i, j]] - negative[[i, j]];
                if d != 0.0 {
                    let step = increment * d.signum();
                    self.w[[i, j]] += step;
                    self.w[[j, i]] += step;
                    moved += 1;
                }
            }
        }
        moved
    }
}

/// The encoder's layout: V₁ (`group` units), H (`hidden`), V₂ (`group`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Encoder {
    pub group: usize,
    pub hidden: usize,
}

impl Encoder {
    pub fn units(&self) -> usize {
        2 * self.group + self.hidden
    }

    pub fn inputs(&self) -> std::ops::Range<usize> {
        0..self.group
    }

    pub fn hiddens(&self) -> std::ops::Range<usize> {
        self.group..self.group + self.hidden
    }

    pub fn outputs(&self) -> std::ops::Range<usize> {
        self.group + self.hidden..self.units()
    }

    pub fn visible(&self) -> Vec<usize> {
        self.inputs().chain(self.outputs()).collect()
    }

    /// V₁–H, H–V₂ and within each visible group; never V₁–V₂, and the
    /// hidden units not to one another (as in the paper).
    pub fn connections(&self) -> Array2<bool> {
        let n = self.units();
        let group_of = |i: usize| {
            if self.inputs().contains(&i) {
                0
            } else if self.hiddens().contains(&i) {
                1
            } else {
                2
            }
        };
        Array2::from_shape_fn((n, n), |(i, j)| {
            let (a, b) = (group_of(i), group_of(j));
            i != j && if a == 1 || b == 1 { a != b } else { a == b }
        })
    }

    /// Pattern k of the visible units: unit k of V₁ and unit k of V₂ on.
    pub fn pattern(&self, k: usize) -> Vec<f64> {
        (0..2 * self.group)
            .map(|i| if i % self.group == k { 1.0 } else { 0.0 })
            .collect()
    }

    pub fn label(&self, i: usize) -> String {
        if self.inputs().contains(&i) {
            format!("i{}", i + 1)
        } else if self.hiddens().contains(&i) {
            format!("h{}", i - self.group + 1)
        } else {
            format!("o{}", i - self.group - self.hidden + 1)
        }
    }
}

/// The model's parameters.
pub fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "group",
            "units in each visible group V₁ (input) and V₂ (output); as many patterns",
            "每个可见组 V₁（输入）与 V₂（输出）的单元数；模式数与之相同",
            ParamKind::Int { min: 2, max: 8 },
            ParamValue::Int(4),
        ),
        ParamSpec::new(
            "hidden",
            "hidden units H between the two groups",
            "两组之间的隐藏单元 H 的个数",
            ParamKind::Int { min: 1, max: 4 },
            ParamValue::Int(2),
        ),
        ParamSpec::new(
            "increment",
            "the fixed size ε of every weight change (changes live)",
            "每次权重改变的固定大小 ε（即时生效）",
            ParamKind::Float {
                min: 1e-3,
                max: 100.0,
            },
            ParamValue::Float(2.0),
        )
        .with_role(ParamRole::Live),
        ParamSpec::new(
            "noise_on",
            "probability that an on bit of a clamped pattern is turned off",
            "固定的模式中为 1 的位被置为 0 的概率",
            ParamKind::Float { min: 0.0, max: 0.5 },
            ParamValue::Float(0.15),
        ),
        ParamSpec::new(
            "noise_off",
            "probability that an off bit of a clamped pattern is turned on",
            "固定的模式中为 0 的位被置为 1 的概率",
            ParamKind::Float { min: 0.0, max: 0.5 },
            ParamValue::Float(0.05),
        ),
        ParamSpec::new(
            "annealings",
            "annealings per pattern in each phase of a learning cycle",
            "每个学习周期的每个阶段中，每个模式的退火次数",
            ParamKind::Int { min: 1, max: 20 },
            ParamValue::Int(2),
        ),
    ]
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "boltzmann_machine",
    name: Bilingual::new("Boltzmann machine", "玻尔兹曼机"),
    params,
    build: |params, seed| Ok(Box::new(BoltzmannMachine::new(params, seed))),
    params_from_weights: None,
};

/// What the last stage left to see.
#[derive(Debug, Clone, PartialEq)]
struct Shown {
    /// The states of all units at the end of the last annealing.
    state: Array1<f64>,
    /// The last noisy pattern clamped, and which pattern it was.
    clamped: Option<(usize, Vec<f64>)>,
}

/// A Boltzmann machine learning the encoder, one learning cycle per step.
#[derive(Clone)]
pub struct BoltzmannMachine {
    params: Params,
    seed: u64,
    encoder: Encoder,
    increment: f64,
    noise_on: f64,
    noise_off: f64,
    annealings: usize,
    machine: Machine,
    rng: StdRng,
    /// Stages: one per pattern clamped, then the free phase, the update and
    /// the test of completion.
    next_stage: usize,
    cycles: u64,
    positive: Cooccurrence,
    negative: Cooccurrence,
    /// The phases' p_ij as they were at the last update (kept to show).
    last_positive: Option<Array2<f64>>,
    last_negative: Option<Array2<f64>>,
    moved: Option<usize>,
    shown: Shown,
    /// The output half each pattern was completed to at the last test.
    completions: Vec<Option<(Vec<f64>, f64)>>,
    /// Each pattern's code in H at the last test (see [`BoltzmannMachine::code`]).
    codes: Vec<Option<usize>>,
    /// (learning cycle, patterns completed) after every cycle.
    history: Vec<(u64, usize)>,
}

impl BoltzmannMachine {
    pub fn new(params: &Params, seed: u64) -> BoltzmannMachine {
        let encoder = Encoder {
            group: params.int("group") as usize,
            hidden: params.int("hidden") as usize,
        };
        let n = encoder.units();
        BoltzmannMachine {
            params: params.clone(),
            seed,
            encoder,
            increment: params.float("increment"),
            noise_on: params.float("noise_on"),
            noise_off: params.float("noise_off"),
            annealings: params.int("annealings") as usize,
            machine: Machine::new(encoder.connections()),
            rng: StdRng::seed_from_u64(seed),
            next_stage: 0,
            cycles: 0,
            positive: Cooccurrence::new(n),
            negative: Cooccurrence::new(n),
            last_positive: None,
            last_negative: None,
            moved: None,
            shown: Shown {
                state: Array1::zeros(n),
                clamped: None,
            },
            completions: vec![None; encoder.group],
            codes: vec![None; encoder.group],
            history: Vec::new(),
        }
    }

    pub fn machine(&self) -> &Machine {
        &self.machine
    }

    pub fn cycles(&self) -> u64 {
        self.cycles
    }

    /// (learning cycle, patterns completed) after every cycle.
    pub fn history(&self) -> &[(u64, usize)] {
        &self.history
    }

    fn patterns(&self) -> usize {
        self.encoder.group
    }

    /// Random states for every unit, with `clamped` units set to `values`.
    fn start(&mut self, clamped: &[usize], values: &[f64]) -> Array1<f64> {
        let n = self.encoder.units();
        let mut s = Array1::from_shape_fn(n, |_| {
            if self.rng.random::<f64>() < 0.5 {
                1.0
            } else {
                0.0
            }
        });
        for (&i, &v) in clamped.iter().zip(values) {
            s[i] = v;
        }
        s
    }

    /// The pattern with each on bit turned off with probability `noise_on`
    /// and each off bit on with `noise_off`.
    fn noisy(&mut self, pattern: &[f64]) -> Vec<f64> {
        pattern
            .iter()
            .map(|&x| {
                let flip = if x > 0.5 {
                    self.noise_on
                } else {
                    self.noise_off
                };
                if self.rng.random::<f64>() < flip {
                    1.0 - x
                } else {
                    x
                }
            })
            .collect()
    }

    /// Positive phase for pattern k: clamp a noisy copy of it to the
    /// visible units and anneal the hidden ones, `annealings` times.
    fn clamped_phase(&mut self, k: usize) {
        if k == 0 {
            self.positive = Cooccurrence::new(self.encoder.units());
        }
        let visible = self.encoder.visible();
        let free: Vec<usize> = self.encoder.hiddens().collect();
        let pattern = self.encoder.pattern(k);
        for _ in 0..self.annealings {
            let noisy = self.noisy(&pattern);
            let mut s = self.start(&visible, &noisy);
            self.machine.anneal(
                &mut s,
                &free,
                PAPER_SCHEDULE,
                PAPER_COLLECT,
                &mut self.rng,
                &mut self.positive,
            );
            self.shown = Shown {
                state: s,
                clamped: Some((k, noisy)),
            };
        }
    }

    /// Negative phase: as many annealings as the positive phase, nothing clamped.
    fn free_phase(&mut self) {
        let n = self.encoder.units();
        self.negative = Cooccurrence::new(n);
        let free: Vec<usize> = (0..n).collect();
        for _ in 0..self.annealings * self.patterns() {
            let mut s = self.start(&[], &[]);
            self.machine.anneal(
                &mut s,
                &free,
                PAPER_SCHEDULE,
                PAPER_COLLECT,
                &mut self.rng,
                &mut self.negative,
            );
            self.shown = Shown {
                state: s,
                clamped: None,
            };
        }
    }

    fn update(&mut self) {
        let positive = self.positive.mean();
        let negative = self.negative.mean();
        self.moved = Some(self.machine.learn(&positive, &negative, self.increment));
        self.last_positive = Some(positive);
        self.last_negative = Some(negative);
    }

    /// The output half pattern k's input half completes to, and how
    /// probable the right one is: with V₁ clamped to the input half, the
    /// equilibrium distribution of the free units at the final temperature
    /// of the schedule, P(H, V₂ | V₁) ∝ e^(−E/T), is summed exactly over the
    /// hidden states (every state enumerated), and the completion is the
    /// most probable V₂.
    pub fn complete(&self, k: usize) -> (Vec<f64>, f64) {
        let g = self.encoder.group;
        let pattern = self.encoder.pattern(k);
        let free: Vec<usize> = self
            .encoder
            .hiddens()
            .chain(self.encoder.outputs())
            .collect();
        let h = self.encoder.hidden;
        let t = PAPER_COLLECT.1;
        let mut s = Array1::zeros(self.encoder.units());
        for i in self.encoder.inputs() {
            s[i] = pattern[i];
        }
        // −E/T of every free state, then P(V₂) summed over H.
        let mut log_weights = Vec::with_capacity(1 << free.len());
        for state in 0..1usize << free.len() {
            for (bit, &i) in free.iter().enumerate() {
                s[i] = ((state >> bit) & 1) as f64;
            }
            log_weights.push(-self.machine.energy(s.view()) / t);
        }
        let top = log_weights.iter().fold(f64::NEG_INFINITY, |m, &x| m.max(x));
        let mut by_output = vec![0.0; 1 << g];
        for (state, lw) in log_weights.iter().enumerate() {
            by_output[state >> h] += (lw - top).exp();
        }
        let z: f64 = by_output.iter().sum();
        let best = (0..by_output.len())
            .max_by(|&a, &b| by_output[a].total_cmp(&by_output[b]))
            .unwrap_or(0);
        let right = (0..g).fold(0, |acc, j| acc | ((pattern[g + j] as usize) << j));
        let out = (0..g).map(|j| ((best >> j) & 1) as f64).collect();
        (out, by_output[right] / z)
    }

    /// Pattern k's code: the state of H most probable with the whole
    /// pattern (both groups, without noise) clamped, found by enumerating
    /// H's states; as a number, hidden unit j being bit j. The paper's
    /// global minimum is four different codes for the four patterns.
    pub fn code(&self, k: usize) -> usize {
        let pattern = self.encoder.pattern(k);
        let mut s = Array1::zeros(self.encoder.units());
        for (&i, &v) in self.encoder.visible().iter().zip(&pattern) {
            s[i] = v;
        }
        let hidden: Vec<usize> = self.encoder.hiddens().collect();
        let mut best = (f64::NEG_INFINITY, 0);
        for code in 0..1usize << hidden.len() {
            for (bit, &i) in hidden.iter().enumerate() {
                s[i] = ((code >> bit) & 1) as f64;
            }
            let e = -self.machine.energy(s.view());
            if e > best.0 {
                best = (e, code);
            }
        }
        best.1
    }

    /// How many different codes the patterns had at the last test.
    pub fn different_codes(&self) -> usize {
        let mut codes: Vec<usize> = self.codes.iter().flatten().copied().collect();
        codes.sort_unstable();
        codes.dedup();
        codes.len()
    }

    /// Tests every pattern; returns how many were completed correctly.
    pub fn test(&mut self) -> usize {
        for k in 0..self.patterns() {
            self.codes[k] = Some(self.code(k));
        }
        let mut correct = 0;
        for k in 0..self.patterns() {
            let (out, p) = self.complete(k);
            let want = &self.encoder.pattern(k)[self.encoder.group..];
            if out.as_slice() == want {
                correct += 1;
            }
            self.completions[k] = Some((out, p));
        }
        correct
    }

    fn stage_run(&mut self) {
        let p = self.patterns();
        match self.next_stage {
            k if k < p => self.clamped_phase(k),
            k if k == p => self.free_phase(),
            k if k == p + 1 => self.update(),
            _ => {
                self.cycles += 1;
                let correct = self.test();
                self.history.push((self.cycles, correct));
            }
        }
        self.next_stage = (self.next_stage + 1) % (p + 3);
    }

    /// Runs the stages to the end of the learning cycle under way.
    pub fn learning_cycle(&mut self) {
        loop {
            self.stage_run();
            if self.next_stage == 0 {
                break;
            }
        }
    }

    /// Patterns completed at the last test, if any test ran.
    pub fn completed(&self) -> Option<usize> {
        self.history.last().map(|&(_, c)| c)
    }

    fn equations(&self) -> View {
        let p = self.patterns();
        let schedule = PAPER_SCHEDULE
            .iter()
            .map(|(time, t)| format!("{time}@{t}"))
            .collect::<Vec<_>>()
            .join(", ");
        let (ct, tt) = PAPER_COLLECT;
        let mean = |m: &Option<Array2<f64>>| {
            m.as_ref().map_or(String::new(), |m| {
                let n = m.nrows();
                let sum: f64 = (0..n).map(|i| m[[i, i]]).sum();
                format!(", Σ p_i = {:.2}", sum)
            })
        };
        let lines = vec![
            Bilingual::owned(
                format!(
                    "learning cycle {}  ({}-{}-{} encoder, ε = {}, noise {}/{})",
                    self.cycles + 1,
                    self.encoder.group,
                    self.encoder.hidden,
                    self.encoder.group,
                    self.increment,
                    self.noise_on,
                    self.noise_off
                ),
                format!(
                    "第 {} 个学习周期（{}-{}-{} 编码器，ε = {}，噪声 {}/{}）",
                    self.cycles + 1,
                    self.encoder.group,
                    self.encoder.hidden,
                    self.encoder.group,
                    self.increment,
                    self.noise_on,
                    self.noise_off
                ),
            ),
            Bilingual::owned(
                format!(
                    "E(s) = −Σᵢ<ⱼ wᵢⱼsᵢsⱼ − Σᵢ bᵢsᵢ   p(sₖ=1) = σ(ΔEₖ/T)   annealing {schedule} (time@T), p_ij over {ct}@{tt}"
                ),
                format!(
                    "E(s) = −Σᵢ<ⱼ wᵢⱼsᵢsⱼ − Σᵢ bᵢsᵢ   p(sₖ=1) = σ(ΔEₖ/T)   退火 {schedule}（时间@T），在 {ct}@{tt} 下统计 p_ij"
                ),
            ),
            Bilingual::owned(
                format!(
                    "1 positive phase: each of the {p} patterns clamped (noisy), H annealed, p_ij{}",
                    mean(&self.last_positive)
                ),
                format!(
                    "1 正相：{p} 个模式逐一固定（加噪声），退火 H，得 p_ij{}",
                    mean(&self.last_positive)
                ),
            ),
            Bilingual::owned(
                format!(
                    "2 negative phase: nothing clamped, all units annealed, p'_ij{}",
                    mean(&self.last_negative).replace("p_i", "p'_i")
                ),
                format!(
                    "2 负相：不固定任何单元，退火全部单元，得 p'_ij{}",
                    mean(&self.last_negative).replace("p_i", "p'_i")
                ),
            ),
            match self.moved {
                Some(m) => Bilingual::owned(
                    format!("3 update: w_ij += ε sign(p_ij − p'_ij), {m} weights and biases moved"),
                    format!("3 更新：w_ij += ε sign(p_ij − p'_ij)，{m} 个权重与偏置改变"),
                ),
                None => Bilingual::same("3 update: w_ij += ε sign(p_ij − p'_ij)"),
            },
            match self.completed() {
                Some(c) => Bilingual::owned(
                    format!(
                        "4 test: V₁ clamped, most probable V₂ at T = 10 (exact): {c} of {p} right"
                    ),
                    format!("4 测试：固定 V₁，T = 10 时最可能的 V₂（精确计算）：{p} 个中对 {c} 个"),
                ),
                None => Bilingual::new(
                    "4 test: V₁ clamped, most probable V₂ at T = 10 (exact)",
                    "4 测试：固定 V₁，T = 10 时最可能的 V₂（精确计算）",
                ),
            },
        ];
        let current = match self.next_stage {
            k if k < p => 2,
            k => k - p + 3,
        };
        View::new(
            "steps",
            Bilingual::new(
                "the Ackley-Hinton-Sejnowski learning cycle",
                "Ackley-Hinton-Sejnowski 学习周期",
            ),
            ViewContent::steps(lines, Some(current)),
        )
    }

    fn graph(&self) -> View {
        let n = self.encoder.units();
        let mut edges = Vec::new();
        for i in 0..n {
            for j in i + 1..n {
                if self.machine.connected[[i, j]] {
                    edges.push((i, j, self.machine.w[[i, j]] as f32));
                }
            }
        }
        View::new(
            "units",
            Bilingual::new(
                "the units (state after the last annealing) and their weights",
                "各单元（上次退火后的状态）及其权重",
            ),
            ViewContent::Graph(Graph {
                labels: (0..n)
                    .map(|i| Bilingual::same(self.encoder.label(i)))
                    .collect(),
                values: self.shown.state.iter().map(|&x| x as f32).collect(),
                range: (0.0, 1.0),
                edges,
                directed: false,
            }),
        )
    }

    fn patterns_table(&self) -> View {
        let g = self.encoder.group;
        let bits = |v: &[f64]| {
            v.iter()
                .map(|&x| if x > 0.5 { '1' } else { '0' })
                .collect::<String>()
        };
        let rows = (0..self.patterns())
            .map(|k| {
                let pattern = self.encoder.pattern(k);
                let noisy = match &self.shown.clamped {
                    Some((c, v)) if *c == k => format!("{} {}", bits(&v[..g]), bits(&v[g..])),
                    _ => String::new(),
                };
                let completed = match &self.completions[k] {
                    Some((out, p)) => {
                        let ok = out.as_slice() == &pattern[g..];
                        format!("{} {} {p:.2}", bits(out), if ok { "✓" } else { "✗" })
                    }
                    None => String::new(),
                };
                let code = self.codes[k].map_or(String::new(), |c| {
                    (0..self.encoder.hidden)
                        .map(|j| if (c >> j) & 1 == 1 { '1' } else { '0' })
                        .collect()
                });
                vec![
                    format!("{}", k + 1),
                    format!("{} {}", bits(&pattern[..g]), bits(&pattern[g..])),
                    noisy,
                    completed,
                    code,
                ]
                .into_iter()
                .map(Bilingual::same)
                .collect()
            })
            .collect();
        let current = self
            .shown
            .clamped
            .as_ref()
            .map(|(k, _)| *k)
            .filter(|_| self.next_stage > 0 && self.next_stage <= self.patterns());
        View::new(
            "patterns",
            Bilingual::new(
                "the patterns (V₁ V₂), the noisy copy clamped, V₂ completed from V₁, and the code in H",
                "各模式（V₁ V₂）、固定的加噪副本、由 V₁ 补全的 V₂，以及 H 中的编码",
            ),
            ViewContent::Table(Table {
                header: vec![
                    Bilingual::same("#"),
                    Bilingual::same("V₁ V₂"),
                    Bilingual::same("~"),
                    Bilingual::new("V₁ → V₂, P(right)", "V₁ → V₂，P(正确)"),
                    Bilingual::same("H"),
                ],
                rows,
                current,
            }),
        )
    }

    fn cooccurrence(&self, name: &str, m: &Option<Array2<f64>>, label: Bilingual) -> Option<View> {
        let m = m.as_ref()?;
        Some(View::new(
            name,
            label,
            ViewContent::Matrix(Matrix {
                rows: m.nrows(),
                cols: m.ncols(),
                values: m.iter().map(|&x| x as f32).collect(),
            }),
        ))
    }

    fn plot(&self) -> View {
        View::new(
            "completed",
            Bilingual::new(
                "patterns completed correctly per learning cycle",
                "每个学习周期正确补全的模式数",
            ),
            ViewContent::Plot(Plot {
                curves: vec![Curve {
                    label: Bilingual::new("completed", "正确补全"),
                    points: self
                        .history
                        .iter()
                        .map(|&(c, k)| (c as f64, k as f64))
                        .collect(),
                }],
                x_label: Bilingual::new("learning cycle", "学习周期"),
                y_label: Bilingual::new("patterns", "模式数"),
                x_range: None,
                y_range: Some((0.0, self.patterns() as f64)),
                marks: Vec::new(),
                now: None,
            }),
        )
        .untraced()
    }
}

impl Model for BoltzmannMachine {
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
        *self = BoltzmannMachine::new(&self.params, seed);
    }

    fn stage_count(&self) -> usize {
        self.patterns() + 3
    }

    fn stage_label(&self, index: usize) -> Bilingual {
        let p = self.patterns();
        match index {
            k if k < p => Bilingual::owned(
                format!("1 positive phase, pattern {}", k + 1),
                format!("1 正相，模式 {}", k + 1),
            ),
            k if k == p => Bilingual::new("2 negative phase", "2 负相"),
            k if k == p + 1 => Bilingual::new("3 update the weights", "3 更新权重"),
            _ => Bilingual::new("4 test completion", "4 测试补全"),
        }
    }

    fn next_stage(&self) -> usize {
        self.next_stage
    }

    fn steps_done(&self) -> u64 {
        self.cycles
    }

    fn stage(&mut self) {
        self.stage_run();
    }

    fn step(&mut self) {
        self.learning_cycle();
    }

    fn views(&self) -> Vec<View> {
        let mut out = vec![
            self.equations(),
            self.graph(),
            self.plot(),
            self.patterns_table(),
        ];
        out.extend(self.cooccurrence(
            "p_positive",
            &self.last_positive,
            Bilingual::new(
                "p_ij, clamped (positive phase; p_i on the diagonal)",
                "p_ij，固定时（正相；对角线为 p_i）",
            ),
        ));
        out.extend(self.cooccurrence(
            "p_negative",
            &self.last_negative,
            Bilingual::new(
                "p'_ij, free (negative phase; p'_i on the diagonal)",
                "p'_ij，自由运行时（负相；对角线为 p'_i）",
            ),
        ));
        out
    }

    fn actions(&self) -> Vec<Action> {
        vec![
            Action {
                name: "until_complete",
                key: 'f',
                label: Bilingual::owned(
                    format!(
                        "learn until every pattern is completed (at most {UNTIL_LIMIT} cycles)"
                    ),
                    format!("学习直到所有模式都能补全（至多 {UNTIL_LIMIT} 个周期）"),
                ),
                long: true,
            },
            Action {
                name: "many_cycles",
                key: 'T',
                label: Bilingual::owned(
                    format!("learn {MANY} more cycles"),
                    format!("再学习 {MANY} 个周期"),
                ),
                long: true,
            },
        ]
    }

    fn act(&mut self, action: &str) -> Result<(), ModelError> {
        self.work(action, &mut crate::work::unwatched)
    }

    fn work(&mut self, action: &str, progress: Report<'_>) -> Result<(), ModelError> {
        let (total, until) = match action {
            "until_complete" => (UNTIL_LIMIT, true),
            "many_cycles" => (MANY, false),
            other => return Err(ModelError::no_action(other)),
        };
        let all = self.patterns();
        for done in 1..=total {
            self.learning_cycle();
            if until && self.completed() == Some(all) {
                break;
            }
            let note = format!(
                "cycle {}: {} of {all} completed",
                self.cycles,
                self.completed().unwrap_or(0)
            );
            if progress(&Progress::new(done as usize, total as usize, note)) == Flow::Stop {
                break;
            }
        }
        Ok(())
    }

    fn retune(&mut self, params: &Params) -> Result<(), ModelError> {
        self.increment = params.float("increment");
        self.params = params.clone();
        Ok(())
    }

    fn status(&self) -> Option<Status> {
        let c = self.completed()?;
        let p = self.patterns();
        Some(Status {
            level: StatusLevel::Info,
            text: Bilingual::owned(
                format!(
                    "after {} learning cycle{}: {c} of {p} patterns completed from their input half",
                    self.cycles,
                    if self.cycles == 1 { "" } else { "s" }
                ),
                format!(
                    "{} 个学习周期后：{p} 个模式中有 {c} 个能由输入的一半补全",
                    self.cycles
                ),
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// Three units, all connected.
    fn three_units() -> Machine {
        let mut m = Machine::new(Array2::from_shape_fn((3, 3), |(i, j)| i != j));
        m.w = array![[0.0, 1.3, -0.9], [1.3, 0.0, 0.6], [-0.9, 0.6, 0.0]];
        m.b = array![-0.4, 0.2, 0.5];
        m
    }

    fn state(s: usize, n: usize) -> Array1<f64> {
        Array1::from_shape_fn(n, |i| ((s >> i) & 1) as f64)
    }

    /// The Boltzmann distribution at T, by enumerating the 2ⁿ states.
    fn exact(m: &Machine, t: f64) -> Vec<f64> {
        let n = m.units();
        let weights: Vec<f64> = (0..1 << n)
            .map(|s| (-m.energy(state(s, n).view()) / t).exp())
            .collect();
        let z: f64 = weights.iter().sum();
        weights.iter().map(|w| w / z).collect()
    }

    fn chi_square(counts: &[usize], p: &[f64]) -> f64 {
        let total: usize = counts.iter().sum();
        counts
            .iter()
            .zip(p)
            .map(|(&o, &p)| {
                let e = p * total as f64;
                (o as f64 - e).powi(2) / e
            })
            .sum()
    }

    #[test]
    fn the_energy_gap_is_the_difference_of_energies() {
        let m = three_units();
        for s in 0..8 {
            for k in 0..3 {
                let mut on = state(s, 3);
                on[k] = 1.0;
                let mut off = on.clone();
                off[k] = 0.0;
                let gap = m.energy(off.view()) - m.energy(on.view());
                assert!((gap - m.energy_gap(on.view(), k)).abs() < 1e-12);
                // ΔE_k does not depend on s_k itself (no self-connection).
                assert!((m.energy_gap(off.view(), k) - m.energy_gap(on.view(), k)).abs() < 1e-12);
            }
        }
        // E(s) = −Σ_{i<j} w_ij s_i s_j − Σ b_i s_i, term by term.
        let s = array![1.0, 1.0, 1.0];
        assert!((m.energy(s.view()) - (-(1.3 - 0.9 + 0.6) - (-0.4 + 0.2 + 0.5))).abs() < 1e-12);
    }

    /// The sampler visits each of the 8 states of three units as often as
    /// e^(−E/T)/Z says: a chi-square statistic on 7 degrees of freedom under
    /// 30 (p ≈ 1e-4), while the same counts against the distribution at
    /// another temperature give a statistic far above it.
    #[test]
    fn gibbs_sampling_meets_the_boltzmann_distribution_on_three_units() {
        let m = three_units();
        let t = 1.5;
        let mut rng = StdRng::seed_from_u64(11);
        let mut s = Array1::zeros(3);
        let free = [0, 1, 2];
        let mut counts = [0usize; 8];
        for _ in 0..200 {
            m.time_unit(&mut s, &free, t, &mut rng);
        }
        let draws = 40_000;
        for _ in 0..draws {
            // Four units of time between draws, so that they are nearly independent.
            for _ in 0..4 {
                m.time_unit(&mut s, &free, t, &mut rng);
            }
            let k = (0..3).map(|i| (s[i] as usize) << i).sum::<usize>();
            counts[k] += 1;
        }
        let right = chi_square(&counts, &exact(&m, t));
        assert!(
            right < 30.0,
            "chi-square {right} against the exact distribution: {counts:?}"
        );
        let wrong = chi_square(&counts, &exact(&m, 2.0 * t));
        assert!(wrong > 300.0, "chi-square {wrong} against T = {}", 2.0 * t);
    }

    #[test]
    fn the_rule_moves_a_weight_by_the_sign_of_the_difference() {
        let mut m = Machine::new(array![[false, true], [true, false]]);
        // Together more often when clamped: the weight and both biases rise.
        let positive = array![[0.8, 0.6], [0.6, 0.7]];
        let negative = array![[0.5, 0.2], [0.2, 0.4]];
        assert_eq!(m.learn(&positive, &negative, 2.0), 3);
        assert_eq!(m.w, array![[0.0, 2.0], [2.0, 0.0]]);
        assert_eq!(m.b, array![2.0, 2.0]);
        // Less often: they fall by the same fixed step, however small the difference.
        let negative = array![[0.9, 0.61], [0.61, 0.75]];
        m.learn(&positive, &negative, 2.0);
        assert_eq!(m.w, array![[0.0, 0.0], [0.0, 0.0]]);
        assert_eq!(m.b, array![0.0, 0.0]);
        // Units not connected never get a weight.
        let mut apart = Machine::new(array![[false, false], [false, false]]);
        apart.learn(&positive, &array![[0.0, 0.0], [0.0, 0.0]], 2.0);
        assert_eq!(apart.w, array![[0.0, 0.0], [0.0, 0.0]]);
    }

    #[test]
    fn the_encoder_connects_the_visible_groups_only_through_the_hidden_units_and_those_not_to_each_other()
     {
        let e = Encoder {
            group: 4,
            hidden: 2,
        };
        let c = e.connections();
        assert!(!c[[0, 6]] && !c[[3, 9]]);
        assert!(c[[0, 4]] && c[[5, 9]] && c[[0, 1]] && c[[6, 7]]);
        // The hidden units are not connected to one another.
        assert!(!c[[4, 5]] && !c[[5, 4]]);
        assert!((0..10).all(|i| !c[[i, i]]));
        assert_eq!(e.pattern(2), vec![0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0]);
    }

    #[test]
    fn the_same_seed_gives_the_same_learning() {
        let params = Params::defaults(params());
        let mut a = BoltzmannMachine::new(&params, 3);
        let mut b = BoltzmannMachine::new(&params, 3);
        for _ in 0..3 {
            a.learning_cycle();
            b.learning_cycle();
        }
        assert_eq!(a.machine, b.machine);
        assert_eq!(a.history, b.history);
        assert_eq!(a.history.len(), 3);
    }
}
