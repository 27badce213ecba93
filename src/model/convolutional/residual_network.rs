//! A deep residual network beside a plain network of the same depth, both
//! learning the 8x8 digits step by step.
//!
//! He, Zhang, Ren and Sun, "Deep residual learning for image recognition",
//! CVPR 2016. Their point: stacking more layers onto a plain network can
//! make it train *worse* (a higher training error, not overfitting), while
//! the same layers wrapped as residual blocks keep improving, because a
//! block only has to learn the correction F(x) to its input and the skip
//! connection carries the gradient straight back to the first layers.
//!
//! ```text
//! h₀ = relu(W_in x)                                 x: 64 pixels, h: width
//! residual block k:  h_k = relu(h_{k-1} + F_k(h_{k-1})),  F_k(h) = W_k2 relu(W_k1 h)
//! plain block k:     h_k = relu(F_k(h_{k-1}))        the same layers, no skip
//! y = W_out h_B,  L = cross_entropy(y, t),  W ← W − η ∂L/∂W
//! ∂h_k/∂h_{k-1} = [s > 0] ⊙ (I + ∂F_k/∂h)           the skip's identity term
//! ```
//!
//! The blocks are dense (the 8x8 digits are small enough that a
//! convolution would add time, not insight); He et al.'s blocks are
//! convolutions with batch normalisation, which these leave out. Both
//! networks start from the same weights (PyTorch's default
//! initialisation, drawn once from the seed) and see the same minibatches
//! in the same order, so the skip connections are the only difference.
//! Each of the seed's steps runs on both networks.

use crate::data::{self, Dataset, Targets};
use crate::model::view::{Axis as PlotAxis, Curve, Mark, Plot, Table, Vector};
use crate::model::{
    Action, Model, ModelError, ModelSpec, ParamKind, ParamRole, ParamSpec, ParamValue, Params,
    Report, Status, StatusLevel, View, ViewContent,
};
use crate::nn::Layer;
use crate::nn::activation::ReLU;
use crate::nn::linear::Linear;
use crate::nn::optim::Sgd;
use crate::nn::residual::Residual;
use crate::nn::sequential::Sequential;
use crate::text::Bilingual;
use crate::train::epochs;
use crate::train::{Objective, Stage, TrainConfig, Trainer};
use ndarray::Axis;
use rand::SeedableRng;
use rand::rngs::StdRng;

/// Batch losses (and first-layer gradient norms) kept for the curves.
const HISTORY: usize = 2000;
/// The digits' pixels and classes.
const PIXELS: usize = 64;
const CLASSES: usize = 10;

/// The two networks, each the same layers with or without the skips.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wiring {
    Residual,
    Plain,
}

/// The settings both networks share.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    /// Residual (or plain) blocks of two weight layers each.
    pub blocks: usize,
    /// Units per hidden layer.
    pub width: usize,
}

impl Shape {
    /// Weight layers in either network: the input layer, two per block,
    /// the output layer.
    pub fn depth(&self) -> usize {
        2 * self.blocks + 2
    }
}

/// The residual and the plain network of `shape`, with the same starting
/// weights drawn from `seed`. The residual network's layers are
/// `[Linear, ReLU, Residual × blocks, Linear]`; the plain one's
/// `[Linear, ReLU, (Linear, ReLU, Linear, ReLU) × blocks, Linear]`.
pub fn networks(shape: Shape, seed: u64) -> (Sequential, Sequential) {
    let mut rng = StdRng::seed_from_u64(seed);
    let w = shape.width;
    let input = Linear::new(PIXELS, w, true, &mut rng);
    let bodies: Vec<(Linear, Linear)> = (0..shape.blocks)
        .map(|_| {
            (
                Linear::new(w, w, true, &mut rng),
                Linear::new(w, w, true, &mut rng),
            )
        })
        .collect();
    let output = Linear::new(w, CLASSES, true, &mut rng);
    let mut residual = Sequential::new().with(input.clone()).with(ReLU::new());
    let mut plain = Sequential::new().with(input).with(ReLU::new());
    for (first, second) in bodies {
        residual.push(Residual::new(
            Sequential::new()
                .with(first.clone())
                .with(ReLU::new())
                .with(second.clone()),
        ));
        plain.push(first);
        plain.push(ReLU::new());
        plain.push(second);
        plain.push(ReLU::new());
    }
    residual.push(output.clone());
    plain.push(output);
    (residual, plain)
}

/// The norm of ∂L/∂W of each weight matrix of `net` after its last
/// backward pass, input layer first (biases left out).
pub fn weight_grad_norms(net: &Sequential) -> Vec<f32> {
    let mut norms = Vec::new();
    net.visit_params(&mut |p| {
        if p.name.ends_with("weight") {
            norms.push(p.grad.iter().map(|g| g * g).sum::<f32>().sqrt());
        }
    });
    norms
}

/// The 8x8 digits split 80/20 from `seed`, checked to be 64 pixels of 10
/// classes.
pub fn digits(seed: u64) -> Result<(Dataset, Dataset), ModelError> {
    let digits = data::builtin("digits", seed).map_err(ModelError::from)?;
    let classes = match &digits.targets {
        Targets::Classes { names, .. } => names.len(),
        Targets::Values(_) => 0,
    };
    if digits.n_features() != PIXELS || classes != CLASSES {
        return Err(ModelError::Invalid(Bilingual::owned(
            format!(
                "{}: the networks take 8x8 pictures of 10 classes, got {} values and {classes} classes",
                digits.name,
                digits.n_features()
            ),
            format!(
                "{}：网络要 10 类的 8x8 图片，得到的是 {} 个值、{classes} 类",
                digits.name,
                digits.n_features()
            ),
        )));
    }
    Ok(digits.split(0.2, seed))
}

/// One network's trainer with the curves the lab keeps of it.
#[derive(Clone)]
struct Run {
    trainer: Trainer,
    /// (step, batch loss) of every step so far (the last [`HISTORY`]).
    losses: Vec<(f64, f64)>,
    /// (step, |∂L/∂W_in|) of every step so far (the last [`HISTORY`]).
    first_grads: Vec<(f64, f64)>,
}

impl Run {
    fn new(net: Sequential, params: &Params, train: Dataset, test: Dataset, seed: u64) -> Run {
        Run {
            trainer: Trainer::new(
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
            ),
            losses: Vec::new(),
            first_grads: Vec::new(),
        }
    }

    fn stage(&mut self) {
        let run = self.trainer.stage();
        if run == Stage::Gradients {
            let step = self.trainer.steps_done() as f64 + 1.0;
            if let Some(&g) = weight_grad_norms(self.trainer.net()).first() {
                keep(&mut self.first_grads, (step, f64::from(g)));
            }
        }
        if run == Stage::Update
            && let Some(loss) = self.trainer.minibatch().and_then(|b| b.loss)
        {
            let step = self.trainer.steps_done() as f64;
            keep(&mut self.losses, (step, f64::from(loss)));
        }
    }
}

fn keep(curve: &mut Vec<(f64, f64)>, point: (f64, f64)) {
    if curve.len() == HISTORY {
        curve.remove(0);
    }
    curve.push(point);
}

fn specs() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "blocks",
            "blocks of two weight layers in each network (depth = 2·blocks + 2)",
            "每个网络中由两层权重组成的模块数（深度 = 2·模块数 + 2）",
            ParamKind::Int { min: 1, max: 50 },
            ParamValue::Int(4),
        ),
        ParamSpec::new(
            "width",
            "units in each hidden layer",
            "每个隐藏层的单元数",
            ParamKind::Int { min: 2, max: 256 },
            ParamValue::Int(32),
        ),
        ParamSpec::new(
            "batch",
            "digits per minibatch",
            "每个小批次的数字图片数",
            ParamKind::Int { min: 1, max: 512 },
            ParamValue::Int(32),
        ),
        ParamSpec::new(
            "lr",
            "learning rate η of SGD, both networks (changes live)",
            "两个网络共用的随机梯度下降学习率 η（即时生效）",
            ParamKind::Float {
                min: 1e-6,
                max: 10.0,
            },
            ParamValue::Float(0.05),
        )
        .with_role(ParamRole::Live),
    ]
}

/// A residual network and a plain one learning the 8x8 digits side by side.
#[derive(Clone)]
pub struct ResidualNetwork {
    params: Params,
    seed: u64,
    shape: Shape,
    residual: Run,
    plain: Run,
    /// The next of the five stages of a step, `0..5`.
    next: usize,
}

impl ResidualNetwork {
    pub fn new(params: &Params, seed: u64) -> Result<ResidualNetwork, ModelError> {
        let shape = Shape {
            blocks: params.int("blocks") as usize,
            width: params.int("width") as usize,
        };
        let (train, test) = digits(seed)?;
        let (residual, plain) = networks(shape, seed);
        Ok(ResidualNetwork {
            params: params.clone(),
            seed,
            shape,
            residual: Run::new(residual, params, train.clone(), test.clone(), seed),
            plain: Run::new(plain, params, train, test, seed),
            next: 0,
        })
    }

    /// The residual network's trainer.
    pub fn residual(&self) -> &Trainer {
        &self.residual.trainer
    }

    /// The plain network's trainer.
    pub fn plain(&self) -> &Trainer {
        &self.plain.trainer
    }

    /// `(epoch, batch)` of the step now running or next to run, from 1.
    fn clock(&self) -> (u64, usize) {
        let t = &self.residual.trainer;
        (t.epoch() + 1, t.batch_in_epoch() + 1)
    }

    fn equations(&self) -> View {
        let (epoch, batch) = self.clock();
        let t = &self.residual.trainer;
        let per_epoch = t.batches_per_epoch();
        let lr = t.learning_rate();
        let b = self.shape.blocks;
        let depth = self.shape.depth();
        let mut lines = vec![
            Bilingual::owned(
                format!(
                    "two networks of {depth} weight layers (64 → {w} → {b} blocks → 10), the same starting weights",
                    w = self.shape.width
                ),
                format!(
                    "两个网络，各 {depth} 层权重（64 → {w} → {b} 个模块 → 10），起始权重相同",
                    w = self.shape.width
                ),
            ),
            Bilingual::new(
                "residual block: h ← relu(h + F(h)),  F(h) = W₂ relu(W₁ h)",
                "残差模块：h ← relu(h + F(h))，F(h) = W₂ relu(W₁ h)",
            ),
            Bilingual::new(
                "plain block:    h ← relu(F(h)), the same layers without the skip",
                "普通模块：    h ← relu(F(h))，同样的层，没有捷径",
            ),
            Bilingual::owned(
                format!("epoch {epoch}, batch {batch} of {per_epoch}"),
                format!("第 {epoch} 个周期，第 {batch} 批（共 {per_epoch} 批）"),
            ),
        ];
        lines.push(Bilingual::new(
            "1 get a batch:   the same digits for both networks",
            "1 取一个批次：   两个网络用同样的数字图片",
        ));
        lines.push(Bilingual::new(
            "2 forward pass:  y = net(x), each network",
            "2 前向传播：     y = net(x)，每个网络各算一次",
        ));
        let loss = |run: &Run| run.trainer.minibatch().and_then(|b| b.loss);
        lines.push(match (loss(&self.residual), loss(&self.plain)) {
            (Some(r), Some(p)) => Bilingual::owned(
                format!("3 loss:          L = cross_entropy(y, t): residual {r:.4}, plain {p:.4}"),
                format!("3 计算损失：     L = cross_entropy(y, t)：残差 {r:.4}，普通 {p:.4}"),
            ),
            _ => Bilingual::new(
                "3 loss:          L = cross_entropy(y, t)",
                "3 计算损失：     L = cross_entropy(y, t)",
            ),
        });
        // The gradients of this step, once computed (and until the next).
        let computed = self.next == 4 || (self.next == 0 && t.steps_done() > 0);
        let first = |run: &Run| run.first_grads.last().map(|&(_, g)| g);
        lines.push(match (first(&self.residual), first(&self.plain)) {
            (Some(r), Some(p)) if computed => Bilingual::owned(
                format!(
                    "4 gradients:     |∂L/∂W_in| reaching the first layer: residual {r:.2e}, plain {p:.2e}"
                ),
                format!("4 计算梯度：     到达第一层的 |∂L/∂W_in|：残差 {r:.2e}，普通 {p:.2e}"),
            ),
            _ => Bilingual::new(
                "4 gradients:     ∂L/∂W by backpropagation, back to the first layer",
                "4 计算梯度：     反向传播求 ∂L/∂W，一直传到第一层",
            ),
        });
        lines.push(Bilingual::owned(
            format!("5 update:        W ← W − η ∂L/∂W, η = {lr}, both networks"),
            format!("5 更新权重：     W ← W − η ∂L/∂W，η = {lr}，两个网络都更新"),
        ));
        let record = |run: &Run| run.trainer.history().last().copied();
        lines.push(match (record(&self.residual), record(&self.plain)) {
            (Some(r), Some(p)) => Bilingual::owned(
                format!(
                    "6-7 epoch {}: train loss residual {:.4}, plain {:.4}; test accuracy {:.3}, {:.3}",
                    r.epoch,
                    r.train_loss,
                    p.train_loss,
                    r.test_accuracy.unwrap_or(f64::NAN),
                    p.test_accuracy.unwrap_or(f64::NAN)
                ),
                format!(
                    "6-7 第 {} 个周期：训练损失 残差 {:.4}，普通 {:.4}；测试准确率 {:.3}，{:.3}",
                    r.epoch,
                    r.train_loss,
                    p.train_loss,
                    r.test_accuracy.unwrap_or(f64::NAN),
                    p.test_accuracy.unwrap_or(f64::NAN)
                ),
            ),
            _ => Bilingual::new(
                "6-7 repeat for batches and epochs: none done yet",
                "6-7 按批次、按周期重复：尚未完成任何周期",
            ),
        });
        View::new(
            "steps",
            Bilingual::new(
                "residual versus plain, step by step",
                "残差网络与普通网络，逐步对照",
            ),
            ViewContent::steps(lines, Some(4 + self.next)),
        )
    }

    /// Both networks' loss per epoch (and per batch) on one plot.
    fn loss_plot(&self) -> View {
        let per_epoch = self.residual.trainer.batches_per_epoch().max(1) as f64;
        let now = self.residual.trainer.steps_done() as f64 / per_epoch;
        let batches = |run: &Run| -> Vec<(f64, f64)> {
            run.losses
                .iter()
                .map(|&(s, l)| (s / per_epoch, l))
                .collect()
        };
        let epochs = |run: &Run| -> Vec<(f64, f64)> {
            run.trainer
                .history()
                .iter()
                .map(|r| (r.epoch as f64, r.train_loss))
                .collect()
        };
        let top = self
            .residual
            .losses
            .iter()
            .chain(&self.plain.losses)
            .map(|&(_, l)| l)
            .filter(|l| l.is_finite())
            .fold(2.5f64, f64::max);
        View::new(
            "loss_curve",
            Bilingual::new(
                "training loss: residual and plain",
                "训练损失：残差网络与普通网络",
            ),
            ViewContent::Plot(Plot {
                curves: vec![
                    Curve {
                        label: Bilingual::new("residual batch", "残差 批次"),
                        points: batches(&self.residual),
                    },
                    Curve {
                        label: Bilingual::new("plain batch", "普通 批次"),
                        points: batches(&self.plain),
                    },
                    Curve {
                        label: Bilingual::new("residual epoch", "残差 周期"),
                        points: epochs(&self.residual),
                    },
                    Curve {
                        label: Bilingual::new("plain epoch", "普通 周期"),
                        points: epochs(&self.plain),
                    },
                ],
                x_label: Bilingual::new("epoch", "周期"),
                y_label: Bilingual::new("cross-entropy", "交叉熵"),
                x_range: Some((0.0, now.floor() + 1.0)),
                y_range: Some((0.0, top)),
                marks: vec![Mark {
                    axis: PlotAxis::Y,
                    value: (CLASSES as f64).ln(),
                    label: Bilingual::new("ln 10: guessing", "ln 10：随机猜测"),
                }],
                now: Some(now),
            }),
        )
        .untraced()
    }

    /// Both networks' test accuracy per epoch on one plot.
    fn accuracy_plot(&self) -> View {
        let per_epoch = self.residual.trainer.batches_per_epoch().max(1) as f64;
        let now = self.residual.trainer.steps_done() as f64 / per_epoch;
        let curve = |run: &Run| -> Vec<(f64, f64)> {
            run.trainer
                .history()
                .iter()
                .filter_map(|r| Some((r.epoch as f64, r.test_accuracy?)))
                .collect()
        };
        View::new(
            "accuracy_curve",
            Bilingual::new(
                "test accuracy: residual and plain",
                "测试准确率：残差网络与普通网络",
            ),
            ViewContent::Plot(Plot {
                curves: vec![
                    Curve {
                        label: Bilingual::new("residual", "残差"),
                        points: curve(&self.residual),
                    },
                    Curve {
                        label: Bilingual::new("plain", "普通"),
                        points: curve(&self.plain),
                    },
                ],
                x_label: Bilingual::new("epoch", "周期"),
                y_label: Bilingual::new("accuracy", "准确率"),
                x_range: Some((0.0, now.floor() + 1.0)),
                y_range: Some((0.0, 1.0)),
                marks: vec![Mark {
                    axis: PlotAxis::Y,
                    value: 1.0 / CLASSES as f64,
                    label: Bilingual::new("chance", "随机猜测"),
                }],
                now: Some(now),
            }),
        )
        .untraced()
    }

    /// The first block's input h, F(h) and h + F(h) for the batch's first
    /// digit, once the forward pass has run.
    fn block_views(&self, out: &mut Vec<View>) {
        let Some(block) = self.first_block() else {
            return;
        };
        let (Some(x), Some(f), Some(s)) = (block.input(), block.residual(), block.sum()) else {
            return;
        };
        if x.ndim() != 2 || x.shape()[0] == 0 {
            return;
        }
        let row = |a: &ndarray::ArrayD<f32>| -> Vec<f32> {
            a.index_axis(Axis(0), 0).iter().copied().collect()
        };
        let (x, f, s) = (row(x), row(f), row(s));
        let hi = x
            .iter()
            .chain(&f)
            .chain(&s)
            .fold(1e-6f32, |m, v| m.max(v.abs()));
        for (name, en, zh, values) in [
            (
                "block_input",
                "block 1, first digit: its input h",
                "第 1 个模块，第一张数字：输入 h",
                x,
            ),
            (
                "block_residual",
                "F(h) = W₂ relu(W₁ h): what the block adds",
                "F(h) = W₂ relu(W₁ h)：模块加上的修正量",
                f,
            ),
            (
                "block_sum",
                "h + F(h), before the ReLU",
                "h + F(h)（ReLU 之前）",
                s,
            ),
        ] {
            out.push(View::new(
                name,
                Bilingual::new(en, zh),
                ViewContent::Vector(Vector {
                    values,
                    range: (-hi, hi),
                    labels: Vec::new(),
                }),
            ));
        }
    }

    /// The residual network's first block (its layer 2, after the input
    /// layer and its ReLU).
    fn first_block(&self) -> Option<&Residual> {
        self.residual
            .trainer
            .net()
            .layers()
            .get(2)?
            .as_any()?
            .downcast_ref()
    }

    /// |∂L/∂W| of every weight layer in the last backward pass of each
    /// network, input layer first, as log₁₀ (the plain network's fall by
    /// orders of magnitude towards the input).
    fn gradient_views(&self, out: &mut Vec<View>) {
        let residual = weight_grad_norms(self.residual.trainer.net());
        let plain = weight_grad_norms(self.plain.trainer.net());
        if self.residual.trainer.steps_done() == 0 && self.next <= 3 {
            return;
        }
        let log = |norms: &[f32]| -> Vec<(f64, f64)> {
            norms
                .iter()
                .enumerate()
                .map(|(k, &g)| ((k + 1) as f64, f64::from(g.max(1e-30)).log10()))
                .collect()
        };
        let (r, p) = (log(&residual), log(&plain));
        let low = r
            .iter()
            .chain(&p)
            .map(|&(_, v)| v)
            .fold(-1.0f64, f64::min)
            .floor();
        let high = r
            .iter()
            .chain(&p)
            .map(|&(_, v)| v)
            .fold(low + 1.0, f64::max)
            .ceil();
        out.push(
            View::new(
                "gradient_by_layer",
                Bilingual::new(
                    "log₁₀ |∂L/∂W| by layer in the last step (1 = the first layer)",
                    "上一步各层的 log₁₀ |∂L/∂W|（1 = 第一层）",
                ),
                ViewContent::Plot(Plot {
                    curves: vec![
                        Curve {
                            label: Bilingual::new("residual", "残差"),
                            points: r,
                        },
                        Curve {
                            label: Bilingual::new("plain", "普通"),
                            points: p,
                        },
                    ],
                    x_label: Bilingual::new("layer", "层"),
                    y_label: Bilingual::new("log₁₀ |grad|", "log₁₀ |梯度|"),
                    x_range: Some((1.0, self.shape.depth() as f64)),
                    y_range: Some((low, high)),
                    marks: Vec::new(),
                    now: None,
                }),
            )
            .untraced(),
        );
        let per_step = |run: &Run| -> Vec<(f64, f64)> {
            run.first_grads
                .iter()
                .map(|&(s, g)| (s, g.max(1e-30).log10()))
                .collect()
        };
        out.push(
            View::new(
                "first_layer_gradient",
                Bilingual::new(
                    "log₁₀ |∂L/∂W_in| reaching the first layer, step by step",
                    "每一步到达第一层的 log₁₀ |∂L/∂W_in|",
                ),
                ViewContent::Plot(Plot {
                    curves: vec![
                        Curve {
                            label: Bilingual::new("residual", "残差"),
                            points: per_step(&self.residual),
                        },
                        Curve {
                            label: Bilingual::new("plain", "普通"),
                            points: per_step(&self.plain),
                        },
                    ],
                    x_label: Bilingual::new("step", "步"),
                    y_label: Bilingual::new("log₁₀ |grad|", "log₁₀ |梯度|"),
                    x_range: None,
                    y_range: None,
                    marks: Vec::new(),
                    now: None,
                }),
            )
            .untraced(),
        );
        let rows = (0..residual.len().max(plain.len()))
            .map(|k| {
                let name = match k {
                    0 => "W_in".to_string(),
                    k if k + 1 == residual.len() => "W_out".to_string(),
                    k => format!("block {} W{}", (k - 1) / 2 + 1, (k - 1) % 2 + 1),
                };
                let cell = |v: Option<&f32>| {
                    Bilingual::same(v.map_or_else(|| "-".into(), |g| format!("{g:.2e}")))
                };
                vec![
                    Bilingual::same(name),
                    cell(residual.get(k)),
                    cell(plain.get(k)),
                ]
            })
            .collect();
        out.push(View::new(
            "gradient_table",
            Bilingual::new(
                "|∂L/∂W| of each weight layer in the last step",
                "上一步每层权重的 |∂L/∂W|",
            ),
            ViewContent::Table(Table {
                header: vec![
                    Bilingual::new("layer", "层"),
                    Bilingual::new("residual", "残差"),
                    Bilingual::new("plain", "普通"),
                ],
                rows,
                current: Some(0),
            }),
        ));
    }
}

impl Model for ResidualNetwork {
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
        if let Ok(fresh) = ResidualNetwork::new(&self.params, seed) {
            *self = fresh;
        }
    }

    fn stage_count(&self) -> usize {
        5
    }

    fn stage_label(&self, index: usize) -> Bilingual {
        match index {
            0 => Bilingual::new("1 get a batch", "1 取一个批次"),
            1 => Bilingual::new("2 forward pass, both networks", "2 前向传播，两个网络"),
            2 => Bilingual::new("3 calculate the losses", "3 计算损失"),
            3 => Bilingual::new("4 calculate the gradients", "4 计算梯度"),
            _ => Bilingual::new("5 update the weights", "5 更新权重"),
        }
    }

    fn next_stage(&self) -> usize {
        self.next
    }

    fn steps_done(&self) -> u64 {
        self.residual.trainer.steps_done()
    }

    /// Each of the seed's stages, on the residual network, then on the
    /// plain one.
    fn stage(&mut self) {
        self.residual.stage();
        self.plain.stage();
        self.next = (self.next + 1) % 5;
    }

    fn views(&self) -> Vec<View> {
        let mut out = vec![self.equations(), self.loss_plot(), self.accuracy_plot()];
        self.block_views(&mut out);
        self.gradient_views(&mut out);
        let (epoch, batch) = self.clock();
        out.push(View::new(
            "epoch",
            Bilingual::new("epoch (from 1)", "周期（从 1 起）"),
            ViewContent::scalar(epoch as f64),
        ));
        out.push(View::new(
            "batch_in_epoch",
            Bilingual::new("batch in the epoch (from 1)", "周期内的批次（从 1 起）"),
            ViewContent::scalar(batch as f64),
        ));
        for (run, name, en, zh) in [
            (
                &self.residual,
                "residual_loss",
                "residual network's batch loss",
                "残差网络的批次损失",
            ),
            (
                &self.plain,
                "plain_loss",
                "plain network's batch loss",
                "普通网络的批次损失",
            ),
        ] {
            if let Some(loss) = run.trainer.minibatch().and_then(|b| b.loss) {
                out.push(View::new(
                    name,
                    Bilingual::new(en, zh),
                    ViewContent::scalar(f64::from(loss)),
                ));
            }
        }
        out
    }

    fn actions(&self) -> Vec<Action> {
        vec![
            Action {
                name: epochs::FINISH_EPOCH,
                key: 'f',
                label: Bilingual::new(
                    "train both to the end of this epoch",
                    "两个网络都训练到本周期结束",
                ),
                long: true,
            },
            Action {
                name: epochs::TEN_EPOCHS,
                key: 'T',
                label: Bilingual::new("train both ten more epochs", "两个网络再训练十个周期"),
                long: true,
            },
        ]
    }

    fn act(&mut self, action: &str) -> Result<(), ModelError> {
        self.work(action, &mut crate::work::unwatched)
    }

    /// Trains both networks a minibatch at a time until the epoch asked
    /// for ends, or until told to stop, after the step under way.
    fn work(&mut self, action: &str, progress: Report<'_>) -> Result<(), ModelError> {
        let epochs = epochs::epochs_asked(action)?;
        epochs::train_epochs(
            self,
            epochs,
            |lab| lab.residual.trainer.clock(),
            |lab| lab.step(),
            progress,
        );
        Ok(())
    }

    fn retune(&mut self, params: &Params) -> Result<(), ModelError> {
        let lr = params.float("lr") as f32;
        self.residual.trainer.set_learning_rate(lr);
        self.plain.trainer.set_learning_rate(lr);
        self.params = params.clone();
        Ok(())
    }

    fn status(&self) -> Option<Status> {
        let r = *self.residual.trainer.history().last()?;
        let p = *self.plain.trainer.history().last()?;
        let diverged = !r.train_loss.is_finite() || !p.train_loss.is_finite();
        Some(Status {
            level: if diverged {
                StatusLevel::Warning
            } else {
                StatusLevel::Info
            },
            text: if diverged {
                Bilingual::owned(
                    format!(
                        "a loss overflowed in epoch {}: lower the learning rate (p) and reset",
                        r.epoch
                    ),
                    format!("第 {} 个周期损失溢出：请调低学习率（p）并重置", r.epoch),
                )
            } else {
                Bilingual::owned(
                    format!(
                        "after {} epoch{}: train loss residual {:.3}, plain {:.3}; test accuracy {:.1}%, {:.1}%",
                        r.epoch,
                        if r.epoch == 1 { "" } else { "s" },
                        r.train_loss,
                        p.train_loss,
                        r.test_accuracy.unwrap_or(f64::NAN) * 100.0,
                        p.test_accuracy.unwrap_or(f64::NAN) * 100.0
                    ),
                    format!(
                        "{} 个周期后：训练损失 残差 {:.3}，普通 {:.3}；测试准确率 {:.1}%，{:.1}%",
                        r.epoch,
                        r.train_loss,
                        p.train_loss,
                        r.test_accuracy.unwrap_or(f64::NAN) * 100.0,
                        p.test_accuracy.unwrap_or(f64::NAN) * 100.0
                    ),
                )
            },
        })
    }
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "drn",
    name: Bilingual::new("Deep residual network", "深度残差网络"),
    params: specs,
    build: |params, seed| Ok(Box::new(ResidualNetwork::new(params, seed)?)),
    params_from_weights: None,
};
