//! The command line: `nnzoo [--zoo DIR] [COMMAND]`.
//!
//! Each subcommand lives in its own file with its arguments and its `run`.
//! Output goes to stdout, errors to stderr; exit codes: 0 success, 1 the
//! answer is no (nothing found, an ambiguous query, problems in the
//! catalogue), 2 bad input (a wrong argument, a `--zoo` folder that is not
//! there). A closed pipe (`nnzoo list | head`) ends the program quietly.

pub mod capacity;
pub mod check;
pub mod eval;
pub mod list;
pub mod run;
pub mod show;

use crate::catalogue::{Catalogue, Category};
use crate::text::Lang;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// A terminal field guide to the neural network zoo, in English and Chinese,
/// where every animal runs.
#[derive(Debug, Parser)]
#[command(name = "nnzoo", version, about, long_about = None)]
pub struct Cli {
    /// Add entries from the JSON files in DIR, replacing built-in entries
    /// with the same id (see zoo/README.md for the format).
    #[arg(long, global = true, value_name = "DIR")]
    pub zoo: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the entries of the catalogue.
    ///
    /// Grouped by category (cells, layers, networks, concepts) and sorted by
    /// English name; an entry that runs is marked with `▶` and its model key.
    List(list::ListArgs),
    /// Show one entry, found by id, abbreviation, name, pinyin or alias.
    ///
    /// QUERY is anything the search understands: an id (lstm-cell), an
    /// abbreviation (LSTM), an English or Chinese name or part of one
    /// (长短期), pinyin in full or by initials (changduanqi, cdqj), an alias,
    /// even with a typo (hopfied). An exact id or abbreviation always wins.
    /// When the best matches are equally good (`recurrent` starts two names)
    /// the candidates are listed on stderr and the exit code is 1.
    Show(show::ShowArgs),
    /// Check the catalogue (and a --zoo folder) and report every problem.
    ///
    /// Every problem found is listed (not only the first), each with its
    /// file, the place in it (line and column, or a JSON path such as
    /// references[0].year) and what is wrong. Exits with 1 if there is any.
    Check(check::CheckArgs),
    /// Measure the Hopfield network's storage capacity: final overlap against the load α = P/N.
    Capacity(capacity::CapacityArgs),
    /// Run an entry's model headless: a JSON trace per step or a summary.
    Run(run::RunArgs),
    /// Compute a PyTorch reference fixture's module and print its outputs.
    Eval(eval::EvalArgs),
}

/// The language of the output, on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum LangArg {
    /// English.
    #[default]
    En,
    /// Chinese (中文).
    Zh,
    /// English and Chinese side by side.
    Both,
}

impl From<LangArg> for Lang {
    fn from(lang: LangArg) -> Lang {
        match lang {
            LangArg::En => Lang::En,
            LangArg::Zh => Lang::Zh,
            LangArg::Both => Lang::Both,
        }
    }
}

/// Parses a category key (`cell`, `layer`, `network`, `concept`).
pub fn parse_category(text: &str) -> Result<Category, String> {
    Category::ALL
        .into_iter()
        .find(|category| category.key() == text.trim().to_lowercase())
        .ok_or_else(|| {
            let keys: Vec<&str> = Category::ALL.iter().map(|c| c.key()).collect();
            format!("unknown category `{text}`; one of: {}", keys.join(", "))
        })
}

/// Why a command did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The process exit code (1 or 2; 0 for a closed output pipe).
    pub code: u8,
    /// What to print on stderr after `nnzoo: ` (nothing when empty).
    pub message: String,
}

impl Failure {
    /// The answer is no: nothing found, ambiguous, problems found.
    pub fn no(message: impl Into<String>) -> Failure {
        Failure {
            code: 1,
            message: message.into(),
        }
    }

    /// The input was wrong.
    pub fn bad_input(message: impl Into<String>) -> Failure {
        Failure {
            code: 2,
            message: message.into(),
        }
    }
}

impl From<io::Error> for Failure {
    fn from(error: io::Error) -> Failure {
        if error.kind() == io::ErrorKind::BrokenPipe {
            Failure {
                code: 0,
                message: String::new(),
            }
        } else {
            Failure::no(format!("cannot write the output: {error}"))
        }
    }
}

/// Parses the command line, runs it and gives the exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let result = run(cli, &mut out).and_then(|()| out.flush().map_err(Failure::from));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if !failure.message.is_empty() {
                eprintln!("nnzoo: {}", failure.message);
            }
            ExitCode::from(failure.code)
        }
    }
}

/// Runs a parsed command line, writing its output to `out`.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<(), Failure> {
    match cli.command {
        Some(Command::List(args)) => list::run(&args, cli.zoo.as_deref(), out),
        Some(Command::Show(args)) => show::run(&args, cli.zoo.as_deref(), out),
        Some(Command::Check(args)) => check::run(&args, cli.zoo.as_deref(), out),
        Some(Command::Capacity(args)) => capacity::run(&args, out),
        Some(Command::Run(args)) => run::run(&args, cli.zoo.as_deref(), out),
        Some(Command::Eval(args)) => eval::run(&args, out),
        None => list::run(&list::ListArgs::default(), cli.zoo.as_deref(), out),
    }
}

/// The built-in catalogue with the `--zoo` folder's entries added. A folder
/// that is not there is bad input; problems in files are left to the
/// caller (see [`warn_problems`]).
pub fn load(zoo: Option<&Path>) -> Result<Catalogue, Failure> {
    let catalogue = Catalogue::builtin();
    match zoo {
        None => Ok(catalogue),
        Some(dir) if dir.is_dir() => Ok(catalogue.with_dir(dir)),
        Some(dir) => Err(Failure::bad_input(format!(
            "--zoo {}: no such folder",
            dir.display()
        ))),
    }
}

/// Tells on stderr that the catalogue has problems, for commands other
/// than `check`.
pub fn warn_problems(catalogue: &Catalogue) {
    let count = catalogue.problems().len();
    if count > 0 {
        eprintln!(
            "nnzoo: warning: {count} problem{} in the catalogue; `nnzoo check` lists them",
            if count == 1 { "" } else { "s" }
        );
    }
}

/// Whether `entry` can be run: its model key names a registered model.
pub fn runnable(entry: &crate::catalogue::Entry) -> bool {
    !entry.model.is_empty() && crate::model::find(&entry.model).is_some()
}

/// `text` padded with spaces to `width` terminal columns (CJK counts two).
pub fn pad(text: &str, width: usize) -> String {
    let shown = unicode_width::UnicodeWidthStr::width(text);
    format!("{text}{}", " ".repeat(width.saturating_sub(shown)))
}
