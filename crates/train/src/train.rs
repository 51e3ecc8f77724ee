//! Training (spec §7): Adam with decoupled weight decay, a linear warm-up into the reference's
//! inverse-square-root decay (or a cosine decay to `min_lr` over the run), dropout from the
//! model config, shuffled padded batches.

use burn::module::Module;
use burn::optim::{AdamWConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use crate::loss::{RegressionTarget, Targets, cmin_loss};
use cmin_model::anchors::Anchors;
use cmin_model::config::CminConfig;
use cmin_model::error::{CminError, Result};
use cmin_model::model::Cmin;
use cmin_model::query::{Query, batch_queries};
use cmin_model::video::{Timeline, resample, validate_features};
use cmin_random::Rng;

/// Optimisation settings; the defaults are the reference's TACoS ones.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainConfig {
    pub lr: f64,
    /// The learning rate warm-up starts from.
    pub warmup_init_lr: f64,
    pub warmup_steps: usize,
    pub weight_decay: f64,
    pub batch_size: usize,
    pub epochs: usize,
    pub seed: u64,
    /// What follows the warm-up.
    pub schedule: Schedule,
    /// The cosine schedule's final learning rate.
    pub min_lr: f64,
    /// Stop after this many epochs without a better validation score (never when `None`).
    pub patience: Option<usize>,
}

/// The learning rate after the warm-up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Schedule {
    /// `lr * sqrt(warmup / step)`, the reference's.
    #[default]
    InverseSqrt,
    /// Half a cosine from `lr` down to `min_lr` at the last step of the last epoch.
    Cosine,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            lr: 4e-4,
            warmup_init_lr: 1e-7,
            warmup_steps: 300,
            weight_decay: 1e-8,
            batch_size: 64,
            epochs: 40,
            seed: 1,
            schedule: Schedule::InverseSqrt,
            min_lr: 0.0,
            patience: None,
        }
    }
}

impl TrainConfig {
    /// The learning rate of update `step` (0-based) of a run of `total_steps`: linear warm-up
    /// from `warmup_init_lr` to `lr`, then the schedule.
    pub fn lr_at(&self, step: usize, total_steps: usize) -> f64 {
        let warmup = self.warmup_steps.max(1) as f64;
        let s = step as f64 + 1.0;
        if s <= warmup {
            return self.warmup_init_lr + (self.lr - self.warmup_init_lr) * s / warmup;
        }
        match self.schedule {
            Schedule::InverseSqrt => self.lr * (warmup / s).sqrt(),
            Schedule::Cosine => {
                let progress = ((s - warmup) / (total_steps as f64 - warmup).max(1.0)).min(1.0);
                self.min_lr + 0.5 * (self.lr - self.min_lr) * (1.0 + (std::f64::consts::PI * progress).cos())
            }
        }
    }

    /// Updates in one epoch over `examples` examples.
    pub fn steps_per_epoch(&self, examples: usize) -> usize {
        examples.div_ceil(self.batch_size.max(1))
    }
}

/// One training example on the model's grid.
#[derive(Clone, Debug, PartialEq)]
pub struct Example {
    /// Row-major `[num_clips, frame_dim]`, already resampled.
    pub frames: Vec<f32>,
    pub query: Query,
    /// Inclusive grid indices of the ground truth; `None` when the query describes nothing in
    /// the video (every proposal's label is 0, and nothing is regressed): such examples teach
    /// the scores to mean the same in every video, not only which proposal of a video is best.
    pub truth: Option<(usize, usize)>,
}

impl Example {
    /// Resamples raw features and maps the moment (seconds) onto the grid.
    pub fn new(
        config: &CminConfig,
        features: &[f32],
        raw_clips: usize,
        dim: usize,
        duration: f64,
        moment: (f64, f64),
        query: Query,
    ) -> Result<Self> {
        validate_features(features, raw_clips, dim, config.frame_dim)?;
        let timeline = Timeline::new(raw_clips, config.num_clips, duration)?;
        let truth = Some(timeline.seconds_to_grid(moment.0, moment.1));
        Ok(Example { frames: resample(features, raw_clips, dim, config.num_clips), query, truth })
    }

    /// A query with no answer in the video.
    pub fn answer_free(
        config: &CminConfig,
        features: &[f32],
        raw_clips: usize,
        dim: usize,
        query: Query,
    ) -> Result<Self> {
        validate_features(features, raw_clips, dim, config.frame_dim)?;
        Ok(Example { frames: resample(features, raw_clips, dim, config.num_clips), query, truth: None })
    }
}

/// What one epoch did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EpochStats {
    pub epoch: usize,
    pub mean_loss: f64,
    pub examples: usize,
    pub seconds: f64,
    pub last_lr: f64,
}

/// A model being trained, with its optimizer state and step count.
pub struct Trainer {
    pub model: Cmin,
    pub config: TrainConfig,
    optimizer: ModuleOptimizer,
    anchors: Anchors,
    device: Device,
    pub step: usize,
    pub epoch: usize,
}

impl Trainer {
    /// `device` must be an autodiff device (`device.autodiff()`).
    pub fn new(model: Cmin, config: TrainConfig, device: Device) -> Result<Self> {
        if config.batch_size == 0 || !(config.lr > 0.0) {
            return Err(CminError::Config("batch_size and lr must be positive".into()));
        }
        if !(config.min_lr >= 0.0 && config.min_lr <= config.lr) {
            return Err(CminError::Config("min_lr must lie between 0 and lr".into()));
        }
        if config.patience == Some(0) {
            return Err(CminError::Config("patience must be at least one epoch".into()));
        }
        let c = model.config().clone();
        let optimizer = Self::optimizer(&config);
        Ok(Trainer {
            model,
            config,
            optimizer,
            anchors: Anchors::new(c.num_clips, &c.anchor_widths),
            device,
            step: 0,
            epoch: 0,
        })
    }

    fn optimizer(config: &TrainConfig) -> ModuleOptimizer {
        AdamWConfig::new()
            .with_beta_1(0.9)
            .with_beta_2(0.999)
            .with_epsilon(1e-8)
            .with_weight_decay(config.weight_decay as f32)
            .init()
    }

    /// Continues a run from saved weights at `step` and `epoch`: the schedule and the
    /// shuffling pick up where they were. Adam's moments start afresh: burn keys optimizer
    /// state by parameter id, which a weight file does not keep.
    pub fn resume(mut self, step: usize, epoch: usize) -> Self {
        self.step = step;
        self.epoch = epoch;
        self
    }

    /// One pass over `examples` in a seeded shuffled order; `progress(done, loss, lr)` after
    /// every batch.
    pub fn train_epoch(
        &mut self,
        examples: &[Example],
        mut progress: impl FnMut(usize, f64, f64),
    ) -> Result<EpochStats> {
        let started = std::time::Instant::now();
        let mut order: Vec<usize> = (0..examples.len()).collect();
        Rng::new(self.config.seed.wrapping_add(self.epoch as u64)).shuffle(&mut order);
        let (mut total, mut seen, mut lr) = (0.0, 0, 0.0);
        let total_steps = self.config.steps_per_epoch(examples.len()) * self.config.epochs;
        for chunk in order.chunks(self.config.batch_size) {
            let batch: Vec<&Example> = chunk.iter().map(|&i| &examples[i]).collect();
            lr = self.config.lr_at(self.step, total_steps);
            let loss = self.update(&batch, lr)?;
            total += loss * batch.len() as f64;
            seen += batch.len();
            self.step += 1;
            progress(seen, loss, lr);
        }
        self.epoch += 1;
        Ok(EpochStats {
            epoch: self.epoch,
            mean_loss: total / seen.max(1) as f64,
            examples: seen,
            seconds: started.elapsed().as_secs_f64(),
            last_lr: lr,
        })
    }

    fn update(&mut self, batch: &[&Example], lr: f64) -> Result<f64> {
        let c = self.model.config().clone();
        let b = batch.len();
        let frames: Vec<f32> = batch.iter().flat_map(|e| e.frames.iter().copied()).collect();
        let frames = Tensor::from_data(TensorData::new(frames, [b, c.num_clips, c.frame_dim]), &self.device);
        let queries: Vec<Query> = batch.iter().map(|e| e.query.clone()).collect();
        let (queries, _) = batch_queries(&queries, &c, &self.device)?;
        let truth: Vec<Option<(f32, f32)>> = batch.iter().map(|e| e.truth.map(|(s, e)| (s as f32, e as f32))).collect();
        let targets = Targets::from_answers(&self.anchors, &truth, &self.device);
        let output = self.model.forward(frames, &queries);
        let loss = cmin_loss(&output, &targets, RegressionTarget::Label).total;
        let value = loss.clone().into_scalar::<f32>() as f64;
        if !value.is_finite() {
            return Err(CminError::Option(format!("training diverged: loss {value} at step {}", self.step)));
        }
        let grads = GradientsParams::from_grads(loss.backward(), &self.model);
        self.model = self.optimizer.step(lr, self.model.clone(), grads);
        Ok(value)
    }

    /// The model without autodiff, for evaluation and saving.
    pub fn inference_model(&self) -> Cmin {
        self.model.valid()
    }
}
