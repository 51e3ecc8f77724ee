//! The synthetic world against the packaged assets: every word its queries use has a
//! vector in the shipped GloVe subset (an unknown word is a zero vector the model cannot
//! learn from).

use cmin::embeddings::Embeddings;
use cmin::world::{WorldConfig, generate};

#[test]
fn every_query_word_has_a_packaged_vector() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(root.join("www/assets/glove-6b-50d-30k.cminemb")).unwrap();
    let embeddings = Embeddings::from_bytes(&bytes).unwrap();
    let mut words = std::collections::BTreeSet::new();
    for seed in 0..300 {
        for q in generate(&WorldConfig::default(), seed).queries {
            words.extend(q.text.split_whitespace().map(str::to_string));
        }
    }
    assert!(words.len() >= 30, "{words:?}");
    let missing: Vec<&String> = words.iter().filter(|w| embeddings.get(w).is_none()).collect();
    assert!(missing.is_empty(), "no vector for {missing:?}");
}
