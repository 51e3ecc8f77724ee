//! Picking the device in the browser: WebGPU when an adapter exists, the CPU (flex) otherwise.

use std::cell::RefCell;

use burn::tensor::Device;
use wasm_bindgen::JsValue;

/// Which backend a caller asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preference {
    Auto,
    WebGpu,
    Cpu,
}

impl Preference {
    pub fn parse(name: &str) -> Result<Self, String> {
        match name {
            "auto" => Ok(Preference::Auto),
            "webgpu" => Ok(Preference::WebGpu),
            "cpu" => Ok(Preference::Cpu),
            other => Err(format!("backend must be 'auto', 'webgpu' or 'cpu', got {other:?}")),
        }
    }
}

/// The device chosen, its name, and why WebGPU was not used (for `auto`).
pub struct Chosen {
    pub device: Device,
    pub name: &'static str,
    pub fallback_reason: Option<String>,
}

thread_local! {
    // A wgpu runtime initialises once per page; its outcome is reused.
    static WEBGPU: RefCell<Option<Result<Device, String>>> = const { RefCell::new(None) };
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

async fn webgpu() -> Result<Device, String> {
    if !navigator_has_gpu() {
        return Err("this browser exposes no WebGPU (navigator.gpu is missing)".into());
    }
    if let Some(known) = WEBGPU.with(|w| w.borrow().clone()) {
        return known;
    }
    let result = Device::wgpu_options().init_async().await.map_err(|e| for_people(&e.to_string()));
    WEBGPU.with(|w| *w.borrow_mut() = Some(result.clone()));
    result
}

/// wgpu's error as a sentence: its text names internal types (`WgpuDevice { kind: ... }`)
/// that mean nothing on a page.
fn for_people(error: &str) -> String {
    if error.contains("No adapter") || error.contains("no suitable") || error.contains("No suitable") {
        "this browser offers no WebGPU adapter; WebGPU may be turned off, or this GPU unsupported".into()
    } else {
        let first = error.split([':', '\n']).next().unwrap_or(error).trim();
        format!("WebGPU did not start ({first})")
    }
}

pub async fn choose(preference: Preference) -> Result<Chosen, String> {
    match preference {
        Preference::Cpu => Ok(Chosen { device: Device::flex(), name: "cpu", fallback_reason: None }),
        Preference::WebGpu => Ok(Chosen { device: webgpu().await?, name: "webgpu", fallback_reason: None }),
        Preference::Auto => Ok(match webgpu().await {
            Ok(device) => Chosen { device, name: "webgpu", fallback_reason: None },
            Err(reason) => Chosen { device: Device::flex(), name: "cpu", fallback_reason: Some(reason) },
        }),
    }
}
