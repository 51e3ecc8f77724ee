//! Counting the GPU kernels that a piece of work launches, through CubeCL's launch observer:
//! every dispatch on a wgpu or WebGPU device is seen as it is issued.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use cubecl::logging::{LaunchObservation, LaunchObserver};

/// Kernels launched, by kernel name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dispatches {
    pub by_kernel: BTreeMap<&'static str, usize>,
}

impl Dispatches {
    pub fn total(&self) -> usize {
        self.by_kernel.values().sum()
    }
}

#[derive(Default)]
struct Recorder(Mutex<Dispatches>);

impl LaunchObserver for Recorder {
    fn launched(&self, kernel: &'static str) {
        if let Ok(mut d) = self.0.lock() {
            *d.by_kernel.entry(kernel).or_default() += 1;
        }
    }
}

/// Runs `work` and returns its result with the kernels it launched on any CubeCL device (none
/// on the CPU backend). Launches from other threads during `work` are counted too.
pub fn count_dispatches<R>(work: impl FnOnce() -> R) -> (R, Dispatches) {
    let recorder = Arc::new(Recorder::default());
    let observation = LaunchObservation::new(recorder.clone());
    let result = work();
    drop(observation);
    let counted = recorder.0.lock().map(|d| d.clone()).unwrap_or_default();
    (result, counted)
}
