//! The catalogue: every animal of the neural network zoo as bilingual data.
//!
//! Each entry is one JSON file under `zoo/` (schema in `zoo/README.md`),
//! embedded into the binary at build time.

mod entry;

pub use entry::{Category, CellGroup, CellKind, Entry, Reference};
