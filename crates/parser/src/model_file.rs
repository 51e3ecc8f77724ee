//! The compact model file (`CMINPRS1`): a JSON header (provenance, tag and label lists), the
//! word clusters, the tag dictionary, and both perceptrons' sparse weights, one byte each on a log scale;
//! then, optionally, the neural scorer (`neural_file`).
//! Reading validates every length and index, so a damaged file is an error, never a panic.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::arc_hybrid::DependencyParser;
use crate::error::{ParserError, Result};
use crate::file_reader::Reader;
use crate::model::Model;
use crate::perceptron::Frozen;
use crate::tagger::Tagger;
use crate::words::Clusters;

const MAGIC: &[u8; 8] = b"CMINPRS1";

#[derive(Serialize, Deserialize)]
struct Header {
    tags: Vec<String>,
    labels: Vec<String>,
    provenance: serde_json::Value,
}

impl Model {
    pub fn from_bytes(bytes: &[u8]) -> Result<Model> {
        read(bytes)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        write(self)
    }
}

fn write(model: &Model) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    let header = Header {
        tags: model.tagger.tags.clone(),
        labels: model.parser.labels.clone(),
        provenance: model.provenance.clone(),
    };
    let json = serde_json::to_vec(&header).expect("header serialises");
    out.extend((json.len() as u32).to_le_bytes());
    out.extend(json);

    let mut words: Vec<(&String, &(u16, u16))> =
        model.clusters.map.iter().filter(|(w, _)| w.len() <= u8::MAX as usize).collect();
    words.sort();
    out.extend((words.len() as u32).to_le_bytes());
    for (w, (coarse, fine)) in words {
        out.push(w.len() as u8);
        out.extend(w.as_bytes());
        out.extend(coarse.to_le_bytes());
        out.extend(fine.to_le_bytes());
    }

    let mut dict: Vec<(&String, &u8)> =
        model.tagger.dictionary.iter().filter(|(w, _)| w.len() <= u8::MAX as usize).collect();
    dict.sort();
    out.extend((dict.len() as u32).to_le_bytes());
    for (w, t) in dict {
        out.push(w.len() as u8);
        out.extend(w.as_bytes());
        out.push(*t);
    }
    write_weights(&model.tagger.weights, &mut out);
    write_weights(&model.parser.weights, &mut out);
    if let Some(neural) = &model.neural {
        crate::neural_file::write(neural, &mut out);
    }
    out
}

/// Rows as the frozen weights hold them: delta-coded keys, then `[class, code]` pairs.
fn write_weights(w: &Frozen, out: &mut Vec<u8>) {
    out.extend((w.classes as u32).to_le_bytes());
    out.extend((w.keys.len() as u32).to_le_bytes());
    out.extend(w.min.to_le_bytes());
    out.extend(w.step.to_le_bytes());
    let mut previous = 0u32;
    for (r, &key) in w.keys.iter().enumerate() {
        write_varint(key - previous, out);
        previous = key;
        let (a, b) = (w.offsets[r] as usize, w.offsets[r + 1] as usize);
        out.push((b - a) as u8);
        for pair in &w.entries[a..b] {
            out.extend(pair);
        }
    }
}

fn write_varint(mut v: u32, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn read(bytes: &[u8]) -> Result<Model> {
    if bytes.len() < 8 || &bytes[..8] != MAGIC {
        return Err(ParserError::Model("not a cmin parser model (bad magic; expected CMINPRS1)".into()));
    }
    let mut r = Reader::new(bytes, 8);
    let len = r.count(1)?;
    let header: Header =
        serde_json::from_slice(r.take(len)?).map_err(|e| ParserError::Model(format!("header: {e}")))?;
    if header.tags.is_empty() || header.tags.len() > 255 || header.labels.is_empty() || header.labels.len() > 127 {
        return Err(ParserError::Model("tag or label list empty or too long".into()));
    }
    let mut clusters = HashMap::new();
    for _ in 0..r.count(5)? {
        let w = r.string()?;
        let (coarse, fine) = (r.u16()?, r.u16()?);
        clusters.insert(w, (coarse, fine));
    }
    let mut dictionary = HashMap::new();
    for _ in 0..r.count(2)? {
        let w = r.string()?;
        let t = r.u8()?;
        if t as usize >= header.tags.len() {
            return Err(ParserError::Model(format!("tag dictionary names tag {t}")));
        }
        dictionary.insert(w, t);
    }
    let tag_weights = read_weights(&mut r, header.tags.len())?;
    let parse_weights = read_weights(&mut r, crate::transition::num_actions(header.labels.len()))?;
    let neural = if bytes[r.at..].starts_with(crate::neural_file::MAGIC) {
        r.take(crate::neural_file::MAGIC.len())?;
        let n = crate::neural_file::read(&mut r)?;
        // Tag ids are the tagger's plus one (0 is the root).
        if n.tags.values.len() / n.tags.dim != header.tags.len() + 1 {
            return Err(ParserError::Model("the neural parser's tag table does not match the tagger".into()));
        }
        Some(n)
    } else {
        None
    };
    if r.at != bytes.len() {
        return Err(ParserError::Model(format!("{} unexpected bytes after the weights", bytes.len() - r.at)));
    }
    Ok(Model {
        clusters: Clusters { map: clusters },
        tagger: Tagger { tags: header.tags, dictionary, weights: tag_weights },
        parser: DependencyParser { labels: header.labels, weights: parse_weights },
        neural,
        provenance: header.provenance,
    })
}

fn read_weights(r: &mut Reader, classes: usize) -> Result<Frozen> {
    let stored = r.u32()? as usize;
    if stored != classes {
        return Err(ParserError::Model(format!("weights for {stored} classes, the label list implies {classes}")));
    }
    let n = r.count(2)?;
    let (min, step) = (r.f32()?, r.f32()?);
    if !(min.is_finite() && min > 0.0 && step.is_finite() && step > 0.0) {
        return Err(ParserError::Model(format!("weight scale {min} / {step} is not positive and finite")));
    }
    let (mut keys, mut offsets, mut entries) = (Vec::with_capacity(n), vec![0u32], Vec::new());
    let mut key = 0u32;
    for i in 0..n {
        let delta = r.varint()?;
        if i > 0 && delta == 0 {
            return Err(ParserError::Model("feature keys repeat".into()));
        }
        key = key.checked_add(delta).ok_or_else(|| ParserError::Model("feature key overflows".into()))?;
        let nnz = r.u8()? as usize;
        if nnz == 0 {
            return Err(ParserError::Model("an empty weight row".into()));
        }
        for _ in 0..nnz {
            let (c, q) = (r.u8()?, r.u8()?);
            if c as usize >= classes {
                return Err(ParserError::Model(format!("class {c} out of range")));
            }
            if q == 0 || q == 0x80 {
                return Err(ParserError::Model(format!("weight code {q:#x} is not used by the format")));
            }
            entries.push([c, q]);
        }
        keys.push(key);
        offsets.push(entries.len() as u32);
    }
    if entries.len() >= 1 << 24 {
        return Err(ParserError::Model("more weights than the format allows".into()));
    }
    Ok(Frozen::from_codes(classes, keys, offsets, entries, min, step))
}
