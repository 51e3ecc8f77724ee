//! Run-time choice of the AVX2 + FMA build of a kernel.

/// Whether this CPU has AVX2 and FMA (checked once; the answer is cached by std).
#[inline]
pub fn has_avx2_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    return std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma");
    #[cfg(not(target_arch = "x86_64"))]
    false
}
