//! Deep belief network: restricted Boltzmann machines stacked and trained
//! greedily, one layer at a time, then fine-tuned as a classifier.
//!
//! G. E. Hinton, S. Osindero and Y.-W. Teh, "A fast learning algorithm for
//! deep belief nets", Neural Computation 18(7):1527–1554, 2006; the
//! fine-tuning by backpropagation as in G. E. Hinton and R. R.
//! Salakhutdinov, "Reducing the dimensionality of data with neural
//! networks", Science 313:504–507, 2006.
//!
//! Layer 1 is an RBM (see [`super::rbm`]) on the digits; layer k+1 is an
//! RBM whose data are layer k's hidden probabilities of those digits:
//!
//! ```text
//! x₀ = v                   x_k = p(h_k = 1 | x_{k−1}) = σ(x_{k−1} W_kᵀ + c_k)
//! RBM k learns x_{k−1} by contrastive divergence, the layers below fixed
//! ```
//!
//! The stack then becomes a feed-forward classifier: each RBM's recognition
//! weights initialise a Linear layer (W_k is `[hidden, visible]`, PyTorch's
//! `[out, in]`) followed by a sigmoid, a Linear layer to the classes on top,
//! softmax cross-entropy, trained by Adam (or plain SGD) with the core's
//! trainer.
//!
//! Samples come top-down: a Gibbs chain in the top RBM, started from noise,
//! alternates h ~ p(h|v) and v ~ p(v|h); its last visible sample goes down
//! through the generative weights of the layers below, v_{k−1} ~ σ(v_k W_k +
//! b_k), and the pixels shown are the bottom layer's probabilities. The
//! samples use the weights as pretraining left them (fine-tuning changes
//! only the classifier's copy).

use super::rbm::{self, Machine, Rbm, sample_from};
use crate::data::{self, Dataset};
use crate::model::view::{Curve, Gallery, Plot};
use crate::model::{
    Action, Flow, Model, ModelError, ModelSpec, ParamKind, ParamSpec, ParamValue, Params, Progress,
    Report, Status, StatusLevel, View, ViewContent,
};
use crate::nn::Layer;
use crate::nn::activation::Sigmoid;
use crate::nn::linear::Linear;
use crate::nn::optim::{Adam, Optimizer, Sgd};
use crate::nn::sequential::Sequential;
use crate::text::Bilingual;
use crate::train::{Objective, TrainConfig, Trainer};
use ndarray::{Array2, ArrayView2};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::sync::Arc;

/// At most this many hidden layers.
pub const MAX_LAYERS: usize = 4;
/// Chains sampled at once.
const CHAINS: usize = 16;
/// Hidden units of layer 1 whose weights are shown.
const SHOWN_FILTERS: usize = 24;

/// The hidden layers' sizes, bottom to top, from `"100,100"`.
pub fn parse_sizes(text: &str) -> Result<Vec<usize>, ModelError> {
    let sizes = text
        .split(',')
        .map(|part| {
            let part = part.trim();
            part.parse::<usize>()
                .ok()
                .filter(|&n| (1..=rbm::MAX_HIDDEN).contains(&n))
                .ok_or_else(|| {
                    ModelError::Invalid(Bilingual::owned(
                        format!(
                            "hidden = {text:?}: `{part}` is not a layer size from 1 to {}",
                            rbm::MAX_HIDDEN
                        ),
                        format!(
                            "hidden = {text:?}：`{part}` 不是 1 到 {} 之间的层宽",
                            rbm::MAX_HIDDEN
                        ),
                    ))
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if sizes.is_empty() || sizes.len() > MAX_LAYERS {
        return Err(ModelError::Invalid(Bilingual::owned(
            format!("hidden = {text:?}: give 1 to {MAX_LAYERS} layer sizes separated by commas"),
            format!("hidden = {text:?}：请给 1 到 {MAX_LAYERS} 个以逗号分隔的层宽"),
        )));
    }
    Ok(sizes)
}

/// The classifier: Linear + sigmoid per hidden layer, initialised from the
/// RBMs' recognition weights and hidden biases when `machines` are given
/// (else PyTorch's default initialisation), then a Linear layer to the
/// classes.
pub fn classifier(
    inputs: usize,
    sizes: &[usize],
    machines: Option<&[Machine]>,
    classes: usize,
    rng: &mut StdRng,
) -> Sequential {
    let mut layers: Vec<Box<dyn Layer>> = Vec::new();
    let mut width = inputs;
    for (k, &size) in sizes.iter().enumerate() {
        let linear = match machines.and_then(|m| m.get(k)) {
            Some(m) => Linear::from_parts(m.w.clone(), Some(m.c.clone())),
            None => Linear::new(width, size, true, rng),
        };
        layers.push(Box::new(linear));
        layers.push(Box::new(Sigmoid::new()));
        width = size;
    }
    layers.push(Box::new(Linear::new(width, classes, true, rng)));
    Sequential::from_layers(layers)
}

/// The fine-tuning's optimiser, as the parameters name it.
pub fn optimizer(params: &Params) -> Box<dyn Optimizer> {
    let lr = params.float("finetune_lr") as f32;
    if params.choice("optimizer") == "sgd" {
        Box::new(Sgd::new(lr))
    } else {
        Box::new(Adam::new(lr))
    }
}

/// Mean squared difference per unit between `v` and its mean-field
/// reconstruction σ(σ(vWᵀ + c)W + b).
pub fn reconstruction_error(machine: &Machine, v: ArrayView2<f32>) -> f64 {
    let h = machine.hidden_probabilities(v);
    let r = machine.visible_probabilities(h.view());
    let n = v.len().max(1) as f64;
    (&r - &v)
        .iter()
        .map(|&d| f64::from(d) * f64::from(d))
        .sum::<f64>()
        / n
}

/// The model's parameters.
pub fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "hidden",
            "hidden layer sizes, bottom to top, separated by commas (1 to 4 layers)",
            "各隐藏层的大小，自下而上，以逗号分隔（1 到 4 层）",
            ParamKind::Text {
                max_len: 64,
                offered: &[],
            },
            ParamValue::Text("100,100".into()),
        ),
        ParamSpec::new(
            "epochs",
            "pretraining epochs of each RBM",
            "每个 RBM 的预训练周期数",
            ParamKind::Int { min: 1, max: 1000 },
            ParamValue::Int(10),
        ),
        ParamSpec::new(
            "lr",
            "the RBMs' learning rate",
            "各 RBM 的学习率",
            ParamKind::Float {
                min: 1e-6,
                max: 10.0,
            },
            ParamValue::Float(0.06),
        ),
        ParamSpec::new(
            "batch",
            "rows per minibatch of the RBMs",
            "各 RBM 每个小批次的行数",
            ParamKind::Int { min: 1, max: 4096 },
            ParamValue::Int(10),
        ),
        ParamSpec::new(
            "rule",
            "pcd: the negative chain persists from batch to batch; cd: it starts at the data",
            "pcd：负相的马尔可夫链在批次之间延续；cd：每次从数据出发",
            ParamKind::Choice(&["pcd", "cd"]),
            ParamValue::Choice("pcd"),
        ),
        ParamSpec::new(
            "finetune_epochs",
            "epochs of fine-tuning as a classifier",
            "作为分类器微调的周期数",
            ParamKind::Int {
                min: 1,
                max: 10_000,
            },
            ParamValue::Int(50),
        ),
        ParamSpec::new(
            "optimizer",
            "the fine-tuning's optimiser: adam or plain sgd",
            "微调所用的优化器：adam 或普通 sgd",
            ParamKind::Choice(&["adam", "sgd"]),
            ParamValue::Choice("adam"),
        ),
        ParamSpec::new(
            "finetune_lr",
            "learning rate of the fine-tuning",
            "微调的学习率",
            ParamKind::Float {
                min: 1e-6,
                max: 10.0,
            },
            ParamValue::Float(0.01),
        ),
        ParamSpec::new(
            "finetune_batch",
            "rows per minibatch of the fine-tuning",
            "微调每个小批次的行数",
            ParamKind::Int { min: 1, max: 4096 },
            ParamValue::Int(32),
        ),
        ParamSpec::new(
            "gibbs",
            "Gibbs sweeps of the top layer's chain per sample",
            "每次生成样本时顶层吉布斯链的采样轮数",
            ParamKind::Int {
                min: 1,
                max: 10_000,
            },
            ParamValue::Int(200),
        ),
    ]
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "dbn",
    name: Bilingual::new("Deep belief network", "深度信念网络"),
    params,
    build: |params, seed| Ok(Box::new(Dbn::new(params, seed)?)),
    params_from_weights: None,
};

/// The 8x8 digits split 80/20 from the seed, as `ffnn-digits` splits them
/// (pixels already in 0..1).
pub fn digits(seed: u64) -> Result<(Dataset, Dataset), ModelError> {
    let digits = data::builtin("digits", seed).map_err(ModelError::from)?;
    Ok(digits.split(0.2, seed))
}

/// A stack of RBMs learning the digits layer by layer, then fine-tuned.
#[derive(Clone)]
pub struct Dbn {
    params: Params,
    seed: u64,
    sizes: Vec<usize>,
    epochs: u64,
    finetune_epochs: u64,
    gibbs: usize,
    train: Arc<Dataset>,
    test: Arc<Dataset>,
    /// The RBMs pretrained so far.
    done: Vec<Machine>,
    /// The RBM under pretraining, and the rows it learns.
    current: Option<(Rbm, Arc<Array2<f32>>)>,
    /// Per layer: (epoch, reconstruction error), epoch 0 before training.
    recon: Vec<Vec<(f64, f64)>>,
    trainer: Option<Trainer>,
    samples: Option<Array2<f32>>,
    rng: StdRng,
    steps: u64,
}

impl Dbn {
    pub fn new(params: &Params, seed: u64) -> Result<Dbn, ModelError> {
        let sizes = parse_sizes(params.text("hidden"))?;
        let (train, test) = digits(seed)?;
        Ok(Dbn::from_data(
            params,
            seed,
            sizes,
            Arc::new(train),
            Arc::new(test),
        ))
    }

    fn from_data(
        params: &Params,
        seed: u64,
        sizes: Vec<usize>,
        train: Arc<Dataset>,
        test: Arc<Dataset>,
    ) -> Dbn {
        let mut dbn = Dbn {
            params: params.clone(),
            seed,
            epochs: params.int("epochs") as u64,
            finetune_epochs: params.int("finetune_epochs") as u64,
            gibbs: params.int("gibbs") as usize,
            recon: vec![Vec::new(); sizes.len()],
            sizes,
            train,
            test,
            done: Vec::new(),
            current: None,
            trainer: None,
            samples: None,
            rng: StdRng::seed_from_u64(seed ^ 0x5eed_d8b1),
            steps: 0,
        };
        dbn.start_layer();
        dbn
    }

    /// Layer `done.len()`'s RBM on the hidden probabilities of the layers
    /// below; the classifier once every layer is pretrained.
    fn start_layer(&mut self) {
        let k = self.done.len();
        if k < self.sizes.len() {
            let mut rows = self.train.records.clone();
            for m in &self.done {
                rows = m.hidden_probabilities(rows.view());
            }
            let rows = Arc::new(rows);
            let mut params = Params::defaults(rbm::params());
            for (name, value) in [
                ("hidden", self.sizes[k].to_string()),
                ("lr", self.params.float("lr").to_string()),
                ("batch", self.params.int("batch").to_string()),
                ("rule", self.params.choice("rule").to_string()),
            ] {
                // The values are within the RBM's bounds: ours are the same.
                let _ = params.set(name, &value);
            }
            let image = (k == 0).then_some(self.train.image).flatten();
            let mut machine = Rbm::from_data(
                &params,
                self.seed.wrapping_add(k as u64),
                Arc::clone(&rows),
                image,
            );
            machine.set_recording(false);
            self.recon[k].push((0.0, reconstruction_error(machine.machine(), rows.view())));
            self.current = Some((machine, rows));
        } else {
            self.current = None;
            let mut rng = StdRng::seed_from_u64(self.seed);
            let classes = self.train.n_classes().unwrap_or(10);
            let net = classifier(
                self.train.n_features(),
                &self.sizes,
                Some(&self.done),
                classes,
                &mut rng,
            );
            self.trainer = Some(Trainer::new(
                net,
                optimizer(&self.params),
                Objective::Classify,
                (*self.train).clone(),
                (*self.test).clone(),
                TrainConfig {
                    batch_size: self.params.int("finetune_batch") as usize,
                    seed: self.seed,
                    record: false,
                },
            ));
        }
    }

    /// The phase under way: `k < layers` pretrains layer k + 1, `layers`
    /// fine-tunes.
    pub fn phase(&self) -> usize {
        self.done.len()
    }

    pub fn machines(&self) -> &[Machine] {
        &self.done
    }

    pub fn trainer(&self) -> Option<&Trainer> {
        self.trainer.as_ref()
    }

    /// Per layer: (epoch, reconstruction error).
    pub fn reconstruction(&self) -> &[Vec<(f64, f64)>] {
        &self.recon
    }

    /// One minibatch of the phase under way.
    pub fn train_step(&mut self) {
        self.steps += 1;
        if let Some((machine, rows)) = self.current.as_mut() {
            let before = machine.epochs_done();
            machine.train_step();
            if machine.epochs_done() > before {
                let k = self.done.len();
                let err = reconstruction_error(machine.machine(), rows.view());
                self.recon[k].push((machine.epochs_done() as f64, err));
                if machine.epochs_done() >= self.epochs {
                    self.done.push(machine.machine().clone());
                    self.start_layer();
                }
            }
        } else if let Some(trainer) = self.trainer.as_mut() {
            trainer.step();
        }
    }

    /// Fine-tuning epochs done.
    pub fn finetune_epochs_done(&self) -> u64 {
        self.trainer.as_ref().map_or(0, Trainer::epoch)
    }

    /// Whether the phase under way has reached its planned end.
    fn phase_over(&self, phase: usize) -> bool {
        if self.phase() != phase {
            return true;
        }
        phase == self.sizes.len() && self.finetune_epochs_done() >= self.finetune_epochs
    }

    /// Top-down samples: a Gibbs chain of `sweeps` in the top pretrained RBM
    /// from noise, then down through the generative weights below.
    pub fn sample(&mut self, chains: usize, sweeps: usize) -> Option<Array2<f32>> {
        let top = self.done.last()?;
        let mut v = Array2::from_shape_simple_fn((chains, top.visible()), || {
            if self.rng.random::<f32>() < 0.5 {
                1.0
            } else {
                0.0
            }
        });
        let mut p_v = v.clone();
        for _ in 0..sweeps {
            let h = sample_from(&top.hidden_probabilities(v.view()), &mut self.rng);
            p_v = top.visible_probabilities(h.view());
            v = sample_from(&p_v, &mut self.rng);
        }
        let below = self.done.len() - 1;
        let mut p = p_v;
        for m in self.done[..below].iter().rev() {
            p = m.visible_probabilities(v.view());
            v = sample_from(&p, &mut self.rng);
        }
        Some(p)
    }

    fn gallery(
        &self,
        rows: ArrayView2<f32>,
        captions: Vec<String>,
        range: (f32, f32),
    ) -> Option<Gallery> {
        let (height, width) = self.train.image?;
        Some(Gallery {
            width,
            height,
            items: rows.rows().into_iter().map(|r| r.to_vec()).collect(),
            marked: None,
            captions,
            range,
        })
    }

    fn steps_view(&self) -> View {
        let layers = self.sizes.len();
        let mut widths = vec![self.train.n_features()];
        widths.extend(&self.sizes);
        let mut lines = vec![Bilingual::owned(
            format!(
                "{}-{}-{} on {} training digits ({} held out)",
                self.train.n_features(),
                self.sizes
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("-"),
                self.train.n_classes().unwrap_or(10),
                self.train.len(),
                self.test.len()
            ),
            format!(
                "{}-{}-{}，训练数字 {} 个（留出 {} 个）",
                self.train.n_features(),
                self.sizes
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("-"),
                self.train.n_classes().unwrap_or(10),
                self.train.len(),
                self.test.len()
            ),
        )];
        for k in 0..layers {
            let err = self.recon[k].last().map(|&(e, r)| (e, r));
            let progress = match (&self.current, err) {
                (Some((m, _)), _) if k == self.phase() => format!(
                    "epoch {} of {}, batch {} of {}",
                    m.epochs_done() + 1,
                    self.epochs,
                    self.steps_in_epoch(m) + 1,
                    m.batches_per_epoch()
                ),
                _ => String::new(),
            };
            let zh_progress = match &self.current {
                Some((m, _)) if k == self.phase() => format!(
                    "第 {} / {} 周期，第 {} / {} 批",
                    m.epochs_done() + 1,
                    self.epochs,
                    self.steps_in_epoch(m) + 1,
                    m.batches_per_epoch()
                ),
                _ => String::new(),
            };
            let err_text = err.map_or(String::new(), |(e, r)| format!("  error {r:.4} @ {e}"));
            let zh_err = err.map_or(String::new(), |(e, r)| format!("  误差 {r:.4} @ {e}"));
            lines.push(Bilingual::owned(
                format!(
                    "{} pretrain layer {}: RBM {}-{} on x{} = p(h{}|x{}){err_text}  {progress}",
                    k + 1,
                    k + 1,
                    widths[k],
                    widths[k + 1],
                    k,
                    k,
                    k.saturating_sub(1)
                )
                .replace("x0 = p(h0|x0)", "x0 = v"),
                format!(
                    "{} 预训练第 {} 层：RBM {}-{}，数据 x{} = p(h{}|x{}){zh_err}  {zh_progress}",
                    k + 1,
                    k + 1,
                    widths[k],
                    widths[k + 1],
                    k,
                    k,
                    k.saturating_sub(1)
                )
                .replace("x0 = p(h0|x0)", "x0 = v"),
            ));
        }
        let last = self
            .trainer
            .as_ref()
            .and_then(|t| t.history().last().copied());
        lines.push(match last {
            Some(r) => Bilingual::owned(
                format!(
                    "{} fine-tune: Linear+σ from the RBMs, softmax on top; epoch {}: loss {:.4}, test accuracy {:.4}",
                    layers + 1,
                    r.epoch,
                    r.train_loss,
                    r.test_accuracy.unwrap_or(f64::NAN)
                ),
                format!(
                    "{} 微调：由各 RBM 初始化 Linear+σ，顶层 softmax；第 {} 周期：损失 {:.4}，测试准确率 {:.4}",
                    layers + 1,
                    r.epoch,
                    r.train_loss,
                    r.test_accuracy.unwrap_or(f64::NAN)
                ),
            ),
            None => Bilingual::owned(
                format!(
                    "{} fine-tune: Linear+σ from the RBMs, softmax on top",
                    layers + 1
                ),
                format!("{} 微调：由各 RBM 初始化 Linear+σ，顶层 softmax", layers + 1),
            ),
        });
        View::new(
            "steps",
            Bilingual::new(
                "greedy layer-wise pretraining, then fine-tuning",
                "逐层贪心预训练，然后微调",
            ),
            ViewContent::steps(lines, Some(1 + self.phase())),
        )
    }

    /// Batches into the epoch under way, from the steps the RBM has taken.
    fn steps_in_epoch(&self, m: &Rbm) -> usize {
        let per = m.batches_per_epoch().max(1) as u64;
        (m.steps_done().saturating_sub(m.epochs_done() * per) % per) as usize
    }

    fn recon_plot(&self) -> View {
        View::new(
            "reconstruction",
            Bilingual::new(
                "each layer's reconstruction error per epoch (mean squared, per unit)",
                "各层每个周期的重构误差（每单元均方）",
            ),
            ViewContent::Plot(Plot {
                curves: self
                    .recon
                    .iter()
                    .enumerate()
                    .map(|(k, points)| Curve {
                        label: Bilingual::owned(
                            format!("layer {}", k + 1),
                            format!("第 {} 层", k + 1),
                        ),
                        points: points.clone(),
                    })
                    .collect(),
                x_label: Bilingual::new("epoch", "周期"),
                y_label: Bilingual::new("error", "误差"),
                x_range: None,
                y_range: None,
                marks: Vec::new(),
                now: None,
            }),
        )
        .untraced()
    }

    fn finetune_plot(&self) -> View {
        let history = self.trainer.as_ref().map_or(&[][..], |t| t.history());
        View::new(
            "finetune",
            Bilingual::new(
                "fine-tuning: training loss and test accuracy per epoch",
                "微调：每个周期的训练损失与测试准确率",
            ),
            ViewContent::Plot(Plot {
                curves: vec![
                    Curve {
                        label: Bilingual::new("train loss", "训练损失"),
                        points: history
                            .iter()
                            .map(|r| (r.epoch as f64, r.train_loss))
                            .collect(),
                    },
                    Curve {
                        label: Bilingual::new("test accuracy", "测试准确率"),
                        points: history
                            .iter()
                            .filter_map(|r| Some((r.epoch as f64, r.test_accuracy?)))
                            .collect(),
                    },
                ],
                x_label: Bilingual::new("epoch", "周期"),
                y_label: Bilingual::new("loss, accuracy", "损失、准确率"),
                x_range: None,
                y_range: None,
                marks: Vec::new(),
                now: None,
            }),
        )
        .untraced()
    }

    fn filters(&self) -> Option<View> {
        let m = match (&self.current, self.done.first()) {
            (_, Some(m)) => m,
            (Some((rbm, _)), None) => rbm.machine(),
            (None, None) => return None,
        };
        let shown = m.hidden().min(SHOWN_FILTERS);
        let w = m.w.slice(ndarray::s![..shown, ..]);
        let r = w.iter().fold(1e-6f32, |r, x| r.max(x.abs()));
        let r = if r == 1.0 { 1.0 + f32::EPSILON } else { r };
        let g = self.gallery(w, (1..=shown).map(|j| format!("h{j}")).collect(), (-r, r))?;
        Some(
            View::new(
                "filters",
                Bilingual::owned(
                    format!("layer 1's weights W_j, the first {shown} hidden units (±{r:.3})"),
                    format!("第 1 层的权重 W_j，前 {shown} 个隐藏单元（±{r:.3}）"),
                ),
                ViewContent::Gallery(g),
            )
            .untraced(),
        )
    }
}

impl Model for Dbn {
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
        let (train, test) = match digits(seed) {
            Ok((a, b)) => (Arc::new(a), Arc::new(b)),
            Err(_) => (Arc::clone(&self.train), Arc::clone(&self.test)),
        };
        *self = Dbn::from_data(&self.params, seed, self.sizes.clone(), train, test);
    }

    fn stage_count(&self) -> usize {
        self.sizes.len() + 1
    }

    fn stage_label(&self, index: usize) -> Bilingual {
        if index < self.sizes.len() {
            Bilingual::owned(
                format!("pretrain layer {}", index + 1),
                format!("预训练第 {} 层", index + 1),
            )
        } else {
            Bilingual::new("fine-tune", "微调")
        }
    }

    fn next_stage(&self) -> usize {
        self.phase()
    }

    fn steps_done(&self) -> u64 {
        self.steps
    }

    /// One minibatch of the phase under way (the phase is the stage).
    fn stage(&mut self) {
        self.train_step();
    }

    fn step(&mut self) {
        self.train_step();
    }

    fn views(&self) -> Vec<View> {
        let mut out = vec![self.steps_view(), self.recon_plot(), self.finetune_plot()];
        if let Some(samples) = &self.samples
            && let Some(g) = self.gallery(samples.view(), Vec::new(), (0.0, 1.0))
        {
            out.push(View::new(
                "samples",
                Bilingual::owned(
                    format!(
                        "samples: {} Gibbs sweeps in the top layer, then down",
                        self.gibbs
                    ),
                    format!("样本：顶层吉布斯链 {} 轮，再自上而下生成", self.gibbs),
                ),
                ViewContent::Gallery(g),
            ));
        }
        out.extend(self.filters());
        if let Some(r) = self.trainer.as_ref().and_then(|t| t.history().last()) {
            out.push(View::new(
                "test_accuracy",
                Bilingual::new("test accuracy (last epoch)", "测试准确率（上个周期）"),
                ViewContent::scalar(r.test_accuracy.unwrap_or(f64::NAN)),
            ));
        }
        out
    }

    fn actions(&self) -> Vec<Action> {
        vec![
            Action {
                name: "finish_phase",
                key: 'f',
                label: Bilingual::new(
                    "train to the end of this phase (a layer's pretraining, or the fine-tuning)",
                    "训练到本阶段结束（某层的预训练，或微调）",
                ),
                long: true,
            },
            Action {
                name: "to_the_end",
                key: 'T',
                label: Bilingual::new(
                    "pretrain every layer and fine-tune to the end",
                    "预训练所有层并微调到底",
                ),
                long: true,
            },
            Action {
                name: "sample",
                key: 'g',
                label: Bilingual::new(
                    "generate digits top-down from the top layer's Gibbs chain",
                    "由顶层吉布斯链自上而下生成数字",
                ),
                long: true,
            },
        ]
    }

    fn act(&mut self, action: &str) -> Result<(), ModelError> {
        self.work(action, &mut crate::work::unwatched)
    }

    fn work(&mut self, action: &str, progress: Report<'_>) -> Result<(), ModelError> {
        let layers = self.sizes.len();
        let last_phase = match action {
            "finish_phase" => self.phase(),
            "to_the_end" => layers,
            "sample" => {
                return if self.done.is_empty() {
                    Err(ModelError::Invalid(Bilingual::new(
                        "no layer is pretrained yet: pretrain layer 1 first (f)",
                        "还没有预训练好的层：请先预训练第 1 层（f）",
                    )))
                } else {
                    self.samples = self.sample(CHAINS, self.gibbs);
                    Ok(())
                };
            }
            other => return Err(ModelError::no_action(other)),
        };
        let per_phase = |dbn: &Dbn| match &dbn.current {
            Some((m, _)) => m.batches_per_epoch() as u64 * dbn.epochs,
            None => {
                dbn.trainer
                    .as_ref()
                    .map_or(1, |t| t.batches_per_epoch() as u64)
                    * dbn.finetune_epochs
            }
        };
        let total = per_phase(self) as usize * (last_phase + 1 - self.phase().min(last_phase));
        let mut done = 0;
        while !(self.phase() >= last_phase && self.phase_over(last_phase)) {
            let phase = self.phase();
            self.train_step();
            done += 1;
            let note = if phase < layers {
                format!("pretraining layer {}", phase + 1)
            } else {
                format!("fine-tuning, epoch {}", self.finetune_epochs_done() + 1)
            };
            if progress(&Progress::new(done.min(total), total.max(1), note)) == Flow::Stop {
                break;
            }
        }
        Ok(())
    }

    fn status(&self) -> Option<Status> {
        let r = self.trainer.as_ref()?.history().last()?;
        Some(Status {
            level: StatusLevel::Info,
            text: Bilingual::owned(
                format!(
                    "fine-tuned {} epoch{}: test accuracy {:.4}",
                    r.epoch,
                    if r.epoch == 1 { "" } else { "s" },
                    r.test_accuracy.unwrap_or(f64::NAN)
                ),
                format!(
                    "微调 {} 个周期：测试准确率 {:.4}",
                    r.epoch,
                    r.test_accuracy.unwrap_or(f64::NAN)
                ),
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Params {
        let mut p = Params::defaults(params());
        p.set("hidden", "16,8").unwrap();
        p.set("epochs", "1").unwrap();
        p.set("finetune_epochs", "1").unwrap();
        p
    }

    #[test]
    fn bad_layer_sizes_say_what_is_wrong() {
        assert!(parse_sizes("100, 50").is_ok());
        let e = parse_sizes("100,x").unwrap_err().to_string();
        assert!(e.contains("`x`"), "{e}");
        assert!(parse_sizes("1,1,1,1,1").is_err());
        assert!(parse_sizes("0").is_err());
    }

    #[test]
    fn each_layer_learns_the_hidden_probabilities_of_the_one_below() {
        let mut dbn = Dbn::new(&small(), 1).unwrap();
        dbn.work("finish_phase", &mut crate::work::unwatched)
            .unwrap();
        assert_eq!(dbn.phase(), 1);
        let (rbm, rows) = dbn.current.as_ref().unwrap();
        let want = dbn.done[0].hidden_probabilities(dbn.train.records.view());
        assert_eq!(**rows, want);
        assert_eq!(rbm.machine().visible(), 16);
        assert_eq!(rbm.machine().hidden(), 8);
        // The error of layer 1 fell in its epoch.
        let r = &dbn.recon[0];
        assert!(r[1].1 < r[0].1, "{r:?}");
    }

    #[test]
    fn the_classifier_starts_from_the_rbms_recognition_weights() {
        let mut dbn = Dbn::new(&small(), 2).unwrap();
        dbn.work("finish_phase", &mut crate::work::unwatched)
            .unwrap();
        dbn.work("finish_phase", &mut crate::work::unwatched)
            .unwrap();
        assert_eq!(dbn.phase(), 2);
        let trainer = dbn.trainer.as_ref().unwrap();
        // Through the first two Linear+σ pairs, the network computes the
        // stack's hidden probabilities.
        let x = dbn.test.records.slice(ndarray::s![..5, ..]).to_owned();
        let mut want = x.clone();
        for m in &dbn.done {
            want = m.hidden_probabilities(want.view());
        }
        let mut got = x.into_dyn();
        for layer in trainer.net().layers().iter().take(4) {
            got = layer.infer(got.view());
        }
        let got = got.into_dimensionality::<ndarray::Ix2>().unwrap();
        let diff = (&got - &want).iter().fold(0f32, |m, d| m.max(d.abs()));
        assert!(diff < 1e-5, "{diff}");
    }

    #[test]
    fn samples_are_pictures_in_zero_one() {
        let mut dbn = Dbn::new(&small(), 3).unwrap();
        assert!(dbn.act("sample").is_err());
        dbn.work("to_the_end", &mut crate::work::unwatched).unwrap();
        assert_eq!(dbn.finetune_epochs_done(), 1);
        let s = dbn.sample(4, 5).unwrap();
        assert_eq!(s.dim(), (4, 64));
        assert!(s.iter().all(|&p| (0.0..=1.0).contains(&p)));
    }
}
