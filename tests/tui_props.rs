//! Thousands of random key, mouse, paste and resize events fed to the
//! browser, each followed by drawing the screen: nothing panics, and every
//! drawn row stays exactly as wide as the screen (a wide character never
//! spills over a border).

use nnzoo::catalogue::Catalogue;
use nnzoo::text::Lang;
use nnzoo::tui::App;
use nnzoo::tui::theme::Theme;
use proptest::prelude::*;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;
use std::sync::OnceLock;
use unicode_width::UnicodeWidthStr;

fn catalogue() -> Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(Catalogue::builtin).clone()
}

fn key_code() -> impl Strategy<Value = KeyCode> {
    prop_oneof![
        // The bound letters and symbols, often.
        4 => prop::sample::select(vec!['j', 'k', 'g', 'G', 'h', 'l', 'd', '/', '?', 'L', ' ', 'q']).prop_map(KeyCode::Char),
        // Any text a person may type, Chinese included.
        2 => prop::sample::select(vec!['a', 'z', 'S', '1', '-', '长', '短', '期', '网', '络', 'é', '🧠']).prop_map(KeyCode::Char),
        3 => prop::sample::select(vec![
            KeyCode::Up, KeyCode::Down, KeyCode::Left, KeyCode::Right, KeyCode::PageUp, KeyCode::PageDown,
            KeyCode::Home, KeyCode::End, KeyCode::Enter, KeyCode::Esc, KeyCode::Tab, KeyCode::BackTab,
            KeyCode::Backspace, KeyCode::Delete, KeyCode::F(1),
        ]),
    ]
}

fn modifiers() -> impl Strategy<Value = KeyModifiers> {
    prop_oneof![
        8 => Just(KeyModifiers::NONE),
        1 => Just(KeyModifiers::SHIFT),
        // Ctrl-c would quit: any other Ctrl key is fine.
        1 => Just(KeyModifiers::CONTROL),
        1 => Just(KeyModifiers::ALT),
    ]
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        10 => (key_code(), modifiers()).prop_filter_map("not a quit", |(code, modifiers)| {
            let quits = matches!(code, KeyCode::Char('q') | KeyCode::Char('c'))
                && (code == KeyCode::Char('q') || modifiers.contains(KeyModifiers::CONTROL));
            (!quits).then(|| Event::Key(KeyEvent::new_with_kind(code, modifiers, KeyEventKind::Press)))
        }),
        3 => (
            prop::sample::select(vec![
                MouseEventKind::Down(MouseButton::Left),
                MouseEventKind::Down(MouseButton::Right),
                MouseEventKind::Up(MouseButton::Left),
                MouseEventKind::ScrollDown,
                MouseEventKind::ScrollUp,
                MouseEventKind::Moved,
            ]),
            0u16..260,
            0u16..90,
        )
            .prop_map(|(kind, column, row)| Event::Mouse(MouseEvent {
                kind,
                column,
                row,
                modifiers: KeyModifiers::NONE,
            })),
        1 => prop::sample::select(vec!["长短期", "hopfield", "cdqj", "LSTM\n", "\t", "", "  ", "循环 neural 网络", "\u{7}x"])
            .prop_map(|text| Event::Paste(text.to_string())),
        1 => (0u16..=250, 0u16..=80).prop_map(|(w, h)| Event::Resize(w, h)),
        1 => (prop_oneof![Just(0u16), Just(1), 39u16..=41, 79u16..=81], prop_oneof![Just(0u16), Just(1), 9u16..=11, 23u16..=25])
            .prop_map(|(w, h)| Event::Resize(w, h)),
    ]
}

fn lang() -> impl Strategy<Value = Lang> {
    prop::sample::select(vec![Lang::En, Lang::Zh, Lang::Both])
}

fn check_rows(buffer: &Buffer) {
    let area = buffer.area;
    for y in 0..area.height {
        let mut width = 0usize;
        let mut x = 0;
        while x < area.width {
            let symbol = buffer[(x, y)].symbol();
            let w = symbol.width().max(1);
            width += w;
            x += w as u16;
        }
        assert_eq!(width, area.width as usize, "row {y} overflows");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, ..ProptestConfig::default() })]

    #[test]
    fn random_events_never_panic(
        lang in lang(),
        width in 0u16..=200,
        height in 0u16..=60,
        events in prop::collection::vec(event(), 1..60),
    ) {
        // A random `S` saves the screen: into a scratch folder, not the work tree.
        let mut app = App::new(catalogue(), lang, Theme::coloured(), Rect::new(0, 0, width, height))
            .with_export_dir(std::env::temp_dir());
        for event in &events {
            app.handle(event);
            // A lab opened by a random Enter runs when a random space starts it.
            app.tick(std::time::Instant::now());
            let (width, height) = app.size();
            let mut buffer = Buffer::empty(Rect::new(0, 0, width, height));
            app.render(buffer.area, &mut buffer);
            check_rows(&buffer);
            if let Some(cursor) = app.cursor_position() {
                prop_assert!(cursor.x < width && cursor.y < height, "cursor {cursor:?} off screen");
            }
            prop_assert!(!app.should_quit());
        }
    }
}
