//! The convolutional layers of a fixture: kinds `conv2d_backward`,
//! `conv_transpose2d`, `conv_transpose2d_backward`, `time_delay` (a dilated
//! `Conv1d`), `pool_interp` and `pool_backward` (max and average pooling,
//! nearest and bilinear upsampling), `residual_block` and
//! `residual_block_backward` (relu(x + conv2(relu(conv1(x))))), `lenet`
//! (every stage of the seed's LeNet, its softmax, entropy and argmax) and
//! `lenet_train_step` (its mean cross-entropy, gradients, and one SGD
//! step). Each is
//! computed by the `nn` layers' own passes from the fixture's `params` (or
//! the weights given instead), `options` and `inputs`; the result holds the
//! tensors the reference reports, under the fixture's names. For the
//! backward kinds, `inputs.dy` is dL/dy, so the gradients are those of
//! Σ y ⊙ dy.

use super::{Outputs, invalid};
use crate::model::weights::{self, tensor_from_json};
use crate::model::{ModelError, Tensor, Weights};
use crate::nn::Layer;
use crate::nn::activation::ReLU;
use crate::nn::activation::softmax_rows;
use crate::nn::conv_transpose2d::{ConvTranspose2d, ConvTranspose2dOptions};
use crate::nn::conv1d::{Conv1d, Conv1dOptions};
use crate::nn::conv2d::{Conv2d, Conv2dOptions};
use crate::nn::lenet::{self, LeNet};
use crate::nn::loss;
use crate::nn::optim::{Optimizer, Sgd};
use crate::nn::pool::{AvgPool2d, MaxPool2d};
use crate::nn::residual::Residual;
use crate::nn::sequential::Sequential;
use crate::nn::upsample::{Upsample, UpsampleMode};
use crate::nn::vars::{Init, VarBuilder};
use ndarray::{Array, Array1, Array2, ArrayD, Dimension, Ix2, IxDyn};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::Value;

/// Computes a convolution-family fixture of kind `kind`. With `weights`,
/// those replace the fixture's `params`.
pub fn evaluate(
    kind: &str,
    fixture: &Value,
    weights: Option<&Weights>,
) -> Result<Outputs, ModelError> {
    let owned;
    let weights = match weights {
        Some(w) => w,
        None => {
            owned = match fixture.get("params") {
                Some(params) => weights::from_json_value(params)?,
                None => Weights::new(),
            };
            &owned
        }
    };
    let fx = Fixture { fixture, weights };
    match kind {
        "conv2d_backward" => {
            let options = Conv2dOptions {
                stride: fx.pair("stride", 1)?,
                padding: fx.pair("padding", 0)?,
                dilation: fx.pair("dilation", 1)?,
            };
            let mut conv = fx.conv2d("", options)?;
            fx.only(&["weight", "bias"])?;
            let x = fx.input("x")?;
            let y = fx.forward(&mut conv, &x)?;
            let dy = fx.input_shaped("dy", y.shape())?;
            let grad_x = conv.backward(dy.view());
            let mut out = vec![output("y", y), output("grad_x", grad_x)];
            out.extend(param_grads(&conv, ""));
            Ok(out)
        }
        "conv_transpose2d" | "conv_transpose2d_backward" => {
            let options = ConvTranspose2dOptions {
                stride: fx.pair("stride", 1)?,
                padding: fx.pair("padding", 0)?,
                output_padding: fx.pair("output_padding", 0)?,
                dilation: fx.pair("dilation", 1)?,
            };
            let weight = fx.param::<ndarray::Ix4>("weight")?;
            let bias = fx.bias("bias")?;
            fx.only(&["weight", "bias"])?;
            let mut conv =
                ConvTranspose2d::from_parts(weight, bias, options).map_err(shape_error)?;
            let x = fx.input("x")?;
            let y = fx.forward(&mut conv, &x)?;
            if kind == "conv_transpose2d" {
                return Ok(vec![output("y", y)]);
            }
            let dy = fx.input_shaped("dy", y.shape())?;
            let grad_x = conv.backward(dy.view());
            let mut out = vec![output("y", y), output("grad_x", grad_x)];
            out.extend(param_grads(&conv, ""));
            Ok(out)
        }
        "time_delay" => {
            let options = Conv1dOptions {
                stride: fx.int("stride", 1)?,
                padding: fx.int("padding", 0)?,
                dilation: fx.int("dilation", 1)?,
            };
            let weight = fx.param::<ndarray::Ix3>("weight")?;
            let bias = fx.bias("bias")?;
            fx.only(&["weight", "bias"])?;
            let conv = Conv1d::from_parts(weight, bias, options).map_err(shape_error)?;
            let x = fx.input("x")?;
            conv.output_shape(x.shape()).map_err(shape_error)?;
            Ok(vec![output("y", conv.infer(x.view()))])
        }
        "pool_interp" | "pool_backward" => {
            fx.only(&[])?;
            let kernel = fx.int("pool_kernel", 2)?;
            let stride = fx.int("pool_stride", kernel)?;
            let scale = fx.int("scale_factor", 2)?;
            if fx
                .fixture
                .pointer("/options/align_corners")
                .and_then(Value::as_bool)
                == Some(true)
            {
                return Err(invalid(
                    "bilinear upsampling is computed with align_corners=False only".into(),
                ));
            }
            let x = fx.input("x")?;
            let operations: [(&str, Box<dyn Layer>); 4] = [
                (
                    "max_pool_2x2",
                    Box::new(MaxPool2d::new((kernel, kernel)).stride((stride, stride))),
                ),
                (
                    "avg_pool_2x2",
                    Box::new(AvgPool2d::new((kernel, kernel)).stride((stride, stride))),
                ),
                (
                    "upsample_nearest_x2",
                    Box::new(Upsample::new(scale, UpsampleMode::Nearest)),
                ),
                (
                    "upsample_bilinear_x2",
                    Box::new(Upsample::new(scale, UpsampleMode::Bilinear)),
                ),
            ];
            let mut out = Vec::new();
            for (name, mut layer) in operations {
                let y = fx.forward(layer.as_mut(), &x)?;
                if kind == "pool_backward" {
                    let dy = fx.input_shaped(&format!("dy_{name}"), y.shape())?;
                    let grad_x = layer.backward(dy.view());
                    out.push(output(name, y));
                    out.push(output(&format!("grad_x_{name}"), grad_x));
                } else {
                    out.push(output(name, y));
                }
            }
            Ok(out)
        }
        "residual_block" | "residual_block_backward" => {
            let padding = fx.int("padding", 1)?;
            let options = Conv2dOptions {
                padding: (padding, padding),
                ..Conv2dOptions::default()
            };
            // relu(x + conv2(relu(conv1(x)))): F is conv1, ReLU, conv2.
            let conv1 = fx.conv2d("conv1.", options)?;
            let conv2 = fx.conv2d("conv2.", options)?;
            fx.only(&["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias"])?;
            let mut block =
                Residual::new(Sequential::new().with(conv1).with(ReLU::new()).with(conv2));
            let x = fx.input("x")?;
            let y = fx.forward(&mut block, &x)?;
            let residual = block.residual().expect("just run").clone();
            let mut out = vec![output("residual", residual), output("y", y.clone())];
            if kind == "residual_block_backward" {
                let dy = fx.input_shaped("dy", y.shape())?;
                let grad_x = block.backward(dy.view());
                out.push(output("grad_x", grad_x));
                // The block names F's tensors `body.0.*` and `body.2.*`;
                // the fixture's module calls them conv1 and conv2.
                block.visit_params(&mut |p| {
                    let name = p
                        .name
                        .replace("body.0.", "conv1.")
                        .replace("body.2.", "conv2.");
                    out.push(output(&format!("grad_{name}"), p.grad.to_owned()));
                });
            }
            Ok(out)
        }
        "lenet" | "lenet_train_step" => {
            let mut net = LeNet::new(&mut StdRng::seed_from_u64(0));
            load_state_dict(&mut net, weights)?;
            let x = fx.input("x")?;
            let logits = fx
                .forward(&mut net, &x)?
                .into_dimensionality::<Ix2>()
                .expect("LeNet gives [batch, classes]");
            if kind == "lenet" {
                return Ok(lenet_stages(&net, &x, logits));
            }
            let labels = fx.labels(logits.nrows())?;
            let lr = fx.number("lr")?;
            // Mean cross-entropy, its gradient back through every stage, then
            // p -= lr * dL/dp.
            let (loss, grad_logits) = loss::cross_entropy(logits.view(), &labels);
            net.zero_grad();
            net.backward(grad_logits.into_dyn().view());
            let mut out = vec![
                output("logits", logits),
                output("loss", Array1::from(vec![loss])),
            ];
            net.visit_params(&mut |p| {
                out.push(output(&format!("grad_{}", p.name), p.grad.to_owned()))
            });
            Sgd::new(lr).step(&mut net);
            net.visit_params(&mut |p| {
                out.push(output(&format!("after_{}", p.name), p.value.to_owned()))
            });
            Ok(out)
        }
        other => Err(invalid(format!("`{other}` is not a convolution kind"))),
    }
}

/// Every stage of LeNet's last training pass under the fixture's names,
/// then the softmax of the logits, its entropy in nats (0·ln 0 taken as 0)
/// and the most likely class of each row.
fn lenet_stages(net: &LeNet, x: &ArrayD<f32>, logits: Array2<f32>) -> Outputs {
    let mut out = vec![output("identity", x.clone())];
    // The fixture reports each stage after its activation.
    let reported = [
        ("conv1_relu", "relu1"),
        ("pool1", "pool1"),
        ("conv2_relu", "relu2"),
        ("pool2", "pool2"),
        ("flatten", "flatten"),
        ("fc1_relu", "relu3"),
        ("fc2_relu", "relu4"),
    ];
    for (name, stage) in reported {
        let k = lenet::STAGES
            .iter()
            .position(|s| *s == stage)
            .expect("a LeNet stage");
        out.push(output(name, net.outputs()[k].clone()));
    }
    let softmax = softmax_rows(logits.view());
    let entropy: Array1<f32> = softmax
        .rows()
        .into_iter()
        .map(|p| crate::model::convolutional::cnn::entropy_nats(&p.to_vec()))
        .collect();
    let argmax: Array1<f32> = softmax
        .rows()
        .into_iter()
        .map(|p| crate::train::argmax(p.iter()) as f32)
        .collect();
    out.push(output("logits", logits));
    out.push(output("softmax", softmax));
    out.push(output("entropy_nats", entropy));
    out.push(output("argmax", argmax));
    out
}

/// Sets every parameter of `layer` from the tensor of the same name, or says
/// which is missing or misshapen; tensors the layer does not have are an
/// error too, so another network's file is not half-loaded.
fn load_state_dict(layer: &mut dyn Layer, weights: &Weights) -> Result<(), ModelError> {
    let vb = VarBuilder::from_weights(weights);
    let mut failure = None;
    layer.visit_params_mut(&mut |mut p| {
        let shape = p.value.shape().to_vec();
        match vb.getd(p.name, &shape, Init::Zeros) {
            Ok(value) => p.value.assign(&value),
            Err(e) => {
                failure.get_or_insert(e);
            }
        }
    });
    match failure {
        Some(e) => Err(e),
        None => vb.finish(),
    }
}

/// The largest size an option (a stride, a padding, a kernel, a scale
/// factor) may have: far above any network's, and small enough that the
/// sizes computed from it cannot overflow.
const MAX_OPTION: u64 = 4096;

/// An option's value as a size, if it is at most [`MAX_OPTION`].
fn option_size(name: &str, value: u64) -> Result<usize, ModelError> {
    if value > MAX_OPTION {
        return Err(invalid(format!(
            "option `{name}` is {value}; at most {MAX_OPTION}"
        )));
    }
    Ok(value as usize)
}

/// A fixture being read: its options, inputs and (possibly replaced) params.
struct Fixture<'a> {
    fixture: &'a Value,
    weights: &'a Weights,
}

impl Fixture<'_> {
    /// Integer option `name`, `default` if absent.
    fn int(&self, name: &str, default: usize) -> Result<usize, ModelError> {
        match self.fixture.get("options").and_then(|o| o.get(name)) {
            None => Ok(default),
            Some(v) => match v.as_u64() {
                Some(v) => option_size(name, v),
                None => Err(invalid(format!(
                    "option `{name}` is {v}, not a non-negative integer"
                ))),
            },
        }
    }

    /// Option `name` as (h, w): one integer for both, or a pair.
    fn pair(&self, name: &str, default: usize) -> Result<(usize, usize), ModelError> {
        match self.fixture.get("options").and_then(|o| o.get(name)) {
            Some(Value::Array(items)) => match items
                .iter()
                .map(Value::as_u64)
                .collect::<Option<Vec<_>>>()
                .as_deref()
            {
                Some(&[h, w]) => Ok((option_size(name, h)?, option_size(name, w)?)),
                _ => Err(invalid(format!(
                    "option `{name}` must be an integer or a pair of integers"
                ))),
            },
            _ => self.int(name, default).map(|v| (v, v)),
        }
    }

    /// Parameter `name` as an array of dimension `D`.
    fn param<D: Dimension>(&self, name: &str) -> Result<Array<f32, D>, ModelError> {
        let tensor = self.weights.get(name).ok_or_else(|| {
            ModelError::Weights(format!(
                "missing tensor `{name}`; found: {}",
                self.weights.keys().cloned().collect::<Vec<_>>().join(", ")
            ))
        })?;
        array(tensor).into_dimensionality::<D>().map_err(|_| {
            ModelError::Weights(format!(
                "tensor `{name}` has shape {:?}, expected {} axes",
                tensor.shape,
                D::NDIM.unwrap_or(0)
            ))
        })
    }

    /// Bias `name`, or none if the fixture has no such tensor.
    fn bias(&self, name: &str) -> Result<Option<Array1<f32>>, ModelError> {
        if self.weights.contains_key(name) {
            self.param(name).map(Some)
        } else {
            Ok(None)
        }
    }

    /// The `Conv2d` whose tensors are `{prefix}weight` and `{prefix}bias`.
    fn conv2d(&self, prefix: &str, options: Conv2dOptions) -> Result<Conv2d, ModelError> {
        let weight = self.param(&format!("{prefix}weight"))?;
        let bias = self.bias(&format!("{prefix}bias"))?;
        Conv2d::from_parts(weight, bias, options).map_err(shape_error)
    }

    /// An error for tensors beyond `names` (those present were read, with
    /// their shapes checked, by the module's own code).
    fn only(&self, names: &[&str]) -> Result<(), ModelError> {
        let vb = VarBuilder::from_weights(self.weights);
        for name in names {
            if let Some(shape) = vb.shape_of(name) {
                vb.getd(name, shape, Init::Zeros)?;
            }
        }
        vb.finish()
    }

    /// Integer class labels `inputs.labels`, one per row of a batch of `rows`.
    fn labels(&self, rows: usize) -> Result<Vec<usize>, ModelError> {
        let labels = self
            .fixture
            .pointer("/inputs/labels")
            .and_then(Value::as_array)
            .ok_or_else(|| invalid("the fixture's inputs have no `labels` list".into()))?
            .iter()
            .map(|v| v.as_u64().map(|l| l as usize))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| invalid("`labels` must hold non-negative integers".into()))?;
        if labels.len() != rows {
            return Err(invalid(format!(
                "{} labels for a batch of {rows}",
                labels.len()
            )));
        }
        if let Some(&bad) = labels.iter().find(|&&l| l >= lenet::CLASSES) {
            return Err(invalid(format!(
                "label {bad} is not a class 0..{}",
                lenet::CLASSES
            )));
        }
        Ok(labels)
    }

    /// A plain number `name` of the inputs, or else of the options.
    fn number(&self, name: &str) -> Result<f32, ModelError> {
        ["inputs", "options"]
            .iter()
            .find_map(|part| self.fixture.get(part)?.get(name)?.as_f64())
            .map(|v| v as f32)
            .ok_or_else(|| invalid(format!("the fixture gives no number `{name}`")))
    }

    /// Input tensor `name`.
    fn input(&self, name: &str) -> Result<ArrayD<f32>, ModelError> {
        let value = self
            .fixture
            .pointer(&format!("/inputs/{name}"))
            .ok_or_else(|| invalid(format!("the fixture's inputs have no `{name}`")))?;
        let tensor = tensor_from_json(name, value).map_err(|e| match e {
            ModelError::Weights(msg) => invalid(format!("input {msg}")),
            other => other,
        })?;
        Ok(array(&tensor))
    }

    /// Input tensor `name`, which must have shape `shape` (dL/dy has y's).
    fn input_shaped(&self, name: &str, shape: &[usize]) -> Result<ArrayD<f32>, ModelError> {
        let input = self.input(name)?;
        if input.shape() != shape {
            return Err(invalid(format!(
                "input `{name}` has shape {:?}, expected {shape:?}",
                input.shape()
            )));
        }
        Ok(input)
    }

    /// The layer's training pass on `x`, after checking that it takes x
    /// and that its output is of a size that can be held.
    fn forward(&self, layer: &mut dyn Layer, x: &ArrayD<f32>) -> Result<ArrayD<f32>, ModelError> {
        let shape = layer.output_shape(x.shape()).map_err(shape_error)?;
        weights::check_shape(&shape).map_err(|what| invalid(format!("the output's {what}")))?;
        Ok(layer.forward(x.view()))
    }
}

fn array(tensor: &Tensor) -> ArrayD<f32> {
    ArrayD::from_shape_vec(IxDyn(&tensor.shape), tensor.data.clone())
        .expect("a tensor's data fills its shape")
}

fn output<D: Dimension>(name: &str, array: Array<f32, D>) -> (String, Tensor) {
    (
        name.to_string(),
        Tensor {
            shape: array.shape().to_vec(),
            data: array.iter().copied().collect(),
        },
    )
}

/// `grad_{prefix}{name}` for every parameter of `layer`.
fn param_grads(layer: &dyn Layer, prefix: &str) -> Outputs {
    let mut out = Vec::new();
    layer.visit_params(&mut |p| {
        out.push(output(
            &format!("grad_{prefix}{}", p.name),
            p.grad.to_owned(),
        ));
    });
    out
}

fn shape_error(e: crate::nn::ShapeError) -> ModelError {
    invalid(e.to_string())
}
