//! The bidirectional GRU recurrence of PyTorch's `nn.GRU(bidirectional=True)` (gates r, z, n;
//! the reset gate applied after the hidden projection) over whole padded batches, with packed
//! variable lengths, and its backward pass.
//!
//! Only the sequential part lives here: the input projections `x W_ih^T + b_ih` of every step
//! are one matrix product that the caller does beforehand (`gates_x`).
//!
//! Layouts (row-major, contiguous): `gates_x` `[batch, time, 2, 3h]` (per step the forward
//! direction's gates r, z, n, then the backward direction's); `w_hh` `[2, h, 3h]` (input-major:
//! the transpose of PyTorch's `weight_hh`); `b_hh` `[2, 3h]`; hidden states
//! `[batch, time, 2, h]`. Sequence b is read over `0..lengths[b]` only: the forward direction
//! from its first step, the backward direction from its last true step, and the states past
//! the length are zero (what `pack_padded_sequence` gives).

use crate::activation::{sigmoid, tanh};
#[cfg(target_arch = "x86_64")]
use crate::simd::has_avx2_fma;

/// The sizes of a batch of bidirectional GRU sequences.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GruShape {
    pub batch: usize,
    pub time: usize,
    pub hidden: usize,
}

impl GruShape {
    pub fn gates_len(&self) -> usize {
        self.batch * self.time * 6 * self.hidden
    }

    pub fn states_len(&self) -> usize {
        self.batch * self.time * 2 * self.hidden
    }

    pub fn weights_len(&self) -> usize {
        2 * self.hidden * 3 * self.hidden
    }

    fn check(&self, gates_x: &[f32], w_hh: &[f32], b_hh: &[f32], lengths: &[usize]) {
        assert_eq!(gates_x.len(), self.gates_len(), "gates_x length");
        assert_eq!(w_hh.len(), self.weights_len(), "w_hh length");
        assert_eq!(b_hh.len(), 6 * self.hidden, "b_hh length");
        assert_eq!(lengths.len(), self.batch, "one length per sequence");
        assert!(lengths.iter().all(|&l| l <= self.time), "lengths within the time axis");
    }

    fn gates_at(&self, b: usize, t: usize, d: usize) -> usize {
        ((b * self.time + t) * 2 + d) * 3 * self.hidden
    }

    fn state_at(&self, b: usize, t: usize, d: usize) -> usize {
        ((b * self.time + t) * 2 + d) * self.hidden
    }
}

/// One GRU step over `h` units: `gx`, `gh` are the input and hidden gate pre-activations
/// (r, z, n), `state` is updated in place.
#[inline(always)]
pub fn gru_cell(gx: &[f32], gh: &[f32], state: &mut [f32]) {
    let h = state.len();
    let (gx, gh) = (&gx[..3 * h], &gh[..3 * h]);
    for k in 0..h {
        let r = sigmoid(gx[k] + gh[k]);
        let z = sigmoid(gx[h + k] + gh[h + k]);
        let n = tanh(gx[2 * h + k] + r * gh[2 * h + k]);
        state[k] = n + z * (state[k] - n);
    }
}

/// Runs both directions of every sequence and writes the hidden states into `out` (zero past
/// each length).
pub fn bigru_forward(shape: GruShape, gates_x: &[f32], w_hh: &[f32], b_hh: &[f32], lengths: &[usize], out: &mut [f32]) {
    shape.check(gates_x, w_hh, b_hh, lengths);
    assert_eq!(out.len(), shape.states_len(), "output length");
    let io = Inputs { gates_x, w_hh, b_hh, lengths };
    out.fill(0.0);
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: the CPU has AVX2 and FMA, checked just above.
        return unsafe { forward_avx2_fma(shape, &io, out) };
    }
    forward::<PORTABLE_BLOCK, false>(shape, &io, out)
}

/// The gradients of [`bigru_forward`]'s inputs.
#[derive(Clone, Debug, PartialEq)]
pub struct BigruGrads {
    /// The layout of `gates_x` (zero past each length).
    pub gates_x: Vec<f32>,
    /// The layout of `w_hh`.
    pub w_hh: Vec<f32>,
    /// The layout of `b_hh`.
    pub b_hh: Vec<f32>,
}

/// The backward pass of [`bigru_forward`]: given its inputs, its output `out` and the gradient
/// of a loss with respect to `out`, the gradients with respect to the inputs.
pub fn bigru_backward(
    shape: GruShape,
    (gates_x, w_hh, b_hh, lengths): (&[f32], &[f32], &[f32], &[usize]),
    out: &[f32],
    grad_out: &[f32],
) -> BigruGrads {
    shape.check(gates_x, w_hh, b_hh, lengths);
    assert_eq!(out.len(), shape.states_len(), "output length");
    assert_eq!(grad_out.len(), shape.states_len(), "output gradient length");
    let io = Inputs { gates_x, w_hh, b_hh, lengths };
    let mut grads = BigruGrads {
        gates_x: vec![0.0; shape.gates_len()],
        w_hh: vec![0.0; shape.weights_len()],
        b_hh: vec![0.0; 6 * shape.hidden],
    };
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: the CPU has AVX2 and FMA, checked just above.
        unsafe { backward_avx2_fma(shape, &io, out, grad_out, &mut grads) };
        return grads;
    }
    backward::<PORTABLE_BLOCK, false>(shape, &io, out, grad_out, &mut grads);
    grads
}

struct Inputs<'a> {
    gates_x: &'a [f32],
    w_hh: &'a [f32],
    b_hh: &'a [f32],
    lengths: &'a [usize],
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn forward_avx2_fma(shape: GruShape, io: &Inputs, out: &mut [f32]) {
    forward::<AVX2_BLOCK, true>(shape, io, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn backward_avx2_fma(shape: GruShape, io: &Inputs, out: &[f32], grad_out: &[f32], grads: &mut BigruGrads) {
    backward::<AVX2_BLOCK, true>(shape, io, out, grad_out, grads)
}

#[inline(always)]
fn fmadd<const FMA: bool>(a: f32, b: f32, c: f32) -> f32 {
    if FMA { a.mul_add(b, c) } else { a * b + c }
}

/// Columns of `w_hh` per block of the forward's product: as many accumulators as keep the
/// FMA units busy (eight registers of 8 lanes with AVX2, of 4 lanes elsewhere).
#[cfg(target_arch = "x86_64")]
const AVX2_BLOCK: usize = 64;
const PORTABLE_BLOCK: usize = 32;

/// One direction's `w_hh` `[h, g]` regrouped into column blocks `[ceil(g / B), h, B]` (zero
/// columns past `g`): a block's weights are one contiguous stream, read once per step for
/// every sequence of the batch (the block stays in L1 between sequences).
fn column_blocks<const B: usize>(w: &[f32], h: usize, g: usize) -> Vec<f32> {
    let blocks = g.div_ceil(B);
    let mut packed = vec![0f32; blocks * h * B];
    for (jb, block) in packed.chunks_exact_mut(h * B).enumerate() {
        let width = B.min(g - jb * B);
        for (k, row) in block.chunks_exact_mut(B).enumerate() {
            row[..width].copy_from_slice(&w[k * g + jb * B..][..width]);
        }
    }
    packed
}

/// `gh = b + prev W` for one column block: each input broadcast against the block's outputs
/// held in registers, so there are no horizontal sums and each weight is read once.
#[inline(always)]
fn block_product<const B: usize, const FMA: bool>(prev: &[f32], block: &[f32], bias: &[f32; B], gh: &mut [f32; B]) {
    let mut acc = *bias;
    for (&p, row) in prev.iter().zip(block.as_chunks::<B>().0) {
        for i in 0..B {
            acc[i] = fmadd::<FMA>(p, row[i], acc[i]);
        }
    }
    *gh = acc;
}

/// `acc += a * x` over two equal-length slices (vectorises).
#[inline(always)]
fn axpy<const FMA: bool>(a: f32, x: &[f32], acc: &mut [f32]) {
    for (y, &v) in acc.iter_mut().zip(x) {
        *y = fmadd::<FMA>(a, v, *y);
    }
}

#[inline(always)]
fn forward<const B: usize, const FMA: bool>(shape: GruShape, io: &Inputs, out: &mut [f32]) {
    let h = shape.hidden;
    let g = 3 * h;
    let padded = g.div_ceil(B) * B;
    let longest = io.lengths.iter().copied().max().unwrap_or(0);
    let mut gh = vec![0f32; shape.batch * padded];
    let mut states = vec![0f32; shape.batch * h];
    let mut bias = vec![0f32; padded];
    for d in 0..2 {
        let w = column_blocks::<B>(&io.w_hh[d * h * g..(d + 1) * h * g], h, g);
        bias[..g].copy_from_slice(&io.b_hh[d * g..(d + 1) * g]);
        states.fill(0.0);
        // Step s of every sequence at once, so each weight block is fetched once per step.
        for s in 0..longest {
            let active = || io.lengths.iter().enumerate().filter(move |&(_, &len)| len > s);
            for ((block, bias), jb) in w.chunks_exact(h * B).zip(bias.as_chunks::<B>().0).zip(0..) {
                for (b, _) in active() {
                    let out: &mut [f32; B] = (&mut gh[b * padded + jb * B..][..B]).try_into().expect("B gates");
                    block_product::<B, FMA>(&states[b * h..][..h], block, bias, out);
                }
            }
            for (b, &len) in active() {
                let t = if d == 0 { s } else { len - 1 - s };
                let state = &mut states[b * h..][..h];
                gru_cell(&io.gates_x[shape.gates_at(b, t, d)..][..g], &gh[b * padded..][..g], state);
                out[shape.state_at(b, t, d)..][..h].copy_from_slice(state);
            }
        }
    }
}

#[inline(always)]
fn backward<const B: usize, const FMA: bool>(
    shape: GruShape,
    io: &Inputs,
    out: &[f32],
    grad_out: &[f32],
    grads: &mut BigruGrads,
) {
    let h = shape.hidden;
    let g = 3 * h;
    let padded = g.div_ceil(B) * B;
    let longest = io.lengths.iter().copied().max().unwrap_or(0);
    let zeros = vec![0f32; h];
    let h_padded = h.div_ceil(B) * B;
    let mut gh = vec![0f32; shape.batch * padded];
    let mut dgh = vec![0f32; shape.batch * g];
    // Per sequence, the gradient reaching the current step's state from the step read after it.
    let mut carry = vec![0f32; shape.batch * h_padded];
    let mut direct = vec![0f32; shape.batch * h_padded];
    let mut bias = vec![0f32; padded];
    let mut transposed = vec![0f32; g * h];
    for d in 0..2 {
        let w = &io.w_hh[d * h * g..(d + 1) * h * g];
        let blocks = column_blocks::<B>(w, h, g);
        // `carry = direct + W dgh` is the forward's product with W^T: the same blocked kernel.
        for (k, row) in w.chunks_exact(g).enumerate() {
            for (j, &v) in row.iter().enumerate() {
                transposed[j * h + k] = v;
            }
        }
        let transposed_blocks = column_blocks::<B>(&transposed, g, h);
        bias[..g].copy_from_slice(&io.b_hh[d * g..(d + 1) * g]);
        carry.fill(0.0);
        let step = |b: usize, s: usize| if d == 0 { s } else { io.lengths[b] - 1 - s };
        let prev =
            |b: usize, s: usize| if s == 0 { &zeros[..] } else { &out[shape.state_at(b, step(b, s - 1), d)..][..h] };
        // Step s of every sequence at once, in reverse reading order: each pass over the
        // weights (the recomputed hidden gates, the carried gradient, the weight gradient)
        // serves the whole batch.
        for s in (0..longest).rev() {
            let active: Vec<usize> = (0..shape.batch).filter(|&b| io.lengths[b] > s).collect();
            for ((block, bias), jb) in blocks.chunks_exact(h * B).zip(bias.as_chunks::<B>().0).zip(0..) {
                for &b in &active {
                    let out: &mut [f32; B] = (&mut gh[b * padded + jb * B..][..B]).try_into().expect("B gates");
                    block_product::<B, FMA>(prev(b, s), block, bias, out);
                }
            }
            for &b in &active {
                let (t, prev) = (step(b, s), prev(b, s));
                let gh = &gh[b * padded..][..g];
                let gx = &io.gates_x[shape.gates_at(b, t, d)..][..g];
                let dh_out = &grad_out[shape.state_at(b, t, d)..][..h];
                let dgx = &mut grads.gates_x[shape.gates_at(b, t, d)..][..g];
                let dgh = &mut dgh[b * g..][..g];
                let (carry, direct) = (&carry[b * h_padded..][..h], &mut direct[b * h_padded..][..h]);
                for k in 0..h {
                    let r = sigmoid(gx[k] + gh[k]);
                    let z = sigmoid(gx[h + k] + gh[h + k]);
                    let n = tanh(gx[2 * h + k] + r * gh[2 * h + k]);
                    let dh = dh_out[k] + carry[k];
                    let dn = dh * (1.0 - z) * (1.0 - n * n);
                    let dz = dh * (prev[k] - n) * z * (1.0 - z);
                    let dr = dn * gh[2 * h + k] * r * (1.0 - r);
                    dgx[k] = dr;
                    dgx[h + k] = dz;
                    dgx[2 * h + k] = dn;
                    dgh[k] = dr;
                    dgh[h + k] = dz;
                    dgh[2 * h + k] = dn * r;
                    direct[k] = dh * z;
                }
            }
            for (block, jb) in transposed_blocks.chunks_exact(g * B).zip(0..) {
                for &b in &active {
                    let direct: &[f32; B] = direct[b * h_padded + jb * B..][..B].try_into().expect("B units");
                    let out: &mut [f32; B] = (&mut carry[b * h_padded + jb * B..][..B]).try_into().expect("B units");
                    block_product::<B, FMA>(&dgh[b * g..][..g], block, direct, out);
                }
            }
            let dw = &mut grads.w_hh[d * h * g..(d + 1) * h * g];
            for (k, dw_row) in dw.chunks_exact_mut(g).enumerate() {
                for &b in &active {
                    axpy::<FMA>(prev(b, s)[k], &dgh[b * g..][..g], dw_row);
                }
            }
            for &b in &active {
                axpy::<FMA>(1.0, &dgh[b * g..][..g], &mut grads.b_hh[d * g..(d + 1) * g]);
            }
        }
    }
}

#[cfg(test)]
mod tests;
