//! A recurrent cell's step in the order its data flows: the previous state,
//! then the gates, then the new state, one line per stage, each vector on
//! its own scale, with a sentence saying what its current value does.
//! Several cells stepping on the same input stand side by side as panels.
//!
//! Two forms, richest first:
//! - full: per stage, its symbol and name, a strip of one glyph per unit,
//!   and as many of its values as the width allows; its sentence on the
//!   line under it;
//! - compact: per stage one line, the strip and then the sentence (cut to
//!   the width).
//!
//! The strip reads without colour: a glyph grows up from the bottom with
//! the value on a range from zero up (a gate: empty closed, full open);
//! on a signed range positive values grow up and negative ones hang down;
//! a value beyond the range shows `▲` or `▼`, NaN and infinities `!`.

use super::paint::{non_finite_style, put, set_cell, value_style};
use super::vector::{Beyond, beyond, format_short};
use super::wrap::truncate;
use super::{DrawContext, Kind, floats};
use crate::text::Bilingual;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use serde_json::Value;
use unicode_width::UnicodeWidthStr;

/// Cells stepping side by side, each a panel of stages.
#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    pub panels: Vec<FlowPanel>,
}

/// One cell's stages, in the order the data flows.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowPanel {
    /// Which cell (`LSTM`, `GRU`); empty when the panel stands alone.
    pub title: Bilingual,
    pub stages: Vec<FlowStage>,
}

/// One stage of a cell: a vector with its meaning.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowStage {
    /// Its key in the JSON trace (`gate_f`, `h`), or `None` for values the
    /// trace holds elsewhere (the previous state is the last line's).
    pub name: Option<String>,
    /// How the equations write it: `f`, `c'`.
    pub symbol: String,
    pub label: Bilingual,
    pub values: Vec<f32>,
    /// The range it is drawn and coloured on: (0, 1) for a sigmoid gate.
    pub range: (f32, f32),
    /// What its current value does, in a sentence ("keeps 44% of the old
    /// cell state"); empty for none.
    pub note: Bilingual,
    /// Whether the stage is the one that ran last.
    pub current: bool,
    /// Whether the stage has not run yet in the step under way (its values
    /// are the last step's).
    pub pending: bool,
}

/// Cells per unit in the strip.
const GLYPHS_UP: [&str; 9] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];
/// The longest name drawn; longer ones end in `…`.
const LABEL_MAX: usize = 18;
/// The width of a value printed short (see [`format_short`]) and its gap.
const NUMBER_W: u16 = 6;
/// Columns between panels.
const PANEL_GAP: u16 = 2;
/// The least room for a sentence beside which a stage's name is drawn too:
/// short of it, the symbol alone names the stage and the sentence gets
/// the room.
const NOTE_MIN: u16 = 36;

impl Flow {
    fn has_titles(&self) -> bool {
        self.panels.iter().any(|p| !p.title.en.is_empty())
    }

    /// Rows of the tallest panel in the full form.
    fn full_rows(&self) -> usize {
        self.panels
            .iter()
            .map(|p| {
                p.stages
                    .iter()
                    .map(|s| 1 + usize::from(!s.note.en.is_empty()))
                    .sum::<usize>()
            })
            .max()
            .unwrap_or(0)
    }

    fn compact_rows(&self) -> usize {
        self.panels
            .iter()
            .map(|p| p.stages.len())
            .max()
            .unwrap_or(0)
    }

    /// The columns each panel gets in `width`.
    fn panel_width(&self, width: u16) -> u16 {
        let n = self.panels.len().max(1) as u16;
        (width.saturating_sub(PANEL_GAP * (n - 1)) / n).max(1)
    }
}

impl Kind for Flow {
    fn to_json(&self) -> Option<Value> {
        let mut map = serde_json::Map::new();
        for stage in self.panels.iter().flat_map(|p| &p.stages) {
            if let Some(name) = &stage.name {
                map.insert(name.clone(), floats(&stage.values));
            }
        }
        Some(Value::Object(map))
    }

    fn trace_entries(&self, _name: &str) -> Vec<(String, Value)> {
        self.panels
            .iter()
            .flat_map(|p| &p.stages)
            .filter_map(|s| Some((s.name.clone()?, floats(&s.values))))
            .collect()
    }

    fn heights(&self, _width: u16, _colour: bool) -> Vec<u16> {
        let titles = usize::from(self.has_titles());
        [self.full_rows(), self.compact_rows()]
            .into_iter()
            .map(|rows| (1 + titles + rows).min(usize::from(u16::MAX)) as u16)
            .collect()
    }

    fn draw(&self, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
        let titles = u16::from(self.has_titles());
        let full = usize::from(area.height.saturating_sub(titles)) >= self.full_rows();
        let panel_w = self.panel_width(area.width);
        for (k, panel) in self.panels.iter().enumerate() {
            let x = area.x + k as u16 * (panel_w + PANEL_GAP);
            let panel_area = Rect::new(x, area.y, panel_w, area.height).intersection(area);
            if panel_area.is_empty() {
                continue;
            }
            if titles == 1 {
                let title = panel.title.get(ctx.lang);
                put(buf, panel_area, x, area.y, &title, ctx.theme.title);
            }
            let body = Rect {
                y: panel_area.y + titles,
                height: panel_area.height.saturating_sub(titles),
                ..panel_area
            };
            draw_panel(panel, full, body, buf, ctx);
        }
    }

    fn has_non_finite(&self) -> bool {
        self.panels
            .iter()
            .flat_map(|p| &p.stages)
            .any(|s| s.values.iter().any(|v| !v.is_finite()))
    }

    fn wide(&self, _column: u16) -> bool {
        true
    }

    /// The cell's step is what the lab is for.
    fn keep_rank(&self) -> u8 {
        4
    }

    /// Every stage on a line of its own.
    fn readable_height(&self) -> u16 {
        let titles = usize::from(self.has_titles());
        (1 + titles + self.compact_rows()).min(usize::from(u16::MAX)) as u16
    }
}

/// One panel's stages into `area`, full or compact.
fn draw_panel(panel: &FlowPanel, full: bool, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
    let units = panel
        .stages
        .iter()
        .map(|s| s.values.len())
        .max()
        .unwrap_or(0);
    let symbol_w = panel
        .stages
        .iter()
        .map(|s| s.symbol.width())
        .max()
        .unwrap_or(0)
        .min(4) as u16;
    let label_w = panel
        .stages
        .iter()
        .map(|s| s.label.get(ctx.lang).width())
        .max()
        .unwrap_or(0)
        .min(LABEL_MAX) as u16;
    // Mark, symbol, name; the strip; what is left for numbers or a sentence.
    let strip_w = (units as u16).min(area.width / 3).max(1);
    let head_w = 2 + symbol_w + 1;
    let with_label = area.width >= head_w + label_w + 1 + strip_w + 1 + NOTE_MIN;
    let strip_x = head_w + if with_label { label_w + 1 } else { 0 };
    let rest_x = strip_x + strip_w + 1;
    let mut y = area.y;
    for stage in &panel.stages {
        if y >= area.bottom() {
            break;
        }
        let mut style = if stage.pending {
            ctx.theme.dim
        } else {
            ctx.theme.text
        };
        if stage.current {
            style = ctx.theme.highlight;
        }
        let mark = if stage.current { "▸ " } else { "  " };
        let x = put(buf, area, area.x, y, mark, ctx.theme.key);
        put(
            buf,
            area,
            x,
            y,
            &stage.symbol,
            style.add_modifier(Modifier::BOLD),
        );
        if with_label {
            let label = stage.label.get(ctx.lang);
            put(
                buf,
                area,
                area.x + head_w,
                y,
                &truncate(&label, usize::from(label_w)),
                if stage.current { style } else { ctx.theme.dim },
            );
        }
        let strip = Rect::new(area.x.saturating_add(strip_x), y, strip_w, 1).intersection(area);
        draw_strip(stage, strip, buf, ctx);
        let rest = Rect::new(
            area.x.saturating_add(rest_x),
            y,
            area.width.saturating_sub(rest_x),
            1,
        )
        .intersection(area);
        let note = stage.note.get(ctx.lang);
        if full {
            draw_numbers(stage, rest, buf, ctx);
            if !note.is_empty() {
                y += 1;
                let under = Rect::new(
                    area.x.saturating_add(head_w),
                    y,
                    area.width.saturating_sub(head_w),
                    1,
                )
                .intersection(area);
                put(
                    buf,
                    under,
                    under.x,
                    y,
                    &truncate(&note, usize::from(under.width)),
                    if stage.pending {
                        ctx.theme.dim
                    } else {
                        ctx.theme.text
                    },
                );
            }
        } else if !note.is_empty() {
            put(
                buf,
                rest,
                rest.x,
                y,
                &truncate(&note, usize::from(rest.width)),
                if stage.pending {
                    ctx.theme.dim
                } else {
                    ctx.theme.text
                },
            );
        } else {
            draw_numbers(stage, rest, buf, ctx);
        }
        y += 1;
    }
}

/// One glyph per unit on the stage's own scale; `+k` when some do not fit.
fn draw_strip(stage: &FlowStage, strip: Rect, buf: &mut Buffer, ctx: &DrawContext) {
    let n = stage.values.len();
    let room = usize::from(strip.width);
    let shown = if n > room { room.saturating_sub(2) } else { n };
    for (i, &v) in stage.values.iter().take(shown).enumerate() {
        let (glyph, style) = strip_glyph(v, stage.range, ctx);
        set_cell(buf, strip, strip.x + i as u16, strip.y, glyph, style);
    }
    if shown < n {
        put(
            buf,
            strip,
            strip.x + shown as u16,
            strip.y,
            &format!("+{}", n - shown),
            ctx.theme.dim,
        );
    }
}

/// The glyph and style of one unit in a strip.
fn strip_glyph(
    v: f32,
    range: (f32, f32),
    ctx: &DrawContext,
) -> (&'static str, ratatui::style::Style) {
    let (lo, hi) = range;
    let range = if lo.is_finite() && hi.is_finite() && lo < hi {
        range
    } else {
        (-1.0, 1.0)
    };
    let style = value_style(v, range, ctx.theme);
    if !v.is_finite() {
        return ("!", non_finite_style(ctx.theme));
    }
    if let Some(side) = beyond(v, range) {
        return (side.caret(), style);
    }
    let (lo, hi) = range;
    let eighths = |t: f32| (t.clamp(0.0, 1.0) * 8.0).round() as usize;
    let glyph = if lo >= 0.0 || hi <= 0.0 {
        GLYPHS_UP[eighths((v - lo) / (hi - lo))]
    } else if v >= 0.0 {
        GLYPHS_UP[eighths(v / hi)]
    } else {
        match eighths(v / lo) {
            0 => " ",
            1..=3 => "▔",
            4..=6 => "▀",
            _ => "█",
        }
    };
    // An empty cell still says where the unit is.
    (if glyph == " " { "·" } else { glyph }, style)
}

/// As many of the stage's values as fit in `area`, `+k` for the rest.
fn draw_numbers(stage: &FlowStage, area: Rect, buf: &mut Buffer, ctx: &DrawContext) {
    let n = stage.values.len();
    let fit = usize::from(area.width.saturating_add(1) / NUMBER_W);
    let shown = if n > fit { fit.saturating_sub(1) } else { n };
    let mut x = area.x;
    for &v in stage.values.iter().take(shown) {
        let mut text = format_short(v);
        let mut w = NUMBER_W;
        if let Some(side) = beyond(v, stage.range).filter(|_| v.is_finite()) {
            // The number says how far; the mark says it left the scale.
            text = match side {
                Beyond::Above => format!("{text}▲"),
                Beyond::Below => format!("{text}▼"),
            };
            w += 1;
        }
        let mut style = value_style(v, stage.range, ctx.theme);
        if stage.pending {
            style = style.add_modifier(Modifier::DIM);
        }
        put(buf, area, x, area.y, &format!("{text:>5}"), style);
        x = x.saturating_add(w);
    }
    if shown < n {
        put(
            buf,
            area,
            x,
            area.y,
            &format!("+{}", n - shown),
            ctx.theme.dim,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Lang;
    use crate::tui::theme::Theme;

    fn stage(values: Vec<f32>, range: (f32, f32), note: &str) -> FlowStage {
        FlowStage {
            name: Some("gate_f".into()),
            symbol: "f".into(),
            label: Bilingual::new("forget gate", "遗忘门"),
            values,
            range,
            note: Bilingual::owned(note, note),
            current: false,
            pending: false,
        }
    }

    fn lines(flow: &Flow, width: u16, height: u16) -> Vec<String> {
        let theme = Theme::plain();
        let ctx = DrawContext {
            lang: Lang::En,
            theme: &theme,
            cursor: None,
        };
        let area = Rect::new(0, 0, width, height);
        let mut buf = Buffer::empty(area);
        flow.draw(area, &mut buf, &ctx);
        (0..height)
            .map(|y| {
                (0..width)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect::<String>()
            })
            .collect()
    }

    #[test]
    fn a_gate_strip_reads_from_closed_to_open_and_marks_what_passes_its_range() {
        let flow = Flow {
            panels: vec![FlowPanel {
                title: Bilingual::default(),
                stages: vec![stage(vec![0.0, 0.5, 1.0, 1.25, -0.1], (0.0, 1.0), "keeps")],
            }],
        };
        // Full form: the strip, every value, the sentence under them.
        let full = lines(&flow, 70, 2);
        assert_eq!(
            full[0].trim_end(),
            "  f forget gate ·▄█▲▼ +0.00 +0.50 +1.00 +1.25▲ -0.10▼"
        );
        assert_eq!(full[1].trim_end(), "    keeps");
        // Compact form: one line, the sentence after the strip.
        let compact = lines(&flow, 70, 1);
        assert_eq!(compact[0].trim_end(), "  f forget gate ·▄█▲▼ keeps");
        // Narrow: as many values as fit, and how many did not.
        let narrow = lines(&flow, 30, 2);
        assert!(
            narrow[0].trim_end().ends_with("+0.00 +0.50 +3"),
            "{narrow:?}"
        );
    }

    #[test]
    fn the_trace_keeps_each_named_stage_under_its_name() {
        let mut unnamed = stage(vec![0.5], (0.0, 1.0), "");
        unnamed.name = None;
        let flow = Flow {
            panels: vec![FlowPanel {
                title: Bilingual::default(),
                stages: vec![stage(vec![0.25], (0.0, 1.0), ""), unnamed],
            }],
        };
        let entries = flow.trace_entries("flow");
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].0, "gate_f");
        assert_eq!(entries[0].1, serde_json::json!([0.25]));
    }
}
