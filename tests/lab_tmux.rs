//! End to end: the real `nnzoo` binary in a real terminal (tmux). Opens the
//! LSTM lab, steps it stage by stage and sees the gate values change; opens
//! the Hopfield lab with the built-in letters, corrupts the probe, runs it
//! and sees the letter recalled.
//!
//! Needs tmux. Each test runs its own tmux server (`tmux -L` with a unique
//! socket name), so it never touches a person's sessions. Waits poll the
//! screen with a timeout instead of sleeping.

use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

static SESSIONS: AtomicUsize = AtomicUsize::new(0);

struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(width: u16, height: u16) -> Tmux {
        let socket = format!(
            "nnzoo-lab-{}-{}",
            std::process::id(),
            SESSIONS.fetch_add(1, Ordering::SeqCst)
        );
        let tmux = Tmux { socket };
        let binary = env!("CARGO_BIN_EXE_nnzoo");
        let output = tmux.run(&[
            "new-session",
            "-d",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            binary,
        ]);
        assert!(
            output.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        tmux
    }

    fn run(&self, args: &[&str]) -> Output {
        match Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
        {
            Ok(output) => output,
            Err(error) => panic!("this test needs tmux on the PATH: {error}"),
        }
    }

    /// Presses keys by tmux's names (`Enter`, `Escape`, `Down`, `m`).
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "0"];
        args.extend(keys);
        assert!(self.run(&args).status.success());
    }

    /// Types `text` literally.
    fn type_text(&self, text: &str) {
        assert!(
            self.run(&["send-keys", "-t", "0", "-l", text])
                .status
                .success()
        );
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "0"]).stdout).into_owned()
    }

    /// Waits until the screen shows every one of `texts`, and returns it.
    fn wait_for(&self, texts: &[&str]) -> String {
        self.wait_until(&format!("{texts:?}"), |screen| {
            texts.iter().all(|text| screen.contains(text))
        })
    }

    fn wait_until(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if done(&screen) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; the screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(30));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

/// The first screen line containing `text`, trimmed.
fn line_with(screen: &str, text: &str) -> String {
    screen
        .lines()
        .find(|line| line.contains(text))
        .unwrap_or("")
        .trim()
        .to_string()
}

/// Searches for `query` and opens the first hit's lab.
fn open_lab(tmux: &Tmux, query: &str, header: &str) -> String {
    tmux.wait_for(&["Catalogue"]);
    tmux.keys(&["/"]);
    tmux.type_text(query);
    tmux.wait_for(&[&format!("/ {query}")]);
    tmux.keys(&["Enter"]);
    // The card of the first hit, then its lab.
    tmux.wait_for(&["Enter opens its lab"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for(&[header, "step 0"])
}

#[test]
fn the_lstm_lab_steps_gate_by_gate() {
    let tmux = Tmux::start(120, 40);
    let screen = open_lab(&tmux, "LSTM", "Long Short-Term Memory Cell (LSTM)");
    assert!(screen.contains("next 1/6 forget gate"), "{screen}");
    assert!(screen.contains("forget gate f [8]"), "{screen}");
    let forget_before = line_with(&screen, "f = σ(");
    assert!(
        !forget_before.contains("= ["),
        "no forget gate yet: {forget_before}"
    );

    // One stage: the forget gate has values, the input gate not yet.
    tmux.keys(&["m"]);
    let screen = tmux.wait_for(&["next 2/6 input gate"]);
    let forget = line_with(&screen, "f = σ(");
    assert!(forget.contains("= ["), "{screen}");
    assert!(!line_with(&screen, "i = σ(").contains("= ["), "{screen}");

    // Stage by stage through the step: each gate gets its values in turn.
    for (next, line) in [
        ("next 3/6 candidate", "i = σ("),
        ("next 4/6 cell state", "g = tanh("),
        ("next 5/6 output gate", "c' = f"),
        ("next 6/6 hidden state", "o = σ("),
    ] {
        tmux.keys(&["m"]);
        let screen = tmux.wait_for(&[next]);
        assert!(line_with(&screen, line).contains("= ["), "{line}: {screen}");
    }
    tmux.keys(&["m"]);
    let screen = tmux.wait_for(&["step 1 ", "next 1/6 forget gate"]);
    assert!(line_with(&screen, "h' = o").contains("= ["), "{screen}");

    // The next step's forget gate differs: the state it reads has moved.
    tmux.keys(&["m"]);
    let screen = tmux.wait_for(&["step 1 ", "next 2/6 input gate"]);
    let forget_next = line_with(&screen, "f = σ(");
    assert!(forget_next.contains("= ["), "{screen}");
    assert_ne!(forget_next, forget, "the forget gate changed between steps");

    // In Chinese the same lab reads in Chinese.
    tmux.keys(&["L"]);
    tmux.wait_for(&["遗忘门 f", "下一阶段 2/6"]);
}

#[test]
fn the_hopfield_lab_recalls_a_corrupted_letter() {
    let tmux = Tmux::start(120, 40);
    open_lab(&tmux, "hopfield", "Hopfield Network (HN)");

    // Parameters: the built-in letters, stored by the projection rule.
    tmux.keys(&["p"]);
    tmux.wait_for(&["parameters: Enter rebuilds"]);
    tmux.type_text("letters");
    tmux.wait_for(&["letters_"]);
    // set -> n -> patterns -> target -> noise -> rule
    tmux.keys(&["Down", "Down", "Down", "Down", "Down", "Right"]);
    tmux.wait_for(&["projection"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for(&["model rebuilt", "stored patterns (12)"]);

    // Corrupt the target letter afresh, then run until it settles.
    tmux.keys(&["c"]);
    tmux.wait_for(&["probe: pattern A (0) with"]);
    tmux.keys(&["Space"]);
    let screen = tmux.wait_for(&["recalled pattern A (0), the target"]);
    // The overlap with the target is exactly one: every pixel agrees.
    assert!(screen.contains("+1.000"), "{screen}");
}
