//! Pictures with square pixels, and galleries of small ones.
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
//! ones are shrunk by averaging blocks. Galleries put a caption (or the
//! item's number) under each thumbnail.

use super::text::truncate;
use super::{DrawContext, format_value, heatmap, non_finite_style, put, set_cell, span_of};
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};

/// The largest scale-up offered.
const MAX_SCALE: u16 = 6;
/// Columns between gallery thumbnails.
const GAP: u16 = 2;

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
    fn pixel(self, col: usize, half_row: usize) -> (usize, usize) {
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

pub(super) fn heights(width: usize, height: usize, cols: u16) -> Vec<u16> {
    let mut hs = Vec::new();
    for scale in (1..=MAX_SCALE).rev() {
        let g = PixelGeometry { scale, shrink: 1 };
        let (w, h) = g.size(width, height);
        if w <= usize::from(cols) {
            hs.push(clamp_rows(1 + h));
        }
    }
    // Shrinking loses pixels: only when even one column per pixel is too wide.
    if hs.is_empty() {
        let g = pixel_geometry(width, height, cols, u16::MAX);
        hs.push(clamp_rows(1 + g.size(width, height).1));
    }
    hs
}

fn clamp_rows(rows: usize) -> u16 {
    rows.min(usize::from(u16::MAX)) as u16
}

pub(super) fn title_suffix(
    width: usize,
    height: usize,
    values: &[f32],
    range: (f32, f32),
    ctx: &DrawContext,
) -> String {
    let mut s = format!("{width}×{height}");
    if Scale::of(range, values) != Scale::Binary {
        let (lo, hi) = usable_range(range, values);
        s.push_str(&format!(" {}..{}", format_value(lo), format_value(hi)));
    }
    if let Some(i) = ctx.cursor
        && let Some(v) = values.get(i)
    {
        let state = match Scale::of(range, values) {
            Scale::Binary if *v > 0.0 => "+1".to_string(),
            Scale::Binary => "-1".to_string(),
            _ => format_value(*v),
        };
        s.push_str(&format!(
            " ({}, {}) = {state}",
            i % width.max(1),
            i / width.max(1)
        ));
    }
    s
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
enum Scale {
    /// ±1 pixels (Hopfield's states): off dark, on bright; without colour a
    /// pixel is on or off.
    Binary,
    /// Dark at the low end of the range, bright at the high end.
    Grey((f32, f32)),
    /// Blue below zero, red above (a weight filter).
    Diverging((f32, f32)),
}

impl Scale {
    fn of(range: (f32, f32), values: &[f32]) -> Scale {
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

    fn colour(self, v: f32, theme: &Theme) -> Color {
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
    fn glyph(self, top: Option<f32>, bottom: Option<f32>) -> &'static str {
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
fn usable_range(range: (f32, f32), values: &[f32]) -> (f32, f32) {
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

/// Draws one picture with its top-left at the area's; `cursor` is a pixel
/// index to mark, `tint` colours the "on" pixels (a marked thumbnail).
#[allow(clippy::too_many_arguments)]
fn draw_picture(
    width: usize,
    height: usize,
    values: &[f32],
    scale: Scale,
    geometry: PixelGeometry,
    cursor: Option<usize>,
    tint: bool,
    area: Rect,
    buf: &mut Buffer,
    ctx: &DrawContext,
) {
    let (cols, rows) = geometry.size(width, height);
    let cursor_xy = cursor.map(|i| (i % width.max(1), i / width.max(1)));
    let colour_of = |v: Option<f32>, at_cursor: bool| -> Color {
        match v {
            None => Color::Reset,
            Some(v) if at_cursor => {
                if v > 0.0 {
                    Color::Yellow
                } else {
                    Color::Indexed(136)
                }
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
            let (x, y) = (area.x + col as u16, area.y + row as u16);
            let bad = top.is_some_and(|v| !v.is_finite()) || bottom.is_some_and(|v| !v.is_finite());
            if ctx.theme.colour {
                let style = Style::new()
                    .fg(colour_of(top, top_cursor))
                    .bg(colour_of(bottom, bottom_cursor));
                set_cell(buf, area, x, y, "▀", style);
            } else if bad {
                set_cell(buf, area, x, y, "!", non_finite_style(ctx.theme));
            } else {
                let glyph = scale.glyph(top, bottom);
                let mut style = ctx.theme.text;
                if top_cursor || bottom_cursor {
                    style = style.add_modifier(Modifier::REVERSED);
                }
                set_cell(buf, area, x, y, glyph, style);
            }
        }
    }
}

pub(super) fn draw(
    width: usize,
    height: usize,
    values: &[f32],
    range: (f32, f32),
    area: Rect,
    buf: &mut Buffer,
    ctx: &DrawContext,
) {
    let geometry = pixel_geometry(width, height, area.width, area.height);
    let scale = Scale::of(range, values);
    draw_picture(
        width, height, values, scale, geometry, ctx.cursor, false, area, buf, ctx,
    );
}

/// The pixel index under cell (`x`, `y`) of a picture drawn in `body` (the
/// view's area without its title row); the upper pixel when a cell holds two.
pub(crate) fn pixel_at(width: usize, height: usize, body: Rect, x: u16, y: u16) -> Option<usize> {
    if !body.contains(ratatui::layout::Position { x, y }) {
        return None;
    }
    let geometry = pixel_geometry(width, height, body.width, body.height);
    let (col, row) = (usize::from(x - body.x), usize::from(y - body.y));
    let (px, py) = geometry.pixel(col, 2 * row);
    (px < width && py < height).then_some(py * width + px)
}

pub(super) fn gallery_heights(width: usize, height: usize, count: usize, cols: u16) -> Vec<u16> {
    let geometry = thumbnail_geometry(width, height, cols);
    let (w, h) = geometry.size(width, height);
    let per_row = (usize::from(cols) + usize::from(GAP)) / (w + usize::from(GAP)).max(1);
    let per_row = per_row.max(1);
    let rows = count.div_ceil(per_row).max(1);
    let item_h = h + 1;
    let mut hs = vec![clamp_rows(1 + rows * item_h), clamp_rows(1 + item_h)];
    // Large thumbnails (not letters) may shrink to half size when room is short.
    if h >= 8 {
        let half = PixelGeometry {
            scale: 1,
            shrink: geometry.shrink * 2,
        };
        hs.push(clamp_rows(1 + half.size(width, height).1 + 1));
    }
    hs
}

/// Thumbnails are drawn at one pixel per half-cell, shrunk if wider than the area.
fn thumbnail_geometry(width: usize, height: usize, cols: u16) -> PixelGeometry {
    let mut g = PixelGeometry {
        scale: 1,
        shrink: 1,
    };
    while g.size(width, height).0 > usize::from(cols) && g.shrink < width.max(1) {
        g.shrink += 1;
    }
    g
}

/// A gallery's pictures and how to label and scale them.
pub(super) struct Gallery<'a> {
    pub width: usize,
    pub height: usize,
    pub items: &'a [Vec<f32>],
    pub marked: Option<usize>,
    pub captions: &'a [String],
    pub range: (f32, f32),
}

pub(super) fn draw_gallery(gallery: &Gallery, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
    let Gallery {
        width,
        height,
        items,
        marked,
        captions,
        range,
    } = *gallery;
    // One scale for all items, so that their greys compare.
    let scale = Scale::of(range, &items.concat());
    let mut geometry = thumbnail_geometry(width, height, area.width);
    // Shrink until a row of thumbnails and their labels fits the height.
    while geometry.size(width, height).1 + 1 > usize::from(area.height)
        && geometry.shrink < width.max(height).max(1)
    {
        geometry.shrink += 1;
    }
    let (w, h) = geometry.size(width, height);
    let (w, h) = (
        w.min(usize::from(u16::MAX)) as u16,
        h.min(usize::from(u16::MAX)) as u16,
    );
    let per_row = ((area.width + GAP) / (w + GAP).max(1)).max(1);
    let item_h = h + 1;
    let rows_fit = (area.height / item_h.max(1)).max(1);
    let fit = usize::from(per_row) * usize::from(rows_fit);
    for (i, item) in items.iter().enumerate() {
        let (r, c) = (
            (i / usize::from(per_row)) as u16,
            (i % usize::from(per_row)) as u16,
        );
        if r >= rows_fit {
            break;
        }
        let x = area.x + c * (w + GAP);
        let y = area.y + r * item_h;
        let is_marked = marked == Some(i);
        let thumb = Rect::new(x, y, w, h).intersection(area);
        draw_picture(
            width, height, item, scale, geometry, None, is_marked, thumb, buf, ctx,
        );
        let (label, style) = match captions.get(i) {
            // A caption is cut to its thumbnail, so that neighbours stay apart.
            Some(caption) => {
                let label = truncate(caption, usize::from(w.max(1))).into_owned();
                if is_marked {
                    (label, ctx.theme.highlight.add_modifier(Modifier::REVERSED))
                } else {
                    (label, ctx.theme.dim)
                }
            }
            None if is_marked => (
                format!("[{i}]"),
                ctx.theme.highlight.add_modifier(Modifier::REVERSED),
            ),
            None => (format!(" {i} "), ctx.theme.dim),
        };
        put(buf, area, x, y + h, &label, style);
    }
    if items.len() > fit {
        let note = format!("+{}", items.len() - fit);
        let nw = note.len() as u16;
        if area.width > nw {
            put(
                buf,
                area,
                area.right() - nw,
                area.bottom() - 1,
                &note,
                ctx.theme.dim,
            );
        }
    }
}

#[cfg(test)]
mod view_tests {
    use super::super::tests::{screen, stays_inside};
    use super::*;
    use crate::model::{View, ViewContent};
    use crate::text::Bilingual;

    /// An 8 x 8 "digit" in (0, 1): a ring, brighter at the top.
    fn digit() -> Vec<f32> {
        (0..64)
            .map(|i| {
                let (x, y) = ((i % 8) as f32 - 3.5, (i / 8) as f32 - 3.5);
                let r = (x * x + y * y).sqrt();
                if (2.0..3.6).contains(&r) {
                    1.0 - (i / 8) as f32 / 10.0
                } else {
                    0.0
                }
            })
            .collect()
    }

    fn pixels(values: Vec<f32>, range: (f32, f32)) -> View {
        View::new(
            "p",
            Bilingual::new("input", "输入"),
            ViewContent::Pixels {
                width: 8,
                height: 8,
                values,
                range,
            },
        )
    }

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

    #[test]
    fn snapshot_digit_80x24() {
        insta::assert_snapshot!(screen(
            &pixels(digit(), (0.0, 1.0)),
            80,
            24,
            &Theme::plain()
        ));
    }

    #[test]
    fn snapshot_filter_tiny() {
        let filter = digit().iter().map(|v| (v - 0.5) * 0.6).collect();
        insta::assert_snapshot!(screen(&pixels(filter, (-0.3, 0.3)), 10, 4, &Theme::plain()));
    }

    #[test]
    fn snapshot_gallery_with_captions() {
        let view = View::new(
            "filters",
            Bilingual::new("filters", "滤波器"),
            ViewContent::Gallery {
                width: 8,
                height: 8,
                items: vec![digit(); 4],
                marked: Some(2),
                captions: vec![
                    "zero".into(),
                    "a very long caption".into(),
                    "two".into(),
                    "三".into(),
                ],
                range: (0.0, 1.0),
            },
        );
        let text = screen(&view, 80, 24, &Theme::plain());
        // Cut to the thumbnail's 8 columns.
        assert!(text.contains("a very …"), "{text}");
        insta::assert_snapshot!(text);
        stays_inside(&view);
    }

    #[test]
    fn odd_pictures_stay_inside() {
        stays_inside(&pixels(vec![f32::NAN, f32::INFINITY, 0.5], (f32::NAN, 1.0)));
        stays_inside(&pixels(digit(), (0.5, 0.5)));
    }
}
