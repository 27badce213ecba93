//! `nnzoo check`: every problem in the catalogue.

use super::{Failure, load};
use clap::Args;
use std::io::Write;
use std::path::Path;

/// Arguments of `nnzoo check`.
#[derive(Debug, Clone, Default, Args)]
pub struct CheckArgs {
    /// Print the problems as a JSON array of {source, location, message}.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &CheckArgs, zoo: Option<&Path>, out: &mut dyn Write) -> Result<(), Failure> {
    let catalogue = load(zoo)?;
    let problems = catalogue.problems();
    if args.json {
        let json = serde_json::to_string_pretty(problems)
            .map_err(|error| Failure::no(format!("cannot write JSON: {error}")))?;
        writeln!(out, "{json}")?;
    } else {
        for problem in catalogue.with_controls_visible().problems() {
            writeln!(out, "{problem}")?;
        }
    }
    let entries = catalogue.entries().len();
    if problems.is_empty() {
        let runnable = catalogue
            .entries()
            .iter()
            .filter(|entry| super::runnable(entry))
            .count();
        if !args.json {
            writeln!(
                out,
                "ok: {entries} entries, {runnable} of them runnable, no problems"
            )?;
        }
        Ok(())
    } else {
        let files: std::collections::BTreeSet<&str> =
            problems.iter().map(|p| p.source.as_str()).collect();
        Err(Failure::no(format!(
            "{} problem{} in {} file{} ({entries} entries loaded)",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" },
            files.len(),
            if files.len() == 1 { "" } else { "s" },
        )))
    }
}
