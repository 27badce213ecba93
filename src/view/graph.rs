//! A small network (up to about 20 units), its nodes on a circle.
//!
//! The nodes sit on a circle (an ellipse, as cells are taller than wide),
//! the first at the top, going clockwise; each shows its label and its
//! value as a heat-map glyph (`░▒▓█` above the middle of the range, `.:-=`
//! below). Edges are lines in fine dots, coloured by weight on the
//! diverging map; without colour only the stronger half of the edges (by
//! size of weight) is drawn, so that the structure still shows.

use super::axes::{self};
use super::paint::{format_value, put, value_style};
use super::{DrawContext, Kind, floats, heatmap, number_f32};
use crate::text::{Bilingual, Lang};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::widgets::Widget;
use ratatui::widgets::canvas::{Canvas, Line as CanvasLine};
use serde_json::{Value, json};
use unicode_width::UnicodeWidthStr;

/// Each node with its label and value (scaled to `range`), and weighted
/// edges `(from, to, weight)` between nodes.
#[derive(Debug, Clone, PartialEq)]
pub struct Graph {
    pub labels: Vec<String>,
    pub values: Vec<f32>,
    pub range: (f32, f32),
    pub edges: Vec<(usize, usize, f32)>,
}

impl Kind for Graph {
    fn to_json(&self) -> Option<Value> {
        Some(json!({
            "values": floats(&self.values),
            "edges": self
                .edges
                .iter()
                .map(|&(from, to, w)| json!([from, to, number_f32(w)]))
                .collect::<Vec<_>>(),
        }))
    }

    fn heights(&self, _width: u16, _colour: bool) -> Vec<u16> {
        vec![1 + 16, 1 + 10, 1 + 6, 2]
    }

    fn title_suffix(&self, ctx: &DrawContext) -> String {
        title_suffix(self, ctx.lang)
    }

    fn draw(&self, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
        draw(self, area, buf, ctx);
    }

    fn has_non_finite(&self) -> bool {
        self.values.iter().any(|v| !v.is_finite())
    }

    fn wide(&self, _column: u16) -> bool {
        false
    }

    fn keep_rank(&self) -> u8 {
        2
    }
}

fn title_suffix(graph: &Graph, lang: Lang) -> String {
    Bilingual::owned(
        format!("{} nodes, {} edges", graph.values.len(), graph.edges.len()),
        format!("{} 个节点，{} 条边", graph.values.len(), graph.edges.len()),
    )
    .get(lang)
    .into_owned()
}

/// Where node `i` of `n` sits, in -1..=1 on both axes, the first at the top.
fn position(i: usize, n: usize) -> (f64, f64) {
    let angle = std::f64::consts::TAU * i as f64 / n.max(1) as f64;
    (0.85 * angle.sin(), 0.85 * angle.cos())
}

fn draw(graph: &Graph, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
    let area = area.intersection(buf.area);
    if area.is_empty() {
        return;
    }
    let n = graph.values.len().max(graph.labels.len());
    if area.height < 3 || area.width < 8 {
        // Too small for a circle: the values in a row.
        let mut x = area.x;
        for i in 0..n {
            let v = graph.values.get(i).copied().unwrap_or(f32::NAN);
            x = put(
                buf,
                area,
                x,
                area.y,
                &format_value(v),
                value_style(v, graph.range, ctx.theme),
            );
            x = put(buf, area, x, area.y, " ", ctx.theme.text);
        }
        return;
    }
    let strongest = graph
        .edges
        .iter()
        .map(|e| e.2.abs())
        .filter(|w| w.is_finite())
        .fold(0.0f32, f32::max);
    let weight_range = if strongest > 0.0 {
        (-strongest, strongest)
    } else {
        (-1.0, 1.0)
    };
    // Edges in a scratch canvas, merged so that only painted cells change.
    let mut scratch = Buffer::empty(Rect::new(0, 0, area.width, area.height));
    Canvas::default()
        .marker(ctx.theme.dots)
        .x_bounds([-1.0, 1.0])
        .y_bounds([-1.0, 1.0])
        .paint(|canvas| {
            for &(from, to, w) in &graph.edges {
                if from >= n || to >= n || from == to {
                    continue;
                }
                let strong = w.is_finite() && w.abs() >= strongest / 2.0;
                if !ctx.theme.colour && !strong {
                    continue;
                }
                let colour = ctx.theme.diverging(w, weight_range).unwrap_or(Color::Reset);
                let (a, b) = (position(from, n), position(to, n));
                if let Some((x1, y1, x2, y2)) = axes::clip(a, b, (-1.0, 1.0), (-1.0, 1.0)) {
                    canvas.draw(&CanvasLine::new(x1, y1, x2, y2, colour));
                }
            }
        })
        .render(scratch.area, &mut scratch);
    for row in 0..area.height {
        for col in 0..area.width {
            let Some(cell) = scratch.cell((col, row)) else {
                continue;
            };
            let symbol = cell.symbol();
            if symbol == " " || symbol == "\u{2800}" {
                continue;
            }
            let fg = cell.fg;
            // `area` lies inside the buffer (see `super::draw`).
            if let Some(target) = buf.cell_mut((area.x + col, area.y + row)) {
                target.set_symbol(symbol).set_fg(fg);
            }
        }
    }
    // Nodes over the edges: label and value glyph, centred on the node.
    for i in 0..n {
        let (x, y) = position(i, n);
        let v = graph.values.get(i).copied().unwrap_or(f32::NAN);
        let label = graph
            .labels
            .get(i)
            .cloned()
            .unwrap_or_else(|| i.to_string());
        let glyph = match heatmap::shade(v, graph.range) {
            " " => "o",
            g => g,
        };
        let text = format!("{label}{glyph}");
        let w = text.width() as u16;
        let col = ((x + 1.0) / 2.0 * f64::from(area.width - 1)).round() as u16;
        let row = ((1.0 - y) / 2.0 * f64::from(area.height - 1)).round() as u16;
        let start = (area.x + col)
            .saturating_sub(w / 2)
            .clamp(area.x, area.right().saturating_sub(w).max(area.x));
        let style =
            value_style(v, graph.range, ctx.theme).add_modifier(ratatui::style::Modifier::BOLD);
        put(
            buf,
            area,
            start,
            area.y + row.min(area.height - 1),
            &text,
            style,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{screen, stays_inside};
    use crate::text::Bilingual;
    use crate::tui::theme::Theme;
    use crate::view::{Graph, View, ViewContent};

    fn ring(n: usize) -> View {
        View::new(
            "net",
            Bilingual::new("network", "网络"),
            ViewContent::Graph(Graph {
                labels: (0..n).map(|i| i.to_string()).collect(),
                values: (0..n)
                    .map(|i| if i % 3 == 0 { 1.0 } else { -1.0 })
                    .collect(),
                range: (-1.0, 1.0),
                edges: (0..n)
                    .flat_map(|i| [(i, (i + 1) % n, 1.0), (i, (i + n / 2) % n, -0.2)])
                    .collect(),
            }),
        )
    }

    #[test]
    fn snapshot_graph_80x24() {
        insta::assert_snapshot!(screen(&ring(8), 60, 17, &Theme::plain()));
    }

    #[test]
    fn snapshot_graph_tiny() {
        insta::assert_snapshot!(screen(&ring(4), 7, 2, &Theme::plain()));
    }

    #[test]
    fn every_node_shows_its_label_and_value_glyph() {
        let text = screen(&ring(8), 60, 17, &Theme::plain());
        for i in 0..8 {
            let glyph = if i % 3 == 0 { "█" } else { "=" };
            assert!(text.contains(&format!("{i}{glyph}")), "{i}: {text}");
        }
        assert!(text.contains('⠁') || text.chars().any(|c| ('\u{2801}'..='\u{28ff}').contains(&c)));
    }

    #[test]
    fn odd_graphs_stay_inside() {
        stays_inside(&ring(20));
        stays_inside(&View::new(
            "g",
            Bilingual::new("g", "g"),
            ViewContent::Graph(Graph {
                labels: vec!["一个很长的标签".into()],
                values: vec![f32::NAN, 2.0],
                range: (1.0, 1.0),
                edges: vec![(0, 1, f32::INFINITY), (5, 0, 1.0), (1, 1, 1.0)],
            }),
        ));
        stays_inside(&View::new(
            "g",
            Bilingual::new("g", "g"),
            ViewContent::Graph(Graph {
                labels: vec![],
                values: vec![],
                range: (-1.0, 1.0),
                edges: vec![],
            }),
        ));
    }
}
