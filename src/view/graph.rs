//! A small network (up to about 20 units), its nodes on a circle.
//!
//! The nodes sit on a circle (an ellipse, as cells are taller than wide),
//! the first at the top, going clockwise; each shows its label and its
//! value as a heat-map glyph (`░▒▓█` above the middle of the range, `.:-=`
//! below). Edges are lines in fine dots, coloured by weight on the
//! diverging map; without colour only the stronger half of the edges (by
//! size of weight) is drawn, so that the structure still shows.
//!
//! A directed graph (a Markov chain's transitions) draws every edge, and
//! draws i → j and j → i apart: each edge is moved off the line between
//! its two nodes to the right of its own direction of travel, so the two
//! directions run side by side like the lanes of a road; an arrowhead
//! (`→ ↗ ↑ ↖ ← ↙ ↓ ↘`) sits on the edge near its target, and the weight
//! beside its middle, on its own side. An edge from a node to itself is
//! written under (or over) the node as `↻` and its weight. Weights are
//! placed strongest first, and one that would cover a node or another
//! weight is left out (the transition table beside the graph has them all).

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
    pub labels: Vec<Bilingual>,
    pub values: Vec<f32>,
    pub range: (f32, f32),
    pub edges: Vec<(usize, usize, f32)>,
    /// Whether an edge goes one way only, from `from` to `to` (a
    /// transition): then (i, j) and (j, i) are two edges drawn apart, each
    /// with an arrowhead near its target and its weight beside it, and
    /// (i, i) is written beside node i.
    pub directed: bool,
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

    /// A directed graph says nothing as a row of values (its transitions
    /// are the point), so it keeps at least 9 rows; the lab then stands it
    /// beside the other views when room is short.
    fn heights(&self, _width: u16, _colour: bool) -> Vec<u16> {
        if self.directed {
            vec![1 + 16, 1 + 12, 1 + 9]
        } else {
            vec![1 + 16, 1 + 10, 1 + 6, 2]
        }
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

    /// Short of room, the graph stands on the left as tall as it is wide
    /// on screen (half as many rows as columns), rather than squeezed to a
    /// row of values under the others.
    fn figure_when_short(&self, cols: u16, rows: u16) -> Option<(usize, usize)> {
        if cols < 20 || rows < 9 {
            return None;
        }
        let rows = rows.min(cols / 2 + 2).max(9);
        Some((usize::from(cols), usize::from(rows)))
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

/// The cell of canvas point (x, y) (both in -1..=1) in an area `w` x `h`.
fn cell_of((x, y): (f64, f64), w: u16, h: u16) -> (i32, i32) {
    let col = ((x + 1.0) / 2.0 * f64::from(w.saturating_sub(1))).round() as i32;
    let row = ((1.0 - y) / 2.0 * f64::from(h.saturating_sub(1))).round() as i32;
    (col, row)
}

/// The arrowhead pointing along (dx, dy), y up, in eight directions.
fn arrowhead(dx: f64, dy: f64) -> &'static str {
    const HEADS: [&str; 8] = ["→", "↗", "↑", "↖", "←", "↙", "↓", "↘"];
    let sector = (dy.atan2(dx) / std::f64::consts::FRAC_PI_4).round() as i32;
    HEADS[sector.rem_euclid(8) as usize]
}

/// A weight in at most 4 columns: `.25` for a probability, `1` for a sure
/// step, `+2.5` or [`format_value`]'s form for others.
fn weight_text(w: f32) -> String {
    if w.is_finite() && (0.0..0.995).contains(&w) {
        let s = format!("{w:.2}");
        s.trim_start_matches('0').to_string()
    } else if (w - 1.0).abs() < 0.005 {
        "1".into()
    } else {
        format_value(w)
    }
}

/// How a directed edge is drawn: its line moved to the right of its
/// direction of travel, in canvas units, and its direction on screen
/// (columns right, half-rows up, so that a diagonal looks diagonal).
struct Lane {
    from: (f64, f64),
    to: (f64, f64),
    /// The direction of travel and the right-hand normal, on screen, unit length.
    along: (f64, f64),
    right: (f64, f64),
}

/// Columns (and half-rows) an edge is moved off the straight line between
/// its nodes.
const LANE_OFFSET: f64 = 1.2;

impl Lane {
    fn new(a: (f64, f64), b: (f64, f64), w: u16, h: u16) -> Option<Lane> {
        // Canvas units per screen unit, x in columns and y in half-rows.
        let sx = 2.0 / f64::from(w.saturating_sub(1).max(1));
        let sy = 1.0 / f64::from(h.saturating_sub(1).max(1));
        let (vx, vy) = ((b.0 - a.0) / sx, (b.1 - a.1) / sy);
        let len = vx.hypot(vy);
        if len < 1e-9 {
            return None;
        }
        let along = (vx / len, vy / len);
        let right = (along.1, -along.0);
        let shift = (right.0 * LANE_OFFSET * sx, right.1 * LANE_OFFSET * sy);
        Some(Lane {
            from: (a.0 + shift.0, a.1 + shift.1),
            to: (b.0 + shift.0, b.1 + shift.1),
            along,
            right,
        })
    }

    fn at(&self, t: f64) -> (f64, f64) {
        (
            self.from.0 + t * (self.to.0 - self.from.0),
            self.from.1 + t * (self.to.1 - self.from.1),
        )
    }
}

/// Cells already written (node labels, arrowheads, weights), so that
/// nothing is written over them.
struct Taken(Vec<(i32, i32, i32)>);

impl Taken {
    /// Whether columns `col..col + width` of `row` are all free and inside.
    fn free(&self, col: i32, row: i32, width: i32, w: u16, h: u16) -> bool {
        col >= 0
            && row >= 0
            && col + width <= i32::from(w)
            && row < i32::from(h)
            && self
                .0
                .iter()
                .all(|&(c, r, wd)| r != row || col + width <= c || c + wd <= col)
    }

    fn take(&mut self, col: i32, row: i32, width: i32) {
        self.0.push((col, row, width));
    }
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
    let (w, h) = (area.width, area.height);
    // Each node's text and where it goes: (text, first column, row).
    let nodes: Vec<(String, i32, i32)> = (0..n)
        .map(|i| {
            let v = graph.values.get(i).copied().unwrap_or(f32::NAN);
            let label = (graph.labels.get(i))
                .map_or_else(|| i.to_string(), |label| label.get(ctx.lang).into_owned());
            let glyph = match heatmap::shade(v, graph.range) {
                " " => "o",
                g => g,
            };
            let text = format!("{label}{glyph}");
            let width = text.width() as i32;
            let (col, row) = cell_of(position(i, n), w, h);
            let start = (col - width / 2).clamp(0, (i32::from(w) - width).max(0));
            (text, start, row.clamp(0, i32::from(h) - 1))
        })
        .collect();
    let mut taken = Taken(
        nodes
            .iter()
            .map(|(text, col, row)| (*col, *row, text.width() as i32))
            .collect(),
    );
    let edges: Vec<(usize, usize, f32)> = graph
        .edges
        .iter()
        .copied()
        .filter(|&(from, to, _)| from < n && to < n)
        .collect();
    let lanes: Vec<Option<Lane>> = edges
        .iter()
        .map(|&(from, to, _)| {
            if !graph.directed || from == to {
                return None;
            }
            Lane::new(position(from, n), position(to, n), w, h)
        })
        .collect();
    // Edges in a scratch canvas, merged so that only painted cells change.
    let mut scratch = Buffer::empty(Rect::new(0, 0, w, h));
    Canvas::default()
        .marker(ctx.theme.dots)
        .x_bounds([-1.0, 1.0])
        .y_bounds([-1.0, 1.0])
        .paint(|canvas| {
            for (&(from, to, weight), lane) in edges.iter().zip(&lanes) {
                if from == to {
                    continue;
                }
                let strong = weight.is_finite() && weight.abs() >= strongest / 2.0;
                if !ctx.theme.colour && !strong && !graph.directed {
                    continue;
                }
                let colour = ctx
                    .theme
                    .diverging(weight, weight_range)
                    .unwrap_or(Color::Reset);
                let (a, b) = match lane {
                    Some(lane) => (lane.from, lane.to),
                    None => (position(from, n), position(to, n)),
                };
                if let Some((x1, y1, x2, y2)) = axes::clip(a, b, (-1.0, 1.0), (-1.0, 1.0)) {
                    canvas.draw(&CanvasLine::new(x1, y1, x2, y2, colour));
                }
            }
        })
        .render(scratch.area, &mut scratch);
    for row in 0..h {
        for col in 0..w {
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
    if graph.directed {
        draw_directions(
            graph,
            &edges,
            &lanes,
            &mut taken,
            area,
            buf,
            ctx,
            weight_range,
        );
    }
    // Nodes over the edges: label and value glyph, centred on the node.
    for (i, (text, col, row)) in nodes.iter().enumerate() {
        let v = graph.values.get(i).copied().unwrap_or(f32::NAN);
        let style =
            value_style(v, graph.range, ctx.theme).add_modifier(ratatui::style::Modifier::BOLD);
        put(
            buf,
            area,
            area.x + *col as u16,
            area.y + *row as u16,
            text,
            style,
        );
    }
}

/// A directed graph's arrowheads, its weights beside their edges
/// (strongest first, where they cover nothing already written), and its
/// self-loops by their nodes.
#[allow(clippy::too_many_arguments)]
fn draw_directions(
    graph: &Graph,
    edges: &[(usize, usize, f32)],
    lanes: &[Option<Lane>],
    taken: &mut Taken,
    area: Rect,
    buf: &mut Buffer,
    ctx: &DrawContext,
    weight_range: (f32, f32),
) {
    let (w, h) = (area.width, area.height);
    let n = graph.values.len().max(graph.labels.len());
    let edge_style = |weight: f32| match ctx.theme.diverging(weight, weight_range) {
        Some(colour) => ctx.theme.text.fg(colour),
        None => ctx.theme.text,
    };
    // Arrowheads first: the target end of every edge, where no node is.
    for (&(_, _, weight), lane) in edges.iter().zip(lanes) {
        let Some(lane) = lane else { continue };
        let head = arrowhead(lane.along.0, lane.along.1);
        for step in 0..8 {
            let (col, row) = cell_of(lane.at(0.82 - 0.05 * f64::from(step)), w, h);
            if taken.free(col, row, 1, w, h) {
                taken.take(col, row, 1);
                put(
                    buf,
                    area,
                    area.x + col as u16,
                    area.y + row as u16,
                    head,
                    edge_style(weight),
                );
                break;
            }
        }
    }
    // Weights, strongest first.
    let mut order: Vec<usize> = (0..edges.len()).collect();
    order.sort_by(|&a, &b| edges[b].2.abs().total_cmp(&edges[a].2.abs()));
    for k in order {
        let (from, to, weight) = edges[k];
        let text = weight_text(weight);
        let width = text.width() as i32;
        let spot = if from == to {
            // A loop: under a node in the top half, over one in the bottom.
            let text = format!("↻{text}");
            let width = text.width() as i32;
            let (col, row) = cell_of(position(from, n), w, h);
            let row = if position(from, n).1 >= 0.0 {
                row + 1
            } else {
                row - 1
            };
            Some((text, col - width / 2, row, width))
        } else {
            lanes[k].as_ref().map(|lane| {
                let (x, y) = lane.at(0.5);
                let (col, row) = cell_of((x, y), w, h);
                // One screen unit further out, on the edge's own side.
                let out = (lane.right.0 * 1.5, -lane.right.1 * 0.75);
                let (col, row) = (col + out.0.round() as i32, row + out.1.round() as i32);
                let start = if lane.right.0 > 0.5 {
                    col
                } else if lane.right.0 < -0.5 {
                    col - width + 1
                } else {
                    col - width / 2
                };
                (text.clone(), start, row, width)
            })
        };
        let Some((text, col, row, width)) = spot else {
            continue;
        };
        if taken.free(col, row, width, w, h) {
            taken.take(col, row, width);
            put(
                buf,
                area,
                area.x + col as u16,
                area.y + row as u16,
                &text,
                edge_style(weight),
            );
        }
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
                labels: (0..n).map(|i| Bilingual::same(i.to_string())).collect(),
                values: (0..n)
                    .map(|i| if i % 3 == 0 { 1.0 } else { -1.0 })
                    .collect(),
                range: (-1.0, 1.0),
                edges: (0..n)
                    .flat_map(|i| [(i, (i + 1) % n, 1.0), (i, (i + n / 2) % n, -0.2)])
                    .collect(),
                directed: false,
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
                labels: vec![Bilingual::new("a very long label", "一个很长的标签")],
                values: vec![f32::NAN, 2.0],
                range: (1.0, 1.0),
                edges: vec![(0, 1, f32::INFINITY), (5, 0, 1.0), (1, 1, 1.0)],
                directed: false,
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
                directed: false,
            }),
        ));
    }
}
