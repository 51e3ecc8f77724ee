//! The synthetic world against the packaged assets: every word its queries use (generated
//! or typed) has a vector in the shipped GloVe subset (an unknown word is a zero vector the
//! model cannot learn from); the committed typed queries are the world's own.
#![cfg(not(target_family = "wasm"))]

mod common;

use cmin::embeddings::Embeddings;
use cmin::world::{WorldConfig, generate};

#[test]
fn every_query_word_has_a_packaged_vector() {
    let root = &common::manifest_dir();
    let bytes = std::fs::read(root.join("www/assets/glove-6b-50d-30k.cminemb")).unwrap();
    let embeddings = Embeddings::from_bytes(&bytes).unwrap();
    let mut words = std::collections::BTreeSet::new();
    for seed in 0..300 {
        let v = generate(&WorldConfig::default(), seed);
        for q in v.queries.iter().chain(&v.typed_queries()) {
            words.extend(q.text.split_whitespace().map(|w| w.trim_end_matches(',').to_string()));
        }
    }
    assert!(words.len() >= 30, "{words:?}");
    let missing: Vec<&String> = words.iter().filter(|w| embeddings.get(w).is_none()).collect();
    assert!(missing.is_empty(), "no vector for {missing:?}");
}

/// `tests/data/world-test-typed.json` (the held-out typed queries of the world's test split,
/// `scripts/world-recipe.sh`'s seeds) is what `cmin world` writes for that split, with the
/// test split's answers in other words.
#[test]
fn the_committed_typed_queries_are_the_test_splits() {
    let root = &common::manifest_dir();
    let dir = std::env::temp_dir().join(format!("cmin-world-typed-{}", std::process::id()));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cmin"))
        .args(["world", "--out", dir.to_str().unwrap(), "--split", "test", "--videos", "500", "--seed", "30000"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let read = |path: std::path::PathBuf| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let (typed, test) = (read(dir.join("test-typed.json")), read(dir.join("test.json")));
    assert_eq!(typed, read(root.join("tests/data/world-test-typed.json")));
    let videos = typed.as_object().unwrap();
    let mut queries = 0;
    for (id, entry) in videos {
        assert_eq!(entry["timestamps"], test[id]["timestamps"]);
        let sentences = entry["sentences"].as_array().unwrap();
        for (typed, generated) in sentences.iter().zip(test[id]["sentences"].as_array().unwrap()) {
            assert_ne!(typed, generated);
        }
        queries += sentences.len();
    }
    assert!(queries >= 200, "{queries} typed queries");
    std::fs::remove_dir_all(&dir).unwrap();
}
