//! `cmin search`: a library of videos searched at once. With `--query`, prints the best
//! moments across the annotations' videos, each with its video; without, searches for every
//! annotated sentence and prints how often its own moment comes first and within the top ten.

use crate::dataset_args::DatasetArgs;
use crate::error::Result;
use crate::progress::QueryCount;
use cmin_model::RankOptions;
use cmin_query::Speller;
use cmin_train::data::Sample;
use cmin_train::evaluate::{Evaluation, query_for};

#[derive(clap::Args)]
pub struct SearchArgs {
    /// The model, and the library: the videos the annotations name.
    #[command(flatten)]
    data: DatasetArgs,
    /// Search for this sentence only, and print its answers.
    #[arg(long)]
    query: Option<String>,
    /// Answers per query.
    #[arg(long, default_value_t = 10)]
    top_k: usize,
    /// Only the first N samples (every video of the annotations is still searched).
    #[arg(long)]
    limit: Option<usize>,
}

pub fn run(args: SearchArgs) -> Result<bool> {
    let localizer = args.data.localizer()?;
    let annotations = args.data.annotations()?;
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
    let (embeddings, parser) = args.data.inputs.load(localizer.config().word_dim, &samples)?;
    let speller = Speller::new(&embeddings);
    let search = Evaluation {
        localizer: &localizer,
        embeddings: &embeddings,
        parser: parser.as_ref(),
        speller: Some(&speller),
        features_dir: &args.data.features,
        options: RankOptions { top_k: args.top_k, ..RankOptions::default() },
        batch: 1,
        scale: args.data.scale()?,
    };
    if args.query.is_some() {
        let (names, videos) = search.encode_library(&annotations.durations)?;
        let (query, corrections) = query_for(&samples[0], &embeddings, parser.as_ref(), Some(&speller))?;
        for c in corrections {
            println!("read {:?} as {:?}", c.from, c.to);
        }
        let library: Vec<_> = videos.iter().collect();
        for (rank, f) in localizer.search(&library, &query, search.options)?.iter().enumerate() {
            let m = f.moment;
            println!("{:>3}. {}  {:>8.2} - {:>8.2} s  score {:.3}", rank + 1, names[f.video], m.start, m.end, m.score);
        }
        return Ok(true);
    }
    let queries = &samples[..args.limit.unwrap_or(samples.len()).min(samples.len())];
    let mut progress = QueryCount::new(queries.len());
    let recall = search.search_library(&annotations.durations, queries, |done, _| progress.update(done))?;
    progress.finish();
    println!("{} ({} videos searched at once)", args.data.annotations.display(), annotations.durations.len());
    print!("{}", recall.render());
    Ok(true)
}
