//! What a command can fail with: the libraries' errors, each kept whole as the source (file
//! errors come through `TrainError`, whose helper names the path).

use cmin_model::CminError;
use cmin_parser::ParserError;
use cmin_train::error::TrainError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum CliError {
    #[error(transparent)]
    Cmin(#[from] CminError),
    #[error("parser: {0}")]
    Parser(#[from] ParserError),
    #[error(transparent)]
    Train(#[from] TrainError),
    #[error("invalid option: {0}")]
    Option(String),
}

pub type Result<T> = std::result::Result<T, CliError>;
