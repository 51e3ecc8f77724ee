//! Training the neural scorer on top of an existing parser model's word clusters and tagger:
//! jackknifed training tags, a lexicon, the network initialised from GloVe, epochs of
//! length-bucketed batches, and the epoch picked by dev LAS (predicted tags, gold tokens).

use std::time::Instant;

use super::perceptron::{ParserTrainConfig, jackknife_tags};
use crate::error::Result;
use burn::tensor::Device;
use cmin_parser::Model;
use cmin_parser::conllu::Sentence;
use cmin_parser::eval::Scores;
use cmin_parser::neural_inputs::Lexicon;
use cmin_query::Embeddings;
use serde::Serialize;

use super::export::to_neural_parser;
use super::network::with_glove;
use super::trainer::length_batches;
use super::{BiaffineConfig, BiaffineNetwork, ParserTrainer, ScorerExample, examples, predict};

/// The network's size and the optimisation.
#[derive(Clone, Debug, Serialize)]
pub struct NeuralRecipe {
    pub epochs: usize,
    pub seed: u64,
    pub hidden: usize,
    pub layers: usize,
    pub arc_dim: usize,
    pub label_dim: usize,
    pub dropout: f64,
    pub word_dropout: f64,
    pub lr: f64,
    /// Tokens per batch (sentences of similar length are batched together).
    pub batch_tokens: usize,
    /// Forms seen fewer times in training share the "unknown" word vector.
    pub min_count: usize,
}

/// An epoch better on dev than every one before it.
pub struct Best<'a> {
    /// The base model with this epoch's scorer.
    pub model: Model,
    pub epoch: usize,
    /// Dev scores of the float network.
    pub dev: &'a Scores,
    pub config: &'a BiaffineConfig,
}

/// Dev scores of a network: predicted tags, gold tokenisation, punctuation included.
fn evaluate(
    net: &BiaffineNetwork,
    dev: &[Sentence],
    dev_examples: &[ScorerExample],
    dev_tags: &[Vec<String>],
    labels: &[String],
    device: &Device,
) -> Scores {
    let mut scores = Scores::default();
    let refs: Vec<&ScorerExample> = dev_examples.iter().collect();
    let mut k = 0;
    for chunk in refs.chunks(64) {
        for (heads, label_ids) in predict(net, chunk, device) {
            let deprels: Vec<String> = label_ids.iter().map(|&l| labels[l].clone()).collect();
            scores.add(&dev[k], &dev_tags[k], &heads, &deprels);
            k += 1;
        }
    }
    scores
}

/// Trains on `train_set`, calling `on_best` at each epoch that beats the ones before on `dev`;
/// returns the best epoch (0 with no epochs).
pub fn fit(
    base: &Model,
    train_set: &[Sentence],
    dev: &[Sentence],
    glove: &Embeddings,
    recipe: &NeuralRecipe,
    log: &mut dyn FnMut(&str),
    on_best: &mut dyn FnMut(Best) -> Result<()>,
) -> Result<usize> {
    log("jackknifing the training tags");
    let tag_config = ParserTrainConfig { seed: recipe.seed, ..ParserTrainConfig::default() };
    let train_tags = jackknife_tags(train_set, &base.clusters, &base.tagger, &tag_config, &mut |m: &str| log(m));
    let dev_tag_ids: Vec<Vec<u8>> =
        dev.iter().map(|s| base.tagger.tag(&base.clusters.atoms(&s.forms), &s.forms)).collect();
    let dev_tags: Vec<Vec<String>> =
        dev_tag_ids.iter().map(|t| t.iter().map(|&i| base.tagger.tags[i as usize].clone()).collect()).collect();

    let lexicon =
        Lexicon::from_counts(train_set.iter().flat_map(|s| s.forms.iter().map(String::as_str)), recipe.min_count, 1024);
    let mut labels: Vec<String> = train_set.iter().flat_map(|s| s.deprels.iter().cloned()).collect();
    labels.sort();
    labels.dedup();
    let train_examples = examples(train_set, &train_tags, &lexicon, &base.clusters, &labels);
    let dev_examples = examples(dev, &dev_tag_ids, &lexicon, &base.clusters, &labels);
    let fine = base.clusters.map.values().map(|&(_, f)| f as usize + 1).max().unwrap_or(0);
    let config = BiaffineConfig {
        vocab: lexicon.size(),
        word_dim: glove.dim(),
        clusters: fine + 2,
        cluster_dim: 32,
        tags: base.tagger.tags.len() + 1,
        tag_dim: 32,
        suffix_buckets: lexicon.suffix_buckets as usize,
        suffix_dim: 16,
        hidden: recipe.hidden,
        layers: recipe.layers,
        arc_dim: recipe.arc_dim,
        label_dim: recipe.label_dim,
        labels: labels.len(),
        dropout: recipe.dropout,
    };
    log(&format!("{} training sentences, vocabulary {}, {} labels", train_set.len(), lexicon.size(), labels.len()));

    let eval_device = Device::flex();
    let device = eval_device.clone().autodiff();
    device.seed(recipe.seed);
    let net = with_glove(BiaffineNetwork::new(&config, &device), &lexicon, glove, &device);
    let mut trainer = ParserTrainer::new(net, device.clone(), recipe.lr, recipe.word_dropout, recipe.seed);
    let mut best: Option<(f64, usize)> = None;
    for epoch in 1..=recipe.epochs {
        let epoch_started = Instant::now();
        let batches = length_batches(&train_examples, recipe.batch_tokens, recipe.seed + epoch as u64);
        let (mut total, mut words) = (0.0, 0usize);
        for (i, batch) in batches.iter().enumerate() {
            let refs: Vec<&ScorerExample> = batch.iter().map(|&k| &train_examples[k]).collect();
            let n: usize = refs.iter().map(|e| e.ids.len() - 1).sum();
            total += trainer.update(&refs)? * n as f64;
            words += n;
            if i % 100 == 99 {
                log(&format!(
                    "epoch {epoch} batch {}/{} loss {:.4} ({:.0} words/s)",
                    i + 1,
                    batches.len(),
                    total / words as f64,
                    words as f64 / epoch_started.elapsed().as_secs_f64()
                ));
            }
        }
        let net = trainer.inference_network();
        let s = evaluate(&net, dev, &dev_examples, &dev_tags, &labels, &eval_device);
        log(&format!(
            "epoch {epoch}: loss {:.4}, {:.0} s; dev UAS {:.2} LAS {:.2}",
            total / words.max(1) as f64,
            epoch_started.elapsed().as_secs_f64(),
            s.uas(),
            s.las()
        ));
        if best.is_none_or(|(las, _)| s.las() > las) {
            best = Some((s.las(), epoch));
            let mut model = base.clone();
            model.neural = Some(to_neural_parser(&net, &lexicon, &labels));
            on_best(Best { model, epoch, dev: &s, config: &config })?;
        }
    }
    Ok(best.map_or(0, |b| b.1))
}
