//! Test inputs and comparisons shared by the operations' tests.

use burn::tensor::{Device, Tensor, TensorData};

/// `count` deterministic values in `[-scale, scale)` (xorshift).
pub fn values(count: usize, seed: u64, scale: f32) -> Vec<f32> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..count)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0) * scale
        })
        .collect()
}

pub fn tensor<const D: usize>(dims: [usize; D], seed: u64, scale: f32, device: &Device) -> Tensor<D> {
    Tensor::from_data(TensorData::new(values(dims.iter().product(), seed, scale), dims), device)
}

pub fn max_difference<const D: usize>(a: Tensor<D>, b: Tensor<D>) -> f32 {
    (a - b).abs().max().into_scalar::<f32>()
}

/// The gradient of `sum(f(x) * weights)` with respect to `x`, on an autodiff device.
pub fn gradient<const D: usize, const E: usize>(x: &Tensor<D>, weights: &Tensor<E>, f: impl Fn(Tensor<D>) -> Tensor<E>) -> Tensor<D> {
    let x = x.clone().require_grad();
    let grads = (f(x.clone()) * weights.clone()).sum().backward();
    x.grad(&grads).expect("x takes part in the loss")
}
