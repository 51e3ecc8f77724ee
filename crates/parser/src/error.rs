use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum ParserError {
    #[error("CoNLL-U line {line}: {message}")]
    Conllu { line: usize, message: String },
    #[error("{0}")]
    Io(String),
    #[error("parser model file: {0}")]
    Model(String),
    #[error("training: {0}")]
    Training(String),
}

pub type Result<T> = std::result::Result<T, ParserError>;
