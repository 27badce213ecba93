//! The entry card: names, abbreviation, category, whether it runs, summary,
//! description, equations, the layer diagram, references; and under it the
//! related entries, each selectable.

use super::Areas;
use crate::catalogue::Entry;
use crate::text::{Bilingual, Lang};
use crate::tui::app::{App, Focus};
use crate::tui::diagram;
use crate::tui::strings as s;
use crate::tui::theme::Theme;
use crate::tui::wrap::{fit, truncate, wrap};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use std::rc::Rc;
use unicode_width::UnicodeWidthStr;

pub fn render(app: &App, areas: &Areas, buf: &mut Buffer) {
    if areas.card.is_empty() {
        return;
    }
    let theme = &app.theme;
    let Some(entry) = app.selected_entry() else {
        super::block(app, Line::default(), false).render(areas.card, buf);
        return;
    };
    let lines = selected_card(app, areas.card_text.width);
    let title = entry_title(entry, app.lang, areas.card.width.saturating_sub(2) as usize);
    let focused = app.focus == Focus::Card && app.popup.is_none();
    let mut block = super::block(app, Line::from(Span::styled(title, theme.title)), focused);
    // Where the view is in a card longer than the pane.
    let height = areas.card_text.height as usize;
    if lines.len() > height && height > 0 {
        let first = app.card_scroll as usize + 1;
        let last = (app.card_scroll as usize + height).min(lines.len());
        let position = match app.lang {
            Lang::En => format!(" lines {first}-{last} of {} ", lines.len()),
            Lang::Zh | Lang::Both => format!(" 第 {first}-{last} 行，共 {} 行 ", lines.len()),
        };
        block = block.title_bottom(Line::from(Span::styled(position, theme.dim)).right_aligned());
    }
    block.render(areas.card, buf);
    let text = areas.card_text;
    for (row, line) in lines
        .iter()
        .skip(app.card_scroll as usize)
        .take(height)
        .enumerate()
    {
        buf.set_line(text.x, text.y + row as u16, line, text.width);
    }
    render_related(app, entry, areas, buf);
}

/// The card's title: the entry's name in the language shown, with its
/// abbreviation; cut with `…` when the pane is narrow.
fn entry_title(entry: &Entry, lang: Lang, width: usize) -> String {
    let name = match lang {
        Lang::En => &entry.name.en,
        Lang::Zh | Lang::Both => &entry.name.zh,
    };
    let title = if entry.abbreviation.is_empty() {
        format!(" {name} ")
    } else {
        format!(" {name} ({}) ", entry.abbreviation)
    };
    if title.width() <= width {
        title
    } else if width >= 2 {
        format!("{}… ", truncate(&title, width - 2))
    } else {
        truncate(&title, width).to_string()
    }
}

/// The card's lines, wrapped to `width` columns.
pub fn card_lines(
    entry: &Entry,
    runnable: bool,
    lang: Lang,
    theme: &Theme,
    width: u16,
) -> Vec<Line<'static>> {
    let width = width as usize;
    if width == 0 {
        return Vec::new();
    }
    let mut lines: Vec<Line<'static>> = Vec::with_capacity(48);
    let push_wrapped = |lines: &mut Vec<Line<'static>>, text: &str, style: Style, indent: usize| {
        for part in wrap(text, width.saturating_sub(indent).max(2)) {
            lines.push(Line::from(vec![
                Span::raw(" ".repeat(indent)),
                Span::styled(part, style),
            ]));
        }
    };
    // Names: the language's first, in the title's style; both always shown.
    let (first, second) = match lang {
        Lang::En => (&entry.name.en, &entry.name.zh),
        Lang::Zh | Lang::Both => (&entry.name.zh, &entry.name.en),
    };
    push_wrapped(&mut lines, first, theme.title, 0);
    push_wrapped(&mut lines, second, theme.text, 0);
    let mut facts = vec![
        Span::raw(" "),
        diagram::span(entry.glyph, theme),
        Span::raw(" "),
    ];
    if !entry.abbreviation.is_empty() {
        facts.push(Span::styled(entry.abbreviation.clone(), theme.key));
        facts.push(Span::raw("  "));
    }
    facts.push(Span::styled(
        entry.category.label().get(lang).into_owned(),
        theme.heading,
    ));
    lines.push(fit(facts, width));
    let (run_text, run_style) = if runnable {
        (s::RUNNABLE, theme.key)
    } else {
        (s::NOT_RUNNABLE, theme.dim)
    };
    push_bilingual(&mut lines, &run_text, lang, run_style, width);
    lines.push(Line::default());

    push_bilingual(
        &mut lines,
        &entry.summary,
        lang,
        theme.text.add_modifier(ratatui::style::Modifier::BOLD),
        width,
    );
    lines.push(Line::default());
    push_bilingual(&mut lines, &entry.description, lang, theme.text, width);

    if !entry.equations.is_empty() {
        lines.push(Line::default());
        lines.push(heading(&s::EQUATIONS, lang, theme, width));
        for equation in &entry.equations {
            push_wrapped(&mut lines, equation, theme.text, 2);
        }
    }

    lines.push(Line::default());
    let mut diagram_heading = vec![Span::styled(
        s::DIAGRAM.get(lang).into_owned(),
        theme.heading,
    )];
    diagram_heading.push(Span::styled(
        format!("  ({})", s::LEGEND_HINT.get(lang)),
        theme.dim,
    ));
    lines.push(fit(diagram_heading, width));
    if entry.diagram.is_empty() {
        lines.push(Line::from(Span::styled(
            format!("  {}", s::NO_DIAGRAM.get(lang)),
            theme.dim,
        )));
    } else {
        for line in diagram::lines(&entry.diagram, lang, theme, width) {
            lines.push(fit(line.spans, width));
        }
    }

    if !entry.references.is_empty() {
        lines.push(Line::default());
        lines.push(heading(&s::REFERENCES, lang, theme, width));
        for reference in &entry.references {
            let text = format!(
                "{} ({}). {}. {}.",
                reference.authors, reference.year, reference.title, reference.venue
            );
            let mut first = true;
            for part in wrap(&text, width.saturating_sub(4).max(2)) {
                let bullet = if first { "  - " } else { "    " };
                first = false;
                lines.push(Line::from(vec![
                    Span::styled(bullet, theme.dim),
                    Span::styled(part, theme.text),
                ]));
            }
        }
    }
    lines
}

/// How many lines the selected entry's card has at `width`.
pub fn card_line_count(app: &App, width: u16) -> usize {
    selected_card(app, width).len()
}

/// The selected entry's card at `width`, wrapped once per entry, language
/// and width: the event handler (clamping the scroll) and every redraw
/// after it share one wrapping.
fn selected_card(app: &App, width: u16) -> Rc<[Line<'static>]> {
    let Some(index) = app.selected() else {
        return Rc::from(Vec::new());
    };
    let key = CardKey {
        index,
        lang: app.lang,
        width,
    };
    let mut cache = app.card_cache.borrow_mut();
    match &*cache {
        Some((cached, lines)) if *cached == key => Rc::clone(lines),
        _ => {
            let entry = &app.catalogue.entries()[index];
            let lines: Rc<[Line<'static>]> =
                card_lines(entry, App::runnable(entry), app.lang, &app.theme, width).into();
            *cache = Some((key, Rc::clone(&lines)));
            lines
        }
    }
}

/// What a wrapped card depends on (the theme and the catalogue are fixed
/// for an [`App`]'s life).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardKey {
    index: usize,
    lang: Lang,
    width: u16,
}

/// The last card wrapped, see [`selected_card`].
pub type CardCache = std::cell::RefCell<Option<(CardKey, Rc<[Line<'static>]>)>>;

/// A heading line.
fn heading(text: &Bilingual, lang: Lang, theme: &Theme, width: usize) -> Line<'static> {
    fit(
        vec![Span::styled(text.get(lang).into_owned(), theme.heading)],
        width,
    )
}

/// Text in the language, or in both one after the other (English first).
fn push_bilingual(
    lines: &mut Vec<Line<'static>>,
    text: &Bilingual,
    lang: Lang,
    style: Style,
    width: usize,
) {
    let parts: Vec<&str> = match lang {
        Lang::En => vec![&text.en],
        Lang::Zh => vec![&text.zh],
        Lang::Both if text.en == text.zh => vec![&text.en],
        Lang::Both => vec![&text.en, &text.zh],
    };
    for part in parts {
        for line in wrap(part, width) {
            lines.push(Line::from(Span::styled(line, style)));
        }
    }
}

/// One related entry as drawn: where, and which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelatedChip {
    /// Position in the entry's related list.
    pub position: usize,
    /// Catalogue index of the related entry.
    pub index: usize,
    pub label: String,
    pub area: Rect,
}

/// The related entries laid out left to right, wrapping, inside `area`.
pub fn related_chips(app: &App, area: Rect) -> Vec<RelatedChip> {
    let Some(entry) = app.selected_entry() else {
        return Vec::new();
    };
    layout_chips(app, entry, area)
}

fn layout_chips(app: &App, entry: &Entry, area: Rect) -> Vec<RelatedChip> {
    let mut chips = Vec::new();
    if area.width < 4 {
        return chips;
    }
    let (mut x, mut y) = (area.x, area.y);
    for (position, index) in app.related(entry).into_iter().enumerate() {
        let related = &app.catalogue.entries()[index];
        let name = match app.lang {
            Lang::En => &related.name.en,
            _ => &related.name.zh,
        };
        let text = if related.abbreviation.is_empty() {
            format!("{} {name}", diagram::glyph(related.glyph))
        } else {
            format!(
                "{} {} {name}",
                diagram::glyph(related.glyph),
                related.abbreviation
            )
        };
        let label = truncate(&text, area.width as usize - 2).to_string();
        let width = label.width() as u16 + 2;
        if x > area.x && x + width > area.right() {
            x = area.x;
            y += 1;
        }
        chips.push(RelatedChip {
            position,
            index,
            label,
            area: Rect::new(x, y, width, 1),
        });
        x += width + 1;
    }
    chips
}

/// How many lines the related entries of `entry` take at `width`.
pub(super) fn related_line_count(app: &App, entry: &Entry, width: u16) -> u16 {
    let chips = layout_chips(app, entry, Rect::new(0, 0, width, u16::MAX));
    chips.last().map(|chip| chip.area.y + 1).unwrap_or(1)
}

fn render_related(app: &App, entry: &Entry, areas: &Areas, buf: &mut Buffer) {
    if areas.related.is_empty() {
        return;
    }
    let theme = &app.theme;
    let focused = app.focus == Focus::Related && app.popup.is_none();
    let title = truncate(
        &format!(" {} ", s::RELATED.get(app.lang)),
        areas.related.width.saturating_sub(2) as usize,
    )
    .to_string();
    super::block(app, Line::from(Span::styled(title, theme.title)), focused)
        .render(areas.related, buf);
    let text = areas.related_text;
    let chips = layout_chips(app, entry, text);
    if chips.is_empty() {
        buf.set_stringn(
            text.x,
            text.y,
            s::NO_RELATED.get(app.lang),
            text.width as usize,
            theme.dim,
        );
    }
    // Rows scrolled off the top so that the selected entry is in view.
    let selected_row = chips
        .iter()
        .find(|chip| chip.position == app.related_cursor)
        .map(|chip| chip.area.y)
        .unwrap_or(text.y);
    let skip = (selected_row + 1).saturating_sub(text.y + text.height.max(1));
    for chip in chips {
        let Some(y) = chip.area.y.checked_sub(skip) else {
            continue;
        };
        if y < text.y || y >= text.bottom() {
            continue;
        }
        let selected = focused && chip.position == app.related_cursor;
        let style = if selected { theme.selected } else { theme.text };
        let glyph_kind = app.catalogue.entries()[chip.index].glyph;
        let mut spans = vec![Span::styled(" ", style)];
        let mut chars = chip.label.chars();
        if let Some(glyph) = chars.next() {
            spans.push(Span::styled(
                glyph.to_string(),
                diagram::style(glyph_kind, theme).patch(style),
            ));
        }
        spans.push(Span::styled(format!("{} ", chars.as_str()), style));
        let room = text.right().saturating_sub(chip.area.x);
        buf.set_line(
            chip.area.x,
            y,
            &Line::from(spans),
            room.min(chip.area.width),
        );
    }
}
