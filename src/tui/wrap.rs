//! Text by display width: wrapping mixed Chinese and English, cutting to a
//! width, and highlighting matched characters.
//!
//! Widths are terminal columns (unicode-width), never bytes or chars: a
//! Chinese character takes two. Text is wrapped here, before it reaches a
//! widget, so every line is known to fit and no wide character can spill
//! over a border.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `text` wrapped to lines of at most `width` columns. Breaks between
/// words and between Chinese characters (Unicode line breaking), and
/// breaks a word longer than a line.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(2);
    // First fit: greedy, like a terminal or browser; optimal fit costs a
    // third of a frame on a long card for a barely different layout.
    let options = textwrap::Options::new(width)
        .break_words(true)
        .wrap_algorithm(textwrap::WrapAlgorithm::FirstFit);
    textwrap::wrap(text, options)
        .into_iter()
        .map(|line| {
            // textwrap keeps a line within `width` columns; a lone character
            // wider than the line (width 2 in a 1-column box) is cut here.
            if line.width() <= width {
                line.into_owned()
            } else {
                truncate(&line, width).to_string()
            }
        })
        .collect()
}

/// The longest prefix of `text` that fits in `width` columns.
pub fn truncate(text: &str, width: usize) -> &str {
    let mut used = 0;
    for (at, c) in text.char_indices() {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            return &text[..at];
        }
        used += w;
    }
    text
}

/// `spans` cut to `width` columns, never through a wide character, ending
/// with `…` where something was cut, and nothing after the cut (ratatui
/// would fill a column left by a wide character with the start of the next
/// span).
pub fn fit(spans: Vec<Span<'static>>, width: usize) -> Line<'static> {
    let total: usize = spans.iter().map(|s| s.content.width()).sum();
    if total <= width {
        return Line::from(spans);
    }
    let room = width.saturating_sub(1);
    let mut used = 0;
    let mut out = Vec::with_capacity(spans.len());
    for span in spans {
        let w = span.content.width();
        if used + w <= room {
            used += w;
            out.push(span);
        } else {
            let cut = truncate(&span.content, room - used).to_string();
            let style = span.style;
            out.push(Span::styled(cut, style));
            if width > 0 {
                out.push(Span::styled("…", style));
            }
            break;
        }
    }
    Line::from(out)
}

/// `text` as spans, the chars at `indices` (char positions, ascending) in
/// `highlight` and the rest in `base`.
pub fn highlighted(
    text: &str,
    indices: &[usize],
    base: Style,
    highlight: Style,
) -> Vec<Span<'static>> {
    if indices.is_empty() {
        return vec![Span::styled(text.to_string(), base)];
    }
    let mut spans = Vec::new();
    let mut current = String::new();
    let mut current_on = false;
    let mut next = indices.iter().peekable();
    for (position, c) in text.chars().enumerate() {
        while next.peek().is_some_and(|&&i| i < position) {
            next.next();
        }
        let on = next.peek().is_some_and(|&&i| i == position);
        if on != current_on && !current.is_empty() {
            let style = if current_on { highlight } else { base };
            spans.push(Span::styled(std::mem::take(&mut current), style));
        }
        current_on = on;
        current.push(c);
    }
    if !current.is_empty() {
        let style = if current_on { highlight } else { base };
        spans.push(Span::styled(current, style));
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixed_chinese_and_english_wraps_within_the_width() {
        let text = "LSTM 是一个逻辑回路，可存储输入和记忆神经元当前和先前值共四种状态，拥有三个门 (input, forget and output gates).";
        for width in [2, 3, 7, 10, 17, 30] {
            let lines = wrap(text, width);
            assert!(
                lines.iter().all(|l| l.width() <= width),
                "{width}: {lines:?}"
            );
            let joined: String = lines.concat().split_whitespace().collect();
            let expected: String = text.split_whitespace().collect();
            assert_eq!(joined, expected, "nothing lost at width {width}");
        }
        // Chinese breaks between characters, not only at spaces.
        assert_eq!(wrap("长短期记忆神经元", 6), ["长短期", "记忆神", "经元"]);
    }

    #[test]
    fn truncation_never_cuts_a_wide_character_in_half() {
        assert_eq!(truncate("长短期", 5), "长短");
        assert_eq!(truncate("ab长", 3), "ab");
        assert_eq!(truncate("abc", 10), "abc");
    }

    #[test]
    fn fitting_spans_stops_at_the_first_character_that_does_not_fit_and_says_so() {
        let spans = vec![Span::raw("拼音: "), Span::raw("shuang")];
        // Two columns for text and one for the ellipsis: 拼 fits, 音 does
        // not, and nothing after it may fill the gap.
        assert_eq!(fit(spans.clone(), 3).to_string(), "拼…");
        assert_eq!(fit(spans.clone(), 4).to_string(), "拼…");
        assert_eq!(fit(spans.clone(), 8).to_string(), "拼音: s…");
        assert_eq!(fit(spans.clone(), 12).to_string(), "拼音: shuang");
        assert_eq!(fit(spans.clone(), 1).to_string(), "…");
        assert_eq!(fit(spans, 0).to_string(), "");
    }

    #[test]
    fn highlighting_splits_spans_at_matched_chars() {
        let plain = Style::new();
        let hi = Style::new().underlined();
        let spans = highlighted("长短期记忆", &[1, 2], plain, hi);
        let parts: Vec<(&str, bool)> = spans
            .iter()
            .map(|s| (s.content.as_ref(), s.style == hi))
            .collect();
        assert_eq!(parts, [("长", false), ("短期", true), ("记忆", false)]);
        assert_eq!(highlighted("abc", &[], plain, hi).len(), 1);
    }
}
