//! The labs of the real models, mid-run, as snapshots: the LSTM and GRU
//! cells (alone and side by side) after a fixed number of steps and stages with a fixed seed, at
//! 80x24 and 120x40, in English and Chinese.

use nnzoo::catalogue::Catalogue;
use nnzoo::model;
use nnzoo::text::Lang;
use nnzoo::tui::lab::Lab;
use nnzoo::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

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
    cnn_80x24_english: "cnn", 80 x 24, Lang::En;
    cnn_80x24_chinese: "cnn", 80 x 24, Lang::Zh;
    cnn_120x40_english: "cnn", 120 x 40, Lang::En;
    cnn_120x40_chinese: "cnn", 120 x 40, Lang::Zh;
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
    boltzmann_machine_80x24_english: "boltzmann-machine", 80 x 24, Lang::En;
    boltzmann_machine_80x24_chinese: "boltzmann-machine", 80 x 24, Lang::Zh;
    boltzmann_machine_120x40_english: "boltzmann-machine", 120 x 40, Lang::En;
    boltzmann_machine_120x40_chinese: "boltzmann-machine", 120 x 40, Lang::Zh;
    dbn_80x24_english: "dbn", 80 x 24, Lang::En;
    dbn_80x24_chinese: "dbn", 80 x 24, Lang::Zh;
    dbn_120x40_english: "dbn", 120 x 40, Lang::En;
    dbn_120x40_chinese: "dbn", 120 x 40, Lang::Zh;
    markov_chain_80x24_english: "markov-chain", 80 x 24, Lang::En;
    markov_chain_80x24_chinese: "markov-chain", 80 x 24, Lang::Zh;
    markov_chain_120x40_english: "markov-chain", 120 x 40, Lang::En;
    markov_chain_120x40_chinese: "markov-chain", 120 x 40, Lang::Zh;
    elm_80x24_english: "elm", 80 x 24, Lang::En;
    elm_80x24_chinese: "elm", 80 x 24, Lang::Zh;
    elm_120x40_english: "elm", 120 x 40, Lang::En;
    elm_120x40_chinese: "elm", 120 x 40, Lang::Zh;
    kohonen_80x24_english: "kohonen", 80 x 24, Lang::En;
    kohonen_80x24_chinese: "kohonen", 80 x 24, Lang::Zh;
    kohonen_120x40_english: "kohonen", 120 x 40, Lang::En;
    kohonen_120x40_chinese: "kohonen", 120 x 40, Lang::Zh;
    rbf_80x24_english: "rbf", 80 x 24, Lang::En;
    rbf_80x24_chinese: "rbf", 80 x 24, Lang::Zh;
    rbf_120x40_english: "rbf", 120 x 40, Lang::En;
    rbf_120x40_chinese: "rbf", 120 x 40, Lang::Zh;
    esn_80x24_english: "esn", 80 x 24, Lang::En;
    esn_80x24_chinese: "esn", 80 x 24, Lang::Zh;
    esn_120x40_english: "esn", 120 x 40, Lang::En;
    esn_120x40_chinese: "esn", 120 x 40, Lang::Zh;
    lsm_80x24_english: "lsm", 80 x 24, Lang::En;
    lsm_80x24_chinese: "lsm", 80 x 24, Lang::Zh;
}

/// The lab of `entry_id` built with `assignments` (`name=value`) and the
/// seed 42, after `keys`.
fn lab_with(entry_id: &str, assignments: &[&str], keys: &str) -> Lab {
    let catalogue = Catalogue::builtin();
    let entry = catalogue.get(entry_id).expect("entry in the catalogue");
    let spec = model::find(&entry.model).expect("a runnable entry has a model");
    let mut params = spec.default_params();
    for assignment in assignments {
        params
            .assign(assignment)
            .expect("the model takes the parameter");
    }
    let mut lab = Lab::with_params(entry, spec, &params, 42).expect("the model builds");
    press(&mut lab, keys);
    lab
}

macro_rules! snapshots_with {
    ($($name:ident: $entry:literal $assignments:expr, $keys:literal, $w:literal x $h:literal, $lang:expr;)*) => {
        $(
            #[test]
            fn $name() {
                let mut lab = lab_with($entry, $assignments, $keys);
                insta::assert_snapshot!(screen(&mut lab, $w, $h, $lang));
            }
        )*
    };
}

// The LSTM lab with `compare` on: an LSTM and a GRU side by side, five
// steps and three stages in.
snapshots_with! {
    compare_80x24_english: "lstm-cell" &["compare=on"], "nnnnnmmm", 80 x 24, Lang::En;
    compare_80x24_chinese: "lstm-cell" &["compare=on"], "nnnnnmmm", 80 x 24, Lang::Zh;
    compare_120x40_english: "lstm-cell" &["compare=on"], "nnnnnmmm", 120 x 40, Lang::En;
    compare_120x40_chinese: "lstm-cell" &["compare=on"], "nnnnnmmm", 120 x 40, Lang::Zh;
}

// ArgMax along axis 1, three lanes in, and along axis 2 (`a`) one lane in.
snapshots_with! {
    argmax_80x24_english: "argmax" &[], "nnn", 80 x 24, Lang::En;
    argmax_80x24_chinese: "argmax" &[], "nnn", 80 x 24, Lang::Zh;
    argmax_120x40_english: "argmax" &[], "an", 120 x 40, Lang::En;
    argmax_120x40_chinese: "argmax" &[], "an", 120 x 40, Lang::Zh;
}

// Sharing and copying: three writes into the original.
snapshots_with! {
    tensor_sharing_80x24_english: "tensor-sharing" &[], "nnn", 80 x 24, Lang::En;
    tensor_sharing_80x24_chinese: "tensor-sharing" &[], "nnn", 80 x 24, Lang::Zh;
    tensor_sharing_120x40_english: "tensor-sharing" &[], "nnn", 120 x 40, Lang::En;
    tensor_sharing_120x40_chinese: "tensor-sharing" &[], "nnn", 120 x 40, Lang::Zh;
}

// Entropy: the starting distribution sharpened three times.
snapshots_with! {
    entropy_80x24_english: "entropy" &[], "nnn", 80 x 24, Lang::En;
    entropy_80x24_chinese: "entropy" &[], "nnn", 80 x 24, Lang::Zh;
    entropy_120x40_english: "entropy" &[], "nnn", 120 x 40, Lang::En;
    entropy_120x40_chinese: "entropy" &[], "nnn", 120 x 40, Lang::Zh;
}

// The Markov chain writing text: thirty characters and one stage in.
snapshots_with! {
    text_chain_80x24_english: "markov-chain" &["chain=text", "text=en"], "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnm", 80 x 24, Lang::En;
    text_chain_80x24_chinese: "markov-chain" &["chain=text", "text=zh"], "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnm", 80 x 24, Lang::Zh;
    text_chain_120x40_english: "markov-chain" &["chain=text", "text=en", "order=3"], "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnm", 120 x 40, Lang::En;
    text_chain_120x40_chinese: "markov-chain" &["chain=text", "text=zh", "order=1"], "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnm", 120 x 40, Lang::Zh;
}

// The support vector machine on the moons (RBF kernel): thirty SMO
// iterations, then the next pair picked.
snapshots_with! {
    svm_80x24_english: "svm" &[], "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnm", 80 x 24, Lang::En;
    svm_80x24_chinese: "svm" &[], "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnm", 80 x 24, Lang::Zh;
    svm_120x40_english: "svm" &[], "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnm", 120 x 40, Lang::En;
    svm_120x40_chinese: "svm" &[], "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnm", 120 x 40, Lang::Zh;
}

/// The Hopfield lab with the built-in letters, stored by the projection
/// rule, the probe a corrupted letter.
/// The Hopfield lab as it opens from the catalogue: its defaults (the
/// letters, stored by the projection rule) and the lab's seed.
fn hopfield_letters() -> Lab {
    let catalogue = Catalogue::builtin();
    let entry = catalogue.get("hopfield").expect("the Hopfield entry");
    let spec = model::find(&entry.model).expect("the Hopfield entry runs a model");
    Lab::open(entry, spec, nnzoo::tui::app::LAB_SEED).expect("builds")
}

fn key(lab: &mut Lab, code: KeyCode) {
    lab.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn mouse(lab: &mut Lab, kind: MouseEventKind, column: u16, row: u16) {
    lab.handle_mouse(MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    });
}

/// Runs the lab's clock on from `now` for `seconds`, a tick every 50 ms.
fn run_for(lab: &mut Lab, now: &mut std::time::Instant, seconds: f64) {
    lab.tick(*now);
    for _ in 0..(seconds * 20.0) as usize {
        *now += std::time::Duration::from_millis(50);
        lab.tick(*now);
    }
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
    let mut now = std::time::Instant::now();
    let start = plain_screen(&mut lab, 120, 40, Lang::En);
    assert!(
        start.contains("probe: A with 12 pixels flipped; space runs until it settles"),
        "{start}"
    );
    // The flipped pixels are marked, and the legend says so.
    assert!(start.contains("▓ 12 pixels differ from A"), "{start}");
    assert!(start.contains('▓') && start.contains('░'), "{start}");
    // Running: the clock drives the sweeps until the network is at rest,
    // and there the run stops: the step count stays put.
    press(&mut lab, " ");
    run_for(&mut lab, &mut now, 3.0);
    let end = plain_screen(&mut lab, 120, 40, Lang::En);
    assert!(end.contains("recalled A after 1 sweep"), "{end}");
    assert!(end.contains("distance to target  0"), "{end}");
    assert!(end.contains("step 2 ") && end.contains("paused"), "{end}");
    // Nothing is marked now but the legend's swatch.
    assert!(end.contains("▓ 0 pixels differ from A"), "{end}");
    assert_eq!(
        end.matches('▓').count() + end.matches('░').count(),
        1,
        "{end}"
    );
    insta::assert_snapshot!("hopfield_120x40_english_recalled", end);
    insta::assert_snapshot!(
        "hopfield_80x24_chinese_recalled",
        plain_screen(&mut lab, 80, 24, Lang::Zh)
    );
    // Space at rest says why nothing runs; stepping back goes on working.
    press(&mut lab, " ");
    let said = plain_screen(&mut lab, 120, 40, Lang::En);
    assert!(
        said.contains("at rest: running on would change nothing"),
        "{said}"
    );
    assert!(said.contains("step 2 "), "{said}");
    press(&mut lab, "bb");
    let back = plain_screen(&mut lab, 120, 40, Lang::En);
    assert!(back.contains("step 0 "), "{back}");
    assert!(back.contains("probe: A with 12 pixels flipped"), "{back}");
    // Corrupted afresh, it runs and stops again.
    press(&mut lab, "c ");
    run_for(&mut lab, &mut now, 3.0);
    let again = plain_screen(&mut lab, 120, 40, Lang::En);
    assert!(again.contains("recalled A after"), "{again}");
    assert!(again.contains("paused"), "{again}");
}

#[test]
fn hopfield_stage_mode_marks_the_neuron_being_updated() {
    let mut lab = hopfield_letters();
    let mut now = std::time::Instant::now();
    press(&mut lab, "mmm");
    let screen = plain_screen(&mut lab, 120, 40, Lang::En);
    assert!(screen.contains("next 4/120"), "{screen}");
    let legend = screen
        .lines()
        .find(|l| l.contains("● neuron") || l.contains("○ neuron"))
        .unwrap_or_else(|| panic!("no updated neuron in the legend: {screen}"));
    assert!(
        legend.contains(": h = ") && legend.contains(" → "),
        "{legend}"
    );
    assert!(screen.contains('●') || screen.contains('○'), "{screen}");
    insta::assert_snapshot!("hopfield_120x40_english_stages", screen);
    insta::assert_snapshot!(
        "hopfield_80x24_english_stages",
        plain_screen(&mut lab, 80, 24, Lang::En)
    );
    // Run by stages at a pace one can follow: one neuron a tick at the
    // slowest speeds, and the run pauses when the sweeps come to rest.
    key(&mut lab, KeyCode::Tab);
    press(&mut lab, "--- ");
    run_for(&mut lab, &mut now, 2.0);
    let slow = plain_screen(&mut lab, 120, 40, Lang::En);
    assert!(slow.contains("running 1 stages/s"), "{slow}");
    assert!(
        ["next 5/120", "next 6/120", "next 7/120"]
            .iter()
            .any(|n| slow.contains(n)),
        "one or two neurons in two seconds: {slow}"
    );
    press(&mut lab, &"+".repeat(10));
    run_for(&mut lab, &mut now, 2.0);
    let done = plain_screen(&mut lab, 120, 40, Lang::En);
    assert!(done.contains("recalled A after 1 sweep"), "{done}");
    assert!(done.contains("paused"), "{done}");
}

#[test]
fn hopfield_dragging_paints_and_keys_store_and_wipe() {
    let mut lab = hopfield_letters();
    // w wipes the picture to draw on.
    press(&mut lab, "w");
    let clean = plain_screen(&mut lab, 120, 40, Lang::En);
    assert!(clean.contains("a clean picture: drag the mouse"), "{clean}");
    // The picture stands at the left under its title (row 1), 4 columns a
    // pixel: a press on row 2 turns pixel (0, 0) on, dragging along the
    // row paints the rest of it.
    mouse(&mut lab, MouseEventKind::Down(MouseButton::Left), 1, 2);
    for x in (2..40).step_by(2) {
        mouse(&mut lab, MouseEventKind::Drag(MouseButton::Left), x, 2);
    }
    mouse(&mut lab, MouseEventKind::Up(MouseButton::Left), 39, 2);
    let drawn = plain_screen(&mut lab, 120, 40, Lang::En);
    let row = |screen: &str, y: usize| -> String {
        screen
            .lines()
            .nth(y)
            .unwrap()
            .chars()
            .skip(1)
            .take(40)
            .collect()
    };
    assert!(drawn.contains("probe: drawn by hand"), "{drawn}");
    assert_eq!(row(&drawn, 2), "█".repeat(40), "{drawn}");
    // Each painted pixel is an edit: one step back takes the last away.
    press(&mut lab, "b");
    let back = plain_screen(&mut lab, 120, 40, Lang::En);
    assert_eq!(
        row(&back, 2),
        format!("{}{}", "█".repeat(36), " ".repeat(4))
    );
    // A drag that starts on a lit pixel paints pixels off.
    mouse(&mut lab, MouseEventKind::Down(MouseButton::Left), 1, 2);
    mouse(&mut lab, MouseEventKind::Drag(MouseButton::Left), 5, 2);
    let off = plain_screen(&mut lab, 120, 40, Lang::En);
    assert_eq!(
        row(&off, 2),
        format!("{}{}", " ".repeat(8), "█".repeat(28)) + "    "
    );
    // s stores the drawing as pattern 12; the gallery captions it.
    press(&mut lab, "s");
    let stored = plain_screen(&mut lab, 120, 40, Lang::En);
    assert!(stored.contains("13 patterns stored now"), "{stored}");
    assert!(stored.contains("stored patterns (13)"), "{stored}");
    // Storing it twice is refused with the reason.
    press(&mut lab, "s");
    let twice = plain_screen(&mut lab, 120, 40, Lang::En);
    assert!(twice.contains("stored already"), "{twice}");
}

#[test]
fn hopfield_popup_shows_the_values_in_force_and_cycles_the_sets() {
    let mut lab = hopfield_letters();
    press(&mut lab, "p");
    let popup = plain_screen(&mut lab, 120, 40, Lang::En);
    let line = |screen: &str, name: &str| -> String {
        screen
            .lines()
            .find(|l| l.contains(&format!("│{name} ")))
            .unwrap_or_else(|| panic!("no {name}: {screen}"))
            .to_string()
    };
    // The letters are in force: N = 120, P = 12, not the random set's sizes.
    assert!(line(&popup, "set").contains("letters"), "{popup}");
    assert!(line(&popup, "n").contains(" 120 "), "{popup}");
    assert!(line(&popup, "patterns").contains(" 12 "), "{popup}");
    // ←/→ go through the built-in sets.
    key(&mut lab, KeyCode::Right);
    assert!(line(&plain_screen(&mut lab, 120, 40, Lang::En), "set").contains("digits"));
    key(&mut lab, KeyCode::Right);
    assert!(line(&plain_screen(&mut lab, 120, 40, Lang::En), "set").contains("random"));
    key(&mut lab, KeyCode::Right);
    assert!(line(&plain_screen(&mut lab, 120, 40, Lang::En), "set").contains("letters"));
    key(&mut lab, KeyCode::Left);
    key(&mut lab, KeyCode::Left);
    key(&mut lab, KeyCode::Enter);
    // The digits: 10 pictures; the popup then shows their size.
    press(&mut lab, "p");
    let digits = plain_screen(&mut lab, 120, 40, Lang::En);
    assert!(line(&digits, "set").contains("digits"), "{digits}");
    assert!(line(&digits, "patterns").contains(" 10 "), "{digits}");
    insta::assert_snapshot!("hopfield_120x40_english_popup_digits", digits);
    insta::assert_snapshot!(
        "hopfield_80x24_chinese_popup_digits",
        plain_screen(&mut lab, 80, 24, Lang::Zh)
    );
}

/// Random keys, clicks, pastes, clock ticks and sizes on every runnable
/// entry's lab: nothing panics. (The Hopfield lab's `a`, its capacity
/// experiment, and `E`, every lab's experiment, are left out: they take
/// seconds to minutes in a debug build, and `tests/lab.rs` tests long work
/// on its own.)
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
        let keys: Vec<KeyCode> = " nmrR+-e[]pcxoshjkli0123456789.-"
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
    assert!(screen.contains("probe: B with"), "{screen}");
    press(&mut lab, "[[");
    let screen = plain_screen(&mut lab, 120, 40, Lang::En);
    assert!(
        screen.contains("probe: A with"),
        "at the lower bound: {screen}"
    );
    // Past the last stored pattern the model refuses; the lab keeps the
    // last one that built and says why.
    press(&mut lab, &"]".repeat(12));
    let screen = plain_screen(&mut lab, 120, 40, Lang::En);
    assert!(screen.contains("only 12 patterns are stored"), "{screen}");
    assert!(screen.contains("probe: L with"), "{screen}");
    // The thumbnails that fit keep the target L in sight.
    assert!(
        screen.lines().any(|l| l.contains("K           L")),
        "{screen}"
    );
}

// The liquid state machine after a few samples, and through its test.
snapshots_with! {
    lsm_trained_120x40_english: "lsm" &["train=6", "test=4"], "nnnnnnnnnn", 120 x 40, Lang::En;
    lsm_trained_120x40_chinese: "lsm" &["train=6", "test=4"], "nnnnnnnn", 120 x 40, Lang::Zh;
}
