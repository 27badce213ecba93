//! The `nnzoo` program: see `nnzoo --help` and the README.

fn main() -> std::process::ExitCode {
    nnzoo::cli::main()
}
