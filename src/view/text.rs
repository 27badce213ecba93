//! Prose or a status line, wrapped by display width (Chinese and English
//! mixed); when more lines than fit, the last one shown ends in `…`.

use super::paint::put;
use super::wrap::{truncate, wrap};
use super::{DrawContext, Kind};
use crate::text::Bilingual;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use serde_json::{Value, json};

/// Prose in both languages.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    pub text: Bilingual,
    /// A stream being written (generated text): when more lines than fit,
    /// the last ones are shown, the first of them opening with `…`.
    pub tail: bool,
}

impl Kind for Text {
    /// The English text, like the rest of the trace.
    fn to_json(&self) -> Option<Value> {
        Some(json!(self.text.en))
    }

    fn heights(&self, width: u16, _colour: bool) -> Vec<u16> {
        // The longer of the two languages decides, so the layout does not jump
        // when the language changes.
        if self.tail {
            // A stream grows; its place on screen does not.
            return vec![11, 6, 3];
        }
        let text = &self.text;
        let lines = wrap(&text.en, width).len().max(wrap(&text.zh, width).len());
        vec![clamp(1 + lines), 2]
    }

    fn draw(&self, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
        let mut lines = wrap(&self.text.get(ctx.lang), area.width);
        let h = usize::from(area.height);
        if self.tail && lines.len() > h {
            lines.drain(..lines.len() - h);
            let first = truncate(&lines[0], usize::from(area.width).saturating_sub(1));
            lines[0] = format!("…{first}");
            for (i, line) in lines.iter().enumerate() {
                put(buf, area, area.x, area.y + i as u16, line, ctx.theme.text);
            }
            return;
        }
        for (i, line) in lines.iter().enumerate().take(h) {
            let line = if i + 1 == h && lines.len() > h {
                // More than fits: say so at the end of the last line shown.
                let mut cut =
                    truncate(line, usize::from(area.width).saturating_sub(1)).into_owned();
                if !cut.ends_with('…') {
                    cut.push('…');
                }
                cut
            } else {
                line.clone()
            };
            put(buf, area, area.x, area.y + i as u16, &line, ctx.theme.text);
        }
    }

    fn has_non_finite(&self) -> bool {
        false
    }

    fn wide(&self, _column: u16) -> bool {
        true
    }

    fn keep_rank(&self) -> u8 {
        0
    }
}

fn clamp(n: usize) -> u16 {
    n.min(usize::from(u16::MAX)) as u16
}
