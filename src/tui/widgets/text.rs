//! Words and numbers: a scalar on one line, prose wrapped by display width
//! (Chinese and English mixed), and the model's equations with the current
//! stage's line marked.

use super::{DrawContext, non_finite_style, put};
use crate::model::View;
use crate::text::Bilingual;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::borrow::Cow;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Columns before an equation: the marker of the current line.
const MARK_W: u16 = 2;

/// `text` broken into lines of at most `width` columns (Chinese may break
/// between any two characters, English at spaces, over-long words anywhere).
pub(crate) fn wrap(text: &str, width: u16) -> Vec<String> {
    let width = usize::from(width.max(1));
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        if paragraph.is_empty() {
            lines.push(String::new());
            continue;
        }
        let options = textwrap::Options::new(width).break_words(true);
        lines.extend(textwrap::wrap(paragraph, options).into_iter().map(|line| {
            // textwrap measures with the same widths; a single character
            // wider than the area is the only thing that can still overflow.
            truncate(&line, width).into_owned()
        }));
    }
    lines
}

/// `s` cut to `width` columns, ending in `…` when cut.
pub(crate) fn truncate(s: &str, width: usize) -> Cow<'_, str> {
    if s.width() <= width {
        return Cow::Borrowed(s);
    }
    if width == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    Cow::Owned(out)
}

pub(super) fn text_heights(text: &Bilingual, width: u16) -> Vec<u16> {
    // The longer of the two languages decides, so the layout does not jump
    // when the language changes.
    let lines = wrap(&text.en, width).len().max(wrap(&text.zh, width).len());
    vec![clamp(1 + lines), 2]
}

pub(super) fn equation_heights(lines: &[String], width: u16) -> Vec<u16> {
    let inner = width.saturating_sub(MARK_W);
    let wrapped: usize = lines.iter().map(|l| wrap(l, inner).len()).sum();
    vec![clamp(1 + wrapped), clamp(1 + lines.len()), 2]
}

fn clamp(n: usize) -> u16 {
    n.min(usize::from(u16::MAX)) as u16
}

/// A scalar as a person writes it: integers without decimals, others with
/// four significant places.
pub(crate) fn format_scalar(v: f64) -> String {
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
    if v.fract() == 0.0 && v.abs() < 1e12 {
        return format!("{v:.0}");
    }
    let a = v.abs();
    if (1e-3..1e6).contains(&a) {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        format!("{v:.3e}")
    }
}

pub(super) fn draw_scalar(
    view: &View,
    value: f64,
    area: Rect,
    buf: &mut Buffer,
    ctx: &DrawContext,
) {
    let label = view.label.get(ctx.lang);
    let x = put(buf, area, area.x, area.y, &label, ctx.theme.heading);
    let x = put(buf, area, x, area.y, "  ", ctx.theme.text);
    let style = if value.is_finite() {
        ctx.theme.text
    } else {
        non_finite_style(ctx.theme)
    };
    put(buf, area, x, area.y, &format_scalar(value), style);
}

pub(super) fn draw_text(text: &Bilingual, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
    let lines = wrap(&text.get(ctx.lang), area.width);
    let h = usize::from(area.height);
    for (i, line) in lines.iter().enumerate().take(h) {
        let line = if i + 1 == h && lines.len() > h {
            // More than fits: say so at the end of the last line shown.
            let mut cut = truncate(line, usize::from(area.width).saturating_sub(1)).into_owned();
            if !cut.ends_with('…') {
                cut.push('…');
            }
            cut
        } else {
            line.clone()
        };
        put(buf, area, area.x, area.y + i as u16, &line, ctx.theme.text);
    }
}

pub(super) fn draw_equations(
    lines: &[String],
    current: Option<usize>,
    area: Rect,
    buf: &mut Buffer,
    ctx: &DrawContext,
) {
    let inner = area.width.saturating_sub(MARK_W);
    let wrapped: Vec<Vec<String>> = lines.iter().map(|l| wrap(l, inner)).collect();
    let total: usize = wrapped.iter().map(Vec::len).sum();
    let h = usize::from(area.height);
    // Every line whole if it fits, else one row each, scrolled so the
    // current line shows.
    let rows: Vec<(usize, String)> = if total <= h {
        wrapped
            .into_iter()
            .enumerate()
            .flat_map(|(i, ls)| ls.into_iter().map(move |l| (i, l)))
            .collect()
    } else {
        let first = match current {
            Some(c) if c >= h => (c + 1 - h).min(lines.len().saturating_sub(h)),
            _ => 0,
        };
        lines
            .iter()
            .enumerate()
            .skip(first)
            .map(|(i, l)| (i, truncate(l, usize::from(inner)).into_owned()))
            .collect()
    };
    let mut previous = None;
    for (row, (i, text)) in rows.into_iter().enumerate().take(h) {
        let y = area.y + row as u16;
        let is_current = current == Some(i);
        let first_row_of_line = previous != Some(i);
        previous = Some(i);
        let mark = if is_current && first_row_of_line {
            "> "
        } else {
            "  "
        };
        let style = if is_current {
            ctx.theme.highlight
        } else {
            ctx.theme.text
        };
        let x = put(buf, area, area.x, y, mark, ctx.theme.key);
        put(buf, area, x, y, &text, style);
    }
}
