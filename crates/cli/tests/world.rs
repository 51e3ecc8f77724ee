//! `cmin world`: what it writes for the test split is the committed typed queries.

#[path = "../../../tests/common/mod.rs"]
mod common;

/// `tests/data/world-test-typed.json` (the held-out typed queries of the world's test split,
/// `scripts/world-recipe.sh`'s seeds) is what `cmin world` writes for that split, with the
/// test split's answers in other words.
#[test]
fn the_committed_typed_queries_are_the_test_splits() {
    let root = &common::repo_root();
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
