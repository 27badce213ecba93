//! The parts of a [`super::ViewContent::Plane`]: points by class, a
//! background field, line segments, and the plane's form in the JSON trace.

use super::number;
use serde_json::{Value, json};

/// One point of a 2-D data set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlanePoint {
    pub x: f64,
    pub y: f64,
    /// Index into the plane's `classes`.
    pub class: usize,
    /// The point being looked at now (the sample of this training step).
    pub highlight: bool,
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

/// `{"points": [[x, y, class], ...], "classes": [...], "lines": [[x0, y0,
/// x1, y1], ...]}`. The field is left out: it is the model's function
/// sampled for drawing, as large as the terminal, not its state.
pub(super) fn to_json(points: &[PlanePoint], classes: &[String], lines: &[Segment]) -> Value {
    let points: Vec<Value> = points
        .iter()
        .map(|p| json!([number(p.x), number(p.y), p.class]))
        .collect();
    let lines: Vec<Value> = lines
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
    json!({ "points": points, "classes": classes, "lines": lines })
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
            },
            PlanePoint {
                x: f64::INFINITY,
                y: 0.0,
                class: 0,
                highlight: false,
            },
        ];
        let lines = [Segment {
            from: (0.0, 0.0),
            to: (1.0, 2.0),
            arrow: true,
        }];
        let value = to_json(&points, &["a".into(), "b".into()], &lines);
        assert_eq!(
            value,
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
}
