//! `cmin search`: a library of videos searched at once. With `--query`, prints the best
//! moments across the annotations' videos, each with its video; without, searches for every
//! annotated sentence and prints how often its own moment comes first and within the top ten.

use std::path::PathBuf;

use crate::error::Result;
use cmin_model::{Localizer, RankOptions};
use cmin_query::Speller;
use cmin_train::data::Sample;
use cmin_train::data::annotations::{Format, read_file};
use cmin_train::device;
use cmin_train::evaluate::query_for;
use cmin_train::search::LibrarySearch;

use crate::commands::eval::time_scale;
use crate::progress::QueryCount;
use crate::query_inputs::QueryInputs;

#[derive(clap::Args)]
pub struct SearchArgs {
    /// Model weights (.safetensors); reference state dicts need --config.
    #[arg(long)]
    weights: PathBuf,
    /// A CminConfig as JSON.
    #[arg(long)]
    config: Option<PathBuf>,
    /// The library: annotations (reference, 2D-TAN or Charades-STA) naming its videos.
    #[arg(long)]
    annotations: PathBuf,
    /// reference, 2dtan or charades-sta (default: detect).
    #[arg(long)]
    format: Option<String>,
    /// Directory with one <video>.npy of clip features per video.
    #[arg(long)]
    features: PathBuf,
    #[command(flatten)]
    inputs: QueryInputs,
    /// Search for this sentence only, and print its answers.
    #[arg(long)]
    query: Option<String>,
    /// Answers per query.
    #[arg(long, default_value_t = 10)]
    top_k: usize,
    /// cpu or wgpu.
    #[arg(long, default_value = "cpu")]
    device: String,
    /// As `cmin eval --scale`.
    #[arg(long, default_value = "model")]
    scale: String,
    /// Only the first N samples (every video they name is still searched).
    #[arg(long)]
    limit: Option<usize>,
}

pub fn run(args: SearchArgs) -> Result<bool> {
    let device = device::by_name(&args.device)?;
    let config = crate::files::model_config(args.config.as_deref(), None)?;
    let localizer = Localizer::new(crate::files::load_weights(&args.weights, config.as_ref(), &device)?, device);
    let format = args.format.as_deref().map(Format::parse).transpose()?;
    let annotations = read_file(&args.annotations, format)?;
    // With --query the sentences are that one; the library is the annotations' videos.
    let samples: Vec<Sample> = match &args.query {
        Some(text) => vec![Sample {
            video: String::new(),
            duration: None,
            start: 0.0,
            end: 0.0,
            sentence: text.clone(),
            parse: None,
        }],
        None => annotations.samples.clone(),
    };
    let (embeddings, parser) = args.inputs.load(localizer.config().word_dim, &samples)?;
    let speller = Speller::new(&embeddings);
    let search = LibrarySearch {
        localizer: &localizer,
        embeddings: &embeddings,
        parser: parser.as_ref(),
        speller: Some(&speller),
        features_dir: &args.features,
        scale: time_scale(&args.scale)?,
    };
    if args.query.is_some() {
        let (names, videos) = search.encode(&annotations.durations)?;
        let (query, corrections) = query_for(&samples[0], &embeddings, parser.as_ref(), Some(&speller))?;
        for c in corrections {
            println!("read {:?} as {:?}", c.from, c.to);
        }
        let library: Vec<_> = videos.iter().collect();
        let options = RankOptions { top_k: args.top_k, ..RankOptions::default() };
        for (rank, f) in localizer.search(&library, &query, options)?.iter().enumerate() {
            let m = f.moment;
            println!("{:>3}. {}  {:>8.2} - {:>8.2} s  score {:.3}", rank + 1, names[f.video], m.start, m.end, m.score);
        }
        return Ok(true);
    }
    let queries = &samples[..args.limit.unwrap_or(samples.len()).min(samples.len())];
    let mut progress = QueryCount::new(queries.len());
    let recall = search.run(&annotations.durations, queries, args.top_k, |done, _| progress.update(done))?;
    progress.finish();
    println!("{} ({} videos searched at once)", args.annotations.display(), annotations.durations.len());
    print!("{}", recall.render());
    Ok(true)
}
