//! Attention of a fixture: kinds `attention` (scaled dot-product attention,
//! no parameters) and `multihead_attention` (`torch.nn.MultiheadAttention`
//! under its `state_dict` names). Both take `q` `[B, L, E]`, `k` and `v`
//! `[B, S, E]` (batch first; a `multihead_attention` fixture whose
//! `options.batch_first` is false gives them sequence first, `[L, B, E]`, as
//! PyTorch's default does). The result holds `out` and `weights` (averaged
//! over the heads), and for multi-head attention `weights_per_head`
//! `[B, heads, L, S]`.

use super::cells::{input, tensor};
use super::{Outputs, invalid};
use crate::model::weights;
use crate::model::{ModelError, Tensor, Weights};
use crate::nn::attention::{MultiheadAttention, scaled_dot_product};
use crate::nn::vars::VarBuilder;
use ndarray::{Array3, s};
use serde_json::{Map, Value};

/// Computes a fixture of kind `kind`; with `weights`, those replace the
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
    if kind == "attention" {
        return plain(inputs);
    }
    multihead(fixture, inputs, weights)
}

/// Input `name` as a 3-d array.
fn three(inputs: &Map<String, Value>, name: &str, what: &str) -> Result<Array3<f32>, ModelError> {
    let t: Tensor = input(inputs, name)?
        .ok_or_else(|| invalid(format!("the fixture's inputs have no `{name}` {what}")))?;
    let [a, b, c] = t.shape[..] else {
        return Err(invalid(format!(
            "input `{name}` has shape {:?}, expected {what}",
            t.shape
        )));
    };
    Array3::from_shape_vec((a, b, c), t.data).map_err(|e| invalid(format!("input `{name}`: {e}")))
}

fn plain(inputs: &Map<String, Value>) -> Result<Outputs, ModelError> {
    let q = three(inputs, "q", "[B, L, E]")?;
    let k = three(inputs, "k", "[B, S, E]")?;
    let v = three(inputs, "v", "[B, S, Ev]")?;
    let (batch, l, e) = q.dim();
    let (kb, s_len, ke) = k.dim();
    let (vb, vs, ev) = v.dim();
    if kb != batch || vb != batch {
        return Err(invalid(format!(
            "q, k and v have batches {batch}, {kb} and {vb}"
        )));
    }
    if ke != e {
        return Err(invalid(format!(
            "q has {e} features and k {ke}: a score is their dot product"
        )));
    }
    if vs != s_len {
        return Err(invalid(format!("k has {s_len} positions and v {vs}")));
    }
    let mut out = Array3::zeros((batch, l, ev));
    let mut weights = Array3::zeros((batch, l, s_len));
    for b in 0..batch {
        let (y, a) = scaled_dot_product(
            q.slice(s![b, .., ..]),
            k.slice(s![b, .., ..]),
            v.slice(s![b, .., ..]),
        );
        out.slice_mut(s![b, .., ..]).assign(&y);
        weights.slice_mut(s![b, .., ..]).assign(&a);
    }
    Ok(vec![
        ("weights".into(), tensor(weights)),
        ("out".into(), tensor(out)),
    ])
}

fn multihead(
    fixture: &Value,
    inputs: &Map<String, Value>,
    weights: Option<&Weights>,
) -> Result<Outputs, ModelError> {
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
    let option = |name: &str| fixture.pointer(&format!("/options/{name}"));
    let heads =
        match option("num_heads") {
            None => return Err(invalid("the fixture's options have no `num_heads`".into())),
            Some(v) => v.as_u64().filter(|&h| h > 0).ok_or_else(|| {
                invalid(format!("options.num_heads is {v}, not a positive integer"))
            })? as usize,
        };
    let batch_first = match option("batch_first") {
        None => false,
        Some(v) => v
            .as_bool()
            .ok_or_else(|| invalid(format!("options.batch_first is {v}, not true or false")))?,
    };
    if let Some(p) = option("dropout")
        && p.as_f64() != Some(0.0)
    {
        return Err(invalid(format!(
            "options.dropout is {p}: nnzoo computes attention without dropout (0)"
        )));
    }
    let embed_dim = weights
        .get("in_proj_weight")
        .and_then(|t| t.shape.get(1).copied())
        .ok_or_else(|| invalid("the fixture's params have no `in_proj_weight` [3E, E]".into()))?;
    if let Some(v) = option("embed_dim")
        && v.as_u64() != Some(embed_dim as u64)
    {
        return Err(invalid(format!(
            "options.embed_dim is {v} but `in_proj_weight` is [3·{embed_dim}, {embed_dim}]"
        )));
    }
    let vb = VarBuilder::from_weights(weights);
    let mha = MultiheadAttention::new(embed_dim, heads, &vb).map_err(|e| match e {
        ModelError::Weights(m) => invalid(m),
        other => other,
    })?;
    vb.finish()?;
    // Batch first, whichever way the fixture lays them out.
    let order = |x: Array3<f32>| {
        if batch_first {
            x
        } else {
            x.permuted_axes([1, 0, 2]).as_standard_layout().into_owned()
        }
    };
    let layout = if batch_first {
        "[B, L, E]"
    } else {
        "[L, B, E]"
    };
    let q = order(three(inputs, "q", layout)?);
    let k = order(three(inputs, "k", layout)?);
    let v = order(three(inputs, "v", layout)?);
    mha.check_shapes(q.shape(), k.shape(), v.shape())
        .map_err(|e| invalid(e.to_string()))?;
    let attended = mha.infer(q.view(), k.view(), v.view());
    let averaged = attended.averaged_weights();
    let out = if batch_first {
        attended.out
    } else {
        attended
            .out
            .permuted_axes([1, 0, 2])
            .as_standard_layout()
            .into_owned()
    };
    Ok(vec![
        ("out".into(), tensor(out)),
        ("weights".into(), tensor(averaged)),
        ("weights_per_head".into(), tensor(attended.weights)),
    ])
}
