//! Clip features in, model grid out (spec §1): resampling any number of raw clips to `n`,
//! and converting moments between seconds and grid indices, exactly as the reference loader.

use crate::error::{CminError, Result};

/// `floor(linspace(0, L-1, n))`, computed as numpy does (`arange(n) * step`, last = `L-1`).
pub fn resample_indices(raw_clips: usize, num_clips: usize) -> Vec<usize> {
    assert!(raw_clips >= 1 && num_clips >= 1, "validated by callers");
    if num_clips == 1 {
        return vec![0];
    }
    let last = (raw_clips - 1) as f64;
    let step = last / (num_clips - 1) as f64;
    let mut idx: Vec<usize> = (0..num_clips).map(|i| (i as f64 * step) as usize).collect();
    idx[num_clips - 1] = raw_clips - 1;
    idx
}

/// Checks a flat `[raw_clips, dim]` buffer: non-empty, right size and width, all finite.
pub fn validate_features(features: &[f32], raw_clips: usize, dim: usize, expected_dim: usize) -> Result<()> {
    check_feature_shape(features.len(), raw_clips, dim, expected_dim)?;
    if let Some(pos) = features.iter().position(|v| !v.is_finite()) {
        return Err(CminError::NonFiniteFeature { clip: pos / dim, dim: pos % dim, value: features[pos] });
    }
    Ok(())
}

/// Checks a feature buffer's length and shape against the model and the size limit, before
/// its values are read (or, at the wasm boundary, copied in).
pub fn check_feature_shape(len: usize, raw_clips: usize, dim: usize, expected_dim: usize) -> Result<()> {
    if raw_clips == 0 {
        return Err(CminError::EmptyVideo);
    }
    if dim != expected_dim {
        return Err(CminError::FeatureDim { got: dim, expected: expected_dim });
    }
    let expected = crate::limits::features(raw_clips, dim)? as usize;
    if len != expected {
        return Err(CminError::FeatureLength { got: len, clips: raw_clips, dim, expected });
    }
    Ok(())
}

/// Resamples `[raw_clips, dim]` features to `[num_clips, dim]`: clip `k < n-1` is the mean of
/// `video[idx_k .. idx_{k+1}]` when that span holds at least two clips, else `video[idx_k]`;
/// the last clip is `video[L-1]`.
pub fn resample(features: &[f32], raw_clips: usize, dim: usize, num_clips: usize) -> Vec<f32> {
    let idx = resample_indices(raw_clips, num_clips);
    let row = |i: usize| &features[i * dim..(i + 1) * dim];
    let mut out = Vec::with_capacity(num_clips * dim);
    for k in 0..num_clips {
        if k + 1 < num_clips && idx[k + 1] - idx[k] >= 2 {
            let (a, b) = (idx[k], idx[k + 1]);
            let mut sum = vec![0f64; dim];
            for i in a..b {
                for (s, v) in sum.iter_mut().zip(row(i)) {
                    *s += *v as f64;
                }
            }
            out.extend(sum.iter().map(|s| (s / (b - a) as f64) as f32));
        } else if k + 1 == num_clips {
            out.extend_from_slice(row(raw_clips - 1));
        } else {
            out.extend_from_slice(row(idx[k]));
        }
    }
    out
}

/// Maps a video of `raw_clips` features lasting `duration` seconds onto the `num_clips` grid.
#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    pub raw_clips: usize,
    pub num_clips: usize,
    pub duration: f64,
    indices: Vec<usize>,
}

impl Timeline {
    pub fn new(raw_clips: usize, num_clips: usize, duration: f64) -> Result<Self> {
        if raw_clips == 0 {
            return Err(CminError::EmptyVideo);
        }
        if !(duration.is_finite() && duration > 0.0) {
            return Err(CminError::BadDuration(duration));
        }
        Ok(Timeline { raw_clips, num_clips, duration, indices: resample_indices(raw_clips, num_clips) })
    }

    /// Ground truth in seconds to inclusive grid indices `(start, end)`, as the reference loader.
    pub fn seconds_to_grid(&self, start: f64, end: f64) -> (usize, usize) {
        let l = self.raw_clips;
        let raw = |t: f64| ((t * l as f64 / self.duration).max(0.0) as usize).min(l - 1);
        let e = raw(end);
        let s = raw(start).min(e);
        let idx = &self.indices;
        let mut grid_start = idx.iter().position(|&i| i >= s).expect("idx[n-1] = L-1 >= s");
        let grid_end = if e == l - 1 { self.num_clips - 1 } else { idx.iter().rposition(|&i| i <= e).unwrap_or(0) };
        if grid_end < grid_start {
            grid_start = grid_end;
        }
        (grid_start, grid_end)
    }

    /// A (fractional) grid interval `[start, end]`, inclusive of its end clip, to seconds:
    /// grid position `g` sits at raw position `g (L-1)/(n-1)` (the resampling's linspace) and
    /// a raw clip spans `duration / L` seconds. Clamped to `[0, duration]`.
    pub fn grid_to_seconds(&self, start: f64, end: f64) -> (f64, f64) {
        let scale = (self.raw_clips - 1) as f64 / (self.num_clips - 1).max(1) as f64;
        let clip_seconds = self.duration / self.raw_clips as f64;
        let s = (start * scale * clip_seconds).clamp(0.0, self.duration);
        let e = ((end * scale + 1.0) * clip_seconds).clamp(0.0, self.duration);
        (s, e.max(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_match_numpy_linspace() {
        // numpy: np.linspace(0, 9, 4).astype(np.int32) == [0, 3, 6, 9]
        assert_eq!(resample_indices(10, 4), vec![0, 3, 6, 9]);
        // np.linspace(0, 2, 5) = [0, .5, 1, 1.5, 2] -> [0, 0, 1, 1, 2]
        assert_eq!(resample_indices(3, 5), vec![0, 0, 1, 1, 2]);
        assert_eq!(resample_indices(1, 4), vec![0, 0, 0, 0]);
        // np.linspace(0, 99999, 200)[1] = 502.5075... -> 502
        let big = resample_indices(100_000, 200);
        assert_eq!((big[1], big[199]), (502, 99_999));
    }

    #[test]
    fn resample_means_spans_and_keeps_last() {
        // L = 7, n = 3: idx = [0, 3, 6]; clip0 = mean(v0..v2), clip1 = mean(v3..v5), clip2 = v6
        let f: Vec<f32> = (0..7).map(|i| i as f32).collect();
        assert_eq!(resample(&f, 7, 1, 3), vec![1.0, 4.0, 6.0]);
        // L < n: repeats, no averaging.
        assert_eq!(resample(&[5.0, 7.0], 2, 1, 4), vec![5.0, 5.0, 5.0, 7.0]);
        // L = 1: every clip is the only feature (dim 2).
        assert_eq!(resample(&[1.0, 2.0], 1, 2, 3), vec![1.0, 2.0, 1.0, 2.0, 1.0, 2.0]);
        // A span of exactly one raw clip is copied.
        assert_eq!(resample(&[0.0, 1.0, 2.0, 3.0], 4, 1, 4), vec![0.0, 1.0, 2.0, 3.0]);
    }

    #[test]
    fn seconds_to_grid_edges() {
        let t = Timeline::new(10, 4, 10.0).unwrap(); // idx = [0, 3, 6, 9]
        assert_eq!(t.seconds_to_grid(3.0, 6.5), (1, 2));
        // End at the last frame maps to n - 1.
        assert_eq!(t.seconds_to_grid(7.0, 10.0), (3, 3));
        assert_eq!(t.seconds_to_grid(0.0, 100.0), (0, 3));
        // s > every idx below: start 3, end = largest idx <= 8 -> 2 < 3, so start = end.
        assert_eq!(t.seconds_to_grid(8.0, 8.5), (2, 2));
        // L = 1: every moment is the whole (single-feature) video.
        let one = Timeline::new(1, 4, 5.0).unwrap();
        assert_eq!(one.seconds_to_grid(1.0, 2.0), (0, 3));
        // L < n.
        let short = Timeline::new(3, 5, 3.0).unwrap(); // idx = [0, 0, 1, 1, 2]
        assert_eq!(short.seconds_to_grid(1.0, 1.5), (2, 3));
    }

    #[test]
    fn grid_to_seconds_covers_the_video() {
        let t = Timeline::new(10, 4, 10.0).unwrap();
        assert_eq!(t.grid_to_seconds(0.0, 3.0), (0.0, 10.0));
        assert_eq!(t.grid_to_seconds(1.0, 2.0), (3.0, 7.0));
        assert_eq!(t.grid_to_seconds(-2.0, 9.0), (0.0, 10.0));
    }

    #[test]
    fn bad_inputs_are_errors() {
        assert_eq!(validate_features(&[], 0, 4, 4), Err(CminError::EmptyVideo));
        assert!(matches!(validate_features(&[0.0; 8], 2, 4, 5), Err(CminError::FeatureDim { got: 4, expected: 5 })));
        assert!(matches!(validate_features(&[0.0; 7], 2, 4, 4), Err(CminError::FeatureLength { .. })));
        let mut f = vec![0.0; 8];
        f[5] = f32::NAN;
        assert!(matches!(validate_features(&f, 2, 4, 4), Err(CminError::NonFiniteFeature { clip: 1, dim: 1, .. })));
        f[5] = f32::INFINITY;
        assert!(validate_features(&f, 2, 4, 4).is_err());
        assert!(matches!(Timeline::new(5, 4, 0.0), Err(CminError::BadDuration(_))));
        assert!(matches!(Timeline::new(5, 4, f64::NAN), Err(CminError::BadDuration(_))));
    }
}
