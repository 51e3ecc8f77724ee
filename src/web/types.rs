//! What `Cmin.load` and `encodeVideo` take, and what the model reports of itself. Every value
//! that crosses to JavaScript is a Rust type: tsify derives its declaration in the package's
//! `.d.ts` from the type itself, so renaming a field or a variant changes the `.d.ts` with it.
//! Types that JavaScript defines (`URL`, `Blob`, `AbortSignal`, functions) are named as they
//! are there, on fields that hold the caller's value untouched.

use serde::{Deserialize, Serialize};
use tsify::Tsify;
use wasm_bindgen::prelude::*;

/// A file for `Cmin.load`: a URL (fetched, cached, progress reported), `{ url, integrity }`
/// (integrity 'sha256-<base64>' or 64 hex digits, checked on every load), a `Response`, a
/// `Blob`, or the bytes.
#[derive(Tsify)]
pub(crate) struct FileSource(
    #[tsify(
        type = "string | URL | { url: string | URL; integrity?: string } | Response | Blob | ArrayBuffer | ArrayBufferView"
    )]
    pub JsValue,
);

/// Which backend a model runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Backend {
    #[serde(rename = "webgpu")]
    WebGpu,
    Cpu,
}

/// Which backend a caller asks for: 'auto' is WebGPU when an adapter exists, else the CPU.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "lowercase")]
pub(crate) enum BackendChoice {
    Auto,
    #[serde(rename = "webgpu")]
    WebGpu,
    Cpu,
}

/// Options of `Cmin.load`; every field may be left out (`await Cmin.load()` works). The files
/// are fetched in `www/package/files.js`, which reads them from the caller's object itself.
#[derive(Tsify)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LoadOptions {
    /// Weights (safetensors): ours carry their config; a reference state dict needs `config`.
    /// Default: the demo's world model.
    #[tsify(optional)]
    pub weights: Option<FileSource>,
    /// Word vectors: cmin's safetensors file (`scripts/build_embeddings.py`) or GloVe text. Default:
    /// the package's 50-d GloVe.
    #[tsify(optional)]
    pub embeddings: Option<FileSource>,
    /// The parser model; with it, `localize` also takes text. Default: the package's parser;
    /// `null` for none.
    #[tsify(optional, type = "FileSource | null")]
    pub parser: Option<FileSource>,
    /// Model config (snake_case fields of CminConfig); required for reference weights.
    #[tsify(optional, type = "object")]
    pub config: Option<JsValue>,
    /// Default 'auto': WebGPU when an adapter exists, else the CPU.
    #[tsify(optional)]
    pub backend: Option<BackendChoice>,
    /// Called as files arrive.
    #[tsify(optional, type = "(event: LoadProgress) => void")]
    pub on_progress: Option<JsValue>,
    /// Cancels the downloads (the promise rejects with code 'aborted').
    #[tsify(optional, type = "AbortSignal")]
    pub signal: Option<JsValue>,
    /// Keep fetched files in the Cache API (default true).
    #[tsify(optional)]
    pub cache: Option<bool>,
    /// The cache's name (default 'cmin-wasm').
    #[tsify(optional)]
    pub cache_name: Option<String>,
}

/// A file `Cmin.load` reads.
#[derive(Clone, Copy, Debug, Serialize, Tsify)]
#[expect(dead_code, reason = "files.js, which fetches the files, sends their events")]
#[serde(rename_all = "lowercase")]
pub(crate) enum FileKind {
    Weights,
    Embeddings,
    Parser,
}

/// `onProgress` events, one file at a time, then `ready` once the model is usable (the file
/// events are sent by `www/package/files.js` in this shape).
#[derive(Serialize, Tsify)]
#[tsify(missing_as_null)]
#[serde(tag = "status", rename_all = "lowercase")]
#[expect(dead_code, reason = "files.js, which fetches the files, sends the file events")]
pub(crate) enum LoadProgress {
    Initiate {
        file: FileKind,
        url: Option<String>,
    },
    Progress {
        file: FileKind,
        url: Option<String>,
        loaded: f64,
        total: f64,
        /// Percent, or null while the total is unknown.
        progress: Option<f64>,
    },
    Done {
        file: FileKind,
        url: Option<String>,
        loaded: f64,
        total: f64,
        #[serde(rename = "fromCache")]
        from_cache: bool,
    },
    Ready {
        backend: Backend,
    },
}

/// `model.device`: what the model runs on.
#[derive(Serialize, Tsify)]
#[tsify(missing_as_null)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DeviceReport {
    pub backend: Backend,
    /// Why 'auto' chose the CPU, as a sentence; null otherwise.
    pub fallback_reason: Option<String>,
    /// WebGPU only: what the adapter says of itself (software adapters: vendor 'google',
    /// architecture 'swiftshader', or isFallbackAdapter); null on the CPU.
    #[serde(with = "serde_wasm_bindgen::preserve")]
    #[tsify(type = "AdapterReport | null")]
    pub adapter: JsValue,
}

/// A WebGPU adapter as `navigator.gpu.requestAdapter()` describes it (`files.js` asks it).
#[derive(Tsify)]
#[expect(dead_code, reason = "files.js, which asks the adapter, writes it")]
#[serde(rename_all = "camelCase")]
pub(crate) struct AdapterReport {
    pub vendor: String,
    pub architecture: String,
    pub device: String,
    pub description: String,
    pub is_fallback_adapter: bool,
    pub limits: AdapterLimits,
}

/// The adapter's limits that bound what the model can run.
#[derive(Tsify)]
#[expect(dead_code, reason = "files.js, which asks the adapter, writes it")]
#[serde(rename_all = "camelCase")]
pub(crate) struct AdapterLimits {
    pub max_buffer_size: f64,
    pub max_storage_buffer_binding_size: f64,
    pub max_compute_workgroup_storage_size: f64,
    pub max_compute_invocations_per_workgroup: f64,
    pub max_compute_workgroups_per_dimension: f64,
}

/// How `encodeVideo` reads the video's length: 'model' (default) reads a video longer than
/// the model's window (its clips at `config.clip_seconds`) as overlapping windows at that clip
/// length; 'whole' resamples any video to the model's clips (the reference's way); a number is
/// the seconds per clip to read it at.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, Tsify)]
#[serde(untagged)]
pub(crate) enum TimeScaleOption {
    Named(NamedTimeScale),
    Seconds(f64),
}

/// The time scales with a name.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "lowercase")]
pub(crate) enum NamedTimeScale {
    Model,
    Whole,
}

/// `encodeVideo`'s options.
#[derive(Tsify)]
#[serde(rename_all = "camelCase")]
pub(crate) struct VideoOptions {
    #[tsify(optional)]
    pub time_scale: Option<TimeScaleOption>,
}

/// `search`'s options; `localize` takes them too, with `includeRaw`.
#[derive(Default, Tsify)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SearchOptions {
    /// Moments to return after NMS (default 5); a search counts them across all videos.
    #[tsify(optional)]
    pub top_k: Option<u32>,
    /// Suppress moments overlapping a better one by more than this IoU (default 0.5).
    #[tsify(optional)]
    pub nms_threshold: Option<f64>,
    /// Read a text query's words that have no vector as the likeliest known word ("purpel" as
    /// "purple"; default true); the result lists them in `corrections`.
    #[tsify(optional)]
    pub correct_typos: Option<bool>,
    /// Rejects with code 'aborted' once fired (checked before the model runs and after it).
    #[tsify(optional, type = "AbortSignal")]
    pub signal: Option<JsValue>,
}

/// `localize`'s options.
#[derive(Default, Tsify)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LocalizeOptions {
    #[serde(flatten)]
    pub search: SearchOptions,
    /// Also return every proposal's score and offsets (default false).
    #[tsify(optional)]
    pub include_raw: Option<bool>,
}

/// `error.code` of every error the package throws (`error.name` is 'CminError').
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum CminErrorCode {
    BadOptions,
    BadConfig,
    BadWeights,
    BadEmbeddings,
    BadParser,
    BadFile,
    FetchFailed,
    IntegrityMismatch,
    Aborted,
    #[serde(rename = "webgpu-unavailable")]
    WebGpuUnavailable,
    DeviceLost,
    VideoEmpty,
    FeatureDimMismatch,
    FeatureLengthMismatch,
    NonFiniteFeature,
    BadDuration,
    VideoMismatch,
    VideoFreed,
    QueryEmpty,
    WordDimMismatch,
    BadParse,
    UnknownLabel,
    NoParser,
    NoModel,
    NoVideo,
    Terminated,
    WorkerCrashed,
    NumericOverflow,
    TooLarge,
    CminFreed,
    ParserFreed,
    WorldFreed,
    InitFailed,
    Internal,
}

impl CminErrorCode {
    /// A code by the name the `.d.ts` gives it (as `CminError::code` names the model's errors);
    /// an unknown name is `internal`.
    pub fn named(name: &str) -> Self {
        use serde::de::IntoDeserializer;
        let name: serde::de::value::StrDeserializer<serde::de::value::Error> = name.into_deserializer();
        CminErrorCode::deserialize(name).unwrap_or(CminErrorCode::Internal)
    }
}

/// Every error the package throws: an `Error` whose `code` says what went wrong.
#[derive(Tsify)]
pub(crate) struct CminError(#[tsify(type = "Error & { name: 'CminError'; code: CminErrorCode }")] pub JsValue);

impl From<CminError> for JsValue {
    fn from(error: CminError) -> JsValue {
        error.0
    }
}

/// The build `init()` loaded: 'webgpu' (WebGPU and CPU backends) or 'cpu' (the CPU backend
/// alone). `www/package/index.js`, which picks it, returns it.
#[derive(Tsify)]
#[serde(rename_all = "lowercase")]
#[expect(dead_code, reason = "index.js returns it")]
pub(crate) enum Build {
    #[serde(rename = "webgpu")]
    WebGpu,
    Cpu,
}

/// `init()`'s options (`www/package/index.js` reads them).
#[derive(Tsify)]
#[expect(dead_code, reason = "index.js reads them")]
pub(crate) struct InitOptions {
    /// 'cpu': the CPU-only build; 'webgpu': the full build; 'auto' (default): the full build
    /// where the browser offers a WebGPU adapter.
    #[tsify(optional)]
    pub backend: Option<BackendChoice>,
    /// Where the .wasm is, for apps that host it elsewhere: one file for the build chosen, or
    /// one per build.
    #[tsify(
        optional,
        type = "InitInput | Promise<InitInput> | { webgpu?: InitInput | Promise<InitInput>; cpu?: InitInput | Promise<InitInput> }"
    )]
    pub module_or_path: Option<JsValue>,
}
