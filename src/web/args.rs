//! Arguments arrive as `JsValue`s and are checked here. Anything more than a primitive is read
//! by `www/package/values.js`, imported with `catch`: a value whose reading throws (a getter, a Proxy, a
//! detached buffer) gives a coded error instead of an exception unwinding through wasm.
//! wasm-bindgen's own conversions for `&str` and `&[f32]` trust the caller, and a number where
//! a string belongs traps the module, so no export takes those types from JS.

use js_sys::{Float32Array, Float64Array, JsString, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use cmin_model::limits;
use cmin_model::ranking::RankOptions;
use cmin_model::windows::TimeScale;

use super::types::{
    BackendChoice, CminErrorCode, FileSource, LoadOptions, LocalizeOptions, NamedTimeScale, SearchOptions,
    TimeScaleOption, VideoOptions,
};
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
        coded(CminErrorCode::BadOptions, format!("{what} could not be read: {message}"))
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

impl VideoOptions {
    /// `encodeVideo`'s options: `timeScale` is `'model'` (the default: windows at the model's
    /// clip length), `'whole'` (one window, the reference's resampling) or seconds per clip.
    pub(crate) fn read(options: &JsValue) -> Result<Self, JsValue> {
        if options.is_undefined() || options.is_null() {
            return Ok(VideoOptions { time_scale: None });
        }
        if !options.is_object() {
            return Err(option_error("encodeVideo's options must be an object { timeScale? }"));
        }
        let value = field(options, "timeScale")?;
        let time_scale = match value.as_string().as_deref() {
            _ if value.is_undefined() => None,
            Some("model") => Some(TimeScaleOption::Named(NamedTimeScale::Model)),
            Some("whole") => Some(TimeScaleOption::Named(NamedTimeScale::Whole)),
            _ => match value.as_f64() {
                Some(s) if s.is_finite() && s > 0.0 => Some(TimeScaleOption::Seconds(s)),
                _ => {
                    return Err(option_error(
                        "timeScale must be 'model', 'whole' or a positive number of seconds per clip",
                    ));
                }
            },
        };
        Ok(VideoOptions { time_scale })
    }

    pub(crate) fn time_scale(&self) -> TimeScale {
        match self.time_scale {
            None | Some(TimeScaleOption::Named(NamedTimeScale::Model)) => TimeScale::Model,
            Some(TimeScaleOption::Named(NamedTimeScale::Whole)) => TimeScale::Whole,
            Some(TimeScaleOption::Seconds(s)) => TimeScale::ClipSeconds(s),
        }
    }
}

/// `object[name]`; undefined for a primitive; a coded error when reading it throws.
pub(crate) fn field(object: &JsValue, name: &str) -> Result<JsValue, JsValue> {
    read_field_js(object, name, "options").map_err(caught(name))
}

/// Whether `signal` (an `AbortSignal`, or left out) has fired.
pub(crate) fn fired(signal: Option<&JsValue>) -> Result<bool, JsValue> {
    let Some(signal) = signal else { return Ok(false) };
    match field(signal, "aborted")?.as_bool() {
        Some(fired) => Ok(fired),
        None => Err(option_error("signal must be an AbortSignal")),
    }
}

/// `object[name]`, left out when undefined.
fn optional(object: &JsValue, name: &str) -> Result<Option<JsValue>, JsValue> {
    let value = field(object, name)?;
    Ok((!value.is_undefined()).then_some(value))
}

fn boolean(options: &JsValue, name: &str) -> Result<Option<bool>, JsValue> {
    optional(options, name)?
        .map(|value| value.as_bool().ok_or_else(|| option_error(format!("{name} must be a boolean"))))
        .transpose()
}

impl LocalizeOptions {
    /// `localize`'s and `search`'s options, each field read once and checked.
    pub(crate) fn read(options: &JsValue) -> Result<Self, JsValue> {
        if options.is_undefined() || options.is_null() {
            return Ok(LocalizeOptions::default());
        }
        if !options.is_object() {
            return Err(option_error(
                "localize options must be an object { topK?, nmsThreshold?, includeRaw?, correctTypos?, signal? }",
            ));
        }
        let top_k = optional(options, "topK")?
            .map(|k| {
                let k = k.as_f64().filter(|k| k.fract() == 0.0 && *k >= 1.0 && *k <= 1e6);
                k.map(|k| k as u32).ok_or_else(|| option_error("topK must be a positive integer"))
            })
            .transpose()?;
        let nms_threshold = optional(options, "nmsThreshold")?
            .map(|t| t.as_f64().ok_or_else(|| option_error("nmsThreshold must be a number")))
            .transpose()?;
        let read = LocalizeOptions {
            search: SearchOptions {
                top_k,
                nms_threshold,
                correct_typos: boolean(options, "correctTypos")?,
                signal: optional(options, "signal")?,
            },
            include_raw: boolean(options, "includeRaw")?,
        };
        read.rank()?;
        fired(read.search.signal.as_ref())?;
        Ok(read)
    }

    pub(crate) fn rank(&self) -> Result<RankOptions, JsValue> {
        let mut rank = RankOptions::default();
        if let Some(k) = self.search.top_k {
            rank.top_k = k as usize;
        }
        if let Some(t) = self.search.nms_threshold {
            rank.nms_threshold = t;
        }
        rank.validate().map_err(cmin_error)?;
        Ok(rank)
    }

    pub(crate) fn include_raw(&self) -> bool {
        self.include_raw.unwrap_or(false)
    }

    pub(crate) fn correct_typos(&self) -> bool {
        self.search.correct_typos.unwrap_or(true)
    }

    /// Whether the call's `signal` has fired.
    pub(crate) fn aborted(&self) -> Result<bool, JsValue> {
        fired(self.search.signal.as_ref())
    }
}

impl LoadOptions {
    /// `Cmin.load`'s options, each field read once; `files.js` gets this fresh copy.
    pub(crate) fn read(options: &JsValue) -> Result<Self, JsValue> {
        if options.is_undefined() || options.is_null() {
            return LoadOptions::read(&js_sys::Object::new().into());
        }
        if !options.is_object() {
            return Err(option_error(
                "Cmin.load takes an options object { weights?, embeddings?, parser?, config?, backend?, onProgress?, signal? } or nothing",
            ));
        }
        let backend = optional(options, "backend")?
            .map(|b| {
                let name = b.as_string().ok_or_else(|| option_error("backend must be a string"))?;
                match name.as_str() {
                    "auto" => Ok(BackendChoice::Auto),
                    "webgpu" => Ok(BackendChoice::WebGpu),
                    "cpu" => Ok(BackendChoice::Cpu),
                    _ => Err(option_error(format!("backend must be 'auto', 'webgpu' or 'cpu', got {name:?}"))),
                }
            })
            .transpose()?;
        let on_progress = optional(options, "onProgress")?;
        if on_progress.as_ref().is_some_and(|f| !f.is_function()) {
            return Err(option_error("onProgress must be a function"));
        }
        let cache_name = optional(options, "cacheName")?
            .map(|n| n.as_string().ok_or_else(|| option_error("cacheName must be a string")))
            .transpose()?;
        let read = LoadOptions {
            weights: optional(options, "weights")?.map(FileSource),
            embeddings: optional(options, "embeddings")?.map(FileSource),
            parser: optional(options, "parser")?.map(FileSource),
            config: optional(options, "config")?.filter(|c| !c.is_null()),
            backend,
            on_progress,
            signal: optional(options, "signal")?,
            cache: boolean(options, "cache")?,
            cache_name,
        };
        fired(read.signal.as_ref())?;
        Ok(read)
    }

    /// Whether the load's `signal` has fired.
    pub(crate) fn aborted(&self) -> Result<bool, JsValue> {
        fired(self.signal.as_ref())
    }

    /// What `files.js` reads: the files, the cache settings, the progress callback and the signal.
    pub(crate) fn files_request(&self) -> Result<JsValue, JsValue> {
        let out = js_sys::Object::new();
        let source = |f: &Option<FileSource>| f.as_ref().map(|f| f.0.clone());
        let entries = [
            ("weights", source(&self.weights)),
            ("embeddings", source(&self.embeddings)),
            ("parser", source(&self.parser)),
            ("onProgress", self.on_progress.clone()),
            ("signal", self.signal.clone()),
            ("cache", self.cache.map(JsValue::from)),
            ("cacheName", self.cache_name.as_deref().map(JsValue::from_str)),
        ];
        for (name, value) in entries {
            if let Some(value) = value {
                Reflect::set(&out, &JsValue::from_str(name), &value)
                    .map_err(|_| internal("cannot build the files request"))?;
            }
        }
        Ok(out.into())
    }
}
