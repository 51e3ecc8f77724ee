//! What the package's worker (`www/package/cmin-worker.js`) answers its client with: declared
//! here, as Rust types, so that their TypeScript comes from the same place as every other
//! value's (`cmin-client.d.ts` imports them); the worker builds them in JavaScript from the
//! values the module returns.
#![expect(dead_code, reason = "cmin-worker.js builds these values")]

use tsify::Tsify;
use wasm_bindgen::JsValue;

use super::types::{Backend, DeviceReport};
use super::world_types::{WorldActor, WorldEvent, WorldPose, WorldQuery};

/// The model the worker loaded.
#[derive(Tsify)]
#[tsify(missing_as_null)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WorkerModel {
    pub backend: Backend,
    pub fallback_reason: Option<String>,
    /// The model's config (snake_case fields of CminConfig).
    #[tsify(type = "Record<string, unknown>")]
    pub config: JsValue,
    /// Whether a parser was loaded (text queries need one).
    pub parser: bool,
    pub device: DeviceReport,
}

/// A world video the worker generated and encoded.
#[derive(Tsify)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WorldInfo {
    pub seed: f64,
    pub duration: f64,
    pub steps: usize,
    pub step_seconds: f64,
    pub feature_dim: usize,
    pub actors: Vec<WorldActor>,
    pub events: Vec<WorldEvent>,
    pub queries: Vec<WorldQuery>,
    /// poses[step][actor].
    pub poses: Vec<Vec<WorldPose>>,
}

/// A long world video: as `WorldInfo` (a pose's `visible` says whether its actor is on
/// stage), with how it was read.
#[derive(Tsify)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LongWorldInfo {
    #[serde(flatten)]
    pub world: WorldInfo,
    /// Windows of the model's clips it was read in.
    pub windows: usize,
    /// Its clips at the model's clip length.
    pub num_clips: usize,
}

/// One video of a library.
#[derive(Tsify)]
pub(crate) struct LibraryVideo {
    pub seed: f64,
    pub duration: f64,
    pub queries: Vec<WorldQuery>,
}

/// A video the worker encoded from the page's features.
#[derive(Tsify)]
#[serde(rename_all = "camelCase")]
pub(crate) struct VideoInfo {
    pub num_clips: usize,
    pub feature_dim: usize,
    pub duration: f64,
    pub encoded: bool,
}
