//! The neural scorer in the parser's model file: a JSON header (the `neural` metadata) with the
//! dimensions and labels, the vocabulary (`neural.vocabulary`: words joined by newlines, ids 2,
//! 3, ... in order), then every matrix as rows of int8 with one f32 scale per
//! row (a quarter of f32's size; see BENCHMARKS.md for what it costs in accuracy), biases as
//! f32, each a `neural.*` tensor. Every shape is derived from the header and checked.

use serde::{Deserialize, Serialize};

use crate::error::{ParserError, Result};
use crate::neural::{Dense, GruDirection, NeuralParser, Table};
use crate::neural_inputs::Lexicon;
use crate::tensor_file::{TensorFile, Tensors};

#[derive(Serialize, Deserialize)]
struct Header {
    labels: Vec<String>,
    suffix_buckets: u32,
    word_dim: usize,
    cluster_dim: usize,
    tag_dim: usize,
    suffix_dim: usize,
    clusters: usize,
    tags: usize,
    hidden: usize,
    layers: usize,
    arc_dim: usize,
    label_dim: usize,
}

/// Int8 rows with one scale per row: `{name}.codes` `[rows, cols]` and `{name}.scales` `[rows]`.
fn write_rows(t: &mut Tensors, name: &str, values: &[f32], cols: usize) {
    let rows = values.len() / cols.max(1);
    let mut scales = Vec::with_capacity(rows);
    let mut codes = Vec::with_capacity(values.len());
    for row in values.chunks(cols) {
        let max = row.iter().fold(0f32, |m, v| m.max(v.abs()));
        let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
        scales.push(scale);
        codes.extend(row.iter().map(|v| (v / scale).round().clamp(-127.0, 127.0) as i8));
    }
    t.i8s(&format!("{name}.codes"), &[rows, cols], codes);
    t.f32s(&format!("{name}.scales"), &[rows], scales);
}

fn write_dense(t: &mut Tensors, name: &str, d: &Dense) {
    write_rows(t, name, &d.weight(), d.d_in);
    t.f32s(&format!("{name}.bias"), &[d.d_out], d.bias().iter().copied());
}

pub fn write(p: &NeuralParser, t: &mut Tensors) {
    assert_eq!(p.words.values.len(), p.lexicon.size() * p.words.dim, "one word row per lexicon entry");
    let mut words: Vec<(&String, &u32)> = p.lexicon.words.iter().collect();
    words.sort_by_key(|(_, id)| **id);
    t.words("neural.vocabulary", words.into_iter().map(|(w, _)| w.as_str()));
    let header = Header {
        labels: p.labels.clone(),
        suffix_buckets: p.lexicon.suffix_buckets,
        word_dim: p.words.dim,
        cluster_dim: p.clusters.dim,
        tag_dim: p.tags.dim,
        suffix_dim: p.suffixes.dim,
        clusters: p.clusters.values.len() / p.clusters.dim,
        tags: p.tags.values.len() / p.tags.dim,
        hidden: p.rnn.first().map_or(0, |l| l[0].hidden.d_in),
        layers: p.rnn.len(),
        arc_dim: p.arc_dep.d_out,
        label_dim: p.label_dep.d_out,
    };
    t.metadata("neural", &serde_json::to_string(&header).expect("header serialises"));
    for (name, table) in [("words", &p.words), ("clusters", &p.clusters), ("tags", &p.tags), ("suffixes", &p.suffixes)]
    {
        write_rows(t, &format!("neural.{name}"), &table.values, table.dim);
    }
    for (l, layer) in p.rnn.iter().enumerate() {
        for (d, dir) in layer.iter().enumerate() {
            write_dense(t, &format!("neural.rnn.{l}.{d}.input"), &dir.input);
            write_dense(t, &format!("neural.rnn.{l}.{d}.hidden"), &dir.hidden);
        }
    }
    let dense = [
        ("arc_dep", &p.arc_dep),
        ("arc_head", &p.arc_head),
        ("label_dep", &p.label_dep),
        ("label_head", &p.label_head),
        ("arc_bilinear_t", &p.arc_bilinear_t),
        ("label_out", &p.label_out),
    ];
    for (name, d) in dense {
        write_dense(t, &format!("neural.{name}"), d);
    }
    t.f32s("neural.arc_head_bias", &[p.arc_head_bias.len()], p.arc_head_bias.iter().copied());
}

fn read_rows(file: &TensorFile, name: &str, rows: usize, cols: usize) -> Result<(Vec<i8>, Vec<f32>)> {
    let codes = file.i8s(&format!("{name}.codes"), &[rows, cols])?;
    let scales = file.f32s(&format!("{name}.scales"), &[rows])?;
    if let Some(s) = scales.iter().find(|&&s| s <= 0.0) {
        return Err(ParserError::Model(format!("{name}: row scale {s} is not positive")));
    }
    Ok((codes, scales))
}

fn read_dense(file: &TensorFile, name: &str, d_in: usize, d_out: usize) -> Result<Dense> {
    let (q, scale) = read_rows(file, name, d_out, d_in)?;
    Ok(Dense::quantized(d_in, d_out, &q, &scale, &file.f32s(&format!("{name}.bias"), &[d_out])?))
}

fn read_table(file: &TensorFile, name: &str, rows: usize, dim: usize) -> Result<Table> {
    let (q, scales) = read_rows(file, name, rows, dim)?;
    let values = q.iter().enumerate().map(|(k, &v)| v as f32 * scales[k / dim.max(1)]).collect();
    Ok(Table { dim, values })
}

/// Reads the neural scorer's tensors (`neural.*`) and header (the `neural` metadata).
pub fn read(file: &TensorFile) -> Result<NeuralParser> {
    let h: Header = serde_json::from_str(file.metadata("neural").unwrap_or_default())
        .map_err(|e| ParserError::Model(format!("neural header: {e}")))?;
    let dims = [h.word_dim, h.cluster_dim, h.tag_dim, h.suffix_dim, h.hidden, h.layers, h.arc_dim, h.label_dim];
    if dims.iter().any(|&d| d == 0 || d > 4096) || h.layers > 8 || h.clusters < 2 || h.tags < 2 {
        return Err(ParserError::Model(format!("neural header: implausible dimensions {dims:?}")));
    }
    if h.labels.is_empty() || h.suffix_buckets < 2 {
        return Err(ParserError::Model("neural header: no labels or suffix buckets".into()));
    }
    // `words` refuses a word that appears twice.
    let vocabulary = file.words("neural.vocabulary")?;
    if vocabulary.len() > 1 << 20 {
        return Err(ParserError::Model("neural vocabulary: too many words".into()));
    }
    let rows = vocabulary.len() + 2;
    let lexicon = Lexicon {
        words: vocabulary.into_iter().enumerate().map(|(i, w)| (w, i as u32 + 2)).collect(),
        suffix_buckets: h.suffix_buckets,
    };
    let words = read_table(file, "neural.words", rows, h.word_dim)?;
    let clusters = read_table(file, "neural.clusters", h.clusters, h.cluster_dim)?;
    let tags = read_table(file, "neural.tags", h.tags, h.tag_dim)?;
    let suffixes = read_table(file, "neural.suffixes", h.suffix_buckets as usize, h.suffix_dim)?;
    let mut rnn = Vec::with_capacity(h.layers);
    let input = h.word_dim + h.cluster_dim + h.tag_dim + h.suffix_dim;
    for layer in 0..h.layers {
        let d_in = if layer == 0 { input } else { 2 * h.hidden };
        let dir = |d: usize| -> Result<GruDirection> {
            Ok(GruDirection {
                input: read_dense(file, &format!("neural.rnn.{layer}.{d}.input"), d_in, 3 * h.hidden)?,
                hidden: read_dense(file, &format!("neural.rnn.{layer}.{d}.hidden"), h.hidden, 3 * h.hidden)?,
            })
        };
        rnn.push([dir(0)?, dir(1)?]);
    }
    let dense = |name: &str, d_in: usize, d_out: usize| read_dense(file, &format!("neural.{name}"), d_in, d_out);
    Ok(NeuralParser {
        lexicon,
        words,
        clusters,
        tags,
        suffixes,
        rnn,
        arc_dep: dense("arc_dep", 2 * h.hidden, h.arc_dim)?,
        arc_head: dense("arc_head", 2 * h.hidden, h.arc_dim)?,
        label_dep: dense("label_dep", 2 * h.hidden, h.label_dim)?,
        label_head: dense("label_head", 2 * h.hidden, h.label_dim)?,
        arc_bilinear_t: dense("arc_bilinear_t", h.arc_dim, h.arc_dim)?,
        arc_head_bias: file.f32s("neural.arc_head_bias", &[h.arc_dim])?,
        label_out: dense("label_out", 3 * h.label_dim, h.labels.len())?,
        labels: h.labels,
        prepared: Default::default(),
    })
}
