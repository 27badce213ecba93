//! The lab, driven as a person would: keys, mouse, paste and the clock,
//! checked through what it draws. Uses a small test model that shows one
//! view of every kind (tests/support/demo.rs), and a small learning model
//! for the kinds learning needs: plots, planes, tables, grey pictures
//! (tests/support/learning_demo.rs).

#[path = "support/demo.rs"]
mod demo;
#[path = "support/learning_demo.rs"]
mod learning_demo;

use demo::{DEMO, demo_entry};
use learning_demo::{LEARNING_DEMO, learning_entry};
use nnzoo::text::Lang;
use nnzoo::tui::lab::{Lab, LabOutcome};
use nnzoo::tui::theme::Theme;
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;
use std::time::{Duration, Instant};

fn open() -> Lab {
    Lab::open(&demo_entry(), &DEMO, 7).expect("the demo model builds")
}

fn open_learning() -> Lab {
    Lab::open(&learning_entry(), &LEARNING_DEMO, 7).expect("the learning demo builds")
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn press(lab: &mut Lab, keys: &str) {
    for c in keys.chars() {
        lab.handle_key(key(KeyCode::Char(c)));
    }
}

fn screen(lab: &mut Lab, width: u16, height: u16, lang: Lang, theme: &Theme) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|frame| lab.render(frame.area(), frame.buffer_mut(), lang, theme))
        .expect("draw");
    terminal.backend().to_string()
}

fn text(lab: &mut Lab, width: u16, height: u16) -> String {
    screen(lab, width, height, Lang::En, &Theme::plain())
}

/// The demo lab after three steps and one stage, as the snapshots show it.
fn mid_run() -> Lab {
    let mut lab = open();
    press(&mut lab, "nnnm");
    lab
}

#[test]
fn snapshot_80x24_english() {
    let mut lab = mid_run();
    insta::assert_snapshot!(screen(&mut lab, 80, 24, Lang::En, &Theme::coloured()));
}

#[test]
fn snapshot_80x24_chinese() {
    let mut lab = mid_run();
    insta::assert_snapshot!(screen(&mut lab, 80, 24, Lang::Zh, &Theme::coloured()));
}

#[test]
fn snapshot_80x24_no_colour() {
    let mut lab = mid_run();
    insta::assert_snapshot!(screen(&mut lab, 80, 24, Lang::En, &Theme::plain()));
}

#[test]
fn snapshot_120x40_english() {
    let mut lab = mid_run();
    insta::assert_snapshot!(screen(&mut lab, 120, 40, Lang::En, &Theme::coloured()));
}

#[test]
fn snapshot_120x40_chinese() {
    let mut lab = mid_run();
    insta::assert_snapshot!(screen(&mut lab, 120, 40, Lang::Zh, &Theme::plain()));
}

#[test]
fn snapshot_learning_80x24_no_colour() {
    let mut lab = open_learning();
    press(&mut lab, "nnnnnnnnnnnn");
    insta::assert_snapshot!(screen(&mut lab, 80, 24, Lang::En, &Theme::plain()));
}

#[test]
fn snapshot_learning_120x40_chinese() {
    let mut lab = open_learning();
    press(&mut lab, "nnnnnnnnnnnn");
    insta::assert_snapshot!(screen(&mut lab, 120, 40, Lang::Zh, &Theme::coloured()));
}

#[test]
fn the_learning_views_follow_the_steps() {
    let mut lab = open_learning();
    let before = text(&mut lab, 120, 40);
    assert!(before.contains("(no points yet)"), "{before}");
    press(&mut lab, "nnnn");
    let after = text(&mut lab, 120, 40);
    assert!(
        after.contains("* loss") && after.contains("+ accuracy"),
        "{after}"
    );
    assert!(after.contains("chance"), "{after}");
    assert!(
        after.contains("o below") && after.contains("x above"),
        "{after}"
    );
    assert!(after.contains("class 0"), "{after}");
    // The current sample's class row is marked (its class right-aligned).
    let marked = after
        .lines()
        .filter_map(|l| l.split_once("> ").map(|(_, rest)| rest.trim_start()))
        .filter(|rest| rest.starts_with("0 ") || rest.starts_with("1 "))
        .count();
    assert_eq!(marked, 1, "{after}");
}

#[test]
fn snapshot_parameter_popup() {
    let mut lab = mid_run();
    lab.handle_key(key(KeyCode::Char('p')));
    insta::assert_snapshot!(screen(&mut lab, 80, 24, Lang::En, &Theme::plain()));
}

#[test]
fn escape_closes_and_the_app_keys_are_left_to_the_app() {
    let mut lab = open();
    assert_eq!(lab.handle_key(key(KeyCode::Char('q'))), LabOutcome::Ignored);
    assert_eq!(lab.handle_key(key(KeyCode::Char('?'))), LabOutcome::Ignored);
    assert_eq!(lab.handle_key(key(KeyCode::Char('L'))), LabOutcome::Ignored);
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(lab.handle_key(ctrl_c), LabOutcome::Ignored);
    assert_eq!(
        lab.handle_key(key(KeyCode::Char(' '))),
        LabOutcome::Consumed
    );
    assert_eq!(lab.handle_key(key(KeyCode::Esc)), LabOutcome::Close);
}

#[test]
fn escape_closes_popups_before_the_lab() {
    let mut lab = open();
    lab.handle_key(key(KeyCode::Char('p')));
    assert_eq!(lab.handle_key(key(KeyCode::Esc)), LabOutcome::Consumed);
    lab.handle_key(key(KeyCode::Char('e')));
    assert_eq!(lab.handle_key(key(KeyCode::Esc)), LabOutcome::Consumed);
    assert_eq!(lab.handle_key(key(KeyCode::Esc)), LabOutcome::Close);
}

#[test]
fn steps_and_stages_move_the_header() {
    let mut lab = open();
    assert!(text(&mut lab, 120, 40).contains("step 0  next 1/3 pre-activation"));
    press(&mut lab, "m");
    assert!(text(&mut lab, 120, 40).contains("step 0  next 2/3 activation"));
    lab.handle_key(key(KeyCode::Right));
    assert!(text(&mut lab, 120, 40).contains("step 1  next 1/3 pre-activation"));
    press(&mut lab, "n");
    assert!(text(&mut lab, 120, 40).contains("step 2  next 1/3"));
}

#[test]
fn reset_repeats_the_run_and_a_new_seed_changes_it() {
    let mut lab = open();
    press(&mut lab, "nnn");
    let first = text(&mut lab, 120, 40);
    press(&mut lab, "rnnn");
    assert_eq!(text(&mut lab, 120, 40), first, "same seed, same run");
    press(&mut lab, "Rnnn");
    let other = text(&mut lab, 120, 40);
    assert_ne!(other, first, "a new seed draws new weights");
    assert!(!other.contains("seed 7 "));
}

#[test]
fn editing_sets_an_input_component() {
    let mut lab = open();
    press(&mut lab, "e");
    lab.handle_key(key(KeyCode::Right));
    press(&mut lab, "0.25");
    assert!(text(&mut lab, 120, 40).contains("editing x[1]: 0.25_"));
    lab.handle_key(key(KeyCode::Enter));
    let shown = text(&mut lab, 120, 40);
    assert!(shown.contains("[1] = +0.250"), "{shown}");
    lab.handle_key(key(KeyCode::Esc));
    assert!(!text(&mut lab, 120, 40).contains("editing"));
}

#[test]
fn a_bad_number_is_refused_with_a_message() {
    let mut lab = open();
    press(&mut lab, "e--1");
    lab.handle_key(key(KeyCode::Enter));
    assert!(text(&mut lab, 120, 40).contains("`--1` is not a number"));
}

#[test]
fn a_huge_input_overflows_visibly_and_does_not_crash() {
    let mut lab = open();
    press(&mut lab, "e1e39");
    lab.handle_key(key(KeyCode::Enter));
    lab.handle_key(key(KeyCode::Esc));
    press(&mut lab, "n");
    let shown = text(&mut lab, 120, 40);
    assert!(shown.contains("overflow at step 1"), "{shown}");
    assert!(shown.contains("NaN") || shown.contains("inf"), "{shown}");
}

#[test]
fn pixels_are_toggled_by_keys_and_by_the_mouse() {
    let mut lab = open();
    let before = text(&mut lab, 120, 40);
    press(&mut lab, "e");
    lab.handle_key(key(KeyCode::Tab));
    let editing = text(&mut lab, 120, 40);
    assert!(editing.contains("editing probe (0, 0)"), "{editing}");
    lab.handle_key(key(KeyCode::Right));
    lab.handle_key(key(KeyCode::Down));
    assert!(text(&mut lab, 120, 40).contains("(1, 1) = -1"));
    lab.handle_key(key(KeyCode::Char(' ')));
    assert!(text(&mut lab, 120, 40).contains("(1, 1) = +1"));
    lab.handle_key(key(KeyCode::Esc));
    let after_key = text(&mut lab, 120, 40);
    assert_ne!(after_key, before);

    // Click every cell until one flips a pixel: the probe is somewhere on screen.
    let buffer = render_buffer(&mut lab, 120, 40);
    let (x, y) = find(&buffer, "probe").expect("probe title on screen");
    let click = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: x,
        row: y + 1,
        modifiers: KeyModifiers::NONE,
    };
    assert_eq!(lab.handle_mouse(click), LabOutcome::Consumed);
    assert_ne!(
        text(&mut lab, 120, 40),
        after_key,
        "the click flipped a pixel"
    );
    assert_eq!(lab.handle_mouse(click), LabOutcome::Consumed);
    assert_eq!(
        text(&mut lab, 120, 40),
        after_key,
        "a second click flips it back"
    );
}

fn render_buffer(lab: &mut Lab, width: u16, height: u16) -> Buffer {
    let mut buf = Buffer::empty(Rect::new(0, 0, width, height));
    lab.render(buf.area, &mut buf, Lang::En, &Theme::plain());
    buf
}

/// Where `needle` starts on screen.
fn find(buf: &Buffer, needle: &str) -> Option<(u16, u16)> {
    for y in 0..buf.area.height {
        let row: String = (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect();
        if let Some(i) = row.find(needle) {
            return Some((row[..i].chars().count() as u16, y));
        }
    }
    None
}

#[test]
fn a_model_action_runs_on_its_key_and_is_listed() {
    let mut lab = open();
    let help = lab.key_help();
    assert!(
        help.iter()
            .any(|h| h.keys == "i" && h.label.en == "invert the probe")
    );
    assert!(help.iter().any(|h| h.keys == "space"));
    let before = text(&mut lab, 120, 40);
    assert_eq!(
        lab.handle_key(key(KeyCode::Char('i'))),
        LabOutcome::Consumed
    );
    assert_ne!(text(&mut lab, 120, 40), before);
}

#[test]
fn brackets_cycle_the_input_sequence() {
    let mut lab = open();
    assert!(text(&mut lab, 120, 40).contains("fed the sine sequence"));
    press(&mut lab, "]");
    assert!(text(&mut lab, 120, 40).contains("fed the step sequence"));
    press(&mut lab, "]]");
    assert!(text(&mut lab, 120, 40).contains("fed the sine sequence"));
    press(&mut lab, "[");
    assert!(text(&mut lab, 120, 40).contains("fed the noise sequence"));
}

#[test]
fn parameters_rebuild_the_model_and_a_failed_build_loses_nothing() {
    let mut lab = open();
    press(&mut lab, "nn");
    lab.handle_key(key(KeyCode::Char('p')));
    // size 6 -> 7 by arrow, then rebuild.
    lab.handle_key(key(KeyCode::Right));
    assert!(text(&mut lab, 120, 40).contains("size  7"));
    lab.handle_key(key(KeyCode::Enter));
    let rebuilt = text(&mut lab, 120, 40);
    assert!(rebuilt.contains("model rebuilt"), "{rebuilt}");
    assert!(rebuilt.contains("input x * [7]"), "{rebuilt}");

    // A value out of bounds is refused in the popup.
    lab.handle_key(key(KeyCode::Char('p')));
    press(&mut lab, "999");
    lab.handle_key(key(KeyCode::Enter));
    let refused = text(&mut lab, 120, 40);
    assert!(refused.contains("an integer from 1 to 256"), "{refused}");
    let refused_zh = screen(&mut lab, 120, 40, Lang::Zh, &Theme::plain());
    assert!(refused_zh.contains("1 到 256 之间的整数"), "{refused_zh}");
    lab.handle_key(key(KeyCode::Esc));
    lab.handle_key(key(KeyCode::Esc));

    // A build that fails keeps the old model and says why.
    press(&mut lab, "n");
    let before = text(&mut lab, 120, 40);
    lab.handle_key(key(KeyCode::Char('p')));
    for _ in 0..3 {
        lab.handle_key(key(KeyCode::Down));
    }
    press(&mut lab, "fail");
    lab.handle_key(key(KeyCode::Enter));
    let failed = text(&mut lab, 120, 40);
    assert!(failed.contains("cannot be built"), "{failed}");
    // In Chinese the model's own reason is in Chinese.
    let failed_zh = screen(&mut lab, 120, 40, Lang::Zh, &Theme::plain());
    assert!(failed_zh.contains("建不成模型"), "{failed_zh}");
    assert_eq!(lab.handle_key(key(KeyCode::Esc)), LabOutcome::Consumed);
    assert_eq!(text(&mut lab, 120, 40), before);
}

#[test]
fn running_follows_the_clock_and_pausing_sleeps() {
    let mut lab = open();
    assert_eq!(lab.next_wake(), None);
    let start = Instant::now();
    assert!(!lab.tick(start), "a paused lab does nothing");
    press(&mut lab, " ");
    let wake = lab.next_wake().expect("running wakes");
    assert!(
        wake <= Instant::now() + Duration::from_millis(150),
        "10 steps/s wakes within 0.1 s"
    );
    // One second later ten steps (at the default 10 per second) are due.
    assert!(lab.tick(Instant::now() + Duration::from_secs(1)));
    let shown = text(&mut lab, 120, 40);
    assert!(
        shown.contains("step 10 ") || shown.contains("step 9 "),
        "{shown}"
    );
    // Faster: the next wake comes no later than a frame away.
    press(&mut lab, "+++++++");
    let later = Instant::now() + Duration::from_secs(2);
    lab.tick(later);
    let wake = lab.next_wake().expect("still running");
    assert!(
        wake <= later + Duration::from_millis(34),
        "at least 30 frames a second"
    );
    press(&mut lab, " ");
    assert_eq!(lab.next_wake(), None, "paused: no wake-ups at all");
}

#[test]
fn pasting_numbers_sets_the_input() {
    let mut lab = open();
    assert_eq!(lab.handle_paste("0.5, -0.25 1"), LabOutcome::Consumed);
    let shown = text(&mut lab, 120, 40);
    assert!(
        shown.contains("+0.500") && shown.contains("-0.250"),
        "{shown}"
    );
    assert_eq!(lab.handle_paste("not numbers"), LabOutcome::Ignored);
}

#[test]
fn the_wheel_scrolls_views_that_overflow() {
    let mut lab = open();
    let top = text(&mut lab, 60, 14);
    let down = MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 5,
        row: 5,
        modifiers: KeyModifiers::NONE,
    };
    assert_eq!(lab.handle_mouse(down), LabOutcome::Consumed);
    let scrolled = text(&mut lab, 60, 14);
    assert_ne!(scrolled, top);
    press(&mut lab, "kkkkkk");
    assert_eq!(text(&mut lab, 60, 14), top);
}

#[test]
fn every_size_draws_without_panicking() {
    let mut learning = open_learning();
    press(&mut learning, "nnn");
    for mut lab in [mid_run(), learning] {
        for width in 0..=40 {
            for height in 0..=14 {
                text(&mut lab, width.max(1), height.max(1));
            }
        }
        // A size larger than the views need leaves no scroll bar.
        text(&mut lab, 250, 80);
    }
}

/// Anything a person can do to the lab.
#[derive(Debug, Clone)]
enum Event {
    Key(KeyCode),
    Mouse(MouseEventKind, u16, u16),
    Paste(String),
    Tick(u64),
    Render(u16, u16),
}

fn any_key() -> impl Strategy<Value = KeyCode> {
    prop_oneof![
        4 => prop::sample::select(
            " nmrR+-e[]pqL?hjklif0123456789.-eE,xX".chars().collect::<Vec<_>>()
        )
        .prop_map(KeyCode::Char),
        1 => any::<char>().prop_map(KeyCode::Char),
        3 => prop::sample::select(vec![
            KeyCode::Esc,
            KeyCode::Enter,
            KeyCode::Tab,
            KeyCode::Backspace,
            KeyCode::Left,
            KeyCode::Right,
            KeyCode::Up,
            KeyCode::Down,
            KeyCode::PageUp,
            KeyCode::PageDown,
        ]),
    ]
}

fn any_event() -> impl Strategy<Value = Event> {
    prop_oneof![
        8 => any_key().prop_map(Event::Key),
        2 => (
            prop::sample::select(vec![
                MouseEventKind::Down(MouseButton::Left),
                MouseEventKind::ScrollDown,
                MouseEventKind::ScrollUp,
                MouseEventKind::Moved,
            ]),
            0u16..130,
            0u16..50
        )
            .prop_map(|(k, x, y)| Event::Mouse(k, x, y)),
        1 => "[0-9., e\\-a-z]{0,12}".prop_map(Event::Paste),
        2 => (0u64..3000).prop_map(Event::Tick),
        2 => (1u16..130, 1u16..50).prop_map(|(w, h)| Event::Render(w, h)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn no_sequence_of_events_panics(
        learning in any::<bool>(),
        events in prop::collection::vec(any_event(), 1..200),
    ) {
        // Either demo: between them they show every kind of view.
        let open = || if learning { open_learning() } else { open() };
        let mut lab = open();
        let mut now = Instant::now();
        let themes = [Theme::coloured(), Theme::plain()];
        for (i, event) in events.into_iter().enumerate() {
            match event {
                Event::Key(code) => {
                    if lab.handle_key(key(code)) == LabOutcome::Close {
                        lab = open();
                    }
                }
                Event::Mouse(kind, column, row) => {
                    lab.handle_mouse(MouseEvent { kind, column, row, modifiers: KeyModifiers::NONE });
                }
                Event::Paste(text) => {
                    lab.handle_paste(&text);
                }
                Event::Tick(ms) => {
                    now += Duration::from_millis(ms);
                    lab.tick(now);
                    if let Some(wake) = lab.next_wake() {
                        prop_assert!(wake <= now + Duration::from_secs(2));
                    }
                }
                Event::Render(w, h) => {
                    let lang = [Lang::En, Lang::Zh, Lang::Both][i % 3];
                    screen(&mut lab, w, h, lang, &themes[i % 2]);
                }
            }
        }
        screen(&mut lab, 1, 1, Lang::Zh, &themes[0]);
        screen(&mut lab, 80, 24, Lang::En, &themes[1]);
    }
}

/// The step count in the header (`step 12`).
fn header_step(lab: &mut Lab) -> u64 {
    let screen = text(lab, 120, 40);
    let header = screen.lines().next().unwrap_or_default().to_string();
    let after = header
        .split("step ")
        .nth(1)
        .expect("a step count in the header");
    after
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a number after `step`")
}

#[test]
fn step_back_returns_to_the_screen_before_and_forward_again_to_the_same_one() {
    let mut lab = open();
    press(&mut lab, "nnm");
    let before = text(&mut lab, 120, 40);
    press(&mut lab, "n");
    assert_ne!(text(&mut lab, 120, 40), before);
    press(&mut lab, "b");
    assert_eq!(text(&mut lab, 120, 40), before);
    // Left arrow steps back too: over the stage, then over a step.
    lab.handle_key(key(KeyCode::Left));
    lab.handle_key(key(KeyCode::Left));
    assert_eq!(header_step(&mut lab), 1);
    press(&mut lab, "nm");
    assert_eq!(text(&mut lab, 120, 40), before);
    // Back to the start, and no further: the lab says so.
    press(&mut lab, "bbbbbb");
    assert_eq!(header_step(&mut lab), 0);
    assert!(text(&mut lab, 200, 40).contains("nothing earlier"));
}

/// Ticks the lab until its screen shows `needle`, for at most five seconds.
fn tick_until(lab: &mut Lab, needle: &str) -> String {
    let started = Instant::now();
    loop {
        lab.tick(Instant::now());
        let screen = text(lab, 160, 40);
        if screen.contains(needle) {
            return screen;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "no `{needle}` in:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn long_work_runs_beside_the_lab_shows_progress_and_stops_on_esc() {
    let mut lab = open();
    press(&mut lab, "w");
    // The key returns at once: the fifty slow steps take a second.
    let screen = tick_until(&mut lab, "/50");
    assert!(screen.contains("Esc stops"), "{screen}");
    assert!(screen.contains("slow step"), "{screen}");
    assert!(
        lab.next_wake().is_some(),
        "the lab asks to be woken to redraw the progress"
    );
    // Keys are answered while it runs: stepping waits and says why.
    press(&mut lab, "n");
    assert!(text(&mut lab, 160, 40).contains("busy"));
    assert_eq!(header_step(&mut lab), 0, "the copy shown stays as it was");
    // Esc stops the work, not the lab; what was done is kept.
    assert_eq!(lab.handle_key(key(KeyCode::Esc)), LabOutcome::Consumed);
    tick_until(&mut lab, "stopped");
    let steps = header_step(&mut lab);
    assert!((1..50).contains(&steps), "{steps} steps kept");
    // Stepping back returns to before the work.
    press(&mut lab, "b");
    assert_eq!(header_step(&mut lab), 0);
}

#[test]
fn a_model_without_an_experiment_says_so() {
    let mut lab = open();
    press(&mut lab, "E");
    assert!(text(&mut lab, 160, 40).contains("no experiment"));
}
