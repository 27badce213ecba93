//! `nnzoo eval FIXTURE.json`: computes a PyTorch reference fixture's module
//! with nnzoo, to hold nnzoo against PyTorch.

use super::Failure;
use crate::eval;
use crate::files::{MAX_FILE_BYTES, read_capped};
use crate::model::weights;
use crate::text::escape_controls;
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

    /// Compare with the fixture's `expected` instead of printing: the
    /// largest error of every tensor, relative to max(1, max |expected|);
    /// the exit code is 1 if one is above --tolerance.
    #[arg(long)]
    pub check: bool,

    /// With --check: the largest relative error allowed.
    #[arg(long, default_value_t = 1e-5, requires = "check")]
    pub tolerance: f64,
}

pub fn run(args: &EvalArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let path = &args.fixture;
    let shown = escape_controls(&path.display().to_string()).into_owned();
    let bytes = read_capped(path, MAX_FILE_BYTES).map_err(Failure::bad_input)?;
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| Failure::bad_input(format!("{shown}: not valid JSON: {e}")))?;
    let weights = match &args.weights {
        Some(file) => Some(weights::read(file).map_err(|e| Failure::bad_input(e.to_string()))?),
        None => None,
    };
    let outputs = eval::evaluate(&value, weights.as_ref())
        .map_err(|e| Failure::bad_input(format!("{shown}: {}", escape_controls(&e.to_string()))))?;
    if args.check {
        return check(&value, &outputs, args.tolerance, &shown, out);
    }
    serde_json::to_writer(&mut *out, &eval::to_json(&outputs)).map_err(Failure::from_json)?;
    writeln!(out)?;
    Ok(())
}

/// Prints every expected tensor's largest error against what nnzoo computed.
fn check(
    fixture: &serde_json::Value,
    outputs: &eval::Outputs,
    tolerance: f64,
    shown: &str,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let rows = eval::compare(fixture, outputs)
        .map_err(|e| Failure::bad_input(format!("{shown}: {}", escape_controls(&e.to_string()))))?;
    let width = rows.iter().map(|r| r.name.len()).max().unwrap_or(0);
    let mut failed = 0;
    for row in &rows {
        let verdict = match row.error {
            Some(e) if e <= tolerance => "ok",
            _ => {
                failed += 1;
                "FAIL"
            }
        };
        let error = match row.error {
            Some(e) => format!("{e:.2e}"),
            None => row.problem.clone(),
        };
        writeln!(
            out,
            "{:<width$}  {:<16}  {error:>10}  {verdict}",
            escape_controls(&row.name),
            format!("{:?}", row.shape)
        )?;
    }
    writeln!(
        out,
        "{}, {failed} above {tolerance:e} (error relative to max(1, max |expected|))",
        crate::text::count(rows.len() as u64, "tensor", "tensors")
    )?;
    if failed > 0 {
        Err(Failure::no(String::new()))
    } else {
        Ok(())
    }
}
