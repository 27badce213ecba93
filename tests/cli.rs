//! The `nnzoo` program, run as a person runs it.

#[path = "support/cli.rs"]
mod program;

use program::{nnzoo, stderr, stdout};

use serde_json::Value;
use std::fs;

#[test]
fn list_prints_every_entry_by_category() {
    let output = nnzoo(&["list"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("Cells ("), "{text}");
    for needle in [
        "lstm-cell",
        "LSTM",
        "Long Short-Term Memory Cell",
        "Networks (",
        "Concepts (",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
}

#[test]
fn list_filters_by_category_and_speaks_chinese() {
    let output = nnzoo(&["list", "--category", "cell", "--lang", "zh"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(text.starts_with("神经元 (8)"), "{text}");
    assert!(text.contains("长短期记忆神经元"));
    assert!(!text.contains("hopfield"));
    let both = stdout(&nnzoo(&["list", "--lang", "both"]));
    assert!(both.contains("Long Short-Term Memory Cell") && both.contains("长短期记忆神经元"));
}

#[test]
fn list_json_is_an_array_of_entries() {
    let output = nnzoo(&["list", "--json", "--category", "layer"]);
    assert_eq!(output.status.code(), Some(0));
    let value: Value = serde_json::from_slice(&output.stdout).unwrap();
    let entries = value.as_array().unwrap();
    assert_eq!(entries.len(), 3);
    for entry in entries {
        assert_eq!(entry["category"], "layer");
        for field in ["id", "name", "pinyin", "summary", "description", "model"] {
            assert!(entry.get(field).is_some(), "{field}");
        }
    }
}

#[test]
fn show_finds_an_entry_by_any_name() {
    for query in [
        "长短期",
        "changduanqi",
        "cdqj",
        "LSTM",
        "Long Shart Term Memory",
    ] {
        let output = nnzoo(&["show", query]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{query}: {}",
            stderr(&output)
        );
        assert!(
            stdout(&output).starts_with("Long Short-Term Memory Cell (LSTM)"),
            "{query}"
        );
    }
    let output = nnzoo(&["show", "hopfied", "--lang", "zh"]);
    let text = stdout(&output);
    assert!(text.starts_with("霍普菲尔网络"), "{text}");
}

#[test]
fn show_json_is_the_entry() {
    let output = nnzoo(&["show", "gru", "--json"]);
    assert_eq!(output.status.code(), Some(0));
    let value: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["id"], "gru-cell");
    assert_eq!(value["name"]["zh"], "门控循环神经元");
}

#[test]
fn show_accepts_a_query_of_several_words() {
    let output = nnzoo(&["show", "Long", "Shart", "Term", "Memory"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains("lstm-cell"));
}

#[test]
fn an_ambiguous_query_lists_the_candidates_and_fails() {
    let output = nnzoo(&["show", "recurrent"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).is_empty());
    let text = stderr(&output);
    assert!(text.contains("could be any of these"), "{text}");
    assert!(
        text.contains("recurrent-cell") && text.contains("rnn"),
        "{text}"
    );
}

#[test]
fn a_query_that_matches_nothing_fails() {
    let output = nnzoo(&["show", "qqqqzzzz"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("nothing in the catalogue matches `qqqqzzzz`"));
}

#[test]
fn check_passes_on_the_builtin_catalogue() {
    let output = nnzoo(&["check"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).starts_with("ok: "));
}

#[test]
fn check_reports_every_problem_with_path_and_place() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.json"), "{ \"id\": ").unwrap();
    fs::write(dir.path().join("b.json"), "").unwrap();
    fs::write(dir.path().join("c.json"), "[]").unwrap();
    fs::write(dir.path().join("d.json"), [0xff, 0xfe]).unwrap();
    let output = nnzoo(&["check", "--zoo", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    let a = dir.path().join("a.json").display().to_string();
    assert!(
        lines[0].starts_with(&format!("{a}: line 1, column 8: invalid JSON")),
        "{text}"
    );
    assert!(lines[1].contains("b.json: empty file"), "{text}");
    assert!(
        lines[2].contains("c.json: expected a JSON object"),
        "{text}"
    );
    assert!(
        lines[3].contains("d.json: line 1, column 1: not UTF-8"),
        "{text}"
    );
    assert!(
        stderr(&output).contains("4 problems in 4 files"),
        "{}",
        stderr(&output)
    );

    let output = nnzoo(&["check", "--json", "--zoo", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let value: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value.as_array().unwrap().len(), 4);
    assert_eq!(value[0]["location"], "line 1, column 8");
    assert_eq!(value[0]["source"], a);
}

#[test]
fn list_warns_about_problems_but_still_lists() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("broken.json"), "{").unwrap();
    let output = nnzoo(&["--zoo", dir.path().to_str().unwrap(), "list"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains("lstm-cell"));
    assert!(stderr(&output).contains("1 problem in the catalogue"));
}

#[test]
fn a_zoo_folder_adds_entries_to_show() {
    let dir = tempfile::tempdir().unwrap();
    let mut entry = serde_json::to_value(
        serde_json::from_slice::<Value>(&nnzoo(&["show", "perceptron", "--json"]).stdout).unwrap(),
    )
    .unwrap();
    entry["id"] = "my-perceptron".into();
    entry["abbreviation"] = "MYP".into();
    entry["name"]["en"] = "My Perceptron".into();
    entry["related"] = serde_json::json!([]);
    fs::write(
        dir.path().join("my-perceptron.json"),
        serde_json::to_string(&entry).unwrap(),
    )
    .unwrap();
    let output = nnzoo(&["show", "MYP", "--zoo", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).starts_with("My Perceptron (MYP)"));
    assert!(stderr(&output).is_empty(), "{}", stderr(&output));
}

#[test]
fn bad_input_exits_with_2_and_never_panics() {
    for args in [
        &["list", "--lang", "fr"][..],
        &["list", "--category", "animal"],
        &["show"],
        &["frobnicate"],
        &["list", "--zoo", "/no/such/folder"],
    ] {
        let output = nnzoo(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let text = stderr(&output);
        assert!(!text.contains("panicked"), "{args:?}: {text}");
        assert!(!text.is_empty(), "{args:?}");
    }
}

#[test]
fn every_command_has_help() {
    for args in [
        &["--help"][..],
        &["list", "--help"],
        &["show", "--help"],
        &["check", "--help"],
    ] {
        let output = nnzoo(args);
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        assert!(stdout(&output).contains("Usage: nnzoo"), "{args:?}");
    }
}
