//! The inference API: encode a video once, localize many queries against it.
//!
//! Device work and host work are split so that a caller that must read tensors
//! asynchronously (WebGPU in the browser) can: [`Localizer::start`] queues the forward pass
//! and packs every output into one tensor; [`Pending::finish`] decodes the host copy. Native
//! callers use [`Localizer::localize`], which does both with one synchronous readback.

use burn::tensor::{Device, Tensor, TensorData};

use crate::anchors::Anchors;
use crate::config::CminConfig;
use crate::error::{CminError, Result};
use crate::model::{Cmin, StageVideo};
use crate::query::{Query, batch_queries_as_wide};
use crate::ranking::{RankOptions, RefinedProposal, nms, reference_top1, refine};
use crate::video::validate_features;
use crate::windows::{TimeScale, Windows};

/// A video after the query-independent video encoder: every window of it.
#[derive(Clone, Debug)]
pub struct EncodedVideo {
    /// The video encoder's output and the first stage's query-independent projections,
    /// each `[windows, n, d]`.
    pub encoded: StageVideo,
    pub windows: Windows,
}

impl EncodedVideo {
    /// Seconds.
    pub fn duration(&self) -> f64 {
        self.windows.timeline.duration
    }
}

/// One ranked moment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Moment {
    /// Seconds.
    pub start: f64,
    pub end: f64,
    pub score: f32,
    /// Refined bounds on the video's grid (fractional; the model's grid for one window).
    pub grid_start: f32,
    pub grid_end: f32,
    /// The window that found it.
    pub window: usize,
    /// Proposal index `t * K + k` in that window.
    pub proposal: usize,
}

/// Everything a query gets back.
#[derive(Clone, Debug, PartialEq)]
pub struct Localization {
    /// Top-k after temporal NMS, best first.
    pub moments: Vec<Moment>,
    /// The reference's top-1 rule (argmax, refine, round, clamp) in grid indices; over several
    /// windows, the best moment's bounds rounded.
    pub top1_grid: (usize, usize),
    /// Score of every proposal `[windows, n*K]` (illegal ones included, as the model emits them).
    pub scores: Vec<f32>,
    /// Offsets of every proposal `[windows, n*K*2]`.
    pub offsets: Vec<f32>,
    /// Video-to-query attention `[grid clips, words]` (paper Fig. 8), of the last interaction
    /// stage; each clip's row from the window that answers for it.
    pub attention: Vec<f32>,
    /// Per clip of the video's grid, the best score of a candidate moment that covers it: how
    /// well the query matches each stretch of the video.
    pub relevance: Vec<f32>,
    /// Words the model read (after truncation).
    pub num_words: usize,
    /// `Some(original length)` when the query was cut to `max_words`.
    pub truncated_from: Option<usize>,
}

/// A moment of a library search: which video, and where in it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Found {
    /// Index of the video in the searched list.
    pub video: usize,
    pub moment: Moment,
}

/// A model bound to its device, with the anchors precomputed.
#[derive(Debug)]
pub struct Localizer {
    /// Prepared for inference: its weights laid out once, as it no longer changes.
    model: Cmin,
    anchors: Anchors,
    device: Device,
}

/// One query against one video's windows: consecutive rows of a forward pass.
#[derive(Clone, Debug)]
struct Group {
    windows: Windows,
    query: usize,
}

/// Forward pass queued on the device; decode its host copy with [`Pending::finish`].
#[derive(Debug)]
pub struct Pending {
    /// `[rows, n*3K + n*width]`: per window and query, the head's output (per clip K score
    /// logits, then 2K offsets) | attention.
    pub packed: Tensor<2>,
    groups: Vec<Group>,
    /// Words per attention row: the batch's longest query.
    width: usize,
    lengths: Vec<usize>,
    truncated: Vec<Option<usize>>,
    options: RankOptions,
}

/// Bytes of intermediates a forward pass may hold at once; more windows are run in parts.
const FORWARD_BUDGET_BYTES: u64 = 256 << 20;

impl Localizer {
    pub fn new(mut model: Cmin, device: Device) -> Self {
        let c = model.config();
        let anchors = Anchors::new(c.num_clips, &c.anchor_widths);
        model.prepare_for_inference();
        Localizer { model, anchors, device }
    }

    pub fn config(&self) -> &CminConfig {
        self.model.config()
    }

    pub fn model(&self) -> &Cmin {
        &self.model
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    pub fn anchors(&self) -> &Anchors {
        &self.anchors
    }

    /// Validates raw clip features (`[raw_clips, feature_dim]`, any `raw_clips >= 1`), lays
    /// them onto windows at the model's clip length and runs the video encoder.
    pub fn encode_video(
        &self,
        features: &[f32],
        raw_clips: usize,
        feature_dim: usize,
        duration: f64,
    ) -> Result<EncodedVideo> {
        self.encode_video_at(features, raw_clips, feature_dim, duration, TimeScale::Model)
    }

    /// [`Self::encode_video`] at a given time scale.
    pub fn encode_video_at(
        &self,
        features: &[f32],
        raw_clips: usize,
        feature_dim: usize,
        duration: f64,
        scale: TimeScale,
    ) -> Result<EncodedVideo> {
        let c = self.config();
        validate_features(features, raw_clips, feature_dim, c.frame_dim)?;
        let clip_seconds = scale.clip_seconds(c.clip_seconds)?;
        // The encoding's size is refused before anything is allocated for its windows.
        let count = Windows::count(raw_clips, duration, c.num_clips, clip_seconds)?;
        crate::limits::encoded(encoded_bytes(c).saturating_mul(count as u64))?;
        let windows = Windows::plan(raw_clips, duration, c.num_clips, clip_seconds)?;
        let frames = windows.frames(features, feature_dim);
        let per_part = rows_within(c.cost().encoding_bytes);
        let n = c.num_clips;
        let parts = frames
            .chunks(per_part * n * c.frame_dim)
            .map(|part| {
                let rows = part.len() / (n * c.frame_dim);
                let frames = Tensor::from_data(TensorData::new(part.to_vec(), [rows, n, c.frame_dim]), &self.device);
                self.model.encode_video(frames)
            })
            .collect();
        Ok(EncodedVideo { encoded: StageVideo::cat(parts), windows })
    }

    /// Queues the forward pass of `queries` against every window of `video`.
    pub fn start(&self, video: &EncodedVideo, queries: &[Query], options: RankOptions) -> Result<Pending> {
        let groups = (0..queries.len()).map(|q| (q, 0)).collect::<Vec<_>>();
        self.start_groups(&[video], queries, &groups, options)
    }

    /// Queues the forward pass of `query` against every window of every video in `videos`.
    pub fn start_search(&self, videos: &[&EncodedVideo], query: &Query, options: RankOptions) -> Result<Pending> {
        if videos.is_empty() {
            return Err(CminError::Option("a search needs at least one video".into()));
        }
        let groups = (0..videos.len()).map(|v| (0, v)).collect::<Vec<_>>();
        self.start_groups(videos, std::slice::from_ref(query), &groups, options)
    }

    /// Queues one row per window for each `(query, video)` pair, in parts that fit the
    /// forward budget, packed into one tensor for one readback.
    fn start_groups(
        &self,
        videos: &[&EncodedVideo],
        queries: &[Query],
        groups: &[(usize, usize)],
        options: RankOptions,
    ) -> Result<Pending> {
        options.validate()?;
        let c = self.config();
        if queries.is_empty() {
            return Err(CminError::EmptyQuery);
        }
        let m = queries.iter().map(|q| q.num_words.min(c.max_words)).max().unwrap_or(1).max(1);
        // Rows: (query, row of the videos' windows stacked in order).
        let firsts: Vec<usize> = videos
            .iter()
            .scan(0, |next, v| {
                let first = *next;
                *next += v.windows.len();
                Some(first)
            })
            .collect();
        let rows: Vec<(usize, usize)> = groups
            .iter()
            .flat_map(|&(q, v)| {
                let first = firsts[v];
                (0..videos[v].windows.len()).map(move |w| (q, first + w))
            })
            .collect();
        let stacked = StageVideo::cat(videos.iter().map(|v| v.encoded.clone()).collect());
        let (n, k) = (c.num_clips, self.anchors.num_anchors());
        let mut truncated = vec![None; queries.len()];
        let mut lengths = vec![0; queries.len()];
        let mut packed = Vec::new();
        for part in rows.chunks(rows_within(c.cost().query_bytes)) {
            let b = part.len();
            let rows: Vec<usize> = part.iter().map(|&(_, w)| w).collect();
            let video = if stacked.batch() == 1 {
                stacked.expand(b)
            } else if rows.iter().copied().eq(0..stacked.batch()) {
                // Every window once, in order (one query on a long video, or a search): as is.
                stacked.clone()
            } else {
                stacked.select(&rows)
            };
            // One query against many rows (a long video's windows, a library) is encoded once.
            let out = if queries.len() == 1 && b > 1 {
                let (batch, cut) = batch_queries_as_wide(&[&queries[0]], m, c, &self.device)?;
                (truncated[0], lengths[0]) = (cut[0], batch.lengths[0]);
                self.model.forward_encoded_one_query(&video, &batch)
            } else {
                let part_queries: Vec<&Query> = part.iter().map(|&(q, _)| &queries[q]).collect();
                let (batch, cut) = batch_queries_as_wide(&part_queries, m, c, &self.device)?;
                for (i, &(q, _)) in part.iter().enumerate() {
                    (truncated[q], lengths[q]) = (cut[i], batch.lengths[i]);
                }
                self.model.forward_encoded(&video, &batch)
            };
            let attention = out.last_stage().attention.clone().reshape([b, n * m]);
            packed.push(Tensor::cat(vec![out.proposals.reshape([b, n * 3 * k]), attention], 1));
        }
        let groups = groups.iter().map(|&(q, v)| Group { windows: videos[v].windows.clone(), query: q }).collect();
        let packed = if packed.len() == 1 { packed.remove(0) } else { Tensor::cat(packed, 0) };
        Ok(Pending { packed, groups, width: m, lengths, truncated, options })
    }

    /// Localizes one query (native; one synchronous readback).
    pub fn localize(&self, video: &EncodedVideo, query: &Query, options: RankOptions) -> Result<Localization> {
        let mut all = self.localize_batch(video, std::slice::from_ref(query), options)?;
        Ok(all.remove(0))
    }

    /// Localizes several queries against one video in one batch.
    pub fn localize_batch(
        &self,
        video: &EncodedVideo,
        queries: &[Query],
        options: RankOptions,
    ) -> Result<Vec<Localization>> {
        let pending = self.start(video, queries, options)?;
        let data = pending.packed.clone().into_data();
        pending.finish(self, data)
    }

    /// The best `options.top_k` moments across `videos` for `query` (native; one synchronous
    /// readback).
    pub fn search(&self, videos: &[&EncodedVideo], query: &Query, options: RankOptions) -> Result<Vec<Found>> {
        let pending = self.start_search(videos, query, options)?;
        let data = pending.packed.clone().into_data();
        let per_video = pending.finish(self, data)?;
        Ok(merge_search(&per_video, options.top_k))
    }
}

/// Every video's moments in one ranking by score (ties: earlier video, then rank in it).
pub fn merge_search(per_video: &[Localization], top_k: usize) -> Vec<Found> {
    let mut found: Vec<Found> = per_video
        .iter()
        .enumerate()
        .flat_map(|(video, l)| l.moments.iter().map(move |&moment| Found { video, moment }))
        .collect();
    found.sort_by(|a, b| b.moment.score.total_cmp(&a.moment.score));
    found.truncate(top_k);
    found
}

/// Rows of a forward pass that fit [`FORWARD_BUDGET_BYTES`] at `bytes` a row (at least one).
fn rows_within(bytes: u64) -> usize {
    (FORWARD_BUDGET_BYTES / bytes.max(1)).clamp(1, 1 << 16) as usize
}

/// Bytes one window's encoding keeps: the encoder's output and the first stage's two
/// projections, `[n, d]` each.
pub fn encoded_bytes(c: &CminConfig) -> u64 {
    3 * 4 * c.num_clips as u64 * c.d_model as u64
}

impl Pending {
    /// Decodes the host copy of [`Pending::packed`]: one [`Localization`] per query (per video
    /// for a search), its windows' candidates merged.
    pub fn finish(self, localizer: &Localizer, data: TensorData) -> Result<Vec<Localization>> {
        let values: Vec<f32> =
            data.try_into_vec_as::<f32>().map_err(|e| CminError::malformed("model output", format!("{e:?}")))?;
        let c = localizer.config();
        let anchors = &localizer.anchors;
        let (n, m, len) = (c.num_clips, self.width, anchors.len());
        let row = 3 * len + n * m;
        let rows: usize = self.groups.iter().map(|g| g.windows.len()).sum();
        if values.len() != row * rows {
            return Err(CminError::malformed(
                "model output",
                format!("{} values for {rows} rows of {row}", values.len()),
            ));
        }
        // A NaN score would rank as an ordinary moment: refuse the whole answer instead.
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            let what = if i % row < 3 * len { "scores and boundary offsets" } else { "attention" };
            return Err(CminError::NumericOverflow { what, value: values[i] });
        }
        let mut chunks = values.chunks(row);
        let mut results = Vec::with_capacity(self.groups.len());
        for group in &self.groups {
            let windows = &group.windows;
            let words = self.lengths[group.query];
            let mut scores = Vec::with_capacity(windows.len() * len);
            let mut offsets = Vec::with_capacity(windows.len() * 2 * len);
            let mut attention_rows: Vec<Vec<f32>> = Vec::with_capacity(windows.len());
            let mut candidates: Vec<(usize, RefinedProposal, (f64, f64))> = Vec::new();
            let mut top1_grid = (0, 0);
            for w in 0..windows.len() {
                let chunk = chunks.next().expect("rows counted above");
                let (proposals, attention_padded) = chunk.split_at(3 * len);
                let (window_scores, window_offsets) = split_proposals(proposals, anchors.num_anchors());
                attention_rows.push(attention_padded.chunks(m).flat_map(|r| r[..words].to_vec()).collect());
                if windows.len() == 1 {
                    top1_grid = reference_top1(anchors, &window_scores, &window_offsets);
                }
                for p in refine(anchors, &window_scores, &window_offsets) {
                    if windows.owns(w, p.start as f64, p.end as f64) {
                        candidates.push((w, p, windows.to_seconds(w, p.start as f64, p.end as f64)));
                    }
                }
                scores.extend(window_scores);
                offsets.extend(window_offsets);
            }
            let items: Vec<((f64, f64), f32)> = candidates.iter().map(|&(_, p, span)| (span, p.score)).collect();
            let moments: Vec<Moment> = nms(&items, &self.options)
                .into_iter()
                .map(|i| {
                    let (w, p, (start, end)) = candidates[i];
                    let offset = windows.starts[w] as f32;
                    Moment {
                        start,
                        end,
                        score: p.score,
                        grid_start: offset + p.start,
                        grid_end: offset + p.end,
                        window: w,
                        proposal: p.index,
                    }
                })
                .collect();
            if let Some(best) = moments.first().filter(|_| windows.len() > 1) {
                let last = (windows.grid_clips() - 1) as f32;
                top1_grid = (
                    best.grid_start.round().clamp(0.0, last) as usize,
                    best.grid_end.round().clamp(0.0, last) as usize,
                );
            }
            let mut relevance = vec![0f32; windows.grid_clips()];
            for &(w, p, _) in &candidates {
                let offset = windows.starts[w] as f32;
                let last = windows.grid_clips() - 1;
                let (from, to) = ((offset + p.start).floor() as usize, ((offset + p.end).ceil() as usize).min(last));
                relevance[from..=to].iter_mut().for_each(|r| *r = r.max(p.score));
            }
            let attention = (0..windows.grid_clips())
                .flat_map(|g| {
                    let w = windows.owner(g);
                    let local = g - windows.starts[w];
                    attention_rows[w][local * words..(local + 1) * words].to_vec()
                })
                .collect();
            results.push(Localization {
                moments,
                top1_grid,
                scores,
                offsets,
                attention,
                relevance,
                num_words: words,
                truncated_from: self.truncated[group.query],
            });
        }
        Ok(results)
    }
}

/// The head's output of one query (per clip K score logits, then 2K offsets) as the scores
/// `[n*K]` (the sigmoid applied here, on the host, where it costs no dispatch) and the offsets
/// `[n*2K]`.
fn split_proposals(proposals: &[f32], k: usize) -> (Vec<f32>, Vec<f32>) {
    let mut scores = Vec::with_capacity(proposals.len() / 3);
    let mut offsets = Vec::with_capacity(2 * proposals.len() / 3);
    for clip in proposals.chunks_exact(3 * k) {
        scores.extend(clip[..k].iter().map(|&logit| 1.0 / (1.0 + (-logit).exp())));
        offsets.extend_from_slice(&clip[k..]);
    }
    (scores, offsets)
}
