//! Heat maps: a matrix (weights), and a vector over time (a hidden state's
//! history, time across, one column per step, the latest steps that fit).
//!
//! In colour each character cell holds two values, the upper as the
//! foreground of `▀` and the lower as its background, on the diverging
//! map. Without colour each cell holds one value as a glyph whose density
//! grows with the size: `░▒▓█` for positive values, `.:-=` for negative
//! ones, blank near the middle of the range, `!` for NaN and infinities.

use super::{DrawContext, format_value, put, set_cell, span_of};
use crate::text::{Bilingual, Lang};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};

const POSITIVE: [&str; 4] = ["░", "▒", "▓", "█"];
const NEGATIVE: [&str; 4] = [".", ":", "-", "="];

/// Text rows needed for `lines` lines of values.
fn rows_for(lines: usize, colour: bool) -> usize {
    if colour { lines.div_ceil(2) } else { lines }
}

fn candidates(full: usize) -> Vec<u16> {
    let full = full.min(u16::MAX as usize - 1);
    let mut hs = vec![1 + full as u16];
    for cap in [64, 32, 16, 8, 4, 2, 1] {
        hs.push(1 + full.min(cap) as u16);
    }
    hs
}

pub(super) fn matrix_heights(rows: usize, _cols: usize, colour: bool) -> Vec<u16> {
    candidates(rows_for(rows, colour))
}

pub(super) fn history_heights(cols: usize, colour: bool) -> Vec<u16> {
    candidates(rows_for(cols, colour))
}

pub(super) fn matrix_suffix(rows: usize, cols: usize, values: &[f32]) -> String {
    let (lo, hi) = span_of(values.iter().copied());
    format!("{rows}×{cols} {}..{}", format_value(lo), format_value(hi))
}

pub(super) fn history_suffix(rows: usize, cols: usize, range: (f32, f32), lang: Lang) -> String {
    let steps = Bilingual::new("steps", "步");
    format!(
        "{rows} {} × {cols} {}..{}",
        steps.get(lang),
        format_value(range.0),
        format_value(range.1)
    )
}

/// Where `v` sits in the range around its middle, in -1..=1.
fn position(v: f32, (lo, hi): (f32, f32)) -> f32 {
    let mid = if lo < 0.0 && hi > 0.0 {
        0.0
    } else {
        (lo + hi) / 2.0
    };
    let t = if v >= mid {
        if hi > mid {
            (v - mid) / (hi - mid)
        } else {
            0.0
        }
    } else if mid > lo {
        -(mid - v) / (mid - lo)
    } else {
        0.0
    };
    t.clamp(-1.0, 1.0)
}

/// The glyph for one value without colour.
pub(crate) fn shade(v: f32, range: (f32, f32)) -> &'static str {
    if !v.is_finite() {
        return "!";
    }
    let t = position(v, range);
    let level = (t.abs() * 4.0).round() as usize;
    match level {
        0 => " ",
        n if t > 0.0 => POSITIVE[n.min(4) - 1],
        n => NEGATIVE[n.min(4) - 1],
    }
}

/// A grid of `lines` x `width` values, `value(line, column)`, drawn from
/// the area's top-left; returns how many lines were shown.
fn draw_grid(
    lines: usize,
    width: usize,
    value: impl Fn(usize, usize) -> f32,
    range: (f32, f32),
    area: Rect,
    buf: &mut Buffer,
    ctx: &DrawContext,
) -> usize {
    let theme = ctx.theme;
    let columns = width.min(usize::from(area.width));
    if theme.colour {
        let shown = lines.min(usize::from(area.height) * 2);
        for row in 0..shown.div_ceil(2) {
            for col in 0..columns {
                let upper = theme
                    .diverging(value(2 * row, col), range)
                    .unwrap_or(Color::Reset);
                let lower = if 2 * row + 1 < shown {
                    theme
                        .diverging(value(2 * row + 1, col), range)
                        .unwrap_or(Color::Reset)
                } else {
                    Color::Reset
                };
                let style = Style::new().fg(upper).bg(lower);
                set_cell(
                    buf,
                    area,
                    area.x + col as u16,
                    area.y + row as u16,
                    "▀",
                    style,
                );
            }
        }
        shown
    } else {
        let shown = lines.min(usize::from(area.height));
        for row in 0..shown {
            for col in 0..columns {
                let glyph = shade(value(row, col), range);
                set_cell(
                    buf,
                    area,
                    area.x + col as u16,
                    area.y + row as u16,
                    glyph,
                    theme.text,
                );
            }
        }
        shown
    }
}

pub(super) fn draw_matrix(
    rows: usize,
    cols: usize,
    values: &[f32],
    area: Rect,
    buf: &mut Buffer,
    ctx: &DrawContext,
) {
    let range = span_of(values.iter().copied());
    let value = |r: usize, c: usize| values.get(r * cols + c).copied().unwrap_or(0.0);
    let shown = draw_grid(rows, cols, value, range, area, buf, ctx);
    note_cut(shown, rows, area, buf, ctx);
}

pub(super) fn draw_history(
    rows: usize,
    cols: usize,
    values: &[f32],
    range: (f32, f32),
    area: Rect,
    buf: &mut Buffer,
    ctx: &DrawContext,
) {
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

/// Says how many lines did not fit, at the bottom right, over the map.
fn note_cut(shown: usize, lines: usize, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
    if shown < lines {
        let note = format!("+{}", lines - shown);
        let w = note.len() as u16;
        if area.width > w {
            put(
                buf,
                area,
                area.right() - w,
                area.bottom() - 1,
                &note,
                ctx.theme.dim,
            );
        }
    }
}
