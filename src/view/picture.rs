//! Pictures with square pixels, shared by [`super::Pixels`] and
//! [`super::Gallery`], and the geometry the lab uses to find the pixel
//! under the mouse.
//!
//! A character cell is about twice as tall as it is wide, so one cell holds
//! two pixels, one above the other: `▀` with the upper pixel as foreground
//! and the lower as background. Grey levels run from dark at the low end of
//! the picture's range to bright at the high end; a range across zero (a
//! weight filter) uses the diverging map instead, except (-1, 1), the ±1
//! binary picture. Without colour a binary picture's glyph says which of
//! the two pixels are on: `█` both, `▀` the upper, `▄` the lower, blank
//! neither; any other picture shades each cell by the mean of its two
//! pixels, `░▒▓█` up from the low end (and `.:-=` below zero on the
//! diverging scale). Small pictures are scaled up by whole pixels, large
//! ones are shrunk by averaging blocks. Marked pixels ([`MarkTone`]) take
//! their mark's colour, or without colour its glyph, whatever their grey.

use super::paint::{non_finite_style, set_cell, span_of};
use super::{DrawContext, heatmap};
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};

/// The largest scale-up offered.
pub(super) const MAX_SCALE: u16 = 6;

/// How a picture maps onto character cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PixelGeometry {
    /// Each pixel is `scale` columns wide and `scale` half-rows tall.
    pub scale: u16,
    /// Each cell column (and half-row) covers `shrink` pixels (1 unless
    /// the picture is larger than the area).
    pub shrink: usize,
}

impl PixelGeometry {
    /// Columns and rows the picture takes.
    pub fn size(self, width: usize, height: usize) -> (usize, usize) {
        let s = usize::from(self.scale);
        let w = width.div_ceil(self.shrink) * s;
        let half_rows = height.div_ceil(self.shrink) * s;
        (w, half_rows.div_ceil(2))
    }

    /// The pixel (column, row) shown in cell column `col`, half-row `half_row`.
    pub(super) fn pixel(self, col: usize, half_row: usize) -> (usize, usize) {
        let s = usize::from(self.scale);
        (col / s * self.shrink, half_row / s * self.shrink)
    }
}

/// The largest geometry under which a `width` x `height` picture fits in
/// `cols` x `rows` cells.
pub fn pixel_geometry(width: usize, height: usize, cols: u16, rows: u16) -> PixelGeometry {
    let (cols, rows) = (usize::from(cols), usize::from(rows));
    for scale in (1..=MAX_SCALE).rev() {
        let g = PixelGeometry { scale, shrink: 1 };
        let (w, h) = g.size(width, height);
        if w <= cols && h <= rows {
            return g;
        }
    }
    let mut shrink = 2;
    loop {
        let g = PixelGeometry { scale: 1, shrink };
        let (w, h) = g.size(width, height);
        if (w <= cols && h <= rows) || shrink >= width.max(height).max(1) {
            return g;
        }
        shrink += 1;
    }
}

pub(super) fn clamp_rows(rows: usize) -> u16 {
    rows.min(usize::from(u16::MAX)) as u16
}

/// The value of a pixel, or the mean of the block it starts when shrunk.
fn block_value(
    values: &[f32],
    width: usize,
    height: usize,
    x: usize,
    y: usize,
    shrink: usize,
) -> Option<f32> {
    if x >= width || y >= height {
        return None;
    }
    if shrink == 1 {
        return values.get(y * width + x).copied();
    }
    let mut sum = 0.0;
    let mut count = 0;
    for yy in y..(y + shrink).min(height) {
        for xx in x..(x + shrink).min(width) {
            sum += values.get(yy * width + xx).copied().unwrap_or(0.0);
            count += 1;
        }
    }
    Some(sum / count as f32)
}

/// How a picture's values become colours and glyphs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Scale {
    /// ±1 pixels (Hopfield's states): off dark, on bright; without colour a
    /// pixel is on or off.
    Binary,
    /// Dark at the low end of the range, bright at the high end.
    Grey((f32, f32)),
    /// Blue below zero, red above (a weight filter).
    Diverging((f32, f32)),
}

impl Scale {
    pub(super) fn of(range: (f32, f32), values: &[f32]) -> Scale {
        if range == (-1.0, 1.0) {
            return Scale::Binary;
        }
        let (lo, hi) = usable_range(range, values);
        if lo < 0.0 && hi > 0.0 {
            Scale::Diverging((lo, hi))
        } else {
            Scale::Grey((lo, hi))
        }
    }

    pub(super) fn colour(self, v: f32, theme: &Theme) -> Color {
        if !v.is_finite() {
            return Color::Magenta;
        }
        match self {
            Scale::Binary => grey(v, (-1.0, 1.0)),
            Scale::Grey(range) => grey(v, range),
            Scale::Diverging(range) => theme.diverging(v, range).unwrap_or_else(|| grey(v, range)),
        }
    }

    /// The glyph without colour for a cell whose two pixels are `top` and
    /// `bottom` (`None` below the picture's last row).
    pub(super) fn glyph(self, top: Option<f32>, bottom: Option<f32>) -> &'static str {
        if let Scale::Binary = self {
            let on = |v: Option<f32>| v.is_some_and(|v| v > 0.0);
            return match (on(top), on(bottom)) {
                (true, true) => "█",
                (true, false) => "▀",
                (false, true) => "▄",
                (false, false) => " ",
            };
        }
        let v = match (top, bottom) {
            (Some(a), Some(b)) => (a + b) / 2.0,
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => return " ",
        };
        match self {
            Scale::Diverging(range) => heatmap::shade(v, range),
            Scale::Grey((lo, hi)) if v.is_finite() => {
                const RAMP: [&str; 5] = [" ", "░", "▒", "▓", "█"];
                let t = ((v - lo) / (hi - lo)).clamp(0.0, 1.0);
                RAMP[(t * 4.0).round() as usize]
            }
            _ => "!",
        }
    }
}

/// The range to scale by: the view's when it is a finite, non-empty span,
/// otherwise the span of the values.
pub(super) fn usable_range(range: (f32, f32), values: &[f32]) -> (f32, f32) {
    let (lo, hi) = range;
    if lo.is_finite() && hi.is_finite() && lo < hi {
        range
    } else {
        span_of(values.iter().copied())
    }
}

/// A grey from dark (237) at the low end of `range` to bright (255) at the
/// high end; the ±1 pictures have always been drawn with these 19 greys.
fn grey(v: f32, (lo, hi): (f32, f32)) -> Color {
    if !v.is_finite() {
        return Color::Magenta;
    }
    let t = ((v - lo) / (hi - lo)).clamp(0.0, 1.0);
    let t = if t.is_nan() { 0.0 } else { t };
    Color::Indexed(237 + (t * 18.0).round() as u8)
}

/// How a marked pixel stands out (see [`super::PixelMarks`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkTone {
    /// Something wrong: red, or without colour `▓` on and `░` off (pixels
    /// that differ from the target).
    Alert,
    /// Where the work is: cyan, or without colour `●` on and `○` off (the
    /// neuron being updated).
    Focus,
}

impl MarkTone {
    /// The colour of a marked pixel that is on (`on`) or off.
    fn colour(self, on: bool) -> Color {
        match (self, on) {
            (MarkTone::Alert, true) => Color::Indexed(210),
            (MarkTone::Alert, false) => Color::Indexed(88),
            (MarkTone::Focus, true) => Color::Indexed(51),
            (MarkTone::Focus, false) => Color::Indexed(25),
        }
    }

    /// The glyph of a marked cell without colour.
    fn glyph(self, on: bool) -> &'static str {
        match (self, on) {
            (MarkTone::Alert, true) => "▓",
            (MarkTone::Alert, false) => "░",
            (MarkTone::Focus, true) => "●",
            (MarkTone::Focus, false) => "○",
        }
    }

    /// What the legend shows for the mark.
    pub(super) fn swatch(self, theme: &Theme) -> (&'static str, Style) {
        if theme.colour {
            ("■", Style::new().fg(self.colour(true)))
        } else {
            (self.glyph(true), theme.text)
        }
    }
}

/// Draws one picture with its top-left at the area's; `cursor` is a pixel
/// index to mark, `marks` the mark of each pixel (empty for none), `tint`
/// colours the "on" pixels (a marked thumbnail).
#[allow(clippy::too_many_arguments)]
pub(super) fn draw_picture(
    width: usize,
    height: usize,
    values: &[f32],
    scale: Scale,
    geometry: PixelGeometry,
    cursor: Option<usize>,
    marks: &[Option<MarkTone>],
    tint: bool,
    area: Rect,
    buf: &mut Buffer,
    ctx: &DrawContext,
) {
    let (cols, rows) = geometry.size(width, height);
    let cursor_xy = cursor.map(|i| (i % width.max(1), i / width.max(1)));
    // The mark of the block of pixels starting at (x, y): the last marked
    // pixel's in it, so a shrunk picture still shows every mark.
    let mark_of = |x: usize, y: usize| -> Option<MarkTone> {
        if marks.is_empty() {
            return None;
        }
        let mut found = None;
        for yy in y..(y + geometry.shrink).min(height) {
            for xx in x..(x + geometry.shrink).min(width) {
                if let Some(Some(tone)) = marks.get(yy * width + xx) {
                    found = Some(*tone);
                }
            }
        }
        found
    };
    let colour_of = |v: Option<f32>, at_cursor: bool, mark: Option<MarkTone>| -> Color {
        match v {
            None => Color::Reset,
            Some(v) if at_cursor => {
                if v > 0.0 {
                    Color::Yellow
                } else {
                    Color::Indexed(136)
                }
            }
            Some(v) if mark.is_some() && v.is_finite() => {
                mark.map_or(Color::Reset, |m| m.colour(v > 0.0))
            }
            Some(v) if tint && scale == Scale::Binary && v > 0.0 => Color::Indexed(229),
            Some(v) => scale.colour(v, ctx.theme),
        }
    };
    for row in 0..rows.min(usize::from(area.height)) {
        for col in 0..cols.min(usize::from(area.width)) {
            let (px, top_y) = geometry.pixel(col, 2 * row);
            let (_, bottom_y) = geometry.pixel(col, 2 * row + 1);
            let top = block_value(values, width, height, px, top_y, geometry.shrink);
            let bottom =
                if 2 * row + 1 < usize::from(geometry.scale) * height.div_ceil(geometry.shrink) {
                    block_value(values, width, height, px, bottom_y, geometry.shrink)
                } else {
                    None
                };
            let covers = |y: usize| {
                cursor_xy.is_some_and(|(cx, cy)| {
                    (px..px + geometry.shrink).contains(&cx)
                        && (y..y + geometry.shrink).contains(&cy)
                })
            };
            let (top_cursor, bottom_cursor) = (covers(top_y), bottom.is_some() && covers(bottom_y));
            let top_mark = top.and(mark_of(px, top_y));
            let bottom_mark = bottom.and(mark_of(px, bottom_y));
            let (x, y) = (area.x + col as u16, area.y + row as u16);
            let bad = top.is_some_and(|v| !v.is_finite()) || bottom.is_some_and(|v| !v.is_finite());
            if ctx.theme.colour {
                let style = Style::new()
                    .fg(colour_of(top, top_cursor, top_mark))
                    .bg(colour_of(bottom, bottom_cursor, bottom_mark));
                set_cell(buf, area, x, y, "▀", style);
            } else if bad {
                set_cell(buf, area, x, y, "!", non_finite_style(ctx.theme));
            } else {
                // A marked pixel shows its mark's glyph, the cell's other
                // pixel giving way to it.
                let marked = match (top_mark, bottom_mark) {
                    (Some(tone), _) => Some((tone, top)),
                    (None, Some(tone)) => Some((tone, bottom)),
                    (None, None) => None,
                };
                let glyph = match marked {
                    Some((tone, v)) => tone.glyph(v.is_some_and(|v| v > 0.0)),
                    None => scale.glyph(top, bottom),
                };
                let mut style = ctx.theme.text;
                if top_cursor || bottom_cursor {
                    style = style.add_modifier(Modifier::REVERSED);
                }
                set_cell(buf, area, x, y, glyph, style);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greys_follow_the_range() {
        let theme = Theme::coloured();
        let grey = Scale::of((0.0, 1.0), &[]);
        assert_eq!(grey.colour(0.0, &theme), Color::Indexed(237));
        assert_eq!(grey.colour(1.0, &theme), Color::Indexed(255));
        assert_eq!(grey.colour(0.5, &theme), Color::Indexed(246));
        // A filter across zero is diverging: blue below, red above.
        let filter = Scale::of((-0.3, 0.3), &[]);
        assert_eq!(filter.colour(0.3, &theme), Color::Indexed(196));
        assert_eq!(filter.colour(-0.3, &theme), Color::Indexed(33));
        // ±1 pictures keep their look.
        assert_eq!(Scale::of((-1.0, 1.0), &[]), Scale::Binary);
        assert_eq!(Scale::Binary.colour(1.0, &theme), Color::Indexed(255));
        // An empty range falls back to the values' span.
        assert_eq!(Scale::of((1.0, 1.0), &[0.0, 2.0]), Scale::Grey((0.0, 2.0)));
        assert_eq!(grey.colour(f32::NAN, &theme), Color::Magenta);
        // Without colour: shades of the cell's mean.
        assert_eq!(grey.glyph(Some(1.0), Some(1.0)), "█");
        assert_eq!(grey.glyph(Some(0.0), Some(0.5)), "░");
        assert_eq!(grey.glyph(Some(f32::NAN), None), "!");
        assert_eq!(filter.glyph(Some(-0.3), Some(-0.3)), "=");
    }
}
