//! Any text gives a well-formed analysis: one tree per sentence, heads in range, no cycles,
//! offsets that point back into the text. Property-tested over arbitrary Unicode.

use std::sync::OnceLock;

use cmin_parser::{Analysis, Model};
use proptest::prelude::*;

fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        // The crate's directory as the test runs (a shared target directory can run a binary
        // compiled in another checkout).
        let crate_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into());
        let path = format!("{crate_dir}/../../www/assets/parser-en-ewt.safetensors");
        Model::from_bytes(&std::fs::read(path).expect("the packaged parser model")).expect("it loads")
    })
}

fn assert_well_formed(text: &str, a: &Analysis) {
    let n = a.tokens.len();
    assert_eq!(a.offsets.len(), n);
    assert_eq!(a.upos.len(), n);
    assert_eq!(a.heads.len(), n);
    assert_eq!(a.deprels.len(), n);
    for (t, [s, e]) in a.tokens.iter().zip(&a.offsets) {
        assert_eq!(&text[*s..*e], t, "offsets of {t:?}");
        assert!(!t.trim().is_empty(), "empty token in {text:?}");
    }
    let mut covered = 0;
    for &[start, end] in &a.sentences {
        assert_eq!(start, covered, "sentences tile the tokens");
        assert!(end > start);
        covered = end;
        let roots: Vec<usize> = (start..end).filter(|&i| a.heads[i] == 0).collect();
        assert_eq!(roots.len(), 1, "one root per sentence in {text:?}");
        assert_eq!(a.deprels[roots[0]], "root");
        for i in start..end {
            let h = a.heads[i];
            assert!(h == 0 || (start < h && h <= end), "head {h} of token {i} leaves its sentence");
            assert!(h != i + 1, "self loop");
            if h != 0 {
                assert_ne!(a.deprels[i], "root");
            }
            // Walking up from any token reaches the root within the sentence length.
            let (mut at, mut steps) = (i, 0);
            while a.heads[at] != 0 {
                at = a.heads[at] - 1;
                steps += 1;
                assert!(steps <= end - start, "cycle through token {i} in {text:?}");
            }
        }
    }
    assert_eq!(covered, n);
}

#[test]
fn edge_cases() {
    for text in [
        "",
        "   \t\n  ",
        "\u{0000}\u{0007}\u{001B}[31m",
        "😀🎉 👨\u{200D}👩\u{200D}👧 ok",
        "The person 切る the 洋葱 with a нож ...",
        "\"unbalanced (quotes [and brackets",
        "'''\"\"\"))))((((",
        ". . . ! ? !",
        "a",
        "Don't!!! Can't??? Won't...",
        "\u{202E}reversed\u{202C} text\u{00AD}with soft hyphen",
    ] {
        let a = model().analyze(text);
        assert_well_formed(text, &a);
    }
    assert!(model().analyze("").tokens.is_empty());
    assert!(model().analyze(" \n\t ").tokens.is_empty());
}

#[test]
fn ten_thousand_words() {
    let text = "the person cuts the onion and puts it in the pan , then ".repeat(834);
    let a = model().analyze(&text);
    assert!(a.tokens.len() >= 10_000);
    assert_eq!(a.sentences.len(), 1, "no sentence-final punctuation: one sentence");
    assert_well_formed(&text, &a);
    let many = "He cuts it. ".repeat(2_500);
    let b = model().analyze(&many);
    assert_eq!(b.sentences.len(), 2_500);
    assert_well_formed(&many, &b);
}

#[test]
fn a_typical_query() {
    let a = model().analyze("The person takes a knife out of the drawer.");
    assert_eq!(a.tokens, ["The", "person", "takes", "a", "knife", "out", "of", "the", "drawer", "."]);
    assert_eq!(a.heads[2], 0, "takes is the root");
    assert_eq!((a.heads[1], a.deprels[1].as_str()), (3, "nsubj"));
    assert_eq!((a.heads[4], a.deprels[4].as_str()), (3, "obj"));
    assert_eq!(a.upos[2], "VERB");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn any_unicode_text_gives_valid_trees(text in "\\PC{0,200}") {
        let a = model().analyze(&text);
        assert_well_formed(&text, &a);
    }

    #[test]
    fn any_characters_including_controls(chars in proptest::collection::vec(any::<char>(), 0..120)) {
        let text: String = chars.into_iter().collect();
        let a = model().analyze(&text);
        assert_well_formed(&text, &a);
    }

    #[test]
    fn word_salad_gives_valid_trees(words in proptest::collection::vec(
        prop::sample::select(vec!["the", "person", "cuts", "a", "red", "circle", "and", ".", ",", "?", "!",
            "\"", "(", ")", "'s", "n't", "don't", "before", "after", "who", "is", "pushed", "by", "--", "😀"]),
        0..60,
    )) {
        let text = words.join(" ");
        let a = model().analyze(&text);
        assert_well_formed(&text, &a);
    }
}
