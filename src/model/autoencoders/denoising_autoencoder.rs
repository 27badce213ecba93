//! Denoising autoencoder: the hourglass is shown a corrupted input and
//! trained to give back the clean one, so it must learn what digits look
//! like rather than copy pixels.
//!
//! P. Vincent, H. Larochelle, Y. Bengio and P.-A. Manzagol, "Extracting and
//! composing robust features with denoising autoencoders", ICML 2008
//! (masking noise); P. Vincent et al., "Stacked denoising autoencoders",
//! JMLR 11, 2010 (additive Gaussian noise). With q_D the corruption:
//!
//! ```text
//! x̃ ~ q_D(x̃ | x):  masking   x̃_j = 0 with probability ν, else x_j
//!                  Gaussian  x̃ = x + σ n,  n ~ N(0, I)
//! h = f_θ(x̃),  z = g_θ'(h)
//! L = (1/B) Σ_i ‖z_i − x_i‖²        (the clean x is the target)
//! ```
//!
//! A fresh corruption is drawn for every batch from the model's own
//! generator; the test inputs are corrupted once, from the seed, so that
//! every epoch is measured on the same noisy digits. The lab shows clean,
//! noisy and denoised digits side by side.

use super::hourglass::{self, CodeActivation, Defaults, Way};
use crate::data::toy::standard_normal;
use crate::model::{ModelSpec, ParamKind, ParamSpec, ParamValue, Params};
use crate::text::Bilingual;
use ndarray::{Array2, ArrayView2};
use rand::Rng;

/// The two corruptions.
pub const NOISES: &[&str] = &["masking", "gaussian"];

/// How inputs are corrupted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Corruption {
    /// Each value set to 0 with probability `fraction` (Vincent et al. 2008).
    Masking { fraction: f32 },
    /// N(0, σ²) added to each value.
    Gaussian { sigma: f32 },
}

impl Corruption {
    /// x̃ ~ q_D(x̃ | x) for every row of `x`.
    pub fn corrupt(&self, x: ArrayView2<'_, f32>, rng: &mut impl Rng) -> Array2<f32> {
        match *self {
            Corruption::Masking { fraction } => x.mapv(|v| {
                if rng.random::<f32>() < fraction {
                    0.0
                } else {
                    v
                }
            }),
            Corruption::Gaussian { sigma } => {
                x.mapv(|v| v + sigma * standard_normal(&mut *rng) as f32)
            }
        }
    }

    /// The corruption in symbols, read alike in both languages.
    pub fn describe(&self) -> String {
        match *self {
            Corruption::Masking { fraction } => format!("masking ν = {fraction}"),
            Corruption::Gaussian { sigma } => format!("Gaussian σ = {sigma}"),
        }
    }
}

fn params() -> Vec<ParamSpec> {
    let mut specs = hourglass::common_params(&Defaults {
        hidden: "128",
        code: 32,
        code_activation: Some("relu"),
        loss: "mse",
        lr: 0.003,
    });
    specs.extend([
        ParamSpec::new(
            "noise",
            "masking: set values to 0 at random; gaussian: add N(0, level²)",
            "masking：随机把数值置 0；gaussian：加上 N(0, level²)",
            ParamKind::Choice(NOISES),
            ParamValue::Choice("masking"),
        ),
        ParamSpec::new(
            "level",
            "fraction masked (masking) or the noise's σ (gaussian)",
            "被遮盖的比例（masking）或噪声的 σ（gaussian）",
            ParamKind::Float { min: 0.0, max: 1.0 },
            ParamValue::Float(0.3),
        ),
    ]);
    specs
}

/// The corruption the parameters ask for.
pub fn corruption(params: &Params) -> Corruption {
    let level = params.float("level") as f32;
    match params.choice("noise") {
        "gaussian" => Corruption::Gaussian { sigma: level },
        _ => Corruption::Masking { fraction: level },
    }
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "denoising_autoencoder",
    name: Bilingual::new("Denoising autoencoder", "去噪自编码机"),
    params,
    build: |params, seed| {
        Ok(Box::new(hourglass::AutoencoderLab::new(
            params,
            seed,
            Way::Denoising(corruption(params)),
            CodeActivation::parse(params.choice("code_activation")),
        )?))
    },
    params_from_weights: None,
};
