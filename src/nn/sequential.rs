//! Layers in a row, `Flatten`, and `Unflatten`.
//!
//! References: PyTorch `torch.nn.Sequential`
//! (<https://pytorch.org/docs/stable/generated/torch.nn.Sequential.html>),
//! whose `state_dict` names a child's parameters by its index (`0.weight`,
//! `2.bias`), and `torch.nn.Flatten` (`start_dim=1`: the batch is kept, every
//! other axis is flattened into one).
//!
//! A `Sequential` keeps each layer's output of the last forward pass and the
//! gradient that reached each layer's output in the last backward pass, so a
//! lab can draw activations and gradients layer by layer.

use super::{Layer, ParamMut, ParamRef, ShapeError};
use ndarray::{ArrayD, ArrayViewD, IxDyn};
use std::fmt::Write;

/// Layers applied one after the other; the backward pass runs them in reverse.
#[derive(Clone, Default)]
pub struct Sequential {
    layers: Vec<Box<dyn Layer>>,
    /// `outputs[i]`: layer i's output in the last forward pass.
    outputs: Vec<ArrayD<f32>>,
    /// `output_grads[i]`: dL/d(layer i's output) in the last backward pass.
    output_grads: Vec<ArrayD<f32>>,
}

impl Sequential {
    pub fn new() -> Sequential {
        Sequential::default()
    }

    /// A container of the given layers, in order.
    pub fn from_layers(layers: Vec<Box<dyn Layer>>) -> Sequential {
        Sequential {
            layers,
            ..Sequential::default()
        }
    }

    /// Appends a layer; it takes the next index in the parameter names.
    pub fn push(&mut self, layer: impl Layer + 'static) -> &mut Sequential {
        self.layers.push(Box::new(layer));
        self
    }

    /// Appends a layer, builder style.
    pub fn with(mut self, layer: impl Layer + 'static) -> Sequential {
        self.push(layer);
        self
    }

    pub fn len(&self) -> usize {
        self.layers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// The layers, given up by the container.
    pub fn into_layers(self) -> Vec<Box<dyn Layer>> {
        self.layers
    }

    pub fn layers(&self) -> &[Box<dyn Layer>] {
        &self.layers
    }

    pub fn layers_mut(&mut self) -> &mut [Box<dyn Layer>] {
        &mut self.layers
    }

    /// Each layer's output in the last forward pass (empty before the first).
    pub fn outputs(&self) -> &[ArrayD<f32>] {
        &self.outputs
    }

    /// The gradient that reached each layer's output in the last backward
    /// pass, by layer index (empty before the first).
    pub fn output_grads(&self) -> &[ArrayD<f32>] {
        &self.output_grads
    }

    /// The shape after each layer for an input of shape `input`, or the first
    /// layer that cannot take what it is given.
    pub fn output_shapes(&self, input: &[usize]) -> Result<Vec<Vec<usize>>, ShapeError> {
        let mut shape = input.to_vec();
        let mut shapes = Vec::with_capacity(self.layers.len());
        for (i, layer) in self.layers.iter().enumerate() {
            shape = layer.output_shape(&shape).map_err(|e| ShapeError {
                layer: format!("({i}): {}", e.layer),
                message: e.message,
            })?;
            shapes.push(shape.clone());
        }
        Ok(shapes)
    }
}

impl Layer for Sequential {
    fn boxed_clone(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }

    /// PyTorch's print: `Sequential(`, then one line `  (i): layer` per layer,
    /// then `)`.
    fn describe(&self) -> String {
        let mut text = String::from("Sequential(\n");
        for (i, layer) in self.layers.iter().enumerate() {
            text.push_str(&format!("  ({i}): {}\n", layer.describe()));
        }
        text.push(')');
        text
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>, ShapeError> {
        Ok(self
            .output_shapes(input)?
            .pop()
            .unwrap_or_else(|| input.to_vec()))
    }

    fn forward(&mut self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        self.outputs.clear();
        for i in 0..self.layers.len() {
            let input = if i == 0 {
                x.view()
            } else {
                self.outputs[i - 1].view()
            };
            let y = self.layers[i].forward(input);
            self.outputs.push(y);
        }
        match self.outputs.last() {
            Some(y) => y.clone(),
            None => x.to_owned(),
        }
    }

    fn backward(&mut self, grad_y: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let n = self.layers.len();
        self.output_grads
            .resize_with(n, || ArrayD::zeros(IxDyn(&[0])));
        // Chain rule, last layer first: the gradient at layer i's output is
        // what layer i+1's backward pass returned as its input gradient.
        let mut grad = grad_y.to_owned();
        for i in (0..n).rev() {
            let grad_input = self.layers[i].backward(grad.view());
            self.output_grads[i] = std::mem::replace(&mut grad, grad_input);
        }
        grad
    }

    fn infer(&self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let mut y = x.to_owned();
        for layer in &self.layers {
            y = layer.infer(y.view());
        }
        y
    }

    fn visit_params_mut(&mut self, visit: &mut dyn FnMut(ParamMut<'_>)) {
        // One name buffer for the whole visit, so an optimiser step does
        // not allocate a string per parameter.
        let mut name = String::new();
        for (i, layer) in self.layers.iter_mut().enumerate() {
            layer.visit_params_mut(&mut |p| {
                name.clear();
                let _ = write!(name, "{i}.{}", p.name);
                visit(ParamMut {
                    name: &name,
                    value: p.value,
                    grad: p.grad,
                })
            });
        }
    }

    fn visit_params(&self, visit: &mut dyn FnMut(ParamRef<'_>)) {
        // One name buffer for the whole visit, so an optimiser step does
        // not allocate a string per parameter.
        let mut name = String::new();
        for (i, layer) in self.layers.iter().enumerate() {
            layer.visit_params(&mut |p| {
                name.clear();
                let _ = write!(name, "{i}.{}", p.name);
                visit(ParamRef {
                    name: &name,
                    value: p.value,
                    grad: p.grad,
                })
            });
        }
    }
}

/// Keeps the batch axis and flattens every other axis into one, as
/// `nn.Flatten()` does: `[B, C, H, W]` becomes `[B, C·H·W]`.
#[derive(Debug, Clone, Default)]
pub struct Flatten {
    /// The input shape of the last forward pass, for the backward reshape.
    input_shape: Vec<usize>,
}

impl Flatten {
    pub fn new() -> Flatten {
        Flatten::default()
    }
}

fn flattened(input: &[usize]) -> Vec<usize> {
    vec![input[0], input[1..].iter().product()]
}

impl Layer for Flatten {
    fn boxed_clone(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }

    fn describe(&self) -> String {
        "Flatten".into()
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>, ShapeError> {
        if input.is_empty() {
            return Err(ShapeError {
                layer: self.describe(),
                message: "needs a batch axis".into(),
            });
        }
        Ok(flattened(input))
    }

    fn forward(&mut self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        self.input_shape.clear();
        self.input_shape.extend_from_slice(x.shape());
        self.infer(x)
    }

    fn backward(&mut self, grad_y: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        // Flattening only renames positions, so the gradient is reshaped back.
        grad_y
            .as_standard_layout()
            .into_owned()
            .into_shape_with_order(IxDyn(&self.input_shape))
            .expect("the gradient has the flattened input's size")
    }

    fn infer(&self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        x.as_standard_layout()
            .into_owned()
            .into_shape_with_order(IxDyn(&flattened(x.shape())))
            .expect("same number of values")
    }
}

/// Keeps the batch axis and gives every row the shape `shape`, as
/// `nn.Unflatten(1, shape)` does: `[B, C·H·W]` becomes `[B, C, H, W]`. It
/// lets a network of pictures learn from a data set of rows.
#[derive(Debug, Clone)]
pub struct Unflatten {
    shape: Vec<usize>,
}

impl Unflatten {
    pub fn new(shape: &[usize]) -> Unflatten {
        Unflatten {
            shape: shape.to_vec(),
        }
    }
}

impl Layer for Unflatten {
    fn boxed_clone(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }

    fn describe(&self) -> String {
        format!("Unflatten(1, {:?})", self.shape)
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>, ShapeError> {
        let size: usize = self.shape.iter().product();
        match input {
            [batch, width] if *width == size => {
                let mut out = vec![*batch];
                out.extend(&self.shape);
                Ok(out)
            }
            _ => Err(ShapeError {
                layer: self.describe(),
                message: format!("needs [batch, {size}], got {input:?}"),
            }),
        }
    }

    fn forward(&mut self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        self.infer(x)
    }

    fn backward(&mut self, grad_y: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        // Only positions are renamed: the gradient is flattened back.
        let rows = grad_y.shape()[0];
        grad_y
            .as_standard_layout()
            .into_owned()
            .into_shape_with_order(IxDyn(&[rows, self.shape.iter().product()]))
            .expect("the gradient has the unflattened input's size")
    }

    fn infer(&self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let mut shape = vec![x.shape()[0]];
        shape.extend(&self.shape);
        x.as_standard_layout()
            .into_owned()
            .into_shape_with_order(IxDyn(&shape))
            .expect("[batch, product of the shape]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::activation::ReLU;
    use crate::nn::linear::Linear;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn names_follow_pytorchs_indices_and_shapes_chain() {
        let mut rng = StdRng::seed_from_u64(0);
        let net = Sequential::new()
            .with(Flatten::new())
            .with(Linear::new(12, 5, true, &mut rng))
            .with(ReLU::new())
            .with(Linear::new(5, 2, true, &mut rng));
        let mut names = Vec::new();
        net.visit_params(&mut |p| names.push(p.name.to_string()));
        assert_eq!(names, ["1.weight", "1.bias", "3.weight", "3.bias"]);
        assert_eq!(
            net.output_shapes(&[7, 3, 4]).unwrap(),
            vec![vec![7, 12], vec![7, 5], vec![7, 5], vec![7, 2]]
        );
        let err = net.output_shape(&[7, 13]).unwrap_err();
        assert_eq!(err.layer, "(1): Linear(12, 5)");
        assert_eq!(
            net.describe(),
            "Sequential(\n  (0): Flatten\n  (1): Linear(12, 5)\n  (2): ReLU\n  (3): Linear(5, 2)\n)"
        );
        assert_eq!(net.param_count(), 12 * 5 + 5 + 5 * 2 + 2);
    }

    #[test]
    fn unflatten_gives_rows_their_picture_shape_and_back() {
        let mut layer = Unflatten::new(&[1, 2, 3]);
        assert_eq!(layer.output_shape(&[4, 6]).unwrap(), vec![4, 1, 2, 3]);
        let err = layer.output_shape(&[4, 7]).unwrap_err();
        assert!(err.message.contains("[batch, 6]"), "{}", err.message);
        let x =
            ArrayD::from_shape_vec(IxDyn(&[2, 6]), (0..12).map(|v| v as f32).collect()).unwrap();
        let y = layer.forward(x.view());
        assert_eq!(y.shape(), &[2, 1, 2, 3]);
        assert_eq!(y[[1, 0, 1, 2]], 11.0);
        assert_eq!(y[[0, 0, 1, 0]], 3.0);
        let back = layer.backward(y.view());
        assert_eq!(back, x);
    }
}
