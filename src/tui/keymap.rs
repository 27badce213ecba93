//! The browser's key bindings: one table per place a key can land. The
//! event handler dispatches from these tables and the footer and help popup
//! are built from them (see [`super::keys`]).

use super::keys::{Binding, Key};
use super::strings as s;
use crate::text::Bilingual;
use ratatui::crossterm::event::KeyCode;

/// What a key asks the browser to do. Its meaning depends on the pane that
/// has the focus: `Down` moves the list's selection, scrolls the card, or
/// moves to the next related entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    Help,
    Language,
    Legend,
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    NextPane,
    PrevPane,
    Open,
    Back,
    Search,
    Export,
    RunnableOnly,
    // Search line editing.
    Accept,
    DeleteChar,
    DeleteQuery,
}

use Action::*;

const fn b(
    keys: &'static [Key],
    action: Action,
    label: Bilingual,
    in_footer: bool,
) -> Binding<Action> {
    Binding {
        keys,
        action,
        label,
        in_footer,
    }
}

const UP: Key = Key::code(KeyCode::Up);
const DOWN: Key = Key::code(KeyCode::Down);
const LEFT: Key = Key::code(KeyCode::Left);
const RIGHT: Key = Key::code(KeyCode::Right);
const ENTER: Key = Key::code(KeyCode::Enter);
const ESC: Key = Key::code(KeyCode::Esc);
const TAB: Key = Key::code(KeyCode::Tab);
const BACKTAB: Key = Key::code(KeyCode::BackTab);
const HOME: Key = Key::code(KeyCode::Home);
const END: Key = Key::code(KeyCode::End);
const PGUP: Key = Key::code(KeyCode::PageUp);
const PGDN: Key = Key::code(KeyCode::PageDown);

/// Keys that work wherever no text is being typed (the lab, the popups, the
/// panes), after the place's own table.
pub const GLOBAL: &[Binding<Action>] = &[
    b(&[Key::char('?')], Help, s::KEY_HELP, true),
    b(&[Key::char('L')], Language, s::KEY_LANG, true),
    b(&[Key::char('S')], Export, s::KEY_EXPORT, false),
    b(&[Key::char('q'), Key::ctrl('c')], Quit, s::KEY_QUIT, true),
];

/// The catalogue list.
pub const LIST: &[Binding<Action>] = &[
    b(&[Key::char('j'), DOWN], Down, s::KEY_DOWN, true),
    b(&[Key::char('k'), UP], Up, s::KEY_UP, true),
    b(&[Key::char('g'), HOME], Top, s::KEY_TOP, false),
    b(&[Key::char('G'), END], Bottom, s::KEY_BOTTOM, false),
    b(&[PGDN, Key::ctrl('d')], PageDown, s::KEY_PAGE_DOWN, false),
    b(&[PGUP, Key::ctrl('u')], PageUp, s::KEY_PAGE_UP, false),
    b(&[ENTER], Open, s::KEY_OPEN, true),
    b(&[Key::char('/')], Search, s::KEY_SEARCH, true),
    b(&[TAB, Key::char('l'), RIGHT], NextPane, s::KEY_PANE, true),
    b(&[BACKTAB], PrevPane, s::KEY_PANE_BACK, false),
    b(&[Key::char('d')], Legend, s::KEY_LEGEND, false),
    b(&[Key::char('r')], RunnableOnly, s::KEY_RUNNABLE_ONLY, true),
    b(&[ESC], Back, s::KEY_CLEAR, false),
];

/// The entry card.
pub const CARD: &[Binding<Action>] = &[
    b(&[Key::char('j'), DOWN], Down, s::KEY_SCROLL_DOWN, true),
    b(&[Key::char('k'), UP], Up, s::KEY_SCROLL_UP, true),
    b(&[Key::char('g'), HOME], Top, s::KEY_TOP, false),
    b(&[Key::char('G'), END], Bottom, s::KEY_BOTTOM, false),
    b(
        &[PGDN, Key::ctrl('d'), Key::char(' ')],
        PageDown,
        s::KEY_PAGE_DOWN,
        false,
    ),
    b(&[PGUP, Key::ctrl('u')], PageUp, s::KEY_PAGE_UP, false),
    b(&[ENTER], Open, s::KEY_OPEN_LAB, true),
    b(&[Key::char('d')], Legend, s::KEY_LEGEND, true),
    b(&[TAB], NextPane, s::KEY_PANE, true),
    b(
        &[BACKTAB, Key::char('h'), LEFT],
        PrevPane,
        s::KEY_PANE_BACK,
        false,
    ),
    b(&[Key::char('/')], Search, s::KEY_SEARCH, false),
    b(&[ESC], Back, s::KEY_BACK, true),
];

/// The related entries under the card.
pub const RELATED: &[Binding<Action>] = &[
    b(
        &[Key::char('l'), RIGHT, Key::char('j'), DOWN],
        Down,
        s::KEY_NEXT,
        true,
    ),
    b(
        &[Key::char('h'), LEFT, Key::char('k'), UP],
        Up,
        s::KEY_PREVIOUS,
        true,
    ),
    b(&[ENTER], Open, s::KEY_JUMP, true),
    b(&[Key::char('d')], Legend, s::KEY_LEGEND, false),
    b(&[TAB], NextPane, s::KEY_PANE, true),
    b(&[BACKTAB], PrevPane, s::KEY_PANE_BACK, false),
    b(&[Key::char('/')], Search, s::KEY_SEARCH, false),
    b(&[ESC], Back, s::KEY_BACK, true),
];

/// While a search query is being typed: every other printable key is text.
pub const SEARCH: &[Binding<Action>] = &[
    b(&[DOWN, Key::ctrl('n')], Down, s::KEY_DOWN, true),
    b(&[UP, Key::ctrl('p')], Up, s::KEY_UP, true),
    b(&[PGDN], PageDown, s::KEY_PAGE_DOWN, false),
    b(&[PGUP], PageUp, s::KEY_PAGE_UP, false),
    b(&[ENTER], Accept, s::KEY_ACCEPT, true),
    b(&[ESC], Back, s::KEY_CLEAR, true),
    b(
        &[Key::code(KeyCode::Backspace)],
        DeleteChar,
        s::KEY_DELETE,
        false,
    ),
    b(&[Key::ctrl('u')], DeleteQuery, s::KEY_DELETE_ALL, false),
    b(&[Key::ctrl('c')], Quit, s::KEY_QUIT, true),
];

/// In the help and legend popups.
pub const POPUP: &[Binding<Action>] = &[
    b(&[Key::char('j'), DOWN], Down, s::KEY_SCROLL_DOWN, false),
    b(&[Key::char('k'), UP], Up, s::KEY_SCROLL_UP, false),
    b(&[Key::char('g'), HOME], Top, s::KEY_TOP, false),
    b(&[Key::char('G'), END], Bottom, s::KEY_BOTTOM, false),
    b(&[PGDN, Key::char(' ')], PageDown, s::KEY_PAGE_DOWN, false),
    b(&[PGUP], PageUp, s::KEY_PAGE_UP, false),
    b(
        &[ESC, Key::char('?'), Key::char('d'), ENTER],
        Back,
        s::KEY_CLOSE,
        true,
    ),
];
