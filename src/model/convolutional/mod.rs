//! Convolutional networks: filters slid over pictures, pooling, and the
//! seed's CNN trained on the digits.

pub mod cnn;
