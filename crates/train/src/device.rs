//! Choosing a native device by name, once per process (a wgpu runtime cannot be initialised
//! twice).

use burn::tensor::Device;
pub use cmin_model::device::cpu;
use cmin_model::error::{CminError, Result};

/// The native wgpu device (Vulkan, Metal or DX12), initialised on first use.
#[cfg(feature = "wgpu")]
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
        #[cfg(feature = "wgpu")]
        "wgpu" => wgpu(),
        other => Err(CminError::Option(format!("unknown device {other:?}: use cpu or wgpu"))),
    }
}
