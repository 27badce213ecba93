//! Backpropagation through time of a fixture: kinds `rnn_bptt`,
//! `lstm_bptt`, `gru_bptt`. The cell (`weight_ih`, `weight_hh`, `bias_ih`,
//! `bias_hh`) is unrolled over `x` `[T, B, I]` from `h0` (and `c0`); a
//! readout (`readout.weight`, `readout.bias`) gives logits at every step;
//! the loss is the cross-entropy against `labels` `[T][B]`, averaged over
//! all T·B (step, row) pairs. The result holds the logits, the states, the
//! loss and the gradient of every weight and of the initial state, under
//! the fixture's names (`grad_weight_ih`, ..., `grad_h0`, `grad_c0`).

use super::cells::{input, sequence, state, tensor};
use super::{Outputs, invalid};
use crate::model::cells::bptt::{CellKind, Unrolled, readout_logits};
use crate::model::cells::rnn_cell::Nonlinearity;
use crate::model::weights;
use crate::model::{ModelError, Tensor, Weights};
use crate::nn::vars::{Init, VarBuilder};
use crate::nn::{linear, loss};
use serde_json::{Map, Value};

/// Computes a fixture of kind `kind`; with `weights`, those replace the
/// fixture's `params`.
pub fn evaluate(
    kind: &str,
    fixture: &Value,
    weights: Option<&Weights>,
) -> Result<Outputs, ModelError> {
    let owned;
    let weights = match weights {
        Some(w) => w,
        None => {
            let params = fixture
                .get("params")
                .ok_or_else(|| invalid("the fixture has no `params`".into()))?;
            owned = weights::from_json_value(params)?;
            &owned
        }
    };
    let inputs = fixture
        .get("inputs")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid("the fixture has no `inputs` object".into()))?;
    let x = input(inputs, "x")?
        .ok_or_else(|| invalid("the fixture's inputs have no `x` [T, B, I]".into()))?;
    let x = sequence(x)?;
    let (steps, batch, features) = x.dim();
    let nonlinearity = match fixture
        .pointer("/options/nonlinearity")
        .and_then(Value::as_str)
    {
        Some(name) => Nonlinearity::parse(name)?,
        None => Nonlinearity::Tanh,
    };
    let kind = match kind {
        "rnn_bptt" => CellKind::Rnn(nonlinearity),
        "lstm_bptt" => CellKind::Lstm,
        _ => CellKind::Gru,
    };
    let shape = weights
        .get("weight_hh")
        .map(|t| t.shape.clone())
        .ok_or_else(|| invalid("the fixture's params have no `weight_hh`".into()))?;
    let hidden = match shape[..] {
        [rows, hidden] if rows == kind.gates() * hidden => hidden,
        _ => {
            return Err(invalid(format!(
                "`weight_hh` has shape {shape:?}, expected [{} * H, H]",
                kind.gates()
            )));
        }
    };
    let classes = weights
        .get("readout.weight")
        .map(|t| t.shape.first().copied().unwrap_or(0))
        .ok_or_else(|| invalid("the fixture's params have no `readout.weight`".into()))?;
    let vb = VarBuilder::from_weights(weights);
    let mut cell = Unrolled::from_vars(&vb, kind, features, hidden)?;
    let no_init = Init::Uniform(0.0);
    let readout_w = vb
        .pp("readout")
        .get2("weight", (classes, hidden), no_init)?;
    let readout_b = vb.pp("readout").get1("bias", classes, no_init)?;
    vb.finish()?;
    let h0 = state(inputs, "h0", batch, hidden)?;
    let c0 = state(inputs, "c0", batch, hidden)?;
    if kind != CellKind::Lstm && inputs.contains_key("c0") {
        return Err(invalid("only an LSTM takes `c0`".into()));
    }
    let labels = labels(inputs, steps, batch, classes)?;

    let states = cell.run(x.view(), h0.view(), Some(c0.view()));
    let logits = readout_logits(states.view(), readout_w.view(), readout_b.view());
    let (loss, grad_logits) = loss::cross_entropy(logits.view(), &labels);
    let rows = states
        .as_standard_layout()
        .into_owned()
        .into_shape_with_order((steps * batch, hidden))
        .expect("the same values");
    let (grad_rows, grad_readout_w, grad_readout_b) =
        linear::backward(rows.view(), readout_w.view(), grad_logits.view());
    let grad_h = grad_rows
        .into_shape_with_order((steps, batch, hidden))
        .expect("the same values");
    let grads = cell.backward_through_time(grad_h.view());

    let logits = logits
        .into_shape_with_order((steps, batch, classes))
        .expect("the same values");
    let mut out: Outputs = vec![
        ("logits".into(), tensor(logits)),
        ("h".into(), tensor(states)),
    ];
    if kind == CellKind::Lstm
        && let Some(c) = cell.cell_states()
    {
        out.push(("c".into(), tensor(c.to_owned())));
    }
    out.extend([
        (
            "loss".into(),
            Tensor {
                shape: vec![1],
                data: vec![loss],
            },
        ),
        ("grad_weight_ih".into(), tensor(cell.grad_weight_ih)),
        ("grad_weight_hh".into(), tensor(cell.grad_weight_hh)),
        ("grad_bias_ih".into(), tensor(cell.grad_bias_ih)),
        ("grad_bias_hh".into(), tensor(cell.grad_bias_hh)),
        ("grad_readout.weight".into(), tensor(grad_readout_w)),
        ("grad_readout.bias".into(), tensor(grad_readout_b)),
        ("grad_h0".into(), tensor(grads.h0)),
    ]);
    if let Some(c0) = grads.c0 {
        out.push(("grad_c0".into(), tensor(c0)));
    }
    Ok(out)
}

/// The labels `[T][B]` as one list, step-major like the logits' rows.
fn labels(
    inputs: &Map<String, Value>,
    steps: usize,
    batch: usize,
    classes: usize,
) -> Result<Vec<usize>, ModelError> {
    let rows = inputs
        .get("labels")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("the fixture's inputs have no `labels` [T][B]".into()))?;
    if rows.len() != steps {
        return Err(invalid(format!(
            "`labels` has {} steps, expected {steps}",
            rows.len()
        )));
    }
    let mut out = Vec::with_capacity(steps * batch);
    for (t, row) in rows.iter().enumerate() {
        let row = row
            .as_array()
            .filter(|r| r.len() == batch)
            .ok_or_else(|| invalid(format!("`labels[{t}]` must list {batch} classes")))?;
        for (b, label) in row.iter().enumerate() {
            match label.as_u64() {
                Some(l) if (l as usize) < classes => out.push(l as usize),
                _ => {
                    return Err(invalid(format!(
                        "`labels[{t}][{b}]` must be a class in 0..{classes}"
                    )));
                }
            }
        }
    }
    Ok(out)
}
