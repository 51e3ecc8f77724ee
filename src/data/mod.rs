//! Datasets for training and evaluation: moment annotations ([`annotations`]) and clip
//! features ([`features`]).

pub mod annotations;
#[cfg(not(target_family = "wasm"))]
pub mod features;

pub use annotations::{Annotations, Format, Sample, StoredParse};
#[cfg(not(target_family = "wasm"))]
pub use features::ClipFeatures;
