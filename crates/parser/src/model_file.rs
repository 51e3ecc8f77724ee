//! The parser's model file: safetensors. Metadata: `format` = `cmin-parser`, `format_version`,
//! `templates` (the features' fingerprint, [`crate::templates`]) and `header` (JSON: tag and
//! label lists, provenance). Tensors: the word clusters and the tag dictionary (words as UTF-8
//! joined by newlines, with their ids), both perceptrons' sparse weights (per row the key's
//! distance from the previous key, as unsigned LEB128, and the row's length; `[class, code]`
//! pairs, one byte per weight on a log scale) and, optionally, the neural scorer (`neural_file`).
//! Reading validates every shape, length and index, so a damaged file is an error, never a panic.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::arc_hybrid::DependencyParser;
use crate::error::{ParserError, Result};
use crate::model::Model;
use crate::perceptron::Frozen;
use crate::tagger::Tagger;
use crate::tensor_file::{TensorFile, Tensors};
use crate::words::Clusters;

pub const FORMAT: &str = "cmin-parser";
pub const FORMAT_VERSION: &str = "2";
/// The first bytes of the format of cmin-wasm 0.1.
const OLD_MAGIC: &[u8; 8] = b"CMINPRS1";

#[derive(Serialize, Deserialize)]
struct Header {
    tags: Vec<String>,
    labels: Vec<String>,
    provenance: serde_json::Value,
}

impl Model {
    pub fn from_bytes(bytes: &[u8]) -> Result<Model> {
        if bytes.starts_with(OLD_MAGIC) {
            return Err(ParserError::Model(
                "this parser file is in the format of cmin-wasm 0.1 (CMINPRS1), no longer read: use the package's \
                 parser-en-ewt.safetensors, or retrain (`cmin parser train`)"
                    .into(),
            ));
        }
        read(bytes)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        write(self)
    }
}

fn write(model: &Model) -> Vec<u8> {
    let mut t = Tensors::default();
    let header = Header {
        tags: model.tagger.tags.clone(),
        labels: model.parser.labels.clone(),
        provenance: model.provenance.clone(),
    };
    t.metadata("format", FORMAT);
    t.metadata("format_version", FORMAT_VERSION);
    t.metadata("templates", &crate::templates::fingerprint());
    t.metadata("header", &serde_json::to_string(&header).expect("header serialises"));

    let mut words: Vec<(&String, &(u16, u16))> = model.clusters.map.iter().collect();
    words.sort();
    t.words("clusters.words", words.iter().map(|(w, _)| w.as_str()));
    t.u16s("clusters.ids", &[words.len(), 2], words.iter().flat_map(|&(_, &(c, f))| [c, f]));

    let mut dict: Vec<(&String, &u8)> = model.tagger.dictionary.iter().collect();
    dict.sort();
    t.words("dictionary.words", dict.iter().map(|(w, _)| w.as_str()));
    t.u8s("dictionary.tags", &[dict.len()], dict.iter().map(|&(_, &tag)| tag));

    write_weights(&mut t, "tagger", &model.tagger.weights);
    write_weights(&mut t, "parser", &model.parser.weights);
    if let Some(neural) = &model.neural {
        crate::neural_file::write(neural, &mut t);
    }
    t.serialize()
}

/// Rows as the frozen weights hold them: each key as its distance from the previous one and
/// the row's length, then every row's `[class, code]` pairs. The keys are hashes spread over 32
/// bits, so their distances need two or three bytes, not a u32's four: as LEB128 (the
/// variable-length integers of WebAssembly and DWARF) they take 2.4 bytes each in the shipped
/// parser.
fn write_weights(t: &mut Tensors, name: &str, w: &Frozen) {
    let rows = w.keys.len();
    let mut deltas = Vec::with_capacity(3 * rows);
    let mut previous = 0u32;
    for &key in &w.keys {
        leb128::write::unsigned(&mut deltas, u64::from(key - previous)).expect("writing to memory");
        previous = key;
    }
    t.u8s(&format!("{name}.key_deltas"), &[deltas.len()], deltas);
    t.u8s(&format!("{name}.row_lengths"), &[rows], w.offsets.windows(2).map(|o| (o[1] - o[0]) as u8));
    t.u8s(&format!("{name}.entries"), &[w.entries.len(), 2], w.entries.iter().flatten().copied());
    t.f32s(&format!("{name}.scale"), &[2], [w.min, w.step]);
}

fn read(bytes: &[u8]) -> Result<Model> {
    let file = TensorFile::parse(bytes, FORMAT, FORMAT_VERSION)?;
    let templates = crate::templates::fingerprint();
    match file.metadata("templates") {
        Some(stored) if stored == templates => {}
        stored => {
            return Err(ParserError::Model(format!(
                "this parser was trained with other features (templates {}; this code's are {templates}): its \
                 weights would not mean what the code reads; retrain it with this version",
                stored.unwrap_or("(none)")
            )));
        }
    }
    let header: Header = serde_json::from_str(file.metadata("header").unwrap_or_default())
        .map_err(|e| ParserError::Model(format!("header: {e}")))?;
    if header.tags.is_empty() || header.tags.len() > 255 || header.labels.is_empty() || header.labels.len() > 127 {
        return Err(ParserError::Model("tag or label list empty or too long".into()));
    }
    let words = file.words("clusters.words")?;
    let ids = file.u16s("clusters.ids", &[words.len(), 2])?;
    let clusters: HashMap<String, (u16, u16)> =
        words.into_iter().zip(ids.chunks_exact(2).map(|c| (c[0], c[1]))).collect();

    let words = file.words("dictionary.words")?;
    let tags = file.u8s("dictionary.tags", &[words.len()])?;
    if let Some(&t) = tags.iter().find(|&&t| t as usize >= header.tags.len()) {
        return Err(ParserError::Model(format!("tag dictionary names tag {t}")));
    }
    let dictionary: HashMap<String, u8> = words.into_iter().zip(tags).collect();

    let tag_weights = read_weights(&file, "tagger", header.tags.len())?;
    let parse_weights = read_weights(&file, "parser", crate::transition::num_actions(header.labels.len()))?;
    let neural = if file.has("neural.words.codes") {
        let n = crate::neural_file::read(&file)?;
        // Tag ids are the tagger's plus one (0 is the root).
        if n.tags.values.len() / n.tags.dim != header.tags.len() + 1 {
            return Err(ParserError::Model("the neural parser's tag table does not match the tagger".into()));
        }
        Some(n)
    } else {
        None
    };
    Ok(Model {
        clusters: Clusters { map: clusters },
        tagger: Tagger { tags: header.tags, dictionary, weights: tag_weights },
        parser: DependencyParser { labels: header.labels, weights: parse_weights },
        neural,
        provenance: header.provenance,
    })
}

fn read_weights(file: &TensorFile, name: &str, classes: usize) -> Result<Frozen> {
    let deltas = file.u8s(&format!("{name}.key_deltas"), &[])?;
    let lengths = file.u8s(&format!("{name}.row_lengths"), &[])?;
    let total: usize = lengths.iter().map(|&l| l as usize).sum();
    let codes = file.u8s(&format!("{name}.entries"), &[total, 2])?;
    let scale = file.f32s(&format!("{name}.scale"), &[2])?;
    let (min, step) = (scale[0], scale[1]);
    if !(min.is_finite() && min > 0.0 && step.is_finite() && step > 0.0) {
        return Err(ParserError::Model(format!("{name}: weight scale {min} / {step} is not positive and finite")));
    }
    if total >= 1 << 24 {
        return Err(ParserError::Model(format!("{name}: more weights than the format allows")));
    }
    let (mut keys, mut offsets, mut key) = (Vec::with_capacity(lengths.len()), vec![0u32], 0u32);
    let mut deltas = deltas.as_slice();
    for (i, &length) in lengths.iter().enumerate() {
        let delta = leb128::read::unsigned(&mut deltas)
            .ok()
            .and_then(|d| u32::try_from(d).ok())
            .ok_or_else(|| ParserError::Model(format!("{name}: key {i} is missing or past 32 bits")))?;
        if i > 0 && delta == 0 {
            return Err(ParserError::Model(format!("{name}: feature keys repeat")));
        }
        if length == 0 {
            return Err(ParserError::Model(format!("{name}: an empty weight row")));
        }
        key = key.checked_add(delta).ok_or_else(|| ParserError::Model(format!("{name}: feature key overflows")))?;
        keys.push(key);
        offsets.push(offsets[i] + length as u32);
    }
    if !deltas.is_empty() {
        return Err(ParserError::Model(format!("{name}: more key distances than rows")));
    }
    let entries: Vec<[u8; 2]> = codes.chunks_exact(2).map(|p| [p[0], p[1]]).collect();
    for &[c, q] in &entries {
        if c as usize >= classes {
            return Err(ParserError::Model(format!("{name}: class {c} out of range")));
        }
        if q == 0 || q == 0x80 {
            return Err(ParserError::Model(format!("{name}: weight code {q:#x} is not used by the format")));
        }
    }
    Ok(Frozen::from_codes(classes, keys, offsets, entries, min, step))
}
