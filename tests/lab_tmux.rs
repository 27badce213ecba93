//! End to end: the real `nnzoo` binary in a real terminal (tmux). Opens the
//! LSTM lab, steps it stage by stage and sees the gate values change; opens
//! the Hopfield lab on its corrupted letter, runs it and sees the letter
//! recalled and the run stopped there.
//!
//! Needs tmux. Each test runs its own tmux server (`tmux -L` with a unique
//! socket name), so it never touches a person's sessions. Waits poll the
//! screen with a timeout instead of sleeping.

#[path = "support/tmux.rs"]
mod tmux;

use tmux::{Tmux, line_with};

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
    let tmux = Tmux::start(env!("CARGO_BIN_EXE_nnzoo"), 120, 40);
    open_lab(&tmux, "LSTM", "Long Short-Term Memory Cell (LSTM)");
    let screen = tmux.wait_for(&["next 1/6 forget gate", "  f  forget gate", "f = σ("]);
    let forget_before = line_with(&screen, "f = σ(");
    assert!(
        !forget_before.contains("= ["),
        "no forget gate yet: {forget_before}"
    );

    // One stage: the forget gate has values, the input gate not yet.
    tmux.keys(&["m"]);
    let screen = tmux.wait_until("the forget gate's values", |s| {
        s.contains("next 2/6 input gate") && line_with(s, "f = σ(").contains("= [")
    });
    let forget = line_with(&screen, "f = σ(");
    assert!(!line_with(&screen, "i = σ(").contains("= ["), "{screen}");

    // Stage by stage through the step: each gate gets its values in turn.
    for (next, line) in [
        ("next 3/6 candidate", "i = σ("),
        ("next 4/6 cell state", "g = tanh("),
        ("next 5/6 output gate", "c' = f"),
        ("next 6/6 hidden state", "o = σ("),
    ] {
        tmux.keys(&["m"]);
        // Waits for the whole frame: a capture may catch one half drawn.
        tmux.wait_until(line, |s| {
            s.contains(next) && line_with(s, line).contains("= [")
        });
    }
    tmux.keys(&["m"]);
    tmux.wait_until("h' with its values", |s| {
        s.contains("step 1 ")
            && s.contains("next 1/6 forget gate")
            && line_with(s, "h' = o").contains("= [")
    });

    // The next step's forget gate differs: the state it reads has moved.
    tmux.keys(&["m"]);
    let screen = tmux.wait_until("the next forget gate", |s| {
        s.contains("step 1 ")
            && s.contains("next 2/6 input gate")
            && line_with(s, "f = σ(").contains("= [")
    });
    let forget_next = line_with(&screen, "f = σ(");
    assert_ne!(forget_next, forget, "the forget gate changed between steps");

    // In Chinese the same lab reads in Chinese.
    tmux.keys(&["L"]);
    tmux.wait_for(&["f  遗忘门", "下一阶段 2/6", "保留旧细胞状态的"]);
}

#[test]
fn compare_steps_an_lstm_and_a_gru_together() {
    let tmux = Tmux::start(env!("CARGO_BIN_EXE_nnzoo"), 120, 40);
    open_lab(&tmux, "LSTM", "Long Short-Term Memory Cell (LSTM)");

    // Parameters: input, hidden, sequence, word, compare; turn compare on.
    tmux.keys(&["p"]);
    tmux.wait_for(&["parameters: Enter applies", "compare LSTM and GRU"]);
    tmux.keys(&["Down", "Down", "Down", "Down", "Right"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for(&["model rebuilt", "step 0", "not computed yet"]);

    // Three steps: both cells have run, on the same named input. Each
    // check waits for a whole frame: a capture may catch one half drawn.
    tmux.keys(&["n", "n", "n"]);
    let side_by_side = |s: &str| {
        s.lines()
            .any(|l| l.starts_with("LSTM  ") && l.trim_end().ends_with("  GRU"))
    };
    tmux.wait_until("both cells after three steps", |s| {
        let keeps = line_with(s, "keeps ");
        s.contains("step 3 ")
            && s.contains("sine wave, phase 2/16")
            && side_by_side(s)
            // The LSTM's forget gate and the GRU's update gate, in words.
            && keeps.contains("of the old cell state")
            && keeps.contains("of the old state (units")
            && s.contains("of the old state into n")
            && line_with(s, "LSTM h over time 3 steps").contains("GRU h over time 3 steps")
    });

    // One stage: the LSTM's forget gate and the GRU's reset gate together,
    // and only they are marked as just run.
    tmux.keys(&["m"]);
    tmux.wait_until("f and r run together", |s| {
        s.contains("next 2/6 LSTM input gate, GRU update gate")
            && s.matches("▸ ").count() == 2
            && s.contains("▸ f ")
            && s.contains("▸ r ")
    });

    // Step back twice: the stage, then the third step.
    tmux.keys(&["b"]);
    tmux.wait_for(&["step 3 ", "next 1/6"]);
    tmux.keys(&["b"]);
    tmux.wait_for(&["step 2 ", "sine wave, phase 1/16"]);

    // In Chinese, both panels and the stage names read in Chinese.
    tmux.keys(&["m", "L"]);
    tmux.wait_for(&["LSTM 输入门,GRU 更新门", "保留旧细胞状态的", "让旧状态的"]);
}

#[test]
fn the_hopfield_first_minute_recalls_a_letter_and_stops() {
    let tmux = Tmux::start(env!("CARGO_BIN_EXE_nnzoo"), 120, 40);
    open_lab(&tmux, "hopfield", "Hopfield Network (HN)");

    // It opens on the letters, a corrupted A as the probe, its flipped
    // pixels marked and counted. (The title comes first in a frame: wait
    // for the whole frame rather than read the first capture.)
    tmux.wait_for(&[
        "stored patterns (12)",
        "probe: A with 12 pixels flipped; space runs until it settles",
        "■ 12 pixels differ from A",
    ]);

    // Space runs it; it stops at the fixed point and says what happened.
    tmux.keys(&["Space"]);
    let screen = tmux.wait_for(&["recalled A after 1 sweep", "paused"]);
    assert!(screen.contains("step 2 "), "{screen}");
    assert!(screen.contains("0 pixels differ from A"), "{screen}");
    // ... and stays stopped: no more sweeps are counted.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let later = tmux.screen();
    assert!(
        later.contains("step 2 ") && later.contains("paused"),
        "{later}"
    );

    // Stage by stage, the neuron just updated is marked and named.
    tmux.keys(&["c"]);
    tmux.wait_for(&["probe: A with 12 pixels flipped", "step 0 "]);
    tmux.keys(&["m"]);
    let screen = tmux.wait_for(&["next 2/120"]);
    assert!(
        line_with(&screen, "■ neuron ").contains(": h = "),
        "{screen}"
    );

    // In Chinese the same lab reads in Chinese.
    tmux.keys(&["L"]);
    tmux.wait_for(&["个像素与 A 不同", "■ 神经元"]);
    tmux.keys(&["L", "L"]);
    tmux.wait_for(&["pixels differ from A"]);

    // The popup shows the values in force and offers the sets on ←/→.
    tmux.keys(&["p"]);
    let popup = tmux.wait_for(&["parameters: Enter applies"]);
    assert!(line_with(&popup, "│n ").contains(" 120 "), "{popup}");
    assert!(line_with(&popup, "│patterns ").contains(" 12 "), "{popup}");
    tmux.keys(&["Right"]);
    tmux.wait_until("digits offered", |s| {
        line_with(s, "│set ").contains("digits")
    });
    tmux.keys(&["Enter"]);
    tmux.wait_for(&["model rebuilt", "stored patterns (10)"]);
}

/// The count of trials done in the progress bar (`[###---] 12/300`).
fn trials_done(screen: &str) -> Option<usize> {
    let line = screen.lines().find(|l| l.contains("/300"))?;
    let before = line.split("/300").next()?;
    before.rsplit(' ').next()?.parse().ok()
}

#[test]
fn the_capacity_experiment_runs_beside_the_lab_and_stops_on_esc() {
    let tmux = Tmux::start(env!("CARGO_BIN_EXE_nnzoo"), 120, 40);
    open_lab(&tmux, "hopfield", "Hopfield Network (HN)");

    // The whole experiment: 15 loads x 20 trials at N = 1000, on a worker.
    tmux.keys(&["E"]);
    let screen = tmux.wait_until("progress", |s| trials_done(s).is_some());
    assert!(screen.contains("Esc stops"), "{screen}");
    let first = trials_done(&screen).unwrap();

    // Keys are answered while it runs: a step waits and says why, the
    // language changes at once.
    tmux.keys(&["n"]);
    tmux.wait_for(&["busy: wait, or Esc stops"]);
    tmux.keys(&["L"]);
    tmux.wait_for(&["Esc 停止"]);
    // Chinese, both, and back to English.
    tmux.keys(&["L", "L"]);
    tmux.wait_for(&["Esc stops"]);

    // The progress moves.
    tmux.wait_until("more trials done", |s| {
        trials_done(s).is_some_and(|now| now > first)
    });

    // Esc stops it; its report says so and keeps the loads it finished.
    tmux.keys(&["Escape"]);
    let report = tmux.wait_for(&["Hopfield network capacity: stopped"]);
    assert!(report.contains("stopped before the end"), "{report}");
    tmux.keys(&["Escape"]);
    let screen = tmux.wait_gone("Hopfield network capacity: stopped");
    assert!(screen.contains("Hopfield Network (HN)  step 0"), "{screen}");
}
