//! The copy task of Graves, Wayne and Danihelka 2014 (section 4.1), and the
//! training of an NTM, a DNC and a plain LSTM on it.
//!
//! A sequence of L random vectors of `bits` bits is read one vector a step,
//! on `bits` input channels; then a delimiter (an extra channel set to 1 on
//! an otherwise empty step); then L empty steps during which the network
//! must write the L vectors back in order. The loss is the binary
//! cross-entropy of the output bits' logits on those L steps; an output bit
//! is wrong when its probability is on the wrong side of one half.

use super::dnc_network::{self, Dnc};
use super::network::{self, Adam, Ntm, Params};
use crate::model::cells::bptt::{CellKind, Unrolled};
use crate::model::{ModelError, Weights};
use crate::nn::linear::{self, Linear};
use crate::nn::optim::{self, Optimizer};
use crate::nn::{Layer, ParamMut};
use ndarray::{Array1, Array2, Array3, ArrayView1, ArrayView2, s};
use rand::Rng;

/// One copy-task sequence.
#[derive(Debug, Clone, PartialEq)]
pub struct Sequence {
    /// `[2L + 1, bits + 1]`: the vectors, the delimiter, then L empty steps.
    pub inputs: Array2<f64>,
    /// `[L, bits]`: the vectors to write back.
    pub targets: Array2<f64>,
}

impl Sequence {
    pub fn len(&self) -> usize {
        self.targets.nrows()
    }

    pub fn is_empty(&self) -> bool {
        self.targets.nrows() == 0
    }

    /// The first step whose output is scored.
    pub fn recall_start(&self) -> usize {
        self.len() + 1
    }
}

/// A sequence of `len` random vectors of `bits` bits.
pub fn sequence(bits: usize, len: usize, rng: &mut impl Rng) -> Sequence {
    let targets = Array2::from_shape_fn((len, bits), |_| f64::from(rng.random_range(0..2u8)));
    let mut inputs = Array2::zeros((2 * len + 1, bits + 1));
    inputs.slice_mut(s![..len, ..bits]).assign(&targets);
    inputs[(len, bits)] = 1.0;
    Sequence { inputs, targets }
}

/// Wrong bits and bits scored when `logits` (`[L, bits]`, the recall
/// steps) are read against `targets`.
pub fn bit_errors(logits: ArrayView2<'_, f64>, targets: ArrayView2<'_, f64>) -> (usize, usize) {
    let wrong = logits
        .iter()
        .zip(targets.iter())
        .filter(|&(&y, &t)| (y > 0.0) != (t > 0.5))
        .count();
    (wrong, targets.len())
}

/// A network with an external memory trained on the copy task by
/// backpropagation through time: the NTM and the DNC.
pub trait MemoryNetwork: Sized {
    /// The network's sizes.
    type Shape;
    /// What one step hands to the next.
    type State;
    /// What one time step keeps.
    type Step;
    /// The gradients, in the form of the weights.
    type Grads;
    /// The sizes `params` give (`rows`, `width`, `hidden`, and the DNC's
    /// `reads`), for vectors of `bits` bits.
    fn shape_from(params: &crate::model::Params, bits: usize) -> Self::Shape;
    /// Random weights of `shape`.
    fn new(shape: Self::Shape, rng: &mut impl Rng) -> Self;
    /// The sizes a file of weights fixes.
    fn shape_of(weights: &Weights) -> Result<Self::Shape, ModelError>;
    /// The bits per vector of `shape`.
    fn bits(shape: &Self::Shape) -> usize;
    /// The network of `shape` with the weights of `weights`.
    fn from_weights(shape: Self::Shape, weights: &Weights) -> Result<Self, ModelError>;
    /// The state every sequence starts from.
    fn start(&self) -> Self::State;
    /// One time step from `state` on input `x` (bits + delimiter).
    fn step(&self, state: &Self::State, x: ArrayView1<'_, f64>) -> Self::Step;
    /// The state the step after `step` starts from.
    fn after(step: &Self::Step) -> Self::State;
    /// Every step of a run over `inputs` `[T, bits + 1]` from the start.
    fn run(&self, inputs: ArrayView2<'_, f64>) -> Vec<Self::Step> {
        let mut state = self.start();
        let mut steps = Vec::with_capacity(inputs.nrows());
        for x in inputs.rows() {
            let step = self.step(&state, x);
            state = Self::after(&step);
            steps.push(step);
        }
        steps
    }
    /// The output bits' logits of one step.
    fn logits(step: &Self::Step) -> &Array1<f64>;
    /// Adds every weight's gradient to `grads`, from dL/dy of every step.
    fn backward(
        &self,
        steps: &[Self::Step],
        grad_logits: ArrayView2<'_, f64>,
        grads: &mut Self::Grads,
    );
    fn zero_grads(&self) -> Self::Grads;
    /// The weights, in a fixed order.
    fn tensors_mut(&mut self) -> Vec<&mut [f64]>;
    /// The gradients, in the same order.
    fn grads(grads: &Self::Grads) -> Vec<&[f64]>;
    fn grads_mut(grads: &mut Self::Grads) -> Vec<&mut [f64]>;
    /// The weights as f32 tensors under their names, the form of a file.
    fn to_weights(&self) -> Weights;
}

impl MemoryNetwork for Ntm {
    type Shape = network::Shape;
    type State = network::State;
    type Step = network::Step;
    type Grads = Params;
    fn shape_from(params: &crate::model::Params, bits: usize) -> network::Shape {
        network::Shape {
            bits,
            rows: params.int("rows") as usize,
            width: params.int("width") as usize,
            hidden: params.int("hidden") as usize,
        }
    }
    fn new(shape: network::Shape, rng: &mut impl Rng) -> Ntm {
        Ntm::new(shape, rng)
    }
    fn shape_of(weights: &Weights) -> Result<network::Shape, ModelError> {
        Ntm::shape_of(weights)
    }
    fn bits(shape: &network::Shape) -> usize {
        shape.bits
    }
    fn from_weights(shape: network::Shape, weights: &Weights) -> Result<Ntm, ModelError> {
        Ntm::from_weights(shape, weights)
    }
    fn start(&self) -> network::State {
        network::State::start(&self.shape)
    }
    fn step(&self, state: &network::State, x: ArrayView1<'_, f64>) -> network::Step {
        Ntm::step(self, state, x)
    }
    fn after(step: &network::Step) -> network::State {
        step.after()
    }
    fn logits(step: &network::Step) -> &Array1<f64> {
        &step.logits
    }
    fn backward(
        &self,
        steps: &[network::Step],
        grad_logits: ArrayView2<'_, f64>,
        grads: &mut Params,
    ) {
        Ntm::backward(self, steps, grad_logits, grads)
    }
    fn zero_grads(&self) -> Params {
        Ntm::zero_grads(self)
    }
    fn tensors_mut(&mut self) -> Vec<&mut [f64]> {
        self.params.tensors_mut().into_iter().collect()
    }
    fn grads(grads: &Params) -> Vec<&[f64]> {
        grads.tensors().to_vec()
    }
    fn grads_mut(grads: &mut Params) -> Vec<&mut [f64]> {
        grads.tensors_mut().into_iter().collect()
    }
    fn to_weights(&self) -> Weights {
        Ntm::to_weights(self)
    }
}

impl MemoryNetwork for Dnc {
    type Shape = dnc_network::Shape;
    type State = dnc_network::State;
    type Step = dnc_network::Step;
    type Grads = dnc_network::Params;
    fn shape_from(params: &crate::model::Params, bits: usize) -> dnc_network::Shape {
        dnc_network::Shape {
            bits,
            rows: params.int("rows") as usize,
            width: params.int("width") as usize,
            hidden: params.int("hidden") as usize,
            reads: params.int("reads") as usize,
        }
    }
    fn new(shape: dnc_network::Shape, rng: &mut impl Rng) -> Dnc {
        Dnc::new(shape, rng)
    }
    fn shape_of(weights: &Weights) -> Result<dnc_network::Shape, ModelError> {
        Dnc::shape_of(weights)
    }
    fn bits(shape: &dnc_network::Shape) -> usize {
        shape.bits
    }
    fn from_weights(shape: dnc_network::Shape, weights: &Weights) -> Result<Dnc, ModelError> {
        Dnc::from_weights(shape, weights)
    }
    fn start(&self) -> dnc_network::State {
        dnc_network::State::start(&self.shape)
    }
    fn step(&self, state: &dnc_network::State, x: ArrayView1<'_, f64>) -> dnc_network::Step {
        Dnc::step(self, state, x)
    }
    fn after(step: &dnc_network::Step) -> dnc_network::State {
        step.after()
    }
    fn logits(step: &dnc_network::Step) -> &Array1<f64> {
        &step.logits
    }
    fn backward(
        &self,
        steps: &[dnc_network::Step],
        grad_logits: ArrayView2<'_, f64>,
        grads: &mut dnc_network::Params,
    ) {
        Dnc::backward(self, steps, grad_logits, grads)
    }
    fn zero_grads(&self) -> dnc_network::Params {
        Dnc::zero_grads(self)
    }
    fn tensors_mut(&mut self) -> Vec<&mut [f64]> {
        self.params.tensors_mut()
    }
    fn grads(grads: &dnc_network::Params) -> Vec<&[f64]> {
        grads.tensors()
    }
    fn grads_mut(grads: &mut dnc_network::Params) -> Vec<&mut [f64]> {
        grads.tensors_mut()
    }
    fn to_weights(&self) -> Weights {
        Dnc::to_weights(self)
    }
}

/// The recall steps' logits of a run, `[L, bits]`.
pub fn recall_logits<N: MemoryNetwork>(steps: &[N::Step], seq: &Sequence) -> Array2<f64> {
    let bits = seq.targets.ncols();
    let mut out = Array2::zeros((seq.len(), bits));
    for (k, step) in steps[seq.recall_start()..].iter().enumerate() {
        out.row_mut(k).assign(N::logits(step));
    }
    out
}

/// A network and its optimiser, trained on the copy task.
#[derive(Debug, Clone, PartialEq)]
pub struct Trainer<N> {
    pub network: N,
    pub adam: Adam,
    /// Sequences trained on so far.
    pub sequences: u64,
    pub clip: f64,
}

/// The NTM's trainer.
pub type NtmTrainer = Trainer<Ntm>;

/// The DNC's trainer.
pub type DncTrainer = Trainer<Dnc>;

/// What one update measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Update {
    /// Binary cross-entropy per output bit, in bits, over the batch.
    pub bits_loss: f64,
    /// Wrong output bits over scored bits in the batch.
    pub error_rate: f64,
    /// The gradient's norm before clipping.
    pub grad_norm: f64,
}

impl<N: MemoryNetwork> Trainer<N> {
    pub fn new(network: N, lr: f64) -> Trainer<N> {
        Trainer {
            network,
            adam: Adam::new(lr),
            sequences: 0,
            clip: 10.0,
        }
    }

    /// The loss (summed BCE in nats over the recall bits) of one sequence,
    /// with the gradient of every weight added to `grads` (scaled by `scale`).
    pub fn accumulate(
        &self,
        seq: &Sequence,
        grads: &mut N::Grads,
        scale: f64,
    ) -> (f64, usize, usize) {
        let steps = self.network.run(seq.inputs.view());
        let mut grad_logits = Array2::zeros((steps.len(), seq.targets.ncols()));
        let mut loss = 0.0;
        for (k, target) in seq.targets.rows().into_iter().enumerate() {
            let t = seq.recall_start() + k;
            let (l, g) = network::bce_with_logits(N::logits(&steps[t]).view(), target);
            loss += l;
            grad_logits.row_mut(t).assign(&(g * scale));
        }
        self.network.backward(&steps, grad_logits.view(), grads);
        let (wrong, total) = bit_errors(recall_logits::<N>(&steps, seq).view(), seq.targets.view());
        (loss, wrong, total)
    }

    /// One update on a batch: the loss is the mean BCE per recall bit.
    pub fn train_batch(&mut self, batch: &[Sequence]) -> Update {
        let total_bits: usize = batch.iter().map(|s| s.targets.len()).sum();
        let scale = 1.0 / total_bits.max(1) as f64;
        let mut grads = self.network.zero_grads();
        let (mut loss, mut wrong) = (0.0, 0);
        for seq in batch {
            let (l, w, _) = self.accumulate(seq, &mut grads, scale);
            loss += l;
            wrong += w;
        }
        let grad_norm = network::clip_norm(&mut N::grads_mut(&mut grads), self.clip);
        self.adam
            .step(&mut self.network.tensors_mut(), &N::grads(&grads));
        self.sequences += batch.len() as u64;
        Update {
            bits_loss: loss * scale / std::f64::consts::LN_2,
            error_rate: wrong as f64 * scale,
            grad_norm,
        }
    }

    /// Wrong bits over all bits on `sequences`.
    pub fn bit_error_rate(&self, sequences: &[Sequence]) -> f64 {
        network_bit_error_rate(&self.network, sequences)
    }
}

/// Wrong bits over all bits of a network on `sequences`.
pub fn network_bit_error_rate<N: MemoryNetwork>(network: &N, sequences: &[Sequence]) -> f64 {
    let (mut wrong, mut total) = (0, 0);
    for seq in sequences {
        let steps = network.run(seq.inputs.view());
        let (w, t) = bit_errors(recall_logits::<N>(&steps, seq).view(), seq.targets.view());
        wrong += w;
        total += t;
    }
    wrong as f64 / total.max(1) as f64
}

/// `count` sequences of each length in `lengths`, drawn from `rng`.
pub fn held_out(
    bits: usize,
    lengths: std::ops::RangeInclusive<usize>,
    count: usize,
    rng: &mut impl Rng,
) -> Vec<Sequence> {
    lengths
        .flat_map(|len| (0..count).map(move |_| len))
        .map(|len| sequence(bits, len, rng))
        .collect()
}

/// An LSTM (the cell of `cells::bptt`, f32) with a linear readout of the
/// output bits, trained on the copy task by BPTT with Adam: the baseline
/// Graves, Wayne and Danihelka set beside the NTM.
#[derive(Debug, Clone)]
pub struct LstmCopier {
    pub cell: Unrolled,
    pub readout: Linear,
    pub adam: optim::Adam,
    pub bits: usize,
    pub clip: f32,
}

impl LstmCopier {
    pub fn new(bits: usize, hidden: usize, lr: f32, rng: &mut impl Rng) -> LstmCopier {
        LstmCopier {
            cell: Unrolled::new(CellKind::Lstm, bits + 1, hidden, rng),
            readout: Linear::new(hidden, bits, true, rng),
            adam: optim::Adam::new(lr),
            bits,
            clip: 10.0,
        }
    }

    /// `[T, B, bits + 1]` from sequences of one length.
    fn batch_inputs(batch: &[Sequence]) -> Array3<f32> {
        let (t, i) = batch[0].inputs.dim();
        Array3::from_shape_fn((t, batch.len(), i), |(s, b, k)| {
            batch[b].inputs[(s, k)] as f32
        })
    }

    /// The logits of every step, `[T, B, bits]`.
    fn logits(&mut self, x: &Array3<f32>) -> Array3<f32> {
        let (t, b, _) = x.dim();
        let hidden = self.cell.hidden;
        let h0 = Array2::zeros((b, hidden));
        let states = self.cell.run(x.view(), h0.view(), None);
        let rows = states
            .into_shape_with_order((t * b, hidden))
            .expect("standard layout");
        let y = linear::forward(
            rows.view(),
            self.readout.weight.view(),
            self.readout.bias.as_ref().map(|b| b.view()),
        );
        y.into_shape_with_order((t, b, self.bits))
            .expect("T·B rows")
    }

    /// One update on sequences all of the same length; gives the mean BCE
    /// per recall bit in bits and the bit error rate on the batch.
    pub fn train_batch(&mut self, batch: &[Sequence]) -> (f64, f64) {
        let x = Self::batch_inputs(batch);
        let (t, b, _) = x.dim();
        let len = batch[0].len();
        let hidden = self.cell.hidden;
        let h0 = Array2::<f32>::zeros((b, hidden));
        let states = self.cell.run(x.view(), h0.view(), None);
        let rows = states
            .into_shape_with_order((t * b, hidden))
            .expect("standard layout");
        let y = linear::forward(
            rows.view(),
            self.readout.weight.view(),
            self.readout.bias.as_ref().map(|b| b.view()),
        );
        let scale = 1.0 / (len * b * self.bits) as f32;
        let mut grad_y = Array2::<f32>::zeros(y.dim());
        let (mut loss, mut wrong) = (0.0f64, 0usize);
        for s in len + 1..t {
            for (bi, seq) in batch.iter().enumerate() {
                let row = s * b + bi;
                for k in 0..self.bits {
                    let (logit, target) = (f64::from(y[(row, k)]), seq.targets[(s - len - 1, k)]);
                    loss += logit.max(0.0) - logit * target + (-logit.abs()).exp().ln_1p();
                    if (logit > 0.0) != (target > 0.5) {
                        wrong += 1;
                    }
                    grad_y[(row, k)] = ((1.0 / (1.0 + (-logit).exp()) - target) as f32) * scale;
                }
            }
        }
        self.readout.zero_grad();
        self.cell.zero_grad();
        linear::accumulate_param_grads(
            rows.view(),
            grad_y.view(),
            self.readout.grad_weight.view_mut(),
            self.readout.grad_bias.as_mut().map(|g| g.view_mut()),
        );
        let grad_h = linear::input_grad(self.readout.weight.view(), grad_y.view())
            .into_shape_with_order((t, b, hidden))
            .expect("T·B rows");
        self.cell.backward_through_time(grad_h.view());
        // Clip the whole gradient's norm, then one Adam step.
        let mut total = 0.0f64;
        let mut visit =
            |p: ParamMut<'_>| total += p.grad.iter().map(|&g| f64::from(g).powi(2)).sum::<f64>();
        self.cell.visit_params_mut(&mut visit);
        self.readout.visit_params_mut(&mut visit);
        let norm = total.sqrt();
        if norm > f64::from(self.clip) {
            let k = (f64::from(self.clip) / norm) as f32;
            self.cell
                .visit_params_mut(&mut |mut p| p.grad.mapv_inplace(|g| g * k));
            self.readout
                .visit_params_mut(&mut |mut p| p.grad.mapv_inplace(|g| g * k));
        }
        let adam = &mut self.adam;
        adam.begin_step();
        for (prefix, layer) in [
            ("cell.", &mut self.cell as &mut dyn Layer),
            ("readout.", &mut self.readout),
        ] {
            layer.visit_params_mut(&mut |p| {
                let name = format!("{prefix}{}", p.name);
                adam.update(ParamMut {
                    name: &name,
                    value: p.value,
                    grad: p.grad,
                })
            });
        }
        let bits = (len * b * self.bits) as f64;
        (loss / bits / std::f64::consts::LN_2, wrong as f64 / bits)
    }

    /// Wrong bits over all bits on `sequences`.
    pub fn bit_error_rate(&mut self, sequences: &[Sequence]) -> f64 {
        let (mut wrong, mut total) = (0, 0);
        for seq in sequences {
            let x = Self::batch_inputs(std::slice::from_ref(seq));
            let y = self.logits(&x);
            let len = seq.len();
            for s in 0..len {
                for k in 0..self.bits {
                    let logit = y[(len + 1 + s, 0, k)];
                    if (logit > 0.0) != (seq.targets[(s, k)] > 0.5) {
                        wrong += 1;
                    }
                    total += 1;
                }
            }
        }
        wrong as f64 / total.max(1) as f64
    }
}
