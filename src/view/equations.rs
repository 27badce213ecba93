//! The model's equations, one per line with numbers filled in where they
//! are known, the current stage's line marked with `>` and kept in sight.

use super::paint::put;
use super::wrap::{truncate_words, wrap};
use super::{DrawContext, Kind};
use crate::text::{Bilingual, Lang};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use serde_json::Value;

/// Columns before an equation: the marker of the current line.
const MARK_W: u16 = 2;

/// Equations, one per line; `current` is the line of the stage that runs
/// next or just ran. Lines with words carry them in each language.
#[derive(Debug, Clone, PartialEq)]
pub struct Equations {
    pub lines: Vec<Bilingual>,
    pub current: Option<usize>,
}

impl Kind for Equations {
    /// Equations are how the state is computed, not state.
    fn to_json(&self) -> Option<Value> {
        None
    }

    fn heights(&self, width: u16, _colour: bool) -> Vec<u16> {
        // The taller of the two languages, so that switching keeps the layout.
        let inner = width.saturating_sub(MARK_W);
        let wrapped = |lang: Lang| -> usize {
            self.lines
                .iter()
                .map(|l| wrap(&l.get(lang), inner).len())
                .sum()
        };
        let rows = wrapped(Lang::En).max(wrapped(Lang::Zh));
        vec![clamp(1 + rows), clamp(1 + self.lines.len()), 2]
    }

    fn draw(&self, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
        let lines: Vec<String> = self
            .lines
            .iter()
            .map(|l| l.get(ctx.lang).into_owned())
            .collect();
        let current = self.current;
        let inner = area.width.saturating_sub(MARK_W);
        let wrapped: Vec<Vec<String>> = lines.iter().map(|l| wrap(l, inner)).collect();
        let total: usize = wrapped.iter().map(Vec::len).sum();
        let h = usize::from(area.height);
        // Every line whole if it fits, else one row each, scrolled so the
        // current line shows.
        let rows: Vec<(usize, String)> = if total <= h {
            wrapped
                .into_iter()
                .enumerate()
                .flat_map(|(i, ls)| ls.into_iter().map(move |l| (i, l)))
                .collect()
        } else {
            let first = match current {
                Some(c) if c >= h => (c + 1 - h).min(lines.len().saturating_sub(h)),
                _ => 0,
            };
            lines
                .iter()
                .enumerate()
                .skip(first)
                .map(|(i, l)| (i, truncate_words(l, usize::from(inner)).into_owned()))
                .collect()
        };
        let mut previous = None;
        for (row, (i, text)) in rows.into_iter().enumerate().take(h) {
            let y = area.y + row as u16;
            let is_current = current == Some(i);
            let first_row_of_line = previous != Some(i);
            previous = Some(i);
            let mark = if is_current && first_row_of_line {
                "> "
            } else {
                "  "
            };
            let style = if is_current {
                ctx.theme.highlight
            } else {
                ctx.theme.text
            };
            let x = put(buf, area, area.x, y, mark, ctx.theme.key);
            put(buf, area, x, y, &text, style);
        }
    }

    fn has_non_finite(&self) -> bool {
        false
    }

    fn wide(&self, _column: u16) -> bool {
        true
    }

    /// A model is read from its equations.
    fn keep_rank(&self) -> u8 {
        3
    }

    /// Every line, each on one row (up to a dozen): the stages are read
    /// against each other.
    fn readable_height(&self) -> u16 {
        1 + clamp(self.lines.len().min(12))
    }
}

fn clamp(n: usize) -> u16 {
    n.min(usize::from(u16::MAX)) as u16
}
