//! Search over a library: every query against every video at once, ranked across them. A
//! query counts as found at rank `r` when one of the first `r` answers is in its own video at
//! IoU >= m with the truth.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::data::{Sample, features};
use crate::error::Result;
use crate::evaluate::{Evaluation, query_for};
use cmin_model::error::CminError;
use cmin_model::inference::{EncodedVideo, Found};
use cmin_model::ranking::temporal_iou;

pub const LIBRARY_RANKS: [usize; 3] = [1, 5, 10];
pub const LIBRARY_IOUS: [f64; 3] = [0.3, 0.5, 0.7];

/// Counts over the queries of a library.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LibraryRecall {
    pub queries: usize,
    /// `hits[r][m]`: the own video at IoU >= `LIBRARY_IOUS[m]` within the first
    /// `LIBRARY_RANKS[r]` answers.
    pub hits: [[usize; 3]; 3],
    /// `video_hits[r]`: the own video anywhere in the first `LIBRARY_RANKS[r]` answers.
    pub video_hits: [usize; 3],
}

impl LibraryRecall {
    /// Adds one query: its answers as `(video, start, end)`, best first.
    pub fn add(&mut self, answers: &[(usize, f64, f64)], video: usize, truth: (f64, f64)) {
        self.queries += 1;
        let ious: Vec<f64> =
            answers.iter().map(|&(v, s, e)| if v == video { temporal_iou((s, e), truth) } else { -1.0 }).collect();
        for (r, &n) in LIBRARY_RANKS.iter().enumerate() {
            let best = ious.iter().take(n).fold(-1.0f64, |a, &b| a.max(b));
            self.video_hits[r] += (best >= 0.0) as usize;
            for (m, &threshold) in LIBRARY_IOUS.iter().enumerate() {
                self.hits[r][m] += (best >= threshold) as usize;
            }
        }
    }

    pub fn percent(&self, rank: usize, iou: f64) -> f64 {
        let r = LIBRARY_RANKS.iter().position(|&n| n == rank).expect("rank in LIBRARY_RANKS");
        let m = LIBRARY_IOUS.iter().position(|&t| (t - iou).abs() < 1e-9).expect("IoU in LIBRARY_IOUS");
        100.0 * self.hits[r][m] as f64 / self.queries.max(1) as f64
    }

    pub fn render(&self) -> String {
        let mut out =
            format!("{} queries; the answer's own video and IoU >= m within the first r answers\n      ", self.queries);
        for m in LIBRARY_IOUS {
            out.push_str(&format!("  IoU={m:<4}"));
        }
        out.push_str("  own video\n");
        for (r, n) in LIBRARY_RANKS.iter().enumerate() {
            out.push_str(&format!("R@{n:<4}"));
            for m in LIBRARY_IOUS {
                out.push_str(&format!("  {:>8.2}", self.percent(*n, m)));
            }
            out.push_str(&format!("  {:>9.2}\n", 100.0 * self.video_hits[r] as f64 / self.queries.max(1) as f64));
        }
        out
    }
}

impl Evaluation<'_> {
    /// Encodes every video of `library` (name and duration), once; their names in order.
    pub fn encode_library(&self, library: &BTreeMap<String, f64>) -> Result<(Vec<String>, Vec<EncodedVideo>)> {
        if library.is_empty() {
            return Err(CminError::Option("the library has no video with a duration".into()).into());
        }
        let dim = self.localizer.config().frame_dim;
        let mut names = Vec::with_capacity(library.len());
        let mut videos = Vec::with_capacity(library.len());
        for (name, &duration) in library {
            let f = features::load(self.features_dir, name, Some(dim))?;
            videos.push(self.localizer.encode_video_at(&f.values, f.clips, f.dim, duration, self.scale)?);
            names.push(name.clone());
        }
        Ok((names, videos))
    }

    /// Searches the videos `library` names for each of `queries`' sentences (the first
    /// `options.top_k` answers across them); `progress(done, total)` after each.
    pub fn search_library(
        &self,
        library: &BTreeMap<String, f64>,
        queries: &[Sample],
        mut progress: impl FnMut(usize, usize),
    ) -> Result<LibraryRecall> {
        let (names, videos) = self.encode_library(library)?;
        let library: Vec<&EncodedVideo> = videos.iter().collect();
        let mut recall = LibraryRecall::default();
        for (i, s) in queries.iter().enumerate() {
            let (query, _) = query_for(s, self.embeddings, self.parser, self.speller)?;
            let found = self.localizer.search(&library, &query, self.options)?;
            let own = names
                .iter()
                .position(|n| *n == s.video)
                .ok_or_else(|| CminError::Option(format!("video {:?} is not in the library", s.video)))?;
            recall.add(&answers(&found), own, (s.start, s.end));
            progress(i + 1, queries.len());
        }
        Ok(recall)
    }
}

/// `(video, start, end)` of each answer.
pub fn answers(found: &[Found]) -> Vec<(usize, f64, f64)> {
    found.iter().map(|f| (f.video, f.moment.start, f.moment.end)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hit_needs_the_own_video_and_the_overlap() {
        let mut r = LibraryRecall::default();
        // The right moment in the wrong video first, then the right one.
        r.add(&[(1, 5.0, 10.0), (0, 5.0, 10.0)], 0, (5.0, 10.0));
        assert_eq!((r.percent(1, 0.5), r.percent(5, 0.5), r.percent(10, 0.7)), (0.0, 100.0, 100.0));
        assert_eq!(r.video_hits, [0, 1, 1]);
        // The own video at rank 1 but a poor overlap.
        r.add(&[(0, 0.0, 6.0)], 0, (5.0, 10.0));
        assert_eq!((r.percent(1, 0.3), r.video_hits[0]), (0.0, 1));
        assert_eq!(r.queries, 2);
        assert!(r.render().contains("own video"));
    }
}
