//! The device every build has.

use burn::tensor::Device;

/// The pure-Rust CPU backend.
pub fn cpu() -> Device {
    Device::flex()
}
