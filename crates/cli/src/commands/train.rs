//! `cmin train`: trains CMIN on an annotated dataset with clip features in a run folder
//! (`--out`; see `cmin_train::run` for what it holds), validating every epoch and keeping the
//! best weights; `--resume` continues a run.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use cmin_query::embeddings::Embeddings;
use cmin_train::data::annotations::{Format, read_file};
use cmin_train::data::{Sample, features};

use crate::error::{CliError, Result};
use cmin_model::CminConfig;
use cmin_query::parsing::ParserModel;
use cmin_train::device;
use cmin_train::evaluate::query_for;
use cmin_train::run::{Run, TrainingEvent, Validation};
use cmin_train::train::{Example, Schedule, TrainConfig};

use crate::progress::EpochBar;
use crate::query_inputs::QueryInputs;

#[derive(clap::Args)]
pub struct TrainArgs {
    /// Training annotations (reference JSON, 2D-TAN JSON or Charades-STA lines; detected).
    #[arg(long)]
    train: PathBuf,
    /// Validation annotations; the best epoch by R@1 IoU=0.5 is kept.
    #[arg(long)]
    val: Option<PathBuf>,
    /// Directory of <video>.npy clip features (both splits).
    #[arg(long)]
    features: PathBuf,
    #[arg(long)]
    format: Option<String>,
    /// Output directory for checkpoints.
    #[arg(long)]
    out: PathBuf,
    /// Model config as JSON (CminConfig fields); default: reference_tacos.
    #[arg(long)]
    config: Option<PathBuf>,
    #[command(flatten)]
    inputs: QueryInputs,
    /// cpu or wgpu.
    #[arg(long, default_value = "cpu")]
    device: String,
    #[arg(long)]
    epochs: Option<usize>,
    #[arg(long)]
    batch_size: Option<usize>,
    #[arg(long)]
    lr: Option<f64>,
    #[arg(long)]
    warmup_init_lr: Option<f64>,
    #[arg(long)]
    warmup_steps: Option<usize>,
    #[arg(long)]
    weight_decay: Option<f64>,
    #[arg(long)]
    seed: Option<u64>,
    /// After the warm-up: inverse-sqrt (the reference's) or cosine (down to --min-lr).
    #[arg(long)]
    schedule: Option<String>,
    #[arg(long)]
    min_lr: Option<f64>,
    /// Stop after this many epochs without a better validation R@1 (needs --val).
    #[arg(long)]
    patience: Option<usize>,
    /// Continue from the state in --out.
    #[arg(long)]
    resume: bool,
    /// Start from these weights (their config is the model's) instead of a fresh model.
    #[arg(long, conflicts_with_all = ["resume", "config"])]
    init: Option<PathBuf>,
    /// Annotations (same formats) whose sentences describe nothing in their videos (their
    /// moments are ignored): trained on with every label 0, so that a score means the same
    /// in every video.
    #[arg(long)]
    answer_free: Option<PathBuf>,
}

fn train_config(a: &TrainArgs, base: TrainConfig) -> Result<TrainConfig> {
    let schedule = match a.schedule.as_deref() {
        None => base.schedule,
        Some("inverse-sqrt") => Schedule::InverseSqrt,
        Some("cosine") => Schedule::Cosine,
        Some(other) => {
            return Err(CliError::Option(format!("--schedule {other:?}: expected inverse-sqrt or cosine")));
        }
    };
    if a.patience.is_some() && a.val.is_none() {
        return Err(CliError::Option("--patience needs --val to measure progress on".into()));
    }
    Ok(TrainConfig {
        lr: a.lr.unwrap_or(base.lr),
        warmup_init_lr: a.warmup_init_lr.unwrap_or(base.warmup_init_lr),
        warmup_steps: a.warmup_steps.unwrap_or(base.warmup_steps),
        weight_decay: a.weight_decay.unwrap_or(base.weight_decay),
        batch_size: a.batch_size.unwrap_or(base.batch_size),
        epochs: a.epochs.unwrap_or(base.epochs),
        seed: a.seed.unwrap_or(base.seed),
        schedule,
        min_lr: a.min_lr.unwrap_or(base.min_lr),
        patience: a.patience.or(base.patience),
    })
}

/// Examples of a split, loading each video's features once.
fn examples(
    samples: &[Sample],
    dir: &Path,
    config: &CminConfig,
    embeddings: &Embeddings,
    parser: Option<&ParserModel>,
    answered: bool,
) -> Result<Vec<Example>> {
    let mut cache: HashMap<&str, features::ClipFeatures> = HashMap::new();
    let mut out = Vec::with_capacity(samples.len());
    for s in samples {
        if !cache.contains_key(s.video.as_str()) {
            cache.insert(&s.video, features::load(dir, &s.video, Some(config.frame_dim))?);
        }
        let f = &cache[s.video.as_str()];
        let duration = s.duration.ok_or_else(|| CliError::Option(format!("video {:?} has no duration", s.video)))?;
        let (query, _) = query_for(s, embeddings, parser, None)?;
        out.push(match answered {
            true => Example::new(config, &f.values, f.clips, f.dim, duration, (s.start, s.end), query)?,
            false => Example::answer_free(config, &f.values, f.clips, f.dim, query)?,
        });
    }
    Ok(out)
}

/// The model's clip length: the longest training video over `num_clips`. Every video the model
/// trained on is one window at it, so only longer ones are read in windows
/// (`cmin_model::windows`).
fn clip_seconds(samples: &[Sample], num_clips: usize) -> Option<f64> {
    let longest = samples.iter().filter_map(|s| s.duration).fold(0.0f64, f64::max);
    (longest > 0.0).then(|| longest / num_clips as f64)
}

pub fn run(a: TrainArgs) -> Result<bool> {
    let run = Run::new(&a.out)?;
    let previous = if a.resume { Some(run.state()?) } else { None };
    let device = device::by_name(&a.device)?;
    let init = a.init.as_deref().map(crate::files::read).transpose()?;
    let mut model_config = match (&previous, &init) {
        (Some(s), _) => s.model.clone(),
        (None, Some(bytes)) => cmin_model::weights::read_config(bytes)?
            .ok_or_else(|| CliError::Option("--init needs weights that carry their config (ours)".into()))?,
        (None, None) => {
            crate::files::model_config(a.config.as_deref(), None)?.unwrap_or_else(CminConfig::reference_tacos)
        }
    };
    model_config.validate()?;
    let config = train_config(&a, previous.as_ref().map(|s| s.train.clone()).unwrap_or_default())?;
    let format = a.format.as_deref().map(Format::parse).transpose()?;
    let train_set = read_file(&a.train, format)?;
    if previous.is_none() && model_config.clip_seconds.is_none() {
        model_config.clip_seconds = clip_seconds(&train_set.samples, model_config.num_clips);
    }
    let val_set = a.val.as_ref().map(|p| read_file(p, format)).transpose()?;
    let answer_free = a.answer_free.as_ref().map(|p| read_file(p, format)).transpose()?;
    let samples = train_set.samples.iter().chain(val_set.iter().chain(&answer_free).flat_map(|v| v.samples.iter()));
    let (embeddings, parser) = a.inputs.load(model_config.word_dim, samples)?;
    let mut train_examples =
        examples(&train_set.samples, &a.features, &model_config, &embeddings, parser.as_ref(), true)?;
    eprintln!("{} training examples from {}", train_examples.len(), a.train.display());
    if let (Some(set), Some(path)) = (&answer_free, &a.answer_free) {
        let free = examples(&set.samples, &a.features, &model_config, &embeddings, parser.as_ref(), false)?;
        eprintln!("{} answer-free examples from {}", free.len(), path.display());
        train_examples.extend(free);
    }
    let validation = val_set.as_ref().map(|val| Validation {
        samples: &val.samples,
        embeddings: &embeddings,
        parser: parser.as_ref(),
        features_dir: &a.features,
    });
    let mut bar = None;
    run.fit(&model_config, &config, previous, init, &train_examples, validation, &device, |event| match event {
        TrainingEvent::Resuming { epoch, step } => {
            eprintln!("resuming at epoch {epoch} (step {step}); Adam's moments restart")
        }
        TrainingEvent::EpochStarted { epoch, examples } => bar = Some(EpochBar::new(epoch, examples)),
        TrainingEvent::Step { done, loss, lr } => bar.iter_mut().for_each(|b| b.update(done, loss, lr)),
        TrainingEvent::EpochDone { stats, recall_at_1, miou } => {
            bar.take().iter().for_each(EpochBar::finish);
            match (recall_at_1, miou) {
                (Some(r1), Some(miou)) => eprintln!(
                    "epoch {:>3}: loss {:.4}, val R@1 IoU=0.5 {r1:.2}, mIoU {miou:.2}",
                    stats.epoch, stats.mean_loss
                ),
                _ => eprintln!("epoch {:>3}: loss {:.4}", stats.epoch, stats.mean_loss),
            }
        }
        TrainingEvent::Stopping { patience, best_r1, best_epoch } => {
            eprintln!("stopping: no better validation R@1 in {patience} epochs (best {best_r1:.2}, epoch {best_epoch})")
        }
    })?;
    Ok(true)
}
