//! `cmin parser ...`: train, evaluate and run the query parser.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Subcommand;

use crate::error::Result;
use crate::files::load_parser;
use cmin_parser::conllu;
use cmin_parser::eval::{evaluate, evaluate_with_gold_tags};
use cmin_query::embeddings::Embeddings;
use cmin_query::parsing::{DEFAULT_PARSER, reference_agreement};
use cmin_train::error::TrainError;
use cmin_train::parser_training::perceptron::{ParserTrainConfig, Vectors, train};

#[derive(Subcommand)]
pub enum ParserCommand {
    /// Train the tagger and parser on a CoNLL-U treebank; dev picks the best parser epoch.
    Train {
        #[arg(long, default_value = "../shared/data/ud/en_ewt-ud-train.conllu")]
        train: PathBuf,
        #[arg(long, default_value = "../shared/data/ud/en_ewt-ud-dev.conllu")]
        dev: PathBuf,
        /// Word vectors for the word clusters (our safetensors file or GloVe text).
        #[arg(long, default_value = "www/assets/glove-6b-50d-30k.safetensors")]
        embeddings: PathBuf,
        #[arg(long, default_value = DEFAULT_PARSER)]
        out: PathBuf,
        /// Also train on the gold trees of the queries of this many synthetic-world videos
        /// (seeds 1,000,000 and up): the constructions the demo asks about.
        #[arg(long, default_value_t = 0)]
        synthetic: u64,
        #[command(flatten)]
        options: ParserTrainArgs,
    },
    /// Train the neural (biaffine) dependency scorer on top of a model's clusters and tagger.
    TrainNeural(super::train_neural::NeuralArgs),
    /// UPOS accuracy, UAS and LAS on a CoNLL-U file (gold tokenisation, predicted tags,
    /// punctuation included, LAS on universal relations: the CoNLL 2018 way).
    Eval {
        data: PathBuf,
        #[arg(long, default_value = DEFAULT_PARSER)]
        model: PathBuf,
        /// Give the parser the gold tags (a diagnostic: the ceiling of a perfect tagger).
        #[arg(long)]
        gold_tags: bool,
        /// Also print the most frequent tagging errors.
        #[arg(long, default_value_t = 0)]
        tag_errors: usize,
    },
    /// Drop small weights from a trained model (smaller file, faster, slightly less accurate).
    Prune {
        model: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 0.0)]
        tagger: f32,
        #[arg(long, default_value_t = 0.0)]
        parser: f32,
    },
    /// Agreement with the CoreNLP adjacency of a reference-format JSON file.
    Agreement {
        #[arg(default_value = "../shared/data/tacos-corenlp/TACOS_test_gcn.json")]
        data: PathBuf,
        #[arg(long, default_value = DEFAULT_PARSER)]
        model: PathBuf,
        /// Also print the most frequent disagreements (ours/theirs).
        #[arg(long, default_value_t = 0)]
        confusions: usize,
    },
    /// Parse text and print it as a table (or JSON); `-` reads one query per line from
    /// stdin and prints one JSON object per line.
    Parse {
        text: String,
        #[arg(long, default_value = DEFAULT_PARSER)]
        model: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

/// Training settings; the defaults are those of the shipped model (then pruned further with
/// `cmin parser prune --tagger 1 --parser 1.8`).
#[derive(clap::Args)]
pub struct ParserTrainArgs {
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long, default_value_t = 8)]
    tagger_epochs: usize,
    #[arg(long, default_value_t = 12)]
    parser_epochs: usize,
    /// Jackknife folds for the parser's training tags (1: gold tags).
    #[arg(long, default_value_t = 4)]
    folds: usize,
    #[arg(long, default_value_t = 64)]
    coarse_clusters: usize,
    #[arg(long, default_value_t = 512)]
    fine_clusters: usize,
    /// Drop averaged tagger weights smaller than this in magnitude.
    #[arg(long, default_value_t = 1.0)]
    tagger_prune: f32,
    /// Drop averaged parser weights smaller than this in magnitude.
    #[arg(long, default_value_t = 1.2)]
    parser_prune: f32,
}

impl From<ParserTrainArgs> for ParserTrainConfig {
    fn from(o: ParserTrainArgs) -> Self {
        ParserTrainConfig {
            seed: o.seed,
            tagger_epochs: o.tagger_epochs,
            parser_epochs: o.parser_epochs,
            folds: o.folds,
            coarse_clusters: o.coarse_clusters,
            fine_clusters: o.fine_clusters,
            tagger_prune: o.tagger_prune,
            parser_prune: o.parser_prune,
            ..ParserTrainConfig::default()
        }
    }
}

/// Gold trees of the synthetic world's queries (seeds from 1,000,000, apart from datasets):
/// each query in its plain wording and in one of the words and frames training may use
/// (never the held-out ones).
fn world_sentences(videos: u64) -> Vec<conllu::Sentence> {
    let config = cmin_world::WorldConfig::default();
    let mut out = Vec::new();
    for seed in 1_000_000..1_000_000 + videos {
        let v = cmin_world::generate(&config, seed);
        out.extend(v.queries.iter().map(|q| cmin_world::gold_tree(&q.spec, &v.actors)));
        out.extend(v.worded_queries(cmin_world::Pool::Training).into_iter().map(|(_, w)| w.tree));
    }
    out
}

/// Writes a parser model and says how big it came out.
fn write_model(model: &cmin_parser::Model, out: &Path) -> Result<()> {
    let bytes = model.to_bytes();
    crate::files::write(out, &bytes)?;
    println!(
        "wrote {} ({} bytes; tagger {} weights, parser {} weights)",
        out.display(),
        bytes.len(),
        model.tagger.weights.num_entries(),
        model.parser.weights.num_entries()
    );
    Ok(())
}

fn read(path: &Path) -> Result<String> {
    crate::files::read_to_string(path)
}

pub fn run(command: ParserCommand) -> Result<bool> {
    match command {
        ParserCommand::Train { train: train_path, dev, embeddings, out, synthetic, options } => {
            let started = Instant::now();
            let mut train_set = conllu::parse(&read(&train_path)?)?;
            let treebank_sentences = train_set.len();
            train_set.extend(world_sentences(synthetic));
            let dev_set = conllu::parse(&read(&dev)?)?;
            let bytes = crate::files::read(&embeddings)?;
            let vectors = Embeddings::from_bytes(&bytes)?;
            let config = ParserTrainConfig::from(options);
            let command: Vec<String> = std::env::args().collect();
            let provenance = serde_json::json!({
                "command": command.join(" "),
                "train": train_path.display().to_string(),
                "train_sentences": treebank_sentences,
                "synthetic_videos": synthetic,
                "synthetic_sentences": train_set.len() - treebank_sentences,
                "dev": dev.display().to_string(),
                "embeddings": embeddings.display().to_string(),
            });
            let v = Vectors { words: vectors.words(), values: vectors.vectors(), dim: vectors.dim() };
            let log = |m: &str| eprintln!("[{:>6.1}s] {m}", started.elapsed().as_secs_f64());
            let model = train(&train_set, &dev_set, &v, &config, provenance, log)?;
            write_model(&model, &out)?;
            println!("trained in {:.0} s", started.elapsed().as_secs_f64());
            println!("{}", serde_json::to_string_pretty(&model.provenance).unwrap_or_default());
            Ok(true)
        }
        ParserCommand::TrainNeural(args) => super::train_neural::train(args, world_sentences),
        ParserCommand::Eval { data, model, gold_tags, tag_errors } => {
            let parser = load_parser(&model)?;
            let gold = conllu::parse(&read(&data)?)?;
            let started = Instant::now();
            let s = if gold_tags { evaluate_with_gold_tags(&parser, &gold) } else { evaluate(&parser, &gold) };
            let secs = started.elapsed().as_secs_f64();
            let tags = if gold_tags { "GOLD tags" } else { "predicted tags" };
            println!("{} ({} sentences, {} words; gold tokenisation, {tags})", data.display(), gold.len(), s.words);
            println!("  UPOS      {:6.2}", s.upos_accuracy());
            println!("  UAS       {:6.2}", s.uas());
            println!("  LAS       {:6.2}   (universal relations, CoNLL 2018)", s.las());
            println!("  LAS full  {:6.2}   (with subtypes)", s.las_full());
            println!("  speed     {:.0} words/s", s.words as f64 / secs);
            let mut top: Vec<_> = s.tag_confusions.iter().collect();
            top.sort_by(|a, b| b.1.cmp(a.1));
            for (kind, n) in top.into_iter().take(tag_errors) {
                println!("    {n:>5}  {kind}");
            }
            Ok(true)
        }
        ParserCommand::Prune { model, out, tagger, parser } => {
            let mut m = load_parser(&model)?;
            m.tagger.weights = m.tagger.weights.pruned(tagger);
            m.parser.weights = m.parser.weights.pruned(parser);
            if let serde_json::Value::Object(map) = &mut m.provenance {
                map.insert("pruned".into(), serde_json::json!({ "tagger": tagger, "parser": parser }));
            }
            write_model(&m, &out)?;
            Ok(true)
        }
        ParserCommand::Agreement { data, model, confusions } => {
            let parser = load_parser(&model)?;
            let a = reference_agreement(&parser, &read(&data)?)?;
            println!("{}: {} queries", data.display(), a.queries);
            println!("  word lists agree    {:6.2}% ({} queries, {} words)", a.compared_pct(), a.compared, a.words);
            println!("  unlabeled agreement {:6.2}%", a.unlabeled_pct());
            println!("  labeled agreement   {:6.2}%   (relation ids)", a.labeled_pct());
            let mut top: Vec<(&String, &usize)> = a.confusions.iter().collect();
            top.sort_by(|x, y| y.1.cmp(x.1).then(x.0.cmp(y.0)));
            for (kind, n) in top.into_iter().take(confusions) {
                println!("    {n:>6}  {kind}");
            }
            Ok(true)
        }
        ParserCommand::Parse { text, model, json } => {
            let parser = load_parser(&model)?;
            if text == "-" {
                for line in std::io::stdin().lines() {
                    let line = line.map_err(|source| TrainError::Read { path: "stdin".into(), source })?;
                    println!("{}", serde_json::to_string(&parser.analyze(&line)).unwrap_or_default());
                }
                return Ok(true);
            }
            let a = parser.analyze(&text);
            if json {
                println!("{}", serde_json::to_string_pretty(&a).unwrap_or_default());
            } else {
                for i in 0..a.tokens.len() {
                    println!("{}\t{}\t{}\t{}\t{}", i + 1, a.tokens[i], a.upos[i], a.heads[i], a.deprels[i]);
                }
            }
            Ok(true)
        }
    }
}
