//! `nnzoo experiment [NAME]`: lists the experiments, or runs one and sets
//! what it measured beside the reference it is held to.

use super::{Failure, LangArg};
use crate::experiment::{self, Experiment, Flow, Progress};
use crate::text::escape_controls;
use clap::Args;
use std::io::{IsTerminal, Write};

/// Runs an experiment that reproduces a paper's number (or scikit-learn's or
/// PyTorch's) and prints the measurements beside the reference with a
/// verdict; without NAME, lists the experiments. The exit code is 0 when
/// every claim holds, 1 when one does not.
#[derive(Debug, Clone, Args)]
pub struct ExperimentArgs {
    /// The experiment to run (`nnzoo experiment` lists them).
    #[arg(value_name = "NAME")]
    pub name: Option<String>,

    /// The seed of everything random in it; the same seed gives the same numbers (timings aside).
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,

    /// Change a setting, e.g. --set epochs=5 (repeatable; --set help= lists them).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,

    /// Print one JSON object: {"experiment", "seed", "settings", "metrics", "reference", "verdict"}.
    #[arg(long)]
    pub json: bool,

    /// Language of the report (the JSON is always in English).
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    pub lang: LangArg,
}

pub fn run(args: &ExperimentArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let Some(name) = &args.name else {
        return list(out);
    };
    let experiment = experiment::find(name).ok_or_else(|| {
        Failure::bad_input(format!(
            "no experiment `{}`; there are: {}",
            escape_controls(name),
            names()
        ))
    })?;
    let mut settings = experiment.default_settings();
    for assignment in &args.set {
        if assignment.trim_end_matches('=') == "help" {
            return describe_settings(experiment, out);
        }
        settings.assign(assignment).map_err(|e| {
            Failure::bad_input(format!("--set {}: {e}", escape_controls(assignment)))
        })?;
    }
    // Progress goes to a terminal on stderr only, so that pipes get the result alone.
    let show_progress = std::io::stderr().is_terminal() && !args.json;
    let mut progress = |p: &Progress| {
        if show_progress {
            eprint!("\r\x1b[2K[{}/{}] {}", p.done, p.total, p.note);
            if p.done == p.total {
                eprintln!();
            }
        }
        Flow::Go
    };
    let report = (experiment.run)(&settings, args.seed, &mut progress)
        .map_err(|e| Failure::bad_input(format!("{}: {e}", experiment.name)))?;
    if args.json {
        writeln!(out, "{}", report.to_json(experiment, args.seed, &settings))?;
    } else {
        let text = report.to_text(experiment, args.seed, &settings, args.lang.into());
        out.write_all(text.as_bytes())?;
    }
    if report.passed() {
        Ok(())
    } else {
        Err(Failure::no(String::new()))
    }
}

fn names() -> String {
    experiment::REGISTRY
        .iter()
        .map(|e| e.name)
        .collect::<Vec<_>>()
        .join(", ")
}

fn list(out: &mut dyn Write) -> Result<(), Failure> {
    let width = experiment::REGISTRY
        .iter()
        .map(|e| e.name.len())
        .max()
        .unwrap_or(0);
    for e in experiment::REGISTRY {
        writeln!(out, "{:<width$}  {}  ({})", e.name, e.title.en, e.source)?;
    }
    writeln!(
        out,
        "\nRun one with `nnzoo experiment NAME`; `--set help=` lists its settings."
    )?;
    Ok(())
}

fn describe_settings(experiment: &Experiment, out: &mut dyn Write) -> Result<(), Failure> {
    writeln!(out, "settings of {}:", experiment.name)?;
    for spec in (experiment.settings)() {
        writeln!(
            out,
            "  {}={}  {} ({})",
            spec.name,
            spec.default,
            spec.help.en,
            spec.allowed()
        )?;
    }
    Ok(())
}
