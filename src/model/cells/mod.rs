//! Recurrent cells and the networks made of them: the basic cell, the plain
//! recurrent, LSTM and GRU cells, an LSTM and a GRU side by side, and the
//! bidirectional layers, with what they
//! share (stepping and history in [`recurrent`], the input sequences in
//! [`inputs`]).

pub mod basic_cell;
pub mod bidirectional;
pub mod bptt;
pub mod compare;
pub mod gru_cell;
pub mod inputs;
pub mod lstm_cell;
pub mod recurrent;
pub mod rnn_cell;
