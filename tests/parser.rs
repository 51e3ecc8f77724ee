//! The packaged query parser: its accuracy on EWT test, its agreement with the CoreNLP parses
//! of the reference TACoS data, and the text → CMIN query path.
#![cfg(not(target_family = "wasm"))]

mod common;

use cmin_parser::conllu;
use cmin_parser::eval::evaluate;
use cmin_query::embeddings::Embeddings;
use cmin_query::parsing::{DEFAULT_PARSER, ParserModel, parse_query, reference_agreement};

fn parser() -> ParserModel {
    ParserModel::from_bytes(&std::fs::read(common::repo_root().join(DEFAULT_PARSER)).unwrap())
        .expect("the packaged parser loads")
}

/// Figures recorded in BENCHMARKS.md; these floors catch a regression or a wrong model file.
#[test]
fn ewt_test_accuracy() {
    let Some(path) = common::shared("data/ud/en_ewt-ud-test.conllu") else { return };
    let gold = conllu::read(&path).unwrap();
    let s = evaluate(&parser(), &gold);
    println!("EWT test: {} words, UPOS {:.2} UAS {:.2} LAS {:.2}", s.words, s.upos_accuracy(), s.uas(), s.las());
    assert_eq!(s.words, 25_094);
    assert!(s.upos_accuracy() >= 95.0, "UPOS {:.2}", s.upos_accuracy());
    assert!(s.uas() >= 88.0, "UAS {:.2}", s.uas());
    assert!(s.las() >= 85.0, "LAS {:.2}", s.las());
}

#[test]
fn agreement_with_corenlp_on_tacos() {
    let Some(path) = common::shared("data/tacos-corenlp/TACOS_test_gcn.json") else { return };
    let a = reference_agreement(&parser(), &std::fs::read_to_string(path).unwrap()).unwrap();
    println!(
        "TACoS: {} queries, {:.2}% compared, unlabeled {:.2}%, labeled {:.2}%",
        a.queries,
        a.compared_pct(),
        a.unlabeled_pct(),
        a.labeled_pct()
    );
    assert_eq!(a.queries, 4_083);
    assert!(a.compared_pct() >= 99.0, "word lists agree on {:.2}%", a.compared_pct());
    assert!(a.unlabeled_pct() >= 92.0, "unlabeled {:.2}", a.unlabeled_pct());
    assert!(a.labeled_pct() >= 89.0, "labeled {:.2}", a.labeled_pct());
}

/// Text in, the exact adjacency of the reference data out (small-io query 0, parsed there by
/// CoreNLP: `[[1,0,0,0,0],[2,1,25,0,9],[0,0,1,0,0],[0,0,0,1,0],[0,0,0,3,1]]`).
#[test]
fn text_becomes_the_reference_query() {
    let parse = parse_query(&parser(), "He took out a glass.").unwrap();
    let embeddings = Embeddings::new(vec!["glass".into()], vec![1.0, 2.0], 2).unwrap();
    let prepared = parse.prepare(&embeddings).unwrap();
    assert_eq!(prepared.words, ["he", "took", "out", "a", "glass"]);
    assert_eq!(prepared.unknown_words, ["he", "took", "out", "a"]);
    #[rustfmt::skip]
    let expected = vec![
        1, 0, 0, 0, 0,
        2, 1, 25, 0, 9,
        0, 0, 1, 0, 0,
        0, 0, 0, 1, 0,
        0, 0, 0, 3, 1,
    ];
    assert_eq!(prepared.query.adjacency, expected);
    assert!(matches!(parse_query(&parser(), "  "), Err(cmin_model::CminError::EmptyQuery)));
}

/// The demo's queries (the synthetic world's eight constructions, seeds apart from the ones
/// the parser was trained on) parse as their gold trees.
#[test]
fn parses_the_synthetic_worlds_constructions() {
    use cmin_world::{WorldConfig, generate, gold_tree};
    let parser = parser();
    let mut scores = cmin_parser::eval::Scores::default();
    for seed in 0..100 {
        let v = generate(&WorldConfig::default(), seed);
        for q in &v.queries {
            let gold = gold_tree(&q.spec, &v.actors);
            let p = parser.parse_sentence(&gold.forms);
            scores.add(&gold, &p.upos, &p.heads, &p.deprels);
        }
    }
    println!(
        "world queries: {} words, UPOS {:.2} UAS {:.2} LAS {:.2}",
        scores.words,
        scores.upos_accuracy(),
        scores.uas(),
        scores.las()
    );
    assert!(scores.words > 1_000);
    assert!(scores.las() >= 99.0, "LAS {:.2} on the world's queries", scores.las());
}
