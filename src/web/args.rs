//! Arguments arrive as `JsValue`s and are checked here: wasm-bindgen's own conversions for
//! `&str` and `&[f32]` trust the caller, and a number where a string belongs traps the module.

use js_sys::{Array, Float32Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use cmin_model::ranking::RankOptions;

use super::{cmin_error, internal, option_error};

/// Bytes from an `ArrayBuffer` or a typed array.
pub(crate) fn bytes_of(value: &JsValue, what: &str) -> Result<Vec<u8>, JsValue> {
    if let Some(buffer) = value.dyn_ref::<js_sys::ArrayBuffer>() {
        return Ok(Uint8Array::new(buffer).to_vec());
    }
    if let Some(array) = value.dyn_ref::<Uint8Array>() {
        return Ok(array.to_vec());
    }
    if js_sys::ArrayBuffer::is_view(value) {
        let view: &js_sys::Object = value.unchecked_ref();
        let buffer = Reflect::get(view, &"buffer".into()).map_err(|_| option_error(format!("{what}: unreadable")))?;
        let offset = Reflect::get(view, &"byteOffset".into()).ok().and_then(|v| v.as_f64()).unwrap_or(0.0) as u32;
        let length = Reflect::get(view, &"byteLength".into()).ok().and_then(|v| v.as_f64()).unwrap_or(0.0) as u32;
        return Ok(Uint8Array::new_with_byte_offset_and_length(&buffer, offset, length).to_vec());
    }
    Err(option_error(format!("{what} must be an ArrayBuffer or Uint8Array")))
}

/// A string argument.
pub(crate) fn text_of(value: &JsValue) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| option_error("text must be a string"))
}

/// A whole, non-negative number argument.
pub(crate) fn count_of(value: &JsValue, what: &str) -> Result<usize, JsValue> {
    match value.as_f64() {
        Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= u32::MAX as f64 => Ok(n as usize),
        _ => Err(option_error(format!("{what} must be a whole number from 0 to 2^32 - 1"))),
    }
}

/// Numbers from a `Float32Array`, a `Float64Array` or an array of numbers.
pub(crate) fn floats_of(value: &JsValue, what: &str) -> Result<Vec<f32>, JsValue> {
    if let Some(array) = value.dyn_ref::<Float32Array>() {
        return Ok(array.to_vec());
    }
    if let Some(array) = value.dyn_ref::<js_sys::Float64Array>() {
        return Ok(array.to_vec().into_iter().map(|v| v as f32).collect());
    }
    if Array::is_array(value) {
        let not_numbers = || option_error(format!("{what} must hold only numbers"));
        return Array::from(value).iter().map(|v| v.as_f64().map(|v| v as f32).ok_or_else(not_numbers)).collect();
    }
    Err(option_error(format!("{what} must be a Float32Array, a Float64Array or an array of numbers")))
}

pub(crate) fn field(object: &JsValue, name: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

pub(crate) fn set(object: &Object, name: &str, value: JsValue) -> Result<(), JsValue> {
    Reflect::set(object, &JsValue::from_str(name), &value)
        .map(|_| ())
        .map_err(|_| internal("cannot build the result object"))
}

/// Whether an `AbortSignal` in `options.signal` has fired; a `signal` that is not one is an
/// error.
pub(crate) fn aborted(options: &JsValue) -> Result<bool, JsValue> {
    let signal = field(options, "signal");
    if signal.is_undefined() {
        return Ok(false);
    }
    match field(&signal, "aborted").as_bool() {
        Some(fired) => Ok(fired),
        None => Err(option_error("signal must be an AbortSignal")),
    }
}

/// Ranking options and whether raw outputs are wanted.
/// `localize`'s options.
pub(crate) struct LocalizeOptions {
    pub rank: RankOptions,
    pub include_raw: bool,
    /// Read a text query's words without vectors as their likeliest known words.
    pub correct_typos: bool,
}

fn boolean(options: &JsValue, name: &str, default: bool) -> Result<bool, JsValue> {
    let value = field(options, name);
    match value.as_bool() {
        Some(b) => Ok(b),
        None if value.is_undefined() => Ok(default),
        None => Err(option_error(format!("{name} must be a boolean"))),
    }
}

pub(crate) fn localize_options(options: &JsValue) -> Result<LocalizeOptions, JsValue> {
    let mut o = RankOptions::default();
    if options.is_undefined() || options.is_null() {
        return Ok(LocalizeOptions { rank: o, include_raw: false, correct_typos: true });
    }
    if !options.is_object() {
        return Err(option_error(
            "localize options must be an object { topK?, nmsThreshold?, includeRaw?, correctTypos?, signal? }",
        ));
    }
    let top_k = field(options, "topK");
    if !top_k.is_undefined() {
        let k = top_k.as_f64().filter(|k| k.fract() == 0.0 && *k >= 1.0 && *k <= 1e6);
        o.top_k = k.ok_or_else(|| option_error("topK must be a positive integer"))? as usize;
    }
    let nms = field(options, "nmsThreshold");
    if !nms.is_undefined() {
        o.nms_threshold = nms.as_f64().ok_or_else(|| option_error("nmsThreshold must be a number"))?;
    }
    o.validate().map_err(cmin_error)?;
    Ok(LocalizeOptions {
        rank: o,
        include_raw: boolean(options, "includeRaw", false)?,
        correct_typos: boolean(options, "correctTypos", true)?,
    })
}
