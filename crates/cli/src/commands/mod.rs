//! One file per command: its arguments, one call into the library, and what it prints.

pub mod check_parity;
pub mod eval;
pub mod parser;
pub mod search;
pub mod train;
pub mod train_neural;
pub mod upgrade_weights;
pub mod world;
