//! LeNet as the zoo's seed draws it: two convolution-and-pooling stages and
//! three fully connected layers, for 1×28×28 digits.
//!
//! 1x28x28 -conv1 5x5, ReLU-> 6x24x24 -max pool 2-> 6x12x12
//!         -conv2 5x5, ReLU-> 12x8x8 -max pool 2-> 12x4x4 -flatten-> 192
//!         -fc1, ReLU-> 120 -fc2, ReLU-> 60 -out-> 10 logits
//!
//! The parameters keep the names of the PyTorch module the fixtures come
//! from (`conv1.weight`, `fc1.bias`, `out.weight`, ...), so a `state_dict`
//! exported from PyTorch loads as it is. The stages run in a
//! [`Sequential`], which keeps every stage's output and gradient of the last
//! passes for a lab to draw.
//!
//! Reference: LeCun, Bottou, Bengio & Haffner, "Gradient-based learning
//! applied to document recognition" (1998), whose LeNet-5 this is a smaller
//! cousin of (ReLU for the squashing function, max pooling for the trained
//! subsampling, no Gaussian connections).

use super::activation::ReLU;
use super::conv2d::Conv2d;
use super::linear::Linear;
use super::pool::MaxPool2d;
use super::sequential::{Flatten, Sequential};
use super::{Layer, ParamMut, ParamRef, ShapeError};
use ndarray::{ArrayD, ArrayViewD};
use rand::Rng;

/// Every stage in order, by the name of its module (`relu1`...`relu4`,
/// `pool1`, `pool2` and `flatten` hold no parameters).
pub const STAGES: [&str; 12] = [
    "conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "flatten", "fc1", "relu3", "fc2",
    "relu4", "out",
];

/// The input one image takes: 1 channel, 28x28 pixels.
pub const INPUT: [usize; 3] = [1, 28, 28];

/// The number of classes (digits).
pub const CLASSES: usize = 10;

/// LeNet's stages, run in order.
#[derive(Clone)]
pub struct LeNet {
    net: Sequential,
}

impl LeNet {
    /// A LeNet with PyTorch's default initialisation of each layer, drawn in
    /// the module's order (conv1, conv2, fc1, fc2, out).
    pub fn new(rng: &mut impl Rng) -> LeNet {
        let conv1 = Conv2d::new(1, 6, (5, 5), rng);
        let conv2 = Conv2d::new(6, 12, (5, 5), rng);
        let fc1 = Linear::new(12 * 4 * 4, 120, true, rng);
        let fc2 = Linear::new(120, 60, true, rng);
        let out = Linear::new(60, CLASSES, true, rng);
        let net = Sequential::new()
            .with(conv1)
            .with(ReLU::new())
            .with(MaxPool2d::new((2, 2)))
            .with(conv2)
            .with(ReLU::new())
            .with(MaxPool2d::new((2, 2)))
            .with(Flatten::new())
            .with(fc1)
            .with(ReLU::new())
            .with(fc2)
            .with(ReLU::new())
            .with(out);
        LeNet { net }
    }

    /// The stages as layers, in [`STAGES`] order, for a network that
    /// puts something before them (a reshape of rows into pictures).
    pub fn into_stages(self) -> Vec<Box<dyn Layer>> {
        self.net.into_layers()
    }

    /// Every stage's output in the last training pass, in [`STAGES`] order.
    pub fn outputs(&self) -> &[ArrayD<f32>] {
        self.net.outputs()
    }

    /// dL/d(every stage's output) in the last backward pass.
    pub fn output_grads(&self) -> &[ArrayD<f32>] {
        self.net.output_grads()
    }

    /// The stages as layers, in [`STAGES`] order.
    pub fn stages(&self) -> &[Box<dyn Layer>] {
        self.net.layers()
    }
}

impl Layer for LeNet {
    fn boxed_clone(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }

    /// PyTorch's print of a module with named children.
    fn describe(&self) -> String {
        let mut text = String::from("LeNet(\n");
        for (name, layer) in STAGES.iter().zip(self.net.layers()) {
            text += &format!("  ({name}): {}\n", layer.describe());
        }
        text + ")"
    }

    /// The shape after the last stage, or which stage refuses its input,
    /// named as the module names it (`LeNet.conv2: Conv2d(6, 12, ...)`).
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>, ShapeError> {
        let mut shape = input.to_vec();
        for (stage, layer) in STAGES.iter().zip(self.net.layers()) {
            shape = layer.output_shape(&shape).map_err(|e| ShapeError {
                layer: format!("LeNet.{stage}: {}", e.layer),
                message: e.message,
            })?;
        }
        Ok(shape)
    }

    fn forward(&mut self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        self.net.forward(x)
    }

    fn backward(&mut self, grad_y: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        self.net.backward(grad_y)
    }

    fn infer(&self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        self.net.infer(x)
    }

    /// `conv1.weight`, `conv1.bias`, ..., `out.bias`: the module's names,
    /// where a plain `Sequential` would say `0.weight`.
    fn visit_params_mut(&mut self, visit: &mut dyn FnMut(ParamMut<'_>)) {
        for (stage, layer) in STAGES.iter().zip(self.net.layers_mut()) {
            layer.visit_params_mut(&mut |p| {
                visit(ParamMut {
                    name: &format!("{stage}.{}", p.name),
                    value: p.value,
                    grad: p.grad,
                })
            });
        }
    }

    fn visit_params(&self, visit: &mut dyn FnMut(ParamRef<'_>)) {
        for (stage, layer) in STAGES.iter().zip(self.net.layers()) {
            layer.visit_params(&mut |p| {
                visit(ParamRef {
                    name: &format!("{stage}.{}", p.name),
                    value: p.value,
                    grad: p.grad,
                })
            });
        }
    }
}
