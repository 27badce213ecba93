//! A vector over time (a hidden state's history) drawn as a heat map (see
//! [`super::heatmap`]): time across, the latest steps that fit, each as wide
//! as the room allows (up to three columns); a line per component, named
//! at the left; and under the map a time axis numbered by step.

use super::heatmap::{candidates, draw_grid, note_cut, rows_for};
use super::paint::{put, span_of};
use super::vector::format_short;
use super::{DrawContext, Kind, chunked};
use crate::text::Bilingual;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use serde_json::Value;

/// `rows` time steps of `cols` values, oldest first, shaded within `range`;
/// the first row is time step `first` (a cell's history counts steps done
/// from 1; a window over a sequence counts positions from 0).
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    pub rows: usize,
    pub cols: usize,
    pub values: Vec<f32>,
    pub range: (f32, f32),
    pub first: u64,
}

/// The widest a step is drawn.
const STEP_MAX_W: usize = 3;

impl History {
    /// The label of text row `row` of the map: the components it shows.
    fn row_label(&self, row: usize, colour: bool) -> String {
        if colour {
            let upper = 2 * row;
            if upper + 1 < self.cols {
                format!("{upper},{}", upper + 1)
            } else {
                format!("{upper}")
            }
        } else {
            row.to_string()
        }
    }

    /// Columns of the component labels, with their gap.
    fn gutter(&self, colour: bool) -> u16 {
        let rows = rows_for(self.cols, colour);
        let widest = (0..rows)
            .map(|r| self.row_label(r, colour).len())
            .max()
            .unwrap_or(1)
            .max(1);
        (widest + 1) as u16
    }
}

impl Kind for History {
    fn to_json(&self) -> Option<Value> {
        Some(chunked(&self.values, self.rows, self.cols))
    }

    /// The map and the axis under it, or the map cut to fewer lines.
    fn heights(&self, _width: u16, colour: bool) -> Vec<u16> {
        candidates(rows_for(self.cols, colour))
            .into_iter()
            .map(|h| h.saturating_add(1))
            .collect()
    }

    /// How many steps, and the range the shades span: `5 steps ±1.00`.
    fn title_suffix(&self, ctx: &DrawContext) -> String {
        let steps = Bilingual::new("steps", "步");
        let (lo, hi) = self.range;
        let range = if lo == -hi && hi > 0.0 {
            format!("±{}", &format_short(hi)[1..])
        } else {
            format!("{}..{}", format_short(lo), format_short(hi))
        };
        format!("{} {} {range}", self.rows, steps.get(ctx.lang))
    }

    fn draw(&self, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
        let (rows, cols, values, range) = (self.rows, self.cols, &self.values, self.range);
        let range = if range.0.is_finite() && range.1.is_finite() && range.0 < range.1 {
            range
        } else {
            span_of(values.iter().copied())
        };
        let colour = ctx.theme.colour;
        let gutter = self.gutter(colour).min(area.width);
        let map_w = usize::from(area.width - gutter);
        if rows == 0 || map_w == 0 {
            return;
        }
        // The axis takes the last row when there is room for a map above it.
        let axis = area.height >= 2;
        let map_h = area.height - u16::from(axis);
        // The latest steps that fit, oldest on the left, as wide as fits.
        let step_w = (map_w / rows).clamp(1, STEP_MAX_W);
        let steps = rows.min(map_w / step_w);
        let first = rows - steps;
        let value = |component: usize, column: usize| {
            values
                .get((first + column / step_w) * cols + component)
                .copied()
                .unwrap_or(0.0)
        };
        let map = Rect::new(area.x + gutter, area.y, map_w as u16, map_h);
        let shown = draw_grid(cols, steps * step_w, value, range, map, buf, ctx);
        let text_rows = if colour { shown.div_ceil(2) } else { shown };
        for row in 0..text_rows {
            let label = self.row_label(row, colour);
            let x = area.x + gutter.saturating_sub(1 + label.len() as u16);
            put(buf, area, x, area.y + row as u16, &label, ctx.theme.dim);
        }
        note_cut(
            shown,
            cols,
            Rect {
                height: map_h,
                ..area
            },
            buf,
            ctx,
        );
        if axis {
            // Right under the map's last line.
            let y = area.y + (text_rows as u16).min(map_h);
            put(buf, area, area.x, y, "t", ctx.theme.dim);
            let first_step = self.first + first as u64;
            draw_axis(
                first_step,
                steps,
                step_w,
                Rect::new(map.x, y, map.width, 1),
                buf,
                ctx,
            );
        }
    }

    fn has_non_finite(&self) -> bool {
        self.values.iter().any(|v| !v.is_finite())
    }

    /// Histories of a cell stand side by side where the width allows.
    fn wide(&self, _column: u16) -> bool {
        false
    }

    fn keep_rank(&self) -> u8 {
        1
    }

    /// Every component of a small state, with the axis: a history cut to
    /// one line says nothing.
    fn readable_height(&self) -> u16 {
        let lines = rows_for(self.cols.min(16), true);
        (2 + lines).min(usize::from(u16::MAX)) as u16
    }
}

/// Step numbers under the map: the first, every tenth, the last, each
/// under the column of its step where it does not run into another.
fn draw_axis(
    first: u64,
    steps: usize,
    step_w: usize,
    area: Rect,
    buf: &mut Buffer,
    ctx: &DrawContext,
) {
    if steps == 0 {
        return;
    }
    let last = first + steps as u64 - 1;
    let mut free_from = 0usize;
    let mut marks: Vec<u64> = vec![first];
    marks.extend((first + 1..last).filter(|s| s % 10 == 0));
    for s in marks {
        let col = (s - first) as usize * step_w;
        let text = s.to_string();
        let last_w = last.to_string().len() + 1;
        if col < free_from || col + text.len() + last_w > steps * step_w {
            continue;
        }
        put(buf, area, area.x + col as u16, area.y, &text, ctx.theme.dim);
        free_from = col + text.len() + 1;
    }
    let text = last.to_string();
    let end = steps * step_w;
    let col = end.saturating_sub(text.len()).max(free_from);
    if last != first || free_from == 0 {
        put(buf, area, area.x + col as u16, area.y, &text, ctx.theme.dim);
    }
}
