//! The sizes an input may have, checked before any work or allocation for it: in wasm a failed
//! allocation kills the module, and wasm32 has 4 GiB in all. Each is far above what the
//! datasets need (TACoS: 4,096-d C3D features, a few hundred clips; queries under 60 words).
//! The config's own limits and cost budget are in [`crate::config`].

use crate::error::{CminError, Result};

/// Bytes of one file (weights, word vectors, parser).
pub const MAX_FILE_BYTES: u64 = 1 << 30;

/// Values of one video's clip features (`clips x dim`): 512 MiB as f32.
pub const MAX_FEATURE_VALUES: u64 = 1 << 27;

/// UTF-16 code units (JavaScript's `length`) of a text to parse or localize: about 20,000
/// words, which the parser reads in about a second in wasm.
pub const MAX_TEXT_UNITS: u64 = 100_000;

/// Values of a word-vector table (`words x dim`): 512 MiB as f32.
pub const MAX_EMBEDDING_VALUES: u64 = 1 << 27;

/// Width of a word vector.
pub const MAX_WORD_DIM: u64 = 4096;

/// Clips of a video's grid at the model's clip length, and of all its windows together: about
/// six months of video at a second a clip. A bound on the counts alone, checked before the
/// grid's indices or the windows' starts are allocated (the bytes below depend on the model).
pub const MAX_GRID_CLIPS: f64 = (1u64 << 24) as f64;

/// Bytes of one encoded video kept for its queries (every window's encoder output and the
/// first stage's projections): what a tab can hold beside the model.
pub const MAX_ENCODED_BYTES: u64 = 1 << 30;

/// `Err(TooLarge)` when `size` is above `limit`.
pub fn at_most(what: &'static str, size: u64, limit: u64, unit: &'static str) -> Result<()> {
    if size > limit { Err(CminError::TooLarge { what, size, limit, unit }) } else { Ok(()) }
}

/// A file of `bytes` bytes.
pub fn file(what: &'static str, bytes: u64) -> Result<()> {
    at_most(what, bytes, MAX_FILE_BYTES, "bytes")
}

/// A text of `units` UTF-16 code units.
pub fn text(units: u64) -> Result<()> {
    at_most("the text", units, MAX_TEXT_UNITS, "UTF-16 code units")
}

/// A video of `clips x dim` feature values.
pub fn features(clips: usize, dim: usize) -> Result<u64> {
    let values = (clips as u64).saturating_mul(dim as u64);
    at_most("the video's feature count (clips x dim)", values, MAX_FEATURE_VALUES, "values")?;
    Ok(values)
}

/// A video of `grid_clips` clips at the model's clip length, read as `windows` windows of
/// `window_clips` clips (floats: they may come from a duration of any size).
pub fn windows(grid_clips: f64, windows: f64, window_clips: usize) -> Result<()> {
    let clips = grid_clips.max(windows * window_clips as f64);
    if clips.is_finite() && clips <= MAX_GRID_CLIPS {
        return Ok(());
    }
    let size = if clips.is_finite() { clips as u64 } else { u64::MAX };
    Err(CminError::TooLarge {
        what: "the video's clips at the model's clip length (duration / clip seconds, windows overlapping by half)",
        size,
        limit: MAX_GRID_CLIPS as u64,
        unit: "clips",
    })
}

/// An encoded video of `bytes` bytes.
pub fn encoded(bytes: u64) -> Result<()> {
    at_most("the encoded video (its windows at the model's width)", bytes, MAX_ENCODED_BYTES, "bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_the_limit_and_carry_a_code() {
        let e = features(1 << 20, 1 << 10).unwrap_err();
        assert_eq!(e.code(), "too-large");
        assert!(e.to_string().contains(&MAX_FEATURE_VALUES.to_string()), "{e}");
        assert_eq!(features(200, 4096).unwrap(), 819_200);
        assert!(text(MAX_TEXT_UNITS).is_ok() && text(MAX_TEXT_UNITS + 1).is_err());
        assert!(file("weights", MAX_FILE_BYTES + 1).unwrap_err().to_string().contains("weights"));
        // Sizes near u64's range do not wrap into small ones.
        assert!(features(usize::MAX, usize::MAX).is_err());
    }
}
