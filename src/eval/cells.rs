//! The recurrent cells and bidirectional layers of a fixture: kinds
//! `rnn_cell`, `lstm_cell`, `gru_cell`, `birnn`, `bilstm`, `bigru`. The
//! fixture holds the module's `params` under their `state_dict` names and its
//! `inputs`: `x` of shape `[T, B, I]` (time first), `h0` and `c0` of shape
//! `[B, H]`. The result holds the tensors PyTorch reports, by the fixture's
//! names: for the cells the state after every step and the activated gates,
//! for the bidirectional layers `output`, `h_n` (and `c_n`).

use super::{Outputs, invalid};
use crate::model::cells::bidirectional::{self, CellType, Direction};
use crate::model::cells::gru_cell::{self, GruScratch, GruWeights};
use crate::model::cells::lstm_cell::{self, LstmScratch, LstmWeights};
use crate::model::cells::rnn_cell::{self, Nonlinearity, RnnScratch, RnnWeights};
use crate::model::weights::{self, tensor_from_json};
use crate::model::{ModelError, Tensor, Weights};
use crate::nn::vars::VarBuilder;
use ndarray::{Array, Array2, Array3, ArrayView1, Dimension, s};
use serde_json::{Map, Value};

/// Computes a cell or bidirectional fixture of kind `kind`. With `weights`,
/// those replace the fixture's `params` (to check a safetensors export of
/// the same module).
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
    let check = |input: usize| {
        if features == input {
            Ok(())
        } else {
            Err(invalid(format!(
                "input `x` has shape [{steps}, {batch}, {features}], expected [T, B, {input}] (the weights' input size)"
            )))
        }
    };
    match kind {
        "rnn_cell" => {
            let (input, hidden) = RnnWeights::sizes(weights, "")?;
            let vb = VarBuilder::from_weights(weights);
            let w = RnnWeights::new(&vb, input, hidden, nonlinearity, "")?;
            vb.finish()?;
            check(w.input)?;
            let mut h = state(inputs, "h0", batch, w.hidden)?;
            let mut s = RnnScratch::new(w.input, w.hidden);
            let mut out = Series::new(&["h"], steps, batch, w.hidden);
            for b in 0..batch {
                for t in 0..steps {
                    rnn_cell::step(&w, x.slice(s![t, b, ..]), h.row_mut(b), &mut s);
                    out.put(0, t, b, h.row(b));
                }
            }
            Ok(out.finish())
        }
        "lstm_cell" => {
            let (input, hidden) = LstmWeights::sizes(weights, "")?;
            let vb = VarBuilder::from_weights(weights);
            let w = LstmWeights::new(&vb, input, hidden, "")?;
            vb.finish()?;
            check(w.input)?;
            let mut h = state(inputs, "h0", batch, w.hidden)?;
            let mut c = state(inputs, "c0", batch, w.hidden)?;
            let mut s = LstmScratch::new(w.input, w.hidden);
            let names = ["h", "c", "gate_i", "gate_f", "gate_g", "gate_o"];
            let mut out = Series::new(&names, steps, batch, w.hidden);
            for b in 0..batch {
                for t in 0..steps {
                    lstm_cell::step(
                        &w,
                        x.slice(s![t, b, ..]),
                        h.row_mut(b),
                        c.row_mut(b),
                        &mut s,
                    );
                    out.put(0, t, b, h.row(b));
                    out.put(1, t, b, c.row(b));
                    for k in 0..4 {
                        out.put(2 + k, t, b, s.gate(k));
                    }
                }
            }
            Ok(out.finish())
        }
        "gru_cell" => {
            let (input, hidden) = GruWeights::sizes(weights, "")?;
            let vb = VarBuilder::from_weights(weights);
            let w = GruWeights::new(&vb, input, hidden, "")?;
            vb.finish()?;
            check(w.input)?;
            let mut h = state(inputs, "h0", batch, w.hidden)?;
            let mut s = GruScratch::new(w.input, w.hidden);
            let mut out = Series::new(&["h", "gate_r", "gate_z", "gate_n"], steps, batch, w.hidden);
            for b in 0..batch {
                for t in 0..steps {
                    gru_cell::step(&w, x.slice(s![t, b, ..]), h.row_mut(b), &mut s);
                    out.put(0, t, b, h.row(b));
                    for k in 0..3 {
                        out.put(1 + k, t, b, s.gate(k));
                    }
                }
            }
            Ok(out.finish())
        }
        _ => {
            let cell = match kind {
                "birnn" => CellType::Rnn(nonlinearity),
                "bilstm" => CellType::Lstm,
                _ => CellType::Gru,
            };
            let (input, hidden) = cell.sizes(weights)?;
            let vb = VarBuilder::from_weights(weights);
            let (mut fwd, mut bwd) = Direction::both(cell, &vb, input, hidden)?;
            vb.finish()?;
            check(input)?;
            // PyTorch's layouts: output [T, B, 2H] (forward then backward
            // halves), h_n and c_n [2, B, H] (forward, then backward).
            let mut output = Array3::<f32>::zeros((steps, batch, 2 * hidden));
            let mut h_n = Array3::<f32>::zeros((2, batch, hidden));
            let mut c_n = Array3::<f32>::zeros((2, batch, hidden));
            let mut out_b = Array2::<f32>::zeros((steps, 2 * hidden));
            for b in 0..batch {
                // One sequence [T, I], contiguous for the layer.
                let window = x.slice(s![.., b, ..]).as_standard_layout().into_owned();
                bidirectional::run(
                    &mut fwd,
                    &mut bwd,
                    window.as_slice().unwrap_or_default(),
                    out_b.as_slice_mut().unwrap_or_default(),
                );
                output.slice_mut(s![.., b, ..]).assign(&out_b);
                for (d, dir) in [&fwd, &bwd].into_iter().enumerate() {
                    h_n.slice_mut(s![d, b, ..]).assign(&dir.h);
                    if cell == CellType::Lstm {
                        c_n.slice_mut(s![d, b, ..]).assign(&dir.c);
                    }
                }
            }
            let mut outs = vec![
                ("output".to_string(), tensor(output)),
                ("h_n".to_string(), tensor(h_n)),
            ];
            if cell == CellType::Lstm {
                outs.push(("c_n".to_string(), tensor(c_n)));
            }
            Ok(outs)
        }
    }
}

pub(super) fn input(inputs: &Map<String, Value>, name: &str) -> Result<Option<Tensor>, ModelError> {
    inputs
        .get(name)
        .map(|v| {
            tensor_from_json(name, v).map_err(|e| match e {
                ModelError::Weights(msg) => invalid(format!("input {msg}")),
                other => other,
            })
        })
        .transpose()
}

/// An initial state `[B, H]`, zero if the fixture gives none.
pub(super) fn state(
    inputs: &Map<String, Value>,
    name: &str,
    batch: usize,
    hidden: usize,
) -> Result<Array2<f32>, ModelError> {
    match input(inputs, name)? {
        None => Ok(Array2::zeros((batch, hidden))),
        Some(t) if t.shape == [batch, hidden] => Array2::from_shape_vec((batch, hidden), t.data)
            .map_err(|e| invalid(format!("input `{name}`: {e}"))),
        Some(t) => Err(invalid(format!(
            "input `{name}` has shape {:?}, expected [{batch}, {hidden}]",
            t.shape
        ))),
    }
}

/// The input sequence `x` as `[T, B, I]`.
pub(super) fn sequence(x: Tensor) -> Result<Array3<f32>, ModelError> {
    let [steps, batch, features] = x.shape[..] else {
        return Err(invalid(format!(
            "input `x` has shape {:?}, expected [T, B, I]",
            x.shape
        )));
    };
    Array3::from_shape_vec((steps, batch, features), x.data)
        .map_err(|e| invalid(format!("input `x`: {e}")))
}

/// An array as the evaluator's tensor, in its (row-major) layout.
pub(super) fn tensor<D: Dimension>(array: Array<f32, D>) -> Tensor {
    Tensor {
        shape: array.shape().to_vec(),
        data: array.as_standard_layout().iter().copied().collect(),
    }
}

/// Per-step tensors `[T, B, H]` being filled, by name.
struct Series {
    names: Vec<&'static str>,
    data: Vec<Array3<f32>>,
}

impl Series {
    fn new(names: &[&'static str], steps: usize, batch: usize, hidden: usize) -> Series {
        Series {
            names: names.to_vec(),
            data: vec![Array3::zeros((steps, batch, hidden)); names.len()],
        }
    }

    fn put<'a>(&mut self, k: usize, t: usize, b: usize, values: impl Into<ArrayView1<'a, f32>>) {
        self.data[k].slice_mut(s![t, b, ..]).assign(&values.into());
    }

    fn finish(self) -> Outputs {
        self.names
            .into_iter()
            .zip(self.data)
            .map(|(name, data)| (name.to_string(), tensor(data)))
            .collect()
    }
}
