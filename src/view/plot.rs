//! Labelled curves on shared axes (loss per epoch, a capacity curve).
//!
//! Two forms, richest first:
//! - the chart: a legend line (the y label, then each curve's glyph and
//!   label), the curves in fine dots on axes labelled with their real ends
//!   and round values between, reference marks as dotted lines with their
//!   labels, and `now` as a bar of `|` with its x value under the axis;
//! - the summary: each curve's glyph, label and last value, for areas too
//!   small for axes.
//!
//! Without colour the curves differ by the glyph (`*`, `+`, `o`, ...) set
//! on their points, or on every few columns of a long curve, and named in
//! the legend.

use super::axes::{self, Frame};
use super::paint::{format_value_f64, non_finite_style, put, set_cell};
use super::{DrawContext, Kind, number_or_integer};
use crate::text::{Bilingual, Lang};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::widgets::canvas::{Line as CanvasLine, Points};
use serde_json::{Value, json};
use unicode_width::UnicodeWidthStr;

/// The glyph on each curve's points, by curve; they repeat past eight.
pub(super) const GLYPHS: [&str; 8] = ["*", "+", "o", "x", "#", "%", "@", "&"];

/// Labelled curves on shared axes. A range left `None` is taken from the
/// data; `marks` are reference lines (the capacity alpha = 0.138), `now` a
/// vertical marker at this x (the current epoch).
#[derive(Debug, Clone, PartialEq)]
pub struct Plot {
    pub curves: Vec<Curve>,
    pub x_label: Bilingual,
    pub y_label: Bilingual,
    pub x_range: Option<(f64, f64)>,
    pub y_range: Option<(f64, f64)>,
    pub marks: Vec<Mark>,
    pub now: Option<f64>,
}

/// One labelled curve: points in the order they are joined (by x, for a
/// quantity over time). Points that are not finite break the line.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    pub label: Bilingual,
    pub points: Vec<(f64, f64)>,
}

/// Which axis a [`Mark`] sits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    /// A value of x: the mark is a vertical line.
    X,
    /// A value of y: the mark is a horizontal line.
    Y,
}

/// A labelled reference line across the plot (the capacity alpha = 0.138 on
/// the x axis, chance level on the y axis).
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub axis: Axis,
    pub value: f64,
    pub label: Bilingual,
}

impl Kind for Plot {
    /// `{"x_label", "y_label", "curves": [{"label", "points": [[x, y], ...]}]}`,
    /// labels in English like the rest of the trace. The ranges, marks and
    /// the `now` marker are how the plot is drawn, not state, and are left out.
    fn to_json(&self) -> Option<Value> {
        let curves: Vec<Value> = self
            .curves
            .iter()
            .map(|curve| {
                let points: Vec<Value> = curve
                    .points
                    .iter()
                    .map(|&(x, y)| json!([number_or_integer(x), number_or_integer(y)]))
                    .collect();
                json!({ "label": curve.label.en, "points": points })
            })
            .collect();
        Some(json!({ "x_label": self.x_label.en, "y_label": self.y_label.en, "curves": curves }))
    }

    fn heights(&self, _width: u16, _colour: bool) -> Vec<u16> {
        heights(self.curves.len())
    }

    fn title_suffix(&self, ctx: &DrawContext) -> String {
        title_suffix(self, ctx.lang)
    }

    fn draw(&self, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
        draw(self, area, buf, ctx);
    }

    fn has_non_finite(&self) -> bool {
        self.curves
            .iter()
            .flat_map(|c| &c.points)
            .any(|(x, y)| !x.is_finite() || !y.is_finite())
    }

    /// A plot sits beside the data it is read against (a loss curve by
    /// the points being learnt) when there is room for its axes.
    fn wide(&self, _column: u16) -> bool {
        false
    }

    fn min_column(&self) -> u16 {
        MIN_COLUMN
    }

    /// A learning model is read from its curves.
    fn keep_rank(&self) -> u8 {
        3
    }

    /// The short plot, curves and axes: a legend alone says nothing.
    fn readable_height(&self) -> u16 {
        2 + LOW + 2
    }
}

/// Rows the chart's plotting area gets in its richest, middle and least
/// forms (four rows of dots still show whether a curve falls).
const TALL: u16 = 14;
const SHORT: u16 = 7;
const LOW: u16 = 4;
/// The narrowest column a chart is packed into: its y labels, a plot area
/// worth reading and the x labels under it.
const MIN_COLUMN: u16 = 36;

fn heights(curves: usize) -> Vec<u16> {
    // Title and legend, the plot, the x axis and its labels.
    vec![
        2 + TALL + 2,
        2 + SHORT + 2,
        2 + LOW + 2,
        1 + curves.clamp(1, 8) as u16,
        2,
    ]
}

fn title_suffix(plot: &Plot, lang: Lang) -> String {
    let points: usize = plot.curves.iter().map(|c| c.points.len()).sum();
    if points == 0 {
        return Bilingual::new("(no points yet)", "（尚无数据点）")
            .get(lang)
            .into_owned();
    }
    let bad = plot
        .curves
        .iter()
        .flat_map(|c| c.points.iter())
        .find(|(x, y)| !x.is_finite() || !y.is_finite());
    match bad {
        Some(&(x, y)) => format!("{} at x = {}", format_value_f64(y), format_value_f64(x)),
        None => String::new(),
    }
}

impl Plot {
    /// The ranges the chart shows: the view's where given, else the data's;
    /// marks and `now` count as data so that they show.
    fn ranges(&self) -> ((f64, f64), (f64, f64)) {
        let finite = |p: &&(f64, f64)| p.0.is_finite() && p.1.is_finite();
        let points = || {
            self.curves
                .iter()
                .flat_map(|c| c.points.iter())
                .filter(finite)
        };
        let mark_values = |axis: Axis| {
            self.marks
                .iter()
                .filter(move |m| m.axis == axis)
                .map(|m| m.value)
        };
        let x = axes::span(
            self.x_range,
            points()
                .map(|p| p.0)
                .chain(mark_values(Axis::X))
                .chain(self.now),
        );
        let y = axes::span(
            self.y_range,
            points().map(|p| p.1).chain(mark_values(Axis::Y)),
        );
        (x, y)
    }
}

fn draw(plot: &Plot, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
    let (x, y) = plot.ranges();
    let chart = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(1),
        ..area
    };
    let Some(frame) = Frame::new(chart, x, y) else {
        draw_summary(plot, area, buf, ctx);
        return;
    };
    draw_legend(plot, area, buf, ctx);
    frame.draw_axes(&plot.x_label.get(ctx.lang), chart, buf, ctx.theme);
    for mark in &plot.marks {
        draw_mark(&frame, mark, buf, ctx);
    }
    if let Some(now) = plot.now
        && let Some(col) = frame.column(now)
    {
        let style = ctx.theme.highlight.remove_modifier(Modifier::UNDERLINED);
        for r in 0..frame.plot.height {
            set_cell(buf, frame.plot, col, frame.plot.y + r, "|", style);
        }
        // Its value under the axis, over any tick label there.
        let text = axes::tick_text(now, axes::end_decimals(x.0, x.1));
        let w = text.width() as u16;
        let start = col
            .saturating_sub(w / 2)
            .min(chart.right().saturating_sub(w))
            .max(chart.x);
        let label_y = frame.plot.bottom() + 1;
        set_cell(buf, chart, col, frame.plot.bottom(), "┴", style);
        put(
            buf,
            chart,
            start,
            label_y,
            &text,
            style.add_modifier(Modifier::REVERSED),
        );
    }
    frame.draw_dots(ctx.theme.dots, buf, |canvas| {
        for (i, curve) in plot.curves.iter().enumerate() {
            let colour = axes::series_style(i, ctx.theme)
                .fg
                .unwrap_or(ratatui::style::Color::Reset);
            let mut lone = Vec::new();
            let points = &curve.points;
            for (k, &(x1, y1)) in points.iter().enumerate() {
                if !(x1.is_finite() && y1.is_finite()) {
                    continue;
                }
                let next = points
                    .get(k + 1)
                    .filter(|(x, y)| x.is_finite() && y.is_finite());
                let joined_before = k > 0
                    && points
                        .get(k - 1)
                        .is_some_and(|(x, y)| x.is_finite() && y.is_finite());
                match next {
                    Some(&(x2, y2)) => {
                        if let Some((a, b, c, d)) = axes::clip((x1, y1), (x2, y2), frame.x, frame.y)
                        {
                            canvas.draw(&CanvasLine::new(a, b, c, d, colour));
                        }
                    }
                    None if !joined_before => lone.push((x1, y1)),
                    None => {}
                }
            }
            canvas.draw(&Points {
                coords: &lone,
                color: colour,
            });
            canvas.layer();
        }
    });
    draw_glyphs(plot, &frame, buf, ctx);
    for mark in &plot.marks {
        draw_mark_label(&frame, mark, buf, ctx);
    }
}

/// The y label, then each curve's glyph and label, on the area's first row.
fn draw_legend(plot: &Plot, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
    let y = area.y;
    let mut x = area.x;
    let y_label = plot.y_label.get(ctx.lang);
    if !y_label.is_empty() {
        x = put(buf, area, x, y, &y_label, ctx.theme.dim);
        x = put(buf, area, x, y, "  ", ctx.theme.dim);
    }
    for (i, curve) in plot.curves.iter().enumerate() {
        let style = axes::series_style(i, ctx.theme).add_modifier(Modifier::BOLD);
        x = put(buf, area, x, y, GLYPHS[i % GLYPHS.len()], style);
        x = put(buf, area, x, y, " ", ctx.theme.text);
        x = put(buf, area, x, y, &curve.label.get(ctx.lang), ctx.theme.text);
        x = put(buf, area, x, y, "  ", ctx.theme.text);
    }
}

/// Each curve's glyph on its points where they are few, or every few
/// columns, the curves' glyphs staggered so that they do not cover one
/// another; the last point always carries it.
fn draw_glyphs(plot: &Plot, frame: &Frame, buf: &mut Buffer, ctx: &DrawContext) {
    let curves = plot.curves.len().max(1);
    let spacing = (frame.plot.width / 8).max(4);
    for (i, curve) in plot.curves.iter().enumerate() {
        let glyph = GLYPHS[i % GLYPHS.len()];
        let style = axes::series_style(i, ctx.theme).add_modifier(Modifier::BOLD);
        let cells: Vec<(u16, u16)> = curve
            .points
            .iter()
            .filter_map(|&(x, y)| Some((frame.column(x)?, frame.row(y)?)))
            .collect();
        let every = cells.len() <= usize::from(frame.plot.width / 3);
        let offset = (usize::from(spacing) * i / curves) as u16;
        let mut next = frame.plot.x + offset;
        for (k, &(col, row)) in cells.iter().enumerate() {
            let last = k + 1 == cells.len();
            if every || last || col >= next {
                set_cell(buf, frame.plot, col, row, glyph, style);
                next = col + spacing;
            }
        }
    }
    // NaN and infinities are not drawn; the title names the first one.
    let bad = plot.curves.iter().any(|c| {
        c.points
            .iter()
            .any(|(x, y)| !x.is_finite() || !y.is_finite())
    });
    if bad {
        set_cell(
            buf,
            frame.plot,
            frame.plot.right() - 1,
            frame.plot.y,
            "!",
            non_finite_style(ctx.theme),
        );
    }
}

/// A reference mark as a dotted line across the plot.
fn draw_mark(frame: &Frame, mark: &Mark, buf: &mut Buffer, ctx: &DrawContext) {
    let plot = frame.plot;
    match mark.axis {
        Axis::X => {
            if let Some(col) = frame.column(mark.value) {
                for r in (0..plot.height).step_by(2) {
                    set_cell(buf, plot, col, plot.y + r, ":", ctx.theme.dim);
                }
            }
        }
        Axis::Y => {
            if let Some(row) = frame.row(mark.value) {
                for c in (0..plot.width).step_by(2) {
                    set_cell(buf, plot, plot.x + c, row, "-", ctx.theme.dim);
                }
            }
        }
    }
}

/// A mark's label, beside its line at the top (x) or at the right end (y),
/// drawn after the curves so that it stays legible.
fn draw_mark_label(frame: &Frame, mark: &Mark, buf: &mut Buffer, ctx: &DrawContext) {
    let plot = frame.plot;
    let label = mark.label.get(ctx.lang);
    let w = label.width() as u16;
    if w == 0 {
        return;
    }
    match mark.axis {
        Axis::X => {
            if let Some(col) = frame.column(mark.value) {
                // Right of the line if it fits, else left of it.
                let x = if col + 1 + w <= plot.right() {
                    col + 1
                } else {
                    col.saturating_sub(w).max(plot.x)
                };
                put(buf, plot, x, plot.y, &label, ctx.theme.dim);
            }
        }
        Axis::Y => {
            if let Some(row) = frame.row(mark.value) {
                let x = plot.right().saturating_sub(w).max(plot.x);
                // Above the line when there is a row, so the line still shows.
                let y = if row > plot.y { row - 1 } else { row };
                put(buf, plot, x, y, &label, ctx.theme.dim);
            }
        }
    }
}

/// Each curve's glyph, label and last value, one per row while rows last,
/// for areas too small for a chart.
fn draw_summary(plot: &Plot, body: Rect, buf: &mut Buffer, ctx: &DrawContext) {
    if body.is_empty() {
        return;
    }
    let one_line = usize::from(body.height) < plot.curves.len();
    let (mut x, mut y) = (body.x, body.y);
    for (i, curve) in plot.curves.iter().enumerate() {
        if y >= body.bottom() {
            break;
        }
        let style = axes::series_style(i, ctx.theme).add_modifier(Modifier::BOLD);
        x = put(buf, body, x, y, GLYPHS[i % GLYPHS.len()], style);
        x = put(buf, body, x, y, " ", ctx.theme.text);
        x = put(buf, body, x, y, &curve.label.get(ctx.lang), ctx.theme.text);
        if let Some(&(_, last)) = curve.points.last() {
            let style = if last.is_finite() {
                ctx.theme.text
            } else {
                non_finite_style(ctx.theme)
            };
            x = put(buf, body, x, y, " ", ctx.theme.text);
            x = put(buf, body, x, y, &format_value_f64(last), style);
        }
        if one_line {
            x = put(buf, body, x, y, "  ", ctx.theme.text);
        } else {
            (x, y) = (body.x, y + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{screen, stays_inside};
    use crate::text::Bilingual;
    use crate::tui::theme::Theme;
    use crate::view::{Axis, Curve, Mark, Plot, View, ViewContent};

    fn plot(curves: Vec<Curve>, marks: Vec<Mark>, now: Option<f64>) -> View {
        View::new(
            "loss",
            Bilingual::new("loss per epoch", "每轮损失"),
            ViewContent::Plot(Plot {
                curves,
                x_label: Bilingual::new("epoch", "轮次"),
                y_label: Bilingual::new("loss", "损失"),
                x_range: None,
                y_range: None,
                marks,
                now,
            }),
        )
    }

    /// Training and test loss falling from 1.0 to about 0.30 over 20 epochs.
    fn learning_curves() -> View {
        let train = (0..=20)
            .map(|e| (f64::from(e), 0.3 + 0.7 * (-f64::from(e) / 5.0).exp()))
            .collect();
        let test = (0..=20)
            .map(|e| (f64::from(e), 0.38 + 0.62 * (-f64::from(e) / 6.0).exp()))
            .collect();
        plot(
            vec![
                Curve {
                    label: Bilingual::new("train", "训练"),
                    points: train,
                },
                Curve {
                    label: Bilingual::new("test", "测试"),
                    points: test,
                },
            ],
            vec![Mark {
                axis: Axis::Y,
                value: 0.5,
                label: Bilingual::same("target 0.5"),
            }],
            Some(12.0),
        )
    }

    #[test]
    fn snapshot_learning_curves_80x24() {
        insta::assert_snapshot!(screen(&learning_curves(), 80, 24, &Theme::plain()));
    }

    #[test]
    fn snapshot_learning_curves_tiny() {
        insta::assert_snapshot!(screen(&learning_curves(), 16, 4, &Theme::plain()));
    }

    #[test]
    fn snapshot_capacity_with_a_reference_mark() {
        // Recall error against the load alpha = patterns / neurons, with the
        // capacity 0.138 marked.
        let points = (0..=30)
            .map(|i| {
                let alpha = f64::from(i) / 100.0;
                (alpha, 1.0 / (1.0 + (-(alpha - 0.138) * 60.0).exp()))
            })
            .collect();
        let view = plot(
            vec![Curve {
                label: Bilingual::new("recall error", "回忆误差"),
                points,
            }],
            vec![Mark {
                axis: Axis::X,
                value: 0.138,
                label: Bilingual::same("alpha 0.138"),
            }],
            None,
        );
        insta::assert_snapshot!(screen(&view, 60, 14, &Theme::plain()));
    }

    #[test]
    fn the_y_axis_shows_the_real_range_not_zero() {
        let text = screen(&learning_curves(), 80, 24, &Theme::plain());
        let lines: Vec<&str> = text.lines().collect();
        // Top of the y axis the largest value, bottom the smallest.
        assert!(lines[2].trim_start().starts_with("1.00"), "{text}");
        // The last train loss, 0.3 + 0.7 exp(-4).
        assert!(lines[21].trim_start().starts_with("0.31"), "{text}");
        assert!(
            !lines.iter().any(|l| l.trim_start().starts_with("0.00")),
            "{text}"
        );
    }

    #[test]
    fn curves_differ_by_glyph_without_colour() {
        let text = screen(&learning_curves(), 80, 24, &Theme::plain());
        let legend = text.lines().nth(1).unwrap();
        assert!(
            legend.contains("* train") && legend.contains("+ test"),
            "{legend}"
        );
        let plot_rows: String = text.lines().skip(2).take(14).collect();
        assert!(plot_rows.matches('*').count() >= 4, "{text}");
        assert!(plot_rows.matches('+').count() >= 4, "{text}");
        // The `now` marker and its value under the axis.
        assert!(plot_rows.contains('|'), "{text}");
        assert!(text.lines().any(|l| l.contains("12")), "{text}");
        assert!(text.contains("target 0.5"), "{text}");
    }

    #[test]
    fn odd_values_neither_panic_nor_escape_the_area() {
        let nasty = [
            vec![],
            vec![(f64::NAN, 1.0), (1.0, f64::INFINITY)],
            vec![(2.0, 5.0)],
            vec![(0.0, 1.0), (1.0, 1.0), (2.0, f64::NAN), (3.0, 1.0)],
            vec![(-f64::MAX, f64::MAX), (f64::MAX, -f64::MAX)],
        ];
        for points in nasty {
            let mut view = plot(
                vec![Curve {
                    label: Bilingual::new("c", "c"),
                    points,
                }],
                vec![Mark {
                    axis: Axis::X,
                    value: f64::NAN,
                    label: Bilingual::same("m"),
                }],
                Some(f64::INFINITY),
            );
            stays_inside(&view);
            screen(&view, 80, 24, &Theme::coloured());
            if let ViewContent::Plot(Plot {
                x_range, y_range, ..
            }) = &mut view.content
            {
                *x_range = Some((1.0, 1.0));
                *y_range = Some((f64::NAN, 0.0));
            }
            stays_inside(&view);
            screen(&view, 40, 10, &Theme::plain());
        }
    }

    #[test]
    fn a_single_point_shows_on_a_range_around_it() {
        let view = plot(
            vec![Curve {
                label: Bilingual::new("loss", "损失"),
                points: vec![(0.0, 0.7)],
            }],
            vec![],
            None,
        );
        let text = screen(&view, 40, 12, &Theme::plain());
        assert!(text.contains('*'), "{text}");
        assert!(text.contains("0.77") && text.contains("0.63"), "{text}");
    }

    #[test]
    fn a_plot_is_traced_as_labelled_point_lists() {
        let curves = vec![Curve {
            label: Bilingual::new("loss", "损失"),
            points: vec![(0.0, 1.5), (1.0, f64::NAN)],
        }];
        let plot = super::Plot {
            curves,
            x_label: Bilingual::new("epoch", "轮次"),
            y_label: Bilingual::new("loss", "损失"),
            x_range: None,
            y_range: None,
            marks: Vec::new(),
            now: None,
        };
        assert_eq!(
            super::Kind::to_json(&plot).unwrap(),
            serde_json::json!({
                "x_label": "epoch",
                "y_label": "loss",
                "curves": [{"label": "loss", "points": [[0, 1.5], [1, "NaN"]]}]
            })
        );
    }
}
