//! How a set of values is distributed (a layer's weights, its activations).
//!
//! One column per bin across the range, bars growing up by eighths of a
//! cell, on axes with the counts up the side and the range's ends (and
//! round values) along the bottom. Too small for axes, one line says how
//! many values there are and their mean and extremes. Values outside the
//! range or not finite are counted in the title, not drawn.

use super::axes::{self, Frame};
use super::paint::{format_value, non_finite_style, put, set_cell};
use super::{DrawContext, Kind, number_f32};
use crate::text::Bilingual;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use serde_json::{Value, json};

/// Values counted in bins across `range`, or across the values' own span
/// when `range` is `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    pub values: Vec<f32>,
    pub range: Option<(f32, f32)>,
}

/// Cells that grow upwards, by eighths.
const UP: [&str; 9] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

impl Kind for Histogram {
    fn to_json(&self) -> Option<Value> {
        Some(histogram_json(&self.values, self.range))
    }

    fn heights(&self, _width: u16, _colour: bool) -> Vec<u16> {
        // Title, the bars, the x axis and its labels; or title and summary.
        vec![1 + 10 + 2, 1 + 5 + 2, 2]
    }

    fn title_suffix(&self, ctx: &DrawContext) -> String {
        let values = &self.values;
        let (lo, hi) = histogram_range(values, self.range);
        let bad = values.iter().filter(|v| !v.is_finite()).count();
        let outside = values
            .iter()
            .filter(|v| v.is_finite() && (**v < lo || **v > hi))
            .count();
        let mut s = format!("n = {}", values.len());
        if outside > 0 {
            s.push_str(
                &Bilingual::owned(
                    format!(", {outside} outside"),
                    format!("，{outside} 个在范围外"),
                )
                .get(ctx.lang),
            );
        }
        if bad > 0 {
            s.push_str(&format!(", {bad}×NaN/inf"));
        }
        s
    }

    fn draw(&self, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
        let values = &self.values;
        let (lo, hi) = histogram_range(values, self.range);
        // The bins are the columns right of the y axis: find the margin first
        // with a provisional count range, then count.
        let probe = Frame::new(
            area,
            (f64::from(lo), f64::from(hi)),
            (0.0, values.len().max(1) as f64),
        );
        let Some(probe) = probe else {
            draw_summary(values, area, buf, ctx);
            return;
        };
        let bins = usize::from(probe.plot.width);
        let counts = histogram_counts(values, (lo, hi), bins);
        let top = counts.iter().copied().max().unwrap_or(0).max(1);
        let Some(frame) = Frame::new(area, (f64::from(lo), f64::from(hi)), (0.0, top as f64))
        else {
            draw_summary(values, area, buf, ctx);
            return;
        };
        frame.draw_axes("", area, buf, ctx.theme);
        let plot = frame.plot;
        let style = axes::series_style(0, ctx.theme);
        let eighths_total = usize::from(plot.height) * 8;
        for (i, &count) in counts.iter().enumerate().take(usize::from(plot.width)) {
            // A bin with any value shows at least an eighth.
            let mut eighths = (count * eighths_total).div_ceil(top);
            if count > 0 {
                eighths = eighths.max(1);
            }
            let x = plot.x + i as u16;
            for r in 0..plot.height {
                let from_bottom = usize::from(r) * 8;
                let fill = eighths.saturating_sub(from_bottom).min(8);
                if fill > 0 {
                    set_cell(buf, plot, x, plot.bottom() - 1 - r, UP[fill], style);
                }
            }
        }
    }

    fn has_non_finite(&self) -> bool {
        self.values.iter().any(|v| !v.is_finite())
    }

    fn wide(&self, _column: u16) -> bool {
        false
    }

    fn keep_rank(&self) -> u8 {
        1
    }
}

/// Bins of a histogram in the trace (the drawing picks its own by width).
pub const HISTOGRAM_BINS: usize = 20;

/// `{"range": [lo, hi], "counts": [...]}`: the values counted in
/// [`HISTOGRAM_BINS`] equal bins across the range (the values' span when the
/// view has none), the last bin closed; values outside or not finite are
/// left out, so the counts say what the drawing shows.
fn histogram_json(values: &[f32], range: Option<(f32, f32)>) -> Value {
    let (lo, hi) = histogram_range(values, range);
    json!({
        "range": [number_f32(lo), number_f32(hi)],
        "counts": histogram_counts(values, (lo, hi), HISTOGRAM_BINS),
    })
}

/// The range a histogram spans: the view's if finite and not empty, else
/// the finite values' span, widened by one around a single value.
pub fn histogram_range(values: &[f32], range: Option<(f32, f32)>) -> (f32, f32) {
    if let Some((lo, hi)) = range
        && lo.is_finite()
        && hi.is_finite()
        && lo < hi
    {
        return (lo, hi);
    }
    let finite = values.iter().copied().filter(|v| v.is_finite());
    let lo = finite.clone().fold(f32::INFINITY, f32::min);
    let hi = finite.fold(f32::NEG_INFINITY, f32::max);
    if lo > hi {
        (0.0, 1.0)
    } else if lo == hi || !(hi - lo).is_finite() {
        (lo.max(-f32::MAX / 2.0) - 1.0, hi.min(f32::MAX / 2.0) + 1.0)
    } else {
        (lo, hi)
    }
}

/// How many of `values` fall in each of `bins` equal bins across `range`.
pub fn histogram_counts(values: &[f32], (lo, hi): (f32, f32), bins: usize) -> Vec<usize> {
    let mut counts = vec![0; bins];
    if bins == 0 {
        return counts;
    }
    let width = f64::from(hi) - f64::from(lo);
    for &v in values {
        if !v.is_finite() || v < lo || v > hi || width <= 0.0 {
            continue;
        }
        let t = (f64::from(v) - f64::from(lo)) / width;
        counts[((t * bins as f64) as usize).min(bins - 1)] += 1;
    }
    counts
}

/// How many values, their mean and extremes, on the area's first row.
fn draw_summary(values: &[f32], area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
    let finite: Vec<f32> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if finite.is_empty() {
        if !values.is_empty() {
            put(
                buf,
                area,
                area.x,
                area.y,
                "NaN",
                non_finite_style(ctx.theme),
            );
        }
        return;
    }
    let mean = finite.iter().map(|&v| f64::from(v)).sum::<f64>() / finite.len() as f64;
    let min = finite.iter().copied().fold(f32::INFINITY, f32::min);
    let max = finite.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let line = format!(
        "mean {} min {} max {}",
        format_value(mean as f32),
        format_value(min),
        format_value(max)
    );
    put(buf, area, area.x, area.y, &line, ctx.theme.text);
}

#[cfg(test)]
mod tests {
    use super::super::tests::{screen, stays_inside};
    use super::{HISTOGRAM_BINS, histogram_counts, histogram_json, histogram_range};
    use crate::text::Bilingual;
    use crate::tui::theme::Theme;
    use crate::view::{Histogram, View, ViewContent};

    fn histogram(values: Vec<f32>, range: Option<(f32, f32)>) -> View {
        View::new(
            "w",
            Bilingual::new("weights", "权重"),
            ViewContent::Histogram(Histogram { values, range }),
        )
    }

    /// 400 values roughly bell-shaped around 0.1.
    fn bell() -> Vec<f32> {
        (0..400)
            .map(|i| {
                let u = (i as f32 + 0.5) / 400.0;
                // The inverse of a logistic: a bell with heavier tails.
                0.1 + 0.2 * (u / (1.0 - u)).ln()
            })
            .collect()
    }

    #[test]
    fn snapshot_histogram_80x24() {
        insta::assert_snapshot!(screen(
            &histogram(bell(), Some((-1.0, 1.0))),
            80,
            14,
            &Theme::plain()
        ));
    }

    #[test]
    fn snapshot_histogram_tiny() {
        insta::assert_snapshot!(screen(&histogram(bell(), None), 30, 2, &Theme::plain()));
    }

    #[test]
    fn the_tallest_bin_reaches_the_top_and_the_count_is_on_the_axis() {
        let text = screen(
            &histogram(vec![0.0, 0.0, 0.0, 1.0], None),
            30,
            8,
            &Theme::plain(),
        );
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].contains("n = 4"), "{text}");
        // Three zeros fill the first bin to the top; the one 1.0 a third of it.
        assert!(lines[1].starts_with("3.0┤█"), "{text}");
        assert!(lines[4].ends_with('▆'), "{text}");
        assert_eq!(lines[3], "   │█", "{text}");
        // The range's ends under the axis.
        let ends: Vec<&str> = lines[7].split_whitespace().collect();
        assert_eq!((ends[0], ends[ends.len() - 1]), ("0.0", "1.0"), "{text}");
    }

    #[test]
    fn odd_histograms_stay_inside() {
        stays_inside(&histogram(bell(), None));
        stays_inside(&histogram(vec![], Some((1.0, 1.0))));
        stays_inside(&histogram(
            vec![f32::NAN, f32::INFINITY, 5.0],
            Some((f32::NAN, 0.0)),
        ));
        stays_inside(&histogram(vec![-f32::MAX, f32::MAX], None));
        screen(&histogram(vec![f32::NAN], None), 80, 24, &Theme::coloured());
    }

    #[test]
    fn a_histogram_is_traced_as_counts_in_equal_bins() {
        let values = [0.0, 0.1, 0.5, 1.0, 2.0, f32::NAN];
        assert_eq!(histogram_counts(&values, (0.0, 1.0), 2), vec![2, 2]);
        assert_eq!(histogram_range(&values, None), (0.0, 2.0));
        assert_eq!(histogram_range(&[3.0], Some((1.0, 1.0))), (2.0, 4.0));
        assert_eq!(histogram_range(&[], None), (0.0, 1.0));
        let json = histogram_json(&values, Some((0.0, 1.0)));
        assert_eq!(json["range"], serde_json::json!([0.0, 1.0]));
        assert_eq!(json["counts"].as_array().unwrap().len(), HISTOGRAM_BINS);
        // 0.0, 0.1 and 0.5 in their bins, 1.0 in the last (closed) one; 2.0
        // is outside and NaN is no number.
        for (bin, count) in [(0, 1), (2, 1), (10, 1), (19, 1), (1, 0)] {
            assert_eq!(json["counts"][bin], serde_json::json!(count), "bin {bin}");
        }
    }
}
