//! The Attention Network entry: an encoder-decoder with attention learning
//! to reverse short sequences of digits, live; as each output digit is
//! produced, the weights it gives every input position are drawn as a row
//! of a heat map, and the anti-diagonal appears as it learns.
//!
//! D. Bahdanau, K. Cho and Y. Bengio, "Neural Machine Translation by
//! Jointly Learning to Align and Translate", ICLR 2015 (arXiv:1409.0473,
//! 2014): the decoder reads, for each output, a context c_i = Σ_j α_ij h_j
//! over one encoder vector per input position, with weights α_i from a
//! softmax over scores of the decoder's query against every h_j. The score
//! and the heads are those of A. Vaswani et al., "Attention Is All You
//! Need", NIPS 2017 (scaled dot-product, multi-head; see
//! [`crate::nn::attention`]).
//!
//! ```text
//! h_j = E[x_j] + p_j                         encoder: digit vector + position vector, j = 1..n
//! c_i = MultiHead(q_i, H, H)                 decoder: output position i's learnt query q_i
//! α_i = softmax(q_i W_Q (h_j W_K)ᵀ / √d_k)   per head, the weights drawn
//! P(y_i | x) = softmax(W_o c_i + b_o)         the i-th digit of the reversed sequence
//! L = −(1/Bn) Σ_b,i log P(y_i = x_n+1−i | x)
//! ```
//!
//! The encoder is embeddings with positions rather than a recurrent cell:
//! reversing is nothing but alignment (output i copies input n+1−i), so
//! with one vector per input position that carries only that position and
//! its digit, every output can come from its attention weights alone, and
//! the heat map is the whole of what the network learnt. A recurrent
//! encoder would smear each digit over the states after it, and the
//! weights would no longer say where a digit was read from. Nothing about
//! reversal is built in: queries, positions and digit vectors start random,
//! and the anti-diagonal is learnt.
//!
//! One step has n + 2 stages: draw a batch and encode its first sequence;
//! one stage per output position, in which the network attends over the
//! inputs and reads its digit out (for the sequence shown); then learn from
//! the whole batch: the loss, backpropagation through the readout, the
//! attention and the encoder, and an Adam step.

use crate::model::view::{Pixels, Plot, Vector};
use crate::model::{
    Action, Curve, Flow, Model, ModelError, ModelSpec, ParamKind, ParamRole, ParamSpec, ParamValue,
    Params, Progress, Report, Status, StatusLevel, View, ViewContent,
};
use crate::nn::attention::MultiheadAttention;
use crate::nn::embedding::Embedding;
use crate::nn::linear::{self, Linear};
use crate::nn::optim::{Adam, Optimizer};
use crate::nn::vars::VarBuilder;
use crate::nn::{Layer, ParamMut, loss};
use crate::text::Bilingual;
use ndarray::{Array2, Array3, Axis, s};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashSet;
use std::sync::Arc;

/// Digits 0 to 9.
pub const DIGITS: usize = 10;
/// Held-out sequences scored in the lab.
const SCORED: usize = 256;
/// Steps between two scorings of the held-out sequences.
const EVERY: u64 = 20;
/// Heads drawn one by one beside the average.
const HEADS_SHOWN: usize = 4;

/// The sizes and training settings of a network.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    /// Digits per sequence (n).
    pub length: usize,
    /// Width of every vector (d).
    pub dim: usize,
    pub heads: usize,
    /// Sequences per training step (B).
    pub batch: usize,
    pub lr: f32,
}

/// A set of held-out sequences, and the rule that training never draws one.
#[derive(Debug, Clone)]
pub struct Task {
    pub length: usize,
    pub held_out: Vec<Vec<usize>>,
    seen: HashSet<Vec<usize>>,
}

impl Task {
    /// `count` distinct random sequences of `length` digits, from `seed`.
    /// (Fewer when there are not that many sequences of that length.)
    pub fn new(length: usize, count: usize, seed: u64) -> Task {
        let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed_4e1d);
        let possible = (DIGITS as f64).powi(length as i32);
        // Leave at least half of all sequences for training.
        let count = count.min((possible / 2.0) as usize);
        let mut seen = HashSet::new();
        let mut held_out = Vec::with_capacity(count);
        while held_out.len() < count {
            let x: Vec<usize> = (0..length).map(|_| rng.random_range(0..DIGITS)).collect();
            if seen.insert(x.clone()) {
                held_out.push(x);
            }
        }
        Task {
            length,
            held_out,
            seen,
        }
    }

    /// A training sequence: random digits, never a held-out one.
    pub fn draw(&self, rng: &mut impl Rng) -> Vec<usize> {
        loop {
            let x: Vec<usize> = (0..self.length)
                .map(|_| rng.random_range(0..DIGITS))
                .collect();
            if !self.seen.contains(&x) {
                return x;
            }
        }
    }
}

/// The reversed sequence: what the network must write.
pub fn reversed(x: &[usize]) -> Vec<usize> {
    x.iter().rev().copied().collect()
}

/// What the network made of some sequences.
#[derive(Debug, Clone)]
pub struct Pass {
    pub inputs: Vec<Vec<usize>>,
    /// `[B·n, 10]`, sequence-major.
    pub logits: Array2<f32>,
    /// Every head's weights `[B, heads, n, n]` (output position, input position).
    pub weights: ndarray::Array4<f32>,
    /// Mean cross-entropy in nats (NaN until computed).
    pub loss: f64,
}

/// The encoder-decoder: digit vectors, position vectors, output queries,
/// multi-head attention and a readout, with its optimiser.
#[derive(Clone)]
pub struct ReverseNet {
    pub shape: Shape,
    /// E, one vector per digit.
    pub digits: Embedding,
    /// p_j, one vector per input position.
    pub positions: Embedding,
    /// q_i, one learnt query per output position.
    pub queries: Embedding,
    pub attention: MultiheadAttention,
    pub readout: Linear,
    optimizer: Adam,
    pub steps: u64,
}

impl ReverseNet {
    pub fn new(shape: Shape, rng: &mut StdRng) -> Result<ReverseNet, ModelError> {
        let digits = Embedding::new(DIGITS, shape.dim, rng);
        let positions = Embedding::new(shape.length, shape.dim, rng);
        let queries = Embedding::new(shape.length, shape.dim, rng);
        let vb = VarBuilder::from_rng(StdRng::seed_from_u64(rng.random()));
        let attention = MultiheadAttention::new(shape.dim, shape.heads, &vb).map_err(|_| {
            ModelError::Invalid(Bilingual::owned(
                format!(
                    "dim {} must be a multiple of heads {}: each head reads dim/heads values",
                    shape.dim, shape.heads
                ),
                format!(
                    "dim {} 须是 heads {} 的倍数：每个头读 dim/heads 个值",
                    shape.dim, shape.heads
                ),
            ))
        })?;
        let readout = Linear::new(shape.dim, DIGITS, true, rng);
        Ok(ReverseNet {
            shape,
            digits,
            positions,
            queries,
            attention,
            readout,
            optimizer: Adam::new(shape.lr),
            steps: 0,
        })
    }

    pub fn set_learning_rate(&mut self, lr: f32) {
        self.shape.lr = lr;
        self.optimizer.set_learning_rate(lr);
    }

    /// h_j = E[x_j] + p_j for every sequence: `[B, n, d]`.
    pub fn encode(&self, inputs: &[Vec<usize>]) -> Array3<f32> {
        let (n, d) = (self.shape.length, self.shape.dim);
        let mut h = Array3::zeros((inputs.len(), n, d));
        for (b, x) in inputs.iter().enumerate() {
            for (j, &digit) in x.iter().enumerate() {
                let mut row = h.slice_mut(s![b, j, ..]);
                row.assign(&self.digits.weight.row(digit));
                row += &self.positions.weight.row(j);
            }
        }
        h
    }

    /// The queries of output positions `positions` for `batch` sequences:
    /// `[B, positions, d]`.
    fn queries_for(&self, batch: usize, positions: std::ops::Range<usize>) -> Array3<f32> {
        let rows = self.queries.weight.slice(s![positions, ..]);
        rows.broadcast((batch, rows.nrows(), rows.ncols()))
            .expect("one row per position")
            .to_owned()
    }

    /// Output position `i` of the sequences encoded as `h` `[B, n, d]`:
    /// the weights of every head `[B, heads, n]` and P(digit) `[B, 10]`.
    pub fn produce(&self, h: &Array3<f32>, i: usize) -> (Array3<f32>, Array2<f32>) {
        let q = self.queries_for(h.dim().0, i..i + 1);
        let attended = self.attention.infer(q.view(), h.view(), h.view());
        let context = attended.out.index_axis(Axis(1), 0).to_owned();
        let mut p = self.read_out(context.view());
        for row in p.rows_mut() {
            crate::nn::activation::softmax_in_place(row);
        }
        let weights = attended.weights.index_axis(Axis(2), 0).to_owned();
        (weights, p)
    }

    fn read_out(&self, context: ndarray::ArrayView2<'_, f32>) -> Array2<f32> {
        linear::forward(
            context,
            self.readout.weight.view(),
            self.readout.bias.as_ref().map(|b| b.view()),
        )
    }

    /// Every output of every sequence at once, nothing kept.
    pub fn infer(&self, inputs: &[Vec<usize>]) -> Pass {
        let h = self.encode(inputs);
        let q = self.queries_for(inputs.len(), 0..self.shape.length);
        let attended = self.attention.infer(q.view(), h.view(), h.view());
        self.finish_pass(inputs, attended)
    }

    fn finish_pass(&self, inputs: &[Vec<usize>], attended: crate::nn::attention::Attended) -> Pass {
        let (b, n, d) = attended.out.dim();
        let context = attended
            .out
            .into_shape_with_order((b * n, d))
            .expect("standard layout");
        Pass {
            inputs: inputs.to_vec(),
            logits: self.read_out(context.view()),
            weights: attended.weights,
            loss: f64::NAN,
        }
    }

    /// One training step on `inputs`: forward, the loss against the
    /// reversed sequences, backward, Adam.
    pub fn train_step(&mut self, inputs: &[Vec<usize>]) -> Pass {
        let (n, d) = (self.shape.length, self.shape.dim);
        let batch = inputs.len();
        let h = self.encode(inputs);
        let q = self.queries_for(batch, 0..n);
        let attended = self.attention.forward(q.view(), h.view(), h.view());
        let context = attended
            .out
            .clone()
            .into_shape_with_order((batch * n, d))
            .expect("standard layout");
        let mut pass = self.finish_pass(inputs, attended);
        let targets: Vec<usize> = inputs.iter().flat_map(|x| reversed(x)).collect();
        let (loss, grad_logits) = loss::cross_entropy(pass.logits.view(), &targets);
        pass.loss = f64::from(loss);

        self.zero_grad();
        // The readout.
        linear::accumulate_param_grads(
            context.view(),
            grad_logits.view(),
            self.readout.grad_weight.view_mut(),
            self.readout.grad_bias.as_mut().map(|g| g.view_mut()),
        );
        let grad_context = linear::input_grad(self.readout.weight.view(), grad_logits.view())
            .into_shape_with_order((batch, n, d))
            .expect("[B, n, d]");
        // The attention: H is both its keys and its values.
        let (grad_q, grad_k, grad_v) = self.attention.backward(grad_context.view());
        let grad_h = grad_k + grad_v;
        // Each query is shared by every sequence; so is each position vector.
        let mut grad_queries = self.queries.grad_weight.view_mut();
        grad_queries += &grad_q.sum_axis(Axis(0));
        let mut grad_positions = self.positions.grad_weight.view_mut();
        grad_positions += &grad_h.sum_axis(Axis(0));
        let tokens: Vec<usize> = inputs.iter().flatten().copied().collect();
        let rows = grad_h
            .into_shape_with_order((batch * n, d))
            .expect("standard layout");
        self.digits.backward(&tokens, rows.view());

        let mut optimizer = std::mem::replace(&mut self.optimizer, Adam::new(0.0));
        optimizer.begin_step();
        self.visit_params_mut(&mut |p| optimizer.update(p));
        self.optimizer = optimizer;
        self.steps += 1;
        pass
    }

    fn zero_grad(&mut self) {
        self.visit_params_mut(&mut |mut p| p.grad.fill(0.0));
    }

    /// Every learnt tensor under its `state_dict` name.
    pub fn visit_params_mut(&mut self, visit: &mut dyn FnMut(ParamMut<'_>)) {
        self.digits
            .visit_params_mut(&mut |p| prefixed("digits", &mut *visit, p));
        self.positions
            .visit_params_mut(&mut |p| prefixed("positions", &mut *visit, p));
        self.queries
            .visit_params_mut(&mut |p| prefixed("queries", &mut *visit, p));
        self.attention
            .visit(&mut |p| prefixed("attention", &mut *visit, p));
        self.readout
            .visit_params_mut(&mut |p| prefixed("readout", &mut *visit, p));
    }

    /// (the share of sequences written wholly right, the share of digits
    /// right) on `sequences`.
    pub fn accuracy(&self, sequences: &[Vec<usize>]) -> (f64, f64) {
        if sequences.is_empty() {
            return (f64::NAN, f64::NAN);
        }
        let pass = self.infer(sequences);
        let n = self.shape.length;
        let (mut whole, mut digits) = (0usize, 0usize);
        for (b, x) in sequences.iter().enumerate() {
            let right = reversed(x)
                .iter()
                .enumerate()
                .filter(|&(i, &y)| argmax(pass.logits.row(b * n + i)) == y)
                .count();
            digits += right;
            whole += usize::from(right == n);
        }
        (
            whole as f64 / sequences.len() as f64,
            digits as f64 / (sequences.len() * n) as f64,
        )
    }
}

fn argmax(row: ndarray::ArrayView1<'_, f32>) -> usize {
    row.iter()
        .enumerate()
        .fold((0, f32::NEG_INFINITY), |best, (k, &v)| {
            if v > best.1 { (k, v) } else { best }
        })
        .0
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

pub fn params() -> Vec<ParamSpec> {
    let int = |name, en, zh, min, max, default| {
        ParamSpec::new(
            name,
            en,
            zh,
            ParamKind::Int { min, max },
            ParamValue::Int(default),
        )
    };
    vec![
        int(
            "length",
            "digits in each sequence (n)",
            "每个序列的数字个数（n）",
            2,
            12,
            6,
        ),
        int(
            "dim",
            "width of every vector (d), a multiple of heads",
            "每个向量的宽度（d），须是头数的倍数",
            2,
            128,
            32,
        ),
        int(
            "heads",
            "attention heads, each reading d/heads values",
            "注意力头数，每个头读 d/heads 个值",
            1,
            8,
            2,
        ),
        int(
            "batch",
            "sequences per training step (B)",
            "每个训练步的序列数（B）",
            1,
            512,
            32,
        ),
        ParamSpec::new(
            "lr",
            "Adam's learning rate",
            "Adam 的学习率",
            ParamKind::Float {
                min: 1e-5,
                max: 1.0,
            },
            ParamValue::Float(0.003),
        )
        .with_role(ParamRole::Live),
    ]
}

/// The shape a lab's or an experiment's settings ask for, or why it cannot
/// be built.
pub fn shape_of(params: &Params) -> Result<Shape, ModelError> {
    let shape = Shape {
        length: params.int("length") as usize,
        dim: params.int("dim") as usize,
        heads: params.int("heads") as usize,
        batch: params.int("batch") as usize,
        lr: params.float("lr") as f32,
    };
    if !shape.dim.is_multiple_of(shape.heads) {
        return Err(ModelError::Invalid(Bilingual::owned(
            format!(
                "dim {} must be a multiple of heads {}: each head reads dim/heads values",
                shape.dim, shape.heads
            ),
            format!(
                "dim {} 须是 heads {} 的倍数：每个头读 dim/heads 个值",
                shape.dim, shape.heads
            ),
        )));
    }
    Ok(shape)
}

/// What the network did with the sequence shown, output by output.
#[derive(Debug, Clone, Default)]
struct Shown {
    input: Vec<usize>,
    /// Per output produced so far: every head's weights `[heads, n]`.
    weights: Vec<Array2<f32>>,
    /// Per output produced so far: P(digit).
    probs: Vec<Vec<f32>>,
}

#[derive(Clone)]
pub struct AttentionNetwork {
    params: Params,
    seed: u64,
    task: Arc<Task>,
    net: ReverseNet,
    rng: StdRng,
    next_stage: usize,
    /// The batch drawn in stage 0, learnt from in the last stage.
    batch: Vec<Vec<usize>>,
    /// Its first sequence encoded, `[1, n, d]`.
    encoded: Option<Array3<f32>>,
    shown: Shown,
    /// (step, loss) of every training step.
    losses: Vec<(f64, f64)>,
    /// (step, share of held-out sequences reversed right).
    accuracy: Vec<(f64, f64)>,
    /// The last held-out share of digits right.
    digit_accuracy: f64,
}

static STAGE_DRAW: Bilingual = Bilingual::new(
    "draw a batch and encode: h_j = E[x_j] + p_j",
    "抽取一批序列并编码：h_j = E[x_j] + p_j",
);
static STAGE_LEARN: Bilingual = Bilingual::new(
    "learn from the batch: loss, backward, Adam step",
    "从这批序列学习：损失、反向传播、Adam 一步",
);

impl AttentionNetwork {
    pub fn new(params: &Params, seed: u64) -> Result<AttentionNetwork, ModelError> {
        let shape = shape_of(params)?;
        let task = Arc::new(Task::new(shape.length, SCORED, seed));
        let mut rng = StdRng::seed_from_u64(seed);
        let net = ReverseNet::new(shape, &mut rng)?;
        let mut model = AttentionNetwork {
            params: params.clone(),
            seed,
            task,
            net,
            rng,
            next_stage: 0,
            batch: Vec::new(),
            encoded: None,
            shown: Shown::default(),
            losses: Vec::new(),
            accuracy: Vec::new(),
            digit_accuracy: f64::NAN,
        };
        model.score();
        Ok(model)
    }

    fn length(&self) -> usize {
        self.net.shape.length
    }

    fn score(&mut self) {
        let (whole, digits) = self.net.accuracy(&self.task.held_out);
        self.accuracy.push((self.net.steps as f64, whole));
        self.digit_accuracy = digits;
    }

    fn run_stage(&mut self) {
        let n = self.length();
        match self.next_stage {
            0 => {
                let task = self.task.clone();
                self.batch = (0..self.net.shape.batch)
                    .map(|_| task.draw(&mut self.rng))
                    .collect();
                let first = self.batch[0].clone();
                self.encoded = Some(self.net.encode(std::slice::from_ref(&first)));
                self.shown = Shown {
                    input: first,
                    weights: Vec::new(),
                    probs: Vec::new(),
                };
            }
            stage if stage <= n => {
                if let Some(h) = &self.encoded {
                    let (weights, p) = self.net.produce(h, stage - 1);
                    self.shown
                        .weights
                        .push(weights.index_axis(Axis(0), 0).to_owned());
                    self.shown.probs.push(p.row(0).to_vec());
                }
            }
            _ => {
                let batch = std::mem::take(&mut self.batch);
                let pass = self.net.train_step(&batch);
                self.batch = batch;
                self.losses.push((self.net.steps as f64, pass.loss));
                if self.net.steps.is_multiple_of(EVERY) {
                    self.score();
                }
            }
        }
        self.next_stage = (self.next_stage + 1) % (n + 2);
    }

    fn digits_text(digits: &[usize]) -> String {
        digits
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn sequence_view(&self) -> View {
        let n = self.length();
        let input = &self.shown.input;
        let text = if input.is_empty() {
            Bilingual::new(
                "no sequence yet: the first stage draws one",
                "还没有序列：第一个阶段抽取一个",
            )
        } else {
            let target = Self::digits_text(&reversed(input));
            let written: Vec<String> = (0..n)
                .map(|i| match self.shown.probs.get(i) {
                    Some(p) => argmax(ndarray::ArrayView1::from(p)).to_string(),
                    None => "·".to_string(),
                })
                .collect();
            let written = written.join(" ");
            let input = Self::digits_text(input);
            Bilingual::owned(
                format!("wrote {written} for {target}, the reverse of {input}"),
                format!("写出 {written}，应为 {target}（{input} 的倒序）"),
            )
        };
        View::new(
            "sequence",
            Bilingual::new(
                "the sequence, its reverse, and what the network writes",
                "序列、它的倒序，以及网络写出的",
            ),
            ViewContent::text(text),
        )
    }

    /// The weights of `head` (or their average over heads) as a picture,
    /// one row per output produced so far, zero for those still to come,
    /// one column per input position.
    fn map(&self, head: Option<usize>) -> Pixels {
        let n = self.length();
        let mut values = vec![0.0f32; n * n];
        for (i, w) in self.shown.weights.iter().enumerate() {
            for j in 0..n {
                values[i * n + j] = match head {
                    Some(h) => w[[h, j]],
                    None => w.column(j).mean().unwrap_or(0.0),
                };
            }
        }
        Pixels {
            width: n,
            height: n,
            values,
            range: (0.0, 1.0),
            marks: Vec::new(),
        }
    }

    fn attention_views(&self) -> Vec<View> {
        let heads = self.net.shape.heads;
        let mut views = vec![View::new(
            "attention",
            if heads == 1 {
                Bilingual::new("α: row = output, column = input", "α：行 = 输出，列 = 输入")
            } else {
                Bilingual::owned(
                    format!("α, mean of {heads} heads: row = output, column = input"),
                    format!("α，{heads} 个头的平均：行 = 输出，列 = 输入"),
                )
            },
            ViewContent::Pixels(self.map(None)),
        )];
        if heads > 1 {
            for h in 0..heads.min(HEADS_SHOWN) {
                views.push(View::new(
                    format!("head_{}", h + 1),
                    Bilingual::owned(
                        format!("head {} α", h + 1),
                        format!("第 {} 个头的 α", h + 1),
                    ),
                    ViewContent::Pixels(self.map(Some(h))),
                ));
            }
        }
        views
    }

    fn output_view(&self) -> View {
        let labels = (0..DIGITS)
            .map(|d| Bilingual::same(d.to_string()))
            .collect();
        let Some(p) = self.shown.probs.last() else {
            return View::new(
                "output",
                Bilingual::new(
                    "P(digit): once the first output is produced",
                    "P(数字)：产生第一个输出后显示",
                ),
                ViewContent::Vector(Vector {
                    values: Vec::new(),
                    range: (0.0, 1.0),
                    labels,
                }),
            );
        };
        let i = self.shown.probs.len();
        let want = reversed(&self.shown.input).get(i - 1).copied().unwrap_or(0);
        View::new(
            "output",
            Bilingual::owned(
                format!("P(output {i}): want {want}, P = {:.3}", p[want]),
                format!("P(第 {i} 个输出)：应为 {want}，P = {:.3}", p[want]),
            ),
            ViewContent::Vector(Vector {
                values: p.clone(),
                range: (0.0, 1.0),
                labels,
            }),
        )
    }

    fn learning_view(&self) -> View {
        View::new(
            "learning",
            Bilingual::new("loss and held-out accuracy", "损失与留出准确率"),
            ViewContent::Plot(Plot {
                curves: vec![
                    Curve {
                        label: Bilingual::new("loss (nats)", "损失（奈特）"),
                        points: self.losses.clone(),
                    },
                    Curve {
                        label: Bilingual::new("held-out sequence accuracy", "留出序列准确率"),
                        points: self.accuracy.clone(),
                    },
                ],
                x_label: Bilingual::new("step", "步"),
                y_label: Bilingual::new("nats / share", "奈特 / 比例"),
                x_range: None,
                y_range: None,
                marks: Vec::new(),
                now: None,
            }),
        )
    }

    fn steps_view(&self) -> View {
        let n = self.length();
        let Shape { batch, heads, .. } = self.net.shape;
        let loss = match self.losses.last() {
            Some(&(_, l)) => format!("{l:.3}"),
            None => "…".to_string(),
        };
        let lines = vec![
            Bilingual::owned(
                format!("1 draw {batch} sequences of {n} digits; h_j = E[x_j] + p_j"),
                format!("1 抽取 {batch} 个 {n} 位数字序列；h_j = E[x_j] + p_j"),
            ),
            Bilingual::owned(
                format!(
                    "2 output i = 1..{n}: α_i = softmax(q_i·h_j/√d) in {heads} heads, c_i = Σ_j α_ij h_j, P(y_i) = softmax(W_o c_i)"
                ),
                format!(
                    "2 输出 i = 1..{n}：{heads} 个头中 α_i = softmax(q_i·h_j/√d)，c_i = Σ_j α_ij h_j，P(y_i) = softmax(W_o c_i)"
                ),
            ),
            Bilingual::owned(
                format!("3 L = mean −log P(reverse) = {loss} nats; backward; Adam step"),
                format!("3 L = 平均 −log P(倒序) = {loss} 奈特；反向传播；Adam 一步"),
            ),
        ];
        let current = match self.next_stage {
            0 => 0,
            s if s <= n => 1,
            _ => 2,
        };
        View::new(
            "step",
            Bilingual::new(
                "one step: encode, attend output by output, learn",
                "一步：编码，逐个输出做注意力，学习",
            ),
            ViewContent::steps(lines, Some(current)),
        )
    }
}

impl Model for AttentionNetwork {
    fn snapshot(&self) -> Box<dyn Model> {
        Box::new(self.clone())
    }

    fn params(&self) -> &Params {
        &self.params
    }

    fn seed(&self) -> u64 {
        self.seed
    }

    fn reset(&mut self, seed: u64) {
        if let Ok(fresh) = AttentionNetwork::new(&self.params, seed) {
            *self = fresh;
        }
    }

    fn stage_count(&self) -> usize {
        self.length() + 2
    }

    fn stage_label(&self, index: usize) -> Bilingual {
        let n = self.length();
        match index {
            0 => STAGE_DRAW.clone(),
            i if i <= n => Bilingual::owned(
                format!("output {i} of {n}: attend and read out"),
                format!("第 {i}/{n} 个输出：注意力与读出"),
            ),
            _ => STAGE_LEARN.clone(),
        }
    }

    fn next_stage(&self) -> usize {
        self.next_stage
    }

    fn steps_done(&self) -> u64 {
        self.net.steps
    }

    fn stage(&mut self) {
        self.run_stage();
    }

    fn views(&self) -> Vec<View> {
        let mut views = vec![self.sequence_view()];
        views.extend(self.attention_views());
        views.extend([self.output_view(), self.learning_view(), self.steps_view()]);
        views
    }

    fn actions(&self) -> Vec<Action> {
        vec![
            Action {
                name: "train_100",
                key: 'f',
                label: Bilingual::new("train 100 steps", "训练 100 步"),
                long: true,
            },
            Action {
                name: "train_1000",
                key: 'T',
                label: Bilingual::new("train 1,000 steps", "训练 1000 步"),
                long: true,
            },
        ]
    }

    fn act(&mut self, action: &str) -> Result<(), ModelError> {
        self.work(action, &mut crate::work::unwatched)
    }

    /// Trains step by step until the count asked for, or until told to
    /// stop, after the step under way.
    fn work(&mut self, action: &str, progress: Report<'_>) -> Result<(), ModelError> {
        let total = match action {
            "train_100" => 100,
            "train_1000" => 1000,
            other => return Err(ModelError::no_action(other)),
        };
        for done in 1..=total {
            self.step();
            let loss = self.losses.last().map_or(f64::NAN, |l| l.1);
            let note = format!("step {}: loss {loss:.3}", self.net.steps);
            if progress(&Progress::new(done, total, note)) == Flow::Stop {
                break;
            }
        }
        Ok(())
    }

    fn retune(&mut self, params: &Params) -> Result<(), ModelError> {
        self.net.set_learning_rate(params.float("lr") as f32);
        self.params = params.clone();
        Ok(())
    }

    fn status(&self) -> Option<Status> {
        let &(step, whole) = self.accuracy.last()?;
        let digits = self.digit_accuracy;
        let count = self.task.held_out.len();
        let diverged = self.losses.last().is_some_and(|l| !l.1.is_finite());
        Some(Status {
            level: if diverged {
                StatusLevel::Warning
            } else {
                StatusLevel::Info
            },
            text: Bilingual::owned(
                format!(
                    "held out after step {step}: {whole:.3} of {count} sequences reversed right, {digits:.3} of digits"
                ),
                format!(
                    "第 {step} 步后的留出集：{count} 个序列中倒序全对 {whole:.3}，数字对 {digits:.3}"
                ),
            ),
        })
    }
}

fn build(params: &Params, seed: u64) -> Result<Box<dyn Model>, ModelError> {
    Ok(Box::new(AttentionNetwork::new(params, seed)?))
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "attention_network",
    name: Bilingual::new(
        "Attention network (reversing digits)",
        "注意力网络（倒序数字）",
    ),
    params,
    build,
    params_from_weights: None,
};
