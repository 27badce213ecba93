//! A table of learnt vectors, one per token, with its backward pass.
//!
//! Reference: PyTorch `torch.nn.Embedding`
//! (<https://pytorch.org/docs/stable/generated/torch.nn.Embedding.html>):
//! `weight` is `[num_embeddings, embedding_dim]`, drawn from N(0, 1). Looking
//! token k up is multiplying its one-hot vector by the table, so the
//! gradient of row k is the sum of dL/dy over the places k was looked up.

use super::{ParamMut, ParamRef};
use ndarray::{Array2, ArrayView2};
use rand::Rng;

/// y = weight[token] for every token.
pub fn forward(weight: ArrayView2<'_, f32>, tokens: &[usize]) -> Array2<f32> {
    let mut y = Array2::zeros((tokens.len(), weight.ncols()));
    for (mut row, &token) in y.rows_mut().into_iter().zip(tokens) {
        row.assign(&weight.row(token));
    }
    y
}

/// A lookup table with its gradient.
#[derive(Debug, Clone)]
pub struct Embedding {
    /// `[tokens, dim]`, as PyTorch stores it.
    pub weight: Array2<f32>,
    pub grad_weight: Array2<f32>,
}

impl Embedding {
    /// A table of `count` vectors of `dim` values from N(0, 1), as PyTorch
    /// initialises it (by the Box-Muller transform of uniform draws).
    pub fn new(count: usize, dim: usize, rng: &mut impl Rng) -> Embedding {
        let weight = Array2::from_shape_simple_fn((count, dim), || {
            let u1: f64 = rng.random_range(f64::MIN_POSITIVE..1.0);
            let u2: f64 = rng.random();
            ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()) as f32
        });
        Embedding {
            grad_weight: Array2::zeros(weight.raw_dim()),
            weight,
        }
    }

    pub fn count(&self) -> usize {
        self.weight.nrows()
    }

    pub fn dim(&self) -> usize {
        self.weight.ncols()
    }

    /// The vectors of `tokens`, `[tokens.len(), dim]`.
    ///
    /// # Panics
    /// If a token is not below [`Embedding::count`] (a model checks its
    /// text against its vocabulary when it is built).
    pub fn forward(&self, tokens: &[usize]) -> Array2<f32> {
        forward(self.weight.view(), tokens)
    }

    /// Adds dL/dweight for dL/dy `[tokens.len(), dim]` of a lookup of
    /// `tokens`: each row of the gradient goes to its token's row.
    pub fn backward(&mut self, tokens: &[usize], grad_y: ArrayView2<'_, f32>) {
        for (row, &token) in grad_y.rows().into_iter().zip(tokens) {
            let mut target = self.grad_weight.row_mut(token);
            target += &row;
        }
    }

    /// Visits the table with its gradient (`weight`).
    pub fn visit_params_mut(&mut self, visit: &mut dyn FnMut(ParamMut<'_>)) {
        visit(ParamMut {
            name: "weight",
            value: self.weight.view_mut().into_dyn(),
            grad: self.grad_weight.view_mut().into_dyn(),
        });
    }

    pub fn visit_params(&self, visit: &mut dyn FnMut(ParamRef<'_>)) {
        visit(ParamRef {
            name: "weight",
            value: self.weight.view().into_dyn(),
            grad: self.grad_weight.view().into_dyn(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn a_token_seen_twice_gathers_both_gradients() {
        let mut table = Embedding {
            weight: array![[1.0f32, 2.0], [3.0, 4.0], [5.0, 6.0]],
            grad_weight: Array2::zeros((3, 2)),
        };
        let y = table.forward(&[2, 0, 2]);
        assert_eq!(y, array![[5.0, 6.0], [1.0, 2.0], [5.0, 6.0]]);
        table.backward(
            &[2, 0, 2],
            array![[1.0, 0.0], [0.5, 0.5], [2.0, -1.0]].view(),
        );
        assert_eq!(
            table.grad_weight,
            array![[0.5, 0.5], [0.0, 0.0], [3.0, -1.0]]
        );
    }
}
