//! Training the query parser's neural dependency scorer (a small deep biaffine parser) on
//! burn. The parser crate runs the result without burn (`cmin_parser::neural`); this module
//! only exists natively.

pub mod export;
pub mod fit;
pub mod network;
pub mod trainer;

pub use network::{BiaffineConfig, BiaffineNetwork, Encoded, TokenBatch};
pub use trainer::{ParserTrainer, ScorerExample, examples, predict};
