//! `cmin eval`: R@{1,5} x IoU {0.1, 0.3, 0.5, 0.7} and mIoU of a model on an annotated
//! dataset, printed as the paper's table, optionally written as JSON (and per query).

use std::io::Write;
use std::path::PathBuf;

use cmin::data::annotations::{Format, read_file};
use cmin::error::{CminError, Result};
use cmin::evaluate::Evaluation;
use cmin::{CminConfig, Localizer, RankOptions, device, weights};

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
    /// Write every query's moments as JSON lines.
    #[arg(long)]
    predictions: Option<PathBuf>,
}

fn config(args: &EvalArgs) -> Result<Option<CminConfig>> {
    if let Some(path) = &args.config {
        let text = std::fs::read_to_string(path).map_err(|e| CminError::io(path, e))?;
        return serde_json::from_str(&text).map(Some).map_err(|e| CminError::Config(e.to_string()));
    }
    match args.preset.as_deref() {
        None => Ok(None),
        Some("reference_tacos") => Ok(Some(CminConfig::reference_tacos())),
        Some("reference_activitynet") => Ok(Some(CminConfig::reference_activitynet())),
        Some(other) => Err(CminError::Option(format!("unknown preset {other:?}"))),
    }
}

pub fn run(args: EvalArgs) -> Result<bool> {
    let device = device::by_name(&args.device)?;
    let model = weights::load_file(&args.weights, config(&args)?.as_ref(), &device)?;
    let localizer = Localizer::new(model, device);
    let format = args.format.as_deref().map(Format::parse).transpose()?;
    let mut annotations = read_file(&args.annotations, format)?;
    if let Some(n) = args.limit {
        annotations.samples.truncate(n);
    }
    let (embeddings, parser) = args.inputs.load(localizer.config().word_dim, &annotations.samples)?;
    let evaluation = Evaluation {
        localizer: &localizer,
        embeddings: &embeddings,
        parser: parser.as_ref(),
        features_dir: &args.features,
        options: RankOptions { top_k: args.top_k, nms_threshold: args.nms },
        batch: args.batch,
    };
    let total = annotations.samples.len();
    let mut progress = QueryCount::new(total);
    let (recall, predictions) = evaluation.run(&annotations.samples, |done, _| progress.update(done))?;
    progress.finish();
    println!("{} ({total} queries; top-{} after NMS {})", args.annotations.display(), args.top_k, args.nms);
    print!("{}", recall.render());
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&recall.table()).expect("serialisable");
        std::fs::write(path, json).map_err(|e| CminError::io(path, e))?;
    }
    if let Some(path) = &args.predictions {
        let mut file = std::fs::File::create(path).map_err(|e| CminError::io(path, e))?;
        for p in &predictions {
            writeln!(file, "{}", serde_json::to_string(p).expect("serialisable"))
                .map_err(|e| CminError::io(path, e))?;
        }
    }
    Ok(true)
}
