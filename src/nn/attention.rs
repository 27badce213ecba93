//! Scaled dot-product attention and multi-head attention, with their
//! backward passes.
//!
//! A. Vaswani et al., "Attention Is All You Need", NIPS 2017, section 3.2:
//!
//! ```text
//! Attention(Q, K, V) = softmax(Q Kᵀ / √d_k) V
//! MultiHead(Q, K, V) = [head_1 ; … ; head_h] W_O + b_O
//! head_i = Attention(Q W_i^Q + b_i^Q, K W_i^K + b_i^K, V W_i^V + b_i^V)
//! ```
//!
//! Reference: PyTorch `torch.nn.functional.scaled_dot_product_attention`
//! and `torch.nn.MultiheadAttention`
//! (<https://pytorch.org/docs/stable/generated/torch.nn.MultiheadAttention.html>)
//! with `batch_first=True`: queries `[B, L, E]`, keys and values `[B, S, E]`.
//! Its `state_dict` names are kept: `in_proj_weight` `[3E, E]` holds the
//! query, key and value projections as row blocks in that order,
//! `in_proj_bias` `[3E]` likewise, and `out_proj.weight`, `out_proj.bias`
//! are a `Linear(E, E)`. Head i reads the contiguous slice
//! `i·E/h .. (i+1)·E/h` of the projected features. No dropout, no mask:
//! every query sees every key.
//!
//! The backward pass is written from the shared pieces: the products of
//! [`super::linear`] for the projections, [`super::activation::softmax_backward`]
//! for the weights, and for Y = A V with A = softmax(S), S = Q Kᵀ/√d:
//!
//! ```text
//! dV = Aᵀ dY        dA = dY Vᵀ        dS = softmax_backward(A, dA)
//! dQ = dS K / √d    dK = dSᵀ Q / √d
//! ```

use super::activation::{softmax_backward, softmax_rows};
use super::vars::{Init, VarBuilder};
use super::{Layer, ParamMut, ParamRef, ShapeError, linear};
use crate::model::ModelError;
use ndarray::{
    Array1, Array2, Array3, Array4, ArrayD, ArrayView2, ArrayView3, ArrayViewD, Axis, Ix3, s,
};

/// Y = softmax(Q Kᵀ / √d) V for q `[L, d]`, k `[S, d]`, v `[S, d_v]`:
/// (Y `[L, d_v]`, the weights A `[L, S]`, each row summing to one).
pub fn scaled_dot_product(
    q: ArrayView2<'_, f32>,
    k: ArrayView2<'_, f32>,
    v: ArrayView2<'_, f32>,
) -> (Array2<f32>, Array2<f32>) {
    let scale = 1.0 / (q.ncols() as f32).sqrt();
    let scores = q.dot(&k.t()) * scale;
    let weights = softmax_rows(scores.view());
    (weights.dot(&v), weights)
}

/// The gradients of [`scaled_dot_product`] given dL/dY and the weights A
/// of its forward pass: (dL/dq, dL/dk, dL/dv).
pub fn scaled_dot_product_backward(
    q: ArrayView2<'_, f32>,
    k: ArrayView2<'_, f32>,
    v: ArrayView2<'_, f32>,
    weights: ArrayView2<'_, f32>,
    grad_y: ArrayView2<'_, f32>,
) -> (Array2<f32>, Array2<f32>, Array2<f32>) {
    let scale = 1.0 / (q.ncols() as f32).sqrt();
    // Y = A V: each value row is read with the weight its query gave it.
    let grad_v = weights.t().dot(&grad_y);
    let grad_weights = grad_y.dot(&v.t());
    // A = softmax(S), row by row.
    let grad_scores = softmax_backward(weights, grad_weights.view());
    // S = q kᵀ · scale.
    let grad_q = grad_scores.dot(&k) * scale;
    let grad_k = grad_scores.t().dot(&q) * scale;
    (grad_q, grad_k, grad_v)
}

/// What one pass of multi-head attention gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Attended {
    /// `[B, L, E]`.
    pub out: Array3<f32>,
    /// Every head's weights `[B, heads, L, S]`.
    pub weights: Array4<f32>,
}

impl Attended {
    /// The weights averaged over the heads `[B, L, S]`, as PyTorch returns
    /// them by default (`average_attn_weights=True`).
    pub fn averaged_weights(&self) -> Array3<f32> {
        self.weights.mean_axis(Axis(1)).expect("at least one head")
    }
}

/// What the backward pass needs of a forward pass.
#[derive(Debug, Clone)]
struct Cache {
    /// The inputs `[B, L, E]`, `[B, S, E]`, `[B, S, E]`.
    query: Array3<f32>,
    key: Array3<f32>,
    value: Array3<f32>,
    /// Their projections Q, K, V, same shapes.
    q: Array3<f32>,
    k: Array3<f32>,
    v: Array3<f32>,
    weights: Array4<f32>,
    /// The heads' outputs side by side `[B, L, E]`, before `out_proj`.
    heads: Array3<f32>,
}

/// Multi-head attention with its parameters, their gradients and the
/// cache of its last training pass.
#[derive(Debug, Clone)]
pub struct MultiheadAttention {
    pub heads: usize,
    /// `[3E, E]`: rows `0..E` project the query, `E..2E` the key, `2E..3E`
    /// the value.
    pub in_proj_weight: Array2<f32>,
    pub in_proj_bias: Array1<f32>,
    pub out_proj: linear::Linear,
    pub grad_in_proj_weight: Array2<f32>,
    pub grad_in_proj_bias: Array1<f32>,
    cache: Option<Cache>,
}

impl MultiheadAttention {
    /// PyTorch's initialisation: `in_proj_weight` Xavier-uniform, U(±√(6 /
    /// (E + 3E))); `out_proj.weight` U(±1/√E); both biases zero.
    pub fn new(embed_dim: usize, heads: usize, vb: &VarBuilder<'_>) -> Result<Self, ModelError> {
        if heads == 0 || !embed_dim.is_multiple_of(heads) {
            return Err(ModelError::Weights(format!(
                "MultiheadAttention: embed_dim {embed_dim} is not divisible by {heads} heads"
            )));
        }
        let e = embed_dim;
        let xavier = (6.0 / (4 * e) as f32).sqrt();
        let in_proj_weight = vb.get2("in_proj_weight", (3 * e, e), Init::Uniform(xavier))?;
        let in_proj_bias = vb.get1("in_proj_bias", 3 * e, Init::Zeros)?;
        let out = vb.pp("out_proj");
        let bound = super::init::default_bound(e);
        let weight = out.get2("weight", (e, e), Init::Uniform(bound))?;
        let bias = out.get1("bias", e, Init::Zeros)?;
        Ok(MultiheadAttention {
            heads,
            grad_in_proj_weight: Array2::zeros(in_proj_weight.raw_dim()),
            grad_in_proj_bias: Array1::zeros(in_proj_bias.raw_dim()),
            in_proj_weight,
            in_proj_bias,
            out_proj: linear::Linear::from_parts(weight, Some(bias)),
            cache: None,
        })
    }

    /// E, the width of queries, keys, values and the output.
    pub fn embed_dim(&self) -> usize {
        self.in_proj_weight.ncols()
    }

    /// E / heads, the width each head works in.
    pub fn head_dim(&self) -> usize {
        self.embed_dim() / self.heads
    }

    /// Checks that query `[B, L, E]`, key and value `[B, S, E]` fit.
    pub fn check_shapes(
        &self,
        query: &[usize],
        key: &[usize],
        value: &[usize],
    ) -> Result<(), ShapeError> {
        let e = self.embed_dim();
        let fail = |message: String| {
            Err(ShapeError {
                layer: self.describe_layer(),
                message,
            })
        };
        for (name, shape) in [("query", query), ("key", key), ("value", value)] {
            if shape.len() != 3 || shape[2] != e {
                return fail(format!("{name} must be [B, *, {e}], was {shape:?}"));
            }
        }
        if query[0] != key[0] || key[0] != value[0] {
            return fail(format!(
                "query, key and value have batches {}, {} and {}",
                query[0], key[0], value[0]
            ));
        }
        if key[1] != value[1] {
            return fail(format!(
                "key has {} positions and value {}",
                key[1], value[1]
            ));
        }
        Ok(())
    }

    fn describe_layer(&self) -> String {
        format!("MultiheadAttention({}, {})", self.embed_dim(), self.heads)
    }

    /// The query, key or value projection (`block` 0, 1, 2) of `x` `[B, N, E]`.
    fn project(&self, x: ArrayView3<'_, f32>, block: usize) -> Array3<f32> {
        let e = self.embed_dim();
        let rows = block * e..(block + 1) * e;
        let (b, n, _) = x.dim();
        let flat = x
            .as_standard_layout()
            .into_owned()
            .into_shape_with_order((b * n, e))
            .expect("the same values");
        linear::forward(
            flat.view(),
            self.in_proj_weight.slice(s![rows.clone(), ..]),
            Some(self.in_proj_bias.slice(s![rows])),
        )
        .into_shape_with_order((b, n, e))
        .expect("the same values")
    }

    fn run(
        &self,
        query: ArrayView3<'_, f32>,
        key: ArrayView3<'_, f32>,
        value: ArrayView3<'_, f32>,
    ) -> (Attended, Cache) {
        let (batch, l, e) = query.dim();
        let s_len = key.dim().1;
        let d = self.head_dim();
        let q = self.project(query, 0);
        let k = self.project(key, 1);
        let v = self.project(value, 2);
        let mut weights = Array4::zeros((batch, self.heads, l, s_len));
        let mut heads = Array3::zeros((batch, l, e));
        for b in 0..batch {
            for h in 0..self.heads {
                let cols = h * d..(h + 1) * d;
                let (y, a) = scaled_dot_product(
                    q.slice(s![b, .., cols.clone()]),
                    k.slice(s![b, .., cols.clone()]),
                    v.slice(s![b, .., cols.clone()]),
                );
                heads.slice_mut(s![b, .., cols.clone()]).assign(&y);
                weights.slice_mut(s![b, h, .., ..]).assign(&a);
            }
        }
        let flat = heads
            .view()
            .into_shape_with_order((batch * l, e))
            .expect("standard layout");
        let out = linear::forward(
            flat,
            self.out_proj.weight.view(),
            self.out_proj.bias.as_ref().map(|b| b.view()),
        )
        .into_shape_with_order((batch, l, e))
        .expect("the same values");
        let attended = Attended {
            out,
            weights: weights.clone(),
        };
        let cache = Cache {
            query: query.to_owned(),
            key: key.to_owned(),
            value: value.to_owned(),
            q,
            k,
            v,
            weights,
            heads,
        };
        (attended, cache)
    }

    /// Training pass, keeping what [`MultiheadAttention::backward`] needs.
    /// The shapes must fit ([`MultiheadAttention::check_shapes`]).
    pub fn forward(
        &mut self,
        query: ArrayView3<'_, f32>,
        key: ArrayView3<'_, f32>,
        value: ArrayView3<'_, f32>,
    ) -> Attended {
        let (attended, cache) = self.run(query, key, value);
        self.cache = Some(cache);
        attended
    }

    /// Inference pass, nothing kept.
    pub fn infer(
        &self,
        query: ArrayView3<'_, f32>,
        key: ArrayView3<'_, f32>,
        value: ArrayView3<'_, f32>,
    ) -> Attended {
        self.run(query, key, value).0
    }

    /// Given dL/d(out) `[B, L, E]` of the last [`MultiheadAttention::forward`],
    /// adds the gradient of every parameter and returns (dL/dquery,
    /// dL/dkey, dL/dvalue). Before any forward pass it returns zeros of
    /// the shape of `grad_out` and changes nothing.
    pub fn backward(
        &mut self,
        grad_out: ArrayView3<'_, f32>,
    ) -> (Array3<f32>, Array3<f32>, Array3<f32>) {
        let Some(cache) = self.cache.take() else {
            let zeros = Array3::zeros(grad_out.raw_dim());
            return (zeros.clone(), zeros.clone(), zeros);
        };
        let (batch, l, e) = cache.query.dim();
        let s_len = cache.key.dim().1;
        let d = self.head_dim();
        // out = heads W_Oᵀ + b_O.
        let grad_out = grad_out
            .as_standard_layout()
            .into_owned()
            .into_shape_with_order((batch * l, e))
            .expect("[B, L, E]");
        let heads = cache
            .heads
            .view()
            .into_shape_with_order((batch * l, e))
            .expect("standard layout");
        linear::accumulate_param_grads(
            heads,
            grad_out.view(),
            self.out_proj.grad_weight.view_mut(),
            self.out_proj.grad_bias.as_mut().map(|g| g.view_mut()),
        );
        let grad_heads = linear::input_grad(self.out_proj.weight.view(), grad_out.view())
            .into_shape_with_order((batch, l, e))
            .expect("[B, L, E]");
        // Each head's attention, back to its slice of Q, K and V.
        let mut grad_q = Array3::zeros((batch, l, e));
        let mut grad_k = Array3::zeros((batch, s_len, e));
        let mut grad_v = Array3::zeros((batch, s_len, e));
        for b in 0..batch {
            for h in 0..self.heads {
                let cols = h * d..(h + 1) * d;
                let (gq, gk, gv) = scaled_dot_product_backward(
                    cache.q.slice(s![b, .., cols.clone()]),
                    cache.k.slice(s![b, .., cols.clone()]),
                    cache.v.slice(s![b, .., cols.clone()]),
                    cache.weights.slice(s![b, h, .., ..]),
                    grad_heads.slice(s![b, .., cols.clone()]),
                );
                grad_q.slice_mut(s![b, .., cols.clone()]).assign(&gq);
                grad_k.slice_mut(s![b, .., cols.clone()]).assign(&gk);
                grad_v.slice_mut(s![b, .., cols.clone()]).assign(&gv);
            }
        }
        // Q = query W_Qᵀ + b_Q, and likewise K and V with their row blocks.
        let mut inputs = Vec::with_capacity(3);
        for (block, (x, grad)) in [
            (&cache.query, grad_q),
            (&cache.key, grad_k),
            (&cache.value, grad_v),
        ]
        .into_iter()
        .enumerate()
        {
            let (b, n, _) = x.dim();
            let rows = block * e..(block + 1) * e;
            let x = x
                .view()
                .into_shape_with_order((b * n, e))
                .expect("standard layout");
            let grad = grad.into_shape_with_order((b * n, e)).expect("[B, N, E]");
            linear::accumulate_param_grads(
                x,
                grad.view(),
                self.grad_in_proj_weight.slice_mut(s![rows.clone(), ..]),
                Some(self.grad_in_proj_bias.slice_mut(s![rows.clone()])),
            );
            let grad_x = linear::input_grad(self.in_proj_weight.slice(s![rows, ..]), grad.view());
            inputs.push(
                grad_x
                    .into_shape_with_order((b, n, e))
                    .expect("the same values"),
            );
        }
        let grad_value = inputs.pop().expect("three blocks");
        let grad_key = inputs.pop().expect("three blocks");
        let grad_query = inputs.pop().expect("three blocks");
        (grad_query, grad_key, grad_value)
    }

    /// Every learnt tensor under its `state_dict` name.
    pub fn visit(&mut self, visit: &mut dyn FnMut(ParamMut<'_>)) {
        visit(ParamMut {
            name: "in_proj_weight",
            value: self.in_proj_weight.view_mut().into_dyn(),
            grad: self.grad_in_proj_weight.view_mut().into_dyn(),
        });
        visit(ParamMut {
            name: "in_proj_bias",
            value: self.in_proj_bias.view_mut().into_dyn(),
            grad: self.grad_in_proj_bias.view_mut().into_dyn(),
        });
        self.out_proj.visit_params_mut(&mut |p| {
            let name = format!("out_proj.{}", p.name);
            visit(ParamMut {
                name: &name,
                value: p.value,
                grad: p.grad,
            })
        });
    }
}

/// As a [`Layer`], multi-head attention is self-attention: the input
/// `[B, L, E]` is the query, the key and the value at once, so its gradient
/// is the sum of the three.
impl Layer for MultiheadAttention {
    fn boxed_clone(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }

    fn describe(&self) -> String {
        self.describe_layer()
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>, ShapeError> {
        self.check_shapes(input, input, input)?;
        Ok(input.to_vec())
    }

    fn forward(&mut self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let x = x.into_dimensionality::<Ix3>().expect("[B, L, E]");
        MultiheadAttention::forward(self, x, x, x).out.into_dyn()
    }

    fn backward(&mut self, grad_y: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let grad_y = grad_y.into_dimensionality::<Ix3>().expect("[B, L, E]");
        let (q, k, v) = MultiheadAttention::backward(self, grad_y);
        (q + k + v).into_dyn()
    }

    fn infer(&self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let x = x.into_dimensionality::<Ix3>().expect("[B, L, E]");
        MultiheadAttention::infer(self, x, x, x).out.into_dyn()
    }

    fn visit_params_mut(&mut self, visit: &mut dyn FnMut(ParamMut<'_>)) {
        self.visit(visit);
    }

    fn visit_params(&self, visit: &mut dyn FnMut(ParamRef<'_>)) {
        visit(ParamRef {
            name: "in_proj_weight",
            value: self.in_proj_weight.view().into_dyn(),
            grad: self.grad_in_proj_weight.view().into_dyn(),
        });
        visit(ParamRef {
            name: "in_proj_bias",
            value: self.in_proj_bias.view().into_dyn(),
            grad: self.grad_in_proj_bias.view().into_dyn(),
        });
        self.out_proj.visit_params(&mut |p| {
            let name = format!("out_proj.{}", p.name);
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
    use ndarray::array;

    #[test]
    fn one_key_takes_all_the_weight_and_its_value_comes_out() {
        let q = array![[1.0f32, 0.0]];
        let k = array![[0.0f32, 0.0], [0.0, 0.0]];
        let v = array![[1.0f32, 2.0], [3.0, 4.0]];
        // Equal scores: an even mix.
        let (y, a) = scaled_dot_product(q.view(), k.view(), v.view());
        assert_eq!(a, array![[0.5f32, 0.5]]);
        assert_eq!(y, array![[2.0f32, 3.0]]);
        // A key far along the query wins.
        let k = array![[40.0f32, 0.0], [0.0, 0.0]];
        let (y, a) = scaled_dot_product(q.view(), k.view(), v.view());
        assert!(a[[0, 0]] > 0.999_999);
        assert!((y[[0, 0]] - 1.0).abs() < 1e-5 && (y[[0, 1]] - 2.0).abs() < 1e-5);
    }

    #[test]
    fn heads_must_divide_the_width() {
        let vb = VarBuilder::seeded(1);
        let err = MultiheadAttention::new(6, 4, &vb).unwrap_err().to_string();
        assert!(err.contains("not divisible by 4 heads"), "{err}");
        let mha = MultiheadAttention::new(8, 2, &vb).unwrap();
        assert_eq!(mha.head_dim(), 4);
        assert!(mha.check_shapes(&[2, 3, 8], &[2, 5, 8], &[2, 5, 8]).is_ok());
        let err = mha
            .check_shapes(&[2, 3, 8], &[2, 5, 8], &[2, 4, 8])
            .unwrap_err();
        assert!(err.message.contains("key has 5 positions and value 4"));
        assert!(
            mha.check_shapes(&[2, 3, 7], &[2, 5, 8], &[2, 5, 8])
                .is_err()
        );
    }
}
