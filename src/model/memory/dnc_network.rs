//! The Differentiable Neural Computer's network: the NTM's LSTM controller,
//! one write head and R read heads on an N x W memory, run over a sequence
//! and trained by backpropagation through time written out by hand, in f64.
//!
//! A. Graves, G. Wayne, M. Reynolds, T. Harley, I. Danihelka et al.,
//! "Hybrid computing using a neural network with dynamic external memory",
//! Nature 538, 2016, Methods. At every time step t, with input x_t:
//!
//! ```text
//! h_t          = LSTM([x_t; r^1_{t-1} … r^R_{t-1}])               the controller (`network::controller_step`)
//! ξ_t          = W_ξ h_t + b_ξ → the interface:
//!                read keys k^{r,i}, read strengths β^{r,i} = 1 + softplus,
//!                write key k^w, write strength β^w = 1 + softplus,
//!                erase e = σ, write vector v, free gates f^i = σ,
//!                allocation gate g^a = σ, write gate g^w = σ,
//!                read modes π^i = softmax over (backward, content, forward)
//! c^w_t        = C(M_{t-1}, k^w, β^w)                             write content weighting
//! u_t, a_t, w^w_t                                                  usage, allocation, write weighting (`dnc_addressing`)
//! M_t          = M_{t-1} ⊙ (E − w^w eᵀ) + w^w vᵀ                  erase and write
//! L_t, p_t     the temporal link and precedence; f^i, b^i = L_t w^{r,i}_{t-1}, L_tᵀ w^{r,i}_{t-1}
//! w^{r,i}_t    = π^i[0] b^i + π^i[1] C(M_t, k^{r,i}, β^{r,i}) + π^i[2] f^i
//! r^i_t        = M_tᵀ w^{r,i}_t                                    the reads see this step's write
//! y_t          = W_y [h_t; r^1_t … r^R_t] + b_y                     logits of the output bits
//! ```
//!
//! The memory starts at 1e-6 everywhere (as the NTM's), the usage, the
//! weightings, the link, the precedence, the reads and the controller's
//! state at zero. The weights are kept under `state_dict`-like names
//! (`controller.weight_ih`, `interface.weight`, `output.weight`, ...) and
//! written and read as the NTM's are ([`Dnc::to_weights`],
//! [`Dnc::from_weights`]).

use super::addressing::{self, content_backward, content_weighting, read_backward, similarity};
use super::dnc_addressing::{self as dnc, Allocation};
use super::network::{
    Controller, MEMORY_START, add_outer, controller_backward, controller_sizes, controller_step,
    draw_weights, fill_tensors, memory_size, named_weights, sigmoid, softplus,
};
use crate::model::{ModelError, Weights};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, s};
use rand::Rng;

/// Sizes of one DNC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Bits per vector of the task; the input has one more channel, the
    /// delimiter.
    pub bits: usize,
    /// Memory rows N.
    pub rows: usize,
    /// Memory width W.
    pub width: usize,
    /// Controller units H.
    pub hidden: usize,
    /// Read heads R.
    pub reads: usize,
}

/// Where each part of the interface vector ξ starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Layout {
    read_keys: usize,
    read_strengths: usize,
    write_key: usize,
    write_strength: usize,
    erase: usize,
    write_vector: usize,
    free_gates: usize,
    allocation_gate: usize,
    write_gate: usize,
    read_modes: usize,
    len: usize,
}

impl Shape {
    pub fn input(&self) -> usize {
        self.bits + 1
    }

    /// The controller reads the input and the R read vectors.
    pub fn controller_input(&self) -> usize {
        self.input() + self.reads * self.width
    }

    /// The interface's size: W(R + 3) + 5R + 3.
    pub fn interface(&self) -> usize {
        self.layout().len
    }

    fn layout(&self) -> Layout {
        let (w, r) = (self.width, self.reads);
        let read_strengths = r * w;
        let write_key = read_strengths + r;
        let write_strength = write_key + w;
        let erase = write_strength + 1;
        let write_vector = erase + w;
        let free_gates = write_vector + w;
        let allocation_gate = free_gates + r;
        let write_gate = allocation_gate + 1;
        let read_modes = write_gate + 1;
        Layout {
            read_keys: 0,
            read_strengths,
            write_key,
            write_strength,
            erase,
            write_vector,
            free_gates,
            allocation_gate,
            write_gate,
            read_modes,
            len: read_modes + 3 * r,
        }
    }
}

/// The tensors' names, in the order of [`Params::tensors`].
pub const NAMES: [&str; 7] = [
    "controller.weight_ih",
    "controller.weight_hh",
    "controller.bias",
    "interface.weight",
    "interface.bias",
    "output.weight",
    "output.bias",
];

/// The learnt tensors (and, in the same form, their gradients).
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// `[4H, bits + 1 + R W]`, gates in the order i, f, g, o.
    pub weight_ih: Array2<f64>,
    /// `[4H, H]`.
    pub weight_hh: Array2<f64>,
    /// `[4H]`.
    pub bias: Array1<f64>,
    /// `[W(R + 3) + 5R + 3, H]`.
    pub interface_weight: Array2<f64>,
    pub interface_bias: Array1<f64>,
    /// `[bits, H + R W]`.
    pub output_weight: Array2<f64>,
    pub output_bias: Array1<f64>,
}

impl Params {
    fn zeros(shape: &Shape) -> Params {
        let h = shape.hidden;
        Params {
            weight_ih: Array2::zeros((4 * h, shape.controller_input())),
            weight_hh: Array2::zeros((4 * h, h)),
            bias: Array1::zeros(4 * h),
            interface_weight: Array2::zeros((shape.interface(), h)),
            interface_bias: Array1::zeros(shape.interface()),
            output_weight: Array2::zeros((shape.bits, h + shape.reads * shape.width)),
            output_bias: Array1::zeros(shape.bits),
        }
    }

    /// Every tensor's shape, in [`NAMES`] order.
    pub fn shapes(&self) -> Vec<Vec<usize>> {
        vec![
            self.weight_ih.shape().to_vec(),
            self.weight_hh.shape().to_vec(),
            self.bias.shape().to_vec(),
            self.interface_weight.shape().to_vec(),
            self.interface_bias.shape().to_vec(),
            self.output_weight.shape().to_vec(),
            self.output_bias.shape().to_vec(),
        ]
    }

    /// Every tensor's values, row-major, in [`NAMES`] order.
    pub fn tensors(&self) -> Vec<&[f64]> {
        fn slice(a: Option<&[f64]>) -> &[f64] {
            a.expect("tensors are built in standard layout")
        }
        vec![
            slice(self.weight_ih.as_slice()),
            slice(self.weight_hh.as_slice()),
            slice(self.bias.as_slice()),
            slice(self.interface_weight.as_slice()),
            slice(self.interface_bias.as_slice()),
            slice(self.output_weight.as_slice()),
            slice(self.output_bias.as_slice()),
        ]
    }

    /// The same, to change.
    pub fn tensors_mut(&mut self) -> Vec<&mut [f64]> {
        fn slice(a: Option<&mut [f64]>) -> &mut [f64] {
            a.expect("tensors are built in standard layout")
        }
        vec![
            slice(self.weight_ih.as_slice_mut()),
            slice(self.weight_hh.as_slice_mut()),
            slice(self.bias.as_slice_mut()),
            slice(self.interface_weight.as_slice_mut()),
            slice(self.interface_bias.as_slice_mut()),
            slice(self.output_weight.as_slice_mut()),
            slice(self.output_bias.as_slice_mut()),
        ]
    }
}

/// What the controller and the memory carry from one step to the next.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub h: Array1<f64>,
    pub c: Array1<f64>,
    /// r^i_{t-1}, `[R, W]`.
    pub reads: Array2<f64>,
    /// w^{r,i}_{t-1}, `[R, N]`.
    pub read_weightings: Array2<f64>,
    /// w^w_{t-1}.
    pub write_weighting: Array1<f64>,
    /// u_{t-1}.
    pub usage: Array1<f64>,
    /// L_{t-1}, `[N, N]`.
    pub link: Array2<f64>,
    /// p_{t-1}.
    pub precedence: Array1<f64>,
    /// M_{t-1}.
    pub memory: Array2<f64>,
}

impl State {
    /// The start of every sequence.
    pub fn start(shape: &Shape) -> State {
        let (n, r) = (shape.rows, shape.reads);
        State {
            h: Array1::zeros(shape.hidden),
            c: Array1::zeros(shape.hidden),
            reads: Array2::zeros((r, shape.width)),
            read_weightings: Array2::zeros((r, n)),
            write_weighting: Array1::zeros(n),
            usage: Array1::zeros(n),
            link: Array2::zeros((n, n)),
            precedence: Array1::zeros(n),
            memory: Array2::from_elem((n, shape.width), MEMORY_START),
        }
    }
}

/// The interface ξ after its squashing functions.
#[derive(Debug, Clone, PartialEq)]
pub struct Interface {
    /// `[R, W]`.
    pub read_keys: Array2<f64>,
    /// `[R]`, each ≥ 1.
    pub read_strengths: Array1<f64>,
    pub write_key: Array1<f64>,
    pub write_strength: f64,
    pub erase: Array1<f64>,
    pub write_vector: Array1<f64>,
    /// `[R]`.
    pub free_gates: Array1<f64>,
    pub allocation_gate: f64,
    pub write_gate: f64,
    /// (backward, content, forward) of each read head.
    pub read_modes: Vec<[f64; 3]>,
}

fn oneplus(x: f64) -> f64 {
    1.0 + softplus(x)
}

/// The squashed interface from ξ.
fn decode(raw: ArrayView1<'_, f64>, shape: &Shape) -> Interface {
    let l = shape.layout();
    let (w, r) = (shape.width, shape.reads);
    let read_modes = (0..r)
        .map(|i| {
            let z = raw.slice(s![l.read_modes + 3 * i..l.read_modes + 3 * i + 3]);
            let top = z.fold(f64::NEG_INFINITY, |m, &v| m.max(v));
            let e = [(z[0] - top).exp(), (z[1] - top).exp(), (z[2] - top).exp()];
            let total: f64 = e.iter().sum();
            e.map(|v| v / total)
        })
        .collect();
    Interface {
        read_keys: raw
            .slice(s![l.read_keys..l.read_keys + r * w])
            .to_owned()
            .into_shape_with_order((r, w))
            .expect("R·W values"),
        read_strengths: raw
            .slice(s![l.read_strengths..l.read_strengths + r])
            .mapv(oneplus),
        write_key: raw.slice(s![l.write_key..l.write_key + w]).to_owned(),
        write_strength: oneplus(raw[l.write_strength]),
        erase: raw.slice(s![l.erase..l.erase + w]).mapv(sigmoid),
        write_vector: raw.slice(s![l.write_vector..l.write_vector + w]).to_owned(),
        free_gates: raw.slice(s![l.free_gates..l.free_gates + r]).mapv(sigmoid),
        allocation_gate: sigmoid(raw[l.allocation_gate]),
        write_gate: sigmoid(raw[l.write_gate]),
        read_modes,
    }
}

/// The gradients of the interface's squashed values.
struct InterfaceGrads {
    read_keys: Array2<f64>,
    read_strengths: Array1<f64>,
    write_key: Array1<f64>,
    write_strength: f64,
    erase: Array1<f64>,
    write_vector: Array1<f64>,
    free_gates: Array1<f64>,
    allocation_gate: f64,
    write_gate: f64,
    read_modes: Vec<[f64; 3]>,
}

/// Back through [`decode`]: dL/dξ.
fn decode_backward(
    raw: ArrayView1<'_, f64>,
    v: &Interface,
    g: &InterfaceGrads,
    shape: &Shape,
) -> Array1<f64> {
    let l = shape.layout();
    let (w, r) = (shape.width, shape.reads);
    let mut out = Array1::zeros(l.len);
    out.slice_mut(s![l.read_keys..l.read_keys + r * w])
        .assign(&Array1::from_iter(g.read_keys.iter().copied()));
    for i in 0..r {
        out[l.read_strengths + i] = g.read_strengths[i] * sigmoid(raw[l.read_strengths + i]);
        out[l.free_gates + i] = g.free_gates[i] * v.free_gates[i] * (1.0 - v.free_gates[i]);
        let (pi, gpi) = (v.read_modes[i], g.read_modes[i]);
        let inner: f64 = (0..3).map(|k| pi[k] * gpi[k]).sum();
        for k in 0..3 {
            out[l.read_modes + 3 * i + k] = pi[k] * (gpi[k] - inner);
        }
    }
    out.slice_mut(s![l.write_key..l.write_key + w])
        .assign(&g.write_key);
    out[l.write_strength] = g.write_strength * sigmoid(raw[l.write_strength]);
    for j in 0..w {
        out[l.erase + j] = g.erase[j] * v.erase[j] * (1.0 - v.erase[j]);
        out[l.write_vector + j] = g.write_vector[j];
    }
    out[l.allocation_gate] = g.allocation_gate * v.allocation_gate * (1.0 - v.allocation_gate);
    out[l.write_gate] = g.write_gate * v.write_gate * (1.0 - v.write_gate);
    out
}

/// Everything one time step computed, kept for the backward pass and for
/// the lab's views.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The state the step started from.
    pub before: State,
    /// [x_t; r_{t-1}].
    pub input: Array1<f64>,
    pub controller: Controller,
    /// ξ before squashing.
    pub interface_raw: Array1<f64>,
    pub interface: Interface,
    /// Cosine similarity of the write key with every row of M_{t-1}.
    pub write_similarity: Array1<f64>,
    /// c^w_t.
    pub write_content: Array1<f64>,
    /// ψ, u, φ, a and w^w.
    pub allocation: Allocation,
    /// M_{t-1} ⊙ (E − w^w eᵀ).
    pub erased: Array2<f64>,
    /// M_t.
    pub memory: Array2<f64>,
    /// L_t.
    pub link: Array2<f64>,
    /// p_t.
    pub precedence: Array1<f64>,
    /// f^i and b^i, `[R, N]`.
    pub forward: Array2<f64>,
    pub backward: Array2<f64>,
    /// Cosine similarity of each read key with every row of M_t, `[R, N]`.
    pub read_similarity: Array2<f64>,
    /// c^{r,i}, `[R, N]`.
    pub read_content: Array2<f64>,
    /// w^{r,i}_t, `[R, N]`.
    pub read_weightings: Array2<f64>,
    /// r^i_t, `[R, W]`.
    pub reads: Array2<f64>,
    /// y_t.
    pub logits: Array1<f64>,
}

impl Step {
    /// The state the next step starts from.
    pub fn after(&self) -> State {
        State {
            h: self.controller.h.clone(),
            c: self.controller.c.clone(),
            reads: self.reads.clone(),
            read_weightings: self.read_weightings.clone(),
            write_weighting: self.allocation.write_weighting.clone(),
            usage: self.allocation.usage.clone(),
            link: self.link.clone(),
            precedence: self.precedence.clone(),
            memory: self.memory.clone(),
        }
    }
}

/// [h; r^1 … r^R].
fn joined(h: &Array1<f64>, reads: &Array2<f64>) -> Array1<f64> {
    h.iter().chain(reads.iter()).copied().collect()
}

/// One DNC: its shape and its weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Dnc {
    pub shape: Shape,
    pub params: Params,
}

impl Dnc {
    /// Weights drawn as PyTorch draws an LSTM's and a linear layer's:
    /// U(-1/√fan, 1/√fan), fan the controller's units for the controller and
    /// the interface, H + R W for the output.
    pub fn new(shape: Shape, rng: &mut impl Rng) -> Dnc {
        let mut params = Params::zeros(&shape);
        draw_weights(
            params.tensors_mut().into_iter().collect(),
            5,
            shape.hidden,
            shape.hidden + shape.reads * shape.width,
            rng,
        );
        Dnc { shape, params }
    }

    /// One time step from `state` on input `x` (bits + delimiter).
    pub fn step(&self, state: &State, x: ArrayView1<'_, f64>) -> Step {
        let shape = &self.shape;
        let p = &self.params;
        let input: Array1<f64> = x.iter().chain(state.reads.iter()).copied().collect();
        let controller = controller_step(
            p.weight_ih.view(),
            p.weight_hh.view(),
            p.bias.view(),
            input.view(),
            state.h.view(),
            state.c.view(),
        );
        let interface_raw = p.interface_weight.dot(&controller.h) + &p.interface_bias;
        let v = decode(interface_raw.view(), shape);
        // The write: content, allocation, erase and add.
        let previous = state.memory.view();
        let write_similarity = similarity(previous, v.write_key.view());
        let write_content = content_weighting(write_similarity.view(), v.write_strength);
        let allocation = dnc::allocate(
            state.usage.view(),
            state.write_weighting.view(),
            state.read_weightings.view(),
            v.free_gates.view(),
            write_content.view(),
            v.allocation_gate,
            v.write_gate,
        );
        let ww = allocation.write_weighting.view();
        let erased = addressing::erase(previous, ww, v.erase.view());
        let memory = addressing::add(erased.view(), ww, v.write_vector.view());
        // The temporal links, then the reads.
        let link = dnc::link(state.link.view(), state.precedence.view(), ww);
        let precedence = dnc::precedence(state.precedence.view(), ww);
        let (forward, backward) = dnc::directional(link.view(), state.read_weightings.view());
        let (r, n) = (shape.reads, shape.rows);
        let mut read_similarity = Array2::zeros((r, n));
        let mut read_content = Array2::zeros((r, n));
        let mut read_weightings = Array2::zeros((r, n));
        let mut reads = Array2::zeros((r, shape.width));
        for i in 0..r {
            let k = similarity(memory.view(), v.read_keys.row(i));
            let c = content_weighting(k.view(), v.read_strengths[i]);
            let w = dnc::read_weighting(v.read_modes[i], backward.row(i), c.view(), forward.row(i));
            reads
                .row_mut(i)
                .assign(&addressing::read(memory.view(), w.view()));
            read_similarity.row_mut(i).assign(&k);
            read_content.row_mut(i).assign(&c);
            read_weightings.row_mut(i).assign(&w);
        }
        let logits = p.output_weight.dot(&joined(&controller.h, &reads)) + &p.output_bias;
        Step {
            before: state.clone(),
            input,
            controller,
            interface_raw,
            interface: v,
            write_similarity,
            write_content,
            allocation,
            erased,
            memory,
            link,
            precedence,
            forward,
            backward,
            read_similarity,
            read_content,
            read_weightings,
            reads,
            logits,
        }
    }

    /// Backpropagation through time: given dL/dy_t for every step (rows of
    /// `grad_logits`, `[T, bits]`), adds every weight's gradient to `grads`.
    pub fn backward(&self, steps: &[Step], grad_logits: ArrayView2<'_, f64>, grads: &mut Params) {
        let shape = &self.shape;
        let (hidden, width, n, r) = (shape.hidden, shape.width, shape.rows, shape.reads);
        let p = &self.params;
        // dL/d(what step t hands to step t + 1), carried backwards.
        let mut grad_h = Array1::<f64>::zeros(hidden);
        let mut grad_c = Array1::<f64>::zeros(hidden);
        let mut grad_reads = Array2::<f64>::zeros((r, width));
        let mut grad_read_w = Array2::<f64>::zeros((r, n));
        let mut grad_write_w = Array1::<f64>::zeros(n);
        let mut grad_usage = Array1::<f64>::zeros(n);
        let mut grad_link = Array2::<f64>::zeros((n, n));
        let mut grad_precedence = Array1::<f64>::zeros(n);
        let mut grad_memory = Array2::<f64>::zeros((n, width));
        for (t, step) in steps.iter().enumerate().rev() {
            let before = &step.before;
            let v = &step.interface;
            // Output y = W_y [h; r] + b_y.
            let dy = grad_logits.row(t);
            add_outer(
                &mut grads.output_weight,
                dy,
                joined(&step.controller.h, &step.reads).view(),
            );
            grads.output_bias += &dy;
            let grad_joined = p.output_weight.t().dot(&dy);
            grad_h += &grad_joined.slice(s![..hidden]);
            grad_reads += &grad_joined
                .slice(s![hidden..])
                .into_shape_with_order((r, width))
                .expect("R·W values");
            // The reads, their modes and their content weightings, on M_t.
            let mut g = InterfaceGrads {
                read_keys: Array2::zeros((r, width)),
                read_strengths: Array1::zeros(r),
                write_key: Array1::zeros(width),
                write_strength: 0.0,
                erase: Array1::zeros(width),
                write_vector: Array1::zeros(width),
                free_gates: Array1::zeros(r),
                allocation_gate: 0.0,
                write_gate: 0.0,
                read_modes: vec![[0.0; 3]; r],
            };
            let mut grad_forward = Array2::zeros((r, n));
            let mut grad_backward = Array2::zeros((r, n));
            for i in 0..r {
                let w = step.read_weightings.row(i);
                let gw = read_backward(
                    step.memory.view(),
                    w,
                    grad_reads.row(i),
                    grad_memory.view_mut(),
                ) + grad_read_w.row(i);
                let (grad_modes, [gb, gc, gf]) = dnc::read_weighting_backward(
                    v.read_modes[i],
                    step.backward.row(i),
                    step.read_content.row(i),
                    step.forward.row(i),
                    gw.view(),
                );
                g.read_modes[i] = grad_modes;
                grad_backward.row_mut(i).assign(&gb);
                grad_forward.row_mut(i).assign(&gf);
                let (gk, gbeta) = content_backward(
                    step.memory.view(),
                    v.read_keys.row(i),
                    v.read_strengths[i],
                    &step.read_similarity.row(i).to_owned(),
                    &step.read_content.row(i).to_owned(),
                    gc.view(),
                    grad_memory.view_mut(),
                );
                g.read_keys.row_mut(i).assign(&gk);
                g.read_strengths[i] = gbeta;
            }
            // Forward and backward weightings: into L_t and w^r_{t-1}.
            let mut grad_read_prev = dnc::directional_backward(
                step.link.view(),
                before.read_weightings.view(),
                grad_forward.view(),
                grad_backward.view(),
                &mut grad_link,
            );
            // The link and the precedence.
            let ww = step.allocation.write_weighting.view();
            let links = dnc::link_backward(
                before.link.view(),
                before.precedence.view(),
                ww,
                grad_link.view(),
                grad_precedence.view(),
            );
            grad_write_w += &links.write;
            // The erase and the add, on M_{t-1}.
            let write = addressing::write_backward(
                before.memory.view(),
                ww,
                v.erase.view(),
                v.write_vector.view(),
                grad_memory.view(),
            );
            grad_write_w += &write.weighting;
            g.erase = write.erase;
            g.write_vector = write.add;
            let mut grad_memory_before = write.memory;
            // The allocation, the usage and the write's content weighting.
            let alloc = dnc::allocate_backward(
                before.usage.view(),
                before.write_weighting.view(),
                before.read_weightings.view(),
                v.free_gates.view(),
                step.write_content.view(),
                v.allocation_gate,
                v.write_gate,
                &step.allocation,
                grad_write_w.view(),
                grad_usage.view(),
            );
            grad_read_prev += &alloc.previous_reads;
            g.free_gates = alloc.free_gates;
            g.allocation_gate = alloc.allocation_gate;
            g.write_gate = alloc.write_gate;
            let (gk, gbeta) = content_backward(
                before.memory.view(),
                v.write_key.view(),
                v.write_strength,
                &step.write_similarity,
                &step.write_content,
                alloc.write_content.view(),
                grad_memory_before.view_mut(),
            );
            g.write_key = gk;
            g.write_strength = gbeta;
            // The interface's linear layer.
            let grad_raw = decode_backward(step.interface_raw.view(), v, &g, shape);
            add_outer(
                &mut grads.interface_weight,
                grad_raw.view(),
                step.controller.h.view(),
            );
            grads.interface_bias += &grad_raw;
            grad_h += &p.interface_weight.t().dot(&grad_raw);
            // The LSTM controller.
            let grad_z = controller_backward(
                step.controller.gates.view(),
                step.controller.tanh_c.view(),
                before.c.view(),
                grad_h.view(),
                &mut grad_c,
            );
            add_outer(&mut grads.weight_ih, grad_z.view(), step.input.view());
            add_outer(&mut grads.weight_hh, grad_z.view(), before.h.view());
            grads.bias += &grad_z;
            let grad_input = p.weight_ih.t().dot(&grad_z);
            grad_h = p.weight_hh.t().dot(&grad_z);
            grad_reads = grad_input
                .slice(s![shape.input()..])
                .to_owned()
                .into_shape_with_order((r, width))
                .expect("R·W values");
            grad_memory = grad_memory_before;
            grad_read_w = grad_read_prev;
            grad_write_w = alloc.previous_write;
            grad_usage = alloc.previous_usage;
            grad_link = links.link;
            grad_precedence = links.precedence;
        }
    }

    /// Zero gradients of this network's shape.
    pub fn zero_grads(&self) -> Params {
        Params::zeros(&self.shape)
    }

    /// The weights as f32 tensors under their names, with `memory.start`.
    pub fn to_weights(&self) -> Weights {
        named_weights(
            &NAMES,
            self.params.shapes(),
            self.params.tensors(),
            self.shape.rows,
            self.shape.width,
        )
    }

    /// The sizes a file of weights fixes, read from the tensors' shapes; an
    /// error names the tensor, its shape and the shape expected.
    pub fn shape_of(weights: &Weights) -> Result<Shape, ModelError> {
        let (rows, width) = memory_size(weights)?;
        let (hidden, bits, columns) = controller_sizes(weights, &NAMES, "a DNC", "H + R W")?;
        let reads = columns
            .checked_sub(hidden)
            .filter(|&rw| rw > 0 && rw % width == 0)
            .map(|rw| rw / width)
            .ok_or_else(|| {
                ModelError::Weights(format!(
                    "tensor `output.weight` has shape [{bits}, {columns}]; expected [bits, H + R W] with H = {hidden}, W = {width} and R ≥ 1"
                ))
            })?;
        Ok(Shape {
            bits,
            rows,
            width,
            hidden,
            reads,
        })
    }

    /// A DNC of `shape` with the weights of `weights`; every tensor must be
    /// there with the shape `shape` gives it.
    pub fn from_weights(shape: Shape, weights: &Weights) -> Result<Dnc, ModelError> {
        let mut params = Params::zeros(&shape);
        let shapes = params.shapes();
        fill_tensors(
            weights,
            &NAMES,
            shapes,
            params.tensors_mut(),
            (shape.rows, shape.width),
            &format!(
                "bits {}, memory {} x {}, controller {}, read heads {}",
                shape.bits, shape.rows, shape.width, shape.hidden, shape.reads
            ),
        )?;
        Ok(Dnc { shape, params })
    }
}
