//! The terminal user interface: the catalogue browser, the entry card and
//! the lab where a model runs.
//!
//! The UI knows entries only as catalogue data and models only through
//! [`crate::model::Model::views`]; nothing here is specific to one model.

pub mod keys;
pub mod lab;
pub mod theme;
pub mod widgets;
