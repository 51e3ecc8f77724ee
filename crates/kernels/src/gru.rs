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

    /// The steps of sequence `b` in direction `d`'s reading order.
    fn order(&self, d: usize, len: usize) -> impl Iterator<Item = usize> {
        (0..len).map(move |s| if d == 0 { s } else { len - 1 - s })
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
    forward::<false>(shape, &io, out)
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
    backward::<false>(shape, &io, out, grad_out, &mut grads);
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
    forward::<true>(shape, io, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn backward_avx2_fma(shape: GruShape, io: &Inputs, out: &[f32], grad_out: &[f32], grads: &mut BigruGrads) {
    backward::<true>(shape, io, out, grad_out, grads)
}

#[inline(always)]
fn fmadd<const FMA: bool>(a: f32, b: f32, c: f32) -> f32 {
    if FMA { a.mul_add(b, c) } else { a * b + c }
}

/// `gh = b + prev W` for `W` `[h, g]`: each input broadcast against a block of outputs held
/// in registers, so there are no horizontal sums and each weight is read once per step.
#[inline(always)]
fn hidden_gates<const FMA: bool>(prev: &[f32], w: &[f32], b: &[f32], gh: &mut [f32]) {
    let g = b.len();
    let mut j0 = 0;
    while j0 + 32 <= g {
        output_block::<32, FMA>(prev, w, g, j0, b, gh);
        j0 += 32;
    }
    while j0 + 8 <= g {
        output_block::<8, FMA>(prev, w, g, j0, b, gh);
        j0 += 8;
    }
    for j in j0..g {
        gh[j] = prev.iter().enumerate().fold(b[j], |acc, (k, &p)| fmadd::<FMA>(p, w[k * g + j], acc));
    }
}

#[inline(always)]
fn output_block<const N: usize, const FMA: bool>(prev: &[f32], w: &[f32], g: usize, j0: usize, b: &[f32], gh: &mut [f32]) {
    let mut acc = [0f32; N];
    acc.copy_from_slice(&b[j0..j0 + N]);
    for (k, &p) in prev.iter().enumerate() {
        let row: &[f32; N] = w[k * g + j0..k * g + j0 + N].try_into().expect("N weights");
        for i in 0..N {
            acc[i] = fmadd::<FMA>(p, row[i], acc[i]);
        }
    }
    gh[j0..j0 + N].copy_from_slice(&acc);
}

/// `sum_j a_j b_j` with eight independent partial sums (vectorises; no long dependency chain).
#[inline(always)]
fn dot<const FMA: bool>(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let (a8, a_rest) = a.as_chunks::<8>();
    let (b8, b_rest) = b.as_chunks::<8>();
    for (x, y) in a8.iter().zip(b8) {
        for i in 0..8 {
            acc[i] = fmadd::<FMA>(x[i], y[i], acc[i]);
        }
    }
    let tail = a_rest.iter().zip(b_rest).fold(0.0, |s, (x, y)| fmadd::<FMA>(*x, *y, s));
    acc.iter().sum::<f32>() + tail
}

/// `acc += a * x` over two equal-length slices (vectorises).
#[inline(always)]
fn axpy<const FMA: bool>(a: f32, x: &[f32], acc: &mut [f32]) {
    for (y, &v) in acc.iter_mut().zip(x) {
        *y = fmadd::<FMA>(a, v, *y);
    }
}

#[inline(always)]
fn forward<const FMA: bool>(shape: GruShape, io: &Inputs, out: &mut [f32]) {
    let h = shape.hidden;
    let g = 3 * h;
    let mut gh = vec![0f32; g];
    let mut state = vec![0f32; h];
    for (b, &len) in io.lengths.iter().enumerate() {
        for d in 0..2 {
            let (w, bias) = (&io.w_hh[d * h * g..(d + 1) * h * g], &io.b_hh[d * g..(d + 1) * g]);
            state.fill(0.0);
            for t in shape.order(d, len) {
                hidden_gates::<FMA>(&state, w, bias, &mut gh);
                gru_cell(&io.gates_x[shape.gates_at(b, t, d)..][..g], &gh, &mut state);
                out[shape.state_at(b, t, d)..][..h].copy_from_slice(&state);
            }
        }
    }
}

#[inline(always)]
fn backward<const FMA: bool>(shape: GruShape, io: &Inputs, out: &[f32], grad_out: &[f32], grads: &mut BigruGrads) {
    let h = shape.hidden;
    let g = 3 * h;
    let zeros = vec![0f32; h];
    let mut gh = vec![0f32; g];
    let mut dgh = vec![0f32; g];
    // The gradient reaching the current step's state from the step read after it.
    let mut carry = vec![0f32; h];
    let mut direct = vec![0f32; h];
    for (b, &len) in io.lengths.iter().enumerate() {
        for d in 0..2 {
            let (w, bias) = (&io.w_hh[d * h * g..(d + 1) * h * g], &io.b_hh[d * g..(d + 1) * g]);
            let steps: Vec<usize> = shape.order(d, len).collect();
            carry.fill(0.0);
            for (s, &t) in steps.iter().enumerate().rev() {
                let prev = if s == 0 { &zeros[..] } else { &out[shape.state_at(b, steps[s - 1], d)..][..h] };
                hidden_gates::<FMA>(prev, w, bias, &mut gh);
                let gx = &io.gates_x[shape.gates_at(b, t, d)..][..g];
                let dh_out = &grad_out[shape.state_at(b, t, d)..][..h];
                let dgx = &mut grads.gates_x[shape.gates_at(b, t, d)..][..g];
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
                for k in 0..h {
                    carry[k] = direct[k] + dot::<FMA>(&w[k * g..(k + 1) * g], &dgh);
                }
                let dw = &mut grads.w_hh[d * h * g..(d + 1) * h * g];
                for (k, &p) in prev.iter().enumerate() {
                    axpy::<FMA>(p, &dgh, &mut dw[k * g..(k + 1) * g]);
                }
                axpy::<FMA>(1.0, &dgh, &mut grads.b_hh[d * g..(d + 1) * g]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(count: usize, seed: u64) -> Vec<f32> {
        let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..count)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
            })
            .collect()
    }

    /// The recurrence written out with library functions, one unit at a time, in f64.
    fn naive_forward(shape: GruShape, gx: &[f32], w: &[f32], b: &[f32], lengths: &[usize]) -> Vec<f64> {
        let h = shape.hidden;
        let g = 3 * h;
        let mut out = vec![0f64; shape.states_len()];
        for (bi, &len) in lengths.iter().enumerate() {
            for d in 0..2 {
                let mut state = vec![0f64; h];
                for t in shape.order(d, len) {
                    let x = &gx[shape.gates_at(bi, t, d)..][..g];
                    let gh: Vec<f64> = (0..g)
                        .map(|j| {
                            b[d * g + j] as f64 + (0..h).map(|k| state[k] * w[d * h * g + k * g + j] as f64).sum::<f64>()
                        })
                        .collect();
                    let sig = |v: f64| 1.0 / (1.0 + (-v).exp());
                    for k in 0..h {
                        let r = sig(x[k] as f64 + gh[k]);
                        let z = sig(x[h + k] as f64 + gh[h + k]);
                        let n = (x[2 * h + k] as f64 + r * gh[2 * h + k]).tanh();
                        state[k] = (1.0 - z) * n + z * state[k];
                    }
                    out[shape.state_at(bi, t, d)..][..h].copy_from_slice(&state);
                }
            }
        }
        out
    }

    fn inputs(shape: GruShape) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
        let scale = |v: Vec<f32>, k: f32| v.into_iter().map(|x| x * k).collect::<Vec<_>>();
        (scale(values(shape.gates_len(), 1), 2.0), scale(values(shape.weights_len(), 2), 0.4), values(6 * shape.hidden, 3))
    }

    #[test]
    fn forward_matches_the_written_out_recurrence() {
        // 3h = 123: the 32-wide, 8-wide and scalar output blocks all run.
        for (shape, lengths) in [
            (GruShape { batch: 3, time: 7, hidden: 41 }, vec![7, 3, 1]),
            (GruShape { batch: 1, time: 1, hidden: 1 }, vec![1]),
            (GruShape { batch: 2, time: 4, hidden: 5 }, vec![0, 4]),
        ] {
            let (gx, w, b) = inputs(shape);
            let mut out = vec![f32::NAN; shape.states_len()];
            bigru_forward(shape, &gx, &w, &b, &lengths, &mut out);
            let want = naive_forward(shape, &gx, &w, &b, &lengths);
            let diff = out.iter().zip(&want).map(|(a, b)| (*a as f64 - b).abs()).fold(0.0, f64::max);
            assert!(diff < 2e-6, "{shape:?}: max difference {diff}");
            assert!(out.iter().any(|v| v.abs() > 0.1));
            // Past each length the states stay zero.
            for (bi, &len) in lengths.iter().enumerate() {
                for t in len..shape.time {
                    assert!(out[shape.state_at(bi, t, 0)..][..2 * shape.hidden].iter().all(|v| *v == 0.0));
                }
            }
        }
    }

    #[test]
    fn backward_matches_finite_differences() {
        let shape = GruShape { batch: 2, time: 5, hidden: 9 };
        let lengths = [5, 3];
        let (gx, w, b) = inputs(shape);
        let weights = values(shape.states_len(), 4); // loss = sum(weights * out)
        let loss = |gx: &[f32], w: &[f32], b: &[f32]| -> f64 {
            let out = naive_forward(shape, gx, w, b, &lengths);
            out.iter().zip(&weights).map(|(o, c)| o * (*c as f64)).sum()
        };
        let mut out = vec![0f32; shape.states_len()];
        bigru_forward(shape, &gx, &w, &b, &lengths, &mut out);
        let grads = bigru_backward(shape, (&gx, &w, &b, &lengths), &out, &weights);

        let eps = 1e-3f32;
        let numeric = |f: &dyn Fn(f32) -> f64| (f(eps) - f(-eps)) / (2.0 * eps as f64);
        let check = |name: &str, got: &[f32], base: &[f32], f: &dyn Fn(&[f32]) -> f64| {
            for i in (0..base.len()).step_by(5) {
                let want = numeric(&|e| {
                    let mut p = base.to_vec();
                    p[i] += e;
                    f(&p)
                });
                assert!((got[i] as f64 - want).abs() < 1e-3, "{name}[{i}]: {} vs {want}", got[i]);
            }
        };
        check("gates_x", &grads.gates_x, &gx, &|p| loss(p, &w, &b));
        check("w_hh", &grads.w_hh, &w, &|p| loss(&gx, p, &b));
        check("b_hh", &grads.b_hh, &b, &|p| loss(&gx, &w, p));
    }
}
