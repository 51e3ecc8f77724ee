//! CMIN — Cross-Modal Interaction Networks for query-based moment retrieval (Zhang et al.,
//! SIGIR 2019) — on burn, for native and WebAssembly targets. See `../shared/docs/cmin.md`
//! for the model this crate implements; section numbers in doc comments refer to it.

pub mod anchors;
pub mod config;
pub mod data;
pub mod device;
pub mod embeddings;
pub mod error;
#[cfg(not(target_family = "wasm"))]
pub mod evaluate;
pub mod inference;
pub mod loss;
pub mod metrics;
pub mod model;
pub mod ops;
pub mod parity;
#[cfg(not(target_family = "wasm"))]
pub mod parser_training;
pub mod parsing;
pub mod query;
pub mod ranking;
pub mod relations;
pub mod train;
pub mod video;
#[cfg(target_family = "wasm")]
pub mod web;
pub mod weights;
pub mod world;

/// The burn version the model is built on, for callers that handle its tensors.
pub use burn;
pub use config::{CminConfig, Fusion};
pub use error::{CminError, Result};
pub use inference::{EncodedVideo, Localization, Localizer, Moment};
pub use model::{Cmin, CminOutput, QueryBatch};
pub use query::Query;
pub use ranking::RankOptions;
