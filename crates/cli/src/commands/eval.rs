//! `cmin eval`: R@{1,5} x IoU {0.1, 0.3, 0.5, 0.7} and mIoU of a model on an annotated
//! dataset, printed as the paper's table, optionally written as JSON (and per query).

use std::io::Write;
use std::path::PathBuf;

use crate::dataset_args::DatasetArgs;
use crate::error::Result;
use crate::progress::QueryCount;
use cmin_model::RankOptions;
use cmin_query::Speller;
use cmin_train::error::TrainError;
use cmin_train::evaluate::Evaluation;

#[derive(clap::Args)]
pub struct EvalArgs {
    #[command(flatten)]
    data: DatasetArgs,
    #[arg(long, default_value_t = 5)]
    top_k: usize,
    #[arg(long, default_value_t = 0.5)]
    nms: f64,
    /// Queries per forward pass.
    #[arg(long, default_value_t = 16)]
    batch: usize,
    /// Only the first N samples.
    #[arg(long)]
    limit: Option<usize>,
    /// Write the table as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write every query's moments (and the typos corrected in it) as JSON lines.
    #[arg(long)]
    predictions: Option<PathBuf>,
    /// Read text queries as written: no typo correction.
    #[arg(long)]
    no_spelling: bool,
}

pub fn run(args: EvalArgs) -> Result<bool> {
    let localizer = args.data.localizer()?;
    let mut annotations = args.data.annotations()?;
    if let Some(n) = args.limit {
        annotations.samples.truncate(n);
    }
    let (embeddings, parser) = args.data.inputs.load(localizer.config().word_dim, &annotations.samples)?;
    let speller = (!args.no_spelling).then(|| Speller::new(&embeddings));
    let evaluation = Evaluation {
        localizer: &localizer,
        embeddings: &embeddings,
        parser: parser.as_ref(),
        speller: speller.as_ref(),
        features_dir: &args.data.features,
        options: RankOptions { top_k: args.top_k, nms_threshold: args.nms },
        batch: args.batch,
        scale: args.data.scale()?,
    };
    let total = annotations.samples.len();
    let mut progress = QueryCount::new(total);
    let (recall, predictions) = evaluation.run(&annotations.samples, |done, _| progress.update(done))?;
    progress.finish();
    println!("{} ({total} queries; top-{} after NMS {})", args.data.annotations.display(), args.top_k, args.nms);
    print!("{}", recall.render());
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&recall.table()).expect("serialisable");
        crate::files::write(path, json)?;
    }
    if let Some(path) = &args.predictions {
        let mut file = crate::files::create(path)?;
        for p in &predictions {
            writeln!(file, "{}", serde_json::to_string(p).expect("serialisable"))
                .map_err(|source| TrainError::Write { path: path.clone(), source })?;
        }
    }
    Ok(true)
}
