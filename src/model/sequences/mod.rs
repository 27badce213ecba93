//! Networks that learn sequences: the character-level language model
//! ([`language_model`]) and its lab ([`char_rnn`]), and the encoder-decoder
//! with attention that learns to reverse digits ([`attention_network`]).

pub mod attention_network;
pub mod char_rnn;
pub mod language_model;
