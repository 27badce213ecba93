//! Reading entry files: the embedded `zoo/` and `--zoo` folders.

use super::check;
use super::{Entry, Problem};
use crate::files::{self, FileProblem};
use crate::text::escape_controls;
use serde_json::{Value, json};
use std::fs;
use std::path::Path;
use std::sync::OnceLock;

/// The files of `zoo/` as (file name, contents), written by `build.rs`.
pub(super) static EMBEDDED: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/zoo_files.rs"));

/// Entry files larger than this (1 MiB) are refused unread.
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// Whether a file in a zoo folder is an entry file.
pub(super) fn is_entry_file(name: &str) -> bool {
    name.ends_with(".json") && name != "schema.json"
}

/// An entry file as (path, file name, contents).
pub(super) type EntryFile = (String, String, Vec<u8>);

/// The entry files of `dir`, sorted by name, as (path, file name, contents),
/// with a problem for the folder itself, for each file that cannot be read,
/// and for each `*.json` that is skipped: one that is not a regular file (a
/// folder, a FIFO, which would block, a device) and a name that is not
/// UTF-8, so that nothing is dropped without a word.
pub(super) fn read_dir(dir: &Path) -> (Vec<EntryFile>, Vec<Problem>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let shown = escape_controls(&dir.display().to_string()).into_owned();
    let listing = match fs::read_dir(dir) {
        Ok(listing) => listing,
        Err(error) => {
            problems.push(Problem::new(
                shown,
                None,
                format!("cannot read the folder: {error}"),
            ));
            return (files, problems);
        }
    };
    let mut paths = Vec::new();
    for item in listing {
        let item = match item {
            Ok(item) => item,
            Err(error) => {
                problems.push(Problem::new(
                    shown.clone(),
                    None,
                    format!("cannot list the folder: {error}"),
                ));
                continue;
            }
        };
        let path = item.path();
        match item.file_name().to_str() {
            Some(name) if is_entry_file(name) => paths.push(path),
            Some(_) => {}
            None => {
                let lossy = item.file_name().to_string_lossy().into_owned();
                if lossy.ends_with(".json") {
                    problems.push(Problem::new(
                        escape_controls(&path.display().to_string()).into_owned(),
                        None,
                        "skipped: the file name is not UTF-8 (rename the file)",
                    ));
                }
            }
        }
    }
    paths.sort();
    for path in paths {
        let source = escape_controls(&path.display().to_string()).into_owned();
        let file_name = path
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or_default()
            .to_owned();
        match files::read_regular(&path, MAX_FILE_BYTES) {
            Ok(bytes) => files.push((source, file_name, bytes)),
            Err(FileProblem::NotRegular { kind }) => problems.push(Problem::new(
                source,
                None,
                format!("skipped: {kind}, not a regular file"),
            )),
            Err(FileProblem::TooLarge { bytes, .. }) => problems.push(too_large(&source, bytes)),
            Err(FileProblem::Io(error)) => {
                problems.push(Problem::new(source, None, format!("cannot read: {error}")))
            }
        }
    }
    (files, problems)
}

fn too_large(source: &str, bytes: u64) -> Problem {
    Problem::new(
        source,
        None,
        format!(
            "file is {bytes} bytes, over the limit of {MAX_FILE_BYTES} bytes (1 MiB) for an entry"
        ),
    )
}

/// Parses one entry file. Returns the entry if the file could be read as
/// one (possibly with problems that do not stop it from being shown, such as
/// an empty name) and every problem found.
pub(super) fn parse_file(
    source: &str,
    file_name: &str,
    bytes: &[u8],
) -> (Option<Entry>, Vec<Problem>) {
    let fail = |location: Option<String>, message: String| {
        (None, vec![Problem::new(source, location, message)])
    };
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return (None, vec![too_large(source, bytes.len() as u64)]);
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let at = error.valid_up_to();
            let valid = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
            return fail(
                Some(line_column(valid, at)),
                format!(
                    "not UTF-8: byte 0x{:02x} at offset {at} is not valid UTF-8 (save the file as UTF-8)",
                    bytes[at]
                ),
            );
        }
    };
    if text.starts_with('\u{feff}') {
        return fail(
            Some("line 1, column 1".into()),
            "starts with a byte order mark: save the file as UTF-8 without BOM".into(),
        );
    }
    if text.trim().is_empty() {
        return fail(
            None,
            "empty file: expected one JSON object (an entry)".into(),
        );
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let result: Result<Entry, _> = serde_path_to_error::deserialize(&mut deserializer);
    match result {
        Ok(entry) => {
            if let Err(error) = deserializer.end() {
                return fail(
                    Some(format!("line {}, column {}", error.line(), error.column())),
                    format!("invalid JSON: {}", strip_position(&error)),
                );
            }
            if let Some(path) = serde_json::from_str(text)
                .ok()
                .and_then(|value| array_for_object(&value))
            {
                if path.is_empty() {
                    return fail(
                        None,
                        "expected a JSON object (an entry), found an array".into(),
                    );
                }
                return fail(
                    Some(path),
                    "expected an object, found an array (write the fields by name)".into(),
                );
            }
            let problems = check::entry_problems(source, Some(file_name), &entry);
            (Some(entry), problems)
        }
        Err(error) => {
            let inner = error.inner();
            let at = format!("line {}, column {}", inner.line(), inner.column());
            if inner.is_syntax() || inner.is_eof() {
                return fail(Some(at), format!("invalid JSON: {}", strip_position(inner)));
            }
            // Data errors: the text is JSON but not an entry.
            match serde_json::from_str::<serde_json::Value>(text) {
                Ok(value) if !value.is_object() => fail(
                    None,
                    format!(
                        "expected a JSON object (an entry), found {}",
                        describe(&value)
                    ),
                ),
                Ok(value) if array_for_object(&value).is_some() => fail(
                    array_for_object(&value),
                    "expected an object, found an array (write the fields by name)".into(),
                ),
                _ => {
                    let path = error.path().to_string();
                    let location = if path == "." || path.is_empty() {
                        at
                    } else {
                        format!("{path}, {at}")
                    };
                    fail(Some(location), strip_position(inner))
                }
            }
        }
    }
}

/// The first place (`name`, `references[0]`, `diagram[1][0]`) where an
/// entry must hold an object and the file has an array. serde would take
/// `["LSTM", "长短期"]` for `{"en": ..., "zh": ...}` by position, which no
/// one writing JSON means; the places are read from the entry's schema, so
/// a new field is checked too.
fn array_for_object(value: &Value) -> Option<String> {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    let schema = SCHEMA
        .get_or_init(|| serde_json::to_value(schemars::schema_for!(Entry)).unwrap_or(Value::Null));
    fn walk(schema: &Value, defs: &Value, value: &Value, path: &str) -> Option<String> {
        let schema = match schema.get("$ref").and_then(Value::as_str) {
            Some(name) => defs.get(name.trim_start_matches("#/$defs/"))?,
            None => schema,
        };
        match value {
            Value::Array(_) if schema.get("type") == Some(&json!("object")) => Some(path.into()),
            Value::Array(items) => {
                let each = schema.get("items")?;
                items
                    .iter()
                    .enumerate()
                    .find_map(|(i, item)| walk(each, defs, item, &format!("{path}[{i}]")))
            }
            Value::Object(fields) => {
                let properties = schema.get("properties")?;
                fields.iter().find_map(|(name, field)| {
                    let inner = if path.is_empty() {
                        name.clone()
                    } else {
                        format!("{path}.{name}")
                    };
                    walk(properties.get(name)?, defs, field, &inner)
                })
            }
            _ => None,
        }
    }
    walk(schema, schema.get("$defs")?, value, "")
}

/// serde_json's message without its own " at line L column C" tail (the
/// location is reported separately).
fn strip_position(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.rfind(" at line ") {
        Some(cut) => message[..cut].to_owned(),
        None => message,
    }
}

fn describe(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// "line L, column C" (both from 1) of byte offset `at` in `text`, the
/// column counted in characters.
fn line_column(text: &str, at: usize) -> String {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .unwrap_or_default()
        .chars()
        .count()
        + 1;
    format!("line {line}, column {column}")
}
