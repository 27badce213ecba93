//! Embeds the catalogue: lists `zoo/*.json` (all but `schema.json`) and
//! writes `$OUT_DIR/zoo_files.rs`, a table of `(file name, include_bytes!)`
//! pairs that `catalogue::load` parses at run time. Cargo re-runs this script
//! whenever anything under `zoo/` changes, so an added or edited entry is
//! picked up by the next build.

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

fn main() {
    println!("cargo:rerun-if-changed=zoo");
    println!("cargo:rerun-if-changed=build.rs");
    // Checkouts of this package in several folders (git worktrees) that
    // share one CARGO_TARGET_DIR share this script's output too, since cargo
    // names a path package's artifacts by its path relative to the
    // workspace: without this line a build in one checkout could embed
    // another checkout's zoo/ (and reuse its compiled library). A cargo run
    // from another folder re-runs the script, which re-lists zoo/ here.
    println!("cargo:rerun-if-env-changed=PWD");
    let manifest = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let zoo = Path::new(&manifest).join("zoo");
    let mut names: Vec<String> = match fs::read_dir(&zoo) {
        Ok(dir) => dir
            .filter_map(|item| item.ok())
            .filter(|item| item.file_type().is_ok_and(|kind| kind.is_file()))
            .filter_map(|item| item.file_name().into_string().ok())
            .filter(|name| name.ends_with(".json") && name != "schema.json")
            .collect(),
        Err(_) => Vec::new(),
    };
    names.sort();
    let mut code = String::from("&[\n");
    for name in &names {
        let path = zoo.join(name);
        let path = path.to_str().expect("zoo file paths are UTF-8");
        writeln!(code, "    ({name:?}, include_bytes!({path:?})),").unwrap();
    }
    code.push_str("]\n");
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("zoo_files.rs");
    fs::write(out, code).expect("OUT_DIR is writable");
}
