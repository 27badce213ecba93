//! Writing into a buffer's cells, clipped to an area; values in fixed
//! widths with their sign; the styles of values and of NaN and infinities.

use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use unicode_width::UnicodeWidthStr;

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

/// The style for a printed value: its colour on the scale of `range`
/// (sequential from zero up, else diverging: see [`Theme::scaled`]), magenta and bold when it is not a number.
pub(crate) fn value_style(v: f32, range: (f32, f32), theme: &Theme) -> Style {
    if !v.is_finite() {
        return non_finite_style(theme);
    }
    match theme.scaled(v, range) {
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
