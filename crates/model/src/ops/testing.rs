//! Test inputs and comparisons shared by the operations' tests.

use burn::tensor::{Device, Tensor, TensorData};

/// `count` deterministic values in `[-scale, scale]`: a sine sampled at an irrational step, so
/// that neighbouring values differ and no pattern lines up with a tensor's dimensions.
pub fn values(count: usize, seed: u64, scale: f32) -> Vec<f32> {
    (0..count).map(|i| ((i as f64 * 0.618_034 + seed as f64 * 1.7).sin() as f32) * scale).collect()
}

pub fn tensor<const D: usize>(dims: [usize; D], seed: u64, scale: f32, device: &Device) -> Tensor<D> {
    Tensor::from_data(TensorData::new(values(dims.iter().product(), seed, scale), dims), device)
}

pub fn max_difference<const D: usize>(a: Tensor<D>, b: Tensor<D>) -> f32 {
    (a - b).abs().max().into_scalar::<f32>()
}

/// The gradient of `sum(f(x) * weights)` with respect to `x`, on an autodiff device.
pub fn gradient<const D: usize, const E: usize>(
    x: &Tensor<D>,
    weights: &Tensor<E>,
    f: impl Fn(Tensor<D>) -> Tensor<E>,
) -> Tensor<D> {
    let x = x.clone().require_grad();
    let grads = (f(x.clone()) * weights.clone()).sum().backward();
    x.grad(&grads).expect("x takes part in the loss")
}

/// Runs `check` on the native wgpu device; without one it is skipped locally and fails in CI.
/// The device is made once per process: a wgpu runtime cannot be initialised twice.
#[cfg(feature = "wgpu")]
pub fn on_wgpu(check: fn(&Device)) {
    static DEVICE: std::sync::OnceLock<Result<Device, String>> = std::sync::OnceLock::new();
    match DEVICE.get_or_init(|| Device::wgpu_options().init().map_err(|e| e.to_string())) {
        Ok(device) => check(device),
        Err(e) if std::env::var_os("CI").is_none() => eprintln!("skipped: {e}"),
        Err(e) => panic!("{e}"),
    }
}
