//! Capsules: kind `capsule_routing`, routing by agreement (Sabour, Frosst
//! and Hinton 2017, Procedure 1) over given predictions `u_hat` [B, N_in,
//! N_out, D] for `options.iterations` iterations, every iteration's
//! coupling coefficients `c`, sums `s`, outputs `v` and logits `b` (after
//! that iteration's update) stacked; and `squash_out`, the squash of each
//! row of `squash_in`. Both are computed by the capsule network's own
//! functions.

use super::Outputs;
use super::dense::{array, matrix, to_tensor};
use super::invalid;
use crate::model::ModelError;
use crate::model::convolutional::capsule_network::{route, squash};
use ndarray::{Array3, Axis, Ix4, stack};
use serde_json::Value;

/// The most routing iterations a fixture may ask for.
const MAX_ITERATIONS: u64 = 100;

pub fn evaluate(
    kind: &str,
    fixture: &Value,
    _weights: Option<&crate::model::Weights>,
) -> Result<Outputs, ModelError> {
    if kind != "capsule_routing" {
        return Err(invalid(format!("`{kind}` is not a capsule kind")));
    }
    let inputs = fixture
        .get("inputs")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid("the fixture has no `inputs` object".into()))?;
    let iterations = match fixture.pointer("/options/iterations") {
        None => 3,
        Some(v) => match v.as_u64() {
            Some(n) if (1..=MAX_ITERATIONS).contains(&n) => n as usize,
            _ => {
                return Err(invalid(format!(
                    "option `iterations` is {v}; it must be an integer from 1 to {MAX_ITERATIONS}"
                )));
            }
        },
    };
    if let Some(e) = fixture.pointer("/options/squash_epsilon")
        && e.as_f64() != Some(0.0)
    {
        return Err(invalid(format!(
            "option `squash_epsilon` is {e}; the squash is computed with no epsilon (0) only"
        )));
    }
    let mut out = Vec::new();
    if inputs.contains_key("u_hat") {
        let u_hat = array(inputs, "u_hat")?;
        let shape = u_hat.shape().to_vec();
        let u_hat = u_hat.into_dimensionality::<Ix4>().map_err(|_| {
            invalid(format!(
                "input `u_hat` has shape {shape:?}, expected [batch, inputs, outputs, dimensions]"
            ))
        })?;
        let routing = route(u_hat.view(), iterations);
        let stacked =
            |part: fn(&crate::model::convolutional::capsule_network::Iteration) -> &Array3<f32>| {
                let views: Vec<_> = routing
                    .iterations
                    .iter()
                    .map(|it| part(it).view())
                    .collect();
                stack(Axis(0), &views).expect("every iteration has the same shape")
            };
        out.push(("c".into(), to_tensor(stacked(|it| &it.c).into_dyn())));
        out.push(("s".into(), to_tensor(stacked(|it| &it.s).into_dyn())));
        out.push(("v".into(), to_tensor(stacked(|it| &it.v).into_dyn())));
        out.push(("b".into(), to_tensor(stacked(|it| &it.b).into_dyn())));
    }
    if inputs.contains_key("squash_in") {
        let s = matrix(inputs, "squash_in")?;
        out.push(("squash_out".into(), to_tensor(squash(s.view()).into_dyn())));
    }
    if out.is_empty() {
        return Err(invalid(
            "a `capsule_routing` fixture needs `u_hat` or `squash_in` among its inputs".into(),
        ));
    }
    Ok(out)
}
