//! The catalogue list: entries under their category headings, or the hits
//! of a search best first, with the matched characters highlighted.

use super::Areas;
use crate::catalogue::Entry;
use crate::search::{Field, match_indices};
use crate::text::Lang;
use crate::tui::app::{App, Focus, Mode, Row};
use crate::tui::diagram;
use crate::tui::strings as s;
use crate::tui::wrap::{fit, highlighted, truncate};
use ratatui::buffer::Buffer;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use unicode_width::UnicodeWidthStr;

/// Widest abbreviation column.
const MAX_ABBREVIATION: usize = 8;

pub fn render(app: &App, areas: &Areas, buf: &mut Buffer) {
    if areas.list.is_empty() {
        return;
    }
    let theme = &app.theme;
    let count = app
        .rows
        .iter()
        .filter(|r| matches!(r, Row::Entry { .. }))
        .count();
    let title_text = if app.runnable_only {
        format!(
            " {} ({count} {}) ",
            s::CATALOGUE.get(app.lang),
            s::RUNNABLE_WORD.get(app.lang)
        )
    } else {
        format!(" {} ({count}) ", s::CATALOGUE.get(app.lang))
    };
    let title = Line::from(Span::styled(
        truncate(&title_text, areas.list.width.saturating_sub(2) as usize).to_string(),
        theme.title,
    ));
    let focused = app.focus == Focus::List && app.popup.is_none();
    super::block(app, title, focused).render(areas.list, buf);

    if !areas.search.is_empty() {
        search_line(app, areas.search, buf);
    }
    let rows = areas.rows;
    if rows.is_empty() {
        return;
    }
    if !app.rows.iter().any(|r| matches!(r, Row::Entry { .. })) {
        let text = s::NO_MATCH.get(app.lang).into_owned();
        buf.set_stringn(
            rows.x + 1,
            rows.y,
            text,
            rows.width.saturating_sub(1) as usize,
            theme.warning,
        );
        return;
    }
    let abbreviation_width = app
        .rows
        .iter()
        .filter_map(|row| match row {
            Row::Entry { index, .. } => Some(app.catalogue.entries()[*index].abbreviation.width()),
            Row::Heading(_) => None,
        })
        .max()
        .unwrap_or(0)
        .min(MAX_ABBREVIATION);
    for (line, row) in app
        .rows
        .iter()
        .skip(app.list_offset)
        .take(rows.height as usize)
        .enumerate()
    {
        let y = rows.y + line as u16;
        let selected = app.list_offset + line == app.cursor;
        let spans = match row {
            Row::Heading(category) => {
                let label = category.label();
                let text = match app.lang {
                    Lang::Both => format!("{}  {}", label.zh, label.en),
                    lang => label.get(lang).into_owned(),
                };
                vec![Span::styled(format!(" {text}"), theme.heading)]
            }
            Row::Entry { index, field } => {
                let entry = &app.catalogue.entries()[*index];
                entry_spans(app, entry, *field, abbreviation_width)
            }
        };
        if selected {
            buf.set_style(
                ratatui::layout::Rect::new(rows.x, y, rows.width, 1),
                theme.selected,
            );
        }
        let mut line = fit(spans, rows.width as usize);
        if selected {
            line = line.patch_style(theme.selected);
        }
        buf.set_line(rows.x, y, &line, rows.width);
    }
}

/// "/ query" with the prompt while the query is empty.
fn search_line(app: &App, area: ratatui::layout::Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let typing = app.mode == Mode::Search;
    let mut spans = vec![Span::styled("/ ", theme.key)];
    if app.query.is_empty() {
        spans.push(Span::styled(
            s::SEARCH_PROMPT.get(app.lang).into_owned(),
            theme.dim,
        ));
    } else {
        let style = if typing { theme.text } else { theme.highlight };
        // The end of a long query stays visible: that is where typing happens.
        let room = area.width.saturating_sub(3) as usize;
        let query = tail(&app.query, room);
        spans.push(Span::styled(query.to_string(), style));
    }
    buf.set_line(area.x, area.y, &Line::from(spans), area.width);
}

/// The longest suffix of `text` that fits in `width` columns.
fn tail(text: &str, width: usize) -> &str {
    let mut used = 0;
    for (at, c) in text.char_indices().rev() {
        used += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used > width {
            return &text[at + c.len_utf8()..];
        }
    }
    text
}

/// One entry's row: glyph, abbreviation, then the names, the language's
/// first; when a search matched a name the row does not show (pinyin, an
/// alias, the id), that name replaces the second one.
fn entry_spans(
    app: &App,
    entry: &Entry,
    field: Option<Field>,
    abbreviation_width: usize,
) -> Vec<Span<'static>> {
    let theme = &app.theme;
    let query = app.query.trim();
    let marks = |text: &str, base: Style| -> Vec<Span<'static>> {
        if query.is_empty() {
            vec![Span::styled(text.to_string(), base)]
        } else {
            highlighted(text, &match_indices(text, query), base, theme.highlight)
        }
    };
    // `>` marks an entry whose lab runs (a glyph, so it reads without colour).
    let marker = if App::runnable(entry) {
        Span::styled(">", theme.key)
    } else {
        Span::raw(" ")
    };
    let mut spans = vec![marker, diagram::span(entry.glyph, theme), Span::raw(" ")];
    let abbreviation = truncate(&entry.abbreviation, abbreviation_width);
    spans.extend(marks(abbreviation, theme.key));
    let pad = abbreviation_width - abbreviation.width();
    if abbreviation_width > 0 {
        spans.push(Span::raw(" ".repeat(pad + 1)));
    }
    let (first, second) = match app.lang {
        Lang::En => (&entry.name.en, &entry.name.zh),
        Lang::Zh | Lang::Both => (&entry.name.zh, &entry.name.en),
    };
    spans.extend(marks(first, theme.text));
    spans.push(Span::raw("  "));
    let hidden_field = match field {
        Some(Field::Pinyin) => Some((s::FIELD_PINYIN, entry.pinyin.clone())),
        Some(Field::PinyinInitials) => {
            Some((s::FIELD_PINYIN, crate::search::initials(&entry.pinyin)))
        }
        Some(Field::Alias(i)) => entry
            .aliases
            .get(i)
            .map(|alias| (s::FIELD_ALIAS, alias.clone())),
        Some(Field::SourceSpelling(i)) => entry
            .source_spellings
            .get(i)
            .map(|spelling| (s::FIELD_SOURCE_SPELLING, spelling.clone())),
        Some(Field::Id) => Some((s::FIELD_ID, entry.id.clone())),
        _ => None,
    };
    match hidden_field {
        Some((label, text)) => {
            let label_lang = if app.lang == Lang::Both {
                Lang::Zh
            } else {
                app.lang
            };
            spans.push(Span::styled(
                format!("{}: ", label.get(label_lang)),
                theme.dim,
            ));
            spans.extend(marks(&text, theme.dim));
        }
        None => {
            let style = if app.lang == Lang::Both {
                theme.text
            } else {
                theme.dim
            };
            spans.extend(marks(second, style));
        }
    }
    spans
}
