//! `Cmin` and `Video`: loading a model, encoding videos once and localizing queries on them.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use cmin_model::config::CminConfig;
use cmin_model::error::CminError;
use cmin_model::inference::{EncodedVideo, Localizer};
use cmin_model::video::check_feature_shape;
use cmin_model::weights;
use cmin_model::windows::TimeScale;
use cmin_query::embeddings::Embeddings;
use cmin_query::spelling::Speller;

use super::localize::{localize, search};
use super::results::to_js;
use super::types::{Backend, CminErrorCode, DeviceReport, LoadOptions, LoadProgress, VideoOptions};
use super::{
    backend, bytes_of, cmin_error, coded, count_of, field, file_error, files, floats_length, floats_of, internal,
    option_error, plain_of, run_static_constructors, text_of,
};

pub(super) const NO_PARSER: &str =
    "no parser loaded: pass `parser` (the parser-en-ewt.safetensors file) to Cmin.load, or parse with Parser";

/// Videos encoded by one model, by id. A `Video` handle names its entry, so `localize` can
/// refuse a freed or foreign handle itself: wasm-bindgen's own check of a freed handle throws
/// out of wasm, and each such throw leaks the frame's shadow stack (a few dozen freed handles
/// corrupted the module).
type Videos = Rc<RefCell<HashMap<u32, EncodedVideo>>>;

fn next_video_id() -> u32 {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

pub(super) struct Inner {
    videos: Videos,
    pub(super) localizer: Localizer,
    pub(super) embeddings: Embeddings,
    backend: Backend,
    fallback_reason: Option<String>,
    pub(super) parser: Option<Rc<cmin_query::parsing::ParserModel>>,
    /// The typo corrector's index over the word vectors' vocabulary, built on first need.
    pub(super) speller: std::cell::OnceCell<Speller>,
    /// The WebGPU adapter's description (an `AdapterReport`), or null on the CPU.
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
    windows: usize,
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
    /// Clips of the video's grid: the model's clips, or for a video longer than one window,
    /// its length at the model's clip length (the rows of `localize`'s attention).
    #[wasm_bindgen(getter, js_name = numClips)]
    pub fn num_clips(&self) -> usize {
        self.num_clips
    }

    /// Windows of the model's clips it is read in (1 for a video no longer than one).
    #[wasm_bindgen(getter)]
    pub fn windows(&self) -> usize {
        self.windows
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
        self.inner.backend.name().to_string()
    }

    /// Why `auto` fell back to the CPU, if it did.
    #[wasm_bindgen(getter, js_name = fallbackReason)]
    pub fn fallback_reason(&self) -> Option<String> {
        self.inner.fallback_reason.clone()
    }

    /// The backend, and for WebGPU what the adapter says of itself.
    #[wasm_bindgen(getter, js_name = device, unchecked_return_type = "DeviceReport")]
    pub fn device_report(&self) -> Result<JsValue, JsValue> {
        to_js(&DeviceReport {
            backend: self.inner.backend,
            fallback_reason: self.inner.fallback_reason.clone(),
            adapter: self.inner.adapter.clone(),
        })
    }

    /// The model's config (snake_case fields).
    #[wasm_bindgen(getter)]
    pub fn config(&self) -> Result<JsValue, JsValue> {
        serde_wasm_bindgen::to_value(self.inner.localizer.config()).map_err(internal)
    }

    /// Encodes a video's clip features (`numClips x featureDim`, row-major, any number of
    /// clips) lasting `durationSeconds`, of any length: a video longer than the model's window
    /// (its clips at its clip length) is read in overlapping windows. The encoding is cached in
    /// the returned handle.
    #[wasm_bindgen(js_name = encodeVideo)]
    pub fn encode_video_js(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Float32Array | Float64Array | number[]")] features: JsValue,
        #[wasm_bindgen(js_name = numClips, unchecked_param_type = "number")] num_clips: JsValue,
        #[wasm_bindgen(js_name = featureDim, unchecked_param_type = "number")] feature_dim: JsValue,
        #[wasm_bindgen(js_name = durationSeconds, unchecked_param_type = "number")] duration_seconds: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "VideoOptions")] options: Option<JsValue>,
    ) -> Result<Video, JsValue> {
        let duration = duration_seconds.as_f64().ok_or_else(|| option_error("durationSeconds must be a number"))?;
        let scale = VideoOptions::read(&options.unwrap_or(JsValue::UNDEFINED))?.time_scale();
        let (num_clips, feature_dim) = (count_of(&num_clips, "numClips")?, count_of(&feature_dim, "featureDim")?);
        // The shape and size are checked before a single value is copied in.
        let length = floats_length(&features, "features")?;
        let frame_dim = self.inner.localizer.config().frame_dim;
        check_feature_shape(length, num_clips, feature_dim, frame_dim).map_err(cmin_error)?;
        let features = floats_of(&features, "features", length)?;
        self.encode_video_at(&features, num_clips, feature_dim, duration, scale)
    }

    /// Parses text with the parser given to `load` (an error if none was).
    #[wasm_bindgen(js_name = parse, unchecked_return_type = "Analysis")]
    pub fn parse_js(&self, #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue) -> Result<JsValue, JsValue> {
        self.parse(&text_of(&text)?)
    }

    /// Ranks the moments of `video` that `query` (a parse, or text when a parser is loaded)
    /// describes.
    #[wasm_bindgen(unchecked_return_type = "Promise<LocalizeResult>")]
    pub fn localize(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Video")] video: JsValue,
        #[wasm_bindgen(unchecked_param_type = "DependencyParse | Analysis | string")] query: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "LocalizeOptions")] options: Option<JsValue>,
    ) -> js_sys::Promise {
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let inner = self.inner.clone();
        let checked = video_of_js(&inner, &video);
        wasm_bindgen_futures::future_to_promise(async move { localize(&inner, &checked?, query, options).await })
    }

    /// Ranks the moments of every video in `videos` (each encoded by this model) that
    /// `query` describes, best first across them; each answer names its video.
    #[wasm_bindgen(unchecked_return_type = "Promise<SearchResult>")]
    pub fn search(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Video[]")] videos: JsValue,
        #[wasm_bindgen(unchecked_param_type = "DependencyParse | Analysis | string")] query: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "SearchOptions")] options: Option<JsValue>,
    ) -> js_sys::Promise {
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let inner = self.inner.clone();
        let checked = library_of_js(&inner, &videos);
        wasm_bindgen_futures::future_to_promise(async move { search(&inner, &checked?, query, options).await })
    }
}

/// The same operations as Rust futures (what the exported promises wrap), for Rust callers
/// and the browser tests.
impl Cmin {
    pub async fn load_async(options: JsValue) -> Result<Cmin, JsValue> {
        run_static_constructors();
        let options = LoadOptions::read(&options)?;
        let config: Option<CminConfig> = match &options.config {
            None => None,
            Some(value) => Some(
                serde_wasm_bindgen::from_value(plain_of(value, "config")?)
                    .map_err(|e| cmin_error(CminError::Config(e.to_string())))?,
            ),
        };
        let preference = options.backend.unwrap_or(super::types::BackendChoice::Auto);
        let fetched = files::fetch_files(&options.files_request()?).await?;
        let weight_bytes = bytes_of(&field(&fetched, "weights")?, "weights")?;
        let embeddings = Embeddings::from_bytes(&bytes_of(&field(&fetched, "embeddings")?, "embeddings")?)
            .map_err(file_error(CminErrorCode::BadEmbeddings))?;
        let parser_value = field(&fetched, "parser")?;
        let parser = if parser_value.is_null() {
            None
        } else {
            let bytes = bytes_of(&parser_value, "parser")?;
            Some(Rc::new(
                cmin_query::parsing::ParserModel::from_bytes(&bytes).map_err(|e| coded(CminErrorCode::BadParser, e))?,
            ))
        };
        let chosen = backend::choose(preference).await.map_err(|e| coded(CminErrorCode::WebGpuUnavailable, e))?;
        let model = weights::load(&weight_bytes, config.as_ref(), &chosen.device)
            .map_err(file_error(CminErrorCode::BadWeights))?;
        if model.config().word_dim != embeddings.dim() {
            return Err(cmin_error(CminError::WordDim { got: embeddings.dim(), expected: model.config().word_dim }));
        }
        let adapter = match chosen.backend {
            Backend::WebGpu => files::describe_adapter().await,
            Backend::Cpu => JsValue::NULL,
        };
        if options.aborted()? {
            return Err(super::errors::aborted());
        }
        files::keep_fetched(&fetched).await;
        let cmin = Cmin {
            inner: Rc::new(Inner {
                videos: Rc::default(),
                localizer: Localizer::new(model, chosen.device),
                embeddings,
                backend: chosen.backend,
                fallback_reason: chosen.fallback_reason,
                parser,
                speller: std::cell::OnceCell::new(),
                adapter,
            }),
        };
        if let Some(on_progress) = &options.on_progress {
            files::report_progress(on_progress, &to_js(&LoadProgress::Ready { backend: cmin.inner.backend })?);
        }
        Ok(cmin)
    }

    pub fn encode_video(
        &self,
        features: &[f32],
        num_clips: usize,
        feature_dim: usize,
        duration_seconds: f64,
    ) -> Result<Video, JsValue> {
        self.encode_video_at(features, num_clips, feature_dim, duration_seconds, TimeScale::Model)
    }

    pub fn encode_video_at(
        &self,
        features: &[f32],
        num_clips: usize,
        feature_dim: usize,
        duration_seconds: f64,
        scale: TimeScale,
    ) -> Result<Video, JsValue> {
        let encoded = self
            .inner
            .localizer
            .encode_video_at(features, num_clips, feature_dim, duration_seconds, scale)
            .map_err(cmin_error)?;
        let (num_clips, windows, duration) = (encoded.windows.grid_clips(), encoded.windows.len(), encoded.duration());
        let id = next_video_id();
        self.inner.videos.borrow_mut().insert(id, encoded);
        Ok(Video { id, num_clips, windows, duration, videos: self.inner.videos.clone() })
    }

    pub fn parse(&self, text: &str) -> Result<JsValue, JsValue> {
        let parser = self.inner.parser.as_ref().ok_or_else(|| coded(CminErrorCode::NoParser, NO_PARSER))?;
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
            CminErrorCode::VideoMismatch,
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
        Some(0.0) => return Err(coded(CminErrorCode::VideoFreed, "this Video was freed: encode the video again")),
        Some(_) => {}
    }
    let id = field(video, "id")?.as_f64().ok_or_else(|| option_error("video must be a Video from encodeVideo"))?;
    video_of(inner, id as u32)
}

/// The encodings an array of `Video` handles names, with their ids, each checked as
/// [`video_of_js`] checks one.
fn library_of_js(inner: &Inner, videos: &JsValue) -> Result<Vec<(u32, EncodedVideo)>, JsValue> {
    let items = super::array_items(videos, "videos", MAX_LIBRARY_VIDEOS)?;
    if items.is_empty() {
        return Err(option_error("videos must hold at least one Video from encodeVideo"));
    }
    items
        .iter()
        .map(|v| {
            let encoded = video_of_js(inner, v)?;
            Ok((field(v, "id")?.as_f64().unwrap_or(0.0) as u32, encoded))
        })
        .collect()
}

/// Videos one search may take (each is also bounded by the memory its encoding holds).
const MAX_LIBRARY_VIDEOS: u32 = 100_000;
