//! Activations shared by the CubeCL kernels (`#[cube]` functions are expanded into each kernel
//! that calls them).

use cubecl::prelude::*;

#[cube]
pub fn sigmoid<F: Float>(x: F) -> F {
    F::new(1.0) / (F::new(1.0) + (F::new(0.0) - x).exp())
}

/// `2 sigmoid(2x) - 1`: finite for every input, where some shader compilers' `tanh` returns NaN
/// for large arguments.
#[cube]
pub fn tanh<F: Float>(x: F) -> F {
    F::new(2.0) * sigmoid::<F>(F::new(2.0) * x) - F::new(1.0)
}
