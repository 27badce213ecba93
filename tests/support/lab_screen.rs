//! What the lab snapshot tests share: open a catalogue entry's lab, press
//! keys in it, draw it into a test terminal as text, and the `snapshots!`
//! macro that makes one test per screen.
//!
//! A test file takes it in at its top with
//!
//! ```ignore
//! #[path = "support/lab_screen.rs"]
//! mod lab_screen;
//! use lab_screen::{lab_with, snapshots};
//! ```
//!
//! The module must be named `lab_screen` and sit at the top of the test
//! file: `snapshots!` finds `screen` there.

#![allow(dead_code)]

use nnzoo::catalogue::Catalogue;
use nnzoo::model;
use nnzoo::text::Lang;
use nnzoo::tui::lab::Lab;
use nnzoo::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The seed the snapshot tests build their models with, unless a test
/// says otherwise.
pub const SEED: u64 = 42;

/// Opens the lab of the catalogue entry `entry_id`, its model built from
/// the default parameters changed by `assignments` (each `name=value`)
/// and from `seed`. Panics if the entry has no model, the model refuses an
/// assignment or does not build.
pub fn open(entry_id: &str, assignments: &[&str], seed: u64) -> Lab {
    let catalogue = Catalogue::builtin();
    let entry = catalogue.get(entry_id).expect("entry in the catalogue");
    let spec = model::find(&entry.model).expect("a runnable entry has a model");
    let mut params = spec.default_params();
    for assignment in assignments {
        params
            .assign(assignment)
            .expect("the model takes the parameter");
    }
    Lab::with_params(entry, spec, &params, seed).expect("the model builds")
}

/// Presses the characters of `keys` in `lab`, one after another, each as
/// a key without modifiers.
pub fn press(lab: &mut Lab, keys: &str) {
    for c in keys.chars() {
        lab.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
}

/// The lab of `entry_id` built with `assignments` and the seed 42, after
/// `keys` were pressed: what most snapshots show.
pub fn lab_with(entry_id: &str, assignments: &[&str], keys: &str) -> Lab {
    let mut lab = open(entry_id, assignments, SEED);
    press(&mut lab, keys);
    lab
}

/// Draws `lab` with the colour theme into a test terminal of `width` by
/// `height` cells, in `lang`, and returns what the screen shows as text,
/// one quoted line a row (the text only, not the colours).
pub fn screen(lab: &mut Lab, width: u16, height: u16, lang: Lang) -> String {
    draw(lab, width, height, lang, &Theme::coloured())
}

/// Draws `lab` as `screen` does, but with the plain theme: no colour,
/// emphasis by bold, reverse and underline only.
pub fn plain_screen(lab: &mut Lab, width: u16, height: u16, lang: Lang) -> String {
    draw(lab, width, height, lang, &Theme::plain())
}

fn draw(lab: &mut Lab, width: u16, height: u16, lang: Lang, theme: &Theme) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|frame| lab.render(frame.area(), frame.buffer_mut(), lang, theme))
        .expect("draw");
    terminal.backend().to_string()
}

/// One test per line, each a snapshot of a lab's screen:
///
/// ```ignore
/// snapshots! {
///     name: lab expression, width x height, language;
/// }
/// ```
///
/// The test `name` builds the lab with the expression (for example
/// `lab_with("dnc", &[], "nnm")`), draws it with `screen` and compares the
/// text with the stored snapshot of that name. The call is written
/// `screen(&mut lab, …)` as the tests had it before, because insta keeps
/// that text in each snapshot file's header.
macro_rules! snapshots {
    ($($name:ident: $lab:expr, $w:literal x $h:literal, $lang:expr;)*) => {
        $(
            #[test]
            fn $name() {
                use $crate::lab_screen::screen;
                let mut lab = $lab;
                insta::assert_snapshot!(screen(&mut lab, $w, $h, $lang));
            }
        )*
    };
}

pub(crate) use snapshots;
