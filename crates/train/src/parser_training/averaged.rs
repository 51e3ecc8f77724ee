//! The averaged multi-class perceptron's trainable form: dense class rows per hashed feature,
//! created on first update, frozen into `cmin_parser::perceptron::Frozen` (averaged, pruned,
//! sparse rows) for inference and the model file.

use cmin_parser::hashing::{KeyMap, short_key};
use cmin_parser::perceptron::Frozen;

/// Training-time weights. Averaging uses the standard trick: alongside each weight `w` keep
/// `u`, the sum of `step * delta`; the average is `w - u / step`.
pub struct Trainable {
    pub classes: usize,
    rows: KeyMap<u64, u32>,
    w: Vec<f32>,
    u: Vec<f32>,
    step: f32,
}

impl Trainable {
    pub fn new(classes: usize) -> Self {
        Trainable { classes, rows: KeyMap::default(), w: Vec::new(), u: Vec::new(), step: 1.0 }
    }

    /// Adds each feature's current weights to `scores` (len = classes).
    pub fn score(&self, features: &[u64], scores: &mut [f32]) {
        scores.fill(0.0);
        for f in features {
            if let Some(&row) = self.rows.get(f) {
                let base = row as usize * self.classes;
                for (s, w) in scores.iter_mut().zip(&self.w[base..base + self.classes]) {
                    *s += w;
                }
            }
        }
    }

    fn row(&mut self, feature: u64) -> usize {
        let next = self.rows.len() as u32;
        let row = *self.rows.entry(feature).or_insert(next) as usize;
        if row == next as usize {
            self.w.resize(self.w.len() + self.classes, 0.0);
            self.u.resize(self.u.len() + self.classes, 0.0);
        }
        row * self.classes
    }

    /// Moves weight from the wrongly predicted class to the right one.
    pub fn update(&mut self, features: &[u64], truth: usize, guess: usize) {
        if truth == guess {
            return;
        }
        let step = self.step;
        for &f in features {
            let base = self.row(f);
            self.w[base + truth] += 1.0;
            self.u[base + truth] += step;
            self.w[base + guess] -= 1.0;
            self.u[base + guess] -= step;
        }
    }

    /// One training instance has been seen (updated or not).
    pub fn tick(&mut self) {
        self.step += 1.0;
    }

    pub fn num_features(&self) -> usize {
        self.rows.len()
    }

    /// Averages, drops weights with `|w| < prune`, and freezes.
    pub fn freeze(&self, prune: f32) -> Frozen {
        let mut entries: Vec<(u32, Vec<(u8, f32)>)> = Vec::with_capacity(self.rows.len());
        let mut merged: KeyMap<u32, usize> = KeyMap::default();
        for (&key, &row) in &self.rows {
            let base = row as usize * self.classes;
            let short = short_key(key);
            let index = *merged.entry(short).or_insert_with(|| {
                entries.push((short, Vec::new()));
                entries.len() - 1
            });
            for c in 0..self.classes {
                let avg = self.w[base + c] - self.u[base + c] / self.step;
                if avg != 0.0 {
                    // Keys colliding in 32 bits share a row: their weights add, as at lookup.
                    match entries[index].1.iter_mut().find(|(k, _)| *k as usize == c) {
                        Some(e) => e.1 += avg,
                        None => entries[index].1.push((c as u8, avg)),
                    }
                }
            }
        }
        let mut rows: Vec<(u32, Vec<(u8, f32)>)> = entries
            .into_iter()
            .map(|(k, mut v)| {
                v.retain(|&(_, w)| w.abs() >= prune);
                v.sort_by_key(|&(c, _)| c);
                (k, v)
            })
            .filter(|(_, v)| !v.is_empty())
            .collect();
        rows.sort_by_key(|&(k, _)| k);
        Frozen::from_rows(self.classes, rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cmin_parser::perceptron::best;

    #[test]
    fn learns_a_separable_problem_and_freezes_to_the_same_decisions() {
        let mut p = Trainable::new(3);
        let data = [(vec![1u64 << 40, 2 << 40], 0usize), (vec![3 << 40], 1), (vec![4 << 40, 2 << 40], 2)];
        let mut scores = vec![0.0; 3];
        for _ in 0..10 {
            for (f, y) in &data {
                p.score(f, &mut scores);
                let guess = best(&scores, |_| true).unwrap();
                p.update(f, *y, guess);
                p.tick();
            }
        }
        let frozen = p.freeze(0.0);
        for (f, y) in &data {
            frozen.score(f, &mut scores);
            assert_eq!(best(&scores, |_| true), Some(*y));
        }
    }
}
