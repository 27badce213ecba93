//! A residual block: y = relu(x + F(x)), with F any stack of layers that
//! keeps the shape of its input.
//!
//! He, Zhang, Ren and Sun, "Deep residual learning for image recognition",
//! CVPR 2016, eq. (1) with the ReLU after the addition (their Fig. 2), here
//! without batch normalisation. F is usually two weight layers with a ReLU
//! between them: `conv2(relu(conv1(x)))` in a convolutional network,
//! `W₂ relu(W₁ x)` in a dense one.
//!
//! ```text
//! s = x + F(x)                 the skip connection adds the input back
//! y = relu(s)
//! dL/ds = dL/dy ⊙ [s > 0]
//! dL/dx = dL/ds + (∂F/∂x)ᵀ dL/ds   the skip carries dL/ds straight through
//! ```
//!
//! The parameters are F's under the prefix `body.` (as a PyTorch module
//! holding `self.body = nn.Sequential(...)` names them: `body.0.weight`).

use super::activation::{relu, relu_backward};
use super::sequential::Sequential;
use super::{Layer, ParamMut, ParamRef, ShapeError};
use ndarray::{ArrayD, ArrayViewD};
use std::fmt::Write;

/// relu(x + F(x)) around the layers of F.
#[derive(Clone)]
pub struct Residual {
    body: Sequential,
    cache: Option<Cache>,
}

/// What the last forward pass computed.
#[derive(Clone)]
struct Cache {
    input: ArrayD<f32>,
    /// F(x): what the block adds to its input.
    residual: ArrayD<f32>,
    /// x + F(x), before the ReLU.
    sum: ArrayD<f32>,
}

impl Residual {
    /// A block adding `body`'s output to its input.
    pub fn new(body: Sequential) -> Residual {
        Residual { body, cache: None }
    }

    /// The layers of F.
    pub fn body(&self) -> &Sequential {
        &self.body
    }

    /// The block's input in the last forward pass.
    pub fn input(&self) -> Option<&ArrayD<f32>> {
        self.cache.as_ref().map(|c| &c.input)
    }

    /// F(x) in the last forward pass.
    pub fn residual(&self) -> Option<&ArrayD<f32>> {
        self.cache.as_ref().map(|c| &c.residual)
    }

    /// x + F(x) in the last forward pass, before the ReLU.
    pub fn sum(&self) -> Option<&ArrayD<f32>> {
        self.cache.as_ref().map(|c| &c.sum)
    }
}

impl Layer for Residual {
    fn boxed_clone(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }

    /// `Residual(` then F's layers, one per line, then `)`.
    fn describe(&self) -> String {
        let mut text = String::from("Residual(\n");
        for (i, layer) in self.body.layers().iter().enumerate() {
            let _ = writeln!(text, "  ({i}): {}", layer.describe());
        }
        text.push(')');
        text
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>, ShapeError> {
        let shape = self.body.output_shape(input)?;
        if shape != input {
            return Err(ShapeError {
                layer: "Residual".into(),
                message: format!(
                    "F maps {input:?} to {shape:?}; the skip connection needs the same shape"
                ),
            });
        }
        Ok(shape)
    }

    fn forward(&mut self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let residual = self.body.forward(x.view());
        let sum = &x + &residual;
        let y = sum.mapv(relu);
        self.cache = Some(Cache {
            input: x.to_owned(),
            residual,
            sum,
        });
        y
    }

    fn backward(&mut self, grad_y: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let cache = self.cache.as_ref().expect("backward after forward");
        // y = relu(s): dL/ds = dL/dy where s > 0 (0 at s = 0, as PyTorch);
        // s > 0 exactly where relu(s) > 0, so s serves as the output.
        let grad_sum = relu_backward(cache.sum.view(), grad_y);
        // s = x + F(x): the skip gives dL/ds to x as it is, F its own share.
        let grad_through_f = self.body.backward(grad_sum.view());
        grad_sum + grad_through_f
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }

    fn infer(&self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        (&x + &self.body.infer(x.view())).mapv(relu)
    }

    fn visit_params_mut(&mut self, visit: &mut dyn FnMut(ParamMut<'_>)) {
        let mut name = String::new();
        self.body.visit_params_mut(&mut |p| {
            name.clear();
            let _ = write!(name, "body.{}", p.name);
            visit(ParamMut {
                name: &name,
                value: p.value,
                grad: p.grad,
            })
        });
    }

    fn visit_params(&self, visit: &mut dyn FnMut(ParamRef<'_>)) {
        let mut name = String::new();
        self.body.visit_params(&mut |p| {
            name.clear();
            let _ = write!(name, "body.{}", p.name);
            visit(ParamRef {
                name: &name,
                value: p.value,
                grad: p.grad,
            })
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::activation::ReLU;
    use crate::nn::gradcheck::check_layer;
    use crate::nn::linear::Linear;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn a_body_that_changes_the_shape_is_refused() {
        let mut rng = StdRng::seed_from_u64(1);
        let block = Residual::new(Sequential::new().with(Linear::new(4, 3, true, &mut rng)));
        let e = block.output_shape(&[2, 4]).unwrap_err();
        assert!(e.message.contains("same shape"), "{e}");
    }

    #[test]
    fn dense_block_gradients_match_finite_differences() {
        let mut rng = StdRng::seed_from_u64(2);
        let body = Sequential::new()
            .with(Linear::new(5, 5, true, &mut rng))
            .with(ReLU::new())
            .with(Linear::new(5, 5, true, &mut rng));
        let mut block = Residual::new(body);
        let x = ArrayD::from_shape_fn(ndarray::IxDyn(&[3, 5]), |i| {
            ((i[0] * 5 + i[1]) as f32 * 0.37).sin()
        });
        check_layer(&mut block, &x, 1e-2, 3).assert_below(2e-2);
    }
}
