//! What plots and planes share: ranges that are never empty, axes with
//! tick values at their ends and at round numbers between, and curves and
//! lines drawn with ratatui's `Canvas` in fine dots (braille by default,
//! see [`crate::tui::theme::Theme::dots`]) merged over what is already drawn.
//!
//! The ends of each axis are labelled with the range's own values, so a
//! curve from 0.30 to 1.0 reads as such and never as one rising from zero.

use super::paint::{put, set_cell};
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::widgets::Widget;
use ratatui::widgets::canvas::{Canvas, Context};
use unicode_width::UnicodeWidthStr;

/// Colours of curves and classes, in order; the glyphs carry the same
/// distinction without colour.
pub(super) const PALETTE: [Color; 6] = [
    Color::Cyan,
    Color::Yellow,
    Color::Green,
    Color::Magenta,
    Color::LightBlue,
    Color::LightRed,
];

/// The colour of series `i` (a curve, a class), or none without colour.
pub(super) fn series_style(i: usize, theme: &Theme) -> Style {
    if theme.colour {
        Style::new().fg(PALETTE[i % PALETTE.len()])
    } else {
        Style::new()
    }
}

/// A usable range: `range` if it is finite and not empty, otherwise the
/// span of `values` (finite ones only), widened when all are equal, and
/// (0, 1) when there are none.
pub(super) fn span(range: Option<(f64, f64)>, values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    if let Some((lo, hi)) = range
        && lo.is_finite()
        && hi.is_finite()
        && lo < hi
    {
        return (lo, hi);
    }
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.into_iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return (0.0, 1.0);
    }
    if lo == hi || !(hi - lo).is_finite() {
        // One value (a first epoch): a small band around it.
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        let (a, b) = (lo - pad, hi + pad);
        return if a.is_finite() && b.is_finite() && a < b {
            (a, b)
        } else {
            (-f64::MAX / 2.0, f64::MAX / 2.0)
        };
    }
    (lo, hi)
}

/// The part of the segment from (`x1`, `y1`) to (`x2`, `y2`) inside the
/// ranges (Liang-Barsky), so that the canvas is only given segments it
/// can draw without overflowing; `None` when none of it is inside.
pub(super) fn clip(
    (x1, y1): (f64, f64),
    (x2, y2): (f64, f64),
    (x_lo, x_hi): (f64, f64),
    (y_lo, y_hi): (f64, f64),
) -> Option<(f64, f64, f64, f64)> {
    let (dx, dy) = (x2 - x1, y2 - y1);
    if ![x1, y1, x2, y2, dx, dy].iter().all(|v| v.is_finite()) {
        return None;
    }
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, x1 - x_lo),
        (dx, x_hi - x1),
        (-dy, y1 - y_lo),
        (dy, y_hi - y1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    if t0 > t1 || t0.is_nan() || t1.is_nan() {
        return None;
    }
    let at = |t: f64| {
        (
            (x1 + t * dx).clamp(x_lo, x_hi),
            (y1 + t * dy).clamp(y_lo, y_hi),
        )
    };
    let ((a, b), (c, d)) = (at(t0), at(t1));
    [a, b, c, d]
        .iter()
        .all(|v| v.is_finite())
        .then_some((a, b, c, d))
}

/// Round values between `lo` and `hi` (1, 2 or 5 times a power of ten)
/// about `count` of them, and how many decimals their labels need.
pub(super) fn round_ticks(lo: f64, hi: f64, count: usize) -> (Vec<f64>, usize) {
    let width = hi - lo;
    if !(width.is_finite() && width > 0.0) || count == 0 {
        return (Vec::new(), 0);
    }
    let raw = width / count as f64;
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * power);
    if !(step.is_finite() && step > 0.0) {
        return (Vec::new(), 0);
    }
    let decimals = (-step.log10().floor()).clamp(0.0, 6.0) as usize;
    let first = (lo / step).ceil();
    let mut ticks = Vec::new();
    let mut k = first;
    while k * step <= hi && ticks.len() <= count * 2 + 2 {
        ticks.push(k * step);
        k += 1.0;
    }
    (ticks, decimals)
}

/// A tick value as a person writes it on an axis: `0.3`, `12`, `-1.5`,
/// `2.0e6` for the very large or small; no `-0`.
pub(super) fn tick_text(v: f64, decimals: usize) -> String {
    let a = v.abs();
    if !v.is_finite() {
        return super::format_value_f64(v);
    }
    if a >= 1e5 || (a > 0.0 && a < 1e-4) {
        return format!("{v:.1e}");
    }
    let s = format!("{v:.decimals$}");
    if s.trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        return s.trim_start_matches('-').to_string();
    }
    s
}

/// Decimals enough to tell the ends of a range apart.
pub(super) fn end_decimals(lo: f64, hi: f64) -> usize {
    let width = (hi - lo).abs();
    if !(width.is_finite() && width > 0.0) {
        return 0;
    }
    (-(width / 10.0).log10().floor()).clamp(0.0, 6.0) as usize
}

/// The frame of a chart: where the data goes inside `area`, the ranges it
/// maps, and the labels of the y axis.
pub(super) struct Frame {
    /// Where the data is drawn (right of the y axis, above the x axis).
    pub plot: Rect,
    pub x: (f64, f64),
    pub y: (f64, f64),
}

impl Frame {
    /// Lays out axes around the data in `area`: tick labels on the left,
    /// the x axis and its tick labels in the last two rows. `None` when the
    /// area is too small for a frame (the caller draws a summary instead).
    pub fn new(area: Rect, x: (f64, f64), y: (f64, f64)) -> Option<Frame> {
        if area.height < 4 {
            return None;
        }
        let rows = area.height - 2;
        let labels = y_labels(y, rows);
        let margin = labels.iter().map(|(_, s)| s.width()).max().unwrap_or(0) as u16 + 1;
        if area.width < margin + 4 {
            return None;
        }
        let plot = Rect::new(area.x + margin, area.y, area.width - margin, rows);
        Some(Frame { plot, x, y })
    }

    /// The cell column of `x`, if it lies in the range.
    pub fn column(&self, x: f64) -> Option<u16> {
        let (lo, hi) = self.x;
        if !(x >= lo && x <= hi) {
            return None;
        }
        let t = (x - lo) / (hi - lo);
        let c = (t * f64::from(self.plot.width - 1)).round();
        Some(self.plot.x + (c as u16).min(self.plot.width - 1))
    }

    /// The cell row of `y`, if it lies in the range (larger y higher up).
    pub fn row(&self, y: f64) -> Option<u16> {
        let (lo, hi) = self.y;
        if !(y >= lo && y <= hi) {
            return None;
        }
        let t = (hi - y) / (hi - lo);
        let r = (t * f64::from(self.plot.height - 1)).round();
        Some(self.plot.y + (r as u16).min(self.plot.height - 1))
    }

    /// The point of the ranges drawn at cell (`col`, `row`), the inverse of
    /// [`Frame::column`] and [`Frame::row`]; `None` off the plot.
    pub fn value_at(&self, col: u16, row: u16) -> Option<(f64, f64)> {
        let plot = self.plot;
        if !plot.contains(ratatui::layout::Position { x: col, y: row }) {
            return None;
        }
        let fraction = |offset: u16, cells: u16| {
            if cells > 1 {
                f64::from(offset) / f64::from(cells - 1)
            } else {
                0.5
            }
        };
        let tx = fraction(col - plot.x, plot.width);
        let ty = fraction(row - plot.y, plot.height);
        Some((
            self.x.0 + tx * (self.x.1 - self.x.0),
            self.y.1 - ty * (self.y.1 - self.y.0),
        ))
    }

    /// Draws the y axis with its labels, and the x axis and its labels
    /// under the plot; `x_label` goes at the right end of the label row if
    /// it fits there.
    pub fn draw_axes(&self, x_label: &str, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let plot = self.plot;
        let axis_x = plot.x - 1;
        let labels = y_labels(self.y, plot.height);
        for r in 0..plot.height {
            set_cell(buf, area, axis_x, plot.y + r, "│", theme.dim);
        }
        for (r, label) in &labels {
            let y = plot.y + r;
            let x = axis_x.saturating_sub(label.width() as u16);
            put(buf, area, x, y, label, theme.dim);
            set_cell(buf, area, axis_x, y, "┤", theme.dim);
        }
        // The x axis, with a tick under each labelled value.
        let axis_y = plot.bottom();
        set_cell(buf, area, axis_x, axis_y, "└", theme.dim);
        for c in 0..plot.width {
            set_cell(buf, area, plot.x + c, axis_y, "─", theme.dim);
        }
        let label_y = axis_y + 1;
        let mut taken: Vec<(u16, u16)> = Vec::new();
        for (x, label) in self.x_labels() {
            let Some(col) = self.column(x) else {
                continue;
            };
            let w = label.width() as u16;
            // Centred under the tick, kept inside the plot's columns.
            let start = col
                .saturating_sub(w / 2)
                .max(plot.x)
                .min(plot.right().saturating_sub(w).max(plot.x));
            let end = start + w;
            if taken.iter().any(|&(a, b)| start < b + 1 && a < end + 1) {
                continue;
            }
            taken.push((start, end));
            set_cell(buf, area, col, axis_y, "┬", theme.dim);
            put(buf, area, start, label_y, &label, theme.dim);
        }
        let w = x_label.width() as u16;
        let right = taken.iter().map(|&(_, b)| b).max().unwrap_or(plot.x);
        if w > 0 && right + 2 + w <= area.right() && area.right() - w > right + 1 {
            put(buf, area, area.right() - w, label_y, x_label, theme.dim);
        }
    }

    /// The x axis's labels, the ends first so that they win any overlap.
    fn x_labels(&self) -> Vec<(f64, String)> {
        let (lo, hi) = self.x;
        let decimals = end_decimals(lo, hi);
        let mut labels = vec![(lo, tick_text(lo, decimals)), (hi, tick_text(hi, decimals))];
        let (ticks, d) = round_ticks(lo, hi, usize::from(self.plot.width / 10).max(1));
        let d = d.max(decimals);
        labels.extend(ticks.into_iter().map(|t| (t, tick_text(t, d))));
        labels
    }

    /// Draws `paint`'s shapes in fine dots over the plot, keeping the cells
    /// the shapes leave empty (a background, reference lines) as they are.
    pub fn draw_dots(
        &self,
        marker: ratatui::symbols::Marker,
        buf: &mut Buffer,
        paint: impl Fn(&mut Context),
    ) {
        let plot = self.plot.intersection(buf.area);
        if plot.is_empty() || plot != self.plot {
            // A plot partly outside the buffer would shift the dots.
            return;
        }
        let mut scratch = Buffer::empty(Rect::new(0, 0, plot.width, plot.height));
        Canvas::default()
            .marker(marker)
            .x_bounds([self.x.0, self.x.1])
            .y_bounds([self.y.0, self.y.1])
            .paint(paint)
            .render(scratch.area, &mut scratch);
        for row in 0..plot.height {
            for col in 0..plot.width {
                let Some(cell) = scratch.cell((col, row)) else {
                    continue;
                };
                let symbol = cell.symbol();
                if symbol == " " || symbol == "\u{2800}" {
                    continue;
                }
                let fg = cell.fg;
                if let Some(target) = buf.cell_mut((plot.x + col, plot.y + row)) {
                    target.set_symbol(symbol);
                    if fg != Color::Reset {
                        target.set_fg(fg);
                    }
                }
            }
        }
    }
}

/// The y axis's labels by row from the top: both ends of the range, and
/// round values between where they leave a row free around them.
fn y_labels((lo, hi): (f64, f64), rows: u16) -> Vec<(u16, String)> {
    if rows == 0 {
        return Vec::new();
    }
    let last = rows - 1;
    let row_of = |v: f64| -> u16 {
        let t = ((hi - v) / (hi - lo)).clamp(0.0, 1.0);
        ((t * f64::from(last)).round() as u16).min(last)
    };
    let decimals = end_decimals(lo, hi);
    let mut labels = vec![(0, tick_text(hi, decimals))];
    if last > 0 {
        labels.push((last, tick_text(lo, decimals)));
    }
    let (ticks, d) = round_ticks(lo, hi, usize::from(rows / 3).max(1));
    let d = d.max(decimals);
    for t in ticks {
        let r = row_of(t);
        if labels.iter().all(|(other, _)| r.abs_diff(*other) >= 2) {
            labels.push((r, tick_text(t, d)));
        }
    }
    labels.sort_by_key(|(r, _)| *r);
    labels
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_never_empty() {
        assert_eq!(span(Some((0.3, 1.0)), []), (0.3, 1.0));
        assert_eq!(span(Some((1.0, 1.0)), [0.3, 1.0]), (0.3, 1.0));
        assert_eq!(span(None, [f64::NAN, f64::INFINITY]), (0.0, 1.0));
        assert_eq!(span(None, []), (0.0, 1.0));
        let (lo, hi) = span(None, [2.0, 2.0]);
        assert!(lo < 2.0 && hi > 2.0);
        let (lo, hi) = span(None, [0.0]);
        assert!(lo < 0.0 && hi > 0.0);
        let (lo, hi) = span(None, [-f64::MAX, f64::MAX]);
        assert!(lo < hi && lo.is_finite() && hi.is_finite());
    }

    #[test]
    fn segments_are_clipped_to_the_ranges() {
        let unit = (0.0, 1.0);
        assert_eq!(
            clip((-1.0, 0.5), (2.0, 0.5), unit, unit),
            Some((0.0, 0.5, 1.0, 0.5))
        );
        assert_eq!(clip((2.0, 2.0), (3.0, 3.0), unit, unit), None);
        assert_eq!(
            clip((0.5, 0.5), (0.5, 0.5), unit, unit),
            Some((0.5, 0.5, 0.5, 0.5))
        );
        // Too far apart to subtract: not drawn rather than drawn wrong.
        assert_eq!(clip((-f64::MAX, 0.0), (f64::MAX, 0.0), unit, unit), None);
        assert_eq!(clip((f64::NAN, 0.0), (1.0, 0.0), unit, unit), None);
    }

    #[test]
    fn ticks_are_round_and_inside_the_range() {
        let (ticks, decimals) = round_ticks(0.3, 1.0, 4);
        assert_eq!(ticks.len(), 4, "{ticks:?}");
        assert!(ticks.iter().all(|t| (0.3..=1.0).contains(t)));
        assert_eq!(decimals, 1);
        assert_eq!(tick_text(ticks[0], decimals), "0.4");
        assert_eq!(tick_text(-0.0001, 2), "0.00");
        assert_eq!(tick_text(2e6, 0), "2.0e6");
        assert!(round_ticks(1.0, 1.0, 4).0.is_empty());
        assert!(round_ticks(0.0, f64::INFINITY, 4).0.is_empty());
    }

    #[test]
    fn the_y_axis_is_labelled_with_its_real_ends() {
        let labels = y_labels((0.3, 1.0), 10);
        assert_eq!(labels.first(), Some(&(0, "1.00".to_string())));
        assert_eq!(labels.last(), Some(&(9, "0.30".to_string())));
    }
}
