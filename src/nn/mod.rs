//! Layers that learn: the pieces every trainable model of the zoo is made of.
//!
//! Each layer keeps PyTorch's layouts and names (`[batch, features]`, NCHW,
//! `weight` as `[out, in]` for `Linear`, `[out, in, kh, kw]` for `Conv2d`) and
//! has three passes, in the spirit of dfdx:
//! - [`Layer::forward`] computes the output and keeps what the backward pass
//!   needs (the input, a pooling window's winners);
//! - [`Layer::backward`] takes dL/dy of that forward pass, *adds* dL/dθ to each
//!   parameter's gradient (as PyTorch accumulates `.grad`) and returns dL/dx;
//!   it is written out by hand, from the shared functions of each layer's
//!   file, so that a student can follow the chain rule line by line;
//! - [`Layer::infer`] computes the output and keeps nothing.
//!
//! Each layer file also offers its passes as plain functions of arrays
//! (`linear::forward(x, weight, bias)`), the shared pieces that models with
//! their own structure (a recurrent cell unrolled in time, a VAE's two heads)
//! build their backward passes from.
//!
//! Activations between layers are `ArrayD<f32>` with the batch first; each
//! layer views its input in the dimension it works in (`Ix2` for `Linear`,
//! `Ix4` for `Conv2d`). A model checks the shapes of what a person gives it
//! when it is built ([`Layer::output_shape`]), so the passes themselves assume
//! shapes that fit.
//!
//! Files: [`linear`], [`activation`] (ReLU, leaky ReLU, sigmoid, tanh,
//! softmax), [`attention`] (scaled dot-product and multi-head), [`conv2d`],
//! [`conv_transpose2d`], [`conv1d`] (dilated, for
//! time-delay layers), [`pool`] (max and average), [`upsample`] (nearest and
//! bilinear), [`sequential`] (layers in a row, and `Flatten`), [`residual`]
//! (relu(x + F(x)) around any layers F), [`lenet`] (the
//! seed's LeNet under its PyTorch names), [`loss`] (MSE,
//! cross-entropy, binary cross-entropy, Gaussian KL), [`optim`] (SGD with
//! momentum, Adam with weight decay), [`init`] (PyTorch's default
//! initialisation) and [`gradcheck`] (central finite differences, used by the
//! tests of every layer and loss).

pub mod activation;
pub mod attention;
pub mod conv1d;
pub mod conv2d;
pub mod conv_transpose2d;
pub mod embedding;
pub mod gradcheck;
pub mod init;
pub mod lenet;
pub mod linear;
pub mod loss;
pub mod optim;
pub mod pool;
pub mod residual;
pub mod sequential;
pub mod upsample;
pub mod vars;

use ndarray::{ArrayD, ArrayViewD, ArrayViewMutD};

/// One learnable tensor of a layer with its gradient, as an optimiser sees it.
pub struct ParamMut<'a> {
    /// The `state_dict` name, relative to the layer (`weight`, `bias`); a
    /// container prefixes its children's (`0.weight`).
    pub name: &'a str,
    pub value: ArrayViewMutD<'a, f32>,
    pub grad: ArrayViewMutD<'a, f32>,
}

/// One learnable tensor and its gradient, read only (for views and export).
pub struct ParamRef<'a> {
    pub name: &'a str,
    pub value: ArrayViewD<'a, f32>,
    pub grad: ArrayViewD<'a, f32>,
}

/// A shape a layer cannot take, said in the layer's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{layer}: {message}")]
pub struct ShapeError {
    /// The layer as PyTorch prints it (`Linear(64, 100)`).
    pub layer: String,
    pub message: String,
}

impl Clone for Box<dyn Layer> {
    fn clone(&self) -> Self {
        self.boxed_clone()
    }
}

/// A layer with a forward, a backward and an inference pass.
pub trait Layer: Send {
    /// A copy of the layer with its parameters, gradients and cache (a lab
    /// keeps copies of a model to step back to).
    fn boxed_clone(&self) -> Box<dyn Layer>;

    /// The layer as PyTorch prints it: `Linear(in_features=64, out_features=100)`
    /// is written `Linear(64, 100)`, `Conv2d(1, 6, kernel_size=5)`, `ReLU`.
    fn describe(&self) -> String;

    /// The output shape for an input of shape `input` (batch first), or why
    /// the layer cannot take it.
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>, ShapeError>;

    /// Training pass: y = f(x), keeping what [`Layer::backward`] needs.
    fn forward(&mut self, x: ArrayViewD<'_, f32>) -> ArrayD<f32>;

    /// Given dL/dy for the last [`Layer::forward`], adds dL/dθ to every
    /// parameter's gradient and returns dL/dx.
    fn backward(&mut self, grad_y: ArrayViewD<'_, f32>) -> ArrayD<f32>;

    /// Inference pass: y = f(x), nothing kept.
    fn infer(&self, x: ArrayViewD<'_, f32>) -> ArrayD<f32>;

    /// Visits every learnable tensor with its gradient, in `state_dict` order.
    fn visit_params_mut(&mut self, visit: &mut dyn FnMut(ParamMut<'_>)) {
        let _ = visit;
    }

    /// Visits every learnable tensor with its gradient, read only.
    fn visit_params(&self, visit: &mut dyn FnMut(ParamRef<'_>)) {
        let _ = visit;
    }

    /// Sets every gradient to zero (before a new backward pass).
    fn zero_grad(&mut self) {
        self.visit_params_mut(&mut |mut p| p.grad.fill(0.0));
    }

    /// The layer as [`std::any::Any`], for a model that reads the inner
    /// state of a layer type it knows (a residual block's F(x)); `None`
    /// for layers that offer none.
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        None
    }

    /// How many learnable numbers the layer holds.
    fn param_count(&self) -> usize {
        let mut count = 0;
        self.visit_params(&mut |p| count += p.value.len());
        count
    }
}
