//! The training recipe: word clusters, tagger, jackknifed tags for the parser's training data
//! (so it learns from the tagger's real mistakes), and the parser, selected on dev LAS.

use std::collections::HashMap;

use serde::Serialize;

use cmin_parser::arc_hybrid::{DependencyParser, root_atoms, with_root};
use cmin_parser::conllu::Sentence;
use cmin_parser::error::{ParserError, Result};
use cmin_parser::eval::{Scores, evaluate};
use cmin_parser::model::Model;
use cmin_parser::tagger::Tagger;
use cmin_parser::words::Clusters;

use super::clusters::clusters_from_vectors;
use super::tagger::train_tagger;
use super::transition::{PerceptronOptions, TransitionExample, train_transition_parser};

#[derive(Clone, Debug, Serialize)]
pub struct ParserTrainConfig {
    pub seed: u64,
    pub tagger_epochs: usize,
    pub parser_epochs: usize,
    /// Folds for jackknifed training tags (1 = train the parser on gold tags).
    pub folds: usize,
    pub coarse_clusters: usize,
    pub fine_clusters: usize,
    pub explore_from: usize,
    pub explore: f64,
    pub tagger_prune: f32,
    pub parser_prune: f32,
}

impl Default for ParserTrainConfig {
    fn default() -> Self {
        ParserTrainConfig {
            seed: 1,
            tagger_epochs: 8,
            parser_epochs: 12,
            folds: 4,
            coarse_clusters: 64,
            fine_clusters: 512,
            explore_from: 1,
            explore: 0.9,
            tagger_prune: 1.0,
            parser_prune: 1.2,
        }
    }
}

/// Word vectors for the clusters: row-major `[words.len(), dim]`.
pub struct Vectors<'a> {
    pub words: &'a [String],
    pub values: &'a [f32],
    pub dim: usize,
}

pub fn train(
    train: &[Sentence],
    dev: &[Sentence],
    vectors: &Vectors,
    config: &ParserTrainConfig,
    provenance: serde_json::Value,
    mut log: impl FnMut(&str),
) -> Result<Model> {
    if train.is_empty() {
        return Err(ParserError::Training("no training sentences".into()));
    }
    log(&format!("clustering {} word vectors", vectors.words.len()));
    let clusters = clusters_from_vectors(
        vectors.words,
        vectors.values,
        vectors.dim,
        config.coarse_clusters,
        config.fine_clusters,
        config.seed,
    );
    log("training the tagger");
    let tagger = train_tagger(train, &clusters, config.tagger_epochs, config.seed, config.tagger_prune);
    if !dev.is_empty() {
        let (mut right, mut total) = (0usize, 0usize);
        for sentence in dev {
            let tags = tagger.tag(&clusters.atoms(&sentence.forms), &sentence.forms);
            total += tags.len();
            right += tags.iter().zip(&sentence.upos).filter(|(t, g)| tagger.tags[**t as usize] == **g).count();
        }
        log(&format!(
            "tagger: dev UPOS {:.2} ({} weights)",
            100.0 * right as f64 / total.max(1) as f64,
            tagger.weights.num_entries()
        ));
    }
    let predicted = jackknife_tags(train, &clusters, &tagger, config, &mut log);

    let mut labels: Vec<String> = train.iter().flat_map(|s| s.deprels.iter().cloned()).collect();
    labels.sort();
    labels.dedup();
    if labels.len() > 64 {
        return Err(ParserError::Training(format!("{} labels; the label-set features hold 64", labels.len())));
    }
    let label_id: HashMap<&str, usize> = labels.iter().enumerate().map(|(i, l)| (l.as_str(), i)).collect();
    let examples: Vec<TransitionExample> = train
        .iter()
        .zip(&predicted)
        .map(|(s, tags)| {
            let mut atoms = vec![root_atoms()];
            atoms.extend(clusters.atoms(&s.forms));
            TransitionExample {
                atoms,
                tags: with_root(tags),
                heads: std::iter::once(cmin_parser::transition::NONE).chain(s.heads.iter().copied()).collect(),
                labels: std::iter::once(cmin_parser::transition::NONE)
                    .chain(s.deprels.iter().map(|l| label_id[l.as_str()]))
                    .collect(),
            }
        })
        .collect();

    let options = PerceptronOptions {
        epochs: config.parser_epochs,
        seed: config.seed,
        explore_from: config.explore_from,
        explore: config.explore,
        prune: config.parser_prune,
    };
    let mut best: Option<(f64, usize, DependencyParser, Scores)> = None;
    let mut model = Model {
        clusters,
        tagger,
        parser: DependencyParser {
            labels: labels.clone(),
            weights: cmin_parser::perceptron::Frozen::from_rows(1, vec![]),
        },
        neural: None,
        provenance: serde_json::Value::Null,
    };
    let last = train_transition_parser(labels, &examples, &options, |epoch, parser| {
        if dev.is_empty() {
            log(&format!("parser epoch {}", epoch + 1));
            return;
        }
        model.parser = parser.clone();
        let s = evaluate(&model, dev);
        log(&format!(
            "parser epoch {:>2}: dev UPOS {:.2} UAS {:.2} LAS {:.2} ({} weights)",
            epoch + 1,
            s.upos_accuracy(),
            s.uas(),
            s.las(),
            parser.weights.num_entries()
        ));
        if best.as_ref().is_none_or(|b| s.las() > b.0) {
            best = Some((s.las(), epoch + 1, parser.clone(), s));
        }
    });
    let (parser, chosen_epoch, dev_scores) = match best {
        Some((_, epoch, parser, s)) => (parser, epoch, Some(s)),
        None => (last, config.parser_epochs, None),
    };
    model.parser = parser;
    model.provenance = serde_json::json!({
        "training": provenance,
        "config": config,
        "chosen_epoch": chosen_epoch,
        "dev": dev_scores.map(|s| serde_json::json!({
            "words": s.words, "upos": s.upos_accuracy(), "uas": s.uas(), "las": s.las()
        })),
    });
    Ok(model)
}

/// Each training sentence tagged by a tagger that did not see it.
pub fn jackknife_tags(
    train: &[Sentence],
    clusters: &Clusters,
    full: &Tagger,
    config: &ParserTrainConfig,
    log: &mut impl FnMut(&str),
) -> Vec<Vec<u8>> {
    let tag_id: HashMap<&str, u8> = full.tags.iter().enumerate().map(|(i, t)| (t.as_str(), i as u8)).collect();
    if config.folds <= 1 {
        return train.iter().map(|s| s.upos.iter().map(|t| tag_id[t.as_str()]).collect()).collect();
    }
    let mut out = vec![Vec::new(); train.len()];
    for fold in 0..config.folds {
        log(&format!("jackknife fold {}/{}", fold + 1, config.folds));
        let rest: Vec<Sentence> =
            train.iter().enumerate().filter(|(i, _)| i % config.folds != fold).map(|(_, s)| s.clone()).collect();
        let tagger =
            train_tagger(&rest, clusters, config.tagger_epochs, config.seed + fold as u64 + 1, config.tagger_prune);
        for (i, s) in train.iter().enumerate().filter(|(i, _)| i % config.folds == fold) {
            let tags = tagger.tag(&clusters.atoms(&s.forms), &s.forms);
            // Map through names: a fold's tagger may have seen fewer tags.
            out[i] = tags.iter().map(|&t| tag_id[tagger.tags[t as usize].as_str()]).collect();
        }
    }
    out
}
