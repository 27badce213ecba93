//! One number, on one line after the view's label.

use super::paint::{non_finite_style, put};
use super::{DrawContext, Kind, View, number_or_integer};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use serde_json::Value;

/// One number (an energy, an accuracy, a count).
#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    pub value: f64,
}

impl Kind for Scalar {
    /// A whole number (a count, an index: flips, target, epoch) is written
    /// as a JSON integer, `"target": 0` and not `0.0`.
    fn to_json(&self) -> Option<Value> {
        Some(number_or_integer(self.value))
    }

    fn heights(&self, _width: u16, _colour: bool) -> Vec<u16> {
        vec![1]
    }

    /// A scalar has no body: the value sits on the title row.
    fn draw(&self, _area: Rect, _buf: &mut Buffer, _ctx: &DrawContext) {}

    fn render(&self, view: &View, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
        let label = view.label.get(ctx.lang);
        let x = put(buf, area, area.x, area.y, &label, ctx.theme.heading);
        let x = put(buf, area, x, area.y, "  ", ctx.theme.text);
        let style = if self.value.is_finite() {
            ctx.theme.text
        } else {
            non_finite_style(ctx.theme)
        };
        put(buf, area, x, area.y, &format_scalar(self.value), style);
    }

    fn has_non_finite(&self) -> bool {
        !self.value.is_finite()
    }

    fn wide(&self, _column: u16) -> bool {
        false
    }

    fn keep_rank(&self) -> u8 {
        2
    }
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
