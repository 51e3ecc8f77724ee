//! Branch-free activations: loops over them vectorise, where the library `exp` is a call per
//! element (and a GRU cell needs three per unit and step).

/// `e^x` to about 2e-7 relative. Plain multiplies and adds only: `mul_add` is a library call
/// where the target has no FMA (wasm, x86-64 before Haswell), which would stop vectorisation.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    // e^x = 2^n e^r with n = round(x / ln 2), |r| <= ln 2 / 2; the shifter rounds to nearest
    // and leaves n in the low mantissa bits. ln 2 is split Cody-Waite style: LN2_HI has nine
    // significant bits, so n * LN2_HI is exact for every n that the clamp allows.
    const SHIFTER: f32 = 12_582_912.0; // 1.5 * 2^23
    const LN2_HI: f32 = 0.693_359_375;
    const LN2_LO: f32 = -2.121_944_4e-4;
    let x = x.clamp(-87.0, 88.0);
    let shifted = x * std::f32::consts::LOG2_E + SHIFTER;
    let n = shifted - SHIFTER;
    let r = (x - n * LN2_HI) - n * LN2_LO;
    let p = 1.0 + r * (1.0 + r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    let two_n = f32::from_bits((shifted.to_bits().wrapping_sub(SHIFTER.to_bits()).wrapping_add(127)) << 23);
    p * two_n
}

#[inline(always)]
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + exp(-x))
}

#[inline(always)]
pub fn tanh(x: f32) -> f32 {
    2.0 * sigmoid(2.0 * x) - 1.0
}

#[cfg(test)]
mod tests {
    use super::*;

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
