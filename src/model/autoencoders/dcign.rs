//! Deep convolutional inverse graphics network (DCIGN): the variational
//! autoencoder with a convolutional encoder and a deconvolutional decoder,
//! on the 28x28 digits.
//!
//! T. D. Kulkarni, W. F. Whitney, P. Kohli and J. B. Tenenbaum, "Deep
//! convolutional inverse graphics network", NIPS 2015. Their encoder is
//! convolutions and pooling down to the mean and variance of a Gaussian
//! code, their decoder unpooling and convolutions back up to the picture,
//! trained by the variational bound of Kingma and Welling; walking one
//! code unit while the others are held shows what that unit draws. Here
//! stride-2 convolutions stand in for the pooling and stride-2 transposed
//! convolutions for the unpooling:
//!
//! ```text
//! h = relu(conv₄ₓ₄,s2(relu(conv₄ₓ₄,s2(x))))      1×28×28 → m×14×14 → 2m×7×7
//! μ = W_μ flatten(h) + b_μ,  log σ² = W_σ flatten(h) + b_σ        q(z|x)
//! z = μ + exp(½ log σ²) ⊙ ε,  ε ~ N(0, I)           the mean and std cell
//! x̂ = σ(deconv₄ₓ₄,s2(relu(deconv₄ₓ₄,s2(relu(unflatten(W_d z + b_d))))))
//! −ELBO(x) = Σ_j BCE(x̂_j, x_j) + KL(q(z|x) ‖ N(0, I))
//! ```
//!
//! The cell and the KL are the VAE's ([`super::mean_std_cell`],
//! [`crate::nn::loss::gaussian_kl`]); the backward pass goes through them
//! as in [`super::vae`]: ∂L/∂μ = ∂L/∂z + μ/B,
//! ∂L/∂log σ² = ∂L/∂z ⊙ ε ⊙ ½σ + ½(σ² − 1)/B.

use super::mean_std_cell::reparameterise;
use super::vae::{EpochRecord, Pass, draw_eps};
use super::variational_lab::{self, Training, Words};
use super::{BatchClock, Variational, grad_norm, step_layers};
use crate::data::Dataset;
use crate::model::convolutional::deconv_network::{SIDE, digits28};
use crate::model::view::Gallery;
use crate::model::{
    Action, Model, ModelError, ModelSpec, ParamKind, ParamRole, ParamSpec, ParamValue, Params,
    Report, Status, View, ViewContent,
};
use crate::nn::Layer;
use crate::nn::activation::{ReLU, sigmoid};
use crate::nn::conv_transpose2d::ConvTranspose2d;
use crate::nn::conv2d::Conv2d;
use crate::nn::linear::Linear;
use crate::nn::loss::gaussian_kl;
use crate::nn::optim::{Adam, Optimizer};
use crate::nn::sequential::{Flatten, Sequential, Unflatten};
use crate::text::Bilingual;
use crate::train::Stage;
use crate::train::epochs;
use ndarray::{Array2, ArrayD, ArrayView2, Ix2};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::sync::Arc;

/// At most this many code units, and feature maps in the first layer.
pub const MAX_LATENT: usize = 32;
pub const MAX_MAPS: usize = 64;
/// The side of the smallest feature maps.
const SMALL: usize = 7;
/// Pictures in the walk along one unit.
pub const WALK: usize = 9;

fn two_d(a: ArrayD<f32>) -> Array2<f32> {
    a.into_dimensionality::<Ix2>()
        .expect("linear layers keep [batch, features]")
}

/// `[rows, 1, 28, 28]` logits as `[rows, 784]`.
fn rows_of(y: ArrayD<f32>) -> Array2<f32> {
    let rows = y.shape()[0];
    y.into_shape_with_order((rows, SIDE * SIDE))
        .expect("the decoder gives [rows, 1, 28, 28]")
}

/// The network: a convolutional Gaussian encoder and a deconvolutional
/// Bernoulli decoder.
#[derive(Clone)]
pub struct Dcign {
    /// Unflatten, Conv2d, ReLU, Conv2d, ReLU, Flatten.
    pub encoder: Sequential,
    pub enc_mu: Linear,
    pub enc_logvar: Linear,
    /// Linear, Unflatten, ReLU, ConvTranspose2d, ReLU, ConvTranspose2d.
    pub decoder: Sequential,
    cache: Option<Cache>,
}

#[derive(Clone)]
struct Cache {
    x: Array2<f32>,
    eps: Array2<f32>,
    mu: Array2<f32>,
    logvar: Array2<f32>,
    logits: Array2<f32>,
}

impl Dcign {
    /// `maps` feature maps after the first convolution (twice as many after
    /// the second, and the decoder the mirror image), a code of `latent`
    /// units; PyTorch's default initialisation drawn from `rng` in the order
    /// of the layers.
    pub fn new(maps: usize, latent: usize, rng: &mut StdRng) -> Dcign {
        let wide = 2 * maps;
        let flat = wide * SMALL * SMALL;
        let encoder = Sequential::new()
            .with(Unflatten::new(&[1, SIDE, SIDE]))
            .with(
                Conv2d::new(1, maps, (4, 4), rng)
                    .stride((2, 2))
                    .padding((1, 1)),
            )
            .with(ReLU::new())
            .with(
                Conv2d::new(maps, wide, (4, 4), rng)
                    .stride((2, 2))
                    .padding((1, 1)),
            )
            .with(ReLU::new())
            .with(Flatten::new());
        let enc_mu = Linear::new(flat, latent, true, rng);
        let enc_logvar = Linear::new(flat, latent, true, rng);
        let decoder = Sequential::new()
            .with(Linear::new(latent, flat, true, rng))
            .with(Unflatten::new(&[wide, SMALL, SMALL]))
            .with(ReLU::new())
            .with(
                ConvTranspose2d::new(wide, maps, (4, 4), rng)
                    .stride((2, 2))
                    .padding((1, 1)),
            )
            .with(ReLU::new())
            .with(
                ConvTranspose2d::new(maps, 1, (4, 4), rng)
                    .stride((2, 2))
                    .padding((1, 1)),
            );
        Dcign {
            encoder,
            enc_mu,
            enc_logvar,
            decoder,
            cache: None,
        }
    }

    /// `WALK` codes: `base` with unit `unit` walked evenly from −reach to
    /// reach, the others held.
    pub fn walk_codes(base: &[f32], unit: usize, reach: f32) -> Array2<f32> {
        let mut z = Array2::<f32>::zeros((WALK, base.len()));
        for (k, mut row) in z.outer_iter_mut().enumerate() {
            row.assign(&ndarray::ArrayView1::from(base));
            if unit < base.len() {
                row[unit] = -reach + 2.0 * reach * k as f32 / (WALK - 1) as f32;
            }
        }
        z
    }
}

impl Variational for Dcign {
    fn latent(&self) -> usize {
        self.enc_mu.out_features()
    }

    /// The encoder's μ and log σ² for each picture `[rows, 784]`, nothing kept.
    fn encode(&self, x: ArrayView2<'_, f32>) -> (Array2<f32>, Array2<f32>) {
        let h = self.encoder.infer(x.into_dyn());
        let mu = two_d(self.enc_mu.infer(h.view()));
        let logvar = two_d(self.enc_logvar.infer(h.view()));
        (mu, logvar)
    }

    /// The decoder's logits `[rows, 784]` for codes `z`, nothing kept.
    fn decode_logits(&self, z: ArrayView2<'_, f32>) -> Array2<f32> {
        rows_of(self.decoder.infer(z.into_dyn()))
    }

    /// Training pass with the noise `eps` given: keeps what the backward
    /// pass needs (the encoder and decoder keep each layer's output).
    fn forward(&mut self, x: ArrayView2<'_, f32>, eps: ArrayView2<'_, f32>) -> Pass {
        let h = self.encoder.forward(x.into_dyn());
        let mu = two_d(self.enc_mu.forward(h.view()));
        let logvar = two_d(self.enc_logvar.forward(h.view()));
        let z = reparameterise(mu.view(), logvar.view(), eps);
        let logits = rows_of(self.decoder.forward(z.view().into_dyn()));
        let pass = Pass::from_logits(x, mu.clone(), logvar.clone(), z, logits.view());
        self.cache = Some(Cache {
            x: x.to_owned(),
            eps: eps.to_owned(),
            mu,
            logvar,
            logits,
        });
        pass
    }

    fn backward(&mut self) {
        let Some(c) = self.cache.as_ref() else {
            return;
        };
        self.encoder.zero_grad();
        self.enc_mu.zero_grad();
        self.enc_logvar.zero_grad();
        self.decoder.zero_grad();
        let rows = c.x.nrows();
        let scale = 1.0 / rows.max(1) as f32;
        // Reconstruction: ∂/∂logits of Σ_j BCE(σ(logits), x), over B.
        let grad_logits = ndarray::Zip::from(&c.logits)
            .and(&c.x)
            .map_collect(|&z, &x| (sigmoid(z) - x) * scale)
            .into_shape_with_order((rows, 1, SIDE, SIDE))
            .expect("784 pixels a row");
        let grad_z = two_d(self.decoder.backward(grad_logits.view().into_dyn()));
        // Through the cell z = μ + exp(½ log σ²) ε, and the KL's own terms.
        let kl = gaussian_kl(c.mu.view(), c.logvar.view());
        let grad_mu = &grad_z + &(kl.grad_mu * scale);
        let grad_logvar = ndarray::Zip::from(&grad_z)
            .and(&c.eps)
            .and(&c.logvar)
            .and(&kl.grad_logvar)
            .map_collect(|&g, &e, &lv, &k| g * e * 0.5 * (0.5 * lv).exp() + k * scale);
        let grad_h = self.enc_mu.backward(grad_mu.view().into_dyn())
            + self.enc_logvar.backward(grad_logvar.view().into_dyn());
        self.encoder.backward(grad_h.view());
    }

    fn update(&mut self, optimizer: &mut dyn Optimizer) {
        step_layers(
            optimizer,
            &mut [
                ("encoder", &mut self.encoder as &mut dyn Layer),
                ("enc_mu", &mut self.enc_mu),
                ("enc_logvar", &mut self.enc_logvar),
                ("decoder", &mut self.decoder),
            ],
        );
    }

    fn grad_norm(&self) -> f32 {
        grad_norm(&[
            &self.encoder as &dyn Layer,
            &self.enc_mu,
            &self.enc_logvar,
            &self.decoder,
        ])
    }
}

fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "latent",
            "units of the code z",
            "编码 z 的单元数",
            ParamKind::Int {
                min: 1,
                max: MAX_LATENT as i64,
            },
            ParamValue::Int(8),
        ),
        ParamSpec::new(
            "maps",
            "feature maps of the first convolution (twice as many in the second; the decoder mirrors them)",
            "第一层卷积的特征图数（第二层加倍；解码器与之对称）",
            ParamKind::Int {
                min: 1,
                max: MAX_MAPS as i64,
            },
            ParamValue::Int(8),
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
            ParamValue::Float(0.001),
        )
        .with_role(ParamRole::Live),
        ParamSpec::new(
            "unit",
            "the code unit walked, from 1 (changes live)",
            "要走动的编码单元，从 1 起（即时生效）",
            ParamKind::Int {
                min: 1,
                max: MAX_LATENT as i64,
            },
            ParamValue::Int(1),
        )
        .with_role(ParamRole::Live),
        ParamSpec::new(
            "reach",
            "the walk goes from −reach to reach (changes live)",
            "走动范围从 −reach 到 reach（即时生效）",
            ParamKind::Float {
                min: 0.1,
                max: 10.0,
            },
            ParamValue::Float(3.0),
        )
        .with_role(ParamRole::Live),
    ]
}

/// The walked unit must be one of the code's.
fn check_unit(params: &Params) -> Result<(), ModelError> {
    let (unit, latent) = (params.int("unit"), params.int("latent"));
    if unit > latent {
        return Err(ModelError::Invalid(Bilingual::owned(
            format!("unit = {unit}, but the code has {latent} units: pick 1 to {latent}"),
            format!("unit = {unit}，但编码只有 {latent} 个单元：请选 1 到 {latent}"),
        )));
    }
    Ok(())
}

/// The DCIGN learning the 28x28 digits in the seed's stages.
#[derive(Clone)]
pub struct DcignLab {
    params: Params,
    seed: u64,
    net: Dcign,
    optimizer: Adam,
    train: Arc<Dataset>,
    test: Arc<Dataset>,
    /// One draw of ε per test digit, fixed, so every epoch is measured alike.
    test_eps: Arc<Array2<f32>>,
    training: Training,
}

impl DcignLab {
    pub fn new(params: &Params, seed: u64) -> Result<DcignLab, ModelError> {
        check_unit(params)?;
        let (train, test) = digits28(seed)?;
        let latent = params.int("latent") as usize;
        let mut rng = StdRng::seed_from_u64(seed);
        let net = Dcign::new(params.int("maps") as usize, latent, &mut rng);
        let test_eps = draw_eps(test.len(), latent, &mut rng);
        let clock = BatchClock::new(train.len(), params.int("batch") as usize, seed);
        Ok(DcignLab {
            params: params.clone(),
            seed,
            net,
            optimizer: Adam::new(params.float("lr") as f32),
            train: Arc::new(train),
            test: Arc::new(test),
            test_eps: Arc::new(test_eps),
            training: Training::new(clock, rng),
        })
    }

    pub fn network(&self) -> &Dcign {
        &self.net
    }

    pub fn history(&self) -> &[EpochRecord] {
        self.training.history()
    }

    /// The test digits' mean −ELBO terms under the fixed draw of ε.
    pub fn test_terms(&self) -> (f64, f64) {
        variational_lab::test_terms(&self.net, &self.test, &self.test_eps)
    }

    /// The walk: the first test digit's μ with unit `unit` (from 1) moved
    /// from −reach to reach, decoded; the code it holds and the pictures.
    pub fn walk(&self) -> (Vec<f32>, Array2<f32>) {
        let first = self.test.records.slice(ndarray::s![0..1, ..]);
        let (mu, _) = self.net.encode(first);
        let base = mu.row(0).to_vec();
        let unit = (self.params.int("unit") as usize).saturating_sub(1);
        let reach = self.params.float("reach") as f32;
        let z = Dcign::walk_codes(&base, unit, reach);
        (base, self.net.decode(z.view()))
    }

    fn steps_view(&self) -> View {
        let rows = self.training.rows();
        let maps = self.params.int("maps");
        let words = Words {
            digits_zh: "张数字图片",
            measure_zh: "张",
            x: Bilingual::same(format!("[{rows}, 1, 28, 28]")),
            forward: Bilingual::owned(
                format!(
                    "conv to {maps}x14x14, {}x7x7; μ, log σ²; z = μ + σ ⊙ ε; deconv back to 28x28",
                    2 * maps
                ),
                format!(
                    "卷积到 {maps}x14x14、{}x7x7；μ, log σ²；z = μ + σ ⊙ ε；反卷积回 28x28",
                    2 * maps
                ),
            ),
            gradients: Bilingual::new(
                "back through the deconvolutions, the cell and the convolutions",
                "反向经过反卷积、采样单元和卷积",
            ),
            decimals: 2,
        };
        let lr = self.optimizer.learning_rate();
        self.training.steps_view(words, self.train.len(), lr)
    }

    fn walk_view(&self) -> View {
        let (_, pictures) = self.walk();
        let unit = self.params.int("unit");
        let reach = self.params.float("reach");
        let held = self
            .test
            .labels()
            .and_then(|l| l.first().copied())
            .unwrap_or(0);
        let captions = (0..WALK)
            .map(|k| {
                format!(
                    "{:+.1}",
                    -reach + 2.0 * reach * k as f64 / (WALK - 1) as f64
                )
            })
            .collect();
        View::new(
            "walk",
            Bilingual::owned(
                format!(
                    "walking z{unit} from −{reach} to {reach}, the other units held at μ of the first test digit (a {held})"
                ),
                format!(
                    "z{unit} 从 −{reach} 走到 {reach}，其余单元固定为第一张测试数字（{held}）的 μ"
                ),
            ),
            ViewContent::Gallery(Gallery {
                width: SIDE,
                height: SIDE,
                items: pictures.outer_iter().map(|r| r.to_vec()).collect(),
                marked: None,
                captions,
                range: (0.0, 1.0),
            }),
        )
    }
}

impl Model for DcignLab {
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
        if let Ok(fresh) = DcignLab::new(&self.params, seed) {
            *self = fresh;
        }
    }

    fn stage_count(&self) -> usize {
        Stage::ALL.len()
    }

    fn stage_label(&self, index: usize) -> Bilingual {
        let forward = Bilingual::new(
            "2 encode by convolutions, sample, decode by deconvolutions",
            "2 卷积编码、采样、反卷积解码",
        );
        variational_lab::stage_label(index, forward)
    }

    fn next_stage(&self) -> usize {
        self.training.next as usize
    }

    fn steps_done(&self) -> u64 {
        self.training.clock.steps
    }

    fn stage(&mut self) {
        self.training.run_stage(
            &mut self.net,
            &mut self.optimizer,
            &self.train,
            &self.test,
            &self.test_eps,
        );
    }

    fn views(&self) -> Vec<View> {
        let mut out = vec![
            self.steps_view(),
            self.walk_view(),
            self.training.loss_view(true),
        ];
        out.extend(self.training.batch_views(Some((SIDE, SIDE))));
        out
    }

    fn actions(&self) -> Vec<Action> {
        epochs::actions()
    }

    fn act(&mut self, action: &str) -> Result<(), ModelError> {
        self.work(action, &mut crate::work::unwatched)
    }

    fn work(&mut self, action: &str, progress: Report<'_>) -> Result<(), ModelError> {
        epochs::train_asked(self, action, |lab| lab.training.clock.now(), progress)
    }

    fn retune(&mut self, params: &Params) -> Result<(), ModelError> {
        check_unit(params)?;
        self.optimizer.set_learning_rate(params.float("lr") as f32);
        self.params = params.clone();
        Ok(())
    }

    fn status(&self) -> Option<Status> {
        self.training.status(2)
    }
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "dcign",
    name: Bilingual::new(
        "Deep convolutional inverse graphics network",
        "深度卷积逆向图网络",
    ),
    params,
    build: |params, seed| Ok(Box::new(DcignLab::new(params, seed)?)),
    params_from_weights: None,
};
