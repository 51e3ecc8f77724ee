//! Weights in and out: the authors' PyTorch state dict (safetensors, its parameter names) and
//! our own files, which use the same names plus the config in the safetensors metadata.

use burn::store::{ApplyError, KeyRemapper, ModuleSnapshot, SafetensorsStore};
use burn::tensor::Device;

use crate::config::CminConfig;
use crate::error::{CminError, Result};
use crate::model::Cmin;

/// Metadata key holding the config JSON in files we write.
pub const CONFIG_METADATA_KEY: &str = "cmin_config";
/// Metadata key of the fingerprint of that config and of the tensors' names and shapes: a
/// config edited after saving (fusion, heads, anchor order: none of them changes a shape) no
/// longer matches it.
pub const CHECKSUM_METADATA_KEY: &str = "cmin_checksum";

/// The reference keeps the single interaction stage and the head at the top level; we nest
/// them (`stages.N`, `head`) so stacked stages fit. (from, to) for loading.
const LOAD_RENAMES: [(&str, &str); 2] =
    [(r"^(v2s|cross_gate|fusion|rnn)\.", "stages.0.${1}."), (r"^(fc_score|fc_reg)\.", "head.${1}.")];
const SAVE_RENAMES: [(&str, &str); 2] =
    [(r"^stages\.0\.(v2s|cross_gate|fusion|rnn)\.", "${1}."), (r"^head\.(fc_score|fc_reg)\.", "${1}.")];

/// Metadata key and value of the version of our file format. A file with our config and
/// another version (or none: files of cmin-wasm before 0.2) is refused with what to do.
pub const FORMAT_VERSION_METADATA_KEY: &str = "cmin_format_version";
pub const FORMAT_VERSION: &str = "1";

/// Reference name of a model path, for error messages.
pub fn reference_name(path: &str) -> String {
    SAVE_RENAMES.iter().fold(path.to_string(), |p, (from, to)| {
        regex::Regex::new(from).expect("static pattern").replace(&p, *to).into_owned()
    })
}

fn remapper(pairs: &[(&str, &str)]) -> KeyRemapper {
    KeyRemapper::from_patterns(pairs.to_vec()).expect("static patterns")
}

/// The config stored in a file we wrote, if any; a file of ours in another format version is
/// an error.
pub fn read_config(bytes: &[u8]) -> Result<Option<CminConfig>> {
    let (_, metadata) =
        safetensors::SafeTensors::read_metadata(bytes).map_err(|e| CminError::malformed("safetensors weights", e))?;
    let stored = metadata.metadata().as_ref();
    let Some(json) = stored.and_then(|m| m.get(CONFIG_METADATA_KEY)) else { return Ok(None) };
    match stored.and_then(|m| m.get(FORMAT_VERSION_METADATA_KEY)).map(String::as_str) {
        Some(FORMAT_VERSION) => {}
        version => {
            return Err(CminError::malformed(
                "safetensors weights",
                format!(
                    "written in cmin's weight format {}; this version reads format {FORMAT_VERSION}: \
                     save them again with this version (`cmin upgrade-weights FILE`)",
                    version.map_or("from before 0.2 (no cmin_format_version)".to_string(), |v| format!("{v:?}"))
                ),
            ));
        }
    }
    serde_json::from_str(json).map(Some).map_err(|e| CminError::malformed("config in weights metadata", e))
}

/// FNV-1a over the config JSON as stored and the sorted tensor names and shapes.
fn fingerprint(config_json: &str, bytes: &[u8]) -> Result<String> {
    let (_, metadata) =
        safetensors::SafeTensors::read_metadata(bytes).map_err(|e| CminError::malformed("safetensors weights", e))?;
    let mut tensors: Vec<(String, Vec<usize>)> =
        metadata.tensors().into_iter().map(|(name, info)| (name, info.shape.clone())).collect();
    tensors.sort();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| bytes.iter().for_each(|&b| h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3));
    feed(config_json.as_bytes());
    for (name, shape) in &tensors {
        feed(&[0]);
        feed(name.as_bytes());
        shape.iter().for_each(|d| feed(&(*d as u64).to_le_bytes()));
    }
    Ok(format!("fnv1a64:{h:016x}"))
}

/// Refuses a file of ours whose stored config no longer matches the fingerprint written with it.
fn check_fingerprint(bytes: &[u8]) -> Result<()> {
    let (_, metadata) =
        safetensors::SafeTensors::read_metadata(bytes).map_err(|e| CminError::malformed("safetensors weights", e))?;
    let stored = metadata.metadata().as_ref();
    let (Some(config), Some(checksum)) =
        (stored.and_then(|m| m.get(CONFIG_METADATA_KEY)), stored.and_then(|m| m.get(CHECKSUM_METADATA_KEY)))
    else {
        return Ok(()); // files from before the fingerprint, and reference state dicts
    };
    if fingerprint(config, bytes)? != *checksum {
        return Err(CminError::malformed(
            "safetensors weights",
            "the config stored in this file does not match the one it was saved with (edited after training?): \
             these weights would answer differently than they were trained to",
        ));
    }
    Ok(())
}

/// Every tensor whole, of a floating-point dtype and finite, checked before a model is built:
/// a damaged or foreign file is named by its first bad tensor instead of loading NaNs.
pub fn check_tensors(bytes: &[u8]) -> Result<()> {
    use safetensors::Dtype;
    let tensors =
        safetensors::SafeTensors::deserialize(bytes).map_err(|e| CminError::malformed("safetensors weights", e))?;
    for (name, view) in tensors.iter() {
        let data = view.data();
        let word = |i: usize, n: usize| &data[i * n..(i + 1) * n];
        let (count, first_bad) = match view.dtype() {
            Dtype::F32 => {
                let n = data.len() / 4;
                (n, (0..n).find(|&i| !f32::from_le_bytes(word(i, 4).try_into().expect("4 bytes")).is_finite()))
            }
            Dtype::F64 => {
                let n = data.len() / 8;
                (n, (0..n).find(|&i| !f64::from_le_bytes(word(i, 8).try_into().expect("8 bytes")).is_finite()))
            }
            // All exponent bits set is infinity or NaN in both 16-bit formats.
            Dtype::F16 | Dtype::BF16 => {
                let mask = if view.dtype() == Dtype::F16 { 0x7C00 } else { 0x7F80 };
                let n = data.len() / 2;
                (n, (0..n).find(|&i| u16::from_le_bytes([data[2 * i], data[2 * i + 1]]) & mask == mask))
            }
            other => {
                return Err(CminError::malformed(
                    "safetensors weights",
                    format!("tensor {name:?} has dtype {other:?}: weights must be F32, F16, BF16 or F64"),
                ));
            }
        };
        if let Some(i) = first_bad {
            return Err(CminError::malformed(
                "safetensors weights",
                format!("tensor {name:?} holds a NaN or infinite value at index {i} of {count}"),
            ));
        }
    }
    Ok(())
}

/// Builds a model from safetensors bytes. `config` is required for reference files (they carry
/// none); for our files it may be omitted, and if given must equal the stored one.
pub fn load(bytes: &[u8], config: Option<&CminConfig>, device: &Device) -> Result<Cmin> {
    let stored = read_config(bytes)?;
    check_fingerprint(bytes)?;
    let config = match (config, stored) {
        (Some(given), Some(stored)) if *given != stored => {
            return Err(CminError::Config(format!(
                "the weights were saved with a different config: {}",
                serde_json::to_string(&stored).unwrap_or_default()
            )));
        }
        (Some(given), _) => given.clone(),
        (None, Some(stored)) => stored,
        (None, None) => {
            return Err(CminError::Config("these weights carry no config (a reference state dict?): pass one".into()));
        }
    };
    config.validate()?;
    check_tensors(bytes)?;
    let mut model = config.init(device);
    let mut store = SafetensorsStore::from_bytes(Some(bytes.to_vec()))
        .remap(remapper(&LOAD_RENAMES))
        .allow_partial(true)
        .validate(false);
    let result = model.load_from(&mut store).map_err(|e| CminError::malformed("safetensors weights", e))?;
    if let Some(error) = result.errors.first() {
        return Err(match error {
            ApplyError::ShapeMismatch { path, expected, found } => CminError::TensorShape {
                name: reference_name(path),
                expected: expected.as_slice().to_vec(),
                found: found.as_slice().to_vec(),
            },
            other => CminError::malformed("safetensors weights", other),
        });
    }
    if let Some((path, _)) = result.missing.first() {
        return Err(CminError::MissingTensor(reference_name(path)));
    }
    if !result.unused.is_empty() {
        let names: Vec<String> = result.unused.iter().map(|p| reference_name(p)).collect();
        return Err(CminError::UnexpectedTensors(names.join(", ")));
    }
    Ok(model)
}

/// A file of ours from before format versions (cmin-wasm 0.1) in the current format: the same
/// tensors and metadata, with the format version added. The config's fingerprint must hold.
pub fn upgrade(bytes: &[u8]) -> Result<Vec<u8>> {
    let bad = |e: &dyn std::fmt::Display| CminError::malformed("safetensors weights", e);
    let (_, metadata) = safetensors::SafeTensors::read_metadata(bytes).map_err(|e| bad(&e))?;
    let mut stored = metadata.metadata().clone().unwrap_or_default();
    if !stored.contains_key(CONFIG_METADATA_KEY) {
        return Err(bad(&"no cmin_config: a reference state dict needs no upgrade (load it with its config)"));
    }
    if let Some(version) = stored.get(FORMAT_VERSION_METADATA_KEY) {
        return Err(bad(&format!("already in cmin's weight format {version:?}")));
    }
    check_fingerprint(bytes)?;
    stored.insert(FORMAT_VERSION_METADATA_KEY.into(), FORMAT_VERSION.into());
    let file = safetensors::SafeTensors::deserialize(bytes).map_err(|e| bad(&e))?;
    safetensors::serialize(file.tensors(), Some(stored)).map_err(|e| bad(&e))
}

/// Serializes a model: reference parameter names; the config and its fingerprint with the
/// tensors' names and shapes in the metadata.
pub fn save(model: &Cmin) -> Result<Vec<u8>> {
    let config = serde_json::to_string(model.config()).map_err(|e| CminError::malformed("config", e))?;
    let serialize = |metadata: &[(&str, &str)]| -> Result<Vec<u8>> {
        let mut store = SafetensorsStore::from_bytes(None).remap(remapper(&SAVE_RENAMES));
        for (key, value) in metadata {
            store = store.metadata(*key, *value);
        }
        model.save_into(&mut store).map_err(|e| CminError::malformed("weights being saved", e))?;
        store.get_bytes().map_err(|e| CminError::malformed("weights being saved", e))
    };
    // The names and shapes are those of the first serialization; the second adds their print.
    let checksum = fingerprint(&config, &serialize(&[(CONFIG_METADATA_KEY, &config)])?)?;
    serialize(&[
        (CONFIG_METADATA_KEY, &config),
        (CHECKSUM_METADATA_KEY, &checksum),
        (FORMAT_VERSION_METADATA_KEY, FORMAT_VERSION),
    ])
}
