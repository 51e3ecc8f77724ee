//! A query's way from text to the model's input: text (through our parser), an external
//! dependency parse or a stored one -> relation ids ([`graph`]) -> word vectors
//! ([`embeddings`]) -> [`cmin_model::Query`] ([`prepare`]).

pub mod embeddings;
pub mod graph;
pub mod parsing;
pub mod prepare;
pub mod spelling;

pub use embeddings::Embeddings;
pub use parsing::{ParserModel, parse_query};
pub use prepare::{DependencyParse, PreparedQuery};
pub use spelling::{Corrected, Correction, Speller};
