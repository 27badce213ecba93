//! What the cells that read one input vector per step share: feeding the
//! input, running stage by stage or a whole step at once, remembering the
//! last steps, noticing an overflow, and reading their sizes from a file of
//! weights.
//!
//! A cell file implements [`Cell`] (its weights, state and stage functions);
//! [`Stepper`] turns it into a [`Model`]. The stage functions are the same
//! ones the whole-step fast path calls, in the same order, so stepping stage
//! by stage and stepping at once give the same bits.

use super::inputs::{self, Feed};
use crate::kernels::Packed;
use crate::model::params::{ParamKind, ParamSpec, ParamValue, Params};
use crate::model::{Model, ModelError, Status, StatusLevel, View, ViewContent, Weights};
use crate::nn::vars::{Init, VarBuilder};
use crate::text::Bilingual;
use crate::view::{Flow, FlowPanel, FlowStage, History, Sketch};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

/// Steps kept for the history views.
pub const HISTORY: usize = 64;

/// The part of a model that differs from cell to cell.
pub trait Cell: Clone + Send + 'static {
    /// The stages of one step, in order.
    fn stages(&self) -> &'static [Bilingual];

    /// Starts a step on input `x`: keeps what a redo needs and computes the
    /// projections all stages read.
    fn begin(&mut self, x: &[f32]);

    /// Runs stage `index` of the step begun last.
    fn run(&mut self, index: usize);

    /// A whole step on input `x`: `begin` then every stage, without the
    /// per-stage bookkeeping.
    fn step(&mut self, x: &[f32]);

    /// Undoes the stages run since `begin` (to redo them after an edit).
    fn restore(&mut self);

    /// Whether the state and the weighted sums that led to it are finite.
    fn finite(&self) -> bool;

    /// The cell's weights, arranged for its step.
    type Weights: Clone + Send + 'static;

    /// Weights of this cell's sizes from `vb`: trained ones by their PyTorch
    /// `state_dict` names, or PyTorch's default initialisation.
    fn weights(&self, vb: &VarBuilder<'_>) -> Result<Self::Weights, ModelError>;

    /// Takes `weights` (of this cell's sizes) and starts from a zero state.
    fn set_weights(&mut self, weights: Self::Weights);

    /// A zero state and history, the weights kept.
    fn clear(&mut self);

    /// The cell's views after the input's; `done` stages of the current
    /// step have their numbers, `current` is the equation line to highlight.
    fn views(&self, done: usize, current: usize, out: &mut Vec<View>);
}

/// A [`Cell`] fed from a built-in input sequence, as a [`Model`].
#[derive(Clone)]
pub struct Stepper<C: Cell> {
    cell: C,
    params: Params,
    seed: u64,
    feed: Feed,
    x: Vec<f32>,
    /// `x` holds the input for the step about to start (after a reset or an
    /// edit) rather than the one of the step just done.
    x_fresh: bool,
    /// The time step of the sequence `x` was filled from.
    x_t: u64,
    /// The components of `x` a person has set since it was filled.
    edited: Vec<usize>,
    steps: u64,
    next: usize,
    overflow: Option<u64>,
    weights_loaded: bool,
}

impl<C: Cell> Stepper<C> {
    /// A model of `cell` reading `input` values per step from the
    /// `sequence` and `word` parameters, with weights from `seed`.
    pub fn new(cell: C, params: &Params, input: usize, seed: u64) -> Stepper<C> {
        let feed = Feed::new(params.choice("sequence"), params.text("word"), input);
        let mut stepper = Stepper {
            cell,
            params: params.clone(),
            seed,
            feed,
            x: vec![0.0; input],
            x_fresh: true,
            x_t: 0,
            edited: Vec::new(),
            steps: 0,
            next: 0,
            overflow: None,
            weights_loaded: false,
        };
        stepper.reset(seed);
        stepper
    }

    pub fn cell(&self) -> &C {
        &self.cell
    }

    /// The input of the step in progress or just done.
    pub fn input(&self) -> &[f32] {
        &self.x
    }

    fn next_input(&mut self) {
        if !self.x_fresh {
            self.fill(self.steps);
        }
        self.x_fresh = false;
    }

    /// `x` from the sequence at time step `t`.
    fn fill(&mut self, t: u64) {
        self.feed.fill(self.seed, t, &mut self.x);
        self.x_t = t;
        self.edited.clear();
    }

    /// The input view: its values, named by the sequence and its place in
    /// it, and which components a person set.
    pub fn input_view(&self) -> View {
        let what = inputs::describe(
            self.params.choice("sequence"),
            self.params.text("word"),
            self.x_t,
        );
        let (mut en, mut zh) = (
            format!("input x: {}", what.en),
            format!("输入 x:{}", what.zh),
        );
        if !self.edited.is_empty() {
            let list: Vec<String> = self.edited.iter().map(usize::to_string).collect();
            en.push_str(&format!(", edited {}", list.join(" ")));
            zh.push_str(&format!(",已修改 {}", list.join(" ")));
        }
        View::new(
            "x",
            Bilingual::owned(en, zh),
            ViewContent::vector(self.x.clone(), symmetric_range(&self.x)),
        )
        .editable()
    }

    fn finish_step(&mut self) {
        self.next = 0;
        self.steps += 1;
        if self.overflow.is_none() && !self.cell.finite() {
            self.overflow = Some(self.steps);
        }
    }
}

impl<C: Cell> Model for Stepper<C> {
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
        if self.weights_loaded {
            self.cell.clear();
        } else {
            let weights = self
                .cell
                .weights(&VarBuilder::seeded(seed))
                .expect("initialising asks for no file, so it cannot fail");
            self.cell.set_weights(weights);
        }
        self.steps = 0;
        self.next = 0;
        self.overflow = None;
        self.fill(0);
        self.x_fresh = true;
    }

    fn stage_count(&self) -> usize {
        self.cell.stages().len()
    }

    fn stage_label(&self, index: usize) -> Bilingual {
        self.cell.stages().get(index).cloned().unwrap_or_default()
    }

    fn next_stage(&self) -> usize {
        self.next
    }

    fn steps_done(&self) -> u64 {
        self.steps
    }

    fn stage(&mut self) {
        if self.next == 0 {
            self.next_input();
            self.cell.begin(&self.x);
        }
        self.cell.run(self.next);
        self.next += 1;
        if self.next == self.stage_count() {
            self.finish_step();
        }
    }

    fn step(&mut self) {
        if self.next != 0 {
            while self.next != 0 {
                self.stage();
            }
            return;
        }
        self.next_input();
        self.cell.step(&self.x);
        self.finish_step();
    }

    fn views(&self) -> Vec<View> {
        let count = self.stage_count();
        let (done, current) = if self.next > 0 {
            (self.next, self.next - 1)
        } else if self.steps > 0 {
            (count, count - 1)
        } else {
            (0, 0)
        };
        let mut views = vec![self.input_view()];
        self.cell.views(done, current, &mut views);
        views
    }

    fn edit(&mut self, view: &str, index: usize, value: f32) -> Result<(), ModelError> {
        if view != "x" {
            return Err(ModelError::Unsupported(Bilingual::owned(
                format!("view `{view}` cannot be edited; only the input `x` can"),
                format!("视图 `{view}` 不能编辑；只有输入 `x` 可以"),
            )));
        }
        if index >= self.x.len() {
            return Err(ModelError::Invalid(Bilingual::owned(
                format!(
                    "input x has {} values; there is no value {index}",
                    self.x.len()
                ),
                format!("输入 x 有 {} 个值；没有第 {index} 个", self.x.len()),
            )));
        }
        if !self.edited.contains(&index) {
            self.edited.push(index);
            self.edited.sort_unstable();
        }
        if self.next == 0 {
            // The edit is for the step about to start, which is fed the
            // input on screen: the other components stay where they are.
            self.x_fresh = true;
            self.x[index] = value;
        } else {
            // Mid-step: redo the stages already run with the edited input.
            self.x[index] = value;
            let target = self.next;
            self.cell.restore();
            self.cell.begin(&self.x);
            for stage in 0..target {
                self.cell.run(stage);
            }
        }
        Ok(())
    }

    fn load_weights(&mut self, weights: &Weights) -> Result<(), ModelError> {
        let vb = VarBuilder::from_weights(weights);
        let loaded = self.cell.weights(&vb)?;
        // Checked before anything changes, so a refused file leaves the
        // model as it was.
        vb.finish()?;
        self.cell.set_weights(loaded);
        self.weights_loaded = true;
        let seed = self.seed;
        self.reset(seed);
        Ok(())
    }

    fn status(&self) -> Option<Status> {
        self.overflow.map(|step| Status {
            level: StatusLevel::Warning,
            text: Bilingual::owned(
                format!(
                    "overflow at step {step}: the state or its weighted sums hold NaN or infinity"
                ),
                format!("第 {step} 步溢出:状态或加权和中出现 NaN 或无穷大"),
            ),
        })
    }
}

/// A ring of the last [`HISTORY`] vectors of one size: `[HISTORY, width]`,
/// row `head` written next.
#[derive(Debug, Clone)]
pub struct Ring {
    rows: Array2<f32>,
    len: usize,
    head: usize,
    /// Rows pushed since the last clear: the step number of the latest.
    pushed: u64,
}

impl Ring {
    pub fn new(width: usize) -> Ring {
        Ring {
            rows: Array2::zeros((HISTORY, width)),
            len: 0,
            head: 0,
            pushed: 0,
        }
    }

    pub fn clear(&mut self) {
        self.len = 0;
        self.head = 0;
        self.pushed = 0;
    }

    /// Whether no row was pushed since the last clear.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn push(&mut self, row: ArrayView1<'_, f32>) {
        let mut slot = self.rows.row_mut(self.head);
        // A copy of the slices: ndarray's `assign` costs more than the copy
        // at a cell's sizes, and this runs at every step.
        match (slot.as_slice_mut(), row.as_slice()) {
            (Some(slot), Some(row)) => slot.copy_from_slice(row),
            _ => slot.assign(&row),
        }
        self.head = (self.head + 1) % HISTORY;
        self.len = (self.len + 1).min(HISTORY);
        self.pushed += 1;
    }

    /// The rows kept, oldest first, row-major.
    pub fn oldest_first(&self) -> Vec<f32> {
        let first = (self.head + HISTORY - self.len) % HISTORY;
        (0..self.len)
            .flat_map(|k| self.rows.row((first + k) % HISTORY))
            .copied()
            .collect()
    }

    /// A history view of the rows kept. It stays out of the JSON trace,
    /// whose earlier lines hold the same states.
    pub fn view(&self, name: &str, label: Bilingual, range: (f32, f32)) -> View {
        View::new(
            name,
            label,
            ViewContent::History(History {
                rows: self.len,
                cols: self.rows.ncols(),
                values: self.oldest_first(),
                range,
                first: self.pushed + 1 - self.len as u64,
            }),
        )
        .untraced()
    }
}

/// `(input, hidden)` read from the shape `[gates * hidden, input]` of the
/// cell's tensor `name` (`weight_ih`), as a `state_dict` of a PyTorch
/// recurrent cell with `gates` row blocks (1 RNN, 3 GRU, 4 LSTM) holds it.
pub fn sizes_from_weights(
    weights: &Weights,
    name: &str,
    gates: usize,
) -> Result<(usize, usize), ModelError> {
    let expected = if gates == 1 {
        "[hidden, input]".to_string()
    } else {
        format!("[{gates} * hidden, input]")
    };
    let shape = VarBuilder::from_weights(weights)
        .shape_of(name)
        .ok_or_else(|| {
            ModelError::Weights(format!(
                "missing tensor `{name}` (expected shape {expected}); found: {}",
                if weights.is_empty() {
                    "no tensors".to_string()
                } else {
                    weights.keys().cloned().collect::<Vec<_>>().join(", ")
                }
            ))
        })?;
    match *shape {
        [rows, input] if rows > 0 && rows % gates == 0 && input > 0 => Ok((input, rows / gates)),
        _ => Err(ModelError::Weights(format!(
            "tensor `{name}` has shape {shape:?}, expected {expected}"
        ))),
    }
}

/// The `input` and `hidden` parameters for sizes read from a file.
pub fn size_params((input, hidden): (usize, usize)) -> Vec<(&'static str, ParamValue)> {
    vec![
        ("input", ParamValue::Int(input as i64)),
        ("hidden", ParamValue::Int(hidden as i64)),
    ]
}

/// PyTorch's default initialisation bound for a recurrent cell's tensors,
/// 1/sqrt(hidden).
pub fn init_bound(hidden: usize) -> f32 {
    1.0 / (hidden as f32).sqrt()
}

/// The four tensors of a PyTorch recurrent cell with `gates` row blocks
/// (1 RNN, 3 GRU, 4 LSTM): `weight_ih` `[gates * H, I]`, `weight_hh`
/// `[gates * H, H]`, `bias_ih` and `bias_hh` `[gates * H]`.
pub struct Tensors {
    pub w_ih: Array2<f32>,
    pub w_hh: Array2<f32>,
    pub b_ih: Array1<f32>,
    pub b_hh: Array1<f32>,
}

/// The tensors of a cell of `input` and `hidden` values from `vb`, by the
/// `state_dict` names with `suffix` (`""` for a cell, `"_l0"` and
/// `"_l0_reverse"` for a bidirectional layer); initialised as PyTorch
/// does, U(-1/sqrt(H), 1/sqrt(H)) for every tensor, drawn in `state_dict`
/// order.
pub fn tensors(
    vb: &VarBuilder<'_>,
    input: usize,
    hidden: usize,
    gates: usize,
    suffix: &str,
) -> Result<Tensors, ModelError> {
    let init = Init::Uniform(init_bound(hidden));
    let rows = gates * hidden;
    Ok(Tensors {
        w_ih: vb.get2(&format!("weight_ih{suffix}"), (rows, input), init)?,
        w_hh: vb.get2(&format!("weight_hh{suffix}"), (rows, hidden), init)?,
        b_ih: vb.get1(&format!("bias_ih{suffix}"), rows, init)?,
        b_hh: vb.get1(&format!("bias_hh{suffix}"), rows, init)?,
    })
}

/// `W_ih` `[rows, input]` and `W_hh` `[rows, hidden]` side by side as one
/// `[rows, input + hidden]` matrix, packed for the kernels, so that one pass
/// over `[x; h]` computes `W_ih x + W_hh h`.
pub fn fuse(w_ih: ArrayView2<'_, f32>, w_hh: ArrayView2<'_, f32>) -> Packed {
    let fused = ndarray::concatenate(Axis(1), &[w_ih, w_hh])
        .expect("both have the cell's gate rows: the builder checked their shapes");
    Packed::from_array(fused.view())
}

/// `(-m, m)` with m the larger of 1 and the largest finite magnitude rounded
/// up, so bars of unbounded states keep a readable scale.
pub fn symmetric_range<'a>(values: impl Into<ArrayView1<'a, f32>>) -> (f32, f32) {
    let m = values
        .into()
        .iter()
        .filter(|v| v.is_finite())
        .fold(1.0f32, |m, v| m.max(v.abs()))
        .ceil();
    (-m, m)
}

/// The values of a 1-d array a cell keeps (owned, or a slice of a gate
/// block), for the views that read slices.
pub fn values<'a>(array: ArrayView1<'a, f32>) -> &'a [f32] {
    array
        .to_slice()
        .expect("a cell's vectors and their blocks are contiguous")
}

/// The values of a vector for an equation line, `[0.52 0.47 …]`: up to
/// as many as a wide screen shows (the equations view cuts the line to
/// the width it has).
pub fn numbers(values: &[f32]) -> String {
    const SHOWN: usize = 16;
    let mut s = String::from("[");
    for (i, v) in values.iter().take(SHOWN).enumerate() {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(&format!("{v:.2}"));
    }
    if values.len() > SHOWN {
        s.push_str(" …");
    }
    s.push(']');
    s
}

/// An equations view: `lines[k]` gets its numbers when stage k is done.
pub fn equations(lines: &[(&str, &[f32])], done: usize, current: usize) -> View {
    let lines = lines
        .iter()
        .enumerate()
        .map(|(k, (text, values))| {
            if k < done {
                format!("{text} = {}", numbers(values))
            } else {
                (*text).to_string()
            }
        })
        .collect();
    View::new(
        "equations",
        Bilingual::new("equations", "公式"),
        ViewContent::equations(lines, Some(current)),
    )
}

/// A vector view.
pub fn vector<'a>(
    name: &str,
    label: Bilingual,
    values: impl Into<ArrayView1<'a, f32>>,
    range: (f32, f32),
) -> View {
    View::new(
        name,
        label,
        ViewContent::vector(values.into().to_vec(), range),
    )
}

/// The `input` and `hidden` size parameters and the input feeding ones.
pub fn size_specs(input_default: i64, hidden_default: i64) -> Vec<ParamSpec> {
    vec![
        ParamSpec {
            name: "input",
            label: Bilingual::new("input size", "输入维度"),
            help: Bilingual::new(
                "Number of values fed in per step (input_size)",
                "每步输入的数值个数(input_size)",
            ),
            kind: ParamKind::Int { min: 1, max: 1024 },
            default: ParamValue::Int(input_default),
            role: Default::default(),
        },
        ParamSpec {
            name: "hidden",
            label: Bilingual::new("hidden size", "隐藏维度"),
            help: Bilingual::new(
                "Number of values in the hidden state (hidden_size)",
                "隐藏状态的数值个数(hidden_size)",
            ),
            kind: ParamKind::Int { min: 1, max: 1024 },
            default: ParamValue::Int(hidden_default),
            role: Default::default(),
        },
    ]
}

/// The `nonlinearity` parameter of the plain recurrent cells.
pub fn nonlinearity_spec() -> ParamSpec {
    ParamSpec {
        name: "nonlinearity",
        label: Bilingual::new("nonlinearity", "非线性函数"),
        help: Bilingual::new(
            "The activation applied to the weighted sum: tanh or relu",
            "作用于加权和的激活函数:tanh 或 relu",
        ),
        kind: ParamKind::Choice(&["tanh", "relu"]),
        default: ParamValue::Choice("tanh"),
        role: Default::default(),
    }
}

/// The input feeding parameters every stepped cell takes.
pub fn feed_specs() -> Vec<ParamSpec> {
    vec![inputs::sequence_spec(), inputs::word_spec()]
}

/// A size parameter as `usize` (bounds make it positive).
pub fn size(params: &Params, name: &str) -> usize {
    params.int(name).max(1) as usize
}

/// The mean, least and greatest of the finite values, if any.
pub fn spread(values: &[f32]) -> Option<(f32, f32, f32)> {
    let finite: Vec<f32> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if finite.is_empty() {
        return None;
    }
    let mean = finite.iter().sum::<f32>() / finite.len() as f32;
    let lo = finite.iter().copied().fold(f32::INFINITY, f32::min);
    let hi = finite.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    Some((mean, lo, hi))
}

/// A fraction as a whole percentage: `44%`.
fn percent(v: f32) -> String {
    format!("{}%", (v * 100.0).round() as i64)
}

/// Where a stage of the step under way stands, for its line in a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Nothing computed since the reset: the values are zeros.
    Fresh,
    /// Not yet run in this step: the values are the last step's.
    Pending,
    /// Run in this step (`current`: the stage run last).
    Done { current: bool },
}

impl Progress {
    /// The state a step starts from, there from the step's start: fresh
    /// before any stage has run.
    pub fn before(done: usize) -> Progress {
        if done == 0 {
            Progress::Fresh
        } else {
            Progress::Done { current: false }
        }
    }

    /// Stage `index` of a step with `done` stages run, `current` the last;
    /// `stepped` whether a whole step was done before (else a stage not yet
    /// run holds zeros, not the last step's values).
    pub fn of(index: usize, done: usize, current: usize, stepped: bool) -> Progress {
        if index < done {
            Progress::Done {
                current: index == current,
            }
        } else if stepped {
            Progress::Pending
        } else {
            Progress::Fresh
        }
    }
}

/// How a sentence in a flow speaks of the values it describes.
pub enum Note {
    /// A gate in 0..1: `(mean as a percentage, the units' spread)` fills
    /// the sentence, e.g. "keeps 44% of the old cell state".
    Gate(fn(&str) -> String, fn(&str) -> String),
    /// A signed vector: its range fills the sentence.
    Span(fn(&str) -> String, fn(&str) -> String),
}

/// The sentence that says what `values` do now, in both languages.
pub fn note(note: &Note, values: &[f32], progress: Progress) -> Bilingual {
    if progress == Progress::Fresh {
        return Bilingual::new(
            "not computed yet: step with n, or one stage with m",
            "尚未计算:按 n 走一步,或按 m 走一个阶段",
        );
    }
    let Some((mean, lo, hi)) = spread(values) else {
        return Bilingual::new("no finite values", "没有有限的数值");
    };
    let (en, zh) = match note {
        Note::Gate(en, zh) => {
            let mean = percent(mean);
            let units = if values.len() > 1 && lo < hi {
                (
                    format!(" (units {}..{})", percent(lo), percent(hi)),
                    format!("(各单元 {}..{})", percent(lo), percent(hi)),
                )
            } else {
                (String::new(), String::new())
            };
            (
                format!("{}{}", en(&mean), units.0),
                format!("{}{}", zh(&mean), units.1),
            )
        }
        Note::Span(en, zh) => {
            let span = format!("{lo:+.2}..{hi:+.2}");
            (en(&span), zh(&span))
        }
    };
    match progress {
        Progress::Pending => Bilingual::owned(format!("last step: {en}"), format!("上一步:{zh}")),
        _ => Bilingual::owned(en, zh),
    }
}

/// One stage of a cell's flow.
pub struct StageSpec<'a> {
    /// Its key in the JSON trace, if it goes there.
    pub name: Option<&'a str>,
    pub symbol: &'a str,
    pub label: Bilingual,
    pub values: &'a [f32],
    pub range: (f32, f32),
    pub note: Note,
}

/// A flow stage from its spec and where the step stands.
pub fn flow_stage(spec: StageSpec<'_>, progress: Progress) -> FlowStage {
    FlowStage {
        name: spec.name.map(str::to_string),
        symbol: spec.symbol.to_string(),
        note: note(&spec.note, spec.values, progress),
        label: spec.label,
        values: spec.values.to_vec(),
        range: spec.range,
        current: progress == Progress::Done { current: true },
        pending: matches!(progress, Progress::Pending | Progress::Fresh),
    }
}

/// A gate's line in a flow: its values in 0..1, traced as `name`.
pub fn gate_stage(
    name: &str,
    symbol: &str,
    label: Bilingual,
    values: &[f32],
    note: Note,
    progress: Progress,
) -> FlowStage {
    let spec = StageSpec {
        name: Some(name),
        symbol,
        label,
        values,
        range: (0.0, 1.0),
        note,
    };
    flow_stage(spec, progress)
}

/// The symbols to pick out in a cell's diagram: those of the stage run last.
pub fn marked(panel: &FlowPanel) -> Vec<String> {
    panel
        .stages
        .iter()
        .filter(|s| s.current)
        .map(|s| s.symbol.clone())
        .collect()
}

/// A cell's diagram as a view.
pub fn sketch(lines: &[&str], panel: &FlowPanel) -> View {
    View::new(
        "diagram",
        Bilingual::new("the cell", "细胞结构"),
        ViewContent::Sketch(Sketch {
            lines: lines.iter().map(|l| l.to_string()).collect(),
            marked: marked(panel),
        }),
    )
}

/// The views of a cell standing alone: its diagram with the stage run last
/// picked out, its step as the data flows, its states over time and its
/// equations.
pub fn cell_views(
    diagram: &[&str],
    panel: FlowPanel,
    histories: impl IntoIterator<Item = View>,
    equations: View,
    out: &mut Vec<View>,
) {
    out.push(sketch(diagram, &panel));
    out.push(flow(vec![panel]));
    out.extend(histories);
    out.push(equations);
}

/// A flow view of the panels.
pub fn flow(panels: Vec<FlowPanel>) -> View {
    View::new(
        "flow",
        Bilingual::new("the step, as the data flows", "一步的计算,按数据流向"),
        ViewContent::Flow(Flow { panels }),
    )
}

/// A history's label: `hidden state h over time`, or beside another cell
/// the short `LSTM h over time`, which fits half a narrow screen.
pub fn history_label(who: &Bilingual, state: &str, en: &str, zh: &str) -> Bilingual {
    if who.en.is_empty() {
        Bilingual::owned(
            format!("{en} {state} over time"),
            format!("{zh} {state} 随时间变化"),
        )
    } else {
        Bilingual::owned(
            format!("{} {state} over time", who.en),
            format!("{} {state} 随时间变化", who.zh),
        )
    }
}

/// A label, after `who` (`LSTM: `) when a cell stands beside another.
pub fn labelled(who: &Bilingual, en: &str, zh: &str) -> Bilingual {
    if who.en.is_empty() {
        Bilingual::owned(en, zh)
    } else {
        Bilingual::owned(format!("{}: {en}", who.en), format!("{}:{zh}", who.zh))
    }
}
