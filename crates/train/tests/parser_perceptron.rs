//! Training and the model file on real data: a small EWT slice trains, scores well on what it
//! saw, survives a round trip through the file format, and damaged files are errors.

use cmin_parser::conllu;
use cmin_parser::eval::evaluate;
use cmin_parser::{Model, ParserError};
use cmin_train::parser_training::perceptron::{ParserTrainConfig, Vectors, train};

fn ewt_train() -> Option<Vec<conllu::Sentence>> {
    // The crate's directory as the test runs (a shared target directory can run a binary
    // compiled in another checkout).
    let crate_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into());
    let path = format!("{crate_dir}/../../../shared/data/ud/en_ewt-ud-train.conllu");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(conllu::parse(&text).expect("EWT parses")),
        Err(e) if std::env::var("CI").as_deref() == Ok("true") => panic!("CI=true and {path} is missing: {e}"),
        Err(_) => {
            eprintln!("skipping: {path} not found (set CI=true to make this a failure)");
            None
        }
    }
}

#[test]
fn a_small_slice_trains_and_round_trips() {
    let Some(sentences) = ewt_train() else { return };
    let slice = &sentences[..400];
    let words: Vec<String> = ["the", "a", "person", "man", "cut", "take"].iter().map(|s| s.to_string()).collect();
    let values: Vec<f32> = (0..words.len() * 4).map(|i| ((i * 7) % 5) as f32 - 2.0).collect();
    let config = ParserTrainConfig {
        tagger_epochs: 5,
        parser_epochs: 5,
        folds: 2,
        coarse_clusters: 2,
        fine_clusters: 3,
        tagger_prune: 0.0,
        parser_prune: 0.0,
        ..ParserTrainConfig::default()
    };
    let vectors = Vectors { words: &words, values: &values, dim: 4 };
    let model = train(slice, &[], &vectors, &config, serde_json::json!({"test": true}), |_| {}).unwrap();
    let seen = evaluate(&model, slice);
    assert!(seen.upos_accuracy() > 95.0, "tagger fits its training data: {}", seen.upos_accuracy());
    assert!(seen.uas() > 85.0, "parser fits its training data: {}", seen.uas());

    let bytes = model.to_bytes();
    let again_trained = train(slice, &[], &vectors, &config, serde_json::json!({"test": true}), |_| {}).unwrap();
    assert!(again_trained.to_bytes() == bytes, "training is deterministic for a seed");
    let back = Model::from_bytes(&bytes).unwrap();
    let again = evaluate(&back, slice);
    // The file keeps weights to ~3%: decisions barely move.
    assert!((again.uas() - seen.uas()).abs() < 1.0, "{} vs {}", again.uas(), seen.uas());
    assert_eq!(back.tagger.tags, model.tagger.tags);
    assert_eq!(back.parser.labels, model.parser.labels);
    assert_eq!(back.provenance["training"]["test"], true);

    // Damage: every truncation and a few flipped bytes are errors, never panics.
    for cut in (0..bytes.len()).step_by(bytes.len() / 200 + 1) {
        assert!(Model::from_bytes(&bytes[..cut]).is_err(), "truncated at {cut}");
    }
    for at in [0, 9, 12, 40, bytes.len() / 2, bytes.len() - 2] {
        let mut bad = bytes.clone();
        bad[at] ^= 0xA5;
        let _ = Model::from_bytes(&bad); // may or may not be valid; must not panic
    }
    assert!(matches!(Model::from_bytes(b"CMINEMB1...."), Err(ParserError::Model(_))));
}

/// The model file is safetensors that says what it is: a file of 0.1's format, of another
/// format version, of other feature templates, or no parser at all is refused with why.
#[test]
fn parser_files_of_another_format_or_other_templates_are_refused() {
    let message = |bytes: &[u8]| match Model::from_bytes(bytes) {
        Err(ParserError::Model(m)) => m,
        other => panic!("expected a model error, got {:?}", other.map(|_| ())),
    };
    assert!(message(b"CMINPRS1\x05\x00\x00\x00{}").contains("cmin-wasm 0.1"));
    let file = |metadata: &[(&str, &str)]| {
        let mut t = cmin_parser::tensor_file::Tensors::default();
        for (k, v) in metadata {
            t.metadata(k, v);
        }
        t.u8s("x", &[1], [0]);
        t.serialize()
    };
    assert!(message(&file(&[("format", "cmin-embeddings")])).contains("not a parser model"));
    let newer = message(&file(&[("format", "cmin-parser"), ("format_version", "3")]));
    assert!(newer.contains("version 3") && newer.contains("reads version 2"), "{newer}");
    // Version 1 stored the key distances as u32s and the neural vocabulary as JSON.
    let older = message(&file(&[("format", "cmin-parser"), ("format_version", "1")]));
    assert!(older.contains("version 1") && older.contains("parser-en-ewt.safetensors"), "{older}");
    let other = message(&file(&[("format", "cmin-parser"), ("format_version", "2"), ("templates", "fnv1a64:0")]));
    assert!(other.contains("trained with other features"), "{other}");
    let current = cmin_parser::templates::fingerprint();
    let headless = message(&file(&[("format", "cmin-parser"), ("format_version", "2"), ("templates", &current)]));
    assert!(headless.contains("header"), "{headless}");
}
