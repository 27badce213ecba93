//! Hopfield network: an associative memory of binary pictures, and the
//! model the lab and `nnzoo run hopfield` drive.
//!
//! J. J. Hopfield, "Neural networks and physical systems with emergent
//! collective computational abilities", PNAS 79 (8): 2554–2558, 1982.
//!
//! N binary units s_i = ±1 store P patterns ξ^μ in symmetric weights with a
//! zero diagonal, either by Hebb's rule W = (1/N) Σ_μ ξ^μ ξ^μᵀ or by the
//! projection (pseudo-inverse) rule W = Ξ (ΞᵀΞ)⁻¹ Ξᵀ (Personnaz, Guyon and
//! Dreyfus 1985; Kanter and Sompolinsky 1987), which stores correlated
//! pictures such as letters exactly. A neuron takes the sign of its local
//! field h_i = Σ_j W_ij s_j; updated one at a time the energy never rises and
//! a probe near a stored pattern falls back into it.
//!
//! - [`rules`]: storing the patterns (Hebb's rule, the projection rule);
//! - [`dynamics`]: the network's state, its overlaps and its updates;
//! - [`random`]: random patterns, probes, orders and seeds;
//! - `status`: what the state is, in words; `views`: what the lab shows;
//! - here: the parameters, the model and its actions.

pub mod dynamics;
pub mod random;
pub mod rules;
mod status;
mod views;

pub use dynamics::Network;
pub use random::{flip_random, random_patterns, shuffled_order, splitmix};
pub use rules::{Memory, Rule};

use super::patterns::{self, Limits};
use crate::model::energy::capacity::{self, CapacityConfig, CapacityPoint};
use crate::model::{
    Action, Model, ModelError, ModelSpec, ParamKind, ParamRole, ParamSpec, ParamValue, Params,
    Report, Status, View,
};
use crate::text::Bilingual;
use ndarray::Array1;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use random::stream;
use std::path::Path;

/// Fewest neurons a network may have.
pub const MIN_NEURONS: usize = 16;
/// Most neurons a network may have (a 256x256 picture).
pub const MAX_NEURONS: usize = 65536;
/// Most patterns a network may store.
pub const MAX_PATTERNS: usize = 4000;
/// Most stored values N·P (64 MiB of ±1 bytes).
pub const MAX_WEIGHTS: usize = 1 << 26;
/// Most patterns the projection rule takes (it inverts a P×P matrix).
pub const MAX_PROJECTION_PATTERNS: usize = 1000;
/// Most work N·P² the projection rule may take to build (about a second).
pub const MAX_PROJECTION_WORK: u64 = 1 << 31;

/// Energy values kept for the energy-over-time view.
const ENERGY_HISTORY: usize = 4096;

/// Which neurons change in one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Update {
    /// One at a time in a random order; a step is one sweep over all N.
    Async,
    /// All at once from the same old state.
    Sync,
}

/// The model's parameters.
pub fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec {
            name: "set",
            label: Bilingual::new("pattern set", "模式集"),
            help: Bilingual::new(
                "`random` for random ±1 patterns, a built-in set (`letters`, `digits`), or the path of a pattern file",
                "`random` 为随机 ±1 模式，或内置模式集（`letters`、`digits`），或模式文件的路径",
            ),
            kind: ParamKind::Text {
                max_len: 4096,
                offered: &["letters", "digits", "random"],
            },
            default: ParamValue::Text("letters".into()),
            role: ParamRole::Structure,
        },
        ParamSpec {
            name: "n",
            label: Bilingual::new("neurons N", "神经元数 N"),
            help: Bilingual::new(
                "number of neurons for random patterns (a set's pictures give their own size)",
                "随机模式的神经元数（模式集按其图片大小）",
            ),
            kind: ParamKind::Int {
                min: MIN_NEURONS as i64,
                max: MAX_NEURONS as i64,
            },
            default: ParamValue::Int(400),
            role: ParamRole::Structure,
        },
        ParamSpec {
            name: "patterns",
            label: Bilingual::new("patterns P", "模式数 P"),
            help: Bilingual::new(
                "how many random patterns to store; for a set, store its first P pictures",
                "存储多少个随机模式；对模式集，存储其前 P 个图片",
            ),
            kind: ParamKind::Int {
                min: 1,
                max: MAX_PATTERNS as i64,
            },
            default: ParamValue::Int(20),
            role: ParamRole::Structure,
        },
        ParamSpec {
            name: "target",
            label: Bilingual::new("target pattern", "目标模式"),
            help: Bilingual::new(
                "index of the stored pattern the probe is made from",
                "用来制作探针的存储模式的序号",
            ),
            kind: ParamKind::Int {
                min: 0,
                max: MAX_PATTERNS as i64 - 1,
            },
            default: ParamValue::Int(0),
            role: ParamRole::InputSource,
        },
        ParamSpec {
            name: "noise",
            label: Bilingual::new("noise", "噪声"),
            help: Bilingual::new(
                "fraction of the target's pixels flipped to make the probe",
                "制作探针时翻转目标像素的比例",
            ),
            kind: ParamKind::Float { min: 0.0, max: 1.0 },
            default: ParamValue::Float(0.1),
            role: ParamRole::Structure,
        },
        ParamSpec {
            name: "rule",
            label: Bilingual::new("storage rule", "存储规则"),
            help: Bilingual::new(
                "hebbian: W = (1/N) Σ ξξᵀ; projection: W = Ξ(ΞᵀΞ)⁻¹Ξᵀ, stores correlated pictures",
                "hebbian：W = (1/N) Σ ξξᵀ；projection（伪逆）：W = Ξ(ΞᵀΞ)⁻¹Ξᵀ，能存相关的图片",
            ),
            kind: ParamKind::Choice(&["hebbian", "projection"]),
            default: ParamValue::Choice("projection"),
            role: ParamRole::Structure,
        },
        ParamSpec {
            name: "update",
            label: Bilingual::new("update", "更新方式"),
            help: Bilingual::new(
                "async: one neuron at a time in a random order (a step is one sweep); sync: all at once",
                "async：按随机顺序逐个更新（一步为一轮）；sync：全部同时更新",
            ),
            kind: ParamKind::Choice(&["async", "sync"]),
            default: ParamValue::Choice("async"),
            role: ParamRole::Structure,
        },
        ParamSpec {
            name: "temperature",
            label: Bilingual::new("temperature T", "温度 T"),
            help: Bilingual::new(
                "0 is deterministic; above 0, Glauber updates P(s=+1) = 1/(1+exp(−2h/T))",
                "0 为确定性更新；大于 0 时为 Glauber 随机更新 P(s=+1) = 1/(1+exp(−2h/T))",
            ),
            kind: ParamKind::Float {
                min: 0.0,
                max: 10.0,
            },
            default: ParamValue::Float(0.0),
            role: ParamRole::Structure,
        },
    ]
}

/// The Hopfield network in the model registry.
pub const SPEC: ModelSpec = ModelSpec {
    key: "hopfield",
    name: Bilingual::new("Hopfield network", "霍普菲尔网络"),
    params,
    build,
    params_from_weights: None,
};

fn build(params: &Params, seed: u64) -> Result<Box<dyn Model>, ModelError> {
    Ok(Box::new(Hopfield::new(params, seed)?))
}

/// Where the patterns come from.
#[derive(Debug, Clone)]
enum Source {
    /// `count` random patterns of `n` neurons, drawn from the seed.
    Random { n: usize, count: usize },
    /// Pictures from a built-in set or a file, read once.
    Set {
        width: usize,
        height: usize,
        names: Vec<String>,
        patterns: Vec<Vec<i8>>,
    },
}

/// A pattern stored after the source's, by the `random` or `store` action.
#[derive(Debug, Clone, PartialEq)]
enum Added {
    /// A random pattern, drawn from the seed's stream for added patterns.
    Random,
    /// A picture a person drew (the state when it was stored).
    Drawn(Vec<i8>),
}

/// How the current run's starting state was made.
#[derive(Debug, Clone, PartialEq)]
enum Probe {
    Noise {
        flipped: usize,
    },
    Blanked,
    Mixture([usize; 3]),
    Drawn,
    /// A clean picture, every pixel off, to draw on.
    Cleared,
    /// The state a run was in when a pattern was added.
    Kept,
}

/// The lab's Hopfield network: stored pictures, a probe and its recall.
#[derive(Clone)]
pub struct Hopfield {
    params: Params,
    seed: u64,
    source: Source,
    rule: Rule,
    update: Update,
    temperature: f64,
    noise: f64,
    /// Patterns stored on top of the source, in the order they were added.
    added: Vec<Added>,
    width: usize,
    height: usize,
    names: Vec<String>,
    net: Network,
    target: usize,
    target_pattern: Vec<i8>,
    gallery_start: usize,
    gallery: Vec<Vec<f32>>,
    rng: StdRng,
    order: Vec<u32>,
    next: usize,
    steps: u64,
    flips_in_sweep: usize,
    last_flips: Option<usize>,
    last_change: u64,
    energy_trace: Vec<f64>,
    probe: Probe,
    /// s(t−2) for synchronous updates, to catch two-cycles.
    two_back: Option<Array1<i8>>,
    two_cycle_since: Option<u64>,
    last_field: Option<(usize, f64)>,
    /// The neuron the last change updated, when that change was one stage
    /// (one neuron) of an asynchronous sweep.
    last_staged: Option<usize>,
    capacity: Option<(CapacityConfig, Vec<CapacityPoint>)>,
    note: Option<String>,
}

/// The limits pattern files must fit.
pub const LIMITS: Limits = Limits {
    min_pixels: MIN_NEURONS,
    max_pixels: MAX_NEURONS,
    max_patterns: MAX_PATTERNS,
};

const PATTERN_STREAM: u64 = 1;
const EXTRA_STREAM: u64 = 2;
const DYNAMICS_STREAM: u64 = 3;

impl Hopfield {
    /// Builds the network from valid parameters and a seed.
    pub fn new(params: &Params, seed: u64) -> Result<Hopfield, ModelError> {
        let mut params = params.clone();
        let set = params.text("set").trim().to_string();
        let count = params.int("patterns") as usize;
        let source = match set.as_str() {
            "" | "random" => Source::Random {
                n: params.int("n") as usize,
                count,
            },
            name => {
                let loaded = match patterns::built_in(name, LIMITS) {
                    Some(result) => result,
                    None => patterns::load(Path::new(name), LIMITS),
                }
                .map_err(|e| ModelError::Invalid(e.message()))?;
                let keep = count.min(loaded.patterns.len());
                // The parameters say what is in force: a set's pictures
                // give N, and P is what the set could give.
                params.set("n", &(loaded.width * loaded.height).to_string())?;
                params.set("patterns", &keep.to_string())?;
                Source::Set {
                    width: loaded.width,
                    height: loaded.height,
                    names: loaded.names[..keep].to_vec(),
                    patterns: loaded.patterns[..keep].to_vec(),
                }
            }
        };
        let rule = match params.choice("rule") {
            "projection" => Rule::Projection,
            _ => Rule::Hebbian,
        };
        let update = match params.choice("update") {
            "sync" => Update::Sync,
            _ => Update::Async,
        };
        let (temperature, noise) = (params.float("temperature"), params.float("noise"));
        let target = params.int("target") as usize;
        Hopfield::assemble(
            params,
            seed,
            source,
            rule,
            update,
            temperature,
            noise,
            target,
            Vec::new(),
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn assemble(
        params: Params,
        seed: u64,
        source: Source,
        rule: Rule,
        update: Update,
        temperature: f64,
        noise: f64,
        target: usize,
        added: Vec<Added>,
    ) -> Result<Hopfield, ModelError> {
        let (width, height, mut names, mut stored) = match &source {
            Source::Random { n, count } => {
                if n * count > MAX_WEIGHTS {
                    return Err(ModelError::Invalid(Bilingual::owned(
                        format!(
                            "{n} neurons x {count} patterns = {} values: at most {MAX_WEIGHTS} (N·P) fit in memory",
                            n * count
                        ),
                        format!(
                            "{n} 个神经元 x {count} 个模式 = {} 个值：内存里最多放 {MAX_WEIGHTS} 个 (N·P)",
                            n * count
                        ),
                    )));
                }
                let width = (*n as f64).sqrt().ceil() as usize;
                let height = n.div_ceil(width);
                let stored = random_patterns(&mut stream(seed, PATTERN_STREAM), *n, *count);
                (
                    width,
                    height,
                    (0..*count).map(|k| k.to_string()).collect::<Vec<_>>(),
                    stored,
                )
            }
            Source::Set {
                width,
                height,
                names,
                patterns,
            } => (*width, *height, names.clone(), patterns.clone()),
        };
        let n = stored[0].len();
        let mut extra_rng = stream(seed, EXTRA_STREAM);
        for add in &added {
            names.push(stored.len().to_string());
            match add {
                Added::Random => stored.extend(random_patterns(&mut extra_rng, n, 1)),
                Added::Drawn(picture) => stored.push(picture.clone()),
            }
        }
        if target >= stored.len() {
            return Err(ModelError::Invalid(Bilingual::owned(
                format!(
                    "target {target}, but only {} {} stored (0 to {})",
                    crate::text::count(stored.len() as u64, "pattern", "patterns"),
                    if stored.len() == 1 { "is" } else { "are" },
                    stored.len() - 1
                ),
                format!(
                    "目标 {target}，但只存了 {} 个模式（0 到 {}）",
                    stored.len(),
                    stored.len() - 1
                ),
            )));
        }
        let memory = Memory::new(rule, &stored)?;
        let mut rng = stream(seed, DYNAMICS_STREAM);
        let target_pattern = stored[target].clone();
        let flipped = (noise * n as f64).round() as usize;
        let probe = flip_random(&mut rng, &target_pattern, flipped);
        let net = Network::new(memory, &probe)?;
        let mut model = Hopfield {
            params,
            seed,
            source,
            rule,
            update,
            temperature,
            noise,
            added,
            width,
            height,
            names,
            net,
            target,
            target_pattern,
            gallery_start: 0,
            gallery: Vec::new(),
            rng,
            order: Vec::new(),
            next: 0,
            steps: 0,
            flips_in_sweep: 0,
            last_flips: None,
            last_change: 0,
            energy_trace: Vec::new(),
            probe: Probe::Noise { flipped },
            two_back: None,
            two_cycle_since: None,
            last_field: None,
            last_staged: None,
            capacity: None,
            note: None,
        };
        model.refresh_gallery();
        model.restart(Probe::Noise { flipped });
        Ok(model)
    }

    /// The network being run.
    pub fn network(&self) -> &Network {
        &self.net
    }

    fn n(&self) -> usize {
        self.net.memory.n
    }

    fn p(&self) -> usize {
        self.net.memory.p
    }

    /// Starts a new run from the current state.
    fn restart(&mut self, probe: Probe) {
        self.probe = probe;
        self.steps = 0;
        self.next = 0;
        self.flips_in_sweep = 0;
        self.last_flips = None;
        self.last_change = 0;
        self.energy_trace = vec![self.net.energy()];
        self.two_back = None;
        self.two_cycle_since = None;
        self.last_field = None;
        self.last_staged = None;
        let n = self.n();
        self.order = shuffled_order(&mut self.rng, n);
    }

    fn finish_sweep(&mut self, flips: usize) {
        self.steps += 1;
        if flips > 0 {
            self.last_change = self.steps;
        }
        self.last_flips = Some(flips);
        self.flips_in_sweep = 0;
        self.next = 0;
        if self.energy_trace.len() >= ENERGY_HISTORY {
            self.energy_trace.remove(0);
        }
        self.energy_trace.push(self.net.energy());
        if self.update == Update::Async {
            self.order.shuffle(&mut self.rng);
        }
    }

    fn sync_step(&mut self) {
        let before = self.net.state.clone();
        let flips = self.net.sync_step(self.temperature, &mut self.rng);
        if flips > 0 && self.two_back.as_ref() == Some(&self.net.state) {
            if self.two_cycle_since.is_none() {
                self.two_cycle_since = Some(self.steps + 1);
            }
        } else {
            self.two_cycle_since = None;
        }
        self.two_back = Some(before);
        self.finish_sweep(flips);
    }

    /// Stores one more pattern, keeping the state as it is.
    fn store(&mut self, add: Added) -> Result<(), ModelError> {
        let mut added = self.added.clone();
        added.push(add);
        let rebuilt = Hopfield::assemble(
            self.params.clone(),
            self.seed,
            self.source.clone(),
            self.rule,
            self.update,
            self.temperature,
            self.noise,
            self.target,
            added,
        )?;
        let state = self.net.state.clone();
        let capacity = self.capacity.take();
        *self = Hopfield {
            capacity,
            ..rebuilt
        };
        self.net.set_state(&state);
        self.restart(Probe::Kept);
        Ok(())
    }

    /// The capacity curve, measured on a worker while the lab goes on: about
    /// a second optimised; an unoptimised (debug) build, some fifty times
    /// slower, runs a smaller one. Its view says which. Stopped early, it
    /// keeps the loads it finished.
    fn run_capacity(&mut self, progress: Report<'_>) -> Result<(), ModelError> {
        let (neurons, trials) = if cfg!(debug_assertions) {
            (300, 3)
        } else {
            (1000, 16)
        };
        let config = CapacityConfig {
            neurons,
            alphas: capacity::default_alphas(),
            trials,
            noise: 0.0,
            seed: self.seed,
            max_sweeps: 100,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        let points = capacity::run(&config, progress)?;
        self.capacity = Some((config, points));
        Ok(())
    }
}

impl Model for Hopfield {
    fn params(&self) -> &Params {
        &self.params
    }

    fn seed(&self) -> u64 {
        self.seed
    }

    fn reset(&mut self, seed: u64) {
        match Hopfield::assemble(
            self.params.clone(),
            seed,
            self.source.clone(),
            self.rule,
            self.update,
            self.temperature,
            self.noise,
            self.target,
            self.added.clone(),
        ) {
            Ok(rebuilt) => {
                let capacity = self.capacity.take();
                *self = Hopfield {
                    capacity,
                    ..rebuilt
                };
            }
            Err(e) => self.note = Some(format!("reset with seed {seed} failed: {e}")),
        }
    }

    fn stage_count(&self) -> usize {
        match self.update {
            Update::Async => self.n(),
            Update::Sync => 1,
        }
    }

    fn stage_label(&self, index: usize) -> Bilingual {
        match self.update {
            Update::Async => match self.order.get(index) {
                Some(&i) => Bilingual::owned(format!("neuron {i}"), format!("神经元 {i}")),
                None => Bilingual::new("no such stage", "没有这个阶段"),
            },
            Update::Sync => Bilingual::new("all neurons at once", "所有神经元同时更新"),
        }
    }

    fn next_stage(&self) -> usize {
        self.next
    }

    fn steps_done(&self) -> u64 {
        self.steps
    }

    fn stage(&mut self) {
        match self.update {
            Update::Async => {
                let i = self.order[self.next] as usize;
                if self.net.update(i, self.temperature, &mut self.rng) {
                    self.flips_in_sweep += 1;
                }
                self.last_field = Some((i, self.net.field(i)));
                self.last_staged = Some(i);
                self.next += 1;
                if self.next == self.n() {
                    self.finish_sweep(self.flips_in_sweep);
                }
            }
            Update::Sync => self.sync_step(),
        }
    }

    fn step(&mut self) {
        match self.update {
            Update::Async => {
                let order = std::mem::take(&mut self.order);
                let flips = self
                    .net
                    .sweep(&order[self.next..], self.temperature, &mut self.rng);
                if let Some(&last) = order.last() {
                    let i = last as usize;
                    self.last_field = Some((i, self.net.field(i)));
                }
                self.order = order;
                self.last_staged = None;
                let total = self.flips_in_sweep + flips;
                self.finish_sweep(total);
            }
            Update::Sync => {
                self.last_staged = None;
                self.sync_step();
            }
        }
    }

    fn views(&self) -> Vec<View> {
        self.lab_views()
    }

    fn edit(&mut self, view: &str, index: usize, value: f32) -> Result<(), ModelError> {
        if view != "state" {
            return Err(ModelError::Unsupported(Bilingual::owned(
                format!("view `{view}` cannot be edited; draw on `state`"),
                format!("视图 `{view}` 不能编辑；请在 `state` 上画"),
            )));
        }
        if index >= self.n() {
            return Err(ModelError::Invalid(Bilingual::owned(
                format!("pixel {index} is outside the {} neurons", self.n()),
                format!("像素 {index} 超出了 {} 个神经元", self.n()),
            )));
        }
        if value.is_nan() || value == 0.0 {
            return Err(ModelError::Invalid(Bilingual::owned(
                format!("a pixel is set to +1 or -1, not {value}"),
                format!("像素只能设为 +1 或 -1，不能是 {value}"),
            )));
        }
        self.net.set_neuron(index, if value > 0.0 { 1 } else { -1 });
        self.restart(Probe::Drawn);
        Ok(())
    }

    fn actions(&self) -> Vec<Action> {
        vec![
            Action {
                name: "corrupt",
                key: 'c',
                long: false,
                label: Bilingual::new(
                    "corrupt the target again (flip the noise fraction)",
                    "重新破坏目标（按噪声比例翻转）",
                ),
            },
            Action {
                name: "blank",
                key: 'x',
                long: false,
                label: Bilingual::new(
                    "probe: the target with its lower half blanked",
                    "探针：目标的下半部分清空",
                ),
            },
            Action {
                name: "mixture",
                key: 'o',
                long: false,
                label: Bilingual::new(
                    "probe: a mixture of the target and the next two patterns",
                    "探针：目标与其后两个模式的混合",
                ),
            },
            Action {
                name: "store",
                key: 's',
                long: false,
                label: Bilingual::new("store the picture as a new pattern", "把当前图片存为新模式"),
            },
            Action {
                name: "clear",
                key: 'w',
                long: false,
                label: Bilingual::new("wipe the picture clean to draw on", "清空图片以便绘制"),
            },
            Action {
                name: "random",
                key: 'g',
                long: false,
                label: Bilingual::new("store one more random pattern", "再存储一个随机模式"),
            },
            Action {
                name: "capacity",
                key: 'a',
                long: true,
                label: Bilingual::new(
                    "capacity experiment: final overlap against the load α",
                    "容量实验：最终重叠随负载 α 的变化",
                ),
            },
        ]
    }

    fn act(&mut self, action: &str) -> Result<(), ModelError> {
        match action {
            "corrupt" => {
                let flipped = (self.noise * self.n() as f64).round() as usize;
                let probe = flip_random(&mut self.rng, &self.target_pattern, flipped);
                self.net.set_state(&probe);
                self.restart(Probe::Noise { flipped });
            }
            "blank" => {
                let mut probe = self.target_pattern.clone();
                let from = (self.height / 2 * self.width).min(probe.len());
                probe[from..].iter_mut().for_each(|v| *v = -1);
                self.net.set_state(&probe);
                self.restart(Probe::Blanked);
            }
            "mixture" => {
                let p = self.p();
                if p < 3 {
                    return Err(ModelError::Invalid(Bilingual::new(
                        "a mixture needs at least 3 stored patterns",
                        "混合态至少要存 3 个模式",
                    )));
                }
                let mix = [self.target, (self.target + 1) % p, (self.target + 2) % p];
                // sign(ξ¹ + ξ² + ξ³): an odd sum of ±1, never zero.
                let memory = &self.net.memory;
                let mut sum = Array1::<i32>::zeros(self.n());
                for &mu in &mix {
                    sum += &memory.pattern(mu).mapv(i32::from);
                }
                let probe = sum.mapv(|v| if v > 0 { 1i8 } else { -1 });
                self.net.set_state(&probe);
                self.restart(Probe::Mixture(mix));
            }
            "store" => {
                let picture = self.net.state().to_vec();
                if let Some(mu) =
                    (0..self.p()).find(|&mu| self.net.memory.pattern(mu) == self.net.state())
                {
                    let (en, zh) = self.called(mu);
                    return Err(ModelError::Invalid(Bilingual::owned(
                        format!("the picture is {en}, which is stored already"),
                        format!("这张图就是{zh}，已经存过了"),
                    )));
                }
                self.store(Added::Drawn(picture))?;
            }
            "clear" => {
                let blank = vec![-1i8; self.n()];
                self.net.set_state(&blank);
                self.restart(Probe::Cleared);
            }
            "random" => self.store(Added::Random)?,
            "capacity" => self.run_capacity(&mut crate::work::unwatched)?,
            other => return Err(ModelError::no_action(other)),
        }
        Ok(())
    }

    fn work(&mut self, action: &str, progress: Report<'_>) -> Result<(), ModelError> {
        match action {
            "capacity" => self.run_capacity(progress),
            other => self.act(other),
        }
    }

    fn snapshot(&self) -> Box<dyn Model> {
        Box::new(self.clone())
    }

    fn status(&self) -> Option<Status> {
        self.recall_status()
    }

    fn at_rest(&self) -> bool {
        self.resting()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Model;
    use ndarray::ArrayView1;

    /// The model with random patterns stored by Hebb's rule (the defaults
    /// are the letters by the projection rule) but for `settings`, seed 7.
    pub(super) fn model(settings: &[&str]) -> Hopfield {
        let mut params = Params::defaults(super::params());
        for s in ["set=random", "rule=hebbian"].iter().chain(settings) {
            params.assign(s).unwrap();
        }
        Hopfield::new(&params, 7).unwrap()
    }

    /// The state view's mark layers: the pixels that differ from the
    /// target, and the neuron the last stage updated.
    fn marks(m: &Hopfield) -> Vec<Vec<usize>> {
        let views = m.views();
        let state = views.iter().find(|v| v.name == "state").unwrap();
        match &state.content {
            crate::view::ViewContent::Pixels(p) => {
                p.marks.iter().map(|l| l.pixels.clone()).collect()
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_lab_opens_on_a_letter_it_recalls_and_comes_to_rest() {
        let params = Params::defaults(super::params());
        let mut m = Hopfield::new(&params, crate::tui::app::LAB_SEED).unwrap();
        // The values in force: the letters' 10x12 pictures, all 12 of them.
        assert_eq!(m.params().int("n"), 120);
        assert_eq!(m.params().int("patterns"), 12);
        assert_eq!((m.width, m.height, m.p()), (10, 12, 12));
        let text = m.status().unwrap().text.en;
        assert!(
            text == "probe: A with 12 pixels flipped; space runs until it settles",
            "{text}"
        );
        assert_eq!(marks(&m)[0].len(), 12, "the flipped pixels are marked");
        assert!(!m.at_rest());
        let mut steps = 0;
        while !m.at_rest() && steps < 10 {
            m.step();
            steps += 1;
        }
        assert_eq!(steps, 2, "one sweep recalls, the next changes nothing");
        assert_eq!(m.status().unwrap().text.en, "recalled A after 1 sweep");
        assert_eq!(m.status().unwrap().text.zh, "经过 1 轮回忆出 A");
        assert!(marks(&m)[0].is_empty());
        // Stepping on at rest changes nothing, and the sentence stays.
        let state = m.net.state().to_owned();
        m.step();
        assert_eq!(m.net.state(), state);
        assert_eq!(m.status().unwrap().text.en, "recalled A after 1 sweep");
    }

    #[test]
    fn the_default_probe_comes_back_from_any_seed() {
        // 12 of A's 120 pixels flipped at random, every seed from 1 to 100:
        // the projection rule brings A back each time.
        let params = Params::defaults(super::params());
        for seed in 1..=100 {
            let mut m = Hopfield::new(&params, seed).unwrap();
            for _ in 0..20 {
                if m.at_rest() {
                    break;
                }
                m.step();
            }
            assert!(m.at_rest(), "seed {seed}");
            assert_eq!(m.hamming(), 0, "seed {seed}: {:?}", m.status());
        }
    }

    #[test]
    fn a_stage_marks_its_neuron_and_a_warm_network_never_rests() {
        let mut m = model(&["n=100", "patterns=5", "noise=0.2"]);
        assert!(marks(&m)[1].is_empty());
        m.stage();
        let i = m.order[0] as usize;
        assert_eq!(marks(&m)[1], vec![i]);
        m.step();
        assert!(marks(&m)[1].is_empty(), "a whole step marks no neuron");
        let mut warm = model(&["n=100", "patterns=5", "temperature=0.01"]);
        for _ in 0..5 {
            warm.step();
        }
        assert!(!warm.at_rest());
    }

    #[test]
    fn a_drawn_picture_is_stored_and_kept_through_a_reset() {
        let mut m = model(&["set=letters", "rule=projection"]);
        m.act("clear").unwrap();
        assert!(m.net.state().iter().all(|&v| v == -1));
        assert!(m.status().unwrap().text.en.starts_with("a clean picture"));
        // A plus sign in the middle.
        for i in (0..12).map(|y| y * 10 + 4).chain(50..60) {
            m.edit("state", i, 1.0).unwrap();
        }
        let drawn = m.net.state().to_owned();
        m.act("store").unwrap();
        assert_eq!(m.p(), 13);
        assert_eq!(m.net.memory.pattern(12), drawn);
        assert_eq!(m.net.state(), drawn, "the picture stays");
        // Storing the same picture again is refused, saying why.
        let err = m.act("store").unwrap_err().to_string();
        assert!(err.contains("pattern 12, which is stored already"), "{err}");
        // A reset keeps what was stored, and the stored picture is stable.
        m.reset(3);
        assert_eq!(m.p(), 13);
        m.net.set_state(drawn.as_slice().unwrap());
        m.restart(Probe::Drawn);
        m.step();
        assert_eq!(m.net.state(), drawn);
        let views = m.views();
        let gallery = views.iter().find(|v| v.name == "patterns").unwrap();
        match &gallery.content {
            crate::view::ViewContent::Gallery(g) => {
                assert_eq!(g.captions.first().map(String::as_str), Some("A"));
                assert_eq!(g.captions.last().map(String::as_str), Some("12"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn target_beyond_the_stored_patterns_is_an_error() {
        let mut params = Params::defaults(super::params());
        params.assign("patterns=3").unwrap();
        params.assign("target=3").unwrap();
        let err = Hopfield::new(&params, 1).err().unwrap();
        assert!(err.to_string().contains("only 3 patterns"), "{err}");
    }

    #[test]
    fn staging_a_sweep_equals_stepping_it() {
        let mut a = model(&["n=100", "patterns=5", "noise=0.3"]);
        let mut b = model(&["n=100", "patterns=5", "noise=0.3"]);
        for _ in 0..3 {
            for _ in 0..a.stage_count() {
                a.stage();
            }
            b.step();
            assert_eq!(a.steps_done(), b.steps_done());
            assert_eq!(a.net.state(), b.net.state());
        }
    }

    #[test]
    fn actions_reshape_the_probe_and_memory() {
        let mut m = model(&["set=letters", "rule=projection", "target=2"]);
        m.act("blank").unwrap();
        let half = m.height / 2 * m.width;
        let state = m.net.state();
        assert!(state.slice(ndarray::s![half..]).iter().all(|&v| v == -1));
        assert_eq!(
            state.slice(ndarray::s![..half]),
            ArrayView1::from(&m.target_pattern[..half])
        );
        let p = m.p();
        m.act("random").unwrap();
        assert_eq!(m.p(), p + 1);
        m.reset(7);
        assert_eq!(m.p(), p + 1, "reset keeps the stored extra pattern");
        m.act("corrupt").unwrap();
        assert_eq!(m.hamming(), (0.1f64 * 120.0).round() as usize);
        assert!(m.act("fly").is_err());
    }
}
