//! Competitive models: units that compete for each input, the winner (and
//! its neighbours) learning from it, with no error propagated back.

pub mod kohonen_map;
