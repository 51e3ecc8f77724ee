//! From proposal scores to a ranked list of moments: refinement, temporal NMS, top-k.

use crate::anchors::Anchors;
use crate::error::{CminError, Result};

/// Ranking options.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RankOptions {
    /// How many moments to return (after NMS).
    pub top_k: usize,
    /// A moment is suppressed when its IoU with a better one exceeds this (in `[0, 1]`;
    /// 1 disables suppression).
    pub nms_threshold: f64,
}

impl Default for RankOptions {
    fn default() -> Self {
        RankOptions { top_k: 5, nms_threshold: 0.5 }
    }
}

impl RankOptions {
    pub fn validate(&self) -> Result<()> {
        if self.top_k == 0 {
            return Err(CminError::Option("top_k must be at least 1".into()));
        }
        if !(0.0..=1.0).contains(&self.nms_threshold) {
            return Err(CminError::Option(format!("nms_threshold must be in [0, 1], got {}", self.nms_threshold)));
        }
        Ok(())
    }
}

/// One legal proposal after boundary regression, in grid units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RefinedProposal {
    /// Proposal index `t * K + k`.
    pub index: usize,
    pub score: f32,
    /// Refined bounds, clamped to `[0, n-1]` and ordered.
    pub start: f32,
    pub end: f32,
}

/// Every legal proposal refined by its offsets. `scores` is `[n*K]`, `offsets` `[n*K*2]`.
pub fn refine(anchors: &Anchors, scores: &[f32], offsets: &[f32]) -> Vec<RefinedProposal> {
    let last = (anchors.num_clips() - 1) as f32;
    (0..anchors.len())
        .filter(|&i| anchors.is_legal(i))
        .map(|i| {
            let (s, e) = anchors.proposal(i);
            let (s, e) = ((s + offsets[2 * i]).clamp(0.0, last), (e + offsets[2 * i + 1]).clamp(0.0, last));
            RefinedProposal { index: i, score: scores[i], start: s.min(e), end: s.max(e) }
        })
        .collect()
}

/// The reference's top-1: the best-scoring legal proposal plus its offsets, rounded and
/// clamped to `[0, n-1]`, in grid indices.
pub fn reference_top1(anchors: &Anchors, scores: &[f32], offsets: &[f32]) -> (usize, usize) {
    let (s, e) = unrounded_top1(anchors, scores, offsets);
    let last = (anchors.num_clips() - 1) as f32;
    (s.round().clamp(0.0, last) as usize, e.round().clamp(0.0, last) as usize)
}

/// The best legal proposal plus its offsets, neither rounded nor clamped (`top1_box`).
pub fn unrounded_top1(anchors: &Anchors, scores: &[f32], offsets: &[f32]) -> (f32, f32) {
    let mut best: Option<usize> = None;
    for i in (0..anchors.len()).filter(|&i| anchors.is_legal(i)) {
        if best.is_none_or(|b| scores[i] > scores[b]) {
            best = Some(i);
        }
    }
    let i = best.expect("a validated config has at least one legal proposal");
    let (s, e) = anchors.proposal(i);
    (s + offsets[2 * i], e + offsets[2 * i + 1])
}

/// Continuous temporal IoU of two intervals (zero-length intervals count as points).
pub fn temporal_iou(a: (f64, f64), b: (f64, f64)) -> f64 {
    let inter = (a.1.min(b.1) - a.0.max(b.0)).max(0.0);
    let union = a.1.max(b.1) - a.0.min(b.0);
    if union <= 0.0 { if a == b { 1.0 } else { 0.0 } } else { inter / union }
}

/// Greedy temporal NMS over `(interval, score)` items; returns kept indices, best first, at
/// most `top_k`. Ties in score keep the lower index first.
pub fn nms(items: &[((f64, f64), f32)], options: &RankOptions) -> Vec<usize> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| items[b].1.total_cmp(&items[a].1).then(a.cmp(&b)));
    let mut kept: Vec<usize> = Vec::with_capacity(options.top_k);
    for i in order {
        if kept.len() == options.top_k {
            break;
        }
        if kept.iter().all(|&k| temporal_iou(items[k].0, items[i].0) <= options.nms_threshold) {
            kept.push(i);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nms_suppresses_overlaps_and_orders_by_score() {
        let items = [((0.0, 10.0), 0.9f32), ((1.0, 10.0), 0.95), ((20.0, 30.0), 0.5), ((0.0, 5.0), 0.8)];
        let opts = RankOptions { top_k: 5, nms_threshold: 0.5 };
        // 1 (0.95) first; 0 overlaps 1 by 0.9 -> gone; 3 overlaps 1 by 4/10 -> kept; then 2.
        assert_eq!(nms(&items, &opts), vec![1, 3, 2]);
        assert_eq!(nms(&items, &RankOptions { top_k: 2, ..opts }), vec![1, 3]);
        // Threshold 1 keeps everything, in score order.
        assert_eq!(nms(&items, &RankOptions { top_k: 9, nms_threshold: 1.0 }), vec![1, 0, 3, 2]);
    }

    #[test]
    fn nms_ties_keep_index_order() {
        let items = [((0.0, 1.0), 0.5f32), ((5.0, 6.0), 0.5), ((9.0, 10.0), 0.7)];
        assert_eq!(nms(&items, &RankOptions::default()), vec![2, 0, 1]);
    }

    #[test]
    fn temporal_iou_values() {
        assert_eq!(temporal_iou((0.0, 10.0), (5.0, 15.0)), 5.0 / 15.0);
        assert_eq!(temporal_iou((0.0, 1.0), (2.0, 3.0)), 0.0);
        assert_eq!(temporal_iou((2.0, 2.0), (2.0, 2.0)), 1.0);
    }

    #[test]
    fn top1_picks_best_legal_proposal() {
        let a = Anchors::new(4, &[1, 3]); // legal: t*2 for all t; t*2+1 for t in 1..=2
        let mut scores = vec![0.1; 8];
        scores[1] = 0.99; // illegal (t = 0, width 3)
        scores[5] = 0.8; // t = 2, width 3: [1, 3]
        let mut offsets = vec![0.0; 16];
        offsets[10] = -0.5;
        offsets[11] = 0.75;
        assert_eq!(unrounded_top1(&a, &scores, &offsets), (0.5, 3.75));
        // Rounds half away from zero, then clamps to n - 1.
        assert_eq!(reference_top1(&a, &scores, &offsets), (1, 3));
        let refined = refine(&a, &scores, &offsets);
        assert_eq!(refined.len(), 6);
        let best = refined.iter().find(|p| p.index == 5).unwrap();
        assert_eq!((best.start, best.end), (0.5, 3.0));
    }

    #[test]
    fn options_are_validated() {
        assert!(RankOptions { top_k: 0, nms_threshold: 0.5 }.validate().is_err());
        assert!(RankOptions { top_k: 1, nms_threshold: 1.5 }.validate().is_err());
        assert!(RankOptions { top_k: 1, nms_threshold: f64::NAN }.validate().is_err());
        assert!(RankOptions::default().validate().is_ok());
    }
}
