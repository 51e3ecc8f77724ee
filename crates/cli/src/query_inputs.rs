//! The command-line options both `cmin eval` and `cmin train` need to turn sentences into
//! model input: word vectors, and the parser for queries without a stored parse.

use std::path::PathBuf;

use cmin_model::CminError;
use cmin_query::embeddings::Embeddings;
use cmin_train::data::Sample;

use crate::error::Result;
use crate::files::load_parser;
use cmin_query::parsing::{DEFAULT_PARSER, ParserModel};

#[derive(clap::Args)]
pub struct QueryInputs {
    /// Word vectors (our safetensors file or GloVe text) of the model's width.
    #[arg(long, default_value = "www/assets/glove-6b-50d-30k.safetensors")]
    embeddings: PathBuf,
    /// Parser model for queries without a stored parse.
    #[arg(long, default_value = DEFAULT_PARSER)]
    parser: PathBuf,
}

impl QueryInputs {
    /// Loads the vectors (checking their width) and, only if some sample lacks a stored
    /// parse, the parser.
    pub fn load<'a>(
        &self,
        word_dim: usize,
        samples: impl IntoIterator<Item = &'a Sample>,
    ) -> Result<(Embeddings, Option<ParserModel>)> {
        let bytes = crate::files::read(&self.embeddings)?;
        let embeddings = Embeddings::from_bytes(&bytes)?;
        if embeddings.dim() != word_dim {
            return Err(CminError::WordDim { got: embeddings.dim(), expected: word_dim }.into());
        }
        let needs_parser = samples.into_iter().any(|s| s.parse.is_none());
        let parser = if needs_parser { Some(load_parser(&self.parser)?) } else { None };
        Ok((embeddings, parser))
    }
}
