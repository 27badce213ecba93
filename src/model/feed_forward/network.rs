//! Feed-forward networks trained by backpropagation: one hidden layer (the
//! zoo's FF), several (DFF), and the training process itself, stepped stage
//! by stage on such a network.
//!
//! D. E. Rumelhart, G. E. Hinton and R. J. Williams, "Learning
//! representations by back-propagating errors", Nature 323:533–536, 1986:
//!
//! ```text
//! for epoch in 1 … E:                      # step 7
//!     for (x, t) in batches(train_set):    # steps 1 and 6
//!         y = net(x)                        # step 2
//!         L = loss(y, t)                    # step 3
//!         g = ∂L/∂W   (backpropagation)     # step 4
//!         W ← W − η g                       # step 5
//! ```
//!
//! One step of the model is one minibatch; its five stages are the seed's
//! steps 1 to 5, run by the shared [`Trainer`]. The network is
//! `Linear -> activation -> ... -> Linear` as PyTorch's `nn.Sequential`
//! would hold it (its `state_dict` names are `0.weight`, `0.bias`, `2.weight`,
//! ...), trained on the mean cross-entropy by minibatch SGD. The learning
//! rate changes live, without losing what was learnt.

use super::{Activation, mlp};
use crate::data::{self, Dataset, LabelKind, Targets};
use crate::model::view::{
    Axis, Curve, Field, Gallery, Mark, Plane, PlanePoint, Plot, Table, Vector,
};
use crate::model::{
    Action, Model, ModelError, ModelSpec, ParamKind, ParamRole, ParamSpec, ParamValue, Params,
    Report, Status, View, ViewContent,
};
use crate::nn::Layer;
use crate::nn::optim::Sgd;
use crate::text::{Bilingual, Lang};
use crate::train::epochs;
use crate::train::{Objective, Stage, TrainConfig, Trainer, argmax};
use ndarray::{Array2, Axis as ArrayAxis};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::path::Path;

/// The data sets a network can learn, `file` meaning the `file` parameter's CSV.
const DATA: &[&str] = &[
    "digits",
    "moons",
    "circles",
    "spirals",
    "xor",
    "blobs",
    "iris",
    "breast_cancer",
    "file",
];

/// At most this many hidden layers.
const MAX_HIDDEN_LAYERS: usize = 8;
/// At most this many units in one layer.
const MAX_UNITS: usize = 2048;
/// Decision regions of a 2-D set are sampled on a grid this fine.
const FIELD_COLS: usize = 48;
const FIELD_ROWS: usize = 24;
/// Batch losses kept for the loss curve.
const LOSS_HISTORY: usize = 2000;

/// The three catalogue entries this model runs differ in their defaults.
struct Defaults {
    data: &'static str,
    hidden: &'static str,
    activation: &'static str,
    batch: i64,
    lr: f64,
}

fn specs(d: &Defaults) -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "data",
            "the data set: built in, or `file` for the CSV named by `file`",
            "数据集：内置的，或 `file` 表示 `file` 参数指定的 CSV",
            ParamKind::Choice(DATA),
            ParamValue::Choice(d.data),
        )
        .with_role(ParamRole::InputSource),
        ParamSpec::new(
            "file",
            "a CSV of numbers with a header row, the class label in the last column",
            "数字 CSV 文件：首行为表头，最后一列为类别标签",
            ParamKind::Text {
                max_len: 4096,
                offered: &[],
            },
            ParamValue::Text(String::new()),
        ),
        ParamSpec::new(
            "hidden",
            "units of each hidden layer, e.g. 100 or 64,32",
            "每个隐藏层的单元数，如 100 或 64,32",
            ParamKind::Text {
                max_len: 64,
                offered: &[],
            },
            ParamValue::Text(d.hidden.into()),
        ),
        ParamSpec::new(
            "activation",
            "the hidden layers' activation",
            "隐藏层的激活函数",
            ParamKind::Choice(Activation::NAMES),
            ParamValue::Choice(d.activation),
        ),
        ParamSpec::new(
            "batch",
            "rows per minibatch",
            "每个小批次的行数",
            ParamKind::Int { min: 1, max: 4096 },
            ParamValue::Int(d.batch),
        ),
        ParamSpec::new(
            "lr",
            "learning rate η of SGD (changes live)",
            "随机梯度下降的学习率 η（即时生效）",
            ParamKind::Float {
                min: 1e-6,
                max: 10.0,
            },
            ParamValue::Float(d.lr),
        )
        .with_role(ParamRole::Live),
    ]
}

/// Parses `100` or `64,32` into layer widths.
fn hidden_sizes(text: &str) -> Result<Vec<usize>, ModelError> {
    let bad = |(en, zh): (String, String)| {
        ModelError::Invalid(Bilingual::owned(
            format!("hidden `{text}`: {en}"),
            format!("hidden `{text}`：{zh}"),
        ))
    };
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let sizes = text
        .split(',')
        .map(|part| {
            let units: usize = part.trim().parse().map_err(|_| {
                bad((
                    format!("`{}` is not a whole number", part.trim()),
                    format!("`{}` 不是整数", part.trim()),
                ))
            })?;
            if (1..=MAX_UNITS).contains(&units) {
                Ok(units)
            } else {
                Err(bad((
                    format!("a layer takes 1 to {MAX_UNITS} units"),
                    format!("每层须有 1 到 {MAX_UNITS} 个单元"),
                )))
            }
        })
        .collect::<Result<Vec<usize>, ModelError>>()?;
    if sizes.len() > MAX_HIDDEN_LAYERS {
        return Err(bad((
            format!("at most {MAX_HIDDEN_LAYERS} hidden layers"),
            format!("最多 {MAX_HIDDEN_LAYERS} 个隐藏层"),
        )));
    }
    Ok(sizes)
}

/// The data set the parameters name, split 80/20 from the seed; features
/// other than pictures are standardised with the training rows' statistics.
pub fn load_data(params: &Params, seed: u64) -> Result<(Dataset, Dataset), ModelError> {
    let name = params.choice("data");
    let dataset = if name == "file" {
        let file = params.text("file");
        if file.trim().is_empty() {
            return Err(ModelError::Invalid(Bilingual::new(
                "data = file: name the CSV with the `file` parameter (or --data FILE)",
                "data = file：请用 `file` 参数（或 --data FILE）给出 CSV 文件",
            )));
        }
        data::read_csv(Path::new(file), LabelKind::Class)
    } else {
        data::builtin(name, seed)
    }
    .map_err(ModelError::from)?;
    if dataset.len() < 2 {
        return Err(ModelError::Invalid(Bilingual::owned(
            format!(
                "{}: at least 2 rows are needed to train and test",
                dataset.name
            ),
            format!("{}：训练和测试至少要 2 行", dataset.name),
        )));
    }
    if dataset.n_classes().is_none() {
        return Err(ModelError::Invalid(Bilingual::owned(
            format!("{}: a classifier needs class labels", dataset.name),
            format!("{}：分类器需要类别标签", dataset.name),
        )));
    }
    let (mut train, mut test) = dataset.split(0.2, seed);
    if dataset.image.is_none() {
        let standardizer = train.standardizer();
        standardizer.apply(&mut train);
        standardizer.apply(&mut test);
    }
    Ok((train, test))
}

/// A feed-forward network learning a data set through the seven steps.
#[derive(Clone)]
pub struct Network {
    params: Params,
    seed: u64,
    trainer: Trainer,
    /// Input width, hidden widths, output width.
    widths: Vec<usize>,
    classes: Vec<Bilingual>,
    /// Loss of every minibatch so far (the last [`LOSS_HISTORY`]), with its step.
    batch_losses: Vec<(f64, f64)>,
    /// The test set's confusion matrix, measured when an epoch ends.
    confusion: Option<Array2<usize>>,
    /// The plane's extent, for 2-D data.
    extent: Option<((f64, f64), (f64, f64))>,
}

impl Network {
    pub fn new(params: &Params, seed: u64) -> Result<Network, ModelError> {
        let hidden = hidden_sizes(params.text("hidden"))?;
        let (train, test) = load_data(params, seed)?;
        let inputs = train.n_features();
        let classes = match &train.targets {
            Targets::Classes { names, .. } => names.clone(),
            Targets::Values(_) => Vec::new(),
        };
        let outputs = classes.len().max(2);
        let mut widths = vec![inputs];
        widths.extend(&hidden);
        widths.push(outputs);
        let weights: usize = widths.windows(2).map(|w| w[0] * w[1] + w[1]).sum();
        if weights > 8_000_000 {
            return Err(ModelError::Invalid(Bilingual::owned(
                format!("{weights} weights: at most 8,000,000 (fewer or narrower hidden layers)"),
                format!("{weights} 个权重：最多 8,000,000 个（请减少隐藏层或让它们窄些）"),
            )));
        }
        let mut rng = StdRng::seed_from_u64(seed);
        let net = mlp(
            inputs,
            &hidden,
            outputs,
            Activation::parse(params.choice("activation")),
            &mut rng,
        );
        let extent = (inputs == 2).then(|| plane_extent(&train, &test));
        let trainer = Trainer::new(
            net,
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
        Ok(Network {
            params: params.clone(),
            seed,
            trainer,
            widths,
            classes,
            batch_losses: Vec::new(),
            confusion: None,
            extent,
        })
    }

    pub fn trainer(&self) -> &Trainer {
        &self.trainer
    }

    fn after_stage(&mut self, stage: Stage) {
        if stage == Stage::Update {
            if let Some(loss) = self.trainer.minibatch().and_then(|b| b.loss) {
                if self.batch_losses.len() == LOSS_HISTORY {
                    self.batch_losses.remove(0);
                }
                self.batch_losses
                    .push((self.trainer.steps_done() as f64, f64::from(loss)));
            }
            if self.trainer.batch_in_epoch() == 0 {
                self.confusion = self.trainer.confusion(self.trainer.test_set());
            }
        }
    }

    /// `(epoch, batch)` of the step now running or next to run, from 1.
    fn clock(&self) -> (u64, usize) {
        (self.trainer.epoch() + 1, self.trainer.batch_in_epoch() + 1)
    }

    /// The stage whose results the views show: the last one run.
    fn shown_stage(&self) -> Option<Stage> {
        let next = self.trainer.next_stage();
        self.trainer.minibatch()?;
        Some(Stage::ALL[(next as usize + Stage::ALL.len() - 1) % Stage::ALL.len()])
    }

    fn equations(&self) -> View {
        let (epoch, batch) = self.clock();
        let per_epoch = self.trainer.batches_per_epoch();
        let current = self.trainer.minibatch();
        let shown = self.shown_stage();
        let done = |stage: Stage| shown.is_some_and(|s| s as usize >= stage as usize);
        let lr = self.trainer.learning_rate();
        let rows = current.map_or(0, |b| b.rows.len());
        let (rows_in_set, batch_size) = (self.trainer.train_set().len(), self.trainer.batch_size());
        let mut lines = vec![Bilingual::owned(
            format!(
                "epoch {epoch}, batch {batch} of {per_epoch}  ({rows_in_set} rows, batch size {batch_size})"
            ),
            format!(
                "第 {epoch} 个周期，第 {batch} 批（共 {per_epoch} 批；{rows_in_set} 行，每批 {batch_size} 行）"
            ),
        )];
        lines.push(if done(Stage::GetBatch) {
            let labels: Vec<Bilingual> = current
                .map(|b| {
                    b.labels
                        .iter()
                        .take(8)
                        .map(|l| self.class_names(*l))
                        .collect()
                })
                .unwrap_or_default();
            let more = if rows > 8 { " ..." } else { "" };
            let t = |lang: Lang| {
                let names: Vec<String> = labels.iter().map(|n| n.get(lang).into_owned()).collect();
                format!("{}{more}", names.join(" "))
            };
            Bilingual::owned(
                format!("1 get a batch:    x = {rows} rows, t = {}", t(Lang::En)),
                format!("1 取一个批次：    x = {rows} 行，t = {}", t(Lang::Zh)),
            )
        } else {
            Bilingual::new(
                "1 get a batch:    (x, t) = next rows of the shuffled training set",
                "1 取一个批次：    (x, t) = 打乱后的训练集的下几行",
            )
        });
        lines.push(if done(Stage::Forward) {
            let shapes = format!(
                "y = net(x), [{rows}, {}] -> [{rows}, {}]",
                self.widths[0],
                self.widths.last().unwrap_or(&0)
            );
            Bilingual::owned(
                format!("2 forward pass:   {shapes}"),
                format!("2 前向传播：      {shapes}"),
            )
        } else {
            Bilingual::new(
                "2 forward pass:   y = net(x)",
                "2 前向传播：      y = net(x)",
            )
        });
        lines.push(
            match current.and_then(|b| b.loss).filter(|_| done(Stage::Loss)) {
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
            },
        );
        lines.push(if done(Stage::Gradients) {
            let total: f32 = self
                .trainer
                .param_stats()
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
        lines.push(if done(Stage::Update) {
            let moved: f32 = self
                .trainer
                .param_stats()
                .iter()
                .filter_map(|p| p.update_norm)
                .map(|u| u * u)
                .sum::<f32>()
                .sqrt();
            Bilingual::owned(
                format!("5 update:         W ← W − η g, η = {lr}, |Δ W| = {moved:.5}"),
                format!("5 更新权重：      W ← W − η g，η = {lr}，|Δ W| = {moved:.5}"),
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
        let last = self.trainer.history().last();
        lines.push(match last {
            Some(r) => {
                let (acc, loss) = (r.test_accuracy.unwrap_or(f64::NAN), r.test_loss);
                Bilingual::owned(
                    format!(
                        "7 repeat epochs: {} done; test accuracy {acc:.3}, test loss {loss:.4}",
                        r.epoch
                    ),
                    format!(
                        "7 重复多个周期：已完成 {} 个；测试准确率 {acc:.3}，测试损失 {loss:.4}",
                        r.epoch
                    ),
                )
            }
            None => Bilingual::new(
                "7 repeat for as many epochs as needed: none done yet",
                "7 按需重复多个周期：尚未完成任何周期",
            ),
        });
        let next = self.trainer.next_stage();
        View::new(
            "steps",
            Bilingual::new("the training process", "训练过程"),
            ViewContent::steps(lines, Some(next.number())),
        )
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

    /// The batch as pictures captioned "label>guess" (pictures only).
    fn batch_view(&self) -> Option<View> {
        let (height, width) = self.trainer.train_set().image?;
        let batch = self.trainer.minibatch()?;
        let shown = batch.x.nrows().min(16);
        let items: Vec<Vec<f32>> = (0..shown).map(|r| batch.x.row(r).to_vec()).collect();
        let captions: Vec<String> = (0..shown)
            .map(|r| {
                let label = self.class_name(batch.labels[r]);
                match &batch.output {
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
                    width,
                    height,
                    items,
                    marked: None,
                    captions,
                    range: (0.0, 1.0),
                }),
            )
            .untraced(),
        )
    }

    /// The first layer's weights as pictures, one per hidden unit (pictures only).
    fn filters_view(&self) -> Option<View> {
        let (height, width) = self.trainer.train_set().image?;
        let mut first = None;
        self.trainer.net().visit_params(&mut |p| {
            if first.is_none() && p.name.ends_with("weight") {
                first = Some(p.value.to_owned());
            }
        });
        let weight = first?.into_dimensionality::<ndarray::Ix2>().ok()?;
        let shown = weight.nrows().min(16);
        let bound = weight.iter().fold(1e-6f32, |m, v| m.max(v.abs()));
        Some(
            View::new(
                "filters",
                Bilingual::new(
                    "first layer's weights, one picture per unit",
                    "第一层权重，每个单元一张图",
                ),
                ViewContent::Gallery(Gallery {
                    width,
                    height,
                    items: (0..shown).map(|u| weight.row(u).to_vec()).collect(),
                    marked: None,
                    captions: (0..shown).map(|u| format!("{u}")).collect(),
                    range: (-bound, bound),
                }),
            )
            .untraced(),
        )
    }

    /// The training points, the batch highlighted, over the network's
    /// decision regions (2-D data only).
    fn plane_view(&self) -> Option<View> {
        let ((x0, x1), (y0, y1)) = self.extent?;
        let train = self.trainer.train_set();
        let Targets::Classes { labels, .. } = &train.targets else {
            return None;
        };
        let in_batch: std::collections::HashSet<usize> = self
            .trainer
            .minibatch()
            .map(|b| b.rows.iter().copied().collect())
            .unwrap_or_default();
        let points = train
            .records
            .rows()
            .into_iter()
            .zip(labels.iter())
            .enumerate()
            .map(|(i, (row, &class))| PlanePoint {
                x: f64::from(row[0]),
                y: f64::from(row[1]),
                class,
                highlight: in_batch.contains(&i),
                ring: false,
            })
            .collect();
        // The decision field: the probability of class 1 (two classes) or
        // the winning class (more), on a grid, row 0 at the top.
        let mut grid = Array2::<f32>::zeros((FIELD_ROWS * FIELD_COLS, 2));
        for r in 0..FIELD_ROWS {
            for c in 0..FIELD_COLS {
                let x = x0 + (c as f64 + 0.5) / FIELD_COLS as f64 * (x1 - x0);
                let y = y1 - (r as f64 + 0.5) / FIELD_ROWS as f64 * (y1 - y0);
                grid[[r * FIELD_COLS + c, 0]] = x as f32;
                grid[[r * FIELD_COLS + c, 1]] = y as f32;
            }
        }
        let logits = self.trainer.net().infer(grid.view().into_dyn());
        let logits = logits.into_dimensionality::<ndarray::Ix2>().ok()?;
        let classes = logits.ncols();
        let values: Vec<f32> = logits
            .rows()
            .into_iter()
            .map(|row| {
                if classes == 2 {
                    let p = crate::nn::activation::softmax_rows(row.insert_axis(ArrayAxis(0)));
                    p[[0, 1]]
                } else {
                    argmax(row.iter().copied()) as f32
                }
            })
            .collect();
        let range = if classes == 2 {
            (0.0, 1.0)
        } else {
            (0.0, (classes - 1) as f32)
        };
        Some(
            View::new(
                "plane",
                Bilingual::new(
                    "points (batch marked), shade: the guess",
                    "训练点（本批次已标出），底色：网络的判断",
                ),
                ViewContent::Plane(Plane {
                    points,
                    classes: self.classes.clone(),
                    field: Some(Field {
                        cols: FIELD_COLS,
                        rows: FIELD_ROWS,
                        values,
                        range,
                    }),
                    lines: Vec::new(),
                    x_range: (x0, x1),
                    y_range: (y0, y1),
                }),
            )
            .untraced(),
        )
    }

    /// The network's output for the batch's first row, as probabilities.
    fn output_view(&self) -> Option<View> {
        let batch = self.trainer.minibatch()?;
        let y = batch.output.as_ref()?;
        let p = crate::nn::activation::softmax_rows(y.row(0).insert_axis(ArrayAxis(0)));
        Some(View::new(
            "probabilities",
            Bilingual::owned(
                format!(
                    "softmax(y) of the batch's first row (label {})",
                    self.class_names(batch.labels[0]).en
                ),
                format!(
                    "本批次第一行的 softmax(y)（标签 {}）",
                    self.class_names(batch.labels[0]).zh
                ),
            ),
            // Each probability beside the name of its class.
            ViewContent::Vector(Vector {
                labels: (0..p.ncols()).map(|c| self.class_names(c)).collect(),
                values: p.row(0).to_vec(),
                range: (0.0, 1.0),
            }),
        ))
    }

    /// Every hidden layer's activations for the batch's first row.
    fn activation_views(&self, out: &mut Vec<View>) {
        if self
            .trainer
            .minibatch()
            .and_then(|b| b.output.as_ref())
            .is_none()
        {
            return;
        }
        let outputs = self.trainer.net().outputs();
        let layers = self.trainer.net().layers();
        // The activation layers' outputs are the hidden layers' values.
        for (k, (layer, output)) in layers.iter().zip(outputs).enumerate() {
            if k + 1 == layers.len() || layer.param_count() > 0 {
                continue;
            }
            let Some(row) = output.outer_iter().next() else {
                continue;
            };
            let values: Vec<f32> = row.iter().copied().collect();
            let hi = values.iter().fold(1e-6f32, |m, v| m.max(v.abs()));
            let lo = if values.iter().all(|v| *v >= 0.0) {
                0.0
            } else {
                -hi
            };
            out.push(View::new(
                format!("hidden_{k}"),
                Bilingual::owned(
                    format!("layer {k} output ({}) for row 1", layer.describe()),
                    format!("第 {k} 层输出（{}），第 1 行", layer.describe()),
                ),
                ViewContent::vector(values, (lo, hi)),
            ));
        }
    }

    /// Each parameter's shape, gradient and update in the current step.
    fn gradient_table(&self) -> View {
        let mut shapes = Vec::new();
        self.trainer
            .net()
            .visit_params(&mut |p| shapes.push(format!("{:?}", p.value.shape())));
        let stats = self.trainer.param_stats();
        let rows: Vec<Vec<Bilingual>> = shapes
            .iter()
            .enumerate()
            .map(|(k, shape)| {
                let stat = stats.get(k);
                vec![
                    stat.map_or_else(String::new, |s| s.name.clone()),
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
        let current = None;
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
                current,
            }),
        )
    }

    fn curves(&self) -> [View; 2] {
        training_curves(&self.trainer, &self.batch_losses, self.classes.len())
    }

    fn confusion_view(&self) -> Option<View> {
        let matrix = self.confusion.as_ref()?;
        let mut header = vec![Bilingual::new("true\\guess", "真实\\猜测")];
        header.extend((0..matrix.ncols()).map(|c| self.class_names(c)));
        let rows = matrix
            .rows()
            .into_iter()
            .enumerate()
            .map(|(k, row)| {
                let mut cells = vec![self.class_names(k)];
                cells.extend(row.iter().map(|v| Bilingual::same(v.to_string())));
                cells
            })
            .collect();
        Some(View::new(
            "confusion",
            Bilingual::new(
                "test set: true class (row) against the network's guess (column)",
                "测试集：真实类别（行）与网络的猜测（列）",
            ),
            ViewContent::Table(Table {
                header,
                rows,
                current: None,
            }),
        ))
    }
}

impl Model for Network {
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
        if let Ok(fresh) = Network::new(&self.params, seed) {
            *self = fresh;
        }
    }

    fn stage_count(&self) -> usize {
        Stage::ALL.len()
    }

    fn stage_label(&self, index: usize) -> Bilingual {
        match Stage::ALL.get(index) {
            Some(Stage::GetBatch) => Bilingual::new("1 get a batch", "1 取一个批次"),
            Some(Stage::Forward) => Bilingual::new("2 forward pass", "2 前向传播"),
            Some(Stage::Loss) => Bilingual::new("3 calculate the loss", "3 计算损失"),
            Some(Stage::Gradients) => Bilingual::new("4 calculate the gradients", "4 计算梯度"),
            _ => Bilingual::new("5 update the weights", "5 更新权重"),
        }
    }

    fn next_stage(&self) -> usize {
        self.trainer.next_stage() as usize
    }

    fn steps_done(&self) -> u64 {
        self.trainer.steps_done()
    }

    fn stage(&mut self) {
        let stage = self.trainer.stage();
        self.after_stage(stage);
    }

    fn step(&mut self) {
        loop {
            let stage = self.trainer.stage();
            self.after_stage(stage);
            if stage == Stage::Update {
                break;
            }
        }
    }

    fn views(&self) -> Vec<View> {
        // The steps, then what is learnt from and how it goes (the data,
        // the curves), then the inside of the step.
        let mut out = vec![self.equations()];
        out.extend(self.plane_view());
        out.extend(self.curves());
        out.extend(self.batch_view());
        out.extend(self.output_view());
        self.activation_views(&mut out);
        out.push(self.gradient_table());
        out.extend(self.filters_view());
        out.extend(self.confusion_view());
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
        let lr = params.float("lr");
        self.trainer.set_learning_rate(lr as f32);
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
                format!("{:.1}% of the test set right", accuracy * 100.0),
                format!("测试集正确率 {:.1}%", accuracy * 100.0),
            ),
        ))
    }
}

/// The loss per batch and per epoch, and the accuracy per epoch, of a
/// classifier's training so far; `batch_losses` are `(step, loss)`.
pub fn training_curves(
    trainer: &Trainer,
    batch_losses: &[(f64, f64)],
    classes: usize,
) -> [View; 2] {
    let history = trainer.history();
    let per_epoch = trainer.batches_per_epoch() as f64;
    let epoch_of = |step: f64| step / per_epoch;
    let now = trainer.steps_done() as f64 / per_epoch;
    // From the start to the end of the epoch under way, whole epochs.
    let epochs = Some((0.0, now.floor() + 1.0));
    let loss = View::new(
        "loss_curve",
        Bilingual::new("loss per epoch", "每个周期的损失"),
        ViewContent::Plot(Plot {
            curves: vec![
                Curve {
                    label: Bilingual::new("batch", "批次"),
                    points: batch_losses
                        .iter()
                        .map(|&(s, l)| (epoch_of(s), l))
                        .collect(),
                },
                Curve {
                    label: Bilingual::new("train", "训练"),
                    points: history
                        .iter()
                        .map(|r| (r.epoch as f64, r.train_loss))
                        .collect(),
                },
                Curve {
                    label: Bilingual::new("test", "测试"),
                    points: history
                        .iter()
                        .map(|r| (r.epoch as f64, r.test_loss))
                        .collect(),
                },
            ],
            x_label: Bilingual::new("epoch", "周期"),
            y_label: Bilingual::new("cross-entropy", "交叉熵"),
            x_range: epochs,
            y_range: Some((0.0, batch_losses.iter().fold(0.5f64, |m, &(_, l)| m.max(l)))),
            marks: Vec::new(),
            now: Some(now),
        }),
    )
    .untraced();
    let accuracy = View::new(
        "accuracy_curve",
        Bilingual::new("accuracy per epoch", "每个周期的准确率"),
        ViewContent::Plot(Plot {
            curves: vec![
                Curve {
                    label: Bilingual::new("train", "训练"),
                    points: history
                        .iter()
                        .filter_map(|r| Some((r.epoch as f64, r.train_accuracy?)))
                        .collect(),
                },
                Curve {
                    label: Bilingual::new("test", "测试"),
                    points: history
                        .iter()
                        .filter_map(|r| Some((r.epoch as f64, r.test_accuracy?)))
                        .collect(),
                },
            ],
            x_label: Bilingual::new("epoch", "周期"),
            y_label: Bilingual::new("accuracy", "准确率"),
            x_range: epochs,
            y_range: Some((0.0, 1.0)),
            marks: vec![Mark {
                axis: Axis::Y,
                value: 1.0 / classes.max(1) as f64,
                label: Bilingual::new("chance", "随机猜测"),
            }],
            now: Some(now),
        }),
    )
    .untraced();
    [loss, accuracy]
}

/// The training and test points' extent, with a margin.
fn plane_extent(train: &Dataset, test: &Dataset) -> ((f64, f64), (f64, f64)) {
    let mut lo = [f64::INFINITY; 2];
    let mut hi = [f64::NEG_INFINITY; 2];
    for set in [train, test] {
        for row in set.records.rows() {
            for k in 0..2 {
                lo[k] = lo[k].min(f64::from(row[k]));
                hi[k] = hi[k].max(f64::from(row[k]));
            }
        }
    }
    let pad = |k: usize| {
        if lo[k].is_finite() && hi[k] > lo[k] {
            let m = 0.08 * (hi[k] - lo[k]);
            (lo[k] - m, hi[k] + m)
        } else {
            (-1.0, 1.0)
        }
    };
    (pad(0), pad(1))
}

macro_rules! network_spec {
    ($name:ident, $key:literal, $en:literal, $zh:literal, $defaults:expr) => {
        pub const $name: ModelSpec = ModelSpec {
            key: $key,
            name: Bilingual::new($en, $zh),
            params: || specs(&$defaults),
            build: |params, seed| Ok(Box::new(Network::new(params, seed)?)),
            params_from_weights: None,
        };
    };
}

network_spec!(
    FEED_FORWARD,
    "feed_forward",
    "Feed-forward network",
    "前馈神经网络",
    Defaults {
        data: "moons",
        hidden: "16",
        activation: "tanh",
        batch: 16,
        lr: 1.0,
    }
);

network_spec!(
    DEEP_FEED_FORWARD,
    "deep_feed_forward",
    "Deep feed-forward network",
    "深度前馈神经网络",
    Defaults {
        data: "spirals",
        hidden: "32,32,32",
        activation: "relu",
        batch: 16,
        lr: 0.3,
    }
);

network_spec!(
    TRAINING_PROCESS,
    "training_process",
    "The training process",
    "训练过程",
    Defaults {
        data: "digits",
        hidden: "32",
        activation: "relu",
        batch: 32,
        lr: 0.1,
    }
);
