//! An LSTM cell and a GRU cell side by side: both read the same input at
//! every step and step together, so a person sees how each gates the same
//! sequence.
//!
//! Hochreiter & Schmidhuber, "Long Short-Term Memory", 1997 (with the
//! forget gate of Gers et al., 2000); Cho et al., "Learning Phrase
//! Representations using RNN Encoder-Decoder for Statistical Machine
//! Translation", EMNLP 2014. Each cell computes exactly what it computes
//! alone ([`super::lstm_cell`], [`super::gru_cell`]):
//!
//! ```text
//! LSTM  f, i, o = σ(W [x; h] + b)   g = tanh(...)   c' = f ⊙ c + i ⊙ g   h' = o ⊙ tanh(c')
//! GRU   r, z = σ(W [x; h] + b)      n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
//!       h' = (1 - z) ⊙ n + z ⊙ h
//! ```
//! A step runs the LSTM's six stages; the GRU's four run beside the ones
//! that do the same work (r beside f, z beside i, n beside g, h' beside
//! h'). Weights are the `state_dict` of a module with children `lstm` (an
//! `LSTMCell`) and `gru` (a `GRUCell`); initialised, the LSTM's are drawn
//! first from the seed, as the LSTM alone draws them, then the GRU's.

use super::gru_cell::GruCell;
use super::lstm_cell::LstmCell;
use super::recurrent::{self, Cell, Stepper};
use crate::model::params::{ParamKind, ParamSpec, ParamValue, Params};
use crate::model::{Model, ModelError, View};
use crate::nn::vars::VarBuilder;
use crate::text::Bilingual;
use crate::view::FlowPanel;

/// The stage of the pair at which each GRU stage runs.
const GRU_AT: [usize; 4] = [0, 1, 2, 5];

static STAGES: [Bilingual; 6] = [
    Bilingual::new("LSTM forget gate, GRU reset gate", "LSTM 遗忘门,GRU 重置门"),
    Bilingual::new("LSTM input gate, GRU update gate", "LSTM 输入门,GRU 更新门"),
    Bilingual::new("candidates", "候选值"),
    Bilingual::new("LSTM cell state", "LSTM 细胞状态"),
    Bilingual::new("LSTM output gate", "LSTM 输出门"),
    Bilingual::new("hidden states", "隐藏状态"),
];

/// An LSTM cell and a GRU cell of the same sizes.
#[derive(Clone)]
pub struct Pair {
    pub lstm: LstmCell,
    pub gru: GruCell,
}

impl Pair {
    pub fn new(input: usize, hidden: usize) -> Pair {
        Pair {
            lstm: LstmCell::new(input, hidden),
            gru: GruCell::new(input, hidden),
        }
    }
}

/// The panel's stages traced under `prefix` (`lstm_gate_f`).
fn prefixed(mut panel: FlowPanel, prefix: &str) -> FlowPanel {
    for stage in &mut panel.stages {
        if let Some(name) = &mut stage.name {
            *name = format!("{prefix}{name}");
        }
    }
    panel
}

/// The views of a cell's equations, renamed for the pair.
fn renamed(mut view: View, name: &str, who: &str) -> View {
    view.name = name.to_string();
    view.label = recurrent::labelled(&Bilingual::same(who), &view.label.en, &view.label.zh);
    view
}

impl Cell for Pair {
    fn stages(&self) -> &'static [Bilingual] {
        &STAGES
    }

    fn begin(&mut self, x: &[f32]) {
        self.lstm.begin(x);
        self.gru.begin(x);
    }

    fn run(&mut self, index: usize) {
        self.lstm.run(index);
        if let Some(k) = GRU_AT.iter().position(|&at| at == index) {
            self.gru.run(k);
        }
    }

    fn step(&mut self, x: &[f32]) {
        self.lstm.step(x);
        self.gru.step(x);
    }

    fn restore(&mut self) {
        self.lstm.restore();
        self.gru.restore();
    }

    fn finite(&self) -> bool {
        self.lstm.finite() && self.gru.finite()
    }

    type Weights = (<LstmCell as Cell>::Weights, <GruCell as Cell>::Weights);

    fn weights(&self, vb: &VarBuilder<'_>) -> Result<Self::Weights, ModelError> {
        let lstm = self.lstm.weights(&vb.pp("lstm"))?;
        let gru = self.gru.weights(&vb.pp("gru"))?;
        Ok((lstm, gru))
    }

    fn set_weights(&mut self, (lstm, gru): Self::Weights) {
        self.lstm.set_weights(lstm);
        self.gru.set_weights(gru);
    }

    fn clear(&mut self) {
        self.lstm.clear();
        self.gru.clear();
    }

    fn views(&self, done: usize, current: usize, out: &mut Vec<View>) {
        let lstm = prefixed(
            self.lstm.panel(done, current, Bilingual::same("LSTM")),
            "lstm_",
        );
        // The GRU's stages run so far, and the one run last if it ran at
        // the pair's current stage.
        let gru_done = GRU_AT.iter().filter(|&&at| at < done).count();
        let gru_current = GRU_AT
            .iter()
            .position(|&at| at == current)
            .unwrap_or(usize::MAX);
        let gru = prefixed(
            self.gru
                .panel(gru_done, gru_current, Bilingual::same("GRU")),
            "gru_",
        );
        let mut lstm_sketch = recurrent::sketch(&super::lstm_cell::DIAGRAM, &lstm);
        lstm_sketch.name = "lstm_diagram".into();
        lstm_sketch.label = Bilingual::new("LSTM", "LSTM");
        let mut gru_sketch = recurrent::sketch(&super::gru_cell::DIAGRAM, &gru);
        gru_sketch.name = "gru_diagram".into();
        gru_sketch.label = Bilingual::new("GRU", "GRU");
        out.push(lstm_sketch);
        out.push(gru_sketch);
        out.push(recurrent::flow(vec![lstm, gru]));
        out.extend(self.lstm.histories("lstm_", Bilingual::same("LSTM")));
        out.push(self.gru.history("gru_", Bilingual::same("GRU")));
        out.push(renamed(
            self.lstm.equations(done, current),
            "lstm_equations",
            "LSTM",
        ));
        out.push(renamed(
            self.gru.equations(gru_done, gru_done.saturating_sub(1)),
            "gru_equations",
            "GRU",
        ));
    }
}

/// The `compare` parameter of the LSTM and GRU cells.
pub fn compare_spec() -> ParamSpec {
    ParamSpec {
        name: "compare",
        label: Bilingual::new("compare LSTM and GRU", "对照 LSTM 与 GRU"),
        help: Bilingual::new(
            "on: an LSTM cell and a GRU cell of the same sizes side by side, fed the same input \
             and stepping together",
            "on:同样大小的 LSTM 单元与 GRU 单元并排,输入相同,一起走",
        ),
        kind: ParamKind::Choice(&["off", "on"]),
        default: ParamValue::Choice("off"),
        role: Default::default(),
    }
}

/// The parameters of the LSTM and GRU cells.
pub fn params() -> Vec<ParamSpec> {
    let mut specs = recurrent::size_specs(4, 8);
    specs.extend(recurrent::feed_specs());
    specs.push(compare_spec());
    specs
}

/// A model of the cell `cell(input, hidden)` makes, or of the pair when
/// the parameters ask for it.
pub fn build<C: Cell>(
    params: &Params,
    seed: u64,
    cell: fn(usize, usize) -> C,
) -> Result<Box<dyn Model>, ModelError> {
    let input = recurrent::size(params, "input");
    let hidden = recurrent::size(params, "hidden");
    if params.choice("compare") == "on" {
        let pair = Pair::new(input, hidden);
        return Ok(Box::new(Stepper::new(pair, params, input, seed)));
    }
    Ok(Box::new(Stepper::new(
        cell(input, hidden),
        params,
        input,
        seed,
    )))
}
