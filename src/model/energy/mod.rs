//! Energy-based networks: the Hopfield network, its pattern files and its
//! capacity experiment.

pub mod capacity;
pub mod hopfield;
pub mod patterns;
