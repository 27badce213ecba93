//! Energy-based networks: the Hopfield network (its pattern files and its
//! capacity experiment) and the restricted Boltzmann machine.

pub mod capacity;
pub mod hopfield;
pub mod patterns;
pub mod rbm;
