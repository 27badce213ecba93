//! End to end: the real `nnzoo` binary in a real terminal (tmux, 120x40).
//! Searches by Chinese, pinyin and English, opens a card, switches the
//! language, quits, and checks the terminal was given back: the shell after
//! it prints its exit status on the normal screen.
//!
//! Needs tmux (`.ci/run` installs it). Each run uses its own tmux server
//! (`tmux -L`), so it never touches a person's sessions.

#[path = "support/tmux.rs"]
mod tmux;

use tmux::{Tmux, line_with};

#[test]
fn browse_search_switch_language_and_quit_in_a_real_terminal() {
    let binary = env!("CARGO_BIN_EXE_nnzoo");
    let tmux = Tmux::start(
        &format!("sh -c '{binary}; echo EXITED $?; sleep 30'"),
        120,
        40,
    );
    // The catalogue opens on the first cell, in English.
    tmux.wait_for(&[
        "nnzoo",
        "Neural Network Zoo",
        "Catalogue",
        "Cells",
        "Basic Neural Network Cell",
    ]);

    // Chinese, as an input method types it: 长短期 finds the LSTM cell first.
    tmux.keys(&["/"]);
    tmux.type_text("长短期");
    let screen = tmux.wait_for(&["/ 长短期", "┌ Long Short-Term Memory Cell (LSTM) "]);
    let first_hit = screen.lines().nth(3).unwrap_or("");
    assert!(
        first_hit.contains("LSTM") && first_hit.contains("Long Short-Term Memory Cell"),
        "{screen}"
    );
    tmux.keys(&["Escape"]);
    tmux.wait_gone("/ 长短期");

    // Pinyin: the match is shown with the row.
    tmux.keys(&["/"]);
    tmux.type_text("xunhuan");
    let screen = tmux.wait_for(&["/ xunhuan", "pinyin:"]);
    assert!(
        line_with(&screen, "pinyin:").contains("xun huan"),
        "{screen}"
    );
    tmux.keys(&["Escape"]);
    tmux.wait_gone("/ xunhuan");

    // English with a typo, kept with Enter, then the card opened with Enter.
    tmux.keys(&["/"]);
    tmux.type_text("hopfied");
    tmux.wait_for(&["/ hopfied", "┌ Hopfield Network (HN) "]);
    tmux.keys(&["Enter"]);
    tmux.wait_for(&["Tab next pane"]);
    tmux.keys(&["Tab"]);
    let card = tmux.wait_for(&["scroll down", "Hopfield Network", "Equations", "References"]);
    assert!(
        card.contains("Hebbian") || card.contains("energy"),
        "{card}"
    );

    // The language cycles: Chinese, then both.
    tmux.keys(&["L"]);
    tmux.wait_for(&[
        "神经网络动物园",
        "L: 中文",
        "霍普菲尔网络",
        "公式",
        "向下滚动",
    ]);
    tmux.keys(&["L"]);
    tmux.wait_for(&["Neural Network Zoo / 神经网络动物园", "L: EN+中文"]);

    // Help, from the same tables the keys dispatch from.
    tmux.keys(&["?"]);
    tmux.wait_for(&["Keys / 按键", "Everywhere / 全局"]);
    tmux.keys(&["Escape"]);
    tmux.wait_gone("Keys / 按键");

    // A runnable entry: Enter opens its lab, Esc comes back.
    tmux.keys(&["L"]);
    tmux.wait_for(&["L: EN "]);
    tmux.keys(&["/"]);
    tmux.type_text("lstm");
    tmux.wait_for(&[
        "/ lstm",
        "┌ Long Short-Term Memory Cell (LSTM) ",
        "Runnable: Enter opens its lab",
    ]);
    tmux.keys(&["Enter"]);
    tmux.wait_for(&["Tab next pane"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for(&[
        "Long Short-Term Memory Cell (LSTM)",
        "forget gate",
        "paused",
    ]);
    tmux.keys(&["Escape"]);
    tmux.wait_for(&["Catalogue", "┌ Long Short-Term Memory Cell (LSTM) "]);

    // Quit: the shell gets the terminal back.
    tmux.keys(&["q"]);
    let screen = tmux.wait_for(&["EXITED 0"]);
    assert!(
        !screen.contains("Catalogue"),
        "the alternate screen was left:\n{screen}"
    );
    let alternate = tmux.run(&["display-message", "-p", "-t", "0", "#{alternate_on}"]);
    assert_eq!(String::from_utf8_lossy(&alternate.stdout).trim(), "0");
}

#[test]
fn a_tiny_window_says_it_is_too_small_and_quits_cleanly() {
    let binary = env!("CARGO_BIN_EXE_nnzoo");
    let tmux = Tmux::start(
        &format!("sh -c '{binary}; echo EXITED $?; sleep 30'"),
        30,
        8,
    );
    tmux.wait_for(&["Window too small", "30x8 < 40x10"]);
    tmux.keys(&["q"]);
    tmux.wait_for(&["EXITED 0"]);
}

/// Killed from outside (SIGTERM, SIGHUP, SIGQUIT, or SIGINT, which raw mode
/// does not send for Ctrl-C), the program gives the terminal back as it does
/// on q: the alternate screen left, raw mode off (`stty` shows `icanon` and
/// `echo` again), and it dies of the signal (the shell sees 128 + signal).
#[test]
fn a_signal_from_outside_restores_the_terminal() {
    let binary = env!("CARGO_BIN_EXE_nnzoo");
    for (signal, number) in [("TERM", 15), ("HUP", 1), ("QUIT", 3), ("INT", 2)] {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("pid");
        // Started in the background (with the terminal as its input) so the
        // shell knows its pid; without job control it stays in the
        // terminal's foreground group.
        let script = format!(
            "{binary} </dev/tty & echo $! > {pid}; wait $!; echo EXITED $?; \
             stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo \
             | tr '\\n' ' ' | sed 's/^/MODES /'; echo; sleep 30",
            pid = pid_file.display()
        );
        let script_file = dir.path().join("run.sh");
        std::fs::write(&script_file, script).unwrap();
        let tmux = Tmux::start(&format!("sh {}", script_file.display()), 100, 30);
        tmux.wait_for(&["Catalogue", "Basic Neural Network Cell"]);
        let pid = std::fs::read_to_string(&pid_file).unwrap();
        let killed = std::process::Command::new("kill")
            .args([&format!("-{signal}"), pid.trim()])
            .status()
            .unwrap();
        assert!(killed.success());
        let screen = tmux.wait_for(&["EXITED", "MODES"]);
        assert!(
            line_with(&screen, "EXITED").contains(&format!("EXITED {}", 128 + number)),
            "SIG{signal}:\n{screen}"
        );
        assert_eq!(
            line_with(&screen, "MODES"),
            "MODES icanon echo",
            "SIG{signal}: raw mode was left on:\n{screen}"
        );
        assert!(!screen.contains("Catalogue"), "SIG{signal}:\n{screen}");
        let alternate = tmux.run(&["display-message", "-p", "-t", "0", "#{alternate_on}"]);
        assert_eq!(
            String::from_utf8_lossy(&alternate.stdout).trim(),
            "0",
            "SIG{signal}"
        );
    }
}
