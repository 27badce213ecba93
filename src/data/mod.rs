//! Data sets the models learn from (to be written).
