//! Trained weights from PyTorch: a safetensors file as
//! `safetensors.torch.save_file(module.state_dict(), FILE)` writes it, or the
//! same tensors in JSON (`{"name": {"shape": [...], "data": [...]}}`, or a
//! reference fixture whose `params` hold them).
//!
//! Reading checks that every tensor is float32 and that its data fits its
//! shape; a model then takes each tensor it needs through
//! [`crate::nn::vars::VarBuilder`], which checks it against the shape the
//! model expects. Every error names the tensor, what was found and what was
//! expected.

use super::{ModelError, Tensor, Weights};
use crate::text::escape_controls;
use safetensors::{Dtype, SafeTensors};
use serde_json::Value;
use std::path::Path;

/// Reads weights from `path`: JSON if it ends in `.json` or starts with `{`,
/// safetensors otherwise. Only a regular file of at most
/// [`crate::files::MAX_FILE_BYTES`] is read (`--weights /dev/zero` is
/// refused at once).
pub fn read(path: &Path) -> Result<Weights, ModelError> {
    let bytes = crate::files::read_capped(path, crate::files::MAX_FILE_BYTES)
        .map_err(ModelError::Weights)?;
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        || (path
            .extension()
            .is_none_or(|e| !e.eq_ignore_ascii_case("safetensors"))
            && bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{'));
    let parsed = if is_json {
        from_json(&bytes)
    } else {
        from_safetensors(&bytes)
    };
    parsed.map_err(|e| match e {
        ModelError::Weights(msg) => ModelError::Weights(format!(
            "{}: {msg}",
            escape_controls(&path.display().to_string())
        )),
        other => other,
    })
}

/// The most values one tensor may hold (2²⁸, a gigabyte of float32): more
/// than any file under [`crate::files::MAX_FILE_BYTES`] can carry.
pub const MAX_TENSOR_VALUES: usize = 1 << 28;

/// Checks that `shape` describes at most [`MAX_TENSOR_VALUES`] values, even
/// counting a zero dimension as one, so that code multiplying any of its
/// sizes together can neither overflow nor allocate without bound. Gives
/// the number of values.
pub fn check_shape(shape: &[usize]) -> Result<usize, String> {
    let bounded = shape
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d.max(1)))
        .filter(|&n| n <= MAX_TENSOR_VALUES);
    match bounded {
        Some(_) => Ok(shape.iter().product()),
        None => Err(format!(
            "shape {shape:?} is too large (more than {MAX_TENSOR_VALUES} values)"
        )),
    }
}

/// Weights from the bytes of a safetensors file; every tensor must be F32.
pub fn from_safetensors(bytes: &[u8]) -> Result<Weights, ModelError> {
    let file = SafeTensors::deserialize(bytes)
        .map_err(|e| ModelError::Weights(format!("not a safetensors file: {e}")))?;
    let mut weights = Weights::new();
    for (name, view) in file.iter() {
        let shown = escape_controls(name);
        if view.dtype() != Dtype::F32 {
            return Err(ModelError::Weights(format!(
                "tensor `{shown}` has dtype {:?} (shape {:?}); expected F32",
                view.dtype(),
                view.shape()
            )));
        }
        check_shape(view.shape())
            .map_err(|what| ModelError::Weights(format!("tensor `{shown}`: {what}")))?;
        let data = view
            .data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        weights.insert(
            name.to_string(),
            Tensor {
                shape: view.shape().to_vec(),
                data,
            },
        );
    }
    Ok(weights)
}

/// Weights from JSON text: an object of tensors, or a fixture whose `params`
/// is one.
pub fn from_json(bytes: &[u8]) -> Result<Weights, ModelError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| ModelError::Weights(format!("not valid JSON: {e}")))?;
    from_json_value(&value)
}

/// Weights from parsed JSON: an object of tensors, or a fixture whose
/// `params` is one.
pub fn from_json_value(value: &Value) -> Result<Weights, ModelError> {
    let object = match value.get("params") {
        Some(params) if value.get("kind").is_some() => params,
        _ => value,
    };
    let object = object.as_object().ok_or_else(|| {
        ModelError::Weights(
            "expected an object of tensors {\"name\": {\"shape\": [...], \"data\": [...]}}".into(),
        )
    })?;
    let mut weights = Weights::new();
    for (name, tensor) in object {
        weights.insert(name.clone(), tensor_from_json(name, tensor)?);
    }
    Ok(weights)
}

/// One `{"shape": [...], "data": [...]}` tensor; `name` is for errors.
pub fn tensor_from_json(name: &str, value: &Value) -> Result<Tensor, ModelError> {
    let bad =
        |what: String| ModelError::Weights(format!("tensor `{}`: {what}", escape_controls(name)));
    let shape = value
        .get("shape")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("no `shape` array".into()))?
        .iter()
        .map(|d| d.as_u64().map(|d| d as usize))
        .collect::<Option<Vec<usize>>>()
        .ok_or_else(|| bad("`shape` must hold non-negative integers".into()))?;
    let raw = value
        .get("data")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("no `data` array".into()))?;
    let mut data = Vec::with_capacity(raw.len());
    for (i, v) in raw.iter().enumerate() {
        let x = v.as_f64().ok_or_else(|| {
            bad(format!(
                "data[{i}] is {}, not a number (dtype must be float)",
                escape_controls(&v.to_string())
            ))
        })?;
        let value = x as f32;
        if !value.is_finite() {
            return Err(bad(format!(
                "data[{i}] is {v}, beyond the range of float32 (±{:e})",
                f32::MAX
            )));
        }
        data.push(value);
    }
    let count = check_shape(&shape).map_err(bad)?;
    if count != data.len() {
        return Err(bad(format!(
            "shape {shape:?} holds {count} values but `data` has {}",
            data.len()
        )));
    }
    Ok(Tensor { shape, data })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_tensors_are_read_and_checked() {
        let w = from_json(br#"{"a": {"shape": [2, 2], "data": [1, 2, 3, 4]}}"#).unwrap();
        assert_eq!(w["a"].shape, [2, 2]);
        assert_eq!(w["a"].data, [1.0, 2.0, 3.0, 4.0]);
        let err = from_json(br#"{"a": {"shape": [3], "data": [1, 2]}}"#).unwrap_err();
        assert!(err.to_string().contains("holds 3 values"), "{err}");
        let err = from_json(br#"{"a": {"shape": [1], "data": ["x"]}}"#).unwrap_err();
        assert!(err.to_string().contains("not a number"), "{err}");
    }

    #[test]
    fn safetensors_of_another_dtype_are_refused() {
        let data = [0u8; 8];
        let view = safetensors::tensor::TensorView::new(Dtype::F64, vec![1], &data).unwrap();
        let bytes = safetensors::serialize([("weight_ih", view)], None).unwrap();
        let err = from_safetensors(&bytes).unwrap_err().to_string();
        assert!(
            err.contains("`weight_ih`") && err.contains("F64") && err.contains("F32"),
            "{err}"
        );
    }
}
