//! Drawing the browser. Nothing here changes the state: every function
//! reads the [`App`] and writes cells into a [`Buffer`].

mod card;
mod list;
mod popup;

pub use card::{CardCache, RelatedChip, card_line_count, card_lines, related_chips};
pub use popup::{clear_wide_edges, popup_area, popup_max_scroll};

use super::app::{App, Focus, MIN_HEIGHT, MIN_WIDTH};
use super::keys::KeyHelp;
use super::strings as s;
use crate::text::Lang;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

/// Below this width the list and the card share the screen by turns: the
/// focused one fills it.
const TWO_PANES_WIDTH: u16 = 70;

/// The named areas of one screen. Areas that are not shown are empty.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    /// Everything between header and footer (the lab's place).
    pub body: Rect,
    pub footer: Rect,
    /// The list's block, its search line and its rows.
    pub list: Rect,
    pub search: Rect,
    pub rows: Rect,
    /// The card's block and its text.
    pub card: Rect,
    pub card_text: Rect,
    /// The related entries' block and its text.
    pub related: Rect,
    pub related_text: Rect,
}

/// Splits a terminal of `area` for the current state.
pub fn areas(app: &App, area: Rect) -> Areas {
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    let mut areas = Areas {
        header,
        body,
        footer,
        ..Areas::default()
    };
    if app.lab.is_some() {
        return areas;
    }
    let (list, right) = if body.width >= TWO_PANES_WIDTH {
        let list_width = (body.width * 2 / 5).clamp(32, 60);
        let [list, right] =
            Layout::horizontal([Constraint::Length(list_width), Constraint::Min(0)]).areas(body);
        (list, right)
    } else if app.focus == Focus::List {
        (body, Rect::default())
    } else {
        (Rect::default(), body)
    };
    areas.list = list;
    let list_inner = inner(list);
    if app.mode == super::app::Mode::Search || !app.query.is_empty() {
        let [search, rows] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(list_inner);
        areas.search = search;
        areas.rows = rows;
    } else {
        areas.rows = list_inner;
    }
    if right.is_empty() {
        return areas;
    }
    let related_height = match app.selected_entry() {
        Some(entry) if !app.related(entry).is_empty() => {
            let text_width = right.width.saturating_sub(2);
            let lines = card::related_line_count(app, entry, text_width);
            (lines + 2).min((right.height / 3).max(3))
        }
        _ => 0,
    };
    let [card, related] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(related_height)]).areas(right);
    areas.card = card;
    areas.card_text = inner_padded(card);
    areas.related = related;
    areas.related_text = inner_padded(related);
    areas
}

/// The inside of a bordered block.
fn inner(area: Rect) -> Rect {
    Rect::new(
        area.x.saturating_add(1),
        area.y.saturating_add(1),
        area.width.saturating_sub(2),
        area.height.saturating_sub(2),
    )
}

/// The inside of a bordered block with one column of padding on each side.
fn inner_padded(area: Rect) -> Rect {
    let inside = inner(area);
    Rect::new(
        inside.x.saturating_add(1),
        inside.y,
        inside.width.saturating_sub(2),
        inside.height,
    )
}

impl App {
    /// Draws the whole screen. Only the lab (once open) remembers where it
    /// drew, for its mouse; the browser's areas come from [`App::areas`].
    pub fn render(&mut self, area: Rect, buf: &mut Buffer) {
        let this: &App = self;
        if App::too_small(area) {
            too_small(this, area, buf);
            return;
        }
        let areas = areas(this, area);
        footer(this, areas.footer, buf);
        if let Some(lab) = self.lab.as_mut() {
            // The lab draws its own title line where the header goes.
            let lab_area = areas.header.union(areas.body);
            lab.render(lab_area, buf, self.lang, &self.theme);
        } else {
            header(self, areas.header, buf);
            list::render(self, &areas, buf);
            card::render(self, &areas, buf);
        }
        if let Some(popup) = self.popup {
            popup::render(self, popup, area, buf);
        }
    }
}

/// The first line: the program's name and the language.
fn header(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    buf.set_style(area, theme.dim);
    let lang = match app.lang {
        Lang::En => s::LANG_EN,
        Lang::Zh => s::LANG_ZH,
        Lang::Both => s::LANG_BOTH,
    };
    let right = format!("L: {lang}  ?: {} ", s::KEY_HELP.get(app.lang));
    let right_width = right.width() as u16;
    let left = Line::from(vec![
        Span::styled(" nnzoo ", theme.title),
        Span::styled(s::APP_NAME.get(app.lang).into_owned(), theme.text),
    ]);
    let room = area.width.saturating_sub(right_width + 1);
    buf.set_line(area.x, area.y, &left, room);
    if right_width < area.width {
        buf.set_stringn(
            area.right() - right_width,
            area.y,
            right,
            right_width as usize,
            theme.dim,
        );
    }
}

/// The last line: a message, or the key hints of the focused place.
fn footer(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let width = area.width as usize;
    let mut spans = Vec::new();
    if let Some(message) = &app.message {
        spans.push(Span::styled(
            format!(" {} ", message.get(app.lang)),
            theme.warning,
        ));
    }
    let used: usize = spans.iter().map(|span| span.content.width()).sum();
    // The keys that work everywhere (help, quit) keep their place; the
    // place's own hints fill what is left, first ones first.
    let (own, global) = app.footer_hints();
    let global_width: usize = global.iter().map(|hint| hint_width(hint, app.lang)).sum();
    let own_spans = hint_spans(
        &own,
        app.lang,
        theme,
        width.saturating_sub(used + global_width),
    );
    let own_width: usize = own_spans.iter().map(|span| span.content.width()).sum();
    spans.extend(own_spans);
    spans.extend(hint_spans(
        &global,
        app.lang,
        theme,
        width.saturating_sub(used + own_width),
    ));
    buf.set_line(area.x, area.y, &Line::from(spans), area.width);
}

/// Columns one hint takes in the footer.
fn hint_width(hint: &KeyHelp, lang: Lang) -> usize {
    1 + hint.keys.width() + 1 + hint.label.get(lang).width() + 1
}

/// Hints as "key label" pairs, as many whole ones as fit in `width`.
pub fn hint_spans(
    hints: &[KeyHelp],
    lang: Lang,
    theme: &super::theme::Theme,
    width: usize,
) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    let mut used = 0;
    for hint in hints {
        let label = hint.label.get(lang);
        let cost = hint_width(hint, lang);
        if used + cost > width {
            break;
        }
        used += cost;
        spans.push(Span::raw(" "));
        spans.push(Span::styled(hint.keys.to_string(), theme.key));
        spans.push(Span::styled(format!(" {label} "), theme.dim));
    }
    spans
}

/// The whole screen when it is too small: says so, in as few words as fit,
/// or draws nothing at all.
fn too_small(app: &App, area: Rect, buf: &mut Buffer) {
    let lang = if app.lang == Lang::Both {
        Lang::Zh
    } else {
        app.lang
    };
    let candidates = [
        vec![
            s::TOO_SMALL.get(lang).into_owned(),
            format!("{}x{} < {MIN_WIDTH}x{MIN_HEIGHT}", area.width, area.height),
        ],
        vec![s::TOO_SMALL.get(lang).into_owned()],
        vec![s::TOO_SMALL_SHORT.get(lang).into_owned()],
    ];
    let Some(lines) = candidates.iter().find(|lines| {
        lines.len() as u16 <= area.height
            && lines.iter().all(|line| line.width() as u16 <= area.width)
    }) else {
        return;
    };
    let top = area.y + (area.height - lines.len() as u16) / 2;
    for (row, line) in lines.iter().enumerate() {
        let width = line.width() as u16;
        let x = area.x + (area.width - width) / 2;
        let style = if row == 0 {
            app.theme.warning
        } else {
            app.theme.dim
        };
        buf.set_stringn(x, top + row as u16, line, width as usize, style);
    }
}

/// A block's border and title, drawn with the focus colour when focused.
pub(crate) fn block<'a>(app: &App, title: Line<'a>, focused: bool) -> ratatui::widgets::Block<'a> {
    let style: Style = if focused {
        app.theme.border_focused
    } else {
        app.theme.border
    };
    ratatui::widgets::Block::bordered()
        .border_style(style)
        .title(title)
}
