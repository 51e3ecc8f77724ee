//! The neural dependency scorer at inference time, in plain Rust (no tensor library: the query
//! is a dozen words, so a few blocked multiply-add loops beat any dispatch overhead, and the
//! wasm module stays small). Mirrors `cmin::parser_training::network` exactly; a test in the
//! `cmin` crate checks the two agree.

use std::sync::OnceLock;

use cmin_kernels::{dot, gru_cell_fastest, has_avx2_fma, vectorised};

pub use cmin_kernels::Dense;

use crate::neural_inputs::{Lexicon, TokenIds};

/// An embedding table, row-major `[rows][dim]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub dim: usize,
    pub values: Vec<f32>,
}

/// One direction of a GRU in PyTorch's layout (gates r, z, n).
#[derive(Clone, Debug, PartialEq)]
pub struct GruDirection {
    pub input: Dense,
    pub hidden: Dense,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NeuralParser {
    pub lexicon: Lexicon,
    /// UD v2 relations, label ids index them.
    pub labels: Vec<String>,
    pub words: Table,
    pub clusters: Table,
    pub tags: Table,
    pub suffixes: Table,
    /// Per layer: forward and backward.
    pub rnn: Vec<[GruDirection; 2]>,
    pub arc_dep: Dense,
    pub arc_head: Dense,
    pub label_dep: Dense,
    pub label_head: Dense,
    /// `U` transposed, so `dep · U` is one [`Dense`] pass.
    pub arc_bilinear_t: Dense,
    pub arc_head_bias: Vec<f32>,
    pub label_out: Dense,
    /// Derived from the above at first use.
    pub prepared: Prepared,
}

/// Leaky ReLU slope of the MLPs (as in training).
const SLOPE: f32 = 0.1;

/// Sentences longer than this (root excluded) go to the transition parser: Eisner's
/// algorithm is cubic in time and quadratic in memory.
pub const MAX_WORDS: usize = 150;

impl Table {
    fn row(&self, id: u32) -> &[f32] {
        let rows = self.values.len() / self.dim.max(1);
        let id = (id as usize).min(rows.saturating_sub(1));
        &self.values[id * self.dim..(id + 1) * self.dim]
    }
}

/// One direction of a GRU layer over `n` steps in `order`, `hidden` being its recurrent
/// product; the input gate pre-activations of step `t` are
/// `gates[t * gate_stride + gate_offset..][..3h]`. Writes each step's state into `out` (row
/// stride `stride`, starting at column `offset`).
fn recurrence(
    hidden: &Dense,
    (gates, gate_stride, gate_offset): (&[f32], usize, usize),
    order: impl Iterator<Item = usize>,
    out: &mut [f32],
    stride: usize,
    offset: usize,
) {
    let h = hidden.d_in;
    let mut state = vec![0f32; h];
    let mut gh = vec![0f32; 3 * h];
    let avx2_fma = has_avx2_fma();
    for t in order {
        let gx = &gates[t * gate_stride + gate_offset..][..3 * h];
        hidden.forward_into(&state, &mut gh);
        gru_cell_fastest(avx2_fma, gx, &gh, &mut state);
        out[t * stride + offset..t * stride + offset + h].copy_from_slice(&state);
    }
}

/// What inference derives from the weights once, at first use: products that share an
/// input merged into one (both directions' input projections, the four MLPs), and the first
/// layer's cluster, tag and suffix embeddings already multiplied by their columns of the
/// input weights, so that a token costs a table lookup there instead of 80 of the 130
/// input columns.
#[derive(Clone, Debug, Default)]
pub struct Prepared(OnceLock<Projections>);

impl PartialEq for Prepared {
    /// Derived data: equal weights make equal caches.
    fn eq(&self, _: &Prepared) -> bool {
        true
    }
}

#[derive(Clone, Debug)]
struct Projections {
    /// Per layer, `[forward; backward]` input gates `[6h][in]`; the first layer's only over
    /// the word vector (it carries the biases).
    inputs: Vec<Dense>,
    /// Per layer, the forward and backward recurrent products in their one-row form.
    hidden: Vec<[Dense; 2]>,
    /// `[rows][6h]` each.
    clusters: Vec<f32>,
    tags: Vec<f32>,
    suffixes: Vec<f32>,
    /// `arc_dep; arc_head; label_dep; label_head`.
    mlp: Dense,
}

/// `[a; b; ...]` over the outputs of dense layers that share their input; `columns` picks a
/// range of the input (the first layer's embeddings are split by table).
fn stack(parts: &[&Dense], columns: std::ops::Range<usize>, with_bias: bool) -> Dense {
    let d_in = columns.len();
    let bias: Vec<f32> = parts.iter().flat_map(|d| d.bias().iter().map(|&b| if with_bias { b } else { 0.0 })).collect();
    let int8: Option<Vec<_>> = parts.iter().map(|d| d.int8()).collect();
    if let Some(int8) = int8 {
        let (mut q, mut scale) = (Vec::new(), Vec::new());
        for ((rows, s), d) in int8.iter().zip(parts) {
            for o in 0..d.d_out {
                q.extend_from_slice(&rows[o * d.d_in..][columns.clone()]);
            }
            scale.extend_from_slice(s);
        }
        return Dense::quantized(d_in, bias.len(), &q, &scale, &bias);
    }
    let mut weight = Vec::new();
    for d in parts {
        let w = d.weight();
        for o in 0..d.d_out {
            weight.extend_from_slice(&w[o * d.d_in..][columns.clone()]);
        }
    }
    Dense::new(d_in, bias.len(), &weight, &bias)
}

impl Projections {
    fn new(p: &NeuralParser) -> Projections {
        let mut inputs: Vec<Dense> = Vec::with_capacity(p.rnn.len());
        let (mut clusters, mut tags, mut suffixes) = (Vec::new(), Vec::new(), Vec::new());
        for (layer, [forward, backward]) in p.rnn.iter().enumerate() {
            let both = [&forward.input, &backward.input];
            if layer > 0 {
                inputs.push(stack(&both, 0..forward.input.d_in, true));
                continue;
            }
            let mut start = 0;
            let mut columns = |dim: usize| {
                start += dim;
                start - dim..start
            };
            inputs.push(stack(&both, columns(p.words.dim), true));
            clusters = stack(&both, columns(p.clusters.dim), false).forward(&p.clusters.values);
            tags = stack(&both, columns(p.tags.dim), false).forward(&p.tags.values);
            suffixes = stack(&both, columns(p.suffixes.dim), false).forward(&p.suffixes.values);
        }
        let mlp = stack(&[&p.arc_dep, &p.arc_head, &p.label_dep, &p.label_head], 0..p.arc_dep.d_in, true);
        let hidden = p.rnn.iter().map(|[f, b]| [f.hidden.for_one_row(), b.hidden.for_one_row()]).collect();
        Projections { inputs, hidden, clusters, tags, suffixes, mlp }
    }
}

/// Row `id` of a `[rows][dim]` table, the last row for ids past the end.
#[inline(always)]
fn row(values: &[f32], dim: usize, id: u32) -> &[f32] {
    let rows = values.len() / dim.max(1);
    let id = (id as usize).min(rows.saturating_sub(1));
    &values[id * dim..(id + 1) * dim]
}

#[inline(always)]
fn leaky(v: &mut [f32]) {
    for x in v {
        // Branch-free (so it vectorises) because 0 < SLOPE < 1.
        *x = x.max(*x * SLOPE);
    }
}

impl NeuralParser {
    fn projections(&self) -> &Projections {
        self.prepared.0.get_or_init(|| Projections::new(self))
    }

    /// Arc scores `[head][dependent]` over the root and the words, and the label MLP outputs;
    /// the glue between the products (table sums, arc dot products) built for AVX2 too.
    pub fn scores(&self, ids: &TokenIds) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
        vectorised(|| self.scores_inline(ids))
    }

    #[inline(always)]
    fn scores_inline(&self, ids: &TokenIds) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
        let p = self.projections();
        let n = ids.len();
        let mut x = Vec::with_capacity(n * self.words.dim);
        for &w in &ids.words {
            x.extend_from_slice(self.words.row(w));
        }
        for (layer, [forward, _]) in self.rnn.iter().enumerate() {
            let h = forward.hidden.d_in;
            let mut gates = p.inputs[layer].forward(&x);
            if layer == 0 {
                for (t, g) in gates.chunks_exact_mut(6 * h).enumerate() {
                    let c = row(&p.clusters, 6 * h, ids.clusters[t]);
                    let tg = row(&p.tags, 6 * h, ids.tags[t]);
                    let s = row(&p.suffixes, 6 * h, ids.suffixes[t]);
                    for k in 0..6 * h {
                        g[k] += c[k] + tg[k] + s[k];
                    }
                }
            }
            let mut out = vec![0f32; n * 2 * h];
            let [forward_hidden, backward_hidden] = &p.hidden[layer];
            recurrence(forward_hidden, (&gates, 6 * h, 0), 0..n, &mut out, 2 * h, 0);
            recurrence(backward_hidden, (&gates, 6 * h, 3 * h), (0..n).rev(), &mut out, 2 * h, h);
            x = out;
        }
        let (a, l) = (self.arc_dep.d_out, self.label_dep.d_out);
        let mut mlp = p.mlp.forward(&x);
        leaky(&mut mlp);
        let width = 2 * (a + l);
        let (mut dep, mut head, mut label_dep, mut label_head) = (
            Vec::with_capacity(n * a),
            Vec::with_capacity(n * a),
            Vec::with_capacity(n * l),
            Vec::with_capacity(n * l),
        );
        for r in mlp.chunks_exact(width) {
            dep.extend_from_slice(&r[..a]);
            head.extend_from_slice(&r[a..2 * a]);
            label_dep.extend_from_slice(&r[2 * a..2 * a + l]);
            label_head.extend_from_slice(&r[2 * a + l..]);
        }
        let dep_u = self.arc_bilinear_t.forward(&dep);
        let mut arcs = vec![0f32; n * n];
        for hd in 0..n {
            let hrow = &head[hd * a..(hd + 1) * a];
            let bias = dot(hrow, &self.arc_head_bias);
            for d in 0..n {
                arcs[hd * n + d] = dot(&dep_u[d * a..(d + 1) * a], hrow) + bias;
            }
        }
        (arcs, label_dep, label_head)
    }

    /// Heads (0 = root) and label ids of the words.
    pub fn parse(&self, ids: &TokenIds) -> (Vec<usize>, Vec<usize>) {
        let n = ids.len();
        if n <= 1 {
            return (Vec::new(), Vec::new());
        }
        let (arcs, label_dep, label_head) = self.scores(ids);
        let heads = crate::eisner::decode(&arcs, n - 1);
        let l = self.label_dep.d_out;
        // [dependent; head; dependent * head] of every word, scored in one product.
        let mut features = vec![0f32; heads.len() * 3 * l];
        for ((i, &h), f) in heads.iter().enumerate().zip(features.chunks_exact_mut(3 * l)) {
            let (d, hd) = (&label_dep[(i + 1) * l..(i + 2) * l], &label_head[h * l..(h + 1) * l]);
            f[..l].copy_from_slice(d);
            f[l..2 * l].copy_from_slice(hd);
            for k in 0..l {
                f[2 * l + k] = d[k] * hd[k];
            }
        }
        let logits = self.label_out.forward(&features);
        let labels = logits
            .chunks_exact(self.label_out.d_out)
            .map(|z| (0..z.len()).fold(0, |best, k| if z[k] > z[best] { k } else { best }))
            .collect();
        (heads, labels)
    }
}
