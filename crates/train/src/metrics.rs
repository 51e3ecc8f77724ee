//! Retrieval metrics (spec §8): R@n at IoU m — the fraction of queries with at least one of
//! the top-n moments (after temporal NMS) at IoU >= m with the ground truth — and the mean IoU
//! of the top-1 moment. IoUs here are on continuous seconds.

use serde::Serialize;

use cmin_model::ranking::temporal_iou;

pub const RANKS: [usize; 2] = [1, 5];
pub const IOUS: [f64; 4] = [0.1, 0.3, 0.5, 0.7];

/// Running counts over queries.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Recall {
    pub queries: usize,
    /// `hits[r][m]`: queries with a hit in the top `RANKS[r]` at IoU `IOUS[m]`.
    pub hits: [[usize; 4]; 2],
    pub iou_sum: f64,
}

/// The table as percentages, for printing and JSON.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RecallTable {
    pub queries: usize,
    /// `"R@1,IoU=0.5" -> percent`, in table order.
    pub recall: Vec<(String, f64)>,
    pub miou: f64,
}

impl Recall {
    /// Adds one query: its ranked moments `(start, end)` (best first) and the ground truth.
    pub fn add(&mut self, ranked: &[(f64, f64)], truth: (f64, f64)) {
        self.queries += 1;
        let ious: Vec<f64> = ranked.iter().map(|&m| temporal_iou(m, truth)).collect();
        self.iou_sum += ious.first().copied().unwrap_or(0.0);
        for (r, &n) in RANKS.iter().enumerate() {
            let best = ious.iter().take(n).fold(0.0f64, |a, &b| a.max(b));
            for (m, &threshold) in IOUS.iter().enumerate() {
                self.hits[r][m] += (best >= threshold) as usize;
            }
        }
    }

    pub fn merge(&mut self, other: &Recall) {
        self.queries += other.queries;
        self.iou_sum += other.iou_sum;
        for r in 0..RANKS.len() {
            for m in 0..IOUS.len() {
                self.hits[r][m] += other.hits[r][m];
            }
        }
    }

    pub fn percent(&self, rank: usize, iou: f64) -> f64 {
        let r = RANKS.iter().position(|&n| n == rank).expect("rank in RANKS");
        let m = IOUS.iter().position(|&t| (t - iou).abs() < 1e-9).expect("IoU in IOUS");
        100.0 * self.hits[r][m] as f64 / self.queries.max(1) as f64
    }

    pub fn miou(&self) -> f64 {
        100.0 * self.iou_sum / self.queries.max(1) as f64
    }

    pub fn table(&self) -> RecallTable {
        let mut recall = Vec::new();
        for &n in &RANKS {
            for &m in &IOUS {
                recall.push((format!("R@{n},IoU={m}"), self.percent(n, m)));
            }
        }
        RecallTable { queries: self.queries, recall, miou: self.miou() }
    }

    /// The paper's layout: one row per rank, one column per IoU, then mIoU.
    pub fn render(&self) -> String {
        let mut out = format!("{} queries\n       ", self.queries);
        for m in IOUS {
            out.push_str(&format!("  IoU={m:<4}"));
        }
        out.push('\n');
        for n in RANKS {
            out.push_str(&format!("R@{n:<5}"));
            for m in IOUS {
                out.push_str(&format!("  {:>8.2}", self.percent(n, m)));
            }
            out.push('\n');
        }
        out.push_str(&format!("mIoU    {:>8.2}\n", self.miou()));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recall_counts_the_best_of_the_top_n() {
        let mut r = Recall::default();
        // Top-1 overlaps 0.5; the second is exact.
        r.add(&[(0.0, 10.0), (5.0, 10.0)], (5.0, 10.0));
        // Nothing overlaps.
        r.add(&[(0.0, 1.0)], (5.0, 10.0));
        assert_eq!(r.percent(1, 0.5), 50.0);
        assert_eq!(r.percent(1, 0.7), 0.0);
        assert_eq!(r.percent(5, 0.7), 50.0);
        assert_eq!(r.miou(), 25.0);
        let t = r.table();
        assert_eq!(t.recall[2], ("R@1,IoU=0.5".to_string(), 50.0));
        assert!(r.render().contains("mIoU"));
        let mut total = Recall::default();
        total.merge(&r);
        total.merge(&r);
        assert_eq!((total.queries, total.percent(5, 0.7)), (4, 50.0));
        // An empty ranking is a miss, not a panic.
        r.add(&[], (1.0, 2.0));
        assert_eq!(r.queries, 3);
    }
}
