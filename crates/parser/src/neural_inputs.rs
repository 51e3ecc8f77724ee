//! Inputs of the neural (deep biaffine) parser: the ids of each token's embeddings. The same
//! function feeds training (on burn, in the `cmin` crate) and inference here, so the two
//! cannot drift apart.

use std::collections::HashMap;

use crate::hashing::hash_str;
use crate::words::{Clusters, normalise};

/// Id 0 of every table is the root pseudo-token; id 1 of the word and cluster tables is
/// "unknown".
pub const ROOT: u32 = 0;
pub const UNKNOWN: u32 = 1;

/// Words with a trained vector of their own (normalised forms, see [`normalise`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lexicon {
    pub words: HashMap<String, u32>,
    pub suffix_buckets: u32,
}

/// Embedding ids per token, the root first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TokenIds {
    pub words: Vec<u32>,
    pub clusters: Vec<u32>,
    pub tags: Vec<u32>,
    pub suffixes: Vec<u32>,
}

impl TokenIds {
    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

impl Lexicon {
    /// Vocabulary of the normalised forms seen at least `min_count` times, most frequent
    /// first (ties by form, so the ids are deterministic).
    pub fn from_counts<'a>(forms: impl Iterator<Item = &'a str>, min_count: usize, suffix_buckets: u32) -> Self {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for f in forms {
            *counts.entry(normalise(f)).or_default() += 1;
        }
        let mut kept: Vec<(String, usize)> = counts.into_iter().filter(|(_, c)| *c >= min_count).collect();
        kept.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let words = kept.into_iter().enumerate().map(|(i, (w, _))| (w, i as u32 + 2)).collect();
        Lexicon { words, suffix_buckets: suffix_buckets.max(2) }
    }

    /// Number of rows of the word table (root and unknown included).
    pub fn size(&self) -> usize {
        self.words.len() + 2
    }

    /// `tags` are the tagger's ids; clusters are the fine GloVe clusters.
    pub fn token_ids(&self, clusters: &Clusters, forms: &[String], tags: &[u8]) -> TokenIds {
        let mut ids = TokenIds { words: vec![ROOT], clusters: vec![ROOT], tags: vec![ROOT], suffixes: vec![ROOT] };
        for (form, &tag) in forms.iter().zip(tags) {
            let norm = normalise(form);
            ids.words.push(self.words.get(&norm).copied().unwrap_or(UNKNOWN));
            ids.clusters.push(clusters.map.get(&form.to_lowercase()).map_or(UNKNOWN, |&(_, fine)| fine as u32 + 2));
            ids.tags.push(tag as u32 + 1);
            let chars: Vec<char> = norm.chars().collect();
            let suffix: String = chars[chars.len().saturating_sub(3)..].iter().collect();
            ids.suffixes.push(1 + (hash_str(&suffix) % (self.suffix_buckets as u64 - 1)) as u32);
        }
        ids
    }
}
