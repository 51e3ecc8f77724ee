//! The JavaScript API (`cmin-wasm`): a thin skin over [`cmin_model::inference`]. All model code
//! stays target-agnostic; this layer converts JS values, picks the device, reads results
//! back asynchronously (a sync readback panics on WebGPU) and turns errors into `Error`s.

mod args;
mod backend;
mod errors;
mod files;
mod localize;
mod model;
mod parser;
mod results;
mod types;
mod worker_types;
mod world;
mod world_types;

pub use model::{Cmin, Video};
pub use parser::Parser;
pub use world::World;

use wasm_bindgen::prelude::*;

pub(crate) use args::{array_items, bytes_of, caught, count_of, field, floats_length, floats_of, plain_of, text_of};
pub(crate) use errors::{cmin_error, coded, file_error, internal, option_error};

unsafe extern "C" {
    /// Static constructors, synthesised by wasm-ld (some dependencies register items with
    /// `inventory`/`linkme`, e.g. CubeCL's IR type casts that WebGPU kernels need). Left
    /// unreferenced, wasm-ld wraps *every* export to rerun them, which cost ~6.6 ms per call
    /// from JS; referencing it here makes us responsible for running them, once.
    fn __wasm_call_ctors();
}

/// Runs the static constructors exactly once. Called from the start function and from every
/// entry point that creates an object (`Cmin.load`, `Parser.load`), so hosts that skip the
/// start function (test harnesses) are covered too.
pub(crate) fn run_static_constructors() {
    static DONE: std::sync::Once = std::sync::Once::new();
    // SAFETY: wasm-ld's constructor function, run once, before any object is created.
    DONE.call_once(|| unsafe { __wasm_call_ctors() });
}

#[wasm_bindgen(start)]
fn start() {
    run_static_constructors();
    console_error_panic_hook::set_once();
}

/// `performance.now()` of the page or worker, in milliseconds (0 where there is none).
pub(crate) fn now_ms() -> f64 {
    let performance = args::field(&js_sys::global().into(), "performance").unwrap_or(JsValue::UNDEFINED);
    let now = args::field(&performance, "now").unwrap_or(JsValue::UNDEFINED);
    now.dyn_ref::<js_sys::Function>()
        .and_then(|now| now.call0(&performance).ok())
        .and_then(|t| t.as_f64())
        .unwrap_or(0.0)
}
