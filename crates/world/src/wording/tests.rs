use super::*;
use crate::lexicon::{adjectives, nouns, size_words, verb_phrases};
use crate::{ACTIONS, COLOURS, SHAPES, Size, WorldConfig, generate};

/// One root, labelled `root`, every token reaching it.
fn assert_tree(t: &Sentence, text: &str) {
    assert_eq!(t.heads.iter().filter(|&&h| h == 0).count(), 1, "{text}: {:?}", t.heads);
    for i in 0..t.len() {
        assert_eq!(t.heads[i] == 0, t.deprels[i] == "root", "{text}: {:?}", t.deprels);
        let (mut at, mut steps) = (i, 0);
        while t.heads[at] != 0 {
            at = t.heads[at] - 1;
            steps += 1;
            assert!(steps <= t.len(), "cycle in {text}");
        }
    }
}

fn held_out_words() -> Vec<String> {
    let mut words = Vec::new();
    let mut add = |w: &str| words.extend(w.split(' ').map(str::to_string));
    for s in SHAPES {
        nouns(s).iter().filter(|t| t.held_out).for_each(|t| add(t.value));
    }
    for c in COLOURS {
        adjectives(c).iter().filter(|t| t.held_out).for_each(|t| add(t.value));
    }
    for z in [Size::Small, Size::Big] {
        size_words(z).iter().filter(|t| t.held_out).for_each(|t| add(t.value));
    }
    for a in ACTIONS {
        for t in verb_phrases(a).iter().filter(|t| t.held_out) {
            let v = t.value.verb;
            [v.s, v.base, v.past, v.participle, v.ing].into_iter().for_each(&mut add);
        }
    }
    words
}

#[test]
fn the_plain_wording_is_the_generators_text() {
    for seed in 0..80 {
        let v = generate(&WorldConfig::default(), seed);
        for q in &v.queries {
            let w = plain(&q.spec, &v.actors);
            assert_eq!(w.text, q.text);
            assert_eq!(w.tree.forms.join(" "), q.text);
            assert!(!w.held_out);
            assert_tree(&w.tree, &w.text);
        }
    }
}

#[test]
fn varied_wordings_are_trees_of_their_text_and_keep_to_their_pool() {
    let held = held_out_words();
    let mut frames = std::collections::HashSet::new();
    let (mut total, mut differ) = (0, 0);
    for seed in 0..300 {
        let v = generate(&WorldConfig::default(), seed);
        for pool in [Pool::Training, Pool::HeldOut] {
            for (q, w) in v.worded_queries(pool) {
                assert_tree(&w.tree, &w.text);
                let tokens: Vec<String> =
                    cmin_parser::tokenizer::tokenize(&w.text).into_iter().map(|t| t.text).collect();
                assert_eq!(tokens, w.tree.forms, "{}", w.text);
                assert_eq!(q.text, w.text);
                let lower: Vec<String> = w.tree.forms.iter().map(|f| f.to_lowercase()).collect();
                let uses_held = lower.iter().any(|f| held.contains(f)) || w.frame.held_out();
                match pool {
                    Pool::Training => assert!(!uses_held && !w.held_out, "{}", w.text),
                    Pool::HeldOut => assert!(uses_held && w.held_out, "{}", w.text),
                }
                frames.insert(w.frame);
                total += 1;
                differ += (w.text != plain(&q.spec, &v.actors).text) as usize;
            }
        }
    }
    assert_eq!(frames.len(), 7, "{frames:?}");
    assert!(differ * 10 >= total * 9, "{differ} of {total} wordings differ from the plain one");
    assert_eq!(generate(&WorldConfig::default(), 5).worded_queries(Pool::Training).len(), 3);
}
