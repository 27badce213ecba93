//! The command line: `nnzoo [--zoo DIR] [COMMAND]`. Without a command, in a
//! terminal, it opens the terminal UI (printed to a pipe, it lists the
//! catalogue instead, as `nnzoo list` does).
//!
//! Each subcommand lives in its own file with its arguments and its `run`.
//! Output goes to stdout, errors to stderr; exit codes: 0 success, 1 the
//! answer is no (nothing found, an ambiguous query, problems in the
//! catalogue), 2 bad input (a wrong argument, a `--zoo` folder that is not
//! there). A closed pipe (`nnzoo list | head`) ends the program quietly, by
//! SIGPIPE as other Unix tools end (a shell reports 141).
//!
//! Whatever a command prints on a terminal goes through [`VisibleControls`],
//! so text from a person's files (names, fields, file names) can never send
//! the terminal commands: control characters other than newline and tab are
//! written out as `\u{1b}`. JSON output is unchanged by it: JSON escapes
//! its control characters itself.

pub mod capacity;
pub mod check;
pub mod eval;
pub mod experiment;
pub mod list;
pub mod run;
pub mod show;

use crate::catalogue::{Catalogue, Category};
use crate::text::Lang;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// A terminal field guide to the neural network zoo, in English and Chinese,
/// where every animal runs.
#[derive(Debug, Parser)]
#[command(
    name = "nnzoo",
    version,
    about,
    long_about = None,
    after_help = "Without a command, nnzoo opens its terminal UI (printed to a pipe, it lists \
                  the catalogue instead); press ? there for the keys."
)]
pub struct Cli {
    /// Add entries from the JSON files in DIR, replacing built-in entries
    /// with the same id (see zoo/README.md for the format).
    #[arg(long, global = true, value_name = "DIR")]
    pub zoo: Option<PathBuf>,

    /// The language the terminal UI opens in (L switches it there).
    #[arg(long, value_enum, value_name = "LANG")]
    pub lang: Option<LangArg>,

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
    /// Measure the Hopfield network's storage capacity (the same as `nnzoo experiment hopfield-capacity`).
    Capacity(capacity::CapacityArgs),
    /// List the experiments, or run one: a paper's number reproduced, with a verdict.
    Experiment(experiment::ExperimentArgs),
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

impl Failure {
    /// A failure to write JSON: a closed pipe ends quietly, as in
    /// [`From<io::Error>`].
    pub fn from_json(error: serde_json::Error) -> Failure {
        match error.io_error_kind() {
            Some(kind) => Failure::from(io::Error::from(kind)),
            None => Failure::no(format!("cannot write JSON: {error}")),
        }
    }

    /// Whether this is the closed output pipe, which ends the program by
    /// SIGPIPE rather than with a message.
    fn is_closed_pipe(&self) -> bool {
        self.code == 0 && self.message.is_empty()
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

/// When the program started, for `NNZOO_TIMING`.
static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Parses the command line, runs it and gives the exit code.
pub fn main() -> ExitCode {
    STARTED.get_or_init(std::time::Instant::now);
    let cli = Cli::parse();
    // Not locked for the whole run: the terminal UI's signal thread takes
    // the lock to restore the terminal (commands buffer their own output).
    let mut out = VisibleControls::new(io::stdout());
    let result = check_kernels_env()
        .and_then(|()| run(cli, &mut out))
        .and_then(|()| out.flush().map_err(Failure::from));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) if failure.is_closed_pipe() => {
            // End as `yes | head -1` ends `yes`: by SIGPIPE, quietly.
            #[cfg(unix)]
            let _ = signal_hook::low_level::emulate_default_handler(signal_hook::consts::SIGPIPE);
            ExitCode::SUCCESS
        }
        Err(failure) => {
            if !failure.message.is_empty() {
                let mut err = VisibleControls::new(io::stderr().lock());
                let _ = writeln!(err, "nnzoo: {}", failure.message);
                let _ = err.flush();
            }
            ExitCode::from(failure.code)
        }
    }
}

/// `NNZOO_KERNELS` caps the kernels' path; a value that names none is an
/// error rather than silently ignored.
fn check_kernels_env() -> Result<(), Failure> {
    let Some(value) = std::env::var_os("NNZOO_KERNELS") else {
        return Ok(());
    };
    let names: Vec<&str> = crate::kernels::Level::ALL
        .iter()
        .map(|level| level.name())
        .collect();
    match value.to_str() {
        Some(name) if names.contains(&name) => Ok(()),
        _ => Err(Failure::bad_input(format!(
            "NNZOO_KERNELS={}: not a kernels' path; give one of: {} (or unset it)",
            crate::text::escape_controls(&value.to_string_lossy()),
            names.join(", ")
        ))),
    }
}

/// A writer that passes text on with its control characters (all but
/// newline and tab) written out, so that nothing printed can command the
/// terminal: C0 controls (ESC, BEL, CR, backspace, NUL) as `\u{1b}`, as
/// [`crate::text::escape_controls`] writes them; DEL and the C1 range as
/// `\u009b`, which is also how JSON escapes them, because serde_json
/// leaves them raw in strings (it escapes C0 itself, so the first form
/// never meets JSON). A C1 control is two bytes in UTF-8 (C2 80 to C2 9F);
/// one split between two writes is held back until the next.
pub struct VisibleControls<W: Write> {
    inner: W,
    /// A 0xC2 byte that ended the last write.
    pending_c2: bool,
}

impl<W: Write> VisibleControls<W> {
    pub fn new(inner: W) -> VisibleControls<W> {
        VisibleControls {
            inner,
            pending_c2: false,
        }
    }
}

impl<W: Write> Write for VisibleControls<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        let mut start = 0;
        let mut i = 0;
        if self.pending_c2 {
            self.pending_c2 = false;
            match buf.first() {
                Some(&b) if (0x80..0xa0).contains(&b) => {
                    write!(self.inner, "\\u{:04x}", b)?;
                    start = 1;
                    i = 1;
                }
                Some(_) => self.inner.write_all(&[0xc2])?,
                None => {
                    self.pending_c2 = true;
                    return Ok(());
                }
            }
        }
        while i < buf.len() {
            let b = buf[i];
            // (code, bytes, JSON form): see the type's comment.
            let escaped = if b < 0x20 && b != b'\n' && b != b'\t' {
                Some((b, 1, false))
            } else if b == 0x7f {
                Some((b, 1, true))
            } else if b == 0xc2 {
                match buf.get(i + 1) {
                    Some(&next) if (0x80..0xa0).contains(&next) => Some((next, 2, true)),
                    Some(_) => None,
                    None => {
                        self.inner.write_all(&buf[start..i])?;
                        self.pending_c2 = true;
                        return Ok(());
                    }
                }
            } else {
                None
            };
            match escaped {
                Some((code, len, json)) => {
                    self.inner.write_all(&buf[start..i])?;
                    if json {
                        write!(self.inner, "\\u{code:04x}")?;
                    } else {
                        write!(self.inner, "\\u{{{code:x}}}")?;
                    }
                    i += len;
                    start = i;
                }
                None => i += 1,
            }
        }
        self.inner.write_all(&buf[start..])
    }

    fn flush(&mut self) -> io::Result<()> {
        if std::mem::take(&mut self.pending_c2) {
            self.inner.write_all(&[0xc2])?;
        }
        self.inner.flush()
    }
}

/// Runs a parsed command line, writing its output to `out`.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<(), Failure> {
    match cli.command {
        Some(Command::List(args)) => list::run(&args, cli.zoo.as_deref(), out),
        Some(Command::Show(args)) => show::run(&args, cli.zoo.as_deref(), out),
        Some(Command::Check(args)) => check::run(&args, cli.zoo.as_deref(), out),
        Some(Command::Capacity(args)) => capacity::run(&args, out),
        Some(Command::Experiment(args)) => experiment::run(&args, out),
        Some(Command::Run(args)) => run::run(&args, cli.zoo.as_deref(), out),
        Some(Command::Eval(args)) => eval::run(&args, out),
        None if io::stdout().is_terminal() && io::stdin().is_terminal() => {
            open_tui(cli.zoo.as_deref(), cli.lang.unwrap_or_default().into())
        }
        None => {
            let args = list::ListArgs {
                lang: cli.lang.unwrap_or_default(),
                ..list::ListArgs::default()
            };
            list::run(&args, cli.zoo.as_deref(), out)
        }
    }
}

/// Runs the terminal UI until the person quits. With `NNZOO_TIMING` set it
/// then tells on stderr how long the first frame took to reach the screen
/// after the program started, and when (Unix time) it got there, so that a
/// launcher can measure from before the process existed.
fn open_tui(zoo: Option<&Path>, lang: Lang) -> Result<(), Failure> {
    let started = *STARTED.get_or_init(std::time::Instant::now);
    let catalogue = load(zoo)?;
    // Printed on the normal screen, which is there again after the UI quits.
    warn_problems(&catalogue);
    let timing = crate::tui::run(catalogue, lang, started)
        .map_err(|error| Failure::no(format!("the terminal: {error}")))?;
    if std::env::var_os("NNZOO_TIMING").is_some() {
        let at = timing
            .first_frame_at
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        eprintln!(
            "nnzoo: first frame {:.2} ms after start, at unix time {}.{:06}",
            timing.first_frame.as_secs_f64() * 1e3,
            at.as_secs(),
            at.subsec_micros()
        );
    }
    Ok(())
}

/// The built-in catalogue with the `--zoo` folder's entries added. A folder
/// that is not there is bad input; problems in files are left to the
/// caller (see [`warn_problems`]).
pub fn load(zoo: Option<&Path>) -> Result<Catalogue, Failure> {
    let catalogue = Catalogue::builtin();
    match zoo {
        None => Ok(catalogue),
        Some(dir) if dir.is_dir() => Ok(catalogue.with_dir(dir)),
        Some(dir) if dir.exists() => Err(Failure::bad_input(format!(
            "--zoo {}: not a folder (give the folder that holds the entry files)",
            crate::text::escape_controls(&dir.display().to_string())
        ))),
        Some(dir) => Err(Failure::bad_input(format!(
            "--zoo {}: no such folder",
            crate::text::escape_controls(&dir.display().to_string())
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

#[cfg(test)]
mod visible_controls_tests {
    use super::VisibleControls;
    use std::io::Write;

    fn through(writes: &[&[u8]]) -> String {
        let mut out = VisibleControls::new(Vec::new());
        for bytes in writes {
            out.write_all(bytes).unwrap();
        }
        out.flush().unwrap();
        String::from_utf8(out.inner).unwrap()
    }

    #[test]
    fn controls_are_written_out_and_text_passes() {
        assert_eq!(through(&[b"plain\tline\n"]), "plain\tline\n");
        assert_eq!(through(&["中文 é\n".as_bytes()]), "中文 é\n");
        assert_eq!(
            through(&[b"a\x1b[31mb\x07\r\x08\x00\x7f"]),
            "a\\u{1b}[31mb\\u{7}\\u{d}\\u{8}\\u{0}\\u007f"
        );
        // A C1 control (U+009B, CSI) whole and split between two writes; a
        // C2 that starts another character is kept.
        assert_eq!(through(&["x\u{9b}y".as_bytes()]), "x\\u009by");
        assert_eq!(through(&[b"x\xc2", b"\x9by"]), "x\\u009by");
        assert_eq!(through(&[b"x\xc2", b"\xa9"]), "x\u{a9}");
        assert_eq!(through(&[b"x\xc2", b"", b"\x85"]), "x\\u0085");
    }

    #[test]
    fn json_stays_json_with_the_same_strings() {
        let value = serde_json::json!({"id": "a\u{1b}b\u{9b}c\u{7f}"});
        let written = through(&[value.to_string().as_bytes()]);
        assert!(!written.contains(|c: char| c.is_control()), "{written}");
        let read: serde_json::Value = serde_json::from_str(&written).unwrap();
        assert_eq!(read, value);
    }
}
