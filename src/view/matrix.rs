//! A matrix (weights) drawn as a heat map, one cell per value without
//! colour and two per cell in colour (see [`super::heatmap`]), on the
//! diverging scale of its values' own span.

use super::heatmap::{candidates, draw_grid, note_cut, rows_for};
use super::paint::{format_value, span_of};
use super::{DrawContext, Kind, chunked};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use serde_json::Value;

/// A matrix in row-major order.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    pub rows: usize,
    pub cols: usize,
    pub values: Vec<f32>,
}

impl Kind for Matrix {
    fn to_json(&self) -> Option<Value> {
        Some(chunked(&self.values, self.rows, self.cols))
    }

    fn heights(&self, _width: u16, colour: bool) -> Vec<u16> {
        candidates(rows_for(self.rows, colour))
    }

    fn title_suffix(&self, _ctx: &DrawContext) -> String {
        let (lo, hi) = span_of(self.values.iter().copied());
        format!(
            "{}×{} {}..{}",
            self.rows,
            self.cols,
            format_value(lo),
            format_value(hi)
        )
    }

    fn draw(&self, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
        let (cols, values) = (self.cols, &self.values);
        let range = span_of(values.iter().copied());
        let value = |r: usize, c: usize| values.get(r * cols + c).copied().unwrap_or(0.0);
        let shown = draw_grid(self.rows, cols, value, range, area, buf, ctx);
        note_cut(shown, self.rows, area, buf, ctx);
    }

    fn has_non_finite(&self) -> bool {
        self.values.iter().any(|v| !v.is_finite())
    }

    fn wide(&self, _column: u16) -> bool {
        false
    }

    fn keep_rank(&self) -> u8 {
        0
    }

    /// Four rows of the map (eight of the matrix in colour), or all of a
    /// smaller one: cut to a row or two, a matrix shows none of its shape.
    fn readable_height(&self) -> u16 {
        let lines = rows_for(self.rows, true).min(4);
        (1 + lines).min(usize::from(u16::MAX)) as u16
    }
}
