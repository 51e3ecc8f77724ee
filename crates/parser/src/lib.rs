//! An English tokenizer, part-of-speech tagger and labeled dependency parser, small and fast
//! enough to run on every query in the browser, trained on UD English-EWT.
//!
//! Pipeline: [`tokenizer`] (Penn-Treebank style, byte offsets kept) → sentence split →
//! [`tagger`] (averaged perceptron, UPOS) → [`neural`] (a small deep biaffine scorer over
//! BiGRU states, decoded with [`eisner`]; inputs from [`biaffine`]) for sentences of up to
//! [`neural::MAX_WORDS`] words, [`dependency`] (greedy arc-hybrid, averaged perceptron,
//! dynamic oracle) for longer ones and for models without the neural part. Every output is a
//! well-formed tree per sentence.

pub mod arc_hybrid;
pub mod conllu;
pub mod eisner;
pub mod error;
pub mod eval;
pub mod hashing;
pub mod model;
mod model_file;
pub mod neural;
mod neural_file;
pub mod neural_inputs;
pub mod perceptron;
pub mod repair;
pub mod tagger;
pub mod templates;
pub mod tensor_file;
pub mod tokenizer;
pub mod transition;
pub mod words;

pub use error::{ParserError, Result};
pub use model::{Analysis, Model, TaggedTree};
pub use tokenizer::{Token, split_sentences, tokenize};
