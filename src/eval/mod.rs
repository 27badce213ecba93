//! Computing a reference fixture from its parameters and inputs alone, for
//! `nnzoo eval` and the parity tests.
//!
//! A fixture (see `tests/fixtures/torch/README.md`) names a `kind`, the
//! module's `params` under their `state_dict` names, its `options` and its
//! `inputs`; each kind is computed by the file of its family, and the result
//! holds the tensors the reference reports, under the fixture's names. The
//! `expected` part of a fixture is never read here.

pub mod cells;
pub mod dense;

use crate::model::{ModelError, Tensor, Weights};
use serde_json::{Map, Value, json};

/// Computed tensors by name, in a stable order.
pub type Outputs = Vec<(String, Tensor)>;

/// How one family computes its kinds: the kind, the fixture, and weights that
/// replace its `params` if given.
type Evaluate = fn(&str, &Value, Option<&Weights>) -> Result<Outputs, ModelError>;

/// Every kind nnzoo computes, with the function that computes it.
const KINDS: &[(&str, Evaluate)] = &[
    ("rnn_cell", cells::evaluate),
    ("lstm_cell", cells::evaluate),
    ("gru_cell", cells::evaluate),
    ("birnn", cells::evaluate),
    ("bilstm", cells::evaluate),
    ("bigru", cells::evaluate),
    ("mlp_train_step", dense::evaluate),
    ("losses", dense::evaluate),
    ("optim_steps", dense::evaluate),
];

/// The kinds of fixture nnzoo computes.
pub fn kinds() -> impl Iterator<Item = &'static str> {
    KINDS.iter().map(|(kind, _)| *kind)
}

/// Computes the module `fixture` describes. With `weights`, those replace
/// the fixture's `params` (to check a safetensors export of the same module).
pub fn evaluate(fixture: &Value, weights: Option<&Weights>) -> Result<Outputs, ModelError> {
    let kind = fixture
        .get("kind")
        .and_then(Value::as_str)
        .ok_or_else(|| ModelError::Invalid("the fixture has no `kind`".into()))?;
    let Some((_, evaluate)) = KINDS.iter().find(|(k, _)| *k == kind) else {
        return Err(ModelError::Invalid(format!(
            "fixture kind `{kind}` is not one nnzoo computes; it computes: {}",
            kinds().collect::<Vec<_>>().join(", ")
        )));
    };
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
