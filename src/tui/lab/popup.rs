//! The parameter popup: every parameter with its value, bounds and help;
//! values change within their bounds, and Enter applies them: live values to the running model, the rest by rebuilding it.

use crate::model::{ParamKind, ParamValue, Params};
use crate::text::{Bilingual, Lang};
use crate::tui::theme::Theme;
use crate::view::put;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Clear, Widget};
use unicode_width::UnicodeWidthStr;

pub(super) struct ParamsPopup {
    /// The values being edited (a copy: the model keeps its own until Enter).
    pub params: Params,
    selected: usize,
    /// What is being typed for the selected parameter.
    typed: Option<String>,
    /// Why the last change or rebuild failed.
    pub error: Option<Bilingual>,
}

/// A round step for a real parameter: about a hundredth of its span.
pub(super) fn float_step(min: f64, max: f64) -> f64 {
    let span = max - min;
    if !span.is_finite() || span <= 0.0 {
        return 0.1;
    }
    10f64.powf((span / 100.0).log10().floor())
}

impl ParamsPopup {
    pub fn new(params: Params) -> ParamsPopup {
        ParamsPopup {
            params,
            selected: 0,
            typed: None,
            error: None,
        }
    }

    pub fn move_selection(&mut self, by: isize) {
        if !self.commit_typing() {
            return;
        }
        let n = self.params.specs().len();
        if n > 0 {
            self.selected = (self.selected as isize + by).rem_euclid(n as isize) as usize;
        }
    }

    /// Changes the selected value one notch within its bounds.
    pub fn adjust(&mut self, direction: i64) {
        self.typed = None;
        let Some((spec, value)) = self.params.iter().nth(self.selected) else {
            return;
        };
        let next = match (&spec.kind, value) {
            (ParamKind::Int { min, max }, ParamValue::Int(v)) => {
                (v + direction).clamp(*min, *max).to_string()
            }
            (ParamKind::Float { min, max }, ParamValue::Float(v)) => {
                let step = float_step(*min, *max);
                let decimals = (-step.log10()).max(0.0).round() as i32;
                let scale = 10f64.powi(decimals);
                let moved = ((v + direction as f64 * step) * scale).round() / scale;
                moved.clamp(*min, *max).to_string()
            }
            (ParamKind::Choice(choices), ParamValue::Choice(v)) if !choices.is_empty() => {
                let i = choices.iter().position(|c| c == v).unwrap_or(0) as i64;
                choices[(i + direction).rem_euclid(choices.len() as i64) as usize].to_string()
            }
            // Text with values on offer (built-in sets): ←/→ go through them;
            // from typed text, → starts at the first and ← at the last.
            (ParamKind::Text { offered, .. }, ParamValue::Text(v)) if !offered.is_empty() => {
                let n = offered.len() as i64;
                let next = match offered.iter().position(|c| *c == v.trim()) {
                    Some(i) => (i as i64 + direction).rem_euclid(n),
                    None if direction > 0 => 0,
                    None => n - 1,
                };
                offered[next as usize].to_string()
            }
            _ => return,
        };
        let name = spec.name;
        self.set(name, &next);
    }

    fn set(&mut self, name: &str, raw: &str) -> bool {
        match self.params.set(name, raw) {
            Ok(()) => {
                self.error = None;
                true
            }
            Err(e) => {
                self.error = Some(e.message());
                false
            }
        }
    }

    pub fn type_char(&mut self, c: char) {
        if c.is_control() {
            return;
        }
        let typed = self.typed.get_or_insert_with(String::new);
        if typed.chars().count() < 256 {
            typed.push(c);
        }
    }

    pub fn paste(&mut self, text: &str) {
        for c in text.chars().filter(|c| !c.is_control()) {
            self.type_char(c);
        }
    }

    pub fn erase(&mut self) {
        if let Some(typed) = &mut self.typed {
            typed.pop();
        }
    }

    /// Drops what is being typed; false if nothing was (Esc then closes).
    pub fn cancel_typing(&mut self) -> bool {
        self.error = None;
        self.typed.take().is_some()
    }

    /// Sets the selected parameter from what was typed; false (with the
    /// reason shown and the text kept) if it is not allowed.
    pub fn commit_typing(&mut self) -> bool {
        let Some(typed) = self.typed.clone() else {
            return true;
        };
        let Some(name) = self.params.specs().get(self.selected).map(|s| s.name) else {
            return true;
        };
        if self.set(name, &typed) {
            self.typed = None;
            true
        } else {
            false
        }
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, lang: Lang, theme: &Theme) {
        let n = self.params.specs().len() as u16;
        let width = area.width.saturating_sub(4).clamp(area.width.min(20), 72);
        let height = (n + 6).min(area.height);
        let popup = Rect::new(
            area.x + (area.width - width) / 2,
            area.y + (area.height - height) / 2,
            width,
            height,
        );
        if popup.is_empty() {
            return;
        }
        clear_over_wide(popup, buf);
        Clear.render(popup, buf);
        let title = Bilingual::new(
            " parameters: Enter applies, Esc cancels ",
            " 参数：Enter 应用，Esc 取消 ",
        );
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border_focused)
            .title(title.get(lang).into_owned())
            .title_style(theme.title);
        let inner = block.inner(popup);
        block.render(popup, buf);
        if inner.is_empty() {
            return;
        }
        let name_w = self
            .params
            .specs()
            .iter()
            .map(|s| s.name.width())
            .max()
            .unwrap_or(0) as u16;
        let mut y = inner.y;
        for (i, (spec, value)) in self.params.iter().enumerate() {
            if y >= inner.bottom() {
                break;
            }
            let selected = i == self.selected;
            let row_style = if selected { theme.selected } else { theme.text };
            if selected {
                buf.set_style(Rect::new(inner.x, y, inner.width, 1), theme.selected);
            }
            let mut x = put(
                buf,
                inner,
                inner.x,
                y,
                &format!("{:<w$} ", spec.name, w = usize::from(name_w)),
                row_style.patch(theme.key),
            );
            let shown = match (&self.typed, selected) {
                (Some(typed), true) => format!("{typed}_"),
                _ => value.to_string(),
            };
            x = put(
                buf,
                inner,
                x,
                y,
                &format!("{shown:<10}"),
                row_style.patch(theme.highlight),
            );
            x = put(buf, inner, x, y, " ", row_style);
            x = put(buf, inner, x, y, &spec.label.get(lang), row_style);
            // Live parameters change the running model; the others rebuild it.
            let effect = if spec.role == crate::model::ParamRole::Live {
                Bilingual::new("live", "即时")
            } else {
                Bilingual::new("rebuilds", "重建")
            };
            put(
                buf,
                inner,
                x,
                y,
                &format!("  ({}; {})", spec.allowed(), effect.get(lang)),
                row_style.patch(theme.dim),
            );
            y += 1;
        }
        // The selected parameter's help, then the error if any.
        if let Some(spec) = self.params.specs().get(self.selected) {
            y = y.saturating_add(1);
            for line in crate::view::wrap(&spec.help.get(lang), inner.width) {
                if y >= inner.bottom() {
                    break;
                }
                put(buf, inner, inner.x, y, &line, theme.dim);
                y += 1;
            }
        }
        if let Some(error) = &self.error {
            let lines = crate::view::wrap(&error.get(lang), inner.width);
            let start = inner
                .bottom()
                .saturating_sub(lines.len() as u16)
                .max(inner.y);
            for (i, line) in lines.iter().enumerate() {
                put(
                    buf,
                    inner,
                    inner.x,
                    start + i as u16,
                    &format!("{line:<w$}", w = usize::from(inner.width)),
                    theme.error,
                );
            }
        }
    }
}

/// Blanks a wide character cut in half by the popup's left or right edge,
/// so the terminal does not draw half a glyph over the border (ratatui
/// issue 2526).
fn clear_over_wide(popup: Rect, buf: &mut Buffer) {
    for y in popup.top()..popup.bottom() {
        for x in [
            popup.x.checked_sub(1),
            Some(popup.right().saturating_sub(1)),
        ]
        .into_iter()
        .flatten()
        {
            let wide = buf.cell((x, y)).is_some_and(|c| c.symbol().width() > 1);
            if wide && let Some(cell) = buf.cell_mut((x, y)) {
                cell.set_symbol(" ");
            }
        }
    }
}
