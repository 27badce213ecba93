//! Gated recurrent unit cell, computed exactly as `torch.nn.GRUCell`.
//!
//! Cho et al., "Learning Phrase Representations using RNN Encoder-Decoder
//! for Statistical Machine Translation", EMNLP 2014.
//!
//! ```text
//! r = σ(W_ir x + b_ir + W_hr h + b_hr)
//! z = σ(W_iz x + b_iz + W_hz h + b_hz)
//! n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
//! h' = (1 - z) ⊙ n + z ⊙ h
//! ```
//! The gates are the row blocks of `weight_ih`/`weight_hh` in the order
//! r, z, n; as in PyTorch the reset gate multiplies the hidden projection
//! together with its bias. The r and z rows of both matrices are fused into
//! one `[2H, I + H]` matrix times `[x; h]`; the n rows stay apart. The
//! state, the gates and the biases are ndarray arrays in PyTorch's layouts;
//! the products and the activations run on the hand-written kernels through
//! [`crate::kernels::views`].

use super::recurrent::{self, Cell, Ring};
use crate::kernels::{self, Packed, views};
use crate::model::{Model, ModelError, ModelSpec, ParamValue, Params, View, Weights};
use crate::nn::vars::VarBuilder;
use crate::text::Bilingual;
use crate::view::FlowPanel;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut1, Zip, s};

/// The weights of one GRU cell, arranged for the step.
#[derive(Debug, Clone, PartialEq)]
pub struct GruWeights {
    pub input: usize,
    pub hidden: usize,
    /// `[2H, I + H]`: the r and z rows of `weight_ih` and `weight_hh`.
    w_rz: Packed,
    /// `[2H]`: the r and z parts of `bias_ih + bias_hh`.
    b_rz: Array1<f32>,
    /// `[H, I]` and `[H]`: the n rows of `weight_ih`, `bias_ih`.
    w_in: Packed,
    b_in: Array1<f32>,
    /// `[H, H]` and `[H]`: the n rows of `weight_hh`, `bias_hh`.
    w_hn: Packed,
    b_hn: Array1<f32>,
}

impl GruWeights {
    /// The weights of a cell of `input` and `hidden` values from `vb`, by
    /// the `state_dict` names with `suffix` (`""` for `GRUCell`, `"_l0"` and
    /// `"_l0_reverse"` for a bidirectional `GRU`); initialised as PyTorch
    /// does, U(-1/sqrt(H), 1/sqrt(H)) for every tensor, drawn in
    /// `state_dict` order.
    pub fn new(
        vb: &VarBuilder<'_>,
        input: usize,
        hidden: usize,
        suffix: &str,
    ) -> Result<GruWeights, ModelError> {
        let t = recurrent::tensors(vb, input, hidden, 3, suffix)?;
        let (w_ih, w_hh, b_ih, b_hh) = (t.w_ih.view(), t.w_hh.view(), t.b_ih.view(), t.b_hh.view());
        Ok(GruWeights::from_arrays(w_ih, w_hh, b_ih, b_hh))
    }

    /// The weights arranged from PyTorch's four tensors: `weight_ih`
    /// `[3H, I]`, `weight_hh` `[3H, H]`, `bias_ih` and `bias_hh` `[3H]`.
    pub fn from_arrays(
        w_ih: ArrayView2<'_, f32>,
        w_hh: ArrayView2<'_, f32>,
        b_ih: ArrayView1<'_, f32>,
        b_hh: ArrayView1<'_, f32>,
    ) -> GruWeights {
        let (input, hidden) = (w_ih.ncols(), w_hh.ncols());
        // Rows r and z of both matrices, then the n rows of each.
        let (rz, n) = (s![..2 * hidden, ..], s![2 * hidden.., ..]);
        GruWeights {
            input,
            hidden,
            w_rz: recurrent::fuse(w_ih.slice(rz), w_hh.slice(rz)),
            b_rz: &b_ih.slice(s![..2 * hidden]) + &b_hh.slice(s![..2 * hidden]),
            w_in: Packed::from_array(w_ih.slice(n)),
            b_in: b_ih.slice(s![2 * hidden..]).to_owned(),
            w_hn: Packed::from_array(w_hh.slice(n)),
            b_hn: b_hh.slice(s![2 * hidden..]).to_owned(),
        }
    }

    /// `(input, hidden)` of the cell whose `weight_ih{suffix}` is in `weights`.
    pub fn sizes(weights: &Weights, suffix: &str) -> Result<(usize, usize), ModelError> {
        recurrent::sizes_from_weights(weights, &format!("weight_ih{suffix}"), 3)
    }
}

/// The working arrays of one GRU step, allocated once.
#[derive(Debug, Clone)]
pub struct GruScratch {
    xh: Array1<f32>,
    /// `[2H]`: the pre-activations of r and z.
    pre_rz: Array1<f32>,
    /// W_in x + b_in.
    a_in: Array1<f32>,
    /// W_hn h + b_hn.
    a_hn: Array1<f32>,
    /// `[3H]`: the activated gates r, z, n of the last step (or of the
    /// stages run so far), in PyTorch's order.
    pub gates: Array1<f32>,
    /// Read the matrices last row first in this step (alternates; see
    /// [`crate::kernels::gemv_dir`]).
    reverse: bool,
}

impl GruScratch {
    pub fn new(input: usize, hidden: usize) -> GruScratch {
        GruScratch {
            xh: Array1::zeros(input + hidden),
            pre_rz: Array1::zeros(2 * hidden),
            a_in: Array1::zeros(hidden),
            a_hn: Array1::zeros(hidden),
            gates: Array1::zeros(3 * hidden),
            reverse: false,
        }
    }

    /// Whether the last step's projections are finite.
    pub fn finite(&self) -> bool {
        views::all_finite(self.pre_rz.view())
            && views::all_finite(self.a_in.view())
            && views::all_finite(self.a_hn.view())
    }

    /// W_hn h + b_hn of the last step (what the reset gate scales).
    pub fn hidden_projection(&self) -> ArrayView1<'_, f32> {
        self.a_hn.view()
    }

    /// Gate `k` (0 r, 1 z, 2 n) of the last step.
    pub fn gate(&self, k: usize) -> ArrayView1<'_, f32> {
        let h = self.gates.len() / 3;
        self.gates.slice(s![k * h..(k + 1) * h])
    }
}

/// The stages of a GRU step. [`step`] runs them all; the lab one at a time.
pub mod stages {
    use super::*;

    /// Computes the projections every gate reads.
    #[inline]
    pub fn project(
        w: &GruWeights,
        x: ArrayView1<'_, f32>,
        h: ArrayView1<'_, f32>,
        s: &mut GruScratch,
    ) {
        let (xh_x, xh_h) = views::flat_mut(&mut s.xh).split_at_mut(w.input);
        views::copy(x, xh_x);
        views::copy(h, xh_h);
        s.reverse = !s.reverse;
        // Reversed, the matrices are also taken in the opposite order, so
        // that each step starts on the rows the previous one read last.
        if s.reverse {
            views::gemv(&w.w_hn, h, w.b_hn.view(), s.a_hn.view_mut(), true);
            views::gemv(&w.w_in, x, w.b_in.view(), s.a_in.view_mut(), true);
            views::gemv(
                &w.w_rz,
                s.xh.view(),
                w.b_rz.view(),
                s.pre_rz.view_mut(),
                true,
            );
        } else {
            views::gemv(
                &w.w_rz,
                s.xh.view(),
                w.b_rz.view(),
                s.pre_rz.view_mut(),
                false,
            );
            views::gemv(&w.w_in, x, w.b_in.view(), s.a_in.view_mut(), false);
            views::gemv(&w.w_hn, h, w.b_hn.view(), s.a_hn.view_mut(), false);
        }
    }

    /// Gate block `k` (0 r, 1 z) activated from its pre-activations.
    #[inline]
    fn sigmoid_gate(s: &mut GruScratch, k: usize) {
        let h = s.a_in.len();
        let block = k * h..(k + 1) * h;
        let out = &mut views::flat_mut(&mut s.gates)[block.clone()];
        out.copy_from_slice(&views::flat(&s.pre_rz)[block]);
        kernels::sigmoid(out);
    }

    /// r = σ(...)
    #[inline]
    pub fn reset(s: &mut GruScratch) {
        sigmoid_gate(s, 0);
    }

    /// z = σ(...)
    #[inline]
    pub fn update(s: &mut GruScratch) {
        sigmoid_gate(s, 1);
    }

    /// n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
    #[inline]
    pub fn candidate(s: &mut GruScratch) {
        let h = s.a_in.len();
        let (rz, n) = views::flat_mut(&mut s.gates).split_at_mut(2 * h);
        let (a_in, a_hn) = (views::flat(&s.a_in), views::flat(&s.a_hn));
        // r is the first block of rz; zipped so that no bounds check
        // keeps the loop from being vectorised.
        for (((n, &a_in), &r), &a_hn) in n.iter_mut().zip(a_in).zip(&rz[..h]).zip(a_hn) {
            *n = a_in + r * a_hn;
        }
        kernels::tanh(n);
    }

    /// h' = (1 - z) ⊙ n + z ⊙ h
    #[inline]
    pub fn hidden(s: &GruScratch, mut h: ArrayViewMut1<'_, f32>) {
        let gates = views::flat(&s.gates);
        let n_h = gates.len() / 3;
        let (z, n) = (&gates[n_h..2 * n_h], &gates[2 * n_h..]);
        match h.as_slice_mut() {
            Some(h) => {
                for ((h, &z), &n) in h.iter_mut().zip(z).zip(n) {
                    *h = (1.0 - z) * n + z * *h;
                }
            }
            None => Zip::from(h)
                .and(z)
                .and(n)
                .for_each(|h, &z, &n| *h = (1.0 - z) * n + z * *h),
        }
    }
}

/// One whole GRU step: `h` becomes h'; the activated gates are left in
/// `s.gates`.
#[inline]
pub fn step(
    w: &GruWeights,
    x: ArrayView1<'_, f32>,
    mut h: ArrayViewMut1<'_, f32>,
    s: &mut GruScratch,
) {
    stages::project(w, x, h.view(), s);
    stages::reset(s);
    stages::update(s);
    stages::candidate(s);
    stages::hidden(s, h.view_mut());
}

/// The backward pass of one step, for backpropagation through time
/// ([`super::bptt`]): every row of a batch at once, `[B, ·]` arrays.
pub mod backward {
    use crate::nn::activation::{sigmoid_backward, tanh_backward};
    use ndarray::{Array2, ArrayView2, Axis, concatenate, s};

    /// What one step kept: its activated gates `[B, 3H]` (r, z, n), the
    /// hidden projection W_hn h + b_hn and the state it started from.
    pub struct Kept<'a> {
        pub gates: ArrayView2<'a, f32>,
        pub a_hn: ArrayView2<'a, f32>,
        pub h_prev: ArrayView2<'a, f32>,
    }

    /// What dL/dh' sends back through one step.
    pub struct Sent {
        /// To W_ih x + b_ih, by gate r, z, n `[B, 3H]`.
        pub d_ih: Array2<f32>,
        /// To W_hh h + b_hh, by gate r, z, n `[B, 3H]`: the n block has
        /// passed through the reset gate.
        pub d_hh: Array2<f32>,
        /// To h directly, through h' = ... + z ⊙ h.
        pub dh_direct: Array2<f32>,
    }

    pub fn step(kept: &Kept<'_>, dh: ArrayView2<'_, f32>) -> Sent {
        let h = kept.h_prev.ncols();
        let gate = |k: usize| kept.gates.slice_move(s![.., k * h..(k + 1) * h]);
        let (r, z, n) = (gate(0), gate(1), gate(2));
        // h' = (1 - z) ⊙ n + z ⊙ h
        let d_n = &dh * &z.mapv(|z| 1.0 - z);
        let d_z = &dh * &(&kept.h_prev - &n);
        let dh_direct = &dh * &z;
        // n = tanh(a_in + r ⊙ a_hn)
        let d_n_pre = tanh_backward(n, d_n.view());
        let d_r = &d_n_pre * &kept.a_hn;
        let d_a_hn = &d_n_pre * &r;
        let d_r_pre = sigmoid_backward(r, d_r.view());
        let d_z_pre = sigmoid_backward(z, d_z.view());
        let join = |last: &Array2<f32>| {
            concatenate(Axis(1), &[d_r_pre.view(), d_z_pre.view(), last.view()])
                .expect("three [B, H] blocks")
        };
        Sent {
            d_ih: join(&d_n_pre),
            d_hh: join(&d_a_hn),
            dh_direct,
        }
    }
}

static STAGES: [Bilingual; 4] = [
    Bilingual::new("reset gate", "重置门"),
    Bilingual::new("update gate", "更新门"),
    Bilingual::new("candidate", "候选状态"),
    Bilingual::new("hidden state", "隐藏状态"),
];

/// The GRU cell with its state, for [`recurrent::Stepper`].
#[derive(Clone)]
pub struct GruCell {
    pub weights: GruWeights,
    /// The hidden state, `[H]`.
    pub h: Array1<f32>,
    pub scratch: GruScratch,
    h_history: Ring,
}

impl GruCell {
    pub fn new(input: usize, hidden: usize) -> GruCell {
        GruCell {
            // Zero until the stepper draws or loads the real ones.
            weights: GruWeights {
                input,
                hidden,
                w_rz: Packed::from_array(Array2::zeros((2 * hidden, input + hidden)).view()),
                b_rz: Array1::zeros(2 * hidden),
                w_in: Packed::from_array(Array2::zeros((hidden, input)).view()),
                b_in: Array1::zeros(hidden),
                w_hn: Packed::from_array(Array2::zeros((hidden, hidden)).view()),
                b_hn: Array1::zeros(hidden),
            },
            h: Array1::zeros(hidden),
            scratch: GruScratch::new(input, hidden),
            h_history: Ring::new(hidden),
        }
    }
}

impl Cell for GruCell {
    fn stages(&self) -> &'static [Bilingual] {
        &STAGES
    }

    fn begin(&mut self, x: &[f32]) {
        stages::project(&self.weights, x.into(), self.h.view(), &mut self.scratch);
    }

    fn run(&mut self, index: usize) {
        let s = &mut self.scratch;
        match index {
            0 => stages::reset(s),
            1 => stages::update(s),
            2 => stages::candidate(s),
            _ => {
                stages::hidden(s, self.h.view_mut());
                self.h_history.push(self.h.view());
            }
        }
    }

    fn step(&mut self, x: &[f32]) {
        step(
            &self.weights,
            x.into(),
            self.h.view_mut(),
            &mut self.scratch,
        );
        self.h_history.push(self.h.view());
    }

    fn restore(&mut self) {
        // The hidden state changes only in the last stage: nothing to undo.
    }

    fn finite(&self) -> bool {
        views::all_finite(self.h.view()) && self.scratch.finite()
    }

    type Weights = GruWeights;

    fn weights(&self, vb: &VarBuilder<'_>) -> Result<GruWeights, ModelError> {
        GruWeights::new(vb, self.weights.input, self.weights.hidden, "")
    }

    fn set_weights(&mut self, weights: GruWeights) {
        self.weights = weights;
        self.clear();
    }

    fn clear(&mut self) {
        self.h.fill(0.0);
        self.scratch = GruScratch::new(self.weights.input, self.weights.hidden);
        self.h_history.clear();
    }

    fn views(&self, done: usize, current: usize, out: &mut Vec<View>) {
        recurrent::cell_views(
            &DIAGRAM,
            self.panel(done, current, Bilingual::default()),
            [self.history("", Bilingual::default())],
            self.equations(done, current),
            out,
        );
    }
}

/// The cell drawn in text: the old state runs along the top, the update
/// gate blends it with the candidate into the new state.
pub const DIAGRAM: [&str; 5] = [
    "h ─(×z)──────(+)─▶ h'",
    "              ▲",
    "  (n×(1-z))───┘",
    "[h,x] ▶ r z=σ",
    "  n=tanh(x, r⊙h)",
];

impl GruCell {
    /// The step in the order its data flows: the previous state, the
    /// gates, the candidate, the new state; `done` stages of the step have
    /// run, `current` the last.
    pub fn panel(&self, done: usize, current: usize, title: Bilingual) -> FlowPanel {
        use recurrent::{Note, Progress, StageSpec, flow_stage, gate_stage};
        let s = &self.scratch;
        let signed = (-1.0, 1.0);
        let values = recurrent::values;
        let (input, hidden) = (self.weights.input, self.weights.hidden);
        let h_prev = &views::flat(&s.xh)[input..input + hidden];
        let stepped = !self.h_history.is_empty();
        let at = |stage: usize| Progress::of(stage, done, current, stepped);
        let before = Progress::before(done);
        let stages = vec![
            flow_stage(
                StageSpec {
                    name: None,
                    symbol: "h",
                    label: Bilingual::new("previous hidden", "上一步隐藏状态"),
                    values: h_prev,
                    range: signed,
                    note: Note::Span(
                        |v| format!("the state carried in, {v}"),
                        |v| format!("带进来的状态,{v}"),
                    ),
                },
                before,
            ),
            gate_stage(
                "gate_r",
                "r",
                Bilingual::new("reset gate", "重置门"),
                values(s.gate(0)),
                Note::Gate(
                    |m| format!("lets {m} of the old state into n"),
                    |m| format!("让旧状态的 {m} 进入 n"),
                ),
                at(0),
            ),
            gate_stage(
                "gate_z",
                "z",
                Bilingual::new("update gate", "更新门"),
                values(s.gate(1)),
                Note::Gate(
                    |m| format!("keeps {m} of the old state"),
                    |m| format!("保留旧状态的 {m}"),
                ),
                at(1),
            ),
            flow_stage(
                StageSpec {
                    name: Some("gate_n"),
                    symbol: "n",
                    label: Bilingual::new("candidate", "候选状态"),
                    values: values(s.gate(2)),
                    range: signed,
                    note: Note::Span(
                        |v| format!("the new state on offer, {v}"),
                        |v| format!("可取的新状态,{v}"),
                    ),
                },
                at(2),
            ),
            flow_stage(
                StageSpec {
                    name: Some("h"),
                    symbol: "h'",
                    label: Bilingual::new("new hidden state", "新隐藏状态"),
                    values: values(self.h.view()),
                    range: signed,
                    note: Note::Span(
                        |v| format!("(1-z)⊙n + z⊙h: the output, {v}"),
                        |v| format!("(1-z)⊙n + z⊙h:输出,{v}"),
                    ),
                },
                at(3),
            ),
        ];
        FlowPanel { title, stages }
    }

    /// The hidden state over the last steps; `prefix` goes before the
    /// view's name and `who` before its label (a cell beside another).
    pub fn history(&self, prefix: &str, who: Bilingual) -> View {
        self.h_history.view(
            &format!("{prefix}h_history"),
            recurrent::history_label(&who, "h", "hidden state", "隐藏状态"),
            (-1.0, 1.0),
        )
    }

    /// The equations, with the numbers of the stages run.
    pub fn equations(&self, done: usize, current: usize) -> View {
        let s = &self.scratch;
        let values = recurrent::values;
        recurrent::equations(
            &[
                ("r = σ(W_ir x + b_ir + W_hr h + b_hr)", values(s.gate(0))),
                ("z = σ(W_iz x + b_iz + W_hz h + b_hz)", values(s.gate(1))),
                (
                    "n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))",
                    values(s.gate(2)),
                ),
                ("h' = (1 - z) ⊙ n + z ⊙ h", values(self.h.view())),
            ],
            done,
            current,
        )
    }
}

fn build(params: &Params, seed: u64) -> Result<Box<dyn Model>, ModelError> {
    super::compare::build(params, seed, GruCell::new)
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "gru_cell",
    name: Bilingual::new("GRU cell", "门控循环神经元"),
    params: super::compare::params,
    build,
    params_from_weights: Some(params_from_weights),
};

/// `input` and `hidden` from the shape of `weight_ih`, `[3 * hidden, input]`.
fn params_from_weights(weights: &Weights) -> Result<Vec<(&'static str, ParamValue)>, ModelError> {
    GruWeights::sizes(weights, "").map(recurrent::size_params)
}
