//! A vector of signed values (gates, states, inputs, overlaps).
//!
//! Three forms, richest first:
//! - rows: one line per component, its index, a bar growing left or right
//!   from the zero line, and its value with the sign printed;
//! - numbers: the signed values in a grid, coloured by the diverging map;
//! - bands: one column per component, positive values growing up from the
//!   middle and negative ones down, with the extremes printed below.
//!
//! All three read without colour: the sign is in the text or the direction.

use super::{DrawContext, format_value, non_finite_style, put, set_cell, span_of, value_style};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;

/// Width of a printed value (see [`format_value`]).
const VALUE_W: u16 = 6;
/// Beyond this many components one line each is too long to read.
const MAX_ROWS: usize = 64;
/// Beyond this many a wall of numbers says less than the bands' shape.
const MAX_NUMBERS: usize = 48;
/// Cells that grow upwards, by eighths.
const UP: [&str; 9] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

pub(super) fn heights(n: usize, range: (f32, f32), width: u16) -> Vec<u16> {
    let mut hs = Vec::new();
    if n <= MAX_ROWS {
        hs.push(1 + n as u16);
    }
    if n <= MAX_NUMBERS {
        let per_cell = cells_per_row(width);
        if per_cell >= 2 {
            hs.push(1 + n.div_ceil(per_cell) as u16);
        }
        for value_w in [VALUE_W, SHORT_W] {
            let per_row = numbers_per_row(width, value_w);
            hs.push(1 + n.div_ceil(per_row) as u16);
        }
    }
    let (rows_per_band, per_band, _) = band_shape(n, range, width);
    let bands = n.div_ceil(per_band).max(1);
    hs.push((1 + bands * rows_per_band + 1).min(u16::MAX as usize) as u16);
    hs
}

pub(super) fn title_suffix(values: &[f32], ctx: &DrawContext) -> String {
    match ctx.cursor.and_then(|i| values.get(i).map(|v| (i, v))) {
        Some((i, v)) => format!("[{i}] = {}", format_value(*v)),
        None => format!("[{}]", values.len()),
    }
}

/// Bar cells: a short bar and the value, several to a row.
const CELL_BAR: u16 = 4;
const CELL_W: u16 = CELL_BAR + 1 + VALUE_W;
const CELL_GAP: u16 = 2;

fn cells_per_row(width: u16) -> usize {
    usize::from((width + CELL_GAP) / (CELL_W + CELL_GAP)).max(1)
}

/// Width of a value printed with two decimals (see [`format_short`]).
const SHORT_W: u16 = 5;

fn numbers_per_row(width: u16, value_w: u16) -> usize {
    usize::from((width + 1) / (value_w + 1)).max(1)
}

/// (rows per band, components per band, columns per component).
fn band_shape(n: usize, range: (f32, f32), width: u16) -> (usize, usize, u16) {
    let (lo, hi) = range;
    let rows = if lo < 0.0 && hi > 0.0 { 2 } else { 1 };
    let per_component = usize::from(width)
        .checked_div(n)
        .map_or(1, |w| w.clamp(1, 4) as u16);
    let per_band = usize::from(width / per_component).max(1);
    (rows, per_band, per_component)
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

pub(super) fn draw(
    values: &[f32],
    range: (f32, f32),
    area: Rect,
    buf: &mut Buffer,
    ctx: &DrawContext,
) {
    let range = usable_range(values, range);
    let n = values.len();
    let h = usize::from(area.height);
    let per_cell = cells_per_row(area.width);
    if n <= MAX_ROWS && h >= n {
        draw_rows(values, range, area, buf, ctx);
    } else if n <= MAX_NUMBERS && per_cell >= 2 && h >= n.div_ceil(per_cell) {
        draw_cells(values, range, per_cell, area, buf, ctx);
    } else if n <= MAX_NUMBERS && h >= n.div_ceil(numbers_per_row(area.width, VALUE_W)) {
        draw_numbers(values, range, VALUE_W, area, buf, ctx);
    } else if n <= MAX_NUMBERS && h >= n.div_ceil(numbers_per_row(area.width, SHORT_W)) {
        draw_numbers(values, range, SHORT_W, area, buf, ctx);
    } else {
        draw_bands(values, range, area, buf, ctx);
    }
}

fn draw_rows(values: &[f32], range: (f32, f32), area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
    let index_w = digits(values.len().saturating_sub(1));
    let fixed = index_w + 1 + 1 + VALUE_W;
    // An even width puts zero on a cell boundary of a symmetric range.
    let bar_w = area.width.saturating_sub(fixed) & !1;
    for (i, &v) in values.iter().enumerate() {
        let y = area.y + i as u16;
        if y >= area.bottom() {
            break;
        }
        let selected = ctx.cursor == Some(i);
        let mut index_style = ctx.theme.dim;
        if selected {
            index_style = ctx.theme.selected.add_modifier(Modifier::REVERSED);
        }
        let mut x = put(
            buf,
            area,
            area.x,
            y,
            &format!("{i:>w$}", w = usize::from(index_w)),
            index_style,
        );
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
}

fn draw_cells(
    values: &[f32],
    range: (f32, f32),
    per_row: usize,
    area: Rect,
    buf: &mut Buffer,
    ctx: &DrawContext,
) {
    for (i, &v) in values.iter().enumerate() {
        let y = area.y + (i / per_row) as u16;
        if y >= area.bottom() {
            break;
        }
        let x = area.x + ((i % per_row) as u16) * (CELL_W + CELL_GAP);
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
    values: &[f32],
    range: (f32, f32),
    value_w: u16,
    area: Rect,
    buf: &mut Buffer,
    ctx: &DrawContext,
) {
    let per_row = numbers_per_row(area.width, value_w);
    for (i, &v) in values.iter().enumerate() {
        let y = area.y + (i / per_row) as u16;
        if y >= area.bottom() {
            break;
        }
        let x = area.x + ((i % per_row) as u16) * (value_w + 1);
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

fn draw_bands(values: &[f32], range: (f32, f32), area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
    let n = values.len();
    let (rows, per_band, per_component) = band_shape(n, range, area.width);
    let glyph_w = if per_component >= 2 {
        per_component - 1
    } else {
        1
    };
    let (lo, hi) = range;
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
        } else if rows == 2 {
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
        let style_for = |s: &str| {
            if s == "!" {
                non_finite_style(ctx.theme)
            } else {
                style
            }
        };
        for dx in 0..glyph_w {
            set_cell(buf, area, x + dx, y0, up, style_for(up));
            if rows == 2 {
                set_cell(buf, area, x + dx, y0 + 1, down, style_for(down));
            }
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
