//! The labs of the real models, mid-run, as snapshots: the LSTM and GRU
//! cells after a fixed number of steps and stages with a fixed seed, at
//! 80x24 and 120x40, in English and Chinese.

use nnzoo::catalogue::Catalogue;
use nnzoo::model;
use nnzoo::text::Lang;
use nnzoo::tui::lab::Lab;
use nnzoo::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn open(entry_id: &str) -> Lab {
    let catalogue = Catalogue::builtin();
    let entry = catalogue.get(entry_id).expect("entry in the catalogue");
    let spec = model::find(&entry.model).expect("a runnable entry has a model");
    Lab::open(entry, spec, 42).expect("the model builds at its defaults")
}

fn press(lab: &mut Lab, keys: &str) {
    for c in keys.chars() {
        lab.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
}

fn screen(lab: &mut Lab, width: u16, height: u16, lang: Lang) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|frame| lab.render(frame.area(), frame.buffer_mut(), lang, &Theme::coloured()))
        .expect("draw");
    terminal.backend().to_string()
}

/// Five steps, then three stages into the sixth.
fn mid_run(entry_id: &str) -> Lab {
    let mut lab = open(entry_id);
    press(&mut lab, "nnnnnmmm");
    lab
}

macro_rules! snapshots {
    ($($name:ident: $id:literal, $w:literal x $h:literal, $lang:expr;)*) => {
        $(
            #[test]
            fn $name() {
                let mut lab = mid_run($id);
                insta::assert_snapshot!(screen(&mut lab, $w, $h, $lang));
            }
        )*
    };
}

snapshots! {
    lstm_80x24_english: "lstm-cell", 80 x 24, Lang::En;
    lstm_80x24_chinese: "lstm-cell", 80 x 24, Lang::Zh;
    lstm_120x40_english: "lstm-cell", 120 x 40, Lang::En;
    lstm_120x40_chinese: "lstm-cell", 120 x 40, Lang::Zh;
    gru_80x24_english: "gru-cell", 80 x 24, Lang::En;
    gru_80x24_chinese: "gru-cell", 80 x 24, Lang::Zh;
    gru_120x40_english: "gru-cell", 120 x 40, Lang::En;
    gru_120x40_chinese: "gru-cell", 120 x 40, Lang::Zh;
    layer_80x24_english: "layer", 80 x 24, Lang::En;
    layer_120x40_chinese: "layer", 120 x 40, Lang::Zh;
    perceptron_80x24_english: "perceptron", 80 x 24, Lang::En;
    perceptron_80x24_chinese: "perceptron", 80 x 24, Lang::Zh;
    perceptron_120x40_english: "perceptron", 120 x 40, Lang::En;
    perceptron_120x40_chinese: "perceptron", 120 x 40, Lang::Zh;
    feed_forward_80x24_english: "feed-forward", 80 x 24, Lang::En;
    feed_forward_80x24_chinese: "feed-forward", 80 x 24, Lang::Zh;
    feed_forward_120x40_english: "feed-forward", 120 x 40, Lang::En;
    feed_forward_120x40_chinese: "feed-forward", 120 x 40, Lang::Zh;
    deep_feed_forward_120x40_english: "deep-feed-forward", 120 x 40, Lang::En;
    training_process_80x24_english: "training-process", 80 x 24, Lang::En;
    training_process_80x24_chinese: "training-process", 80 x 24, Lang::Zh;
    training_process_120x40_english: "training-process", 120 x 40, Lang::En;
    training_process_120x40_chinese: "training-process", 120 x 40, Lang::Zh;
    rbm_80x24_english: "rbm", 80 x 24, Lang::En;
    rbm_80x24_chinese: "rbm", 80 x 24, Lang::Zh;
    rbm_120x40_english: "rbm", 120 x 40, Lang::En;
    rbm_120x40_chinese: "rbm", 120 x 40, Lang::Zh;
    markov_chain_80x24_english: "markov-chain", 80 x 24, Lang::En;
    markov_chain_80x24_chinese: "markov-chain", 80 x 24, Lang::Zh;
    markov_chain_120x40_english: "markov-chain", 120 x 40, Lang::En;
    markov_chain_120x40_chinese: "markov-chain", 120 x 40, Lang::Zh;
}

/// The Hopfield lab with the built-in letters, stored by the projection
/// rule, the probe a corrupted letter.
fn hopfield_letters() -> Lab {
    let catalogue = Catalogue::builtin();
    let entry = catalogue.get("hopfield").expect("the Hopfield entry");
    let spec = model::find(&entry.model).expect("the Hopfield entry runs a model");
    let mut params = spec.default_params();
    params.set("set", "letters").expect("a built-in set");
    params.set("rule", "projection").expect("a rule");
    Lab::with_params(entry, spec, &params, 42).expect("builds")
}

fn plain_screen(lab: &mut Lab, width: u16, height: u16, lang: Lang) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|frame| lab.render(frame.area(), frame.buffer_mut(), lang, &Theme::plain()))
        .expect("draw");
    terminal.backend().to_string()
}

#[test]
fn hopfield_80x24_english_no_colour() {
    let mut lab = hopfield_letters();
    insta::assert_snapshot!(plain_screen(&mut lab, 80, 24, Lang::En));
}

#[test]
fn hopfield_120x40_chinese_after_a_sweep() {
    let mut lab = hopfield_letters();
    press(&mut lab, "n");
    insta::assert_snapshot!(plain_screen(&mut lab, 120, 40, Lang::Zh));
}

#[test]
fn hopfield_recalls_a_corrupted_letter_in_the_lab() {
    let mut lab = hopfield_letters();
    let start = plain_screen(&mut lab, 120, 40, Lang::En);
    assert!(start.contains("probe: pattern A (0) with"), "{start}");
    // Running: the clock drives the sweeps until the network is still.
    lab.handle_key(KeyEvent::new(KeyCode::Char(' '), KeyModifiers::NONE));
    let mut now = std::time::Instant::now();
    for _ in 0..20 {
        now += std::time::Duration::from_millis(200);
        lab.tick(now);
    }
    let end = plain_screen(&mut lab, 120, 40, Lang::En);
    assert!(end.contains("recalled pattern A (0), the target"), "{end}");
    assert!(end.contains("distance to target  0"), "{end}");
}

/// Random keys, clicks, pastes, clock ticks and sizes on every runnable
/// entry's lab: nothing panics. (The Hopfield lab's `a`, its capacity
/// experiment, is left out: it takes seconds in a debug build.)
mod random_use {
    use super::*;
    use proptest::prelude::*;
    use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    use std::time::{Duration, Instant};

    #[derive(Debug, Clone)]
    enum Event {
        Key(KeyCode),
        Click(u16, u16),
        Paste(String),
        Tick(u64),
        Render(u16, u16),
    }

    fn any_event() -> impl Strategy<Value = Event> {
        let keys: Vec<KeyCode> = " nmrR+-e[]pcxoshjkli0123456789.-E"
            .chars()
            .map(KeyCode::Char)
            .chain([
                KeyCode::Esc,
                KeyCode::Enter,
                KeyCode::Tab,
                KeyCode::Backspace,
                KeyCode::Left,
                KeyCode::Right,
                KeyCode::Up,
                KeyCode::Down,
            ])
            .collect();
        prop_oneof![
            8 => prop::sample::select(keys).prop_map(Event::Key),
            1 => (0u16..120, 0u16..40).prop_map(|(x, y)| Event::Click(x, y)),
            1 => "[0-9., e\\-]{0,10}".prop_map(Event::Paste),
            2 => (0u64..500).prop_map(Event::Tick),
            2 => (1u16..130, 1u16..45).prop_map(|(w, h)| Event::Render(w, h)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        #[test]
        fn no_model_lab_panics(events in prop::collection::vec(any_event(), 1..100)) {
            let catalogue = Catalogue::builtin();
            for entry in catalogue.entries().iter().filter(|e| !e.model.is_empty()) {
                let spec = model::find(&entry.model).expect("runnable entries have models");
                let mut lab = Lab::open(entry, spec, 3).expect("builds at its defaults");
                let mut now = Instant::now();
                for (i, event) in events.iter().enumerate() {
                    match event {
                        Event::Key(code) => {
                            lab.handle_key(KeyEvent::new(*code, KeyModifiers::NONE));
                        }
                        Event::Click(x, y) => {
                            lab.handle_mouse(MouseEvent {
                                kind: MouseEventKind::Down(MouseButton::Left),
                                column: *x,
                                row: *y,
                                modifiers: KeyModifiers::NONE,
                            });
                        }
                        Event::Paste(text) => {
                            lab.handle_paste(text);
                        }
                        Event::Tick(ms) => {
                            now += Duration::from_millis(*ms);
                            lab.tick(now);
                        }
                        Event::Render(w, h) => {
                            let lang = [Lang::En, Lang::Zh, Lang::Both][i % 3];
                            screen(&mut lab, *w, *h, lang);
                        }
                    }
                }
                screen(&mut lab, 1, 1, Lang::Zh);
                screen(&mut lab, 80, 24, Lang::En);
            }
        }
    }
}

#[test]
fn hopfield_brackets_choose_the_target_within_the_stored_patterns() {
    let mut lab = hopfield_letters();
    press(&mut lab, "]");
    let screen = plain_screen(&mut lab, 120, 40, Lang::En);
    assert!(screen.contains("probe: pattern B (1)"), "{screen}");
    press(&mut lab, "[[");
    let screen = plain_screen(&mut lab, 120, 40, Lang::En);
    assert!(
        screen.contains("probe: pattern A (0)"),
        "at the lower bound: {screen}"
    );
    // Past the last stored pattern the model refuses; the lab keeps the
    // last one that built and says why.
    press(&mut lab, &"]".repeat(12));
    let screen = plain_screen(&mut lab, 120, 40, Lang::En);
    assert!(screen.contains("only 12 patterns are stored"), "{screen}");
    assert!(screen.contains("probe: pattern L (11)"), "{screen}");
}
