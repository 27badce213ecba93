//! Computing a reference fixture from its parameters and inputs alone, for
//! `nnzoo eval` and the parity tests.
//!
//! A fixture (see `tests/fixtures/torch/README.md`) names a `kind`, the
//! module's `params` under their `state_dict` names, its `options` and its
//! `inputs`; each kind is computed by the file of its family, and the result
//! holds the tensors the reference reports, under the fixture's names. The
//! `expected` part of a fixture is never read here.

pub mod adversarial;
pub mod attention;
pub mod autoencoders;
pub mod capsules;
pub mod cells;
pub mod competitive;
pub mod concepts;
pub mod conv;
pub mod dense;
pub mod energy;
pub mod memory;
pub mod random;
pub mod sequences;

use crate::model::{ModelError, Tensor, Weights};
use crate::text::escape_controls;
use serde_json::{Map, Value, json};

/// A fixture nnzoo cannot evaluate. `eval` is a command-line tool, which
/// speaks English, so the message is the same in both languages.
pub(crate) fn invalid(message: String) -> ModelError {
    ModelError::Invalid(crate::text::Bilingual::same(message))
}

/// Computed tensors by name, in a stable order.
pub type Outputs = Vec<(String, Tensor)>;

/// How one family computes its kinds: the kind, the fixture, and weights that
/// replace its `params` if given.
type Evaluate = fn(&str, &Value, Option<&Weights>) -> Result<Outputs, ModelError>;

/// Every kind nnzoo computes, with the function that computes it and the
/// inputs it takes (`dy_*`: any name starting `dy_`). An input a kind does
/// not take is an error rather than ignored, so a misspelt `h_0` is not
/// silently replaced by a zero state.
const KINDS: &[(&str, Evaluate, &[&str])] = &[
    ("rnn_cell", cells::evaluate, &["x", "h0"]),
    ("lstm_cell", cells::evaluate, &["x", "h0", "c0"]),
    ("gru_cell", cells::evaluate, &["x", "h0"]),
    ("birnn", cells::evaluate, &["x"]),
    ("bilstm", cells::evaluate, &["x"]),
    ("bigru", cells::evaluate, &["x"]),
    ("rnn_bptt", sequences::evaluate, &["x", "h0", "labels"]),
    (
        "lstm_bptt",
        sequences::evaluate,
        &["x", "h0", "c0", "labels"],
    ),
    ("gru_bptt", sequences::evaluate, &["x", "h0", "labels"]),
    ("attention", attention::evaluate, &["q", "k", "v"]),
    ("multihead_attention", attention::evaluate, &["q", "k", "v"]),
    ("conv2d_backward", conv::evaluate, &["x", "dy"]),
    ("conv_transpose2d", conv::evaluate, &["x"]),
    ("conv_transpose2d_backward", conv::evaluate, &["x", "dy"]),
    ("time_delay", conv::evaluate, &["x"]),
    ("pool_interp", conv::evaluate, &["x"]),
    ("pool_backward", conv::evaluate, &["x", "dy_*"]),
    ("residual_block", conv::evaluate, &["x"]),
    ("residual_block_backward", conv::evaluate, &["x", "dy"]),
    ("lenet", conv::evaluate, &["x"]),
    (
        "capsule_routing",
        capsules::evaluate,
        &["u_hat", "squash_in"],
    ),
    ("lenet_train_step", conv::evaluate, &["x", "labels", "lr"]),
    (
        "gan_step",
        adversarial::evaluate,
        &["z", "x_real", "lr_d", "lr_g"],
    ),
    ("mlp_train_step", dense::evaluate, &["x", "labels", "lr"]),
    (
        "losses",
        dense::evaluate,
        &["input", "target", "logits", "labels", "p", "mu", "logvar"],
    ),
    ("optim_steps", dense::evaluate, &["x", "labels"]),
    ("rbm_cd", energy::evaluate, &["v0", "u_h0", "u_v1", "flip"]),
    ("markov_chain", energy::evaluate, &["pi0", "n"]),
    (
        "ntm_addressing",
        memory::evaluate,
        &[
            "M", "k", "beta", "g", "w_prev", "s", "gamma", "erase", "add",
        ],
    ),
    (
        "dnc_allocation",
        memory::evaluate,
        &[
            "u0",
            "ww0",
            "L0",
            "p0",
            "free_gates",
            "read_weights_prev",
            "write_content_weights",
            "allocation_gate",
            "write_gate",
        ],
    ),
    ("entropy", concepts::evaluate, &["p"]),
    ("argmax_dims", concepts::evaluate, &["x"]),
    ("som_step", competitive::evaluate, &["x", "data"]),
    (
        "gaussian_cell",
        autoencoders::evaluate,
        &["mu", "logvar", "eps"],
    ),
    ("vae_step", autoencoders::evaluate, &["x", "eps"]),
    (
        "elm_rbf",
        random::evaluate,
        &["X", "T", "X_test", "centres", "width", "grid"],
    ),
    (
        "esn_states",
        random::evaluate,
        &["u", "targets", "a", "lambda", "washout"],
    ),
];

/// The kinds of fixture nnzoo computes.
pub fn kinds() -> impl Iterator<Item = &'static str> {
    KINDS.iter().map(|(kind, _, _)| *kind)
}

/// Computes the module `fixture` describes. With `weights`, those replace
/// the fixture's `params` (to check a safetensors export of the same module).
pub fn evaluate(fixture: &Value, weights: Option<&Weights>) -> Result<Outputs, ModelError> {
    let kind = fixture
        .get("kind")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("the fixture has no `kind`".into()))?;
    let Some((_, evaluate, takes)) = KINDS.iter().find(|(k, _, _)| *k == kind) else {
        return Err(invalid(format!(
            "fixture kind `{}` is not one nnzoo computes; it computes: {}",
            escape_controls(kind),
            kinds().collect::<Vec<_>>().join(", ")
        )));
    };
    if let Some(inputs) = fixture.get("inputs").and_then(Value::as_object) {
        let taken = |name: &str| {
            takes.iter().any(|t| match t.strip_suffix('*') {
                Some(prefix) => name.starts_with(prefix),
                None => *t == name,
            })
        };
        if let Some(name) = inputs.keys().find(|name| !taken(name)) {
            return Err(invalid(format!(
                "input `{}` is not one a `{kind}` fixture takes; it takes: {}",
                escape_controls(name),
                takes.join(", ")
            )));
        }
    }
    evaluate(kind, fixture, weights)
}

/// The computed tensors as one JSON object `{"name": {"shape", "data"}}`.
pub fn to_json(outputs: &Outputs) -> Value {
    let mut map = Map::new();
    for (name, tensor) in outputs {
        let data: Vec<Value> = tensor
            .data
            .iter()
            .map(|&v| crate::model::view::number_f32(v))
            .collect();
        map.insert(name.clone(), json!({"shape": tensor.shape, "data": data}));
    }
    Value::Object(map)
}

/// How far one computed tensor is from the fixture's `expected` one.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub name: String,
    /// The expected shape.
    pub shape: Vec<usize>,
    /// The largest |computed - expected| over max(1, max |expected|), or
    /// `None` when the tensor could not be compared.
    pub error: Option<f64>,
    /// Why it could not be compared (not computed, another size).
    pub problem: String,
}

/// Compares every tensor of the fixture's `expected` (tensors, plain
/// numbers or nested lists of numbers) with `outputs`.
pub fn compare(fixture: &Value, outputs: &Outputs) -> Result<Vec<Comparison>, ModelError> {
    let expected = fixture
        .get("expected")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid("the fixture has no `expected` object".into()))?;
    let mut rows = Vec::new();
    for (name, value) in expected {
        let (shape, want) = flatten(value).ok_or_else(|| {
            invalid(format!(
                "expected `{}` is not numbers",
                escape_controls(name)
            ))
        })?;
        let mut row = Comparison {
            name: name.clone(),
            shape,
            error: None,
            problem: String::new(),
        };
        match outputs.iter().find(|(n, _)| n == name) {
            None => row.problem = "not computed".into(),
            Some((_, got)) if got.data.len() != want.len() => {
                row.problem = format!("{} values, {} expected", got.data.len(), want.len())
            }
            Some((_, got)) => {
                let scale = want.iter().fold(1.0f64, |m, w| m.max(w.abs()));
                let worst = got
                    .data
                    .iter()
                    .zip(&want)
                    .map(|(&g, &w)| {
                        let e = (f64::from(g) - w).abs();
                        if e.is_nan() { f64::INFINITY } else { e }
                    })
                    .fold(0.0f64, f64::max);
                row.error = Some(worst / scale);
            }
        }
        rows.push(row);
    }
    Ok(rows)
}

/// A tensor `{"shape", "data"}`, a number or a nested list of numbers as
/// (shape, row-major data).
fn flatten(value: &Value) -> Option<(Vec<usize>, Vec<f64>)> {
    if let (Some(shape), Some(data)) = (value.get("shape"), value.get("data")) {
        let shape = shape
            .as_array()?
            .iter()
            .map(|d| d.as_u64().map(|d| d as usize))
            .collect::<Option<Vec<usize>>>()?;
        let data = data
            .as_array()?
            .iter()
            .map(Value::as_f64)
            .collect::<Option<Vec<f64>>>()?;
        return Some((shape, data));
    }
    fn walk(
        value: &Value,
        depth: usize,
        shape: &mut Vec<usize>,
        data: &mut Vec<f64>,
    ) -> Option<()> {
        match value {
            Value::Array(items) => {
                if shape.len() == depth {
                    shape.push(items.len());
                }
                for item in items {
                    walk(item, depth + 1, shape, data)?;
                }
                Some(())
            }
            other => {
                data.push(other.as_f64()?);
                Some(())
            }
        }
    }
    let mut shape = Vec::new();
    let mut data = Vec::new();
    walk(value, 0, &mut shape, &mut data)?;
    Some((shape, data))
}
