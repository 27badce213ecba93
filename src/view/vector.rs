//! A vector of signed values (gates, states, inputs, overlaps), drawn as
//! bars.
//!
//! Three forms, richest first:
//! - rows: one line per component, its index (or label), a bar growing
//!   left or right from the zero line, and its value with the sign printed;
//! - numbers: the signed values in a grid, coloured by the diverging map,
//!   each after its label when the components have labels;
//! - bands: one column per component, positive values growing up from the
//!   middle and negative ones down, the labels (cut to the column) under
//!   each band, and the extremes printed below.
//!
//! All three read without colour: the sign is in the text or the direction.

use super::paint::{format_value, non_finite_style, put, set_cell, span_of, value_style};
use super::wrap::truncate;
use super::{DrawContext, Kind, floats};
use crate::text::{Bilingual, Lang};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use serde_json::Value;
use std::borrow::Cow;
use unicode_width::UnicodeWidthStr;

/// Signed values drawn as bars. `range` is the span the bars are scaled
/// to and coloured on, e.g. (0, 1) for a sigmoid gate (coloured from 0 up,
/// see [`crate::tui::theme::Theme::scaled`]), (-1, 1) for tanh; a value
/// beyond it fills its bar and is marked at the end it passed (`▶`, `◀`;
/// `▲`, `▼` in bands), never silently clipped. `labels` names the components (class
/// names, the characters of a vocabulary); empty, they are numbered, and a
/// component past the end of a short list keeps its number.
#[derive(Debug, Clone, PartialEq)]
pub struct Vector {
    pub values: Vec<f32>,
    pub range: (f32, f32),
    pub labels: Vec<Bilingual>,
}

/// The widest a label is drawn; longer ones end in `…`.
const LABEL_MAX: u16 = 12;

impl Vector {
    /// The label of component `i` in `lang`: its name, or its index.
    fn label(&self, i: usize, lang: Lang) -> Cow<'_, str> {
        match self.labels.get(i) {
            Some(label) => label.get(lang),
            None => Cow::Owned(i.to_string()),
        }
    }

    /// Columns of the label before a component in the rows and grid forms:
    /// the index's digits when numbered, else the widest label (capped).
    fn label_width(&self) -> u16 {
        let n = self.values.len();
        if self.labels.is_empty() {
            return digits(n.saturating_sub(1));
        }
        (0..n)
            // The wider language, so the layout stays when it changes.
            .map(|i| {
                let widest = [Lang::En, Lang::Zh].map(|lang| self.label(i, lang).width());
                widest[0].max(widest[1]).min(usize::from(LABEL_MAX)) as u16
            })
            .max()
            .unwrap_or(0)
    }

    /// Columns a label takes before a grid cell, with its gap: none when
    /// the components are numbered (their order says which is which).
    fn grid_label_width(&self) -> u16 {
        if self.labels.is_empty() {
            0
        } else {
            self.label_width() + 1
        }
    }

    /// Rows each band of the bands form takes: two for a range across
    /// zero, one otherwise, and one more for the labels.
    fn band_rows(&self) -> usize {
        let (lo, hi) = self.range;
        let bars = if lo < 0.0 && hi > 0.0 { 2 } else { 1 };
        bars + usize::from(!self.labels.is_empty())
    }
}

impl Kind for Vector {
    fn to_json(&self) -> Option<Value> {
        // The labels name the components; the trace keys them by position.
        Some(floats(&self.values))
    }

    fn heights(&self, width: u16, _colour: bool) -> Vec<u16> {
        let n = self.values.len();
        let label_w = self.grid_label_width();
        let mut hs = Vec::new();
        if n <= MAX_ROWS {
            hs.push(1 + n as u16);
        }
        if n <= MAX_NUMBERS {
            let per_cell = cells_per_row(width, label_w);
            if per_cell >= 2 {
                hs.push(1 + n.div_ceil(per_cell) as u16);
            }
            for value_w in [VALUE_W, SHORT_W] {
                let per_row = numbers_per_row(width, label_w + value_w);
                hs.push(1 + n.div_ceil(per_row) as u16);
            }
        }
        let (per_band, _) = band_shape(n, width);
        let bands = n.div_ceil(per_band).max(1);
        hs.push((1 + bands * self.band_rows() + 1).min(u16::MAX as usize) as u16);
        hs
    }

    fn title_suffix(&self, ctx: &DrawContext) -> String {
        match ctx.cursor.and_then(|i| self.values.get(i).map(|v| (i, v))) {
            Some((i, v)) if i < self.labels.len() => {
                let label = self.labels[i].get(ctx.lang);
                format!("[{i}] {label} = {}", format_value(*v))
            }
            Some((i, v)) => format!("[{i}] = {}", format_value(*v)),
            None => format!("[{}]", self.values.len()),
        }
    }

    fn draw(&self, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
        let values = &self.values;
        let range = usable_range(values, self.range);
        let n = values.len();
        let h = usize::from(area.height);
        let label_w = self.grid_label_width();
        let per_cell = cells_per_row(area.width, label_w);
        let fits = |value_w: u16| h >= n.div_ceil(numbers_per_row(area.width, label_w + value_w));
        if n <= MAX_ROWS && h >= n {
            self.draw_rows(range, area, buf, ctx);
        } else if n <= MAX_NUMBERS && per_cell >= 2 && h >= n.div_ceil(per_cell) {
            self.draw_cells(range, per_cell, area, buf, ctx);
        } else if n <= MAX_NUMBERS && fits(VALUE_W) {
            self.draw_numbers(range, VALUE_W, area, buf, ctx);
        } else if n <= MAX_NUMBERS && fits(SHORT_W) {
            self.draw_numbers(range, SHORT_W, area, buf, ctx);
        } else {
            self.draw_bands(range, area, buf, ctx);
        }
    }

    fn has_non_finite(&self) -> bool {
        self.values.iter().any(|v| !v.is_finite())
    }

    fn wide(&self, _column: u16) -> bool {
        false
    }

    fn keep_rank(&self) -> u8 {
        2
    }

    /// The vectors of a cell (its gates) stay alike: they grow together.
    fn grows_alone(&self) -> bool {
        false
    }
}

/// Width of a printed value (see [`format_value`]).
const VALUE_W: u16 = 6;
/// Beyond this many components one line each is too long to read.
const MAX_ROWS: usize = 64;
/// Beyond this many a wall of numbers says less than the bands' shape.
const MAX_NUMBERS: usize = 48;
/// Cells that grow upwards, by eighths.
const UP: [&str; 9] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

/// Bar cells: a short bar and the value, several to a row.
const CELL_BAR: u16 = 4;
const CELL_W: u16 = CELL_BAR + 1 + VALUE_W;
const CELL_GAP: u16 = 2;

/// Bar cells to a row, each after a label `label_w` columns wide.
fn cells_per_row(width: u16, label_w: u16) -> usize {
    let cell_w = label_w.saturating_add(CELL_W + CELL_GAP);
    usize::from(width.saturating_add(CELL_GAP) / cell_w).max(1)
}

/// Width of a value printed with two decimals (see [`format_short`]).
const SHORT_W: u16 = 5;

/// Numbers to a row, each `value_w` columns wide (its label included).
fn numbers_per_row(width: u16, value_w: u16) -> usize {
    usize::from(width.saturating_add(1) / value_w.saturating_add(1)).max(1)
}

/// (components per band, columns per component).
fn band_shape(n: usize, width: u16) -> (usize, u16) {
    let per_component = usize::from(width)
        .checked_div(n)
        .map_or(1, |w| w.clamp(1, 4) as u16);
    let per_band = usize::from(width / per_component).max(1);
    (per_band, per_component)
}

/// The range bars are scaled to: the view's, unless it is empty or not finite.
fn usable_range(values: &[f32], range: (f32, f32)) -> (f32, f32) {
    let (lo, hi) = range;
    if lo.is_finite() && hi.is_finite() && lo < hi {
        range
    } else {
        span_of(values.iter().copied())
    }
}

impl Vector {
    fn draw_rows(&self, range: (f32, f32), area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
        let label_w = self.label_width();
        let fixed = label_w + 1 + 1 + VALUE_W;
        // An even width puts zero on a cell boundary of a symmetric range.
        let bar_w = area.width.saturating_sub(fixed) & !1;
        for (i, &v) in self.values.iter().enumerate() {
            let y = area.y + i as u16;
            if y >= area.bottom() {
                break;
            }
            let selected = ctx.cursor == Some(i);
            let mut label_style = ctx.theme.dim;
            if selected {
                label_style = ctx.theme.selected.add_modifier(Modifier::REVERSED);
            }
            let w = usize::from(label_w);
            // Numbers line up on the right, names on the left.
            let label = if self.labels.is_empty() {
                format!("{i:>w$}")
            } else {
                let label = self.label(i, ctx.lang);
                let cut = truncate(&label, w);
                format!("{cut}{}", " ".repeat(w.saturating_sub(cut.width())))
            };
            let mut x = put(buf, area, area.x, y, &label, label_style);
            x = put(buf, area, x, y, " ", ctx.theme.text);
            if bar_w >= 3 {
                let bar = Rect::new(x, y, bar_w, 1);
                draw_bar(v, range, bar, buf, ctx);
                x = put(buf, area, bar.right(), y, " ", ctx.theme.text);
                // The column an odd width leaves goes before the value.
                if (area.width.saturating_sub(fixed)) % 2 == 1 {
                    x = put(buf, area, x, y, " ", ctx.theme.text);
                }
            }
            let mut style = value_style(v, range, ctx.theme);
            if selected {
                style = style.add_modifier(Modifier::REVERSED);
            }
            put(buf, area, x, y, &format!("{:>6}", format_value(v)), style);
        }
    }

    /// The label before grid cell `i`, `label_w` columns with its gap;
    /// returns the column after it.
    fn put_grid_label(
        &self,
        i: usize,
        x: u16,
        y: u16,
        area: Rect,
        buf: &mut Buffer,
        ctx: &DrawContext,
    ) -> u16 {
        let label_w = self.grid_label_width();
        if label_w == 0 {
            return x;
        }
        let label = self.label(i, ctx.lang);
        put(
            buf,
            area,
            x,
            y,
            &truncate(&label, usize::from(label_w - 1)),
            ctx.theme.dim,
        );
        x.saturating_add(label_w)
    }

    fn draw_cells(
        &self,
        range: (f32, f32),
        per_row: usize,
        area: Rect,
        buf: &mut Buffer,
        ctx: &DrawContext,
    ) {
        let cell_w = self.grid_label_width() + CELL_W + CELL_GAP;
        for (i, &v) in self.values.iter().enumerate() {
            let y = area.y + (i / per_row) as u16;
            if y >= area.bottom() {
                break;
            }
            let x = area.x + ((i % per_row) as u16) * cell_w;
            let x = self.put_grid_label(i, x, y, area, buf, ctx);
            draw_bar(
                v,
                range,
                Rect::new(x, y, CELL_BAR, 1).intersection(area),
                buf,
                ctx,
            );
            let mut style = value_style(v, range, ctx.theme);
            if ctx.cursor == Some(i) {
                style = style.add_modifier(Modifier::REVERSED);
            }
            put(
                buf,
                area,
                x + CELL_BAR + 1,
                y,
                &format!("{:>6}", format_value(v)),
                style,
            );
        }
    }

    fn draw_numbers(
        &self,
        range: (f32, f32),
        value_w: u16,
        area: Rect,
        buf: &mut Buffer,
        ctx: &DrawContext,
    ) {
        let label_w = self.grid_label_width();
        let per_row = numbers_per_row(area.width, label_w + value_w);
        for (i, &v) in self.values.iter().enumerate() {
            let y = area.y + (i / per_row) as u16;
            if y >= area.bottom() {
                break;
            }
            let x = area.x + ((i % per_row) as u16) * (label_w + value_w + 1);
            let x = self.put_grid_label(i, x, y, area, buf, ctx);
            let mut style = value_style(v, range, ctx.theme);
            if ctx.cursor == Some(i) {
                style = style.add_modifier(Modifier::REVERSED);
            }
            let text = if value_w == VALUE_W {
                format_value(v)
            } else {
                format_short(v)
            };
            put(
                buf,
                area,
                x,
                y,
                &format!("{text:>w$}", w = usize::from(value_w)),
                style,
            );
        }
    }

    fn draw_bands(&self, range: (f32, f32), area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
        let values = &self.values;
        let n = values.len();
        let (per_band, per_component) = band_shape(n, area.width);
        let (lo, hi) = range;
        // Bars in one row, or two for a range across zero; then the labels.
        let bar_rows = if lo < 0.0 && hi > 0.0 { 2 } else { 1 };
        let labelled = !self.labels.is_empty();
        let rows = bar_rows + usize::from(labelled);
        let glyph_w = if per_component >= 2 {
            per_component - 1
        } else {
            1
        };
        // Rows left for bands once the summary line is kept.
        let band_rows = area.height.saturating_sub(1).max(1);
        let bands_fit = usize::from(band_rows) / rows;
        let shown = (bands_fit * per_band).min(n);
        for (i, &v) in values.iter().enumerate().take(shown) {
            let band = i / per_band;
            let x = area.x + ((i % per_band) as u16) * per_component;
            let y0 = area.y + (band * rows) as u16;
            let mut style = value_style(v, range, ctx.theme);
            if ctx.cursor == Some(i) {
                style = style.add_modifier(Modifier::REVERSED);
            }
            let (up, down) = if !v.is_finite() {
                ("!", "!")
            } else if bar_rows == 2 {
                if v >= 0.0 {
                    (UP[eighths(v / hi)], " ")
                } else {
                    (" ", down_glyph(v / lo))
                }
            } else if lo >= 0.0 {
                (UP[eighths((v - lo) / (hi - lo))], " ")
            } else {
                (down_glyph((hi - v) / (hi - lo)), " ")
            };
            let (up, down) = match beyond(v, range) {
                Some(Beyond::Above) => (Beyond::Above.caret(), down),
                Some(Beyond::Below) if bar_rows == 2 => (up, Beyond::Below.caret()),
                Some(Beyond::Below) => (Beyond::Below.caret(), down),
                None => (up, down),
            };
            let style_for = |s: &str| {
                if s == "!" {
                    non_finite_style(ctx.theme)
                } else {
                    style
                }
            };
            for dx in 0..glyph_w {
                set_cell(buf, area, x + dx, y0, up, style_for(up));
                if bar_rows == 2 {
                    set_cell(buf, area, x + dx, y0 + 1, down, style_for(down));
                }
            }
            if labelled {
                let label = self.label(i, ctx.lang);
                let y = y0 + bar_rows as u16;
                let clip = Rect::new(x, y, glyph_w, 1).intersection(area);
                put(
                    buf,
                    clip,
                    x,
                    y,
                    &truncate(&label, usize::from(glyph_w)),
                    ctx.theme.dim,
                );
            }
        }
        let used_rows = (shown.div_ceil(per_band) * rows) as u16;
        let summary_y = (area.y + used_rows).min(area.bottom() - 1);
        let mut summary = String::new();
        if shown < n {
            summary.push_str(&format!("+{}  ", n - shown));
        }
        let finite = values.iter().filter(|v| v.is_finite());
        let min = finite.clone().copied().fold(f32::INFINITY, f32::min);
        let max = finite.copied().fold(f32::NEG_INFINITY, f32::max);
        if min <= max {
            summary.push_str(&format!(
                "min {} max {}",
                format_value(min),
                format_value(max)
            ));
        }
        let bad = values.iter().filter(|v| !v.is_finite()).count();
        let x = put(buf, area, area.x, summary_y, &summary, ctx.theme.dim);
        if bad > 0 {
            let first = values
                .iter()
                .find(|v| !v.is_finite())
                .copied()
                .unwrap_or(f32::NAN);
            put(
                buf,
                area,
                x,
                summary_y,
                &format!(" {bad}×{}", format_value(first)),
                non_finite_style(ctx.theme),
            );
        }
    }
}

/// One horizontal bar from the zero line (or the range's near end) to `v`,
/// at half-cell resolution, with the zero line drawn where the bar is not.
pub(crate) fn draw_bar(v: f32, range: (f32, f32), bar: Rect, buf: &mut Buffer, ctx: &DrawContext) {
    let (lo, hi) = range;
    let halves = i32::from(bar.width) * 2;
    let position = |x: f32| -> i32 {
        let t = ((x - lo) / (hi - lo)).clamp(0.0, 1.0);
        (t * halves as f32).round() as i32
    };
    let origin = position(0.0f32.clamp(lo, hi));
    let style = value_style(v, range, ctx.theme);
    if v.is_nan() {
        // Nothing to measure: mark the whole bar.
        for c in 0..bar.width {
            set_cell(buf, bar, bar.x + c, bar.y, "?", non_finite_style(ctx.theme));
        }
        return;
    }
    let end = position(v);
    let (from, to) = (origin.min(end), origin.max(end));
    let origin_cell = (origin / 2).min(i32::from(bar.width) - 1);
    for c in 0..i32::from(bar.width) {
        let left = (from.max(2 * c)..to.min(2 * c + 1)).len();
        let right = (from.max(2 * c + 1)..to.min(2 * c + 2)).len();
        let symbol = match (left > 0, right > 0) {
            (true, true) => "█",
            (true, false) => "▌",
            (false, true) => "▐",
            (false, false) if c == origin_cell => "│",
            (false, false) => " ",
        };
        let cell_style = if symbol == "│" {
            ctx.theme.dim
        } else {
            style
        };
        set_cell(buf, bar, bar.x + c as u16, bar.y, symbol, cell_style);
    }
    if let Some(mark) = beyond(v, range) {
        let x = if v > hi { bar.right() - 1 } else { bar.x };
        set_cell(buf, bar, x, bar.y, mark.arrow(), style);
    }
}

/// Which end of its range a value passed, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Beyond {
    Above,
    Below,
}

impl Beyond {
    /// The mark at the end of a horizontal bar.
    pub(crate) fn arrow(self) -> &'static str {
        match self {
            Beyond::Above => "▶",
            Beyond::Below => "◀",
        }
    }

    /// The mark in a vertical band.
    pub(crate) fn caret(self) -> &'static str {
        match self {
            Beyond::Above => "▲",
            Beyond::Below => "▼",
        }
    }
}

/// Whether `v` lies beyond `range` (infinities included; NaN lies nowhere).
pub(crate) fn beyond(v: f32, (lo, hi): (f32, f32)) -> Option<Beyond> {
    if v > hi {
        Some(Beyond::Above)
    } else if v < lo {
        Some(Beyond::Below)
    } else {
        None
    }
}

/// A value in at most 5 columns, sign shown, two decimals where they fit.
pub(crate) fn format_short(v: f32) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            "+inf".into()
        } else {
            "-inf".into()
        };
    }
    let a = v.abs();
    if a < 9.995 {
        format!("{v:+.2}")
    } else if a < 99.95 {
        format!("{v:+.1}")
    } else if a < 999.5 {
        format!("{v:+.0}")
    } else {
        format!("{v:+.0e}")
    }
}

/// 0..=8 eighths for a fraction of the way to full.
fn eighths(t: f32) -> usize {
    (t.clamp(0.0, 1.0) * 8.0).round() as usize
}

/// A cell growing downwards from its top edge (quarters are all the
/// block elements offer).
fn down_glyph(t: f32) -> &'static str {
    match eighths(t) {
        0 => " ",
        1..=3 => "▔",
        4..=6 => "▀",
        _ => "█",
    }
}

fn digits(n: usize) -> u16 {
    let mut d = 1;
    let mut n = n / 10;
    while n > 0 {
        d += 1;
        n /= 10;
    }
    d
}

#[cfg(test)]
mod tests {
    use super::super::tests::{screen, stays_inside};
    use super::*;
    use crate::model::{View, ViewContent};
    use crate::tui::theme::Theme;
    use serde_json::json;

    fn labelled(values: Vec<f32>, labels: &[&str]) -> View {
        View::new(
            "p",
            Bilingual::new("p", "p"),
            ViewContent::Vector(Vector {
                values,
                range: (0.0, 1.0),
                labels: labels.iter().map(|&l| Bilingual::same(l)).collect(),
            }),
        )
    }

    #[test]
    fn class_names_stand_beside_the_bars() {
        let view = labelled(vec![1.0, 0.0, 0.5], &["cat", "dog", "bird"]);
        let text = screen(&view, 24, 4, &Theme::plain());
        let lines: Vec<&str> = text.lines().collect();
        // Names are aligned on the left, in the width of the longest.
        assert_eq!(lines[1], "cat  ████████████ +1.000", "{text}");
        assert_eq!(lines[2], "dog  │            +0.000", "{text}");
        assert_eq!(lines[3], "bird ██████       +0.500", "{text}");
    }

    #[test]
    fn a_short_list_numbers_the_rest_and_long_names_are_cut() {
        let view = labelled(
            vec![0.5; 3],
            &["a name much longer than twelve columns", "b"],
        );
        let text = screen(&view, 40, 4, &Theme::plain());
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[1].starts_with("a name much… "), "{text}");
        assert!(lines[2].starts_with("b            "), "{text}");
        assert!(lines[3].starts_with("2            "), "{text}");
    }

    #[test]
    fn grids_put_each_label_before_its_value() {
        let labels = ["x", "y", "z", "w", "v", "u"];
        let view = labelled(vec![0.25; 6], &labels);
        // Three rows: too few for one line per component.
        let text = screen(&view, 60, 3, &Theme::plain());
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[1].starts_with("x █    +0.250  y █    +0.250"),
            "{text}"
        );
        // Numbers when no bar cell fits beside another, shorter when room is short.
        let text = screen(&view, 18, 4, &Theme::plain());
        assert_eq!(text.lines().nth(1), Some("x +0.250 y +0.250"), "{text}");
        let text = screen(&view, 16, 4, &Theme::plain());
        assert_eq!(text.lines().nth(1), Some("x +0.25 y +0.25"), "{text}");
    }

    #[test]
    fn in_bands_the_labels_sit_under_their_columns() {
        let letters: Vec<String> = ('a'..='z').map(String::from).collect();
        let letters: Vec<&str> = letters.iter().map(String::as_str).collect();
        let values: Vec<f32> = (0..52).map(|i| (i % 26) as f32 / 25.0).collect();
        let view = labelled(values, &[letters.clone(), letters].concat());
        // 26 columns: two bands of 26, a row of bars and a row of labels each.
        let hs = super::super::heights(&view, 26, false);
        assert_eq!(*hs.last().unwrap(), 1 + 2 * 2 + 1, "{hs:?}");
        let text = screen(&view, 26, 6, &Theme::plain());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], "  ▁▁▁▂▂▂▃▃▃▄▄▄▄▅▅▅▆▆▆▇▇▇██", "{text}");
        assert_eq!(lines[2], "abcdefghijklmnopqrstuvwxyz", "{text}");
        assert_eq!(lines[4], "abcdefghijklmnopqrstuvwxyz", "{text}");
        assert!(lines[5].starts_with("min +0.000 max +1.000"), "{text}");
        stays_inside(&view);
    }

    #[test]
    fn values_past_the_range_are_marked_in_every_form() {
        let mut values = vec![0.5f32; 60];
        values[3] = 1.5;
        values[7] = -0.25;
        let view = View::new(
            "g",
            Bilingual::new("g", "g"),
            ViewContent::vector(values, (0.0, 1.0)),
        );
        // 60 components in 3 rows: bands.
        let text = screen(&view, 60, 4, &Theme::plain());
        let bands = text.lines().nth(1).unwrap_or("");
        assert_eq!(bands.chars().nth(3), Some('▲'), "{text}");
        assert_eq!(bands.chars().nth(7), Some('▼'), "{text}");
        // One row each: the bar ends in an arrow.
        let view = View::new(
            "g",
            Bilingual::new("g", "g"),
            ViewContent::vector(vec![1.5, -0.25], (0.0, 1.0)),
        );
        let text = screen(&view, 20, 3, &Theme::plain());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], "0 █████████▶  +1.500", "{text}");
        assert_eq!(lines[2], "1 ◀           -0.250", "{text}");
    }

    #[test]
    fn the_cursor_names_its_component_and_the_trace_keeps_only_values() {
        let view = labelled(vec![0.25, 0.75], &["cat", "dog"]);
        let theme = Theme::plain();
        let ctx = DrawContext {
            lang: Lang::En,
            theme: &theme,
            cursor: Some(1),
        };
        assert_eq!(view.content.kind().title_suffix(&ctx), "[1] dog = +0.750");
        assert_eq!(view.to_json(), Some(json!([0.25, 0.75])));
        stays_inside(&labelled(vec![f32::NAN, 2.0, -1.0], &["中文名字", "", "x"]));
    }
}
