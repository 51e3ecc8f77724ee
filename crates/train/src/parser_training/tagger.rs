//! Training the UPOS tagger: an averaged perceptron over the word's atoms and its context,
//! conditioned on its own previous guesses, with a tag dictionary for frequent words.

use std::collections::HashMap;

use cmin_parser::conllu::Sentence;
use cmin_parser::perceptron::best;
use cmin_parser::tagger::{self, START, Tagger};
use cmin_parser::words::{Clusters, WordAtoms, normalise};
use cmin_random::Rng;

use super::averaged::Trainable;

/// Trains the tagger on gold UPOS. Deterministic for a given seed.
pub fn train_tagger(sentences: &[Sentence], clusters: &Clusters, epochs: usize, seed: u64, prune: f32) -> Tagger {
    let mut tags: Vec<String> = sentences.iter().flat_map(|s| s.upos.iter().cloned()).collect();
    tags.sort();
    tags.dedup();
    let tag_id: HashMap<&str, u8> = tags.iter().enumerate().map(|(i, t)| (t.as_str(), i as u8)).collect();
    let dictionary = tag_dictionary(sentences, &tag_id);
    let data: Vec<(Vec<WordAtoms>, Vec<u8>)> = sentences
        .iter()
        .map(|s| (clusters.atoms(&s.forms), s.upos.iter().map(|t| tag_id[t.as_str()]).collect()))
        .collect();
    let mut model = Trainable::new(tags.len());
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut rng = Rng::new(seed);
    let mut feats = Vec::new();
    let mut scores = vec![0f32; tags.len()];
    for _ in 0..epochs {
        rng.shuffle(&mut order);
        for &s in &order {
            let (atoms, gold) = &data[s];
            let (mut prev, mut prev2) = (START, START);
            for i in 0..atoms.len() {
                tagger::features(atoms, i, prev, prev2, &mut feats);
                model.score(&feats, &mut scores);
                let guess = best(&scores, |_| true).unwrap_or(0);
                model.update(&feats, gold[i] as usize, guess);
                model.tick();
                prev2 = prev;
                // Condition on the model's own guess, as at inference time.
                prev = guess as u64;
            }
        }
    }
    Tagger { tags, dictionary, weights: model.freeze(prune) }
}

/// Words seen at least 20 times with one tag at least 99.5% of the time.
fn tag_dictionary(sentences: &[Sentence], tag_id: &HashMap<&str, u8>) -> HashMap<String, u8> {
    let mut counts: HashMap<String, HashMap<u8, usize>> = HashMap::new();
    for s in sentences {
        for (f, t) in s.forms.iter().zip(&s.upos) {
            *counts.entry(normalise(f)).or_default().entry(tag_id[t.as_str()]).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .filter_map(|(w, by_tag)| {
            let total: usize = by_tag.values().sum();
            let (&tag, &n) = by_tag.iter().max_by_key(|&(t, n)| (*n, std::cmp::Reverse(*t)))?;
            (total >= 20 && n as f64 / total as f64 >= 0.995).then_some((w, tag))
        })
        .collect()
}
