//! A character-level language model: a recurrent cell reads a text one
//! character at a time and gives, at every step, a distribution over the
//! next character; trained by truncated backpropagation through time.
//!
//! I. Sutskever, J. Martens and G. Hinton, "Generating Text with Recurrent
//! Neural Networks", ICML 2011; A. Graves, "Generating Sequences With
//! Recurrent Neural Networks", arXiv:1308.0850, 2013; truncated BPTT from
//! R. J. Williams and J. Peng, "An Efficient Gradient-Based Algorithm for
//! On-Line Training of Recurrent Network Trajectories", Neural Computation
//! 2(4), 1990.
//!
//! ```text
//! e_t = E[c_t]                                  the character's learnt vector
//! h_t = cell(e_t, h_t-1)                        RNN, LSTM or GRU
//! P(c_t+1 | c_≤t) = softmax(W_o h_t + b_o)
//! L = −(1/TB) Σ_t,b log P(c_t+1 | c_≤t)         in nats; bits = L / ln 2
//! ```
//! The training text is cut into B streams read side by side; each step
//! reads the next T characters of every stream, runs forward from the state
//! the last window ended in, and backpropagates through those T steps only
//! (the state is carried over, its gradient is not). The gradient's global
//! norm is clipped before an Adam step.

use crate::model::cells::bptt::{CellKind, Fused, Scratch, Unrolled, readout_logits};
use crate::model::energy::text_chain::{CORPORA, Corpus};
use crate::nn::activation::softmax_in_place;
use crate::nn::embedding::Embedding;
use crate::nn::linear::{self, Linear};
use crate::nn::optim::{Adam, Optimizer};
use crate::nn::{Layer, ParamMut, loss};
use ndarray::{Array1, Array2, Array3, Axis, s};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// A bundled text as indices into its alphabet, split into a training part
/// (the first 90%) and a held-out part (the last 10%).
pub struct Text {
    pub corpus: &'static Corpus,
    /// Every character of the whole text, sorted: token k is `alphabet[k]`.
    pub alphabet: Vec<char>,
    pub train: Vec<usize>,
    pub held_out: Vec<usize>,
}

impl Text {
    pub fn char(&self, token: usize) -> char {
        self.alphabet[token]
    }

    /// The training part cut in two: what a network learns from, and its
    /// last `validation` characters, kept to choose when to stop. The
    /// held-out part is untouched. At least half of the training part must
    /// be left to learn from.
    pub fn split_validation(&self, validation: usize) -> Result<(&[usize], &[usize]), String> {
        let n = self.train.len();
        if validation > n / 2 {
            return Err(format!(
                "validation: {validation} characters would leave less than half of the {n} characters of the training part to learn from"
            ));
        }
        Ok(self.train.split_at(n - validation))
    }

    /// The characters of the training part and of the held-out part.
    pub fn chars(&self) -> (Vec<char>, Vec<char>) {
        let map = |tokens: &[usize]| tokens.iter().map(|&t| self.alphabet[t]).collect();
        (map(&self.train), map(&self.held_out))
    }
}

/// The text named `name` (`en` or `zh`), split once per run and shared.
pub fn text(name: &str) -> Arc<Text> {
    static CACHE: OnceLock<Mutex<HashMap<&'static str, Arc<Text>>>> = OnceLock::new();
    let corpus = CORPORA
        .iter()
        .find(|c| c.name == name)
        .unwrap_or(&CORPORA[0]);
    let cache = CACHE.get_or_init(Default::default);
    if let Some(found) = cache.lock().ok().and_then(|c| c.get(corpus.name).cloned()) {
        return found;
    }
    let chars: Vec<char> = corpus.text.chars().collect();
    let mut alphabet = chars.clone();
    alphabet.sort_unstable();
    alphabet.dedup();
    let index: HashMap<char, usize> = alphabet.iter().enumerate().map(|(k, &c)| (c, k)).collect();
    let tokens: Vec<usize> = chars.iter().map(|c| index[c]).collect();
    let cut = tokens.len() * 9 / 10;
    let text = Arc::new(Text {
        corpus,
        alphabet,
        train: tokens[..cut].to_vec(),
        held_out: tokens[cut..].to_vec(),
    });
    if let Ok(mut cache) = cache.lock() {
        cache.insert(corpus.name, text.clone());
    }
    text
}

/// The sizes and training settings of a network.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    pub cell: CellKind,
    pub embed: usize,
    pub hidden: usize,
    /// Characters per stream in one step (T).
    pub window: usize,
    /// Streams read side by side (B).
    pub streams: usize,
    pub lr: f32,
    /// The largest global norm of the gradient.
    pub clip: f32,
}

/// What one training step saw and computed, for the lab to show.
#[derive(Debug, Clone, Default)]
pub struct Pass {
    /// `[T][B]` input tokens, step-major.
    pub inputs: Vec<usize>,
    pub targets: Vec<usize>,
    /// The states after every step `[T, B, H]`.
    pub states: Array3<f32>,
    /// `[T·B, V]`, step-major.
    pub logits: Array2<f32>,
    /// Mean loss in bits per character (NaN until the loss is computed).
    pub bits: f64,
    /// The gradient's global norm before clipping (NaN until the update).
    pub grad_norm: f64,
    /// The dropout masks of the character vectors `[T·B, E]` and of the
    /// states read out `[T·B, H]` (kept values scaled by 1/(1−p)), when
    /// the network trains with dropout.
    pub masks: Option<(Array2<f32>, Array2<f32>)>,
}

/// The network: embedding, cell, readout, with its optimiser and the
/// streams' place in the text and carried state.
#[derive(Clone)]
pub struct CharNet {
    pub shape: Shape,
    pub embedding: Embedding,
    pub cell: Unrolled,
    pub readout: Linear,
    optimizer: Adam,
    /// The cell's weights arranged for its step, kept in step with `cell`.
    fused: Fused,
    /// Where each stream reads next, as an offset into its stretch.
    position: usize,
    /// The state the last window ended in, `[B, H]` (and c).
    h: Array2<f32>,
    c: Array2<f32>,
    pub steps: u64,
    /// Dropout on the character vectors going in and on the states read
    /// out (never on the recurrent connection), with its own draws.
    dropout: Option<Dropout>,
}

/// Dropout as Zaremba, Sutskever and Vinyals ("Recurrent Neural Network
/// Regularization", 2014) apply it to recurrent networks: on the
/// connections between layers only, each value kept with probability 1−p
/// and scaled by 1/(1−p) in training, untouched when reading.
#[derive(Clone)]
struct Dropout {
    p: f32,
    rng: StdRng,
}

impl Dropout {
    /// A mask of `shape`: 0 with probability p, else 1/(1−p).
    fn mask(&mut self, shape: (usize, usize)) -> Array2<f32> {
        let keep = 1.0 - self.p;
        let scale = 1.0 / keep;
        Array2::from_shape_simple_fn(shape, || {
            if self.rng.random::<f32>() < keep {
                scale
            } else {
                0.0
            }
        })
    }
}

impl CharNet {
    pub fn new(shape: Shape, vocab: usize, rng: &mut impl Rng) -> CharNet {
        let embedding = Embedding::new(vocab, shape.embed, rng);
        let cell = Unrolled::new(shape.cell, shape.embed, shape.hidden, rng);
        let readout = Linear::new(shape.hidden, vocab, true, rng);
        CharNet {
            fused: cell.fused(),
            shape,
            embedding,
            cell,
            readout,
            optimizer: Adam::new(shape.lr),
            position: 0,
            h: Array2::zeros((shape.streams, shape.hidden)),
            c: Array2::zeros((shape.streams, shape.hidden)),
            steps: 0,
            dropout: None,
        }
    }

    /// Trains with dropout `p` (0 ≤ p < 1; 0 turns it off) on the
    /// character vectors and on the states read out, its masks drawn from
    /// `seed`.
    pub fn with_dropout(mut self, p: f32, seed: u64) -> CharNet {
        self.dropout = (p > 0.0).then(|| Dropout {
            p: p.min(0.99),
            rng: StdRng::seed_from_u64(seed),
        });
        self
    }

    /// Adam with L2 weight decay `lambda` (added to every gradient as
    /// λ·w, as `torch.optim.Adam(weight_decay=λ)`).
    pub fn with_weight_decay(mut self, lambda: f32) -> CharNet {
        self.optimizer = Adam::new(self.shape.lr).with_weight_decay(lambda);
        self
    }

    pub fn vocab(&self) -> usize {
        self.embedding.count()
    }

    pub fn set_learning_rate(&mut self, lr: f32) {
        self.shape.lr = lr;
        self.optimizer.set_learning_rate(lr);
    }

    /// The next window of every stream: inputs and targets `[T][B]`,
    /// step-major. Each stream reads its own stretch of the training text;
    /// at a stretch's end every stream starts again from its beginning
    /// with a zero state.
    pub fn next_window(&mut self, train: &[usize]) -> (Vec<usize>, Vec<usize>) {
        let (t_len, b_len) = (self.shape.window, self.shape.streams);
        let stretch = (train.len() / b_len).max(t_len + 1);
        if self.position + t_len + 1 > stretch {
            self.position = 0;
            self.h.fill(0.0);
            self.c.fill(0.0);
        }
        let mut inputs = Vec::with_capacity(t_len * b_len);
        let mut targets = Vec::with_capacity(t_len * b_len);
        for t in 0..t_len {
            for b in 0..b_len {
                let at = (b * stretch + self.position + t) % train.len();
                inputs.push(train[at]);
                targets.push(train[(at + 1) % train.len()]);
            }
        }
        self.position += t_len;
        (inputs, targets)
    }

    /// One step of truncated BPTT on a window: forward through time, the
    /// loss at every step, backward through time, clip, update.
    pub fn train_step(&mut self, inputs: Vec<usize>, targets: Vec<usize>) -> Pass {
        let mut pass = self.forward(inputs, targets);
        let grad_logits = self.loss(&mut pass);
        self.backward(&pass, grad_logits);
        self.update(&mut pass);
        pass
    }

    /// The loss at every step of the pass (its mean in bits kept in
    /// `pass.bits`) and dL/dlogits.
    pub fn loss(&self, pass: &mut Pass) -> Array2<f32> {
        let (loss, grad_logits) = loss::cross_entropy(pass.logits.view(), &pass.targets);
        pass.bits = f64::from(loss) / std::f64::consts::LN_2;
        grad_logits
    }

    /// The forward pass over a window from the carried state.
    pub fn forward(&mut self, inputs: Vec<usize>, targets: Vec<usize>) -> Pass {
        let (t_len, b_len) = (self.shape.window, self.shape.streams);
        let (embed, hidden) = (self.shape.embed, self.shape.hidden);
        let masks = self.dropout.as_mut().map(|d| {
            (
                d.mask((t_len * b_len, embed)),
                d.mask((t_len * b_len, hidden)),
            )
        });
        let mut x = self.embedding.forward(&inputs);
        if let Some((mask_x, _)) = &masks {
            x *= mask_x;
        }
        let x = x
            .into_shape_with_order((t_len, b_len, embed))
            .expect("T·B rows");
        let states = self.cell.run(x.view(), self.h.view(), Some(self.c.view()));
        let bias = self.readout.bias.as_ref().expect("a bias").view();
        let logits = match &masks {
            Some((_, mask_h)) => {
                let read = &read_rows(&states) * mask_h;
                linear::forward(read.view(), self.readout.weight.view(), Some(bias))
            }
            None => readout_logits(states.view(), self.readout.weight.view(), bias),
        };
        Pass {
            inputs,
            targets,
            states,
            logits,
            // Not yet computed: the loss and the update set them.
            bits: f64::NAN,
            grad_norm: f64::NAN,
            masks,
        }
    }

    /// Backpropagation through the window: every gradient, from zero.
    pub fn backward(&mut self, pass: &Pass, grad_logits: Array2<f32>) {
        self.zero_grad();
        let (t_len, b_len, hidden) = pass.states.dim();
        let mut rows = read_rows(&pass.states);
        if let Some((_, mask_h)) = &pass.masks {
            rows *= mask_h;
        }
        linear::accumulate_param_grads(
            rows.view(),
            grad_logits.view(),
            self.readout.grad_weight.view_mut(),
            self.readout.grad_bias.as_mut().map(|g| g.view_mut()),
        );
        let mut grad_h = linear::input_grad(self.readout.weight.view(), grad_logits.view());
        if let Some((_, mask_h)) = &pass.masks {
            grad_h *= mask_h;
        }
        let grad_h = grad_h
            .into_shape_with_order((t_len, b_len, hidden))
            .expect("T·B rows");
        let grads = self.cell.backward_through_time(grad_h.view());
        let mut grad_x = grads
            .x
            .into_shape_with_order((t_len * b_len, self.shape.embed))
            .expect("T·B rows");
        if let Some((mask_x, _)) = &pass.masks {
            grad_x *= mask_x;
        }
        self.embedding.backward(&pass.inputs, grad_x.view());
    }

    fn zero_grad(&mut self) {
        self.visit_params_mut(&mut |mut p| p.grad.fill(0.0));
    }

    /// Every learnt tensor under its `state_dict` name.
    pub fn visit_params_mut(&mut self, visit: &mut dyn FnMut(ParamMut<'_>)) {
        self.embedding
            .visit_params_mut(&mut |p| prefixed("embedding", &mut *visit, p));
        self.cell
            .visit_params_mut(&mut |p| prefixed("cell", &mut *visit, p));
        self.readout
            .visit_params_mut(&mut |p| prefixed("readout", &mut *visit, p));
    }

    /// Scales the gradient down to the clipping norm if it is longer;
    /// returns its norm before.
    fn clip_gradient(&mut self) -> f64 {
        let mut total = 0.0f64;
        self.visit_params_mut(&mut |p| {
            total += p
                .grad
                .iter()
                .map(|&g| f64::from(g) * f64::from(g))
                .sum::<f64>()
        });
        let norm = total.sqrt();
        let clip = f64::from(self.shape.clip);
        if norm > clip {
            let scale = (clip / norm) as f32;
            self.visit_params_mut(&mut |mut p| p.grad.mapv_inplace(|g| g * scale));
        }
        norm
    }

    /// Clips the gradient, takes an Adam step and carries the state the
    /// window ended in over to the next one.
    pub fn update(&mut self, pass: &mut Pass) {
        pass.grad_norm = self.clip_gradient();
        let mut optimizer = std::mem::replace(&mut self.optimizer, Adam::new(0.0));
        optimizer.begin_step();
        self.visit_params_mut(&mut |p| optimizer.update(p));
        self.optimizer = optimizer;
        self.fused = self.cell.fused();
        let (h, c) = self.cell.last_state();
        self.h = h;
        if let Some(c) = c {
            self.c = c;
        }
        self.steps += 1;
    }

    /// A reader of one stream from a zero state, for sampling and scoring.
    pub fn reader(&self) -> Reader<'_> {
        Reader {
            net: self,
            h: Array1::zeros(self.shape.hidden),
            c: Array1::zeros(self.shape.hidden),
            scratch: self.fused.scratch(),
            probs: Array1::zeros(self.vocab()),
        }
    }

    /// Mean bits per character over `tokens` (each predicted from those
    /// before it, from a zero state).
    pub fn bits_on(&self, tokens: &[usize]) -> f64 {
        let mut reader = self.reader();
        let mut total = 0.0f64;
        for pair in tokens.windows(2) {
            let p = reader.read(pair[0]);
            total -= f64::from(p[pair[1]].max(f32::MIN_POSITIVE)).log2();
        }
        total / (tokens.len().saturating_sub(1)).max(1) as f64
    }

    /// `count` characters drawn one at a time at `temperature` after
    /// reading `prompt`.
    pub fn sample(
        &self,
        prompt: &[usize],
        count: usize,
        temperature: f32,
        rng: &mut impl Rng,
    ) -> Vec<usize> {
        let mut reader = self.reader();
        let mut last = None;
        for &token in prompt {
            last = Some(reader.read(token).to_owned());
        }
        let mut out = Vec::with_capacity(count);
        let Some(mut p) = last else {
            return out;
        };
        for _ in 0..count {
            let token = draw(&p, temperature, rng);
            out.push(token);
            p = reader.read(token).to_owned();
        }
        out
    }

    /// |dL/dx_t| for t over `window`: how much each input's vector moves
    /// the loss of predicting `target` after the window's last character,
    /// oldest first.
    pub fn input_gradients(&self, window: &[usize], target: usize) -> Vec<f64> {
        let t_len = window.len();
        let mut cell = self.cell.clone();
        let x = self
            .embedding
            .forward(window)
            .into_shape_with_order((t_len, 1, self.shape.embed))
            .expect("T rows");
        let zeros = Array2::zeros((1, self.shape.hidden));
        let states = cell.run(x.view(), zeros.view(), Some(zeros.view()));
        let last = states.slice(s![t_len - 1.., .., ..]);
        let logits = readout_logits(
            last,
            self.readout.weight.view(),
            self.readout.bias.as_ref().expect("a bias").view(),
        );
        let (_, grad_logits) = loss::cross_entropy(logits.view(), &[target]);
        let mut grad_h = Array3::zeros((t_len, 1, self.shape.hidden));
        grad_h
            .index_axis_mut(Axis(0), t_len - 1)
            .assign(&linear::input_grad(
                self.readout.weight.view(),
                grad_logits.view(),
            ));
        let grads = cell.backward_through_time(grad_h.view());
        grads
            .x
            .outer_iter()
            .map(|g| {
                g.iter()
                    .map(|&v| f64::from(v) * f64::from(v))
                    .sum::<f64>()
                    .sqrt()
            })
            .collect()
    }
}

/// States `[T, B, H]` as rows `[T·B, H]`, step-major.
fn read_rows(states: &Array3<f32>) -> Array2<f32> {
    let (t_len, b_len, hidden) = states.dim();
    states
        .as_standard_layout()
        .into_owned()
        .into_shape_with_order((t_len * b_len, hidden))
        .expect("the same values")
}

/// Visits `p` under `prefix.name`.
fn prefixed(prefix: &str, visit: &mut dyn FnMut(ParamMut<'_>), p: ParamMut<'_>) {
    let name = format!("{prefix}.{}", p.name);
    visit(ParamMut {
        name: &name,
        value: p.value,
        grad: p.grad,
    })
}

/// A token drawn from softmax(log p / temperature).
pub fn draw(p: &Array1<f32>, temperature: f32, rng: &mut impl Rng) -> usize {
    let mut q: Array1<f32> = p.mapv(|v| v.max(1e-30).ln() / temperature.max(1e-3));
    softmax_in_place(q.view_mut());
    let u: f32 = rng.random();
    let mut acc = 0.0;
    for (k, &v) in q.iter().enumerate() {
        acc += v;
        if u < acc {
            return k;
        }
    }
    q.len() - 1
}

/// One stream read one character at a time.
pub struct Reader<'a> {
    net: &'a CharNet,
    pub h: Array1<f32>,
    pub c: Array1<f32>,
    scratch: Scratch,
    probs: Array1<f32>,
}

impl Reader<'_> {
    /// Reads `token`; the distribution over the next character.
    pub fn read(&mut self, token: usize) -> &Array1<f32> {
        let net = self.net;
        let x = net.embedding.weight.row(token);
        net.fused
            .step(x, self.h.view_mut(), self.c.view_mut(), &mut self.scratch);
        let readout = &net.readout;
        self.probs.assign(readout.bias.as_ref().expect("a bias"));
        self.probs += &readout.weight.dot(&self.h);
        softmax_in_place(self.probs.view_mut());
        &self.probs
    }
}
