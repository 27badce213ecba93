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
