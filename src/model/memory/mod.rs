//! Networks with an external memory: the Neural Turing Machine and the
//! Differentiable Neural Computer.

pub mod addressing;
pub mod copy_lab;
pub mod copy_task;
pub mod dnc;
pub mod dnc_addressing;
pub mod dnc_network;
pub mod network;
pub mod ntm;
