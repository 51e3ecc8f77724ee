//! Arguments arrive as `JsValue`s and are checked here. Anything more than a primitive is read
//! by `www/package/values.js`, imported with `catch`: a value whose reading throws (a getter, a Proxy, a
//! detached buffer) gives a coded error instead of an exception unwinding through wasm.
//! wasm-bindgen's own conversions for `&str` and `&[f32]` trust the caller, and a number where
//! a string belongs traps the module, so no export takes those types from JS.

use js_sys::{Float32Array, Float64Array, JsString, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use cmin_model::limits;
use cmin_model::ranking::RankOptions;
use cmin_model::windows::TimeScale;

use super::{cmin_error, coded, internal, option_error};

#[wasm_bindgen(module = "/www/package/values.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = readBytes)]
    fn read_bytes_js(value: &JsValue, what: &str, limit: f64) -> Result<Uint8Array, JsValue>;
    #[wasm_bindgen(catch, js_name = floatsLength)]
    fn floats_length_js(value: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = readFloats)]
    fn read_floats_js(value: &JsValue, what: &str, count: f64) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = readPlain)]
    fn read_plain_js(value: &JsValue, what: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = readField)]
    fn read_field_js(object: &JsValue, name: &str, what: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = readItems)]
    fn read_items_js(value: &JsValue, what: &str, limit: u32) -> Result<js_sys::Array, JsValue>;
}

/// What `www/package/values.js` threw, as one of our errors: its own coded errors pass through; anything
/// else came from the caller's value and is reported as unreadable.
pub(crate) fn caught(what: &str) -> impl Fn(JsValue) -> JsValue + '_ {
    move |thrown| {
        let read = |name: &str| Reflect::get(&thrown, &JsValue::from_str(name)).ok().and_then(|v| v.as_string());
        if read("name").as_deref() == Some("CminError") && read("code").is_some() {
            return thrown;
        }
        let message = read("message").unwrap_or_else(|| "it threw".into());
        coded("bad-options", format!("{what} could not be read: {message}"))
    }
}

/// Bytes from an `ArrayBuffer`, a typed array or a `DataView`, refused above the file limit
/// before they are copied.
pub(crate) fn bytes_of(value: &JsValue, what: &str) -> Result<Vec<u8>, JsValue> {
    let view = read_bytes_js(value, what, limits::MAX_FILE_BYTES as f64).map_err(caught(what))?;
    Ok(view.to_vec())
}

/// A string argument, refused above the text limit before it is copied into wasm.
pub(crate) fn text_of(value: &JsValue) -> Result<String, JsValue> {
    let text = value.dyn_ref::<JsString>().ok_or_else(|| option_error("text must be a string"))?;
    limits::text(text.length() as u64).map_err(cmin_error)?;
    value.as_string().ok_or_else(|| option_error("text must be a string"))
}

/// A whole, non-negative number argument.
pub(crate) fn count_of(value: &JsValue, what: &str) -> Result<usize, JsValue> {
    match value.as_f64() {
        Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= u32::MAX as f64 => Ok(n as usize),
        _ => Err(option_error(format!("{what} must be a whole number from 0 to 2^32 - 1"))),
    }
}

/// How many numbers a `Float32Array`, a `Float64Array` or an array of numbers holds, read
/// without copying them.
pub(crate) fn floats_length(value: &JsValue, what: &str) -> Result<usize, JsValue> {
    let length = floats_length_js(value).map_err(caught(what))?;
    length
        .as_f64()
        .map(|n| n as usize)
        .ok_or_else(|| option_error(format!("{what} must be a Float32Array, a Float64Array or an array of numbers")))
}

/// The `count` numbers of `value`, whose length [`floats_length`] gave and the caller checked.
pub(crate) fn floats_of(value: &JsValue, what: &str, count: usize) -> Result<Vec<f32>, JsValue> {
    let fresh = read_floats_js(value, what, count as f64).map_err(caught(what))?;
    if let Some(array) = fresh.dyn_ref::<Float32Array>() {
        return Ok(array.to_vec());
    }
    let array: &Float64Array = fresh.unchecked_ref();
    Ok(array.to_vec().into_iter().map(|v| v as f32).collect())
}

/// A plain copy of a caller's object (a parse, a config), safe to hand to serde.
pub(crate) fn plain_of(value: &JsValue, what: &str) -> Result<JsValue, JsValue> {
    read_plain_js(value, what).map_err(caught(what))
}

/// The elements of a JS array (at most `limit`), each read once.
pub(crate) fn array_items(value: &JsValue, what: &str, limit: u32) -> Result<Vec<JsValue>, JsValue> {
    Ok(read_items_js(value, what, limit).map_err(caught(what))?.iter().collect())
}

/// `encodeVideo`'s options: `timeScale` is `'model'` (the default: windows at the model's clip
/// length), `'whole'` (one window, the reference's resampling) or seconds per clip.
pub(crate) fn time_scale(options: &JsValue) -> Result<TimeScale, JsValue> {
    if options.is_undefined() || options.is_null() {
        return Ok(TimeScale::Model);
    }
    if !options.is_object() {
        return Err(option_error("encodeVideo's options must be an object { timeScale? }"));
    }
    let value = field(options, "timeScale")?;
    let scale = match value.as_string().as_deref() {
        _ if value.is_undefined() => TimeScale::Model,
        Some("model") => TimeScale::Model,
        Some("whole") => TimeScale::Whole,
        _ => match value.as_f64() {
            Some(s) if s.is_finite() && s > 0.0 => TimeScale::ClipSeconds(s),
            _ => {
                return Err(option_error(
                    "timeScale must be 'model', 'whole' or a positive number of seconds per clip",
                ));
            }
        },
    };
    Ok(scale)
}

/// `object[name]`; undefined for a primitive; a coded error when reading it throws.
pub(crate) fn field(object: &JsValue, name: &str) -> Result<JsValue, JsValue> {
    read_field_js(object, name, "options").map_err(caught(name))
}

pub(crate) fn set(object: &Object, name: &str, value: JsValue) -> Result<(), JsValue> {
    Reflect::set(object, &JsValue::from_str(name), &value)
        .map(|_| ())
        .map_err(|_| internal("cannot build the result object"))
}

/// Whether an `AbortSignal` in `options.signal` has fired; a `signal` that is not one is an
/// error.
pub(crate) fn aborted(options: &JsValue) -> Result<bool, JsValue> {
    let signal = field(options, "signal")?;
    if signal.is_undefined() {
        return Ok(false);
    }
    match field(&signal, "aborted")?.as_bool() {
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
    let value = field(options, name)?;
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
    let top_k = field(options, "topK")?;
    if !top_k.is_undefined() {
        let k = top_k.as_f64().filter(|k| k.fract() == 0.0 && *k >= 1.0 && *k <= 1e6);
        o.top_k = k.ok_or_else(|| option_error("topK must be a positive integer"))? as usize;
    }
    let nms = field(options, "nmsThreshold")?;
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
