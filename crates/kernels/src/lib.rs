//! Plain-Rust CPU kernels, written so that the compiler vectorises them (fixed-width blocks,
//! branch-free activations) and compiled a second time for AVX2 + FMA, chosen at run time.
//! No tensor library: callers hand in contiguous `f32` slices.

pub mod activation;
pub mod attention;
pub mod dense;
pub mod gru;
mod simd;
pub use simd::{gru_cell_fastest, has_avx2_fma, vectorised};

pub use activation::{exp, sigmoid, sigmoid_in_place, softmax_rows_in_place, tanh};
pub use attention::{additive_attention_logits, additive_attention_logits_backward};
pub use dense::{Dense, dot};
pub use gru::{BigruGrads, GruShape, bigru_backward, bigru_forward, gru_cell};
