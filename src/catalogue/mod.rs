//! The catalogue: every animal of the neural network zoo as bilingual data.
//!
//! Each entry is one JSON file under `zoo/` (schema in `zoo/README.md` and
//! `zoo/schema.json`), embedded into the binary at build time by `build.rs`,
//! so the program needs no files beside it. A folder given with `--zoo` adds
//! entries or overrides built-in ones by id.
//!
//! Loading never fails as a whole: a broken file becomes a [`Problem`] naming
//! its path, the place in it and what is wrong, and every other file loads.
//!
//! Entries are kept sorted by category (cells, layers, networks, concepts),
//! then by English name (case-insensitive), then by id.

mod check;
mod entry;
mod load;

pub use entry::{Category, CellGroup, CellKind, Entry, Reference};
pub use load::MAX_FILE_BYTES;

use crate::search::SearchIndex;
use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::OnceLock;

/// The JSON Schema of an entry file, generated from [`Entry`]; committed as
/// `zoo/schema.json` (a test keeps the two the same).
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Entry);
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema is JSON");
    text.push('\n');
    text
}

/// Something wrong with a catalogue file or entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// The file's path (`zoo/lstm-cell.json` for a built-in entry, the path
    /// as found for a `--zoo` folder).
    pub source: String,
    /// Where in the file: `line 3, column 7`, a JSON path such as
    /// `references[0].year`, or both (`references[0].year, line 3, column 7`).
    pub location: Option<String>,
    /// What is wrong, in plain words.
    pub message: String,
}

impl Problem {
    pub(crate) fn new(
        source: impl Into<String>,
        location: Option<String>,
        message: impl Into<String>,
    ) -> Problem {
        Problem {
            source: source.into(),
            location,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(location) => write!(f, "{}: {}: {}", self.source, location, self.message),
            None => write!(f, "{}: {}", self.source, self.message),
        }
    }
}

/// The entries of the zoo with the problems found while loading them.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    entries: Vec<Entry>,
    /// Where each entry came from, parallel to `entries`.
    sources: Vec<String>,
    /// Problems of single files (parse errors, empty names, duplicates).
    file_problems: Vec<Problem>,
    /// `file_problems` plus the problems between entries (related ids,
    /// model keys), recomputed whenever entries change.
    problems: Vec<Problem>,
    /// Index into `entries` by id.
    ids: HashMap<String, usize>,
    /// Search keys, built on the first search.
    index: OnceLock<SearchIndex>,
}

impl Catalogue {
    /// The catalogue embedded in the binary. Never fails: broken files
    /// become [`Catalogue::problems`] and the rest load.
    pub fn builtin() -> Catalogue {
        let mut catalogue = Catalogue::default();
        for (name, bytes) in load::EMBEDDED {
            let source = format!("zoo/{name}");
            let (entry, problems) = load::parse_file(&source, name, bytes);
            catalogue.file_problems.extend(problems);
            if let Some(entry) = entry {
                catalogue.insert(entry, source, false);
            }
        }
        catalogue.finish();
        catalogue
    }

    /// Adds the entries of every `*.json` file in `dir` (except
    /// `schema.json`; other files and subfolders are ignored; a `*.json`
    /// that is not a regular file or whose name is not UTF-8 is skipped
    /// with a problem that says so). An entry whose
    /// id is already in the catalogue replaces it. A folder that cannot be
    /// read, and every broken file in it, becomes a problem.
    pub fn with_dir(mut self, dir: &Path) -> Catalogue {
        let (files, problems) = load::read_dir(dir);
        self.file_problems.extend(problems);
        // Ids defined by this folder, with their file.
        let mut here: HashMap<String, String> = HashMap::new();
        for (source, file_name, bytes) in files {
            let (entry, problems) = load::parse_file(&source, &file_name, &bytes);
            self.file_problems.extend(problems);
            let Some(entry) = entry else { continue };
            if let Some(first) = here.get(&entry.id) {
                let message = format!("duplicate id `{}`: already defined in {first}", entry.id);
                self.file_problems
                    .push(Problem::new(source, Some("id".into()), message));
                continue;
            }
            here.insert(entry.id.clone(), source.clone());
            self.insert(entry, source, true);
        }
        self.finish();
        self
    }

    /// A catalogue of the given entries (tests, benchmarks, tools), checked
    /// like files are. Their source is `<memory>`.
    pub fn from_entries(entries: impl IntoIterator<Item = Entry>) -> Catalogue {
        let mut catalogue = Catalogue::default();
        for entry in entries {
            let source = String::from("<memory>");
            catalogue
                .file_problems
                .extend(check::entry_problems(&source, None, &entry));
            catalogue.insert(entry, source, false);
        }
        catalogue.finish();
        catalogue
    }

    /// The catalogue as a terminal may show it: control characters in
    /// every entry's text and in every problem written out visibly (see
    /// [`Entry::with_controls_visible`]). The terminal UI and the commands'
    /// human output use it; their JSON output uses the catalogue as read.
    pub fn with_controls_visible(&self) -> Catalogue {
        let visible = |s: &str| crate::text::escape_controls(s).into_owned();
        let mut catalogue = self.clone();
        catalogue.entries = self
            .entries
            .iter()
            .map(Entry::with_controls_visible)
            .collect();
        catalogue.ids = catalogue
            .entries
            .iter()
            .enumerate()
            .map(|(index, entry)| (entry.id.clone(), index))
            .collect();
        catalogue.index = OnceLock::new();
        for problem in catalogue
            .file_problems
            .iter_mut()
            .chain(catalogue.problems.iter_mut())
        {
            problem.source = visible(&problem.source);
            problem.location = problem.location.as_deref().map(visible);
            problem.message = visible(&problem.message);
        }
        catalogue
    }

    /// Every entry, sorted by category, then English name, then id.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry with this exact id.
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.position(id).map(|index| &self.entries[index])
    }

    /// Where entry `index` (into [`Catalogue::entries`]) was read from.
    pub fn source(&self, index: usize) -> Option<&str> {
        self.sources.get(index).map(String::as_str)
    }

    /// Everything wrong with the files and entries, in the order found:
    /// file by file, then the references between entries.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    pub(crate) fn search_index(&self) -> &SearchIndex {
        self.index.get_or_init(|| SearchIndex::new(&self.entries))
    }

    fn position(&self, id: &str) -> Option<usize> {
        self.ids.get(id).copied()
    }

    /// Adds `entry`; a second entry with the same id replaces the first when
    /// `replace` (a `--zoo` override), and is otherwise a duplicate.
    fn insert(&mut self, entry: Entry, source: String, replace: bool) {
        match self.position(&entry.id) {
            Some(index) if replace => {
                self.entries[index] = entry;
                self.sources[index] = source;
            }
            Some(index) => {
                let message = format!(
                    "duplicate id `{}`: already defined in {}",
                    entry.id, self.sources[index]
                );
                self.file_problems
                    .push(Problem::new(source, Some("id".into()), message));
            }
            None => {
                self.ids.insert(entry.id.clone(), self.entries.len());
                self.entries.push(entry);
                self.sources.push(source);
            }
        }
    }

    /// Sorts the entries and recomputes the problems between them.
    fn finish(&mut self) {
        let mut order: Vec<usize> = (0..self.entries.len()).collect();
        order.sort_by_cached_key(|&index| {
            let entry = &self.entries[index];
            (
                entry.category,
                entry.name.en.to_lowercase(),
                entry.id.clone(),
            )
        });
        let mut entries = std::mem::take(&mut self.entries)
            .into_iter()
            .map(Some)
            .collect::<Vec<_>>();
        let mut sources = std::mem::take(&mut self.sources)
            .into_iter()
            .map(Some)
            .collect::<Vec<_>>();
        for index in order {
            self.entries.extend(entries[index].take());
            self.sources.extend(sources[index].take());
        }
        self.ids = self
            .entries
            .iter()
            .enumerate()
            .map(|(index, entry)| (entry.id.clone(), index))
            .collect();
        self.problems = self.file_problems.clone();
        self.problems
            .extend(check::link_problems(&self.entries, &self.sources));
        self.index = OnceLock::new();
    }
}
