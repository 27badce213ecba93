//! Networks with memory: `ntm_addressing`, one step of one Neural Turing
//! Machine head (content weighting, interpolation, shift, sharpening, the
//! read and the write), computed in f64 by `model::memory::addressing`; and
//! `dnc_allocation`, a few steps of the Differentiable Neural Computer's
//! memory bookkeeping (retention, usage, free list, allocation, write
//! weighting, temporal link, precedence, forward and backward weightings),
//! computed by `model::memory::dnc_addressing`.

use super::{Outputs, flatten, invalid};
use crate::model::memory::addressing::{self, Head};
use crate::model::memory::dnc_addressing as dnc;
use crate::model::{ModelError, Tensor};
use ndarray::{Array1, Array2, Array3, ArrayD, IxDyn};
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
        "dnc_allocation" => dnc_allocation(inputs),
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

/// Input `name` as an array of exactly `shape`.
fn array(
    inputs: &Map<String, Value>,
    name: &str,
    shape: &[usize],
) -> Result<ArrayD<f64>, ModelError> {
    let (got, data) = values(inputs, name)?;
    // A scalar per step may come as [T] or [T, 1].
    let squeezed: Vec<usize> = got.iter().copied().filter(|&d| d != 1).collect();
    let wanted: Vec<usize> = shape.iter().copied().filter(|&d| d != 1).collect();
    if got != shape && squeezed != wanted {
        return Err(invalid(format!(
            "input `{name}` has shape {got:?}; expected {shape:?}"
        )));
    }
    if data.iter().any(|v| !v.is_finite()) {
        return Err(invalid(format!(
            "input `{name}` has a value that is not finite"
        )));
    }
    ArrayD::from_shape_vec(IxDyn(shape), data).map_err(|_| {
        invalid(format!(
            "input `{name}`'s data does not fill its shape {got:?}"
        ))
    })
}

fn dnc_allocation(inputs: &Map<String, Value>) -> Result<Outputs, ModelError> {
    let (shape, _) = values(inputs, "read_weights_prev")?;
    let [steps, heads, rows] = shape[..] else {
        return Err(invalid(format!(
            "input `read_weights_prev` has shape {shape:?}; expected [T, R, N]"
        )));
    };
    if steps == 0 || heads == 0 || rows == 0 {
        return Err(invalid(format!(
            "input `read_weights_prev` has shape {shape:?}; T, R and N must be at least 1"
        )));
    }
    let dims = |a: ArrayD<f64>, d: &[usize]| a.into_shape_with_order(IxDyn(d)).expect("checked");
    let mut usage = array(inputs, "u0", &[rows])?
        .into_dimensionality()
        .expect("1-d");
    let mut write: Array1<f64> = array(inputs, "ww0", &[rows])?
        .into_dimensionality()
        .expect("1-d");
    let mut link: Array2<f64> = array(inputs, "L0", &[rows, rows])?
        .into_dimensionality()
        .expect("2-d");
    let mut precedence: Array1<f64> = array(inputs, "p0", &[rows])?
        .into_dimensionality()
        .expect("1-d");
    let free_gates: Array2<f64> = dims(
        array(inputs, "free_gates", &[steps, heads])?,
        &[steps, heads],
    )
    .into_dimensionality()
    .expect("2-d");
    let reads: Array3<f64> = array(inputs, "read_weights_prev", &[steps, heads, rows])?
        .into_dimensionality()
        .expect("3-d");
    let content: Array2<f64> = array(inputs, "write_content_weights", &[steps, rows])?
        .into_dimensionality()
        .expect("2-d");
    let allocation_gate = array(inputs, "allocation_gate", &[steps])?;
    let write_gate = array(inputs, "write_gate", &[steps])?;
    let mut out: Vec<(&str, Vec<usize>, Vec<f64>)> = vec![
        ("retention", vec![steps, rows], Vec::new()),
        ("usage", vec![steps, rows], Vec::new()),
        ("free_list", vec![steps, rows], Vec::new()),
        ("allocation", vec![steps, rows], Vec::new()),
        ("write_weighting", vec![steps, rows], Vec::new()),
        ("link", vec![steps, rows, rows], Vec::new()),
        ("precedence", vec![steps, rows], Vec::new()),
        ("forward", vec![steps, heads, rows], Vec::new()),
        ("backward", vec![steps, heads, rows], Vec::new()),
    ];
    for t in 0..steps {
        let previous_reads = reads.index_axis(ndarray::Axis(0), t);
        let a = dnc::allocate(
            usage.view(),
            write.view(),
            previous_reads,
            free_gates.row(t),
            content.row(t),
            allocation_gate[t],
            write_gate[t],
        );
        let new_link = dnc::link(link.view(), precedence.view(), a.write_weighting.view());
        let new_precedence = dnc::precedence(precedence.view(), a.write_weighting.view());
        let (forward, backward) = dnc::directional(new_link.view(), previous_reads);
        let free_list: Vec<f64> = a.free_list.iter().map(|&i| i as f64).collect();
        for (k, values) in [
            a.retention.to_vec(),
            a.usage.to_vec(),
            free_list,
            a.allocation.to_vec(),
            a.write_weighting.to_vec(),
            new_link.iter().copied().collect(),
            new_precedence.to_vec(),
            forward.iter().copied().collect(),
            backward.iter().copied().collect(),
        ]
        .into_iter()
        .enumerate()
        {
            out[k].2.extend(values);
        }
        usage = a.usage;
        write = a.write_weighting;
        link = new_link;
        precedence = new_precedence;
    }
    Ok(out
        .into_iter()
        .map(|(name, shape, data)| (name.to_string(), tensor(shape, data.into_iter())))
        .collect())
}
