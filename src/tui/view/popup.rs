//! The help and legend popups, and clearing under a popup without leaving
//! half of a wide character behind (ratatui issue 2526).

use crate::text::Lang;
use crate::tui::app::{App, Popup};
use crate::tui::diagram;
use crate::tui::keymap;
use crate::tui::keys::{self, KeyHelp};
use crate::tui::strings as s;
use crate::tui::wrap::truncate;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Widget};
use unicode_width::UnicodeWidthStr;

/// Widest a popup gets.
const MAX_WIDTH: u16 = 76;

pub fn render(app: &App, popup: Popup, screen: Rect, buf: &mut Buffer) {
    let area = popup_area(app, popup, screen);
    if area.is_empty() {
        return;
    }
    let (title, lines, scroll) = match popup {
        Popup::Help { scroll } => (s::HELP_TITLE, help_lines(app), scroll),
        Popup::Legend { scroll } => (
            s::LEGEND_TITLE,
            diagram::legend(app.lang, &app.theme),
            scroll,
        ),
    };
    clear_wide_edges(area, buf);
    Clear.render(area, buf);
    let inner_height = area.height.saturating_sub(2) as usize;
    let title = truncate(
        &format!(" {} ", title.get(app.lang)),
        area.width.saturating_sub(2) as usize,
    )
    .to_string();
    let mut block = super::block(app, Line::from(Span::styled(title, app.theme.title)), true);
    if lines.len() > inner_height {
        let position = format!(
            " {}/{} ",
            (scroll as usize + inner_height).min(lines.len()),
            lines.len()
        );
        block =
            block.title_bottom(Line::from(Span::styled(position, app.theme.dim)).right_aligned());
    }
    block.render(area, buf);
    let inner = Rect::new(
        area.x + 2,
        area.y + 1,
        area.width.saturating_sub(4),
        area.height.saturating_sub(2),
    );
    for (row, line) in lines
        .iter()
        .skip(scroll as usize)
        .take(inner_height)
        .enumerate()
    {
        buf.set_line(inner.x, inner.y + row as u16, line, inner.width);
    }
}

/// Where `popup` goes on a screen of `screen`: centred in the body.
pub fn popup_area(app: &App, popup: Popup, screen: Rect) -> Rect {
    let body = app.areas(screen).body;
    let lines = popup_lines(app, popup);
    let content_width = lines.iter().map(Line::width).max().unwrap_or(0) as u16 + 4;
    let width = content_width.clamp(20, MAX_WIDTH).min(body.width);
    let height = (lines.len() as u16 + 2).min(body.height);
    Rect::new(
        body.x + (body.width - width) / 2,
        body.y + (body.height - height) / 2,
        width,
        height,
    )
}

/// How far `popup` can scroll on a screen of `screen`.
pub fn popup_max_scroll(app: &App, popup: Popup, screen: Rect) -> u16 {
    let area = popup_area(app, popup, screen);
    let lines = popup_lines(app, popup).len() as u16;
    lines.saturating_sub(area.height.saturating_sub(2))
}

fn popup_lines(app: &App, popup: Popup) -> Vec<Line<'static>> {
    match popup {
        Popup::Help { .. } => help_lines(app),
        Popup::Legend { .. } => diagram::legend(app.lang, &app.theme),
    }
}

/// Every binding, section by section, from the tables that dispatch them.
fn help_lines(app: &App) -> Vec<Line<'static>> {
    let mut sections: Vec<(crate::text::Bilingual, Vec<KeyHelp>)> = vec![
        (s::HELP_GLOBAL, keys::help(keymap::GLOBAL)),
        (s::HELP_LIST, keys::help(keymap::LIST)),
        (s::HELP_CARD, keys::help(keymap::CARD)),
        (s::HELP_RELATED, keys::help(keymap::RELATED)),
        (s::HELP_SEARCH, {
            let mut search = keys::help(keymap::SEARCH);
            search.insert(
                0,
                KeyHelp {
                    keys: "abc/中文".into(),
                    label: s::TYPE_TO_SEARCH,
                    in_footer: false,
                },
            );
            search
        }),
        (s::HELP_POPUP, keys::help(keymap::POPUP)),
    ];
    if let Some(lab) = &app.lab {
        // In the lab: its own keys, from the table it dispatches from, and
        // the keys that work everywhere.
        sections = vec![
            (s::HELP_LAB, lab.key_help()),
            sections.swap_remove(0),
            (s::HELP_POPUP, keys::help(keymap::POPUP)),
        ];
    }
    let key_width = sections
        .iter()
        .flat_map(|(_, helps)| helps.iter().map(|h| h.keys.width()))
        .max()
        .unwrap_or(0);
    let lang = app.lang;
    let mut lines = Vec::new();
    for (index, (title, helps)) in sections.iter().enumerate() {
        if index > 0 {
            lines.push(Line::default());
        }
        lines.push(Line::from(Span::styled(
            title.get(lang).into_owned(),
            app.theme.heading,
        )));
        for help in helps {
            let pad = key_width - help.keys.width();
            let label = match lang {
                Lang::Both => help.label.get(lang).into_owned(),
                _ => help.label.get(lang).into_owned(),
            };
            lines.push(Line::from(vec![
                Span::raw("  "),
                Span::styled(help.keys.to_string(), app.theme.key),
                Span::raw(" ".repeat(pad + 2)),
                Span::styled(label, app.theme.text),
            ]));
        }
    }
    lines
}

/// Before drawing over `area`: a wide character that starts just left of it
/// would spill its right half into it, and one whose left half is the last
/// column of it leaves an orphan right half just outside. Both become a
/// plain space, so the popup's border stays whole.
pub fn clear_wide_edges(area: Rect, buf: &mut Buffer) {
    let bounds = buf.area;
    for y in area.top()..area.bottom() {
        if area.x > bounds.x {
            let left = &mut buf[(area.x - 1, y)];
            if left.symbol().width() > 1 {
                left.set_symbol(" ");
            }
        }
        let last = area.right().saturating_sub(1);
        if area.right() < bounds.right() && last >= area.x && buf[(last, y)].symbol().width() > 1 {
            buf[(area.right(), y)].set_symbol(" ");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Style;

    #[test]
    fn a_popup_edge_never_leaves_half_a_chinese_character() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 10, 1));
        // 长 at columns 3-4 and 短 at 5-6; a popup over columns 4..=5.
        buf.set_string(0, 0, "abc长短de", Style::new());
        let popup = Rect::new(4, 0, 2, 1);
        clear_wide_edges(popup, &mut buf);
        Clear.render(popup, &mut buf);
        assert_eq!(buf[(3, 0)].symbol(), " ", "left neighbour cleared");
        assert_eq!(buf[(6, 0)].symbol(), " ", "right orphan cleared");
        assert_eq!(buf[(7, 0)].symbol(), "d");
    }
}
