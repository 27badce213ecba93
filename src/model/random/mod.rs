//! Random and competitive models: networks whose hidden part is drawn at
//! random or found without gradients (extreme learning machines, echo state
//! networks, liquid state machines, RBF networks), with only a linear output solved.

pub mod echo_state_network;
pub mod elm;
pub mod liquid_state_machine;
pub mod rbf_network;
