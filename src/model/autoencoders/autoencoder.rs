//! Autoencoder: an hourglass of layers trained to give back its own input
//! through a code narrower than the input.
//!
//! G. E. Hinton and R. R. Salakhutdinov, "Reducing the dimensionality of
//! data with neural networks", Science 313:504–507, 2006; P. Baldi and
//! K. Hornik, "Neural networks and principal component analysis: learning
//! from examples without local minima", Neural Networks 2:53–58, 1989. On
//! the 8x8 digits (64 grey levels in [0, 1]):
//!
//! ```text
//! h = f(x) = W_k … relu(W_1 x + b_1) … + b_k        (the code, k numbers)
//! x̂ = g(h) = σ(V_1 … relu(V_k h + c_k) … + c_1)     (sigmoid: pixels in [0, 1])
//! L = (1/B) Σ_i ‖x̂_i − x_i‖²   (or the binary cross-entropy Σ_j BCE(x̂_ij, x_ij))
//! ```
//!
//! trained by Adam on minibatches through the seed's five stages. A linear
//! code of k numbers can at best equal principal component analysis with k
//! components (Baldi and Hornik); the lab marks PCA's test error at the same
//! code size on the loss curve, and the experiment `ae-digits` holds the
//! trained autoencoder to it. The network itself is the shared
//! [`hourglass`](super::hourglass).

use super::hourglass::{self, CodeActivation, Defaults, Way};
use crate::model::{ModelSpec, ParamSpec};
use crate::text::Bilingual;

fn params() -> Vec<ParamSpec> {
    hourglass::common_params(&Defaults {
        hidden: "64",
        code: 8,
        code_activation: Some("linear"),
        loss: "mse",
        lr: 0.003,
    })
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "autoencoder",
    name: Bilingual::new("Autoencoder", "自编码机"),
    params,
    build: |params, seed| {
        Ok(Box::new(hourglass::AutoencoderLab::new(
            params,
            seed,
            Way::Plain,
            CodeActivation::parse(params.choice("code_activation")),
        )?))
    },
    params_from_weights: None,
};
