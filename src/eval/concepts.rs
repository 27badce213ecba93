//! The seed's concepts: `entropy`, the entropy of each row of a probability
//! matrix in nats and in bits, terms with p = 0 left out.

use super::Outputs;
use super::dense::{matrix, to_tensor};
use super::invalid;
use crate::model::ModelError;
use crate::model::concepts::entropy::{entropy_bits, entropy_nats};
use ndarray::Array1;
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
    match kind {
        "entropy" => {
            let p = matrix(inputs, "p")?.mapv(f64::from);
            let rows = |h: fn(ndarray::ArrayView1<'_, f64>) -> f64| {
                p.rows()
                    .into_iter()
                    .map(|row| h(row) as f32)
                    .collect::<Array1<f32>>()
                    .into_dyn()
            };
            Ok(vec![
                ("entropy_nats".into(), to_tensor(rows(entropy_nats))),
                ("entropy_bits".into(), to_tensor(rows(entropy_bits))),
            ])
        }
        other => Err(invalid(format!("`{other}` is not a concept kind"))),
    }
}
