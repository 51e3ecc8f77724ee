//! What `parse`, `localize` and `search` return, and the parse a query may be given as: Rust
//! types whose TypeScript declarations tsify derives (see `types.rs`), written to JavaScript by
//! [`to_js`].

use js_sys::Float32Array;
use serde::{Deserialize, Serialize};
use tsify::Tsify;
use wasm_bindgen::prelude::*;

use super::internal;

/// A value as a plain JS object: `None` is null (as the derived types say: `missing_as_null`),
/// structs (flattened ones too) are objects, and typed arrays pass through untouched.
pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let serializer =
        serde_wasm_bindgen::Serializer::new().serialize_missing_as_null(true).serialize_maps_as_objects(true);
    value.serialize(&serializer).map_err(internal)
}

/// A dependency parse, as a query may be given: `heads[i]` is 0 for the root or the 1-based
/// index of token i's head; labels are UD v1 or v2. An `Analysis` is one too.
#[derive(Deserialize, Tsify)]
pub(crate) struct DependencyParse {
    pub tokens: Vec<String>,
    pub heads: Vec<usize>,
    pub deprels: Vec<String>,
}

impl From<DependencyParse> for cmin_query::DependencyParse {
    fn from(p: DependencyParse) -> Self {
        cmin_query::DependencyParse { tokens: p.tokens, heads: p.heads, deprels: p.deprels }
    }
}

/// `parse(text)`: the parser's reading of a text, usable as the `query` of `localize`.
#[derive(Serialize, Tsify)]
pub(crate) struct Analysis {
    pub tokens: Vec<String>,
    /// Universal POS tags.
    pub upos: Vec<String>,
    /// 0 for a sentence root, else the 1-based index of the token's head.
    pub heads: Vec<usize>,
    /// UD v2 relations (CMIN maps them to its v1 ids).
    pub deprels: Vec<String>,
    /// [start, end) of each token in the input, in UTF-16 code units (`text.slice(start, end)`).
    pub offsets: Vec<[usize; 2]>,
    /// [start, end) token ranges of the sentences; each sentence is one tree.
    pub sentences: Vec<[usize; 2]>,
}

/// A moment of a video, best first.
#[derive(Serialize, Tsify)]
pub(crate) struct Moment {
    /// Seconds.
    pub start: f64,
    pub end: f64,
    pub score: f32,
}

/// A moment of a search, with the video it is in.
#[derive(Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FoundMoment {
    /// Index into the `videos` array searched.
    pub video: usize,
    /// That Video's `id`.
    pub video_id: u32,
    /// Seconds.
    pub start: f64,
    pub end: f64,
    pub score: f32,
}

/// A word of the query read as another: `{ from: 'purpel', to: 'purple' }`.
#[derive(Serialize, Tsify)]
pub(crate) struct Correction {
    pub from: String,
    pub to: String,
}

/// Milliseconds spent parsing the text (or reading the given parse) and running the model.
#[derive(Serialize, Tsify)]
pub(crate) struct Timings {
    pub parse: f64,
    pub inference: f64,
}

/// How the query was read: what `localize` and `search` results both carry.
#[derive(Serialize, Tsify)]
#[tsify(missing_as_null)]
#[serde(rename_all = "camelCase")]
pub(crate) struct QueryReading {
    /// The words the model read (lower-cased, `. ? , ( )` dropped, truncated to the limit).
    pub words: Vec<String>,
    /// Words without a vector (read as zeros).
    pub unknown_words: Vec<String>,
    /// Original word count when the query was cut to the model's limit, else null.
    pub truncated_from: Option<usize>,
    /// The parse of a text query (as `parse(text)` gives it, of `readAs`); null when the query
    /// was a parse.
    pub parse: Option<Analysis>,
    /// Words of a text query that had no vector, read as the likeliest known word (unless
    /// `correctTypos: false`).
    pub corrections: Vec<Correction>,
    /// A text query as the model read it (its corrections made); null when the query was a
    /// parse.
    pub read_as: Option<String>,
    pub timings: Timings,
}

/// `localize`'s answer.
#[derive(Serialize, Tsify)]
#[tsify(missing_as_null)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LocalizeResult {
    /// Best first.
    pub moments: Vec<Moment>,
    /// Video-to-query attention, row-major [numClips x words.length] (paper Fig. 8); for a
    /// video read in windows, each clip's row from the window that answers for it.
    #[serde(with = "serde_wasm_bindgen::preserve")]
    #[tsify(type = "Float32Array")]
    pub attention: Float32Array,
    /// Per clip, the best score of a candidate moment covering it [numClips]: how well the
    /// query matches each stretch of the video.
    #[serde(with = "serde_wasm_bindgen::preserve")]
    #[tsify(type = "Float32Array")]
    pub relevance: Float32Array,
    /// The video's clips (`Video.numClips`).
    pub num_clips: usize,
    #[serde(flatten)]
    pub reading: QueryReading,
    /// With `includeRaw`: score of every proposal [windows x modelClips x anchors] (illegal
    /// ones too).
    #[serde(with = "preserve_some", skip_serializing_if = "Option::is_none")]
    #[tsify(optional, type = "Float32Array")]
    pub scores: Option<Float32Array>,
    /// With `includeRaw`: (start, end) offsets of every proposal [windows x modelClips x
    /// anchors x 2].
    #[serde(with = "preserve_some", skip_serializing_if = "Option::is_none")]
    #[tsify(optional, type = "Float32Array")]
    pub offsets: Option<Float32Array>,
    /// With `includeRaw`: the reference's top-1 rule, [start, end] clip indices.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub top1_clips: Option<[usize; 2]>,
}

/// [`serde_wasm_bindgen::preserve`] for an optional JS value.
mod preserve_some {
    use wasm_bindgen::JsCast;

    pub fn serialize<S: serde::Serializer, T: JsCast>(value: &Option<T>, serializer: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => serde_wasm_bindgen::preserve::serialize(value, serializer),
            None => serializer.serialize_none(),
        }
    }
}

/// `search`'s answer.
#[derive(Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SearchResult {
    /// Best first, across every video.
    pub moments: Vec<FoundMoment>,
    #[serde(flatten)]
    pub reading: QueryReading,
}
