//! Run-time choice of the AVX2 + FMA build of a kernel.

/// Whether this CPU has AVX2 and FMA (checked once; the answer is cached by std).
#[inline]
pub fn has_avx2_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    return std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma");
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// Runs `f` compiled for AVX2 + FMA where the CPU has them (the closure is inlined into a
/// function built for those features), else as is: a caller's glue between kernels gets the
/// wider vectors without naming a target itself.
#[inline(always)]
pub fn vectorised<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        #[target_feature(enable = "avx2,fma")]
        unsafe fn wide<R>(f: impl FnOnce() -> R) -> R {
            f()
        }
        // SAFETY: the CPU supports AVX2 and FMA, checked just above.
        return unsafe { wide(f) };
    }
    f()
}

/// One GRU cell step ([`crate::gru_cell`]) in its AVX2 + FMA build where the CPU has them; `wide` is
/// [`has_avx2_fma`], asked once by the caller for a whole recurrence.
#[inline]
pub fn gru_cell_fastest(wide: bool, gx: &[f32], gh: &[f32], state: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if wide {
        #[target_feature(enable = "avx2,fma")]
        unsafe fn cell(gx: &[f32], gh: &[f32], state: &mut [f32]) {
            crate::gru_cell(gx, gh, state)
        }
        // SAFETY: the caller found AVX2 and FMA on this CPU.
        return unsafe { cell(gx, gh, state) };
    }
    let _ = wide;
    crate::gru_cell(gx, gh, state)
}
