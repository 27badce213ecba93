//! Networks with memory: `ntm_addressing`, one step of one Neural Turing
//! Machine head (content weighting, interpolation, shift, sharpening, the
//! read and the write), computed in f64 by `model::memory::addressing`.

use super::{Outputs, flatten, invalid};
use crate::model::memory::addressing::{self, Head};
use crate::model::{ModelError, Tensor};
use ndarray::{Array1, Array2};
use serde_json::{Map, Value};

pub fn evaluate(
    kind: &str,
    fixture: &Value,
    _weights: Option<&crate::model::Weights>,
) -> Result<Outputs, ModelError> {
    let inputs = fixture
        .get("inputs")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid("the fixture has no `inputs` object".into()))?;
    match kind {
        "ntm_addressing" => ntm_addressing(inputs),
        other => Err(invalid(format!("`{other}` is not a memory kind"))),
    }
}

/// Input `name` as (shape, values).
fn values(inputs: &Map<String, Value>, name: &str) -> Result<(Vec<usize>, Vec<f64>), ModelError> {
    let value = inputs
        .get(name)
        .ok_or_else(|| invalid(format!("input `{name}` is missing")))?;
    flatten(value).ok_or_else(|| invalid(format!("input `{name}` is not a tensor or a number")))
}

fn vector(
    inputs: &Map<String, Value>,
    name: &str,
    len: Option<usize>,
) -> Result<Array1<f64>, ModelError> {
    let (shape, data) = values(inputs, name)?;
    if shape.len() != 1 || len.is_some_and(|n| n != shape[0]) {
        return Err(invalid(match len {
            Some(n) => format!("input `{name}` has shape {shape:?}; expected [{n}]"),
            None => format!("input `{name}` has shape {shape:?}; expected a vector"),
        }));
    }
    Ok(Array1::from(data))
}

fn scalar(inputs: &Map<String, Value>, name: &str) -> Result<f64, ModelError> {
    let (shape, data) = values(inputs, name)?;
    match data.as_slice() {
        [v] if shape.iter().all(|&d| d == 1) && v.is_finite() => Ok(*v),
        _ => Err(invalid(format!("input `{name}` must be one finite number"))),
    }
}

fn tensor(shape: Vec<usize>, data: impl Iterator<Item = f64>) -> Tensor {
    Tensor {
        shape,
        data: data.map(|v| v as f32).collect(),
    }
}

fn ntm_addressing(inputs: &Map<String, Value>) -> Result<Outputs, ModelError> {
    let (shape, data) = values(inputs, "M")?;
    let [rows, width] = shape[..] else {
        return Err(invalid(format!(
            "input `M` has shape {shape:?}; expected [N, W]"
        )));
    };
    if rows < 3 || width == 0 {
        return Err(invalid(format!(
            "input `M` has shape {shape:?}; a shift over (-1, 0, +1) needs N ≥ 3 rows, and W ≥ 1"
        )));
    }
    let memory = Array2::from_shape_vec((rows, width), data).map_err(|_| {
        invalid(format!(
            "input `M`'s data does not fill its shape {shape:?}"
        ))
    })?;
    let s = vector(inputs, "s", Some(3))?;
    let head = Head {
        key: vector(inputs, "k", Some(width))?,
        strength: scalar(inputs, "beta")?,
        gate: scalar(inputs, "g")?,
        shift: [s[0], s[1], s[2]],
        sharpening: scalar(inputs, "gamma")?,
    };
    let previous = vector(inputs, "w_prev", Some(rows))?;
    let erase = vector(inputs, "erase", Some(width))?;
    let add = vector(inputs, "add", Some(width))?;
    let a = addressing::address(memory.view(), &head, previous.view());
    let w = a.weighting.view();
    let read = addressing::read(memory.view(), w);
    let erased = addressing::erase(memory.view(), w, erase.view());
    let new_memory = addressing::add(erased.view(), w, add.view());
    let vec_out =
        |name: &str, v: &Array1<f64>| (name.to_string(), tensor(vec![v.len()], v.iter().copied()));
    Ok(vec![
        vec_out("K", &a.similarity),
        vec_out("w_c", &a.content),
        vec_out("w_g", &a.interpolated),
        vec_out("w_tilde", &a.shifted),
        vec_out("w", &a.weighting),
        vec_out("r", &read),
        (
            "M_erased".into(),
            tensor(vec![rows, width], erased.iter().copied()),
        ),
        (
            "M_new".into(),
            tensor(vec![rows, width], new_memory.iter().copied()),
        ),
    ])
}
