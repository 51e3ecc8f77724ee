//! `cmin parser train-neural`: trains the neural dependency scorer on top of an existing
//! parser model's tokenizer, word clusters and tagger, picks the epoch by dev LAS, and writes
//! the model file with both parsers.

use std::path::PathBuf;
use std::time::Instant;

use burn::tensor::Device;

use crate::error::Result;
use cmin_parser::conllu::{self, Sentence};
use cmin_parser::eval::Scores;
use cmin_parser::neural_inputs::Lexicon;
use cmin_parser::train::{TrainConfig, jackknife_tags};
use cmin_query::embeddings::Embeddings;
use cmin_query::parsing::{DEFAULT_PARSER, load_parser};
use cmin_train::parser_training::export::to_neural_parser;
use cmin_train::parser_training::{BiaffineConfig, BiaffineNetwork, Example, ParserTrainer, examples, predict};

#[derive(clap::Args)]
pub struct NeuralArgs {
    #[arg(long, default_value = "../shared/data/ud/en_ewt-ud-train.conllu")]
    train: PathBuf,
    #[arg(long, default_value = "../shared/data/ud/en_ewt-ud-dev.conllu")]
    dev: PathBuf,
    /// The model whose clusters and tagger the neural parser builds on.
    #[arg(long, default_value = DEFAULT_PARSER)]
    base: PathBuf,
    /// GloVe vectors that initialise the word embeddings.
    #[arg(long, default_value = "www/assets/glove-6b-50d-30k.cminemb")]
    embeddings: PathBuf,
    #[arg(long)]
    out: PathBuf,
    /// Also train on the gold trees of this many synthetic-world videos' queries.
    #[arg(long, default_value_t = 0)]
    synthetic: u64,
    #[arg(long, default_value_t = 20)]
    epochs: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long, default_value_t = 128)]
    hidden: usize,
    #[arg(long, default_value_t = 2)]
    layers: usize,
    #[arg(long, default_value_t = 128)]
    arc_dim: usize,
    #[arg(long, default_value_t = 64)]
    label_dim: usize,
    #[arg(long, default_value_t = 0.33)]
    dropout: f64,
    #[arg(long, default_value_t = 0.2)]
    word_dropout: f64,
    #[arg(long, default_value_t = 2e-3)]
    lr: f64,
    /// Tokens per batch (sentences of similar length are batched together).
    #[arg(long, default_value_t = 1500)]
    batch_tokens: usize,
    /// Forms seen fewer times in training share the "unknown" word vector.
    #[arg(long, default_value_t = 2)]
    min_count: usize,
}

fn read(path: &PathBuf) -> Result<Vec<Sentence>> {
    let text = crate::files::read_to_string(path)?;
    Ok(conllu::parse(&text)?)
}

/// Dev scores of a network: predicted tags, gold tokenisation, punctuation included.
fn evaluate(
    net: &BiaffineNetwork,
    dev: &[Sentence],
    dev_examples: &[Example],
    dev_tags: &[Vec<String>],
    labels: &[String],
    device: &Device,
) -> Scores {
    let mut scores = Scores::default();
    let refs: Vec<&Example> = dev_examples.iter().collect();
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

pub fn train(a: NeuralArgs, world: impl Fn(u64) -> Vec<Sentence>) -> Result<bool> {
    let started = Instant::now();
    let log = |m: &str| eprintln!("[{:>7.1}s] {m}", started.elapsed().as_secs_f64());
    let base = load_parser(&a.base)?;
    let mut train_set = read(&a.train)?;
    let treebank = train_set.len();
    train_set.extend(world(a.synthetic));
    let dev = read(&a.dev)?;
    let glove = {
        let bytes = crate::files::read(&a.embeddings)?;
        Embeddings::from_bytes(&bytes)?
    };

    log("jackknifing the training tags");
    let tag_config = TrainConfig { seed: a.seed, ..TrainConfig::default() };
    let train_tags = jackknife_tags(&train_set, &base.clusters, &base.tagger, &tag_config, &mut |m: &str| log(m));
    let dev_tag_ids: Vec<Vec<u8>> =
        dev.iter().map(|s| base.tagger.tag(&base.clusters.atoms(&s.forms), &s.forms)).collect();
    let dev_tags: Vec<Vec<String>> =
        dev_tag_ids.iter().map(|t| t.iter().map(|&i| base.tagger.tags[i as usize].clone()).collect()).collect();

    let lexicon =
        Lexicon::from_counts(train_set.iter().flat_map(|s| s.forms.iter().map(String::as_str)), a.min_count, 1024);
    let mut labels: Vec<String> = train_set.iter().flat_map(|s| s.deprels.iter().cloned()).collect();
    labels.sort();
    labels.dedup();
    let train_examples = examples(&train_set, &train_tags, &lexicon, &base.clusters, &labels);
    let dev_examples = examples(&dev, &dev_tag_ids, &lexicon, &base.clusters, &labels);
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
        hidden: a.hidden,
        layers: a.layers,
        arc_dim: a.arc_dim,
        label_dim: a.label_dim,
        labels: labels.len(),
        dropout: a.dropout,
    };
    log(&format!(
        "{} training sentences ({treebank} treebank), vocabulary {}, {} labels",
        train_set.len(),
        lexicon.size(),
        labels.len()
    ));

    let eval_device = Device::flex();
    let device = eval_device.clone().autodiff();
    device.seed(a.seed);
    let mut net = BiaffineNetwork::new(&config, &device);
    net = cmin_train::parser_training::network::with_glove(net, &lexicon, &glove, &device);
    let mut trainer = ParserTrainer::new(net, device.clone(), a.lr, a.word_dropout, a.seed);
    let mut best: Option<(f64, usize)> = None;
    for epoch in 1..=a.epochs {
        let epoch_started = Instant::now();
        let batches = cmin_train::parser_training::trainer::length_batches(
            &train_examples,
            a.batch_tokens,
            a.seed + epoch as u64,
        );
        let (mut total, mut words) = (0.0, 0usize);
        for (i, batch) in batches.iter().enumerate() {
            let refs: Vec<&Example> = batch.iter().map(|&k| &train_examples[k]).collect();
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
        let s = evaluate(&net, &dev, &dev_examples, &dev_tags, &labels, &eval_device);
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
            model.provenance = serde_json::json!({
                "base": base.provenance,
                "neural": {
                    "command": std::env::args().collect::<Vec<_>>().join(" "),
                    "train": a.train.display().to_string(),
                    "train_sentences": treebank,
                    "synthetic_videos": a.synthetic,
                    "dev": a.dev.display().to_string(),
                    "config": config,
                    "epoch": epoch,
                    "seed": a.seed,
                    "lr": a.lr,
                    "word_dropout": a.word_dropout,
                    "batch_tokens": a.batch_tokens,
                    "min_count": a.min_count,
                    "dev_float_weights": { "uas": s.uas(), "las": s.las() },
                },
            });
            crate::files::write(&a.out, model.to_bytes())?;
            log(&format!("saved {}", a.out.display()));
        }
    }
    // What ships: the file as written, int8 weights and all.
    let bytes = crate::files::read(&a.out)?;
    let model = cmin_parser::Model::from_bytes(&bytes)?;
    let s = cmin_parser::eval::evaluate(&model, &dev);
    println!(
        "{} ({} bytes): dev UPOS {:.2} UAS {:.2} LAS {:.2}; best epoch {}",
        a.out.display(),
        bytes.len(),
        s.upos_accuracy(),
        s.uas(),
        s.las(),
        best.map_or(0, |b| b.1)
    );
    Ok(true)
}
