//! The seed's concepts: `entropy`, the entropy of each row of a probability
//! matrix in nats and in bits, terms with p = 0 left out; `argmax_dims`,
//! `torch.argmax` along each axis of a tensor and over all of it, and a
//! softmax along axis 1.

use super::Outputs;
use super::dense::{array, matrix, to_tensor};
use super::invalid;
use crate::model::ModelError;
use crate::model::concepts::argmax::{argmax, argmax_along, softmax_along};
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
        "argmax_dims" => {
            let x = array(inputs, "x")?.mapv(f64::from);
            let indices = |a: ndarray::ArrayD<usize>| to_tensor(a.mapv(|i| i as f32));
            let mut out: Outputs = (0..x.ndim())
                .map(|d| (format!("argmax_dim{d}"), indices(argmax_along(&x, d))))
                .collect();
            let flat_values: Vec<f64> = x.iter().copied().collect();
            let flat = argmax(ndarray::ArrayView1::from(&flat_values))
                .ok_or_else(|| invalid("`x` is empty or holds NaN".into()))?;
            let mut index = Vec::with_capacity(x.ndim());
            let mut rest = flat;
            for &n in x.shape().iter().rev() {
                index.push(rest % n);
                rest /= n;
            }
            index.reverse();
            out.push((
                "argmax_global_flat".into(),
                to_tensor(ndarray::arr0(flat as f32).into_dyn()),
            ));
            out.push((
                "argmax_global_index".into(),
                to_tensor(Array1::from_iter(index.iter().map(|&i| i as f32)).into_dyn()),
            ));
            if x.ndim() > 1 {
                out.push((
                    "softmax_dim1".into(),
                    to_tensor(softmax_along(&x, 1).mapv(|v| v as f32)),
                ));
            }
            Ok(out)
        }
        other => Err(invalid(format!("`{other}` is not a concept kind"))),
    }
}
