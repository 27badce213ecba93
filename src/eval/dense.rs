//! The dense learning core of a fixture: kinds `mlp_train_step` (one SGD step
//! of a two-layer perceptron), `losses` (one loss and its gradients) and
//! `optim_steps` (three steps of SGD with momentum or Adam on a two-layer
//! perceptron). Everything is computed with `crate::nn`'s layers, losses and
//! optimisers from the fixture's `params`, `options` and `inputs`; the result
//! holds the tensors the reference reports, by the fixture's names (see
//! `tests/fixtures/torch/README.md`).

use super::{Outputs, invalid};
use crate::model::weights::{self, tensor_from_json};
use crate::model::{ModelError, Tensor, Weights};
use crate::nn::activation::{ReLU, Sigmoid, Tanh, sigmoid, sigmoid_backward, softmax_rows};
use crate::nn::linear::Linear;
use crate::nn::loss::{self, Reduction};
use crate::nn::optim::{Adam, Optimizer, Sgd};
use crate::nn::sequential::Sequential;
use crate::nn::vars::{Init, VarBuilder};
use crate::nn::{Layer, ParamRef};
use crate::text::Bilingual;
use ndarray::{Array2, ArrayD, Ix2, IxDyn};
use serde_json::{Map, Value};

/// Computes a dense fixture of kind `kind`. With `weights`, those replace the
/// fixture's `params`.
pub fn evaluate(
    kind: &str,
    fixture: &Value,
    weights: Option<&Weights>,
) -> Result<Outputs, ModelError> {
    let inputs = fixture
        .get("inputs")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid("the fixture has no `inputs` object".into()))?;
    let options = fixture
        .get("options")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    match kind {
        "losses" => losses(&options, inputs),
        "mlp_train_step" | "optim_steps" => {
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
            if kind == "mlp_train_step" {
                mlp_train_step(&options, inputs, weights)
            } else {
                optim_steps(&options, inputs, weights)
            }
        }
        other => Err(invalid(format!("`{other}` is not a dense kind"))),
    }
}

/// The fixture's two linear layers `l1`, `l2` are children 0 and 2 of the
/// `Sequential` (the activation is child 1).
const LAYER_NAMES: [(&str, &str); 2] = [("0.", "l1."), ("2.", "l2.")];

/// `Linear(in, hidden) activation Linear(hidden, out)` from `l1.*`, `l2.*`.
fn two_layer_perceptron(weights: &Weights, activation: &str) -> Result<Sequential, ModelError> {
    let activation: Box<dyn Layer> = match activation {
        "tanh" => Box::new(Tanh::new()),
        "relu" => Box::new(ReLU::new()),
        "sigmoid" => Box::new(Sigmoid::new()),
        other => {
            return Err(invalid(format!(
                "activation `{other}` is not one of tanh, relu, sigmoid"
            )));
        }
    };
    let l1 = linear(weights, "l1")?;
    let l2 = linear(weights, "l2")?;
    if l2.in_features() != l1.out_features() {
        return Err(ModelError::Weights(format!(
            "`l2.weight` takes {} inputs but `l1` gives {}",
            l2.in_features(),
            l1.out_features()
        )));
    }
    // Both layers were read above; any other tensor is another network's.
    let vb = VarBuilder::from_weights(weights);
    for name in ["l1.weight", "l1.bias", "l2.weight", "l2.bias"] {
        if let Some(shape) = vb.shape_of(name) {
            vb.getd(name, shape, Init::Zeros)?;
        }
    }
    vb.finish()?;
    Ok(Sequential::from_layers(vec![
        Box::new(l1),
        activation,
        Box::new(l2),
    ]))
}

/// A `Linear` from `{prefix}.weight` `[out, in]` and `{prefix}.bias` `[out]`.
fn linear(weights: &Weights, prefix: &str) -> Result<Linear, ModelError> {
    let name = format!("{prefix}.weight");
    let weight = weights
        .get(&name)
        .ok_or_else(|| ModelError::Weights(format!("missing tensor `{name}`")))?;
    let [out, input] = weight.shape[..] else {
        return Err(ModelError::Weights(format!(
            "tensor `{name}` has shape {:?}, expected [out, in]",
            weight.shape
        )));
    };
    let weight = Array2::from_shape_vec((out, input), weight.data.clone())
        .expect("shape checked against data on loading");
    let bias =
        VarBuilder::from_weights(weights).get1(&format!("{prefix}.bias"), out, Init::Zeros)?;
    Ok(Linear::from_parts(weight, Some(bias)))
}

/// The perceptron's parameters (or their gradients) under the fixture's
/// names, each prefixed with `what` (`grad_`, `after_step1_`).
fn params(net: &Sequential, what: &str, gradients: bool, out: &mut Outputs) {
    net.visit_params(&mut |p: ParamRef<'_>| {
        let name = LAYER_NAMES
            .iter()
            .find_map(|(ours, theirs)| {
                p.name
                    .strip_prefix(ours)
                    .map(|rest| format!("{theirs}{rest}"))
            })
            .unwrap_or_else(|| p.name.to_string());
        let tensor = if gradients { p.grad } else { p.value };
        out.push((format!("{what}{name}"), to_tensor(tensor.to_owned())));
    });
}

fn mlp_train_step(
    options: &Map<String, Value>,
    inputs: &Map<String, Value>,
    weights: &Weights,
) -> Result<Outputs, ModelError> {
    let activation = options
        .get("activation")
        .and_then(Value::as_str)
        .unwrap_or("tanh");
    let mut net = two_layer_perceptron(weights, activation)?;
    let x = matrix(inputs, "x")?;
    let labels = labels(inputs, "labels", x.nrows())?;
    let lr = scalar(inputs, "lr").or_else(|_| scalar(options, "lr"))?;
    check_input(&net, &x)?;

    let logits = net
        .forward(x.view().into_dyn())
        .into_dimensionality::<Ix2>()
        .expect("the perceptron gives [batch, classes]");
    let hidden = net.outputs()[1].clone();
    let (loss, grad_logits) = loss::cross_entropy(logits.view(), &labels);
    net.zero_grad();
    net.backward(grad_logits.view().into_dyn());

    let mut out = vec![
        ("hidden".to_string(), to_tensor(hidden)),
        ("logits".to_string(), to_tensor(logits.into_dyn())),
        ("loss".to_string(), scalar_tensor(loss)),
    ];
    params(&net, "grad_", true, &mut out);
    Sgd::new(lr).step(&mut net);
    params(&net, "after_", false, &mut out);
    Ok(out)
}

fn optim_steps(
    options: &Map<String, Value>,
    inputs: &Map<String, Value>,
    weights: &Weights,
) -> Result<Outputs, ModelError> {
    let activation = options
        .get("activation")
        .and_then(Value::as_str)
        .unwrap_or("relu");
    let mut net = two_layer_perceptron(weights, activation)?;
    let x = matrix(inputs, "x")?;
    let labels = labels(inputs, "labels", x.nrows())?;
    check_input(&net, &x)?;
    let steps = match options.get("steps") {
        None => 1,
        Some(v) => match v.as_u64() {
            Some(steps) if steps <= MAX_STEPS => steps as usize,
            _ => {
                return Err(invalid(format!(
                    "option `steps` is {v}: give a whole number up to {MAX_STEPS}"
                )));
            }
        },
    };
    let lr = scalar(options, "lr")?;
    let weight_decay = scalar(options, "weight_decay").unwrap_or(0.0);
    let mut optimizer: Box<dyn Optimizer> = match options.get("optimizer").and_then(Value::as_str) {
        Some("sgd") => {
            for (name, unsupported) in [("dampening", 0.0), ("nesterov", 0.0)] {
                let value = match options.get(name) {
                    Some(Value::Bool(b)) => f32::from(u8::from(*b)),
                    Some(v) => v.as_f64().unwrap_or(0.0) as f32,
                    None => 0.0,
                };
                if value != unsupported {
                    return Err(ModelError::Unsupported(Bilingual::same(format!(
                        "SGD with {name} is not implemented"
                    ))));
                }
            }
            let momentum = scalar(options, "momentum").unwrap_or(0.0);
            Box::new(
                Sgd::new(lr)
                    .with_momentum(momentum)
                    .with_weight_decay(weight_decay),
            )
        }
        Some("adam") => {
            if options.get("amsgrad").and_then(Value::as_bool) == Some(true) {
                return Err(ModelError::Unsupported(Bilingual::same(
                    "Adam with amsgrad is not implemented",
                )));
            }
            let mut adam = Adam::new(lr).with_weight_decay(weight_decay);
            if let Some([b1, b2]) = options
                .get("betas")
                .and_then(Value::as_array)
                .and_then(|b| b.iter().map(Value::as_f64).collect::<Option<Vec<_>>>())
                .as_deref()
            {
                adam = adam.with_betas(*b1 as f32, *b2 as f32);
            }
            if let Ok(eps) = scalar(options, "eps") {
                adam = adam.with_eps(eps);
            }
            Box::new(adam)
        }
        other => {
            return Err(invalid(format!(
                "optimizer {other:?} is not one of \"sgd\", \"adam\""
            )));
        }
    };

    let mut losses = Vec::with_capacity(steps);
    let mut out = Outputs::new();
    let mut grad_logits = Array2::zeros((x.nrows(), 0));
    for step in 1..=steps {
        let logits = net
            .forward(x.view().into_dyn())
            .into_dimensionality::<Ix2>()
            .expect("the perceptron gives [batch, classes]");
        if grad_logits.dim() != logits.dim() {
            grad_logits = Array2::zeros(logits.raw_dim());
        }
        losses.push(loss::cross_entropy_into(
            logits.view(),
            &labels,
            grad_logits.view_mut(),
        ));
        net.zero_grad();
        net.backward(grad_logits.view().into_dyn());
        params(&net, &format!("grad_step{step}_"), true, &mut out);
        optimizer.step(&mut net);
        params(&net, &format!("after_step{step}_"), false, &mut out);
    }
    let logits = net
        .infer(x.view().into_dyn())
        .into_dimensionality::<Ix2>()
        .expect("the perceptron gives [batch, classes]");
    let (loss_final, _) = loss::cross_entropy(logits.view(), &labels);
    out.push((
        "loss".to_string(),
        Tensor {
            shape: vec![losses.len()],
            data: losses,
        },
    ));
    out.push(("loss_final".to_string(), scalar_tensor(loss_final)));
    Ok(out)
}

fn losses(
    options: &Map<String, Value>,
    inputs: &Map<String, Value>,
) -> Result<Outputs, ModelError> {
    let reduction = match options.get("reduction").and_then(Value::as_str) {
        None | Some("mean") => Reduction::Mean,
        Some("sum") => Reduction::Sum,
        Some(other) => return Err(invalid(format!("reduction `{other}` is not mean or sum"))),
    };
    let loss_name = options
        .get("loss")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("the fixture's options name no `loss`".into()))?;
    let only = |wanted: Reduction| {
        if reduction == wanted {
            Ok(())
        } else {
            Err(ModelError::Unsupported(Bilingual::same(format!(
                "{loss_name} with reduction {reduction:?} is not implemented"
            ))))
        }
    };
    let out = match loss_name {
        "mse" => {
            only(Reduction::Mean)?;
            let (pred, target) = (array(inputs, "input")?, array(inputs, "target")?);
            same_shape("input", &pred, "target", &target)?;
            let (loss, grad_input) = loss::mse(pred.view(), target.view());
            let grad_target = loss::mse_grad_target(pred.view(), target.view());
            vec![
                ("loss".to_string(), scalar_tensor(loss)),
                ("grad_input".to_string(), to_tensor(grad_input)),
                ("grad_target".to_string(), to_tensor(grad_target)),
            ]
        }
        "cross_entropy" => {
            only(Reduction::Mean)?;
            let logits = matrix(inputs, "logits")?;
            let labels = labels(inputs, "labels", logits.nrows())?;
            if let Some(&bad) = labels.iter().find(|&&l| l >= logits.ncols()) {
                return Err(invalid(format!(
                    "label {bad} is out of range for {} classes",
                    logits.ncols()
                )));
            }
            let (loss, grad_logits) = loss::cross_entropy(logits.view(), &labels);
            vec![
                ("loss".to_string(), scalar_tensor(loss)),
                (
                    "softmax".to_string(),
                    to_tensor(softmax_rows(logits.view()).into_dyn()),
                ),
                ("grad_logits".to_string(), to_tensor(grad_logits.into_dyn())),
            ]
        }
        "bce_with_logits" => {
            only(Reduction::Mean)?;
            let (logits, target) = (array(inputs, "logits")?, array(inputs, "target")?);
            same_shape("logits", &logits, "target", &target)?;
            let (loss, grad_logits) = loss::bce_with_logits(logits.view(), target.view());
            let grad_target = loss::bce_with_logits_grad_target(logits.view());
            vec![
                ("loss".to_string(), scalar_tensor(loss)),
                ("grad_logits".to_string(), to_tensor(grad_logits)),
                ("grad_target".to_string(), to_tensor(grad_target)),
            ]
        }
        "binary_cross_entropy" => {
            let target = array(inputs, "target")?;
            // Either probabilities directly, or logits put through a sigmoid
            // first (`applied_to: sigmoid(logits)`), whose gradient then
            // continues through the sigmoid by the chain rule.
            let (p, logits) = match inputs.get("p") {
                Some(_) => (array(inputs, "p")?, None),
                None => {
                    let logits = array(inputs, "logits")?;
                    (logits.mapv(sigmoid), Some(logits))
                }
            };
            same_shape("p", &p, "target", &target)?;
            let (loss, grad_p) = loss::binary_cross_entropy(p.view(), target.view(), reduction);
            let grad_target = loss::binary_cross_entropy_grad_target(p.view(), reduction);
            let mut out = vec![
                ("p".to_string(), to_tensor(p.clone())),
                ("loss".to_string(), scalar_tensor(loss)),
            ];
            if logits.is_some() {
                let grad_logits = sigmoid_backward(p.view(), grad_p.view());
                out.push(("grad_logits".to_string(), to_tensor(grad_logits)));
            }
            out.push(("grad_p".to_string(), to_tensor(grad_p)));
            out.push(("grad_target".to_string(), to_tensor(grad_target)));
            out
        }
        "kl_normal" => {
            only(Reduction::Sum)?;
            let (mu, logvar) = (matrix(inputs, "mu")?, matrix(inputs, "logvar")?);
            if mu.dim() != logvar.dim() {
                return Err(invalid(format!(
                    "`mu` is {:?} but `logvar` is {:?}",
                    mu.shape(),
                    logvar.shape()
                )));
            }
            let kl = loss::gaussian_kl(mu.view(), logvar.view());
            vec![
                ("loss".to_string(), scalar_tensor(kl.total)),
                ("kl_rows".to_string(), to_tensor(kl.rows.into_dyn())),
                ("grad_mu".to_string(), to_tensor(kl.grad_mu.into_dyn())),
                (
                    "grad_logvar".to_string(),
                    to_tensor(kl.grad_logvar.into_dyn()),
                ),
            ]
        }
        other => {
            return Err(invalid(format!(
                "loss `{other}` is not one of mse, cross_entropy, bce_with_logits, \
                 binary_cross_entropy, kl_normal"
            )));
        }
    };
    Ok(out)
}

/// The most optimiser steps a fixture may ask for.
const MAX_STEPS: u64 = 10_000;

fn check_input(net: &Sequential, x: &Array2<f32>) -> Result<(), ModelError> {
    net.output_shape(x.shape())
        .map(|_| ())
        .map_err(|e| invalid(format!("input `x`: {e}")))
}

fn same_shape(a: &str, x: &ArrayD<f32>, b: &str, y: &ArrayD<f32>) -> Result<(), ModelError> {
    if x.shape() == y.shape() {
        Ok(())
    } else {
        Err(invalid(format!(
            "`{a}` is {:?} but `{b}` is {:?}",
            x.shape(),
            y.shape()
        )))
    }
}

/// Input tensor `name` as an array of its own shape.
pub(super) fn array(inputs: &Map<String, Value>, name: &str) -> Result<ArrayD<f32>, ModelError> {
    let value = inputs
        .get(name)
        .ok_or_else(|| invalid(format!("the fixture's inputs have no `{name}`")))?;
    let tensor = tensor_from_json(name, value).map_err(|e| match e {
        ModelError::Weights(msg) => invalid(format!("input {msg}")),
        other => other,
    })?;
    Ok(ArrayD::from_shape_vec(IxDyn(&tensor.shape), tensor.data)
        .expect("shape checked against data on loading"))
}

/// Input tensor `name`, which must be `[rows, columns]`.
pub(super) fn matrix(inputs: &Map<String, Value>, name: &str) -> Result<Array2<f32>, ModelError> {
    let a = array(inputs, name)?;
    let shape = a.shape().to_vec();
    a.into_dimensionality::<Ix2>().map_err(|_| {
        invalid(format!(
            "input `{name}` has shape {shape:?}, expected [rows, columns]"
        ))
    })
}

/// Integer class labels, plain JSON, one per row.
pub(super) fn labels(
    inputs: &Map<String, Value>,
    name: &str,
    rows: usize,
) -> Result<Vec<usize>, ModelError> {
    let labels = inputs
        .get(name)
        .and_then(Value::as_array)
        .ok_or_else(|| invalid(format!("the fixture's inputs have no `{name}` list")))?
        .iter()
        .map(|v| v.as_u64().map(|l| l as usize))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| invalid(format!("`{name}` must hold non-negative integers")))?;
    if labels.len() != rows {
        return Err(invalid(format!(
            "`{name}` has {} labels for {rows} rows",
            labels.len()
        )));
    }
    Ok(labels)
}

/// A plain JSON number `name`.
fn scalar(map: &Map<String, Value>, name: &str) -> Result<f32, ModelError> {
    map.get(name)
        .and_then(Value::as_f64)
        .map(|v| v as f32)
        .ok_or_else(|| invalid(format!("no number `{name}`")))
}

pub(super) fn to_tensor(a: ArrayD<f32>) -> Tensor {
    Tensor {
        shape: a.shape().to_vec(),
        data: a.iter().copied().collect(),
    }
}

fn scalar_tensor(v: f32) -> Tensor {
    Tensor {
        shape: vec![1],
        data: vec![v],
    }
}
