//! Bidirectional recurrent networks (BiRNN, BiLSTM, BiGRU): one recurrent
//! layer reads the sequence forwards, a second one backwards, and each time
//! step's output is the two hidden states side by side, as
//! `torch.nn.RNN/LSTM/GRU(..., bidirectional=True)` with one layer and a zero
//! initial state computes it.
//!
//! Schuster & Paliwal, "Bidirectional Recurrent Neural Networks", IEEE
//! Transactions on Signal Processing 45(11), 1997; BiLSTM: Graves &
//! Schmidhuber, "Framewise Phoneme Classification with Bidirectional LSTM
//! and Other Neural Network Architectures", Neural Networks 18(5), 2005.
//!
//! ```text
//! →h_t = cell(x_t, →h_{t-1}),  t = 0 … T-1      (weights *_l0)
//! ←h_t = cell(x_t, ←h_{t+1}),  t = T-1 … 0      (weights *_l0_reverse)
//! output_t = [→h_t ; ←h_t]     h_n = [→h_{T-1} ; ←h_0]
//! ```
//! Each direction steps with the cell code of `rnn_cell`, `lstm_cell` and
//! `gru_cell`. One step of the model reads a window of `length` inputs of
//! the input sequence (the window slides by one input per step); its stages
//! are the cell steps, forwards then backwards.

use super::gru_cell::{self, GruScratch, GruWeights};
use super::inputs::Feed;
use super::lstm_cell::{self, LstmScratch, LstmWeights};
use super::recurrent;
use super::rnn_cell::{self, Nonlinearity, RnnScratch, RnnWeights};
use crate::kernels::views;
use crate::model::params::{ParamKind, ParamSpec, ParamValue};
use crate::model::{
    Model, ModelError, ModelSpec, Params, Status, StatusLevel, View, ViewContent, Weights,
};
use crate::nn::vars::VarBuilder;
use crate::text::Bilingual;
use crate::view::{History, Matrix};
use ndarray::Array1;

/// Which cell runs in each direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellType {
    Rnn(Nonlinearity),
    Lstm,
    Gru,
}

impl CellType {
    fn name(self) -> &'static str {
        match self {
            CellType::Rnn(_) => "RNN",
            CellType::Lstm => "LSTM",
            CellType::Gru => "GRU",
        }
    }
}

#[derive(Clone)]
enum Weighted {
    Rnn(RnnWeights, RnnScratch),
    Lstm(LstmWeights, LstmScratch),
    Gru(GruWeights, GruScratch),
}

/// One direction: a cell with its state.
#[derive(Clone)]
pub struct Direction {
    cell: Weighted,
    pub h: Array1<f32>,
    /// The LSTM's cell state (empty for the others).
    pub c: Array1<f32>,
}

impl Direction {
    /// The direction of a `kind` layer of `input` and `hidden` values from
    /// `vb`, by the `state_dict` names with `suffix` (`_l0` forwards,
    /// `_l0_reverse` backwards), or initialised as PyTorch does.
    pub fn new(
        kind: CellType,
        vb: &VarBuilder<'_>,
        input: usize,
        hidden: usize,
        suffix: &str,
    ) -> Result<Direction, ModelError> {
        let (i, h) = (input, hidden);
        let cell = match kind {
            CellType::Rnn(act) => Weighted::Rnn(
                RnnWeights::new(vb, i, h, act, suffix)?,
                RnnScratch::new(i, h),
            ),
            CellType::Lstm => {
                Weighted::Lstm(LstmWeights::new(vb, i, h, suffix)?, LstmScratch::new(i, h))
            }
            CellType::Gru => {
                Weighted::Gru(GruWeights::new(vb, i, h, suffix)?, GruScratch::new(i, h))
            }
        };
        Ok(Direction {
            cell,
            h: Array1::zeros(hidden),
            c: Array1::zeros(if kind == CellType::Lstm { hidden } else { 0 }),
        })
    }

    /// Both directions of a `kind` layer from `vb`, forwards then
    /// backwards (`state_dict` order).
    pub fn both(
        kind: CellType,
        vb: &VarBuilder<'_>,
        input: usize,
        hidden: usize,
    ) -> Result<(Direction, Direction), ModelError> {
        let forward = Direction::new(kind, vb, input, hidden, "_l0")?;
        let backward = Direction::new(kind, vb, input, hidden, "_l0_reverse")?;
        Ok((forward, backward))
    }

    pub fn input(&self) -> usize {
        match &self.cell {
            Weighted::Rnn(w, _) => w.input,
            Weighted::Lstm(w, _) => w.input,
            Weighted::Gru(w, _) => w.input,
        }
    }

    pub fn hidden(&self) -> usize {
        self.h.len()
    }

    /// Whether the state and the last step's weighted sums are finite.
    pub fn finite(&self) -> bool {
        let sums = match &self.cell {
            Weighted::Rnn(_, s) => views::all_finite(s.sum.view()),
            Weighted::Lstm(_, s) => s.finite(),
            Weighted::Gru(_, s) => s.finite(),
        };
        sums && views::all_finite(self.h.view()) && views::all_finite(self.c.view())
    }

    /// Back to the zero initial state.
    pub fn clear(&mut self) {
        self.h.fill(0.0);
        self.c.fill(0.0);
    }

    /// One cell step on input `x`.
    #[inline]
    pub fn step(&mut self, x: &[f32]) {
        match &mut self.cell {
            Weighted::Rnn(w, s) => rnn_cell::step(w, x.into(), self.h.view_mut(), s),
            Weighted::Lstm(w, s) => {
                lstm_cell::step(w, x.into(), self.h.view_mut(), self.c.view_mut(), s)
            }
            Weighted::Gru(w, s) => gru_cell::step(w, x.into(), self.h.view_mut(), s),
        }
    }
}

impl CellType {
    /// `(input, hidden)` of the layer whose `weight_ih_l0` is in `weights`.
    pub fn sizes(self, weights: &Weights) -> Result<(usize, usize), ModelError> {
        match self {
            CellType::Rnn(_) => RnnWeights::sizes(weights, "_l0"),
            CellType::Lstm => LstmWeights::sizes(weights, "_l0"),
            CellType::Gru => GruWeights::sizes(weights, "_l0"),
        }
    }
}

/// Runs `x` (`T` rows of the input size) through both directions from a
/// zero state, writing `output` (`T` rows of `2H`). Afterwards `fwd.h` is
/// h_n[0] and `bwd.h` is h_n[1] (likewise `c`).
pub fn run(fwd: &mut Direction, bwd: &mut Direction, x: &[f32], output: &mut [f32]) {
    let (input, hidden) = (fwd.input(), fwd.hidden());
    let steps = x.len() / input.max(1);
    fwd.clear();
    bwd.clear();
    for t in 0..steps {
        fwd.step(&x[t * input..(t + 1) * input]);
        output[t * 2 * hidden..t * 2 * hidden + hidden]
            .copy_from_slice(recurrent::values(fwd.h.view()));
    }
    for t in (0..steps).rev() {
        bwd.step(&x[t * input..(t + 1) * input]);
        output[t * 2 * hidden + hidden..(t + 1) * 2 * hidden]
            .copy_from_slice(recurrent::values(bwd.h.view()));
    }
}

/// A bidirectional layer fed a sliding window of the input sequence.
#[derive(Clone)]
pub struct Bidirectional {
    kind: CellType,
    params: Params,
    seed: u64,
    input: usize,
    hidden: usize,
    length: usize,
    feed: Feed,
    fwd: Direction,
    bwd: Direction,
    /// The window: `length` rows of `input`.
    x: Vec<f32>,
    x_fresh: bool,
    output: Vec<f32>,
    steps: u64,
    next: usize,
    overflow: Option<u64>,
    weights_loaded: bool,
}

impl Bidirectional {
    fn new(kind: CellType, params: &Params, seed: u64) -> Bidirectional {
        let input = recurrent::size(params, "input");
        let hidden = recurrent::size(params, "hidden");
        let length = recurrent::size(params, "length");
        let (fwd, bwd) = random_directions(kind, input, hidden, seed);
        let mut model = Bidirectional {
            kind,
            params: params.clone(),
            seed,
            input,
            hidden,
            length,
            feed: Feed::new(params.choice("sequence"), params.text("word"), input),
            fwd,
            bwd,
            x: vec![0.0; length * input],
            x_fresh: true,
            output: vec![0.0; length * 2 * hidden],
            steps: 0,
            next: 0,
            overflow: None,
            weights_loaded: false,
        };
        model.reset(seed);
        model
    }

    fn fill_window(&mut self) {
        let input = self.input;
        for (t, row) in self.x.chunks_exact_mut(input).enumerate() {
            self.feed.fill(self.seed, self.steps + t as u64, row);
        }
    }

    /// Direction and time step of stage `index`.
    fn stage_at(&self, index: usize) -> (bool, usize) {
        if index < self.length {
            (true, index)
        } else {
            (false, 2 * self.length - 1 - index)
        }
    }

    fn run_stage(&mut self, index: usize) {
        if index == 0 {
            self.fwd.clear();
            self.bwd.clear();
            self.output.fill(0.0);
        }
        let (forward, t) = self.stage_at(index);
        let (i, h) = (self.input, self.hidden);
        let x = &self.x[t * i..(t + 1) * i];
        let row = &mut self.output[t * 2 * h..(t + 1) * 2 * h];
        let dir = if forward {
            self.fwd.step(x);
            row[..h].copy_from_slice(recurrent::values(self.fwd.h.view()));
            &self.fwd
        } else {
            self.bwd.step(x);
            row[h..].copy_from_slice(recurrent::values(self.bwd.h.view()));
            &self.bwd
        };
        if self.overflow.is_none() && !dir.finite() {
            // Counted like steps_done: the step in progress is number steps + 1.
            self.overflow = Some(self.steps + 1);
        }
    }
}

impl Model for Bidirectional {
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
        self.seed = seed;
        if !self.weights_loaded {
            (self.fwd, self.bwd) = random_directions(self.kind, self.input, self.hidden, seed);
        }
        self.fwd.clear();
        self.bwd.clear();
        self.output.fill(0.0);
        self.steps = 0;
        self.next = 0;
        self.overflow = None;
        self.fill_window();
        self.x_fresh = true;
    }

    fn stage_count(&self) -> usize {
        2 * self.length
    }

    fn stage_label(&self, index: usize) -> Bilingual {
        let (forward, t) = self.stage_at(index.min(2 * self.length - 1));
        if forward {
            Bilingual::owned(format!("forward t={t}"), format!("前向 t={t}"))
        } else {
            Bilingual::owned(format!("backward t={t}"), format!("反向 t={t}"))
        }
    }

    fn next_stage(&self) -> usize {
        self.next
    }

    fn steps_done(&self) -> u64 {
        self.steps
    }

    fn stage(&mut self) {
        if self.next == 0 {
            if !self.x_fresh {
                self.fill_window();
            }
            self.x_fresh = false;
        }
        self.run_stage(self.next);
        self.next += 1;
        if self.next == self.stage_count() {
            self.next = 0;
            self.steps += 1;
        }
    }

    fn views(&self) -> Vec<View> {
        let (i, h, t) = (self.input, self.hidden, self.length);
        let signed = (-1.0, 1.0);
        let out_range = match self.kind {
            CellType::Rnn(Nonlinearity::Relu) => recurrent::symmetric_range(&self.output),
            _ => signed,
        };
        let mut views = vec![
            View::new(
                "x",
                Bilingual::new("input window x (time × input)", "输入窗口 x(时间 × 输入)"),
                ViewContent::Matrix(Matrix {
                    rows: t,
                    cols: i,
                    values: self.x.clone(),
                }),
            )
            .editable(),
            recurrent::vector(
                "h_forward",
                Bilingual::new("forward hidden state →h", "前向隐藏状态 →h"),
                &self.fwd.h,
                out_range,
            ),
            recurrent::vector(
                "h_backward",
                Bilingual::new("backward hidden state ←h", "反向隐藏状态 ←h"),
                &self.bwd.h,
                out_range,
            ),
        ];
        if self.kind == CellType::Lstm {
            views.push(recurrent::vector(
                "c_forward",
                Bilingual::new("forward cell state →c", "前向细胞状态 →c"),
                &self.fwd.c,
                recurrent::symmetric_range(&self.fwd.c),
            ));
            views.push(recurrent::vector(
                "c_backward",
                Bilingual::new("backward cell state ←c", "反向细胞状态 ←c"),
                &self.bwd.c,
                recurrent::symmetric_range(&self.bwd.c),
            ));
        }
        views.push(View::new(
            "output",
            Bilingual::new(
                "output [→h ; ←h] over the window",
                "输出 [→h ; ←h](窗口内各时刻)",
            ),
            ViewContent::History(History {
                rows: t,
                cols: 2 * h,
                values: self.output.clone(),
                range: out_range,
                first: 0,
            }),
        ));
        let cell = self.kind.name();
        let forward = format!("→h_t = {cell}(x_t, →h_(t-1)),  t = 0 … {}", t - 1);
        let backward = format!("←h_t = {cell}(x_t, ←h_(t+1)),  t = {} … 0", t - 1);
        let stages_done = if self.next > 0 {
            self.next
        } else if self.steps > 0 {
            2 * t
        } else {
            0
        };
        let (done, current) = match stages_done {
            0 => (0, 0),
            s if s <= t => (1, 0),
            s if s < 2 * t => (2, 1),
            _ => (3, 2),
        };
        views.push(recurrent::equations(
            &[
                (&forward, recurrent::values(self.fwd.h.view())),
                (&backward, recurrent::values(self.bwd.h.view())),
                ("output_t = [→h_t ; ←h_t]", &self.output[..2 * h]),
            ],
            done,
            current,
        ));
        views
    }

    fn edit(&mut self, view: &str, index: usize, value: f32) -> Result<(), ModelError> {
        if view != "x" {
            return Err(ModelError::Unsupported(Bilingual::owned(
                format!("view `{view}` cannot be edited; only the input window `x` can"),
                format!("视图 `{view}` 不能编辑；只有输入窗口 `x` 可以"),
            )));
        }
        if index >= self.x.len() {
            return Err(ModelError::Invalid(Bilingual::owned(
                format!(
                    "the input window holds {} x {} values; there is no value {index}",
                    self.length, self.input
                ),
                format!(
                    "输入窗口有 {} x {} 个值；没有第 {index} 个",
                    self.length, self.input
                ),
            )));
        }
        if self.next == 0 {
            if !self.x_fresh {
                self.fill_window();
                self.x_fresh = true;
            }
            self.x[index] = value;
        } else {
            self.x[index] = value;
            for stage in 0..self.next {
                self.run_stage(stage);
            }
        }
        Ok(())
    }

    fn load_weights(&mut self, weights: &Weights) -> Result<(), ModelError> {
        let vb = VarBuilder::from_weights(weights);
        let (fwd, bwd) = Direction::both(self.kind, &vb, self.input, self.hidden)?;
        // Checked before anything changes, so a refused file leaves the
        // model as it was.
        vb.finish()?;
        self.fwd = fwd;
        self.bwd = bwd;
        self.weights_loaded = true;
        let seed = self.seed;
        self.reset(seed);
        Ok(())
    }

    fn status(&self) -> Option<Status> {
        self.overflow.map(|step| Status {
            level: StatusLevel::Warning,
            text: Bilingual::owned(
                format!("overflow at step {step}: the output holds NaN or infinity"),
                format!("第 {step} 步溢出:输出中出现 NaN 或无穷大"),
            ),
        })
    }
}

/// Both directions drawn from `seed`, forwards first.
fn random_directions(
    kind: CellType,
    input: usize,
    hidden: usize,
    seed: u64,
) -> (Direction, Direction) {
    Direction::both(kind, &VarBuilder::seeded(seed), input, hidden)
        .expect("initialising asks for no file, so it cannot fail")
}

fn length_spec() -> ParamSpec {
    ParamSpec {
        name: "length",
        label: Bilingual::new("sequence length", "序列长度"),
        help: Bilingual::new(
            "Time steps in the window read both ways at each step",
            "每一步双向读取的窗口时间步数",
        ),
        kind: ParamKind::Int { min: 1, max: 256 },
        default: ParamValue::Int(8),
        role: Default::default(),
    }
}

fn specs(with_nonlinearity: bool) -> Vec<ParamSpec> {
    let mut specs = recurrent::size_specs(4, 6);
    if with_nonlinearity {
        specs.push(recurrent::nonlinearity_spec());
    }
    specs.push(length_spec());
    specs.extend(recurrent::feed_specs());
    specs
}

fn birnn_params() -> Vec<ParamSpec> {
    specs(true)
}

fn cell_params() -> Vec<ParamSpec> {
    specs(false)
}

fn build_birnn(params: &Params, seed: u64) -> Result<Box<dyn Model>, ModelError> {
    let act = Nonlinearity::parse(params.choice("nonlinearity"))?;
    Ok(Box::new(Bidirectional::new(
        CellType::Rnn(act),
        params,
        seed,
    )))
}

fn build_bilstm(params: &Params, seed: u64) -> Result<Box<dyn Model>, ModelError> {
    Ok(Box::new(Bidirectional::new(CellType::Lstm, params, seed)))
}

fn build_bigru(params: &Params, seed: u64) -> Result<Box<dyn Model>, ModelError> {
    Ok(Box::new(Bidirectional::new(CellType::Gru, params, seed)))
}

pub const BIRNN: ModelSpec = ModelSpec {
    key: "birnn",
    name: Bilingual::new("Bidirectional RNN", "双向循环神经网络"),
    params: birnn_params,
    build: build_birnn,
    params_from_weights: Some(birnn_from_weights),
};

pub const BILSTM: ModelSpec = ModelSpec {
    key: "bilstm",
    name: Bilingual::new("Bidirectional LSTM", "双向长短期记忆网络"),
    params: cell_params,
    build: build_bilstm,
    params_from_weights: Some(bilstm_from_weights),
};

pub const BIGRU: ModelSpec = ModelSpec {
    key: "bigru",
    name: Bilingual::new("Bidirectional GRU", "双向门控循环网络"),
    params: cell_params,
    build: build_bigru,
    params_from_weights: Some(bigru_from_weights),
};

/// `input` and `hidden` from the shape of `weight_ih_l0`; the nonlinearity
/// is not in a `state_dict`, so it stays as set.
fn birnn_from_weights(weights: &Weights) -> Result<Vec<(&'static str, ParamValue)>, ModelError> {
    CellType::Rnn(Nonlinearity::Tanh)
        .sizes(weights)
        .map(recurrent::size_params)
}

fn bilstm_from_weights(weights: &Weights) -> Result<Vec<(&'static str, ParamValue)>, ModelError> {
    CellType::Lstm.sizes(weights).map(recurrent::size_params)
}

fn bigru_from_weights(weights: &Weights) -> Result<Vec<(&'static str, ParamValue)>, ModelError> {
    CellType::Gru.sizes(weights).map(recurrent::size_params)
}
