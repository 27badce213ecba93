//! Text by display width for the views: Chinese and English mixed,
//! wrapped and cut to a number of terminal columns.

use std::borrow::Cow;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `text` broken into lines of at most `width` columns (Chinese may break
/// between any two characters, English at spaces, over-long words anywhere).
pub(crate) fn wrap(text: &str, width: u16) -> Vec<String> {
    let width = usize::from(width.max(1));
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        if paragraph.is_empty() {
            lines.push(String::new());
            continue;
        }
        let options = textwrap::Options::new(width).break_words(true);
        lines.extend(textwrap::wrap(paragraph, options).into_iter().map(|line| {
            // textwrap measures with the same widths; a single character
            // wider than the area is the only thing that can still overflow.
            truncate(&line, width).into_owned()
        }));
    }
    lines
}

/// `s` cut to `width` columns, ending in `…` when cut.
pub(crate) fn truncate(s: &str, width: usize) -> Cow<'_, str> {
    if s.width() <= width {
        return Cow::Borrowed(s);
    }
    if width == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    Cow::Owned(out)
}

/// `s` cut to `width` columns at the end of a word, ending in `…` when
/// cut: English is cut at a space, Chinese between any two characters; a
/// first word longer than the room is cut where it must be.
pub(crate) fn truncate_words(s: &str, width: usize) -> Cow<'_, str> {
    if s.width() <= width {
        return Cow::Borrowed(s);
    }
    if width == 0 {
        return Cow::Borrowed("");
    }
    let room = width - 1;
    let mut used = 0;
    // The byte length of the longest prefix ending where a word ends.
    let mut cut = None;
    let mut prev_wide = false;
    for (at, c) in s.char_indices() {
        let w = c.width().unwrap_or(0);
        if c == ' ' || prev_wide || w > 1 {
            let prefix = s[..at].trim_end();
            if !prefix.is_empty() && prefix.width() <= room {
                cut = Some(prefix.len());
            }
        }
        if used + w > room {
            break;
        }
        used += w;
        prev_wide = w > 1;
    }
    match cut {
        Some(len) => Cow::Owned(format!("{}…", &s[..len])),
        None => truncate(s, width),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_cut_whole() {
        assert_eq!(
            truncate_words("stored patterns (12)", 40),
            "stored patterns (12)"
        );
        assert_eq!(
            truncate_words("stored patterns (12)", 18),
            "stored patterns…"
        );
        assert_eq!(truncate_words("stored patterns (12)", 10), "stored…");
        assert_eq!(truncate_words("unbreakable", 5), "unbr…");
        assert_eq!(truncate_words("状态 s（探针的演化）", 10), "状态 s（…");
        assert_eq!(truncate_words("状态 s（探针的演化）", 12), "状态 s（探…");
        assert_eq!(truncate_words("abc", 0), "");
    }
}
