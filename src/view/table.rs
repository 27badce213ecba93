//! Rows of text under a header (a confusion matrix, a data set's records).
//!
//! Columns are as wide as their widest cell; when the area is narrower the
//! widest columns give way first and cells are cut with `…`. Columns of
//! numbers are aligned on the right. The current row is marked with `>`
//! and drawn reversed (selected, in colour), so it reads without colour;
//! when not every row fits, the rows shown keep it in sight and the last
//! line says which rows they are.

use super::paint::put;
use super::wrap::truncate;
use super::{DrawContext, Kind};
use crate::text::{Bilingual, Lang};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use serde_json::{Value, json};
use std::borrow::Cow;
use unicode_width::UnicodeWidthStr;

/// Columns before each row: the mark of the current one.
const MARK_W: u16 = 2;
/// Blank columns between table columns.
const GAP: u16 = 2;

/// Rows of cells under a header; `current` is the row being looked at.
/// A cell of numbers or symbols is the same in both languages
/// ([`Bilingual::same`], [`Table::same`]); words are written in both.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub header: Vec<Bilingual>,
    pub rows: Vec<Vec<Bilingual>>,
    pub current: Option<usize>,
}

impl Table {
    /// A table of numbers and symbols, which read the same in both
    /// languages (a kernel's weights, a transition matrix's entries).
    pub fn same(header: Vec<String>, rows: Vec<Vec<String>>, current: Option<usize>) -> Table {
        Table {
            header: header.into_iter().map(Bilingual::same).collect(),
            rows: (rows.into_iter())
                .map(|row| row.into_iter().map(Bilingual::same).collect())
                .collect(),
            current,
        }
    }
}

impl Kind for Table {
    /// `{"header": [...], "rows": [[...], ...]}` in English; which row is
    /// current is how the table is looked at, not state, and is left out.
    fn to_json(&self) -> Option<Value> {
        let en = |cells: &[Bilingual]| -> Vec<String> {
            cells.iter().map(|c| c.en.to_string()).collect()
        };
        let rows: Vec<Vec<String>> = self.rows.iter().map(|r| en(r)).collect();
        Some(json!({ "header": en(&self.header), "rows": rows }))
    }

    fn heights(&self, _width: u16, _colour: bool) -> Vec<u16> {
        heights(self.rows.len())
    }

    fn title_suffix(&self, ctx: &DrawContext) -> String {
        title_suffix(self, ctx.lang)
    }

    fn draw(&self, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
        draw(self, area, buf, ctx);
    }

    fn has_non_finite(&self) -> bool {
        false
    }

    /// A table too wide for a packed column gets the full width.
    fn wide(&self, column: u16) -> bool {
        self.natural_width() > column
    }

    fn keep_rank(&self) -> u8 {
        1
    }

    /// A header without rows says nothing: at least three rows show.
    fn readable_height(&self) -> u16 {
        clamp(2 + self.rows.len().min(3))
    }
}

fn heights(rows: usize) -> Vec<u16> {
    // Title and header, then the rows: all of them, or a window of them
    // whose last line says which rows show.
    let mut hs = vec![clamp(2 + rows)];
    for window in [12, 6, 3] {
        if rows > window {
            hs.push(clamp(2 + window));
        }
    }
    if rows > 0 {
        hs.push(2);
    }
    hs
}

fn clamp(n: usize) -> u16 {
    n.min(usize::from(u16::MAX)) as u16
}

impl Table {
    fn columns(&self) -> usize {
        self.rows
            .iter()
            .map(Vec::len)
            .chain([self.header.len()])
            .max()
            .unwrap_or(0)
    }

    fn cell(&self, row: usize, col: usize, lang: Lang) -> Cow<'_, str> {
        self.rows
            .get(row)
            .and_then(|r| r.get(col))
            .map_or(Cow::Borrowed(""), |c| c.get(lang))
    }

    /// Each column's width when nothing is cut: its widest cell in the
    /// wider language, so the layout stays when the language changes.
    fn natural_widths(&self) -> Vec<u16> {
        let width = |b: &Bilingual| b.en.width().max(b.zh.width());
        (0..self.columns())
            .map(|c| {
                let header = self.header.get(c).map_or(0, width);
                let cells = (self.rows.iter()).map(|r| r.get(c).map_or(0, width));
                cells
                    .chain([header])
                    .max()
                    .unwrap_or(0)
                    .min(usize::from(u16::MAX)) as u16
            })
            .collect()
    }

    /// Whether every cell of column `c` is a number (aligned on the right).
    fn numeric(&self, c: usize) -> bool {
        let mut any = false;
        for r in 0..self.rows.len() {
            let cell = self.cell(r, c, Lang::En);
            let cell = cell.trim();
            if cell.is_empty() {
                continue;
            }
            let number = cell.trim_end_matches('%');
            if number.parse::<f64>().is_err() {
                return false;
            }
            any = true;
        }
        any
    }
}

impl Table {
    /// Columns the table takes with nothing cut: for the layout, which
    /// gives a table the full width when it needs more than a packed column.
    fn natural_width(&self) -> u16 {
        let widths = self.natural_widths();
        let gaps = GAP.saturating_mul(widths.len().saturating_sub(1) as u16);
        widths
            .iter()
            .fold(MARK_W.saturating_add(gaps), |sum, w| sum.saturating_add(*w))
    }
}

/// The blank columns between table columns in `room`: [`GAP`] when every
/// cell fits with it, else one, so that less of the cells is cut.
fn gap_for(widths: &[u16], room: u16) -> u16 {
    let cells: u32 = widths.iter().map(|&w| u32::from(w)).sum();
    let gaps = u32::try_from(widths.len().saturating_sub(1)).unwrap_or(u32::MAX);
    if cells + u32::from(GAP) * gaps <= u32::from(room) {
        GAP
    } else {
        1
    }
}

/// Widths that fit `room` columns (`gap` between them): the widest columns
/// give way a column at a time, none below 1; what still does not fit is
/// cut at the area's edge.
fn fit_widths(mut widths: Vec<u16>, room: u16, gap: u16) -> Vec<u16> {
    let gaps = gap.saturating_mul(widths.len().saturating_sub(1) as u16);
    let room = room.saturating_sub(gaps);
    let mut total: u32 = widths.iter().map(|&w| u32::from(w)).sum();
    while total > u32::from(room) {
        let Some((i, &w)) = widths
            .iter()
            .enumerate()
            .max_by_key(|&(i, w)| (*w, usize::MAX - i))
        else {
            break;
        };
        if w <= 1 {
            break;
        }
        // Down to the next widest column in one go, so wide tables are quick.
        let second = widths
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .map(|(_, &v)| v)
            .max()
            .unwrap_or(1);
        let over = total - u32::from(room);
        let cut = u32::from(w - second.clamp(1, w)).clamp(1, over) as u16;
        widths[i] -= cut;
        total -= u32::from(cut);
    }
    widths
}

fn title_suffix(table: &Table, lang: Lang) -> String {
    let n = table.rows.len();
    match (table.current, lang) {
        (Some(c), Lang::Zh) if c < n => format!("第 {} 行，共 {n} 行", c + 1),
        (Some(c), _) if c < n => format!("row {} of {n}", c + 1),
        (_, Lang::Zh) => format!("{n} 行"),
        _ => format!("{n} rows"),
    }
}

fn draw(table: &Table, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
    if area.is_empty() {
        return;
    }
    let room = area.width.saturating_sub(MARK_W);
    let natural = table.natural_widths();
    let gap = gap_for(&natural, room);
    let widths = fit_widths(natural, room, gap);
    let numeric: Vec<bool> = (0..widths.len()).map(|c| table.numeric(c)).collect();
    let header_style = ctx.theme.heading.add_modifier(Modifier::UNDERLINED);
    let line = |y: u16, cells: &dyn Fn(usize) -> String, style, buf: &mut Buffer| {
        let mut x = area.x + MARK_W;
        for (c, &w) in widths.iter().enumerate() {
            if x >= area.right() {
                break;
            }
            let text = cells(c);
            let text = truncate(&text, usize::from(w));
            let pad = usize::from(w).saturating_sub(text.width());
            let padded = if numeric[c] {
                format!("{}{text}", " ".repeat(pad))
            } else {
                format!("{text}{}", " ".repeat(pad))
            };
            x = put(buf, area, x, y, &padded, style);
            if c + 1 < widths.len() {
                x = put(buf, area, x, y, &" ".repeat(usize::from(gap)), style);
            }
        }
    };
    let header_cell =
        |c: usize| (table.header.get(c)).map_or_else(String::new, |h| h.get(ctx.lang).into_owned());
    line(area.y, &header_cell, header_style, buf);

    let room = usize::from(area.height - 1);
    let n = table.rows.len();
    if room == 0 {
        return;
    }
    // A window of rows around the current one, with a line to say so.
    let (first, shown) = if n <= room {
        (0, n)
    } else {
        let shown = room.saturating_sub(1);
        let current = table.current.unwrap_or(0).min(n - 1);
        let first = current
            .saturating_sub(shown / 2)
            .min(n.saturating_sub(shown));
        (first, shown)
    };
    for (k, r) in (first..first + shown).enumerate() {
        let y = area.y + 1 + k as u16;
        let is_current = table.current == Some(r);
        let style = if is_current {
            ctx.theme.selected.add_modifier(Modifier::REVERSED)
        } else {
            ctx.theme.text
        };
        if is_current {
            put(buf, area, area.x, y, "> ", style);
        }
        line(y, &|c| table.cell(r, c, ctx.lang).into_owned(), style, buf);
    }
    if shown < n {
        let y = area.y + 1 + shown as u16;
        let note = match ctx.lang {
            Lang::Zh => format!("第 {}-{} 行，共 {n} 行", first + 1, first + shown),
            _ => format!("rows {}-{} of {n}", first + 1, first + shown),
        };
        put(
            buf,
            area,
            area.x + MARK_W.min(area.width - 1),
            y,
            &note,
            ctx.theme.dim,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_is_traced_as_its_header_and_rows() {
        let table = Table::same(
            vec!["class".into(), "recall".into()],
            vec![vec!["0".to_string(), "0.93".to_string()]],
            Some(0),
        );
        assert_eq!(
            table.to_json(),
            Some(json!({"header": ["class", "recall"], "rows": [["0", "0.93"]]}))
        );
    }

    #[test]
    fn widest_columns_give_way_first() {
        assert_eq!(fit_widths(vec![3, 10, 4], 30, GAP), vec![3, 10, 4]);
        // 17 + 4 of gaps in 15: the 10 shrinks to 4, then all share the rest.
        let fitted = fit_widths(vec![3, 10, 4], 15, GAP);
        assert_eq!(fitted.iter().sum::<u16>(), 11, "{fitted:?}");
        assert!(fitted.iter().all(|&w| w >= 3), "{fitted:?}");
        // No room at all: every column keeps one cell.
        assert_eq!(fit_widths(vec![5, 5], 0, GAP), vec![1, 1]);
        assert_eq!(fit_widths(Vec::new(), 0, GAP), Vec::<u16>::new());
    }

    #[test]
    fn gaps_narrow_before_a_cell_is_cut() {
        // Ten columns of four: 40 + 18 of gaps, or 40 + 9.
        let widths = vec![4; 10];
        assert_eq!(gap_for(&widths, 58), GAP);
        assert_eq!(gap_for(&widths, 57), 1);
        assert_eq!(fit_widths(widths.clone(), 49, 1), widths);
        assert_eq!(gap_for(&[], 0), GAP);
    }

    #[test]
    fn a_table_is_as_wide_as_its_widest_cells() {
        let table = Table::same(
            vec!["class".to_string(), "n".to_string()],
            vec![vec!["setosa".to_string(), "50".to_string()]],
            None,
        );
        assert_eq!(table.natural_width(), 2 + 6 + 2 + 2);
        assert_eq!(heights(0), vec![2]);
        assert_eq!(heights(20), vec![22, 14, 8, 5, 2]);
    }
}

#[cfg(test)]
mod view_tests {
    use super::super::tests::{screen, stays_inside};
    use crate::text::Bilingual;
    use crate::tui::theme::Theme;
    use crate::view::{Table, View, ViewContent};
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    use ratatui::style::Modifier;

    fn table(rows: usize, current: Option<usize>) -> View {
        let names = ["setosa", "versicolor", "virginica (a long name)"];
        View::new(
            "scores",
            Bilingual::new("scores per class", "各类得分"),
            ViewContent::Table(Table::same(
                vec![
                    "class".into(),
                    "precision".into(),
                    "recall".into(),
                    "n".into(),
                ],
                (0..rows)
                    .map(|i| {
                        vec![
                            names[i % 3].to_string(),
                            format!("{:.2}", 0.8 + 0.01 * i as f64),
                            format!("{:.2}", 0.9 - 0.02 * i as f64),
                            format!("{}", 10 * i),
                        ]
                    })
                    .collect(),
                current,
            )),
        )
    }

    #[test]
    fn snapshot_table_80x24() {
        insta::assert_snapshot!(screen(&table(6, Some(2)), 80, 24, &Theme::plain()));
    }

    #[test]
    fn snapshot_table_narrow_and_short() {
        // 24 columns: the long names are cut; 8 rows: a window around row 15.
        insta::assert_snapshot!(screen(&table(30, Some(15)), 24, 8, &Theme::plain()));
    }

    #[test]
    fn the_current_row_is_marked_and_in_sight() {
        let text = screen(&table(30, Some(25)), 60, 8, &Theme::plain());
        let marked: Vec<&str> = text.lines().filter(|l| l.starts_with("> ")).collect();
        assert_eq!(marked.len(), 1, "{text}");
        assert!(marked[0].contains("250"), "{text}");
        assert!(text.contains("rows 24-28 of 30"), "{text}");
        // Reversed, so it shows without colour too.
        let mut buf = Buffer::empty(Rect::new(0, 0, 60, 8));
        let theme = Theme::plain();
        let ctx = super::super::DrawContext {
            lang: crate::text::Lang::En,
            theme: &theme,
            cursor: None,
        };
        super::super::draw(&table(30, Some(25)), buf.area, &mut buf, &ctx);
        let y = (0..8).find(|&y| buf[(0, y)].symbol() == ">").unwrap();
        assert!(buf[(5, y)].modifier.contains(Modifier::REVERSED));
    }

    #[test]
    fn numbers_align_right_and_long_cells_end_in_an_ellipsis() {
        let text = screen(&table(3, None), 40, 6, &Theme::plain());
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[1].contains("class") && lines[1].contains("precision"),
            "{text}"
        );
        // `n` holds 0, 10, 20: right-aligned under its header.
        assert!(
            lines[2].ends_with(" 0") && lines[4].ends_with("20"),
            "{text}"
        );
        assert!(text.contains('…'), "{text}");
        for line in &lines {
            assert!(unicode_width::UnicodeWidthStr::width(*line) <= 40);
        }
    }

    #[test]
    fn odd_tables_stay_inside() {
        stays_inside(&table(30, Some(29)));
        stays_inside(&table(0, Some(3)));
        let ragged = View::new(
            "t",
            Bilingual::new("表", "表"),
            ViewContent::Table(Table::same(
                vec![],
                vec![vec!["中文很长的一格".into()], vec![], vec!["a".into(); 9]],
                Some(1),
            )),
        );
        stays_inside(&ragged);
        screen(&ragged, 80, 24, &Theme::coloured());
    }
}
