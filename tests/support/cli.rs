//! Running the `nnzoo` program as a person or a script does, for the tests
//! of its commands: without colour, from the project's folder, its output
//! read as text.

#![allow(dead_code)]

use std::process::{Command, Output};

/// Runs `nnzoo` with `args` to its end.
pub fn nnzoo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nnzoo"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("nnzoo runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8 errors")
}
