//! Training and evaluation: the CMIN trainer and its loss, the datasets, recall metrics, the
//! parity checks against the authors' reference vectors, and the trainer of the query
//! parser's neural scorer.

pub mod data;
pub mod device;
pub mod error;
pub mod evaluate;
pub mod loss;
pub mod metrics;
pub mod parity;
pub mod parser_training;
pub mod run;
pub mod search;
pub mod train;
