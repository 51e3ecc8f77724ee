//! Multi-class perceptron weights over hashed sparse features in their frozen form (averaged,
//! pruned, sparse rows), as inference and the model file use them; the trainable form is
//! `cmin_train::parser_training::averaged`.

use crate::hashing::short_key;

/// Inference-time weights: sparse rows keyed by the top 32 bits of each feature hash, each
/// entry a class and a one-byte weight code on a log scale (`|w| = min * exp((|q| - 1) *
/// step)`, sign in `q`; relative rounding error at most `step / 2`, about 3% for the shipped
/// model), decoded through a 256-entry table.
///
/// Lookups dominate parsing time, so the index is an open-addressing table whose 8-byte slot
/// holds the key and the row's place (24-bit start, 8-bit length) in the 2-byte entry array:
/// one cache miss for the slot, one for the row.
#[derive(Clone, Debug, PartialEq)]
pub struct Frozen {
    pub classes: usize,
    /// Sorted keys; row `r`'s entries are `entries[offsets[r]..offsets[r + 1]]`.
    pub keys: Vec<u32>,
    pub offsets: Vec<u32>,
    /// `[class, weight code as u8]`.
    pub entries: Vec<[u8; 2]>,
    pub min: f32,
    pub step: f32,
    decode: Vec<f32>,
    slots: Vec<Slot>,
    mask: usize,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Slot {
    key: u32,
    /// `start << 8 | len`; 0 marks an empty slot (rows are never empty).
    place: u32,
}

const MAX_ENTRIES: usize = 1 << 24;

/// The weight a code stands for.
pub fn decode(code: i8, min: f32, step: f32) -> f32 {
    if code == 0 || code == i8::MIN {
        return 0.0;
    }
    let magnitude = min * ((code.unsigned_abs() as f32 - 1.0) * step).exp();
    if code < 0 { -magnitude } else { magnitude }
}

impl Frozen {
    /// Quantises rows sorted by key, each with its (class, weight) entries (at most 255 per
    /// row and 16M in all, far above what a model holds). Zero weights are dropped.
    pub fn from_rows(classes: usize, rows: Vec<(u32, Vec<(u8, f32)>)>) -> Self {
        let magnitudes = rows.iter().flat_map(|(_, e)| e.iter().map(|&(_, w)| w.abs())).filter(|&w| w > 0.0);
        let (min, max) = magnitudes.fold((f32::MAX, 0f32), |(lo, hi), w| (lo.min(w), hi.max(w)));
        let (min, step) = if max > 0.0 && max > min { (min, (max / min).ln() / 126.0) } else { (max.max(1e-30), 1.0) };
        let (mut keys, mut offsets, mut entries) = (Vec::with_capacity(rows.len()), vec![0u32], Vec::new());
        for (key, row) in rows {
            let before = entries.len();
            for (c, w) in row.into_iter().filter(|&(_, w)| w != 0.0).take(255) {
                let level = (1.0 + ((w.abs() / min).ln() / step).round()).clamp(1.0, 127.0) as i8;
                entries.push([c, (if w < 0.0 { -level } else { level }) as u8]);
            }
            if entries.len() > before {
                keys.push(key);
                offsets.push(entries.len() as u32);
            }
        }
        Self::from_codes(classes, keys, offsets, entries, min, step)
    }

    /// Assembles already-quantised rows (the model file's contents).
    pub fn from_codes(
        classes: usize,
        keys: Vec<u32>,
        offsets: Vec<u32>,
        entries: Vec<[u8; 2]>,
        min: f32,
        step: f32,
    ) -> Self {
        let decode_table = (0..=255u8).map(|b| decode(b as i8, min, step)).collect();
        let mut f =
            Frozen { classes, keys, offsets, entries, min, step, decode: decode_table, slots: Vec::new(), mask: 0 };
        f.build_index();
        f
    }

    fn build_index(&mut self) {
        let capacity = (self.keys.len() * 2).next_power_of_two().max(16);
        self.mask = capacity - 1;
        self.slots = vec![Slot::default(); capacity];
        for (r, &key) in self.keys.iter().enumerate() {
            let (start, end) = (self.offsets[r] as usize, self.offsets[r + 1] as usize);
            if end <= start || end - start > 255 || end > MAX_ENTRIES {
                continue;
            }
            let mut i = Self::home(key) & self.mask;
            while self.slots[i].place != 0 && self.slots[i].key != key {
                i = (i + 1) & self.mask;
            }
            self.slots[i] = Slot { key, place: ((start as u32) << 8) | (end - start) as u32 };
        }
    }

    #[inline]
    fn home(key: u32) -> usize {
        (key.wrapping_mul(0x9e37_79b9) ^ (key >> 16)) as usize
    }

    pub fn num_entries(&self) -> usize {
        self.entries.len()
    }

    /// Row `r`'s (class, weight) entries, decoded.
    pub fn row(&self, r: usize) -> impl Iterator<Item = (u8, f32)> + '_ {
        let (a, b) = (self.offsets[r] as usize, self.offsets[r + 1] as usize);
        self.entries[a..b].iter().map(|&[c, q]| (c, self.decode[q as usize]))
    }

    /// The slot's place of a key (0 when absent).
    #[inline]
    fn find(&self, key: u32) -> u32 {
        let mut i = Self::home(key) & self.mask;
        loop {
            let slot = self.slots[i];
            if slot.place == 0 || slot.key == key {
                return slot.place;
            }
            i = (i + 1) & self.mask;
        }
    }

    pub fn score(&self, features: &[u64], scores: &mut [f32]) {
        scores.fill(0.0);
        // Two passes per chunk: all slot lookups first, then all rows. The lookups do not
        // depend on each other, so their cache misses overlap instead of queueing.
        let mut places = [0u32; 64];
        for chunk in features.chunks(64) {
            for (place, &f) in places.iter_mut().zip(chunk) {
                *place = self.find(short_key(f));
            }
            for &place in &places[..chunk.len()] {
                if place == 0 {
                    continue;
                }
                let (start, len) = ((place >> 8) as usize, (place & 0xff) as usize);
                for &[c, q] in &self.entries[start..start + len] {
                    if let Some(s) = scores.get_mut(c as usize) {
                        *s += self.decode[q as usize];
                    }
                }
            }
        }
    }

    /// The same weights without entries smaller than `threshold` in magnitude.
    pub fn pruned(&self, threshold: f32) -> Frozen {
        let rows = (0..self.keys.len())
            .map(|r| (self.keys[r], self.row(r).filter(|&(_, w)| w.abs() >= threshold).collect::<Vec<_>>()))
            .filter(|(_, e)| !e.is_empty())
            .collect();
        Frozen::from_rows(self.classes, rows)
    }
}

/// Index of the best score among the allowed classes (lowest index on ties).
pub fn best(scores: &[f32], allowed: impl Fn(usize) -> bool) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (c, &s) in scores.iter().enumerate() {
        if allowed(c) && best.is_none_or(|b| s > scores[b]) {
            best = Some(c);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_takes_the_highest_allowed_class() {
        assert_eq!(best(&[1.0, 5.0, 3.0], |c| c != 1), Some(2));
        assert_eq!(best(&[1.0], |_| false), None);
    }
}
