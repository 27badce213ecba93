//! The convolutional neural network of the zoo's seed, learning the 28x28
//! digits through the seven steps.
//!
//! LeCun, Bottou, Bengio and Haffner, "Gradient-based learning applied to
//! document recognition", Proc. IEEE 86(11):2278–2324, 1998; the network is
//! the seed's smaller cousin of their LeNet-5 ([`crate::nn::lenet`]):
//!
//! ```text
//! x: B×1×28×28 digits
//! h1 = maxpool₂(relu(conv₅ₓ₅(x)))      B×6×12×12   (conv: B×6×24×24)
//! h2 = maxpool₂(relu(conv₅ₓ₅(h1)))     B×12×4×4    (conv: B×12×8×8)
//! y  = W₃ relu(W₂ relu(W₁ flatten(h2)))  192 -> 120 -> 60 -> 10 logits
//! p  = softmax(y),  guess = argmax p,  H(p) = −Σ p ln p  (0 ln 0 = 0)
//! L  = cross_entropy(y, t), mean over the batch; W ← W − η ∂L/∂W
//! ```
//!
//! One step is one minibatch, run by the shared [`Trainer`] as the seed's
//! steps 1 to 5. The forward pass (step 2) is shown row by row of the
//! seed's shape table: the whole pass is computed when step 2 begins, and
//! each of its stages then brings the next row of the table and that
//! layer's feature maps into view, so a person can follow the batch's shape
//! from 1×28×28 to 10.

use crate::data::{self, Targets};
use crate::model::feed_forward::network::training_curves;
use crate::model::view::{Gallery, Table, Vector};
use crate::model::{
    Action, Model, ModelError, ModelSpec, ParamKind, ParamRole, ParamSpec, ParamValue, Params,
    Report, Status, View, ViewContent,
};
use crate::nn::Layer;
use crate::nn::lenet::{self, LeNet};
use crate::nn::optim::Sgd;
use crate::nn::sequential::{Sequential, Unflatten};
use crate::text::Bilingual;
use crate::train::epochs;
use crate::train::{Objective, Stage, TrainConfig, Trainer, argmax};
use ndarray::{ArrayD, Axis};
use rand::SeedableRng;
use rand::rngs::StdRng;

/// Batch losses kept for the loss curve.
const LOSS_HISTORY: usize = 2000;
/// Pictures of the batch shown at most.
const BATCH_SHOWN: usize = 8;

/// A row of the seed's shape table: its words for the layer, the PyTorch
/// modules it covers, and the index in the network of the layer whose
/// output it shows (the reshape of rows into pictures is layer 0).
struct Row {
    seed: &'static str,
    modules: &'static str,
    layer: usize,
}

/// The seed's table, row by row (ReLU changes no shape and shares a row
/// with the layer before it, as in the seed).
const ROWS: [Row; 9] = [
    Row {
        seed: "Identity function",
        modules: "input",
        layer: 0,
    },
    Row {
        seed: "Convolution(5*5)",
        modules: "conv1, relu1",
        layer: 2,
    },
    Row {
        seed: "Max pooling(2*2)",
        modules: "pool1",
        layer: 3,
    },
    Row {
        seed: "Convolution(5*5)",
        modules: "conv2, relu2",
        layer: 5,
    },
    Row {
        seed: "Max pooling(2*2)",
        modules: "pool2",
        layer: 6,
    },
    Row {
        seed: "Flatten(reshape)",
        modules: "flatten",
        layer: 7,
    },
    Row {
        seed: "Linear transformation",
        modules: "fc1, relu3",
        layer: 9,
    },
    Row {
        seed: "Linear transformation",
        modules: "fc2, relu4",
        layer: 11,
    },
    Row {
        seed: "Linear transformation",
        modules: "out",
        layer: 12,
    },
];

/// The model's stages: getting the batch, one per row of the table after
/// the input (the forward pass), the loss, the gradients, the update.
const STAGES: usize = 1 + (ROWS.len() - 1) + 3;
/// The first stage after the forward pass.
const LOSS_STAGE: usize = ROWS.len();

fn specs() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "batch",
            "digits per minibatch",
            "每个小批次的数字图片数",
            ParamKind::Int { min: 1, max: 512 },
            ParamValue::Int(32),
        ),
        ParamSpec::new(
            "lr",
            "learning rate η of SGD (changes live)",
            "随机梯度下降的学习率 η（即时生效）",
            ParamKind::Float {
                min: 1e-6,
                max: 10.0,
            },
            ParamValue::Float(0.1),
        )
        .with_role(ParamRole::Live),
    ]
}

/// The seed's LeNet behind a reshape of each 784-pixel row into a 1×28×28
/// picture, so that the trainer's rows go in as they are. Its layers keep
/// LeNet's initialisation, drawn from `seed`.
pub fn network(seed: u64) -> Sequential {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut layers: Vec<Box<dyn Layer>> = vec![Box::new(Unflatten::new(&lenet::INPUT))];
    layers.extend(LeNet::new(&mut rng).into_stages());
    Sequential::from_layers(layers)
}

/// The entropy of a probability vector in nats, −Σ p ln p, the terms with
/// p = 0 left out (0 ln 0 = 0): the entropy lab's, in f32.
pub fn entropy_nats(p: &[f32]) -> f32 {
    let p: ndarray::Array1<f64> = p.iter().map(|&v| f64::from(v)).collect();
    crate::model::concepts::entropy::entropy_nats(p.view()) as f32
}

/// The seed's CNN learning the 28x28 digits.
#[derive(Clone)]
pub struct Cnn {
    params: Params,
    seed: u64,
    trainer: Trainer,
    /// The model's next stage, `0..STAGES`.
    next: usize,
    classes: Vec<Bilingual>,
    /// Loss of every minibatch so far (the last [`LOSS_HISTORY`]), with its step.
    batch_losses: Vec<(f64, f64)>,
}

impl Cnn {
    pub fn new(params: &Params, seed: u64) -> Result<Cnn, ModelError> {
        let digits = data::builtin("digits28", seed).map_err(ModelError::from)?;
        let classes = match &digits.targets {
            Targets::Classes { names, .. } => names.clone(),
            Targets::Values(_) => Vec::new(),
        };
        if digits.n_features() != 28 * 28 || classes.len() != lenet::CLASSES {
            return Err(ModelError::Invalid(Bilingual::owned(
                format!(
                    "{}: the CNN takes 28x28 pictures of {} classes, got {} values and {} classes",
                    digits.name,
                    lenet::CLASSES,
                    digits.n_features(),
                    classes.len()
                ),
                format!(
                    "{}：CNN 要 {} 类的 28x28 图片，得到的是 {} 个值、{} 类",
                    digits.name,
                    lenet::CLASSES,
                    digits.n_features(),
                    classes.len()
                ),
            )));
        }
        let (train, test) = digits.split(0.2, seed);
        let trainer = Trainer::new(
            network(seed),
            Box::new(Sgd::new(params.float("lr") as f32)),
            Objective::Classify,
            train,
            test,
            TrainConfig {
                batch_size: params.int("batch") as usize,
                seed,
                record: true,
            },
        );
        Ok(Cnn {
            params: params.clone(),
            seed,
            trainer,
            next: 0,
            classes,
            batch_losses: Vec::new(),
        })
    }

    pub fn trainer(&self) -> &Trainer {
        &self.trainer
    }

    /// How many rows of the shape table the current batch has reached
    /// (0 before any batch; all of them from the loss on).
    fn rows_reached(&self) -> usize {
        if self.trainer.minibatch().is_none() {
            return 0;
        }
        match self.next {
            0 => ROWS.len(),
            n if n <= LOSS_STAGE => n,
            _ => ROWS.len(),
        }
    }

    /// Whether the current batch's forward pass has run.
    fn forward_done(&self) -> bool {
        self.trainer.minibatch().is_some_and(|b| b.output.is_some())
    }

    /// The class's name in English (bars and tables carry one language;
    /// the plane's legend carries both).
    fn class_name(&self, class: usize) -> String {
        self.class_names(class).en.into_owned()
    }

    fn class_names(&self, class: usize) -> Bilingual {
        self.classes
            .get(class)
            .cloned()
            .unwrap_or_else(|| Bilingual::same(class.to_string()))
    }

    fn after_update(&mut self) {
        if let Some(loss) = self.trainer.minibatch().and_then(|b| b.loss) {
            if self.batch_losses.len() == LOSS_HISTORY {
                self.batch_losses.remove(0);
            }
            self.batch_losses
                .push((self.trainer.steps_done() as f64, f64::from(loss)));
        }
    }

    /// `(epoch, batch)` of the step now running or next to run, from 1.
    fn clock(&self) -> (u64, usize) {
        (self.trainer.epoch() + 1, self.trainer.batch_in_epoch() + 1)
    }

    /// The rows of the current batch (or of the next, before one is taken).
    fn batch_rows(&self) -> usize {
        self.trainer.minibatch().map_or_else(
            || {
                self.trainer
                    .batch_size()
                    .min(self.trainer.train_set().len())
            },
            |b| b.rows.len(),
        )
    }

    /// The seed's shape table for the current batch, the row the batch has
    /// reached marked.
    pub fn shape_table(&self) -> Table {
        let rows = self.batch_rows();
        let shapes = self
            .trainer
            .net()
            .output_shapes(&[rows, 28 * 28])
            .unwrap_or_default();
        let reached = self.rows_reached();
        let current = (1..=ROWS.len())
            .contains(&reached)
            .then(|| reached - 1)
            .filter(|_| self.next != 0 && self.next <= LOSS_STAGE);
        Table {
            header: vec![
                Bilingual::new("layer", "层"),
                Bilingual::new("module", "模块"),
                Bilingual::new("output shape", "输出形状"),
            ],
            rows: ROWS
                .iter()
                .map(|row| {
                    vec![
                        Bilingual::same(row.seed),
                        Bilingual::same(row.modules),
                        Bilingual::same(
                            (shapes.get(row.layer))
                                .map_or_else(|| "-".into(), |s| format!("{s:?}")),
                        ),
                    ]
                })
                .collect(),
            current,
        }
    }

    fn equations(&self) -> View {
        let (epoch, batch) = self.clock();
        let per_epoch = self.trainer.batches_per_epoch();
        let current = self.trainer.minibatch();
        let rows = self.batch_rows();
        let lr = self.trainer.learning_rate();
        let reached = self.rows_reached();
        let mut lines = vec![Bilingual::owned(
            format!(
                "epoch {epoch}, batch {batch} of {per_epoch}  ({} digits, batch size {})",
                self.trainer.train_set().len(),
                self.trainer.batch_size()
            ),
            format!(
                "第 {epoch} 个周期，第 {batch} 批（共 {per_epoch} 批；{} 张数字图片，每批 {} 张）",
                self.trainer.train_set().len(),
                self.trainer.batch_size()
            ),
        )];
        lines.push(match current {
            Some(b) => {
                let t: Vec<String> = b
                    .labels
                    .iter()
                    .take(8)
                    .map(|l| self.class_name(*l))
                    .collect();
                let more = if b.labels.len() > 8 { " ..." } else { "" };
                Bilingual::owned(
                    format!(
                        "1 get a batch:    x = [{rows}, 1, 28, 28], t = {}{more}",
                        t.join(" ")
                    ),
                    format!(
                        "1 取一个批次：    x = [{rows}, 1, 28, 28]，t = {}{more}",
                        t.join(" ")
                    ),
                )
            }
            None => Bilingual::new(
                "1 get a batch:    (x, t) = next digits of the shuffled training set",
                "1 取一个批次：    (x, t) = 打乱后的训练集的下几张数字",
            ),
        });
        lines.push(if reached >= 2 && self.forward_done() {
            let row = &ROWS[reached - 1];
            let shape = self
                .trainer
                .net()
                .output_shapes(&[rows, 28 * 28])
                .ok()
                .and_then(|s| s.get(row.layer).cloned())
                .unwrap_or_default();
            Bilingual::owned(
                format!(
                    "2 forward pass:   y = cnn(x), row {reached} of 9: {} -> {shape:?}",
                    row.modules
                ),
                format!(
                    "2 前向传播：      y = cnn(x)，形状表第 {reached} 行（共 9 行）：{} -> {shape:?}",
                    row.modules
                ),
            )
        } else {
            Bilingual::new(
                "2 forward pass:   y = cnn(x), [B,1,28,28] -> [B,10], row by row of the table",
                "2 前向传播：      y = cnn(x)，[B,1,28,28] -> [B,10]，按形状表逐行",
            )
        });
        lines.push(match current.and_then(|b| b.loss) {
            Some(loss) => {
                let right = current.and_then(|b| b.correct).unwrap_or(0);
                Bilingual::owned(
                    format!(
                        "3 loss:           L = cross_entropy(y, t) = {loss:.4}  ({right} of {rows} right)"
                    ),
                    format!(
                        "3 计算损失：      L = cross_entropy(y, t) = {loss:.4}（{rows} 个中对 {right} 个）"
                    ),
                )
            }
            None => Bilingual::new(
                "3 loss:           L = cross_entropy(y, t)",
                "3 计算损失：      L = cross_entropy(y, t)",
            ),
        });
        let stats = self.trainer.param_stats();
        let gradients_done = self.next > LOSS_STAGE + 1 || (self.next == 0 && current.is_some());
        lines.push(if gradients_done {
            let total = stats
                .iter()
                .map(|p| p.grad_norm * p.grad_norm)
                .sum::<f32>()
                .sqrt();
            Bilingual::owned(
                format!("4 gradients:      g = ∂L/∂W by backpropagation, |g| = {total:.4}"),
                format!("4 计算梯度：      g = ∂L/∂W（反向传播），|g| = {total:.4}"),
            )
        } else {
            Bilingual::new(
                "4 gradients:      g = ∂L/∂W by backpropagation",
                "4 计算梯度：      g = ∂L/∂W（反向传播）",
            )
        });
        lines.push(if self.next == 0 && current.is_some() {
            let moved = stats
                .iter()
                .filter_map(|p| p.update_norm)
                .map(|u| u * u)
                .sum::<f32>()
                .sqrt();
            Bilingual::owned(
                format!("5 update:         W ← W − η g, η = {lr}, |ΔW| = {moved:.5}"),
                format!("5 更新权重：      W ← W − η g，η = {lr}，|ΔW| = {moved:.5}"),
            )
        } else {
            Bilingual::owned(
                format!("5 update:         W ← W − η g, η = {lr}"),
                format!("5 更新权重：      W ← W − η g，η = {lr}"),
            )
        });
        lines.push(Bilingual::owned(
            format!("6 repeat 1-5 until the epoch is done: batch {batch} of {per_epoch}"),
            format!("6 重复 1-5 直到本周期结束：第 {batch} 批，共 {per_epoch} 批"),
        ));
        lines.push(match self.trainer.history().last() {
            Some(r) => {
                let acc = r.test_accuracy.unwrap_or(f64::NAN);
                Bilingual::owned(
                    format!(
                        "7 repeat epochs: {} done; test accuracy {acc:.3}, test loss {:.4}",
                        r.epoch, r.test_loss
                    ),
                    format!(
                        "7 重复多个周期：已完成 {} 个；测试准确率 {acc:.3}，测试损失 {:.4}",
                        r.epoch, r.test_loss
                    ),
                )
            }
            None => Bilingual::new(
                "7 repeat for as many epochs as needed: none done yet",
                "7 按需重复多个周期：尚未完成任何周期",
            ),
        });
        let step = match self.next {
            0 => 1,
            n if n < LOSS_STAGE => 2,
            n => n - LOSS_STAGE + 3,
        };
        View::new(
            "steps",
            Bilingual::new("the training process", "训练过程"),
            ViewContent::steps(lines, Some(step)),
        )
    }

    /// The layer's output for the batch's first digit: one picture per map
    /// (a convolution's or a pooling's), or `None` for flat layers.
    fn maps(&self, layer: usize) -> Option<(usize, usize, Vec<Vec<f32>>)> {
        let output: &ArrayD<f32> = self.trainer.net().outputs().get(layer)?;
        if output.ndim() != 4 || output.shape()[0] == 0 {
            return None;
        }
        let first = output.index_axis(Axis(0), 0);
        let (h, w) = (output.shape()[2], output.shape()[3]);
        let items = first
            .outer_iter()
            .map(|map| map.iter().copied().collect())
            .collect();
        Some((w, h, items))
    }

    /// The first digit of the batch and the feature maps of every layer it
    /// has reached.
    fn feature_map_views(&self, out: &mut Vec<View>) {
        if !self.forward_done() {
            if let Some(b) = self.trainer.minibatch() {
                out.push(self.digit_view(b.x.row(0).to_vec(), b.labels[0]));
            }
            return;
        }
        let reached = self.rows_reached();
        let label = self.trainer.minibatch().map_or(0, |b| b.labels[0]);
        for (k, row) in ROWS.iter().enumerate().take(reached.min(5)) {
            let Some((width, height, items)) = self.maps(row.layer) else {
                continue;
            };
            if k == 0 {
                out.push(self.digit_view(items[0].clone(), label));
                continue;
            }
            let hi = items.iter().flatten().fold(1e-6f32, |m, v| m.max(v.abs()));
            let shape = format!("{}x{height}x{width}", items.len());
            out.push(
                View::new(
                    format!("maps_{}", row.modules.split(',').next().unwrap_or("")),
                    Bilingual::owned(
                        format!("{} ({shape}) of the first digit", row.modules),
                        format!("第一张数字图片的 {}（{shape}）", row.modules),
                    ),
                    ViewContent::Gallery(Gallery {
                        width,
                        height,
                        captions: (0..items.len()).map(|c| c.to_string()).collect(),
                        items,
                        marked: None,
                        range: (0.0, hi),
                    }),
                )
                .untraced(),
            );
        }
    }

    fn digit_view(&self, pixels: Vec<f32>, label: usize) -> View {
        View::new(
            "digit",
            Bilingual::owned(
                format!("the batch's first digit (label {})", self.class_name(label)),
                format!("本批次第一张数字图片（标签 {}）", self.class_name(label)),
            ),
            ViewContent::Gallery(Gallery {
                width: 28,
                height: 28,
                items: vec![pixels],
                marked: None,
                captions: vec![self.class_name(label)],
                range: (0.0, 1.0),
            }),
        )
        .untraced()
    }

    /// The batch as pictures captioned "label>guess" once guessed.
    fn batch_view(&self) -> Option<View> {
        let batch = self.trainer.minibatch()?;
        let shown = batch.x.nrows().min(BATCH_SHOWN);
        let guessed = self.rows_reached() == ROWS.len();
        let captions = (0..shown)
            .map(|r| {
                let label = self.class_name(batch.labels[r]);
                match batch.output.as_ref().filter(|_| guessed) {
                    Some(y) => format!(
                        "{label}>{}",
                        self.class_name(argmax(y.row(r).iter().copied()))
                    ),
                    None => label,
                }
            })
            .collect();
        Some(
            View::new(
                "batch",
                Bilingual::new(
                    "the batch: label>network's guess",
                    "本批次：标签>网络的猜测",
                ),
                ViewContent::Gallery(Gallery {
                    width: 28,
                    height: 28,
                    items: (0..shown).map(|r| batch.x.row(r).to_vec()).collect(),
                    marked: None,
                    captions,
                    range: (0.0, 1.0),
                }),
            )
            .untraced(),
        )
    }

    /// The first digit's softmax, argmax and entropy, once the batch has
    /// reached the last row.
    fn prediction_views(&self, out: &mut Vec<View>) {
        if self.rows_reached() != ROWS.len() || !self.forward_done() {
            return;
        }
        let Some(batch) = self.trainer.minibatch() else {
            return;
        };
        let Some(y) = batch.output.as_ref() else {
            return;
        };
        let p = crate::nn::activation::softmax_rows(y.row(0).insert_axis(Axis(0)));
        let p: Vec<f32> = p.row(0).to_vec();
        let guess = argmax(p.iter().copied());
        let nats = entropy_nats(&p);
        let bits = nats / std::f32::consts::LN_2;
        let label = self.class_name(batch.labels[0]);
        let guess_name = self.class_name(guess);
        out.push(View::new(
            "probabilities",
            Bilingual::owned(
                format!(
                    "softmax(y) of the first digit (label {label}): argmax {guess_name}, entropy {nats:.3} nats = {bits:.3} bits"
                ),
                format!(
                    "第一张数字图片的 softmax(y)（标签 {label}）：argmax {guess_name}，熵 {nats:.3} 奈特 = {bits:.3} 比特"
                ),
            ),
            ViewContent::Vector(Vector {
                labels: (0..p.len()).map(|c| self.class_names(c)).collect(),
                values: p,
                range: (0.0, 1.0),
            }),
        ));
        out.push(View::new(
            "argmax",
            Bilingual::new(
                "argmax of the softmax (the guess)",
                "softmax 的 argmax（猜测）",
            ),
            ViewContent::scalar(guess as f64),
        ));
        out.push(View::new(
            "entropy",
            Bilingual::new("entropy of the softmax, nats", "softmax 的熵（奈特）"),
            ViewContent::scalar(f64::from(nats)),
        ));
    }

    /// Each parameter's shape, gradient and update in the current step.
    fn gradient_table(&self) -> View {
        let mut shapes = Vec::new();
        self.trainer
            .net()
            .visit_params(&mut |p| shapes.push(format!("{:?}", p.value.shape())));
        // The network's names are indices (`1.weight`); LeNet's are words.
        let mut names = Vec::new();
        for (layer, stage) in self.trainer.net().layers()[1..].iter().zip(lenet::STAGES) {
            layer.visit_params(&mut |p| names.push(format!("{stage}.{}", p.name)));
        }
        let stats = self.trainer.param_stats();
        let rows = shapes
            .iter()
            .enumerate()
            .map(|(k, shape)| {
                let stat = stats.get(k);
                vec![
                    names.get(k).cloned().unwrap_or_default(),
                    shape.clone(),
                    stat.map_or_else(|| "-".into(), |s| format!("{:.5}", s.grad_norm)),
                    stat.and_then(|s| s.update_norm)
                        .map_or_else(|| "-".into(), |u| format!("{u:.6}")),
                ]
                .into_iter()
                .map(Bilingual::same)
                .collect()
            })
            .collect();
        View::new(
            "gradients",
            Bilingual::new(
                "each weight tensor: |∂L/∂W| and the update |ΔW|",
                "每个权重张量：|∂L/∂W| 与更新量 |ΔW|",
            ),
            ViewContent::Table(Table {
                header: vec![
                    Bilingual::new("tensor", "张量"),
                    Bilingual::new("shape", "形状"),
                    Bilingual::same("|grad|"),
                    Bilingual::same("|update|"),
                ],
                rows,
                current: None,
            }),
        )
    }
}

impl Model for Cnn {
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
        if let Ok(fresh) = Cnn::new(&self.params, seed) {
            *self = fresh;
        }
    }

    fn stage_count(&self) -> usize {
        STAGES
    }

    fn stage_label(&self, index: usize) -> Bilingual {
        match index {
            0 => Bilingual::new("1 get a batch", "1 取一个批次"),
            n if n < LOSS_STAGE => Bilingual::owned(
                format!("2 forward: {}", ROWS[n].modules),
                format!("2 前向传播：{}", ROWS[n].modules),
            ),
            n if n == LOSS_STAGE => Bilingual::new("3 calculate the loss", "3 计算损失"),
            n if n == LOSS_STAGE + 1 => Bilingual::new("4 calculate the gradients", "4 计算梯度"),
            _ => Bilingual::new("5 update the weights", "5 更新权重"),
        }
    }

    fn next_stage(&self) -> usize {
        self.next
    }

    fn steps_done(&self) -> u64 {
        self.trainer.steps_done()
    }

    /// Stage 0 takes a batch; stage 1 runs the forward pass and shows its
    /// first row; stages 2 to 8 show the rows after it; the last three are
    /// the trainer's loss, gradients and update.
    fn stage(&mut self) {
        let stage = self.next;
        if stage == 0 || stage == 1 || stage >= LOSS_STAGE {
            let run = self.trainer.stage();
            if run == Stage::Update {
                self.after_update();
            }
        }
        self.next = (stage + 1) % STAGES;
    }

    fn views(&self) -> Vec<View> {
        let mut out = vec![self.equations()];
        out.push(
            View::new(
                "shape_table",
                Bilingual::new(
                    "the seed's shape table: the batch layer by layer (current row marked)",
                    "种子的形状表：批次逐层的形状（当前行已标出）",
                ),
                ViewContent::Table(self.shape_table()),
            )
            .whole(),
        );
        self.feature_map_views(&mut out);
        self.prediction_views(&mut out);
        out.extend(training_curves(
            &self.trainer,
            &self.batch_losses,
            self.classes.len(),
        ));
        out.extend(self.batch_view());
        out.push(self.gradient_table());
        let loss = self.trainer.minibatch().and_then(|b| b.loss);
        out.extend(epochs::clock_views(
            self.trainer.clock(),
            loss.map(f64::from),
        ));
        out
    }

    fn actions(&self) -> Vec<Action> {
        epochs::actions()
    }

    fn act(&mut self, action: &str) -> Result<(), ModelError> {
        self.work(action, &mut crate::work::unwatched)
    }

    /// Trains step by step (a minibatch at a time) until the epoch asked
    /// for ends, or until told to stop, after the step under way.
    fn work(&mut self, action: &str, progress: Report<'_>) -> Result<(), ModelError> {
        epochs::train_asked(self, action, |lab| lab.trainer.clock(), progress)
    }

    fn retune(&mut self, params: &Params) -> Result<(), ModelError> {
        self.trainer.set_learning_rate(params.float("lr") as f32);
        self.params = params.clone();
        Ok(())
    }

    fn status(&self) -> Option<Status> {
        let last = self.trainer.history().last()?;
        let accuracy = last.test_accuracy?;
        let diverged = !last.train_loss.is_finite();
        Some(epochs::status_after(
            last.epoch,
            diverged,
            Bilingual::owned(
                format!("{:.1}% of the test digits right", accuracy * 100.0),
                format!("测试集数字正确率 {:.1}%", accuracy * 100.0),
            ),
        ))
    }
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "cnn",
    name: Bilingual::new("Convolutional neural network", "卷积神经网络"),
    params: specs,
    build: |params, seed| Ok(Box::new(Cnn::new(params, seed)?)),
    params_from_weights: None,
};
