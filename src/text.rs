//! Text in the two languages nnzoo speaks.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Which language the program speaks: English, Chinese, or both side by side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Zh,
    Both,
}

impl Lang {
    /// The next language in the cycle English -> Chinese -> both -> English.
    pub fn next(self) -> Lang {
        match self {
            Lang::En => Lang::Zh,
            Lang::Zh => Lang::Both,
            Lang::Both => Lang::En,
        }
    }
}

/// A piece of text with an English and a Chinese form.
///
/// Used both by catalogue entries (owned strings read from JSON) and by
/// models (mostly `'static` labels), hence the `Cow`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(description = "The same text in English (`en`) and Chinese (`zh`).")]
pub struct Bilingual {
    pub en: Cow<'static, str>,
    pub zh: Cow<'static, str>,
}

impl Bilingual {
    /// A label from two static strings.
    pub const fn new(en: &'static str, zh: &'static str) -> Bilingual {
        Bilingual {
            en: Cow::Borrowed(en),
            zh: Cow::Borrowed(zh),
        }
    }

    /// A label built at run time, e.g. with numbers in it.
    pub fn owned(en: impl Into<String>, zh: impl Into<String>) -> Bilingual {
        Bilingual {
            en: Cow::Owned(en.into()),
            zh: Cow::Owned(zh.into()),
        }
    }

    /// The same text in both languages (numbers, symbols, names).
    pub fn same(text: impl Into<String>) -> Bilingual {
        let text = text.into();
        Bilingual {
            en: Cow::Owned(text.clone()),
            zh: Cow::Owned(text),
        }
    }

    /// The text in `lang`; `Both` gives "English / 中文" (or one form when they are equal).
    pub fn get(&self, lang: Lang) -> Cow<'_, str> {
        match lang {
            Lang::En => Cow::Borrowed(&self.en),
            Lang::Zh => Cow::Borrowed(&self.zh),
            Lang::Both if self.en == self.zh => Cow::Borrowed(&self.en),
            Lang::Both => Cow::Owned(format!("{} / {}", self.en, self.zh)),
        }
    }
}

/// "1 pattern", "2 patterns": a count with its noun, singular for one.
pub fn count(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// `text` with every control character (C0 such as ESC, BEL, CR, backspace
/// and NUL, DEL, and the C1 range) written out as `\u{1b}`, so that text
/// read from a file or typed on the command line can be shown on a terminal
/// without sending it commands.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod escape_tests {
    use super::escape_controls;

    #[test]
    fn one_thing_is_singular() {
        assert_eq!(super::count(1u32, "pattern", "patterns"), "1 pattern");
        assert_eq!(super::count(0u32, "pattern", "patterns"), "0 patterns");
        assert_eq!(super::count(2u32, "pattern", "patterns"), "2 patterns");
    }

    #[test]
    fn control_characters_are_made_visible() {
        assert_eq!(escape_controls("plain 中文"), "plain 中文");
        assert_eq!(
            escape_controls("a\u{1b}[31mb\u{7}\r\u{8}\0\u{9b}"),
            "a\\u{1b}[31mb\\u{7}\\u{d}\\u{8}\\u{0}\\u{9b}"
        );
    }
}
