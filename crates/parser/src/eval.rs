//! Tagging and parsing accuracy the CoNLL 2018 way: gold tokenisation, every word counted
//! (punctuation included), LAS on the universal part of the label (subtypes ignored).

use crate::conllu::Sentence;
use crate::model::Model;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scores {
    pub words: usize,
    pub upos: usize,
    pub unlabeled: usize,
    /// Head and universal relation (`nmod:poss` counts as `nmod`).
    pub labeled: usize,
    /// Head and full relation, subtype included.
    pub labeled_full: usize,
    /// UPOS confusions `gold -> predicted`, for diagnosis.
    pub tag_confusions: std::collections::BTreeMap<String, usize>,
}

impl Scores {
    fn pct(&self, n: usize) -> f64 {
        if self.words == 0 { 0.0 } else { 100.0 * n as f64 / self.words as f64 }
    }
    pub fn upos_accuracy(&self) -> f64 {
        self.pct(self.upos)
    }
    pub fn uas(&self) -> f64 {
        self.pct(self.unlabeled)
    }
    pub fn las(&self) -> f64 {
        self.pct(self.labeled)
    }
    pub fn las_full(&self) -> f64 {
        self.pct(self.labeled_full)
    }

    pub fn add(&mut self, gold: &Sentence, upos: &[String], heads: &[usize], deprels: &[String]) {
        let base = |l: &str| l.split(':').next().unwrap_or("").to_string();
        for i in 0..gold.len() {
            self.words += 1;
            self.upos += (upos[i] == gold.upos[i]) as usize;
            if upos[i] != gold.upos[i] {
                *self.tag_confusions.entry(format!("{} -> {}", gold.upos[i], upos[i])).or_default() += 1;
            }
            if heads[i] == gold.heads[i] {
                self.unlabeled += 1;
                self.labeled += (base(&deprels[i]) == base(&gold.deprels[i])) as usize;
                self.labeled_full += (deprels[i] == gold.deprels[i]) as usize;
            }
        }
    }
}

pub fn evaluate(model: &Model, gold: &[Sentence]) -> Scores {
    let mut scores = Scores::default();
    for s in gold {
        let p = model.parse_sentence(&s.forms);
        scores.add(s, &p.upos, &p.heads, &p.deprels);
    }
    scores
}

/// The same with gold UPOS given to the parser: the ceiling a perfect tagger would allow.
pub fn evaluate_with_gold_tags(model: &Model, gold: &[Sentence]) -> Scores {
    let mut scores = Scores::default();
    for s in gold {
        let tags: Vec<u8> =
            s.upos.iter().map(|t| model.tagger.tags.iter().position(|x| x == t).unwrap_or(0) as u8).collect();
        let atoms = model.clusters.atoms(&s.forms);
        let (heads, labels) = model.parse_tagged_relations(&s.forms, &atoms, &tags);
        let deprels: Vec<String> = labels.into_iter().map(String::from).collect();
        scores.add(s, &s.upos, &heads, &deprels);
    }
    scores
}
