//! The hourglass the three autoencoders share, and the lab that trains it
//! one stage at a time, three ways: plainly (the autoencoder), from
//! corrupted inputs (the denoising autoencoder), and under a sparsity
//! penalty on the code (the sparse autoencoder).
//!
//! ```text
//! encoder f:  x (64) → Linear → ReLU → … → Linear → code activation → h (k)
//! decoder g:  h (k)  → Linear → ReLU → … → Linear → z (64),  x̂ = σ(z)
//! ```
//!
//! The decoder's hidden widths mirror the encoder's. Its last layer gives
//! the logits z, so that the binary cross-entropy is taken on the logits
//! (the stable form) and the squared error on x̂ = σ(z). The reconstruction
//! loss is summed over the 64 pixels and averaged over the batch,
//! L = (1/B) Σ_i ℓ(x̂_i, x_i); the figures a person compares (the loss
//! curve, the experiments) are the mean squared error per pixel.
//!
//! One step of the lab is one minibatch in the seed's five stages (get a
//! batch, forward pass, loss, gradients, update), on the digits split 80/20
//! from the seed, by Adam.

use super::denoising_autoencoder::Corruption;
use super::sparse_autoencoder::{Sparsity, mean_activation};
use super::{BatchClock, Pca, grad_norm, mse_per_value, step_layers};
use crate::data::Dataset;
use crate::model::view::{Axis as PlotAxis, Curve, Gallery, Mark, Plot};
use crate::model::{
    Action, Flow, Model, ModelError, ParamKind, ParamRole, ParamSpec, ParamValue, Params, Progress,
    Report, Status, View, ViewContent,
};
use crate::nn::Layer;
use crate::nn::activation::{ReLU, Sigmoid, sigmoid};
use crate::nn::linear::Linear;
use crate::nn::optim::{Adam, Optimizer};
use crate::nn::sequential::Sequential;
use crate::text::Bilingual;
use crate::train::Stage;
use crate::train::epochs;
use ndarray::{Array1, Array2, ArrayView2, Axis, Ix2};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::sync::Arc;

/// At most this many layers between the input and the code.
const MAX_HIDDEN_LAYERS: usize = 4;
/// At most this many units in a layer (the code included).
pub const MAX_UNITS: usize = 1024;
/// Batch losses kept for the loss curve.
const LOSS_HISTORY: usize = 2000;
/// Digits of the batch shown with their reconstructions.
const SHOWN: usize = 6;
/// Filters shown.
const FILTERS: usize = 24;

/// The code units' activation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeActivation {
    Linear,
    Sigmoid,
    Relu,
}

impl CodeActivation {
    pub const NAMES: &'static [&'static str] = &["linear", "sigmoid", "relu"];

    pub fn parse(name: &str) -> CodeActivation {
        match name {
            "sigmoid" => CodeActivation::Sigmoid,
            "relu" => CodeActivation::Relu,
            _ => CodeActivation::Linear,
        }
    }
}

/// The reconstruction loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reconstruction {
    /// Σ_j (x̂_j − x_j)², x̂ = σ(z).
    Mse,
    /// Σ_j BCE(σ(z_j), x_j), taken on the logits z.
    Bce,
}

impl Reconstruction {
    pub const NAMES: &'static [&'static str] = &["mse", "bce"];

    pub fn parse(name: &str) -> Reconstruction {
        if name == "bce" {
            Reconstruction::Bce
        } else {
            Reconstruction::Mse
        }
    }

    /// (1/B) Σ_i ℓ(σ(z_i), x_i) and its gradient with respect to the logits z.
    pub fn loss(
        self,
        logits: ArrayView2<'_, f32>,
        target: ArrayView2<'_, f32>,
    ) -> (f64, Array2<f32>) {
        let batch = logits.nrows().max(1) as f64;
        let scale = (1.0 / batch) as f32;
        let mut grad = Array2::<f32>::zeros(logits.raw_dim());
        let mut total = 0.0f64;
        for ((g, &z), &x) in grad.iter_mut().zip(logits.iter()).zip(target.iter()) {
            let p = sigmoid(z);
            match self {
                Reconstruction::Mse => {
                    let d = p - x;
                    total += f64::from(d) * f64::from(d);
                    // d(p − x)²/dz = 2 (p − x) p (1 − p)
                    *g = 2.0 * d * p * (1.0 - p) * scale;
                }
                Reconstruction::Bce => {
                    let (z, x64) = (f64::from(z), f64::from(x));
                    total += z.max(0.0) - z * x64 + (-z.abs()).exp().ln_1p();
                    *g = (p - x) * scale;
                }
            }
        }
        (total / batch, grad)
    }
}

/// How the hourglass is trained.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Way {
    /// Input in, the same input out.
    Plain,
    /// A corrupted input in, the clean one out.
    Denoising(Corruption),
    /// Input in, input out, a penalty on the code.
    Sparse(Sparsity),
}

/// The encoder and decoder.
#[derive(Clone)]
pub struct Hourglass {
    /// x → h, the code activation its last layer (none when linear).
    pub encoder: Sequential,
    /// h → z, the logits of x̂ = σ(z).
    pub decoder: Sequential,
}

impl Hourglass {
    /// `inputs → hidden… → code → …hidden reversed → inputs`, PyTorch's
    /// default initialisation drawn from `rng`, encoder first.
    pub fn new(
        inputs: usize,
        hidden: &[usize],
        code: usize,
        activation: CodeActivation,
        rng: &mut StdRng,
    ) -> Hourglass {
        let mut encoder = Sequential::new();
        let mut width = inputs;
        for &units in hidden {
            encoder.push(Linear::new(width, units, true, rng));
            encoder.push(ReLU::new());
            width = units;
        }
        encoder.push(Linear::new(width, code, true, rng));
        match activation {
            CodeActivation::Linear => {}
            CodeActivation::Sigmoid => {
                encoder.push(Sigmoid::new());
            }
            CodeActivation::Relu => {
                encoder.push(ReLU::new());
            }
        }
        let mut decoder = Sequential::new();
        let mut width = code;
        for &units in hidden.iter().rev() {
            decoder.push(Linear::new(width, units, true, rng));
            decoder.push(ReLU::new());
            width = units;
        }
        decoder.push(Linear::new(width, inputs, true, rng));
        Hourglass { encoder, decoder }
    }

    /// Training pass: the code h and the logits z, each layer keeping what
    /// its backward pass needs.
    pub fn forward(&mut self, x: ArrayView2<'_, f32>) -> (Array2<f32>, Array2<f32>) {
        let code = two_d(self.encoder.forward(x.into_dyn()));
        let logits = two_d(self.decoder.forward(code.view().into_dyn()));
        (code, logits)
    }

    /// Backpropagation from ∂L/∂z, plus `grad_code` (a penalty's ∂/∂h)
    /// joining at the code; every gradient is set afresh.
    pub fn backward(
        &mut self,
        grad_logits: ArrayView2<'_, f32>,
        grad_code: Option<ArrayView2<'_, f32>>,
    ) {
        self.encoder.zero_grad();
        self.decoder.zero_grad();
        let mut g = two_d(self.decoder.backward(grad_logits.into_dyn()));
        if let Some(extra) = grad_code {
            g += &extra;
        }
        self.encoder.backward(g.view().into_dyn());
    }

    /// The code of each row, nothing kept.
    pub fn encode(&self, x: ArrayView2<'_, f32>) -> Array2<f32> {
        two_d(self.encoder.infer(x.into_dyn()))
    }

    /// x̂ = σ(g(h)) for codes `h`.
    pub fn decode(&self, code: ArrayView2<'_, f32>) -> Array2<f32> {
        two_d(self.decoder.infer(code.into_dyn())).mapv(sigmoid)
    }

    /// x̂ = σ(g(f(x))).
    pub fn reconstruct(&self, x: ArrayView2<'_, f32>) -> Array2<f32> {
        self.decode(self.encode(x).view())
    }

    /// The whole objective of one batch, nothing kept (for gradient checks):
    /// the reconstruction loss of `input` against `target`, plus the
    /// sparsity penalty on the code.
    pub fn objective(
        &self,
        input: ArrayView2<'_, f32>,
        target: ArrayView2<'_, f32>,
        loss: Reconstruction,
        sparsity: Option<Sparsity>,
    ) -> f64 {
        let code = self.encode(input);
        let logits = two_d(self.decoder.infer(code.view().into_dyn()));
        let (value, _) = loss.loss(logits.view(), target);
        value + sparsity.map_or(0.0, |s| s.penalty(code.view()).0)
    }

    /// Forward and backward passes of one batch: the objective, with every
    /// parameter's gradient left in place.
    pub fn train_pass(
        &mut self,
        input: ArrayView2<'_, f32>,
        target: ArrayView2<'_, f32>,
        loss: Reconstruction,
        sparsity: Option<Sparsity>,
    ) -> f64 {
        let (code, logits) = self.forward(input);
        let (value, grad_logits) = loss.loss(logits.view(), target);
        let (penalty, grad_code) = match sparsity {
            Some(s) => {
                let (p, g) = s.penalty(code.view());
                (p, Some(g))
            }
            None => (0.0, None),
        };
        self.backward(grad_logits.view(), grad_code.as_ref().map(|g| g.view()));
        value + penalty
    }

    /// One optimiser step on both halves.
    pub fn update(&mut self, optimizer: &mut dyn Optimizer) {
        step_layers(
            optimizer,
            &mut [
                ("encoder", &mut self.encoder),
                ("decoder", &mut self.decoder),
            ],
        );
    }

    /// The first layer's weights `[units, inputs]`: what each unit looks for.
    pub fn filters(&self) -> Option<Array2<f32>> {
        let mut first = None;
        self.encoder.visit_params(&mut |p| {
            if first.is_none() && p.name.ends_with("weight") {
                first = p.value.to_owned().into_dimensionality::<Ix2>().ok();
            }
        });
        first
    }
}

fn two_d(a: ndarray::ArrayD<f32>) -> Array2<f32> {
    a.into_dimensionality::<Ix2>()
        .expect("the hourglass's layers keep [batch, features]")
}

/// One lab's defaults.
pub struct Defaults {
    pub hidden: &'static str,
    pub code: i64,
    /// `None` when the code's activation is fixed (the sparse autoencoder's sigmoid).
    pub code_activation: Option<&'static str>,
    pub loss: &'static str,
    pub lr: f64,
}

/// The parameters every autoencoder lab takes.
pub fn common_params(d: &Defaults) -> Vec<ParamSpec> {
    let mut specs = vec![
        ParamSpec::new(
            "hidden",
            "units of each layer between the input and the code, e.g. 128,64 (mirrored in the decoder)",
            "输入与编码之间每层的单元数，如 128,64（解码器镜像）",
            ParamKind::Text {
                max_len: 64,
                offered: &[],
            },
            ParamValue::Text(d.hidden.into()),
        ),
        ParamSpec::new(
            "code",
            "units of the code",
            "编码的单元数",
            ParamKind::Int {
                min: 1,
                max: MAX_UNITS as i64,
            },
            ParamValue::Int(d.code),
        ),
    ];
    if let Some(activation) = d.code_activation {
        specs.push(ParamSpec::new(
            "code_activation",
            "the code units' activation",
            "编码单元的激活函数",
            ParamKind::Choice(CodeActivation::NAMES),
            ParamValue::Choice(activation),
        ));
    }
    specs.extend([
        ParamSpec::new(
            "loss",
            "reconstruction loss: squared error or binary cross-entropy",
            "重建损失：平方误差或二元交叉熵",
            ParamKind::Choice(Reconstruction::NAMES),
            ParamValue::Choice(d.loss),
        ),
        ParamSpec::new(
            "batch",
            "rows per minibatch",
            "每个小批次的行数",
            ParamKind::Int { min: 1, max: 1437 },
            ParamValue::Int(32),
        ),
        ParamSpec::new(
            "lr",
            "learning rate η of Adam (changes live)",
            "Adam 的学习率 η（即时生效）",
            ParamKind::Float {
                min: 1e-6,
                max: 1.0,
            },
            ParamValue::Float(d.lr),
        )
        .with_role(ParamRole::Live),
    ]);
    specs
}

/// Parses `128,64` into layer widths; empty means none.
pub fn hidden_sizes(text: &str) -> Result<Vec<usize>, ModelError> {
    let bad = |en: String, zh: String| {
        ModelError::Invalid(Bilingual::owned(
            format!("hidden `{text}`: {en}"),
            format!("hidden `{text}`：{zh}"),
        ))
    };
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(Vec::new());
    }
    let sizes = trimmed
        .split(',')
        .map(|part| {
            let part = part.trim();
            match part.parse::<usize>() {
                Ok(units) if (1..=MAX_UNITS).contains(&units) => Ok(units),
                Ok(_) => Err(bad(
                    format!("a layer takes 1 to {MAX_UNITS} units"),
                    format!("每层须有 1 到 {MAX_UNITS} 个单元"),
                )),
                Err(_) => Err(bad(
                    format!("`{part}` is not a whole number"),
                    format!("`{part}` 不是整数"),
                )),
            }
        })
        .collect::<Result<Vec<usize>, ModelError>>()?;
    if sizes.len() > MAX_HIDDEN_LAYERS {
        return Err(bad(
            format!("at most {MAX_HIDDEN_LAYERS} layers"),
            format!("最多 {MAX_HIDDEN_LAYERS} 层"),
        ));
    }
    Ok(sizes)
}

/// The current minibatch, filled in stage by stage.
#[derive(Clone)]
struct Batch {
    labels: Vec<usize>,
    /// The clean digits, the target.
    clean: Array2<f32>,
    /// What the encoder reads: the clean digits, or corrupted ones.
    input: Array2<f32>,
    code: Option<Array2<f32>>,
    logits: Option<Array2<f32>>,
    recon: Option<Array2<f32>>,
    /// Reconstruction loss and penalty (stage 3).
    loss: Option<(f64, f64)>,
    grad_logits: Option<Array2<f32>>,
    grad_code: Option<Array2<f32>>,
    grad_norm: Option<f32>,
    update_norm: Option<f32>,
}

/// What an epoch ended with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpochRecord {
    pub epoch: u64,
    /// Mean training objective over the epoch's batches.
    pub train_loss: f64,
    /// Mean squared error per pixel on the test digits (reconstructed from
    /// their corrupted copies when denoising).
    pub test_mse: f64,
}

/// An autoencoder learning the digits in the seed's stages.
#[derive(Clone)]
pub struct AutoencoderLab {
    params: Params,
    seed: u64,
    way: Way,
    loss: Reconstruction,
    net: Hourglass,
    optimizer: Adam,
    train: Arc<Dataset>,
    test: Arc<Dataset>,
    /// The test digits as the encoder reads them (corrupted once, from the
    /// seed, when denoising).
    test_input: Arc<Array2<f32>>,
    clock: BatchClock,
    /// Draws the corruption of each batch.
    rng: StdRng,
    next: Stage,
    batch: Option<Batch>,
    /// (epoch position, batch MSE per pixel).
    batch_mse: Vec<(f64, f64)>,
    history: Vec<EpochRecord>,
    epoch_loss: f64,
    epoch_batches: usize,
    /// PCA's test error with as many components as code units (plain only).
    pca_mse: Option<f64>,
    /// The corrupted test digits' own error against the clean ones.
    noisy_mse: Option<f64>,
    widths: Vec<usize>,
}

impl AutoencoderLab {
    pub fn new(
        params: &Params,
        seed: u64,
        way: Way,
        activation: CodeActivation,
    ) -> Result<AutoencoderLab, ModelError> {
        let hidden = hidden_sizes(params.text("hidden"))?;
        let code = params.int("code") as usize;
        let (train, test) = super::digits(seed)?;
        let inputs = train.n_features();
        let mut rng = StdRng::seed_from_u64(seed);
        let net = Hourglass::new(inputs, &hidden, code, activation, &mut rng);
        let test_input = match way {
            Way::Denoising(corruption) => corruption.corrupt(test.records.view(), &mut rng),
            _ => test.records.clone(),
        };
        let noisy_mse = matches!(way, Way::Denoising(_))
            .then(|| mse_per_value(test_input.view(), test.records.view()));
        let pca_mse = match way {
            Way::Plain if code < inputs => {
                let pca = Pca::fit(train.records.view(), code)?;
                Some(mse_per_value(
                    pca.reconstruct(test.records.view()).view(),
                    test.records.view(),
                ))
            }
            _ => None,
        };
        let mut widths = vec![inputs];
        widths.extend(&hidden);
        widths.push(code);
        let clock = BatchClock::new(train.len(), params.int("batch") as usize, seed);
        Ok(AutoencoderLab {
            params: params.clone(),
            seed,
            way,
            loss: Reconstruction::parse(params.choice("loss")),
            net,
            optimizer: Adam::new(params.float("lr") as f32),
            train: Arc::new(train),
            test: Arc::new(test),
            test_input: Arc::new(test_input),
            clock,
            rng,
            next: Stage::GetBatch,
            batch: None,
            batch_mse: Vec::new(),
            history: Vec::new(),
            epoch_loss: 0.0,
            epoch_batches: 0,
            pca_mse,
            noisy_mse,
            widths,
        })
    }

    pub fn net(&self) -> &Hourglass {
        &self.net
    }

    pub fn history(&self) -> &[EpochRecord] {
        &self.history
    }

    /// PCA's test error at the code's size (the plain autoencoder).
    pub fn pca_mse(&self) -> Option<f64> {
        self.pca_mse
    }

    fn sparsity(&self) -> Option<Sparsity> {
        match self.way {
            Way::Sparse(s) => Some(s),
            _ => None,
        }
    }

    /// Runs the next stage.
    fn run_stage(&mut self) {
        let stage = self.next;
        match stage {
            Stage::GetBatch => {
                let rows = self.clock.batch();
                let clean = self.train.records.select(Axis(0), &rows);
                let labels = self
                    .train
                    .labels()
                    .map(|l| rows.iter().map(|&r| l[r]).collect())
                    .unwrap_or_default();
                let input = match self.way {
                    Way::Denoising(c) => c.corrupt(clean.view(), &mut self.rng),
                    _ => clean.clone(),
                };
                self.batch = Some(Batch {
                    labels,
                    clean,
                    input,
                    code: None,
                    logits: None,
                    recon: None,
                    loss: None,
                    grad_logits: None,
                    grad_code: None,
                    grad_norm: None,
                    update_norm: None,
                });
            }
            Stage::Forward => {
                let batch = self.batch.as_mut().expect("stage 1 ran");
                let (code, logits) = self.net.forward(batch.input.view());
                batch.recon = Some(logits.mapv(sigmoid));
                batch.code = Some(code);
                batch.logits = Some(logits);
            }
            Stage::Loss => {
                let sparsity = self.sparsity();
                let batch = self.batch.as_mut().expect("stage 2 ran");
                let logits = batch.logits.as_ref().expect("stage 2 ran");
                let (value, grad) = self.loss.loss(logits.view(), batch.clean.view());
                let (penalty, grad_code) = match (sparsity, &batch.code) {
                    (Some(s), Some(code)) => {
                        let (p, g) = s.penalty(code.view());
                        (p, Some(g))
                    }
                    _ => (0.0, None),
                };
                batch.loss = Some((value, penalty));
                batch.grad_logits = Some(grad);
                batch.grad_code = grad_code;
                if let Some(recon) = &batch.recon {
                    let mse = mse_per_value(recon.view(), batch.clean.view());
                    let per_epoch = self.clock.batches_per_epoch() as f64;
                    if self.batch_mse.len() == LOSS_HISTORY {
                        self.batch_mse.remove(0);
                    }
                    self.batch_mse
                        .push(((self.clock.steps + 1) as f64 / per_epoch, mse));
                }
            }
            Stage::Gradients => {
                let batch = self.batch.as_mut().expect("stage 3 ran");
                let grad = batch.grad_logits.as_ref().expect("stage 3 ran");
                self.net
                    .backward(grad.view(), batch.grad_code.as_ref().map(|g| g.view()));
                batch.grad_norm = Some(grad_norm(&[
                    &self.net.encoder as &dyn Layer,
                    &self.net.decoder,
                ]));
            }
            Stage::Update => {
                let before = params_of(&self.net);
                self.net.update(&mut self.optimizer);
                let after = params_of(&self.net);
                let moved = before
                    .iter()
                    .zip(&after)
                    .map(|(a, b)| f64::from(a - b).powi(2))
                    .sum::<f64>()
                    .sqrt() as f32;
                let batch = self.batch.as_mut().expect("stage 4 ran");
                batch.update_norm = Some(moved);
                let (value, penalty) = batch.loss.unwrap_or((0.0, 0.0));
                self.epoch_loss += value + penalty;
                self.epoch_batches += 1;
                if self.clock.advance() {
                    self.end_epoch();
                }
            }
        }
        self.next = Stage::ALL[(stage as usize + 1) % Stage::ALL.len()];
    }

    fn end_epoch(&mut self) {
        let recon = self.net.reconstruct(self.test_input.view());
        let test_mse = mse_per_value(recon.view(), self.test.records.view());
        self.history.push(EpochRecord {
            epoch: self.clock.epoch,
            train_loss: self.epoch_loss / self.epoch_batches.max(1) as f64,
            test_mse,
        });
        self.epoch_loss = 0.0;
        self.epoch_batches = 0;
    }

    /// The stage whose results the views show: the last one run.
    fn shown(&self) -> Option<Stage> {
        self.batch.as_ref()?;
        Some(Stage::ALL[(self.next as usize + Stage::ALL.len() - 1) % Stage::ALL.len()])
    }

    fn steps_view(&self) -> View {
        let done = |stage: Stage| self.shown().is_some_and(|s| s as usize >= stage as usize);
        let batch = self.batch.as_ref();
        let per_epoch = self.clock.batches_per_epoch();
        let (epoch, number) = (self.clock.epoch + 1, self.clock.batch_in_epoch + 1);
        let rows = batch.map_or(0, |b| b.clean.nrows());
        let code = self.widths.last().copied().unwrap_or(0);
        let mut lines = vec![Bilingual::owned(
            format!(
                "epoch {epoch}, batch {number} of {per_epoch}  ({} digits, batch size {})",
                self.train.len(),
                self.clock.batch_size()
            ),
            format!(
                "第 {epoch} 个周期，第 {number} 批（共 {per_epoch} 批；{} 个数字，每批 {} 个）",
                self.train.len(),
                self.clock.batch_size()
            ),
        )];
        let corruption = match self.way {
            Way::Denoising(c) => format!(", x̃ = corrupt(x), {}", c.describe()),
            _ => String::new(),
        };
        lines.push(if done(Stage::GetBatch) {
            Bilingual::owned(
                format!("1 get a batch:    x = {rows} digits{corruption}"),
                format!("1 取一个批次：    x = {rows} 个数字{corruption}"),
            )
        } else {
            Bilingual::owned(
                format!(
                    "1 get a batch:    x = next digits of the shuffled training set{corruption}"
                ),
                format!("1 取一个批次：    x = 打乱后的训练集的下几个数字{corruption}"),
            )
        });
        let input = if matches!(self.way, Way::Denoising(_)) {
            "x̃"
        } else {
            "x"
        };
        let shapes = if done(Stage::Forward) {
            format!(
                "[{rows}, {}] → [{rows}, {code}] → [{rows}, {}]",
                self.widths[0], self.widths[0]
            )
        } else {
            String::new()
        };
        let (comma_en, comma_zh) = if shapes.is_empty() {
            ("", "")
        } else {
            (", ", "，")
        };
        lines.push(Bilingual::owned(
            format!("2 forward pass:   h = f({input}), x̂ = σ(g(h)){comma_en}{shapes}"),
            format!("2 前向传播：      h = f({input})，x̂ = σ(g(h)){comma_zh}{shapes}"),
        ));
        let ell = match self.loss {
            Reconstruction::Mse => "‖x̂ − x‖²",
            Reconstruction::Bce => "BCE(x̂, x)",
        };
        let penalty = match self.way {
            Way::Sparse(Sparsity::Kl { beta, .. }) => format!(" + {beta} Σ KL(ρ ‖ ρ̂)"),
            Way::Sparse(Sparsity::L1 { lambda }) => format!(" + {lambda} Σ|h|/B"),
            _ => String::new(),
        };
        lines.push(
            match batch.and_then(|b| b.loss).filter(|_| done(Stage::Loss)) {
                Some((value, p)) => {
                    let numbers = if penalty.is_empty() {
                        format!("{value:.4}")
                    } else {
                        format!("{value:.4} + {p:.4}")
                    };
                    Bilingual::owned(
                        format!("3 loss:           L = (1/B) Σ {ell}{penalty} = {numbers}"),
                        format!("3 计算损失：      L = (1/B) Σ {ell}{penalty} = {numbers}"),
                    )
                }
                None => Bilingual::owned(
                    format!("3 loss:           L = (1/B) Σ {ell}{penalty}"),
                    format!("3 计算损失：      L = (1/B) Σ {ell}{penalty}"),
                ),
            },
        );
        lines.push(
            match batch
                .and_then(|b| b.grad_norm)
                .filter(|_| done(Stage::Gradients))
            {
                Some(g) => Bilingual::owned(
                    format!("4 gradients:      ∂L/∂θ by backpropagation, |g| = {g:.4}"),
                    format!("4 计算梯度：      ∂L/∂θ（反向传播），|g| = {g:.4}"),
                ),
                None => Bilingual::new(
                    "4 gradients:      ∂L/∂θ by backpropagation",
                    "4 计算梯度：      ∂L/∂θ（反向传播）",
                ),
            },
        );
        let lr = self.optimizer.learning_rate();
        lines.push(
            match batch
                .and_then(|b| b.update_norm)
                .filter(|_| done(Stage::Update))
            {
                Some(u) => Bilingual::owned(
                    format!("5 update:         θ ← Adam(θ, g), η = {lr}, |Δθ| = {u:.5}"),
                    format!("5 更新权重：      θ ← Adam(θ, g)，η = {lr}，|Δθ| = {u:.5}"),
                ),
                None => Bilingual::owned(
                    format!("5 update:         θ ← Adam(θ, g), η = {lr}"),
                    format!("5 更新权重：      θ ← Adam(θ, g)，η = {lr}"),
                ),
            },
        );
        lines.push(Bilingual::owned(
            format!("6 repeat 1-5 until the epoch is done: batch {number} of {per_epoch}"),
            format!("6 重复 1-5 直到本周期结束：第 {number} 批，共 {per_epoch} 批"),
        ));
        let reference = match (self.pca_mse, self.noisy_mse) {
            (Some(p), _) => (
                format!(" (PCA, k = {code}: {p:.5})"),
                format!("（PCA，k = {code}：{p:.5}）"),
            ),
            (_, Some(n)) => (
                format!(" (the noisy digits: {n:.5})"),
                format!("（带噪数字本身：{n:.5}）"),
            ),
            _ => (String::new(), String::new()),
        };
        lines.push(match self.history.last() {
            Some(r) => Bilingual::owned(
                format!(
                    "7 repeat epochs: {} done; test MSE per pixel {:.5}{}",
                    r.epoch, r.test_mse, reference.0
                ),
                format!(
                    "7 重复多个周期：已完成 {} 个；测试集每像素均方误差 {:.5}{}",
                    r.epoch, r.test_mse, reference.1
                ),
            ),
            None => Bilingual::owned(
                format!(
                    "7 repeat for as many epochs as needed: none done yet{}",
                    reference.0
                ),
                format!("7 按需重复多个周期：尚未完成任何周期{}", reference.1),
            ),
        });
        View::new(
            "steps",
            Bilingual::new("the training process", "训练过程"),
            ViewContent::steps(lines, Some(self.next.number())),
        )
    }

    /// The batch's first digits beside their reconstructions (clean, noisy
    /// and denoised when denoising).
    fn gallery_view(&self) -> Option<View> {
        let batch = self.batch.as_ref()?;
        let (height, width) = self.train.image?;
        let denoising = matches!(self.way, Way::Denoising(_));
        let mut items = Vec::new();
        let mut captions = Vec::new();
        for r in 0..batch.clean.nrows().min(SHOWN) {
            let label = batch.labels.get(r).map_or(String::new(), |l| l.to_string());
            items.push(batch.clean.row(r).to_vec());
            captions.push(format!("x {label}"));
            if denoising {
                items.push(batch.input.row(r).to_vec());
                captions.push("x̃".into());
            }
            if let Some(recon) = &batch.recon {
                items.push(recon.row(r).to_vec());
                captions.push("x̂".into());
            }
        }
        let label = if denoising {
            Bilingual::new(
                "clean x, noisy x̃ and denoised x̂",
                "干净的 x、带噪的 x̃ 与去噪后的 x̂",
            )
        } else {
            Bilingual::new("input x beside its reconstruction x̂", "输入 x 与其重建 x̂")
        };
        Some(
            View::new(
                "reconstructions",
                label,
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

    fn code_view(&self) -> Option<View> {
        let code = self.batch.as_ref()?.code.as_ref()?;
        let values = code.row(0).to_vec();
        let hi = values.iter().fold(1e-6f32, |m, v| m.max(v.abs()));
        let range = if values.iter().all(|v| *v >= 0.0) {
            (0.0, hi)
        } else {
            (-hi, hi)
        };
        Some(View::new(
            "code",
            Bilingual::new(
                "the code h of the batch's first digit",
                "本批次第一个数字的编码 h",
            ),
            ViewContent::vector(values, range),
        ))
    }

    fn loss_view(&self) -> View {
        let mut marks = Vec::new();
        if let Some(p) = self.pca_mse {
            marks.push(Mark {
                axis: PlotAxis::Y,
                value: p,
                label: Bilingual::new("PCA", "PCA"),
            });
        }
        if let Some(n) = self.noisy_mse {
            marks.push(Mark {
                axis: PlotAxis::Y,
                value: n,
                label: Bilingual::new("noisy", "带噪"),
            });
        }
        let now = self.clock.steps as f64 / self.clock.batches_per_epoch() as f64;
        let top = self
            .batch_mse
            .iter()
            .map(|&(_, v)| v)
            .chain(marks.iter().map(|m| m.value))
            .filter(|v| v.is_finite())
            .fold(0.01f64, f64::max);
        View::new(
            "loss_curve",
            Bilingual::new("mean squared error per pixel", "每像素均方误差"),
            ViewContent::Plot(Plot {
                curves: vec![
                    Curve {
                        label: Bilingual::new("batch", "批次"),
                        points: self.batch_mse.clone(),
                    },
                    Curve {
                        label: Bilingual::new("test", "测试"),
                        points: self
                            .history
                            .iter()
                            .map(|r| (r.epoch as f64, r.test_mse))
                            .collect(),
                    },
                ],
                x_label: Bilingual::new("epoch", "周期"),
                y_label: Bilingual::new("MSE", "均方误差"),
                x_range: Some((0.0, now.floor() + 1.0)),
                y_range: Some((0.0, top * 1.05)),
                marks,
                now: Some(now),
            }),
        )
        .untraced()
    }

    /// Each code unit's mean activation over the batch, against ρ.
    fn activation_view(&self, sparsity: Sparsity) -> Option<View> {
        let code = self.batch.as_ref()?.code.as_ref()?;
        let rho_hat = mean_activation(code.view());
        let marks = sparsity
            .rho()
            .map(|rho| Mark {
                axis: PlotAxis::Y,
                value: f64::from(rho),
                label: Bilingual::new("ρ", "ρ"),
            })
            .into_iter()
            .collect::<Vec<_>>();
        let top = rho_hat
            .iter()
            .map(|&v| f64::from(v))
            .chain(marks.iter().map(|m| 2.0 * m.value))
            .filter(|v| v.is_finite())
            .fold(0.01f64, f64::max);
        let mean = rho_hat.mean().unwrap_or(0.0);
        Some(View::new(
            "mean_activation",
            Bilingual::owned(
                format!("mean activation ρ̂_j of each code unit over the batch (mean {mean:.4})"),
                format!("每个编码单元在本批次上的平均激活 ρ̂_j（均值 {mean:.4}）"),
            ),
            ViewContent::Plot(Plot {
                curves: vec![Curve {
                    label: Bilingual::new("ρ̂_j", "ρ̂_j"),
                    points: rho_hat
                        .iter()
                        .enumerate()
                        .map(|(j, &v)| (j as f64, f64::from(v)))
                        .collect(),
                }],
                x_label: Bilingual::new("unit j", "单元 j"),
                y_label: Bilingual::new("ρ̂", "ρ̂"),
                x_range: Some((0.0, rho_hat.len().saturating_sub(1).max(1) as f64)),
                y_range: Some((0.0, top * 1.05)),
                marks,
                now: None,
            }),
        ))
    }

    fn filters_view(&self) -> Option<View> {
        let (height, width) = self.train.image?;
        let weight = self.net.filters()?;
        let shown = weight.nrows().min(FILTERS);
        let bound = weight.iter().fold(1e-6f32, |m, v| m.max(v.abs()));
        Some(
            View::new(
                "filters",
                Bilingual::new(
                    "filters: the first layer's weights, one picture per unit",
                    "滤波器：第一层的权重，每个单元一张图",
                ),
                ViewContent::Gallery(Gallery {
                    width,
                    height,
                    items: (0..shown).map(|u| weight.row(u).to_vec()).collect(),
                    marked: None,
                    captions: (0..shown).map(|u| u.to_string()).collect(),
                    range: (-bound, bound),
                }),
            )
            .untraced(),
        )
    }
}

/// Every parameter of the hourglass in one list, to measure an update.
fn params_of(net: &Hourglass) -> Vec<f32> {
    let mut out = Vec::new();
    for half in [&net.encoder, &net.decoder] {
        half.visit_params(&mut |p| out.extend(p.value.iter().copied()));
    }
    out
}

impl Model for AutoencoderLab {
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
        let activation = match self.way {
            Way::Sparse(_) => CodeActivation::Sigmoid,
            _ => CodeActivation::parse(self.params.choice("code_activation")),
        };
        if let Ok(fresh) = AutoencoderLab::new(&self.params, seed, self.way, activation) {
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
        self.next as usize
    }

    fn steps_done(&self) -> u64 {
        self.clock.steps
    }

    fn stage(&mut self) {
        self.run_stage();
    }

    fn views(&self) -> Vec<View> {
        let mut out = vec![self.steps_view()];
        out.extend(self.gallery_view());
        out.push(self.loss_view());
        if let Way::Sparse(s) = self.way {
            out.extend(self.activation_view(s));
            out.extend(self.filters_view());
            out.extend(self.code_view());
        } else {
            out.extend(self.code_view());
            out.extend(self.filters_view());
        }
        out.push(View::new(
            "epoch",
            Bilingual::new("epoch (from 1)", "周期（从 1 起）"),
            ViewContent::scalar((self.clock.epoch + 1) as f64),
        ));
        if let Some((value, penalty)) = self.batch.as_ref().and_then(|b| b.loss) {
            out.push(View::new(
                "loss",
                Bilingual::new("batch loss L", "批次损失 L"),
                ViewContent::scalar(value + penalty),
            ));
        }
        out
    }

    fn actions(&self) -> Vec<Action> {
        epochs::actions()
    }

    fn act(&mut self, action: &str) -> Result<(), ModelError> {
        self.work(action, &mut crate::work::unwatched)
    }

    fn work(&mut self, action: &str, progress: Report<'_>) -> Result<(), ModelError> {
        epochs::train_asked(self, action, |lab| lab.clock.now(), progress)
    }

    fn retune(&mut self, params: &Params) -> Result<(), ModelError> {
        self.optimizer.set_learning_rate(params.float("lr") as f32);
        self.params = params.clone();
        Ok(())
    }

    fn status(&self) -> Option<Status> {
        let last = self.history.last()?;
        let diverged = !last.test_mse.is_finite() || !last.train_loss.is_finite();
        let reference = match (self.pca_mse, self.noisy_mse) {
            (Some(p), _) => (format!(", PCA {p:.5}"), format!("，PCA {p:.5}")),
            (_, Some(n)) => (format!(", noisy {n:.5}"), format!("，带噪 {n:.5}")),
            _ => (String::new(), String::new()),
        };
        Some(epochs::status_after(
            last.epoch,
            diverged,
            Bilingual::owned(
                format!("test MSE per pixel {:.5}{}", last.test_mse, reference.0),
                format!("测试集每像素均方误差 {:.5}{}", last.test_mse, reference.1),
            ),
        ))
    }
}

/// The mean activation of every code unit over `data` (the sparse lab's
/// check), and the reconstruction's MSE per pixel.
pub fn code_statistics(net: &Hourglass, data: ArrayView2<'_, f32>) -> (Array1<f32>, f64) {
    let code = net.encode(data);
    let recon = net.decode(code.view());
    (
        mean_activation(code.view()),
        mse_per_value(recon.view(), data),
    )
}

/// A training run without a lab: the experiments' way of training.
pub struct Fit {
    pub net: Hourglass,
    /// MSE per pixel of the test reconstructions after each epoch.
    pub test_mse: Vec<f64>,
    /// Seconds of training, the end-of-epoch measurements left out.
    pub seconds: f64,
    /// Whether it was told to stop before the last epoch.
    pub stopped: bool,
}

/// What [`fit`] trains and how.
pub struct FitSettings<'a> {
    pub hidden: &'a [usize],
    pub code: usize,
    pub activation: CodeActivation,
    pub loss: Reconstruction,
    pub way: Way,
    pub epochs: usize,
    pub batch: usize,
    pub lr: f32,
    pub seed: u64,
}

/// Trains an hourglass on `train` by Adam for `settings.epochs` epochs,
/// measuring the reconstruction of `test_input` against `test_clean` after
/// each, and telling `progress` how far it is.
pub fn fit(
    train: &Dataset,
    test_input: ArrayView2<'_, f32>,
    test_clean: ArrayView2<'_, f32>,
    settings: &FitSettings<'_>,
    progress: Report<'_>,
) -> Fit {
    let mut rng = StdRng::seed_from_u64(settings.seed);
    let mut net = Hourglass::new(
        train.n_features(),
        settings.hidden,
        settings.code,
        settings.activation,
        &mut rng,
    );
    let mut optimizer = Adam::new(settings.lr);
    let mut clock = BatchClock::new(train.len(), settings.batch, settings.seed);
    let sparsity = match settings.way {
        Way::Sparse(s) => Some(s),
        _ => None,
    };
    let mut test_mse = Vec::new();
    let mut seconds = 0.0;
    let mut stopped = false;
    let mut started = std::time::Instant::now();
    while (clock.epoch as usize) < settings.epochs {
        let rows = clock.batch();
        let clean = train.records.select(Axis(0), &rows);
        let input = match settings.way {
            Way::Denoising(c) => c.corrupt(clean.view(), &mut rng),
            _ => clean.clone(),
        };
        net.train_pass(input.view(), clean.view(), settings.loss, sparsity);
        net.update(&mut optimizer);
        if clock.advance() {
            seconds += started.elapsed().as_secs_f64();
            let recon = net.reconstruct(test_input);
            test_mse.push(mse_per_value(recon.view(), test_clean));
            let note = format!(
                "epoch {}: test MSE per pixel {:.5}",
                clock.epoch,
                test_mse.last().copied().unwrap_or(f64::NAN)
            );
            let flow = progress(&Progress::new(clock.epoch as usize, settings.epochs, note));
            if flow == Flow::Stop && (clock.epoch as usize) < settings.epochs {
                stopped = true;
                break;
            }
            started = std::time::Instant::now();
        }
    }
    Fit {
        net,
        test_mse,
        seconds,
        stopped,
    }
}
