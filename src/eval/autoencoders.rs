//! The make-and-remake kinds: `gaussian_cell`, the reparameterisation
//! z = μ + exp(½ log σ²) ⊙ ε with each row's KL to N(0, I); and `vae_step`,
//! one pass of a variational autoencoder with ε given, its loss split into
//! the reconstruction and the KL, and the gradient of every parameter.

use super::Outputs;
use super::dense::{matrix, to_tensor};
use super::invalid;
use crate::model::autoencoders::Variational;
use crate::model::autoencoders::mean_std_cell::{kl_rows, reparameterise};
use crate::model::autoencoders::vae::Vae;
use crate::model::{ModelError, Tensor, Weights, weights};
use crate::nn::Layer;
use crate::nn::linear::Linear;
use crate::nn::vars::{Init, VarBuilder};
use ndarray::Array2;
use serde_json::{Map, Value};

pub fn evaluate(
    kind: &str,
    fixture: &Value,
    weights: Option<&Weights>,
) -> Result<Outputs, ModelError> {
    let inputs = fixture
        .get("inputs")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid("the fixture has no `inputs` object".into()))?;
    match kind {
        "gaussian_cell" => gaussian_cell(inputs),
        "vae_step" => {
            let owned;
            let weights = match weights {
                Some(w) => w,
                None => {
                    let params = fixture
                        .get("params")
                        .ok_or_else(|| invalid("the fixture has no `params`".into()))?;
                    owned = weights::from_json_value(params)?;
                    &owned
                }
            };
            vae_step(inputs, weights)
        }
        other => Err(invalid(format!("`{other}` is not a make-and-remake kind"))),
    }
}

/// Checks that every named input has the shape of the first.
fn same_shapes(named: &[(&str, &Array2<f32>)]) -> Result<(), ModelError> {
    let Some((first, a)) = named.first() else {
        return Ok(());
    };
    for (name, b) in &named[1..] {
        if b.dim() != a.dim() {
            return Err(invalid(format!(
                "input `{name}` has shape {:?} but `{first}` has {:?}",
                b.shape(),
                a.shape()
            )));
        }
    }
    Ok(())
}

fn gaussian_cell(inputs: &Map<String, Value>) -> Result<Outputs, ModelError> {
    let mu = matrix(inputs, "mu")?;
    let logvar = matrix(inputs, "logvar")?;
    let eps = matrix(inputs, "eps")?;
    same_shapes(&[("mu", &mu), ("logvar", &logvar), ("eps", &eps)])?;
    let z = reparameterise(mu.view(), logvar.view(), eps.view());
    let kl = kl_rows(mu.view(), logvar.view());
    Ok(vec![
        ("z".into(), to_tensor(z.into_dyn())),
        ("kl".into(), to_tensor(kl.into_dyn())),
    ])
}

/// The five layers from `enc.*`, `enc_mu.*`, `enc_logvar.*`, `dec1.*`,
/// `dec2.*`, their sizes read from `enc.weight` and `enc_mu.weight`.
pub fn vae_from_weights(weights: &Weights) -> Result<Vae, ModelError> {
    let vb = VarBuilder::from_weights(weights);
    let shape = |name: &str| -> Result<(usize, usize), ModelError> {
        match vb.shape_of(name) {
            Some(&[rows, cols]) => Ok((rows, cols)),
            Some(other) => Err(ModelError::Weights(format!(
                "tensor `{name}` has shape {other:?}, expected [out, in]"
            ))),
            None => Err(ModelError::Weights(format!("missing tensor `{name}`"))),
        }
    };
    let (hidden, inputs) = shape("enc.weight")?;
    let (latent, _) = shape("enc_mu.weight")?;
    let linear = |name: &str, out: usize, input: usize| -> Result<Linear, ModelError> {
        let weight = vb.get2(&format!("{name}.weight"), (out, input), Init::Zeros)?;
        let bias = vb.get1(&format!("{name}.bias"), out, Init::Zeros)?;
        Ok(Linear::from_parts(weight, Some(bias)))
    };
    let vae = Vae::from_layers(
        linear("enc", hidden, inputs)?,
        linear("enc_mu", latent, hidden)?,
        linear("enc_logvar", latent, hidden)?,
        linear("dec1", hidden, latent)?,
        linear("dec2", inputs, hidden)?,
    );
    vb.finish()?;
    Ok(vae)
}

fn vae_step(inputs: &Map<String, Value>, weights: &Weights) -> Result<Outputs, ModelError> {
    let mut vae = vae_from_weights(weights)?;
    let x = matrix(inputs, "x")?;
    let eps = matrix(inputs, "eps")?;
    let features = vae.enc.in_features();
    if x.ncols() != features {
        return Err(invalid(format!(
            "input `x` has {} columns but `enc.weight` takes {features}",
            x.ncols()
        )));
    }
    if eps.dim() != (x.nrows(), vae.latent()) {
        return Err(invalid(format!(
            "input `eps` has shape {:?}, expected [{}, {}] (rows of x, the code's units)",
            eps.shape(),
            x.nrows(),
            vae.latent()
        )));
    }
    let pass = vae.forward(x.view(), eps.view());
    vae.backward();
    let loss = pass.loss() as f32;
    let mut out: Outputs = vec![
        ("mu".into(), to_tensor(pass.mu.into_dyn())),
        ("logvar".into(), to_tensor(pass.logvar.into_dyn())),
        ("z".into(), to_tensor(pass.z.into_dyn())),
        ("recon".into(), to_tensor(pass.recon.into_dyn())),
        ("bce".into(), to_tensor(pass.bce.into_dyn())),
        ("kl".into(), to_tensor(pass.kl.into_dyn())),
        (
            "loss".into(),
            Tensor {
                shape: vec![1],
                data: vec![loss],
            },
        ),
    ];
    for (name, layer) in vae.layers() {
        layer.visit_params(&mut |p| {
            out.push((
                format!("grad_{name}.{}", p.name),
                to_tensor(p.grad.to_owned()),
            ));
        });
    }
    Ok(out)
}
