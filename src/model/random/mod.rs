//! Random and competitive models: networks whose hidden part is drawn at
//! random or found without gradients (extreme learning machines, RBF
//! networks), with only a linear output solved.

pub mod elm;
pub mod rbf_network;
