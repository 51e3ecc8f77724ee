//! What a command can fail with: the library's errors and the file system's, each kept whole
//! as the source.

use std::path::PathBuf;

use cmin_model::CminError;
use cmin_parser::ParserError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum CliError {
    #[error(transparent)]
    Cmin(#[from] CminError),
    #[error("parser: {0}")]
    Parser(#[from] ParserError),
    #[error("{path}: {source}")]
    File {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid option: {0}")]
    Option(String),
}

pub type Result<T> = std::result::Result<T, CliError>;
