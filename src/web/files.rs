//! The JS half of loading (`www/package/files.js`): fetching URLs with progress, the Cache API,
//! integrity checks and the adapter report are browser APIs, so they stay in JavaScript.

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/www/package/files.js")]
extern "C" {
    #[wasm_bindgen(js_name = fetchFiles)]
    fn fetch_files_js(options: &JsValue, version: &str, max_bytes: f64) -> Promise;
    #[wasm_bindgen(js_name = keepFetched)]
    fn keep_fetched_js(fetched: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = cachedUrls)]
    fn cached_urls_js(cache_name: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = clearCache)]
    fn clear_cache_js(cache_name: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = describeAdapter)]
    fn describe_adapter_js() -> Promise;
    #[wasm_bindgen(js_name = reportProgress)]
    pub(crate) fn report_progress(on_progress: &JsValue, event: &JsValue);
}

/// `{ weights, embeddings, parser }` as `Uint8Array`s (`parser` may be null); the package's
/// own files are asked for at this version.
pub(crate) async fn fetch_files(options: &JsValue) -> Result<JsValue, JsValue> {
    // `fetchFiles` is async: a throw inside it, even from reading a caller's getter, reaches
    // us as a rejected promise, never as an exception through wasm.
    let limit = cmin_model::limits::MAX_FILE_BYTES as f64;
    JsFuture::from(fetch_files_js(options, env!("CARGO_PKG_VERSION"), limit)).await.map_err(super::caught("options"))
}

/// Keeps what `fetch_files` downloaded in the Cache API; called once every file was read, so
/// a body that is no model file (a dev server's HTML page) is never kept.
pub(crate) async fn keep_fetched(fetched: &JsValue) {
    // Keeping is a convenience: a failure leaves the load as it is.
    let _ = JsFuture::from(keep_fetched_js(fetched)).await;
}

pub(crate) fn cached_urls(cache_name: &JsValue) -> Promise {
    cached_urls_js(cache_name)
}

pub(crate) fn clear_cache(cache_name: &JsValue) -> Promise {
    clear_cache_js(cache_name)
}

/// What the WebGPU adapter says of itself (an `AdapterReport`); null when it could not be asked.
pub(crate) async fn describe_adapter() -> JsValue {
    JsFuture::from(describe_adapter_js()).await.unwrap_or(JsValue::NULL)
}
