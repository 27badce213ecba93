//! Heat maps, shared by [`super::Matrix`] (weights) and [`super::History`]
//! (a vector over time).
//!
//! In colour each character cell holds two values, the upper as the
//! foreground of `▀` and the lower as its background, on the map of its range
//! (sequential for a range from zero up, else diverging: see
//! `Theme::scaled`). Without colour each cell holds one value as a glyph whose density
//! grows with the size: `░▒▓█` for positive values, `.:-=` for negative
//! ones, blank near the middle of the range (near the low end of a range
//! from zero up), `!` for NaN and infinities.

use super::DrawContext;
use super::paint::{put, set_cell};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};

const POSITIVE: [&str; 4] = ["░", "▒", "▓", "█"];
const NEGATIVE: [&str; 4] = [".", ":", "-", "="];

/// Text rows needed for `lines` lines of values.
pub(super) fn rows_for(lines: usize, colour: bool) -> usize {
    if colour { lines.div_ceil(2) } else { lines }
}

/// Heights (title included) for `full` rows of map, and for the map cut
/// to fewer rows.
pub(super) fn candidates(full: usize) -> Vec<u16> {
    let full = full.min(u16::MAX as usize - 1);
    let mut hs = vec![1 + full as u16];
    for cap in [64, 32, 16, 8, 4, 2, 1] {
        hs.push(1 + full.min(cap) as u16);
    }
    hs
}

/// Where `v` sits in the range around its middle, in -1..=1; a range
/// from zero (or above) up is read from its low end, in 0..=1.
fn position(v: f32, (lo, hi): (f32, f32)) -> f32 {
    if lo >= 0.0 && hi > lo {
        return ((v - lo) / (hi - lo)).clamp(0.0, 1.0);
    }
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
pub(super) fn draw_grid(
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
                    .scaled(value(2 * row, col), range)
                    .unwrap_or(Color::Reset);
                let lower = if 2 * row + 1 < shown {
                    theme
                        .scaled(value(2 * row + 1, col), range)
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

/// Says how many lines did not fit, at the bottom right, over the map.
pub(super) fn note_cut(
    shown: usize,
    lines: usize,
    area: Rect,
    buf: &mut Buffer,
    ctx: &DrawContext,
) {
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
