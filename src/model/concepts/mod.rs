//! The seed's concepts, each a small lab of its own: ArgMax along a
//! dimension, entropy.

pub mod argmax;
pub mod entropy;
