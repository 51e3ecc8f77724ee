//! Multi-scale anchors on the clip grid (spec §5).

/// The proposal grid: at every clip `t` and width `w_k`, `[t - (w-1)/2, t + (w-1)/2]`,
/// flattened as `t * K + k`.
#[derive(Clone, Debug, PartialEq)]
pub struct Anchors {
    num_clips: usize,
    widths: Vec<usize>,
}

impl Anchors {
    pub fn new(num_clips: usize, widths: &[usize]) -> Self {
        Anchors { num_clips, widths: widths.to_vec() }
    }

    pub fn num_clips(&self) -> usize {
        self.num_clips
    }

    pub fn num_anchors(&self) -> usize {
        self.widths.len()
    }

    /// `n * K` proposals.
    pub fn len(&self) -> usize {
        self.num_clips * self.widths.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `(start, end)` in (fractional) grid units of proposal `index = t * K + k`.
    pub fn proposal(&self, index: usize) -> (f32, f32) {
        let k = self.widths.len();
        let (t, w) = ((index / k) as f32, self.widths[index % k] as f32);
        let half = (w - 1.0) / 2.0;
        (t - half, t + half)
    }

    /// Proposals reaching outside `[0, n)` are illegal: masked out of loss and ranking.
    pub fn is_legal(&self, index: usize) -> bool {
        let (s, e) = self.proposal(index);
        s >= 0.0 && e < self.num_clips as f32
    }

    /// 1.0 for legal proposals, 0.0 otherwise, in proposal order.
    pub fn legal_mask(&self) -> Vec<f32> {
        (0..self.len()).map(|i| if self.is_legal(i) { 1.0 } else { 0.0 }).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tacos_anchors_on_64_clips_match_reference_legality() {
        // From small-io's label_mask: width 6 legal for t in 3..=61, 18 for 9..=55, 32 for 16..=48.
        let a = Anchors::new(64, &[6, 18, 32]);
        let legal_range = |k: usize| {
            let ts: Vec<usize> = (0..64).filter(|t| a.is_legal(t * 3 + k)).collect();
            (ts[0], *ts.last().unwrap(), ts.len())
        };
        assert_eq!(legal_range(0), (3, 61, 59));
        assert_eq!(legal_range(1), (9, 55, 47));
        assert_eq!(legal_range(2), (16, 48, 33));
    }

    #[test]
    fn proposal_geometry() {
        let a = Anchors::new(200, &[6, 18, 32]);
        assert_eq!(a.len(), 600);
        assert_eq!(a.proposal(10 * 3), (7.5, 12.5));
        assert_eq!(a.proposal(10 * 3 + 1), (1.5, 18.5));
        assert_eq!(a.proposal(10 * 3 + 2), (-5.5, 25.5));
        assert!(!a.is_legal(10 * 3 + 2));
        // The last clip: a width-1 anchor would be legal, any wider one reaches past n - 1.
        let b = Anchors::new(5, &[1, 3]);
        assert!(b.is_legal(4 * 2));
        assert!(!b.is_legal(4 * 2 + 1));
        assert_eq!(b.legal_mask().iter().sum::<f32>(), 5.0 + 3.0);
    }
}
