//! The GRU recurrence of PyTorch's `nn.GRU` (gates r, z, n; the reset gate applied after the
//! hidden projection), over whole sequences, with its backward pass.
//!
//! Only the sequential part lives here: the input projections `x W_ih^T + b_ih` of every step
//! are one matrix product that the caller does beforehand (`gates_x`), and the weight gradient
//! `sum_t h_{t-1}^T dgh_t` is one matrix product that the caller does afterwards.
//!
//! Layouts (row-major, contiguous): `gates_x` `[directions, batch, time, 3h]`; `w_hh`
//! `[directions, h, 3h]` (input-major: the transpose of PyTorch's `weight_hh`); `b_hh`
//! `[directions, 3h]`; hidden states `[directions, batch, time, h]`. Each (direction, batch)
//! pair is one sequence read in the order it is stored: a reversed direction is stored
//! reversed by the caller.

use crate::activation::{sigmoid, tanh};
use crate::simd::has_avx2_fma;

/// The sizes of a batch of GRU sequences.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GruShape {
    pub directions: usize,
    pub batch: usize,
    pub time: usize,
    pub hidden: usize,
}

impl GruShape {
    pub fn gates_len(&self) -> usize {
        self.directions * self.batch * self.time * 3 * self.hidden
    }

    pub fn states_len(&self) -> usize {
        self.directions * self.batch * self.time * self.hidden
    }

    fn check(&self, gates_x: &[f32], w_hh: &[f32], b_hh: &[f32]) {
        let g = 3 * self.hidden;
        assert_eq!(gates_x.len(), self.gates_len(), "gates_x length");
        assert_eq!(w_hh.len(), self.directions * self.hidden * g, "w_hh length");
        assert_eq!(b_hh.len(), self.directions * g, "b_hh length");
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

/// Runs every sequence forward and writes its hidden states into `out`.
pub fn gru_sequence_forward(shape: GruShape, gates_x: &[f32], w_hh: &[f32], b_hh: &[f32], out: &mut [f32]) {
    shape.check(gates_x, w_hh, b_hh);
    assert_eq!(out.len(), shape.states_len(), "output length");
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: the CPU has AVX2 and FMA, checked just above.
        return unsafe { forward_avx2_fma(shape, gates_x, w_hh, b_hh, out) };
    }
    forward::<false>(shape, gates_x, w_hh, b_hh, out)
}

/// The backward pass of [`gru_sequence_forward`]: given its inputs, its output `out` and the
/// gradient of a loss with respect to `out`, writes the gradients with respect to the input
/// gates (`grad_gates_x`, the layout of `gates_x`) and to the hidden pre-activations
/// `h_{t-1} W + b` (`grad_gates_h`, the same layout). The caller turns the latter into the
/// weight and bias gradients with one product and one sum.
#[allow(clippy::too_many_arguments)]
pub fn gru_sequence_backward(
    shape: GruShape,
    gates_x: &[f32],
    w_hh: &[f32],
    b_hh: &[f32],
    out: &[f32],
    grad_out: &[f32],
    grad_gates_x: &mut [f32],
    grad_gates_h: &mut [f32],
) {
    shape.check(gates_x, w_hh, b_hh);
    assert_eq!(out.len(), shape.states_len(), "output length");
    assert_eq!(grad_out.len(), shape.states_len(), "output gradient length");
    assert_eq!(grad_gates_x.len(), shape.gates_len(), "input gate gradient length");
    assert_eq!(grad_gates_h.len(), shape.gates_len(), "hidden gate gradient length");
    let io = BackwardIo { gates_x, w_hh, b_hh, out, grad_out };
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: the CPU has AVX2 and FMA, checked just above.
        return unsafe { backward_avx2_fma(shape, &io, grad_gates_x, grad_gates_h) };
    }
    backward::<false>(shape, &io, grad_gates_x, grad_gates_h)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn forward_avx2_fma(shape: GruShape, gates_x: &[f32], w_hh: &[f32], b_hh: &[f32], out: &mut [f32]) {
    forward::<true>(shape, gates_x, w_hh, b_hh, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn backward_avx2_fma(shape: GruShape, io: &BackwardIo, grad_gates_x: &mut [f32], grad_gates_h: &mut [f32]) {
    backward::<true>(shape, io, grad_gates_x, grad_gates_h)
}

struct BackwardIo<'a> {
    gates_x: &'a [f32],
    w_hh: &'a [f32],
    b_hh: &'a [f32],
    out: &'a [f32],
    grad_out: &'a [f32],
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

#[inline(always)]
fn forward<const FMA: bool>(shape: GruShape, gates_x: &[f32], w_hh: &[f32], b_hh: &[f32], out: &mut [f32]) {
    let GruShape { batch, time, hidden: h, .. } = shape;
    let g = 3 * h;
    let mut gh = vec![0f32; g];
    let mut state = vec![0f32; h];
    let sequences = gates_x.chunks_exact(time * g).zip(out.chunks_exact_mut(time * h));
    for (s, (gx, hs)) in sequences.enumerate() {
        let d = s / batch;
        let (w, b) = (&w_hh[d * h * g..(d + 1) * h * g], &b_hh[d * g..(d + 1) * g]);
        state.fill(0.0);
        for (gx_t, h_t) in gx.chunks_exact(g).zip(hs.chunks_exact_mut(h)) {
            hidden_gates::<FMA>(&state, w, b, &mut gh);
            gru_cell(gx_t, &gh, &mut state);
            h_t.copy_from_slice(&state);
        }
    }
}

#[inline(always)]
fn backward<const FMA: bool>(shape: GruShape, io: &BackwardIo, grad_gates_x: &mut [f32], grad_gates_h: &mut [f32]) {
    let GruShape { batch, time, hidden: h, .. } = shape;
    let g = 3 * h;
    let zeros = vec![0f32; h];
    let mut gh = vec![0f32; g];
    // The gradient reaching h_t from step t + 1.
    let mut carry = vec![0f32; h];
    let mut direct = vec![0f32; h];
    let sequences = io.gates_x.chunks_exact(time * g).zip(io.out.chunks_exact(time * h)).zip(io.grad_out.chunks_exact(time * h));
    let grads = grad_gates_x.chunks_exact_mut(time * g).zip(grad_gates_h.chunks_exact_mut(time * g));
    for (s, (((gx, hs), dhs), (dgx, dgh))) in sequences.zip(grads).enumerate() {
        let d = s / batch;
        let (w, b) = (&io.w_hh[d * h * g..(d + 1) * h * g], &io.b_hh[d * g..(d + 1) * g]);
        carry.fill(0.0);
        for t in (0..time).rev() {
            let prev = if t == 0 { &zeros[..] } else { &hs[(t - 1) * h..t * h] };
            hidden_gates::<FMA>(prev, w, b, &mut gh);
            let gx_t = &gx[t * g..(t + 1) * g];
            let dh_out = &dhs[t * h..(t + 1) * h];
            let dgx_t = &mut dgx[t * g..(t + 1) * g];
            let dgh_t = &mut dgh[t * g..(t + 1) * g];
            for k in 0..h {
                let r = sigmoid(gx_t[k] + gh[k]);
                let z = sigmoid(gx_t[h + k] + gh[h + k]);
                let n = tanh(gx_t[2 * h + k] + r * gh[2 * h + k]);
                let dh = dh_out[k] + carry[k];
                let dn = dh * (1.0 - z) * (1.0 - n * n);
                let dz = dh * (prev[k] - n) * z * (1.0 - z);
                let dr = dn * gh[2 * h + k] * r * (1.0 - r);
                dgx_t[k] = dr;
                dgx_t[h + k] = dz;
                dgx_t[2 * h + k] = dn;
                dgh_t[k] = dr;
                dgh_t[h + k] = dz;
                dgh_t[2 * h + k] = dn * r;
                direct[k] = dh * z;
            }
            for k in 0..h {
                carry[k] = direct[k] + dot::<FMA>(&w[k * g..(k + 1) * g], dgh_t);
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

    /// The recurrence written out with library functions, one unit at a time.
    fn naive_forward(shape: GruShape, gx: &[f32], w: &[f32], b: &[f32]) -> Vec<f32> {
        let GruShape { batch, time, hidden: h, .. } = shape;
        let g = 3 * h;
        let mut out = vec![0f32; shape.states_len()];
        for s in 0..shape.directions * batch {
            let d = s / batch;
            let mut state = vec![0f32; h];
            for t in 0..time {
                let x = &gx[(s * time + t) * g..][..g];
                let gh: Vec<f32> =
                    (0..g).map(|j| b[d * g + j] + (0..h).map(|k| state[k] * w[d * h * g + k * g + j]).sum::<f32>()).collect();
                let sig = |v: f32| 1.0 / (1.0 + (-v).exp());
                for k in 0..h {
                    let r = sig(x[k] + gh[k]);
                    let z = sig(x[h + k] + gh[h + k]);
                    let n = (x[2 * h + k] + r * gh[2 * h + k]).tanh();
                    state[k] = (1.0 - z) * n + z * state[k];
                }
                out[(s * time + t) * h..][..h].copy_from_slice(&state);
            }
        }
        out
    }

    fn inputs(shape: GruShape) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
        let g = 3 * shape.hidden;
        let scale = |v: Vec<f32>, k: f32| v.into_iter().map(|x| x * k).collect::<Vec<_>>();
        (
            scale(values(shape.gates_len(), 1), 2.0),
            scale(values(shape.directions * shape.hidden * g, 2), 0.4),
            values(shape.directions * g, 3),
        )
    }

    #[test]
    fn forward_matches_the_written_out_recurrence() {
        // 3h = 123: the 32-wide, 8-wide and scalar output blocks all run.
        for shape in [
            GruShape { directions: 2, batch: 3, time: 7, hidden: 41 },
            GruShape { directions: 1, batch: 1, time: 1, hidden: 1 },
        ] {
            let (gx, w, b) = inputs(shape);
            let mut out = vec![0f32; shape.states_len()];
            gru_sequence_forward(shape, &gx, &w, &b, &mut out);
            let want = naive_forward(shape, &gx, &w, &b);
            let diff = out.iter().zip(&want).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
            assert!(diff < 2e-6, "{shape:?}: max difference {diff}");
            assert!(out.iter().any(|v| v.abs() > 0.1));
        }
    }

    #[test]
    fn backward_matches_finite_differences() {
        let shape = GruShape { directions: 2, batch: 2, time: 5, hidden: 9 };
        let (gx, w, b) = inputs(shape);
        let weights = values(shape.states_len(), 4); // loss = sum(weights * out)
        let loss = |gx: &[f32], w: &[f32], b: &[f32]| -> f64 {
            let out = naive_forward(shape, gx, w, b);
            out.iter().zip(&weights).map(|(o, c)| (*o as f64) * (*c as f64)).sum()
        };
        let mut out = vec![0f32; shape.states_len()];
        gru_sequence_forward(shape, &gx, &w, &b, &mut out);
        let (mut dgx, mut dgh) = (vec![0f32; shape.gates_len()], vec![0f32; shape.gates_len()]);
        gru_sequence_backward(shape, &gx, &w, &b, &out, &weights, &mut dgx, &mut dgh);

        let eps = 1e-2f32;
        let numeric = |f: &dyn Fn(f32) -> f64| ((f(eps) - f(-eps)) / (2.0 * eps as f64)) as f32;
        for i in (0..gx.len()).step_by(7) {
            let want = numeric(&|e| {
                let mut p = gx.clone();
                p[i] += e;
                loss(&p, &w, &b)
            });
            assert!((dgx[i] - want).abs() < 2e-3, "gates_x[{i}]: {} vs {want}", dgx[i]);
        }
        // The weight and bias gradients the caller derives from grad_gates_h.
        let (h, g, time, batch) = (shape.hidden, 3 * shape.hidden, shape.time, shape.batch);
        for (d, k, j) in [(0, 0, 0), (1, 3, 20), (0, 8, 26), (1, 5, 11)] {
            let mut dw = 0.0;
            for s in d * batch..(d + 1) * batch {
                for t in 1..time {
                    dw += out[(s * time + t - 1) * h + k] * dgh[(s * time + t) * g + j];
                }
            }
            let want = numeric(&|e| {
                let mut p = w.clone();
                p[d * h * g + k * g + j] += e;
                loss(&gx, &p, &b)
            });
            assert!((dw - want).abs() < 2e-3, "w_hh[{d},{k},{j}]: {dw} vs {want}");
            let db: f32 = (d * batch..(d + 1) * batch).flat_map(|s| (0..time).map(move |t| (s, t))).map(|(s, t)| dgh[(s * time + t) * g + j]).sum();
            let want = numeric(&|e| {
                let mut p = b.clone();
                p[d * g + j] += e;
                loss(&gx, &w, &p)
            });
            assert!((db - want).abs() < 2e-3, "b_hh[{d},{j}]: {db} vs {want}");
        }
    }
}
