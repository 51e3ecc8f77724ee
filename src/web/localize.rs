//! `Cmin.localize` and `Cmin.search`: a query (text or a parse) read once, run against one
//! video's windows or a library's, and the answer as a JS object.

use js_sys::{Array, Float32Array, Object};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use cmin_model::error::CminError;
use cmin_model::inference::{EncodedVideo, Pending, merge_search};
use cmin_query::ParsedSentence;
use cmin_query::PreparedQuery;
use cmin_query::parsing::read_text;
use cmin_query::spelling::{Correction, Speller};

use super::model::{Inner, NO_PARSER};
use super::parser::analysis_js;
use super::{aborted, cmin_error, coded, internal, localize_options, now_ms, plain_of, set, text_of};

#[derive(Serialize)]
struct MomentJs {
    start: f64,
    end: f64,
    score: f32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FoundJs {
    /// Index into the videos searched.
    video: usize,
    video_id: u32,
    start: f64,
    end: f64,
    score: f32,
}

/// A query as the model reads it, with what the result reports of its reading.
struct ReadQuery {
    prepared: PreparedQuery,
    parse_js: JsValue,
    read_as: JsValue,
    corrections: Vec<Correction>,
    cut_from: Option<usize>,
}

/// Text is parsed here, and its parse returned with the result, so that a caller that shows
/// the parse does not send the query across the boundary twice.
fn read_query(inner: &Inner, query: &JsValue, correct_typos: bool) -> Result<ReadQuery, JsValue> {
    let max_words = inner.localizer.config().max_words;
    let (parse, parse_js, read_as, corrections, cut_from): (ParsedSentence, _, _, _, _) = if query.is_string() {
        let text = text_of(query)?;
        let parser = inner.parser.as_ref().ok_or_else(|| coded("no-parser", NO_PARSER))?;
        let read = read_text(parser, &inner.embeddings, &text, max_words, || {
            correct_typos.then(|| inner.speller.get_or_init(|| Speller::new(&inner.embeddings)))
        })
        .map_err(cmin_error)?;
        let parse_js = analysis_js(&read.analysis, &read.text)?;
        let parse = cmin_query::parsing::query_sentence(&read.analysis).map_err(cmin_error)?;
        (parse, parse_js, JsValue::from_str(&read.text), read.corrections, read.cut_from)
    } else {
        let parse = serde_wasm_bindgen::from_value(plain_of(query, "query")?).map_err(|e| {
            cmin_error(CminError::ParseShape(format!(
                "query must be text or {{ tokens: string[], heads: number[], deprels: string[] }}: {e}"
            )))
        })?;
        (parse, JsValue::NULL, JsValue::NULL, vec![], None)
    };
    let prepared = parse.prepare_at_most(&inner.embeddings, max_words).map_err(cmin_error)?;
    Ok(ReadQuery { prepared, parse_js, read_as, corrections, cut_from })
}

/// Reads the forward pass back (one readback of scores, offsets and attention together).
async fn read_back(inner: &Inner, pending: Pending) -> Result<Vec<cmin_model::Localization>, JsValue> {
    let data = pending
        .packed
        .clone()
        .into_data_async()
        .await
        .map_err(|e| coded("device-lost", format!("reading results from the device failed: {e:?}")))?;
    pending.finish(&inner.localizer, data).map_err(cmin_error)
}

/// The fields a localize and a search result share: the words read and how.
fn describe_reading(out: &Object, read: &ReadQuery, num_words: usize, truncated: Option<usize>) -> Result<(), JsValue> {
    let words: Array = read.prepared.words.iter().take(num_words).map(|w| JsValue::from_str(w)).collect();
    set(out, "words", words.into())?;
    let unknown: Array = read.prepared.unknown_words.iter().map(|w| JsValue::from_str(w)).collect();
    set(out, "unknownWords", unknown.into())?;
    let truncated_from = read.cut_from.or(read.prepared.truncated_from).or(truncated);
    set(out, "truncatedFrom", truncated_from.map(|n| JsValue::from(n as u32)).unwrap_or(JsValue::NULL))?;
    set(out, "parse", read.parse_js.clone())?;
    set(out, "corrections", serde_wasm_bindgen::to_value(&read.corrections).map_err(internal)?)?;
    set(out, "readAs", read.read_as.clone())
}

fn timings(parse: f64, inference: f64) -> Result<JsValue, JsValue> {
    let timings = Object::new();
    set(&timings, "parse", JsValue::from(parse))?;
    set(&timings, "inference", JsValue::from(inference))?;
    Ok(timings.into())
}

pub(super) async fn localize(
    inner: &Inner,
    video: &EncodedVideo,
    query: JsValue,
    options: JsValue,
) -> Result<JsValue, JsValue> {
    let opts = localize_options(&options)?;
    if aborted(&options)? {
        return Err(super::errors::aborted());
    }
    let started = now_ms();
    let read = read_query(inner, &query, opts.correct_typos)?;
    let parsed = now_ms();
    let pending =
        inner.localizer.start(video, std::slice::from_ref(&read.prepared.query), opts.rank).map_err(cmin_error)?;
    let result = read_back(inner, pending).await?.remove(0);
    if aborted(&options)? {
        return Err(super::errors::aborted());
    }
    let out = Object::new();
    let moments: Vec<MomentJs> =
        result.moments.iter().map(|m| MomentJs { start: m.start, end: m.end, score: m.score }).collect();
    set(&out, "moments", serde_wasm_bindgen::to_value(&moments).map_err(internal)?)?;
    set(&out, "attention", Float32Array::from(result.attention.as_slice()).into())?;
    set(&out, "relevance", Float32Array::from(result.relevance.as_slice()).into())?;
    set(&out, "numClips", JsValue::from(video.windows.grid_clips() as u32))?;
    describe_reading(&out, &read, result.num_words, result.truncated_from)?;
    set(&out, "timings", timings(parsed - started, now_ms() - parsed)?)?;
    if opts.include_raw {
        set(&out, "scores", Float32Array::from(result.scores.as_slice()).into())?;
        set(&out, "offsets", Float32Array::from(result.offsets.as_slice()).into())?;
        let (s, e) = result.top1_grid;
        set(&out, "top1Clips", Array::of2(&JsValue::from(s as u32), &JsValue::from(e as u32)).into())?;
    }
    Ok(out.into())
}

pub(super) async fn search(
    inner: &Inner,
    videos: &[(u32, EncodedVideo)],
    query: JsValue,
    options: JsValue,
) -> Result<JsValue, JsValue> {
    let opts = localize_options(&options)?;
    if opts.include_raw {
        return Err(super::option_error("includeRaw is for localize: a search returns the ranked moments"));
    }
    if aborted(&options)? {
        return Err(super::errors::aborted());
    }
    let started = now_ms();
    let read = read_query(inner, &query, opts.correct_typos)?;
    let parsed = now_ms();
    let library: Vec<&EncodedVideo> = videos.iter().map(|(_, v)| v).collect();
    let pending = inner.localizer.start_search(&library, &read.prepared.query, opts.rank).map_err(cmin_error)?;
    let per_video = read_back(inner, pending).await?;
    if aborted(&options)? {
        return Err(super::errors::aborted());
    }
    let found: Vec<FoundJs> = merge_search(&per_video, opts.rank.top_k)
        .into_iter()
        .map(|f| FoundJs {
            video: f.video,
            video_id: videos[f.video].0,
            start: f.moment.start,
            end: f.moment.end,
            score: f.moment.score,
        })
        .collect();
    let out = Object::new();
    set(&out, "moments", serde_wasm_bindgen::to_value(&found).map_err(internal)?)?;
    let first = &per_video[0];
    describe_reading(&out, &read, first.num_words, first.truncated_from)?;
    set(&out, "timings", timings(parsed - started, now_ms() - parsed)?)?;
    Ok(out.into())
}
