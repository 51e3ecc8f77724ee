//! The synthetic world in JavaScript: `World.generate(seed)` gives a video's clip features
//! (what the model sees), its actors, events and queries with their answers, and each
//! actor's pose at every step (what the demo draws).

use js_sys::Float32Array;
use wasm_bindgen::prelude::*;

use super::option_error;
use super::results::to_js;
use super::world_types::{WorldActor, WorldEvent, WorldPose, WorldQuery};
use cmin_world::{Pool, WorldConfig, WorldVideo, generate, long_video};

/// One video of the synthetic world. Create with `World.generate(seed)`.
#[wasm_bindgen]
pub struct World {
    video: WorldVideo,
}

#[wasm_bindgen]
impl World {
    /// The video of `seed` (an integer from 0 to 2^53 - 1) with the default settings: 96
    /// half-second steps, 64-dimensional features. The same seed gives the same video here
    /// and in `cmin world`.
    #[wasm_bindgen(js_name = generate)]
    pub fn generate_js(#[wasm_bindgen(unchecked_param_type = "number")] seed: JsValue) -> Result<World, JsValue> {
        Self::generate(seed.as_f64().unwrap_or(f64::NAN))
    }

    /// A long video of `seed` (an integer as for `generate`), at least `seconds` long (up to an
    /// hour): scenes of 32 to 64 seconds, each with its own cast, joined end to end, with the
    /// queries that describe one moment of the whole video. The same as `cmin world
    /// --video-seconds`.
    #[wasm_bindgen(js_name = generateLong)]
    pub fn generate_long_js(
        #[wasm_bindgen(unchecked_param_type = "number")] seed: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] seconds: JsValue,
    ) -> Result<World, JsValue> {
        Self::generate_long(seed.as_f64().unwrap_or(f64::NAN), seconds.as_f64().unwrap_or(f64::NAN))
    }

    #[wasm_bindgen(getter)]
    pub fn seed(&self) -> f64 {
        self.video.seed as f64
    }

    /// Seconds.
    #[wasm_bindgen(getter)]
    pub fn duration(&self) -> f64 {
        self.video.duration
    }

    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> usize {
        self.video.steps()
    }

    #[wasm_bindgen(getter, js_name = stepSeconds)]
    pub fn step_seconds(&self) -> f64 {
        self.video.step_seconds
    }

    #[wasm_bindgen(getter, js_name = featureDim)]
    pub fn feature_dim(&self) -> usize {
        self.video.feature_dim
    }

    /// Row-major `steps x featureDim` clip features: pass them to `model.encodeVideo(features,
    /// world.steps, world.featureDim, world.duration)`.
    pub fn features(&self) -> Float32Array {
        Float32Array::from(self.video.features.as_slice())
    }

    #[wasm_bindgen(unchecked_return_type = "WorldActor[]")]
    pub fn actors(&self) -> Result<JsValue, JsValue> {
        let actors: Vec<WorldActor> = (self.video.actors.iter().enumerate())
            .map(|(i, a)| WorldActor {
                name: self.video.name(i),
                shape: a.shape.into(),
                colour: a.colour.into(),
                size: a.size.into(),
            })
            .collect();
        to_js(&actors)
    }

    #[wasm_bindgen(unchecked_return_type = "WorldEvent[]")]
    pub fn events(&self) -> Result<JsValue, JsValue> {
        let seconds = |step: usize| step as f64 * self.video.step_seconds;
        let events: Vec<WorldEvent> = (self.video.events.iter())
            .map(|e| WorldEvent {
                action: e.action.into(),
                agent: e.agent,
                patient: e.patient,
                start: seconds(e.start),
                end: seconds(e.end),
            })
            .collect();
        to_js(&events)
    }

    #[wasm_bindgen(unchecked_return_type = "WorldQuery[]")]
    pub fn queries(&self) -> Result<JsValue, JsValue> {
        let worded = self.video.worded_queries(Pool::Training);
        let queries: Vec<WorldQuery> = (self.video.queries.iter().zip(worded))
            .map(|(q, (worded, _))| WorldQuery {
                text: q.text.clone(),
                wording: worded.text,
                kind: q.kind.into(),
                start: q.start,
                end: q.end,
                role_sensitive: q.role_sensitive,
            })
            .collect();
        to_js(&queries)
    }

    /// Every actor's pose at `step` (0 to `steps - 1`); an error outside that range.
    #[wasm_bindgen(js_name = poses, unchecked_return_type = "WorldPose[]")]
    pub fn poses_js(&self, #[wasm_bindgen(unchecked_param_type = "number")] step: JsValue) -> Result<JsValue, JsValue> {
        self.poses(super::count_of(&step, "step")?)
    }
}

fn seed_of(seed: f64) -> Result<u64, JsValue> {
    if !(seed.is_finite() && seed >= 0.0 && seed.fract() == 0.0 && seed < 9_007_199_254_740_992.0) {
        return Err(option_error(format!("seed must be an integer from 0 to 2^53 - 1, got {seed}")));
    }
    Ok(seed as u64)
}

/// The same calls with Rust types, for Rust callers and the browser tests.
impl World {
    pub fn generate(seed: f64) -> Result<World, JsValue> {
        super::run_static_constructors();
        Ok(World { video: generate(&WorldConfig::default(), seed_of(seed)?) })
    }

    pub fn generate_long(seed: f64, seconds: f64) -> Result<World, JsValue> {
        super::run_static_constructors();
        let seed = seed_of(seed)?;
        if !(seconds.is_finite() && seconds > 0.0 && seconds <= 3600.0) {
            return Err(option_error(format!("seconds must be a number in (0, 3600], got {seconds}")));
        }
        Ok(World { video: long_video(&WorldConfig::default(), seed, seconds) })
    }

    pub fn poses(&self, step: usize) -> Result<JsValue, JsValue> {
        if step >= self.video.steps() {
            return Err(option_error(format!("step {step} is outside 0..{}", self.video.steps())));
        }
        let poses: Vec<WorldPose> = (self.video.poses(step).into_iter())
            .map(|p| WorldPose {
                x: p.x,
                y: p.y,
                scale: p.scale,
                rotation: p.rotation,
                brightness: p.brightness,
                action: p.action.map(Into::into),
                visible: p.visible,
            })
            .collect();
        to_js(&poses)
    }
}
