//! Choosing a device by name, once per process (a wgpu runtime cannot be initialised twice).

use burn::tensor::Device;

use crate::error::{CminError, Result};

/// The pure-Rust CPU backend.
pub fn cpu() -> Device {
    Device::flex()
}

/// The native wgpu device (Vulkan, Metal or DX12), initialised on first use.
#[cfg(all(feature = "wgpu", not(target_family = "wasm")))]
pub fn wgpu() -> Result<Device> {
    use std::sync::OnceLock;
    static DEVICE: OnceLock<std::result::Result<Device, String>> = OnceLock::new();
    DEVICE
        .get_or_init(|| Device::wgpu_options().init().map_err(|e| e.to_string()))
        .clone()
        .map_err(|e| CminError::Config(format!("no wgpu device: {e}")))
}

/// `"cpu"` or `"wgpu"`.
pub fn by_name(name: &str) -> Result<Device> {
    match name {
        "cpu" => Ok(cpu()),
        #[cfg(all(feature = "wgpu", not(target_family = "wasm")))]
        "wgpu" => wgpu(),
        other => Err(CminError::Option(format!("unknown device {other:?}: use cpu or wgpu"))),
    }
}
