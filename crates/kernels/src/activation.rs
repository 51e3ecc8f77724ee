//! Branch-free activations: loops over them vectorise, where the library `exp` is a call per
//! element (and a GRU cell needs three per unit and step).

/// `e^x` to about 2e-7 relative (zero below -87). Plain multiplies and adds only: `mul_add` is a library call
/// where the target has no FMA (wasm, x86-64 before Haswell), which would stop vectorisation.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    // e^x = 2^n e^r with n = round(x / ln 2), |r| <= ln 2 / 2; the shifter rounds to nearest
    // and leaves n in the low mantissa bits. ln 2 is split Cody-Waite style: LN2_HI has nine
    // significant bits, so n * LN2_HI is exact for every n that the clamp allows.
    const SHIFTER: f32 = 12_582_912.0; // 1.5 * 2^23
    const LN2_HI: f32 = 0.693_359_375;
    const LN2_LO: f32 = -2.121_944_4e-4;
    let x_in = x;
    let x = x.clamp(-87.0, 88.0);
    let shifted = x * std::f32::consts::LOG2_E + SHIFTER;
    let n = shifted - SHIFTER;
    let r = (x - n * LN2_HI) - n * LN2_LO;
    let p = 1.0 + r * (1.0 + r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    let two_n = f32::from_bits((shifted.to_bits().wrapping_sub(SHIFTER.to_bits()).wrapping_add(127)) << 23);
    // Below the clamp the answer is zero, not e^-87: a tiny normal number that products (the
    // masked weights of a softmax times values) turn into denormals, which x86 computes with
    // microcode at a hundred times the cost.
    let keep = ((x_in >= -87.0) as u32).wrapping_neg();
    f32::from_bits((p * two_n).to_bits() & keep)
}

#[cfg(target_arch = "x86_64")]
use crate::simd::has_avx2_fma;

#[inline(always)]
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + exp(-x))
}

#[inline(always)]
pub fn tanh(x: f32) -> f32 {
    2.0 * sigmoid(2.0 * x) - 1.0
}

/// `sigmoid` over a slice, in place.
pub fn sigmoid_in_place(values: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: the CPU has AVX2 and FMA, checked just above.
        return unsafe { sigmoid_avx2(values) };
    }
    sigmoid_loop(values)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn sigmoid_avx2(values: &mut [f32]) {
    sigmoid_loop(values)
}

#[inline(always)]
fn sigmoid_loop(values: &mut [f32]) {
    for v in values {
        *v = sigmoid(*v);
    }
}

/// Softmax over each run of `width` consecutive values (the rows of a row-major matrix), in
/// place; `values.len()` must be a multiple of `width`. The row maximum is subtracted first,
/// so large logits do not overflow.
pub fn softmax_rows_in_place(values: &mut [f32], width: usize) {
    assert!(width > 0 && values.len() % width == 0, "rows of `width` values");
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: the CPU has AVX2 and FMA, checked just above.
        return unsafe { softmax_avx2(values, width) };
    }
    softmax_loop(values, width)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn softmax_avx2(values: &mut [f32], width: usize) {
    softmax_loop(values, width)
}

#[inline(always)]
fn softmax_loop(values: &mut [f32], width: usize) {
    for row in values.chunks_exact_mut(width) {
        let max = row.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
        for v in row.iter_mut() {
            *v = exp(*v - max);
        }
        let inverse = 1.0 / row.iter().sum::<f32>();
        for v in row.iter_mut() {
            *v *= inverse;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_rows_sum_to_one_and_match_the_definition() {
        let mut rows = vec![0.5f32, -1.0, 3.0, 120.0, 119.0, -300.0];
        softmax_rows_in_place(&mut rows, 3);
        let want = |r: [f64; 3]| {
            let m = r.iter().cloned().fold(f64::MIN, f64::max);
            let e = r.map(|v| (v - m).exp());
            let s: f64 = e.iter().sum();
            e.map(|v| v / s)
        };
        let expected: Vec<f64> = [want([0.5, -1.0, 3.0]), want([120.0, 119.0, -300.0])].concat();
        for (got, want) in rows.iter().zip(&expected) {
            assert!((*got as f64 - want).abs() < 1e-6, "{got} vs {want}");
        }
    }

    #[test]
    fn sigmoid_over_a_slice_matches_the_scalar_one() {
        let mut values: Vec<f32> = (-50..50).map(|i| i as f32 * 0.37).collect();
        let expected: Vec<f32> = values.iter().map(|&v| sigmoid(v)).collect();
        sigmoid_in_place(&mut values);
        assert_eq!(values, expected);
    }

    #[test]
    fn activations_match_the_library_functions() {
        for i in -2000..=2000 {
            let x = i as f32 * 0.01;
            let rel = ((exp(x) as f64 - (x as f64).exp()) / (x as f64).exp()).abs();
            assert!(rel < 4e-7, "exp({x}): relative error {rel}");
            let want = 1.0 / (1.0 + (-x as f64).exp());
            assert!((sigmoid(x) as f64 - want).abs() < 2e-7, "sigmoid({x})");
            assert!((tanh(x) as f64 - (x as f64).tanh()).abs() < 4e-7, "tanh({x})");
        }
        assert!(sigmoid(-200.0) < 1e-37);
        assert_eq!(sigmoid(200.0), 1.0);
    }
}
