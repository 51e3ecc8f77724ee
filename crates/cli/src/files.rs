//! The commands' file I/O: every failure names the path (through `cmin_train::error::{reading, writing}`).

use std::path::Path;

use cmin_model::burn::tensor::Device;
use cmin_model::{Cmin, weights};

use crate::error::{CliError, Result};

use cmin_train::error::{reading, writing};

pub fn read(path: impl AsRef<Path>) -> Result<Vec<u8>> {
    let path = path.as_ref();
    Ok(reading(path, std::fs::read(path))?)
}

pub fn read_to_string(path: impl AsRef<Path>) -> Result<String> {
    let path = path.as_ref();
    Ok(reading(path, std::fs::read_to_string(path))?)
}

pub fn write(path: impl AsRef<Path>, bytes: impl AsRef<[u8]>) -> Result<()> {
    let path = path.as_ref();
    Ok(writing(path, std::fs::write(path, bytes))?)
}

pub fn create_dir_all(path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    Ok(writing(path, std::fs::create_dir_all(path))?)
}

pub fn create(path: impl AsRef<Path>) -> Result<std::fs::File> {
    let path = path.as_ref();
    Ok(writing(path, std::fs::File::create(path))?)
}

/// A model config from a JSON file, else a named preset, else none.
pub fn model_config(path: Option<&Path>, preset: Option<&str>) -> Result<Option<cmin_model::CminConfig>> {
    use cmin_model::{CminConfig, CminError};
    if let Some(path) = path {
        let config = serde_json::from_str(&read_to_string(path)?).map_err(|e| CminError::Config(e.to_string()))?;
        return Ok(Some(config));
    }
    match preset {
        None => Ok(None),
        Some("reference_tacos") => Ok(Some(CminConfig::reference_tacos())),
        Some("reference_activitynet") => Ok(Some(CminConfig::reference_activitynet())),
        Some(other) => Err(CliError::Option(format!("unknown preset {other:?}"))),
    }
}

/// A model from a safetensors file, with the config its metadata or `config` gives.
pub fn load_weights(path: &Path, config: Option<&cmin_model::CminConfig>, device: &Device) -> Result<Cmin> {
    Ok(weights::load(&read(path)?, config, device)?)
}

/// The parser model file at `path`.
pub fn load_parser(path: &Path) -> Result<cmin_query::parsing::ParserModel> {
    Ok(cmin_query::parsing::ParserModel::from_bytes(&read(path)?)?)
}
