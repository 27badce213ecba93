//! Spikes of many units over time.
//!
//! Time runs across and units down, in braille dots: each cell holds two
//! steps and four units, so a spike is one dot and reads without colour.
//! The latest steps that fit are shown; when the units outnumber the dot
//! rows, each dot row stands for a few units and is set if any of them
//! fired. The last row gives the first and last step shown.

use super::paint::{put, set_cell};
use super::{DrawContext, Kind};
use crate::text::Bilingual;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use serde_json::{Value, json};

/// `spikes[t]` lists the units (below `units`) that fired at step `t`,
/// oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Raster {
    pub units: usize,
    pub spikes: Vec<Vec<usize>>,
}

/// Braille dot bits by (column, row) within a cell.
const DOTS: [[u32; 4]; 2] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]];

impl Kind for Raster {
    fn to_json(&self) -> Option<Value> {
        Some(json!({ "units": self.units, "spikes": self.spikes }))
    }

    fn heights(&self, _width: u16, _colour: bool) -> Vec<u16> {
        let units = self.units;
        // Title, one cell row per four units, the step row.
        let rows = units.div_ceil(4).max(1);
        let mut hs = vec![(2 + rows).min(usize::from(u16::MAX)) as u16];
        for cap in [16, 8, 4, 2, 1] {
            if rows > cap {
                hs.push(2 + cap as u16);
            }
        }
        hs
    }

    fn title_suffix(&self, ctx: &DrawContext) -> String {
        let (units, spikes) = (self.units, &self.spikes);
        let total: usize = spikes.iter().map(Vec::len).sum();
        Bilingual::owned(
            format!("{units} units, {} steps, {total} spikes", spikes.len()),
            format!("{units} 个单元，{} 步，{total} 次放电", spikes.len()),
        )
        .get(ctx.lang)
        .into_owned()
    }

    fn draw(&self, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
        let (units, spikes) = (self.units, &self.spikes);
        if area.is_empty() {
            return;
        }
        let rows = if area.height > 1 {
            area.height - 1
        } else {
            area.height
        };
        let dot_rows = usize::from(rows) * 4;
        // Units per dot row, so that every unit has one.
        let per_dot = units.div_ceil(dot_rows).max(1);
        let steps_fit = usize::from(area.width) * 2;
        let first = spikes.len().saturating_sub(steps_fit);
        let shown = &spikes[first..];
        let mut cells = vec![0u32; usize::from(area.width) * usize::from(rows)];
        for (t, fired) in shown.iter().enumerate() {
            let (col, dx) = (t / 2, t % 2);
            for &unit in fired.iter().filter(|&&u| u < units) {
                let dot_row = unit / per_dot;
                let (row, dy) = (dot_row / 4, dot_row % 4);
                if row < usize::from(rows) && col < usize::from(area.width) {
                    cells[row * usize::from(area.width) + col] |= DOTS[dx][dy];
                }
            }
        }
        let style = ctx.theme.text;
        for (i, &bits) in cells.iter().enumerate() {
            if bits == 0 {
                continue;
            }
            let (col, row) = (i % usize::from(area.width), i / usize::from(area.width));
            let glyph = char::from_u32(0x2800 + bits).unwrap_or('?');
            set_cell(
                buf,
                area,
                area.x + col as u16,
                area.y + row as u16,
                &glyph.to_string(),
                style,
            );
        }
        if area.height > 1 && !shown.is_empty() {
            let y = area.bottom() - 1;
            let last = format!("{}", spikes.len() - 1);
            put(buf, area, area.x, y, &format!("{first}"), ctx.theme.dim);
            let w = last.len() as u16;
            if area.width > w + first.to_string().len() as u16 {
                put(buf, area, area.right() - w, y, &last, ctx.theme.dim);
            }
        }
    }

    fn has_non_finite(&self) -> bool {
        false
    }

    fn wide(&self, _column: u16) -> bool {
        true
    }

    /// A spiking network's activity is what its lab is about: it keeps its
    /// rows as long as a plot keeps its curves.
    fn keep_rank(&self) -> u8 {
        3
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{screen, stays_inside};
    use crate::text::Bilingual;
    use crate::tui::theme::Theme;
    use crate::view::{Raster, View, ViewContent};

    fn raster(units: usize, spikes: Vec<Vec<usize>>) -> View {
        View::new(
            "spikes",
            Bilingual::new("spikes", "脉冲"),
            ViewContent::Raster(Raster { units, spikes }),
        )
    }

    /// 16 units firing in a travelling wave over 100 steps.
    fn wave() -> Vec<Vec<usize>> {
        (0..100usize)
            .map(|t| (0..16).filter(|u| (t + 3 * u) % 12 < 2).collect())
            .collect()
    }

    #[test]
    fn snapshot_raster_80x24() {
        insta::assert_snapshot!(screen(&raster(16, wave()), 80, 6, &Theme::plain()));
    }

    #[test]
    fn snapshot_raster_tiny() {
        insta::assert_snapshot!(screen(&raster(16, wave()), 8, 3, &Theme::plain()));
    }

    #[test]
    fn a_spike_is_one_dot_in_its_place() {
        // Unit 5 fires at step 3: cell column 1, row 1; dot right column, row 1.
        let mut spikes = vec![vec![]; 4];
        spikes[3] = vec![5, 99];
        let text = screen(&raster(8, spikes), 10, 4, &Theme::plain());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[2], " \u{2810}", "{text}");
        assert_eq!(lines[3], "0        3", "{text}");
    }

    #[test]
    fn odd_rasters_stay_inside() {
        stays_inside(&raster(16, wave()));
        stays_inside(&raster(0, vec![vec![3]; 5]));
        stays_inside(&raster(1000, vec![vec![999, 0]; 300]));
        stays_inside(&raster(3, vec![]));
    }
}
