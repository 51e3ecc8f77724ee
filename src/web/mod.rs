//! The JavaScript API (`cmin-wasm`): a thin skin over [`crate::inference`]. All model code
//! stays target-agnostic; this layer converts JS values, picks the device, reads results
//! back asynchronously (a sync readback panics on WebGPU) and turns errors into `Error`s.

mod backend;
mod errors;
mod files;
mod parser;
mod world;

pub use parser::Parser;
pub use world::World;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::{Array, Float32Array, Object, Reflect, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::config::CminConfig;
use crate::embeddings::Embeddings;
use crate::error::CminError;
use crate::inference::{EncodedVideo, Localizer};
use crate::query::ParsedSentence;
use crate::ranking::RankOptions;
use crate::weights;
use errors::{cmin_error, coded, file_error, internal, option_error};

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

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/**
 * A file for `Cmin.load`: a URL (fetched, cached, progress reported), `{ url, integrity }`
 * (integrity 'sha256-<base64>' or 64 hex digits, checked on every load), a `Response`, a
 * `Blob`, or the bytes.
 */
export type FileSource = string | URL | { url: string | URL; integrity?: string } | Response | Blob | ArrayBuffer | ArrayBufferView;
/** `onProgress` events, one file at a time, then `ready` once the model is usable. */
export type LoadProgress =
  | { status: 'initiate'; file: 'weights' | 'embeddings' | 'parser'; url: string | null }
  | { status: 'progress'; file: 'weights' | 'embeddings' | 'parser'; url: string | null; loaded: number; total: number; progress: number | null }
  | { status: 'done'; file: 'weights' | 'embeddings' | 'parser'; url: string | null; loaded: number; total: number; fromCache: boolean }
  | { status: 'ready'; backend: 'webgpu' | 'cpu' };
/** Options of `Cmin.load`; every field may be left out (`await Cmin.load()` works). */
export interface LoadOptions {
  /** Weights (safetensors): ours carry their config; a reference state dict needs `config`. Default: the demo's world model. */
  weights?: FileSource;
  /** Word vectors: cmin's compact file or GloVe text. Default: the package's 50-d GloVe. */
  embeddings?: FileSource;
  /** The parser model; with it, `localize` also takes text. Default: the package's parser; `null` for none. */
  parser?: FileSource | null;
  /** Model config (snake_case fields of CminConfig); required for reference weights. */
  config?: object;
  /** Default 'auto': WebGPU when an adapter exists, else the CPU. */
  backend?: 'auto' | 'webgpu' | 'cpu';
  /** Called as files arrive. */
  onProgress?: (event: LoadProgress) => void;
  /** Cancels the downloads (the promise rejects with code 'aborted'). */
  signal?: AbortSignal;
  /** Keep fetched files in the Cache API (default true). */
  cache?: boolean;
  /** The cache's name (default 'cmin-wasm'). */
  cacheName?: string;
}
/** `model.device`: what the model runs on. */
export interface DeviceReport {
  backend: 'webgpu' | 'cpu';
  /** Why 'auto' chose the CPU, as a sentence; null otherwise. */
  fallbackReason: string | null;
  /** WebGPU only: what the adapter says of itself (software adapters: vendor 'google', architecture 'swiftshader', or isFallbackAdapter). */
  adapter: {
    vendor: string;
    architecture: string;
    device: string;
    description: string;
    isFallbackAdapter: boolean;
    limits: {
      maxBufferSize: number;
      maxStorageBufferBindingSize: number;
      maxComputeWorkgroupStorageSize: number;
      maxComputeInvocationsPerWorkgroup: number;
      maxComputeWorkgroupsPerDimension: number;
    };
  } | null;
}
/** `error.code` of every error the package throws (`error.name` is 'CminError'). */
export type CminErrorCode =
  | 'bad-options' | 'bad-config' | 'bad-weights' | 'bad-embeddings' | 'bad-parser' | 'bad-file'
  | 'fetch-failed' | 'integrity-mismatch' | 'aborted' | 'webgpu-unavailable' | 'device-lost'
  | 'video-empty' | 'feature-dim-mismatch' | 'feature-length-mismatch' | 'non-finite-feature' | 'bad-duration'
  | 'video-mismatch' | 'video-freed' | 'query-empty' | 'word-dim-mismatch' | 'bad-parse' | 'unknown-label' | 'no-parser'
  | 'no-model' | 'no-video' | 'internal';
export interface CminError extends Error {
  name: 'CminError';
  code: CminErrorCode;
}
/** A dependency parse: `heads[i]` is 0 for the root or the 1-based index of token i's head. */
export interface ParsedQuery {
  tokens: string[];
  heads: number[];
  deprels: string[];
}
export interface LocalizeOptions {
  /** Moments to return after NMS (default 5). */
  topK?: number;
  /** Suppress moments overlapping a better one by more than this IoU (default 0.5). */
  nmsThreshold?: number;
  /** Also return every proposal's score and offsets (default false). */
  includeRaw?: boolean;
  /** Rejects with code 'aborted' once fired (checked before the model runs and after it). */
  signal?: AbortSignal;
}
export interface Moment {
  /** Seconds. */
  start: number;
  end: number;
  score: number;
}
export interface LocalizeResult {
  /** Best first. */
  moments: Moment[];
  /** Video-to-query attention, row-major [numClips x words.length] (paper Fig. 8). */
  attention: Float32Array;
  numClips: number;
  /** The words the model read (lower-cased, `. ? , ( )` dropped, truncated to the limit). */
  words: string[];
  /** Words without a vector (read as zeros). */
  unknownWords: string[];
  /** Original word count when the query was cut to the model's limit, else null. */
  truncatedFrom: number | null;
  /** With `includeRaw`: score of every proposal [numClips x anchors] (illegal ones too). */
  scores?: Float32Array;
  /** With `includeRaw`: (start, end) offsets of every proposal [numClips x anchors x 2]. */
  offsets?: Float32Array;
  /** With `includeRaw`: the reference's top-1 rule, [start, end] clip indices. */
  top1Clips?: [number, number];
}
"#;

const NO_PARSER: &str = "no parser loaded: pass `parser` (the .cminparse file) to Cmin.load, or parse with Parser";

/// Bytes from an `ArrayBuffer` or a typed array.
fn bytes_of(value: &JsValue, what: &str) -> Result<Vec<u8>, JsValue> {
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

// Arguments arrive as `JsValue`s and are checked here: wasm-bindgen's own conversions for
// `&str` and `&[f32]` trust the caller, and a number where a string belongs traps the module.

/// A string argument.
fn text_of(value: &JsValue) -> Result<String, JsValue> {
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
fn floats_of(value: &JsValue, what: &str) -> Result<Vec<f32>, JsValue> {
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

fn field(object: &JsValue, name: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

fn set(object: &Object, name: &str, value: JsValue) -> Result<(), JsValue> {
    Reflect::set(object, &JsValue::from_str(name), &value)
        .map(|_| ())
        .map_err(|_| internal("cannot build the result object"))
}

/// Whether an `AbortSignal` in `options.signal` has fired; a `signal` that is not one is an
/// error.
fn aborted(options: &JsValue) -> Result<bool, JsValue> {
    let signal = field(options, "signal");
    if signal.is_undefined() {
        return Ok(false);
    }
    match field(&signal, "aborted").as_bool() {
        Some(fired) => Ok(fired),
        None => Err(option_error("signal must be an AbortSignal")),
    }
}

/// Videos encoded by one model, by id. A `Video` handle names its entry, so `localize` can
/// refuse a freed or foreign handle itself: wasm-bindgen's own check of a freed handle throws
/// out of wasm, and each such throw leaks the frame's shadow stack (a few dozen freed handles
/// corrupted the module).
type Videos = Rc<RefCell<HashMap<u32, EncodedVideo>>>;

fn next_video_id() -> u32 {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

struct Inner {
    videos: Videos,
    localizer: Localizer,
    embeddings: Embeddings,
    backend: &'static str,
    fallback_reason: Option<String>,
    parser: Option<Rc<crate::parsing::ParserModel>>,
    /// The WebGPU adapter's description, or null on the CPU.
    adapter: JsValue,
}

/// A loaded CMIN model. Create with `await Cmin.load({...})`.
#[wasm_bindgen]
pub struct Cmin {
    inner: Rc<Inner>,
}

/// A video encoded once (the query-independent part), reused by many `localize` calls.
/// Call `free()` when done with it.
#[wasm_bindgen]
pub struct Video {
    id: u32,
    num_clips: usize,
    duration: f64,
    videos: Videos,
}

impl Drop for Video {
    fn drop(&mut self) {
        self.videos.borrow_mut().remove(&self.id);
    }
}

#[wasm_bindgen]
impl Video {
    /// Clips on the model's grid.
    #[wasm_bindgen(getter, js_name = numClips)]
    pub fn num_clips(&self) -> usize {
        self.num_clips
    }

    /// Seconds.
    #[wasm_bindgen(getter)]
    pub fn duration(&self) -> f64 {
        self.duration
    }

    /// This encoding's identity (unique on the page).
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> u32 {
        self.id
    }
}

#[derive(Serialize)]
struct MomentJs {
    start: f64,
    end: f64,
    score: f32,
}

#[wasm_bindgen]
impl Cmin {
    /// Loads weights, word vectors and the parser (each a URL, bytes or left out for the
    /// package's default) and picks the backend.
    #[wasm_bindgen(unchecked_return_type = "Promise<Cmin>")]
    pub fn load(
        #[wasm_bindgen(unchecked_optional_param_type = "LoadOptions")] options: Option<JsValue>,
    ) -> js_sys::Promise {
        let options = options.unwrap_or(JsValue::UNDEFINED);
        wasm_bindgen_futures::future_to_promise(async move { Self::load_async(options).await.map(JsValue::from) })
    }

    /// The URLs kept in the cache (`cacheName`, default 'cmin-wasm').
    #[wasm_bindgen(unchecked_return_type = "Promise<string[]>")]
    pub fn cached(
        #[wasm_bindgen(unchecked_optional_param_type = "string")] cache_name: Option<JsValue>,
    ) -> js_sys::Promise {
        files::cached_urls(&cache_name.unwrap_or(JsValue::UNDEFINED))
    }

    /// Deletes the cache (`cacheName`, default 'cmin-wasm'); resolves to whether there was one.
    #[wasm_bindgen(js_name = clearCache, unchecked_return_type = "Promise<boolean>")]
    pub fn clear_cache(
        #[wasm_bindgen(unchecked_optional_param_type = "string")] cache_name: Option<JsValue>,
    ) -> js_sys::Promise {
        files::clear_cache(&cache_name.unwrap_or(JsValue::UNDEFINED))
    }

    /// `'webgpu'` or `'cpu'`: the backend actually in use.
    #[wasm_bindgen(getter)]
    pub fn backend(&self) -> String {
        self.inner.backend.to_string()
    }

    /// Why `auto` fell back to the CPU, if it did.
    #[wasm_bindgen(getter, js_name = fallbackReason)]
    pub fn fallback_reason(&self) -> Option<String> {
        self.inner.fallback_reason.clone()
    }

    /// The backend, and for WebGPU what the adapter says of itself.
    #[wasm_bindgen(getter, js_name = device, unchecked_return_type = "DeviceReport")]
    pub fn device_report(&self) -> Result<JsValue, JsValue> {
        let out = Object::new();
        set(&out, "backend", JsValue::from_str(self.inner.backend))?;
        set(
            &out,
            "fallbackReason",
            self.inner.fallback_reason.as_deref().map(JsValue::from_str).unwrap_or(JsValue::NULL),
        )?;
        set(&out, "adapter", self.inner.adapter.clone())?;
        Ok(out.into())
    }

    /// The model's config (snake_case fields).
    #[wasm_bindgen(getter)]
    pub fn config(&self) -> Result<JsValue, JsValue> {
        serde_wasm_bindgen::to_value(self.inner.localizer.config()).map_err(internal)
    }

    /// Encodes a video's clip features (`numClips x featureDim`, row-major, any number of
    /// clips) lasting `durationSeconds`. The encoding is cached in the returned handle.
    #[wasm_bindgen(js_name = encodeVideo)]
    pub fn encode_video_js(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Float32Array | Float64Array | number[]")] features: JsValue,
        #[wasm_bindgen(js_name = numClips, unchecked_param_type = "number")] num_clips: JsValue,
        #[wasm_bindgen(js_name = featureDim, unchecked_param_type = "number")] feature_dim: JsValue,
        #[wasm_bindgen(js_name = durationSeconds, unchecked_param_type = "number")] duration_seconds: JsValue,
    ) -> Result<Video, JsValue> {
        let duration = duration_seconds.as_f64().ok_or_else(|| option_error("durationSeconds must be a number"))?;
        let features = floats_of(&features, "features")?;
        self.encode_video(&features, count_of(&num_clips, "numClips")?, count_of(&feature_dim, "featureDim")?, duration)
    }

    /// Parses text with the parser given to `load` (an error if none was).
    #[wasm_bindgen(js_name = parse, unchecked_return_type = "ParseResult")]
    pub fn parse_js(&self, #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue) -> Result<JsValue, JsValue> {
        self.parse(&text_of(&text)?)
    }

    /// Ranks the moments of `video` that `query` (a parse, or text when a parser is loaded)
    /// describes.
    #[wasm_bindgen(unchecked_return_type = "Promise<LocalizeResult>")]
    pub fn localize(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Video")] video: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ParsedQuery | ParseResult | string")] query: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "LocalizeOptions")] options: Option<JsValue>,
    ) -> js_sys::Promise {
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let inner = self.inner.clone();
        let checked = video_of_js(&inner, &video);
        wasm_bindgen_futures::future_to_promise(async move { localize(&inner, &checked?, query, options).await })
    }
}

/// The same operations as Rust futures (what the exported promises wrap), for Rust callers
/// and the browser tests.
impl Cmin {
    pub async fn load_async(options: JsValue) -> Result<Cmin, JsValue> {
        run_static_constructors();
        let options = if options.is_undefined() || options.is_null() { Object::new().into() } else { options };
        if !options.is_object() {
            return Err(option_error(
                "Cmin.load takes an options object { weights?, embeddings?, parser?, config?, backend?, onProgress?, signal? } or nothing",
            ));
        }
        let config_value = field(&options, "config");
        let config: Option<CminConfig> = if config_value.is_undefined() || config_value.is_null() {
            None
        } else {
            Some(
                serde_wasm_bindgen::from_value(config_value)
                    .map_err(|e| cmin_error(CminError::Config(e.to_string())))?,
            )
        };
        let backend_value = field(&options, "backend");
        let preference = match backend_value.as_string() {
            None if backend_value.is_undefined() => backend::Preference::Auto,
            None => return Err(option_error("backend must be a string")),
            Some(name) => backend::Preference::parse(&name).map_err(option_error)?,
        };
        let fetched = files::fetch_files(&options).await?;
        let weight_bytes = bytes_of(&field(&fetched, "weights"), "weights")?;
        let embeddings = Embeddings::from_bytes(&bytes_of(&field(&fetched, "embeddings"), "embeddings")?)
            .map_err(file_error("bad-embeddings"))?;
        let parser_value = field(&fetched, "parser");
        let parser = if parser_value.is_null() {
            None
        } else {
            let bytes = bytes_of(&parser_value, "parser")?;
            Some(Rc::new(crate::parsing::ParserModel::from_bytes(&bytes).map_err(|e| coded("bad-parser", e))?))
        };
        let chosen = backend::choose(preference).await.map_err(|e| coded("webgpu-unavailable", e))?;
        let model = weights::load(&weight_bytes, config.as_ref(), &chosen.device).map_err(file_error("bad-weights"))?;
        if model.config().word_dim != embeddings.dim() {
            return Err(cmin_error(CminError::WordDim { got: embeddings.dim(), expected: model.config().word_dim }));
        }
        let adapter = if chosen.name == "webgpu" { files::describe_adapter().await } else { JsValue::NULL };
        if aborted(&options)? {
            return Err(errors::aborted());
        }
        let cmin = Cmin {
            inner: Rc::new(Inner {
                videos: Rc::default(),
                localizer: Localizer::new(model, chosen.device),
                embeddings,
                backend: chosen.name,
                fallback_reason: chosen.fallback_reason,
                parser,
                adapter,
            }),
        };
        let ready = Object::new();
        set(&ready, "status", JsValue::from_str("ready"))?;
        set(&ready, "backend", JsValue::from_str(cmin.inner.backend))?;
        files::report_progress(&field(&options, "onProgress"), &ready.into());
        Ok(cmin)
    }

    pub fn encode_video(
        &self,
        features: &[f32],
        num_clips: usize,
        feature_dim: usize,
        duration_seconds: f64,
    ) -> Result<Video, JsValue> {
        let encoded = self
            .inner
            .localizer
            .encode_video(features, num_clips, feature_dim, duration_seconds)
            .map_err(cmin_error)?;
        let (num_clips, duration) = (encoded.timeline.num_clips, encoded.timeline.duration);
        let id = next_video_id();
        self.inner.videos.borrow_mut().insert(id, encoded);
        Ok(Video { id, num_clips, duration, videos: self.inner.videos.clone() })
    }

    pub fn parse(&self, text: &str) -> Result<JsValue, JsValue> {
        let parser = self.inner.parser.as_ref().ok_or_else(|| coded("no-parser", NO_PARSER))?;
        parser::analysis_to_js(parser, text)
    }

    pub async fn localize_async(&self, video: &Video, query: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
        localize(&self.inner, &video_of(&self.inner, video.id)?, query, options).await
    }

    /// The device the model runs on (e.g. to read its memory use).
    pub fn device(&self) -> burn::tensor::Device {
        self.inner.localizer.device().clone()
    }
}

/// The encoding a `Video` handle names, if this model made it and it was not freed.
fn video_of(inner: &Inner, id: u32) -> Result<EncodedVideo, JsValue> {
    inner.videos.borrow().get(&id).cloned().ok_or_else(|| {
        coded(
            "video-mismatch",
            "this Video was encoded by another model: encode it again with this model's encodeVideo",
        )
    })
}

/// [`video_of`] for a handle from JavaScript, read without calling into a freed handle.
fn video_of_js(inner: &Inner, video: &JsValue) -> Result<EncodedVideo, JsValue> {
    // wasm-bindgen's handles keep their Rust object's address in `__wbg_ptr`, 0 once freed.
    match field(video, "__wbg_ptr").as_f64() {
        None => return Err(option_error("video must be a Video from encodeVideo")),
        Some(0.0) => return Err(coded("video-freed", "this Video was freed: encode the video again")),
        Some(_) => {}
    }
    let id = field(video, "id").as_f64().ok_or_else(|| option_error("video must be a Video from encodeVideo"))?;
    video_of(inner, id as u32)
}

/// Ranking options and whether raw outputs are wanted.
fn rank_options(options: &JsValue) -> Result<(RankOptions, bool), JsValue> {
    let mut o = RankOptions::default();
    if options.is_undefined() || options.is_null() {
        return Ok((o, false));
    }
    if !options.is_object() {
        return Err(option_error("localize options must be an object { topK?, nmsThreshold? }"));
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
    let raw = field(options, "includeRaw");
    let include_raw = match raw.as_bool() {
        Some(b) => b,
        None if raw.is_undefined() => false,
        None => return Err(option_error("includeRaw must be a boolean")),
    };
    Ok((o, include_raw))
}

async fn localize(inner: &Inner, video: &EncodedVideo, query: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let js_options = options.clone();
    let (options, include_raw) = rank_options(&options)?;
    if aborted(&js_options)? {
        return Err(errors::aborted());
    }
    let parse: ParsedSentence = match query.as_string() {
        Some(text) => {
            let parser = inner.parser.as_ref().ok_or_else(|| coded("no-parser", NO_PARSER))?;
            crate::parsing::parse_query(parser, &text).map_err(cmin_error)?
        }
        None => serde_wasm_bindgen::from_value(query).map_err(|e| {
            cmin_error(CminError::ParseShape(format!(
                "query must be text or {{ tokens: string[], heads: number[], deprels: string[] }}: {e}"
            )))
        })?,
    };
    let prepared = parse.prepare_at_most(&inner.embeddings, inner.localizer.config().max_words).map_err(cmin_error)?;
    let pending = inner.localizer.start(video, std::slice::from_ref(&prepared.query), options).map_err(cmin_error)?;
    // One readback of scores, offsets and attention together.
    let data = pending
        .packed
        .clone()
        .into_data_async()
        .await
        .map_err(|e| coded("device-lost", format!("reading results from the device failed: {e:?}")))?;
    if aborted(&js_options)? {
        return Err(errors::aborted());
    }
    let result = pending.finish(&inner.localizer, data).map_err(cmin_error)?.remove(0);

    let out = Object::new();
    let moments: Vec<MomentJs> =
        result.moments.iter().map(|m| MomentJs { start: m.start, end: m.end, score: m.score }).collect();
    set(&out, "moments", serde_wasm_bindgen::to_value(&moments).map_err(internal)?)?;
    set(&out, "attention", Float32Array::from(result.attention.as_slice()).into())?;
    set(&out, "numClips", JsValue::from(video.timeline.num_clips as u32))?;
    let words: Array = prepared.words.iter().take(result.num_words).map(|w| JsValue::from_str(w)).collect();
    set(&out, "words", words.into())?;
    let unknown: Array = prepared.unknown_words.iter().map(|w| JsValue::from_str(w)).collect();
    set(&out, "unknownWords", unknown.into())?;
    let truncated_from = prepared.truncated_from.or(result.truncated_from);
    set(&out, "truncatedFrom", truncated_from.map(|n| JsValue::from(n as u32)).unwrap_or(JsValue::NULL))?;
    if include_raw {
        set(&out, "scores", Float32Array::from(result.scores.as_slice()).into())?;
        set(&out, "offsets", Float32Array::from(result.offsets.as_slice()).into())?;
        let (s, e) = result.top1_grid;
        set(&out, "top1Clips", Array::of2(&JsValue::from(s as u32), &JsValue::from(e as u32)).into())?;
    }
    Ok(out.into())
}
