//! Drawing a full 200x60 frame of the browser (target: at most 1 ms median):
//! a redraw, and a key that selects another entry followed by the redraw;
//! next to a peer measured in the same run: ratatui filling the same screen
//! with one bordered Paragraph of the same card text, which is about the
//! least any full-screen ratatui frame costs.
//!
//! `cargo bench --bench tui -- --warm-up-time 1 --measurement-time 3`

use criterion::{Criterion, criterion_group, criterion_main};
use nnzoo::catalogue::Catalogue;
use nnzoo::text::Lang;
use nnzoo::tui::App;
use nnzoo::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};
use std::hint::black_box;

fn app(lang: Lang, area: Rect) -> App {
    let mut app = App::new(Catalogue::builtin(), lang, Theme::coloured(), area);
    // The LSTM cell's card: a long description, equations, a diagram, references.
    for c in "/lstm".chars() {
        app.handle(&Event::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }
    app.handle(&Event::Key(KeyEvent::new(
        KeyCode::Enter,
        KeyModifiers::NONE,
    )));
    app.handle(&Event::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)));
    app
}

fn frame(c: &mut Criterion) {
    let area = Rect::new(0, 0, 200, 60);
    let mut group = c.benchmark_group("frame_200x60");
    for (lang, name) in [
        (Lang::En, "browser_en"),
        (Lang::Zh, "browser_zh"),
        (Lang::Both, "browser_both"),
    ] {
        let mut app = app(lang, area);
        let mut buffer = Buffer::empty(area);
        group.bench_function(name, |b| {
            b.iter(|| {
                buffer.reset();
                app.render(area, &mut buffer);
                black_box(&buffer);
            })
        });
    }
    // A key that selects another entry, then the frame: the card is wrapped
    // anew every time (a redraw of an unchanged card reuses its wrapping).
    for (lang, name) in [
        (Lang::En, "move_and_draw_en"),
        (Lang::Zh, "move_and_draw_zh"),
    ] {
        let mut app = app(lang, area);
        let mut buffer = Buffer::empty(area);
        let mut down = true;
        group.bench_function(name, |b| {
            b.iter(|| {
                let code = if down {
                    KeyCode::Char('j')
                } else {
                    KeyCode::Char('k')
                };
                down = !down;
                app.handle(&Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
                buffer.reset();
                app.render(area, &mut buffer);
                black_box(&buffer);
            })
        });
    }
    let catalogue = Catalogue::builtin();
    let entry = catalogue
        .get("lstm-cell")
        .expect("the LSTM cell is in the catalogue");
    let text = format!(
        "{}\n{}\n{}",
        entry.description.en,
        entry.description.zh,
        entry.equations.join("\n")
    );
    let mut buffer = Buffer::empty(area);
    group.bench_function("peer_paragraph", |b| {
        b.iter(|| {
            buffer.reset();
            Paragraph::new(text.as_str())
                .wrap(Wrap { trim: true })
                .block(Block::bordered())
                .render(area, &mut buffer);
            black_box(&buffer);
        })
    });
    group.finish();
}

criterion_group!(benches, frame);
criterion_main!(benches);
