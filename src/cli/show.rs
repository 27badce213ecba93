//! `nnzoo show QUERY`: one entry in full.

use super::{Failure, LangArg, load, runnable, warn_problems};
use crate::catalogue::{Catalogue, Entry};
use crate::search::{Resolution, resolve};
use crate::text::{Bilingual, Lang};
use clap::Args;
use std::io::Write;
use std::path::Path;

/// Arguments of `nnzoo show`.
#[derive(Debug, Clone, Args)]
pub struct ShowArgs {
    /// What to look up.
    #[arg(required = true, num_args = 1.., value_name = "QUERY")]
    pub query: Vec<String>,

    /// Language of the text.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    pub lang: LangArg,

    /// Print the entry as a JSON object (the format of zoo/*.json) instead.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &ShowArgs, zoo: Option<&Path>, out: &mut dyn Write) -> Result<(), Failure> {
    let catalogue = load(zoo)?;
    warn_problems(&catalogue);
    let query = args.query.join(" ");
    // Found in the catalogue as a terminal shows it (control characters
    // made visible, in the text and in the candidates of an error); JSON
    // prints the same entry as read.
    let visible = catalogue.with_controls_visible();
    let entry = find(&visible, &query)?;
    if args.json {
        let index = visible
            .entries()
            .iter()
            .position(|e| std::ptr::eq(e, entry))
            .unwrap_or_default();
        let entry = catalogue.entries().get(index).unwrap_or(entry);
        let json = serde_json::to_string_pretty(entry)
            .map_err(|error| Failure::no(format!("cannot write JSON: {error}")))?;
        writeln!(out, "{json}")?;
    } else {
        out.write_all(render(&visible, entry, args.lang.into()).as_bytes())?;
    }
    Ok(())
}

/// The one entry `query` names, or a failure listing the candidates.
pub fn find<'c>(catalogue: &'c Catalogue, query: &str) -> Result<&'c Entry, Failure> {
    let entries = catalogue.entries();
    match resolve(catalogue, query) {
        Resolution::Found(hit) => Ok(&entries[hit.index]),
        Resolution::NotFound => Err(Failure::no(format!(
            "nothing in the catalogue matches `{query}` (`nnzoo list` shows every entry)"
        ))),
        Resolution::Ambiguous(hits) => {
            let width = hits
                .iter()
                .map(|h| entries[h.index].id.len())
                .max()
                .unwrap_or(0);
            let mut message = format!("`{query}` could be any of these; give one of their ids:");
            for hit in hits {
                let entry = &entries[hit.index];
                message.push_str(&format!(
                    "\n  {:width$}  {}  {}",
                    entry.id, entry.name.en, entry.name.zh
                ));
            }
            Err(Failure::no(message))
        }
    }
}

/// The entry as text in `lang`.
pub fn render(catalogue: &Catalogue, entry: &Entry, lang: Lang) -> String {
    let label = |en: &'static str, zh: &'static str| Bilingual::new(en, zh).get(lang).into_owned();
    let mut text = String::new();
    let mut line = |s: &str| {
        text.push_str(s);
        text.push('\n');
    };
    let abbreviation = if entry.abbreviation.is_empty() {
        String::new()
    } else {
        format!(" ({})", entry.abbreviation)
    };
    match lang {
        Lang::En => line(&format!("{}{abbreviation}", entry.name.en)),
        Lang::Zh => line(&format!("{}{abbreviation}", entry.name.zh)),
        Lang::Both => line(&format!(
            "{}{abbreviation}  {}",
            entry.name.en, entry.name.zh
        )),
    }
    if lang != Lang::En {
        line(&format!("{}: {}", label("Pinyin", "拼音"), entry.pinyin));
    }
    line(&format!(
        "{}: {} · {}: {}",
        label("Id", "编号"),
        entry.id,
        label("Category", "类别"),
        entry.category.label().get(lang)
    ));
    let model = if runnable(entry) {
        format!("{} ({})", entry.model, label("runnable", "可运行"))
    } else {
        label("none yet", "尚无").to_owned()
    };
    line(&format!("{}: {model}", label("Model", "模型")));
    if !entry.aliases.is_empty() {
        line(&format!(
            "{}: {}",
            label("Also known as", "别名"),
            entry.aliases.join(", ")
        ));
    }
    if !entry.source_spellings.is_empty() {
        line(&format!(
            "{}: {}",
            label("Also written as (in the source)", "原表中写作"),
            entry.source_spellings.join(", ")
        ));
    }
    for (title, body) in [
        (Bilingual::new("Summary", "概要"), &entry.summary),
        (Bilingual::new("Description", "说明"), &entry.description),
    ] {
        line("");
        line(&title.get(lang));
        let parts: Vec<&str> = match lang {
            Lang::En => vec![&body.en],
            Lang::Zh => vec![&body.zh],
            Lang::Both => vec![&body.en, &body.zh],
        };
        for part in parts {
            for wrapped in textwrap::wrap(
                part,
                textwrap::Options::new(78)
                    .initial_indent("  ")
                    .subsequent_indent("  "),
            ) {
                line(&wrapped);
            }
        }
    }
    if !entry.equations.is_empty() {
        line("");
        line(&label("Equations", "公式"));
        for equation in &entry.equations {
            line(&format!("  {equation}"));
        }
    }
    if !entry.diagram.is_empty() {
        line("");
        line(&label("Diagram, input to output", "结构（从输入到输出）"));
        for (index, layer) in entry.diagram.iter().enumerate() {
            let groups: Vec<String> = layer
                .iter()
                .map(|group| format!("{} × {}", group.kind.label().get(lang), group.count))
                .collect();
            line(&format!("  {}. {}", index + 1, groups.join(", ")));
        }
    }
    if !entry.references.is_empty() {
        line("");
        line(&label("References", "参考文献"));
        for reference in &entry.references {
            line(&format!(
                "  {} ({}). {}. {}.",
                reference.authors, reference.year, reference.title, reference.venue
            ));
        }
    }
    if !entry.related.is_empty() {
        line("");
        line(&label("Related", "相关条目"));
        for id in &entry.related {
            match catalogue.get(id) {
                Some(related) => line(&format!("  {id}  {}", related.name.get(lang))),
                None => line(&format!("  {id}")),
            }
        }
    }
    text
}
