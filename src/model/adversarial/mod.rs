//! Adversarial models: two networks trained against each other, a generator
//! that makes samples and a discriminator that tells them from real data.

pub mod gan;
