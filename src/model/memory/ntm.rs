//! The Neural Turing Machine: an LSTM controller with one read head and one
//! write head on a memory matrix, copying sequences of random bit vectors.
//!
//! A. Graves, G. Wayne and I. Danihelka, "Neural Turing Machines",
//! arXiv:1410.5401, 2014. The network and its backward pass are in
//! [`super::network`], the addressing in [`super::addressing`], the copy
//! task in [`super::copy_task`].
//!
//! The lab copies one sequence at a time, one time step per step, each
//! step in eight stages: the controller reads x_t and r_t-1 and emits both
//! heads' parameters; content weighting; interpolation with the previous
//! weighting; the circular shift; sharpening; the read (and the output
//! bits); the erase; the add. The weighting of both heads over the memory
//! rows is drawn as it is at each stage, the memory as it is before the
//! erase, after it and after the add, and the weightings of every step so
//! far as heat maps (time across, memory rows down), where the write head's
//! walk along the rows and the read head's walk back over them show.
//!
//! By default the NTM starts from weights trained by `nnzoo experiment
//! ntm-copy` (bundled, see the README); `weights=none` starts from random
//! weights, and a path loads a file of the same form. It can be trained
//! live (`f`, `T`).

use super::copy_task::{self, NtmTrainer, Sequence};
use super::network::{self, Ntm, Shape, State, Step};
use crate::model::view::{History, Matrix, Plot, Table, Vector};
use crate::model::{
    Action, Curve, Flow, Model, ModelError, ModelSpec, ParamKind, ParamRole, ParamSpec, ParamValue,
    Params, Progress, Report, Status, StatusLevel, View, ViewContent, Weights,
};
use crate::text::Bilingual;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::sync::{Arc, OnceLock};

/// The weights `nnzoo experiment ntm-copy --set save=...` wrote, bundled.
const TRAINED: &str = include_str!("../../../assets/weights/ntm-copy.json");

/// The bundled weights, read once.
fn trained() -> Result<Arc<Weights>, ModelError> {
    static CACHE: OnceLock<Result<Arc<Weights>, ModelError>> = OnceLock::new();
    CACHE
        .get_or_init(|| crate::model::weights::from_json(TRAINED.as_bytes()).map(Arc::new))
        .clone()
}

static STAGES: [Bilingual; 8] = [
    Bilingual::new(
        "controller: read x and r, emit the heads",
        "控制器：读入 x 与 r，给出读写头参数",
    ),
    Bilingual::new("content weighting", "内容寻址权重"),
    Bilingual::new("interpolation", "插值"),
    Bilingual::new("circular shift", "循环移位"),
    Bilingual::new("sharpening", "锐化"),
    Bilingual::new("read", "读"),
    Bilingual::new("erase", "擦除"),
    Bilingual::new("add", "添加"),
];

/// Sequences trained by `f` and `T`.
const SHORT_TRAINING: usize = 50;
const LONG_TRAINING: usize = 500;

pub fn params() -> Vec<ParamSpec> {
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
            "weights",
            "trained (bundled, from ntm-copy), none (random), or a JSON file of NTM weights",
            "trained（随附，由 ntm-copy 训练）、none（随机）或 NTM 权重的 JSON 文件",
            ParamKind::Text {
                max_len: 400,
                offered: &["trained", "none"],
            },
            ParamValue::Text("trained".into()),
        ),
        int(
            "length",
            "vectors in each sequence copied",
            "每个被复制序列的向量数",
            1,
            100,
            6,
        ),
        int(
            "rows",
            "memory rows N (with weights=none)",
            "记忆行数 N（weights=none 时）",
            3,
            256,
            32,
        ),
        int(
            "width",
            "memory width W (with weights=none)",
            "记忆宽度 W（weights=none 时）",
            1,
            64,
            8,
        ),
        int(
            "hidden",
            "controller units (with weights=none)",
            "控制器单元数（weights=none 时）",
            1,
            512,
            32,
        ),
        int(
            "batch",
            "sequences per update when training",
            "训练时每次更新的序列数",
            1,
            64,
            4,
        ),
        ParamSpec::new(
            "lr",
            "Adam's learning rate",
            "Adam 的学习率",
            ParamKind::Float {
                min: 1e-6,
                max: 1.0,
            },
            ParamValue::Float(3e-4),
        )
        .with_role(ParamRole::Live),
    ]
}

/// The bits per vector of the lab's copy task.
const BITS: usize = 8;

#[derive(Clone)]
pub struct NtmLab {
    params: Params,
    seed: u64,
    trainer: NtmTrainer,
    rng: StdRng,
    /// The sequence being copied.
    sequence: Sequence,
    /// The steps of this sequence done so far.
    done: Vec<Step>,
    /// The step under way, computed at its first stage and shown stage by
    /// stage.
    pending: Option<Step>,
    next_stage: usize,
    steps: u64,
    /// (sequences trained, loss in bits per output bit) of live training.
    losses: Vec<(f64, f64)>,
    /// Bit errors of the sequences copied in the lab: wrong, total.
    errors: (usize, usize),
    /// Where the weights came from, in words.
    origin: Bilingual,
}

impl NtmLab {
    pub fn new(params: &Params, seed: u64) -> Result<NtmLab, ModelError> {
        let mut rng = StdRng::seed_from_u64(seed);
        let source = params.text("weights").trim();
        let (ntm, origin) = match source {
            "none" => {
                let shape = Shape {
                    bits: BITS,
                    rows: params.int("rows") as usize,
                    width: params.int("width") as usize,
                    hidden: params.int("hidden") as usize,
                };
                (
                    Ntm::new(shape, &mut rng),
                    Bilingual::new("random weights", "随机权重"),
                )
            }
            "trained" | "" => (
                load(&*trained()?)?,
                Bilingual::new("bundled trained weights", "随附的训练好的权重"),
            ),
            path => {
                let weights = crate::model::weights::read(std::path::Path::new(path))?;
                (
                    load(&weights)?,
                    Bilingual::owned(
                        format!("weights from {path}"),
                        format!("来自 {path} 的权重"),
                    ),
                )
            }
        };
        let trainer = NtmTrainer::new(ntm, params.float("lr"));
        let length = params.int("length") as usize;
        let sequence = copy_task::sequence(BITS, length, &mut rng);
        Ok(NtmLab {
            params: params.clone(),
            seed,
            trainer,
            rng,
            sequence,
            done: Vec::new(),
            pending: None,
            next_stage: 0,
            steps: 0,
            losses: Vec::new(),
            errors: (0, 0),
            origin,
        })
    }

    fn ntm(&self) -> &Ntm {
        &self.trainer.network
    }

    fn shape(&self) -> Shape {
        self.trainer.network.shape
    }

    /// The state the next step starts from.
    fn state(&self) -> State {
        match self.done.last() {
            Some(step) => step.after(),
            None => State::start(&self.shape()),
        }
    }

    fn run_stage(&mut self) {
        if self.next_stage == 0 {
            if self.done.len() >= self.sequence.inputs.nrows() {
                self.finish_sequence();
            }
            let t = self.done.len();
            let x = self.sequence.inputs.row(t).to_owned();
            self.pending = Some(self.ntm().step(&self.state(), x.view()));
        }
        self.next_stage += 1;
        if self.next_stage == STAGES.len() {
            self.next_stage = 0;
            if let Some(step) = self.pending.take() {
                self.done.push(step);
            }
            self.steps += 1;
        }
    }

    /// Counts the finished sequence's bit errors and draws the next one.
    fn finish_sequence(&mut self) {
        let logits = copy_task::recall_logits::<Ntm>(&self.done, &self.sequence);
        let (wrong, total) = copy_task::bit_errors(logits.view(), self.sequence.targets.view());
        self.errors.0 += wrong;
        self.errors.1 += total;
        let length = self.params.int("length") as usize;
        self.sequence = copy_task::sequence(BITS, length, &mut self.rng);
        self.done.clear();
    }

    /// Trains `count` sequences of lengths 1 to 20, then copies afresh.
    fn train(&mut self, count: usize, progress: Report<'_>) {
        let batch = self.params.int("batch") as usize;
        let mut trained = 0;
        while trained < count {
            let n = batch.min(count - trained);
            let sequences: Vec<Sequence> = (0..n)
                .map(|_| {
                    let len = self.rng.random_range(1..=20);
                    copy_task::sequence(BITS, len, &mut self.rng)
                })
                .collect();
            let update = self.trainer.train_batch(&sequences);
            trained += n;
            self.losses
                .push((self.trainer.sequences as f64, update.bits_loss));
            let note = format!(
                "{} sequences trained: loss {:.4} bits per output bit",
                self.trainer.sequences, update.bits_loss
            );
            if progress(&Progress::new(trained, count, note)) == Flow::Stop {
                break;
            }
        }
        // The sequence under way was copied by the old weights: start again.
        self.done.clear();
        self.pending = None;
        self.next_stage = 0;
    }

    /// The step whose stages are shown: the one under way, or the last.
    fn shown(&self) -> Option<(&Step, usize)> {
        match &self.pending {
            Some(step) => Some((step, self.next_stage)),
            None => self.done.last().map(|s| (s, STAGES.len())),
        }
    }

    fn history(&self, label: Bilingual, name: &str, cols: usize, rows: Vec<Vec<f64>>) -> View {
        let values = rows.iter().flatten().map(|&v| v as f32).collect();
        View::new(
            name,
            label,
            ViewContent::History(History {
                rows: rows.len(),
                cols,
                values,
                range: (0.0, 1.0),
                first: 0,
            }),
        )
    }

    /// The weighting of each head so far, with the one under way once its
    /// sharpening is done.
    fn weightings_view(&self, read: bool) -> View {
        let pick = |s: &Step| {
            if read {
                s.read_addressing.weighting.to_vec()
            } else {
                s.write_addressing.weighting.to_vec()
            }
        };
        let mut rows: Vec<Vec<f64>> = self.done.iter().map(pick).collect();
        if let Some((step, stage)) = self.shown()
            && self.pending.is_some()
            && stage >= 5
        {
            rows.push(pick(step));
        }
        let label = if read {
            Bilingual::new(
                "read weighting over the memory rows, by time step",
                "读权重（按记忆行），逐时间步",
            )
        } else {
            Bilingual::new(
                "write weighting over the memory rows, by time step",
                "写权重（按记忆行），逐时间步",
            )
        };
        let name = if read {
            "read_weightings"
        } else {
            "write_weightings"
        };
        self.history(label, name, self.shape().rows, rows)
    }

    /// The weighting of one head as it stands after the stage just run.
    fn stage_weighting_view(&self, read: bool) -> View {
        let who = if read {
            ("read head", "读头")
        } else {
            ("write head", "写头")
        };
        let name = if read { "read_stage" } else { "write_stage" };
        let (values, what): (Vec<f32>, (&str, &str)) = match self.shown() {
            Some((step, stage)) => {
                let a = if read {
                    &step.read_addressing
                } else {
                    &step.write_addressing
                };
                let before = if read {
                    &step.before.read_weighting
                } else {
                    &step.before.write_weighting
                };
                let (v, what) = match stage {
                    0 | 1 => (before, ("previous weighting w_t-1", "上一步权重 w_t-1")),
                    2 => (&a.content, ("content weighting w_c", "内容权重 w_c")),
                    3 => (&a.interpolated, ("interpolated w_g", "插值后 w_g")),
                    4 => (&a.shifted, ("shifted w̃", "移位后 w̃")),
                    _ => (&a.weighting, ("sharpened w", "锐化后 w")),
                };
                (v.iter().map(|&x| x as f32).collect(), what)
            }
            None => (
                vec![0.0; self.shape().rows],
                ("before the first step", "第一步之前"),
            ),
        };
        View::new(
            name,
            Bilingual::owned(
                format!("{}: {}", who.0, what.0),
                format!("{}：{}", who.1, what.1),
            ),
            ViewContent::Vector(Vector {
                values,
                range: (0.0, 1.0),
                labels: Vec::new(),
            }),
        )
    }

    fn memory_view(&self) -> View {
        let shape = self.shape();
        let (memory, what) = match self.shown() {
            Some((step, stage)) if stage >= STAGES.len() => {
                (&step.memory, ("after the add", "添加之后"))
            }
            Some((step, 7)) => (&step.erased, ("after the erase", "擦除之后")),
            Some((step, _)) => (
                &step.before.memory,
                ("before this step's write", "本步写入之前"),
            ),
            None => {
                return View::new(
                    "memory",
                    Bilingual::new(
                        "memory M (rows × width): at its start",
                        "记忆 M（行 × 宽）：初始",
                    ),
                    ViewContent::Matrix(Matrix {
                        rows: shape.rows,
                        cols: shape.width,
                        values: vec![network::MEMORY_START as f32; shape.rows * shape.width],
                    }),
                )
                .whole();
            }
        };
        View::new(
            "memory",
            Bilingual::owned(
                format!("memory M (rows × width): {}", what.0),
                format!("记忆 M（行 × 宽）：{}", what.1),
            ),
            ViewContent::Matrix(Matrix {
                rows: shape.rows,
                cols: shape.width,
                values: memory.iter().map(|&v| v as f32).collect(),
            }),
        )
        .whole()
    }

    /// The heads' parameters after the controller stage.
    fn heads_view(&self) -> View {
        let header = vec![
            "".to_string(),
            "β".into(),
            "g".into(),
            "s(-1 0 +1)".into(),
            "γ".into(),
        ];
        let rows = match self.shown() {
            Some((step, stage)) if stage >= 1 => [("r", &step.read_head), ("w", &step.write_head)]
                .iter()
                .map(|(who, h)| {
                    vec![
                        who.to_string(),
                        format!("{:.2}", h.strength),
                        format!("{:.2}", h.gate),
                        format!("{:.2} {:.2} {:.2}", h.shift[0], h.shift[1], h.shift[2]),
                        format!("{:.2}", h.sharpening),
                    ]
                })
                .collect(),
            _ => Vec::new(),
        };
        View::new(
            "heads",
            Bilingual::new(
                "the heads' parameters (r read, w write)",
                "读写头参数（r 读，w 写）",
            ),
            ViewContent::Table(Table::same(header, rows, None)),
        )
    }

    fn sequence_views(&self) -> Vec<View> {
        let len = self.sequence.len();
        let inputs: Vec<Vec<f64>> = self
            .sequence
            .inputs
            .rows()
            .into_iter()
            .map(|r| r.to_vec())
            .collect();
        let targets: Vec<Vec<f64>> = self
            .sequence
            .targets
            .rows()
            .into_iter()
            .map(|r| r.to_vec())
            .collect();
        let mut outputs: Vec<Vec<f64>> = Vec::new();
        let recall = self.sequence.recall_start();
        let mut all: Vec<&Step> = self.done.iter().collect();
        if let Some((step, stage)) = self.shown()
            && self.pending.is_some()
            && stage >= 6
        {
            all.push(step);
        }
        for step in all.iter().skip(recall) {
            outputs.push(
                step.logits
                    .iter()
                    .map(|&y| 1.0 / (1.0 + (-y).exp()))
                    .collect(),
            );
        }
        vec![
            self.history(
                Bilingual::owned(
                    format!("input: {len} vectors, the delimiter, then {len} empty steps"),
                    format!("输入：{len} 个向量、分隔符，再 {len} 个空步"),
                ),
                "input",
                BITS + 1,
                inputs,
            ),
            self.history(
                Bilingual::new("target: the vectors to write back", "目标：要写回的向量"),
                "target",
                BITS,
                targets,
            ),
            self.history(
                Bilingual::new(
                    "output: P(bit = 1) while recalling",
                    "输出：回忆时 P(位 = 1)",
                ),
                "output",
                BITS,
                outputs,
            ),
        ]
    }

    fn equations_view(&self) -> View {
        let lines = vec![
            Bilingual::new(
                "1 controller: h = LSTM([x; r_t-1]); each head emits k, β, g, s, γ (the write head e, a too)",
                "1 控制器：h = LSTM([x; r_t-1])；每个头给出 k、β、g、s、γ（写头还有 e、a）",
            ),
            Bilingual::new(
                "2 w_c = softmax(β K(k, M[i])), K the cosine similarity",
                "2 w_c = softmax(β K(k, M[i]))，K 为余弦相似度",
            ),
            Bilingual::new(
                "3 w_g = g w_c + (1 - g) w_t-1",
                "3 w_g = g w_c + (1 - g) w_t-1",
            ),
            Bilingual::new(
                "4 w̃[i] = Σ_j w_g[j] s[i - j], indices mod N",
                "4 w̃[i] = Σ_j w_g[j] s[i - j]，下标模 N",
            ),
            Bilingual::new("5 w = w̃^γ / Σ w̃^γ", "5 w = w̃^γ / Σ w̃^γ"),
            Bilingual::new(
                "6 r = Mᵀ w_read; output y = σ(W [h; r])",
                "6 r = Mᵀ w_读；输出 y = σ(W [h; r])",
            ),
            Bilingual::new("7 M ← M ⊙ (1 - w_write eᵀ)", "7 M ← M ⊙ (1 - w_写 eᵀ)"),
            Bilingual::new("8 M ← M + w_write aᵀ", "8 M ← M + w_写 aᵀ"),
        ];
        let current = Some(self.next_stage);
        View::new(
            "stages",
            Bilingual::new("one time step, stage by stage", "一个时间步，逐阶段"),
            ViewContent::steps(lines, current),
        )
    }

    fn loss_view(&self) -> View {
        View::new(
            "loss",
            Bilingual::new(
                "live training: loss in bits per output bit",
                "现场训练：每输出位的损失（比特）",
            ),
            ViewContent::Plot(Plot {
                curves: vec![Curve {
                    label: Bilingual::new("loss", "损失"),
                    points: self.losses.clone(),
                }],
                x_label: Bilingual::new("sequences", "序列数"),
                y_label: Bilingual::new("bits", "比特"),
                x_range: None,
                y_range: None,
                marks: Vec::new(),
                now: None,
            }),
        )
    }
}

/// An NTM from a file's weights, its sizes read from their shapes.
fn load(weights: &Weights) -> Result<Ntm, ModelError> {
    let shape = Ntm::shape_of(weights)?;
    if shape.bits != BITS {
        return Err(ModelError::Weights(format!(
            "tensor `output.weight` gives {} output bits; the lab's copy task has {BITS}",
            shape.bits
        )));
    }
    Ntm::from_weights(shape, weights)
}

impl Model for NtmLab {
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
        if let Ok(fresh) = NtmLab::new(&self.params, seed) {
            *self = fresh;
        }
    }

    fn stage_count(&self) -> usize {
        STAGES.len()
    }

    fn stage_label(&self, index: usize) -> Bilingual {
        STAGES[index.min(STAGES.len() - 1)].clone()
    }

    fn next_stage(&self) -> usize {
        self.next_stage
    }

    fn steps_done(&self) -> u64 {
        self.steps
    }

    fn stage(&mut self) {
        self.run_stage();
    }

    fn views(&self) -> Vec<View> {
        let mut views = self.sequence_views();
        views.push(self.stage_weighting_view(false));
        views.push(self.stage_weighting_view(true));
        views.push(self.memory_view());
        views.push(self.weightings_view(false));
        views.push(self.weightings_view(true));
        views.push(self.heads_view());
        views.push(self.equations_view());
        views.push(self.loss_view());
        views
    }

    fn actions(&self) -> Vec<Action> {
        vec![
            Action {
                name: "train_short",
                key: 'f',
                label: Bilingual::new("train 50 sequences", "训练 50 个序列"),
                long: true,
            },
            Action {
                name: "train_long",
                key: 'T',
                label: Bilingual::new("train 500 sequences", "训练 500 个序列"),
                long: true,
            },
        ]
    }

    fn act(&mut self, action: &str) -> Result<(), ModelError> {
        self.work(action, &mut crate::work::unwatched)
    }

    fn work(&mut self, action: &str, progress: Report<'_>) -> Result<(), ModelError> {
        match action {
            "train_short" => self.train(SHORT_TRAINING, progress),
            "train_long" => self.train(LONG_TRAINING, progress),
            other => return Err(ModelError::no_action(other)),
        }
        Ok(())
    }

    fn load_weights(&mut self, weights: &Weights) -> Result<(), ModelError> {
        let ntm = load(weights)?;
        let lr = self.params.float("lr");
        self.trainer = NtmTrainer::new(ntm, lr);
        self.done.clear();
        self.pending = None;
        self.next_stage = 0;
        self.origin = Bilingual::new("weights loaded from a file", "从文件读入的权重");
        Ok(())
    }

    fn retune(&mut self, params: &Params) -> Result<(), ModelError> {
        self.trainer.adam.lr = params.float("lr");
        self.params = params.clone();
        Ok(())
    }

    fn status(&self) -> Option<Status> {
        let shape = self.shape();
        let t = self.done.len();
        let total = self.sequence.inputs.nrows();
        let (wrong, bits) = self.errors;
        let rate = if bits > 0 {
            format!("{:.4}", wrong as f64 / bits as f64)
        } else {
            "…".into()
        };
        Some(Status {
            level: StatusLevel::Info,
            text: Bilingual::owned(
                format!(
                    "{}; memory {} x {}, controller {}; step {t} of {total}; bit errors over the sequences copied: {rate}",
                    self.origin.en, shape.rows, shape.width, shape.hidden
                ),
                format!(
                    "{}；记忆 {} x {}，控制器 {}；第 {t} 步，共 {total} 步；已复制序列的误码率：{rate}",
                    self.origin.zh, shape.rows, shape.width, shape.hidden
                ),
            ),
        })
    }
}

fn build(params: &Params, seed: u64) -> Result<Box<dyn Model>, ModelError> {
    Ok(Box::new(NtmLab::new(params, seed)?))
}

/// The sizes a file of NTM weights fixes.
fn params_from_weights(weights: &Weights) -> Result<Vec<(&'static str, ParamValue)>, ModelError> {
    let shape = Ntm::shape_of(weights)?;
    Ok(vec![
        ("rows", ParamValue::Int(shape.rows as i64)),
        ("width", ParamValue::Int(shape.width as i64)),
        ("hidden", ParamValue::Int(shape.hidden as i64)),
    ])
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "ntm",
    name: Bilingual::new("Neural Turing Machine", "神经图灵机"),
    params,
    build,
    params_from_weights: Some(params_from_weights),
};
