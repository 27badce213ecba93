//! How a model describes its state: a list of named, labelled views.
//!
//! A front end draws a model from these views alone; a model never knows how
//! it is drawn. The same views give the headless `--json` trace, keyed by
//! [`View::name`].

mod plane;
mod plot;
mod table;

pub use plane::{Field, PlanePoint, Segment};
pub use plot::{Axis, Curve, Mark};

use crate::text::Bilingual;
use serde_json::{Map, Value, json};

/// One named piece of a model's state.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    /// Key in the JSON trace and for [`super::Model::edit`]: `x`, `h`, `gate_i`, `energy`, ...
    pub name: String,
    /// What a person reads above it.
    pub label: Bilingual,
    pub content: ViewContent,
    /// Whether a person may change its values through [`super::Model::edit`]
    /// (an input vector's values, a probe's pixels).
    pub editable: bool,
    /// Whether the view goes into the JSON trace. Views that do not change
    /// from step to step and can be large (a gallery of stored patterns)
    /// are shown but left out of it.
    pub traced: bool,
}

/// The shapes a view can take.
#[derive(Debug, Clone, PartialEq)]
pub enum ViewContent {
    /// A vector of signed values drawn as bars (gates, states, inputs, overlaps).
    /// `range` is the span the bars are scaled to, e.g. (0, 1) for a sigmoid
    /// gate, (-1, 1) for tanh; values outside it are clipped in the drawing only.
    Vector { values: Vec<f32>, range: (f32, f32) },
    /// A matrix in row-major order (weights), drawn as a heat map.
    Matrix {
        rows: usize,
        cols: usize,
        values: Vec<f32>,
    },
    /// A grey-scale picture of `width` x `height` pixels in row-major order,
    /// drawn with square pixels, dark at `range.0` and bright at `range.1`
    /// (a digit in (0, 1)). A range that spans zero other than (-1, 1) is
    /// drawn on the diverging scale, blue below zero and red above (a weight
    /// filter in (-0.3, 0.3)); (-1, 1) stays grey, the convention of ±1
    /// binary pictures (Hopfield: −1 off, +1 on) and of tanh-valued images.
    Pixels {
        width: usize,
        height: usize,
        values: Vec<f32>,
        range: (f32, f32),
    },
    /// Several small pictures of the same size (stored patterns, filters),
    /// one of them perhaps marked (the target), each drawn as [`ViewContent::Pixels`]
    /// with `range`. `captions` is empty (the items are numbered) or holds one
    /// caption per item, shown under it.
    Gallery {
        width: usize,
        height: usize,
        items: Vec<Vec<f32>>,
        marked: Option<usize>,
        captions: Vec<String>,
        range: (f32, f32),
    },
    /// A quantity over time, oldest first (energy per sweep).
    Series { values: Vec<f64> },
    /// A vector over time: `rows` time steps of `cols` values, oldest first
    /// (hidden state history), drawn as a heat map with time across.
    History {
        rows: usize,
        cols: usize,
        values: Vec<f32>,
        range: (f32, f32),
    },
    /// One number.
    Scalar { value: f64 },
    /// Prose or a status line.
    Text { text: Bilingual },
    /// The model's equations, one per line with numbers filled in where they
    /// are known; `current` is the line of the stage that runs next or just ran.
    Equations {
        lines: Vec<String>,
        current: Option<usize>,
    },
    /// Labelled curves on shared axes (loss and accuracy per epoch, a
    /// capacity curve). A range left `None` is taken from the data; `marks`
    /// are reference lines (the capacity alpha = 0.138), `now` a vertical
    /// marker at this x (the current epoch).
    Plot {
        curves: Vec<Curve>,
        x_label: Bilingual,
        y_label: Bilingual,
        x_range: Option<(f64, f64)>,
        y_range: Option<(f64, f64)>,
        marks: Vec<Mark>,
        now: Option<f64>,
    },
    /// Points of a 2-D data set by class (`classes` names them), perhaps over
    /// a background `field` (a classifier's decision regions), with line
    /// segments and arrows (a weight vector, a step of gradient descent).
    Plane {
        points: Vec<PlanePoint>,
        classes: Vec<String>,
        field: Option<Field>,
        lines: Vec<Segment>,
        x_range: (f64, f64),
        y_range: (f64, f64),
    },
    /// How a set of values is distributed (a layer's weights, its
    /// activations), drawn as counts in bins across `range`, or across the
    /// values' own span when `range` is `None`.
    Histogram {
        values: Vec<f32>,
        range: Option<(f32, f32)>,
    },
    /// Spikes of many units over time: `spikes[t]` lists the units (below
    /// `units`) that fired at step `t`, oldest first.
    Raster {
        units: usize,
        spikes: Vec<Vec<usize>>,
    },
    /// A small network (up to about 20 units): each node with its label and
    /// value (scaled to `range`), and weighted edges `(from, to, weight)`
    /// between nodes, drawn with the nodes on a circle.
    Graph {
        labels: Vec<String>,
        values: Vec<f32>,
        range: (f32, f32),
        edges: Vec<(usize, usize, f32)>,
    },
    /// Rows of text under a header (a confusion matrix, a data set's
    /// records); `current` is the row being looked at.
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
        current: Option<usize>,
    },
}

impl View {
    pub fn new(name: impl Into<String>, label: Bilingual, content: ViewContent) -> View {
        View {
            name: name.into(),
            label,
            content,
            editable: false,
            traced: true,
        }
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
        Some(match &self.content {
            ViewContent::Vector { values, .. } => floats(values),
            ViewContent::Matrix { rows, cols, values } => chunked(values, *rows, *cols),
            ViewContent::Pixels {
                width,
                height,
                values,
                ..
            } => chunked(values, *height, *width),
            ViewContent::Gallery { items, .. } => {
                Value::Array(items.iter().map(|item| floats(item)).collect())
            }
            ViewContent::Series { values } => {
                Value::Array(values.iter().map(|&v| number(v)).collect())
            }
            ViewContent::History {
                rows, cols, values, ..
            } => chunked(values, *rows, *cols),
            // A whole number (a count, an index: flips, target, epoch) is
            // written as a JSON integer, `"target": 0` and not `0.0`.
            ViewContent::Scalar { value }
                if value.fract() == 0.0 && value.abs() < 2f64.powi(53) =>
            {
                json!(*value as i64)
            }
            ViewContent::Scalar { value } => number(*value),
            ViewContent::Text { text } => json!(text.en),
            ViewContent::Equations { .. } => return None,
            ViewContent::Plot {
                curves,
                x_label,
                y_label,
                ..
            } => plot::to_json(curves, x_label, y_label),
            ViewContent::Plane {
                points,
                classes,
                lines,
                ..
            } => plane::to_json(points, classes, lines),
            ViewContent::Table { header, rows, .. } => table::to_json(header, rows),
            ViewContent::Histogram { values, range } => histogram_json(values, *range),
            ViewContent::Raster { units, spikes } => json!({ "units": units, "spikes": spikes }),
            ViewContent::Graph { values, edges, .. } => json!({
                "values": floats(values),
                "edges": edges
                    .iter()
                    .map(|&(from, to, w)| json!([from, to, number_f32(w)]))
                    .collect::<Vec<_>>(),
            }),
        })
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

/// An f32 as JSON, written as the shortest decimal that reads back as the
/// same f32 (`0.56666666`, not the f64 widening `0.5666666626930237`).
pub fn number_f32(v: f32) -> Value {
    number(format!("{v}").parse().unwrap_or(f64::NAN))
}

fn floats(values: &[f32]) -> Value {
    Value::Array(values.iter().map(|&v| number_f32(v)).collect())
}

fn chunked(values: &[f32], rows: usize, cols: usize) -> Value {
    if cols == 0 {
        return Value::Array(vec![Value::Array(vec![]); rows]);
    }
    Value::Array(values.chunks(cols).map(floats).collect())
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

/// The JSON trace line for one state: every view by name, plus the step and stage.
pub fn trace_line(step: u64, stage: &str, views: &[View]) -> Value {
    let mut line = Map::new();
    line.insert("step".into(), json!(step));
    line.insert("stage".into(), json!(stage));
    for view in views {
        if let Some(value) = view.to_json() {
            line.insert(view.name.clone(), value);
        }
    }
    Value::Object(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_is_traced_as_counts_in_equal_bins() {
        let values = [0.0, 0.1, 0.5, 1.0, 2.0, f32::NAN];
        assert_eq!(histogram_counts(&values, (0.0, 1.0), 2), vec![2, 2]);
        assert_eq!(histogram_range(&values, None), (0.0, 2.0));
        assert_eq!(histogram_range(&[3.0], Some((1.0, 1.0))), (2.0, 4.0));
        assert_eq!(histogram_range(&[], None), (0.0, 1.0));
        let json = histogram_json(&values, Some((0.0, 1.0)));
        assert_eq!(json["range"], json!([0.0, 1.0]));
        assert_eq!(json["counts"].as_array().unwrap().len(), HISTOGRAM_BINS);
        // 0.0, 0.1 and 0.5 in their bins, 1.0 in the last (closed) one; 2.0
        // is outside and NaN is no number.
        for (bin, count) in [(0, 1), (2, 1), (10, 1), (19, 1), (1, 0)] {
            assert_eq!(json["counts"][bin], json!(count), "bin {bin}");
        }
    }

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
