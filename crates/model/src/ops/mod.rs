//! Operations that burn does not have, added to every backend we ship through burn's backend
//! extensions: one trait per operation, implemented for the CPU (flex), CubeCL (wgpu and
//! WebGPU) and autodiff backends, and a `Tensor` function that reaches them through dispatch.

pub mod activation;
pub mod attention;
#[cfg(feature = "wgpu")]
mod cube_math;
#[cfg(feature = "wgpu")]
pub mod dispatches;
mod flex_data;
pub mod gcn;
pub mod gru;
pub mod product;
#[cfg(test)]
mod testing;
