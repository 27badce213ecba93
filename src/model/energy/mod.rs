//! Energy-based networks and chance: the Hopfield network (its pattern files
//! and its capacity experiment), the Boltzmann machine, the restricted
//! Boltzmann machine, the deep belief network and the Markov chain.

pub mod boltzmann_machine;
pub mod capacity;
pub mod dbn;
pub mod hopfield;
pub mod markov_chain;
pub mod patterns;
pub mod rbm;
pub mod text_chain;
