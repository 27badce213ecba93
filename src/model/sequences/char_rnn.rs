//! The Recurrent Neural Network entry: a character-level language model
//! learning Shakespeare or the Analects live, one window of truncated
//! backpropagation through time per step.
//!
//! J. L. Elman, "Finding Structure in Time", Cognitive Science 14(2), 1990;
//! the language model is that of I. Sutskever, J. Martens and G. Hinton,
//! "Generating Text with Recurrent Neural Networks", ICML 2011 (see
//! [`super::language_model`] for its equations). The cell is a plain
//! recurrent cell, an LSTM (Hochreiter and Schmidhuber 1997) or a GRU
//! (Cho et al. 2014).
//!
//! One step has five stages: read the next window of T characters in each
//! of B streams; run forward through time; the loss at every step; back
//! through time; clip the gradient and update the weights. The lab shows
//! the characters going in, the hidden state over the window, the
//! predicted distribution of the next character, text sampled at a
//! temperature, bits per character on training and held-out text beside an
//! order-1 Markov chain's, and the gradient over time: |dL/dx_t| of the
//! last prediction for every earlier input, for this cell and for a rival
//! trained on the same windows (an LSTM beside a plain RNN, a plain RNN
//! beside the others), where the plain RNN's vanishing gradient shows.

use super::language_model::{CharNet, Pass, Shape, Text, text};
use crate::model::cells::bptt::CellKind;
use crate::model::energy::text_chain::{CORPUS_NAMES, Counts, shown_char};
use crate::model::view::{History, Plot, Vector};
use crate::model::{
    Action, Axis, Curve, Flow, Mark, Model, ModelError, ModelSpec, ParamKind, ParamRole, ParamSpec,
    ParamValue, Params, Progress, Report, Status, StatusLevel, View, ViewContent,
};
use crate::text::Bilingual;
use ndarray::{Array2, s};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Held-out characters scored for the curve (from the held-out part's start).
const SCORED: usize = 400;
/// Steps between two scorings of the held-out text and two samples.
const EVERY: u64 = 25;
/// Characters sampled.
const SAMPLED: usize = 160;
/// Candidates drawn as bars.
const SHOWN: usize = 10;

static STAGES: [Bilingual; 5] = [
    Bilingual::new("read the next window", "读入下一个窗口"),
    Bilingual::new("forward through time", "沿时间前向"),
    Bilingual::new("loss at every step", "每一步的损失"),
    Bilingual::new("backward through time", "沿时间反向传播"),
    Bilingual::new("clip and update the weights", "裁剪梯度并更新权重"),
];

pub fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "text",
            "the text learnt: en (Shakespeare) or zh (the Analects)",
            "学习的文本：en（莎士比亚）或 zh（《论语》）",
            ParamKind::Choice(CORPUS_NAMES),
            ParamValue::Choice("en"),
        ),
        ParamSpec::new(
            "cell",
            "the recurrent cell: lstm, gru or rnn (plain, tanh)",
            "循环单元：lstm、gru 或 rnn（普通，tanh）",
            ParamKind::Choice(&["lstm", "gru", "rnn"]),
            ParamValue::Choice("lstm"),
        ),
        ParamSpec::new(
            "hidden",
            "hidden units H",
            "隐藏单元数 H",
            ParamKind::Int { min: 1, max: 512 },
            ParamValue::Int(48),
        ),
        ParamSpec::new(
            "embed",
            "values in each character's learnt vector",
            "每个字符的学习向量的维数",
            ParamKind::Int { min: 1, max: 256 },
            ParamValue::Int(16),
        ),
        ParamSpec::new(
            "window",
            "characters per stream in one step (T, how far back BPTT reaches)",
            "每步每条流读入的字符数（T，BPTT 回溯的长度）",
            ParamKind::Int { min: 2, max: 256 },
            ParamValue::Int(24),
        ),
        ParamSpec::new(
            "streams",
            "streams of text read side by side (B)",
            "并排读取的文本流数（B）",
            ParamKind::Int { min: 1, max: 128 },
            ParamValue::Int(8),
        ),
        ParamSpec::new(
            "lr",
            "Adam's learning rate",
            "Adam 的学习率",
            ParamKind::Float {
                min: 1e-5,
                max: 1.0,
            },
            ParamValue::Float(0.005),
        )
        .with_role(ParamRole::Live),
        ParamSpec::new(
            "temperature",
            "sampling temperature: low is safe and repetitive, high is varied",
            "采样温度：低则稳妥而重复，高则多变",
            ParamKind::Float {
                min: 0.05,
                max: 3.0,
            },
            ParamValue::Float(0.8),
        )
        .with_role(ParamRole::Live),
    ]
}

/// An order-1 Markov chain learnt from a text's training part, shared.
fn chain(text: &Text) -> Arc<Counts> {
    static CACHE: OnceLock<Mutex<HashMap<&'static str, Arc<Counts>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let name = text.corpus.name;
    if let Some(found) = cache.lock().ok().and_then(|c| c.get(name).cloned()) {
        return found;
    }
    let (train, _) = text.chars();
    let counts = Arc::new(Counts::learn(&train, 1));
    if let Ok(mut cache) = cache.lock() {
        cache.insert(name, counts.clone());
    }
    counts
}

/// The cell named by the `cell` parameter.
fn cell_kind(params: &Params) -> CellKind {
    CellKind::parse(params.choice("cell")).unwrap_or(CellKind::Lstm)
}

/// The cell trained beside: an LSTM beside a plain RNN, a plain RNN beside
/// the gated cells.
fn rival_kind(cell: CellKind) -> CellKind {
    match cell {
        CellKind::Rnn(_) => CellKind::Lstm,
        _ => CellKind::parse("rnn").expect("rnn is a cell"),
    }
}

#[derive(Clone)]
pub struct CharRnn {
    params: Params,
    seed: u64,
    text: Arc<Text>,
    net: CharNet,
    rival: CharNet,
    rng: StdRng,
    next_stage: usize,
    /// The pass under way or last done, and its dL/dlogits between stages.
    pass: Option<Pass>,
    grad_logits: Option<Array2<f32>>,
    /// The window read in stage 0 and not yet run.
    window: Option<(Vec<usize>, Vec<usize>)>,
    /// (step, bits) of every training step, of both networks.
    train_bits: Vec<(f64, f64)>,
    rival_bits: Vec<(f64, f64)>,
    /// (step, bits) on the held-out text.
    held_out_bits: Vec<(f64, f64)>,
    /// The Markov chain's bits on the same held-out characters.
    markov_bits: f64,
    /// |dL/dx_t| of the last prediction of stream 0's window, oldest
    /// first, for the network and its rival.
    gradients: Vec<f64>,
    rival_gradients: Vec<f64>,
    sample: Vec<usize>,
}

impl CharRnn {
    pub fn new(params: &Params, seed: u64) -> CharRnn {
        let text = text(params.choice("text"));
        let cell = cell_kind(params);
        let shape = Shape {
            cell,
            embed: params.int("embed") as usize,
            hidden: params.int("hidden") as usize,
            window: params.int("window") as usize,
            streams: params.int("streams") as usize,
            lr: params.float("lr") as f32,
            clip: 5.0,
        };
        let vocab = text.alphabet.len();
        let mut rng = StdRng::seed_from_u64(seed);
        let net = CharNet::new(shape, vocab, &mut rng);
        let rival = CharNet::new(
            Shape {
                cell: rival_kind(cell),
                ..shape
            },
            vocab,
            &mut rng,
        );
        let scored = &text.held_out[..SCORED.min(text.held_out.len())];
        let held_out: Vec<char> = scored.iter().map(|&t| text.char(t)).collect();
        let markov_bits = chain(&text).held_out_bits(&held_out, text.alphabet.len(), MARKOV_ALPHA);
        let mut model = CharRnn {
            params: params.clone(),
            seed,
            text,
            net,
            rival,
            rng,
            next_stage: 0,
            pass: None,
            grad_logits: None,
            window: None,
            train_bits: Vec::new(),
            rival_bits: Vec::new(),
            held_out_bits: Vec::new(),
            markov_bits,
            gradients: Vec::new(),
            rival_gradients: Vec::new(),
            sample: Vec::new(),
        };
        model.score();
        model
    }

    fn temperature(&self) -> f32 {
        self.params.float("temperature") as f32
    }

    /// Scores the held-out text, measures the gradient over time and
    /// samples (at the start and every few steps).
    fn score(&mut self) {
        let scored = &self.text.held_out[..SCORED.min(self.text.held_out.len())];
        let bits = self.net.bits_on(scored);
        self.held_out_bits.push((self.net.steps as f64, bits));
        self.resample();
    }

    fn resample(&mut self) {
        let prompt: Vec<usize> = match &self.pass {
            Some(pass) => column(&pass.inputs, self.net.shape.streams),
            None => self.text.train[..self.net.shape.window.min(self.text.train.len())].to_vec(),
        };
        let temperature = self.temperature();
        self.sample = self
            .net
            .sample(&prompt, SAMPLED, temperature, &mut self.rng);
    }

    /// |dL/dx_t| over stream 0's window, for both networks.
    fn measure_gradients(&mut self) {
        let Some(pass) = &self.pass else { return };
        let streams = self.net.shape.streams;
        let window = column(&pass.inputs, streams);
        let target = *column(&pass.targets, streams).last().expect("a window");
        self.gradients = self.net.input_gradients(&window, target);
        self.rival_gradients = self.rival.input_gradients(&window, target);
    }

    fn run_stage(&mut self) {
        match self.next_stage {
            0 => {
                let text = self.text.clone();
                self.window = Some(self.net.next_window(&text.train));
            }
            1 => {
                let (inputs, targets) = self.window.take().unwrap_or_default();
                self.pass = Some(self.net.forward(inputs, targets));
            }
            2 => {
                if let Some(pass) = &mut self.pass {
                    self.grad_logits = Some(self.net.loss(pass));
                }
            }
            3 => {
                if let (Some(pass), Some(grad)) = (&self.pass, self.grad_logits.take()) {
                    self.net.backward(pass, grad);
                }
            }
            _ => self.finish_step(),
        }
        self.next_stage = (self.next_stage + 1) % STAGES.len();
    }

    /// Stage 4: the update, the rival's whole step on the same window, and
    /// what is measured after it.
    fn finish_step(&mut self) {
        let Some(mut pass) = self.pass.take() else {
            return;
        };
        self.net.update(&mut pass);
        let step = self.net.steps as f64;
        self.train_bits.push((step, pass.bits));
        let rival_pass = self
            .rival
            .train_step(pass.inputs.clone(), pass.targets.clone());
        self.rival_bits.push((step, rival_pass.bits));
        self.pass = Some(pass);
        self.measure_gradients();
        if self.net.steps.is_multiple_of(EVERY) {
            self.score();
        }
    }

    fn stream_text(&self, tokens: &[usize]) -> String {
        tokens
            .iter()
            .map(|&t| shown_char(self.text.char(t)))
            .collect()
    }

    fn window_view(&self) -> View {
        let streams = self.net.shape.streams;
        let (inputs, targets) = match (&self.window, &self.pass) {
            (Some((i, t)), _) => (column(i, streams), column(t, streams)),
            (None, Some(p)) => (column(&p.inputs, streams), column(&p.targets, streams)),
            _ => (Vec::new(), Vec::new()),
        };
        let i = self.stream_text(&inputs);
        let next = targets
            .last()
            .map(|&t| shown_char(self.text.char(t)))
            .unwrap_or_default();
        View::new(
            "window",
            Bilingual::owned(
                format!("characters going in (stream 1 of {streams}) and the one after them"),
                format!("读入的字符（第 1 条流，共 {streams} 条）及其后的一个字符"),
            ),
            ViewContent::text(Bilingual::owned(
                format!("{i} → {next}"),
                format!("{i} → {next}"),
            )),
        )
    }

    fn hidden_view(&self) -> View {
        let hidden = self.net.shape.hidden;
        let (rows, values) = match &self.pass {
            Some(pass) => {
                let states = pass.states.slice(s![.., 0, ..]);
                (states.nrows(), states.iter().copied().collect())
            }
            None => (0, Vec::new()),
        };
        View::new(
            "hidden",
            Bilingual::new(
                "hidden state h over the window (stream 1)",
                "窗口内的隐藏状态 h（第 1 条流）",
            ),
            ViewContent::History(History {
                rows,
                cols: hidden,
                values,
                range: (-1.0, 1.0),
                first: 0,
            }),
        )
    }

    fn next_view(&self) -> View {
        let streams = self.net.shape.streams;
        let Some(pass) = &self.pass else {
            return View::new(
                "next",
                Bilingual::new(
                    "P(next character): after the first forward pass",
                    "P(下一个字符)：第一次前向之后显示",
                ),
                ViewContent::Vector(Vector {
                    values: Vec::new(),
                    range: (0.0, 1.0),
                    labels: Vec::new(),
                }),
            );
        };
        let rows = pass.logits.nrows();
        let last = rows - streams;
        let mut p = pass.logits.row(last).to_owned();
        crate::nn::activation::softmax_in_place(p.view_mut());
        let mut order: Vec<usize> = (0..p.len()).collect();
        order.sort_by(|&a, &b| p[b].total_cmp(&p[a]).then(a.cmp(&b)));
        let mut labels = Vec::new();
        let mut values = Vec::new();
        for &k in order.iter().take(SHOWN) {
            labels.push(shown_char(self.text.char(k)));
            values.push(p[k]);
        }
        let rest: f32 = order.iter().skip(SHOWN).map(|&k| p[k]).sum();
        if order.len() > SHOWN {
            labels.push(format!("+{}", order.len() - SHOWN));
            values.push(rest);
        }
        let before = shown_char(self.text.char(pass.inputs[last]));
        let truth = pass.targets[last];
        let c = shown_char(self.text.char(truth));
        let pt = p[truth];
        View::new(
            "next",
            Bilingual::owned(
                format!("P(next | … “{before}”): the text has “{c}”, P = {pt:.3}"),
                format!("P(下一个 | …“{before}”)：原文是“{c}”，P = {pt:.3}"),
            ),
            ViewContent::Vector(Vector {
                values,
                range: (0.0, 1.0),
                labels: labels.into_iter().map(Bilingual::same).collect(),
            }),
        )
    }

    fn sample_view(&self) -> View {
        let tau = self.temperature();
        let written: String = self
            .sample
            .iter()
            .map(|&t| match self.text.char(t) {
                c @ ('\n' | ' ') => c.to_string(),
                c => shown_char(c),
            })
            .collect();
        View::new(
            "sample",
            Bilingual::owned(
                format!(
                    "text sampled at temperature {tau} after step {}",
                    self.sampled_at()
                ),
                format!("温度 {tau} 下采样的文字（第 {} 步后）", self.sampled_at()),
            ),
            ViewContent::stream(Bilingual::same(written)),
        )
    }

    /// The step the sample was drawn after.
    fn sampled_at(&self) -> u64 {
        self.net.steps - self.net.steps % EVERY
    }

    fn bits_view(&self) -> View {
        let net = self.net.shape.cell.title();
        let rival = self.rival.shape.cell.title();
        View::new(
            "bits",
            Bilingual::new("bits per character", "每字符比特数"),
            ViewContent::Plot(Plot {
                curves: vec![
                    Curve {
                        label: Bilingual::owned(format!("{net} train"), format!("{net} 训练")),
                        points: self.train_bits.clone(),
                    },
                    Curve {
                        label: Bilingual::owned(format!("{net} held out"), format!("{net} 留出")),
                        points: self.held_out_bits.clone(),
                    },
                    Curve {
                        label: Bilingual::owned(format!("{rival} train"), format!("{rival} 训练")),
                        points: self.rival_bits.clone(),
                    },
                ],
                x_label: Bilingual::new("step", "步"),
                y_label: Bilingual::new("bits", "比特"),
                x_range: None,
                y_range: None,
                marks: vec![Mark {
                    axis: Axis::Y,
                    value: self.markov_bits,
                    label: Bilingual::new("order-1 Markov, held out", "一阶马尔可夫链，留出"),
                }],
                now: None,
            }),
        )
    }

    fn gradient_view(&self) -> View {
        let curve = |kind: CellKind, values: &[f64]| {
            let n = values.len();
            Curve {
                label: Bilingual::same(kind.title()),
                points: values
                    .iter()
                    .enumerate()
                    .map(|(t, &g)| ((n - 1 - t) as f64, g.max(1e-30).log10()))
                    .collect(),
            }
        };
        View::new(
            "gradient_over_time",
            Bilingual::new(
                "gradient over time: log10 |dL/dx| of the last prediction, by steps back",
                "随时间的梯度：最后一个预测的 log10 |dL/dx|，按往回的步数",
            ),
            ViewContent::Plot(Plot {
                curves: vec![
                    curve(self.net.shape.cell, &self.gradients),
                    curve(self.rival.shape.cell, &self.rival_gradients),
                ],
                x_label: Bilingual::new("steps back", "往回步数"),
                y_label: Bilingual::new("log10 |dL/dx|", "log10 |dL/dx|"),
                x_range: None,
                y_range: None,
                marks: Vec::new(),
                now: None,
            }),
        )
    }

    fn steps_view(&self) -> View {
        let Shape {
            window, streams, ..
        } = self.net.shape;
        // A number not yet computed in this step is shown as `…`.
        let shown = |v: Option<f64>| match v {
            Some(v) if v.is_finite() => format!("{v:.3}"),
            _ => "…".to_string(),
        };
        let bits = shown(self.pass.as_ref().map(|p| p.bits));
        let norm = shown(self.pass.as_ref().map(|p| p.grad_norm));
        let lines = vec![
            Bilingual::owned(
                format!("1 read the next {window} characters of each of {streams} streams"),
                format!("1 读入 {streams} 条流各自的下 {window} 个字符"),
            ),
            Bilingual::new(
                "2 e_t = E[c_t], h_t = cell(e_t, h_t-1), p_t = softmax(W_o h_t + b_o)",
                "2 e_t = E[c_t]，h_t = cell(e_t, h_t-1)，p_t = softmax(W_o h_t + b_o)",
            ),
            Bilingual::owned(
                format!("3 L = mean −log₂ p_t(c_t+1) = {bits} bits per character"),
                format!("3 L = 平均 −log₂ p_t(c_t+1) = 每字符 {bits} 比特"),
            ),
            Bilingual::owned(
                format!("4 back through the {window} steps of this window only (truncated)"),
                format!("4 只沿本窗口的 {window} 步反向传播（截断）"),
            ),
            Bilingual::owned(
                format!("5 |g| = {norm}, clipped to 5; Adam step; carry h to the next window"),
                format!("5 |g| = {norm}，裁剪到 5；Adam 一步；h 带到下一个窗口"),
            ),
        ];
        View::new(
            "step",
            Bilingual::new(
                "one step of truncated backpropagation through time",
                "截断的沿时间反向传播的一步",
            ),
            ViewContent::steps(lines, Some(self.next_stage)),
        )
    }
}

/// How much the Markov chain's counts are smoothed (add-α): 0.1 gives the
/// chain its lowest held-out bits of 1, 0.3, 0.1, 0.03, 0.01 on both texts.
pub const MARKOV_ALPHA: f64 = 0.1;

/// Stream 0 of tokens laid out `[T][B]`, step-major.
fn column(tokens: &[usize], streams: usize) -> Vec<usize> {
    tokens.iter().step_by(streams.max(1)).copied().collect()
}

impl Model for CharRnn {
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
        *self = CharRnn::new(&self.params, seed);
    }

    fn stage_count(&self) -> usize {
        STAGES.len()
    }

    fn stage_label(&self, index: usize) -> Bilingual {
        STAGES[index.min(STAGES.len() - 1)].clone()
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
        vec![
            self.window_view(),
            self.hidden_view(),
            self.next_view(),
            self.sample_view(),
            self.bits_view(),
            self.gradient_view(),
            self.steps_view(),
        ]
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
            Action {
                name: "sample",
                key: 'g',
                label: Bilingual::new("sample new text", "重新采样文字"),
                long: false,
            },
        ]
    }

    fn act(&mut self, action: &str) -> Result<(), ModelError> {
        match action {
            "sample" => {
                self.resample();
                Ok(())
            }
            other => self.work(other, &mut crate::work::unwatched),
        }
    }

    /// Trains step by step until the count asked for, or until told to
    /// stop, after the step under way.
    fn work(&mut self, action: &str, progress: Report<'_>) -> Result<(), ModelError> {
        let total = match action {
            "train_100" => 100,
            "train_1000" => 1000,
            "sample" => return self.act(action),
            other => return Err(ModelError::no_action(other)),
        };
        for done in 1..=total {
            self.step();
            let bits = self.train_bits.last().map_or(f64::NAN, |b| b.1);
            let note = format!("step {}: {bits:.3} bits per character", self.net.steps);
            if progress(&Progress::new(done, total, note)) == Flow::Stop {
                break;
            }
        }
        Ok(())
    }

    fn retune(&mut self, params: &Params) -> Result<(), ModelError> {
        let lr = params.float("lr") as f32;
        self.net.set_learning_rate(lr);
        self.rival.set_learning_rate(lr);
        self.params = params.clone();
        Ok(())
    }

    fn status(&self) -> Option<Status> {
        let &(_, held_out) = self.held_out_bits.last()?;
        let markov = self.markov_bits;
        let diverged = !held_out.is_finite();
        let (en, zh) = if held_out < markov {
            ("beats", "胜过")
        } else {
            ("does not yet beat", "尚未胜过")
        };
        Some(Status {
            level: if diverged {
                StatusLevel::Warning
            } else {
                StatusLevel::Info
            },
            text: Bilingual::owned(
                format!(
                    "held out: {held_out:.3} bits per character; {en} the Markov chain's {markov:.3}"
                ),
                format!("留出文本：每字符 {held_out:.3} 比特；{zh}马尔可夫链的 {markov:.3}"),
            ),
        })
    }
}

fn build(params: &Params, seed: u64) -> Result<Box<dyn Model>, ModelError> {
    Ok(Box::new(CharRnn::new(params, seed)))
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "char_rnn",
    name: Bilingual::new(
        "Recurrent neural network (character language model)",
        "循环神经网络（字符语言模型）",
    ),
    params,
    build,
    params_from_weights: None,
};
