//! The neural dependency scorer at inference time, in plain Rust (no tensor library: the query
//! is a dozen words, so a few dot-product loops beat any dispatch overhead, and the wasm
//! module stays small). Mirrors `cmin::parser_training::network` exactly; a test in the
//! `cmin` crate checks the two agree.

use crate::biaffine::{Lexicon, TokenIds};

/// `y = W x + b` with `W` stored `[out][in]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Dense {
    pub d_in: usize,
    pub d_out: usize,
    pub weight: Vec<f32>,
    pub bias: Vec<f32>,
}

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
}

/// Leaky ReLU slope of the MLPs (as in training).
const SLOPE: f32 = 0.1;

/// Sentences longer than this (root excluded) go to the transition parser: Eisner's
/// algorithm is cubic in time and quadratic in memory.
pub const MAX_WORDS: usize = 150;

/// `acc + x * y`, fused where the caller was compiled with FMA (`FMA` is then true; elsewhere
/// `mul_add` would be a slow library call).
#[inline(always)]
fn madd<const FMA: bool>(acc: f32, x: f32, y: f32) -> f32 {
    if FMA { x.mul_add(y, acc) } else { acc + x * y }
}

#[inline(always)]
fn dot<const FMA: bool>(a: &[f32], b: &[f32]) -> f32 {
    // Eight independent sums over fixed-size chunks: the compiler vectorises them without
    // reassociating and without bounds checks.
    let (ca, ra) = a.as_chunks::<8>();
    let (cb, rb) = b.as_chunks::<8>();
    let mut acc = [0f32; 8];
    for (x, y) in ca.iter().zip(cb) {
        for k in 0..8 {
            acc[k] = madd::<FMA>(acc[k], x[k], y[k]);
        }
    }
    let mut s: f32 = acc.iter().sum();
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

/// `y[r] = W x[r] + b` for every row; four rows share each pass over a weight row, so the
/// weights are read from cache a quarter as often.
#[inline(always)]
fn dense_rows<const FMA: bool>(d: &Dense, x: &[f32], y: &mut [f32]) {
    let (n_in, n_out) = (d.d_in, d.d_out);
    let rows = x.len() / n_in.max(1);
    let mut r = 0;
    while r + 4 <= rows {
        let xs = [0, 1, 2, 3].map(|k| x[(r + k) * n_in..(r + k + 1) * n_in].as_chunks::<8>());
        for o in 0..n_out {
            let (w, w_rest) = d.weight[o * n_in..(o + 1) * n_in].as_chunks::<8>();
            let mut acc = [[0f32; 8]; 4];
            for (i, wv) in w.iter().enumerate() {
                for k in 0..4 {
                    let xv = &xs[k].0[i];
                    for j in 0..8 {
                        acc[k][j] = madd::<FMA>(acc[k][j], xv[j], wv[j]);
                    }
                }
            }
            for k in 0..4 {
                let mut s: f32 = acc[k].iter().sum();
                for (xv, wv) in xs[k].1.iter().zip(w_rest) {
                    s += xv * wv;
                }
                y[(r + k) * n_out + o] = s + d.bias[o];
            }
        }
        r += 4;
    }
    for r in r..rows {
        let row = &x[r * n_in..(r + 1) * n_in];
        for o in 0..n_out {
            y[r * n_out + o] = dot::<FMA>(row, &d.weight[o * n_in..(o + 1) * n_in]) + d.bias[o];
        }
    }
}

/// The same loops compiled for AVX2 and FMA (8-wide fused multiply-adds), chosen at run time
/// where the CPU has them.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn dense_rows_avx2_fma(d: &Dense, x: &[f32], y: &mut [f32]) {
    dense_rows::<true>(d, x, y)
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

impl Dense {
    /// `x`: `n` rows of `d_in`; returns `n` rows of `d_out`.
    pub fn forward(&self, x: &[f32]) -> Vec<f32> {
        let mut y = vec![0f32; x.len() / self.d_in.max(1) * self.d_out];
        self.forward_into(x, &mut y);
        y
    }

    /// [`Dense::forward`] into a buffer of `rows * d_out`.
    pub fn forward_into(&self, x: &[f32], y: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU supports AVX2 and FMA, checked just above.
            return unsafe { dense_rows_avx2_fma(self, x, y) };
        }
        dense_rows::<false>(self, x, y)
    }
}

impl Table {
    fn row(&self, id: u32) -> &[f32] {
        let rows = self.values.len() / self.dim.max(1);
        let id = (id as usize).min(rows.saturating_sub(1));
        &self.values[id * self.dim..(id + 1) * self.dim]
    }
}

impl GruDirection {
    /// Runs over `x` (`n` rows) in `order`; writes each step's state into `out` (row stride
    /// `stride`, starting at column `offset`).
    fn run(&self, x: &[f32], order: impl Iterator<Item = usize>, out: &mut [f32], stride: usize, offset: usize) {
        let h = self.hidden.d_in;
        let gates_x = self.input.forward(x);
        let mut state = vec![0f32; h];
        let mut gh = vec![0f32; 3 * h];
        for t in order {
            let gx = &gates_x[t * 3 * h..(t + 1) * 3 * h];
            self.hidden.forward_into(&state, &mut gh);
            for k in 0..h {
                let r = sigmoid(gx[k] + gh[k]);
                let z = sigmoid(gx[h + k] + gh[h + k]);
                let n = (gx[2 * h + k] + r * gh[2 * h + k]).tanh();
                state[k] = n + z * (state[k] - n);
            }
            out[t * stride + offset..t * stride + offset + h].copy_from_slice(&state);
        }
    }
}

fn leaky(mut v: Vec<f32>) -> Vec<f32> {
    for x in &mut v {
        if *x < 0.0 {
            *x *= SLOPE;
        }
    }
    v
}

impl NeuralParser {
    /// Arc scores `[head][dependent]` over the root and the words, and the label MLP outputs.
    pub fn scores(&self, ids: &TokenIds) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
        let n = ids.len();
        let mut x = Vec::new();
        for i in 0..n {
            x.extend_from_slice(self.words.row(ids.words[i]));
            x.extend_from_slice(self.clusters.row(ids.clusters[i]));
            x.extend_from_slice(self.tags.row(ids.tags[i]));
            x.extend_from_slice(self.suffixes.row(ids.suffixes[i]));
        }
        for [forward, backward] in &self.rnn {
            let h = forward.hidden.d_in;
            let mut out = vec![0f32; n * 2 * h];
            forward.run(&x, 0..n, &mut out, 2 * h, 0);
            backward.run(&x, (0..n).rev(), &mut out, 2 * h, h);
            x = out;
        }
        let dep = leaky(self.arc_dep.forward(&x));
        let head = leaky(self.arc_head.forward(&x));
        let a = self.arc_dep.d_out;
        let dep_u = self.arc_bilinear_t.forward(&dep);
        let mut arcs = vec![0f32; n * n];
        for hd in 0..n {
            let hrow = &head[hd * a..(hd + 1) * a];
            let bias = dot::<false>(hrow, &self.arc_head_bias);
            for d in 0..n {
                arcs[hd * n + d] = dot::<false>(&dep_u[d * a..(d + 1) * a], hrow) + bias;
            }
        }
        (arcs, leaky(self.label_dep.forward(&x)), leaky(self.label_head.forward(&x)))
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
        let mut features = vec![0f32; 3 * l];
        let labels = heads
            .iter()
            .enumerate()
            .map(|(i, &h)| {
                let (d, hd) = (&label_dep[(i + 1) * l..(i + 2) * l], &label_head[h * l..(h + 1) * l]);
                features[..l].copy_from_slice(d);
                features[l..2 * l].copy_from_slice(hd);
                for k in 0..l {
                    features[2 * l + k] = d[k] * hd[k];
                }
                let logits = self.label_out.forward(&features);
                (0..logits.len()).fold(0, |best, k| if logits[k] > logits[best] { k } else { best })
            })
            .collect();
        (heads, labels)
    }
}
