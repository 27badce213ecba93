//! What makes an entry wrong beyond its JSON shape.

use super::{Entry, Problem};
use std::collections::HashMap;

/// Problems of one entry on its own: empty names, an id that is not in the
/// catalogue's form or differs from its file name, pinyin with tone marks
/// or other characters a search cannot use, empty aliases, diagram groups of no cells.
pub(super) fn entry_problems(source: &str, file_name: Option<&str>, entry: &Entry) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut problem = |path: &str, message: String| {
        problems.push(Problem::new(source, Some(path.to_owned()), message));
    };
    if !is_id(&entry.id) {
        problem(
            "id",
            format!(
                "id `{}` must be lowercase letters and digits in words joined by `-` (like `lstm-cell`)",
                entry.id
            ),
        );
    }
    if let Some(file_name) = file_name {
        let stem = file_name.strip_suffix(".json").unwrap_or(file_name);
        if is_id(&entry.id) && stem != entry.id {
            problem(
                "id",
                format!(
                    "id `{}` differs from the file name `{file_name}` (name the file `{}.json`)",
                    entry.id, entry.id
                ),
            );
        }
    }
    if entry.name.en.trim().is_empty() {
        problem("name.en", "the English name is empty".into());
    }
    if entry.name.zh.trim().is_empty() {
        problem("name.zh", "the Chinese name is empty".into());
    }
    if entry.pinyin.trim().is_empty() {
        problem("pinyin", "the pinyin is empty".into());
    } else if let Some(bad) = entry
        .pinyin
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || matches!(c, ' ' | '/' | '-' | '\'' | 'ü' | 'Ü')))
    {
        problem(
            "pinyin",
            format!(
                "pinyin is written without tone marks in letters, spaces (between syllables), `/`, `-` and `'`; found `{bad}`"
            ),
        );
    }
    for (index, alias) in entry.aliases.iter().enumerate() {
        if alias.trim().is_empty() {
            problem(&format!("aliases[{index}]"), "empty alias".into());
        }
    }
    for (index, spelling) in entry.source_spellings.iter().enumerate() {
        if spelling.trim().is_empty() {
            problem(
                &format!("source_spellings[{index}]"),
                "empty spelling".into(),
            );
        }
    }
    for (layer, groups) in entry.diagram.iter().enumerate() {
        for (group, cells) in groups.iter().enumerate() {
            if cells.count == 0 {
                problem(
                    &format!("diagram[{layer}][{group}].count"),
                    "a group of zero cells".into(),
                );
            }
        }
    }
    problems
}

/// Problems between entries: related ids that name no entry (or the entry
/// itself), model keys no model answers to, and an abbreviation two entries
/// share (an exact abbreviation must find one entry).
pub(super) fn link_problems(entries: &[Entry], sources: &[String]) -> Vec<Problem> {
    let ids: HashMap<&str, usize> = entries
        .iter()
        .enumerate()
        .map(|(index, entry)| (entry.id.as_str(), index))
        .collect();
    let mut problems = Vec::new();
    let mut abbreviations: HashMap<String, &str> = HashMap::new();
    for (entry, source) in entries.iter().zip(sources) {
        for part in entry.abbreviation.split(['/', ',']) {
            let key = crate::search::compact(part);
            if key.is_empty() {
                continue;
            }
            if let Some(first) = abbreviations.insert(key, &entry.id) {
                problems.push(Problem::new(
                    source.clone(),
                    Some("abbreviation".into()),
                    format!(
                        "abbreviation `{}` is also the abbreviation of `{first}`: an abbreviation must name one entry",
                        part.trim()
                    ),
                ));
            }
        }
        for (index, related) in entry.related.iter().enumerate() {
            let message = if related == &entry.id {
                format!("`{related}` is this entry itself")
            } else if !ids.contains_key(related.as_str()) {
                format!("related id `{related}` names no entry in the catalogue")
            } else {
                continue;
            };
            problems.push(Problem::new(
                source.clone(),
                Some(format!("related[{index}]")),
                message,
            ));
        }
        if !entry.model.is_empty() && crate::model::find(&entry.model).is_none() {
            let known: Vec<&str> = crate::model::REGISTRY.iter().map(|spec| spec.key).collect();
            problems.push(Problem::new(
                source.clone(),
                Some("model".into()),
                format!(
                    "no model answers to the key `{}` (known: {})",
                    entry.model,
                    if known.is_empty() {
                        "none yet".to_owned()
                    } else {
                        known.join(", ")
                    }
                ),
            ));
        }
    }
    problems
}

/// Lowercase ASCII letters and digits in words joined by single `-`.
fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}
