//! Snapshots of the browser's screens, rendered into ratatui's TestBackend:
//! the list, a card, search results, help and the too-small screen, at
//! 80x24 and 120x40, in English and in Chinese.
//!
//! The catalogue is a fixed copy of ten entries (tests/fixtures/zoo), so the
//! pictures change only when the UI does, not when the zoo's text is edited.

use nnzoo::catalogue::Catalogue;
use nnzoo::text::Lang;
use nnzoo::tui::App;
use nnzoo::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use std::path::Path;
use unicode_width::UnicodeWidthStr;

fn catalogue() -> Catalogue {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/zoo");
    let catalogue = Catalogue::default().with_dir(&dir);
    assert_eq!(catalogue.entries().len(), 10, "{:?}", catalogue.problems());
    catalogue
}

fn app(width: u16, height: u16, lang: Lang) -> App {
    App::new(
        catalogue(),
        lang,
        Theme::plain(),
        Rect::new(0, 0, width, height),
    )
}

fn key(app: &mut App, code: KeyCode) {
    app.handle(&Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

/// The screen as text, row by row, each wide character once (as a terminal
/// shows it). Every row must be exactly as wide as the screen: a wide
/// character spilling over a border would make it wider.
fn screen(app: &mut App) -> String {
    let (width, height) = app.size();
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| app.render(frame.area(), frame.buffer_mut()))
        .unwrap();
    let buffer = terminal.backend().buffer();
    let mut text = String::new();
    for y in 0..height {
        let mut row = String::new();
        let mut x = 0;
        while x < width {
            let symbol = buffer[(x, y)].symbol();
            row.push_str(symbol);
            x += (symbol.width() as u16).max(1);
        }
        assert_eq!(
            row.width(),
            width as usize,
            "row {y} is not {width} wide: {row:?}"
        );
        text.push_str(&row);
        text.push('\n');
    }
    text
}

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];
const LANGS: [(Lang, &str); 2] = [(Lang::En, "en"), (Lang::Zh, "zh")];

/// Snapshots `setup` at both sizes and in both languages.
fn each(name: &str, setup: impl Fn(&mut App)) {
    for (width, height) in SIZES {
        for (lang, tag) in LANGS {
            let mut app = app(width, height, lang);
            setup(&mut app);
            insta::assert_snapshot!(format!("{name}_{tag}_{width}x{height}"), screen(&mut app));
        }
    }
}

#[test]
fn the_list_with_the_first_card() {
    each("list", |_| {});
}

#[test]
fn a_card_scrolled_to_its_diagram() {
    each("card", |app| {
        typed(app, "/LSTM");
        key(app, KeyCode::Enter); // keep the result
        key(app, KeyCode::Enter); // open the card
        for _ in 0..12 {
            key(app, KeyCode::Char('j'));
        }
    });
}

#[test]
fn search_results_by_english_chinese_and_pinyin() {
    each("search_english", |app| typed(app, "/recurrent"));
    each("search_chinese", |app| typed(app, "/长短期"));
    each("search_pinyin", |app| typed(app, "/xunhuan"));
    each("search_typo", |app| typed(app, "/hopfied"));
}

#[test]
fn help_popup() {
    each("help", |app| key(app, KeyCode::Char('?')));
}

#[test]
fn legend_popup() {
    each("legend", |app| key(app, KeyCode::Char('d')));
}

#[test]
fn related_entries_focused() {
    each("related", |app| {
        typed(app, "/gru");
        key(app, KeyCode::Enter);
        key(app, KeyCode::Tab);
        key(app, KeyCode::Tab);
        key(app, KeyCode::Right);
    });
}

#[test]
fn too_small_window() {
    for (width, height) in [(39, 24), (80, 9), (12, 3), (1, 1)] {
        for (lang, tag) in LANGS {
            let mut app = app(width, height, lang);
            insta::assert_snapshot!(
                format!("too_small_{tag}_{width}x{height}"),
                screen(&mut app)
            );
        }
    }
}
