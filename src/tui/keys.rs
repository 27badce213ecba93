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

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// One key as a binding table spells it: a key code, with or without Ctrl.
///
/// Letters match by the character itself, so `G` is Shift-g whatever the
/// terminal reports as modifiers; Alt never matches a plain binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

impl Key {
    /// A plain character key.
    pub const fn char(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            ctrl: false,
        }
    }

    /// Ctrl and a character.
    pub const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            ctrl: true,
        }
    }

    /// A named key (arrows, Enter, Esc, ...).
    pub const fn code(code: KeyCode) -> Key {
        Key { code, ctrl: false }
    }

    /// The key's name as help shows it, in ASCII so that no terminal draws
    /// it wider than counted.
    pub fn name(self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) if self.ctrl => c.to_ascii_uppercase().to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Up => "Up".into(),
            KeyCode::Down => "Down".into(),
            KeyCode::Left => "Left".into(),
            KeyCode::Right => "Right".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::Delete => "Del".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        if self.ctrl {
            format!("Ctrl-{base}")
        } else {
            base
        }
    }

    /// Whether a key press from the terminal is this key.
    pub fn matches(self, event: &KeyEvent) -> bool {
        if event.kind == KeyEventKind::Release {
            return false;
        }
        let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
        let alt = event.modifiers.contains(KeyModifiers::ALT);
        if alt || ctrl != self.ctrl {
            return false;
        }
        match (self.code, event.code) {
            (KeyCode::Char(a), KeyCode::Char(b)) if self.ctrl => a.eq_ignore_ascii_case(&b),
            (a, b) => a == b,
        }
    }
}

/// One binding: the keys that trigger an action and what the action does
/// in both languages. Help shows the keys by their names ([`Key::name`]), so
/// it cannot name a key the binding does not have.
#[derive(Debug, Clone)]
pub struct Binding<A> {
    pub keys: &'static [Key],
    pub action: A,
    pub label: Bilingual,
    pub in_footer: bool,
}

/// The action `table` binds to `event`, if any.
pub fn dispatch<A: Copy>(table: &[Binding<A>], event: &KeyEvent) -> Option<A> {
    table
        .iter()
        .find(|binding| binding.keys.iter().any(|key| key.matches(event)))
        .map(|binding| binding.action)
}

/// The help lines of `table`, in its order, each with all its keys.
pub fn help<A>(table: &[Binding<A>]) -> Vec<KeyHelp> {
    table
        .iter()
        .map(|binding| KeyHelp {
            keys: Cow::Owned(
                binding
                    .keys
                    .iter()
                    .map(|key| key.name())
                    .collect::<Vec<_>>()
                    .join("/"),
            ),
            label: binding.label.clone(),
            in_footer: binding.in_footer,
        })
        .collect()
}

/// The footer hints of `table`: its footer bindings, each by its first key.
pub fn footer<A>(table: &[Binding<A>]) -> Vec<KeyHelp> {
    table
        .iter()
        .filter(|binding| binding.in_footer)
        .filter_map(|binding| {
            binding.keys.first().map(|key| KeyHelp {
                keys: Cow::Owned(key.name()),
                label: binding.label.clone(),
                in_footer: true,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Act {
        Down,
        Quit,
        Bottom,
    }

    const TABLE: &[Binding<Act>] = &[
        Binding {
            keys: &[Key::char('j'), Key::code(KeyCode::Down)],
            action: Act::Down,
            label: Bilingual::new("down", "下"),
            in_footer: true,
        },
        Binding {
            keys: &[Key::char('G')],
            action: Act::Bottom,
            label: Bilingual::new("bottom", "底部"),
            in_footer: false,
        },
        Binding {
            keys: &[Key::ctrl('c')],
            action: Act::Quit,
            label: Bilingual::new("quit", "退出"),
            in_footer: false,
        },
    ];

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn keys_dispatch_from_the_table_that_help_shows() {
        let none = KeyModifiers::NONE;
        assert_eq!(
            dispatch(TABLE, &press(KeyCode::Char('j'), none)),
            Some(Act::Down)
        );
        assert_eq!(
            dispatch(TABLE, &press(KeyCode::Down, none)),
            Some(Act::Down)
        );
        // Shift-g arrives as 'G' with SHIFT set.
        assert_eq!(
            dispatch(TABLE, &press(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Act::Bottom)
        );
        assert_eq!(
            dispatch(TABLE, &press(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Act::Quit)
        );
        // Plain c, Alt-j and a released key do nothing.
        assert_eq!(dispatch(TABLE, &press(KeyCode::Char('c'), none)), None);
        assert_eq!(
            dispatch(TABLE, &press(KeyCode::Char('j'), KeyModifiers::ALT)),
            None
        );
        let mut release = press(KeyCode::Char('j'), none);
        release.kind = KeyEventKind::Release;
        assert_eq!(dispatch(TABLE, &release), None);
        let shown: Vec<_> = help(TABLE).into_iter().map(|h| h.keys).collect();
        assert_eq!(shown, ["j/Down", "G", "Ctrl-C"]);
        let footer: Vec<_> = footer(TABLE).into_iter().map(|h| h.keys).collect();
        assert_eq!(footer, ["j"]);
    }
}
