//! The parser's file as safetensors: a builder of named typed tensors with string metadata, and
//! a reader whose every access checks the tensor's dtype and shape, so a damaged or foreign
//! file is an error, never a panic.

use std::collections::HashMap;

use safetensors::{Dtype, SafeTensors};

use crate::error::{ParserError, Result};

/// Tensors and metadata to write.
#[derive(Default)]
pub struct Tensors {
    tensors: Vec<(String, Dtype, Vec<usize>, Vec<u8>)>,
    metadata: HashMap<String, String>,
}

impl Tensors {
    pub fn metadata(&mut self, key: &str, value: &str) {
        self.metadata.insert(key.into(), value.into());
    }

    fn push(&mut self, name: &str, dtype: Dtype, shape: &[usize], bytes: Vec<u8>) {
        self.tensors.push((name.into(), dtype, shape.to_vec(), bytes));
    }

    pub fn u8s(&mut self, name: &str, shape: &[usize], values: impl IntoIterator<Item = u8>) {
        self.push(name, Dtype::U8, shape, values.into_iter().collect());
    }

    pub fn i8s(&mut self, name: &str, shape: &[usize], values: impl IntoIterator<Item = i8>) {
        self.push(name, Dtype::I8, shape, values.into_iter().map(|v| v as u8).collect());
    }

    pub fn u16s(&mut self, name: &str, shape: &[usize], values: impl IntoIterator<Item = u16>) {
        self.push(name, Dtype::U16, shape, values.into_iter().flat_map(u16::to_le_bytes).collect());
    }

    pub fn f32s(&mut self, name: &str, shape: &[usize], values: impl IntoIterator<Item = f32>) {
        self.push(name, Dtype::F32, shape, values.into_iter().flat_map(f32::to_le_bytes).collect());
    }

    /// Words as UTF-8 joined by newlines (none holds one).
    pub fn words<'a>(&mut self, name: &str, words: impl Iterator<Item = &'a str>) {
        let text = words.collect::<Vec<_>>().join("\n").into_bytes();
        self.push(name, Dtype::U8, &[text.len()], text);
    }

    pub fn serialize(self) -> Vec<u8> {
        let views = self.tensors.iter().map(|(name, dtype, shape, bytes)| {
            let view = safetensors::tensor::TensorView::new(*dtype, shape.clone(), bytes).expect("sizes agree");
            (name.clone(), view)
        });
        let bytes = safetensors::serialize(views, Some(self.metadata)).expect("in-memory tensors serialise");
        with_sorted_header(&bytes)
    }
}

/// The same safetensors file with its header's keys in order: safetensors writes the metadata
/// in a hash map's order, which changes from run to run, and the same model must give the same
/// bytes.
pub fn with_sorted_header(bytes: &[u8]) -> Vec<u8> {
    let length = u64::from_le_bytes(bytes[..8].try_into().expect("a serialised file has a header")) as usize;
    let header: std::collections::BTreeMap<String, serde_json::Value> =
        serde_json::from_slice(&bytes[8..8 + length]).expect("a serialised header is JSON");
    let sorted = |value: serde_json::Value| match value {
        serde_json::Value::Object(map) => serde_json::Value::Object(
            map.into_iter().collect::<std::collections::BTreeMap<_, _>>().into_iter().collect(),
        ),
        other => other,
    };
    let header: serde_json::Map<String, serde_json::Value> = header.into_iter().map(|(k, v)| (k, sorted(v))).collect();
    let mut text = serde_json::to_vec(&header).expect("JSON serialises");
    // safetensors aligns the data to 8 bytes with spaces.
    text.resize(text.len().div_ceil(8) * 8, b' ');
    let mut out = (text.len() as u64).to_le_bytes().to_vec();
    out.extend(text);
    out.extend_from_slice(&bytes[8 + length..]);
    out
}

/// A file being read.
pub struct TensorFile<'a> {
    file: SafeTensors<'a>,
    metadata: HashMap<String, String>,
}

fn bad(message: impl std::fmt::Display) -> ParserError {
    ParserError::Model(message.to_string())
}

impl<'a> TensorFile<'a> {
    /// Opens a safetensors file whose metadata says it is `format` at `version`.
    pub fn parse(bytes: &'a [u8], format: &str, version: &str) -> Result<Self> {
        let (_, header) = SafeTensors::read_metadata(bytes)
            .map_err(|e| bad(format!("not a cmin parser model (safetensors: {e})")))?;
        let metadata = header.metadata().clone().unwrap_or_default();
        if metadata.get("format").map(String::as_str) != Some(format) {
            return Err(bad(format!(
                "a safetensors file without the metadata format = {format:?}: not a parser model"
            )));
        }
        match metadata.get("format_version").map(String::as_str) {
            Some(v) if v == version => {}
            other => {
                return Err(bad(format!(
                    "parser format version {}; this version of cmin-wasm reads version {version}: use the parser \
                     file shipped with it (parser-en-ewt.safetensors), or retrain (`cmin parser train`)",
                    other.unwrap_or("(none)")
                )));
            }
        }
        let file = SafeTensors::deserialize(bytes).map_err(|e| bad(format!("safetensors: {e}")))?;
        Ok(TensorFile { file, metadata })
    }

    pub fn metadata(&self, key: &str) -> Option<&str> {
        self.metadata.get(key).map(String::as_str)
    }

    pub fn has(&self, name: &str) -> bool {
        self.file.tensor(name).is_ok()
    }

    /// The bytes of `name`, checked to be `dtype` of `shape` (`[]`: one dimension, any length).
    fn bytes(&self, name: &str, dtype: Dtype, shape: &[usize]) -> Result<&'a [u8]> {
        let tensor = self.file.tensor(name).map_err(|_| bad(format!("no tensor {name:?}")))?;
        if tensor.dtype() != dtype {
            return Err(bad(format!("{name} is {:?}, expected {dtype:?}", tensor.dtype())));
        }
        let fits = if shape.is_empty() { tensor.shape().len() == 1 } else { tensor.shape() == shape };
        if !fits {
            return Err(bad(format!("{name} has shape {:?}, expected {shape:?}", tensor.shape())));
        }
        Ok(tensor.data())
    }

    pub fn u8s(&self, name: &str, shape: &[usize]) -> Result<Vec<u8>> {
        Ok(self.bytes(name, Dtype::U8, shape)?.to_vec())
    }

    pub fn i8s(&self, name: &str, shape: &[usize]) -> Result<Vec<i8>> {
        Ok(self.bytes(name, Dtype::I8, shape)?.iter().map(|&b| b as i8).collect())
    }

    pub fn u16s(&self, name: &str, shape: &[usize]) -> Result<Vec<u16>> {
        Ok(self.bytes(name, Dtype::U16, shape)?.chunks_exact(2).map(|b| u16::from_le_bytes([b[0], b[1]])).collect())
    }

    /// Finite `f32`s.
    pub fn f32s(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>> {
        let bytes = self.bytes(name, Dtype::F32, shape)?;
        let values: Vec<f32> = bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
        if values.iter().any(|v| !v.is_finite()) {
            return Err(bad(format!("{name} holds a value that is not finite")));
        }
        Ok(values)
    }

    /// Words stored by [`Tensors::words`]; none may repeat.
    pub fn words(&self, name: &str) -> Result<Vec<String>> {
        let bytes = self.bytes(name, Dtype::U8, &[])?;
        if bytes.is_empty() {
            return Ok(vec![]);
        }
        let text = std::str::from_utf8(bytes).map_err(|_| bad(format!("{name} is not UTF-8")))?;
        let words: Vec<String> = text.split('\n').map(String::from).collect();
        let mut seen = std::collections::HashSet::with_capacity(words.len());
        if let Some(w) = words.iter().find(|w| !seen.insert(w.as_str())) {
            return Err(bad(format!("{name}: {w:?} appears twice")));
        }
        Ok(words)
    }
}
