//! The terminal user interface: the catalogue browser, the entry card and
//! the lab where a model runs.
//!
//! The UI knows entries only as catalogue data and models only through
//! [`crate::model::Model::views`]; nothing here is specific to one model.
//!
//! Shape (after ratatui's demo2): one [`App`] holding all state with a small
//! [`app::Mode`]; [`App::handle`] is the only thing that changes it, one
//! event at a time; [`App::render`] draws from it into a buffer. The event
//! loop ([`run`]) blocks on input, draws only when something changed, and
//! wakes without input only when the lab runs a model.

pub mod app;
pub mod diagram;
pub mod export;
pub mod keymap;
pub mod keys;
pub mod lab;
pub mod strings;
pub mod theme;
pub mod view;
pub mod wrap;

pub use app::App;

use crate::catalogue::Catalogue;
use crate::text::Lang;
use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use ratatui::crossterm::{cursor, execute};
use ratatui::layout::Rect;
use std::io;
use std::time::{Duration, Instant, SystemTime};

/// How long the program took to put its first frame on the screen, counted
/// from `started` (set first thing in `main`).
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub first_frame: Duration,
    /// The wall-clock time the first frame was on the screen.
    pub first_frame_at: SystemTime,
}

/// Runs the browser over `catalogue` until the person quits. The terminal
/// is restored however this ends: quitting, an error, a panic (the panic
/// hook restores it before the message is printed), or SIGTERM, SIGHUP,
/// SIGQUIT or SIGINT from outside (see [`restore_on_signals`]).
pub fn run(catalogue: Catalogue, lang: Lang, started: Instant) -> io::Result<Timing> {
    let mut terminal = ratatui::try_init()?;
    install_panic_hook();
    #[cfg(unix)]
    if let Err(error) = restore_on_signals() {
        restore_terminal();
        return Err(error);
    }
    let _restore = Restore;
    execute!(io::stdout(), EnableMouseCapture, EnableBracketedPaste)?;
    let size = terminal.size()?;
    let app = App::new(
        catalogue,
        lang,
        theme::Theme::from_env(),
        Rect::new(0, 0, size.width, size.height),
    );
    event_loop(&mut terminal, app, started)
}

fn event_loop(
    terminal: &mut DefaultTerminal,
    mut app: App,
    started: Instant,
) -> io::Result<Timing> {
    let mut timing = None;
    let mut dirty = true;
    loop {
        if dirty {
            terminal.draw(|frame| {
                let area = frame.area();
                app.render(area, frame.buffer_mut());
                if let Some(position) = app.cursor_position() {
                    frame.set_cursor_position(position);
                }
            })?;
            timing.get_or_insert_with(|| Timing {
                first_frame: started.elapsed(),
                first_frame_at: SystemTime::now(),
            });
            dirty = false;
        }
        if app.should_quit() {
            break;
        }
        // Sleep until input, or until the lab's next frame is due.
        let ready = match app.next_wake() {
            None => true,
            Some(wake) => event::poll(wake.saturating_duration_since(Instant::now()))?,
        };
        if ready {
            dirty |= app.handle(&event::read()?);
            // Take whatever else is already waiting (a burst of typing, a
            // paste, wheel events) before drawing once.
            while !app.should_quit() && event::poll(Duration::ZERO)? {
                dirty |= app.handle(&event::read()?);
            }
        }
        dirty |= app.tick(Instant::now());
    }
    Ok(timing.unwrap_or_else(|| Timing {
        first_frame: started.elapsed(),
        first_frame_at: SystemTime::now(),
    }))
}

/// Turns off what `run` turned on beyond ratatui's own setup.
fn restore_terminal() {
    let _ = execute!(
        io::stdout(),
        DisableBracketedPaste,
        DisableMouseCapture,
        cursor::Show
    );
    ratatui::restore();
}

/// Restores the terminal when `run` returns, with a result or an error.
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Restores the terminal, then ends the program as the signal would have,
/// when SIGTERM (`kill`), SIGHUP (the terminal closed), SIGQUIT or SIGINT
/// arrives. In raw mode Ctrl-C is a key, not a signal, so a SIGINT comes
/// from outside (`kill -INT`). Without this the shell would be left in raw
/// mode on the alternate screen. The handler only wakes a thread (what a
/// signal handler may do); the thread does the restoring.
#[cfg(unix)]
fn restore_on_signals() -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGQUIT, SIGINT])?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                // Holding stdout (a reentrant lock) keeps the UI thread from
                // drawing a frame over the restored screen.
                let _stdout = io::stdout().lock();
                restore_terminal();
                let _ = signal_hook::low_level::emulate_default_handler(signal);
                std::process::exit(128 + signal);
            }
        })?;
    Ok(())
}

/// Restores the terminal before the panic message is printed, so the
/// message is readable and the shell usable.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        previous(info);
    }));
}
