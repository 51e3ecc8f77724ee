//! Datasets for training and evaluation: moment annotations ([`annotations`]) and clip
//! features ([`features`]).

pub mod annotations;
pub mod features;

pub use annotations::{Annotations, Format, Sample, StoredParse};
pub use features::ClipFeatures;
