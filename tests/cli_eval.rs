//! `nnzoo eval FIXTURE --check`: nnzoo held against a PyTorch export by the
//! person who made it, and the files `eval` refuses to read.

#[path = "support/cli.rs"]
mod program;

use program::nnzoo;

/// The error column of a `--check` line: `name  [shape]  error  verdict`.
fn error_of(line: &str) -> f64 {
    let words: Vec<&str> = line.split_whitespace().collect();
    words[words.len() - 2].parse().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn check_prints_the_largest_error_of_every_tensor() {
    let out = nnzoo(&[
        "eval",
        "tests/fixtures/torch/gru_cell_small.json",
        "--check",
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    for name in ["h", "gate_r", "gate_z", "gate_n"] {
        let line = stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no line for `{name}`:\n{stdout}"));
        assert!(line.ends_with("ok"), "{line}");
        let error = error_of(line);
        assert!(error < 1e-5, "{line}");
    }
    assert!(stdout.contains("0 above 1e-5"), "{stdout}");
}

#[test]
fn check_fails_when_the_numbers_differ() {
    // The fixture with one expected value changed by 0.01.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/torch/gru_cell_small.json");
    let mut fixture: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let first = fixture["expected"]["h"]["data"][0].as_f64().unwrap();
    let scale = fixture["expected"]["h"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .fold(1.0f64, |m, v| m.max(v.as_f64().unwrap().abs()));
    fixture["expected"]["h"]["data"][0] = serde_json::json!(first + 0.01);
    let dir = tempfile::tempdir().unwrap();
    let changed = dir.path().join("changed.json");
    std::fs::write(&changed, fixture.to_string()).unwrap();
    let out = nnzoo(&["eval", changed.to_str().unwrap(), "--check"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let line = stdout.lines().find(|l| l.starts_with("h ")).unwrap();
    assert!(line.ends_with("FAIL"), "{line}");
    let error = error_of(line);
    // Errors are relative to max(1, max |expected|).
    assert!((error - 0.01 / scale).abs() < 1e-4, "{line}");
}

#[test]
fn devices_folders_and_escapes_in_names_are_refused_cleanly() {
    let out = nnzoo(&["eval", "/dev/zero"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("not a regular file"));
    let out = nnzoo(&["eval", "tests"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("is a folder"));
    let out = nnzoo(&["eval", "no\u{1b}[31mfile.json"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    assert!(stderr.contains("\\u{1b}[31m"), "{stderr:?}");
}

#[test]
fn run_learns_from_a_persons_csv_and_names_the_line_of_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    // Two well-separated classes on a line.
    let mut csv = String::from("x,y,label\n");
    for i in 0..40 {
        let class = i % 2;
        let offset = if class == 0 { -2.0 } else { 2.0 };
        csv.push_str(&format!(
            "{},{},{class}\n",
            offset + (i as f64) * 0.01,
            (i % 7) as f64 * 0.1
        ));
    }
    let good = dir.path().join("two.csv");
    std::fs::write(&good, &csv).unwrap();
    let out = nnzoo(&[
        "run",
        "FF",
        "--data",
        good.to_str().unwrap(),
        "--steps",
        "60",
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("data=file"), "{stdout}");
    assert!(stdout.contains("of the test set right"), "{stdout}");

    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "x,y,label\n1,2,0\n3,oops,1\n").unwrap();
    let out = nnzoo(&["run", "FF", "--data", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("line 3") && stderr.contains("oops"),
        "{stderr}"
    );

    let out = nnzoo(&["run", "LSTM", "--data", good.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("learns from no data set"));
}

#[test]
fn weights_from_a_device_or_a_folder_are_refused_at_once() {
    let out = nnzoo(&["run", "LSTM", "--weights", "/dev/zero", "--steps", "1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("not a regular file"),
        "{}",
        text(&out.stderr)
    );
    let out = nnzoo(&["run", "LSTM", "--weights", "tests", "--steps", "1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("is a folder"),
        "{}",
        text(&out.stderr)
    );
}
