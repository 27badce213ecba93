//! A vector over time (a hidden state's history) drawn as a heat map (see
//! [`super::heatmap`]): time across, one column per step, the latest steps
//! that fit, and a line per component.

use super::heatmap::{candidates, draw_grid, note_cut, rows_for};
use super::paint::{format_value, span_of};
use super::{DrawContext, Kind, chunked};
use crate::text::Bilingual;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use serde_json::Value;

/// `rows` time steps of `cols` values, oldest first, shaded within `range`.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    pub rows: usize,
    pub cols: usize,
    pub values: Vec<f32>,
    pub range: (f32, f32),
}

impl Kind for History {
    fn to_json(&self) -> Option<Value> {
        Some(chunked(&self.values, self.rows, self.cols))
    }

    fn heights(&self, _width: u16, colour: bool) -> Vec<u16> {
        candidates(rows_for(self.cols, colour))
    }

    fn title_suffix(&self, ctx: &DrawContext) -> String {
        let steps = Bilingual::new("steps", "步");
        format!(
            "{} {} × {} {}..{}",
            self.rows,
            steps.get(ctx.lang),
            self.cols,
            format_value(self.range.0),
            format_value(self.range.1)
        )
    }

    fn draw(&self, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
        let (rows, cols, values, range) = (self.rows, self.cols, &self.values, self.range);
        let range = if range.0.is_finite() && range.1.is_finite() && range.0 < range.1 {
            range
        } else {
            span_of(values.iter().copied())
        };
        // The latest steps that fit, oldest on the left.
        let steps = rows.min(usize::from(area.width));
        let first = rows - steps;
        let value = |component: usize, t: usize| {
            values
                .get((first + t) * cols + component)
                .copied()
                .unwrap_or(0.0)
        };
        let shown = draw_grid(cols, steps, value, range, area, buf, ctx);
        note_cut(shown, cols, area, buf, ctx);
    }

    fn has_non_finite(&self) -> bool {
        self.values.iter().any(|v| !v.is_finite())
    }

    fn wide(&self, _column: u16) -> bool {
        true
    }

    fn keep_rank(&self) -> u8 {
        1
    }
}
