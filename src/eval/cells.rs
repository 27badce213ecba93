//! The recurrent cells and bidirectional layers of a fixture: kinds
//! `rnn_cell`, `lstm_cell`, `gru_cell`, `birnn`, `bilstm`, `bigru`. The
//! fixture holds the module's `params` under their `state_dict` names and its
//! `inputs`: `x` of shape `[T, B, I]` (time first), `h0` and `c0` of shape
//! `[B, H]`. The result holds the tensors PyTorch reports, by the fixture's
//! names: for the cells the state after every step and the activated gates,
//! for the bidirectional layers `output`, `h_n` (and `c_n`).

use super::Outputs;
use crate::model::cells::bidirectional::{self, CellType, Direction};
use crate::model::cells::gru_cell::{self, GruScratch, GruWeights};
use crate::model::cells::lstm_cell::{self, LstmScratch, LstmWeights};
use crate::model::cells::recurrent;
use crate::model::cells::rnn_cell::{self, Nonlinearity, RnnScratch, RnnWeights};
use crate::model::weights::{self, tensor_from_json};
use crate::model::{ModelError, Tensor, Weights};
use crate::nn::vars::VarBuilder;
use ndarray::ArrayView1;
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
    let [steps, batch, features] = x.shape[..] else {
        return Err(invalid(format!(
            "input `x` has shape {:?}, expected [T, B, I]",
            x.shape
        )));
    };
    let nonlinearity = match fixture
        .pointer("/options/nonlinearity")
        .and_then(Value::as_str)
    {
        Some(name) => Nonlinearity::parse(name)?,
        None => Nonlinearity::Tanh,
    };
    let seq = Sequence {
        x: &x.data,
        steps,
        batch,
        features,
    };
    match kind {
        "rnn_cell" => {
            let (input, hidden) = RnnWeights::sizes(weights, "")?;
            let vb = VarBuilder::from_weights(weights);
            let w = RnnWeights::new(&vb, input, hidden, nonlinearity, "")?;
            vb.finish()?;
            seq.check(w.input)?;
            let h0 = state(inputs, "h0", batch, w.hidden)?;
            let mut s = RnnScratch::new(w.input, w.hidden);
            let mut out = Series::new(&["h"], steps, batch, w.hidden);
            for b in 0..batch {
                let mut h = h0[b * w.hidden..(b + 1) * w.hidden].to_vec();
                for t in 0..steps {
                    rnn_cell::step(&w, seq.at(t, b).into(), (&mut h[..]).into(), &mut s);
                    out.put(0, t, b, &h);
                }
            }
            Ok(out.finish())
        }
        "lstm_cell" => {
            let (input, hidden) = LstmWeights::sizes(weights, "")?;
            let vb = VarBuilder::from_weights(weights);
            let w = LstmWeights::new(&vb, input, hidden, "")?;
            vb.finish()?;
            seq.check(w.input)?;
            let hidden = w.hidden;
            let h0 = state(inputs, "h0", batch, hidden)?;
            let c0 = state(inputs, "c0", batch, hidden)?;
            let mut s = LstmScratch::new(w.input, hidden);
            let names = ["h", "c", "gate_i", "gate_f", "gate_g", "gate_o"];
            let mut out = Series::new(&names, steps, batch, hidden);
            for b in 0..batch {
                let mut h = h0[b * hidden..(b + 1) * hidden].to_vec();
                let mut c = c0[b * hidden..(b + 1) * hidden].to_vec();
                for t in 0..steps {
                    lstm_cell::step(
                        &w,
                        seq.at(t, b).into(),
                        (&mut h[..]).into(),
                        (&mut c[..]).into(),
                        &mut s,
                    );
                    out.put(0, t, b, &h);
                    out.put(1, t, b, &c);
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
            seq.check(w.input)?;
            let hidden = w.hidden;
            let h0 = state(inputs, "h0", batch, hidden)?;
            let mut s = GruScratch::new(w.input, hidden);
            let mut out = Series::new(&["h", "gate_r", "gate_z", "gate_n"], steps, batch, hidden);
            for b in 0..batch {
                let mut h = h0[b * hidden..(b + 1) * hidden].to_vec();
                for t in 0..steps {
                    gru_cell::step(&w, seq.at(t, b).into(), (&mut h[..]).into(), &mut s);
                    out.put(0, t, b, &h);
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
            seq.check(input)?;
            let mut output = vec![0.0; steps * batch * 2 * hidden];
            let mut h_n = vec![0.0; 2 * batch * hidden];
            let mut c_n = vec![0.0; 2 * batch * hidden];
            let mut window = vec![0.0; steps * input];
            let mut out_b = vec![0.0; steps * 2 * hidden];
            for b in 0..batch {
                for t in 0..steps {
                    window[t * input..(t + 1) * input].copy_from_slice(seq.at(t, b));
                }
                bidirectional::run(&mut fwd, &mut bwd, &window, &mut out_b);
                for t in 0..steps {
                    let dst = (t * batch + b) * 2 * hidden;
                    output[dst..dst + 2 * hidden]
                        .copy_from_slice(&out_b[t * 2 * hidden..(t + 1) * 2 * hidden]);
                }
                for (d, dir) in [&fwd, &bwd].into_iter().enumerate() {
                    let dst = (d * batch + b) * hidden;
                    h_n[dst..dst + hidden].copy_from_slice(recurrent::values(dir.h.view()));
                    if cell == CellType::Lstm {
                        c_n[dst..dst + hidden].copy_from_slice(recurrent::values(dir.c.view()));
                    }
                }
            }
            let mut outs = vec![
                (
                    "output".to_string(),
                    Tensor {
                        shape: vec![steps, batch, 2 * hidden],
                        data: output,
                    },
                ),
                (
                    "h_n".to_string(),
                    Tensor {
                        shape: vec![2, batch, hidden],
                        data: h_n,
                    },
                ),
            ];
            if cell == CellType::Lstm {
                outs.push((
                    "c_n".to_string(),
                    Tensor {
                        shape: vec![2, batch, hidden],
                        data: c_n,
                    },
                ));
            }
            Ok(outs)
        }
    }
}

fn invalid(msg: String) -> ModelError {
    ModelError::Invalid(msg)
}

fn input(inputs: &Map<String, Value>, name: &str) -> Result<Option<Tensor>, ModelError> {
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
fn state(
    inputs: &Map<String, Value>,
    name: &str,
    batch: usize,
    hidden: usize,
) -> Result<Vec<f32>, ModelError> {
    match input(inputs, name)? {
        None => Ok(vec![0.0; batch * hidden]),
        Some(t) if t.shape == [batch, hidden] => Ok(t.data),
        Some(t) => Err(invalid(format!(
            "input `{name}` has shape {:?}, expected [{batch}, {hidden}]",
            t.shape
        ))),
    }
}

struct Sequence<'a> {
    x: &'a [f32],
    steps: usize,
    batch: usize,
    features: usize,
}

impl Sequence<'_> {
    fn check(&self, input: usize) -> Result<(), ModelError> {
        if self.features == input {
            Ok(())
        } else {
            Err(invalid(format!(
                "input `x` has shape [{}, {}, {}], expected [T, B, {input}] (the weights' input size)",
                self.steps, self.batch, self.features
            )))
        }
    }

    fn at(&self, t: usize, b: usize) -> &[f32] {
        let start = (t * self.batch + b) * self.features;
        &self.x[start..start + self.features]
    }
}

/// Per-step tensors `[T, B, H]` being filled.
struct Series {
    names: Vec<String>,
    data: Vec<Vec<f32>>,
    batch: usize,
    hidden: usize,
    steps: usize,
}

impl Series {
    fn new(names: &[&str], steps: usize, batch: usize, hidden: usize) -> Series {
        Series {
            names: names.iter().map(|n| n.to_string()).collect(),
            data: vec![vec![0.0; steps * batch * hidden]; names.len()],
            batch,
            hidden,
            steps,
        }
    }

    fn put<'a>(&mut self, k: usize, t: usize, b: usize, values: impl Into<ArrayView1<'a, f32>>) {
        let start = (t * self.batch + b) * self.hidden;
        for (to, from) in self.data[k][start..start + self.hidden]
            .iter_mut()
            .zip(values.into())
        {
            *to = *from;
        }
    }

    fn finish(self) -> Outputs {
        let shape = vec![self.steps, self.batch, self.hidden];
        self.names
            .into_iter()
            .zip(self.data)
            .map(|(name, data)| {
                (
                    name,
                    Tensor {
                        shape: shape.clone(),
                        data,
                    },
                )
            })
            .collect()
    }
}
