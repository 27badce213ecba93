//! Networks with an external memory: the Neural Turing Machine.

pub mod addressing;
pub mod copy_task;
pub mod network;
pub mod ntm;
