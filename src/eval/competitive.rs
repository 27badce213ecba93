//! Kind `som_step`: a Kohonen map's steps as MiniSom takes them. From
//! `params` weights `[X, Y, dim]` and `options` sigma, learning_rate,
//! max_iteration (and the decay functions' names), each row t of `inputs`
//! x finds its best-matching unit and updates the map at step t; then the
//! quantization and topographic errors of the final map on `inputs` data.
//! Computed in `f64` by the model's own functions.

use super::Outputs;
use super::invalid;
use super::random::{matrix, read, tensor};
use crate::model::competitive::kohonen_map::{DECAYS, Decay, SelfOrganisingMap};
use crate::model::{ModelError, Tensor, Weights};
use ndarray::{Array1, Array2, Array3, Axis, stack};
use serde_json::Value;

/// Computes a `som_step` fixture. A map takes no `state_dict`, so
/// `weights` are refused.
pub fn evaluate(
    kind: &str,
    fixture: &Value,
    weights: Option<&Weights>,
) -> Result<Outputs, ModelError> {
    if kind != "som_step" {
        return Err(invalid(format!("`{kind}` is not a som_step kind")));
    }
    if weights.is_some() {
        return Err(ModelError::Unsupported(crate::text::Bilingual::same(
            "a Kohonen map's weights come from the fixture's `params`",
        )));
    }
    let params = fixture
        .get("params")
        .ok_or_else(|| invalid("the fixture has no `params`".into()))?;
    let inputs = fixture
        .get("inputs")
        .ok_or_else(|| invalid("the fixture has no `inputs` object".into()))?;
    let options = fixture
        .get("options")
        .ok_or_else(|| invalid("the fixture has no `options` object".into()))?;
    let number = |name: &str| {
        options
            .get(name)
            .and_then(Value::as_f64)
            .filter(|v| v.is_finite())
            .ok_or_else(|| invalid(format!("`options.{name}` must be a number")))
    };
    let (sigma, learning_rate, planned) = (
        number("sigma")?,
        number("learning_rate")?,
        number("max_iteration")?,
    );
    if planned < 1.0 {
        return Err(invalid(format!(
            "`options.max_iteration` is {planned}, expected at least 1"
        )));
    }
    let decay = decay_of(options, "decay_function")?;
    if decay_of(options, "sigma_decay_function")? != decay {
        return Err(ModelError::Unsupported(crate::text::Bilingual::same(
            "the learning rate and sigma must decay alike",
        )));
    }
    let (shape, data) = read(params, "weights")?;
    let [rows, cols, dim] = shape[..] else {
        return Err(invalid(format!(
            "`weights` has shape {shape:?}, expected [X, Y, dim]"
        )));
    };
    let start = Array3::from_shape_vec((rows, cols, dim), data)
        .map_err(|_| invalid("`weights` has a different number of values than its shape".into()))?;
    let x = matrix(inputs, "x")?;
    let data = matrix(inputs, "data")?;
    for (name, m) in [("x", &x), ("data", &data)] {
        if m.ncols() != dim {
            return Err(invalid(format!(
                "`{name}` has {} columns but the units have {dim} weights",
                m.ncols()
            )));
        }
    }
    let mut map = SelfOrganisingMap::new(start, sigma, learning_rate, decay);
    let mut winners = Array2::zeros((x.nrows(), 2));
    let mut after = Vec::with_capacity(x.nrows());
    let (mut eta, mut sig) = (Array1::zeros(x.nrows()), Array1::zeros(x.nrows()));
    for (t, row) in x.rows().into_iter().enumerate() {
        let row = row.to_vec();
        let update = map.learn(&row, t as f64, planned);
        winners[[t, 0]] = update.winner.0 as f64;
        winners[[t, 1]] = update.winner.1 as f64;
        eta[t] = update.eta;
        sig[t] = update.sigma;
        after.push(map.weights.clone());
    }
    let views: Vec<_> = after.iter().map(|w| w.view()).collect();
    let weights_after = if views.is_empty() {
        ndarray::Array4::zeros((0, rows, cols, dim))
    } else {
        stack(Axis(0), &views).map_err(|e| invalid(e.to_string()))?
    };
    let (qe, te) = map.errors(data.view());
    let scalar = |v: f64| Tensor {
        shape: vec![1],
        data: vec![v as f32],
    };
    Ok(vec![
        ("winners".into(), tensor(&winners)),
        ("weights_after".into(), tensor(&weights_after)),
        ("eta".into(), tensor(&eta)),
        ("sigma".into(), tensor(&sig)),
        ("quantization_error".into(), scalar(qe)),
        ("topographic_error".into(), scalar(te)),
    ])
}

/// The decay named by `options.NAME` (MiniSom's name, `asymptotic_decay`,
/// or nnzoo's), asymptotic when not given.
fn decay_of(options: &Value, name: &str) -> Result<Decay, ModelError> {
    let Some(value) = options.get(name) else {
        return Ok(Decay::Asymptotic);
    };
    match value.as_str() {
        Some("asymptotic_decay" | "asymptotic") => Ok(Decay::Asymptotic),
        Some("linear_decay_to_zero" | "linear_decay_to_one" | "linear") => Ok(Decay::Linear),
        Some("inverse_decay_to_zero" | "inverse_decay_to_one" | "inverse") => Ok(Decay::Inverse),
        _ => Err(invalid(format!(
            "`options.{name}` must name a decay: {} (or MiniSom's names)",
            DECAYS.join(", ")
        ))),
    }
}
