//! Additive (Bahdanau) attention logits `s_ij = sum_k w_k tanh(a_ik + b_jk)` and their
//! gradients without the `[rows x columns x dim]` intermediate: one pass each, the tanh
//! vectorised (the backward recomputes it rather than keeping it).

use crate::activation::tanh;
#[cfg(target_arch = "x86_64")]
use crate::simd::has_avx2_fma;

/// `batch * rows * columns` once the inputs' shapes are checked.
fn logits_len(a: &[f32], c: &[f32], w: &[f32], batch: usize) -> usize {
    let dim = w.len();
    assert!(batch > 0 && dim > 0, "a batch and a width");
    assert_eq!(a.len() % (batch * dim), 0, "a: [batch, rows, dim]");
    assert_eq!(c.len() % (batch * dim), 0, "c: [batch, columns, dim]");
    batch * (a.len() / (batch * dim)) * (c.len() / (batch * dim))
}

/// `out[b][i][j] = sum_k w[k] tanh(a[b][i][k] + c[b][j][k])` for `a` `[batch, rows, dim]`, `c`
/// `[batch, columns, dim]`, `out` `[batch, rows, columns]`.
pub fn additive_attention_logits(a: &[f32], c: &[f32], w: &[f32], batch: usize, out: &mut [f32]) {
    assert_eq!(out.len(), logits_len(a, c, w, batch), "out: [batch, rows, columns]");
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: the CPU has AVX2 and FMA, checked just above.
        return unsafe { logits_avx2_fma(a, c, w, batch, out) };
    }
    logits(a, c, w, batch, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn logits_avx2_fma(a: &[f32], c: &[f32], w: &[f32], batch: usize, out: &mut [f32]) {
    logits(a, c, w, batch, out)
}

#[inline(always)]
fn logits(a: &[f32], c: &[f32], w: &[f32], batch: usize, out: &mut [f32]) {
    let dim = w.len();
    let (a_rows, c_rows) = (a.len() / batch, c.len() / batch);
    let columns = c_rows / dim;
    for (b, out_b) in out.chunks_exact_mut(out.len() / batch).enumerate() {
        let c_b = &c[b * c_rows..(b + 1) * c_rows];
        for (row, out_row) in a[b * a_rows..(b + 1) * a_rows].chunks_exact(dim).zip(out_b.chunks_exact_mut(columns)) {
            for (column, o) in c_b.chunks_exact(dim).zip(out_row) {
                *o = weighted_tanh_sum(row, column, w);
            }
        }
    }
}

/// `sum_k w_k tanh(x_k + y_k)` with eight partial sums.
#[inline(always)]
fn weighted_tanh_sum(x: &[f32], y: &[f32], w: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let (x8, x_rest) = x.as_chunks::<8>();
    let (y8, y_rest) = y.as_chunks::<8>();
    let (w8, w_rest) = w.as_chunks::<8>();
    for ((xs, ys), ws) in x8.iter().zip(y8).zip(w8) {
        for l in 0..8 {
            acc[l] += ws[l] * tanh(xs[l] + ys[l]);
        }
    }
    let tail: f32 = x_rest.iter().zip(y_rest).zip(w_rest).map(|((x, y), w)| w * tanh(x + y)).sum();
    acc.iter().sum::<f32>() + tail
}

/// The gradients of [`additive_attention_logits`] (`da`, `dc`, `dw`, laid out as `a`, `c`,
/// `w`) given the gradient `grad_out` `[batch, rows, columns]` of a loss with respect to its
/// output: with `t = tanh(a_ik + c_jk)` and `u = g_ij w_k (1 - t^2)`, `da_ik = sum_j u`,
/// `dc_jk = sum_i u`, `dw_k = sum_ij g_ij t`.
pub fn additive_attention_logits_backward(
    a: &[f32],
    c: &[f32],
    w: &[f32],
    batch: usize,
    grad_out: &[f32],
) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    assert_eq!(grad_out.len(), logits_len(a, c, w, batch), "grad_out: [batch, rows, columns]");
    let mut grads = (vec![0f32; a.len()], vec![0f32; c.len()], vec![0f32; w.len()]);
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: the CPU has AVX2 and FMA, checked just above.
        unsafe { backward_avx2_fma(a, c, w, batch, grad_out, &mut grads) };
        return grads;
    }
    backward(a, c, w, batch, grad_out, &mut grads);
    grads
}

type Grads = (Vec<f32>, Vec<f32>, Vec<f32>);

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn backward_avx2_fma(a: &[f32], c: &[f32], w: &[f32], batch: usize, grad_out: &[f32], grads: &mut Grads) {
    backward(a, c, w, batch, grad_out, grads)
}

#[inline(always)]
fn backward(a: &[f32], c: &[f32], w: &[f32], batch: usize, grad_out: &[f32], (da, dc, dw): &mut Grads) {
    let dim = w.len();
    let (a_rows, c_rows) = (a.len() / batch, c.len() / batch);
    let columns = c_rows / dim;
    for (b, grad_b) in grad_out.chunks_exact(grad_out.len() / batch).enumerate() {
        let (c_b, dc_b) = (&c[b * c_rows..(b + 1) * c_rows], &mut dc[b * c_rows..(b + 1) * c_rows]);
        let rows = a[b * a_rows..(b + 1) * a_rows]
            .chunks_exact(dim)
            .zip(da[b * a_rows..(b + 1) * a_rows].chunks_exact_mut(dim));
        for ((row, da_row), grad_row) in rows.zip(grad_b.chunks_exact(columns)) {
            for ((column, dc_column), &g) in c_b.chunks_exact(dim).zip(dc_b.chunks_exact_mut(dim)).zip(grad_row) {
                // Masked columns (padding words) get no gradient through the softmax.
                if g == 0.0 {
                    continue;
                }
                for k in 0..dim {
                    let t = tanh(row[k] + column[k]);
                    let u = g * w[k] * (1.0 - t * t);
                    da_row[k] += u;
                    dc_column[k] += u;
                    dw[k] += g * t;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logits_match_the_written_out_sum() {
        let (batch, rows, columns, dim) = (2, 5, 3, 13);
        let wave = |n: usize, k: f32| (0..n).map(|i| ((i as f32 * 0.37 + k).sin()) * 1.5).collect::<Vec<f32>>();
        let (a, c, w) = (wave(batch * rows * dim, 0.1), wave(batch * columns * dim, 0.7), wave(dim, 1.3));
        let mut out = vec![0f32; batch * rows * columns];
        additive_attention_logits(&a, &c, &w, batch, &mut out);
        for b in 0..batch {
            for i in 0..rows {
                for j in 0..columns {
                    let want: f64 = (0..dim)
                        .map(|k| {
                            w[k] as f64 * ((a[(b * rows + i) * dim + k] + c[(b * columns + j) * dim + k]) as f64).tanh()
                        })
                        .sum();
                    let got = out[(b * rows + i) * columns + j] as f64;
                    assert!((got - want).abs() < 2e-6, "[{b}][{i}][{j}]: {got} vs {want}");
                }
            }
        }
    }

    #[test]
    fn backward_matches_finite_differences() {
        let (batch, rows, columns, dim) = (2, 4, 3, 11);
        let wave = |n: usize, k: f32| (0..n).map(|i| ((i as f32 * 0.37 + k).sin()) * 1.5).collect::<Vec<f32>>();
        let (a, c, w) = (wave(batch * rows * dim, 0.1), wave(batch * columns * dim, 0.7), wave(dim, 1.3));
        let mut g = wave(batch * rows * columns, 2.1);
        g[4] = 0.0;
        let loss = |a: &[f32], c: &[f32], w: &[f32]| -> f64 {
            let mut out = vec![0f32; batch * rows * columns];
            additive_attention_logits(a, c, w, batch, &mut out);
            out.iter().zip(&g).map(|(o, g)| (*o as f64) * (*g as f64)).sum()
        };
        let (da, dc, dw) = additive_attention_logits_backward(&a, &c, &w, batch, &g);
        let eps = 1e-2f32;
        let check = |name: &str, got: &[f32], base: &[f32], f: &dyn Fn(&[f32]) -> f64| {
            for i in 0..base.len() {
                let at = |e: f32| {
                    let mut p = base.to_vec();
                    p[i] += e;
                    f(&p)
                };
                let want = (at(eps) - at(-eps)) / (2.0 * eps as f64);
                assert!((got[i] as f64 - want).abs() < 2e-3, "{name}[{i}]: {} vs {want}", got[i]);
            }
        };
        check("a", &da, &a, &|p| loss(p, &c, &w));
        check("c", &dc, &c, &|p| loss(&a, p, &w));
        check("w", &dw, &w, &|p| loss(&a, &c, p));
    }
}
