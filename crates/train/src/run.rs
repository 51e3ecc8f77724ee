//! A training run in a folder: `last.safetensors` and `best.safetensors` (weights with their
//! config), `epoch-NNN.safetensors`, and `state.json` (step, epoch, both configs, the history of
//! losses and validation scores). Each epoch is validated (R@1, IoU 0.5) when there is a
//! validation split, the best weights are kept, and a patience stops the run once validation
//! no longer improves. Resuming continues the schedule and the shuffling; Adam's moments
//! restart (see [`Trainer::resume`]).

use std::path::{Path, PathBuf};

use burn::tensor::Device;
use cmin_model::error::CminError;
use cmin_model::model::Cmin;
use cmin_model::{CminConfig, Localizer, RankOptions, TimeScale, weights};
use cmin_query::{Embeddings, ParserModel};
use serde::{Deserialize, Serialize};

use crate::data::Sample;
use crate::error::{Result, reading, writing};
use crate::evaluate::Evaluation;
use crate::train::{EpochStats, Example, TrainConfig, Trainer};

/// What a run keeps between epochs and across resumes.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RunState {
    pub step: usize,
    pub epoch: usize,
    pub best_r1: Option<f64>,
    #[serde(default)]
    pub best_epoch: usize,
    pub model: CminConfig,
    pub train: TrainConfig,
    pub history: Vec<serde_json::Value>,
}

/// The split scored after every epoch.
pub struct Validation<'a> {
    pub samples: &'a [Sample],
    pub embeddings: &'a Embeddings,
    pub parser: Option<&'a ParserModel>,
    pub features_dir: &'a Path,
}

/// What a run reports as it goes.
pub enum TrainingEvent<'a> {
    Resuming { epoch: usize, step: usize },
    EpochStarted { epoch: usize, examples: usize },
    Step { done: usize, loss: f64, lr: f64 },
    EpochDone { stats: &'a EpochStats, recall_at_1: Option<f64>, miou: Option<f64> },
    Stopping { patience: usize, best_r1: f64, best_epoch: usize },
}

pub struct Run {
    dir: PathBuf,
}

impl Run {
    /// The run in `dir`, which is created if missing.
    pub fn new(dir: &Path) -> Result<Run> {
        writing(dir, std::fs::create_dir_all(dir))?;
        Ok(Run { dir: dir.to_path_buf() })
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// The state a previous run left, to resume it.
    pub fn state(&self) -> Result<RunState> {
        let path = self.file("state.json");
        let text = reading(&path, std::fs::read_to_string(&path))?;
        Ok(serde_json::from_str(&text).map_err(|e| CminError::malformed("training state", e))?)
    }

    fn save(&self, model: &Cmin, name: &str) -> Result<()> {
        let path = self.file(name);
        writing(&path, std::fs::write(&path, weights::save(model)?))
    }

    fn save_state(&self, state: &RunState) -> Result<()> {
        let path = self.file("state.json");
        let json = serde_json::to_string_pretty(state).expect("serialisable");
        writing(&path, std::fs::write(&path, json))
    }

    /// Trains `model_config` with `config` from scratch, from the weights `init` (bytes of a
    /// file of ours) or, given the `previous` state, from `last.safetensors`; returns the final
    /// state.
    #[allow(clippy::too_many_arguments)]
    pub fn fit(
        &self,
        model_config: &CminConfig,
        config: &TrainConfig,
        previous: Option<RunState>,
        init: Option<Vec<u8>>,
        train: &[Example],
        validation: Option<Validation>,
        device: &Device,
        mut report: impl FnMut(TrainingEvent),
    ) -> Result<RunState> {
        let resume = previous.is_some();
        let autodiff = device.clone().autodiff();
        let mut state = previous.unwrap_or(RunState {
            step: 0,
            epoch: 0,
            best_r1: None,
            best_epoch: 0,
            model: model_config.clone(),
            train: config.clone(),
            history: Vec::new(),
        });
        state.train = config.clone();
        // Initial weights and dropout masks come from the backend's generator: seeding it
        // makes a run repeatable (a resumed run continues with a generator seeded by its step).
        autodiff.seed(config.seed.wrapping_add(state.step as u64));
        let model = if resume {
            let path = self.file("last.safetensors");
            let bytes = reading(&path, std::fs::read(&path))?;
            weights::load(&bytes, None, &autodiff)?
        } else if let Some(bytes) = init {
            weights::load(&bytes, Some(model_config), &autodiff)?
        } else {
            model_config.init(&autodiff)
        };
        let mut trainer = Trainer::new(model, config.clone(), autodiff)?;
        if resume {
            trainer = trainer.resume(state.step, state.epoch);
            report(TrainingEvent::Resuming { epoch: state.epoch, step: state.step });
        }
        while trainer.epoch < config.epochs {
            if let (Some(patience), Some(best_r1)) = (config.patience, state.best_r1)
                && trainer.epoch >= state.best_epoch + patience
            {
                report(TrainingEvent::Stopping { patience, best_r1, best_epoch: state.best_epoch });
                break;
            }
            report(TrainingEvent::EpochStarted { epoch: trainer.epoch + 1, examples: train.len() });
            let stats = trainer.train_epoch(train, |done, loss, lr| report(TrainingEvent::Step { done, loss, lr }))?;
            let model = trainer.inference_model();
            let mut record = serde_json::json!({
                "epoch": stats.epoch, "mean_loss": stats.mean_loss, "seconds": stats.seconds,
                "examples_per_second": stats.examples as f64 / stats.seconds.max(1e-9), "lr": stats.last_lr,
            });
            let (mut recall_at_1, mut miou) = (None, None);
            if let Some(val) = &validation {
                let localizer = Localizer::new(model.clone(), device.clone());
                let evaluation = Evaluation {
                    localizer: &localizer,
                    embeddings: val.embeddings,
                    parser: val.parser,
                    speller: None,
                    features_dir: val.features_dir,
                    options: RankOptions::default(),
                    batch: 32,
                    scale: TimeScale::Model,
                };
                let (recall, _) = evaluation.run(val.samples, |_, _| {})?;
                let r1 = recall.percent(1, 0.5);
                record["val"] = serde_json::to_value(recall.table()).expect("serialisable");
                if state.best_r1.is_none_or(|b| r1 > b) {
                    state.best_r1 = Some(r1);
                    state.best_epoch = stats.epoch;
                    self.save(&model, "best.safetensors")?;
                }
                (recall_at_1, miou) = (Some(r1), Some(recall.miou()));
            }
            report(TrainingEvent::EpochDone { stats: &stats, recall_at_1, miou });
            self.save(&model, &format!("epoch-{:03}.safetensors", stats.epoch))?;
            self.save(&model, "last.safetensors")?;
            state.step = trainer.step;
            state.epoch = trainer.epoch;
            state.history.push(record);
            self.save_state(&state)?;
        }
        Ok(state)
    }
}
