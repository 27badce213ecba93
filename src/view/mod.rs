//! How a model describes its state, and how each kind of description is
//! drawn: a list of named, labelled views.
//!
//! A model builds its views from plain data and never knows how they are
//! drawn. Each kind of view (a vector of bars, a picture, a plot, ...) is
//! one type in its own file here, in the spirit of ratatui's widgets: the
//! file holds the kind's description, its form in the headless `--json`
//! trace, the heights it can be drawn at, its drawing, and what the lab's
//! layout needs to know of it. All of that is the [`Kind`] trait; the list
//! of kinds in [`ViewContent`] is the one place that dispatches to it, so
//! a new kind is one new file and one line in that list.
//!
//! Every kind's drawing reads without colour (signs, numbers, shapes),
//! shows NaN and infinities as such, and never writes outside its area,
//! whatever the area's size. Helpers the kinds share have files of their
//! own: `axes.rs` (plots and planes), `heatmap.rs` (matrices and
//! histories), `picture.rs` (pixels and galleries, and the geometry the
//! lab uses for mouse hits), `wrap.rs` (text by display width) and
//! `paint.rs` (writing clipped cells, values in fixed widths, their
//! styles).

mod axes;
mod equations;
mod flow;
mod gallery;
mod graph;
mod heatmap;
mod histogram;
mod history;
mod matrix;
mod paint;
mod picture;
mod pixels;
mod plane;
mod plot;
mod raster;
mod scalar;
mod series;
mod sketch;
mod table;
mod text;
mod vector;
mod wrap;

pub use equations::Equations;
pub use flow::{Flow, FlowPanel, FlowStage};
pub use gallery::Gallery;
pub use graph::Graph;
pub use histogram::{HISTOGRAM_BINS, Histogram, histogram_counts, histogram_range};
pub use history::History;
pub use matrix::Matrix;
pub(crate) use paint::put;
pub use paint::{format_value, format_value_f64};
pub use picture::{MarkTone, PixelGeometry, pixel_geometry};
pub use pixels::{PixelMarks, Pixels};
pub use plane::{Field, Plane, PlanePoint, Segment};
pub use plot::{Axis, Curve, Mark, Plot};
pub use raster::Raster;
pub use scalar::Scalar;
pub use series::Series;
pub use sketch::Sketch;
pub use table::Table;
pub use text::Text;
pub use vector::Vector;
pub(crate) use wrap::{truncate_words, wrap};

use crate::text::{Bilingual, Lang};
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use serde_json::{Map, Value, json};

/// One named piece of a model's state.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    /// Key in the JSON trace and for [`crate::model::Model::edit`]: `x`, `h`, `gate_i`, `energy`, ...
    pub name: String,
    /// What a person reads above it.
    pub label: Bilingual,
    pub content: ViewContent,
    /// Whether a person may change its values through
    /// [`crate::model::Model::edit`] (an input vector's values, a probe's pixels).
    pub editable: bool,
    /// Whether the view goes into the JSON trace. Views that do not change
    /// from step to step and can be large (a gallery of stored patterns)
    /// are shown but left out of it.
    pub traced: bool,
    /// Whether the view is the point of its lab (the seed's shape table in
    /// the CNN's): the lab's layout never shortens it, and scrolls instead.
    pub whole: bool,
    /// Whether the view is the figure its lab is watched on (the GAN's
    /// plane): when stacked under the other views it would be flattened,
    /// the lab's layout stands it on the left at its own shape instead.
    pub figure: bool,
}

/// What every kind of view knows of itself.
pub trait Kind {
    /// The kind's state in the JSON trace, `None` when it carries none
    /// worth tracing (equations).
    fn to_json(&self) -> Option<Value>;

    /// The heights (in rows, title included) it can be drawn at in `width`
    /// columns, richest first; [`heights`] sorts and cleans the list.
    fn heights(&self, width: u16, colour: bool) -> Vec<u16>;

    /// The view's entries in the JSON trace, under `name` unless the kind
    /// holds several named vectors (a cell's flow: one per stage).
    fn trace_entries(&self, name: &str) -> Vec<(String, Value)> {
        self.to_json()
            .map(|value| vec![(name.to_string(), value)])
            .unwrap_or_default()
    }

    /// A short note after the view's label on its title row.
    fn title_suffix(&self, _ctx: &DrawContext) -> String {
        String::new()
    }

    /// Draws the body, the area under the title row.
    fn draw(&self, area: Rect, buf: &mut Buffer, ctx: &DrawContext);

    /// Draws the whole view into `area` (inside the buffer, not empty): the
    /// title row, then the body under it.
    fn render(&self, view: &View, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
        draw_title(view, &self.title_suffix(ctx), area, buf, ctx);
        let body = Rect {
            y: area.y + 1,
            height: area.height - 1,
            ..area
        };
        if !body.is_empty() {
            self.draw(body, buf, ctx);
        }
    }

    /// Whether any of its values is NaN or infinite (the lab says so).
    fn has_non_finite(&self) -> bool;

    /// For the lab's layout: whether the view takes the full width rather
    /// than a place in a packed column `column` wide.
    fn wide(&self, column: u16) -> bool;

    /// For the lab's layout: how long the view keeps its richest form when
    /// room is short; higher keeps it longer.
    fn keep_rank(&self) -> u8;

    /// For the lab's layout: the least height at which the view still
    /// shows what it is for (a plot's curves, not only its legend); short of
    /// room, the lab scrolls rather than shrink it below this.
    fn readable_height(&self) -> u16 {
        0
    }

    /// For the lab's layout: whether the view may grow back on its own when
    /// room is found, rather than only together with the views alike.
    fn grows_alone(&self) -> bool {
        true
    }

    /// For the lab's layout: the narrowest column the view is worth
    /// packing into (a plot or a plane needs room for its axes); views
    /// packed together get columns at least as wide as the widest asks.
    fn min_column(&self) -> u16 {
        0
    }

    /// For the lab's layout: the columns and rows (title excluded) the view
    /// takes as the figure the other views are read against, drawn as
    /// large as fits in `cols` x `rows`; `None` if it is no such figure.
    fn figure(&self, _cols: u16, _rows: u16) -> Option<(usize, usize)> {
        None
    }

    /// For the lab's layout: like [`Kind::figure`], but only taken when
    /// the views stacked across the whole width would not fit the height (a
    /// plane squeezed to a few rows under the others says nothing; beside
    /// them it keeps its shape).
    fn figure_when_short(&self, _cols: u16, _rows: u16) -> Option<(usize, usize)> {
        None
    }
}

/// Declares the kinds: the variants of [`ViewContent`], each wrapping the
/// type of the same name, and the dispatch to their [`Kind`].
macro_rules! kinds {
    ($($(#[$doc:meta])* $kind:ident,)*) => {
        /// The shapes a view can take, one per kind.
        #[derive(Debug, Clone, PartialEq)]
        pub enum ViewContent {
            $($(#[$doc])* $kind($kind),)*
        }

        impl ViewContent {
            /// What the view's kind knows of itself.
            pub fn kind(&self) -> &dyn Kind {
                match self {
                    $(ViewContent::$kind(kind) => kind,)*
                }
            }
        }

        $(impl From<$kind> for ViewContent {
            fn from(kind: $kind) -> ViewContent {
                ViewContent::$kind(kind)
            }
        })*
    };
}

kinds! {
    /// Signed values drawn as bars (gates, states, inputs, overlaps).
    Vector,
    /// A matrix drawn as a heat map (weights).
    Matrix,
    /// A picture with square pixels (a digit, a probe, a filter).
    Pixels,
    /// Several small pictures of the same size (stored patterns, filters).
    Gallery,
    /// A quantity over time (energy per sweep).
    Series,
    /// A vector over time (a hidden state's history).
    History,
    /// One number.
    Scalar,
    /// Prose or a status line.
    Text,
    /// The model's equations, the current stage's line marked.
    Equations,
    /// Labelled curves on shared axes (loss per epoch, a capacity curve).
    Plot,
    /// Points of a 2-D data set by class, perhaps over a field.
    Plane,
    /// How a set of values is distributed.
    Histogram,
    /// Spikes of many units over time.
    Raster,
    /// A small network, its nodes on a circle.
    Graph,
    /// Rows of text under a header.
    Table,
    /// A cell's step in the order its data flows, each stage with what it does.
    Flow,
    /// A small drawing made of text (a cell's diagram).
    Sketch,
}

impl ViewContent {
    /// A vector whose bars are scaled to `range`, its components numbered.
    pub fn vector(values: Vec<f32>, range: (f32, f32)) -> ViewContent {
        ViewContent::Vector(Vector {
            values,
            range,
            labels: Vec::new(),
        })
    }

    /// One number.
    pub fn scalar(value: f64) -> ViewContent {
        ViewContent::Scalar(Scalar { value })
    }

    /// Prose or a status line.
    pub fn text(text: Bilingual) -> ViewContent {
        ViewContent::Text(Text { text, tail: false })
    }

    /// A stream being written (generated text), its latest lines shown
    /// when not all fit.
    pub fn stream(text: Bilingual) -> ViewContent {
        ViewContent::Text(Text { text, tail: true })
    }

    /// A quantity over time, oldest first.
    pub fn series(values: Vec<f64>) -> ViewContent {
        ViewContent::Series(Series { values })
    }

    /// Equations, one per line, `current` the line of the stage at hand;
    /// lines of symbols and numbers, read alike in every language.
    pub fn equations(lines: Vec<String>, current: Option<usize>) -> ViewContent {
        let lines = lines.into_iter().map(Bilingual::same).collect();
        ViewContent::Equations(Equations { lines, current })
    }

    /// A procedure's steps, one per line with its numbers, in words of each
    /// language ("1 get a batch: ..."); `current` the step at hand.
    pub fn steps(lines: Vec<Bilingual>, current: Option<usize>) -> ViewContent {
        ViewContent::Equations(Equations { lines, current })
    }
}

impl View {
    pub fn new(name: impl Into<String>, label: Bilingual, content: ViewContent) -> View {
        View {
            name: name.into(),
            label,
            content,
            editable: false,
            traced: true,
            whole: false,
            figure: false,
        }
    }

    /// Marks the view as its lab's figure (see [`View::figure`]).
    pub fn figure(mut self) -> View {
        self.figure = true;
        self
    }

    /// Marks the view as one the layout never shortens (see [`View::whole`]).
    pub fn whole(mut self) -> View {
        self.whole = true;
        self
    }

    /// Leaves the view out of the JSON trace (see [`View::traced`]).
    pub fn untraced(mut self) -> View {
        self.traced = false;
        self
    }

    /// Marks the view as one a person may edit.
    pub fn editable(mut self) -> View {
        self.editable = true;
        self
    }

    /// The view's values as JSON for the headless trace; `None` for views that
    /// carry no state worth tracing (equations) or are marked untraced.
    pub fn to_json(&self) -> Option<Value> {
        if !self.traced {
            return None;
        }
        self.content.kind().to_json()
    }
}

/// A JSON number, or a string for values JSON cannot hold ("NaN", "inf", "-inf"),
/// so that an overflow shows in the trace instead of breaking it.
pub fn number(v: f64) -> Value {
    if v.is_finite() {
        serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
    } else if v.is_nan() {
        json!("NaN")
    } else if v > 0.0 {
        json!("inf")
    } else {
        json!("-inf")
    }
}

/// A value as JSON, whole numbers (counts, epochs, indices) as JSON
/// integers (`7`, not `7.0`).
pub fn number_or_integer(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 2f64.powi(53) {
        Value::from(v as i64)
    } else {
        number(v)
    }
}

/// An f32 as JSON, written as the shortest decimal that reads back as the
/// same f32 (`0.56666666`, not the f64 widening `0.5666666626930237`).
pub fn number_f32(v: f32) -> Value {
    number(format!("{v}").parse().unwrap_or(f64::NAN))
}

/// f32 values as a JSON array of [`number_f32`].
fn floats(values: &[f32]) -> Value {
    Value::Array(values.iter().map(|&v| number_f32(v)).collect())
}

/// Row-major values as `rows` arrays of `cols` numbers.
fn chunked(values: &[f32], rows: usize, cols: usize) -> Value {
    if cols == 0 {
        return Value::Array(vec![Value::Array(vec![]); rows]);
    }
    Value::Array(values.chunks(cols).map(floats).collect())
}

/// The JSON trace line for one state: every view by name, plus the step and stage.
pub fn trace_line(step: u64, stage: &str, views: &[View]) -> Value {
    let mut line = Map::new();
    line.insert("step".into(), json!(step));
    line.insert("stage".into(), json!(stage));
    for view in views.iter().filter(|v| v.traced) {
        for (name, value) in view.content.kind().trace_entries(&view.name) {
            line.insert(name, value);
        }
    }
    Value::Object(line)
}

/// What drawing a view needs besides the view.
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
    let mut hs = view.content.kind().heights(width, colour);
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
    view.content.kind().render(view, area, buf, ctx);
}

/// The view's label, with a short note after it, on the area's first row.
/// Nothing is cut mid-word: a note that does not fit whole is left out,
/// and a label too long for the row ends with `…` after its last whole word.
fn draw_title(view: &View, suffix: &str, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
    use unicode_width::UnicodeWidthStr;
    let label = view.label.get(ctx.lang);
    let mut style = ctx.theme.heading;
    if ctx.cursor.is_some() {
        style = style.add_modifier(Modifier::REVERSED);
    }
    let mark = if view.editable { " *" } else { "" };
    let room = usize::from(area.width);
    let shown = wrap::truncate_words(&label, room.saturating_sub(mark.width()));
    let x = put(buf, area, area.x, area.y, &shown, style);
    let x = put(buf, area, x, area.y, mark, ctx.theme.key);
    let used = shown.width() + mark.width();
    if !suffix.is_empty() && shown == label && used + 1 + suffix.width() <= room {
        let x = put(buf, area, x, area.y, " ", ctx.theme.dim);
        put(buf, area, x, area.y, suffix, ctx.theme.dim);
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod kinds_tests;

#[cfg(test)]
mod json_tests {
    use super::*;

    #[test]
    fn f32_values_are_written_as_their_shortest_decimal() {
        assert_eq!(number_f32(0.56666666).to_string(), "0.56666666");
        assert_eq!(number_f32(-1.0).to_string(), "-1.0");
        assert_eq!(number_f32(f32::NAN), json!("NaN"));
        assert_eq!(number_f32(f32::NEG_INFINITY), json!("-inf"));
        // Reads back as the very same f32.
        let v = 0.1f32 + 0.2f32;
        let back = number_f32(v).as_f64().unwrap() as f32;
        assert_eq!(back.to_bits(), v.to_bits());
    }
}
