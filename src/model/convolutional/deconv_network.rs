//! The deconvolutional network: a CNN run backwards. A label and a small
//! code go in, a 28x28 digit comes out, through a linear layer to a few
//! small feature maps and transposed convolutions up to the picture.
//!
//! Dosovitskiy, Springenberg and Brox, "Learning to generate chairs with
//! convolutional neural networks", CVPR 2015: the class (one-hot) and a few
//! parameters of the view go in, fully connected layers make small feature
//! maps, and "up-convolutions" (transposed convolutions) enlarge them to the
//! picture. Here the class is the digit and the parameters are a code of
//! `code` numbers:
//!
//! ```text
//! a  = W_e x + b_e,  c = tanh(a)            the code of picture x, in (−1, 1)ᶜᵒᵈᵉ
//! h₀ = relu(unflatten(W₀ [onehot(y); c] + b₀))        maps×7×7
//! h₁ = relu(deconv₄ₓ₄,stride 2,padding 1(h₀))        maps/2×14×14
//! x̂  = σ(deconv₄ₓ₄,stride 2,padding 1(h₁))            1×28×28
//! L  = (1/784B) Σ BCE(x̂, x) + λ (1/B) Σ a²,  minimised by Adam
//! ```
//!
//! The code, and why: a network given the label alone (`code` = 0) can
//! only draw one picture per digit, and the best one under this loss is
//! the digit's mean picture, a blur of every way of writing it. The chairs
//! network is told each picture's view; the digits come with no such
//! numbers, so the code is learnt: a small encoder (one linear layer and a
//! tanh) reads the picture being drawn and gives the decoder a few numbers
//! about it. Since the label is given, the code need not say which digit
//! it is and comes to carry how it is written (slant, width, thickness).
//! The tanh keeps it in (−1, 1), so a person moving the code in the lab
//! stays where the decoder has been trained; the small penalty on a keeps
//! the encoder from pushing every code to the same corner of the tanh,
//! where its gradient vanishes. After training, only the
//! decoder draws: a label and a code in, a digit out.

use crate::data::{self, Dataset};
use crate::model::autoencoders::{BatchClock, grad_norm, step_layers};
use crate::model::view::{Curve, Gallery, Plot, Vector};
use crate::model::{
    Action, Model, ModelError, ModelSpec, ParamKind, ParamRole, ParamSpec, ParamValue, Params,
    Report, Status, View, ViewContent,
};
use crate::nn::Layer;
use crate::nn::activation::{ReLU, sigmoid};
use crate::nn::conv_transpose2d::ConvTranspose2d;
use crate::nn::linear::Linear;
use crate::nn::optim::{Adam, Optimizer};
use crate::nn::sequential::{Sequential, Unflatten};
use crate::text::Bilingual;
use crate::train::epochs;
use ndarray::{Array2, ArrayD, ArrayView2, Axis, Ix2, s};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::sync::{Arc, OnceLock};

/// Digits 0 to 9.
pub const CLASSES: usize = 10;
/// The picture's side, and the side of the first feature maps.
pub const SIDE: usize = 28;
pub const FIRST_SIDE: usize = 7;
/// At most this many code units, and feature maps.
pub const MAX_CODE: usize = 16;
pub const MAX_MAPS: usize = 128;
/// λ of the penalty λ·(1/B)·Σ a² on the code's pre-activations a = W_e x + b_e.
/// Without it the encoder drives every code to the same corner of the
/// tanh, where its gradient vanishes and the code says nothing.
pub const CODE_PENALTY: f32 = 0.01;
/// Batch losses kept for the plot.
const LOSS_HISTORY: usize = 2000;
/// Pictures of the batch shown with their drawings.
const SHOWN: usize = 6;
/// Training digits whose codes draw the chosen label.
const VARIETY: usize = 8;

/// The decoder's layers: where each stage of a drawing can be read.
const LINEAR_MAPS: usize = 2;
const DECONV1_MAPS: usize = 4;
const PICTURE: usize = 5;

/// The 28x28 digits split 80/20 from the seed (the built-in 8x8 digits
/// enlarged; read once and shared).
pub fn digits28(seed: u64) -> Result<(Dataset, Dataset), ModelError> {
    static DIGITS28: OnceLock<Arc<Dataset>> = OnceLock::new();
    let all = match DIGITS28.get() {
        Some(set) => set.clone(),
        None => {
            let set = Arc::new(data::builtin("digits28", 0).map_err(ModelError::from)?);
            DIGITS28.get_or_init(|| set).clone()
        }
    };
    if all.n_features() != SIDE * SIDE || all.labels().is_none() {
        return Err(ModelError::Invalid(Bilingual::owned(
            format!(
                "{}: 28x28 labelled digits expected, got {} values a row",
                all.name,
                all.n_features()
            ),
            format!(
                "{}：需要带标签的 28x28 数字，得到每行 {} 个值",
                all.name,
                all.n_features()
            ),
        )));
    }
    Ok(all.split(0.2, seed))
}

fn two_d(a: ArrayD<f32>) -> Array2<f32> {
    a.into_dimensionality::<Ix2>()
        .expect("linear layers keep [batch, features]")
}

/// `[labels.len(), 10 + code]`: each row the label one-hot, then its code.
pub fn decoder_inputs(labels: &[usize], codes: ArrayView2<'_, f32>) -> Array2<f32> {
    let code = codes.ncols();
    let mut input = Array2::<f32>::zeros((labels.len(), CLASSES + code));
    for (r, &label) in labels.iter().enumerate() {
        if label < CLASSES {
            input[[r, label]] = 1.0;
        }
        input
            .slice_mut(s![r, CLASSES..])
            .assign(&codes.row(r.min(codes.nrows().saturating_sub(1))));
    }
    input
}

/// λ (1/B) Σ a², the penalty on the code's pre-activations `[B, code]`.
pub fn code_penalty(pre: ArrayView2<'_, f32>) -> f64 {
    let rows = pre.nrows().max(1) as f64;
    f64::from(CODE_PENALTY) * pre.iter().map(|&a| f64::from(a).powi(2)).sum::<f64>() / rows
}

/// Σ BCE(σ(z), x) over every value, divided by their number (the stable
/// form on the logits), in f64.
pub fn mean_bce(logits: ArrayView2<'_, f32>, x: ArrayView2<'_, f32>) -> f64 {
    let n = logits.len().max(1) as f64;
    ndarray::Zip::from(&logits)
        .and(&x)
        .fold(0.0f64, |acc, &z, &x| {
            let (z, x) = (f64::from(z), f64::from(x));
            acc + z.max(0.0) - z * x + (-z.abs()).exp().ln_1p()
        })
        / n
}

/// The network: the encoder that gives each picture its code, and the
/// decoder that draws.
#[derive(Clone)]
pub struct DeconvNetwork {
    /// 784 → code, followed by tanh; none when the code is empty.
    pub encoder: Option<Linear>,
    /// Linear, Unflatten, ReLU, ConvTranspose2d, ReLU, ConvTranspose2d.
    pub decoder: Sequential,
    /// The pictures, pre-activations a and codes of the last training pass.
    cache: Option<(Array2<f32>, Array2<f32>, Array2<f32>)>,
}

/// What a training pass gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Pass {
    /// `[rows, code]`.
    pub codes: Array2<f32>,
    /// The drawings x̂ = σ(logits), `[rows, 784]`.
    pub drawn: Array2<f32>,
    pub logits: Array2<f32>,
    /// Mean BCE per pixel.
    pub loss: f64,
    /// λ (1/B) Σ a², the code's penalty.
    pub penalty: f64,
}

impl DeconvNetwork {
    /// A code of `code` numbers and `maps` first feature maps (`maps / 2`,
    /// at least one, after the first transposed convolution), PyTorch's
    /// default initialisation drawn from `rng` in the order of the layers.
    pub fn new(code: usize, maps: usize, rng: &mut StdRng) -> DeconvNetwork {
        let encoder = (code > 0).then(|| Linear::new(SIDE * SIDE, code, true, rng));
        let half = (maps / 2).max(1);
        let decoder = Sequential::new()
            .with(Linear::new(
                CLASSES + code,
                maps * FIRST_SIDE * FIRST_SIDE,
                true,
                rng,
            ))
            .with(Unflatten::new(&[maps, FIRST_SIDE, FIRST_SIDE]))
            .with(ReLU::new())
            .with(
                ConvTranspose2d::new(maps, half, (4, 4), rng)
                    .stride((2, 2))
                    .padding((1, 1)),
            )
            .with(ReLU::new())
            .with(
                ConvTranspose2d::new(half, 1, (4, 4), rng)
                    .stride((2, 2))
                    .padding((1, 1)),
            );
        DeconvNetwork {
            encoder,
            decoder,
            cache: None,
        }
    }

    pub fn code_size(&self) -> usize {
        self.encoder.as_ref().map_or(0, Linear::out_features)
    }

    /// c = tanh(W_e x + b_e) for each picture, nothing kept.
    pub fn encode(&self, x: ArrayView2<'_, f32>) -> Array2<f32> {
        match &self.encoder {
            Some(encoder) => two_d(encoder.infer(x.into_dyn())).mapv(f32::tanh),
            None => Array2::zeros((x.nrows(), 0)),
        }
    }

    /// Every layer's output of the decoder for `input` `[rows, 10 + code]`,
    /// nothing kept: the drawing stage by stage.
    pub fn draw_stages(&self, input: ArrayView2<'_, f32>) -> Vec<ArrayD<f32>> {
        let mut outputs: Vec<ArrayD<f32>> = Vec::new();
        let mut y = input.to_owned().into_dyn();
        for layer in self.decoder.layers() {
            y = layer.infer(y.view());
            outputs.push(y.clone());
        }
        outputs
    }

    /// The decoder's logits `[rows, 784]` for labels and codes.
    pub fn draw_logits(&self, labels: &[usize], codes: ArrayView2<'_, f32>) -> Array2<f32> {
        let input = decoder_inputs(labels, codes);
        let y = self.decoder.infer(input.view().into_dyn());
        let rows = y.shape()[0];
        y.into_shape_with_order((rows, SIDE * SIDE))
            .expect("the decoder gives [rows, 1, 28, 28]")
    }

    /// The pictures x̂ = σ(logits) for labels and codes.
    pub fn draw(&self, labels: &[usize], codes: ArrayView2<'_, f32>) -> Array2<f32> {
        self.draw_logits(labels, codes).mapv(sigmoid)
    }

    /// The code's pre-activations a = W_e x + b_e, nothing kept.
    fn pre_activations(&self, x: ArrayView2<'_, f32>) -> Array2<f32> {
        match &self.encoder {
            Some(encoder) => two_d(encoder.infer(x.into_dyn())),
            None => Array2::zeros((x.nrows(), 0)),
        }
    }

    /// The mean BCE per pixel of the pictures drawn from their labels and
    /// codes, nothing kept.
    pub fn drawing_loss(&self, x: ArrayView2<'_, f32>, labels: &[usize]) -> f64 {
        let codes = self.encode(x);
        mean_bce(self.draw_logits(labels, codes.view()).view(), x)
    }

    /// L (the drawing loss and the code's penalty), nothing kept.
    pub fn objective(&self, x: ArrayView2<'_, f32>, labels: &[usize]) -> f64 {
        let pre = self.pre_activations(x);
        let codes = pre.mapv(f32::tanh);
        mean_bce(self.draw_logits(labels, codes.view()).view(), x) + code_penalty(pre.view())
    }

    /// Training pass: encodes, draws and measures, keeping what the
    /// backward pass needs (the decoder keeps each layer's output).
    pub fn forward(&mut self, x: ArrayView2<'_, f32>, labels: &[usize]) -> Pass {
        let pre = match self.encoder.as_mut() {
            Some(encoder) => two_d(encoder.forward(x.into_dyn())),
            None => Array2::zeros((x.nrows(), 0)),
        };
        let codes = pre.mapv(f32::tanh);
        let input = decoder_inputs(labels, codes.view());
        let y = self.decoder.forward(input.view().into_dyn());
        let rows = y.shape()[0];
        let logits = y
            .into_shape_with_order((rows, SIDE * SIDE))
            .expect("the decoder gives [rows, 1, 28, 28]");
        let loss = mean_bce(logits.view(), x);
        let penalty = code_penalty(pre.view());
        self.cache = Some((x.to_owned(), pre, codes.clone()));
        Pass {
            codes,
            drawn: logits.mapv(sigmoid),
            logits,
            loss,
            penalty,
        }
    }

    /// Sets every gradient to ∂L/∂θ of the last training pass. Does
    /// nothing before one.
    pub fn backward(&mut self) {
        let Some((x, pre, codes)) = self.cache.as_ref() else {
            return;
        };
        let Some(logits) = self.decoder.outputs().last().cloned() else {
            return;
        };
        self.decoder.zero_grad();
        if let Some(encoder) = self.encoder.as_mut() {
            encoder.zero_grad();
        }
        // ∂L/∂logits = (σ(z) − x) / (784 B), in the decoder's shape.
        let scale = 1.0 / x.len().max(1) as f32;
        let x4 = x
            .view()
            .into_shape_with_order(logits.raw_dim())
            .expect("same size");
        let grad_logits = ndarray::Zip::from(&logits)
            .and(&x4)
            .map_collect(|&z, &t| (sigmoid(z) - t) * scale);
        let grad_input = two_d(self.decoder.backward(grad_logits.view()));
        // The code's part of the input, back through the tanh
        // (∂c/∂a = 1 − c²), plus the penalty's 2λa/B.
        if let Some(encoder) = self.encoder.as_mut() {
            let grad_code = grad_input.slice(s![.., CLASSES..]);
            let per_row = 2.0 * CODE_PENALTY / x.nrows().max(1) as f32;
            let grad_pre = ndarray::Zip::from(&grad_code)
                .and(codes)
                .and(pre)
                .map_collect(|&g, &c, &a| g * (1.0 - c * c) + per_row * a);
            encoder.backward(grad_pre.view().into_dyn());
        }
    }

    /// One optimiser step on every layer.
    pub fn update(&mut self, optimizer: &mut dyn Optimizer) {
        match self.encoder.as_mut() {
            Some(encoder) => step_layers(
                optimizer,
                &mut [
                    ("encoder", encoder as &mut dyn Layer),
                    ("decoder", &mut self.decoder),
                ],
            ),
            None => step_layers(optimizer, &mut [("decoder", &mut self.decoder)]),
        }
    }

    /// The norm of every gradient together.
    pub fn grad_norm(&self) -> f32 {
        match &self.encoder {
            Some(encoder) => grad_norm(&[encoder as &dyn Layer, &self.decoder]),
            None => grad_norm(&[&self.decoder]),
        }
    }
}

fn params() -> Vec<ParamSpec> {
    let int = |name, en, zh, max, default| {
        ParamSpec::new(
            name,
            en,
            zh,
            ParamKind::Int { min: 0, max },
            ParamValue::Int(default),
        )
    };
    vec![
        int(
            "code",
            "numbers of the code beside the label (0: the label alone)",
            "标签之外的编码个数（0：只有标签）",
            MAX_CODE as i64,
            2,
        ),
        ParamSpec::new(
            "maps",
            "feature maps after the linear layer (half as many after the first deconvolution)",
            "线性层之后的特征图数（第一次反卷积之后减半）",
            ParamKind::Int {
                min: 1,
                max: MAX_MAPS as i64,
            },
            ParamValue::Int(32),
        ),
        ParamSpec::new(
            "batch",
            "digits per minibatch",
            "每个小批次的数字图片数",
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
            ParamValue::Float(0.002),
        )
        .with_role(ParamRole::Live),
    ]
}

/// What an epoch ended with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpochRecord {
    pub epoch: u64,
    /// Mean loss of the epoch's batches, per pixel.
    pub train_loss: f64,
    /// The test digits drawn from their labels and codes, per pixel.
    pub test_loss: f64,
}

#[derive(Clone)]
struct Batch {
    labels: Vec<usize>,
    x: Array2<f32>,
    pass: Option<Pass>,
    grad_norm: Option<f32>,
}

/// The stages of one step.
const STAGES: usize = 8;
const GET: usize = 0;
const FORWARD: usize = 1;
const LOSS: usize = 5;
const GRADIENTS: usize = 6;
const UPDATE: usize = 7;

/// A deconvolutional network learning to draw the digits, and drawing the
/// label and code a person picks.
#[derive(Clone)]
pub struct DeconvLab {
    params: Params,
    seed: u64,
    net: DeconvNetwork,
    optimizer: Adam,
    train: Arc<Dataset>,
    test: Arc<Dataset>,
    clock: BatchClock,
    next: usize,
    batch: Option<Batch>,
    /// (epoch position, loss) of each batch.
    batch_losses: Vec<(f64, f64)>,
    history: Vec<EpochRecord>,
    epoch_loss: f64,
    epoch_batches: usize,
    /// What the person asks the decoder to draw.
    label: usize,
    code: Vec<f32>,
    /// The training digit whose code was taken last (`c`).
    taken: Option<usize>,
}

impl DeconvLab {
    pub fn new(params: &Params, seed: u64) -> Result<DeconvLab, ModelError> {
        let (train, test) = digits28(seed)?;
        let code = params.int("code") as usize;
        let mut rng = StdRng::seed_from_u64(seed);
        let net = DeconvNetwork::new(code, params.int("maps") as usize, &mut rng);
        Ok(DeconvLab {
            params: params.clone(),
            seed,
            net,
            optimizer: Adam::new(params.float("lr") as f32),
            clock: BatchClock::new(train.len(), params.int("batch") as usize, seed),
            train: Arc::new(train),
            test: Arc::new(test),
            next: GET,
            batch: None,
            batch_losses: Vec::new(),
            history: Vec::new(),
            epoch_loss: 0.0,
            epoch_batches: 0,
            label: 3,
            code: vec![0.0; code],
            taken: None,
        })
    }

    pub fn network(&self) -> &DeconvNetwork {
        &self.net
    }

    pub fn history(&self) -> &[EpochRecord] {
        &self.history
    }

    /// The label and code the lab draws.
    pub fn chosen(&self) -> (usize, &[f32]) {
        (self.label, &self.code)
    }

    /// The test digits drawn from their own labels and codes: loss per pixel.
    pub fn test_loss(&self) -> f64 {
        let labels: Vec<usize> = self.test.labels().map(|l| l.to_vec()).unwrap_or_default();
        self.net.drawing_loss(self.test.records.view(), &labels)
    }

    fn labels_of(set: &Dataset, rows: &[usize]) -> Vec<usize> {
        set.labels()
            .map(|l| rows.iter().map(|&r| l[r]).collect())
            .unwrap_or_default()
    }

    fn run_stage(&mut self) {
        let stage = self.next;
        match stage {
            GET => {
                let rows = self.clock.batch();
                self.batch = Some(Batch {
                    labels: Self::labels_of(&self.train, &rows),
                    x: self.train.records.select(Axis(0), &rows),
                    pass: None,
                    grad_norm: None,
                });
            }
            FORWARD => {
                if let Some(batch) = self.batch.as_mut() {
                    batch.pass = Some(self.net.forward(batch.x.view(), &batch.labels));
                }
            }
            LOSS => {
                if let Some(pass) = self.batch.as_ref().and_then(|b| b.pass.as_ref()) {
                    let at = (self.clock.steps + 1) as f64 / self.clock.batches_per_epoch() as f64;
                    if self.batch_losses.len() == LOSS_HISTORY {
                        self.batch_losses.remove(0);
                    }
                    self.batch_losses.push((at, pass.loss));
                }
            }
            GRADIENTS => {
                self.net.backward();
                let norm = self.net.grad_norm();
                if let Some(batch) = self.batch.as_mut() {
                    batch.grad_norm = Some(norm);
                }
            }
            UPDATE => {
                self.net.update(&mut self.optimizer);
                if let Some(pass) = self.batch.as_ref().and_then(|b| b.pass.as_ref()) {
                    self.epoch_loss += pass.loss;
                    self.epoch_batches += 1;
                }
                if self.clock.advance() {
                    self.history.push(EpochRecord {
                        epoch: self.clock.epoch,
                        train_loss: self.epoch_loss / self.epoch_batches.max(1) as f64,
                        test_loss: self.test_loss(),
                    });
                    self.epoch_loss = 0.0;
                    self.epoch_batches = 0;
                }
            }
            // Stages 2 to 4 bring the forward pass's layers into view.
            _ => {}
        }
        self.next = (stage + 1) % STAGES;
    }

    /// How many stages of the drawing are in view: the linear layer's
    /// maps, the first deconvolution's, the picture. While a batch goes
    /// forward they come one a stage; otherwise all three are shown.
    fn drawing_reached(&self) -> usize {
        if self.batch.is_none() {
            return 3;
        }
        match self.next {
            1 | 2 => 0,
            3 => 1,
            4 => 2,
            _ => 3,
        }
    }

    fn forward_done(&self) -> bool {
        self.batch.as_ref().is_some_and(|b| b.pass.is_some())
    }

    fn maps_label(&self) -> (usize, usize) {
        let maps = self.params.int("maps") as usize;
        (maps, (maps / 2).max(1))
    }

    fn steps_view(&self) -> View {
        let per_epoch = self.clock.batches_per_epoch();
        let (epoch, number) = (self.clock.epoch + 1, self.clock.batch_in_epoch + 1);
        let batch = self.batch.as_ref();
        let pass = batch.and_then(|b| b.pass.as_ref());
        let rows = batch.map_or(0, |b| b.x.nrows());
        let code = self.net.code_size();
        let (maps, half) = self.maps_label();
        let after = |stage: usize| batch.is_some() && (self.next > stage || self.next == GET);
        let mut lines = vec![Bilingual::owned(
            format!(
                "epoch {epoch}, batch {number} of {per_epoch}  ({} digits, batch size {})",
                self.train.len(),
                self.clock.batch_size()
            ),
            format!(
                "第 {epoch} 个周期，第 {number} 批（共 {per_epoch} 批；{} 张数字图片，每批 {} 张）",
                self.train.len(),
                self.clock.batch_size()
            ),
        )];
        lines.push(match batch {
            Some(b) => {
                let t: Vec<String> = b.labels.iter().take(8).map(|l| l.to_string()).collect();
                let more = if b.labels.len() > 8 { " ..." } else { "" };
                Bilingual::owned(
                    format!(
                        "1 get a batch:    x = [{rows}, 784], y = {}{more}",
                        t.join(" ")
                    ),
                    format!(
                        "1 取一个批次：    x = [{rows}, 784]，y = {}{more}",
                        t.join(" ")
                    ),
                )
            }
            None => Bilingual::new(
                "1 get a batch:    (x, y) = next digits and their labels",
                "1 取一个批次：    (x, y) = 下几张数字图片及其标签",
            ),
        });
        let reached = self.drawing_reached();
        let stage_line = match (self.forward_done(), reached) {
            (true, 1) => Bilingual::owned(
                format!(
                    "2 forward pass:   h₀ = relu(W₀ [onehot(y); c] + b₀) -> [{rows}, {maps}, 7, 7]"
                ),
                format!(
                    "2 前向传播：      h₀ = relu(W₀ [onehot(y); c] + b₀) -> [{rows}, {maps}, 7, 7]"
                ),
            ),
            (true, 2) => Bilingual::owned(
                format!("2 forward pass:   h₁ = relu(deconv(h₀)) -> [{rows}, {half}, 14, 14]"),
                format!("2 前向传播：      h₁ = relu(deconv(h₀)) -> [{rows}, {half}, 14, 14]"),
            ),
            (true, 0) if code > 0 => Bilingual::owned(
                format!("2 forward pass:   c = tanh(W_e x + b_e) -> [{rows}, {code}]"),
                format!("2 前向传播：      c = tanh(W_e x + b_e) -> [{rows}, {code}]"),
            ),
            (true, 3) => Bilingual::owned(
                format!("2 forward pass:   x̂ = σ(deconv(h₁)) -> [{rows}, 1, 28, 28]"),
                format!("2 前向传播：      x̂ = σ(deconv(h₁)) -> [{rows}, 1, 28, 28]"),
            ),
            _ if code > 0 => Bilingual::new(
                "2 forward pass:   c = tanh(W_e x); x̂ = σ(deconv(relu(deconv(h₀(y, c)))))",
                "2 前向传播：      c = tanh(W_e x)；x̂ = σ(deconv(relu(deconv(h₀(y, c)))))",
            ),
            _ => Bilingual::new(
                "2 forward pass:   no code: x̂ = σ(deconv(relu(deconv(h₀(y))))) from the label alone",
                "2 前向传播：      没有编码：只凭标签 x̂ = σ(deconv(relu(deconv(h₀(y)))))",
            ),
        };
        lines.push(stage_line);
        lines.push(match pass.filter(|_| after(LOSS)) {
            Some(p) => Bilingual::owned(
                format!(
                    "3 loss:           L = mean BCE(x̂, x) + λΣa²/B = {:.4} per pixel + {:.4}",
                    p.loss, p.penalty
                ),
                format!(
                    "3 计算损失：      L = 平均 BCE(x̂, x) + λΣa²/B = 每像素 {:.4} + {:.4}",
                    p.loss, p.penalty
                ),
            ),
            None => Bilingual::new(
                "3 loss:           L = mean BCE(x̂, x) over the pixels + λΣa²/B",
                "3 计算损失：      L = 各像素 BCE(x̂, x) 的平均 + λΣa²/B",
            ),
        });
        lines.push(
            match batch.and_then(|b| b.grad_norm).filter(|_| after(GRADIENTS)) {
                Some(g) => Bilingual::owned(
                    format!("4 gradients:      back through both deconvolutions, the linear layer and the tanh; |g| = {g:.4}"),
                    format!("4 计算梯度：      反向经过两次反卷积、线性层和 tanh；|g| = {g:.4}"),
                ),
                None => Bilingual::new(
                    "4 gradients:      back through both deconvolutions, the linear layer and the tanh",
                    "4 计算梯度：      反向经过两次反卷积、线性层和 tanh",
                ),
            },
        );
        let lr = self.optimizer.learning_rate();
        lines.push(Bilingual::owned(
            format!("5 update:         θ ← Adam(θ, g), η = {lr}"),
            format!("5 更新权重：      θ ← Adam(θ, g)，η = {lr}"),
        ));
        lines.push(Bilingual::owned(
            format!("6 repeat 1-5 until the epoch is done: batch {number} of {per_epoch}"),
            format!("6 重复 1-5 直到本周期结束：第 {number} 批，共 {per_epoch} 批"),
        ));
        lines.push(match self.history.last() {
            Some(r) => Bilingual::owned(
                format!(
                    "7 repeat epochs: {} done; test loss {:.4} per pixel",
                    r.epoch, r.test_loss
                ),
                format!(
                    "7 重复多个周期：已完成 {} 个；测试损失每像素 {:.4}",
                    r.epoch, r.test_loss
                ),
            ),
            None => Bilingual::new(
                "7 repeat for as many epochs as needed: none done yet",
                "7 按需重复多个周期：尚未完成任何周期",
            ),
        });
        let step = match self.next {
            GET => 1,
            n if n < LOSS => 2,
            n => n - LOSS + 3,
        };
        View::new(
            "steps",
            Bilingual::new("the training process", "训练过程"),
            ViewContent::steps(lines, Some(step)),
        )
    }

    fn loss_view(&self) -> View {
        let now = self.clock.steps as f64 / self.clock.batches_per_epoch() as f64;
        let top = self
            .batch_losses
            .iter()
            .map(|p| p.1)
            .chain(self.history.iter().map(|r| r.test_loss))
            .filter(|v| v.is_finite())
            .fold(0.1f64, f64::max);
        View::new(
            "loss_curve",
            Bilingual::new(
                "loss per pixel: each batch, and the test digits after each epoch",
                "每像素损失：每个批次，以及每个周期后的测试数字",
            ),
            ViewContent::Plot(Plot {
                curves: vec![
                    Curve {
                        label: Bilingual::new("batch loss", "批次损失"),
                        points: self.batch_losses.clone(),
                    },
                    Curve {
                        label: Bilingual::new("test loss", "测试损失"),
                        points: self
                            .history
                            .iter()
                            .map(|r| (r.epoch as f64, r.test_loss))
                            .collect(),
                    },
                ],
                x_label: Bilingual::new("epoch", "周期"),
                y_label: Bilingual::new("BCE per pixel", "每像素 BCE"),
                x_range: Some((0.0, now.floor() + 1.0)),
                y_range: Some((0.0, top * 1.05)),
                marks: Vec::new(),
                now: Some(now),
            }),
        )
        .untraced()
    }

    fn input_views(&self, out: &mut Vec<View>) {
        let mut onehot = vec![0.0f32; CLASSES];
        onehot[self.label] = 1.0;
        out.push(
            View::new(
                "label",
                Bilingual::owned(
                    format!("label y = {} to draw (x: next digit)", self.label),
                    format!("要画的标签 y = {}（x：下一个数字）", self.label),
                ),
                ViewContent::Vector(Vector {
                    labels: (0..CLASSES)
                        .map(|d| Bilingual::same(d.to_string()))
                        .collect(),
                    values: onehot,
                    range: (0.0, 1.0),
                }),
            )
            .editable(),
        );
        if self.code.is_empty() {
            return;
        }
        let title = match self.taken {
            Some(row) => Bilingual::owned(
                format!("code c in (−1, 1): training digit {row}'s"),
                format!("编码 c，在 (−1, 1) 内：训练数字 {row} 的"),
            ),
            None => Bilingual::new(
                "code c in (−1, 1) (c: a training digit's)",
                "编码 c，在 (−1, 1) 内（c：取训练数字的）",
            ),
        };
        out.push(
            View::new(
                "code",
                title,
                ViewContent::Vector(Vector {
                    labels: (1..=self.code.len())
                        .map(|j| Bilingual::same(format!("c{j}")))
                        .collect(),
                    values: self.code.clone(),
                    range: (-1.0, 1.0),
                }),
            )
            .editable(),
        );
    }

    /// The person's label and code drawn stage by stage: the maps after
    /// the linear layer, after the first deconvolution, and the picture.
    fn drawing_views(&self, out: &mut Vec<View>) {
        let reached = self.drawing_reached();
        if reached == 0 {
            return;
        }
        let codes = Array2::from_shape_vec((1, self.code.len()), self.code.clone())
            .expect("one row of the code");
        let input = decoder_inputs(&[self.label], codes.view());
        let stages = self.net.draw_stages(input.view());
        let label = self.label;
        for (k, (layer, name)) in [(LINEAR_MAPS, "h0"), (DECONV1_MAPS, "h1")]
            .into_iter()
            .enumerate()
            .take(reached.min(2))
        {
            let Some(y) = stages.get(layer).filter(|y| y.ndim() == 4) else {
                continue;
            };
            let (maps, h, w) = (y.shape()[1], y.shape()[2], y.shape()[3]);
            let first = y.index_axis(Axis(0), 0);
            let items: Vec<Vec<f32>> = first
                .outer_iter()
                .map(|m| m.iter().copied().collect())
                .collect();
            let hi = items.iter().flatten().fold(1e-6f32, |m, v| m.max(v.abs()));
            let (en, zh) = if k == 0 {
                (
                    format!(
                        "drawing {label}, stage 1: h₀ = relu(W₀ [onehot; c] + b₀), {maps}x{h}x{w}"
                    ),
                    format!("画 {label}，第 1 步：h₀ = relu(W₀ [onehot; c] + b₀)，{maps}x{h}x{w}"),
                )
            } else {
                (
                    format!("drawing {label}, stage 2: h₁ = relu(deconv(h₀)), {maps}x{h}x{w}"),
                    format!("画 {label}，第 2 步：h₁ = relu(deconv(h₀))，{maps}x{h}x{w}"),
                )
            };
            out.push(
                View::new(
                    format!("drawing_{name}"),
                    Bilingual::owned(en, zh),
                    ViewContent::Gallery(Gallery {
                        width: w,
                        height: h,
                        captions: (0..maps).map(|c| c.to_string()).collect(),
                        items,
                        marked: None,
                        range: (0.0, hi),
                    }),
                )
                .untraced(),
            );
        }
        if reached == 3
            && let Some(y) = stages.get(PICTURE)
        {
            let picture: Vec<f32> = y.iter().map(|&z| sigmoid(z)).collect();
            out.push(View::new(
                "drawing",
                Bilingual::owned(
                    format!("drawing {label}, stage 3: x̂ = σ(deconv(h₁)), 28x28"),
                    format!("画 {label}，第 3 步：x̂ = σ(deconv(h₁))，28x28"),
                ),
                ViewContent::Gallery(Gallery {
                    width: SIDE,
                    height: SIDE,
                    items: vec![picture],
                    marked: None,
                    captions: vec![label.to_string()],
                    range: (0.0, 1.0),
                }),
            ));
        }
    }

    /// The first training digits of the chosen label, and the label drawn
    /// with each one's code: what the code carries.
    fn variety_view(&self) -> Option<View> {
        if self.code.is_empty() {
            return None;
        }
        let labels = self.train.labels()?;
        let rows: Vec<usize> = (0..self.train.len())
            .filter(|&r| labels[r] == self.label)
            .take(VARIETY)
            .collect();
        if rows.is_empty() {
            return None;
        }
        let x = self.train.records.select(Axis(0), &rows);
        let codes = self.net.encode(x.view());
        let drawn = self.net.draw(&vec![self.label; rows.len()], codes.view());
        let mut items = Vec::new();
        let mut captions = Vec::new();
        for (k, &row) in rows.iter().enumerate() {
            items.push(x.row(k).to_vec());
            captions.push(format!("#{row}"));
            items.push(drawn.row(k).to_vec());
            captions.push("x̂".into());
        }
        Some(
            View::new(
                "variety",
                Bilingual::owned(
                    format!(
                        "training digits {} beside {} drawn with each one's code",
                        self.label, self.label
                    ),
                    format!("训练数字 {} 与用各自编码画出的 {}", self.label, self.label),
                ),
                ViewContent::Gallery(Gallery {
                    width: SIDE,
                    height: SIDE,
                    items,
                    marked: None,
                    captions,
                    range: (0.0, 1.0),
                }),
            )
            .untraced(),
        )
    }

    fn batch_view(&self) -> Option<View> {
        let batch = self.batch.as_ref()?;
        let pass = batch.pass.as_ref().filter(|_| self.drawing_reached() == 3);
        let mut items = Vec::new();
        let mut captions = Vec::new();
        for r in 0..batch.x.nrows().min(SHOWN) {
            items.push(batch.x.row(r).to_vec());
            captions.push(format!("x {}", batch.labels.get(r).copied().unwrap_or(0)));
            if let Some(p) = pass {
                items.push(p.drawn.row(r).to_vec());
                captions.push("x̂".into());
            }
        }
        Some(
            View::new(
                "batch",
                Bilingual::new(
                    "the batch: each digit x beside x̂ drawn from its label and code",
                    "本批次：每个数字 x 与按其标签和编码画出的 x̂",
                ),
                ViewContent::Gallery(Gallery {
                    width: SIDE,
                    height: SIDE,
                    items,
                    marked: None,
                    captions,
                    range: (0.0, 1.0),
                }),
            )
            .untraced(),
        )
    }

    /// The code of the next training digit of the chosen label.
    fn take_code(&mut self) -> Result<(), ModelError> {
        if self.code.is_empty() {
            return Err(ModelError::Unsupported(Bilingual::new(
                "there is no code to take: this network draws from the label alone (code = 0)",
                "没有编码可取：此网络只凭标签作画（code = 0）",
            )));
        }
        let labels = self
            .train
            .labels()
            .ok_or_else(|| ModelError::Invalid(Bilingual::new("no labels", "没有标签")))?;
        let start = self.taken.map_or(0, |r| r + 1);
        let n = self.train.len();
        let row = (0..n)
            .map(|k| (start + k) % n)
            .find(|&r| labels[r] == self.label)
            .ok_or_else(|| {
                ModelError::Invalid(Bilingual::owned(
                    format!("no training digit is a {}", self.label),
                    format!("训练集中没有数字 {}", self.label),
                ))
            })?;
        let x = self.train.records.slice(s![row..row + 1, ..]);
        self.code = self.net.encode(x).row(0).to_vec();
        self.taken = Some(row);
        Ok(())
    }
}

impl Model for DeconvLab {
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
        if let Ok(fresh) = DeconvLab::new(&self.params, seed) {
            *self = fresh;
        }
    }

    fn stage_count(&self) -> usize {
        STAGES
    }

    fn stage_label(&self, index: usize) -> Bilingual {
        match index {
            GET => Bilingual::new("1 get a batch", "1 取一个批次"),
            FORWARD => Bilingual::new("2 forward: encode c", "2 前向传播：编码 c"),
            2 => Bilingual::new(
                "2 forward: linear to maps h₀",
                "2 前向传播：线性层到特征图 h₀",
            ),
            3 => Bilingual::new("2 forward: deconvolution to h₁", "2 前向传播：反卷积到 h₁"),
            4 => Bilingual::new(
                "2 forward: deconvolution to the picture",
                "2 前向传播：反卷积到图片",
            ),
            LOSS => Bilingual::new("3 calculate the loss", "3 计算损失"),
            GRADIENTS => Bilingual::new("4 calculate the gradients", "4 计算梯度"),
            _ => Bilingual::new("5 update the weights", "5 更新权重"),
        }
    }

    fn next_stage(&self) -> usize {
        self.next
    }

    fn steps_done(&self) -> u64 {
        self.clock.steps
    }

    fn stage(&mut self) {
        self.run_stage();
    }

    fn views(&self) -> Vec<View> {
        let mut out = vec![self.steps_view()];
        self.input_views(&mut out);
        self.drawing_views(&mut out);
        out.push(self.loss_view());
        out.extend(self.variety_view());
        out.extend(self.batch_view());
        out.push(View::new(
            "epoch",
            Bilingual::new("epoch (from 1)", "周期（从 1 起）"),
            ViewContent::scalar((self.clock.epoch + 1) as f64),
        ));
        if let Some(pass) = self.batch.as_ref().and_then(|b| b.pass.as_ref()) {
            out.push(View::new(
                "loss",
                Bilingual::new("batch loss per pixel", "批次每像素损失"),
                ViewContent::scalar(pass.loss),
            ));
        }
        out
    }

    fn edit(&mut self, view: &str, index: usize, value: f32) -> Result<(), ModelError> {
        if !value.is_finite() {
            return Err(ModelError::Invalid(Bilingual::owned(
                format!("{view}[{index}]: {value} is not a finite number"),
                format!("{view}[{index}]：{value} 不是有限的数"),
            )));
        }
        match view {
            "label" => {
                if index >= CLASSES {
                    return Err(ModelError::Invalid(Bilingual::owned(
                        format!("label: there are digits 0 to 9; there is no {index}"),
                        format!("label：只有数字 0 到 9，没有 {index}"),
                    )));
                }
                if value < 0.5 {
                    return Err(ModelError::Invalid(Bilingual::owned(
                        format!(
                            "label: pick a digit by setting its value to 1 ({value} at {index} picks nothing)"
                        ),
                        format!(
                            "label：把某个数字的值设为 1 来选它（在 {index} 处设 {value} 什么也没选）"
                        ),
                    )));
                }
                self.label = index;
                self.taken = None;
                Ok(())
            }
            "code" => {
                let units = self.code.len();
                let slot = self.code.get_mut(index).ok_or_else(|| {
                    ModelError::Invalid(Bilingual::owned(
                        format!("code has {units} numbers; there is no number {index}"),
                        format!("code 只有 {units} 个数，没有第 {index} 个"),
                    ))
                })?;
                // The code comes out of a tanh: (−1, 1) is all the decoder knows.
                *slot = value.clamp(-1.0, 1.0);
                self.taken = None;
                Ok(())
            }
            other => Err(ModelError::Unsupported(Bilingual::owned(
                format!("view `{other}` cannot be edited"),
                format!("视图 `{other}` 不能编辑"),
            ))),
        }
    }

    fn actions(&self) -> Vec<Action> {
        let mut actions = vec![Action {
            name: "next_label",
            key: 'x',
            label: Bilingual::new("draw the next digit", "画下一个数字"),
            long: false,
        }];
        if !self.code.is_empty() {
            actions.push(Action {
                name: "take_code",
                key: 'c',
                label: Bilingual::new(
                    "take the code of the next training digit of this label",
                    "取此标签下一张训练数字的编码",
                ),
                long: false,
            });
        }
        actions.extend(epochs::actions());
        actions
    }

    fn act(&mut self, action: &str) -> Result<(), ModelError> {
        match action {
            "next_label" => {
                self.label = (self.label + 1) % CLASSES;
                self.taken = None;
                Ok(())
            }
            "take_code" => self.take_code(),
            other => self.work(other, &mut crate::work::unwatched),
        }
    }

    fn work(&mut self, action: &str, progress: Report<'_>) -> Result<(), ModelError> {
        if matches!(action, "next_label" | "take_code") {
            return self.act(action);
        }
        epochs::train_asked(self, action, |lab| lab.clock.now(), progress)
    }

    fn retune(&mut self, params: &Params) -> Result<(), ModelError> {
        self.optimizer.set_learning_rate(params.float("lr") as f32);
        self.params = params.clone();
        Ok(())
    }

    fn status(&self) -> Option<Status> {
        let last = self.history.last()?;
        let diverged = !last.test_loss.is_finite();
        Some(epochs::status_after(
            last.epoch,
            diverged,
            Bilingual::owned(
                format!("test loss {:.4} per pixel", last.test_loss),
                format!("测试损失每像素 {:.4}", last.test_loss),
            ),
        ))
    }
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "deconvolutional-network",
    name: Bilingual::new("Deconvolutional network", "解卷积网络"),
    params,
    build: |params, seed| Ok(Box::new(DeconvLab::new(params, seed)?)),
    params_from_weights: None,
};
