//! Greedy left-to-right part-of-speech tagger (UPOS): averaged perceptron over affix, shape,
//! cluster and context features, with a tag dictionary for frequent unambiguous words
//! (trained by `cmin_train::parser_training::tagger`).

use std::collections::HashMap;

use crate::hashing::feature;
use crate::perceptron::{Frozen, best};
use crate::words::{WordAtoms, normalise};

/// Tag id used for positions before the sentence start.
pub const START: u64 = u64::MAX - 1;
const NONE: u64 = u64::MAX;

#[derive(Clone, Debug, PartialEq)]
pub struct Tagger {
    pub tags: Vec<String>,
    /// Normalised word → tag id, for words seen often with a single tag.
    pub dictionary: HashMap<String, u8>,
    pub weights: Frozen,
}

/// The features of word `i` after the tags `prev` and `prev2` (template ids fixed in each call;
/// `templates::fingerprint` covers them).
pub fn features(atoms: &[WordAtoms], i: usize, prev: u64, prev2: u64, out: &mut Vec<u64>) {
    out.clear();
    let at = |k: isize| -> Option<&WordAtoms> { usize::try_from(i as isize + k).ok().and_then(|j| atoms.get(j)) };
    let w = &atoms[i];
    let norm = |k: isize| at(k).map_or(NONE, |a| a.norm);
    let suf3 = |k: isize| at(k).map_or(NONE, |a| a.suffix[2]);
    let fine = |k: isize| at(k).map_or(NONE, |a| a.fine);
    let mut f = |t: u32, a: u64, b: u64, c: u64| out.push(feature(t, a, b, c));
    f(0, 0, 0, 0);
    f(1, w.norm, 0, 0);
    f(2, w.form, 0, 0);
    f(3, w.prefix1, 0, 0);
    for (k, s) in w.suffix.iter().enumerate() {
        f(4 + k as u32, *s, 0, 0);
    }
    f(8, w.shape, 0, 0);
    f(9, w.flags, 0, 0);
    f(10, w.coarse, 0, 0);
    f(11, w.fine, 0, 0);
    f(12, prev, 0, 0);
    f(13, prev2, 0, 0);
    f(14, prev, prev2, 0);
    f(15, prev, w.norm, 0);
    f(16, norm(-1), 0, 0);
    f(17, norm(-2), 0, 0);
    f(18, norm(1), 0, 0);
    f(19, norm(2), 0, 0);
    f(20, suf3(-1), 0, 0);
    f(21, suf3(1), 0, 0);
    f(22, fine(-1), 0, 0);
    f(23, fine(1), 0, 0);
    f(24, norm(-1), w.norm, 0);
    f(25, w.norm, norm(1), 0);
    f(26, prev, w.suffix[2], 0);
    f(27, w.fine, fine(1), 0);
    f(28, prev, w.fine, 0);
    f(29, (i == 0) as u64, w.shape, 0);
    f(30, w.suffix[1], norm(1), 0);
}

impl Tagger {
    /// Tags one sentence (tag ids into `self.tags`).
    pub fn tag(&self, atoms: &[WordAtoms], forms: &[String]) -> Vec<u8> {
        let mut tags = Vec::with_capacity(atoms.len());
        let mut feats = Vec::with_capacity(40);
        let mut scores = vec![0f32; self.tags.len()];
        let (mut prev, mut prev2) = (START, START);
        for i in 0..atoms.len() {
            let tag = match self.dictionary.get(&normalise(&forms[i])) {
                Some(&t) => t,
                None => {
                    features(atoms, i, prev, prev2, &mut feats);
                    self.weights.score(&feats, &mut scores);
                    best(&scores, |_| true).unwrap_or(0) as u8
                }
            };
            tags.push(tag);
            prev2 = prev;
            prev = tag as u64;
        }
        tags
    }
}
