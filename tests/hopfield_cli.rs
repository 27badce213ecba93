//! `nnzoo run hopfield` and `nnzoo capacity` as a person or a script uses them.

#[path = "support/cli.rs"]
mod program;

use program::{nnzoo, stderr, stdout};

use serde_json::Value;

#[test]
fn run_json_lines_carry_state_energy_overlap_and_target() {
    let o = nnzoo(&[
        "run",
        "hopfield",
        "--set",
        "set=letters",
        "--set",
        "rule=projection",
        "--set",
        "target=7",
        "--steps",
        "3",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let lines: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 3);
    let mut energy = f64::INFINITY;
    for line in &lines {
        let state = line["state"].as_array().unwrap();
        assert_eq!(state.len(), 12, "12 rows of the 10x12 letters");
        assert!(state.iter().all(|row| row.as_array().unwrap().len() == 10));
        let e = line["energy"].as_f64().unwrap();
        assert!(e <= energy + 1e-9, "energy rose: {energy} -> {e}");
        energy = e;
        assert_eq!(line["overlap"].as_array().unwrap().len(), 12);
        assert_eq!(line["target"].as_f64(), Some(7.0));
    }
    let last = lines.last().unwrap();
    assert_eq!(last["overlap"][7].as_f64(), Some(1.0), "H is recalled");
    assert_eq!(last["hamming"].as_f64(), Some(0.0));
}

#[test]
fn run_with_a_broken_pattern_file_names_the_file_and_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.txt");
    std::fs::write(&path, "####\n####\n\n####\n#?##\n").unwrap();
    let set = format!("set={}", path.display());
    let o = nnzoo(&["run", "hopfield", "--set", &set, "--steps", "1"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("{}, line 5", path.display())),
        "{err}"
    );
    assert!(err.contains("unknown character '?'"), "{err}");
}

#[test]
fn run_refuses_parameters_out_of_bounds() {
    let o = nnzoo(&["run", "hopfield", "--set", "patterns=5000", "--steps", "1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("patterns"), "{}", stderr(&o));
    let o = nnzoo(&[
        "run",
        "hopfield",
        "--set",
        "patterns=4",
        "--set",
        "target=4",
        "--steps",
        "1",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("only 4 patterns"), "{}", stderr(&o));
}

#[test]
fn capacity_prints_a_table_and_json() {
    let o = nnzoo(&[
        "capacity", "--n", "300", "--trials", "3", "--alphas", "0.05,0.4", "--seed", "2",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("N = 300, 3 trials"), "{text}");
    assert!(text.contains(" 0.050     15 "), "{text}");
    assert!(text.contains("falls below 0.5"), "{text}");

    let o = nnzoo(&[
        "capacity", "--n", "300", "--trials", "3", "--alphas", "0.05,0.4", "--seed", "2", "--json",
    ]);
    let v: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    let points = v["points"].as_array().unwrap();
    assert_eq!(points.len(), 2);
    assert!(points[0]["mean_overlap"].as_f64().unwrap() > 0.99);
    assert!(points[1]["mean_overlap"].as_f64().unwrap() < 0.5);
    // The same seed gives the same numbers, whatever the threads.
    let again = nnzoo(&[
        "capacity",
        "--n",
        "300",
        "--trials",
        "3",
        "--alphas",
        "0.05,0.4",
        "--seed",
        "2",
        "--json",
        "--threads",
        "1",
    ]);
    assert_eq!(stdout(&again), stdout(&o));
}

#[test]
fn capacity_refuses_bad_input() {
    for args in [
        &["capacity", "--alphas", "0.1,zero"][..],
        &["capacity", "--alphas", "0.3:0.1:0.1"],
        &["capacity", "--n", "5"],
        &["capacity", "--n", "1000", "--alphas", "10"],
        &["capacity", "--trials", "0"],
    ] {
        let o = nnzoo(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).is_empty());
    }
}
