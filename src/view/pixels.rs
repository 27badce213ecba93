//! A grey-scale picture with square pixels (a digit, a probe, a weight
//! filter), drawn as large as fits (see [`super::picture`]), perhaps with
//! some pixels marked (those that differ from a target, the neuron being
//! updated) and a one-row legend saying what the marks mean.

use super::paint::{format_value, put};
use super::picture::{
    MAX_SCALE, MarkTone, PixelGeometry, Scale, clamp_rows, draw_picture, pixel_geometry,
    usable_range,
};
use super::wrap::truncate_words;
use super::{DrawContext, Kind, chunked};
use crate::text::Bilingual;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use serde_json::Value;

/// A picture of `width` x `height` pixels in row-major order, drawn with
/// square pixels, dark at `range.0` and bright at `range.1` (a digit in
/// (0, 1)). A range that spans zero other than (-1, 1) is drawn on the
/// diverging scale, blue below zero and red above (a weight filter in
/// (-0.3, 0.3)); (-1, 1) stays grey, the convention of ±1 binary pictures
/// (Hopfield: −1 off, +1 on) and of tanh-valued images.
///
/// `marks` are layers of pixels drawn apart from the rest (see
/// [`PixelMarks`]); the picture keeps one row under it per layer for their
/// legend, so that its size does not change as marks come and go.
#[derive(Debug, Clone, PartialEq)]
pub struct Pixels {
    pub width: usize,
    pub height: usize,
    pub values: Vec<f32>,
    pub range: (f32, f32),
    pub marks: Vec<PixelMarks>,
}

/// Pixels of a picture to draw apart, and what they are: the legend under
/// the picture shows `label` after the mark's swatch on the layer's row
/// (a blank row when the label is empty). A pixel in two layers is drawn
/// as the later one.
#[derive(Debug, Clone, PartialEq)]
pub struct PixelMarks {
    pub label: Bilingual,
    pub tone: MarkTone,
    /// Row-major indices of the marked pixels.
    pub pixels: Vec<usize>,
}

impl Pixels {
    /// Rows kept under the picture for the marks' legend.
    fn legend_rows(&self) -> u16 {
        self.marks.len().min(8) as u16
    }

    /// The mark drawn on each pixel, if any.
    fn mark_map(&self) -> Vec<Option<MarkTone>> {
        let mut map = vec![None; self.values.len()];
        for layer in &self.marks {
            for &i in &layer.pixels {
                if let Some(slot) = map.get_mut(i) {
                    *slot = Some(layer.tone);
                }
            }
        }
        map
    }

    /// How the picture lies in a body (the view's area under its title)
    /// of `cols` x `rows` cells.
    fn geometry(&self, cols: u16, rows: u16) -> PixelGeometry {
        let rows = rows.saturating_sub(self.legend_rows()).max(1);
        pixel_geometry(self.width, self.height, cols, rows)
    }

    /// The pixel index under cell (`x`, `y`) of the picture drawn in
    /// `body`; the upper pixel when a cell holds two.
    pub fn pixel_at(&self, body: Rect, x: u16, y: u16) -> Option<usize> {
        if !body.contains(ratatui::layout::Position { x, y }) {
            return None;
        }
        let geometry = self.geometry(body.width, body.height);
        let (col, row) = (usize::from(x - body.x), usize::from(y - body.y));
        let (px, py) = geometry.pixel(col, 2 * row);
        (px < self.width && py < self.height).then_some(py * self.width + px)
    }

    /// The legend: each labelled layer's swatch and label on its row, cut
    /// after a whole word when too long.
    fn draw_legend(&self, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
        for (row, layer) in self.marks.iter().enumerate() {
            let y = area.y.saturating_add(row as u16);
            if y >= area.bottom() {
                break;
            }
            let label = layer.label.get(ctx.lang);
            if label.is_empty() || area.width < 4 {
                continue;
            }
            let (swatch, style) = layer.tone.swatch(ctx.theme);
            let x = put(buf, area, area.x, y, swatch, style);
            let x = put(buf, area, x, y, " ", ctx.theme.dim);
            let room = usize::from(area.right().saturating_sub(x));
            put(
                buf,
                area,
                x,
                y,
                &truncate_words(&label, room),
                ctx.theme.text,
            );
        }
    }
}

impl Kind for Pixels {
    fn to_json(&self) -> Option<Value> {
        Some(chunked(&self.values, self.height, self.width))
    }

    fn heights(&self, cols: u16, _colour: bool) -> Vec<u16> {
        let (width, height) = (self.width, self.height);
        let extra = 1 + usize::from(self.legend_rows());
        let mut hs = Vec::new();
        for scale in (1..=MAX_SCALE).rev() {
            let g = PixelGeometry { scale, shrink: 1 };
            let (w, h) = g.size(width, height);
            if w <= usize::from(cols) {
                hs.push(clamp_rows(extra + h));
            }
        }
        // Shrinking loses pixels: only when even one column per pixel is too wide.
        if hs.is_empty() {
            let g = pixel_geometry(width, height, cols, u16::MAX);
            hs.push(clamp_rows(extra + g.size(width, height).1));
        }
        hs
    }

    fn title_suffix(&self, ctx: &DrawContext) -> String {
        let (width, height, values, range) = (self.width, self.height, &self.values, self.range);
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

    fn draw(&self, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
        let (width, height, values) = (self.width, self.height, &self.values);
        let geometry = self.geometry(area.width, area.height);
        let scale = Scale::of(self.range, values);
        let marks = self.mark_map();
        draw_picture(
            width, height, values, scale, geometry, ctx.cursor, &marks, false, area, buf, ctx,
        );
        if self.legend_rows() > 0 {
            let rows = clamp_rows(geometry.size(width, height).1);
            if rows < area.height {
                let legend = Rect::new(
                    area.x,
                    area.y + rows,
                    area.width,
                    self.legend_rows().min(area.height - rows),
                );
                self.draw_legend(legend, buf, ctx);
            }
        }
    }

    fn has_non_finite(&self) -> bool {
        self.values.iter().any(|v| !v.is_finite())
    }

    fn wide(&self, _column: u16) -> bool {
        false
    }

    /// The picture being recalled or classified says most.
    fn keep_rank(&self) -> u8 {
        3
    }

    /// A picture (the state a Hopfield network settles in) is the figure
    /// the rest is read against.
    fn figure(&self, cols: u16, rows: u16) -> Option<(usize, usize)> {
        let geometry = self.geometry(cols, rows);
        let (w, h) = geometry.size(self.width, self.height);
        Some((w, h + usize::from(self.legend_rows())))
    }
}

#[cfg(test)]
pub(super) mod view_tests {
    use super::super::tests::{screen, stays_inside};
    use super::*;
    use crate::text::Bilingual;
    use crate::tui::theme::Theme;
    use crate::view::{View, ViewContent};

    /// An 8 x 8 "digit" in (0, 1): a ring, brighter at the top.
    pub(in crate::view) fn digit() -> Vec<f32> {
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
            ViewContent::Pixels(Pixels {
                width: 8,
                height: 8,
                values,
                range,
                marks: Vec::new(),
            }),
        )
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
    fn odd_pictures_stay_inside() {
        stays_inside(&pixels(vec![f32::NAN, f32::INFINITY, 0.5], (f32::NAN, 1.0)));
        stays_inside(&pixels(digit(), (0.5, 0.5)));
    }
}
