//! The options `cmin eval` and `cmin search` share: the model, the annotated videos, how a
//! video's length is read, and what turns sentences into model input.

use std::path::PathBuf;

use crate::error::{CliError, Result};
use crate::query_inputs::QueryInputs;
use cmin_model::{Localizer, TimeScale};
use cmin_train::data::annotations::{Annotations, Format, read_file};
use cmin_train::device;

#[derive(clap::Args)]
pub struct DatasetArgs {
    /// Model weights (.safetensors). Ours carry their config; a reference state dict needs
    /// --preset or --config.
    #[arg(long)]
    pub weights: PathBuf,
    /// reference_tacos or reference_activitynet.
    #[arg(long)]
    preset: Option<String>,
    /// A CminConfig as JSON.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Annotations: reference JSON, 2D-TAN JSON or Charades-STA lines (detected).
    #[arg(long)]
    pub annotations: PathBuf,
    /// reference, 2dtan or charades-sta (default: detect).
    #[arg(long)]
    format: Option<String>,
    /// Directory with one <video>.npy of clip features [clips, dim] per video.
    #[arg(long)]
    pub features: PathBuf,
    #[command(flatten)]
    pub inputs: QueryInputs,
    /// cpu or wgpu.
    #[arg(long, default_value = "cpu")]
    device: String,
    /// How a video's length is read: `model` (windows at the model's clip length, when its
    /// weights record one), `whole` (every video resampled to the model's clips, as the
    /// reference), or seconds per clip.
    #[arg(long, default_value = "model")]
    scale: String,
}

impl DatasetArgs {
    /// The model on its device.
    pub fn localizer(&self) -> Result<Localizer> {
        let device = device::by_name(&self.device)?;
        let config = crate::files::model_config(self.config.as_deref(), self.preset.as_deref())?;
        Ok(Localizer::new(crate::files::load_weights(&self.weights, config.as_ref(), &device)?, device))
    }

    pub fn annotations(&self) -> Result<Annotations> {
        let format = self.format.as_deref().map(Format::parse).transpose()?;
        Ok(read_file(&self.annotations, format)?)
    }

    /// `--scale`'s value.
    pub fn scale(&self) -> Result<TimeScale> {
        match self.scale.as_str() {
            "model" => Ok(TimeScale::Model),
            "whole" => Ok(TimeScale::Whole),
            seconds => match seconds.parse::<f64>() {
                Ok(s) if s.is_finite() && s > 0.0 => Ok(TimeScale::ClipSeconds(s)),
                _ => Err(CliError::Option(format!(
                    "--scale must be model, whole or a positive number of seconds per clip, not {:?}",
                    self.scale
                ))),
            },
        }
    }
}
