//! The neural scorer's section of the model file (`NEURAL01`, after the perceptron weights):
//! a JSON header with the dimensions, labels and vocabulary, then every matrix as rows of
//! int8 with one f32 scale per row (a quarter of f32's size; see BENCHMARKS.md for what it
//! costs in accuracy), biases as f32. Every size is derived from the header and checked.

use serde::{Deserialize, Serialize};

use crate::error::{ParserError, Result};
use crate::file_reader::Reader;
use crate::neural::{Dense, GruDirection, NeuralParser, Table};
use crate::neural_inputs::Lexicon;

pub const MAGIC: &[u8; 8] = b"NEURAL01";

#[derive(Serialize, Deserialize)]
struct Header {
    labels: Vec<String>,
    /// Ids 2, 3, ... in order.
    words: Vec<String>,
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

fn write_rows(values: &[f32], cols: usize, out: &mut Vec<u8>) {
    for row in values.chunks(cols) {
        let max = row.iter().fold(0f32, |m, v| m.max(v.abs()));
        let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
        out.extend(scale.to_le_bytes());
        out.extend(row.iter().map(|v| (v / scale).round().clamp(-127.0, 127.0) as i8 as u8));
    }
}

fn write_dense(d: &Dense, out: &mut Vec<u8>) {
    write_rows(&d.weight(), d.d_in, out);
    for b in d.bias() {
        out.extend(b.to_le_bytes());
    }
}

pub fn write(p: &NeuralParser, out: &mut Vec<u8>) {
    assert_eq!(p.words.values.len(), p.lexicon.size() * p.words.dim, "one word row per lexicon entry");
    out.extend(MAGIC);
    let mut words: Vec<(&String, &u32)> = p.lexicon.words.iter().collect();
    words.sort_by_key(|(_, id)| **id);
    let header = Header {
        labels: p.labels.clone(),
        words: words.into_iter().map(|(w, _)| w.clone()).collect(),
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
    let json = serde_json::to_vec(&header).expect("header serialises");
    out.extend((json.len() as u32).to_le_bytes());
    out.extend(json);
    for t in [&p.words, &p.clusters, &p.tags, &p.suffixes] {
        write_rows(&t.values, t.dim, out);
    }
    for layer in &p.rnn {
        for dir in layer {
            write_dense(&dir.input, out);
            write_dense(&dir.hidden, out);
        }
    }
    for d in [&p.arc_dep, &p.arc_head, &p.label_dep, &p.label_head, &p.arc_bilinear_t] {
        write_dense(d, out);
    }
    for b in &p.arc_head_bias {
        out.extend(b.to_le_bytes());
    }
    write_dense(&p.label_out, out);
}

/// Int8 rows and their scales.
fn read_quantized(r: &mut Reader, rows: usize, cols: usize) -> Result<(Vec<i8>, Vec<f32>)> {
    let mut values = Vec::with_capacity(rows.saturating_mul(cols).min(1 << 24));
    let mut scales = Vec::with_capacity(rows.min(1 << 20));
    for _ in 0..rows {
        let scale = r.f32()?;
        if !scale.is_finite() || scale <= 0.0 {
            return Err(ParserError::Model(format!("neural weights: row scale {scale} is not positive")));
        }
        scales.push(scale);
        values.extend(r.take(cols)?.iter().map(|&q| q as i8));
    }
    Ok((values, scales))
}

fn read_rows(r: &mut Reader, rows: usize, cols: usize) -> Result<Vec<f32>> {
    let (q, scales) = read_quantized(r, rows, cols)?;
    Ok(q.iter().enumerate().map(|(k, &v)| v as f32 * scales[k / cols.max(1)]).collect())
}

fn read_f32s(r: &mut Reader, n: usize) -> Result<Vec<f32>> {
    let mut v = Vec::with_capacity(n.min(1 << 20));
    for _ in 0..n {
        let x = r.f32()?;
        if !x.is_finite() {
            return Err(ParserError::Model("neural weights: a bias is not finite".into()));
        }
        v.push(x);
    }
    Ok(v)
}

fn read_dense(r: &mut Reader, d_in: usize, d_out: usize) -> Result<Dense> {
    let (q, scale) = read_quantized(r, d_out, d_in)?;
    Ok(Dense::quantized(d_in, d_out, &q, &scale, &read_f32s(r, d_out)?))
}

fn read_table(r: &mut Reader, rows: usize, dim: usize) -> Result<Table> {
    Ok(Table { dim, values: read_rows(r, rows, dim)? })
}

/// Reads the section that follows the magic.
pub fn read(r: &mut Reader) -> Result<NeuralParser> {
    let len = r.count(1)?;
    let h: Header =
        serde_json::from_slice(r.take(len)?).map_err(|e| ParserError::Model(format!("neural header: {e}")))?;
    let dims = [h.word_dim, h.cluster_dim, h.tag_dim, h.suffix_dim, h.hidden, h.layers, h.arc_dim, h.label_dim];
    if dims.iter().any(|&d| d == 0 || d > 4096) || h.layers > 8 || h.clusters < 2 || h.tags < 2 {
        return Err(ParserError::Model(format!("neural header: implausible dimensions {dims:?}")));
    }
    if h.labels.is_empty() || h.suffix_buckets < 2 || h.words.len() > 1 << 20 {
        return Err(ParserError::Model("neural header: no labels, suffix buckets or too many words".into()));
    }
    let lexicon = Lexicon {
        words: h.words.iter().enumerate().map(|(i, w)| (w.clone(), i as u32 + 2)).collect(),
        suffix_buckets: h.suffix_buckets,
    };
    if lexicon.words.len() != h.words.len() {
        return Err(ParserError::Model("neural header: a word appears twice".into()));
    }
    let words = read_table(r, h.words.len() + 2, h.word_dim)?;
    let clusters = read_table(r, h.clusters, h.cluster_dim)?;
    let tags = read_table(r, h.tags, h.tag_dim)?;
    let suffixes = read_table(r, h.suffix_buckets as usize, h.suffix_dim)?;
    let mut rnn = Vec::with_capacity(h.layers);
    let input = h.word_dim + h.cluster_dim + h.tag_dim + h.suffix_dim;
    for layer in 0..h.layers {
        let d_in = if layer == 0 { input } else { 2 * h.hidden };
        let mut dir = || -> Result<GruDirection> {
            Ok(GruDirection {
                input: read_dense(r, d_in, 3 * h.hidden)?,
                hidden: read_dense(r, h.hidden, 3 * h.hidden)?,
            })
        };
        rnn.push([dir()?, dir()?]);
    }
    let arc_dep = read_dense(r, 2 * h.hidden, h.arc_dim)?;
    let arc_head = read_dense(r, 2 * h.hidden, h.arc_dim)?;
    let label_dep = read_dense(r, 2 * h.hidden, h.label_dim)?;
    let label_head = read_dense(r, 2 * h.hidden, h.label_dim)?;
    let arc_bilinear_t = read_dense(r, h.arc_dim, h.arc_dim)?;
    let arc_head_bias = read_f32s(r, h.arc_dim)?;
    let label_out = read_dense(r, 3 * h.label_dim, h.labels.len())?;
    Ok(NeuralParser {
        lexicon,
        labels: h.labels,
        words,
        clusters,
        tags,
        suffixes,
        rnn,
        arc_dep,
        arc_head,
        label_dep,
        label_head,
        arc_bilinear_t,
        arc_head_bias,
        label_out,
        prepared: Default::default(),
    })
}
