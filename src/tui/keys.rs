//! Key bindings as data: each part of the UI keeps one table of its
//! bindings, dispatches keys from it, and builds its footer hints and help
//! from the same table, so what the help says is what the keys do.

use crate::text::Bilingual;
use std::borrow::Cow;

/// One line of help: the keys as shown ("j/↓") and what they do.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyHelp {
    pub keys: Cow<'static, str>,
    pub label: Bilingual,
    /// Whether the footer shows it (the help popup shows every binding).
    pub in_footer: bool,
}
