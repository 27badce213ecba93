//! Recurrent networks that learn sequences: the character-level language
//! model ([`language_model`]) and its lab ([`char_rnn`]).

pub mod char_rnn;
pub mod language_model;
