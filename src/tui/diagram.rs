//! The poster's legend of cell kinds, drawn with colour AND shape: each kind
//! has its own ASCII glyph, so a diagram reads without colour (NO_COLOR, a
//! monochrome terminal, colour-blind eyes) and no terminal draws a glyph
//! wider than counted (unlike ● ○ ★, which some fonts make double-width).
//!
//! The glyphs follow the poster's families: inputs are round and yellow,
//! hidden cells are square-ish and green, outputs are big O's in orange,
//! recurrent and memory cells are blue, kernels and convolutions purple.

use crate::catalogue::{CellGroup, CellKind};
use crate::text::Lang;
use crate::tui::theme::Theme;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

/// The glyph of a cell kind: one ASCII character, distinct per kind.
pub fn glyph(kind: CellKind) -> char {
    match kind {
        CellKind::Input => 'o',
        CellKind::BackfedInput => '@',
        CellKind::NoisyInput => '*',
        CellKind::Hidden => '#',
        CellKind::ProbabilisticHidden => '%',
        CellKind::SpikingHidden => '!',
        CellKind::Capsule => '&',
        CellKind::Output => 'O',
        CellKind::MatchInputOutput => '$',
        CellKind::Recurrent => '~',
        CellKind::Memory => '=',
        CellKind::GatedMemory => '+',
        CellKind::Kernel => '^',
        CellKind::ConvolutionOrPool => 'x',
    }
}

/// The poster's colour of a kind, from the 256-colour palette.
fn colour(kind: CellKind) -> Color {
    Color::Indexed(match kind {
        CellKind::Input | CellKind::BackfedInput | CellKind::NoisyInput => 220,
        CellKind::Hidden | CellKind::ProbabilisticHidden | CellKind::SpikingHidden => 41,
        CellKind::Capsule => 205,
        CellKind::Output | CellKind::MatchInputOutput => 208,
        CellKind::Recurrent | CellKind::Memory | CellKind::GatedMemory => 39,
        CellKind::Kernel | CellKind::ConvolutionOrPool => 141,
    })
}

/// How a glyph of `kind` is drawn: bold always, coloured when colour is on.
pub fn style(kind: CellKind, theme: &Theme) -> Style {
    let bold = Style::new().add_modifier(Modifier::BOLD);
    if theme.colour {
        bold.fg(colour(kind))
    } else {
        bold
    }
}

/// The glyph of `kind` as a styled span.
pub fn span(kind: CellKind, theme: &Theme) -> Span<'static> {
    Span::styled(glyph(kind).to_string(), style(kind, theme))
}

/// At most this many glyphs of one group are drawn; the rest is a count.
const MAX_DRAWN: u32 = 8;

/// The lines of a layer diagram, one per layer from input to output, each
/// layer's glyphs centred on a common axis and followed, when `width`
/// allows, by what the layer holds ("input cell x3, recurrent cell x1").
pub fn lines(
    layers: &[Vec<CellGroup>],
    lang: Lang,
    theme: &Theme,
    width: usize,
) -> Vec<Line<'static>> {
    let drawn: Vec<(Vec<Span<'static>>, usize)> =
        layers.iter().map(|layer| glyphs(layer, theme)).collect();
    let axis = drawn.iter().map(|(_, w)| *w).max().unwrap_or(0);
    let mut out = Vec::with_capacity(layers.len());
    for (layer, (spans, glyph_width)) in layers.iter().zip(drawn) {
        let pad = (axis - glyph_width) / 2;
        let mut line = vec![Span::raw(" ".repeat(2 + pad))];
        line.extend(spans);
        let note = describe(layer, lang);
        let used = 2 + axis + 3;
        let right = axis - glyph_width - pad;
        if used + note.width() <= width {
            line.push(Span::raw(" ".repeat(right + 3)));
            line.push(Span::styled(note, theme.dim));
        }
        out.push(Line::from(line));
    }
    out
}

/// The glyphs of one layer, groups separated by two spaces, and their width.
fn glyphs(layer: &[CellGroup], theme: &Theme) -> (Vec<Span<'static>>, usize) {
    let mut spans = Vec::new();
    let mut width = 0;
    for (index, group) in layer.iter().enumerate() {
        if index > 0 {
            spans.push(Span::raw("  "));
            width += 2;
        }
        let shown = group.count.min(MAX_DRAWN) as usize;
        let mut text = String::with_capacity(shown * 2);
        for cell in 0..shown {
            if cell > 0 {
                text.push(' ');
            }
            text.push(glyph(group.kind));
        }
        if group.count > MAX_DRAWN {
            text.push_str(&format!(" +{}", group.count - MAX_DRAWN));
        }
        width += text.width();
        spans.push(Span::styled(text, style(group.kind, theme)));
    }
    (spans, width)
}

/// What a layer holds, in words: "input cell x3, recurrent cell x1".
fn describe(layer: &[CellGroup], lang: Lang) -> String {
    let lang = if lang == Lang::Both { Lang::Zh } else { lang };
    layer
        .iter()
        .map(|group| {
            let label = group.kind.label().get(lang).to_lowercase();
            format!("{label} x{}", group.count)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The legend: one line per cell kind, its glyph then its name.
pub fn legend(lang: Lang, theme: &Theme) -> Vec<Line<'static>> {
    let runnable = crate::text::Bilingual::new(
        "before the glyph: the entry's lab runs (Enter opens it; r lists only these)",
        "在符号前：此条目的实验室可运行（Enter 打开；r 只列出这些）",
    );
    let mut lines: Vec<Line<'static>> = CellKind::ALL
        .iter()
        .map(|&kind| {
            Line::from(vec![
                Span::raw(" "),
                span(kind, theme),
                Span::raw("  "),
                Span::styled(kind.label().get(lang).into_owned(), theme.text),
            ])
        })
        .collect();
    lines.push(Line::default());
    lines.push(Line::from(vec![
        Span::styled(" >", theme.key),
        Span::raw("  "),
        Span::styled(runnable.get(lang).into_owned(), theme.text),
    ]));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_kind_has_its_own_single_column_glyph() {
        let glyphs: HashSet<char> = CellKind::ALL.iter().map(|&k| glyph(k)).collect();
        assert_eq!(glyphs.len(), CellKind::ALL.len());
        assert!(glyphs.iter().all(|g| g.is_ascii_graphic()));
    }

    #[test]
    fn diagram_centres_layers_and_counts_what_it_does_not_draw() {
        let layers = vec![
            vec![CellGroup {
                kind: CellKind::Input,
                count: 3,
            }],
            vec![CellGroup {
                kind: CellKind::Hidden,
                count: 12,
            }],
            vec![
                CellGroup {
                    kind: CellKind::Output,
                    count: 1,
                },
                CellGroup {
                    kind: CellKind::Recurrent,
                    count: 1,
                },
            ],
        ];
        let text: Vec<String> = lines(&layers, Lang::En, &Theme::plain(), 80)
            .iter()
            .map(|line| line.to_string())
            .collect();
        assert_eq!(text[0], "        o o o          input cell x3");
        assert_eq!(text[1], "  # # # # # # # # +4   hidden cell x12");
        assert_eq!(
            text[2],
            "         O  ~          output cell x1, recurrent cell x1"
        );
        // Too narrow for the notes: glyphs only.
        let narrow = lines(&layers, Lang::En, &Theme::plain(), 20);
        assert_eq!(narrow[1].to_string(), "  # # # # # # # # +4");
    }
}
