//! Points of a 2-D data set by class, perhaps over a background field (a
//! classifier's decision regions), with line segments and arrows (a weight
//! vector, a step of gradient descent).
//!
//! A legend line names each class by its glyph (`o`, `x`, `+`, ...), and
//! the field's range; under it, the plane on axes labelled with its ranges.
//! Each point takes one character cell with its class's glyph; the point
//! being looked at now is drawn reversed and bold, on top. The field shades
//! each cell's background on the diverging map in colour, and without
//! colour lightly with `.`/`:` below its middle and `░`/`▒` above, so that
//! points stay legible on it. Lines are drawn in fine dots, an arrow ends
//! in `>`, `<`, `^` or `v`.

use super::axes::{self, Frame};
use super::paint::{format_value, put, set_cell, span_of};
use super::{DrawContext, Kind, number};
use crate::text::{Bilingual, Lang};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};
use ratatui::widgets::canvas::Line as CanvasLine;
use serde_json::{Value, json};

/// The glyph of each class's points; they repeat past eight.
pub(super) const GLYPHS: [&str; 8] = ["o", "x", "+", "*", "#", "%", "&", "$"];

/// The same glyphs circled, for the points a model singles out.
const RINGED: [&str; 8] = ["ⓞ", "ⓧ", "⊕", "⊛", "⊞", "ⓟ", "ⓐ", "ⓢ"];

/// Points by class (`classes` names them), perhaps over a background
/// `field`, with line segments and arrows, on axes spanning the ranges.
#[derive(Debug, Clone, PartialEq)]
pub struct Plane {
    pub points: Vec<PlanePoint>,
    pub classes: Vec<Bilingual>,
    pub field: Option<Field>,
    pub lines: Vec<Segment>,
    pub x_range: (f64, f64),
    pub y_range: (f64, f64),
}

/// One point of a 2-D data set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlanePoint {
    pub x: f64,
    pub y: f64,
    /// Index into the plane's `classes`.
    pub class: usize,
    /// The point being looked at now (the sample of this training step).
    pub highlight: bool,
    /// A point the model singles out (a support vector), drawn circled:
    /// `ⓞ` for `o`, `ⓧ` for `x`.
    pub ring: bool,
}

/// A background over the whole plane, `cols` x `rows` values in row-major
/// order, row 0 at the top (y max), shaded by value within `range` (a
/// classifier's output: its decision regions).
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub cols: usize,
    pub rows: usize,
    pub values: Vec<f32>,
    pub range: (f32, f32),
}

impl Field {
    /// The value over the plane's point at fractions (`fx`, `fy`) of its
    /// width and height from the top-left corner; `None` for an empty or
    /// short field.
    pub fn at(&self, fx: f64, fy: f64) -> Option<f32> {
        if self.cols == 0 || self.rows == 0 || !fx.is_finite() || !fy.is_finite() {
            return None;
        }
        let col = ((fx.clamp(0.0, 1.0) * self.cols as f64) as usize).min(self.cols - 1);
        let row = ((fy.clamp(0.0, 1.0) * self.rows as f64) as usize).min(self.rows - 1);
        self.values.get(row * self.cols + col).copied()
    }
}

/// A line from `from` to `to`, with an arrow head at `to` if `arrow`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    pub from: (f64, f64),
    pub to: (f64, f64),
    pub arrow: bool,
}

impl Kind for Plane {
    /// `{"points": [[x, y, class], ...], "classes": [...], "lines": [[x0, y0,
    /// x1, y1], ...]}`, and `"rings": [i, ...]`, the circled points, when
    /// there are any. The field is left out: it is the model's function
    /// sampled for drawing, as large as the terminal, not its state.
    fn to_json(&self) -> Option<Value> {
        let points: Vec<Value> = self
            .points
            .iter()
            .map(|p| json!([number(p.x), number(p.y), p.class]))
            .collect();
        let lines: Vec<Value> = self
            .lines
            .iter()
            .map(|s| {
                json!([
                    number(s.from.0),
                    number(s.from.1),
                    number(s.to.0),
                    number(s.to.1)
                ])
            })
            .collect();
        let classes: Vec<&str> = self.classes.iter().map(|name| name.en.as_ref()).collect();
        let mut value = json!({ "points": points, "classes": classes, "lines": lines });
        let rings: Vec<usize> = (self.points.iter().enumerate())
            .filter(|(_, p)| p.ring)
            .map(|(i, _)| i)
            .collect();
        if !rings.is_empty() {
            value["rings"] = json!(rings);
        }
        Some(value)
    }

    fn heights(&self, width: u16, _colour: bool) -> Vec<u16> {
        heights(width)
    }

    fn title_suffix(&self, ctx: &DrawContext) -> String {
        title_suffix(self, ctx.lang)
    }

    fn draw(&self, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
        draw(self, area, buf, ctx);
    }

    fn has_non_finite(&self) -> bool {
        self.points
            .iter()
            .any(|p| !p.x.is_finite() || !p.y.is_finite())
            || self
                .field
                .as_ref()
                .is_some_and(|f| f.values.iter().any(|v| !v.is_finite()))
    }

    fn wide(&self, _column: u16) -> bool {
        false
    }

    /// Room for the axes and a plane worth reading.
    fn min_column(&self) -> u16 {
        36
    }

    /// A learning model is read from its data.
    fn keep_rank(&self) -> u8 {
        3
    }

    /// The small plane, its points and axes.
    fn readable_height(&self) -> u16 {
        4 + 4
    }

    /// Roughly square in the columns given (a cell is about twice as tall
    /// as wide), with its legend and axes.
    fn figure_when_short(&self, cols: u16, rows: u16) -> Option<(usize, usize)> {
        let plot_rows = cols.saturating_sub(7) / 2;
        let rows = (plot_rows + 3).min(rows);
        (rows >= 4 + 4).then_some((usize::from(cols), usize::from(rows)))
    }
}

fn heights(width: u16) -> Vec<u16> {
    // A cell is about twice as tall as wide: rows for a roughly square
    // plane in the width, within bounds; title, legend and two axis rows.
    let square = (width / 2).clamp(6, 20);
    vec![4 + square, 4 + square * 3 / 4, 4 + square.min(10), 4 + 4, 2]
}

fn title_suffix(plane: &Plane, lang: Lang) -> String {
    let n = plane.points.len();
    let outside = plane
        .points
        .iter()
        .filter(|p| {
            !(p.x.is_finite()
                && p.y.is_finite()
                && p.x >= plane.x_range.0.min(plane.x_range.1)
                && p.x <= plane.x_range.1.max(plane.x_range.0)
                && p.y >= plane.y_range.0.min(plane.y_range.1)
                && p.y <= plane.y_range.1.max(plane.y_range.0))
        })
        .count();
    let mut s = Bilingual::owned(format!("{n} points"), format!("{n} 个点"))
        .get(lang)
        .into_owned();
    if outside > 0 {
        let note = Bilingual::owned(
            format!(" ({outside} outside)"),
            format!("（{outside} 个在范围外）"),
        );
        s.push_str(&note.get(lang));
    }
    s
}

impl Plane {
    /// The point of the plane's coordinates under cell (`x`, `y`) of the
    /// plane drawn in `body` (the view's area under its title): where a
    /// point at it would be drawn. `None` off the plotted area (the legend,
    /// the axes) or when the area is too small for axes.
    pub fn point_at(&self, body: Rect, x: u16, y: u16) -> Option<(f64, f64)> {
        if body.height < 2 {
            return None;
        }
        let chart = Rect {
            y: body.y + 1,
            height: body.height - 1,
            ..body
        };
        let (xs, ys) = self.ranges();
        Frame::new(chart, xs, ys)?.value_at(x, y)
    }

    fn ranges(&self) -> ((f64, f64), (f64, f64)) {
        let finite = |p: &&PlanePoint| p.x.is_finite() && p.y.is_finite();
        let x = axes::span(
            Some(self.x_range),
            self.points.iter().filter(finite).map(|p| p.x),
        );
        let y = axes::span(
            Some(self.y_range),
            self.points.iter().filter(finite).map(|p| p.y),
        );
        (x, y)
    }

    fn glyph(&self, class: usize, ring: bool) -> &'static str {
        if ring {
            RINGED[class % RINGED.len()]
        } else {
            GLYPHS[class % GLYPHS.len()]
        }
    }
}

fn draw(plane: &Plane, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
    if area.is_empty() {
        return;
    }
    draw_legend(plane, area, buf, ctx);
    let chart = Rect {
        y: area.y + 1,
        height: area.height - 1,
        ..area
    };
    let (x, y) = plane.ranges();
    let Some(frame) = Frame::new(chart, x, y) else {
        return;
    };
    frame.draw_axes("", chart, buf, ctx.theme);
    if let Some(field) = &plane.field {
        draw_field(field, &frame, buf, ctx);
    }
    frame.draw_dots(ctx.theme.dots, buf, |canvas| {
        let colour = if ctx.theme.colour {
            Color::White
        } else {
            Color::Reset
        };
        for line in &plane.lines {
            if let Some((a, b, c, d)) = axes::clip(line.from, line.to, frame.x, frame.y) {
                canvas.draw(&CanvasLine::new(a, b, c, d, colour));
            }
        }
    });
    for line in plane.lines.iter().filter(|l| l.arrow) {
        draw_arrow_head(line, &frame, buf, ctx);
    }
    // Points by class, the circled then the highlighted ones last so
    // nothing covers them.
    let mut order: Vec<&PlanePoint> = plane.points.iter().collect();
    order.sort_by_key(|p| (p.highlight, p.ring));
    for p in order {
        let (Some(col), Some(row)) = (frame.column(p.x), frame.row(p.y)) else {
            continue;
        };
        let mut style = axes::series_style(p.class, ctx.theme).add_modifier(Modifier::BOLD);
        if p.highlight {
            style = style.add_modifier(Modifier::REVERSED);
        }
        set_cell(
            buf,
            frame.plot,
            col,
            row,
            plane.glyph(p.class, p.ring),
            style,
        );
    }
}

/// Each class's glyph and name, then the field's range, on the first row.
fn draw_legend(plane: &Plane, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
    let y = area.y;
    let mut x = area.x;
    let classes = plane
        .points
        .iter()
        .map(|p| p.class + 1)
        .max()
        .unwrap_or(0)
        .max(plane.classes.len());
    for class in 0..classes {
        let style = axes::series_style(class, ctx.theme).add_modifier(Modifier::BOLD);
        x = put(buf, area, x, y, plane.glyph(class, false), style);
        if plane.points.iter().any(|p| p.ring && p.class == class) {
            x = put(buf, area, x, y, plane.glyph(class, true), style);
        }
        x = put(buf, area, x, y, " ", ctx.theme.text);
        let name = plane
            .classes
            .get(class)
            .map(|name| name.get(ctx.lang).into_owned())
            .unwrap_or_else(|| class.to_string());
        x = put(buf, area, x, y, &name, ctx.theme.text);
        x = put(buf, area, x, y, "  ", ctx.theme.text);
    }
    if let Some(field) = &plane.field {
        let (lo, hi) = field_range(field);
        let note = format!("{}..{}", format_value(lo), format_value(hi));
        let x = put(buf, area, x, y, field_glyph(lo, (lo, hi)), ctx.theme.dim);
        let x = put(buf, area, x, y, field_glyph(hi, (lo, hi)), ctx.theme.dim);
        put(buf, area, x + 1, y, &note, ctx.theme.dim);
    }
}

/// The field's range, or its values' span when that is unusable.
fn field_range(field: &Field) -> (f32, f32) {
    let (lo, hi) = field.range;
    if lo.is_finite() && hi.is_finite() && lo < hi {
        (lo, hi)
    } else {
        span_of(field.values.iter().copied())
    }
}

/// Where `v` sits around the middle of `range`, in -1..=1.
fn position(v: f32, (lo, hi): (f32, f32)) -> f32 {
    let mid = (lo + hi) / 2.0;
    let half = (hi - lo) / 2.0;
    if half.is_nan() || half <= 0.0 || !v.is_finite() {
        return 0.0;
    }
    ((v - mid) / half).clamp(-1.0, 1.0)
}

/// The light glyph that shades a cell of the field without colour.
fn field_glyph(v: f32, range: (f32, f32)) -> &'static str {
    if !v.is_finite() {
        return "!";
    }
    let t = position(v, range);
    match t {
        t if t <= -0.6 => ":",
        t if t < -0.2 => ".",
        t if t < 0.2 => " ",
        t if t < 0.6 => "░",
        _ => "▒",
    }
}

/// A dark background colour for a cell of the field: blues below the
/// middle of the range, reds above, dark enough that points read on it.
fn field_colour(v: f32, range: (f32, f32)) -> Color {
    const BLUES: [u8; 3] = [17, 18, 19];
    const REDS: [u8; 3] = [52, 88, 124];
    if !v.is_finite() {
        return Color::Magenta;
    }
    let t = position(v, range);
    let level = ((t.abs() * 3.0).ceil() as usize).min(3);
    match level {
        0 => Color::Indexed(236),
        n if t < 0.0 => Color::Indexed(BLUES[n - 1]),
        n => Color::Indexed(REDS[n - 1]),
    }
}

fn draw_field(field: &Field, frame: &Frame, buf: &mut Buffer, ctx: &DrawContext) {
    let plot = frame.plot;
    let range = field_range(field);
    for r in 0..plot.height {
        for c in 0..plot.width {
            // The field's value at the centre of the cell.
            let fx = (f64::from(c) + 0.5) / f64::from(plot.width);
            let fy = (f64::from(r) + 0.5) / f64::from(plot.height);
            let Some(v) = field.at(fx, fy) else {
                continue;
            };
            let (x, y) = (plot.x + c, plot.y + r);
            if ctx.theme.colour {
                if let Some(cell) = buf.cell_mut((x, y))
                    && plot.contains(ratatui::layout::Position { x, y })
                {
                    cell.set_bg(field_colour(v, range));
                }
            } else {
                set_cell(buf, plot, x, y, field_glyph(v, range), ctx.theme.dim);
            }
        }
    }
}

/// An arrow's head: the glyph pointing the way the segment runs, in the
/// cell of its end.
fn draw_arrow_head(line: &Segment, frame: &Frame, buf: &mut Buffer, ctx: &DrawContext) {
    let (Some(col), Some(row)) = (frame.column(line.to.0), frame.row(line.to.1)) else {
        return;
    };
    let (x_from, y_from) = (frame.column(line.from.0), frame.row(line.from.1));
    // Direction in cells where the start is in sight, in data units otherwise;
    // a cell is about twice as tall as wide.
    let (dx, dy) = match (x_from, y_from) {
        (Some(c0), Some(r0)) if (c0, r0) != (col, row) => (
            f64::from(col) - f64::from(c0),
            (f64::from(r0) - f64::from(row)) * 2.0,
        ),
        _ => {
            let (w, h) = (frame.x.1 - frame.x.0, frame.y.1 - frame.y.0);
            ((line.to.0 - line.from.0) / w, (line.to.1 - line.from.1) / h)
        }
    };
    let head = if dx.abs() >= dy.abs() {
        if dx >= 0.0 { ">" } else { "<" }
    } else if dy > 0.0 {
        "^"
    } else {
        "v"
    };
    let style = if ctx.theme.colour {
        ctx.theme.text.fg(Color::White).add_modifier(Modifier::BOLD)
    } else {
        ctx.theme.text.add_modifier(Modifier::BOLD)
    };
    set_cell(buf, frame.plot, col, row, head, style);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plane_is_traced_as_points_with_their_class() {
        let points = [
            PlanePoint {
                x: 0.5,
                y: -1.0,
                class: 1,
                highlight: true,
                ring: false,
            },
            PlanePoint {
                x: f64::INFINITY,
                y: 0.0,
                class: 0,
                highlight: false,
                ring: false,
            },
        ];
        let lines = [Segment {
            from: (0.0, 0.0),
            to: (1.0, 2.0),
            arrow: true,
        }];
        let plane = Plane {
            points: points.to_vec(),
            classes: vec![Bilingual::same("a"), Bilingual::same("b")],
            field: None,
            lines: lines.to_vec(),
            x_range: (0.0, 1.0),
            y_range: (0.0, 1.0),
        };
        assert_eq!(
            plane.to_json().unwrap(),
            json!({
                "points": [[0.5, -1.0, 1], ["inf", 0.0, 0]],
                "classes": ["a", "b"],
                "lines": [[0.0, 0.0, 1.0, 2.0]]
            })
        );
    }

    #[test]
    fn the_field_is_read_with_row_zero_at_the_top() {
        let field = Field {
            cols: 2,
            rows: 2,
            values: vec![1.0, 2.0, 3.0, 4.0],
            range: (0.0, 4.0),
        };
        assert_eq!(field.at(0.0, 0.0), Some(1.0));
        assert_eq!(field.at(0.99, 0.0), Some(2.0));
        assert_eq!(field.at(1.0, 1.0), Some(4.0));
        assert_eq!(field.at(f64::NAN, 0.0), None);
        let short = Field {
            values: vec![1.0],
            ..field
        };
        assert_eq!(short.at(1.0, 1.0), None);
    }

    #[test]
    fn the_field_is_light_without_colour_and_dark_with_it() {
        assert_eq!(field_glyph(0.0, (0.0, 1.0)), ":");
        assert_eq!(field_glyph(0.5, (0.0, 1.0)), " ");
        assert_eq!(field_glyph(1.0, (0.0, 1.0)), "▒");
        assert_eq!(field_glyph(f32::NAN, (0.0, 1.0)), "!");
        assert_eq!(field_glyph(3.0, (1.0, 1.0)), " ");
        assert_eq!(field_colour(1.0, (-1.0, 1.0)), Color::Indexed(124));
        assert_eq!(field_colour(-1.0, (-1.0, 1.0)), Color::Indexed(19));
        assert_eq!(field_colour(0.0, (-1.0, 1.0)), Color::Indexed(236));
    }
}

#[cfg(test)]
mod view_tests {
    use super::super::tests::{screen, stays_inside};
    use crate::text::Bilingual;
    use crate::tui::theme::Theme;
    use crate::view::{Field, Plane, PlanePoint, Segment, View, ViewContent};

    /// Two classes either side of the line x + y = 0, a logistic
    /// classifier's output as the field, its weight vector as an arrow.
    fn classifier(field: bool) -> View {
        let points = (0..24)
            .map(|i| {
                let t = f64::from(i) * 0.7;
                let (x, y) = (1.6 * t.cos(), 1.6 * (1.3 * t).sin());
                PlanePoint {
                    x,
                    y,
                    class: usize::from(x + y > 0.0),
                    highlight: i == 5,
                    ring: false,
                }
            })
            .collect();
        let (cols, rows) = (16, 8);
        let values = (0..rows)
            .flat_map(|r| {
                (0..cols).map(move |c| {
                    let x = -2.0 + 4.0 * (c as f32 + 0.5) / cols as f32;
                    let y = 2.0 - 4.0 * (r as f32 + 0.5) / rows as f32;
                    1.0 / (1.0 + (-2.0 * (x + y)).exp())
                })
            })
            .collect();
        View::new(
            "plane",
            Bilingual::new("data and decision regions", "数据与决策区域"),
            ViewContent::Plane(Plane {
                points,
                classes: vec![Bilingual::same("negative"), Bilingual::same("positive")],
                field: field.then_some(Field {
                    cols,
                    rows,
                    values,
                    range: (0.0, 1.0),
                }),
                lines: vec![Segment {
                    from: (0.0, 0.0),
                    to: (1.0, 1.0),
                    arrow: true,
                }],
                x_range: (-2.0, 2.0),
                y_range: (-2.0, 2.0),
            }),
        )
    }

    #[test]
    fn snapshot_plane_80x24() {
        insta::assert_snapshot!(screen(&classifier(true), 80, 24, &Theme::plain()));
    }

    #[test]
    fn snapshot_plane_without_field_40x16() {
        insta::assert_snapshot!(screen(&classifier(false), 40, 16, &Theme::plain()));
    }

    #[test]
    fn snapshot_plane_tiny() {
        insta::assert_snapshot!(screen(&classifier(true), 12, 3, &Theme::plain()));
    }

    #[test]
    fn classes_differ_by_glyph_and_the_highlight_stands_out() {
        let text = screen(&classifier(false), 60, 24, &Theme::plain());
        assert!(
            text.lines()
                .nth(1)
                .unwrap()
                .contains("o negative  x positive"),
            "{text}"
        );
        assert!(
            text.contains('o') && text.contains('x') && text.contains('>'),
            "{text}"
        );
        assert!(text.contains("2.0") && text.contains("-2.0"), "{text}");
        let mut buf = ratatui::buffer::Buffer::empty(ratatui::layout::Rect::new(0, 0, 60, 24));
        let theme = Theme::plain();
        let ctx = super::super::DrawContext {
            lang: crate::text::Lang::En,
            theme: &theme,
            cursor: None,
        };
        super::super::draw(&classifier(false), buf.area, &mut buf, &ctx);
        let reversed = buf
            .content()
            .iter()
            .filter(|c| c.modifier.contains(ratatui::style::Modifier::REVERSED))
            .count();
        assert_eq!(reversed, 1, "one highlighted point");
    }

    #[test]
    fn circled_points_show_circled_and_the_legend_names_the_glyph() {
        let mut view = classifier(false);
        let ViewContent::Plane(plane) = &mut view.content else {
            unreachable!()
        };
        for p in plane.points.iter_mut().step_by(3) {
            p.ring = true;
        }
        let rings = plane.points.iter().filter(|p| p.ring).count();
        let text = screen(&view, 60, 24, &Theme::plain());
        assert!(
            text.lines()
                .nth(1)
                .unwrap()
                .contains("oⓞ negative  xⓧ positive"),
            "{text}"
        );
        // Circled points are drawn over plain ones; two may share a cell.
        let drawn: usize = (text.lines().skip(2))
            .map(|l| l.matches(['ⓞ', 'ⓧ']).count())
            .sum();
        assert!(
            drawn + 1 >= rings && drawn <= rings,
            "{drawn} of {rings}\n{text}"
        );
        let json = view.to_json().unwrap();
        assert_eq!(json["rings"].as_array().unwrap().len(), rings);
        assert!(classifier(false).to_json().unwrap().get("rings").is_none());
    }

    #[test]
    fn the_field_shades_the_background_in_colour() {
        let mut buf = ratatui::buffer::Buffer::empty(ratatui::layout::Rect::new(0, 0, 40, 16));
        let theme = Theme::coloured();
        let ctx = super::super::DrawContext {
            lang: crate::text::Lang::En,
            theme: &theme,
            cursor: None,
        };
        super::super::draw(&classifier(true), buf.area, &mut buf, &ctx);
        let reds = buf
            .content()
            .iter()
            .filter(|c| c.bg == ratatui::style::Color::Indexed(124))
            .count();
        let blues = buf
            .content()
            .iter()
            .filter(|c| c.bg == ratatui::style::Color::Indexed(19))
            .count();
        assert!(reds > 10 && blues > 10, "{reds} {blues}");
    }

    #[test]
    fn odd_planes_stay_inside() {
        stays_inside(&classifier(true));
        let odd = View::new(
            "p",
            Bilingual::new("p", "p"),
            ViewContent::Plane(Plane {
                points: vec![PlanePoint {
                    x: f64::NAN,
                    y: f64::INFINITY,
                    class: 99,
                    highlight: true,
                    ring: false,
                }],
                classes: vec![],
                field: Some(Field {
                    cols: 3,
                    rows: 0,
                    values: vec![f32::NAN],
                    range: (1.0, 1.0),
                }),
                lines: vec![Segment {
                    from: (-f64::MAX, 0.0),
                    to: (f64::MAX, f64::NAN),
                    arrow: true,
                }],
                x_range: (1.0, 1.0),
                y_range: (f64::NAN, f64::INFINITY),
            }),
        );
        stays_inside(&odd);
        screen(&odd, 80, 24, &Theme::coloured());
        screen(&odd, 80, 24, &Theme::plain());
    }
}
