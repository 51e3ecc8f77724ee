//! `cmin train`: trains CMIN on an annotated dataset with clip features, validates every
//! epoch (R@1, IoU 0.5), keeps the best weights and, with `--patience`, stops once validation
//! no longer improves; `--resume` continues from `--out`.
//!
//! `--out` holds `last.safetensors` and `best.safetensors` (weights with their config),
//! `epoch-NNN.safetensors` and `state.json` (step, epoch, both configs, the history of losses
//! and validation scores). Resuming continues the schedule and the shuffling; Adam's moments
//! restart (see `Trainer::resume`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use cmin_model::CminError;
use cmin_query::embeddings::Embeddings;
use cmin_train::data::annotations::{Format, read_file};
use cmin_train::data::{Sample, features};

use crate::error::{CliError, Result};
use cmin_model::model::Cmin;
use cmin_model::{CminConfig, Localizer, RankOptions};
use cmin_query::parsing::ParserModel;
use cmin_train::device;
use cmin_train::evaluate::{Evaluation, query_for};
use cmin_train::train::{Example, Schedule, TrainConfig, Trainer};

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
}

#[derive(Serialize, Deserialize)]
struct State {
    step: usize,
    epoch: usize,
    best_r1: Option<f64>,
    #[serde(default)]
    best_epoch: usize,
    model: CminConfig,
    train: TrainConfig,
    history: Vec<serde_json::Value>,
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
) -> Result<Vec<Example>> {
    let mut cache: HashMap<&str, features::ClipFeatures> = HashMap::new();
    let mut out = Vec::with_capacity(samples.len());
    for s in samples {
        if !cache.contains_key(s.video.as_str()) {
            cache.insert(&s.video, features::load(dir, &s.video, Some(config.frame_dim))?);
        }
        let f = &cache[s.video.as_str()];
        let duration = s.duration.ok_or_else(|| CliError::Option(format!("video {:?} has no duration", s.video)))?;
        let query = query_for(s, embeddings, parser)?;
        out.push(Example::new(config, &f.values, f.clips, f.dim, duration, (s.start, s.end), query)?);
    }
    Ok(out)
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::files::write(path, bytes)
}

pub fn run(a: TrainArgs) -> Result<bool> {
    crate::files::create_dir_all(&a.out)?;
    let state_path = a.out.join("state.json");
    let previous: Option<State> = if a.resume {
        let text = crate::files::read_to_string(&state_path)?;
        Some(serde_json::from_str(&text).map_err(|e| CminError::malformed("training state", e))?)
    } else {
        None
    };
    let model_config = match (&previous, &a.config) {
        (Some(s), _) => s.model.clone(),
        (None, path) => crate::files::model_config(path.as_deref(), None)?.unwrap_or_else(CminConfig::reference_tacos),
    };
    model_config.validate()?;
    let config = train_config(&a, previous.as_ref().map(|s| s.train.clone()).unwrap_or_default())?;
    let format = a.format.as_deref().map(Format::parse).transpose()?;
    let train_set = read_file(&a.train, format)?;
    let val_set = a.val.as_ref().map(|p| read_file(p, format)).transpose()?;
    let samples = train_set.samples.iter().chain(val_set.iter().flat_map(|v| v.samples.iter()));
    let (embeddings, parser) = a.inputs.load(model_config.word_dim, samples)?;
    let train_examples = examples(&train_set.samples, &a.features, &model_config, &embeddings, parser.as_ref())?;
    eprintln!("{} training examples from {}", train_examples.len(), a.train.display());

    let device = device::by_name(&a.device)?;
    let autodiff = device.clone().autodiff();
    let mut state = previous.unwrap_or(State {
        step: 0,
        epoch: 0,
        best_r1: None,
        best_epoch: 0,
        model: model_config.clone(),
        train: config.clone(),
        history: Vec::new(),
    });
    state.train = config.clone();
    // Initial weights and dropout masks come from the backend's generator: seeding it makes a
    // run repeatable (a resumed run continues with a generator seeded by its step).
    autodiff.seed(config.seed.wrapping_add(state.step as u64));
    let model = if a.resume {
        crate::files::load_weights(&a.out.join("last.safetensors"), None, &autodiff)?
    } else {
        Cmin::new(&model_config, &autodiff)
    };
    let mut trainer = Trainer::new(model, config.clone(), autodiff)?;
    if a.resume {
        trainer = trainer.resume(state.step, state.epoch);
        eprintln!("resuming at epoch {} (step {}); Adam's moments restart", state.epoch, state.step);
    }
    while trainer.epoch < config.epochs {
        if let (Some(patience), Some(best)) = (config.patience, state.best_r1)
            && trainer.epoch >= state.best_epoch + patience
        {
            eprintln!(
                "stopping: no better validation R@1 in {patience} epochs (best {best:.2}, epoch {})",
                state.best_epoch
            );
            break;
        }
        let (total, epoch) = (train_examples.len(), trainer.epoch + 1);
        let mut bar = EpochBar::new(epoch, total);
        let stats = trainer.train_epoch(&train_examples, |done, loss, lr| bar.update(done, loss, lr))?;
        bar.finish();
        let model = trainer.inference_model();
        let mut record = serde_json::json!({
            "epoch": stats.epoch, "mean_loss": stats.mean_loss, "seconds": stats.seconds,
            "examples_per_second": stats.examples as f64 / stats.seconds.max(1e-9), "lr": stats.last_lr,
        });
        if let Some(val) = &val_set {
            let localizer = Localizer::new(model.clone(), device.clone());
            let evaluation = Evaluation {
                localizer: &localizer,
                embeddings: &embeddings,
                parser: parser.as_ref(),
                features_dir: &a.features,
                options: RankOptions::default(),
                batch: 32,
            };
            let (recall, _) = evaluation.run(&val.samples, |_, _| {})?;
            let r1 = recall.percent(1, 0.5);
            record["val"] = serde_json::to_value(recall.table()).expect("serialisable");
            if state.best_r1.is_none_or(|b| r1 > b) {
                state.best_r1 = Some(r1);
                state.best_epoch = stats.epoch;
                crate::files::save_weights(&model, &a.out.join("best.safetensors"))?;
            }
            eprintln!(
                "epoch {:>3}: loss {:.4}, val R@1 IoU=0.5 {r1:.2}, mIoU {:.2}",
                stats.epoch,
                stats.mean_loss,
                recall.miou()
            );
        } else {
            eprintln!("epoch {:>3}: loss {:.4}", stats.epoch, stats.mean_loss);
        }
        crate::files::save_weights(&model, &a.out.join(format!("epoch-{:03}.safetensors", stats.epoch)))?;
        crate::files::save_weights(&model, &a.out.join("last.safetensors"))?;
        state.step = trainer.step;
        state.epoch = trainer.epoch;
        state.history.push(record);
        write(&state_path, serde_json::to_string_pretty(&state).expect("serialisable").as_bytes())?;
    }
    Ok(true)
}
