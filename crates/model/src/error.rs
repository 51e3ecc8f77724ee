//! One error type for the library boundary: every message names what was wrong and what was
//! expected, so a caller (or the JS layer, which turns these into `Error`s) can act on it.

use thiserror::Error;

/// Everything the public API can reject.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum CminError {
    /// The configuration is inconsistent (e.g. `d_model` odd, zero heads).
    #[error("invalid config: {0}")]
    Config(String),

    /// A video with no clips at all.
    #[error("the video has zero clips; at least one feature vector is needed")]
    EmptyVideo,

    /// Clip features of the wrong width.
    #[error("feature dim {got} does not match the model's {expected}")]
    FeatureDim { got: usize, expected: usize },

    /// The flat feature buffer does not hold `clips * dim` values.
    #[error("feature buffer holds {got} values, expected {clips} clips x {dim} dims = {expected}")]
    FeatureLength { got: usize, clips: usize, dim: usize, expected: usize },

    /// A NaN or infinite feature value.
    #[error("clip {clip}, dim {dim} is {value}: clip features must be finite")]
    NonFiniteFeature { clip: usize, dim: usize, value: f32 },

    /// Duration must be a positive, finite number of seconds.
    #[error("video duration must be a positive finite number of seconds, got {0}")]
    BadDuration(f64),

    /// A query with no words.
    #[error("the query is empty: it needs at least one word")]
    EmptyQuery,

    /// Word vectors of the wrong width.
    #[error("word vector dim {got} does not match the model's {expected}")]
    WordDim { got: usize, expected: usize },

    /// A NaN or infinite word-vector value.
    #[error("word {word}, dim {dim} is {value}: word vectors must be finite")]
    NonFiniteWord { word: usize, dim: usize, value: f32 },

    /// Token, head and label lists of different lengths.
    #[error("query parse is inconsistent: {0}")]
    ParseShape(String),

    /// A dependency head pointing outside the sentence.
    #[error("head {head} of word {word} is out of range: heads are 0 (root) or 1..={len}")]
    BadHead { word: usize, head: usize, len: usize },

    /// A relation id outside the 41-entry table.
    #[error("relation id {id} at adjacency[{head}][{dep}] is out of range 0..=40")]
    BadRelationId { head: usize, dep: usize, id: i64 },

    /// A dependency label we cannot map to a relation id.
    #[error("unknown dependency label {0:?}")]
    UnknownLabel(String),

    /// A weight file lacks a tensor the model needs.
    #[error("weights: missing tensor {0:?}")]
    MissingTensor(String),

    /// A weight tensor of the wrong shape.
    #[error("weights: tensor {name:?} has shape {found:?}, the model expects {expected:?}")]
    TensorShape { name: String, expected: Vec<usize>, found: Vec<usize> },

    /// A weight file holds tensors the model does not use (a config mismatch).
    #[error("weights: unexpected tensors not used by this config: {0}")]
    UnexpectedTensors(String),

    /// A weight or data file that cannot be read.
    #[error("malformed {what}: {message}")]
    Malformed { what: String, message: String },

    /// Options out of range (top-k, NMS threshold).
    #[error("invalid option: {0}")]
    Option(String),

    /// An input above one of the documented limits ([`crate::limits`]), refused before any
    /// work or allocation for it.
    #[error("{what} is {size} {unit}, above the limit of {limit}")]
    TooLarge { what: &'static str, size: u64, limit: u64, unit: &'static str },

    /// The model computed a NaN or an infinity (features or weights too large for f32).
    #[error("the model's {what} overflowed to {value} (clip features or weights too large): no answer")]
    NumericOverflow { what: &'static str, value: f32 },
}

impl CminError {
    /// A stable, kebab-case name of what went wrong, for callers that branch on it (the JS
    /// API's `error.code`). A malformed file is `bad-file` here; the boundary that knows
    /// which file it was names it (`bad-weights`, `bad-embeddings`).
    pub fn code(&self) -> &'static str {
        match self {
            CminError::Config(_) => "bad-config",
            CminError::EmptyVideo => "video-empty",
            CminError::FeatureDim { .. } => "feature-dim-mismatch",
            CminError::FeatureLength { .. } => "feature-length-mismatch",
            CminError::NonFiniteFeature { .. } => "non-finite-feature",
            CminError::BadDuration(_) => "bad-duration",
            CminError::EmptyQuery => "query-empty",
            CminError::WordDim { .. } => "word-dim-mismatch",
            CminError::NonFiniteWord { .. } => "bad-embeddings",
            CminError::ParseShape(_) | CminError::BadHead { .. } | CminError::BadRelationId { .. } => "bad-parse",
            CminError::UnknownLabel(_) => "unknown-label",
            CminError::MissingTensor(_) | CminError::TensorShape { .. } | CminError::UnexpectedTensors(_) => {
                "bad-weights"
            }
            CminError::Malformed { .. } => "bad-file",
            CminError::Option(_) => "bad-options",
            CminError::NumericOverflow { .. } => "numeric-overflow",
            CminError::TooLarge { .. } => "too-large",
        }
    }

    pub fn malformed(what: impl Into<String>, message: impl ToString) -> Self {
        CminError::Malformed { what: what.into(), message: message.to_string() }
    }
}

pub type Result<T> = std::result::Result<T, CminError>;
