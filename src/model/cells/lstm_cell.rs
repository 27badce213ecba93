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
//! matrix times `[x; h]`, so one pass computes every gate. The state, the
//! gates and the biases are ndarray arrays in PyTorch's layouts; the product
//! and the activations run on the hand-written kernels through
//! [`crate::kernels::views`].

use super::recurrent::{self, Cell, Ring};
use crate::kernels::{self, Packed, views};
use crate::model::{Model, ModelError, ModelSpec, ParamValue, Params, View, Weights};
use crate::nn::vars::VarBuilder;
use crate::text::Bilingual;
use crate::view::FlowPanel;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut1, Zip, s};

/// The weights of one LSTM cell, fused for the step.
#[derive(Debug, Clone, PartialEq)]
pub struct LstmWeights {
    pub input: usize,
    pub hidden: usize,
    /// `[4H, I + H]`: `weight_ih` and `weight_hh` side by side.
    w: Packed,
    /// `[4H]`: `bias_ih + bias_hh`.
    b: Array1<f32>,
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
        let t = recurrent::tensors(vb, input, hidden, 4, suffix)?;
        let (w_ih, w_hh, b_ih, b_hh) = (t.w_ih.view(), t.w_hh.view(), t.b_ih.view(), t.b_hh.view());
        Ok(LstmWeights::from_arrays(w_ih, w_hh, b_ih, b_hh))
    }

    /// The weights fused from PyTorch's four tensors: `weight_ih` `[4H, I]`,
    /// `weight_hh` `[4H, H]`, `bias_ih` and `bias_hh` `[4H]`.
    pub fn from_arrays(
        w_ih: ArrayView2<'_, f32>,
        w_hh: ArrayView2<'_, f32>,
        b_ih: ArrayView1<'_, f32>,
        b_hh: ArrayView1<'_, f32>,
    ) -> LstmWeights {
        LstmWeights {
            input: w_ih.ncols(),
            hidden: w_hh.ncols(),
            w: recurrent::fuse(w_ih, w_hh),
            b: &b_ih + &b_hh,
        }
    }

    /// `(input, hidden)` of the cell whose `weight_ih{suffix}` is in `weights`.
    pub fn sizes(weights: &Weights, suffix: &str) -> Result<(usize, usize), ModelError> {
        recurrent::sizes_from_weights(weights, &format!("weight_ih{suffix}"), 4)
    }
}

/// The working arrays of one LSTM step, allocated once.
#[derive(Debug, Clone)]
pub struct LstmScratch {
    /// `[x; h]`, the previous hidden state in the second part.
    xh: Array1<f32>,
    /// `[4H]`: the pre-activations of i, f, g, o.
    pre: Array1<f32>,
    /// `[4H]`: the activated gates i, f, g, o of the last step (or of the
    /// stages run so far), in PyTorch's order.
    pub gates: Array1<f32>,
    /// The cell state before the step.
    c_prev: Array1<f32>,
    tanh_c: Array1<f32>,
    /// Read the matrix last row first in this step (alternates; see
    /// [`crate::kernels::gemv_dir`]).
    reverse: bool,
}

impl LstmScratch {
    pub fn new(input: usize, hidden: usize) -> LstmScratch {
        LstmScratch {
            xh: Array1::zeros(input + hidden),
            pre: Array1::zeros(4 * hidden),
            gates: Array1::zeros(4 * hidden),
            c_prev: Array1::zeros(hidden),
            tanh_c: Array1::zeros(hidden),
            reverse: false,
        }
    }

    /// Whether the last step's pre-activations are finite.
    pub fn finite(&self) -> bool {
        views::all_finite(self.pre.view())
    }

    /// The four gate blocks i, f, g, o of `gates`, as slices for the step.
    #[inline]
    fn blocks(&self) -> [&[f32]; 4] {
        let gates = views::flat(&self.gates);
        let h = gates.len() / 4;
        [0, 1, 2, 3].map(|k| &gates[k * h..(k + 1) * h])
    }

    /// tanh(c') of the last step.
    pub fn tanh_c(&self) -> ArrayView1<'_, f32> {
        self.tanh_c.view()
    }

    /// Gate `k` (0 i, 1 f, 2 g, 3 o) of the last step.
    pub fn gate(&self, k: usize) -> ArrayView1<'_, f32> {
        let h = self.gates.len() / 4;
        self.gates.slice(s![k * h..(k + 1) * h])
    }
}

/// The stages of an LSTM step, as functions over the weights and state.
/// [`step`] runs them all; the lab runs them one at a time.
pub mod stages {
    use super::*;

    /// Keeps the state for a redo and computes every gate's pre-activation,
    /// W_ih x + b_ih + W_hh h + b_hh for the four gates at once.
    #[inline]
    pub fn project(
        w: &LstmWeights,
        x: ArrayView1<'_, f32>,
        h: ArrayView1<'_, f32>,
        c: ArrayView1<'_, f32>,
        s: &mut LstmScratch,
    ) {
        let (xh_x, xh_h) = views::flat_mut(&mut s.xh).split_at_mut(w.input);
        views::copy(x, xh_x);
        views::copy(h, xh_h);
        views::copy(c, views::flat_mut(&mut s.c_prev));
        s.reverse = !s.reverse;
        views::gemv(&w.w, s.xh.view(), w.b.view(), s.pre.view_mut(), s.reverse);
    }

    /// Takes pre-activations computed elsewhere (for many rows at once, as
    /// one matrix product) in place of [`project`]: keeps the cell state
    /// for the stages after it.
    #[inline]
    pub fn given(pre: ArrayView1<'_, f32>, c: ArrayView1<'_, f32>, s: &mut LstmScratch) {
        views::copy(pre, views::flat_mut(&mut s.pre));
        views::copy(c, views::flat_mut(&mut s.c_prev));
    }

    /// Activates the pre-activations of gate `k` into its block of `gates`.
    #[inline]
    fn gate(s: &mut LstmScratch, k: usize, sigmoid: bool) {
        let h = s.c_prev.len();
        let block = k * h..(k + 1) * h;
        let out = &mut views::flat_mut(&mut s.gates)[block.clone()];
        out.copy_from_slice(&views::flat(&s.pre)[block]);
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
    pub fn cell(s: &LstmScratch, mut c: ArrayViewMut1<'_, f32>) {
        let [i, f, g, _] = s.blocks();
        match c.as_slice_mut() {
            // Zipped rather than indexed: the blocks' lengths are not known
            // to equal c's, and a bounds check per value keeps the loop
            // from being vectorised.
            Some(c) => {
                for (((c, &f), &i), &g) in c.iter_mut().zip(f).zip(i).zip(g) {
                    *c = f * *c + i * g;
                }
            }
            None => Zip::from(c)
                .and(f)
                .and(i)
                .and(g)
                .for_each(|c, &f, &i, &g| *c = f * *c + i * g),
        }
    }

    /// o = σ(...)
    #[inline]
    pub fn output(s: &mut LstmScratch) {
        gate(s, 3, true);
    }

    /// h' = o ⊙ tanh(c')
    #[inline]
    pub fn hidden(s: &mut LstmScratch, c: ArrayView1<'_, f32>, mut h: ArrayViewMut1<'_, f32>) {
        let tanh_c = views::flat_mut(&mut s.tanh_c);
        views::copy(c, tanh_c);
        kernels::tanh(tanh_c);
        let [_, _, _, o] = s.blocks();
        let tanh_c = views::flat(&s.tanh_c);
        match h.as_slice_mut() {
            Some(h) => {
                for ((h, &o), &tanh_c) in h.iter_mut().zip(o).zip(tanh_c) {
                    *h = o * tanh_c;
                }
            }
            None => Zip::from(h)
                .and(o)
                .and(tanh_c)
                .for_each(|h, &o, &tanh_c| *h = o * tanh_c),
        }
    }
}

/// One whole LSTM step: `h` and `c` become h' and c'; the activated gates
/// are left in `s.gates`.
#[inline]
pub fn step(
    w: &LstmWeights,
    x: ArrayView1<'_, f32>,
    h: ArrayViewMut1<'_, f32>,
    c: ArrayViewMut1<'_, f32>,
    s: &mut LstmScratch,
) {
    stages::project(w, x, h.view(), c.view(), s);
    from_pre_activations(h, c, s);
}

/// The step after its products: `pre` holds W_ih x + b_ih + W_hh h + b_hh
/// for this row, computed for a whole batch at once; the gate stages are
/// [`step`]'s own.
#[inline]
pub fn step_given(
    pre: ArrayView1<'_, f32>,
    h: ArrayViewMut1<'_, f32>,
    c: ArrayViewMut1<'_, f32>,
    s: &mut LstmScratch,
) {
    stages::given(pre, c.view(), s);
    from_pre_activations(h, c, s);
}

/// The stages of a step after its products, in order: the gates f, i, g,
/// the cell state c', the gate o and the hidden state h'.
#[inline]
fn from_pre_activations(
    mut h: ArrayViewMut1<'_, f32>,
    mut c: ArrayViewMut1<'_, f32>,
    s: &mut LstmScratch,
) {
    stages::forget(s);
    stages::input(s);
    stages::candidate(s);
    stages::cell(s, c.view_mut());
    stages::output(s);
    stages::hidden(s, c.view(), h.view_mut());
}

/// The backward pass of one step, for backpropagation through time
/// ([`super::bptt`]): every row of a batch at once, `[B, ·]` arrays.
pub mod backward {
    use crate::nn::activation::{sigmoid_backward, tanh_backward};
    use ndarray::{Array2, ArrayView2, Axis, concatenate, s};

    /// What one step kept: its activated gates `[B, 4H]` (i, f, g, o), the
    /// cell state it started from and tanh of the one it made.
    pub struct Kept<'a> {
        pub gates: ArrayView2<'a, f32>,
        pub c_prev: ArrayView2<'a, f32>,
        pub tanh_c: ArrayView2<'a, f32>,
    }

    /// From dL/dh' and dL/dc' (what later steps send back through the cell
    /// state), the gradient of the four gates' pre-activations `[B, 4H]`,
    /// in PyTorch's row order (it reaches both weight matrices alike), and
    /// dL/dc for the step before.
    pub fn step(
        kept: &Kept<'_>,
        dh: ArrayView2<'_, f32>,
        dc_next: ArrayView2<'_, f32>,
    ) -> (Array2<f32>, Array2<f32>) {
        let h = kept.c_prev.ncols();
        let gate = |k: usize| kept.gates.slice_move(s![.., k * h..(k + 1) * h]);
        let (i, f, g, o) = (gate(0), gate(1), gate(2), gate(3));
        // h' = o ⊙ tanh(c')
        let d_o = &dh * &kept.tanh_c;
        let d_tanh_c = &dh * &o;
        // c' = f ⊙ c + i ⊙ g, and c' also reaches the loss through tanh(c').
        let dc = tanh_backward(kept.tanh_c, d_tanh_c.view()) + dc_next;
        let d_f = &dc * &kept.c_prev;
        let d_i = &dc * &g;
        let d_g = &dc * &i;
        let dc_prev = &dc * &f;
        // Through each gate's activation to its pre-activation.
        let pre = [
            sigmoid_backward(i, d_i.view()),
            sigmoid_backward(f, d_f.view()),
            tanh_backward(g, d_g.view()),
            sigmoid_backward(o, d_o.view()),
        ];
        let views = [pre[0].view(), pre[1].view(), pre[2].view(), pre[3].view()];
        let d_pre = concatenate(Axis(1), &views).expect("four [B, H] blocks");
        (d_pre, dc_prev)
    }
}

static STAGES: [Bilingual; 6] = [
    Bilingual::new("forget gate", "遗忘门"),
    Bilingual::new("input gate", "输入门"),
    Bilingual::new("candidate", "候选记忆"),
    Bilingual::new("cell state", "细胞状态"),
    Bilingual::new("output gate", "输出门"),
    Bilingual::new("hidden state", "隐藏状态"),
];

/// The LSTM cell with its state, for [`recurrent::Stepper`].
#[derive(Clone)]
pub struct LstmCell {
    pub weights: LstmWeights,
    /// The hidden state h and the cell state c, `[H]` each.
    pub h: Array1<f32>,
    pub c: Array1<f32>,
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
                // Zero until the stepper draws or loads the real ones.
                w: Packed::from_array(Array2::zeros((4 * hidden, input + hidden)).view()),
                b: Array1::zeros(4 * hidden),
            },
            h: Array1::zeros(hidden),
            c: Array1::zeros(hidden),
            scratch: LstmScratch::new(input, hidden),
            h_history: Ring::new(hidden),
            c_history: Ring::new(hidden),
        }
    }

    fn record(&mut self) {
        self.h_history.push(self.h.view());
        self.c_history.push(self.c.view());
    }
}

impl Cell for LstmCell {
    fn stages(&self) -> &'static [Bilingual] {
        &STAGES
    }

    fn begin(&mut self, x: &[f32]) {
        stages::project(
            &self.weights,
            x.into(),
            self.h.view(),
            self.c.view(),
            &mut self.scratch,
        );
    }

    fn run(&mut self, index: usize) {
        let s = &mut self.scratch;
        match index {
            0 => stages::forget(s),
            1 => stages::input(s),
            2 => stages::candidate(s),
            3 => stages::cell(s, self.c.view_mut()),
            4 => stages::output(s),
            _ => {
                stages::hidden(s, self.c.view(), self.h.view_mut());
                self.record();
            }
        }
    }

    fn step(&mut self, x: &[f32]) {
        step(
            &self.weights,
            x.into(),
            self.h.view_mut(),
            self.c.view_mut(),
            &mut self.scratch,
        );
        self.record();
    }

    fn restore(&mut self) {
        self.c.assign(&self.scratch.c_prev);
    }

    fn finite(&self) -> bool {
        views::all_finite(self.h.view())
            && views::all_finite(self.c.view())
            && self.scratch.finite()
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
        recurrent::cell_views(
            &DIAGRAM,
            self.panel(done, current, Bilingual::default()),
            self.histories("", Bilingual::default()),
            self.equations(done, current),
            out,
        );
    }
}

/// The cell drawn in text: the cell state runs along the top, the gates
/// write into it, the hidden state comes out at the right.
pub const DIAGRAM: [&str; 4] = [
    "c ─(×f)─(+)─┬───────▶ c'",
    "         ▲  tanh",
    "    (i×g)┘  └▶(×o)──▶ h'",
    "[h,x] ▶ f i o=σ  g=tanh",
];

impl LstmCell {
    /// The step in the order its data flows: the previous state, the
    /// gates, the new cell state, the output gate, the new hidden state;
    /// `done` stages of the step have run, `current` the last.
    pub fn panel(&self, done: usize, current: usize, title: Bilingual) -> FlowPanel {
        use recurrent::{Note, Progress, StageSpec, flow_stage, gate_stage};
        let s = &self.scratch;
        let signed = (-1.0, 1.0);
        let values = recurrent::values;
        let hidden = self.weights.hidden;
        let input = self.weights.input;
        let h_prev = &views::flat(&s.xh)[input..input + hidden];
        let c_prev = views::flat(&s.c_prev);
        let stepped = !self.h_history.is_empty();
        let at = |stage: usize| Progress::of(stage, done, current, stepped);
        let before = Progress::before(done);
        let c_range = recurrent::symmetric_range(&self.c);
        let stages = vec![
            flow_stage(
                StageSpec {
                    name: None,
                    symbol: "h",
                    label: Bilingual::new("previous hidden", "上一步隐藏状态"),
                    values: h_prev,
                    range: signed,
                    note: Note::Span(
                        |v| format!("what the last step put out, {v}"),
                        |v| format!("上一步的输出,{v}"),
                    ),
                },
                before,
            ),
            flow_stage(
                StageSpec {
                    name: None,
                    symbol: "c",
                    label: Bilingual::new("previous cell", "上一步细胞状态"),
                    values: c_prev,
                    range: recurrent::symmetric_range(c_prev),
                    note: Note::Span(
                        |v| format!("the memory carried in, {v}"),
                        |v| format!("带进来的记忆,{v}"),
                    ),
                },
                before,
            ),
            gate_stage(
                "gate_f",
                "f",
                Bilingual::new("forget gate", "遗忘门"),
                values(s.gate(1)),
                Note::Gate(
                    |m| format!("keeps {m} of the old cell state"),
                    |m| format!("保留旧细胞状态的 {m}"),
                ),
                at(0),
            ),
            gate_stage(
                "gate_i",
                "i",
                Bilingual::new("input gate", "输入门"),
                values(s.gate(0)),
                Note::Gate(
                    |m| format!("writes {m} of the candidate"),
                    |m| format!("写入候选记忆的 {m}"),
                ),
                at(1),
            ),
            flow_stage(
                StageSpec {
                    name: Some("gate_g"),
                    symbol: "g",
                    label: Bilingual::new("candidate", "候选记忆"),
                    values: values(s.gate(2)),
                    range: signed,
                    note: Note::Span(
                        |v| format!("new values on offer, {v}"),
                        |v| format!("可写入的新值,{v}"),
                    ),
                },
                at(2),
            ),
            flow_stage(
                StageSpec {
                    name: Some("c"),
                    symbol: "c'",
                    label: Bilingual::new("new cell state", "新细胞状态"),
                    values: values(self.c.view()),
                    range: c_range,
                    note: Note::Span(
                        |v| format!("f⊙c + i⊙g: the memory now, {v}"),
                        |v| format!("f⊙c + i⊙g:现在的记忆,{v}"),
                    ),
                },
                at(3),
            ),
            gate_stage(
                "gate_o",
                "o",
                Bilingual::new("output gate", "输出门"),
                values(s.gate(3)),
                Note::Gate(
                    |m| format!("shows {m} of tanh(c')"),
                    |m| format!("输出 tanh(c') 的 {m}"),
                ),
                at(4),
            ),
            flow_stage(
                StageSpec {
                    name: Some("h"),
                    symbol: "h'",
                    label: Bilingual::new("new hidden state", "新隐藏状态"),
                    values: values(self.h.view()),
                    range: signed,
                    note: Note::Span(
                        |v| format!("the output, fed back next step, {v}"),
                        |v| format!("输出,下一步再读入,{v}"),
                    ),
                },
                at(5),
            ),
        ];
        FlowPanel { title, stages }
    }

    /// The hidden and cell states over the last steps; `prefix` goes
    /// before the views' names and `who` before their labels (a cell
    /// beside another).
    pub fn histories(&self, prefix: &str, who: Bilingual) -> Vec<View> {
        let signed = (-1.0, 1.0);
        let c_hist = self.c_history.oldest_first();
        vec![
            self.h_history.view(
                &format!("{prefix}h_history"),
                recurrent::history_label(&who, "h", "hidden state", "隐藏状态"),
                signed,
            ),
            self.c_history.view(
                &format!("{prefix}c_history"),
                recurrent::history_label(&who, "c", "cell state", "细胞状态"),
                recurrent::symmetric_range(&c_hist),
            ),
        ]
    }

    /// The equations, with the numbers of the stages run.
    pub fn equations(&self, done: usize, current: usize) -> View {
        let s = &self.scratch;
        let values = recurrent::values;
        recurrent::equations(
            &[
                ("f = σ(W_if x + b_if + W_hf h + b_hf)", values(s.gate(1))),
                ("i = σ(W_ii x + b_ii + W_hi h + b_hi)", values(s.gate(0))),
                ("g = tanh(W_ig x + b_ig + W_hg h + b_hg)", values(s.gate(2))),
                ("c' = f ⊙ c + i ⊙ g", values(self.c.view())),
                ("o = σ(W_io x + b_io + W_ho h + b_ho)", values(s.gate(3))),
                ("h' = o ⊙ tanh(c')", values(self.h.view())),
            ],
            done,
            current,
        )
    }
}

fn build(params: &Params, seed: u64) -> Result<Box<dyn Model>, ModelError> {
    super::compare::build(params, seed, LstmCell::new)
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "lstm_cell",
    name: Bilingual::new("LSTM cell", "长短期记忆神经元"),
    params: super::compare::params,
    build,
    params_from_weights: Some(params_from_weights),
};

/// `input` and `hidden` from the shape of `weight_ih`, `[4 * hidden, input]`.
fn params_from_weights(weights: &Weights) -> Result<Vec<(&'static str, ParamValue)>, ModelError> {
    LstmWeights::sizes(weights, "").map(recurrent::size_params)
}
