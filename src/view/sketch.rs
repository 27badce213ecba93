//! A small drawing made of text (a cell's diagram), its lines kept as they
//! are, with the symbols of the stage at hand picked out wherever they
//! stand in it.

use super::paint::put;
use super::{DrawContext, Kind};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use serde_json::Value;

/// Lines of a drawing; every whole-word occurrence of a symbol in `marked`
/// (`f`, `c'`) is drawn highlighted.
#[derive(Debug, Clone, PartialEq)]
pub struct Sketch {
    pub lines: Vec<String>,
    pub marked: Vec<String>,
}

/// Characters that continue a symbol: `c'` is not `c`.
fn in_symbol(c: char) -> bool {
    c.is_alphanumeric() || c == '\'' || c == '_'
}

impl Sketch {
    /// The byte ranges of `line` that are marked symbols.
    fn marks(&self, line: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for symbol in self.marked.iter().filter(|s| !s.is_empty()) {
            let mut from = 0;
            while let Some(at) = line[from..].find(symbol.as_str()) {
                let start = from + at;
                let end = start + symbol.len();
                let before = line[..start].chars().next_back();
                let after = line[end..].chars().next();
                if !before.is_some_and(in_symbol) && !after.is_some_and(in_symbol) {
                    out.push((start, end));
                }
                from = end;
            }
        }
        out.sort_unstable();
        out
    }
}

impl Kind for Sketch {
    /// A drawing is how the cell is built, not state.
    fn to_json(&self) -> Option<Value> {
        None
    }

    fn heights(&self, _width: u16, _colour: bool) -> Vec<u16> {
        vec![(1 + self.lines.len()).min(usize::from(u16::MAX)) as u16]
    }

    fn draw(&self, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
        for (row, line) in self.lines.iter().enumerate() {
            let y = area.y + row as u16;
            if y >= area.bottom() {
                break;
            }
            let mut x = area.x;
            let mut at = 0;
            for (start, end) in self.marks(line) {
                if start < at {
                    continue;
                }
                x = put(buf, area, x, y, &line[at..start], ctx.theme.dim);
                x = put(buf, area, x, y, &line[start..end], ctx.theme.highlight);
                at = end;
            }
            put(buf, area, x, y, &line[at..], ctx.theme.dim);
        }
    }

    fn has_non_finite(&self) -> bool {
        false
    }

    /// A cell's diagram stands beside its input.
    fn wide(&self, _column: u16) -> bool {
        false
    }

    fn keep_rank(&self) -> u8 {
        2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_symbols_are_marked() {
        let sketch = Sketch {
            lines: vec![],
            marked: vec!["c".into()],
        };
        assert_eq!(sketch.marks("c ─▶ c' tanh c"), vec![(0, 1), (17, 18)]);
        let sketch = Sketch {
            lines: vec![],
            marked: vec!["c'".into()],
        };
        assert_eq!(sketch.marks("c ─▶ c'"), vec![(9, 11)]);
    }
}
