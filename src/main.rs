//! The `nnzoo` program: see `nnzoo --help` and the README.

fn main() -> std::process::ExitCode {
    nnzoo::cli::main()
}

/// Models allocate the same large arrays again and again (a hidden layer's
/// 5,000x20 activations on every fit, a batch's on every step). With the
/// C library's allocator such a block is sometimes mapped fresh from the
/// system and faulted in page by page each time, depending on where earlier
/// blocks happened to fall: `nnzoo experiment elm-sinc` took 0.5 ms a fit in
/// one run and 1.5 ms in the next. mimalloc keeps freed blocks for reuse.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
