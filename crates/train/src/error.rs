//! What training and evaluation can fail with: the model's errors, and files that could not be
//! read or written, with the path and the file system's error kept as the source.

use std::path::PathBuf;

use cmin_model::CminError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum TrainError {
    #[error(transparent)]
    Cmin(#[from] CminError),
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no features for video {video:?} at {path} (expected <dir>/<video>.npy): {source}")]
    MissingFeatures {
        video: String,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

pub type Result<T> = std::result::Result<T, TrainError>;

/// A read's result, its error naming `path`.
pub fn reading<T>(path: impl Into<PathBuf>, result: std::io::Result<T>) -> Result<T> {
    result.map_err(|source| TrainError::Read { path: path.into(), source })
}

/// A write's (or a folder's creation's) result, its error naming `path`.
pub fn writing<T>(path: impl Into<PathBuf>, result: std::io::Result<T>) -> Result<T> {
    result.map_err(|source| TrainError::Write { path: path.into(), source })
}
