//! How long the lab takes to draw a frame: the LSTM lab with 128 hidden
//! units (every gate a vector of 128, two 128-row histories) at 200x60,
//! against its peers measured in the same run: the model's own step and
//! the views it hands the lab, and the same frame at 80x24.
//!
//! The restricted Boltzmann machine dreaming (a Gibbs step of its chains,
//! its views and the drawing, per frame) is measured too.
//!
//! cargo bench --bench lab -- --warm-up-time 1 --measurement-time 3

use criterion::{Criterion, criterion_group, criterion_main};
use nnzoo::catalogue::Catalogue;
use nnzoo::model::{self, Params};
use nnzoo::text::Lang;
use nnzoo::tui::lab::Lab;
use nnzoo::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use std::hint::black_box;

fn lstm_params(hidden: usize) -> (&'static model::ModelSpec, Params) {
    let spec = model::find("lstm_cell").expect("the LSTM cell is registered");
    let mut params = spec.default_params();
    params
        .set("hidden", &hidden.to_string())
        .expect("hidden size in bounds");
    params
        .set("input", &hidden.to_string())
        .expect("input size in bounds");
    (spec, params)
}

fn lstm_lab(hidden: usize) -> Lab {
    let catalogue = Catalogue::builtin();
    let entry = catalogue.get("lstm-cell").expect("the LSTM entry");
    let (spec, params) = lstm_params(hidden);
    let mut lab = Lab::with_params(entry, spec, &params, 42).expect("builds");
    // Mid-run, so the histories are full.
    for _ in 0..300 {
        lab.handle_key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::NONE));
    }
    lab.handle_key(KeyEvent::new(KeyCode::Char('m'), KeyModifiers::NONE));
    lab
}

fn render(c: &mut Criterion) {
    let theme = Theme::coloured();
    let plain = Theme::plain();
    let mut lab = lstm_lab(128);
    let mut group = c.benchmark_group("lab");
    for (name, width, height, theme) in [
        ("render LSTM h=128 200x60", 200, 60, &theme),
        ("render LSTM h=128 200x60 NO_COLOR", 200, 60, &plain),
        ("render LSTM h=128 80x24", 80, 24, &theme),
    ] {
        let mut buf = Buffer::empty(Rect::new(0, 0, width, height));
        group.bench_function(name, |b| {
            b.iter(|| {
                buf.reset();
                lab.render(buf.area, &mut buf, Lang::En, theme);
                black_box(&buf);
            })
        });
    }
    // The peers: what a running frame also costs besides drawing.
    let (spec, params) = lstm_params(128);
    let mut model = (spec.build)(&params, 42).expect("builds");
    for _ in 0..300 {
        model.step();
    }
    group.bench_function("LSTM h=128 views()", |b| {
        b.iter(|| black_box(model.views()))
    });
    group.bench_function("LSTM h=128 step()", |b| b.iter(|| model.step()));
    group.finish();
}

/// The largest picture the Hopfield lab is meant to run without lag:
/// N = 16384 (128x128) with 1000 random patterns. A running frame is a
/// sweep, the model's views, and the drawing.
fn hopfield(c: &mut Criterion) {
    let catalogue = Catalogue::builtin();
    let entry = catalogue.get("hopfield").expect("the Hopfield entry");
    let spec = model::find("hopfield").expect("the Hopfield model");
    let mut params = spec.default_params();
    params.set("set", "random").expect("random patterns");
    params.set("rule", "hebbian").expect("Hebb's rule");
    params.set("n", "16384").expect("n in bounds");
    params.set("patterns", "1000").expect("patterns in bounds");
    let mut lab = Lab::with_params(entry, spec, &params, 42).expect("builds");
    let theme = Theme::coloured();
    let mut buf = Buffer::empty(Rect::new(0, 0, 200, 60));
    let mut group = c.benchmark_group("lab");
    group.sample_size(20);
    group.bench_function("render Hopfield N=16384 P=1000 200x60", |b| {
        b.iter(|| {
            buf.reset();
            lab.render(buf.area, &mut buf, Lang::En, &theme);
            black_box(&buf);
        })
    });
    group.bench_function("Hopfield N=16384 P=1000 sweep + views + render", |b| {
        b.iter(|| {
            lab.handle_key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::NONE));
            buf.reset();
            lab.render(buf.area, &mut buf, Lang::En, &theme);
            black_box(&buf);
        })
    });
    group.finish();
}

/// The restricted Boltzmann machine's lab as it opens (64 visible units,
/// the 8x8 digits, 100 hidden) dreaming: `g` starts 16 Gibbs chains from
/// noise, and a running frame is one Gibbs step of all of them (h from v,
/// then v from h), the model's views, and the drawing, at 120x40 and 80x24.
fn rbm_gibbs(c: &mut Criterion) {
    let catalogue = Catalogue::builtin();
    let entry = catalogue.get("rbm").expect("the RBM entry");
    let spec = model::find("rbm").expect("the RBM model");
    let params = spec.default_params();
    assert_eq!(params.int("hidden"), 100);
    let mut lab = Lab::with_params(entry, spec, &params, 42).expect("builds");
    lab.handle_key(KeyEvent::new(KeyCode::Char('g'), KeyModifiers::NONE));
    let theme = Theme::coloured();
    let mut group = c.benchmark_group("lab");
    for (width, height) in [(120, 40), (80, 24)] {
        let mut buf = Buffer::empty(Rect::new(0, 0, width, height));
        group.bench_function(
            format!("RBM 64-100 Gibbs step + views + render {width}x{height}"),
            |b| {
                b.iter(|| {
                    lab.handle_key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::NONE));
                    buf.reset();
                    lab.render(buf.area, &mut buf, Lang::En, &theme);
                    black_box(&buf);
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, render, hopfield, rbm_gibbs);
criterion_main!(benches);
