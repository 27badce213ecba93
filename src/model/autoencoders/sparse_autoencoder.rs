//! Sparse autoencoder: an overcomplete code of sigmoid units, most of them
//! silent for any one input, kept so by a penalty on how often each unit
//! fires.
//!
//! A. Ng, "Sparse autoencoder", CS294A lecture notes, Stanford 2011,
//! section 3; the L1 alternative as in H. Lee, A. Battle, R. Raina and
//! A. Y. Ng, "Efficient sparse coding algorithms", NIPS 2006. With a_j(x)
//! the code unit j's activation and a batch of B inputs:
//!
//! ```text
//! ρ̂_j = (1/B) Σ_i a_j(x_i)                               (mean activation)
//! KL(ρ ‖ ρ̂_j) = ρ log(ρ/ρ̂_j) + (1−ρ) log((1−ρ)/(1−ρ̂_j))
//! J = (1/B) Σ_i ‖x̂_i − x_i‖² + β Σ_j KL(ρ ‖ ρ̂_j)
//! ∂J/∂a_j(x_i) += β/B · (−ρ/ρ̂_j + (1−ρ)/(1−ρ̂_j))         (Ng's δ term)
//! L1 instead:  J = … + λ (1/B) Σ_i Σ_j |a_j(x_i)|,   ∂/∂a = λ/B · sign(a)
//! ```
//!
//! The network is the shared [`hourglass`](super::hourglass) with no hidden
//! layer between the input and the code (Ng's single hidden layer), more
//! code units than pixels, and sigmoid code units, so that each ρ̂_j lies in
//! (0, 1). The lab shows each unit's mean activation against ρ and the
//! learnt filters (each unit's input weights) as 8x8 pictures.

use super::hourglass::{self, CodeActivation, Defaults, Way};
use crate::model::{ModelSpec, ParamKind, ParamSpec, ParamValue, Params};
use crate::text::Bilingual;
use ndarray::{Array1, Array2, ArrayView2, Axis};

/// The two penalties.
pub const PENALTIES: &[&str] = &["kl", "l1"];

/// How the code is kept sparse.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sparsity {
    /// β Σ_j KL(ρ ‖ ρ̂_j).
    Kl { rho: f32, beta: f32 },
    /// λ (1/B) Σ_i Σ_j |a_ij|.
    L1 { lambda: f32 },
}

impl Sparsity {
    /// The penalty of a batch of code activations `[B, units]` and its
    /// gradient with respect to them.
    pub fn penalty(&self, code: ArrayView2<'_, f32>) -> (f64, Array2<f32>) {
        match *self {
            Sparsity::Kl { rho, beta } => {
                let (value, grad, _) = kl_sparsity(code, rho);
                (f64::from(beta) * value, grad * beta)
            }
            Sparsity::L1 { lambda } => {
                let (value, grad) = l1_sparsity(code);
                (f64::from(lambda) * value, grad * lambda)
            }
        }
    }

    /// The target activation ρ, if the penalty has one.
    pub fn rho(&self) -> Option<f32> {
        match *self {
            Sparsity::Kl { rho, .. } => Some(rho),
            Sparsity::L1 { .. } => None,
        }
    }
}

/// The mean activation of each unit over the batch, ρ̂_j.
pub fn mean_activation(code: ArrayView2<'_, f32>) -> Array1<f32> {
    code.mean_axis(Axis(0))
        .unwrap_or_else(|| Array1::zeros(code.ncols()))
}

/// Σ_j KL(ρ ‖ ρ̂_j) over the units of a batch `[B, units]` of activations in
/// (0, 1), its gradient with respect to every activation, and ρ̂. ρ̂ is kept
/// inside [1e-6, 1 − 1e-6] so that a unit stuck at 0 or 1 gives a large
/// finite penalty rather than infinity.
pub fn kl_sparsity(code: ArrayView2<'_, f32>, rho: f32) -> (f64, Array2<f32>, Array1<f32>) {
    let batch = code.nrows().max(1) as f64;
    let rho_hat = mean_activation(code);
    let rho = f64::from(rho);
    let mut value = 0.0;
    let mut slope = Array1::<f32>::zeros(rho_hat.len());
    for (j, &r) in rho_hat.iter().enumerate() {
        let r = f64::from(r).clamp(1e-6, 1.0 - 1e-6);
        value += rho * (rho / r).ln() + (1.0 - rho) * ((1.0 - rho) / (1.0 - r)).ln();
        slope[j] = ((-rho / r + (1.0 - rho) / (1.0 - r)) / batch) as f32;
    }
    let grad = Array2::from_shape_fn(code.raw_dim(), |(_, j)| slope[j]);
    (value, grad, rho_hat)
}

/// (1/B) Σ_i Σ_j |a_ij| and its gradient sign(a)/B.
pub fn l1_sparsity(code: ArrayView2<'_, f32>) -> (f64, Array2<f32>) {
    let batch = code.nrows().max(1) as f64;
    let value = code.iter().map(|&a| f64::from(a.abs())).sum::<f64>() / batch;
    let step = (1.0 / batch) as f32;
    let grad = code.mapv(|a| {
        if a > 0.0 {
            step
        } else if a < 0.0 {
            -step
        } else {
            0.0
        }
    });
    (value, grad)
}

fn params() -> Vec<ParamSpec> {
    let mut specs = hourglass::common_params(&Defaults {
        hidden: "",
        code: 100,
        code_activation: None,
        loss: "mse",
        lr: 0.01,
    });
    specs.extend([
        ParamSpec::new(
            "penalty",
            "kl: β Σ KL(ρ ‖ ρ̂_j) (Ng); l1: λ times the code's mean absolute sum",
            "kl：β Σ KL(ρ ‖ ρ̂_j)（吴恩达）；l1：λ 乘以编码绝对值之和的均值",
            ParamKind::Choice(PENALTIES),
            ParamValue::Choice("kl"),
        ),
        ParamSpec::new(
            "rho",
            "target mean activation ρ of each code unit",
            "每个编码单元的目标平均激活 ρ",
            ParamKind::Float {
                min: 0.001,
                max: 0.5,
            },
            ParamValue::Float(0.05),
        ),
        ParamSpec::new(
            "beta",
            "weight of the penalty (β for kl, λ for l1)",
            "惩罚项的权重（kl 为 β，l1 为 λ）",
            ParamKind::Float {
                min: 0.0,
                max: 100.0,
            },
            ParamValue::Float(3.0),
        ),
    ]);
    specs
}

/// The sparsity the parameters ask for.
pub fn sparsity(params: &Params) -> Sparsity {
    let beta = params.float("beta") as f32;
    match params.choice("penalty") {
        "l1" => Sparsity::L1 { lambda: beta },
        _ => Sparsity::Kl {
            rho: params.float("rho") as f32,
            beta,
        },
    }
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "sparse_autoencoder",
    name: Bilingual::new("Sparse autoencoder", "稀疏自编码机"),
    params,
    build: |params, seed| {
        Ok(Box::new(hourglass::AutoencoderLab::new(
            params,
            seed,
            Way::Sparse(sparsity(params)),
            CodeActivation::Sigmoid,
        )?))
    },
    params_from_weights: None,
};
