//! The parts of a [`super::ViewContent::Plot`]: labelled curves and reference
//! marks, and the plot's form in the JSON trace.

use super::number;
use crate::text::Bilingual;
use serde_json::{Value, json};

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
    pub label: String,
}

/// `{"x_label", "y_label", "curves": [{"label", "points": [[x, y], ...]}]}`,
/// labels in English like the rest of the trace. The ranges, marks and the
/// `now` marker are how the plot is drawn, not state, and are left out.
pub(super) fn to_json(curves: &[Curve], x_label: &Bilingual, y_label: &Bilingual) -> Value {
    let curves: Vec<Value> = curves
        .iter()
        .map(|curve| {
            let points: Vec<Value> = curve
                .points
                .iter()
                .map(|&(x, y)| json!([number(x), number(y)]))
                .collect();
            json!({ "label": curve.label.en, "points": points })
        })
        .collect();
    json!({ "x_label": x_label.en, "y_label": y_label.en, "curves": curves })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plot_is_traced_as_labelled_point_lists() {
        let curves = vec![Curve {
            label: Bilingual::new("loss", "损失"),
            points: vec![(0.0, 1.5), (1.0, f64::NAN)],
        }];
        let value = to_json(
            &curves,
            &Bilingual::new("epoch", "轮次"),
            &Bilingual::new("loss", "损失"),
        );
        assert_eq!(
            value,
            json!({
                "x_label": "epoch",
                "y_label": "loss",
                "curves": [{"label": "loss", "points": [[0.0, 1.5], [1.0, "NaN"]]}]
            })
        );
    }
}
