//! Several small pictures of the same size (stored patterns, filters)
//! side by side, one of them perhaps marked (the target), with a caption
//! (or the item's number) under each thumbnail (see [`super::picture`]).

use super::paint::put;
use super::picture::{PixelGeometry, Scale, clamp_rows, draw_picture};
use super::wrap::truncate;
use super::{DrawContext, Kind, floats};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use serde_json::Value;

/// Columns between thumbnails.
const GAP: u16 = 2;

/// Pictures of `width` x `height` pixels, each drawn as
/// [`super::Pixels`] with `range`. `captions` is empty (the items are
/// numbered) or holds one caption per item, shown under it.
#[derive(Debug, Clone, PartialEq)]
pub struct Gallery {
    pub width: usize,
    pub height: usize,
    pub items: Vec<Vec<f32>>,
    pub marked: Option<usize>,
    pub captions: Vec<String>,
    pub range: (f32, f32),
}

impl Kind for Gallery {
    fn to_json(&self) -> Option<Value> {
        Some(Value::Array(
            self.items.iter().map(|item| floats(item)).collect(),
        ))
    }

    fn heights(&self, cols: u16, _colour: bool) -> Vec<u16> {
        let (width, height, count) = (self.width, self.height, self.items.len());
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

    fn draw(&self, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
        let Gallery {
            width,
            height,
            ref items,
            marked,
            ref captions,
            range,
        } = *self;
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
        // When not all fit, the shown ones are a window that keeps the
        // marked item (the target) in sight, its row's start first.
        let first = match marked {
            Some(m) if items.len() > fit && m >= fit => {
                let row_start = m - m % usize::from(per_row);
                row_start.min(items.len() - fit)
            }
            _ => 0,
        };
        for (i, item) in items.iter().enumerate().skip(first) {
            let shown = i - first;
            let (r, c) = (
                (shown / usize::from(per_row)) as u16,
                (shown % usize::from(per_row)) as u16,
            );
            if r >= rows_fit {
                break;
            }
            let x = area.x + c * (w + GAP);
            let y = area.y + r * item_h;
            let is_marked = marked == Some(i);
            let thumb = Rect::new(x, y, w, h).intersection(area);
            draw_picture(
                width,
                height,
                item,
                scale,
                geometry,
                None,
                &[],
                is_marked,
                thumb,
                buf,
                ctx,
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

    fn has_non_finite(&self) -> bool {
        self.items.iter().flatten().any(|v| !v.is_finite())
    }

    fn wide(&self, _column: u16) -> bool {
        true
    }

    fn keep_rank(&self) -> u8 {
        1
    }
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

#[cfg(test)]
mod tests {
    use super::super::pixels::view_tests::digit;
    use super::super::tests::{screen, stays_inside};
    use crate::text::Bilingual;
    use crate::tui::theme::Theme;
    use crate::view::{Gallery, View, ViewContent};

    #[test]
    fn snapshot_gallery_with_captions() {
        let view = View::new(
            "filters",
            Bilingual::new("filters", "滤波器"),
            ViewContent::Gallery(Gallery {
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
            }),
        );
        let text = screen(&view, 80, 24, &Theme::plain());
        // Cut to the thumbnail's 8 columns.
        assert!(text.contains("a very …"), "{text}");
        insta::assert_snapshot!(text);
        stays_inside(&view);
    }
}
