//! What one running frame of every lab costs: the lab takes one step of
//! its model at its defaults (recording it for stepping back, as the
//! running lab does), then draws the whole screen at 120x40. A lab runs
//! smoothly when this stays under a frame (16.7 ms at 60 frames a second).
//!
//! cargo bench --bench frames -- --warm-up-time 0.3 --measurement-time 1
//!
//! A name after `--` picks labs, e.g. `-- rbm` or `-- cnn`.

use criterion::{Criterion, criterion_group, criterion_main};
use nnzoo::catalogue::Catalogue;
use nnzoo::model;
use nnzoo::text::Lang;
use nnzoo::tui::lab::Lab;
use nnzoo::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use std::hint::black_box;

fn step_key() -> KeyEvent {
    KeyEvent::new(KeyCode::Char('n'), KeyModifiers::NONE)
}

fn frames(c: &mut Criterion) {
    let catalogue = Catalogue::builtin();
    let theme = Theme::coloured();
    let mut group = c.benchmark_group("frame");
    group.sample_size(10);
    for entry in catalogue.entries() {
        let Some(spec) = model::find(&entry.model) else {
            continue;
        };
        let mut lab = Lab::open(entry, spec, 42).expect("every lab opens at its defaults");
        // A few steps in, so histories and plots have something to draw.
        for _ in 0..3 {
            lab.handle_key(step_key());
        }
        let mut buf = Buffer::empty(Rect::new(0, 0, 120, 40));
        group.bench_function(format!("{} step + draw 120x40", entry.id), |b| {
            b.iter(|| {
                lab.handle_key(step_key());
                buf.reset();
                lab.render(buf.area, &mut buf, Lang::En, &theme);
                black_box(&buf);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, frames);
criterion_main!(benches);
