//! `cmin parser train-neural`: trains the neural dependency scorer on top of an existing
//! parser model's tokenizer, word clusters and tagger, picks the epoch by dev LAS, and writes
//! the model file with both parsers.

use std::path::PathBuf;
use std::time::Instant;

use crate::error::Result;
use crate::files::load_parser;
use cmin_parser::conllu::{self, Sentence};
use cmin_query::embeddings::Embeddings;
use cmin_query::parsing::DEFAULT_PARSER;
use cmin_train::parser_training::fit::{Best, NeuralRecipe, fit};

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
    #[arg(long, default_value = "www/assets/glove-6b-50d-30k.safetensors")]
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

pub fn train(a: NeuralArgs, world: impl Fn(u64) -> Vec<Sentence>) -> Result<bool> {
    let started = Instant::now();
    let mut log = |m: &str| eprintln!("[{:>7.1}s] {m}", started.elapsed().as_secs_f64());
    let base = load_parser(&a.base)?;
    let mut train_set = read(&a.train)?;
    let treebank = train_set.len();
    train_set.extend(world(a.synthetic));
    let dev = read(&a.dev)?;
    let glove = Embeddings::from_bytes(&crate::files::read(&a.embeddings)?)?;
    log(&format!("{treebank} treebank sentences, {} from the synthetic world", train_set.len() - treebank));
    let recipe = NeuralRecipe {
        epochs: a.epochs,
        seed: a.seed,
        hidden: a.hidden,
        layers: a.layers,
        arc_dim: a.arc_dim,
        label_dim: a.label_dim,
        dropout: a.dropout,
        word_dropout: a.word_dropout,
        lr: a.lr,
        batch_tokens: a.batch_tokens,
        min_count: a.min_count,
    };
    let mut save = |best: Best| -> cmin_train::error::Result<()> {
        let mut model = best.model;
        model.provenance = serde_json::json!({
            "base": base.provenance,
            "neural": {
                "command": std::env::args().collect::<Vec<_>>().join(" "),
                "train": a.train.display().to_string(),
                "train_sentences": treebank,
                "synthetic_videos": a.synthetic,
                "dev": a.dev.display().to_string(),
                "config": best.config,
                "epoch": best.epoch,
                "seed": recipe.seed,
                "lr": recipe.lr,
                "word_dropout": recipe.word_dropout,
                "batch_tokens": recipe.batch_tokens,
                "min_count": recipe.min_count,
                "dev_float_weights": { "uas": best.dev.uas(), "las": best.dev.las() },
            },
        });
        cmin_train::error::writing(&a.out, std::fs::write(&a.out, model.to_bytes()))?;
        eprintln!("[{:>7.1}s] saved {}", started.elapsed().as_secs_f64(), a.out.display());
        Ok(())
    };
    let best_epoch = fit(&base, &train_set, &dev, &glove, &recipe, &mut log, &mut save)?;
    // What ships: the file as written, int8 weights and all.
    let bytes = crate::files::read(&a.out)?;
    let model = cmin_parser::Model::from_bytes(&bytes)?;
    let s = cmin_parser::eval::evaluate(&model, &dev);
    println!(
        "{} ({} bytes): dev UPOS {:.2} UAS {:.2} LAS {:.2}; best epoch {best_epoch}",
        a.out.display(),
        bytes.len(),
        s.upos_accuracy(),
        s.uas(),
        s.las(),
    );
    Ok(true)
}
