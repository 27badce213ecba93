//! How a set of values is distributed: the widget for
//! [`ViewContent::Histogram`](crate::model::ViewContent::Histogram).
//!
//! One column per bin across the range, bars growing up by eighths of a
//! cell, on axes with the counts up the side and the range's ends (and
//! round values) along the bottom. Too small for axes, one line says how
//! many values there are and their mean and extremes. Values outside the
//! range or not finite are counted in the title, not drawn.

use super::axes::{self, Frame};
use super::{DrawContext, format_value, non_finite_style, put, set_cell};
use crate::model::{histogram_counts, histogram_range};
use crate::text::{Bilingual, Lang};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// Cells that grow upwards, by eighths.
const UP: [&str; 9] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

pub(super) fn heights() -> Vec<u16> {
    // Title, the bars, the x axis and its labels; or title and summary.
    vec![1 + 10 + 2, 1 + 5 + 2, 2]
}

pub(super) fn title_suffix(values: &[f32], range: Option<(f32, f32)>, lang: Lang) -> String {
    let (lo, hi) = histogram_range(values, range);
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
            .get(lang),
        );
    }
    if bad > 0 {
        s.push_str(&format!(", {bad}×NaN/inf"));
    }
    s
}

pub(super) fn draw(
    values: &[f32],
    range: Option<(f32, f32)>,
    area: Rect,
    buf: &mut Buffer,
    ctx: &DrawContext,
) {
    let (lo, hi) = histogram_range(values, range);
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
    let Some(frame) = Frame::new(area, (f64::from(lo), f64::from(hi)), (0.0, top as f64)) else {
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
    use crate::model::{View, ViewContent};
    use crate::text::Bilingual;
    use crate::tui::theme::Theme;

    fn histogram(values: Vec<f32>, range: Option<(f32, f32)>) -> View {
        View::new(
            "w",
            Bilingual::new("weights", "权重"),
            ViewContent::Histogram { values, range },
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
}
