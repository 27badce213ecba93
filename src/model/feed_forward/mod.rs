//! Feed-forward networks: a single dense layer, Rosenblatt's perceptron, and
//! the networks of one or more hidden layers trained by backpropagation
//! (with the training process itself as a concept to step through).
//!
//! What they share lives here: the hidden activations a person can pick and
//! [`mlp`], which lays out Linear and activation layers the way
//! `nn.Sequential(nn.Linear(..), nn.ReLU(), ...)` does in PyTorch.

pub mod dense_layer;
pub mod network;
pub mod perceptron;

use crate::nn::Layer;
use crate::nn::activation::{LeakyReLU, ReLU, Sigmoid, Tanh};
use crate::nn::linear::Linear;
use crate::nn::sequential::Sequential;
use rand::Rng;

/// A hidden layer's activation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    Relu,
    LeakyRelu,
    Tanh,
    Sigmoid,
}

impl Activation {
    /// The names `--set activation=` takes.
    pub const NAMES: &'static [&'static str] = &["relu", "leaky_relu", "tanh", "sigmoid"];

    /// The activation named `name` (one of [`Activation::NAMES`]; anything
    /// else is ReLU, as a checked parameter never is).
    pub fn parse(name: &str) -> Activation {
        match name {
            "leaky_relu" => Activation::LeakyRelu,
            "tanh" => Activation::Tanh,
            "sigmoid" => Activation::Sigmoid,
            _ => Activation::Relu,
        }
    }

    /// The activation as a layer.
    pub fn layer(self) -> Box<dyn Layer> {
        match self {
            Activation::Relu => Box::new(ReLU::default()),
            Activation::LeakyRelu => Box::new(LeakyReLU::new(0.01)),
            Activation::Tanh => Box::new(Tanh::default()),
            Activation::Sigmoid => Box::new(Sigmoid::default()),
        }
    }
}

/// A multilayer perceptron: `inputs -> hidden[0] -> ... -> outputs`, each
/// hidden layer a Linear layer followed by `activation`, the last Linear
/// layer giving the logits. PyTorch's default initialisation, drawn from
/// `rng` layer by layer.
pub fn mlp(
    inputs: usize,
    hidden: &[usize],
    outputs: usize,
    activation: Activation,
    rng: &mut impl Rng,
) -> Sequential {
    let mut layers: Vec<Box<dyn Layer>> = Vec::new();
    let mut width = inputs;
    for &units in hidden {
        layers.push(Box::new(Linear::new(width, units, true, rng)));
        layers.push(activation.layer());
        width = units;
    }
    layers.push(Box::new(Linear::new(width, outputs, true, rng)));
    Sequential::from_layers(layers)
}
