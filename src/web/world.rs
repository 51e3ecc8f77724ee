//! The synthetic world in JavaScript: `World.generate(seed)` gives a video's clip features
//! (what the model sees), its actors, events and queries with their answers, and each
//! actor's pose at every step (what the demo draws).

use js_sys::{Array, Float32Array, Object};
use wasm_bindgen::prelude::*;

use super::{option_error, set};
use cmin_world::{Pool, WorldConfig, WorldVideo, generate, long_video};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
export interface WorldActor {
  /** How queries name it: "the red circle", or "the big red circle" when a twin differs only in size. */
  name: string;
  shape: "circle" | "square" | "triangle" | "star";
  colour: "red" | "green" | "blue" | "yellow" | "purple";
  size: "small" | "big";
}
export interface WorldEvent {
  /** Base form: "jump", "spin", "grow", "shrink", "flash", "move left", "move right", "push", "follow". */
  action: string;
  /** Index into `actors()`. */
  agent: number;
  /** Index into `actors()` for "push" and "follow", else null. */
  patient: number | null;
  /** Seconds. */
  start: number;
  end: number;
}
export interface WorldQuery {
  /** The generator's own wording ("the red star is pushed by the purple circle"). */
  text: string;
  /** The same query in words people use: synonyms, another tense, a question or a command
   *  ("when does the crimson star get shoved by the violet ball?"); never a held-out word. */
  wording: string;
  /** The construction: "Intransitive", "Transitive", "Passive", "ObjectRelative", "SubjectRelative", "Before", "After", "Coordination". */
  kind: string;
  /** The one moment it describes, in seconds. */
  start: number;
  end: number;
  /** The video holds a distractor with the same words in other roles. */
  roleSensitive: boolean;
}
export interface WorldPose {
  /** Position on the unit stage (x right, y up). */
  x: number;
  y: number;
  scale: number;
  /** Radians. */
  rotation: number;
  /** 1 normally, up to 2 while flashing. */
  brightness: number;
  /** The action under way, or null. */
  action: string | null;
  /** On stage: in a long video, only the cast of the scene under way is. */
  visible: boolean;
}
"#;

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
        let out = Array::new();
        for (i, a) in self.video.actors.iter().enumerate() {
            let o = Object::new();
            set(&o, "name", self.video.name(i).into())?;
            set(&o, "shape", a.shape.word().into())?;
            set(&o, "colour", a.colour.word().into())?;
            set(&o, "size", a.size.word().into())?;
            out.push(&o);
        }
        Ok(out.into())
    }

    #[wasm_bindgen(unchecked_return_type = "WorldEvent[]")]
    pub fn events(&self) -> Result<JsValue, JsValue> {
        let seconds = |step: usize| (step as f64 * self.video.step_seconds).into();
        let out = Array::new();
        for e in &self.video.events {
            let o = Object::new();
            set(&o, "action", e.action.plural().into())?;
            set(&o, "agent", e.agent.into())?;
            set(&o, "patient", e.patient.map_or(JsValue::NULL, |p| p.into()))?;
            set(&o, "start", seconds(e.start))?;
            set(&o, "end", seconds(e.end))?;
            out.push(&o);
        }
        Ok(out.into())
    }

    #[wasm_bindgen(unchecked_return_type = "WorldQuery[]")]
    pub fn queries(&self) -> Result<JsValue, JsValue> {
        let out = Array::new();
        for (q, (worded, _)) in self.video.queries.iter().zip(self.video.worded_queries(Pool::Training)) {
            let o = Object::new();
            set(&o, "text", q.text.as_str().into())?;
            set(&o, "wording", worded.text.as_str().into())?;
            set(&o, "kind", format!("{:?}", q.kind).into())?;
            set(&o, "start", q.start.into())?;
            set(&o, "end", q.end.into())?;
            set(&o, "roleSensitive", q.role_sensitive.into())?;
            out.push(&o);
        }
        Ok(out.into())
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
        let out = Array::new();
        for p in self.video.poses(step) {
            let o = Object::new();
            set(&o, "x", p.x.into())?;
            set(&o, "y", p.y.into())?;
            set(&o, "scale", p.scale.into())?;
            set(&o, "rotation", p.rotation.into())?;
            set(&o, "brightness", p.brightness.into())?;
            set(&o, "action", p.action.map_or(JsValue::NULL, |a| a.plural().into()))?;
            set(&o, "visible", p.visible.into())?;
            out.push(&o);
        }
        Ok(out.into())
    }
}
