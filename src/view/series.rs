//! A quantity over time (energy per sweep) as a sparkline of the latest
//! values that fit, with the last value and the extremes in the title.
//! Values that are not numbers leave a `!` in the line.

use super::paint::{format_value_f64, non_finite_style};
use super::{DrawContext, Kind, number};
use crate::text::Bilingual;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Sparkline, Widget};
use serde_json::Value;

/// A quantity over time, oldest first (energy per sweep).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub values: Vec<f64>,
}

/// Resolution of the bars' heights.
const LEVELS: f64 = 1000.0;

impl Kind for Series {
    fn to_json(&self) -> Option<Value> {
        Some(Value::Array(
            self.values.iter().map(|&v| number(v)).collect(),
        ))
    }

    fn heights(&self, _width: u16, _colour: bool) -> Vec<u16> {
        vec![7, 4, 2]
    }

    fn title_suffix(&self, ctx: &DrawContext) -> String {
        let Some(last) = self.values.last() else {
            return Bilingual::new("(no values yet)", "（尚无数值）")
                .get(ctx.lang)
                .into_owned();
        };
        let mut s = format!("{} ", format_value_f64(*last));
        let (lo, hi) = extremes(&self.values);
        if lo <= hi {
            s.push_str(&format!(
                "min {} max {}",
                format_value_f64(lo),
                format_value_f64(hi)
            ));
        }
        if let Some(t) = self.values.iter().position(|v| !v.is_finite()) {
            s.push_str(&format!(" {} at {t}", format_value_f64(self.values[t])));
        }
        s
    }

    fn draw(&self, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
        let values = &self.values;
        let shown = &values[values.len().saturating_sub(usize::from(area.width))..];
        let (lo, hi) = extremes(shown);
        let bars: Vec<Option<u64>> = shown
            .iter()
            .map(|&v| {
                if !v.is_finite() {
                    None
                } else if hi > lo {
                    Some(1 + ((v - lo) / (hi - lo) * LEVELS).round() as u64)
                } else {
                    Some(1 + (LEVELS / 2.0) as u64)
                }
            })
            .collect();
        Sparkline::default()
            .data(bars)
            .max(1 + LEVELS as u64)
            .style(
                ctx.theme
                    .title
                    .remove_modifier(ratatui::style::Modifier::BOLD),
            )
            .absent_value_symbol("!")
            .absent_value_style(non_finite_style(ctx.theme))
            .render(area, buf);
    }

    fn has_non_finite(&self) -> bool {
        self.values.iter().any(|v| !v.is_finite())
    }

    fn wide(&self, _column: u16) -> bool {
        true
    }

    fn keep_rank(&self) -> u8 {
        0
    }
}

fn extremes(values: &[f64]) -> (f64, f64) {
    values
        .iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        })
}
