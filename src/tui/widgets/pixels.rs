//! Pictures with square pixels, and galleries of small ones.
//!
//! A character cell is about twice as tall as it is wide, so one cell holds
//! two pixels, one above the other: `▀` with the upper pixel as foreground
//! and the lower as background. Without colour the cell's glyph says which
//! of the two are on: `█` both, `▀` the upper, `▄` the lower, blank neither.
//! Small pictures are scaled up by whole pixels, large ones are shrunk by
//! averaging blocks.

use super::{DrawContext, non_finite_style, put, set_cell};
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
    ctx: &DrawContext,
) -> String {
    let mut s = format!("{width}×{height}");
    if let Some(i) = ctx.cursor
        && let Some(v) = values.get(i)
    {
        let state = if *v > 0.0 { "+1" } else { "-1" };
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

/// A grey for a pixel value in -1..=1 (off dark, on bright).
fn grey(v: f32) -> Color {
    if !v.is_finite() {
        return Color::Magenta;
    }
    let t = ((v.clamp(-1.0, 1.0) + 1.0) / 2.0 * 18.0).round() as u8;
    Color::Indexed(237 + t)
}

/// Draws one picture with its top-left at the area's; `cursor` is a pixel
/// index to mark, `tint` colours the "on" pixels (a marked thumbnail).
#[allow(clippy::too_many_arguments)]
fn draw_picture(
    width: usize,
    height: usize,
    values: &[f32],
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
            Some(v) if tint && v > 0.0 => Color::Indexed(229),
            Some(v) => grey(v),
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
                let on = |v: Option<f32>| v.is_some_and(|v| v > 0.0);
                let glyph = match (on(top), on(bottom)) {
                    (true, true) => "█",
                    (true, false) => "▀",
                    (false, true) => "▄",
                    (false, false) => " ",
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

pub(super) fn draw(
    width: usize,
    height: usize,
    values: &[f32],
    area: Rect,
    buf: &mut Buffer,
    ctx: &DrawContext,
) {
    let geometry = pixel_geometry(width, height, area.width, area.height);
    draw_picture(
        width, height, values, geometry, ctx.cursor, false, area, buf, ctx,
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

pub(super) fn draw_gallery(
    width: usize,
    height: usize,
    items: &[Vec<f32>],
    marked: Option<usize>,
    area: Rect,
    buf: &mut Buffer,
    ctx: &DrawContext,
) {
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
            width, height, item, geometry, None, is_marked, thumb, buf, ctx,
        );
        let (label, style) = if is_marked {
            (
                format!("[{i}]"),
                ctx.theme.highlight.add_modifier(Modifier::REVERSED),
            )
        } else {
            (format!(" {i} "), ctx.theme.dim)
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
