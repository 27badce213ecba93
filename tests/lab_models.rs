//! The labs of the real models, mid-run, as snapshots: the LSTM and GRU
//! cells (alone and side by side) after a fixed number of steps and stages with a fixed seed, at
//! 80x24 and 120x40, in English and Chinese.

#[path = "support/lab_screen.rs"]
mod lab_screen;

use lab_screen::{lab_with, open, plain_screen, press, screen, snapshots};
use nnzoo::catalogue::Catalogue;
use nnzoo::model;
use nnzoo::text::Lang;
use nnzoo::tui::lab::Lab;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

/// Five steps, then three stages into the sixth.
fn mid_run(entry_id: &str) -> Lab {
    lab_with(entry_id, &[], "nnnnnmmm")
}

snapshots! {
    cnn_80x24_english: mid_run("cnn"), 80 x 24, Lang::En;
    cnn_80x24_chinese: mid_run("cnn"), 80 x 24, Lang::Zh;
    cnn_120x40_english: mid_run("cnn"), 120 x 40, Lang::En;
    cnn_120x40_chinese: mid_run("cnn"), 120 x 40, Lang::Zh;
    lstm_80x24_english: mid_run("lstm-cell"), 80 x 24, Lang::En;
    lstm_80x24_chinese: mid_run("lstm-cell"), 80 x 24, Lang::Zh;
    lstm_120x40_english: mid_run("lstm-cell"), 120 x 40, Lang::En;
    lstm_120x40_chinese: mid_run("lstm-cell"), 120 x 40, Lang::Zh;
    gru_80x24_english: mid_run("gru-cell"), 80 x 24, Lang::En;
    gru_80x24_chinese: mid_run("gru-cell"), 80 x 24, Lang::Zh;
    gru_120x40_english: mid_run("gru-cell"), 120 x 40, Lang::En;
    gru_120x40_chinese: mid_run("gru-cell"), 120 x 40, Lang::Zh;
    layer_80x24_english: mid_run("layer"), 80 x 24, Lang::En;
    layer_120x40_chinese: mid_run("layer"), 120 x 40, Lang::Zh;
    perceptron_80x24_english: mid_run("perceptron"), 80 x 24, Lang::En;
    perceptron_80x24_chinese: mid_run("perceptron"), 80 x 24, Lang::Zh;
    perceptron_120x40_english: mid_run("perceptron"), 120 x 40, Lang::En;
    perceptron_120x40_chinese: mid_run("perceptron"), 120 x 40, Lang::Zh;
    feed_forward_80x24_english: mid_run("feed-forward"), 80 x 24, Lang::En;
    feed_forward_80x24_chinese: mid_run("feed-forward"), 80 x 24, Lang::Zh;
    feed_forward_120x40_english: mid_run("feed-forward"), 120 x 40, Lang::En;
    feed_forward_120x40_chinese: mid_run("feed-forward"), 120 x 40, Lang::Zh;
    deep_feed_forward_120x40_english: mid_run("deep-feed-forward"), 120 x 40, Lang::En;
    training_process_80x24_english: mid_run("training-process"), 80 x 24, Lang::En;
    training_process_80x24_chinese: mid_run("training-process"), 80 x 24, Lang::Zh;
    training_process_120x40_english: mid_run("training-process"), 120 x 40, Lang::En;
    training_process_120x40_chinese: mid_run("training-process"), 120 x 40, Lang::Zh;
    rbm_80x24_english: mid_run("rbm"), 80 x 24, Lang::En;
    rbm_80x24_chinese: mid_run("rbm"), 80 x 24, Lang::Zh;
    rbm_120x40_english: mid_run("rbm"), 120 x 40, Lang::En;
    rbm_120x40_chinese: mid_run("rbm"), 120 x 40, Lang::Zh;
    boltzmann_machine_80x24_english: mid_run("boltzmann-machine"), 80 x 24, Lang::En;
    boltzmann_machine_80x24_chinese: mid_run("boltzmann-machine"), 80 x 24, Lang::Zh;
    boltzmann_machine_120x40_english: mid_run("boltzmann-machine"), 120 x 40, Lang::En;
    boltzmann_machine_120x40_chinese: mid_run("boltzmann-machine"), 120 x 40, Lang::Zh;
    dbn_80x24_english: mid_run("dbn"), 80 x 24, Lang::En;
    dbn_80x24_chinese: mid_run("dbn"), 80 x 24, Lang::Zh;
    dbn_120x40_english: mid_run("dbn"), 120 x 40, Lang::En;
    dbn_120x40_chinese: mid_run("dbn"), 120 x 40, Lang::Zh;
    markov_chain_80x24_english: mid_run("markov-chain"), 80 x 24, Lang::En;
    markov_chain_80x24_chinese: mid_run("markov-chain"), 80 x 24, Lang::Zh;
    markov_chain_120x40_english: mid_run("markov-chain"), 120 x 40, Lang::En;
    markov_chain_120x40_chinese: mid_run("markov-chain"), 120 x 40, Lang::Zh;
    elm_80x24_english: mid_run("elm"), 80 x 24, Lang::En;
    elm_80x24_chinese: mid_run("elm"), 80 x 24, Lang::Zh;
    elm_120x40_english: mid_run("elm"), 120 x 40, Lang::En;
    elm_120x40_chinese: mid_run("elm"), 120 x 40, Lang::Zh;
    kohonen_80x24_english: mid_run("kohonen"), 80 x 24, Lang::En;
    kohonen_80x24_chinese: mid_run("kohonen"), 80 x 24, Lang::Zh;
    kohonen_120x40_english: mid_run("kohonen"), 120 x 40, Lang::En;
    kohonen_120x40_chinese: mid_run("kohonen"), 120 x 40, Lang::Zh;
    rbf_80x24_english: mid_run("rbf"), 80 x 24, Lang::En;
    rbf_80x24_chinese: mid_run("rbf"), 80 x 24, Lang::Zh;
    rbf_120x40_english: mid_run("rbf"), 120 x 40, Lang::En;
    rbf_120x40_chinese: mid_run("rbf"), 120 x 40, Lang::Zh;
    esn_80x24_english: mid_run("esn"), 80 x 24, Lang::En;
    esn_80x24_chinese: mid_run("esn"), 80 x 24, Lang::Zh;
    esn_120x40_english: mid_run("esn"), 120 x 40, Lang::En;
    esn_120x40_chinese: mid_run("esn"), 120 x 40, Lang::Zh;
    lsm_80x24_english: mid_run("lsm"), 80 x 24, Lang::En;
    lsm_80x24_chinese: mid_run("lsm"), 80 x 24, Lang::Zh;
}

// The LSTM lab with `compare` on: an LSTM and a GRU side by side, five
// steps and three stages in.
snapshots! {
    compare_80x24_english: lab_with("lstm-cell", &["compare=on"], "nnnnnmmm"), 80 x 24, Lang::En;
    compare_80x24_chinese: lab_with("lstm-cell", &["compare=on"], "nnnnnmmm"), 80 x 24, Lang::Zh;
    compare_120x40_english: lab_with("lstm-cell", &["compare=on"], "nnnnnmmm"), 120 x 40, Lang::En;
    compare_120x40_chinese: lab_with("lstm-cell", &["compare=on"], "nnnnnmmm"), 120 x 40, Lang::Zh;
}

// ArgMax along axis 1, three lanes in, and along axis 2 (`a`) one lane in.
snapshots! {
    argmax_80x24_english: lab_with("argmax", &[], "nnn"), 80 x 24, Lang::En;
    argmax_80x24_chinese: lab_with("argmax", &[], "nnn"), 80 x 24, Lang::Zh;
    argmax_120x40_english: lab_with("argmax", &[], "an"), 120 x 40, Lang::En;
    argmax_120x40_chinese: lab_with("argmax", &[], "an"), 120 x 40, Lang::Zh;
}

// Sharing and copying: three writes into the original.
snapshots! {
    tensor_sharing_80x24_english: lab_with("tensor-sharing", &[], "nnn"), 80 x 24, Lang::En;
    tensor_sharing_80x24_chinese: lab_with("tensor-sharing", &[], "nnn"), 80 x 24, Lang::Zh;
    tensor_sharing_120x40_english: lab_with("tensor-sharing", &[], "nnn"), 120 x 40, Lang::En;
    tensor_sharing_120x40_chinese: lab_with("tensor-sharing", &[], "nnn"), 120 x 40, Lang::Zh;
}

// Entropy: the starting distribution sharpened three times.
snapshots! {
    entropy_80x24_english: lab_with("entropy", &[], "nnn"), 80 x 24, Lang::En;
    entropy_80x24_chinese: lab_with("entropy", &[], "nnn"), 80 x 24, Lang::Zh;
    entropy_120x40_english: lab_with("entropy", &[], "nnn"), 120 x 40, Lang::En;
    entropy_120x40_chinese: lab_with("entropy", &[], "nnn"), 120 x 40, Lang::Zh;
}

// The Markov chain writing text: thirty characters and one stage in.
snapshots! {
    text_chain_80x24_english: lab_with("markov-chain", &["chain=text", "text=en"], "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnm"), 80 x 24, Lang::En;
    text_chain_80x24_chinese: lab_with("markov-chain", &["chain=text", "text=zh"], "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnm"), 80 x 24, Lang::Zh;
    text_chain_120x40_english: lab_with("markov-chain", &["chain=text", "text=en", "order=3"], "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnm"), 120 x 40, Lang::En;
    text_chain_120x40_chinese: lab_with("markov-chain", &["chain=text", "text=zh", "order=1"], "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnm"), 120 x 40, Lang::Zh;
}

// The support vector machine on the moons (RBF kernel): thirty SMO
// iterations, then the next pair picked.
snapshots! {
    svm_80x24_english: lab_with("svm", &[], "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnm"), 80 x 24, Lang::En;
    svm_80x24_chinese: lab_with("svm", &[], "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnm"), 80 x 24, Lang::Zh;
    svm_120x40_english: lab_with("svm", &[], "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnm"), 120 x 40, Lang::En;
    svm_120x40_chinese: lab_with("svm", &[], "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnm"), 120 x 40, Lang::Zh;
}

/// The Hopfield lab with the built-in letters, stored by the projection
/// rule, the probe a corrupted letter.
/// The Hopfield lab as it opens from the catalogue: its defaults (the
/// letters, stored by the projection rule) and the lab's seed.
fn hopfield_letters() -> Lab {
    open("hopfield", &[], nnzoo::tui::app::LAB_SEED)
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
snapshots! {
    lsm_trained_120x40_english: lab_with("lsm", &["train=6", "test=4"], "nnnnnnnnnn"), 120 x 40, Lang::En;
    lsm_trained_120x40_chinese: lab_with("lsm", &["train=6", "test=4"], "nnnnnnnn"), 120 x 40, Lang::Zh;
}
