//! Long short-term memory cell, computed exactly as `torch.nn.LSTMCell`.
//!
//! Hochreiter & Schmidhuber, "Long Short-Term Memory", Neural Computation
//! 9(8), 1997; with the forget gate of Gers, Schmidhuber & Cummins,
//! "Learning to Forget: Continual Prediction with LSTM", Neural Computation
//! 12(10), 2000.
//!
//! ```text
//! i = σ(W_ii x + b_ii + W_hi h + b_hi)      f = σ(W_if x + b_if + W_hf h + b_hf)
//! g = tanh(W_ig x + b_ig + W_hg h + b_hg)   o = σ(W_io x + b_io + W_ho h + b_ho)
//! c' = f ⊙ c + i ⊙ g                        h' = o ⊙ tanh(c')
//! ```
//! The gates are the row blocks of PyTorch's `weight_ih`/`weight_hh` in the
//! order i, f, g, o. Here both matrices are fused into one `[4H, I + H]`
//! matrix times `[x; h]`, so one pass computes every gate.

use super::recurrent::{self, Cell, Ring, Stepper};
use crate::kernels::{self, Packed};
use crate::model::{Model, ModelError, ModelSpec, ParamValue, Params, View, Weights};
use crate::nn::vars::{Init, VarBuilder};
use crate::text::Bilingual;

/// The weights of one LSTM cell, fused for the step.
#[derive(Debug, Clone, PartialEq)]
pub struct LstmWeights {
    pub input: usize,
    pub hidden: usize,
    /// `[4H, I + H]`: `weight_ih` and `weight_hh` side by side.
    w: Packed,
    /// `[4H]`: `bias_ih + bias_hh`.
    b: Vec<f32>,
}

impl LstmWeights {
    /// The weights of a cell of `input` and `hidden` values from `vb`, by
    /// the `state_dict` names with `suffix` (`""` for `LSTMCell`, `"_l0"`
    /// and `"_l0_reverse"` for a bidirectional `LSTM`); initialised as
    /// PyTorch does, U(-1/sqrt(H), 1/sqrt(H)) for every tensor, drawn in
    /// `state_dict` order.
    pub fn new(
        vb: &VarBuilder<'_>,
        input: usize,
        hidden: usize,
        suffix: &str,
    ) -> Result<LstmWeights, ModelError> {
        let init = Init::Uniform(recurrent::init_bound(hidden));
        let gates = 4 * hidden;
        let w_ih = vb.get2(&format!("weight_ih{suffix}"), (gates, input), init)?;
        let w_hh = vb.get2(&format!("weight_hh{suffix}"), (gates, hidden), init)?;
        let b_ih = vb.get1(&format!("bias_ih{suffix}"), gates, init)?;
        let b_hh = vb.get1(&format!("bias_hh{suffix}"), gates, init)?;
        Ok(LstmWeights {
            input,
            hidden,
            w: recurrent::fuse(w_ih.view(), w_hh.view()),
            b: recurrent::add(b_ih.view(), b_hh.view()),
        })
    }

    /// `(input, hidden)` of the cell whose `weight_ih{suffix}` is in `weights`.
    pub fn sizes(weights: &Weights, suffix: &str) -> Result<(usize, usize), ModelError> {
        recurrent::sizes_from_weights(weights, &format!("weight_ih{suffix}"), 4)
    }
}

/// The working vectors of one LSTM step, allocated once.
#[derive(Debug, Clone)]
pub struct LstmScratch {
    /// `[x; h]`, the previous hidden state in the second part.
    xh: Vec<f32>,
    /// Pre-activations i, f, g, o.
    pre: Vec<f32>,
    /// Activated gates i, f, g, o of the last step (or the stages run so far).
    pub gates: Vec<f32>,
    /// The cell state before the step.
    c_prev: Vec<f32>,
    tanh_c: Vec<f32>,
    /// Read the matrix last row first in this step (alternates; see
    /// [`kernels::gemv_dir`]).
    reverse: bool,
}

impl LstmScratch {
    pub fn new(input: usize, hidden: usize) -> LstmScratch {
        LstmScratch {
            xh: vec![0.0; input + hidden],
            pre: vec![0.0; 4 * hidden],
            gates: vec![0.0; 4 * hidden],
            c_prev: vec![0.0; hidden],
            tanh_c: vec![0.0; hidden],
            reverse: false,
        }
    }

    /// Whether the last step's pre-activations are finite.
    pub fn finite(&self) -> bool {
        kernels::all_finite(&self.pre)
    }

    /// Gate `k` (0 i, 1 f, 2 g, 3 o) of the last step.
    pub fn gate(&self, k: usize) -> &[f32] {
        let h = self.gates.len() / 4;
        &self.gates[k * h..(k + 1) * h]
    }
}

/// The stages of an LSTM step, as functions over the weights and state.
/// [`step`] runs them all; the lab runs them one at a time.
pub mod stages {
    use super::*;

    /// Keeps the state for a redo and computes every gate's pre-activation.
    #[inline]
    pub fn project(w: &LstmWeights, x: &[f32], h: &[f32], c: &[f32], s: &mut LstmScratch) {
        s.xh[..w.input].copy_from_slice(x);
        s.xh[w.input..].copy_from_slice(h);
        s.c_prev.copy_from_slice(c);
        s.reverse = !s.reverse;
        kernels::gemv_packed(&w.w, &s.xh, &w.b, &mut s.pre, s.reverse);
    }

    #[inline]
    fn gate(s: &mut LstmScratch, k: usize, sigmoid: bool) {
        let h = s.c_prev.len();
        let range = k * h..(k + 1) * h;
        let out = &mut s.gates[range.clone()];
        out.copy_from_slice(&s.pre[range]);
        if sigmoid {
            kernels::sigmoid(out);
        } else {
            kernels::tanh(out);
        }
    }

    /// f = σ(...)
    #[inline]
    pub fn forget(s: &mut LstmScratch) {
        gate(s, 1, true);
    }

    /// i = σ(...)
    #[inline]
    pub fn input(s: &mut LstmScratch) {
        gate(s, 0, true);
    }

    /// g = tanh(...)
    #[inline]
    pub fn candidate(s: &mut LstmScratch) {
        gate(s, 2, false);
    }

    /// c' = f ⊙ c + i ⊙ g
    #[inline]
    pub fn cell(s: &LstmScratch, c: &mut [f32]) {
        let h = c.len();
        let (i, rest) = s.gates.split_at(h);
        let (f, rest) = rest.split_at(h);
        let g = &rest[..h];
        for k in 0..h {
            c[k] = f[k] * c[k] + i[k] * g[k];
        }
    }

    /// o = σ(...)
    #[inline]
    pub fn output(s: &mut LstmScratch) {
        gate(s, 3, true);
    }

    /// h' = o ⊙ tanh(c')
    #[inline]
    pub fn hidden(s: &mut LstmScratch, c: &[f32], h: &mut [f32]) {
        let n = c.len();
        s.tanh_c.copy_from_slice(c);
        kernels::tanh(&mut s.tanh_c);
        let o = &s.gates[3 * n..];
        for k in 0..n {
            h[k] = o[k] * s.tanh_c[k];
        }
    }
}

/// One whole LSTM step: `h` and `c` become h' and c'; the activated gates
/// are left in `s.gates`.
#[inline]
pub fn step(w: &LstmWeights, x: &[f32], h: &mut [f32], c: &mut [f32], s: &mut LstmScratch) {
    stages::project(w, x, h, c, s);
    stages::forget(s);
    stages::input(s);
    stages::candidate(s);
    stages::cell(s, c);
    stages::output(s);
    stages::hidden(s, c, h);
}

static STAGES: [Bilingual; 6] = [
    Bilingual::new("forget gate", "遗忘门"),
    Bilingual::new("input gate", "输入门"),
    Bilingual::new("candidate", "候选记忆"),
    Bilingual::new("cell state", "细胞状态"),
    Bilingual::new("output gate", "输出门"),
    Bilingual::new("hidden state", "隐藏状态"),
];

/// The LSTM cell with its state, for [`Stepper`].
#[derive(Clone)]
pub struct LstmCell {
    pub weights: LstmWeights,
    pub h: Vec<f32>,
    pub c: Vec<f32>,
    pub scratch: LstmScratch,
    h_history: Ring,
    c_history: Ring,
}

impl LstmCell {
    pub fn new(input: usize, hidden: usize) -> LstmCell {
        LstmCell {
            weights: LstmWeights {
                input,
                hidden,
                w: Packed::new(
                    &vec![0.0; 4 * hidden * (input + hidden)],
                    4 * hidden,
                    input + hidden,
                ),
                b: vec![0.0; 4 * hidden],
            },
            h: vec![0.0; hidden],
            c: vec![0.0; hidden],
            scratch: LstmScratch::new(input, hidden),
            h_history: Ring::new(hidden),
            c_history: Ring::new(hidden),
        }
    }

    fn record(&mut self) {
        self.h_history.push(&self.h);
        self.c_history.push(&self.c);
    }
}

impl Cell for LstmCell {
    fn stages(&self) -> &'static [Bilingual] {
        &STAGES
    }

    fn begin(&mut self, x: &[f32]) {
        stages::project(&self.weights, x, &self.h, &self.c, &mut self.scratch);
    }

    fn run(&mut self, index: usize) {
        let s = &mut self.scratch;
        match index {
            0 => stages::forget(s),
            1 => stages::input(s),
            2 => stages::candidate(s),
            3 => stages::cell(s, &mut self.c),
            4 => stages::output(s),
            _ => {
                stages::hidden(s, &self.c, &mut self.h);
                self.record();
            }
        }
    }

    fn step(&mut self, x: &[f32]) {
        step(
            &self.weights,
            x,
            &mut self.h,
            &mut self.c,
            &mut self.scratch,
        );
        self.record();
    }

    fn restore(&mut self) {
        self.c.copy_from_slice(&self.scratch.c_prev);
    }

    fn finite(&self) -> bool {
        kernels::all_finite(&self.h) && kernels::all_finite(&self.c) && self.scratch.finite()
    }

    type Weights = LstmWeights;

    fn weights(&self, vb: &VarBuilder<'_>) -> Result<LstmWeights, ModelError> {
        LstmWeights::new(vb, self.weights.input, self.weights.hidden, "")
    }

    fn set_weights(&mut self, weights: LstmWeights) {
        self.weights = weights;
        self.clear();
    }

    fn clear(&mut self) {
        let (input, hidden) = (self.weights.input, self.weights.hidden);
        self.h.fill(0.0);
        self.c.fill(0.0);
        self.scratch = LstmScratch::new(input, hidden);
        self.h_history.clear();
        self.c_history.clear();
    }

    fn views(&self, done: usize, current: usize, out: &mut Vec<View>) {
        let s = &self.scratch;
        let unit = (0.0, 1.0);
        let signed = (-1.0, 1.0);
        out.push(recurrent::vector(
            "gate_f",
            Bilingual::new("forget gate f", "遗忘门 f"),
            s.gate(1),
            unit,
        ));
        out.push(recurrent::vector(
            "gate_i",
            Bilingual::new("input gate i", "输入门 i"),
            s.gate(0),
            unit,
        ));
        out.push(recurrent::vector(
            "gate_g",
            Bilingual::new("candidate g", "候选记忆 g"),
            s.gate(2),
            signed,
        ));
        out.push(recurrent::vector(
            "c",
            Bilingual::new("cell state c", "细胞状态 c"),
            &self.c,
            recurrent::symmetric_range(&self.c),
        ));
        out.push(recurrent::vector(
            "gate_o",
            Bilingual::new("output gate o", "输出门 o"),
            s.gate(3),
            unit,
        ));
        out.push(recurrent::vector(
            "h",
            Bilingual::new("hidden state h", "隐藏状态 h"),
            &self.h,
            signed,
        ));
        out.push(self.h_history.view(
            "h_history",
            Bilingual::new("hidden state over time", "隐藏状态随时间变化"),
            signed,
        ));
        let c_hist = self.c_history.oldest_first();
        out.push(self.c_history.view(
            "c_history",
            Bilingual::new("cell state over time", "细胞状态随时间变化"),
            recurrent::symmetric_range(&c_hist),
        ));
        out.push(recurrent::equations(
            &[
                ("f = σ(W_if x + b_if + W_hf h + b_hf)", s.gate(1)),
                ("i = σ(W_ii x + b_ii + W_hi h + b_hi)", s.gate(0)),
                ("g = tanh(W_ig x + b_ig + W_hg h + b_hg)", s.gate(2)),
                ("c' = f ⊙ c + i ⊙ g", &self.c),
                ("o = σ(W_io x + b_io + W_ho h + b_ho)", s.gate(3)),
                ("h' = o ⊙ tanh(c')", &self.h),
            ],
            done,
            current,
        ));
    }
}

fn params() -> Vec<crate::model::ParamSpec> {
    let mut specs = recurrent::size_specs(4, 8);
    specs.extend(recurrent::feed_specs());
    specs
}

fn build(params: &Params, seed: u64) -> Result<Box<dyn Model>, ModelError> {
    let input = recurrent::size(params, "input");
    let hidden = recurrent::size(params, "hidden");
    Ok(Box::new(Stepper::new(
        LstmCell::new(input, hidden),
        params,
        input,
        seed,
    )))
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "lstm_cell",
    name: Bilingual::new("LSTM cell", "长短期记忆神经元"),
    params,
    build,
    params_from_weights: Some(params_from_weights),
};

/// `input` and `hidden` from the shape of `weight_ih`, `[4 * hidden, input]`.
fn params_from_weights(weights: &Weights) -> Result<Vec<(&'static str, ParamValue)>, ModelError> {
    LstmWeights::sizes(weights, "").map(recurrent::size_params)
}
