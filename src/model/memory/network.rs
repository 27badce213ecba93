//! The Neural Turing Machine's network: an LSTM controller, one read head
//! and one write head on an N x W memory, run over a sequence and trained
//! by backpropagation through time written out by hand, in f64.
//!
//! A. Graves, G. Wayne and I. Danihelka, "Neural Turing Machines",
//! arXiv:1410.5401, 2014. At every time step t, with input x_t:
//!
//! ```text
//! u_t          = [x_t; r_t-1]                          the controller reads the input and the last read
//! i, f, g, o   = σ, σ, tanh, σ of W_ih u_t + W_hh h_t-1 + b     (an LSTM controller)
//! c_t          = f c_t-1 + i g,   h_t = o tanh(c_t)
//! read head    = W_r h_t + b_r   → k, β = softplus, g = σ, s = softmax, γ = 1 + softplus
//! write head   = W_w h_t + b_w   → the same, and e = σ, a = tanh
//! w^r_t, w^w_t = addressing of M_t-1 from each head and its w_t-1   (see `addressing`)
//! r_t          = M_t-1ᵀ w^r_t                          the read sees the memory before the write
//! M_t          = M_t-1 ⊙ (1 - w^w_t eᵀ) + w^w_t aᵀ
//! y_t          = W_y [h_t; r_t] + b_y                  logits of the output bits
//! ```
//!
//! The memory starts at 1e-6 everywhere, both heads' weightings on row 0,
//! the read vector and the controller's state at zero. The weights are kept
//! under `state_dict`-like names (`controller.weight_ih`, `read_head.weight`,
//! ...); a file of them (JSON, f32) is written and read by
//! [`Ntm::to_weights`] and [`Ntm::from_weights`].

use super::addressing::{
    self, Addressing, Head, HeadGrads, address, address_backward, read_backward, write_backward,
};
use crate::model::{ModelError, Tensor, Weights};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, s};
use rand::Rng;

/// The name under which a file of weights gives the memory's start.
pub const MEMORY_TENSOR: &str = "memory.start";

/// The value every memory cell starts at.
pub const MEMORY_START: f64 = 1e-6;

/// Sizes of one NTM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Bits per vector of the copy task; the input has one more channel,
    /// the delimiter.
    pub bits: usize,
    /// Memory rows N.
    pub rows: usize,
    /// Memory width W (values per row).
    pub width: usize,
    /// Controller units H.
    pub hidden: usize,
}

impl Shape {
    pub fn input(&self) -> usize {
        self.bits + 1
    }
    /// Values the read head emits: k (W), β, g, s (3), γ.
    pub fn read_outputs(&self) -> usize {
        self.width + 6
    }
    /// Values the write head emits: the read head's, then e (W) and a (W).
    pub fn write_outputs(&self) -> usize {
        3 * self.width + 6
    }
}

/// The tensors' names, in the order of [`Ntm::tensors`].
pub const NAMES: [&str; 9] = [
    "controller.weight_ih",
    "controller.weight_hh",
    "controller.bias",
    "read_head.weight",
    "read_head.bias",
    "write_head.weight",
    "write_head.bias",
    "output.weight",
    "output.bias",
];

/// The learnt tensors (and, in the same form, their gradients).
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// `[4H, bits + 1 + W]`, gates in the order i, f, g, o.
    pub weight_ih: Array2<f64>,
    /// `[4H, H]`.
    pub weight_hh: Array2<f64>,
    /// `[4H]`.
    pub bias: Array1<f64>,
    /// `[W + 6, H]`.
    pub read_weight: Array2<f64>,
    pub read_bias: Array1<f64>,
    /// `[3W + 6, H]`.
    pub write_weight: Array2<f64>,
    pub write_bias: Array1<f64>,
    /// `[bits, H + W]`.
    pub output_weight: Array2<f64>,
    pub output_bias: Array1<f64>,
}

impl Params {
    fn zeros(shape: &Shape) -> Params {
        let (h, w) = (shape.hidden, shape.width);
        Params {
            weight_ih: Array2::zeros((4 * h, shape.input() + w)),
            weight_hh: Array2::zeros((4 * h, h)),
            bias: Array1::zeros(4 * h),
            read_weight: Array2::zeros((shape.read_outputs(), h)),
            read_bias: Array1::zeros(shape.read_outputs()),
            write_weight: Array2::zeros((shape.write_outputs(), h)),
            write_bias: Array1::zeros(shape.write_outputs()),
            output_weight: Array2::zeros((shape.bits, h + w)),
            output_bias: Array1::zeros(shape.bits),
        }
    }

    /// Every tensor's shape, in [`NAMES`] order.
    pub fn shapes(&self) -> [Vec<usize>; 9] {
        [
            self.weight_ih.shape().to_vec(),
            self.weight_hh.shape().to_vec(),
            self.bias.shape().to_vec(),
            self.read_weight.shape().to_vec(),
            self.read_bias.shape().to_vec(),
            self.write_weight.shape().to_vec(),
            self.write_bias.shape().to_vec(),
            self.output_weight.shape().to_vec(),
            self.output_bias.shape().to_vec(),
        ]
    }

    /// Every tensor's values, row-major, in [`NAMES`] order.
    pub fn tensors(&self) -> [&[f64]; 9] {
        fn slice(a: Option<&[f64]>) -> &[f64] {
            a.expect("tensors are built in standard layout")
        }
        [
            slice(self.weight_ih.as_slice()),
            slice(self.weight_hh.as_slice()),
            slice(self.bias.as_slice()),
            slice(self.read_weight.as_slice()),
            slice(self.read_bias.as_slice()),
            slice(self.write_weight.as_slice()),
            slice(self.write_bias.as_slice()),
            slice(self.output_weight.as_slice()),
            slice(self.output_bias.as_slice()),
        ]
    }

    /// The same, to change.
    pub fn tensors_mut(&mut self) -> [&mut [f64]; 9] {
        fn slice(a: Option<&mut [f64]>) -> &mut [f64] {
            a.expect("tensors are built in standard layout")
        }
        [
            slice(self.weight_ih.as_slice_mut()),
            slice(self.weight_hh.as_slice_mut()),
            slice(self.bias.as_slice_mut()),
            slice(self.read_weight.as_slice_mut()),
            slice(self.read_bias.as_slice_mut()),
            slice(self.write_weight.as_slice_mut()),
            slice(self.write_bias.as_slice_mut()),
            slice(self.output_weight.as_slice_mut()),
            slice(self.output_bias.as_slice_mut()),
        ]
    }
}

/// What the controller and the heads carry from one step to the next.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub h: Array1<f64>,
    pub c: Array1<f64>,
    /// r_t-1.
    pub read: Array1<f64>,
    /// w^r_t-1.
    pub read_weighting: Array1<f64>,
    /// w^w_t-1.
    pub write_weighting: Array1<f64>,
    /// M_t-1.
    pub memory: Array2<f64>,
}

impl State {
    /// The start of every sequence.
    pub fn start(shape: &Shape) -> State {
        let mut first_row = Array1::zeros(shape.rows);
        first_row[0] = 1.0;
        State {
            h: Array1::zeros(shape.hidden),
            c: Array1::zeros(shape.hidden),
            read: Array1::zeros(shape.width),
            read_weighting: first_row.clone(),
            write_weighting: first_row,
            memory: Array2::from_elem((shape.rows, shape.width), MEMORY_START),
        }
    }
}

/// Everything one time step computed, kept for the backward pass and for
/// the lab's views.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The state the step started from.
    pub before: State,
    /// u_t = [x_t; r_t-1].
    pub input: Array1<f64>,
    /// i, f, g, o after their squashing, `[4H]`.
    pub gates: Array1<f64>,
    pub c: Array1<f64>,
    pub tanh_c: Array1<f64>,
    pub h: Array1<f64>,
    /// The heads' raw outputs, before squashing.
    pub read_raw: Array1<f64>,
    pub write_raw: Array1<f64>,
    pub read_head: Head,
    pub write_head: Head,
    /// e and a.
    pub erase: Array1<f64>,
    pub add: Array1<f64>,
    pub read_addressing: Addressing,
    pub write_addressing: Addressing,
    /// r_t.
    pub read: Array1<f64>,
    /// M_t-1 ⊙ (1 - w eᵀ).
    pub erased: Array2<f64>,
    /// M_t.
    pub memory: Array2<f64>,
    /// y_t, the output bits' logits.
    pub logits: Array1<f64>,
}

impl Step {
    /// The state the next step starts from.
    pub fn after(&self) -> State {
        State {
            h: self.h.clone(),
            c: self.c.clone(),
            read: self.read.clone(),
            read_weighting: self.read_addressing.weighting.clone(),
            write_weighting: self.write_addressing.weighting.clone(),
            memory: self.memory.clone(),
        }
    }
}

/// One step of the LSTM controller: the gates i, f, g, o after their
/// squashing (`[4H]`), the cell c, tanh c and the output h.
#[derive(Debug, Clone, PartialEq)]
pub struct Controller {
    pub gates: Array1<f64>,
    pub c: Array1<f64>,
    pub tanh_c: Array1<f64>,
    pub h: Array1<f64>,
}

/// i, f, g, o = σ, σ, tanh, σ of W_ih u + W_hh h + b; c = f c_prev + i g;
/// h = o tanh(c).
pub fn controller_step(
    weight_ih: ArrayView2<'_, f64>,
    weight_hh: ArrayView2<'_, f64>,
    bias: ArrayView1<'_, f64>,
    input: ArrayView1<'_, f64>,
    h: ArrayView1<'_, f64>,
    c: ArrayView1<'_, f64>,
) -> Controller {
    let hidden = h.len();
    let z = weight_ih.dot(&input) + weight_hh.dot(&h) + bias;
    let gates = Array1::from_shape_fn(4 * hidden, |k| {
        if (2 * hidden..3 * hidden).contains(&k) {
            z[k].tanh()
        } else {
            sigmoid(z[k])
        }
    });
    let gate = |k: usize| gates.slice(s![k * hidden..(k + 1) * hidden]);
    let c = &gate(1) * &c + &gate(0) * &gate(2);
    let tanh_c = c.mapv(f64::tanh);
    let h = &gate(3) * &tanh_c;
    Controller {
        gates,
        c,
        tanh_c,
        h,
    }
}

/// Back through [`controller_step`]: from dL/dh and dL/dc (the latter
/// replaced by dL/dc_prev), gives dL/dz, the gates' pre-activations, from
/// which the weights' gradients and dL/du, dL/dh_prev follow.
pub fn controller_backward(
    gates: ArrayView1<'_, f64>,
    tanh_c: ArrayView1<'_, f64>,
    c_prev: ArrayView1<'_, f64>,
    grad_h: ArrayView1<'_, f64>,
    grad_c: &mut Array1<f64>,
) -> Array1<f64> {
    let hidden = grad_h.len();
    let gate = |k: usize| gates.slice_move(s![k * hidden..(k + 1) * hidden]);
    let (i, f, g, o) = (gate(0), gate(1), gate(2), gate(3));
    let mut grad_z = Array1::zeros(4 * hidden);
    for u in 0..hidden {
        let tc = tanh_c[u];
        let dc = grad_c[u] + grad_h[u] * o[u] * (1.0 - tc * tc);
        grad_z[u] = dc * g[u] * i[u] * (1.0 - i[u]);
        grad_z[hidden + u] = dc * c_prev[u] * f[u] * (1.0 - f[u]);
        grad_z[2 * hidden + u] = dc * i[u] * (1.0 - g[u] * g[u]);
        grad_z[3 * hidden + u] = grad_h[u] * tc * o[u] * (1.0 - o[u]);
        grad_c[u] = dc * f[u];
    }
    grad_z
}

pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

pub fn softplus(x: f64) -> f64 {
    if x > 30.0 { x } else { x.exp().ln_1p() }
}

/// The head's squashed parameters from its raw outputs.
fn decode(raw: ArrayView1<'_, f64>, width: usize) -> Head {
    let z = [raw[width + 2], raw[width + 3], raw[width + 4]];
    let top = z[0].max(z[1]).max(z[2]);
    let e = z.map(|v| (v - top).exp());
    let total: f64 = e.iter().sum();
    Head {
        key: raw.slice(s![..width]).to_owned(),
        strength: softplus(raw[width]),
        gate: sigmoid(raw[width + 1]),
        shift: e.map(|v| v / total),
        sharpening: 1.0 + softplus(raw[width + 5]),
    }
}

/// The write head's e, dL/de, a and dL/da.
type WriteVectors<'a> = (
    &'a Array1<f64>,
    &'a Array1<f64>,
    &'a Array1<f64>,
    &'a Array1<f64>,
);

/// Back through [`decode`] (and e = σ, a = tanh for the write head).
fn decode_backward(
    raw: ArrayView1<'_, f64>,
    head: &Head,
    grads: &HeadGrads,
    write: Option<WriteVectors<'_>>,
    width: usize,
) -> Array1<f64> {
    let mut g = Array1::zeros(raw.len());
    g.slice_mut(s![..width]).assign(&grads.key);
    g[width] = grads.strength * sigmoid(raw[width]);
    g[width + 1] = grads.gate * head.gate * (1.0 - head.gate);
    let inner: f64 = (0..3).map(|k| grads.shift[k] * head.shift[k]).sum();
    for (k, (&s, &grad_s)) in head.shift.iter().zip(&grads.shift).enumerate() {
        g[width + 2 + k] = s * (grad_s - inner);
    }
    g[width + 5] = grads.sharpening * sigmoid(raw[width + 5]);
    if let Some((erase, grad_erase, add, grad_add)) = write {
        for j in 0..width {
            g[width + 6 + j] = grad_erase[j] * erase[j] * (1.0 - erase[j]);
            g[2 * width + 6 + j] = grad_add[j] * (1.0 - add[j] * add[j]);
        }
    }
    g
}

/// Adds the outer product a bᵀ to `m`.
pub fn add_outer(m: &mut Array2<f64>, a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) {
    for (mut row, &ai) in m.axis_iter_mut(Axis(0)).zip(a.iter()) {
        if ai != 0.0 {
            row.scaled_add(ai, &b);
        }
    }
}

/// One NTM: its shape and its weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Ntm {
    pub shape: Shape,
    pub params: Params,
}

impl Ntm {
    /// Weights drawn as PyTorch draws an LSTM's and a linear layer's:
    /// U(-1/√fan, 1/√fan), fan the controller's units for the controller and
    /// the heads, H + W for the output.
    pub fn new(shape: Shape, rng: &mut impl Rng) -> Ntm {
        let mut params = Params::zeros(&shape);
        draw_weights(
            params.tensors_mut().into_iter().collect(),
            7,
            shape.hidden,
            shape.hidden + shape.width,
            rng,
        );
        Ntm { shape, params }
    }

    /// One time step from `state` on input `x` (bits + delimiter).
    pub fn step(&self, state: &State, x: ArrayView1<'_, f64>) -> Step {
        let Shape { hidden, width, .. } = self.shape;
        let p = &self.params;
        let mut input = Array1::zeros(x.len() + width);
        input.slice_mut(s![..x.len()]).assign(&x);
        input.slice_mut(s![x.len()..]).assign(&state.read);
        let Controller {
            gates,
            c,
            tanh_c,
            h,
        } = controller_step(
            p.weight_ih.view(),
            p.weight_hh.view(),
            p.bias.view(),
            input.view(),
            state.h.view(),
            state.c.view(),
        );
        let read_raw = p.read_weight.dot(&h) + &p.read_bias;
        let write_raw = p.write_weight.dot(&h) + &p.write_bias;
        let read_head = decode(read_raw.view(), width);
        let write_head = decode(write_raw.view(), width);
        let erase = write_raw.slice(s![width + 6..2 * width + 6]).mapv(sigmoid);
        let add = write_raw.slice(s![2 * width + 6..]).mapv(f64::tanh);
        let memory = state.memory.view();
        let read_addressing = address(memory, &read_head, state.read_weighting.view());
        let write_addressing = address(memory, &write_head, state.write_weighting.view());
        let read = addressing::read(memory, read_addressing.weighting.view());
        let erased = addressing::erase(memory, write_addressing.weighting.view(), erase.view());
        let new_memory =
            addressing::add(erased.view(), write_addressing.weighting.view(), add.view());
        let mut joined = Array1::zeros(hidden + width);
        joined.slice_mut(s![..hidden]).assign(&h);
        joined.slice_mut(s![hidden..]).assign(&read);
        let logits = p.output_weight.dot(&joined) + &p.output_bias;
        Step {
            before: state.clone(),
            input,
            gates,
            c,
            tanh_c,
            h,
            read_raw,
            write_raw,
            read_head,
            write_head,
            erase,
            add,
            read_addressing,
            write_addressing,
            read,
            erased,
            memory: new_memory,
            logits,
        }
    }

    /// Backpropagation through time: given dL/dy_t for every step (rows of
    /// `grad_logits`, `[T, bits]`), adds every weight's gradient to `grads`.
    pub fn backward(&self, steps: &[Step], grad_logits: ArrayView2<'_, f64>, grads: &mut Params) {
        let Shape {
            hidden,
            width,
            rows,
            ..
        } = self.shape;
        let p = &self.params;
        let inputs = self.shape.input();
        let mut grad_h = Array1::<f64>::zeros(hidden);
        let mut grad_c = Array1::<f64>::zeros(hidden);
        let mut grad_read = Array1::<f64>::zeros(width);
        let mut grad_memory = Array2::<f64>::zeros((rows, width));
        let mut grad_read_w = Array1::<f64>::zeros(rows);
        let mut grad_write_w = Array1::<f64>::zeros(rows);
        for (t, step) in steps.iter().enumerate().rev() {
            // Output y = W_y [h; r] + b_y.
            let dy = grad_logits.row(t);
            let mut joined = Array1::zeros(hidden + width);
            joined.slice_mut(s![..hidden]).assign(&step.h);
            joined.slice_mut(s![hidden..]).assign(&step.read);
            add_outer(&mut grads.output_weight, dy, joined.view());
            grads.output_bias += &dy;
            let grad_joined = p.output_weight.t().dot(&dy);
            grad_h += &grad_joined.slice(s![..hidden]);
            grad_read += &grad_joined.slice(s![hidden..]);
            // The write, then the write head's addressing.
            let before = &step.before;
            let memory = before.memory.view();
            let write = write_backward(
                memory,
                step.write_addressing.weighting.view(),
                step.erase.view(),
                step.add.view(),
                grad_memory.view(),
            );
            let mut grad_memory_before = write.memory;
            grad_write_w += &write.weighting;
            let write_grads = address_backward(
                memory,
                &step.write_head,
                before.write_weighting.view(),
                &step.write_addressing,
                grad_write_w.view(),
                grad_memory_before.view_mut(),
            );
            // The read, then the read head's addressing.
            grad_read_w += &read_backward(
                memory,
                step.read_addressing.weighting.view(),
                grad_read.view(),
                grad_memory_before.view_mut(),
            );
            let read_grads = address_backward(
                memory,
                &step.read_head,
                before.read_weighting.view(),
                &step.read_addressing,
                grad_read_w.view(),
                grad_memory_before.view_mut(),
            );
            // The heads' linear layers.
            let grad_read_raw = decode_backward(
                step.read_raw.view(),
                &step.read_head,
                &read_grads,
                None,
                width,
            );
            let grad_write_raw = decode_backward(
                step.write_raw.view(),
                &step.write_head,
                &write_grads,
                Some((&step.erase, &write.erase, &step.add, &write.add)),
                width,
            );
            add_outer(&mut grads.read_weight, grad_read_raw.view(), step.h.view());
            grads.read_bias += &grad_read_raw;
            add_outer(
                &mut grads.write_weight,
                grad_write_raw.view(),
                step.h.view(),
            );
            grads.write_bias += &grad_write_raw;
            grad_h += &p.read_weight.t().dot(&grad_read_raw);
            grad_h += &p.write_weight.t().dot(&grad_write_raw);
            // The LSTM controller.
            let grad_z = controller_backward(
                step.gates.view(),
                step.tanh_c.view(),
                before.c.view(),
                grad_h.view(),
                &mut grad_c,
            );
            add_outer(&mut grads.weight_ih, grad_z.view(), step.input.view());
            add_outer(&mut grads.weight_hh, grad_z.view(), before.h.view());
            grads.bias += &grad_z;
            let grad_input = p.weight_ih.t().dot(&grad_z);
            grad_h = p.weight_hh.t().dot(&grad_z);
            grad_read = grad_input.slice(s![inputs..]).to_owned();
            grad_memory = grad_memory_before;
            grad_read_w = read_grads.previous;
            grad_write_w = write_grads.previous;
        }
    }

    /// Zero gradients of this network's shape.
    pub fn zero_grads(&self) -> Params {
        Params::zeros(&self.shape)
    }

    /// The weights as f32 tensors under their names, with `memory.start`,
    /// the memory's starting value `[N, W]` (fixed, not learnt: it gives
    /// the memory's size).
    pub fn to_weights(&self) -> Weights {
        named_weights(
            &NAMES,
            self.params.shapes().to_vec(),
            self.params.tensors().to_vec(),
            self.shape.rows,
            self.shape.width,
        )
    }

    /// The sizes a file of weights fixes, read from the tensors' shapes. A
    /// missing tensor or one of the wrong shape is an error naming it, its
    /// shape and the shape expected.
    pub fn shape_of(weights: &Weights) -> Result<Shape, ModelError> {
        let (rows, _) = memory_size(weights)?;
        let (hidden, bits, columns) = controller_sizes(weights, &NAMES, "an NTM", "H + W")?;
        let width = columns.checked_sub(hidden).filter(|&w| w > 0).ok_or_else(|| {
            ModelError::Weights(format!(
                "tensor `output.weight` has shape [{bits}, {columns}]; expected [bits, H + W] with H = {hidden} and W ≥ 1"
            ))
        })?;
        Ok(Shape {
            bits,
            rows,
            width,
            hidden,
        })
    }

    /// An NTM of `shape` with the weights of `weights`; every tensor must be
    /// there with the shape `shape` gives it.
    pub fn from_weights(shape: Shape, weights: &Weights) -> Result<Ntm, ModelError> {
        let mut params = Params::zeros(&shape);
        let shapes = params.shapes().to_vec();
        fill_tensors(
            weights,
            &NAMES,
            shapes,
            params.tensors_mut().into_iter().collect(),
            (shape.rows, shape.width),
            &format!(
                "bits {}, width {}, controller {}",
                shape.bits, shape.width, shape.hidden
            ),
        )?;
        Ok(Ntm { shape, params })
    }
}

/// Draws every weight from U(-1/√fan, 1/√fan), as PyTorch draws an
/// LSTM's and a linear layer's: fan `hidden` for the tensors before
/// `output` (the controller's and the heads'), `output_fan` for the rest
/// (the output's).
pub fn draw_weights(
    tensors: Vec<&mut [f64]>,
    output: usize,
    hidden: usize,
    output_fan: usize,
    rng: &mut impl Rng,
) {
    let bound = 1.0 / (hidden as f64).sqrt();
    let out_bound = 1.0 / (output_fan as f64).sqrt();
    for (k, tensor) in tensors.into_iter().enumerate() {
        let b = if k >= output { out_bound } else { bound };
        for v in tensor.iter_mut() {
            *v = rng.random_range(-b..b);
        }
    }
}

/// The controller's size H and the output's bits and columns, read from
/// `controller.weight_hh` `[4H, H]` and `output.weight` `[bits, columns]`
/// (the NTM's and the DNC's files alike); `model` names the network in the
/// error for a missing tensor, `columns` what the output's columns should
/// be in the error for a wrong shape.
pub fn controller_sizes(
    weights: &Weights,
    names: &[&str],
    model: &str,
    columns: &str,
) -> Result<(usize, usize, usize), ModelError> {
    let get = |name: &str| {
        weights.get(name).ok_or_else(|| {
            ModelError::Weights(format!(
                "tensor `{name}` is missing ({model} needs {})",
                names.join(", ")
            ))
        })
    };
    let hh = get("controller.weight_hh")?;
    let out = get("output.weight")?;
    match (hh.shape.as_slice(), out.shape.as_slice()) {
        ([a, h], [bits, cols]) if *a == 4 * h && *h > 0 && *bits > 0 => Ok((*h, *bits, *cols)),
        _ => Err(ModelError::Weights(format!(
            "tensor `controller.weight_hh` has shape {:?} and `output.weight` {:?}; expected [4H, H] and [bits, {columns}]",
            hh.shape, out.shape
        ))),
    }
}

/// Adam (Kingma and Ba 2015, as `torch.optim.Adam` with its defaults
/// β = (0.9, 0.999), ε = 1e-8) over f64 tensors given as slices, the same
/// tensors in the same order at every step (the NTM's, the DNC's).
#[derive(Debug, Clone, PartialEq)]
pub struct Adam {
    pub lr: f64,
    first: Vec<Vec<f64>>,
    second: Vec<Vec<f64>>,
    steps: i32,
}

impl Adam {
    /// The moments are sized at the first step.
    pub fn new(lr: f64) -> Adam {
        Adam {
            lr,
            first: Vec::new(),
            second: Vec::new(),
            steps: 0,
        }
    }

    /// One step of every tensor of `params` against `grads`.
    pub fn step(&mut self, params: &mut [&mut [f64]], grads: &[&[f64]]) {
        if self.first.len() != params.len() {
            self.first = params.iter().map(|p| vec![0.0; p.len()]).collect();
            self.second = self.first.clone();
            self.steps = 0;
        }
        let (b1, b2, eps): (f64, f64, f64) = (0.9, 0.999, 1e-8);
        self.steps += 1;
        let c1 = 1.0 - b1.powi(self.steps);
        let c2 = 1.0 - b2.powi(self.steps);
        let lr = self.lr;
        for (((p, g), m), v) in params
            .iter_mut()
            .zip(grads)
            .zip(&mut self.first)
            .zip(&mut self.second)
        {
            for (((p, &g), m), v) in p.iter_mut().zip(*g).zip(m.iter_mut()).zip(v.iter_mut()) {
                *m = b1 * *m + (1.0 - b1) * g;
                *v = b2 * *v + (1.0 - b2) * g * g;
                *p -= lr * (*m / c1) / ((*v / c2).sqrt() + eps);
            }
        }
    }
}

/// Binary cross-entropy of the logits against 0/1 targets, summed, and its
/// gradient.
pub fn bce_with_logits(
    logits: ArrayView1<'_, f64>,
    targets: ArrayView1<'_, f64>,
) -> (f64, Array1<f64>) {
    let mut loss = 0.0;
    let grad = Array1::from_shape_fn(logits.len(), |k| {
        let (y, t) = (logits[k], targets[k]);
        loss += y.max(0.0) - y * t + (-y.abs()).exp().ln_1p();
        sigmoid(y) - t
    });
    (loss, grad)
}

/// Scales the tensors `grads` down to norm `clip` together if longer;
/// gives the norm before.
pub fn clip_norm(grads: &mut [&mut [f64]], clip: f64) -> f64 {
    let norm = grads
        .iter()
        .flat_map(|t| t.iter())
        .map(|g| g * g)
        .sum::<f64>()
        .sqrt();
    if norm > clip {
        let scale = clip / norm;
        for t in grads.iter_mut() {
            t.iter_mut().for_each(|g| *g *= scale);
        }
    }
    norm
}

/// Named f64 tensors as f32 [`Weights`], with `memory.start` `[N, W]`
/// (the memory's starting value, fixed, not learnt: it gives the memory's
/// size).
pub fn named_weights(
    names: &[&str],
    shapes: Vec<Vec<usize>>,
    tensors: Vec<&[f64]>,
    rows: usize,
    width: usize,
) -> Weights {
    let start = (
        MEMORY_TENSOR.to_string(),
        Tensor {
            shape: vec![rows, width],
            data: vec![MEMORY_START as f32; rows * width],
        },
    );
    names
        .iter()
        .zip(shapes)
        .zip(tensors)
        .map(|((name, shape), data)| {
            (
                name.to_string(),
                Tensor {
                    shape,
                    data: data.iter().map(|&v| v as f32).collect(),
                },
            )
        })
        .chain(std::iter::once(start))
        .collect()
}

/// The memory's size `[N, W]` from a file's `memory.start`, N ≥ 3.
pub fn memory_size(weights: &Weights) -> Result<(usize, usize), ModelError> {
    match weights.get(MEMORY_TENSOR).map(|t| t.shape.as_slice()) {
        Some([rows, width]) if *rows >= 3 && *width >= 1 => Ok((*rows, *width)),
        Some(other) => Err(ModelError::Weights(format!(
            "tensor `{MEMORY_TENSOR}` has shape {other:?}; expected [N, W] with N ≥ 3 and W ≥ 1"
        ))),
        None => Err(ModelError::Weights(format!(
            "tensor `{MEMORY_TENSOR}` is missing (it gives the memory's size [N, W])"
        ))),
    }
}

/// Copies the tensors `names` of `weights` into `targets`: every one must be
/// there with the shape of `shapes`, and `memory.start`, if there, must be
/// `[rows, width]`; otherwise an error names the tensor, its shape and the
/// shape expected (`sizes` says in words which sizes the shapes come from).
pub fn fill_tensors(
    weights: &Weights,
    names: &[&str],
    shapes: Vec<Vec<usize>>,
    targets: Vec<&mut [f64]>,
    (rows, width): (usize, usize),
    sizes: &str,
) -> Result<(), ModelError> {
    if let Some(start) = weights.get(MEMORY_TENSOR)
        && start.shape != [rows, width]
    {
        return Err(ModelError::Weights(format!(
            "tensor `{MEMORY_TENSOR}` has shape {:?}; expected [{rows}, {width}]",
            start.shape
        )));
    }
    for ((name, expected), values) in names.iter().zip(shapes).zip(targets) {
        let tensor = weights.get(*name).ok_or_else(|| {
            ModelError::Weights(format!(
                "tensor `{name}` is missing; expected shape {expected:?}"
            ))
        })?;
        if tensor.shape != expected {
            return Err(ModelError::Weights(format!(
                "tensor `{name}` has shape {:?}; expected {expected:?} ({sizes})",
                tensor.shape
            )));
        }
        for (v, &w) in values.iter_mut().zip(&tensor.data) {
            *v = f64::from(w);
        }
    }
    Ok(())
}

/// Weights as JSON, `{"name": {"shape": [...], "data": [...]}}`, the form
/// [`crate::model::weights::from_json`] reads.
pub fn weights_json(weights: &Weights) -> String {
    let map: serde_json::Map<String, serde_json::Value> = weights
        .iter()
        .map(|(name, t)| {
            let data: Vec<serde_json::Value> = t
                .data
                .iter()
                .map(|&v| crate::model::view::number_f32(v))
                .collect();
            (
                name.clone(),
                serde_json::json!({"shape": t.shape, "data": data}),
            )
        })
        .collect();
    serde_json::Value::Object(map).to_string()
}
