//! The seed's concepts, each a small lab of its own: ArgMax along a
//! dimension, entropy, ReLU and dead units, tensors that share or copy.

pub mod argmax;
pub mod entropy;
pub mod relu;
pub mod tensor_sharing;
