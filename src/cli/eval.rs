//! `nnzoo eval FIXTURE.json`: computes a PyTorch reference fixture's module
//! with nnzoo, to hold nnzoo against PyTorch.

use super::Failure;
use crate::eval;
use crate::model::weights;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

/// Computes the module a fixture describes from its `params` and `inputs`
/// alone (it never reads `expected`) and prints the computed tensors as one
/// JSON object under the names PyTorch's outputs have in the fixture
/// (`{"h": {"shape": [...], "data": [...]}, ...}`).
///
/// Kinds: rnn_cell, lstm_cell, gru_cell (inputs x [T, B, I], h0 [B, H], and
/// c0 for the LSTM), birnn, bilstm, bigru (x [T, B, I], zero initial state).
#[derive(Debug, Clone, Args)]
pub struct EvalArgs {
    /// The fixture: {"kind", "options", "params", "inputs", ...}.
    #[arg(value_name = "FIXTURE.json")]
    pub fixture: PathBuf,

    /// Take the weights from this file (safetensors or JSON) instead of the
    /// fixture's `params`.
    #[arg(long, value_name = "FILE")]
    pub weights: Option<PathBuf>,
}

pub fn run(args: &EvalArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let path = &args.fixture;
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::bad_input(format!("cannot read {}: {e}", path.display())))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Failure::bad_input(format!("{}: not valid JSON: {e}", path.display())))?;
    let weights = match &args.weights {
        Some(file) => Some(weights::read(file).map_err(|e| Failure::bad_input(e.to_string()))?),
        None => None,
    };
    let outputs = eval::evaluate(&value, weights.as_ref())
        .map_err(|e| Failure::bad_input(format!("{}: {e}", path.display())))?;
    serde_json::to_writer(&mut *out, &eval::to_json(&outputs))
        .map_err(|e| Failure::no(format!("cannot write JSON: {e}")))?;
    writeln!(out)?;
    Ok(())
}
