//! nnzoo: a terminal field guide to the neural network zoo, where every
//! animal runs.
//!
//! The library holds everything but the terminal front end's event loop:
//! - [`catalogue`]: the entries of the zoo as bilingual data, embedded from `zoo/`,
//!   their loading and checking;
//! - [`cli`]: the command line (`nnzoo list`, `show`, `check`);
//! - [`search`]: one ranked search over every name an entry answers to;
//! - [`nn`]: layers that learn (forward, backward and inference passes by
//!   hand), losses and optimisers, held to PyTorch's numbers;
//! - [`data`]: the built-in data sets and a person's own CSV files;
//! - [`model`]: the runnable models behind the entries, each describing its own
//!   state as named views that any front end can draw;
//! - [`view`]: the kinds of view a model describes its state with, each with
//!   its JSON trace form, its sizes and its drawing;
//! - [`tui`]: the terminal user interface, which draws entries and models from
//!   their data alone.

pub mod catalogue;
pub mod cli;
pub mod data;
pub mod eval;
pub mod experiment;
pub mod files;
pub mod kernels;
pub mod linalg;
pub mod model;
pub mod nn;
pub mod search;
pub mod text;
pub mod train;
pub mod tui;
pub mod view;
pub mod work;
