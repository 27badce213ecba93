//! Every input a person can hand nnzoo, made hostile: control characters
//! meant for the terminal, sizes that overflow, devices, FIFOs, folders
//! named like files, numbers beyond float32, closed pipes. Each must give a
//! clear error (or a valid result), never a panic, a hang or a terminal
//! taken over; the property tests at the end feed random bytes and random
//! JSON to every file parser.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn nnzoo_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nnzoo"))
        .args(args)
        .current_dir(dir)
        .env_remove("NNZOO_KERNELS")
        .output()
        .expect("nnzoo runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The first control character in `bytes` that a terminal would act on
/// (all but newline and tab), as its code point.
fn terminal_control(bytes: &[u8]) -> Option<u32> {
    text(bytes)
        .chars()
        .find(|&c| c.is_control() && c != '\n' && c != '\t')
        .map(u32::from)
}

/// Asserts that neither stdout nor stderr carries a control character.
fn assert_no_controls(out: &Output, what: &str) {
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        assert_eq!(
            terminal_control(bytes),
            None,
            "{what}: {stream} carries a control character:\n{}",
            text(bytes)
        );
    }
}

/// Runs nnzoo and fails the test if it has not ended within `limit`
/// (a FIFO opened for reading would block it forever).
fn nnzoo_within(dir: &Path, args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nnzoo"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nnzoo runs");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("nnzoo {args:?} still runs after {limit:?}: it blocked");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A well-formed entry of its own id, to break one part at a time.
fn plain_entry() -> Value {
    let mut entry: Value =
        serde_json::from_str(include_str!("../zoo/hopfield.json")).expect("a built-in entry");
    entry["id"] = json!("array-test");
    entry
}

/// An entry file whose every text field carries terminal commands.
fn hostile_entry() -> Value {
    let mut entry: Value =
        serde_json::from_str(include_str!("../zoo/hopfield.json")).expect("a built-in entry");
    entry["id"] = json!("evil\u{1b}[31m-id");
    entry["abbreviation"] = json!("EV\u{9b}2JIL");
    entry["name"]["en"] = json!("Evil\u{1b}]0;pwned\u{7} Name\r");
    entry["summary"]["en"] = json!("\u{1b}[2JWiped\u{8}\u{0}");
    entry["aliases"] = json!(["al\u{1b}ias"]);
    entry["references"][0]["title"] = json!("T\u{1b}[5mitle");
    entry
}

#[test]
fn control_characters_in_entry_files_are_made_visible_by_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let zoo = dir.path().join("zoo");
    std::fs::create_dir(&zoo).unwrap();
    std::fs::write(
        zoo.join("evil.json"),
        serde_json::to_vec(&hostile_entry()).unwrap(),
    )
    .unwrap();
    // A broken file whose name carries ESC, reported by `check`.
    std::fs::write(zoo.join("bad\u{1b}[31m.json"), "{\"id\": \"a\u{1b}").unwrap();
    let zoo = zoo.to_str().unwrap();
    for args in [
        vec!["--zoo", zoo, "list"],
        vec!["--zoo", zoo, "show", "evil"],
        vec!["--zoo", zoo, "show", "hopf"],
        vec!["--zoo", zoo, "check"],
        vec!["--zoo", zoo, "run", "evil", "--steps", "1"],
        vec!["--zoo", zoo, "run", "no such thing"],
    ] {
        let out = nnzoo_in(dir.path(), &args);
        assert_no_controls(&out, &format!("{args:?}"));
    }
    let out = nnzoo_in(dir.path(), &["--zoo", zoo, "list"]);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("evil\\u{1b}[31m-id") && stdout.contains("EV\\u{9b}2JIL"),
        "{stdout}"
    );
    let out = nnzoo_in(dir.path(), &["--zoo", zoo, "check"]);
    assert!(text(&out.stdout).contains("bad\\u{1b}[31m.json"));
    // JSON keeps the entry as read: valid JSON, the same strings.
    let out = nnzoo_in(dir.path(), &["--zoo", zoo, "show", "evil", "--json"]);
    assert_no_controls(&out, "show --json");
    let shown: Value = serde_json::from_slice(&out.stdout).expect("show --json is JSON");
    assert_eq!(shown["id"], hostile_entry()["id"]);
    assert_eq!(shown["abbreviation"], hostile_entry()["abbreviation"]);
    let out = nnzoo_in(dir.path(), &["--zoo", zoo, "list", "--json"]);
    let listed: Value = serde_json::from_slice(&out.stdout).expect("list --json is JSON");
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["name"]["en"] == hostile_entry()["name"]["en"])
    );
}

#[test]
fn control_characters_in_entry_files_are_drawn_visibly_in_the_terminal_ui() {
    use nnzoo::tui::App;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::layout::Rect;
    let entry: nnzoo::catalogue::Entry = serde_json::from_value(hostile_entry()).unwrap();
    let catalogue = nnzoo::catalogue::Catalogue::from_entries([entry]);
    let (width, height) = (160, 40);
    let mut app = App::new(
        catalogue,
        nnzoo::text::Lang::En,
        nnzoo::tui::theme::Theme::plain(),
        Rect::new(0, 0, width, height),
    );
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| app.render(frame.area(), frame.buffer_mut()))
        .unwrap();
    let buffer = terminal.backend().buffer();
    let mut screen = String::new();
    for y in 0..height {
        for x in 0..width {
            let symbol = buffer[(x, y)].symbol();
            assert!(!symbol.contains(char::is_control), "{symbol:?} at {x},{y}");
            screen.push_str(symbol);
        }
        screen.push('\n');
    }
    // Shown, not dropped: the list row and the card's name and summary.
    assert!(screen.contains("Evil\\u{1b}]0;pwned"), "{screen}");
    assert!(screen.contains("\\u{1b}[2JWiped"), "{screen}");
}

#[test]
fn control_characters_in_fixtures_weights_patterns_and_data_are_made_visible() {
    let dir = tempfile::tempdir().unwrap();
    let at = dir.path();
    // A fixture kind, an input name, a tensor name.
    std::fs::write(at.join("kind.json"), r#"{"kind": "x\u001b[31m"}"#).unwrap();
    std::fs::write(
        at.join("input.json"),
        r#"{"kind": "rnn_cell", "params": {}, "inputs": {"x\u001b]0;t\u0007": {"shape": [1], "data": [1]}}}"#,
    )
    .unwrap();
    std::fs::write(
        at.join("w.json"),
        r#"{"w\u001b[2J": {"shape": [1], "data": ["\u001b[2J"]}}"#,
    )
    .unwrap();
    let view =
        safetensors::tensor::TensorView::new(safetensors::Dtype::F64, vec![1], &[0u8; 8]).unwrap();
    let bytes = safetensors::serialize([("weight\u{1b}[31m_ih", view)], None).unwrap();
    std::fs::write(at.join("w.safetensors"), bytes).unwrap();
    // A pattern file whose picture is named with ESC, and one with ESC in a row.
    std::fs::write(
        at.join("named.txt"),
        "name: A\u{1b}[31m\n####\n#..#\n####\n#..#\n",
    )
    .unwrap();
    std::fs::write(at.join("row.txt"), "##\u{1b}#\n####\n####\n####\n").unwrap();
    // A CSV cell and a header with controls.
    std::fs::write(
        at.join("d.csv"),
        "a\u{9b},b,label\n1,2,0\n1,x\u{1b}[31m,0\n",
    )
    .unwrap();
    std::fs::write(at.join("f\u{1b}[31m.json"), "[]").unwrap();
    for args in [
        vec!["eval", "kind.json"],
        vec!["eval", "input.json"],
        vec!["run", "LSTM", "--weights", "w.json"],
        vec!["run", "LSTM", "--weights", "w.safetensors"],
        vec!["eval", "f\u{1b}[31m.json"],
        vec!["run", "hopfield", "--set", "set=named.txt", "--steps", "2"],
        vec!["run", "hopfield", "--set", "set=row.txt"],
        vec!["run", "hopfield", "--set", "set=no\u{1b}[31m.txt"],
        vec!["run", "feed-forward", "--data", "d.csv"],
        vec!["run", "LSTM", "--set", "hidden\u{1b}[31m=3"],
        vec!["experiment", "no\u{1b}[31m"],
        vec!["--zoo", "no\u{1b}[31m", "list"],
    ] {
        let out = nnzoo_in(at, &args);
        assert_no_controls(&out, &format!("{args:?}"));
        let said = text(&out.stderr) + &text(&out.stdout);
        assert!(
            said.contains("\\u{1b}") || said.contains("\\u{9b}"),
            "{args:?} does not show the control: {said}"
        );
    }
    // The named picture is shown by its escaped name.
    let out = nnzoo_in(
        at,
        &["run", "hopfield", "--set", "set=named.txt", "--steps", "2"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("recalled A\\u{1b}[31m after"),
        "{}",
        text(&out.stdout)
    );
    assert!(
        text(&out.stdout).contains("(1 value)"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn sizes_that_overflow_are_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let at = dir.path();
    let huge = 1u64 << 63;
    let fixtures = [
        json!({"kind": "rnn_cell", "params": {}, "inputs": {"x": {"shape": [huge, 2, 1], "data": [1]}}}),
        json!({"kind": "rnn_cell", "params": {"weight_ih": {"shape": [huge, huge], "data": []}}, "inputs": {}}),
        json!({"kind": "rnn_cell", "params": {}, "inputs": {"x": {"shape": [0, huge, huge], "data": []}}}),
        json!({"kind": "conv2d_backward", "params": {}, "inputs": {"x": {"shape": [huge, 0], "data": []}}}),
        json!({"kind": "mlp_train_step", "params": {}, "inputs": {"x": {"shape": [huge, 4], "data": []}}}),
    ];
    for (i, fixture) in fixtures.iter().enumerate() {
        let file = at.join(format!("f{i}.json"));
        std::fs::write(&file, fixture.to_string()).unwrap();
        let out = nnzoo_in(at, &["eval", file.to_str().unwrap(), "--check"]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{fixture}: {}",
            text(&out.stderr)
        );
        assert!(
            !text(&out.stderr).contains("panicked"),
            "{}",
            text(&out.stderr)
        );
    }
    let out = nnzoo_in(at, &["eval", "f0.json"]);
    assert!(
        text(&out.stderr).contains("too large"),
        "{}",
        text(&out.stderr)
    );
    // The same in a weights file, JSON and safetensors.
    std::fs::write(
        at.join("w.json"),
        json!({"weight_ih": {"shape": [huge, 2, 1], "data": [1]}}).to_string(),
    )
    .unwrap();
    let out = nnzoo_in(at, &["run", "LSTM", "--weights", "w.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("`weight_ih`") && text(&out.stderr).contains("too large"),
        "{}",
        text(&out.stderr)
    );
    let empty: [u8; 0] = [];
    let view = safetensors::tensor::TensorView::new(
        safetensors::Dtype::F32,
        vec![0, 1 << 40, 1 << 40],
        &empty,
    )
    .unwrap();
    let bytes = safetensors::serialize([("weight_ih", view)], None).unwrap();
    std::fs::write(at.join("w.safetensors"), bytes).unwrap();
    let out = nnzoo_in(at, &["run", "LSTM", "--weights", "w.safetensors"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("too large"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn numbers_beyond_float32_in_json_weights_name_their_tensor() {
    let err = nnzoo::model::weights::from_json(br#"{"w_big": {"shape": [2], "data": [1, 1e39]}}"#)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`w_big`") && err.contains("data[1]") && err.contains("float32"),
        "{err}"
    );
    let err = nnzoo::model::weights::from_json(br#"{"w": {"shape": [1], "data": [-1e39]}}"#)
        .unwrap_err()
        .to_string();
    assert!(err.contains("float32"), "{err}");
    // The largest float32 itself is fine.
    assert!(
        nnzoo::model::weights::from_json(br#"{"w": {"shape": [1], "data": [3.4e38]}}"#).is_ok()
    );
}

#[test]
fn an_array_where_an_object_is_required_is_an_error_at_any_depth() {
    let cases: Vec<(&str, Value)> = vec![
        ("top", json!([plain_entry()])),
        ("top", {
            // Every field in its place, by position.
            let fields: Vec<Value> = plain_entry()
                .as_object()
                .unwrap()
                .values()
                .cloned()
                .collect();
            Value::Array(fields)
        }),
        ("name", {
            let mut e = plain_entry();
            e["name"] = json!(["Evil", "恶"]);
            e
        }),
        ("references[0]", {
            let mut e = plain_entry();
            e["references"] = json!([["Hopfield, J. J.", "Neural networks", 1982, "PNAS"]]);
            e
        }),
        ("diagram[0][0]", {
            let mut e = plain_entry();
            e["diagram"] = json!([[["input", 4]]]);
            e
        }),
        ("summary", {
            let mut e = plain_entry();
            e["summary"] = json!([]);
            e
        }),
    ];
    for (place, entry) in cases {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("e.json"), entry.to_string()).unwrap();
        let catalogue = nnzoo::catalogue::Catalogue::builtin().with_dir(dir.path());
        let problem = catalogue
            .problems()
            .iter()
            .find(|p| p.source.ends_with("e.json") && p.message.contains("expected"))
            .unwrap_or_else(|| panic!("{place}: an array was taken for an object"));
        let said = problem.to_string();
        assert!(
            said.contains("array") || said.contains("sequence"),
            "{place}: {said}"
        );
        if place != "top" {
            assert!(said.contains(place), "{place}: {said}");
        }
        assert!(catalogue.get("array-test").is_none(), "{place}");
    }
}

#[test]
fn devices_and_huge_files_are_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let at = dir.path();
    let limit = Duration::from_secs(10);
    for args in [
        vec!["run", "LSTM", "--weights", "/dev/zero"],
        vec!["eval", "/dev/zero"],
        vec![
            "eval",
            "tests/fixtures/torch/gru_cell_small.json",
            "--weights",
            "/dev/zero",
        ],
        vec!["run", "feed-forward", "--data", "/dev/zero"],
        vec!["run", "hopfield", "--set", "set=/dev/zero"],
        vec!["run", "hopfield", "--set", "set=/dev/urandom"],
    ] {
        let out = nnzoo_within(Path::new(env!("CARGO_MANIFEST_DIR")), &args, limit);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains("not a regular file"),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    // A sparse file past each cap is refused from its length.
    let big = at.join("big.json");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(nnzoo::files::MAX_FILE_BYTES + 1)
        .unwrap();
    let out = nnzoo_within(at, &["run", "LSTM", "--weights", "big.json"], limit);
    assert!(
        text(&out.stderr).contains("at most"),
        "{}",
        text(&out.stderr)
    );
    let big = at.join("big.txt");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(nnzoo::model::energy::patterns::MAX_FILE_BYTES + 1)
        .unwrap();
    let out = nnzoo_within(at, &["run", "hopfield", "--set", "set=big.txt"], limit);
    assert!(
        text(&out.stderr).contains("larger than"),
        "{}",
        text(&out.stderr)
    );
}

#[cfg(unix)]
#[test]
fn fifos_and_folders_are_refused_at_once_and_the_zoo_says_what_it_skipped() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let at = dir.path();
    for name in ["pipe.json", "pipe.csv", "pipe.txt", "pipe.safetensors"] {
        let made = Command::new("mkfifo").arg(at.join(name)).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    }
    std::fs::create_dir(at.join("folder.json")).unwrap();
    let limit = Duration::from_secs(10);
    for args in [
        vec!["eval", "pipe.json"],
        vec!["run", "LSTM", "--weights", "pipe.safetensors"],
        vec!["run", "LSTM", "--weights", "pipe.json"],
        vec!["run", "feed-forward", "--data", "pipe.csv"],
        vec!["run", "hopfield", "--set", "set=pipe.txt"],
        vec!["eval", "folder.json"],
        vec!["run", "LSTM", "--weights", "folder.json"],
    ] {
        let out = nnzoo_within(at, &args, limit);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("FIFO") || stderr.contains("folder"),
            "{args:?}: {stderr}"
        );
    }
    // A zoo folder with a FIFO, a folder and a name that is not UTF-8, all
    // named *.json: each is reported, none blocks.
    let zoo = at.join("zoo");
    std::fs::create_dir(&zoo).unwrap();
    let made = Command::new("mkfifo").arg(zoo.join("fifo.json")).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    std::fs::create_dir(zoo.join("sub.json")).unwrap();
    let latin1 = std::ffi::OsStr::from_bytes(b"caf\xe9.json");
    std::fs::write(zoo.join(latin1), "{}").unwrap();
    let out = nnzoo_within(at, &["--zoo", "zoo", "check"], limit);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("fifo.json: skipped: a FIFO (named pipe)"),
        "{stdout}"
    );
    assert!(stdout.contains("sub.json: skipped: a folder"), "{stdout}");
    assert!(stdout.contains("not UTF-8"), "{stdout}");
    assert_no_controls(&out, "check of a zoo with a latin-1 name");
}

#[test]
fn unknown_kernels_and_unknown_fixture_inputs_are_errors() {
    let out = Command::new(env!("CARGO_BIN_EXE_nnzoo"))
        .args(["run", "LSTM", "--steps", "1"])
        .env("NNZOO_KERNELS", "avx9000")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("NNZOO_KERNELS=avx9000") && stderr.contains("scalar"),
        "{stderr}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_nnzoo"))
        .args(["run", "LSTM", "--steps", "1"])
        .env("NNZOO_KERNELS", "scalar")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("scalar kernels"));

    let mut fixture: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/fixtures/torch/gru_cell_small.json").unwrap(),
    )
    .unwrap();
    fixture["inputs"]["h_0"] = fixture["inputs"]["h0"].clone();
    let err = nnzoo::eval::evaluate(&fixture, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("`h_0`") && err.contains("x, h0"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_the_trace_quietly_by_sigpipe() {
    use std::os::unix::process::ExitStatusExt;
    let mut child = Command::new(env!("CARGO_BIN_EXE_nnzoo"))
        .args(["run", "LSTM", "--json", "--steps", "1000000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is gone, as `head -1` goes.
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(serde_json::from_str::<Value>(&first).is_ok(), "{first}");
    assert_eq!(stderr, "", "a closed pipe is not an error to report");
    assert_eq!(status.signal(), Some(13), "{status:?}");
}

#[test]
fn stages_of_a_huge_model_warn_how_much_they_will_print() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nnzoo"))
        .args([
            "run",
            "hopfield",
            "--set",
            "set=random",
            "--set",
            "n=4096",
            "--json",
            "--stages",
            "--steps",
            "100000",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let _ = child.wait();
    assert!(
        stderr.contains("warning: --stages will print 409600000 lines") && stderr.contains("TB"),
        "{stderr}"
    );
    // A small run says nothing.
    let out = nnzoo_in(
        Path::new("."),
        &["run", "LSTM", "--json", "--stages", "--steps", "2"],
    );
    assert_eq!(text(&out.stderr), "");
}

#[test]
fn one_pattern_is_singular() {
    let out = nnzoo_in(
        Path::new("."),
        &[
            "run",
            "hopfield",
            "--set",
            "patterns=1",
            "--set",
            "target=1",
        ],
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("only 1 pattern is stored (0 to 0)"),
        "{stderr}"
    );
    let out = nnzoo_in(
        Path::new("."),
        &["capacity", "--n", "100", "--trials", "1", "--alphas", "0.1"],
    );
    assert!(
        text(&out.stdout).contains("1 trial per load"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn counts_and_indices_in_traces_are_json_integers() {
    let out = nnzoo_in(
        Path::new("."),
        &[
            "run", "hopfield", "--json", "--steps", "2", "--set", "target=3",
        ],
    );
    let first = text(&out.stdout);
    let first = first.lines().next().unwrap();
    assert!(first.contains("\"target\":3"), "{first}");
    let line: Value = serde_json::from_str(first).unwrap();
    for key in ["target", "flips", "hamming", "step"] {
        assert!(line[key].is_u64(), "{key}: {}", line[key]);
    }
    // Fractions stay numbers with their fraction.
    assert!(line["energy"].is_f64(), "{}", line["energy"]);
    let out = nnzoo_in(
        Path::new("."),
        &["run", "training-process", "--json", "--steps", "1"],
    );
    let line: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        line["epoch"].is_u64() && line["batch_in_epoch"].is_u64(),
        "{line}"
    );
}

#[test]
fn set_help_lists_the_parameters() {
    let out = nnzoo_in(Path::new("."), &["run", "hopfield", "--set", "help="]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for line in [
        "  set=letters  ",
        "  n=400  ",
        "  patterns=20  ",
        "  rule=projection  ",
    ] {
        assert!(stdout.contains(line), "{stdout}");
    }
    let out = nnzoo_in(Path::new("."), &["run", "LSTM", "--set", "help"]);
    assert!(
        text(&out.stdout).contains("  hidden="),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn capacity_refuses_a_range_of_countless_loads() {
    for (alphas, said) in [
        ("0:1:1e-12", "has 1000000000000 loads; at most 1000"),
        ("0.01:1e300:1e-300", "countless loads"),
        ("0.1:0.2:0", "the step must be above 0"),
        ("0.1:0.2:-1", "the step must be above 0"),
    ] {
        let out = nnzoo_in(Path::new("."), &["capacity", "--alphas", alphas]);
        assert_eq!(out.status.code(), Some(2), "{alphas}");
        assert!(
            text(&out.stderr).contains(said),
            "{alphas}: {}",
            text(&out.stderr)
        );
        let out = nnzoo_in(
            Path::new("."),
            &[
                "experiment",
                "hopfield-capacity",
                "--set",
                &format!("alphas={alphas}"),
            ],
        );
        assert_eq!(out.status.code(), Some(2), "{alphas}");
        assert!(
            text(&out.stderr).contains(said),
            "{alphas}: {}",
            text(&out.stderr)
        );
    }
    let out = nnzoo_in(
        Path::new("."),
        &[
            "capacity",
            "--trials",
            "100000",
            "--alphas",
            "0.01:0.3:0.01",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("at most 1000000"),
        "{}",
        text(&out.stderr)
    );
}

mod properties {
    use super::*;
    use nnzoo::data::{LabelKind, parse_csv};
    use nnzoo::model::energy::patterns::{self, Limits};
    use nnzoo::model::weights;
    use proptest::prelude::*;

    /// Keys the parsers look for, so that random JSON reaches past the
    /// first check now and then.
    const KEYS: &[&str] = &[
        "kind",
        "params",
        "inputs",
        "options",
        "expected",
        "shape",
        "data",
        "x",
        "h0",
        "c0",
        "dy",
        "labels",
        "lr",
        "weight",
        "bias",
        "weight_ih",
        "weight_hh",
        "bias_ih",
        "bias_hh",
        "stride",
        "padding",
        "kernel_size",
        "dilation",
        "steps",
        "loss",
        "reduction",
        "optimizer",
        "activation",
        "id",
        "name",
        "en",
        "zh",
        "category",
        "references",
        "diagram",
        "0.weight",
        "0.bias",
        "2.weight",
        "2.bias",
        "output_padding",
        "scale",
        "mode",
        "align_corners",
        "nonlinearity",
        "momentum",
        "betas",
        "eps",
        "target",
        "p",
        "logits",
        "mu",
        "logvar",
        "input",
        "conv1.weight",
        "conv2.weight",
    ];

    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => proptest::sample::select(KEYS).prop_map(str::to_owned),
            1 => "[a-z_0-9\\x1b]{0,6}",
        ]
    }

    fn number() -> impl Strategy<Value = Value> {
        prop_oneof![
            (0u64..6).prop_map(|n| json!(n)),
            any::<u64>().prop_map(|n| json!(n)),
            any::<i64>().prop_map(|n| json!(n)),
            (-4.0f64..4.0).prop_map(|f| json!(f)),
            any::<f64>()
                .prop_filter("JSON numbers are finite", |f| f.is_finite())
                .prop_map(|f| json!(f)),
        ]
    }

    /// A tensor whose data fits its shape, so that the computing code runs.
    fn tensor() -> impl Strategy<Value = Value> {
        proptest::collection::vec(1usize..4, 0..5).prop_flat_map(|shape| {
            let count = shape.iter().product::<usize>();
            proptest::collection::vec(-3.0f64..3.0, count)
                .prop_map(move |data| json!({"shape": shape.clone(), "data": data}))
        })
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let kinds: Vec<String> = nnzoo::eval::kinds().map(str::to_owned).collect();
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            number(),
            number(),
            "[a-z_0-9 \\x1b]{0,8}".prop_map(Value::String),
            proptest::sample::select(kinds).prop_map(Value::String),
            tensor(),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::btree_map(key(), inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// A fixture of a kind nnzoo computes, with random parts.
    fn fixture() -> impl Strategy<Value = Value> {
        let kinds: Vec<String> = nnzoo::eval::kinds().map(str::to_owned).collect();
        let tensors = || proptest::collection::btree_map(key(), tensor(), 0..6);
        let options = proptest::collection::btree_map(key(), json_value(), 0..4);
        (
            proptest::sample::select(kinds),
            tensors(),
            tensors(),
            options,
        )
            .prop_map(|(kind, params, inputs, options)| {
                json!({
                    "kind": kind,
                    "params": Value::Object(params.into_iter().collect()),
                    "inputs": Value::Object(inputs.into_iter().collect()),
                    "options": Value::Object(options.into_iter().collect()),
                })
            })
    }

    /// An entry: the hopfield entry with some of its parts replaced.
    fn entry() -> impl Strategy<Value = Value> {
        proptest::collection::vec((key(), json_value()), 0..4).prop_map(|changes| {
            let mut entry: Value =
                serde_json::from_str(include_str!("../zoo/hopfield.json")).unwrap();
            for (key, value) in changes {
                entry[key] = value;
            }
            entry
        })
    }

    const LIMITS: Limits = Limits {
        min_pixels: 1,
        max_pixels: 1 << 16,
        max_patterns: 4000,
    };

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn weights_from_random_bytes_are_read_or_refused(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = weights::from_safetensors(&bytes);
            let _ = weights::from_json(&bytes);
        }

        #[test]
        fn weights_from_random_json_are_read_or_refused(value in json_value()) {
            if let Ok(read) = weights::from_json_value(&value) {
                for tensor in read.values() {
                    prop_assert_eq!(tensor.shape.iter().product::<usize>(), tensor.data.len());
                    prop_assert!(tensor.data.iter().all(|v| v.is_finite()));
                }
            }
        }

        #[test]
        fn safetensors_headers_with_random_shapes_are_read_or_refused(
            shape in proptest::collection::vec(prop_oneof![0u64..4, any::<u64>()], 0..4),
            dtype in proptest::sample::select(vec!["F32", "F64", "I8", "BOOL", "F16"]),
            data in proptest::collection::vec(any::<u8>(), 0..64),
        ) {
            let header = json!({"t": {"dtype": dtype, "shape": shape, "data_offsets": [0, data.len()]}})
                .to_string();
            let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
            bytes.extend(header.as_bytes());
            bytes.extend(&data);
            if let Ok(read) = weights::from_safetensors(&bytes) {
                prop_assert_eq!(read["t"].shape.iter().product::<usize>(), read["t"].data.len());
            }
        }

        #[test]
        fn fixtures_from_random_json_are_computed_or_refused(value in json_value()) {
            let _ = nnzoo::eval::evaluate(&value, None);
        }

        #[test]
        fn fixtures_of_every_kind_with_random_parts_are_computed_or_refused(value in fixture()) {
            if let Ok(outputs) = nnzoo::eval::evaluate(&value, None) {
                let _ = nnzoo::eval::compare(&value, &outputs);
            }
        }

        #[test]
        fn patterns_from_random_text_are_read_or_refused(text in "[#. \\n\\r:a-z\\x1b\\u{9b}]{0,200}") {
            if let Ok(set) = patterns::parse("random", &text, LIMITS) {
                prop_assert!(set.patterns.iter().all(|p| p.len() == set.width * set.height));
                prop_assert!(set.names.iter().all(|n| !n.contains(char::is_control)));
            }
        }

        #[test]
        fn patterns_from_random_bytes_are_read_or_refused(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("p.txt");
            std::fs::write(&file, &bytes).unwrap();
            let _ = patterns::load(&file, LIMITS);
        }

        #[test]
        fn csv_from_random_text_is_read_or_refused(
            text in "[0-9a-z,.\\-\"eE \\n\\r\\x1b]{0,200}",
            class in any::<bool>(),
        ) {
            let labels = if class { LabelKind::Class } else { LabelKind::Value };
            if let Err(error) = parse_csv("random.csv", &text, labels) {
                prop_assert!(!error.to_string().contains('\u{1b}'), "{}", error);
            }
        }

        #[test]
        fn csv_from_random_bytes_is_read_or_refused(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("d.csv");
            std::fs::write(&file, &bytes).unwrap();
            let _ = nnzoo::data::read_csv(&file, LabelKind::Class);
        }

        #[test]
        fn entries_from_random_bytes_load_or_are_problems(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("e.json"), &bytes).unwrap();
            let catalogue = nnzoo::catalogue::Catalogue::builtin().with_dir(dir.path());
            let _ = catalogue.with_controls_visible();
        }

        #[test]
        fn entries_from_random_json_load_or_are_problems(value in prop_oneof![entry(), json_value()]) {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("e.json"), value.to_string()).unwrap();
            let catalogue = nnzoo::catalogue::Catalogue::builtin().with_dir(dir.path());
            let visible = catalogue.with_controls_visible();
            for problem in visible.problems() {
                prop_assert!(!problem.to_string().contains(|c: char| c.is_control() && c != '\n'));
            }
        }
    }
}
