//! What the NTM's lab and the DNC's lab share: one sequence of the copy
//! task copied a time step at a time, each step shown stage by stage, the
//! bit errors of the sequences copied counted, and live training.
//!
//! [`CopyLab`] runs the steps, trains, loads weights and answers for the
//! lab as a [`Model`]; each network says through [`LabNetwork`] how its
//! step is staged and drawn (see [`super::ntm`] and [`super::dnc`]).

use super::copy_task::{self, MemoryNetwork, Sequence, Trainer};
use crate::model::view::{History, Plot};
use crate::model::{
    Action, Curve, Flow, Model, ModelError, ParamKind, ParamRole, ParamSpec, ParamValue, Params,
    Progress, Report, Status, StatusLevel, View, ViewContent, Weights,
};
use crate::text::Bilingual;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::sync::{Arc, OnceLock};

/// The bits per vector of the lab's copy task.
pub const BITS: usize = 8;

/// Sequences trained by `f` and `T`.
const SHORT_TRAINING: usize = 50;
const LONG_TRAINING: usize = 500;

/// A network the copy-task lab shows: the NTM and the DNC.
pub trait LabNetwork: MemoryNetwork<Step: Clone + Send> + Clone + Send + Sized + 'static {
    /// The stages of one time step.
    fn stages() -> &'static [Bilingual];
    /// The longest sequence live training draws.
    const TRAIN_MAX: usize;
    /// The bundled trained weights.
    fn trained() -> Result<Arc<Weights>, ModelError>;
    /// The network's sizes in words, for the status line.
    fn sizes(&self) -> Bilingual;
    /// The lab's views.
    fn views(lab: &CopyLab<Self>) -> Vec<View>;
}

/// Bundled weights (`json`), read once into `cache`.
pub fn bundled(
    cache: &'static OnceLock<Result<Arc<Weights>, ModelError>>,
    json: &'static str,
) -> Result<Arc<Weights>, ModelError> {
    cache
        .get_or_init(|| crate::model::weights::from_json(json.as_bytes()).map(Arc::new))
        .clone()
}

/// A network from a file's weights, its sizes read from their shapes; its
/// output must give [`BITS`] bits.
fn load<N: MemoryNetwork>(weights: &Weights) -> Result<N, ModelError> {
    let shape = N::shape_of(weights)?;
    let bits = N::bits(&shape);
    if bits != BITS {
        return Err(ModelError::Weights(format!(
            "tensor `output.weight` gives {bits} output bits; the lab's copy task has {BITS}"
        )));
    }
    N::from_weights(shape, weights)
}

/// Defaults of a lab's parameters, each network's own.
pub struct Defaults {
    pub rows: i64,
    pub width: i64,
    pub hidden: i64,
    pub batch: i64,
    pub lr: f64,
}

/// A whole-number parameter.
pub fn int(
    name: &'static str,
    en: &'static str,
    zh: &'static str,
    min: i64,
    max: i64,
    default: i64,
) -> ParamSpec {
    ParamSpec::new(
        name,
        en,
        zh,
        ParamKind::Int { min, max },
        ParamValue::Int(default),
    )
}

/// The parameters of a copy-task lab: `weights` (its help, in English and
/// Chinese, naming the network), the length copied, the memory's and the
/// controller's sizes, `more` sizes of the network's own, the batch and the
/// learning rate.
pub fn params(
    weights: (&'static str, &'static str),
    defaults: Defaults,
    more: Vec<ParamSpec>,
) -> Vec<ParamSpec> {
    let mut params = vec![
        ParamSpec::new(
            "weights",
            weights.0,
            weights.1,
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
            defaults.rows,
        ),
        int(
            "width",
            "memory width W (with weights=none)",
            "记忆宽度 W（weights=none 时）",
            1,
            64,
            defaults.width,
        ),
        int(
            "hidden",
            "controller units (with weights=none)",
            "控制器单元数（weights=none 时）",
            1,
            512,
            defaults.hidden,
        ),
    ];
    params.extend(more);
    params.extend([
        int(
            "batch",
            "sequences per update when training",
            "训练时每次更新的序列数",
            1,
            64,
            defaults.batch,
        ),
        ParamSpec::new(
            "lr",
            "Adam's learning rate",
            "Adam 的学习率",
            ParamKind::Float {
                min: 1e-6,
                max: 1.0,
            },
            ParamValue::Float(defaults.lr),
        )
        .with_role(ParamRole::Live),
    ]);
    params
}

/// The lab of a network with an external memory on the copy task.
#[derive(Clone)]
pub struct CopyLab<N: LabNetwork> {
    params: Params,
    seed: u64,
    trainer: Trainer<N>,
    rng: StdRng,
    /// The sequence being copied.
    pub sequence: Sequence,
    /// The steps of this sequence done so far.
    pub done: Vec<N::Step>,
    /// The step under way, computed at its first stage and shown stage by
    /// stage.
    pub pending: Option<N::Step>,
    pub next_stage: usize,
    steps: u64,
    /// (sequences trained, loss in bits per output bit) of live training.
    losses: Vec<(f64, f64)>,
    /// Bit errors of the sequences copied in the lab: wrong, total.
    errors: (usize, usize),
    /// Where the weights came from, in words.
    origin: Bilingual,
}

impl<N: LabNetwork> CopyLab<N> {
    pub fn new(params: &Params, seed: u64) -> Result<CopyLab<N>, ModelError> {
        let mut rng = StdRng::seed_from_u64(seed);
        let source = params.text("weights").trim();
        let (network, origin) = match source {
            "none" => (
                N::new(N::shape_from(params, BITS), &mut rng),
                Bilingual::new("random weights", "随机权重"),
            ),
            "trained" | "" => (
                load(&*N::trained()?)?,
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
        let trainer = Trainer::new(network, params.float("lr"));
        let length = params.int("length") as usize;
        let sequence = copy_task::sequence(BITS, length, &mut rng);
        Ok(CopyLab {
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

    pub fn network(&self) -> &N {
        &self.trainer.network
    }

    /// The state the next step starts from.
    fn state(&self) -> N::State {
        match self.done.last() {
            Some(step) => N::after(step),
            None => self.network().start(),
        }
    }

    fn run_stage(&mut self) {
        if self.next_stage == 0 {
            if self.done.len() >= self.sequence.inputs.nrows() {
                self.finish_sequence();
            }
            let t = self.done.len();
            let x = self.sequence.inputs.row(t).to_owned();
            self.pending = Some(self.network().step(&self.state(), x.view()));
        }
        self.next_stage += 1;
        if self.next_stage == N::stages().len() {
            self.next_stage = 0;
            if let Some(step) = self.pending.take() {
                self.done.push(step);
            }
            self.steps += 1;
        }
    }

    /// Counts the finished sequence's bit errors and draws the next one.
    fn finish_sequence(&mut self) {
        let logits = copy_task::recall_logits::<N>(&self.done, &self.sequence);
        let (wrong, total) = copy_task::bit_errors(logits.view(), self.sequence.targets.view());
        self.errors.0 += wrong;
        self.errors.1 += total;
        let length = self.params.int("length") as usize;
        self.sequence = copy_task::sequence(BITS, length, &mut self.rng);
        self.done.clear();
    }

    /// Trains `count` sequences of lengths 1 to [`LabNetwork::TRAIN_MAX`],
    /// then copies afresh.
    fn train(&mut self, count: usize, progress: Report<'_>) {
        let batch = self.params.int("batch") as usize;
        let mut trained = 0;
        while trained < count {
            let n = batch.min(count - trained);
            let sequences: Vec<Sequence> = (0..n)
                .map(|_| {
                    let len = self.rng.random_range(1..=N::TRAIN_MAX);
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

    /// The step whose stages are shown and how many of its stages are
    /// done: the one under way, or the last one, whole.
    pub fn shown(&self) -> Option<(&N::Step, usize)> {
        match &self.pending {
            Some(step) => Some((step, self.next_stage)),
            None => self.done.last().map(|s| (s, N::stages().len())),
        }
    }

    /// The steps whose weightings are drawn: those done, and the one under
    /// way once `after` of its stages are.
    pub fn steps_drawn(&self, after: usize) -> Vec<&N::Step> {
        let mut all: Vec<&N::Step> = self.done.iter().collect();
        if let Some(step) = &self.pending
            && self.next_stage > after
        {
            all.push(step);
        }
        all
    }

    /// The input, the target and the output so far; the output of a step
    /// is drawn once `read` of its stages are done.
    pub fn sequence_views(&self, read: usize) -> Vec<View> {
        let len = self.sequence.len();
        let rows = |m: &ndarray::Array2<f64>| -> Vec<Vec<f64>> {
            m.rows().into_iter().map(|r| r.to_vec()).collect()
        };
        let recall = self.sequence.recall_start();
        let outputs: Vec<Vec<f64>> = self
            .steps_drawn(read)
            .iter()
            .skip(recall)
            .map(|step| {
                N::logits(step)
                    .iter()
                    .map(|&y| super::network::sigmoid(y))
                    .collect()
            })
            .collect();
        vec![
            history(
                Bilingual::owned(
                    format!("input: {len} vectors, the delimiter, then {len} empty steps"),
                    format!("输入：{len} 个向量、分隔符，再 {len} 个空步"),
                ),
                "input",
                BITS + 1,
                rows(&self.sequence.inputs),
            ),
            history(
                Bilingual::new("target: the vectors to write back", "目标：要写回的向量"),
                "target",
                BITS,
                rows(&self.sequence.targets),
            ),
            history(
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

    pub fn loss_view(&self) -> View {
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

/// Rows of values in [0, 1] drawn as a heat map, one row a time step.
pub fn history(label: Bilingual, name: &str, cols: usize, rows: Vec<Vec<f64>>) -> View {
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

impl<N: LabNetwork> Model for CopyLab<N> {
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
        if let Ok(fresh) = CopyLab::new(&self.params, seed) {
            *self = fresh;
        }
    }

    fn stage_count(&self) -> usize {
        N::stages().len()
    }

    fn stage_label(&self, index: usize) -> Bilingual {
        let stages = N::stages();
        stages[index.min(stages.len() - 1)].clone()
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
        N::views(self)
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
        let network = load(weights)?;
        let lr = self.params.float("lr");
        self.trainer = Trainer::new(network, lr);
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
        let sizes = self.network().sizes();
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
                    "{}; {}; step {t} of {total}; bit errors over the sequences copied: {rate}",
                    self.origin.en, sizes.en
                ),
                format!(
                    "{}；{}；第 {t} 步，共 {total} 步；已复制序列的误码率：{rate}",
                    self.origin.zh, sizes.zh
                ),
            ),
        })
    }
}
