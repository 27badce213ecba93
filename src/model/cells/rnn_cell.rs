//! Recurrent cell (Elman network), computed exactly as `torch.nn.RNNCell`.
//!
//! Elman, "Finding Structure in Time", Cognitive Science 14(2), 1990.
//!
//! ```text
//! h' = act(W_ih x + b_ih + W_hh h + b_hh),   act = tanh or relu
//! ```
//! Both matrices are fused into one `[H, I + H]` matrix times `[x; h]`. The
//! state and the biases are ndarray arrays; the product and the activation
//! run on the hand-written kernels through [`crate::kernels::views`].

use super::recurrent::{self, Cell, Ring, Stepper};
use crate::kernels::{Packed, views};
use crate::model::{Model, ModelError, ModelSpec, ParamValue, Params, View, Weights};
use crate::nn::vars::VarBuilder;
use crate::text::Bilingual;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut1};

/// The activation of a plain recurrent cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nonlinearity {
    Tanh,
    Relu,
}

impl Nonlinearity {
    /// `tanh` or `relu`, as PyTorch names them.
    pub fn parse(name: &str) -> Result<Nonlinearity, ModelError> {
        match name {
            "tanh" => Ok(Nonlinearity::Tanh),
            "relu" => Ok(Nonlinearity::Relu),
            other => Err(ModelError::Invalid(Bilingual::owned(
                format!("nonlinearity `{other}`: it must be tanh or relu"),
                format!("非线性 `{other}`：须是 tanh 或 relu"),
            ))),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Nonlinearity::Tanh => "tanh",
            Nonlinearity::Relu => "relu",
        }
    }

    #[inline]
    pub fn apply(self, values: ArrayViewMut1<'_, f32>) {
        match self {
            Nonlinearity::Tanh => views::tanh(values),
            Nonlinearity::Relu => views::relu(values),
        }
    }
}

/// The weights of one recurrent cell, fused for the step.
#[derive(Debug, Clone, PartialEq)]
pub struct RnnWeights {
    pub input: usize,
    pub hidden: usize,
    pub nonlinearity: Nonlinearity,
    /// `[H, I + H]`: `weight_ih` and `weight_hh` side by side.
    w: Packed,
    /// `bias_ih + bias_hh`.
    b: Array1<f32>,
}

impl RnnWeights {
    /// The weights of a cell of `input` and `hidden` values from `vb`, by
    /// the `state_dict` names with `suffix` (`""` for `RNNCell`, `"_l0"` and
    /// `"_l0_reverse"` for a bidirectional `RNN`); initialised as PyTorch
    /// does, U(-1/sqrt(H), 1/sqrt(H)) for every tensor, drawn in
    /// `state_dict` order. PyTorch keeps the nonlinearity out of the
    /// `state_dict`, so it is given.
    pub fn new(
        vb: &VarBuilder<'_>,
        input: usize,
        hidden: usize,
        nonlinearity: Nonlinearity,
        suffix: &str,
    ) -> Result<RnnWeights, ModelError> {
        let t = recurrent::tensors(vb, input, hidden, 1, suffix)?;
        let (w_ih, w_hh, b_ih, b_hh) = (t.w_ih.view(), t.w_hh.view(), t.b_ih.view(), t.b_hh.view());
        Ok(RnnWeights::from_arrays(
            w_ih,
            w_hh,
            b_ih,
            b_hh,
            nonlinearity,
        ))
    }

    /// The weights fused from PyTorch's four tensors: `weight_ih` `[H, I]`,
    /// `weight_hh` `[H, H]`, `bias_ih` and `bias_hh` `[H]` (a trainable cell
    /// fuses its current values before each pass through time).
    pub fn from_arrays(
        w_ih: ArrayView2<'_, f32>,
        w_hh: ArrayView2<'_, f32>,
        b_ih: ArrayView1<'_, f32>,
        b_hh: ArrayView1<'_, f32>,
        nonlinearity: Nonlinearity,
    ) -> RnnWeights {
        RnnWeights {
            input: w_ih.ncols(),
            hidden: w_ih.nrows(),
            nonlinearity,
            w: recurrent::fuse(w_ih, w_hh),
            b: &b_ih + &b_hh,
        }
    }

    /// `(input, hidden)` of the cell whose `weight_ih{suffix}` is in `weights`.
    pub fn sizes(weights: &Weights, suffix: &str) -> Result<(usize, usize), ModelError> {
        recurrent::sizes_from_weights(weights, &format!("weight_ih{suffix}"), 1)
    }
}

/// The working vectors of one step, allocated once.
#[derive(Debug, Clone)]
pub struct RnnScratch {
    xh: Array1<f32>,
    /// The weighted sum W_ih x + b_ih + W_hh h + b_hh of the last step.
    pub sum: Array1<f32>,
    /// Read the matrix last row first in this step (alternates).
    reverse: bool,
}

impl RnnScratch {
    pub fn new(input: usize, hidden: usize) -> RnnScratch {
        RnnScratch {
            xh: Array1::zeros(input + hidden),
            sum: Array1::zeros(hidden),
            reverse: false,
        }
    }
}

/// The stages of a recurrent cell step.
pub mod stages {
    use super::*;

    /// a = W_ih x + b_ih + W_hh h + b_hh
    #[inline]
    pub fn weighted_sum(
        w: &RnnWeights,
        x: ArrayView1<'_, f32>,
        h: ArrayView1<'_, f32>,
        s: &mut RnnScratch,
    ) {
        let (xh_x, xh_h) = views::flat_mut(&mut s.xh).split_at_mut(w.input);
        views::copy(x, xh_x);
        views::copy(h, xh_h);
        s.reverse = !s.reverse;
        views::gemv(&w.w, s.xh.view(), w.b.view(), s.sum.view_mut(), s.reverse);
    }

    /// h' = act(a)
    #[inline]
    pub fn activation(w: &RnnWeights, s: &RnnScratch, mut h: ArrayViewMut1<'_, f32>) {
        match h.as_slice_mut() {
            Some(values) => values.copy_from_slice(views::flat(&s.sum)),
            None => h.assign(&s.sum),
        }
        w.nonlinearity.apply(h);
    }
}

/// One whole step: `h` becomes h'.
#[inline]
pub fn step(w: &RnnWeights, x: ArrayView1<'_, f32>, h: ArrayViewMut1<'_, f32>, s: &mut RnnScratch) {
    stages::weighted_sum(w, x, h.view(), s);
    stages::activation(w, s, h);
}

/// The backward pass of one step, for backpropagation through time
/// ([`super::bptt`]): every row of a batch at once.
pub mod backward {
    use super::Nonlinearity;
    use crate::nn::activation::{relu_backward, tanh_backward};
    use ndarray::{Array2, ArrayView2};

    /// dL/da of h' = act(a), from h' itself and dL/dh' (`[B, H]` each):
    /// tanh' = 1 - h'², relu' = 1 where h' > 0. The weighted sum's
    /// gradient reaches `weight_ih`, `bias_ih` and `weight_hh`, `bias_hh`
    /// alike.
    pub fn activation(
        nonlinearity: Nonlinearity,
        h_new: ArrayView2<'_, f32>,
        dh: ArrayView2<'_, f32>,
    ) -> Array2<f32> {
        match nonlinearity {
            Nonlinearity::Tanh => tanh_backward(h_new, dh),
            Nonlinearity::Relu => relu_backward(h_new, dh),
        }
    }
}

static STAGES: [Bilingual; 2] = [
    Bilingual::new("weighted sum", "加权求和"),
    Bilingual::new("activation", "激活"),
];

/// The recurrent cell with its state, for [`Stepper`].
#[derive(Clone)]
pub struct RnnCell {
    pub weights: RnnWeights,
    /// The hidden state, `[H]`.
    pub h: Array1<f32>,
    pub scratch: RnnScratch,
    h_history: Ring,
}

impl RnnCell {
    pub fn new(input: usize, hidden: usize, nonlinearity: Nonlinearity) -> RnnCell {
        RnnCell {
            weights: RnnWeights {
                input,
                hidden,
                nonlinearity,
                // Zero until the stepper draws or loads the real ones.
                w: Packed::from_array(Array2::zeros((hidden, input + hidden)).view()),
                b: Array1::zeros(hidden),
            },
            h: Array1::zeros(hidden),
            scratch: RnnScratch::new(input, hidden),
            h_history: Ring::new(hidden),
        }
    }

    fn h_range<'a>(&self, values: impl Into<ArrayView1<'a, f32>>) -> (f32, f32) {
        match self.weights.nonlinearity {
            Nonlinearity::Tanh => (-1.0, 1.0),
            Nonlinearity::Relu => (0.0, recurrent::symmetric_range(values).1),
        }
    }
}

impl Cell for RnnCell {
    fn stages(&self) -> &'static [Bilingual] {
        &STAGES
    }

    fn begin(&mut self, x: &[f32]) {
        stages::weighted_sum(&self.weights, x.into(), self.h.view(), &mut self.scratch);
    }

    fn run(&mut self, index: usize) {
        if index == 1 {
            stages::activation(&self.weights, &self.scratch, self.h.view_mut());
            self.h_history.push(self.h.view());
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
        views::all_finite(self.h.view()) && views::all_finite(self.scratch.sum.view())
    }

    type Weights = RnnWeights;

    fn weights(&self, vb: &VarBuilder<'_>) -> Result<RnnWeights, ModelError> {
        let w = &self.weights;
        RnnWeights::new(vb, w.input, w.hidden, w.nonlinearity, "")
    }

    fn set_weights(&mut self, weights: RnnWeights) {
        self.weights = weights;
        self.clear();
    }

    fn clear(&mut self) {
        self.h.fill(0.0);
        self.scratch = RnnScratch::new(self.weights.input, self.weights.hidden);
        self.h_history.clear();
    }

    fn views(&self, done: usize, current: usize, out: &mut Vec<View>) {
        let act = self.weights.nonlinearity.name();
        out.push(recurrent::vector(
            "a",
            Bilingual::new("weighted sum a", "加权和 a"),
            &self.scratch.sum,
            recurrent::symmetric_range(&self.scratch.sum),
        ));
        out.push(recurrent::vector(
            "h",
            Bilingual::new("hidden state h", "隐藏状态 h"),
            &self.h,
            self.h_range(&self.h),
        ));
        let history = self.h_history.oldest_first();
        out.push(self.h_history.view(
            "h_history",
            Bilingual::new("hidden state over time", "隐藏状态随时间变化"),
            self.h_range(&history),
        ));
        let activation = format!("h' = {act}(a)");
        out.push(recurrent::equations(
            &[
                (
                    "a = W_ih x + b_ih + W_hh h + b_hh",
                    recurrent::values(self.scratch.sum.view()),
                ),
                (&activation, recurrent::values(self.h.view())),
            ],
            done,
            current,
        ));
    }
}

fn params() -> Vec<crate::model::ParamSpec> {
    let mut specs = recurrent::size_specs(4, 8);
    specs.push(recurrent::nonlinearity_spec());
    specs.extend(recurrent::feed_specs());
    specs
}

fn build(params: &Params, seed: u64) -> Result<Box<dyn Model>, ModelError> {
    let input = recurrent::size(params, "input");
    let hidden = recurrent::size(params, "hidden");
    let nonlinearity = Nonlinearity::parse(params.choice("nonlinearity"))?;
    Ok(Box::new(Stepper::new(
        RnnCell::new(input, hidden, nonlinearity),
        params,
        input,
        seed,
    )))
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "rnn_cell",
    name: Bilingual::new("Recurrent cell", "循环神经元"),
    params,
    build,
    params_from_weights: Some(params_from_weights),
};

/// `input` and `hidden` from the shape of `weight_ih`, `[hidden, input]`.
fn params_from_weights(weights: &Weights) -> Result<Vec<(&'static str, ParamValue)>, ModelError> {
    RnnWeights::sizes(weights, "").map(recurrent::size_params)
}
