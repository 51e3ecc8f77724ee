//! CMIN — Cross-Modal Interaction Networks for query-based moment retrieval (Zhang et al.,
//! SIGIR 2019) — on burn. See `../shared/docs/cmin.md` for the model this crate implements;
//! section numbers in doc comments refer to it.
//!
//! The model core: layers and their fused kernels, anchors, ranking, inference on an encoded
//! video, weights from bytes. It reads no files and knows no target: the query pipeline, the
//! trainer and the wasm bindings sit above it.

pub mod anchors;
pub mod config;
pub mod device;
pub mod error;
pub mod inference;
pub mod limits;
pub mod model;
pub mod ops;
pub mod query;
pub mod ranking;
pub mod relations;
pub mod video;
pub mod weights;
pub mod windows;

/// The burn version the model is built on, for callers that handle its tensors.
pub use burn;
pub use config::{CminConfig, Fusion};
pub use error::{CminError, Result};
pub use inference::{EncodedVideo, Localization, Localizer, Moment};
pub use model::{Cmin, CminOutput, QueryBatch};
pub use query::Query;
pub use ranking::RankOptions;
pub use windows::{TimeScale, Windows};
