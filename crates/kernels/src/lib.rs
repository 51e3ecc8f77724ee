//! Plain-Rust CPU kernels, written so that the compiler vectorises them (fixed-width blocks,
//! branch-free activations) and compiled a second time for AVX2 + FMA, chosen at run time.
//! No tensor library: callers hand in contiguous `f32` slices.

pub mod activation;
pub mod gru;
mod simd;
pub use simd::has_avx2_fma;

pub use activation::{exp, sigmoid, tanh};
pub use gru::{BigruGrads, GruShape, bigru_backward, bigru_forward, gru_cell};
