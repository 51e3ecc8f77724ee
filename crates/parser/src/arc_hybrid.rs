//! Greedy labeled dependency parser: arc-hybrid transitions scored by an averaged perceptron
//! over Zhang & Nivre (2011)-style rich non-local features, trained with the dynamic oracle
//! and error exploration (Goldberg & Nivre 2012, 2013).

use crate::hashing::{feature, hash_str};
use crate::perceptron::{Frozen, best};
use crate::transition::{Configuration, NONE};
use crate::words::WordAtoms;

#[derive(Clone, Debug, PartialEq)]
pub struct DependencyParser {
    /// Dependency labels (UD v2, with subtypes); action ids encode label indices.
    pub labels: Vec<String>,
    pub weights: Frozen,
}

/// One sentence as the parser sees it: index 0 is the root.
pub struct Input<'a> {
    pub atoms: &'a [WordAtoms],
    /// Tag ids per token (index 0: the root's pseudo-tag).
    pub tags: &'a [u64],
}

/// Pseudo-values for the root and for absent positions.
const ROOT_TAG: u64 = 1 << 40;
const ABSENT: u64 = u64::MAX;

pub fn root_atoms() -> WordAtoms {
    let h = hash_str("<root>");
    WordAtoms { norm: h, form: h, shape: h, prefix1: h, suffix: [h; 4], coarse: h, fine: h, flags: h }
}

/// The tag sequence with the root's pseudo-tag in front.
pub fn with_root(tags: &[u8]) -> Vec<u64> {
    std::iter::once(ROOT_TAG).chain(tags.iter().map(|&t| t as u64)).collect()
}

fn distance(a: usize, b: usize) -> u64 {
    if a == NONE || b == NONE {
        return ABSENT;
    }
    match a.abs_diff(b) {
        d @ 0..=4 => d as u64,
        5..=7 => 5,
        8..=11 => 6,
        _ => 7,
    }
}

/// The features of configuration `st` (template ids are the order of the calls;
/// `templates::fingerprint` covers them).
pub fn features(input: &Input, st: &Configuration, out: &mut Vec<u64>) {
    out.clear();
    let w = |x: usize| if x == NONE { ABSENT } else { input.atoms[x].norm };
    let p = |x: usize| if x == NONE { ABSENT } else { input.tags[x] };
    let c = |x: usize| if x == NONE { ABSENT } else { input.atoms[x].fine };
    let k = |x: usize| if x == NONE { ABSENT } else { input.atoms[x].coarse };
    let l = |x: usize| if x == NONE || st.labels[x] == NONE { ABSENT } else { st.labels[x] as u64 };
    let child = |x: usize, side: &[[usize; 2]], i: usize| if x == NONE { NONE } else { side[x][i] };
    let num = |x: usize, v: &[u32]| if x == NONE { ABSENT } else { v[x].min(4) as u64 };
    let set = |x: usize, v: &[u64]| if x == NONE { ABSENT } else { v[x] };
    let (s0, s1, s2, b0, b1, b2) = (st.s(0), st.s(1), st.s(2), st.b(0), st.b(1), st.b(2));
    let (s0l, s0l2) = (child(s0, &st.lefts, 0), child(s0, &st.lefts, 1));
    let (s0r, s0r2) = (child(s0, &st.rights, 0), child(s0, &st.rights, 1));
    let (s1l, s1r, s1r2) = (child(s1, &st.lefts, 0), child(s1, &st.rights, 0), child(s1, &st.rights, 1));
    let (b0l, b0l2) = (child(b0, &st.lefts, 0), child(b0, &st.lefts, 1));
    let d_s0b0 = distance(s0, b0);
    let d_s1s0 = distance(s1, s0);

    // Template ids are the order of the calls below.
    let mut t = 0u32;
    let mut f = |a: u64, b: u64, c: u64| {
        out.push(feature(t, a, b, c));
        t += 1;
    };
    f(0, 0, 0);
    // Unigrams.
    for x in [s0, s1, b0, b1] {
        f(w(x), 0, 0);
        f(p(x), 0, 0);
        f(w(x), p(x), 0);
        f(c(x), 0, 0);
        f(c(x), p(x), 0);
    }
    for x in [s2, b2] {
        f(w(x), 0, 0);
        f(p(x), 0, 0);
    }
    // The two candidate arcs: s0 <- b0 (LEFT) and s1 -> s0 (RIGHT).
    for (h, d) in [(b0, s0), (s1, s0)] {
        f(w(h), p(h), w(d) ^ p(d).rotate_left(13));
        f(w(h), p(h), w(d));
        f(w(h), w(d), p(d));
        f(w(h), p(h), p(d));
        f(p(h), w(d), p(d));
        f(w(h), w(d), 0);
        f(p(h), p(d), 0);
        f(c(h), c(d), 0);
        f(c(h), p(d), 0);
        f(p(h), c(d), 0);
        f(k(h), k(d), p(h) ^ p(d).rotate_left(7));
    }
    // Tag n-grams around the stack top and the buffer front.
    f(p(b0), p(b1), 0);
    f(p(s0), p(b0), p(b1));
    f(p(b0), p(b1), p(b2));
    f(p(s1), p(s0), p(b0));
    f(p(s2), p(s1), p(s0));
    f(p(s1), p(s0), p(b1));
    f(w(s0), p(b0), p(b1));
    f(w(s1), p(s0), p(b0));
    f(p(s1), w(s0), p(b0));
    // Distances.
    for (x, d) in [(s0, d_s0b0), (b0, d_s0b0), (s1, d_s1s0), (s0, d_s1s0)] {
        f(w(x), d, 0);
        f(p(x), d, 0);
    }
    f(w(s0), w(b0), d_s0b0);
    f(p(s0), p(b0), d_s0b0);
    f(w(s1), w(s0), d_s1s0);
    f(p(s1), p(s0), d_s1s0);
    // Valency.
    for (x, v) in [(s0, &st.num_left), (s0, &st.num_right), (s1, &st.num_left), (s1, &st.num_right), (b0, &st.num_left)]
    {
        f(w(x), num(x, v), 0);
        f(p(x), num(x, v), 0);
    }
    // Children (second-order) and grandchildren pairs (third-order).
    for x in [s0l, s0r, s1l, s1r, b0l, s0l2, s0r2, s1r2, b0l2] {
        f(w(x), 0, 0);
        f(p(x), 0, 0);
        f(l(x), 0, 0);
    }
    f(p(s0), p(s0l), p(b0));
    f(p(s0), p(s0r), p(b0));
    f(p(s0), p(b0), p(b0l));
    f(p(s1), p(s1l), p(s0));
    f(p(s1), p(s1r), p(s0));
    f(p(s1), p(s0), p(s0l));
    f(p(s1), p(s0), p(s0r));
    f(p(s0), p(s0l), p(s0l2));
    f(p(s0), p(s0r), p(s0r2));
    f(p(s1), p(s1r), p(s1r2));
    f(p(b0), p(b0l), p(b0l2));
    f(p(s0), l(s0l), l(s0l2));
    f(p(s0), l(s0r), l(s0r2));
    f(p(s1), l(s1r), l(s1r2));
    f(p(b0), l(b0l), l(b0l2));
    f(w(s0), l(s0l), p(b0));
    f(w(s0), l(s0r), p(b0));
    f(w(s1), l(s1r), p(s0));
    // Label sets.
    for (x, v) in [(s0, &st.left_labels), (s0, &st.right_labels), (s1, &st.right_labels), (b0, &st.left_labels)] {
        f(w(x), set(x, v), 0);
        f(p(x), set(x, v), 0);
    }
}

impl DependencyParser {
    /// Heads (1-based, 0 = root) and label ids of one sentence.
    pub fn parse(&self, input: &Input) -> (Vec<usize>, Vec<usize>) {
        let n = input.atoms.len() - 1;
        let mut st = Configuration::new(n);
        let mut feats = Vec::with_capacity(160);
        let mut scores = vec![0f32; self.weights.classes];
        while !st.is_terminal() {
            features(input, &st, &mut feats);
            self.weights.score(&feats, &mut scores);
            let action = best(&scores, |a| st.is_valid(a)).expect("a non-terminal state has a valid action");
            st.apply(action);
        }
        (st.heads[1..].to_vec(), st.labels[1..].to_vec())
    }
}
