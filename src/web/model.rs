//! `Cmin` and `Video`: loading a model, encoding videos once and localizing queries on them.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::{Array, Float32Array, Object};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use cmin_model::config::CminConfig;
use cmin_model::error::CminError;
use cmin_model::inference::{EncodedVideo, Localizer};
use cmin_model::video::check_feature_shape;
use cmin_model::weights;
use cmin_query::ParsedSentence;
use cmin_query::embeddings::Embeddings;
use cmin_query::parsing::read_text;
use cmin_query::spelling::{Correction, Speller};

use super::parser::analysis_js;
use super::{
    aborted, backend, bytes_of, cmin_error, coded, count_of, field, file_error, files, floats_length, floats_of,
    internal, localize_options, now_ms, option_error, plain_of, run_static_constructors, set, text_of,
};

const NO_PARSER: &str = "no parser loaded: pass `parser` (the .cminparse file) to Cmin.load, or parse with Parser";

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
    parser: Option<Rc<cmin_query::parsing::ParserModel>>,
    /// The typo corrector's index over the word vectors' vocabulary, built on first need.
    speller: std::cell::OnceCell<Speller>,
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
        let (num_clips, feature_dim) = (count_of(&num_clips, "numClips")?, count_of(&feature_dim, "featureDim")?);
        // The shape and size are checked before a single value is copied in.
        let length = floats_length(&features, "features")?;
        let frame_dim = self.inner.localizer.config().frame_dim;
        check_feature_shape(length, num_clips, feature_dim, frame_dim).map_err(cmin_error)?;
        let features = floats_of(&features, "features", length)?;
        self.encode_video(&features, num_clips, feature_dim, duration)
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
        let config_value = field(&options, "config")?;
        let config: Option<CminConfig> = if config_value.is_undefined() || config_value.is_null() {
            None
        } else {
            Some(
                serde_wasm_bindgen::from_value(plain_of(&config_value, "config")?)
                    .map_err(|e| cmin_error(CminError::Config(e.to_string())))?,
            )
        };
        let backend_value = field(&options, "backend")?;
        let on_progress = field(&options, "onProgress")?;
        let preference = match backend_value.as_string() {
            None if backend_value.is_undefined() => backend::Preference::Auto,
            None => return Err(option_error("backend must be a string")),
            Some(name) => backend::Preference::parse(&name).map_err(option_error)?,
        };
        let fetched = files::fetch_files(&options).await?;
        let weight_bytes = bytes_of(&field(&fetched, "weights")?, "weights")?;
        let embeddings = Embeddings::from_bytes(&bytes_of(&field(&fetched, "embeddings")?, "embeddings")?)
            .map_err(file_error("bad-embeddings"))?;
        let parser_value = field(&fetched, "parser")?;
        let parser = if parser_value.is_null() {
            None
        } else {
            let bytes = bytes_of(&parser_value, "parser")?;
            Some(Rc::new(cmin_query::parsing::ParserModel::from_bytes(&bytes).map_err(|e| coded("bad-parser", e))?))
        };
        let chosen = backend::choose(preference).await.map_err(|e| coded("webgpu-unavailable", e))?;
        let model = weights::load(&weight_bytes, config.as_ref(), &chosen.device).map_err(file_error("bad-weights"))?;
        if model.config().word_dim != embeddings.dim() {
            return Err(cmin_error(CminError::WordDim { got: embeddings.dim(), expected: model.config().word_dim }));
        }
        let adapter = if chosen.name == "webgpu" { files::describe_adapter().await } else { JsValue::NULL };
        if aborted(&options)? {
            return Err(super::errors::aborted());
        }
        files::keep_fetched(&fetched).await;
        let cmin = Cmin {
            inner: Rc::new(Inner {
                videos: Rc::default(),
                localizer: Localizer::new(model, chosen.device),
                embeddings,
                backend: chosen.name,
                fallback_reason: chosen.fallback_reason,
                parser,
                speller: std::cell::OnceCell::new(),
                adapter,
            }),
        };
        let ready = Object::new();
        set(&ready, "status", JsValue::from_str("ready"))?;
        set(&ready, "backend", JsValue::from_str(cmin.inner.backend))?;
        files::report_progress(&on_progress, &ready.into());
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
        super::parser::analysis_to_js(parser, text)
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
    // Reading it is the one way to tell a freed handle without calling into it (the `id`
    // getter of a freed handle throws out of wasm, leaking its shadow-stack frame). Should a
    // wasm-bindgen upgrade rename it, every handle reads as "not a Video" and
    // tests/browser/hostile.mjs ("a freed video: localize" wants `video-freed`) and the
    // consumer check (`freed`) fail.
    match field(video, "__wbg_ptr")?.as_f64() {
        None => return Err(option_error("video must be a Video from encodeVideo")),
        Some(0.0) => return Err(coded("video-freed", "this Video was freed: encode the video again")),
        Some(_) => {}
    }
    let id = field(video, "id")?.as_f64().ok_or_else(|| option_error("video must be a Video from encodeVideo"))?;
    video_of(inner, id as u32)
}

async fn localize(inner: &Inner, video: &EncodedVideo, query: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let js_options = options.clone();
    let opts = localize_options(&options)?;
    let (options, include_raw) = (opts.rank, opts.include_raw);
    if aborted(&js_options)? {
        return Err(super::errors::aborted());
    }
    let started = now_ms();
    // Text is parsed here, and its parse returned with the result, so that a caller that shows
    // the parse does not send the query across the boundary twice.
    let mut corrections: Vec<Correction> = Vec::new();
    let mut read_as = JsValue::NULL;
    let mut cut_from = None;
    let (parse, parse_js): (ParsedSentence, JsValue) = match query.is_string() {
        true => {
            let text = text_of(&query)?;
            let parser = inner.parser.as_ref().ok_or_else(|| coded("no-parser", NO_PARSER))?;
            let correct = opts.correct_typos;
            let max_words = inner.localizer.config().max_words;
            let read = read_text(parser, &inner.embeddings, &text, max_words, || {
                correct.then(|| inner.speller.get_or_init(|| Speller::new(&inner.embeddings)))
            })
            .map_err(cmin_error)?;
            cut_from = read.cut_from;
            read_as = JsValue::from_str(&read.text);
            let parse_js = analysis_js(&read.analysis, &read.text)?;
            corrections = read.corrections;
            (cmin_query::parsing::query_sentence(&read.analysis).map_err(cmin_error)?, parse_js)
        }
        false => {
            let parse = serde_wasm_bindgen::from_value(plain_of(&query, "query")?).map_err(|e| {
                cmin_error(CminError::ParseShape(format!(
                    "query must be text or {{ tokens: string[], heads: number[], deprels: string[] }}: {e}"
                )))
            })?;
            (parse, JsValue::NULL)
        }
    };
    let parsed = now_ms();
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
        return Err(super::errors::aborted());
    }
    let result = pending.finish(&inner.localizer, data).map_err(cmin_error)?.remove(0);
    let timings = Object::new();
    set(&timings, "parse", JsValue::from(parsed - started))?;
    set(&timings, "inference", JsValue::from(now_ms() - parsed))?;

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
    let truncated_from = cut_from.or(prepared.truncated_from).or(result.truncated_from);
    set(&out, "truncatedFrom", truncated_from.map(|n| JsValue::from(n as u32)).unwrap_or(JsValue::NULL))?;
    set(&out, "parse", parse_js)?;
    set(&out, "corrections", serde_wasm_bindgen::to_value(&corrections).map_err(internal)?)?;
    set(&out, "readAs", read_as)?;
    set(&out, "timings", timings.into())?;
    if include_raw {
        set(&out, "scores", Float32Array::from(result.scores.as_slice()).into())?;
        set(&out, "offsets", Float32Array::from(result.offsets.as_slice()).into())?;
        let (s, e) = result.top1_grid;
        set(&out, "top1Clips", Array::of2(&JsValue::from(s as u32), &JsValue::from(e as u32)).into())?;
    }
    Ok(out.into())
}
