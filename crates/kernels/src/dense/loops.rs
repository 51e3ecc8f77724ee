//! The multiply-add loops of the dense layers over blocked weights: many rows at once, one
//! row (the recurrences), and their AVX2/FMA and half-float forms on x86-64.

/// What the kernels read of a dense layer besides its packed weights (see `Dense`).
pub(super) struct Layer<'a> {
    pub d_in: usize,
    pub d_out: usize,
    /// Per output, padded like a block row: `y = bias + scale * (q x)`.
    pub scale: &'a [f32],
    pub bias: &'a [f32],
}

/// Output columns per block of the packed weights (two 8-lane registers).
pub(super) const BLOCK: usize = 16;
/// Rows per pass of the many-row kernel, and partial sums per output of the one-row kernel:
/// either way 4 x 16 independent accumulators.
pub(super) const WAYS: usize = 4;

/// `acc + x * y`, fused where the caller was compiled with FMA (`FMA` is then true; elsewhere
/// `mul_add` would be a slow library call).
#[inline(always)]
pub(super) fn madd<const FMA: bool>(acc: f32, x: f32, y: f32) -> f32 {
    if FMA { x.mul_add(y, acc) } else { acc + x * y }
}

/// `a . b`, in eight independent sums.
#[inline(always)]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
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
pub(super) fn four_rows<W: Copy + Into<f32>, const FMA: bool>(
    d: &Layer,
    packed: &[W],
    x: &[f32],
    r0: usize,
    y: &mut [f32],
) {
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
pub(super) fn finish<const FMA: bool>(y: &mut [f32], bias: &[f32; BLOCK], scale: &[f32; BLOCK], sum: &[f32; BLOCK]) {
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
pub(super) fn one_row<W: Copy + Into<f32>, const FMA: bool>(
    d: &Layer,
    packed: &[W],
    x: &[f32],
    r: usize,
    y: &mut [f32],
) {
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
pub(super) fn dense_rows<W: Copy + Into<f32>, const FMA: bool>(d: &Layer, packed: &[W], x: &[f32], y: &mut [f32]) {
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
pub(super) unsafe fn dense_rows_avx2_fma<W: Copy + Into<f32>>(d: &Layer, packed: &[W], x: &[f32], y: &mut [f32]) {
    dense_rows::<W, true>(d, packed, x, y)
}

/// [`one_row`] over half-float weights, row by row.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,f16c")]
pub(super) unsafe fn rows_f16(d: &Layer, packed: &[u16], x: &[f32], y: &mut [f32]) {
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

/// An integer of magnitude below 2^11 as IEEE half-float bits (exact).
#[cfg(target_arch = "x86_64")]
pub(super) fn int_to_half(q: i8) -> u16 {
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
pub(super) fn half_to_int(h: u16) -> i32 {
    if h & 0x7fff == 0 {
        return 0;
    }
    let e = ((h >> 10) & 0x1f) as i32 - 15;
    let m = ((h & 0x3ff) | 0x400) as i32;
    let v = m >> (10 - e);
    if h & 0x8000 != 0 { -v } else { v }
}
