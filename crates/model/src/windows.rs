//! Videos of any length at the model's own time scale. The model sees `n` clips; the
//! reference resamples every video to them, so a ten-minute video reaches a model trained on
//! one-minute videos at a tenth of the detail it learned. Instead, a video longer than `n`
//! clips at the model's clip length is resampled to its own grid at that length and read as
//! windows of `n` clips, each overlapping the next by half. Every window answers for the
//! middle of its span (the clips nearer its centre than any other window's): a moment at most
//! `n / 2` clips long centred there lies wholly inside it, so one straddling two windows'
//! shared border is found whole in the window it is centred in.
//!
//! A video no longer than one window is one window resampled to `n`: exactly the reference.

use crate::error::{CminError, Result};
use crate::video::{Timeline, resample};

/// How a video's clips become windows: the grid of `grid_clips` the raw clips are resampled
/// to, and where each window of `window_clips` starts on it.
#[derive(Clone, Debug, PartialEq)]
pub struct Windows {
    /// Raw clips onto the video's grid (`num_clips` of the timeline is the grid's length).
    pub timeline: Timeline,
    /// Grid clip where each window starts, ascending; the last window ends at the grid's end.
    pub starts: Vec<usize>,
    /// Clips per window: the model's `n`.
    pub window_clips: usize,
}

/// How a video's length is read.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum TimeScale {
    /// At the model's clip length (its config's `clip_seconds`); resampled to one window when
    /// the model does not know its clip length.
    #[default]
    Model,
    /// Resampled to one window of `n` clips whatever its length (the reference).
    Whole,
    /// At this many seconds per clip.
    ClipSeconds(f64),
}

impl TimeScale {
    /// Seconds per clip, given the model's own; `None` for one resampled window.
    pub fn clip_seconds(self, model: Option<f64>) -> Result<Option<f64>> {
        match self {
            TimeScale::Model => Ok(model),
            TimeScale::Whole => Ok(None),
            TimeScale::ClipSeconds(s) if s.is_finite() && s > 0.0 => Ok(Some(s)),
            TimeScale::ClipSeconds(s) => {
                Err(CminError::Option(format!("clip seconds must be a positive number, got {s}")))
            }
        }
    }
}

impl Windows {
    /// How many windows a video of `raw_clips` feature rows lasting `duration` seconds takes,
    /// for a model of `window_clips` clips, `clip_seconds` long each (`None`: one window);
    /// computed before anything is allocated for them, and refused when their clips could not
    /// be counted.
    pub fn count(raw_clips: usize, duration: f64, window_clips: usize, clip_seconds: Option<f64>) -> Result<usize> {
        Ok(Self::layout(raw_clips, duration, window_clips, clip_seconds)?.1)
    }

    /// `(grid clips, windows)`.
    fn layout(
        raw_clips: usize,
        duration: f64,
        window_clips: usize,
        clip_seconds: Option<f64>,
    ) -> Result<(usize, usize)> {
        // Validates the duration before it sizes anything.
        Timeline::new(raw_clips, window_clips, duration)?;
        let grid_clips = match clip_seconds {
            // A hair of tolerance, so a video exactly one window long stays one window.
            Some(s) if duration > window_clips as f64 * s * (1.0 + 1e-9) => (duration / s).ceil(),
            _ => window_clips as f64,
        };
        let stride = (window_clips / 2).max(1);
        let windows = if grid_clips <= window_clips as f64 {
            1.0
        } else {
            ((grid_clips - window_clips as f64) / stride as f64).ceil() + 1.0
        };
        crate::limits::windows(grid_clips, windows, window_clips)?;
        Ok((grid_clips as usize, windows as usize))
    }

    /// The windows of a video of `raw_clips` feature rows lasting `duration` seconds, for a
    /// model of `window_clips` clips, `clip_seconds` long each (`None`: one window).
    pub fn plan(raw_clips: usize, duration: f64, window_clips: usize, clip_seconds: Option<f64>) -> Result<Self> {
        let (grid_clips, windows) = Self::layout(raw_clips, duration, window_clips, clip_seconds)?;
        let stride = (window_clips / 2).max(1);
        let mut starts: Vec<usize> = (0..windows).map(|w| w * stride).collect();
        *starts.last_mut().expect("at least one window") = grid_clips - window_clips;
        Ok(Windows { timeline: Timeline::new(raw_clips, grid_clips, duration)?, starts, window_clips })
    }

    /// Number of windows.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Clips of the video's grid.
    pub fn grid_clips(&self) -> usize {
        self.timeline.num_clips
    }

    /// `[windows, window_clips, dim]` features, row-major: the raw features resampled to the
    /// grid, then each window's span of it.
    pub fn frames(&self, features: &[f32], dim: usize) -> Vec<f32> {
        let grid = resample(features, self.timeline.raw_clips, dim, self.grid_clips());
        if self.len() == 1 {
            return grid;
        }
        let n = self.window_clips;
        self.starts.iter().flat_map(|&s| grid[s * dim..(s + n) * dim].iter().copied()).collect()
    }

    /// Grid position of window `w`'s centre.
    fn centre(&self, w: usize) -> f64 {
        self.starts[w] as f64 + (self.window_clips - 1) as f64 / 2.0
    }

    /// The grid positions `[from, to)` window `w` answers for: those nearer its centre than
    /// any other window's (ties to the later window), the whole grid for the first and last.
    pub fn owned(&self, w: usize) -> (f64, f64) {
        let from = if w == 0 { f64::NEG_INFINITY } else { (self.centre(w - 1) + self.centre(w)) / 2.0 };
        let to = if w + 1 == self.len() { f64::INFINITY } else { (self.centre(w) + self.centre(w + 1)) / 2.0 };
        (from, to)
    }

    /// Whether window `w` answers for a moment spanning grid positions `[start, end]` of it.
    pub fn owns(&self, w: usize, start: f64, end: f64) -> bool {
        let (from, to) = self.owned(w);
        let centre = self.starts[w] as f64 + (start + end) / 2.0;
        from <= centre && centre < to
    }

    /// Window `w`'s grid positions `[start, end]` (inclusive end clip) to seconds.
    pub fn to_seconds(&self, w: usize, start: f64, end: f64) -> (f64, f64) {
        let offset = self.starts[w] as f64;
        self.timeline.grid_to_seconds(offset + start, offset + end)
    }

    /// The window that answers for grid clip `g`.
    pub fn owner(&self, g: usize) -> usize {
        (0..self.len()).find(|&w| (g as f64) < self.owned(w).1).unwrap_or(self.len() - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_videos_are_one_resampled_window() {
        for (raw, duration, clip_seconds) in [(96, 48.0, Some(1.0)), (10, 3.0, Some(1.0)), (500, 600.0, None)] {
            let w = Windows::plan(raw, duration, 48, clip_seconds).unwrap();
            assert_eq!((w.len(), w.grid_clips(), w.starts.clone()), (1, 48, vec![0]));
            assert_eq!(w.timeline, Timeline::new(raw, 48, duration).unwrap());
            let f: Vec<f32> = (0..raw * 2).map(|i| i as f32).collect();
            assert_eq!(w.frames(&f, 2), resample(&f, raw, 2, 48));
            assert!(w.owns(0, -5.0, 100.0));
        }
    }

    #[test]
    fn long_videos_overlap_by_half_and_end_at_the_end() {
        // 100 s at 1 s a clip, windows of 48: starts 0, 24, 48 and 52 (the last at the end).
        let w = Windows::plan(100, 100.0, 48, Some(1.0)).unwrap();
        assert_eq!((w.grid_clips(), w.starts.clone()), (100, vec![0, 24, 48, 52]));
        // Ownership tiles the grid: centres 23.5, 47.5, 71.5, 75.5.
        assert_eq!(w.owned(0), (f64::NEG_INFINITY, 35.5));
        assert_eq!(w.owned(1), (35.5, 59.5));
        assert_eq!(w.owned(2), (59.5, 73.5));
        assert_eq!(w.owned(3), (73.5, f64::INFINITY));
        assert_eq!((w.owner(35), w.owner(36), w.owner(99)), (0, 1, 3));
        // A moment over grid clips 30..=40 straddles window 0's end region and window 1's
        // start; its centre (35) is window 0's, where it lies whole.
        assert!(w.owns(0, 30.0, 40.0) && !w.owns(1, 6.0, 16.0));
        // Seconds: window 1's clip 0 is grid clip 24 (one second a clip).
        assert_eq!(w.to_seconds(1, 0.0, 0.0), (24.0, 25.0));
        assert_eq!(w.to_seconds(3, 40.5, 47.0), (92.5, 100.0));
        // The frames of window 1 are grid clips 24..72 (raw clips resampled to the grid:
        // means of two rows here).
        let w = Windows::plan(200, 100.0, 48, Some(1.0)).unwrap();
        let f: Vec<f32> = (0..200).map(|i| i as f32).collect();
        let grid = resample(&f, 200, 1, 100);
        assert_eq!(grid[24], 48.5);
        let frames = w.frames(&f, 1);
        assert_eq!(frames.len(), 4 * 48);
        assert_eq!(&frames[48..96], &grid[24..72]);
        assert_eq!(&frames[3 * 48..], &grid[52..100]);
    }

    #[test]
    fn time_scales_and_limits() {
        assert_eq!(TimeScale::Model.clip_seconds(Some(2.0)).unwrap(), Some(2.0));
        assert_eq!(TimeScale::Whole.clip_seconds(Some(2.0)).unwrap(), None);
        assert_eq!(TimeScale::ClipSeconds(0.5).clip_seconds(None).unwrap(), Some(0.5));
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(TimeScale::ClipSeconds(bad).clip_seconds(None).is_err());
        }
        // A duration that would make billions of windows is refused before any allocation.
        let e = Windows::plan(10, 1e12, 48, Some(1.0)).unwrap_err();
        assert_eq!(e.code(), "too-large");
        // 2^31 s: two billion clips, refused before their indices are allocated (the
        // randomised browser test found this one aborting the module).
        assert_eq!(Windows::count(96, 2f64.powi(31), 48, Some(1.0)).unwrap_err().code(), "too-large");
        assert_eq!(Windows::count(96, 6000.0, 48, Some(1.0)).unwrap(), 249);
        assert!(Windows::plan(10, f64::NAN, 48, Some(1.0)).is_err());
    }
}
