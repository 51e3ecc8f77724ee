//! `Cmin.localize` and `Cmin.search`: a query (text or a parse) read once, run against one
//! video's windows or a library's, and the answer as a JS object.

use js_sys::Float32Array;
use wasm_bindgen::prelude::*;

use cmin_model::error::CminError;
use cmin_model::inference::{EncodedVideo, Pending, merge_search};
use cmin_query::DependencyParse;
use cmin_query::PreparedQuery;
use cmin_query::parsing::read_text;
use cmin_query::spelling::Speller;

use super::model::{Inner, NO_PARSER};
use super::parser::analysis_js;
use super::results::{
    Analysis, Correction, FoundMoment, LocalizeResult, Moment, QueryReading, SearchResult, Timings, to_js,
};
use super::types::{CminErrorCode, LocalizeOptions};
use super::{cmin_error, coded, now_ms, plain_of, text_of};

/// A query as the model reads it, with what the result reports of its reading.
struct ReadQuery {
    prepared: PreparedQuery,
    parse: Option<Analysis>,
    read_as: Option<String>,
    corrections: Vec<Correction>,
    cut_from: Option<usize>,
}

/// Text is parsed here, and its parse returned with the result, so that a caller that shows
/// the parse does not send the query across the boundary twice.
fn read_query(inner: &Inner, query: &JsValue, correct_typos: bool) -> Result<ReadQuery, JsValue> {
    let max_words = inner.localizer.config().max_words;
    let (parse, analysis, read_as, corrections, cut_from): (DependencyParse, _, _, _, _) = if query.is_string() {
        let text = text_of(query)?;
        let parser = inner.parser.as_ref().ok_or_else(|| coded(CminErrorCode::NoParser, NO_PARSER))?;
        let read = read_text(parser, &inner.embeddings, &text, max_words, || {
            correct_typos.then(|| inner.speller.get_or_init(|| Speller::new(&inner.embeddings)))
        })
        .map_err(cmin_error)?;
        let analysis = analysis_js(&read.analysis, &read.text);
        let parse = cmin_query::parsing::query_sentence(&read.analysis).map_err(cmin_error)?;
        let corrections = read.corrections.into_iter().map(|c| Correction { from: c.from, to: c.to }).collect();
        (parse, Some(analysis), Some(read.text), corrections, read.cut_from)
    } else {
        let parse: super::results::DependencyParse = serde_wasm_bindgen::from_value(plain_of(query, "query")?)
            .map_err(|e| {
                cmin_error(CminError::ParseShape(format!(
                    "query must be text or {{ tokens: string[], heads: number[], deprels: string[] }}: {e}"
                )))
            })?;
        (parse.into(), None, None, vec![], None)
    };
    let prepared = parse.prepare_at_most(&inner.embeddings, max_words).map_err(cmin_error)?;
    Ok(ReadQuery { prepared, parse: analysis, read_as, corrections, cut_from })
}

/// Reads the forward pass back (one readback of scores, offsets and attention together).
async fn read_back(inner: &Inner, pending: Pending) -> Result<Vec<cmin_model::Localization>, JsValue> {
    let data = pending
        .packed
        .clone()
        .into_data_async()
        .await
        .map_err(|e| coded(CminErrorCode::DeviceLost, format!("reading results from the device failed: {e:?}")))?;
    pending.finish(&inner.localizer, data).map_err(cmin_error)
}

/// What a localize and a search result report of the query's reading.
fn reading(read: ReadQuery, num_words: usize, truncated: Option<usize>, timings: Timings) -> QueryReading {
    QueryReading {
        words: read.prepared.words.iter().take(num_words).cloned().collect(),
        unknown_words: read.prepared.unknown_words,
        truncated_from: read.cut_from.or(read.prepared.truncated_from).or(truncated),
        parse: read.parse,
        corrections: read.corrections,
        read_as: read.read_as,
        timings,
    }
}

pub(super) async fn localize(
    inner: &Inner,
    video: &EncodedVideo,
    query: JsValue,
    options: JsValue,
) -> Result<JsValue, JsValue> {
    let opts = LocalizeOptions::read(&options)?;
    if opts.aborted()? {
        return Err(super::errors::aborted());
    }
    let started = now_ms();
    let read = read_query(inner, &query, opts.correct_typos())?;
    let parsed = now_ms();
    let pending =
        inner.localizer.start(video, std::slice::from_ref(&read.prepared.query), opts.rank()?).map_err(cmin_error)?;
    let result = read_back(inner, pending).await?.remove(0);
    if opts.aborted()? {
        return Err(super::errors::aborted());
    }
    let timings = Timings { parse: parsed - started, inference: now_ms() - parsed };
    let raw = |values: &[f32]| opts.include_raw().then(|| Float32Array::from(values));
    to_js(&LocalizeResult {
        moments: result.moments.iter().map(|m| Moment { start: m.start, end: m.end, score: m.score }).collect(),
        attention: Float32Array::from(result.attention.as_slice()),
        relevance: Float32Array::from(result.relevance.as_slice()),
        num_clips: video.windows.grid_clips(),
        reading: reading(read, result.num_words, result.truncated_from, timings),
        scores: raw(&result.scores),
        offsets: raw(&result.offsets),
        top1_clips: opts.include_raw().then_some([result.top1_grid.0, result.top1_grid.1]),
    })
}

pub(super) async fn search(
    inner: &Inner,
    videos: &[(u32, EncodedVideo)],
    query: JsValue,
    options: JsValue,
) -> Result<JsValue, JsValue> {
    let opts = LocalizeOptions::read(&options)?;
    if opts.include_raw() {
        return Err(super::option_error("includeRaw is for localize: a search returns the ranked moments"));
    }
    if opts.aborted()? {
        return Err(super::errors::aborted());
    }
    let started = now_ms();
    let read = read_query(inner, &query, opts.correct_typos())?;
    let parsed = now_ms();
    let library: Vec<&EncodedVideo> = videos.iter().map(|(_, v)| v).collect();
    let pending = inner.localizer.start_search(&library, &read.prepared.query, opts.rank()?).map_err(cmin_error)?;
    let per_video = read_back(inner, pending).await?;
    if opts.aborted()? {
        return Err(super::errors::aborted());
    }
    let moments = merge_search(&per_video, opts.rank()?.top_k)
        .into_iter()
        .map(|f| FoundMoment {
            video: f.video,
            video_id: videos[f.video].0,
            start: f.moment.start,
            end: f.moment.end,
            score: f.moment.score,
        })
        .collect();
    let timings = Timings { parse: parsed - started, inference: now_ms() - parsed };
    let first = &per_video[0];
    to_js(&SearchResult { moments, reading: reading(read, first.num_words, first.truncated_from, timings) })
}
