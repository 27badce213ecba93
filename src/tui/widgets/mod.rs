//! Drawers for a model's views: one per [`ViewContent`] kind.
//!
//! Each drawer works from the view alone and offers a few heights, richest
//! first ([`heights`]); the lab's layout picks one per view so that
//! everything fits, and [`draw`] then draws the richest form that fits the
//! area it is given. Every drawer reads without colour (signs, numbers,
//! shapes), shows NaN and infinities as such, and never writes outside its
//! area, whatever the area's size.

mod axes;
mod bars;
mod graph;
mod heatmap;
mod histogram;
mod pixels;
mod plane;
mod plot;
mod raster;
mod series;
mod table;
mod text;

pub(crate) use pixels::pixel_at;
pub use pixels::{PixelGeometry, pixel_geometry};
pub(crate) use text::wrap;

/// Columns a table takes with nothing cut (see [`table::natural_width`]).
pub(crate) fn table_width(header: &[String], rows: &[Vec<String>]) -> u16 {
    table::natural_width(header, rows)
}

use crate::model::{View, ViewContent};
use crate::text::Lang;
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use unicode_width::UnicodeWidthStr;

/// What a drawer needs besides the view.
#[derive(Debug, Clone, Copy)]
pub struct DrawContext<'a> {
    pub lang: Lang,
    pub theme: &'a Theme,
    /// The component or pixel being edited, if this view is being edited.
    pub cursor: Option<usize>,
}

/// The heights (in rows, title included) at which `view` can be drawn in
/// `width` columns, richest first, strictly decreasing, each at least 1.
pub fn heights(view: &View, width: u16, colour: bool) -> Vec<u16> {
    let mut hs = match &view.content {
        ViewContent::Vector { values, range } => bars::heights(values.len(), *range, width),
        ViewContent::Matrix { rows, cols, .. } => heatmap::matrix_heights(*rows, *cols, colour),
        ViewContent::History { cols, .. } => heatmap::history_heights(*cols, colour),
        ViewContent::Pixels {
            width: w,
            height: h,
            ..
        } => pixels::heights(*w, *h, width),
        ViewContent::Gallery {
            width: w,
            height: h,
            items,
            ..
        } => pixels::gallery_heights(*w, *h, items.len(), width),
        ViewContent::Series { .. } => series::heights(),
        ViewContent::Scalar { .. } => vec![1],
        ViewContent::Text { text } => text::text_heights(text, width),
        ViewContent::Equations { lines, .. } => text::equation_heights(lines, width),
        ViewContent::Plot { curves, .. } => plot::heights(curves.len()),
        ViewContent::Plane { .. } => plane::heights(width),
        ViewContent::Table { rows, .. } => table::heights(rows.len()),
        ViewContent::Histogram { .. } => histogram::heights(),
        ViewContent::Raster { units, .. } => raster::heights(*units),
        ViewContent::Graph { .. } => graph::heights(),
    };
    hs.retain(|&h| h >= 1);
    hs.sort_unstable_by(|a, b| b.cmp(a));
    hs.dedup();
    if hs.is_empty() {
        hs.push(1);
    }
    hs
}

/// Draws `view` into `area` of `buf` (clipped to the buffer).
pub fn draw(view: &View, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
    let area = area.intersection(buf.area);
    if area.is_empty() {
        return;
    }
    if let ViewContent::Scalar { value } = &view.content {
        text::draw_scalar(view, *value, area, buf, ctx);
        return;
    }
    let suffix = match &view.content {
        ViewContent::Vector { values, .. } => bars::title_suffix(values, ctx),
        ViewContent::Pixels {
            width,
            height,
            values,
            range,
        } => pixels::title_suffix(*width, *height, values, *range, ctx),
        ViewContent::Series { values } => series::title_suffix(values, ctx.lang),
        ViewContent::History {
            rows, cols, range, ..
        } => heatmap::history_suffix(*rows, *cols, *range, ctx.lang),
        ViewContent::Matrix { rows, cols, values } => heatmap::matrix_suffix(*rows, *cols, values),
        ViewContent::Plot { .. } => plot_of(&view.content)
            .map(|p| plot::title_suffix(&p, ctx.lang))
            .unwrap_or_default(),
        ViewContent::Plane { .. } => plane_of(&view.content)
            .map(|p| plane::title_suffix(&p, ctx.lang))
            .unwrap_or_default(),
        ViewContent::Table { .. } => table_of(&view.content)
            .map(|t| table::title_suffix(&t, ctx.lang))
            .unwrap_or_default(),
        ViewContent::Histogram { values, range } => {
            histogram::title_suffix(values, *range, ctx.lang)
        }
        ViewContent::Raster { units, spikes } => raster::title_suffix(*units, spikes, ctx.lang),
        ViewContent::Graph { .. } => graph_of(&view.content)
            .map(|g| graph::title_suffix(&g, ctx.lang))
            .unwrap_or_default(),
        _ => String::new(),
    };
    draw_title(view, &suffix, area, buf, ctx);
    let body = Rect {
        y: area.y + 1,
        height: area.height - 1,
        ..area
    };
    if body.is_empty() {
        return;
    }
    match &view.content {
        ViewContent::Vector { values, range } => bars::draw(values, *range, body, buf, ctx),
        ViewContent::Matrix { rows, cols, values } => {
            heatmap::draw_matrix(*rows, *cols, values, body, buf, ctx)
        }
        ViewContent::History {
            rows,
            cols,
            values,
            range,
        } => heatmap::draw_history(*rows, *cols, values, *range, body, buf, ctx),
        ViewContent::Pixels {
            width,
            height,
            values,
            range,
        } => pixels::draw(*width, *height, values, *range, body, buf, ctx),
        ViewContent::Gallery {
            width,
            height,
            items,
            marked,
            captions,
            range,
        } => {
            let gallery = pixels::Gallery {
                width: *width,
                height: *height,
                items,
                marked: *marked,
                captions,
                range: *range,
            };
            pixels::draw_gallery(&gallery, body, buf, ctx)
        }
        ViewContent::Series { values } => series::draw(values, body, buf, ctx),
        ViewContent::Text { text } => text::draw_text(text, body, buf, ctx),
        ViewContent::Equations { lines, current } => {
            text::draw_equations(lines, *current, body, buf, ctx)
        }
        ViewContent::Plot { .. } => {
            if let Some(p) = plot_of(&view.content) {
                plot::draw(&p, body, buf, ctx);
            }
        }
        ViewContent::Plane { .. } => {
            if let Some(p) = plane_of(&view.content) {
                plane::draw(&p, body, buf, ctx);
            }
        }
        ViewContent::Table { .. } => {
            if let Some(t) = table_of(&view.content) {
                table::draw(&t, body, buf, ctx);
            }
        }
        ViewContent::Histogram { values, range } => histogram::draw(values, *range, body, buf, ctx),
        ViewContent::Raster { units, spikes } => raster::draw(*units, spikes, body, buf, ctx),
        ViewContent::Graph { .. } => {
            if let Some(g) = graph_of(&view.content) {
                graph::draw(&g, body, buf, ctx);
            }
        }
        ViewContent::Scalar { .. } => {}
    }
}

/// The graph widget over a [`ViewContent::Graph`]'s fields.
fn graph_of(content: &ViewContent) -> Option<graph::Graph<'_>> {
    match content {
        ViewContent::Graph {
            labels,
            values,
            range,
            edges,
        } => Some(graph::Graph {
            labels,
            values,
            range: *range,
            edges,
        }),
        _ => None,
    }
}

/// The plot widget over a [`ViewContent::Plot`]'s fields.
fn plot_of(content: &ViewContent) -> Option<plot::Plot<'_>> {
    match content {
        ViewContent::Plot {
            curves,
            x_label,
            y_label,
            x_range,
            y_range,
            marks,
            now,
        } => Some(plot::Plot {
            curves,
            x_label,
            y_label,
            x_range: *x_range,
            y_range: *y_range,
            marks,
            now: *now,
        }),
        _ => None,
    }
}

/// The plane widget over a [`ViewContent::Plane`]'s fields.
fn plane_of(content: &ViewContent) -> Option<plane::Plane<'_>> {
    match content {
        ViewContent::Plane {
            points,
            classes,
            field,
            lines,
            x_range,
            y_range,
        } => Some(plane::Plane {
            points,
            classes,
            field: field.as_ref(),
            lines,
            x_range: *x_range,
            y_range: *y_range,
        }),
        _ => None,
    }
}

/// The table widget over a [`ViewContent::Table`]'s fields.
fn table_of(content: &ViewContent) -> Option<table::Table<'_>> {
    match content {
        ViewContent::Table {
            header,
            rows,
            current,
        } => Some(table::Table {
            header,
            rows,
            current: *current,
        }),
        _ => None,
    }
}

/// The view's label, with a short note after it, on the area's first row.
fn draw_title(view: &View, suffix: &str, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
    let label = view.label.get(ctx.lang);
    let mut style = ctx.theme.heading;
    if ctx.cursor.is_some() {
        style = style.add_modifier(Modifier::REVERSED);
    }
    let x = put(buf, area, area.x, area.y, &label, style);
    let mark = if view.editable { " *" } else { "" };
    let x = put(buf, area, x, area.y, mark, ctx.theme.key);
    if !suffix.is_empty() {
        let x = put(buf, area, x, area.y, " ", ctx.theme.dim);
        put(buf, area, x, area.y, suffix, ctx.theme.dim);
    }
}

/// Writes `s` at (`x`, `y`) clipped to `clip` (and never past its right edge
/// in the middle of a wide character); returns the column after it.
pub(crate) fn put(buf: &mut Buffer, clip: Rect, x: u16, y: u16, s: &str, style: Style) -> u16 {
    let clip = clip.intersection(buf.area);
    if y < clip.y || y >= clip.bottom() || x < clip.x || x >= clip.right() {
        return x;
    }
    let max = usize::from(clip.right() - x);
    buf.set_stringn(x, y, s, max, style).0
}

/// Sets one cell's symbol and style if it lies inside `clip`.
pub(crate) fn set_cell(buf: &mut Buffer, clip: Rect, x: u16, y: u16, symbol: &str, style: Style) {
    let clip = clip.intersection(buf.area);
    if x >= clip.x
        && x < clip.right()
        && y >= clip.y
        && y < clip.bottom()
        && let Some(cell) = buf.cell_mut((x, y))
    {
        cell.set_symbol(symbol).set_style(style);
    }
}

/// A value in at most 6 columns with its sign always shown: `+0.523`,
/// `-12.35`, `+1e30`, and `NaN`, `+inf`, `-inf` for what is not a number.
pub fn format_value(v: f32) -> String {
    format_value_f64(f64::from(v))
}

/// [`format_value`] for an `f64`.
pub fn format_value_f64(v: f64) -> String {
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
    let s = if a < 9.9995 {
        format!("{v:+.3}")
    } else if a < 99.995 {
        format!("{v:+.2}")
    } else if a < 999.95 {
        format!("{v:+.1}")
    } else if a < 99_999.5 {
        format!("{v:+.0}")
    } else {
        format!("{v:+.0e}")
    };
    debug_assert!(s.width() <= 6, "{s}");
    s
}

/// The style for a printed value: the diverging colour of its sign and
/// size, magenta and bold when it is not a number.
pub(crate) fn value_style(v: f32, range: (f32, f32), theme: &Theme) -> Style {
    if !v.is_finite() {
        return non_finite_style(theme);
    }
    match theme.diverging(v, range) {
        Some(c) => theme.text.fg(c),
        None => theme.text,
    }
}

/// How NaN and infinities stand out.
pub(crate) fn non_finite_style(theme: &Theme) -> Style {
    if theme.colour {
        Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD)
    } else {
        Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED)
    }
}

/// The range a set of values spans, for views that carry none: symmetric
/// around zero when the values have both signs, never empty.
pub(crate) fn span_of(values: impl IntoIterator<Item = f32>) -> (f32, f32) {
    let (mut lo, mut hi) = (f32::INFINITY, f32::NEG_INFINITY);
    for v in values.into_iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return (-1.0, 1.0);
    }
    if lo < 0.0 && hi > 0.0 || lo == hi {
        let m = lo.abs().max(hi.abs()).max(f32::MIN_POSITIVE);
        return (-m, m);
    }
    (lo.min(0.0), hi.max(0.0))
}

#[cfg(test)]
mod tests;
