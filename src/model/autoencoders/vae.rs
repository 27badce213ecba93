//! Variational autoencoder: an encoder that gives a distribution over the
//! code, a mean and standard deviation cell that samples from it, and a
//! decoder that gives a distribution over the pixels; trained by
//! maximising a lower bound on the data's log-likelihood.
//!
//! D. P. Kingma and M. Welling, "Auto-encoding variational Bayes", ICLR 2014
//! (arXiv:1312.6114, 2013), section 3 and appendix C.2 (a Gaussian encoder,
//! a Bernoulli decoder). On the 8x8 digits, grey levels in [0, 1]:
//!
//! ```text
//! h = relu(W_enc x + b_enc)
//! μ = W_μ h + b_μ,     log σ² = W_σ h + b_σ                 (encoder q(z|x))
//! z = μ + exp(½ log σ²) ⊙ ε,   ε ~ N(0, I)                  (the cell)
//! x̂ = σ(W_2 relu(W_1 z + b_1) + b_2)                        (decoder p(x|z))
//! −ELBO(x) = Σ_j BCE(x̂_j, x_j) + ½ Σ_k (σ_k² + μ_k² − 1 − log σ_k²)
//! L = (1/B) Σ_i −ELBO(x_i)
//! ```
//!
//! The layers carry the names `enc`, `enc_mu`, `enc_logvar`, `dec1`, `dec2`
//! a PyTorch module of the same shape would give them, and the backward pass
//! is written out below through the cell:
//! ∂L/∂μ = ∂L/∂z + μ/B, ∂L/∂log σ² = ∂L/∂z ⊙ ε ⊙ ½σ + ½(σ² − 1)/B. The lab
//! trains it stage by stage by Adam; with a 2-D code it shows the test digits'
//! means μ by class on the plane and the digits the decoder draws across
//! the plane.

use super::mean_std_cell::{kl_rows, reparameterise};
use super::variational_lab::{self, Training, Words};
use super::{BatchClock, Variational, grad_norm, step_layers};
use crate::data::Dataset;
use crate::data::toy::standard_normal;
use crate::model::view::{Pixels, Plane, PlanePoint, Vector};
use crate::model::{
    Action, Model, ModelError, ModelSpec, ParamKind, ParamRole, ParamSpec, ParamValue, Params,
    Report, Status, View, ViewContent,
};
use crate::nn::Layer;
use crate::nn::activation::{relu_backward, sigmoid};
use crate::nn::linear::Linear;
use crate::nn::optim::{Adam, Optimizer};
use crate::text::Bilingual;
use crate::train::Stage;
use crate::train::epochs;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Ix2};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::sync::Arc;

/// At most this many hidden units, and code units.
pub const MAX_HIDDEN: usize = 1024;
pub const MAX_LATENT: usize = 64;
/// The decoded grid: this many points a side, across ±GRID_REACH.
const GRID: usize = 7;
const GRID_REACH: f32 = 2.0;

/// The network: a Gaussian encoder and a Bernoulli decoder.
#[derive(Clone)]
pub struct Vae {
    pub enc: Linear,
    pub enc_mu: Linear,
    pub enc_logvar: Linear,
    pub dec1: Linear,
    pub dec2: Linear,
    /// Kept by the training pass for the backward one.
    cache: Option<Cache>,
}

#[derive(Clone)]
struct Cache {
    h: Array2<f32>,
    d: Array2<f32>,
    x: Array2<f32>,
    eps: Array2<f32>,
    mu: Array2<f32>,
    logvar: Array2<f32>,
    logits: Array2<f32>,
}

/// What one forward pass gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Pass {
    pub mu: Array2<f32>,
    pub logvar: Array2<f32>,
    pub z: Array2<f32>,
    /// x̂ = σ(logits).
    pub recon: Array2<f32>,
    /// Σ_j BCE(x̂_j, x_j) per row.
    pub bce: Array1<f32>,
    /// KL(q(z|x) ‖ N(0, I)) per row.
    pub kl: Array1<f32>,
}

impl Pass {
    /// The pass of the digits `x` through the code `z` drawn from μ and
    /// log σ², given the decoder's logits.
    pub fn from_logits(
        x: ArrayView2<'_, f32>,
        mu: Array2<f32>,
        logvar: Array2<f32>,
        z: Array2<f32>,
        logits: ArrayView2<'_, f32>,
    ) -> Pass {
        Pass {
            bce: bce_rows(logits, x),
            kl: kl_rows(mu.view(), logvar.view()),
            recon: logits.mapv(sigmoid),
            mu,
            logvar,
            z,
        }
    }

    /// Mean over the batch of the reconstruction term and of the KL.
    pub fn terms(&self) -> (f64, f64) {
        let b = self.bce.len().max(1) as f64;
        (
            self.bce.iter().map(|&v| f64::from(v)).sum::<f64>() / b,
            self.kl.iter().map(|&v| f64::from(v)).sum::<f64>() / b,
        )
    }

    /// L = (1/B) Σ_i (BCE_i + KL_i).
    pub fn loss(&self) -> f64 {
        let (r, k) = self.terms();
        r + k
    }
}

fn two_d(a: ndarray::ArrayD<f32>) -> Array2<f32> {
    a.into_dimensionality::<Ix2>()
        .expect("linear layers keep [batch, features]")
}

/// Σ_j BCE(σ(z_j), x_j) per row, on the logits (the stable form).
pub fn bce_rows(logits: ArrayView2<'_, f32>, x: ArrayView2<'_, f32>) -> Array1<f32> {
    logits
        .rows()
        .into_iter()
        .zip(x.rows())
        .map(|(z, x)| {
            z.iter()
                .zip(x.iter())
                .map(|(&z, &x)| {
                    let (z, x) = (f64::from(z), f64::from(x));
                    z.max(0.0) - z * x + (-z.abs()).exp().ln_1p()
                })
                .sum::<f64>() as f32
        })
        .collect()
}

impl Vae {
    /// `inputs → hidden → (μ, log σ²) of latent → hidden → inputs`, PyTorch's
    /// default initialisation drawn from `rng` in the order of the layers.
    pub fn new(inputs: usize, hidden: usize, latent: usize, rng: &mut StdRng) -> Vae {
        Vae {
            enc: Linear::new(inputs, hidden, true, rng),
            enc_mu: Linear::new(hidden, latent, true, rng),
            enc_logvar: Linear::new(hidden, latent, true, rng),
            dec1: Linear::new(latent, hidden, true, rng),
            dec2: Linear::new(hidden, inputs, true, rng),
            cache: None,
        }
    }

    /// The network from its five layers (their shapes checked by the caller).
    pub fn from_layers(
        enc: Linear,
        enc_mu: Linear,
        enc_logvar: Linear,
        dec1: Linear,
        dec2: Linear,
    ) -> Vae {
        Vae {
            enc,
            enc_mu,
            enc_logvar,
            dec1,
            dec2,
            cache: None,
        }
    }

    /// The layers by name, in `state_dict` order.
    pub fn layers(&self) -> [(&'static str, &Linear); 5] {
        [
            ("enc", &self.enc),
            ("enc_mu", &self.enc_mu),
            ("enc_logvar", &self.enc_logvar),
            ("dec1", &self.dec1),
            ("dec2", &self.dec2),
        ]
    }

    fn layer_refs(&self) -> [&dyn Layer; 5] {
        [
            &self.enc,
            &self.enc_mu,
            &self.enc_logvar,
            &self.dec1,
            &self.dec2,
        ]
    }
}

impl Variational for Vae {
    fn latent(&self) -> usize {
        self.enc_mu.out_features()
    }

    fn encode(&self, x: ArrayView2<'_, f32>) -> (Array2<f32>, Array2<f32>) {
        let h = two_d(self.enc.infer(x.into_dyn())).mapv(|v| v.max(0.0));
        let mu = two_d(self.enc_mu.infer(h.view().into_dyn()));
        let logvar = two_d(self.enc_logvar.infer(h.view().into_dyn()));
        (mu, logvar)
    }

    fn decode_logits(&self, z: ArrayView2<'_, f32>) -> Array2<f32> {
        let d = two_d(self.dec1.infer(z.into_dyn())).mapv(|v| v.max(0.0));
        two_d(self.dec2.infer(d.view().into_dyn()))
    }

    fn forward(&mut self, x: ArrayView2<'_, f32>, eps: ArrayView2<'_, f32>) -> Pass {
        let h = two_d(self.enc.forward(x.into_dyn())).mapv(|v| v.max(0.0));
        let mu = two_d(self.enc_mu.forward(h.view().into_dyn()));
        let logvar = two_d(self.enc_logvar.forward(h.view().into_dyn()));
        let z = reparameterise(mu.view(), logvar.view(), eps);
        let d = two_d(self.dec1.forward(z.view().into_dyn())).mapv(|v| v.max(0.0));
        let logits = two_d(self.dec2.forward(d.view().into_dyn()));
        let pass = Pass::from_logits(x, mu.clone(), logvar.clone(), z, logits.view());
        self.cache = Some(Cache {
            h,
            d,
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
        for layer in [
            &mut self.enc,
            &mut self.enc_mu,
            &mut self.enc_logvar,
            &mut self.dec1,
            &mut self.dec2,
        ] {
            layer.zero_grad();
        }
        let scale = 1.0 / c.x.nrows().max(1) as f32;
        // Reconstruction: ∂/∂logits of Σ_j BCE(σ(logits), x), over B.
        let grad_logits = ndarray::Zip::from(&c.logits)
            .and(&c.x)
            .map_collect(|&z, &x| (sigmoid(z) - x) * scale);
        let grad_d = two_d(self.dec2.backward(grad_logits.view().into_dyn()));
        let grad_d = relu_backward(c.d.view(), grad_d.view());
        let grad_z = two_d(self.dec1.backward(grad_d.view().into_dyn()));
        // Through the cell z = μ + exp(½ log σ²) ε, and the KL's own terms.
        let grad_mu = &grad_z + &(&c.mu * scale);
        let grad_logvar = ndarray::Zip::from(&grad_z)
            .and(&c.eps)
            .and(&c.logvar)
            .map_collect(|&g, &e, &lv| {
                g * e * 0.5 * (0.5 * lv).exp() + 0.5 * (lv.exp() - 1.0) * scale
            });
        let grad_h = two_d(self.enc_mu.backward(grad_mu.view().into_dyn()))
            + two_d(self.enc_logvar.backward(grad_logvar.view().into_dyn()));
        let grad_h = relu_backward(c.h.view(), grad_h.view());
        self.enc.backward(grad_h.view().into_dyn());
    }

    fn update(&mut self, optimizer: &mut dyn Optimizer) {
        step_layers(
            optimizer,
            &mut [
                ("enc", &mut self.enc),
                ("enc_mu", &mut self.enc_mu),
                ("enc_logvar", &mut self.enc_logvar),
                ("dec1", &mut self.dec1),
                ("dec2", &mut self.dec2),
            ],
        );
    }

    fn grad_norm(&self) -> f32 {
        grad_norm(&self.layer_refs())
    }
}

/// `[rows, latent]` draws of N(0, 1).
pub fn draw_eps(rows: usize, latent: usize, rng: &mut StdRng) -> Array2<f32> {
    Array2::from_shape_simple_fn((rows, latent), || standard_normal(rng) as f32)
}

fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "hidden",
            "units of the encoder's and the decoder's hidden layer",
            "编码器和解码器隐藏层的单元数",
            ParamKind::Int {
                min: 1,
                max: MAX_HIDDEN as i64,
            },
            ParamValue::Int(64),
        ),
        ParamSpec::new(
            "latent",
            "units of the code z (2 draws the plane)",
            "编码 z 的单元数（2 时画出平面）",
            ParamKind::Int {
                min: 1,
                max: MAX_LATENT as i64,
            },
            ParamValue::Int(2),
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
            ParamValue::Float(0.003),
        )
        .with_role(ParamRole::Live),
    ]
}

/// What an epoch ended with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpochRecord {
    pub epoch: u64,
    /// Mean −ELBO of the epoch's batches.
    pub train_neg_elbo: f64,
    /// The test digits' mean reconstruction term and KL (one fixed draw of ε).
    pub test_reconstruction: f64,
    pub test_kl: f64,
}

impl EpochRecord {
    pub fn test_neg_elbo(&self) -> f64 {
        self.test_reconstruction + self.test_kl
    }
}

/// A variational autoencoder learning the digits in the seed's stages.
#[derive(Clone)]
pub struct VaeLab {
    params: Params,
    seed: u64,
    vae: Vae,
    optimizer: Adam,
    train: Arc<Dataset>,
    test: Arc<Dataset>,
    /// One draw of ε per test digit, fixed, so that every epoch is measured alike.
    test_eps: Arc<Array2<f32>>,
    training: Training,
}

impl VaeLab {
    pub fn new(params: &Params, seed: u64) -> Result<VaeLab, ModelError> {
        let (train, test) = super::digits(seed)?;
        let latent = params.int("latent") as usize;
        let mut rng = StdRng::seed_from_u64(seed);
        let vae = Vae::new(
            train.n_features(),
            params.int("hidden") as usize,
            latent,
            &mut rng,
        );
        let test_eps = draw_eps(test.len(), latent, &mut rng);
        let clock = BatchClock::new(train.len(), params.int("batch") as usize, seed);
        Ok(VaeLab {
            params: params.clone(),
            seed,
            vae,
            optimizer: Adam::new(params.float("lr") as f32),
            train: Arc::new(train),
            test: Arc::new(test),
            test_eps: Arc::new(test_eps),
            training: Training::new(clock, rng),
        })
    }

    pub fn vae(&self) -> &Vae {
        &self.vae
    }

    pub fn history(&self) -> &[EpochRecord] {
        self.training.history()
    }

    /// The test digits' mean −ELBO terms under the fixed draw of ε.
    pub fn test_terms(&self) -> (f64, f64) {
        variational_lab::test_terms(&self.vae, &self.test, &self.test_eps)
    }

    fn steps_view(&self) -> View {
        let rows = self.training.rows();
        let words = Words {
            digits_zh: "个数字",
            measure_zh: "个",
            x: Bilingual::owned(format!("{rows} digits"), format!("{rows} 个数字")),
            forward: Bilingual::new(
                "μ, log σ² = enc(x); z = μ + σ ⊙ ε; x̂ = σ(dec(z))",
                "μ, log σ² = enc(x)；z = μ + σ ⊙ ε；x̂ = σ(dec(z))",
            ),
            gradients: Bilingual::new(
                "through the cell: ∂z/∂μ = 1, ∂z/∂log σ² = ½σε",
                "经过采样单元：∂z/∂μ = 1，∂z/∂log σ² = ½σε",
            ),
            decimals: 3,
        };
        let lr = self.optimizer.learning_rate();
        self.training.steps_view(words, self.train.len(), lr)
    }

    /// The test digits' means μ (the first two units) by class.
    fn latent_view(&self) -> Option<View> {
        if self.vae.latent() < 2 {
            return None;
        }
        let (mu, _) = self.vae.encode(self.test.records.view());
        let labels = self.test.labels()?;
        let reach = mu
            .iter()
            .filter(|v| v.is_finite())
            .fold(GRID_REACH, |m, v| m.max(v.abs()))
            .min(50.0);
        let reach = f64::from(reach) * 1.05;
        let points = mu
            .rows()
            .into_iter()
            .zip(labels.iter())
            .map(|(row, &class)| PlanePoint {
                x: f64::from(row[0]),
                y: f64::from(row[1]),
                class,
                highlight: false,
                ring: false,
            })
            .collect();
        Some(
            View::new(
                "latent",
                Bilingual::new(
                    "the test digits' means μ on the code's plane (z₁, z₂), by digit",
                    "测试数字的均值 μ 在编码平面 (z₁, z₂) 上，按数字分类",
                ),
                ViewContent::Plane(Plane {
                    points,
                    classes: (0..10).map(|d| Bilingual::same(d.to_string())).collect(),
                    field: None,
                    lines: Vec::new(),
                    x_range: (-reach, reach),
                    y_range: (-reach, reach),
                }),
            )
            .untraced(),
        )
    }

    /// Digits decoded across the code's plane, z₁ left to right and z₂
    /// bottom to top from −2 to 2, the other units at 0.
    fn grid_view(&self) -> Option<View> {
        let (height, width) = self.train.image?;
        let latent = self.vae.latent();
        let mut z = Array2::<f32>::zeros((GRID * GRID, latent));
        let at = |k: usize| -GRID_REACH + 2.0 * GRID_REACH * k as f32 / (GRID - 1) as f32;
        for row in 0..GRID {
            for col in 0..GRID {
                z[[row * GRID + col, 0]] = at(col);
                if latent > 1 {
                    z[[row * GRID + col, 1]] = at(GRID - 1 - row);
                }
            }
        }
        let digits = self.vae.decode(z.view());
        let (cell_w, cell_h) = (width + 1, height + 1);
        let (w, h) = (GRID * cell_w - 1, GRID * cell_h - 1);
        let mut values = vec![0.0f32; w * h];
        for row in 0..GRID {
            for col in 0..GRID {
                let digit = digits.row(row * GRID + col);
                for y in 0..height {
                    for x in 0..width {
                        values[(row * cell_h + y) * w + col * cell_w + x] = digit[y * width + x];
                    }
                }
            }
        }
        Some(
            View::new(
                "decoded_grid",
                Bilingual::new(
                    "decoded across the plane: z₁ −2..2 left to right, z₂ −2..2 bottom to top",
                    "在平面上解码：z₁ 从左到右 −2..2，z₂ 从下到上 −2..2",
                ),
                ViewContent::Pixels(Pixels {
                    width: w,
                    height: h,
                    values,
                    range: (0.0, 1.0),
                    marks: Vec::new(),
                }),
            )
            .untraced(),
        )
    }
}

impl Model for VaeLab {
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
        if let Ok(fresh) = VaeLab::new(&self.params, seed) {
            *self = fresh;
        }
    }

    fn stage_count(&self) -> usize {
        Stage::ALL.len()
    }

    fn stage_label(&self, index: usize) -> Bilingual {
        let forward = Bilingual::new("2 encode, sample, decode", "2 编码、采样、解码");
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
            &mut self.vae,
            &mut self.optimizer,
            &self.train,
            &self.test,
            &self.test_eps,
        );
    }

    fn views(&self) -> Vec<View> {
        let mut out = vec![self.steps_view(), self.training.loss_view(false)];
        out.extend(self.latent_view());
        out.extend(self.grid_view());
        out.extend(self.training.batch_views(self.train.image));
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
        self.optimizer.set_learning_rate(params.float("lr") as f32);
        self.params = params.clone();
        Ok(())
    }

    fn status(&self) -> Option<Status> {
        self.training.status(3)
    }
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "vae",
    name: Bilingual::new("Variational autoencoder", "变分自编码机"),
    params,
    build: |params, seed| Ok(Box::new(VaeLab::new(params, seed)?)),
    params_from_weights: None,
};

/// μ, log σ² and z of the batch's first digit as bars, one per latent unit
/// (the VAE's and the DCIGN's sampling cell).
pub(super) fn latent_views(
    mu: ArrayView1<'_, f32>,
    logvar: ArrayView1<'_, f32>,
    z: ArrayView1<'_, f32>,
) -> Vec<View> {
    let vector = |name: &str, label: Bilingual, values: Vec<f32>| {
        let hi = values.iter().fold(1.0f32, |m, v| m.max(v.abs()));
        View::new(
            name,
            label,
            ViewContent::Vector(Vector {
                labels: (1..=values.len())
                    .map(|j| Bilingual::same(format!("z{j}")))
                    .collect(),
                values,
                range: (-hi, hi),
            }),
        )
    };
    vec![
        vector(
            "mu",
            Bilingual::new("μ of the batch's first digit", "本批次第一个数字的 μ"),
            mu.to_vec(),
        ),
        vector(
            "logvar",
            Bilingual::new("log σ² of the first digit", "第一个数字的 log σ²"),
            logvar.to_vec(),
        ),
        vector(
            "z",
            Bilingual::new(
                "z = μ + σ ⊙ ε of the first digit",
                "第一个数字的 z = μ + σ ⊙ ε",
            ),
            z.to_vec(),
        ),
    ]
}
