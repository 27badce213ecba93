//! `nnzoo run QUERY`: runs an entry's model headless, for scripts, tests and
//! timing.

use super::{Failure, load, runnable, show, warn_problems};
use crate::catalogue::Catalogue;
use crate::kernels::Level;
use crate::model::{self, Model, ModelSpec, Params, view::trace_line, weights};
use crate::text::escape_controls;
use clap::Args;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Runs the model of an entry without the terminal interface.
///
/// QUERY is an entry as `nnzoo show` finds it (LSTM, gru-cell, 双向) or a
/// model key (lstm_cell). With --json, one JSON line per step holds every
/// named state, input and gate of the model, the step number and the stage;
/// the same arguments always print the same bytes. Without it, only a short
/// summary is printed, so that `time nnzoo run ...` measures the model.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// The entry (or model key) to run.
    #[arg(required = true, num_args = 1.., value_name = "QUERY")]
    pub query: Vec<String>,

    /// How many steps to run.
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub steps: u64,

    /// The seed of the random weights (and of the noise input); 1, as in
    /// the lab, so the trace matches the numbers on screen.
    #[arg(long, default_value_t = crate::tui::app::LAB_SEED, value_name = "S")]
    pub seed: u64,

    /// Set a model parameter, e.g. --set hidden=128 (repeatable; `nnzoo run
    /// QUERY --set help=` lists them).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,

    /// Trained weights: a safetensors file as PyTorch's
    /// `safetensors.torch.save_file(module.state_dict(), FILE)` writes it,
    /// or the same tensors in JSON. The sizes are read from the file (a
    /// --set that disagrees with it is an error).
    #[arg(long, value_name = "FILE")]
    pub weights: Option<PathBuf>,

    /// Your own data set, for a model that learns from one: a CSV of numbers
    /// with a header row and the class label in the last column (the same
    /// as --set data=file --set file=FILE).
    #[arg(long, value_name = "FILE.csv")]
    pub data: Option<PathBuf>,

    /// Print one JSON line per step with every state, input and gate.
    #[arg(long)]
    pub json: bool,

    /// With --json, print a line after every stage (gate by gate), not only
    /// after every step.
    #[arg(long, requires = "json")]
    pub stages: bool,
}

pub fn run(args: &RunArgs, zoo: Option<&Path>, out: &mut dyn Write) -> Result<(), Failure> {
    let catalogue = load(zoo)?.with_controls_visible();
    warn_problems(&catalogue);
    let query = args.query.join(" ");
    let (spec, name) = resolve(&catalogue, &query)?;
    let mut params = spec.default_params();
    if args
        .set
        .iter()
        .any(|assignment| assignment.trim_end_matches('=').trim() == "help")
    {
        return describe_params(spec, &params, out);
    }
    if let Some(file) = &args.data {
        if params.get("file").is_none() {
            return Err(Failure::bad_input(format!(
                "--data: {} learns from no data set",
                spec.key
            )));
        }
        let path = file.to_string_lossy();
        params
            .set("data", "file")
            .and_then(|()| params.set("file", &path))
            .map_err(|e| Failure::bad_input(format!("--data: {e}")))?;
    }
    for assignment in &args.set {
        params.assign(assignment).map_err(|e| {
            Failure::bad_input(format!("--set {}: {e}", escape_controls(assignment)))
        })?;
    }
    let weights = match &args.weights {
        Some(path) => Some(weights::read(path).map_err(|e| Failure::bad_input(e.to_string()))?),
        None => None,
    };
    // The sizes a file fixes are read from it, so that a person need not
    // repeat them with --set; a --set that says otherwise is refused below,
    // after loading has named the tensor that disagrees.
    let mut disagreements = Vec::new();
    let mut read_from_file = Vec::new();
    if let (Some(weights), Some(path)) = (&weights, &args.weights) {
        let from_file =
            |e: model::ModelError| Failure::bad_input(format!("--weights {}: {e}", shown(path)));
        if let Some(read_params) = spec.params_from_weights {
            for (name, value) in read_params(weights).map_err(from_file)? {
                if set_explicitly(&args.set, name) {
                    if params.get(name) != Some(&value) {
                        let set = params.get(name).map(|v| v.to_string()).unwrap_or_default();
                        disagreements.push(format!(
                            "--set {name}={set} disagrees with --weights {}, whose tensors have {name}={value}",
                            shown(path)
                        ));
                    }
                } else {
                    read_from_file.push(format!("{name}={value}"));
                    params.set(name, &value.to_string()).map_err(|e| {
                        Failure::bad_input(format!(
                            "--weights {}: its tensors have {name}={value}, which {spec_key} cannot take: {e}",
                            shown(path),
                            spec_key = spec.key
                        ))
                    })?;
                }
            }
        }
    }
    let mut model = (spec.build)(&params, args.seed)
        .map_err(|e| Failure::bad_input(format!("{}: {e}", spec.key)))?;
    if let (Some(weights), Some(path)) = (&weights, &args.weights) {
        let loaded = model.load_weights(weights);
        if !disagreements.is_empty() {
            let mut message = disagreements.join("; ");
            if let Err(e) = loaded {
                message.push_str(&format!(": {e}"));
            }
            return Err(Failure::bad_input(message));
        }
        loaded.map_err(|e| {
            let sizes = if read_from_file.is_empty() {
                String::new()
            } else {
                format!(" (sizes read from it: {})", read_from_file.join(" "))
            };
            Failure::bad_input(format!("--weights {}{sizes}: {e}", shown(path)))
        })?;
    }
    let mut out = BufWriter::with_capacity(1 << 16, out);
    if args.stages {
        warn_stages_size(model.as_ref(), args);
    }
    if args.json {
        trace(model.as_mut(), args, &mut out)?;
    } else {
        summary(model.as_mut(), args, &name, &mut out)?;
    }
    out.flush()?;
    Ok(())
}

/// `path` as a terminal may show it.
fn shown(path: &Path) -> String {
    escape_controls(&path.display().to_string()).into_owned()
}

/// Lists the model's parameters (`--set help=`): name, default, what it
/// does and the values it takes.
fn describe_params(spec: &ModelSpec, params: &Params, out: &mut dyn Write) -> Result<(), Failure> {
    writeln!(out, "parameters of {} (--set NAME=VALUE):", spec.key)?;
    for param in params.specs() {
        writeln!(
            out,
            "  {}={}  {} ({})",
            param.name,
            param.default,
            param.help.en,
            param.allowed()
        )?;
    }
    Ok(())
}

/// Above this many bytes, `--stages` says first how much it will print.
const STAGES_WARNING_BYTES: u64 = 100 << 20;

/// Warns on stderr when `--stages` is about to print a lot: one JSON line
/// per stage, each about as long as the model's state written out, so a
/// large model run for many steps can fill a disk.
fn warn_stages_size(model: &dyn Model, args: &RunArgs) {
    let line = serde_json::to_vec(&trace_line(model.steps_done(), "", &model.views()))
        .map_or(0, |line| line.len() as u64 + 1);
    let lines = args.steps.saturating_mul(model.stage_count() as u64);
    let total = lines.saturating_mul(line);
    if total > STAGES_WARNING_BYTES {
        eprintln!(
            "nnzoo: warning: --stages will print {lines} lines of about {} each, about {} in all",
            human_bytes(line),
            human_bytes(total)
        );
    }
}

/// "12.3 MB", "4.0 GB".
fn human_bytes(bytes: u64) -> String {
    let units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < units.len() {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{value:.1} {}", units[unit])
    }
}

/// Whether `--set NAME=...` was given for `name`.
fn set_explicitly(assignments: &[String], name: &str) -> bool {
    assignments
        .iter()
        .any(|a| a.split_once('=').is_some_and(|(n, _)| n.trim() == name))
}

/// The model `query` names: a model key, or an entry whose model is registered.
fn resolve(catalogue: &Catalogue, query: &str) -> Result<(&'static ModelSpec, String), Failure> {
    if let Some(spec) = model::find(query.trim()) {
        return Ok((spec, spec.name.en.to_string()));
    }
    let entry = show::find(catalogue, query)
        .map_err(|f| Failure::no(format!("{}\n{}", f.message, runnable_list(catalogue))))?;
    if !runnable(entry) {
        return Err(Failure::no(format!(
            "`{}` ({}) has no runnable model yet\n{}",
            entry.id,
            entry.name.en,
            runnable_list(catalogue)
        )));
    }
    let spec = model::find(&entry.model).expect("runnable entries name registered models");
    Ok((spec, format!("{} ({})", entry.name.en, entry.id)))
}

/// "runnable: lstm-cell (lstm_cell), ..." for error messages.
fn runnable_list(catalogue: &Catalogue) -> String {
    let entries: Vec<String> = catalogue
        .entries()
        .iter()
        .filter(|e| runnable(e))
        .map(|e| format!("{} ({})", e.id, e.model))
        .collect();
    format!(
        "runnable entries (model key in brackets, either works): {}",
        entries.join(", ")
    )
}

fn trace(model: &mut dyn Model, args: &RunArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let last = model.stage_count().saturating_sub(1);
    for _ in 0..args.steps {
        if args.stages {
            for _ in 0..model.stage_count() {
                let index = model.next_stage();
                model.stage();
                let label = model.stage_label(index);
                line(model, &label.en, out)?;
            }
        } else {
            model.step();
            let label = model.stage_label(last);
            line(model, &label.en, out)?;
        }
    }
    Ok(())
}

fn line(model: &dyn Model, stage: &str, out: &mut dyn Write) -> Result<(), Failure> {
    let value = trace_line(model.steps_done(), stage, &model.views());
    serde_json::to_writer(&mut *out, &value).map_err(Failure::from_json)?;
    out.write_all(b"\n")?;
    Ok(())
}

fn summary(
    model: &mut dyn Model,
    args: &RunArgs,
    name: &str,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let start = Instant::now();
    // The step at which the model came to rest, where the lab's run pauses.
    let mut rest = None;
    for _ in 0..args.steps {
        model.step();
        if rest.is_none() && model.at_rest() {
            rest = Some(model.steps_done());
        }
    }
    let elapsed = start.elapsed();
    let params: Vec<String> = model
        .params()
        .iter()
        .map(|(spec, value)| format!("{}={value}", spec.name))
        .collect();
    writeln!(out, "{name}: {} (seed {})", params.join(" "), args.seed)?;
    let per_step = if args.steps > 0 {
        elapsed.as_secs_f64() / args.steps as f64
    } else {
        0.0
    };
    writeln!(
        out,
        "{} steps in {:.3} s ({:.2} µs per step; {} kernels)",
        model.steps_done(),
        elapsed.as_secs_f64(),
        per_step * 1e6,
        Level::best().name()
    )?;
    for view in model.views() {
        if let model::ViewContent::Vector(vector) = &view.content {
            let values = &vector.values;
            writeln!(
                out,
                "  {:10} {} ({})",
                view.name,
                model::cells::recurrent::numbers(values),
                crate::text::count(values.len() as u64, "value", "values")
            )?;
        }
    }
    match model.status() {
        Some(status) => writeln!(out, "status: {}", status.text.en)?,
        None => writeln!(out, "status: ok")?,
    }
    if let Some(step) = rest {
        writeln!(
            out,
            "at rest from step {step} on (where a running lab pauses)"
        )?;
    }
    Ok(())
}
