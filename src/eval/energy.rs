//! The energy-based kinds: `rbm_cd`, one contrastive-divergence step of a
//! restricted Boltzmann machine with its uniform numbers given, its free
//! energies and scikit-learn's pseudo-likelihood; `markov_chain`, a chain's
//! distributions, Pⁿ and stationary distribution.

use super::Outputs;
use super::dense::{labels, matrix, to_tensor};
use super::invalid;
use crate::model::energy::markov_chain;
use crate::model::energy::rbm::{Machine, flipped, sample};
use crate::model::{ModelError, weights::tensor_from_json};
use ndarray::{Array1, Array2, Dimension, Ix1, Ix2};
use serde_json::Value;

pub fn evaluate(
    kind: &str,
    fixture: &Value,
    _weights: Option<&crate::model::Weights>,
) -> Result<Outputs, ModelError> {
    let inputs = fixture
        .get("inputs")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid("the fixture has no `inputs` object".into()))?;
    let params = fixture
        .get("params")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid("the fixture has no `params` object".into()))?;
    match kind {
        "rbm_cd" => rbm_cd(params, inputs),
        "markov_chain" => markov_chain(params, inputs),
        other => Err(invalid(format!("`{other}` is not an energy-based kind"))),
    }
}

fn param<D: Dimension>(
    params: &serde_json::Map<String, Value>,
    name: &str,
) -> Result<ndarray::Array<f32, D>, ModelError> {
    let value = params
        .get(name)
        .ok_or_else(|| invalid(format!("the fixture's params have no `{name}`")))?;
    let tensor = tensor_from_json(name, value)?;
    let shape = tensor.shape.clone();
    ndarray::ArrayD::from_shape_vec(shape.clone(), tensor.data)
        .expect("shape checked against data on loading")
        .into_dimensionality::<D>()
        .map_err(|_| invalid(format!("param `{name}` has shape {shape:?}")))
}

fn out<D: Dimension>(name: &str, a: ndarray::Array<f32, D>) -> (String, crate::model::Tensor) {
    (name.to_string(), to_tensor(a.into_dyn()))
}

fn rbm_cd(
    params: &serde_json::Map<String, Value>,
    inputs: &serde_json::Map<String, Value>,
) -> Result<Outputs, ModelError> {
    let w: Array2<f32> = param::<Ix2>(params, "W")?;
    let b: Array1<f32> = param::<Ix1>(params, "b")?;
    let c: Array1<f32> = param::<Ix1>(params, "c")?;
    let (hidden, visible) = w.dim();
    if b.len() != visible || c.len() != hidden {
        return Err(invalid(format!(
            "W is [{hidden}, {visible}] (hidden, visible) but b has {} values and c {}",
            b.len(),
            c.len()
        )));
    }
    let v0 = matrix(inputs, "v0")?;
    let u_h0 = matrix(inputs, "u_h0")?;
    let u_v1 = matrix(inputs, "u_v1")?;
    let rows = v0.nrows();
    for (name, a, cols) in [
        ("v0", &v0, visible),
        ("u_h0", &u_h0, hidden),
        ("u_v1", &u_v1, visible),
    ] {
        if a.dim() != (rows, cols) {
            return Err(invalid(format!(
                "input `{name}` has shape {:?}, expected [{rows}, {cols}]",
                a.shape()
            )));
        }
    }
    let flip = labels(inputs, "flip", rows)?;
    if let Some(f) = flip.iter().find(|&&f| f >= visible) {
        return Err(invalid(format!(
            "`flip` names feature {f}, but there are {visible}"
        )));
    }
    let m = Machine { w, b, c };
    let p_h0 = m.hidden_probabilities(v0.view());
    let h0 = sample(&p_h0, &u_h0);
    let p_v1 = m.visible_probabilities(h0.view());
    let v1 = sample(&p_v1, &u_v1);
    let p_h1 = m.hidden_probabilities(v1.view());
    let g = Machine::gradient(v0.view(), p_h0.view(), v1.view(), p_h1.view());
    let v_flipped = flipped(v0.view(), &flip);
    Ok(vec![
        out("p_h0", p_h0),
        out("h0", h0),
        out("p_v1", p_v1),
        out("v1", v1),
        out("p_h1", p_h1),
        out("dW", g.dw),
        out("db", g.db),
        out("dc", g.dc),
        out("free_energy_v0", m.free_energy(v0.view())),
        out("free_energy_v_flipped", m.free_energy(v_flipped.view())),
        out("v_flipped", v_flipped),
        out("pseudo_likelihood", m.pseudo_likelihood(v0.view(), &flip)),
    ])
}

/// The most steps a `markov_chain` fixture may ask for.
const MAX_CHAIN_STEPS: u64 = 100_000;

fn markov_chain(
    params: &serde_json::Map<String, Value>,
    inputs: &serde_json::Map<String, Value>,
) -> Result<Outputs, ModelError> {
    let p = param::<Ix2>(params, "P")?.mapv(f64::from);
    let n_states = p.nrows();
    if p.ncols() != n_states || n_states == 0 {
        return Err(invalid(format!(
            "P has shape {:?}, expected a square matrix",
            p.shape()
        )));
    }
    for (i, row) in p.rows().into_iter().enumerate() {
        if row.iter().any(|&x| !(0.0..=1.0).contains(&x)) || (row.sum() - 1.0).abs() > 1e-5 {
            return Err(invalid(format!(
                "row {i} of P is not a probability distribution (values in 0..1 summing to 1)"
            )));
        }
    }
    let pi0 = param::<Ix1>(inputs, "pi0")?.mapv(f64::from);
    if pi0.len() != n_states {
        return Err(invalid(format!(
            "pi0 has {} values for {n_states} states",
            pi0.len()
        )));
    }
    let steps = inputs
        .get("n")
        .and_then(Value::as_u64)
        .filter(|&n| n <= MAX_CHAIN_STEPS)
        .ok_or_else(|| {
            invalid(format!(
                "`n` must be a whole number of steps up to {MAX_CHAIN_STEPS}"
            ))
        })? as usize;
    let distributions = markov_chain::distributions(&p, &pi0, steps);
    let mut stacked = Array2::zeros((steps + 1, n_states));
    for (mut row, d) in stacked.rows_mut().into_iter().zip(&distributions) {
        row.assign(d);
    }
    let pi_n = distributions[steps].clone();
    let stationary = markov_chain::stationary_by_solving(&p).ok_or_else(|| {
        invalid("P has no unique stationary distribution (more than one closed class)".into())
    })?;
    let f = |a: ndarray::ArrayD<f64>| a.mapv(|x| x as f32);
    Ok(vec![
        out("distributions", f(stacked.into_dyn())),
        out("pi_n", f(pi_n.into_dyn())),
        out("P_n", f(markov_chain::matrix_power(&p, steps).into_dyn())),
        out("stationary", f(stationary.into_dyn())),
    ])
}
