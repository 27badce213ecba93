//! Kind `gan_step`: one training iteration of a GAN, a discriminator step
//! then a generator step with plain SGD, by the functions the lab's GAN
//! trains with ([`crate::model::adversarial::gan`]). The fixture's `params`
//! are a module holding `G` = Sequential(Linear, ReLU, Linear) and `D` =
//! Sequential(Linear, LeakyReLU, Linear) under their `state_dict` names
//! (`G.0.weight`, ..., `D.2.bias`); `inputs` are the noise `z`, the real
//! points `x_real` and the learning rates `lr_d`, `lr_g` (also read from
//! `options`, with `leaky_relu_slope`).

use super::{Outputs, invalid};
use crate::model::adversarial::gan::{discriminator_gradients, generator_gradients};
use crate::model::weights::{self, tensor_from_json};
use crate::model::{ModelError, Tensor, Weights};
use crate::nn::activation::{LeakyReLU, ReLU};
use crate::nn::linear::Linear;
use crate::nn::optim::{Optimizer, Sgd};
use crate::nn::sequential::Sequential;
use crate::nn::{Layer, ParamRef};
use ndarray::{Array1, Array2, ArrayD};
use serde_json::{Map, Value};

/// The tensors a `gan_step` fixture's module holds.
const NAMES: [&str; 8] = [
    "G.0.weight",
    "G.0.bias",
    "G.2.weight",
    "G.2.bias",
    "D.0.weight",
    "D.0.bias",
    "D.2.weight",
    "D.2.bias",
];

/// Computes a `gan_step` fixture. With `weights`, those replace its `params`.
pub fn evaluate(
    kind: &str,
    fixture: &Value,
    weights: Option<&Weights>,
) -> Result<Outputs, ModelError> {
    if kind != "gan_step" {
        return Err(invalid(format!("`{kind}` is not an adversarial kind")));
    }
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
    if let Some(other) = weights.keys().find(|k| !NAMES.contains(&k.as_str())) {
        return Err(ModelError::Weights(format!(
            "tensor `{}` is not one of a gan_step module's: {}",
            crate::text::escape_controls(other),
            NAMES.join(", ")
        )));
    }
    let empty = Map::new();
    let inputs = fixture
        .get("inputs")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid("the fixture has no `inputs` object".into()))?;
    let options = fixture
        .get("options")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    if let Some(optimizer) = options.get("optimizer").and_then(Value::as_str)
        && optimizer != "sgd"
    {
        return Err(invalid(format!(
            "gan_step computes plain SGD steps, not `{}`",
            crate::text::escape_controls(optimizer)
        )));
    }
    let slope = number(options, "leaky_relu_slope").unwrap_or(0.2);
    let lr_d = number(inputs, "lr_d").or_else(|| number(options, "lr_d"));
    let lr_g = number(inputs, "lr_g").or_else(|| number(options, "lr_g"));
    let (Some(lr_d), Some(lr_g)) = (lr_d, lr_g) else {
        return Err(invalid(
            "a gan_step fixture needs the numbers `lr_d` and `lr_g` (in inputs or options)".into(),
        ));
    };

    let g0 = linear(weights, "G.0")?;
    let g2 = linear(weights, "G.2")?;
    let d0 = linear(weights, "D.0")?;
    let d2 = linear(weights, "D.2")?;
    let noise = g0.in_features();
    chain("G.2", &g2, "G.0", &g0)?;
    chain("D.2", &d2, "D.0", &d0)?;
    if g2.out_features() != d0.in_features() || d2.out_features() != 1 {
        return Err(ModelError::Weights(format!(
            "G gives points of {} coordinates, D takes {} and gives {} logits (1 expected)",
            g2.out_features(),
            d0.in_features(),
            d2.out_features()
        )));
    }
    let mut generator = Sequential::new().with(g0).with(ReLU::new()).with(g2);
    let mut discriminator = Sequential::new()
        .with(d0)
        .with(LeakyReLU::new(slope))
        .with(d2);
    let z = matrix(inputs, "z", noise)?;
    let x_real = matrix(inputs, "x_real", discriminator_inputs(&discriminator))?;

    let d = discriminator_gradients(&generator, &mut discriminator, x_real.view(), z.view());
    let mut out: Outputs = vec![
        ("fake".into(), tensor(d.fake.clone().into_dyn())),
        (
            "d_real_logits".into(),
            tensor(d.real_logits.clone().into_dyn()),
        ),
        (
            "d_fake_logits".into(),
            tensor(d.fake_logits.clone().into_dyn()),
        ),
        ("loss_real".into(), scalar(d.loss_real)),
        ("loss_fake".into(), scalar(d.loss_fake)),
        ("d_loss".into(), scalar(d.loss())),
    ];
    named(&discriminator, "grad_D.", true, &mut out);
    Sgd::new(lr_d).step(&mut discriminator);
    named(&discriminator, "after_D.", false, &mut out);

    let g = generator_gradients(&mut generator, &mut discriminator, z.view());
    out.push((
        "d_fake_logits_after_d_step".into(),
        tensor(g.fake_logits.into_dyn()),
    ));
    out.push(("g_loss".into(), scalar(g.loss)));
    named(&generator, "grad_G.", true, &mut out);
    Sgd::new(lr_g).step(&mut generator);
    named(&generator, "after_G.", false, &mut out);
    Ok(out)
}

fn discriminator_inputs(d: &Sequential) -> usize {
    let mut inputs = 0;
    d.visit_params(&mut |p: ParamRef<'_>| {
        if p.name == "0.weight" {
            inputs = p.value.shape()[1];
        }
    });
    inputs
}

/// A `Linear` from `{prefix}.weight` `[out, in]` and `{prefix}.bias` `[out]`.
fn linear(weights: &Weights, prefix: &str) -> Result<Linear, ModelError> {
    let get = |name: String| {
        weights
            .get(&name)
            .ok_or_else(|| ModelError::Weights(format!("missing tensor `{name}`")))
            .map(|t| (name, t))
    };
    let (name, weight) = get(format!("{prefix}.weight"))?;
    let [out, input] = weight.shape[..] else {
        return Err(ModelError::Weights(format!(
            "tensor `{name}` has shape {:?}, expected [out, in]",
            weight.shape
        )));
    };
    let (bias_name, bias) = get(format!("{prefix}.bias"))?;
    if bias.shape != [out] {
        return Err(ModelError::Weights(format!(
            "tensor `{bias_name}` has shape {:?}, expected [{out}]",
            bias.shape
        )));
    }
    let weight = Array2::from_shape_vec((out, input), weight.data.clone())
        .map_err(|e| ModelError::Weights(format!("tensor `{name}`: {e}")))?;
    Ok(Linear::from_parts(
        weight,
        Some(Array1::from_vec(bias.data.clone())),
    ))
}

/// Checks that layer `second` takes what `first` gives.
fn chain(
    second_name: &str,
    second: &Linear,
    first_name: &str,
    first: &Linear,
) -> Result<(), ModelError> {
    if second.in_features() == first.out_features() {
        Ok(())
    } else {
        Err(ModelError::Weights(format!(
            "`{second_name}.weight` takes {} inputs but `{first_name}` gives {}",
            second.in_features(),
            first.out_features()
        )))
    }
}

/// Input tensor `name`, `[rows, columns]` rows of `columns` values.
fn matrix(
    inputs: &Map<String, Value>,
    name: &str,
    columns: usize,
) -> Result<Array2<f32>, ModelError> {
    let value = inputs
        .get(name)
        .ok_or_else(|| invalid(format!("the fixture's inputs have no `{name}`")))?;
    let t = tensor_from_json(name, value).map_err(|e| match e {
        ModelError::Weights(msg) => invalid(format!("input {msg}")),
        other => other,
    })?;
    match t.shape[..] {
        [rows, cols] if cols == columns && rows > 0 => Array2::from_shape_vec((rows, cols), t.data)
            .map_err(|e| invalid(format!("input `{name}`: {e}"))),
        _ => Err(invalid(format!(
            "input `{name}` has shape {:?}, expected [rows, {columns}]",
            t.shape
        ))),
    }
}

fn number(map: &Map<String, Value>, name: &str) -> Option<f32> {
    map.get(name)
        .and_then(Value::as_f64)
        .filter(|v| v.is_finite())
        .map(|v| v as f32)
}

/// A network's parameters (or their gradients) under the fixture's names:
/// `0.weight` of D becomes `{what}D.0.weight` with `what` = `grad_D.`.
fn named(net: &Sequential, what: &str, gradients: bool, out: &mut Outputs) {
    net.visit_params(&mut |p: ParamRef<'_>| {
        let value = if gradients { p.grad } else { p.value };
        out.push((format!("{what}{}", p.name), tensor(value.to_owned())));
    });
}

fn tensor(a: ArrayD<f32>) -> Tensor {
    Tensor {
        shape: a.shape().to_vec(),
        data: a.iter().copied().collect(),
    }
}

fn scalar(v: f32) -> Tensor {
    Tensor {
        shape: vec![1],
        data: vec![v],
    }
}
