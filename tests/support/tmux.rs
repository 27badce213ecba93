//! Drives a program in a real terminal: a tmux session on its own server
//! (`tmux -L` with a socket name unique to the test), so a test never
//! touches a person's sessions. Waits poll the screen with a timeout
//! instead of sleeping. Needs tmux on the PATH (`.ci/run` installs it).

use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long a wait polls the screen before the test fails.
const TIMEOUT: Duration = Duration::from_secs(20);

static SESSIONS: AtomicUsize = AtomicUsize::new(0);

pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// Runs `command` (a shell command line) in a new `width` x `height` session.
    pub fn start(command: &str, width: u16, height: u16) -> Tmux {
        let socket = format!(
            "nnzoo-test-{}-{}",
            std::process::id(),
            SESSIONS.fetch_add(1, Ordering::SeqCst)
        );
        let tmux = Tmux { socket };
        let output = tmux.run(&[
            "new-session",
            "-d",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            command,
        ]);
        assert!(
            output.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        tmux
    }

    pub fn run(&self, args: &[&str]) -> Output {
        match Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
        {
            Ok(output) => output,
            Err(error) => panic!(
                "this test needs tmux on the PATH (apt-get install tmux; .ci/run installs it): {error}"
            ),
        }
    }

    /// Presses keys by tmux's names (`Enter`, `Escape`, `Down`, `q`).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "0"];
        args.extend(keys);
        assert!(self.run(&args).status.success());
    }

    /// Types `text` literally (UTF-8, as an input method delivers it).
    pub fn type_text(&self, text: &str) {
        assert!(
            self.run(&["send-keys", "-t", "0", "-l", text])
                .status
                .success()
        );
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "0"]).stdout).into_owned()
    }

    /// Waits until the screen shows every one of `texts`, and returns it.
    pub fn wait_for(&self, texts: &[&str]) -> String {
        self.wait_until(&format!("{texts:?}"), |screen| {
            texts.iter().all(|text| screen.contains(text))
        })
    }

    /// Waits until the screen no longer shows `text`, and returns it.
    #[allow(dead_code)] // not every test binary that includes this module uses it
    pub fn wait_gone(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?} to go"), |screen| !screen.contains(text))
    }

    /// Waits until `done` holds for the screen, and returns it.
    pub fn wait_until(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + TIMEOUT;
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

/// The first screen line that contains `text`, trimmed ("" if none does).
pub fn line_with(screen: &str, text: &str) -> String {
    screen
        .lines()
        .find(|line| line.contains(text))
        .unwrap_or("")
        .trim()
        .to_string()
}
