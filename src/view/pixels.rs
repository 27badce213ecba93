//! A grey-scale picture with square pixels (a digit, a probe, a weight
//! filter), drawn as large as fits (see [`super::picture`]).

use super::paint::format_value;
use super::picture::{
    MAX_SCALE, PixelGeometry, Scale, clamp_rows, draw_picture, pixel_geometry, usable_range,
};
use super::{DrawContext, Kind, chunked};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use serde_json::Value;

/// A picture of `width` x `height` pixels in row-major order, drawn with
/// square pixels, dark at `range.0` and bright at `range.1` (a digit in
/// (0, 1)). A range that spans zero other than (-1, 1) is drawn on the
/// diverging scale, blue below zero and red above (a weight filter in
/// (-0.3, 0.3)); (-1, 1) stays grey, the convention of ±1 binary pictures
/// (Hopfield: −1 off, +1 on) and of tanh-valued images.
#[derive(Debug, Clone, PartialEq)]
pub struct Pixels {
    pub width: usize,
    pub height: usize,
    pub values: Vec<f32>,
    pub range: (f32, f32),
}

impl Kind for Pixels {
    fn to_json(&self) -> Option<Value> {
        Some(chunked(&self.values, self.height, self.width))
    }

    fn heights(&self, cols: u16, _colour: bool) -> Vec<u16> {
        let (width, height) = (self.width, self.height);
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
        let geometry = pixel_geometry(width, height, area.width, area.height);
        let scale = Scale::of(self.range, values);
        draw_picture(
            width, height, values, scale, geometry, ctx.cursor, false, area, buf, ctx,
        );
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
        let geometry = pixel_geometry(self.width, self.height, cols, rows);
        Some(geometry.size(self.width, self.height))
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
