//! Training the query parser, all of it: the word clusters, the perceptron tagger and
//! transition parser (`perceptron`: the recipe, with jackknifed tags and dev selection), and
//! the neural dependency scorer (a small deep biaffine parser) on burn. The parser crate runs
//! the results without any of this (`cmin_parser`); this module only exists natively.

pub mod averaged;
pub mod clusters;
pub mod export;
pub mod fit;
pub mod network;
pub mod perceptron;
pub mod tagger;
pub mod trainer;
pub mod transition;

pub use network::{BiaffineConfig, BiaffineNetwork, Encoded, TokenBatch};
pub use trainer::{ParserTrainer, ScorerExample, examples, predict};
