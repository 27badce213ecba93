//! `nnzoo list`: the entries, by category.

use super::{Failure, LangArg, load, pad, parse_category, runnable, warn_problems};
use crate::catalogue::{Category, Entry};
use crate::text::Lang;
use clap::Args;
use std::io::Write;
use std::path::Path;
use unicode_width::UnicodeWidthStr;

/// Arguments of `nnzoo list`.
#[derive(Debug, Clone, Default, Args)]
pub struct ListArgs {
    /// Only entries of this category: cell, layer, network or concept.
    #[arg(long, short, value_name = "C", value_parser = parse_category)]
    pub category: Option<Category>,

    /// Language of the names.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    pub lang: LangArg,

    /// Print the entries as a JSON array of entry objects (the format of
    /// zoo/*.json) instead.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &ListArgs, zoo: Option<&Path>, out: &mut dyn Write) -> Result<(), Failure> {
    let catalogue = load(zoo)?;
    warn_problems(&catalogue);
    // Text for a terminal has its control characters made visible; JSON
    // escapes them itself and keeps the entries as read.
    let catalogue = if args.json {
        catalogue
    } else {
        catalogue.with_controls_visible()
    };
    let entries: Vec<&Entry> = catalogue
        .entries()
        .iter()
        .filter(|entry| args.category.is_none_or(|c| entry.category == c))
        .collect();
    if args.json {
        let json = serde_json::to_string_pretty(&entries)
            .map_err(|error| Failure::no(format!("cannot write JSON: {error}")))?;
        writeln!(out, "{json}")?;
        return Ok(());
    }
    out.write_all(render(&entries, args.lang.into()).as_bytes())?;
    Ok(())
}

/// The text listing: a heading per category, then one row per entry with
/// its id, abbreviation, name(s) and, if it runs, `▶ model-key`.
pub fn render(entries: &[&Entry], lang: Lang) -> String {
    let id_width = entries.iter().map(|e| e.id.width()).max().unwrap_or(0);
    let abbr_width = entries
        .iter()
        .map(|e| e.abbreviation.width())
        .max()
        .unwrap_or(0);
    let en_width = entries.iter().map(|e| e.name.en.width()).max().unwrap_or(0);
    let name = |entry: &Entry| match lang {
        Lang::Both => format!("{}  {}", pad(&entry.name.en, en_width), entry.name.zh),
        lang => entry.name.get(lang).into_owned(),
    };
    let name_width = entries.iter().map(|e| name(e).width()).max().unwrap_or(0);
    let mut text = String::new();
    for category in Category::ALL {
        let rows: Vec<&&Entry> = entries.iter().filter(|e| e.category == category).collect();
        if rows.is_empty() {
            continue;
        }
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&format!(
            "{} ({})\n",
            category.label().get(lang),
            rows.len()
        ));
        for entry in rows {
            let mut row = format!(
                "  {}  {}  {}",
                pad(&entry.id, id_width),
                pad(&entry.abbreviation, abbr_width),
                pad(&name(entry), name_width)
            );
            if runnable(entry) {
                row.push_str(&format!("  ▶ {}", entry.model));
            }
            text.push_str(row.trim_end());
            text.push('\n');
        }
    }
    text
}
