//! Lexical atoms shared by the tagger and the parser: normalised forms, affixes, shapes and
//! distributional word clusters (k-means over GloVe vectors).

use std::collections::HashMap;

use cmin_random::Rng;

use crate::hashing::hash_str;

/// Per-word values, hashed once per sentence and combined into features.
#[derive(Clone, Debug, Default)]
pub struct WordAtoms {
    /// Lower-cased with digits folded to `0`.
    pub norm: u64,
    pub form: u64,
    pub shape: u64,
    pub prefix1: u64,
    pub suffix: [u64; 4],
    /// Cluster ids (coarse, fine); `u64::MAX` marks a word without a vector.
    pub coarse: u64,
    pub fine: u64,
    pub flags: u64,
}

pub fn normalise(word: &str) -> String {
    word.to_lowercase().chars().map(|c| if c.is_ascii_digit() { '0' } else { c }).collect()
}

/// `Xxxx` → `Xx`, `1/2` → `d/d`: character classes with runs collapsed.
pub fn shape(word: &str) -> String {
    let mut out = String::new();
    let mut last = None;
    for c in word.chars() {
        let s = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_numeric() {
            'd'
        } else if c.is_alphabetic() {
            'a'
        } else {
            c
        };
        if last != Some(s) {
            out.push(s);
            last = Some(s);
        }
    }
    out
}

/// Word → (coarse, fine) cluster ids.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Clusters {
    pub map: HashMap<String, (u16, u16)>,
}

impl Clusters {
    pub fn atoms(&self, forms: &[String]) -> Vec<WordAtoms> {
        forms.iter().map(|f| self.atom(f)).collect()
    }

    pub fn atom(&self, form: &str) -> WordAtoms {
        let norm = normalise(form);
        let chars: Vec<char> = norm.chars().collect();
        let suffix = |n: usize| hash_str(&chars[chars.len().saturating_sub(n)..].iter().collect::<String>());
        let (coarse, fine) =
            self.map.get(&form.to_lowercase()).map_or((u64::MAX, u64::MAX), |&(c, f)| (c as u64, f as u64));
        let mut flags = 0u64;
        if form.chars().next().is_some_and(char::is_uppercase) {
            flags |= 1;
        }
        if form.chars().all(|c| !c.is_lowercase()) {
            flags |= 2;
        }
        if form.contains('-') {
            flags |= 4;
        }
        if form.chars().any(|c| c.is_numeric()) {
            flags |= 8;
        }
        WordAtoms {
            norm: hash_str(&norm),
            form: hash_str(form),
            shape: hash_str(&shape(form)),
            prefix1: hash_str(&chars.iter().take(1).collect::<String>()),
            suffix: [suffix(1), suffix(2), suffix(3), suffix(4)],
            coarse,
            fine,
            flags,
        }
    }

    /// Clusters word vectors with k-means (cosine, deterministic by seed) at two granularities.
    pub fn from_vectors(words: &[String], vectors: &[f32], dim: usize, coarse: usize, fine: usize, seed: u64) -> Self {
        let unit: Vec<f32> = vectors
            .chunks(dim)
            .flat_map(|v| {
                let n = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-8);
                v.iter().map(move |x| x / n)
            })
            .collect();
        let a = kmeans(&unit, dim, coarse, 12, seed);
        let b = kmeans(&unit, dim, fine, 12, seed.wrapping_add(1));
        let map = words.iter().enumerate().map(|(i, w)| (w.to_lowercase(), (a[i] as u16, b[i] as u16))).collect();
        Clusters { map }
    }
}

/// Spherical k-means; returns each point's cluster.
fn kmeans(points: &[f32], dim: usize, k: usize, iterations: usize, seed: u64) -> Vec<usize> {
    let n = points.len() / dim;
    let k = k.min(n).max(1);
    let mut rng = Rng::new(seed);
    let mut order: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut order);
    let mut centres: Vec<f32> = order[..k].iter().flat_map(|&i| points[i * dim..(i + 1) * dim].to_vec()).collect();
    let mut assign = vec![0usize; n];
    for _ in 0..iterations {
        for (i, a) in assign.iter_mut().enumerate() {
            let p = &points[i * dim..(i + 1) * dim];
            let mut best = (f32::MIN, 0);
            for c in 0..k {
                let dot: f32 = p.iter().zip(&centres[c * dim..(c + 1) * dim]).map(|(x, y)| x * y).sum();
                if dot > best.0 {
                    best = (dot, c);
                }
            }
            *a = best.1;
        }
        let mut sums = vec![0f32; k * dim];
        for (i, &a) in assign.iter().enumerate() {
            for d in 0..dim {
                sums[a * dim + d] += points[i * dim + d];
            }
        }
        for c in 0..k {
            let s = &sums[c * dim..(c + 1) * dim];
            let norm = s.iter().map(|x| x * x).sum::<f32>().sqrt();
            if norm > 0.0 {
                for d in 0..dim {
                    centres[c * dim + d] = s[d] / norm;
                }
            }
        }
    }
    assign
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atoms() {
        assert_eq!(shape("McDonald's"), "XxXx'x");
        assert_eq!(shape("1/2"), "d/d");
        assert_eq!(normalise("Room 101"), "room 000");
        let c = Clusters::from_vectors(
            &["up".into(), "down".into(), "cat".into(), "dog".into()],
            &[1.0, 0.0, 0.9, 0.1, 0.0, 1.0, 0.1, 0.9],
            2,
            2,
            2,
            7,
        );
        let (up, down, cat) = (c.map["up"], c.map["down"], c.map["cat"]);
        assert_eq!(up.0, down.0);
        assert_ne!(up.0, cat.0);
        assert_eq!(c.atom("Up").coarse, up.0 as u64);
        assert_eq!(c.atom("zebra").coarse, u64::MAX);
    }
}
