//! The neural dependency scorer at inference time, in plain Rust (no tensor library: the query
//! is a dozen words, so a few blocked multiply-add loops beat any dispatch overhead, and the
//! wasm module stays small). Mirrors `cmin::parser_training::network` exactly; a test in the
//! `cmin` crate checks the two agree.

use std::sync::OnceLock;

use cmin_kernels::{gru_cell, has_avx2_fma};

use crate::biaffine::{Lexicon, TokenIds};

/// `y = W x + b`. The weights are kept transposed in blocks of outputs, `[out / BLOCK][in]
/// [BLOCK]` (the last block zero-padded), so that the kernels broadcast one input against a
/// run of outputs: no horizontal sums, and enough independent accumulators to keep the
/// multiply-add units busy even for the one-row products of the recurrences.
#[derive(Clone, Debug, PartialEq)]
pub struct Dense {
    pub d_in: usize,
    pub d_out: usize,
    packed: Packed,
    /// Per output, padded like a block row: `y = bias + scale * (q x)`.
    scale: Vec<f32>,
    bias: Vec<f32>,
}

/// Weights as trained, or as the model file stores them: int8 with a scale per output. The
/// int8 form is the same function (`q * scale` is what the file means) in a quarter of the
/// memory.
#[derive(Clone, Debug, PartialEq)]
enum Packed {
    F32(Vec<f32>),
    I8(Vec<i8>),
    /// The int8 values as IEEE half floats (exact: they are integers below 2^11), for the
    /// one-row products of the recurrences on x86-64 with F16C: one conversion instruction per
    /// eight weights where int8 takes two, at half the memory traffic of f32.
    #[cfg(target_arch = "x86_64")]
    F16(Vec<u16>),
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
    /// Derived from the above at first use.
    pub prepared: Prepared,
}

/// Leaky ReLU slope of the MLPs (as in training).
const SLOPE: f32 = 0.1;

/// Sentences longer than this (root excluded) go to the transition parser: Eisner's
/// algorithm is cubic in time and quadratic in memory.
pub const MAX_WORDS: usize = 150;

/// Output columns per block of the packed weights (two 8-lane registers).
const BLOCK: usize = 16;
/// Rows per pass of the many-row kernel, and partial sums per output of the one-row kernel:
/// either way 4 x 16 independent accumulators.
const WAYS: usize = 4;

/// `acc + x * y`, fused where the caller was compiled with FMA (`FMA` is then true; elsewhere
/// `mul_add` would be a slow library call).
#[inline(always)]
fn madd<const FMA: bool>(acc: f32, x: f32, y: f32) -> f32 {
    if FMA { x.mul_add(y, acc) } else { acc + x * y }
}

#[inline(always)]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    // Eight independent sums over fixed-size chunks: the compiler vectorises them without
    // reassociating and without bounds checks.
    let (ca, ra) = a.as_chunks::<8>();
    let (cb, rb) = b.as_chunks::<8>();
    let mut acc = [0f32; 8];
    for (x, y) in ca.iter().zip(cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut s: f32 = acc.iter().sum();
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

/// Rows `r0..r0 + WAYS` of `y`: each weight row is read once for the four of them.
#[inline(always)]
fn four_rows<W: Copy + Into<f32>, const FMA: bool>(d: &Dense, packed: &[W], x: &[f32], r0: usize, y: &mut [f32]) {
    let (n_in, n_out) = (d.d_in, d.d_out);
    // The four inputs interleaved, `[in][WAYS]`, so the loop below has no bounds checks; on the
    // stack for the usual widths (an allocation per four rows showed in profiles).
    let mut stack = [[0f32; WAYS]; 512];
    let mut heap = Vec::new();
    let xt: &mut [[f32; WAYS]] = if n_in <= stack.len() {
        &mut stack[..n_in]
    } else {
        heap.resize(n_in, [0f32; WAYS]);
        &mut heap
    };
    for k in 0..WAYS {
        for (i, &v) in x[(r0 + k) * n_in..(r0 + k + 1) * n_in].iter().enumerate() {
            xt[i][k] = v;
        }
    }
    let xt = &*xt;
    let (bias, _) = d.bias.as_chunks::<BLOCK>();
    let (scale, _) = d.scale.as_chunks::<BLOCK>();
    for (b, block) in packed.chunks_exact(n_in * BLOCK).enumerate() {
        let (w, _) = block.as_chunks::<BLOCK>();
        let mut acc = [[0f32; BLOCK]; WAYS];
        for (wr, xr) in w.iter().zip(xt) {
            for k in 0..WAYS {
                for j in 0..BLOCK {
                    acc[k][j] = madd::<FMA>(acc[k][j], xr[k], wr[j].into());
                }
            }
        }
        let o0 = b * BLOCK;
        let n = BLOCK.min(n_out - o0);
        for k in 0..WAYS {
            finish::<FMA>(&mut y[(r0 + k) * n_out + o0..][..n], &bias[b], &scale[b], &acc[k]);
        }
    }
}

/// `y = bias + scale * sum` over the first `y.len()` outputs of a block, written in place: a
/// copy of a finished block would become a variable-length library call (thousands per query).
#[inline(always)]
fn finish<const FMA: bool>(y: &mut [f32], bias: &[f32; BLOCK], scale: &[f32; BLOCK], sum: &[f32; BLOCK]) {
    match <&mut [f32; BLOCK]>::try_from(&mut *y) {
        Ok(whole) => {
            for j in 0..BLOCK {
                whole[j] = madd::<FMA>(bias[j], scale[j], sum[j]);
            }
        }
        Err(_) => {
            for (j, v) in y.iter_mut().enumerate() {
                *v = madd::<FMA>(bias[j], scale[j], sum[j]);
            }
        }
    }
}

/// Row `r` of `y`; the inputs are taken four at a time into four partial sums per output, so
/// that the multiply-adds do not wait on each other.
#[inline(always)]
fn one_row<W: Copy + Into<f32>, const FMA: bool>(d: &Dense, packed: &[W], x: &[f32], r: usize, y: &mut [f32]) {
    let (n_in, n_out) = (d.d_in, d.d_out);
    let (x4, x_rest) = x[r * n_in..(r + 1) * n_in].as_chunks::<WAYS>();
    let (bias, _) = d.bias.as_chunks::<BLOCK>();
    let (scale, _) = d.scale.as_chunks::<BLOCK>();
    for (b, block) in packed.chunks_exact(n_in * BLOCK).enumerate() {
        let (w, _) = block.as_chunks::<BLOCK>();
        let (w4, w_rest) = w.as_chunks::<WAYS>();
        let mut acc = [[0f32; BLOCK]; WAYS];
        for (wq, xq) in w4.iter().zip(x4) {
            for k in 0..WAYS {
                for j in 0..BLOCK {
                    acc[k][j] = madd::<FMA>(acc[k][j], xq[k], wq[k][j].into());
                }
            }
        }
        let mut sum = [0f32; BLOCK];
        for (wr, &xv) in w_rest.iter().zip(x_rest) {
            for j in 0..BLOCK {
                sum[j] = madd::<FMA>(sum[j], xv, wr[j].into());
            }
        }
        for j in 0..BLOCK {
            sum[j] += (acc[0][j] + acc[1][j]) + (acc[2][j] + acc[3][j]);
        }
        let o0 = b * BLOCK;
        let n = BLOCK.min(n_out - o0);
        finish::<FMA>(&mut y[r * n_out + o0..][..n], &bias[b], &scale[b], &sum);
    }
}

#[inline(always)]
fn dense_rows<W: Copy + Into<f32>, const FMA: bool>(d: &Dense, packed: &[W], x: &[f32], y: &mut [f32]) {
    let rows = x.len() / d.d_in.max(1);
    let mut r = 0;
    while r + WAYS <= rows {
        four_rows::<W, FMA>(d, packed, x, r, y);
        r += WAYS;
    }
    for r in r..rows {
        one_row::<W, FMA>(d, packed, x, r, y);
    }
}

/// The same loops compiled for AVX2 and FMA (8-wide fused multiply-adds), chosen at run time
/// where the CPU has them.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn dense_rows_avx2_fma<W: Copy + Into<f32>>(d: &Dense, packed: &[W], x: &[f32], y: &mut [f32]) {
    dense_rows::<W, true>(d, packed, x, y)
}

/// [`one_row`] over half-float weights, row by row.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,f16c")]
unsafe fn rows_f16(d: &Dense, packed: &[u16], x: &[f32], y: &mut [f32]) {
    use std::arch::x86_64::*;
    let (n_in, n_out) = (d.d_in, d.d_out);
    let (bias, _) = d.bias.as_chunks::<BLOCK>();
    let (scale, _) = d.scale.as_chunks::<BLOCK>();
    for (xr, yr) in x.chunks_exact(n_in).zip(y.chunks_exact_mut(n_out)) {
        for (b, block) in packed.chunks_exact(n_in * BLOCK).enumerate() {
            let (w, _) = block.as_chunks::<BLOCK>();
            // Two registers of eight outputs, times WAYS partial sums over the inputs.
            let mut acc = [_mm256_setzero_ps(); 2 * WAYS];
            let (w4, w_rest) = w.as_chunks::<WAYS>();
            let (x4, x_rest) = xr.as_chunks::<WAYS>();
            let half = |wr: &[u16; BLOCK], at: usize| {
                // SAFETY: `at` is 0 or 8, so eight u16 lie there; an unaligned load.
                unsafe { _mm256_cvtph_ps(_mm_loadu_si128(wr.as_ptr().add(at) as *const __m128i)) }
            };
            for (wq, xq) in w4.iter().zip(x4) {
                for k in 0..WAYS {
                    let xv = _mm256_set1_ps(xq[k]);
                    acc[2 * k] = _mm256_fmadd_ps(xv, half(&wq[k], 0), acc[2 * k]);
                    acc[2 * k + 1] = _mm256_fmadd_ps(xv, half(&wq[k], 8), acc[2 * k + 1]);
                }
            }
            for (wr, &xv) in w_rest.iter().zip(x_rest) {
                let xv = _mm256_set1_ps(xv);
                acc[0] = _mm256_fmadd_ps(xv, half(wr, 0), acc[0]);
                acc[1] = _mm256_fmadd_ps(xv, half(wr, 8), acc[1]);
            }
            let mut sum = [0f32; BLOCK];
            let (lo, hi) = sum.split_at_mut(8);
            // SAFETY: `lo` and `hi` are eight f32 each.
            unsafe {
                _mm256_storeu_ps(
                    lo.as_mut_ptr(),
                    _mm256_add_ps(_mm256_add_ps(acc[0], acc[2]), _mm256_add_ps(acc[4], acc[6])),
                );
                _mm256_storeu_ps(
                    hi.as_mut_ptr(),
                    _mm256_add_ps(_mm256_add_ps(acc[1], acc[3]), _mm256_add_ps(acc[5], acc[7])),
                );
            }
            let o0 = b * BLOCK;
            finish::<true>(&mut yr[o0..(o0 + BLOCK).min(n_out)], &bias[b], &scale[b], &sum);
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn gru_cell_avx2_fma(gx: &[f32], gh: &[f32], state: &mut [f32]) {
    gru_cell(gx, gh, state)
}

fn step(avx2_fma: bool, gx: &[f32], gh: &[f32], state: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if avx2_fma {
        // SAFETY: the caller found AVX2 and FMA on this CPU.
        return unsafe { gru_cell_avx2_fma(gx, gh, state) };
    }
    let _ = avx2_fma;
    gru_cell(gx, gh, state)
}


/// An integer of magnitude below 2^11 as IEEE half-float bits (exact).
#[cfg(target_arch = "x86_64")]
fn int_to_half(q: i8) -> u16 {
    if q == 0 {
        return 0;
    }
    let (sign, m) = (if q < 0 { 0x8000u16 } else { 0 }, q.unsigned_abs() as u16);
    let e = 15 - m.leading_zeros() as u16; // m = 1.f * 2^e
    let fraction = (m << (10 - e)) & 0x3ff;
    sign | ((e + 15) << 10) | fraction
}

/// The inverse of [`int_to_half`].
#[cfg(target_arch = "x86_64")]
fn half_to_int(h: u16) -> i32 {
    if h & 0x7fff == 0 {
        return 0;
    }
    let e = ((h >> 10) & 0x1f) as i32 - 15;
    let m = ((h & 0x3ff) | 0x400) as i32;
    let v = m >> (10 - e);
    if h & 0x8000 != 0 { -v } else { v }
}

/// `[out][in]` values into the blocked layout.
fn pack<W: Copy + Default>(d_in: usize, d_out: usize, weight: &[W]) -> Vec<W> {
    let stride = d_out.div_ceil(BLOCK) * BLOCK;
    let mut packed = vec![W::default(); d_in * stride];
    for o in 0..d_out {
        for i in 0..d_in {
            packed[(o / BLOCK * d_in + i) * BLOCK + o % BLOCK] = weight[o * d_in + i];
        }
    }
    packed
}

fn unpack<W: Copy + Default>(d_in: usize, d_out: usize, packed: &[W]) -> Vec<W> {
    let mut w = vec![W::default(); d_out * d_in];
    for o in 0..d_out {
        for i in 0..d_in {
            w[o * d_in + i] = packed[(o / BLOCK * d_in + i) * BLOCK + o % BLOCK];
        }
    }
    w
}

fn padded(d_out: usize, values: &[f32]) -> Vec<f32> {
    let mut v = vec![0f32; d_out.div_ceil(BLOCK) * BLOCK];
    v[..d_out].copy_from_slice(&values[..d_out]);
    v
}

impl Dense {
    /// From `weight` stored `[out][in]` (PyTorch's layout) and `bias`.
    pub fn new(d_in: usize, d_out: usize, weight: &[f32], bias: &[f32]) -> Dense {
        Dense {
            d_in,
            d_out,
            packed: Packed::F32(pack(d_in, d_out, weight)),
            scale: padded(d_out, &vec![1.0; d_out]),
            bias: padded(d_out, bias),
        }
    }

    /// From int8 rows `q` (`[out][in]`) that mean `q * scale[out]`, the model file's form.
    pub fn quantized(d_in: usize, d_out: usize, q: &[i8], scale: &[f32], bias: &[f32]) -> Dense {
        Dense {
            d_in,
            d_out,
            packed: Packed::I8(pack(d_in, d_out, q)),
            scale: padded(d_out, scale),
            bias: padded(d_out, bias),
        }
    }

    /// The weights `[out][in]`, as values.
    pub fn weight(&self) -> Vec<f32> {
        match (&self.packed, self.int8()) {
            (Packed::F32(p), _) => unpack(self.d_in, self.d_out, p),
            (_, Some((q, scale))) => {
                q.iter().enumerate().map(|(k, &v)| v as f32 * scale[k / self.d_in.max(1)]).collect()
            }
            (_, None) => unreachable!("only f32 weights have no int8 form"),
        }
    }

    /// The int8 rows and their scales, where the weights are held that way.
    pub fn int8(&self) -> Option<(Vec<i8>, &[f32])> {
        let q = match &self.packed {
            Packed::F32(_) => return None,
            Packed::I8(p) => unpack(self.d_in, self.d_out, p),
            #[cfg(target_arch = "x86_64")]
            Packed::F16(p) => unpack(self.d_in, self.d_out, p).into_iter().map(|h| half_to_int(h) as i8).collect(),
        };
        Some((q, &self.scale[..self.d_out]))
    }

    /// The form fastest for one row at a time (the recurrences): int8 weights as half floats
    /// where the CPU converts those in one instruction.
    pub fn for_one_row(&self) -> Dense {
        #[cfg(target_arch = "x86_64")]
        if let Packed::I8(p) = &self.packed
            && has_avx2_fma()
            && std::arch::is_x86_feature_detected!("f16c")
        {
            let halves = p.iter().map(|&q| int_to_half(q)).collect();
            return Dense { packed: Packed::F16(halves), ..self.clone() };
        }
        self.clone()
    }

    pub fn bias(&self) -> &[f32] {
        &self.bias[..self.d_out]
    }

    /// `x`: `n` rows of `d_in`; returns `n` rows of `d_out`.
    pub fn forward(&self, x: &[f32]) -> Vec<f32> {
        let mut y = vec![0f32; x.len() / self.d_in.max(1) * self.d_out];
        self.forward_into(x, &mut y);
        y
    }

    /// [`Dense::forward`] into a buffer of `rows * d_out`.
    pub fn forward_into(&self, x: &[f32], y: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if has_avx2_fma() {
            // SAFETY: the CPU supports AVX2 and FMA, checked just above.
            // (F16 weights exist only where F16C was found too.)
            return unsafe {
                match &self.packed {
                    Packed::F32(p) => dense_rows_avx2_fma(self, p, x, y),
                    Packed::I8(p) => dense_rows_avx2_fma(self, p, x, y),
                    Packed::F16(p) => rows_f16(self, p, x, y),
                }
            };
        }
        match &self.packed {
            Packed::F32(p) => dense_rows::<f32, false>(self, p, x, y),
            Packed::I8(p) => dense_rows::<i8, false>(self, p, x, y),
            #[cfg(target_arch = "x86_64")]
            Packed::F16(_) => unreachable!("half-float weights are made only where AVX2 and F16C are"),
        }
    }
}

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
        step(avx2_fma, gx, &gh, &mut state);
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

    /// Arc scores `[head][dependent]` over the root and the words, and the label MLP outputs.
    pub fn scores(&self, ids: &TokenIds) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
        #[cfg(target_arch = "x86_64")]
        if has_avx2_fma() {
            // SAFETY: the CPU supports AVX2 and FMA, checked just above.
            return unsafe { self.scores_avx2_fma(ids) };
        }
        self.scores_inline(ids)
    }

    /// The glue between the products (table sums, arc dot products) compiled for AVX2 too.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn scores_avx2_fma(&self, ids: &TokenIds) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
        self.scores_inline(ids)
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

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;

    #[test]
    fn int8_values_survive_half_floats() {
        assert_eq!(int_to_half(1), 0x3c00);
        assert_eq!(int_to_half(-2), 0xc000);
        assert_eq!(int_to_half(127), 0x57f0);
        for q in i8::MIN + 1..=i8::MAX {
            assert_eq!(half_to_int(int_to_half(q)), q as i32, "{q}");
        }
    }

    #[test]
    fn every_weight_form_computes_the_same_product() {
        let (d_in, d_out) = (37, 21);
        let q: Vec<i8> = (0..d_in * d_out).map(|k| ((k * 37 % 255) as i32 - 127) as i8).collect();
        let scale: Vec<f32> = (0..d_out).map(|o| 0.01 + o as f32 * 1e-3).collect();
        let bias: Vec<f32> = (0..d_out).map(|o| o as f32 * 0.1 - 1.0).collect();
        let quantized = Dense::quantized(d_in, d_out, &q, &scale, &bias);
        let float = Dense::new(d_in, d_out, &quantized.weight(), &bias);
        let one_row = quantized.for_one_row();
        assert_eq!(one_row.int8().expect("int8 form").0, q);
        for rows in [1, 3, 4, 9] {
            let x: Vec<f32> = (0..rows * d_in).map(|k| (k as f32 * 0.37).sin()).collect();
            let want: Vec<f32> = (0..rows * d_out)
                .map(|k| {
                    let (r, o) = (k / d_out, k % d_out);
                    bias[o] + (0..d_in).map(|i| q[o * d_in + i] as f32 * scale[o] * x[r * d_in + i]).sum::<f32>()
                })
                .collect();
            for d in [&quantized, &float, &one_row] {
                let got = d.forward(&x);
                for (g, w) in got.iter().zip(&want) {
                    assert!((g - w).abs() < 1e-4, "{rows} rows: {g} vs {w}");
                }
            }
        }
    }
}
