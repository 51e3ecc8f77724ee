//! `cmin eval`: R@{1,5} x IoU {0.1, 0.3, 0.5, 0.7} and mIoU of a model on an annotated
//! dataset, printed as the paper's table, optionally written as JSON (and per query).

use std::io::Write;
use std::path::PathBuf;

use crate::error::Result;
use cmin_model::{Localizer, RankOptions, TimeScale};
use cmin_query::Speller;
use cmin_train::data::annotations::{Format, read_file};
use cmin_train::device;
use cmin_train::error::TrainError;
use cmin_train::evaluate::Evaluation;

use crate::progress::QueryCount;
use crate::query_inputs::QueryInputs;

#[derive(clap::Args)]
pub struct EvalArgs {
    /// Model weights (.safetensors). Ours carry their config; a reference state dict needs
    /// --preset or --config.
    #[arg(long)]
    weights: PathBuf,
    /// reference_tacos or reference_activitynet.
    #[arg(long)]
    preset: Option<String>,
    /// A CminConfig as JSON.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Annotations: reference JSON, 2D-TAN JSON or Charades-STA lines (detected).
    #[arg(long)]
    annotations: PathBuf,
    /// reference, 2dtan or charades-sta (default: detect).
    #[arg(long)]
    format: Option<String>,
    /// Directory with one <video>.npy of clip features [clips, dim] per video.
    #[arg(long)]
    features: PathBuf,
    #[command(flatten)]
    inputs: QueryInputs,
    /// cpu or wgpu.
    #[arg(long, default_value = "cpu")]
    device: String,
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
    /// How a video's length is read: `model` (windows at the model's clip length, when its
    /// weights record one), `whole` (every video resampled to the model's clips, as the
    /// reference), or seconds per clip.
    #[arg(long, default_value = "model")]
    scale: String,
}

/// `--scale`'s value.
pub fn time_scale(value: &str) -> Result<TimeScale> {
    match value {
        "model" => Ok(TimeScale::Model),
        "whole" => Ok(TimeScale::Whole),
        seconds => match seconds.parse::<f64>() {
            Ok(s) if s.is_finite() && s > 0.0 => Ok(TimeScale::ClipSeconds(s)),
            _ => Err(crate::error::CliError::Option(format!(
                "--scale must be model, whole or a positive number of seconds per clip, not {value:?}"
            ))),
        },
    }
}

pub fn run(args: EvalArgs) -> Result<bool> {
    let device = device::by_name(&args.device)?;
    let model = crate::files::load_weights(
        &args.weights,
        crate::files::model_config(args.config.as_deref(), args.preset.as_deref())?.as_ref(),
        &device,
    )?;
    let localizer = Localizer::new(model, device);
    let format = args.format.as_deref().map(Format::parse).transpose()?;
    let mut annotations = read_file(&args.annotations, format)?;
    if let Some(n) = args.limit {
        annotations.samples.truncate(n);
    }
    let (embeddings, parser) = args.inputs.load(localizer.config().word_dim, &annotations.samples)?;
    let speller = (!args.no_spelling).then(|| Speller::new(&embeddings));
    let evaluation = Evaluation {
        localizer: &localizer,
        embeddings: &embeddings,
        parser: parser.as_ref(),
        speller: speller.as_ref(),
        features_dir: &args.features,
        options: RankOptions { top_k: args.top_k, nms_threshold: args.nms },
        batch: args.batch,
        scale: time_scale(&args.scale)?,
    };
    let total = annotations.samples.len();
    let mut progress = QueryCount::new(total);
    let (recall, predictions) = evaluation.run(&annotations.samples, |done, _| progress.update(done))?;
    progress.finish();
    println!("{} ({total} queries; top-{} after NMS {})", args.annotations.display(), args.top_k, args.nms);
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
