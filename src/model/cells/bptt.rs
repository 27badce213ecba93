//! Backpropagation through time: a recurrent, LSTM or GRU cell unrolled
//! over a sequence, with the gradient of every weight and of the initial
//! state.
//!
//! P. J. Werbos, "Backpropagation Through Time: What It Does and How to Do
//! It", Proceedings of the IEEE 78(10), 1990.
//!
//! The cell is run forward over x `[T, B, I]` from h₀ (and c₀), keeping
//! what each step's backward pass needs. Given dL/dh_t for every step (the
//! loss read at each step), the pass runs back in time:
//!
//! ```text
//! dh   = dL/dh_t + (what step t+1 sent back to h_t)
//! da   = the cell's own step backward (its gates, from `backward` in each cell's file)
//! dW_ih += daᵀ x_t     db_ih += Σ_rows da     dx_t = da W_ih
//! dW_hh += daᵀ h_t-1   db_hh += Σ_rows da     dh_t-1 = da W_hh (+ the GRU's z ⊙ dh)
//! ```
//! so that the weight gradients are sums over time, as PyTorch's autograd
//! gives for a cell called once per step.
//!
//! There is one forward implementation per cell: the step is the cell's
//! own (`rnn_cell::step`, `lstm_cell::step`, `gru_cell::step`, the lab's
//! cells' and the fixtures'), run on weights fused from the trainable
//! tensors before every pass. For the LSTM the products of a step,
//! W_ih x + W_hh h, are made for every row of the batch at once (two matrix
//! products instead of B matrix-vector ones, where most of the time goes),
//! and each row then runs the cell's own gate stages. Everything is f32, like the cells and the
//! learning core; the parameters live here under PyTorch's `state_dict`
//! names (`weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`), the products of
//! the backward pass are those of `nn::linear`.

use super::gru_cell::{self, GruScratch, GruWeights};
use super::lstm_cell::{self, LstmScratch, LstmWeights};
use super::recurrent;
use super::rnn_cell::{self, Nonlinearity, RnnScratch, RnnWeights};
use crate::model::ModelError;
use crate::nn::vars::{Init, VarBuilder};
use crate::nn::{Layer, ParamMut, ParamRef, ShapeError, init, linear};
use ndarray::{
    Array1, Array2, Array3, ArrayD, ArrayView1, ArrayView2, ArrayView3, ArrayViewD, ArrayViewMut1,
    Axis, Ix3, s,
};
use rand::Rng;

/// Which cell is unrolled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    /// Elman's cell with tanh or relu.
    Rnn(Nonlinearity),
    Lstm,
    Gru,
}

impl CellKind {
    /// Rows of `weight_ih` per hidden unit: one per gate.
    pub fn gates(self) -> usize {
        match self {
            CellKind::Rnn(_) => 1,
            CellKind::Lstm => 4,
            CellKind::Gru => 3,
        }
    }

    /// `rnn`, `lstm` or `gru`.
    pub fn name(self) -> &'static str {
        match self {
            CellKind::Rnn(_) => "rnn",
            CellKind::Lstm => "lstm",
            CellKind::Gru => "gru",
        }
    }

    /// `RNN`, `LSTM`, `GRU`, as a label.
    pub fn title(self) -> &'static str {
        match self {
            CellKind::Rnn(_) => "RNN",
            CellKind::Lstm => "LSTM",
            CellKind::Gru => "GRU",
        }
    }

    /// The cell named `name` (`rnn` with tanh).
    pub fn parse(name: &str) -> Option<CellKind> {
        match name {
            "rnn" => Some(CellKind::Rnn(Nonlinearity::Tanh)),
            "lstm" => Some(CellKind::Lstm),
            "gru" => Some(CellKind::Gru),
            _ => None,
        }
    }
}

/// The cell's weights arranged for its step.
#[derive(Debug, Clone)]
pub enum Fused {
    Rnn(RnnWeights),
    Lstm(LstmWeights),
    Gru(GruWeights),
}

/// The working arrays of one step.
#[derive(Debug, Clone)]
pub enum Scratch {
    Rnn(RnnScratch),
    Lstm(LstmScratch),
    Gru(GruScratch),
}

impl Fused {
    /// Working arrays that fit these weights.
    pub fn scratch(&self) -> Scratch {
        match self {
            Fused::Rnn(w) => Scratch::Rnn(RnnScratch::new(w.input, w.hidden)),
            Fused::Lstm(w) => Scratch::Lstm(LstmScratch::new(w.input, w.hidden)),
            Fused::Gru(w) => Scratch::Gru(GruScratch::new(w.input, w.hidden)),
        }
    }

    /// One step of the cell for one row: `h` (and `c`, for an LSTM) become
    /// the new state. `c` is ignored by the other cells.
    pub fn step(
        &self,
        x: ArrayView1<'_, f32>,
        h: ArrayViewMut1<'_, f32>,
        c: ArrayViewMut1<'_, f32>,
        scratch: &mut Scratch,
    ) {
        match (self, scratch) {
            (Fused::Rnn(w), Scratch::Rnn(s)) => rnn_cell::step(w, x, h, s),
            (Fused::Lstm(w), Scratch::Lstm(s)) => lstm_cell::step(w, x, h, c, s),
            (Fused::Gru(w), Scratch::Gru(s)) => gru_cell::step(w, x, h, s),
            _ => unreachable!("a scratch is made by its own weights"),
        }
    }
}

/// What the forward pass keeps for the backward pass.
#[derive(Debug, Clone, Default)]
struct Kept {
    /// `[T, B, I]`.
    x: Array3<f32>,
    /// `[T + 1, B, H]`: h₀, then the state after every step.
    h: Array3<f32>,
    /// `[T + 1, B, H]` for an LSTM (c₀, then every step's), else empty.
    c: Array3<f32>,
    /// `[T, B, G·H]`: the activated gates of every step (LSTM, GRU).
    gates: Array3<f32>,
    /// `[T, B, H]`: tanh(c') for an LSTM, W_hn h + b_hn for a GRU.
    extra: Array3<f32>,
}

/// The gradients of the inputs of one pass through time.
#[derive(Debug, Clone)]
pub struct InputGrads {
    /// dL/dx `[T, B, I]`.
    pub x: Array3<f32>,
    /// dL/dh₀ `[B, H]`.
    pub h0: Array2<f32>,
    /// dL/dc₀ `[B, H]` for an LSTM.
    pub c0: Option<Array2<f32>>,
}

/// A cell unrolled in time, with its weights, their gradients and what
/// the last forward pass kept.
#[derive(Debug, Clone)]
pub struct Unrolled {
    pub kind: CellKind,
    pub input: usize,
    pub hidden: usize,
    /// `[G·H, I]`, `[G·H, H]`, `[G·H]`, `[G·H]`: PyTorch's tensors.
    pub weight_ih: Array2<f32>,
    pub weight_hh: Array2<f32>,
    pub bias_ih: Array1<f32>,
    pub bias_hh: Array1<f32>,
    pub grad_weight_ih: Array2<f32>,
    pub grad_weight_hh: Array2<f32>,
    pub grad_bias_ih: Array1<f32>,
    pub grad_bias_hh: Array1<f32>,
    kept: Kept,
}

impl Unrolled {
    /// A cell initialised as PyTorch does: U(-1/√H, 1/√H) for every
    /// tensor, drawn in `state_dict` order.
    pub fn new(kind: CellKind, input: usize, hidden: usize, rng: &mut impl Rng) -> Unrolled {
        let bound = recurrent::init_bound(hidden);
        let rows = kind.gates() * hidden;
        let weight_ih = init::uniform((rows, input), bound, rng);
        let weight_hh = init::uniform((rows, hidden), bound, rng);
        let bias_ih = init::uniform(rows, bound, rng);
        let bias_hh = init::uniform(rows, bound, rng);
        Unrolled::from_parts(kind, weight_ih, weight_hh, bias_ih, bias_hh)
    }

    /// A cell of `input` and `hidden` values read from `vb` by the
    /// `state_dict` names (or drawn, for a seeded builder).
    pub fn from_vars(
        vb: &VarBuilder<'_>,
        kind: CellKind,
        input: usize,
        hidden: usize,
    ) -> Result<Unrolled, ModelError> {
        let init = Init::Uniform(recurrent::init_bound(hidden));
        let rows = kind.gates() * hidden;
        let weight_ih = vb.get2("weight_ih", (rows, input), init)?;
        let weight_hh = vb.get2("weight_hh", (rows, hidden), init)?;
        let bias_ih = vb.get1("bias_ih", rows, init)?;
        let bias_hh = vb.get1("bias_hh", rows, init)?;
        Ok(Unrolled::from_parts(
            kind, weight_ih, weight_hh, bias_ih, bias_hh,
        ))
    }

    fn from_parts(
        kind: CellKind,
        weight_ih: Array2<f32>,
        weight_hh: Array2<f32>,
        bias_ih: Array1<f32>,
        bias_hh: Array1<f32>,
    ) -> Unrolled {
        Unrolled {
            kind,
            input: weight_ih.ncols(),
            hidden: weight_hh.ncols(),
            grad_weight_ih: Array2::zeros(weight_ih.raw_dim()),
            grad_weight_hh: Array2::zeros(weight_hh.raw_dim()),
            grad_bias_ih: Array1::zeros(bias_ih.raw_dim()),
            grad_bias_hh: Array1::zeros(bias_hh.raw_dim()),
            weight_ih,
            weight_hh,
            bias_ih,
            bias_hh,
            kept: Kept::default(),
        }
    }

    /// The current weights arranged for the cell's step.
    pub fn fused(&self) -> Fused {
        let (w_ih, w_hh) = (self.weight_ih.view(), self.weight_hh.view());
        let (b_ih, b_hh) = (self.bias_ih.view(), self.bias_hh.view());
        match self.kind {
            CellKind::Rnn(act) => Fused::Rnn(RnnWeights::from_arrays(w_ih, w_hh, b_ih, b_hh, act)),
            CellKind::Lstm => Fused::Lstm(LstmWeights::from_arrays(w_ih, w_hh, b_ih, b_hh)),
            CellKind::Gru => Fused::Gru(GruWeights::from_arrays(w_ih, w_hh, b_ih, b_hh)),
        }
    }

    /// Whether the cell has a cell state c beside h.
    pub fn has_cell_state(&self) -> bool {
        self.kind == CellKind::Lstm
    }

    /// Runs the cell over x `[T, B, I]` from h₀ (and c₀, zero if `None`),
    /// keeping what [`Unrolled::backward_through_time`] needs; returns the
    /// state after every step, `[T, B, H]`.
    pub fn run(
        &mut self,
        x: ArrayView3<'_, f32>,
        h0: ArrayView2<'_, f32>,
        c0: Option<ArrayView2<'_, f32>>,
    ) -> Array3<f32> {
        let (steps, batch, _) = x.dim();
        let hidden = self.hidden;
        let width = self.kind.gates() * hidden;
        let lstm = self.has_cell_state();
        let fused = self.fused();
        let mut scratch = fused.scratch();
        let mut kept = Kept {
            x: x.to_owned(),
            h: Array3::zeros((steps + 1, batch, hidden)),
            c: Array3::zeros(if lstm {
                (steps + 1, batch, hidden)
            } else {
                (0, 0, 0)
            }),
            gates: Array3::zeros(match self.kind {
                CellKind::Rnn(_) => (0, 0, 0),
                _ => (steps, batch, width),
            }),
            extra: Array3::zeros(match self.kind {
                CellKind::Rnn(_) => (0, 0, 0),
                _ => (steps, batch, hidden),
            }),
        };
        kept.h.slice_mut(s![0, .., ..]).assign(&h0);
        if let (true, Some(c0)) = (lstm, c0) {
            kept.c.slice_mut(s![0, .., ..]).assign(&c0);
        }
        if let (CellKind::Lstm, Scratch::Lstm(sc)) = (self.kind, &mut scratch) {
            self.run_lstm_batched(x, &mut kept, sc);
            let out = kept.h.slice(s![1.., .., ..]).to_owned();
            self.kept = kept;
            return out;
        }
        let mut h = Array1::<f32>::zeros(hidden);
        let mut c = Array1::<f32>::zeros(hidden);
        for b in 0..batch {
            h.assign(&kept.h.slice(s![0, b, ..]));
            if lstm {
                c.assign(&kept.c.slice(s![0, b, ..]));
            }
            for t in 0..steps {
                fused.step(
                    x.slice(s![t, b, ..]),
                    h.view_mut(),
                    c.view_mut(),
                    &mut scratch,
                );
                kept.h.slice_mut(s![t + 1, b, ..]).assign(&h);
                match &scratch {
                    Scratch::Rnn(_) => {}
                    Scratch::Lstm(sc) => {
                        kept.c.slice_mut(s![t + 1, b, ..]).assign(&c);
                        kept.gates.slice_mut(s![t, b, ..]).assign(&sc.gates);
                        kept.extra.slice_mut(s![t, b, ..]).assign(&sc.tanh_c());
                    }
                    Scratch::Gru(sc) => {
                        kept.gates.slice_mut(s![t, b, ..]).assign(&sc.gates);
                        kept.extra
                            .slice_mut(s![t, b, ..])
                            .assign(&sc.hidden_projection());
                    }
                }
            }
        }
        let out = kept.h.slice(s![1.., .., ..]).to_owned();
        self.kept = kept;
        out
    }

    /// An LSTM over the window with the products of every row of a step
    /// done at once, [x_t] W_ihᵀ + [h_t-1] W_hhᵀ + b as two matrix
    /// products `[B, 4H]`; each row then goes through the cell's own gate
    /// stages ([`lstm_cell::step_given`]). The same numbers as the row by
    /// row step up to the order of the sums.
    fn run_lstm_batched(&self, x: ArrayView3<'_, f32>, kept: &mut Kept, sc: &mut LstmScratch) {
        let (steps, batch, _) = x.dim();
        let bias = &self.bias_ih + &self.bias_hh;
        let mut h = Array1::<f32>::zeros(self.hidden);
        let mut c = Array1::<f32>::zeros(self.hidden);
        for t in 0..steps {
            let mut pre = x.index_axis(Axis(0), t).dot(&self.weight_ih.t());
            pre += &kept.h.index_axis(Axis(0), t).dot(&self.weight_hh.t());
            pre += &bias;
            for b in 0..batch {
                h.assign(&kept.h.slice(s![t, b, ..]));
                c.assign(&kept.c.slice(s![t, b, ..]));
                lstm_cell::step_given(pre.row(b), h.view_mut(), c.view_mut(), sc);
                kept.h.slice_mut(s![t + 1, b, ..]).assign(&h);
                kept.c.slice_mut(s![t + 1, b, ..]).assign(&c);
                kept.gates.slice_mut(s![t, b, ..]).assign(&sc.gates);
                kept.extra.slice_mut(s![t, b, ..]).assign(&sc.tanh_c());
            }
        }
    }

    /// The state after the last step of the last [`Unrolled::run`]: h `[B, H]`
    /// and, for an LSTM, c.
    pub fn last_state(&self) -> (Array2<f32>, Option<Array2<f32>>) {
        let last = self.kept.h.len_of(Axis(0)).saturating_sub(1);
        let h = self.kept.h.index_axis(Axis(0), last).to_owned();
        let c = self
            .has_cell_state()
            .then(|| self.kept.c.index_axis(Axis(0), last).to_owned());
        (h, c)
    }

    /// An LSTM's cell state after every step of the last run, `[T, B, H]`.
    pub fn cell_states(&self) -> Option<ArrayView3<'_, f32>> {
        self.has_cell_state()
            .then(|| self.kept.c.slice(s![1.., .., ..]))
    }

    /// Given dL/dh_t `[T, B, H]` for the last [`Unrolled::run`], adds every
    /// weight's gradient (summed over time and rows) and returns dL/dx,
    /// dL/dh₀ (and dL/dc₀).
    pub fn backward_through_time(&mut self, grad_h: ArrayView3<'_, f32>) -> InputGrads {
        let (steps, batch, hidden) = grad_h.dim();
        let kept = &self.kept;
        let mut grad_x = Array3::<f32>::zeros((steps, batch, self.input));
        // What step t+1 sends back to h_t (and c_t).
        let mut dh_next = Array2::<f32>::zeros((batch, hidden));
        let mut dc_next = Array2::<f32>::zeros((batch, hidden));
        for t in (0..steps).rev() {
            let dh = &grad_h.index_axis(Axis(0), t) + &dh_next;
            let x_t = kept.x.index_axis(Axis(0), t);
            let h_prev = kept.h.index_axis(Axis(0), t);
            let h_new = kept.h.index_axis(Axis(0), t + 1);
            // The gradient reaching W_ih x + b_ih and W_hh h + b_hh, and
            // what reaches h_t-1 other than through W_hh.
            let (d_ih, d_hh, direct) = match self.kind {
                CellKind::Rnn(act) => {
                    let da = rnn_cell::backward::activation(act, h_new, dh.view());
                    (da.clone(), da, None)
                }
                CellKind::Lstm => {
                    let kept_t = lstm_cell::backward::Kept {
                        gates: kept.gates.index_axis(Axis(0), t),
                        c_prev: kept.c.index_axis(Axis(0), t),
                        tanh_c: kept.extra.index_axis(Axis(0), t),
                    };
                    let (d_pre, dc_prev) =
                        lstm_cell::backward::step(&kept_t, dh.view(), dc_next.view());
                    dc_next = dc_prev;
                    (d_pre.clone(), d_pre, None)
                }
                CellKind::Gru => {
                    let kept_t = gru_cell::backward::Kept {
                        gates: kept.gates.index_axis(Axis(0), t),
                        a_hn: kept.extra.index_axis(Axis(0), t),
                        h_prev,
                    };
                    let sent = gru_cell::backward::step(&kept_t, dh.view());
                    (sent.d_ih, sent.d_hh, Some(sent.dh_direct))
                }
            };
            linear::accumulate_param_grads(
                x_t,
                d_ih.view(),
                self.grad_weight_ih.view_mut(),
                Some(self.grad_bias_ih.view_mut()),
            );
            linear::accumulate_param_grads(
                h_prev,
                d_hh.view(),
                self.grad_weight_hh.view_mut(),
                Some(self.grad_bias_hh.view_mut()),
            );
            grad_x
                .index_axis_mut(Axis(0), t)
                .assign(&linear::input_grad(self.weight_ih.view(), d_ih.view()));
            dh_next = linear::input_grad(self.weight_hh.view(), d_hh.view());
            if let Some(direct) = direct {
                dh_next += &direct;
            }
        }
        InputGrads {
            x: grad_x,
            h0: dh_next,
            c0: self.has_cell_state().then_some(dc_next),
        }
    }

    /// The state after every step from a zero start, keeping nothing.
    fn infer_states(&self, x: ArrayView3<'_, f32>) -> Array3<f32> {
        let (steps, batch, _) = x.dim();
        let fused = self.fused();
        let mut scratch = fused.scratch();
        let mut out = Array3::zeros((steps, batch, self.hidden));
        let mut h = Array1::<f32>::zeros(self.hidden);
        let mut c = Array1::<f32>::zeros(self.hidden);
        for b in 0..batch {
            h.fill(0.0);
            c.fill(0.0);
            for t in 0..steps {
                fused.step(
                    x.slice(s![t, b, ..]),
                    h.view_mut(),
                    c.view_mut(),
                    &mut scratch,
                );
                out.slice_mut(s![t, b, ..]).assign(&h);
            }
        }
        out
    }
}

/// `x` viewed as `[T, B, I]`.
fn as_sequence<'a>(x: &'a ArrayViewD<'_, f32>) -> ArrayView3<'a, f32> {
    x.view()
        .into_dimensionality::<Ix3>()
        .expect("a sequence [T, B, I]")
}

/// As a layer, the cell reads x `[T, B, I]` from a zero state and puts out
/// the state after every step, `[T, B, H]` (PyTorch's `nn.RNN`/`LSTM`/`GRU`
/// `output` for one layer); the gradient checks go through this.
impl Layer for Unrolled {
    fn boxed_clone(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }

    fn describe(&self) -> String {
        let name = match self.kind {
            CellKind::Rnn(_) => "RNNCell",
            CellKind::Lstm => "LSTMCell",
            CellKind::Gru => "GRUCell",
        };
        format!("{name}({}, {}) unrolled", self.input, self.hidden)
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>, ShapeError> {
        match input {
            &[steps, batch, features] if features == self.input => {
                Ok(vec![steps, batch, self.hidden])
            }
            _ => Err(ShapeError {
                layer: self.describe(),
                message: format!("takes [T, B, {}] but was given {input:?}", self.input),
            }),
        }
    }

    fn forward(&mut self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let x = as_sequence(&x);
        let zeros = Array2::zeros((x.dim().1, self.hidden));
        self.run(x, zeros.view(), None).into_dyn()
    }

    fn backward(&mut self, grad_y: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let grad_y = as_sequence(&grad_y);
        self.backward_through_time(grad_y).x.into_dyn()
    }

    fn infer(&self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        self.infer_states(as_sequence(&x)).into_dyn()
    }

    fn visit_params_mut(&mut self, visit: &mut dyn FnMut(ParamMut<'_>)) {
        visit(ParamMut {
            name: "weight_ih",
            value: self.weight_ih.view_mut().into_dyn(),
            grad: self.grad_weight_ih.view_mut().into_dyn(),
        });
        visit(ParamMut {
            name: "weight_hh",
            value: self.weight_hh.view_mut().into_dyn(),
            grad: self.grad_weight_hh.view_mut().into_dyn(),
        });
        visit(ParamMut {
            name: "bias_ih",
            value: self.bias_ih.view_mut().into_dyn(),
            grad: self.grad_bias_ih.view_mut().into_dyn(),
        });
        visit(ParamMut {
            name: "bias_hh",
            value: self.bias_hh.view_mut().into_dyn(),
            grad: self.grad_bias_hh.view_mut().into_dyn(),
        });
    }

    fn visit_params(&self, visit: &mut dyn FnMut(ParamRef<'_>)) {
        visit(ParamRef {
            name: "weight_ih",
            value: self.weight_ih.view().into_dyn(),
            grad: self.grad_weight_ih.view().into_dyn(),
        });
        visit(ParamRef {
            name: "weight_hh",
            value: self.weight_hh.view().into_dyn(),
            grad: self.grad_weight_hh.view().into_dyn(),
        });
        visit(ParamRef {
            name: "bias_ih",
            value: self.bias_ih.view().into_dyn(),
            grad: self.grad_bias_ih.view().into_dyn(),
        });
        visit(ParamRef {
            name: "bias_hh",
            value: self.bias_hh.view().into_dyn(),
            grad: self.grad_bias_hh.view().into_dyn(),
        });
    }
}

/// The readout's logits for states `[T, B, H]`: `[T·B, C]`, step-major.
pub fn readout_logits(
    states: ArrayView3<'_, f32>,
    weight: ArrayView2<'_, f32>,
    bias: ArrayView1<'_, f32>,
) -> Array2<f32> {
    let (steps, batch, hidden) = states.dim();
    let rows = states
        .as_standard_layout()
        .into_owned()
        .into_shape_with_order((steps * batch, hidden))
        .expect("the same values");
    linear::forward(rows.view(), weight, Some(bias))
}
