//! `nnzoo run` and `nnzoo eval` as a person or a script uses them.

#[path = "support/cli.rs"]
mod program;

use program::{nnzoo, stderr, stdout};

use serde_json::Value;
use std::path::PathBuf;
use std::process::Output;

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/torch")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn run_json_traces_every_state_input_and_gate_per_step() {
    let out = nnzoo(&["run", "LSTM", "--steps", "5", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    for (k, line) in lines.iter().enumerate() {
        assert_eq!(line["step"], k + 1);
        assert_eq!(line["stage"], "hidden state");
        for key in ["x", "h", "c", "gate_i", "gate_f", "gate_g", "gate_o"] {
            assert!(line[key].is_array(), "{key} in {line}");
        }
        // The histories repeat earlier lines: they stay out.
        assert!(line.get("h_history").is_none() && line.get("c_history").is_none());
    }
    let gru = nnzoo(&["run", "GRU", "--steps", "2", "--json"]);
    let line: Value = serde_json::from_str(stdout(&gru).lines().next().unwrap()).unwrap();
    for key in ["x", "h", "gate_r", "gate_z", "gate_n"] {
        assert!(line[key].is_array(), "{key} in {line}");
    }
}

#[test]
fn run_json_is_byte_identical_for_the_same_arguments() {
    let args = [
        "run",
        "gru-cell",
        "--steps",
        "20",
        "--seed",
        "9",
        "--set",
        "hidden=5",
        "--set",
        "sequence=noise",
        "--json",
    ];
    let a = nnzoo(&args);
    let b = nnzoo(&args);
    assert!(a.status.success(), "{}", stderr(&a));
    assert_eq!(a.stdout, b.stdout);
    let other = nnzoo(&[
        "run",
        "gru-cell",
        "--steps",
        "20",
        "--seed",
        "10",
        "--set",
        "hidden=5",
        "--set",
        "sequence=noise",
        "--json",
    ]);
    assert_ne!(a.stdout, other.stdout);
}

#[test]
fn run_by_model_key_and_stage_by_stage() {
    let out = nnzoo(&["run", "lstm_cell", "--steps", "1", "--json", "--stages"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let stages: Vec<String> = stdout(&out)
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["stage"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        stages,
        [
            "forget gate",
            "input gate",
            "candidate",
            "cell state",
            "output gate",
            "hidden state"
        ]
    );
}

#[test]
fn run_without_json_prints_a_short_summary() {
    let out = nnzoo(&[
        "run",
        "LSTM",
        "--set",
        "input=16",
        "--set",
        "hidden=16",
        "--steps",
        "1000",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.lines().count() < 20, "{text}");
    assert!(
        text.contains("1000 steps") && text.contains("status: ok"),
        "{text}"
    );
}

#[test]
fn run_errors_say_what_is_allowed() {
    let out = nnzoo(&["run", "LSTM", "--set", "width=3"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("unknown parameter `width`") && err.contains("hidden"),
        "{err}"
    );

    let out = nnzoo(&["run", "LSTM", "--set", "hidden=5000"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("hidden") && err.contains("1 to 1024"), "{err}");

    let out = nnzoo(&["run", "RNN cell", "--set", "nonlinearity=sigmoid"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("tanh, relu"), "{}", stderr(&out));

    let out = nnzoo(&["run", "qqqqqqqqqq"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("qqqqqqqqqq") && err.contains("lstm-cell (lstm_cell)"),
        "{err}"
    );

    // Every built-in entry runs a model; an entry from a folder may have none.
    let dir = std::env::temp_dir().join(format!("nnzoo-no-model-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let dnc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/zoo/dnc.json"))
        .expect("the DNC entry");
    assert!(dnc.contains(r#""model": "dnc""#));
    let without = dnc.replace(r#""model": "dnc""#, r#""model": """#);
    std::fs::write(dir.join("dnc.json"), without).expect("written");
    // By its abbreviation: the key `dnc` alone names the model itself.
    let out = nnzoo(&["--zoo", dir.to_str().expect("a UTF-8 path"), "run", "DNC"]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("no runnable model") && err.contains("gru-cell"),
        "{err}"
    );
}

#[test]
fn run_loads_weights_and_names_a_wrong_shape() {
    let good = nnzoo(&[
        "run",
        "LSTM",
        "--set",
        "input=3",
        "--set",
        "hidden=4",
        "--steps",
        "3",
        "--json",
        "--weights",
        &fixture("lstm_cell_small.safetensors"),
    ]);
    assert!(good.status.success(), "{}", stderr(&good));
    let json = nnzoo(&[
        "run",
        "LSTM",
        "--set",
        "input=3",
        "--set",
        "hidden=4",
        "--steps",
        "3",
        "--json",
        "--weights",
        &fixture("lstm_cell_small.json"),
    ]);
    assert!(json.status.success(), "{}", stderr(&json));
    let bad = nnzoo(&[
        "run",
        "LSTM",
        "--set",
        "input=10",
        "--set",
        "hidden=4",
        "--weights",
        &fixture("lstm_cell_small.safetensors"),
    ]);
    assert_eq!(bad.status.code(), Some(2));
    let err = stderr(&bad);
    assert!(
        err.contains("`weight_ih`") && err.contains("[16, 3]") && err.contains("[16, 10]"),
        "{err}"
    );
    let missing = nnzoo(&["run", "LSTM", "--weights", "/nonexistent/w.safetensors"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("cannot read"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn eval_prints_what_pytorch_computed_within_1e_5() {
    for name in [
        "lstm_cell_batch",
        "gru_cell_small",
        "rnn_cell_relu_batch",
        "bilstm",
        "bigru",
        "birnn",
    ] {
        let path = fixture(&format!("{name}.json"));
        let out = nnzoo(&["eval", &path]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let got: Value = serde_json::from_slice(&out.stdout).unwrap();
        let fixture: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let expected = fixture["expected"].as_object().unwrap();
        assert_eq!(got.as_object().unwrap().len(), expected.len(), "{name}");
        for (key, want) in expected {
            assert_eq!(got[key]["shape"], want["shape"], "{name} {key}");
            let g = got[key]["data"].as_array().unwrap();
            let w = want["data"].as_array().unwrap();
            assert_eq!(g.len(), w.len());
            for (a, b) in g.iter().zip(w) {
                let err = (a.as_f64().unwrap() - b.as_f64().unwrap()).abs();
                assert!(err < 1e-5, "{name} {key}: {a} vs {b}");
            }
        }
    }
}

#[test]
fn eval_never_reads_expected_and_reports_bad_fixtures() {
    let dir = tempfile::tempdir().unwrap();
    // Without `expected` the answer is the same.
    let text = std::fs::read_to_string(fixture("gru_cell_batch.json")).unwrap();
    let mut value: Value = serde_json::from_str(&text).unwrap();
    value.as_object_mut().unwrap().remove("expected");
    let stripped = dir.path().join("stripped.json");
    std::fs::write(&stripped, value.to_string()).unwrap();
    let a = nnzoo(&["eval", &fixture("gru_cell_batch.json")]);
    let b = nnzoo(&["eval", stripped.to_str().unwrap()]);
    assert!(b.status.success(), "{}", stderr(&b));
    assert_eq!(a.stdout, b.stdout);
    // A safetensors export in place of the params gives the same answer.
    let c = nnzoo(&[
        "eval",
        &fixture("gru_cell_batch.json"),
        "--weights",
        &fixture("gru_cell_batch.safetensors"),
    ]);
    assert_eq!(a.stdout, c.stdout);
    // A wrong shape is named.
    value["params"]["weight_hh"]["shape"] = serde_json::json!([60, 10]);
    let data_len = value["params"]["weight_hh"]["data"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(data_len, 60 * 20);
    value["params"]["weight_hh"]["data"] = Value::Array(vec![serde_json::json!(0.0); 600]);
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, value.to_string()).unwrap();
    let out = nnzoo(&["eval", broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("`weight_hh`") && err.contains("[60, 10]") && err.contains("[60, 20]"),
        "{err}"
    );
    // A kind nnzoo does not compute.
    let out = nnzoo(&["eval", &fixture("README.md")]);
    assert_eq!(out.status.code(), Some(2));
}

/// The `x` and `h` (or `h_forward`) lengths of the first line of a trace.
fn sizes_in_trace(out: &Output) -> (usize, usize) {
    let line: Value = serde_json::from_str(stdout(out).lines().next().unwrap()).unwrap();
    let h = line.get("h").unwrap_or(&line["h_forward"]);
    let input = match &line["x"] {
        // The bidirectional layers show their input window as rows.
        Value::Array(rows) if rows.first().is_some_and(Value::is_array) => {
            rows[0].as_array().unwrap().len()
        }
        x => x.as_array().unwrap().len(),
    };
    (input, h.as_array().unwrap().len())
}

#[test]
fn run_weights_reads_the_sizes_from_the_file() {
    for (query, file, input, hidden) in [
        ("LSTM", "lstm_cell_batch", 10, 20),
        ("GRU", "gru_cell_small", 3, 4),
        ("rnn_cell", "rnn_cell_relu_batch", 8, 16),
        ("bilstm", "bilstm", 4, 6),
        ("bigru", "bigru", 4, 6),
        ("birnn", "birnn", 4, 6),
    ] {
        let weights = fixture(&format!("{file}.safetensors"));
        let out = nnzoo(&[
            "run",
            query,
            "--steps",
            "2",
            "--json",
            "--weights",
            &weights,
        ]);
        assert!(out.status.success(), "{query}: {}", stderr(&out));
        assert_eq!(sizes_in_trace(&out), (input, hidden), "{query}");
        // The same trace as with the sizes given, agreeing with the file.
        let (i, h) = (format!("input={input}"), format!("hidden={hidden}"));
        let explicit = nnzoo(&[
            "run",
            query,
            "--steps",
            "2",
            "--json",
            "--weights",
            &weights,
            "--set",
            &i,
            "--set",
            &h,
        ]);
        assert!(explicit.status.success(), "{query}: {}", stderr(&explicit));
        assert_eq!(out.stdout, explicit.stdout, "{query}");
        // The file's weights are used: another seed gives the same trace.
        let seeded = nnzoo(&[
            "run",
            query,
            "--steps",
            "2",
            "--json",
            "--weights",
            &weights,
            "--seed",
            "5",
        ]);
        assert_eq!(out.stdout, seeded.stdout, "{query}");
    }
}

#[test]
fn run_weights_refuses_a_set_that_disagrees_with_the_file() {
    let weights = fixture("lstm_cell_batch.safetensors");
    let out = nnzoo(&["run", "LSTM", "--weights", &weights, "--set", "hidden=7"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("--set hidden=7")
            && err.contains("hidden=20")
            && err.contains("`weight_ih`")
            && err.contains("[80, 10]")
            && err.contains("[28, 10]"),
        "{err}"
    );
    // A file whose sizes the model cannot take says so.
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.json");
    std::fs::write(
        &big,
        format!(
            r#"{{"weight": {{"shape": [1, 2000], "data": [{}]}}, "bias": {{"shape": [1], "data": [0]}}}}"#,
            vec!["0"; 2000].join(",")
        ),
    )
    .unwrap();
    let out = nnzoo(&["run", "basic_cell", "--weights", big.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("input=2000") && err.contains("1 to 1024"),
        "{err}"
    );
    // A file for another module names the tensor it lacks.
    let out = nnzoo(&[
        "run",
        "bilstm",
        "--weights",
        &fixture("lstm_cell_small.safetensors"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("missing tensor `weight_ih_l0`") && err.contains("weight_ih"),
        "{err}"
    );
    // The basic cell reads `input` from `Linear(input, 1).weight`.
    let small = dir.path().join("small.json");
    std::fs::write(
        &small,
        r#"{"weight": {"shape": [1, 3], "data": [1, 2, 3]}, "bias": {"shape": [1], "data": [0.5]}}"#,
    )
    .unwrap();
    let out = nnzoo(&[
        "run",
        "basic_cell",
        "--steps",
        "1",
        "--json",
        "--weights",
        small.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let line: Value = serde_json::from_str(stdout(&out).lines().next().unwrap()).unwrap();
    assert_eq!(line["x"].as_array().unwrap().len(), 3);
    assert_eq!(line["w"], serde_json::json!([1.0, 2.0, 3.0]));
}

#[test]
fn run_uses_the_labs_seed_by_default_so_the_trace_matches_the_screen() {
    let default = nnzoo(&["run", "lstm", "--steps", "2", "--json"]);
    let lab_seed = nnzoo(&[
        "run",
        "lstm",
        "--steps",
        "2",
        "--json",
        "--seed",
        &nnzoo::tui::app::LAB_SEED.to_string(),
    ]);
    let other = nnzoo(&["run", "lstm", "--steps", "2", "--json", "--seed", "0"]);
    assert!(default.status.success());
    assert_eq!(default.stdout, lab_seed.stdout);
    assert_ne!(default.stdout, other.stdout, "the seed matters");
}
