//! Kind `elm_rbf`: the solved output weights of an extreme learning machine
//! (`params` W, b; `inputs` X, T, X_test) or of an RBF network by exact
//! interpolation (`inputs` X, T, centres, width, grid). Kind `esn_states`:
//! an echo state network's states driven by `inputs` u from x(0) = 0, and
//! its ridge readout (`params` W, W_in; `inputs` u, targets, a, lambda,
//! washout). All are computed in `f64` by the models' own functions, reading
//! the fixture's numbers as `f64`: the matrices are ill-conditioned, and
//! rounding the inputs to `f32` first would move the weights.

use super::{Outputs, invalid};
use crate::linalg::SparseRows;
use crate::model::random::echo_state_network::{Reservoir, fit_readout};
use crate::model::random::elm::{Elm, hidden_layer};
use crate::model::random::rbf_network::{RbfNetwork, design};
use crate::model::{ModelError, Tensor, Weights};
use crate::text::escape_controls;
use ndarray::{Array1, Array2};
use serde_json::Value;

/// Computes an `elm_rbf` fixture. `weights`, if given, replace W and b.
pub fn evaluate(
    kind: &str,
    fixture: &Value,
    weights: Option<&Weights>,
) -> Result<Outputs, ModelError> {
    if kind == "esn_states" {
        return esn_states(fixture, weights);
    }
    if kind != "elm_rbf" {
        return Err(invalid(format!("`{kind}` is not an elm_rbf kind")));
    }
    let inputs = fixture
        .get("inputs")
        .ok_or_else(|| invalid("the fixture has no `inputs` object".into()))?;
    let has_params = fixture.get("params").and_then(|p| p.get("W")).is_some()
        || weights.is_some_and(|w| w.contains_key("W"));
    if has_params {
        elm(fixture, inputs, weights)
    } else if inputs.get("centres").is_some() {
        rbf(inputs)
    } else {
        Err(invalid(
            "an elm_rbf fixture needs `params` W and b (an extreme learning machine) or `inputs` centres and width (an RBF network)".into(),
        ))
    }
}

fn elm(fixture: &Value, inputs: &Value, weights: Option<&Weights>) -> Result<Outputs, ModelError> {
    let (w, b) = match weights {
        Some(weights) => {
            let get = |name: &str| {
                weights
                    .get(name)
                    .ok_or_else(|| ModelError::Weights(format!("missing tensor `{name}`")))
            };
            let (w, b) = (get("W")?, get("b")?);
            (
                matrix_from(
                    w.shape.clone(),
                    w.data.iter().map(|&v| f64::from(v)).collect(),
                    "W",
                )?,
                vector_from(
                    b.shape.clone(),
                    b.data.iter().map(|&v| f64::from(v)).collect(),
                    "b",
                )?,
            )
        }
        None => {
            let params = fixture
                .get("params")
                .ok_or_else(|| invalid("the fixture has no `params`".into()))?;
            (matrix(params, "W")?, vector(params, "b")?)
        }
    };
    let x = matrix(inputs, "X")?;
    let t = matrix(inputs, "T")?;
    let x_test = matrix(inputs, "X_test")?;
    if x_test.ncols() != x.ncols() {
        return Err(invalid(format!(
            "`X_test` has {} columns but `X` has {}",
            x_test.ncols(),
            x.ncols()
        )));
    }
    let h = hidden_layer(x.view(), w.view(), &b);
    let machine = Elm::fit(w, b, x.view(), t.view())?;
    Ok(vec![
        ("H".into(), tensor(&h)),
        ("beta".into(), tensor(&machine.beta)),
        ("predictions".into(), tensor(&machine.predict(x.view()))),
        (
            "test_predictions".into(),
            tensor(&machine.predict(x_test.view())),
        ),
    ])
}

/// An RBF network by exact interpolation: Φ, w = Φ⁻¹T, and its outputs on
/// the training points and on the grid.
fn rbf(inputs: &Value) -> Result<Outputs, ModelError> {
    let x = matrix(inputs, "X")?;
    let t = match matrix(inputs, "T") {
        Ok(t) => t,
        Err(_) => vector(inputs, "T")?.insert_axis(ndarray::Axis(1)),
    };
    let centres = matrix(inputs, "centres")?;
    let grid = matrix(inputs, "grid")?;
    let width = inputs
        .get("width")
        .and_then(Value::as_f64)
        .filter(|w| w.is_finite() && *w > 0.0)
        .ok_or_else(|| invalid("`width` must be a positive number".into()))?;
    if grid.ncols() != x.ncols() {
        return Err(invalid(format!(
            "`grid` has {} columns but `X` has {}",
            grid.ncols(),
            x.ncols()
        )));
    }
    let widths = Array1::from_elem(centres.nrows(), width);
    let phi = design(x.view(), centres.view(), &widths);
    let network = RbfNetwork::exact(centres, width, x.view(), t.view())?;
    let column = |a: Array2<f64>| -> Array1<f64> { a.column(0).to_owned() };
    Ok(vec![
        ("Phi".into(), tensor(&phi)),
        ("weights".into(), tensor(&column(network.weights.clone()))),
        (
            "train_predictions".into(),
            tensor(&column(network.predict(x.view()))),
        ),
        (
            "grid_predictions".into(),
            tensor(&column(network.predict(grid.view()))),
        ),
    ])
}

fn esn_states(fixture: &Value, weights: Option<&Weights>) -> Result<Outputs, ModelError> {
    let inputs = fixture
        .get("inputs")
        .ok_or_else(|| invalid("the fixture has no `inputs` object".into()))?;
    let (w, w_in) = match weights {
        Some(weights) => {
            let get = |name: &str| {
                let t = weights
                    .get(name)
                    .ok_or_else(|| ModelError::Weights(format!("missing tensor `{name}`")))?;
                matrix_from(
                    t.shape.clone(),
                    t.data.iter().map(|&v| f64::from(v)).collect(),
                    name,
                )
            };
            (get("W")?, get("W_in")?)
        }
        None => {
            let params = fixture
                .get("params")
                .ok_or_else(|| invalid("the fixture has no `params`".into()))?;
            (matrix(params, "W")?, matrix(params, "W_in")?)
        }
    };
    let n = w.nrows();
    if w.ncols() != n || w_in.nrows() != n || w_in.ncols() == 0 {
        return Err(invalid(format!(
            "`W` must be square and `W_in` [N, 1 + K] with the same N; they are {:?} and {:?}",
            w.dim(),
            w_in.dim()
        )));
    }
    let u = matrix(inputs, "u")?;
    let targets = matrix(inputs, "targets")?;
    if u.ncols() + 1 != w_in.ncols() || targets.nrows() != u.nrows() {
        return Err(invalid(format!(
            "`u` {:?} must have one column per input of `W_in` {:?} (after its bias column) and as many rows as `targets` {:?}",
            u.dim(),
            w_in.dim(),
            targets.dim()
        )));
    }
    let number = |name: &str| {
        inputs
            .get(name)
            .and_then(Value::as_f64)
            .filter(|v| v.is_finite())
            .ok_or_else(|| invalid(format!("`{name}` must be a number")))
    };
    let leak = number("a")?;
    let lambda = number("lambda")?;
    let washout = number("washout")?;
    if leak <= 0.0 || leak > 1.0 || lambda < 0.0 || washout < 0.0 || washout.fract() != 0.0 {
        return Err(invalid(format!(
            "the leak rate `a` must be in (0, 1], `lambda` at least 0 and `washout` a whole number at least 0; they are {leak}, {lambda} and {washout}"
        )));
    }
    let reservoir = Reservoir {
        w: SparseRows::from_dense(w.view()),
        w_in,
        w_fb: Array2::zeros((n, 0)),
        leak,
    };
    let mut x = Array1::zeros(n);
    let teacher = Array2::zeros((u.nrows(), 0));
    let states = reservoir.drive(&mut x, u.view(), teacher.view(), None)?;
    let w_out = fit_readout(states.view(), targets.view(), washout as usize, lambda)?;
    let predictions = states.dot(&w_out.t());
    Ok(vec![
        ("states".into(), tensor(&states)),
        ("W_out".into(), tensor(&w_out)),
        ("predictions".into(), tensor(&predictions)),
    ])
}

/// A row-major `f64` tensor's shape and data from `{"shape", "data"}`.
pub(crate) fn read(parent: &Value, name: &str) -> Result<(Vec<usize>, Vec<f64>), ModelError> {
    let bad = |what: &str| invalid(format!("`{}`: {what}", escape_controls(name)));
    let value = parent.get(name).ok_or_else(|| bad("missing"))?;
    let shape = value
        .get("shape")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("no `shape` array"))?
        .iter()
        .map(|d| d.as_u64().map(|d| d as usize))
        .collect::<Option<Vec<usize>>>()
        .ok_or_else(|| bad("`shape` must hold non-negative integers"))?;
    let data = value
        .get("data")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("no `data` array"))?
        .iter()
        .map(|v| v.as_f64().filter(|v| v.is_finite()))
        .collect::<Option<Vec<f64>>>()
        .ok_or_else(|| bad("`data` must hold finite numbers"))?;
    Ok((shape, data))
}

fn matrix_from(shape: Vec<usize>, data: Vec<f64>, name: &str) -> Result<Array2<f64>, ModelError> {
    let [rows, cols] = shape[..] else {
        return Err(invalid(format!(
            "`{name}` has shape {shape:?}, expected two axes"
        )));
    };
    Array2::from_shape_vec((rows, cols), data).map_err(|_| {
        invalid(format!(
            "`{name}` has shape [{rows}, {cols}] but a different number of values"
        ))
    })
}

fn vector_from(shape: Vec<usize>, data: Vec<f64>, name: &str) -> Result<Array1<f64>, ModelError> {
    if shape.len() != 1 || shape[0] != data.len() {
        return Err(invalid(format!(
            "`{name}` has shape {shape:?} and {} values, expected one axis",
            data.len()
        )));
    }
    Ok(Array1::from_vec(data))
}

/// A two-axis tensor named `name` in `parent`.
pub(crate) fn matrix(parent: &Value, name: &str) -> Result<Array2<f64>, ModelError> {
    let (shape, data) = read(parent, name)?;
    matrix_from(shape, data, name)
}

/// A one-axis tensor named `name` in `parent`.
pub(crate) fn vector(parent: &Value, name: &str) -> Result<Array1<f64>, ModelError> {
    let (shape, data) = read(parent, name)?;
    vector_from(shape, data, name)
}

/// An `f32` tensor of `a`'s shape and values.
pub(crate) fn tensor<D: ndarray::Dimension>(a: &ndarray::Array<f64, D>) -> Tensor {
    Tensor {
        shape: a.shape().to_vec(),
        data: a.iter().map(|&v| v as f32).collect(),
    }
}
