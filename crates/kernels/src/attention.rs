//! Additive (Bahdanau) attention logits `s_ij = sum_k w_k tanh(a_ik + b_jk)` without the
//! `[rows x columns x dim]` intermediate: one pass, the tanh vectorised.

use crate::activation::tanh;
use crate::simd::has_avx2_fma;

/// `out[b][i][j] = sum_k w[k] tanh(a[b][i][k] + c[b][j][k])` for `a` `[batch, rows, dim]`, `c`
/// `[batch, columns, dim]`, `out` `[batch, rows, columns]`.
pub fn additive_attention_logits(a: &[f32], c: &[f32], w: &[f32], batch: usize, out: &mut [f32]) {
    let dim = w.len();
    assert!(batch > 0 && dim > 0, "a batch and a width");
    assert_eq!(a.len() % (batch * dim), 0, "a: [batch, rows, dim]");
    assert_eq!(c.len() % (batch * dim), 0, "c: [batch, columns, dim]");
    let (rows, columns) = (a.len() / (batch * dim), c.len() / (batch * dim));
    assert_eq!(out.len(), batch * rows * columns, "out: [batch, rows, columns]");
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
}
