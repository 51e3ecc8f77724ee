//! The hand-written query set (`tests/data/handwritten/`) against the world it describes:
//! every query names a video of its split and answers with one of the moments the generator
//! checked can be described uniquely there.

use cmin_world::{WorldConfig, generate};

const FILES: [(&str, &str); 6] = [
    ("synonyms", include_str!("../../../tests/data/handwritten/synonyms.json")),
    ("tense", include_str!("../../../tests/data/handwritten/tense.json")),
    ("case-punctuation", include_str!("../../../tests/data/handwritten/case-punctuation.json")),
    ("question-command", include_str!("../../../tests/data/handwritten/question-command.json")),
    ("typo", include_str!("../../../tests/data/handwritten/typo.json")),
    ("free", include_str!("../../../tests/data/handwritten/free.json")),
];

#[test]
fn every_hand_written_query_answers_with_a_checked_moment_of_its_video() {
    let (mut queries, mut videos) = (0, std::collections::BTreeSet::new());
    for (name, text) in FILES {
        let file: serde_json::Value = serde_json::from_str(text).unwrap();
        let mut in_file = 0;
        for (id, entry) in file.as_object().unwrap() {
            let seed: u64 = id.strip_prefix("world-").unwrap().parse().unwrap();
            assert!((50_000..50_110).contains(&seed), "{name}: {id} is outside the hand-written split");
            let v = generate(&WorldConfig::default(), seed);
            assert_eq!(entry["duration"].as_f64(), Some(v.duration));
            let sentences = entry["sentences"].as_array().unwrap();
            let spans = entry["timestamps"].as_array().unwrap();
            assert_eq!(sentences.len(), spans.len());
            for (s, span) in sentences.iter().zip(spans) {
                let (start, end) = (span[0].as_f64().unwrap(), span[1].as_f64().unwrap());
                assert!(
                    v.queries.iter().any(|q| q.start == start && q.end == end),
                    "{name}: {s} ({start}-{end}) is no checked moment of {id}"
                );
                let words = s.as_str().unwrap().split_whitespace().count();
                assert!((3..=20).contains(&words), "{name}: {s}");
                in_file += 1;
            }
            videos.insert(seed);
        }
        assert!(in_file >= 50, "{name}: {in_file} queries");
        queries += in_file;
    }
    assert!(queries >= 300 && videos.len() >= 100, "{queries} queries on {} videos", videos.len());
}
