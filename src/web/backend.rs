//! Picking the device in the browser: WebGPU when an adapter exists, the CPU (flex) otherwise.

use burn::tensor::Device;
use wasm_bindgen::JsValue;

use super::types::{Backend, BackendChoice};

/// The device chosen, its backend, and why WebGPU was not used (for `auto`).
pub struct Chosen {
    pub device: Device,
    pub backend: Backend,
    pub fallback_reason: Option<String>,
}

pub async fn choose(choice: BackendChoice) -> Result<Chosen, String> {
    let cpu = |fallback_reason| Chosen { device: Device::flex(), backend: Backend::Cpu, fallback_reason };
    match choice {
        BackendChoice::Cpu => Ok(cpu(None)),
        BackendChoice::WebGpu => {
            Ok(Chosen { device: webgpu::device().await?, backend: Backend::WebGpu, fallback_reason: None })
        }
        BackendChoice::Auto => Ok(match webgpu::device().await {
            Ok(device) => Chosen { device, backend: Backend::WebGpu, fallback_reason: None },
            Err(reason) => cpu(Some(reason)),
        }),
    }
}

impl Backend {
    /// The name `model.backend` gives.
    pub fn name(self) -> &'static str {
        match self {
            Backend::WebGpu => "webgpu",
            Backend::Cpu => "cpu",
        }
    }
}

fn navigator_has_gpu() -> bool {
    let global = js_sys::global();
    let navigator = js_sys::Reflect::get(&global, &JsValue::from_str("navigator")).unwrap_or(JsValue::UNDEFINED);
    if navigator.is_undefined() || navigator.is_null() {
        return false;
    }
    let gpu = js_sys::Reflect::get(&navigator, &JsValue::from_str("gpu")).unwrap_or(JsValue::UNDEFINED);
    !(gpu.is_undefined() || gpu.is_null())
}

/// Whether `navigator.gpu.requestAdapter()` gives an adapter: asked before wgpu starts, so a
/// page without one is told so in our words rather than by matching wgpu's error text.
async fn adapter_offered() -> bool {
    use js_sys::{Function, Promise, Reflect};
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let gpu = Reflect::get(&js_sys::global(), &"navigator".into()).and_then(|n| Reflect::get(&n, &"gpu".into()));
    let Ok(gpu) = gpu else { return false };
    let Ok(request) =
        Reflect::get(&gpu, &"requestAdapter".into()).and_then(|f| f.dyn_into::<Function>().map_err(JsValue::from))
    else {
        return false;
    };
    let Ok(promise) = request.call0(&gpu).and_then(|p| p.dyn_into::<Promise>().map_err(JsValue::from)) else {
        return false;
    };
    matches!(JsFuture::from(promise).await, Ok(adapter) if !adapter.is_null() && !adapter.is_undefined())
}

const NO_NAVIGATOR_GPU: &str = "this browser exposes no WebGPU (navigator.gpu is missing)";
const NO_ADAPTER: &str = "this browser offers no WebGPU adapter; WebGPU may be turned off, or this GPU unsupported";

/// The package's CPU-only build is this crate without the `wgpu` feature; index.js loads it
/// when asked for the CPU or when the browser offered no WebGPU adapter.
#[cfg(not(feature = "wgpu"))]
mod webgpu {
    use burn::tensor::Device;

    /// Why there is no WebGPU device, in the words the full build would use where they apply.
    pub async fn device() -> Result<Device, String> {
        Err(if !super::navigator_has_gpu() {
            super::NO_NAVIGATOR_GPU.into()
        } else if !super::adapter_offered().await {
            super::NO_ADAPTER.into()
        } else {
            "the page loaded cmin-wasm's CPU-only build (init's backend 'cpu'), which has no WebGPU backend".into()
        })
    }
}

#[cfg(feature = "wgpu")]
mod webgpu {
    use std::cell::RefCell;

    use burn::tensor::Device;

    use super::{NO_ADAPTER, NO_NAVIGATOR_GPU, adapter_offered, navigator_has_gpu};

    thread_local! {
        // A wgpu runtime initialises once per page; its outcome is reused.
        static WEBGPU: RefCell<Option<Result<Device, String>>> = const { RefCell::new(None) };
    }

    pub async fn device() -> Result<Device, String> {
        if !navigator_has_gpu() {
            return Err(NO_NAVIGATOR_GPU.into());
        }
        if let Some(known) = WEBGPU.with(|w| w.borrow().clone()) {
            return known;
        }
        let result = if adapter_offered().await {
            Device::wgpu_options().init_async().await.map_err(|e| for_people(&e.to_string()))
        } else {
            Err(NO_ADAPTER.into())
        };
        WEBGPU.with(|w| *w.borrow_mut() = Some(result.clone()));
        result
    }

    /// wgpu's error, where an adapter exists but the device did not start, as a sentence: its
    /// first phrase, without the internal types (`WgpuDevice { kind: ... }`) after it.
    fn for_people(error: &str) -> String {
        let first = error.split([':', '\n']).next().unwrap_or(error).trim();
        format!("WebGPU did not start ({first})")
    }
}
