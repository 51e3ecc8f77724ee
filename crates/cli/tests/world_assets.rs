//! The synthetic world against the packaged assets: every word its queries use (generated,
//! typed, or from its lexicon) has a vector in the shipped GloVe subset (an unknown word is a zero vector the
//! model cannot learn from); the committed typed queries are the world's own.

#[path = "../../../tests/common/mod.rs"]
mod common;

use cmin_query::embeddings::Embeddings;
use cmin_world::{Pool, WorldConfig, generate};

#[test]
fn every_query_word_has_a_packaged_vector() {
    let root = &common::repo_root();
    let bytes = std::fs::read(root.join("www/assets/glove-6b-50d-30k.safetensors")).unwrap();
    let embeddings = Embeddings::from_bytes(&bytes).unwrap();
    let mut words = std::collections::BTreeSet::new();
    for seed in 0..300 {
        let v = generate(&WorldConfig::default(), seed);
        for q in v.queries.iter().chain(&v.typed_queries()) {
            words.extend(q.text.split_whitespace().map(|w| w.trim_end_matches(',').to_string()));
        }
        // The lexicon's words, training and held-out: a word without a vector could neither be
        // learnt nor carry a held-out synonym's meaning.
        for pool in [Pool::Training, Pool::HeldOut] {
            for (_, w) in v.worded_queries(pool) {
                let lower = w.tree.forms.iter().map(|f| f.to_lowercase());
                words.extend(lower.filter(|f| !matches!(f.as_str(), "." | "?" | "!" | ",")));
            }
        }
    }
    assert!(words.len() >= 30, "{words:?}");
    let missing: Vec<&String> = words.iter().filter(|w| embeddings.get(w).is_none()).collect();
    assert!(missing.is_empty(), "no vector for {missing:?}");
}
