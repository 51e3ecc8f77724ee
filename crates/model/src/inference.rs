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
use crate::model::{Cmin, CminWeights, StageVideo};
use crate::query::{Query, batch_queries};
use crate::ranking::{RankOptions, nms, reference_top1, refine};
use crate::video::{Timeline, resample, validate_features};

/// A video after the query-independent video encoder.
#[derive(Clone, Debug)]
pub struct EncodedVideo {
    /// The video encoder's output and the first stage's query-independent projections,
    /// each `[1, n, d]`.
    pub encoded: StageVideo,
    pub timeline: Timeline,
}

/// One ranked moment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Moment {
    /// Seconds.
    pub start: f64,
    pub end: f64,
    pub score: f32,
    /// Refined bounds on the clip grid (fractional).
    pub grid_start: f32,
    pub grid_end: f32,
    /// Proposal index `t * K + k`.
    pub proposal: usize,
}

/// Everything a query gets back.
#[derive(Clone, Debug, PartialEq)]
pub struct Localization {
    /// Top-k after temporal NMS, best first.
    pub moments: Vec<Moment>,
    /// The reference's top-1 rule (argmax, refine, round, clamp) in grid indices.
    pub top1_grid: (usize, usize),
    /// Score of every proposal `[n*K]` (illegal ones included, as the model emits them).
    pub scores: Vec<f32>,
    /// Offsets of every proposal `[n*K*2]`.
    pub offsets: Vec<f32>,
    /// Video-to-query attention `[n, words]` (paper Fig. 8), of the last interaction stage.
    pub attention: Vec<f32>,
    /// Words the model read (after truncation).
    pub num_words: usize,
    /// `Some(original length)` when the query was cut to `max_words`.
    pub truncated_from: Option<usize>,
}

/// A model bound to its device, with the anchors precomputed.
#[derive(Debug)]
pub struct Localizer {
    model: Cmin,
    /// `model.pack()`, once: the model does not change while it serves queries.
    weights: CminWeights,
    anchors: Anchors,
    device: Device,
}

/// Forward pass queued on the device; decode its host copy with [`Pending::finish`].
#[derive(Debug)]
pub struct Pending {
    /// `[batch, n*3K + n*width]`: the head's output (per clip K score logits, then 2K
    /// offsets) | attention.
    pub packed: Tensor<2>,
    timeline: Timeline,
    /// Words per attention row: the batch's longest query.
    width: usize,
    lengths: Vec<usize>,
    truncated: Vec<Option<usize>>,
    options: RankOptions,
}

impl Localizer {
    pub fn new(model: Cmin, device: Device) -> Self {
        let c = model.config();
        let anchors = Anchors::new(c.num_clips, &c.anchor_widths);
        let weights = model.pack();
        Localizer { model, weights, anchors, device }
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

    /// Validates raw clip features (`[raw_clips, feature_dim]`, any `raw_clips >= 1`),
    /// resamples them to the model's grid and runs the video encoder.
    pub fn encode_video(
        &self,
        features: &[f32],
        raw_clips: usize,
        feature_dim: usize,
        duration: f64,
    ) -> Result<EncodedVideo> {
        let c = self.config();
        validate_features(features, raw_clips, feature_dim, c.frame_dim)?;
        let timeline = Timeline::new(raw_clips, c.num_clips, duration)?;
        let clips = resample(features, raw_clips, feature_dim, c.num_clips);
        let frames = Tensor::from_data(TensorData::new(clips, [1, c.num_clips, c.frame_dim]), &self.device);
        Ok(EncodedVideo { encoded: self.model.encode_video(&self.weights, frames), timeline })
    }

    /// Queues the forward pass of `queries` against `video`.
    pub fn start(&self, video: &EncodedVideo, queries: &[Query], options: RankOptions) -> Result<Pending> {
        options.validate()?;
        let c = self.config();
        let (batch, truncated) = batch_queries(queries, c, &self.device)?;
        let b = queries.len();
        let (n, m) = (c.num_clips, batch.words.dims()[1]);
        let out = self.model.forward_encoded(&self.weights, &video.encoded.expand(b), &batch);
        let k = self.anchors.num_anchors();
        let attention = out.last_stage().attention.clone().reshape([b, n * m]);
        let packed = Tensor::cat(vec![out.proposals.reshape([b, n * 3 * k]), attention], 1);
        Ok(Pending { packed, timeline: video.timeline.clone(), width: m, lengths: batch.lengths, truncated, options })
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
}

impl Pending {
    /// Decodes the host copy of [`Pending::packed`] into ranked moments.
    pub fn finish(self, localizer: &Localizer, data: TensorData) -> Result<Vec<Localization>> {
        let values: Vec<f32> =
            data.try_into_vec_as::<f32>().map_err(|e| CminError::malformed("model output", format!("{e:?}")))?;
        let c = localizer.config();
        let anchors = &localizer.anchors;
        let (n, m, len) = (c.num_clips, self.width, anchors.len());
        let row = 3 * len + n * m;
        if values.len() != row * self.lengths.len() {
            return Err(CminError::malformed(
                "model output",
                format!("{} values for {} rows of {row}", values.len(), self.lengths.len()),
            ));
        }
        // A NaN score would rank as an ordinary moment: refuse the whole answer instead.
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            let what = if i % row < 3 * len { "scores and boundary offsets" } else { "attention" };
            return Err(CminError::NumericOverflow { what, value: values[i] });
        }
        let mut results = Vec::with_capacity(self.lengths.len());
        for (b, chunk) in values.chunks(row).enumerate() {
            let (proposals, attention_padded) = chunk.split_at(3 * len);
            let (scores, offsets) = split_proposals(proposals, anchors.num_anchors());
            let (scores, offsets) = (&scores[..], &offsets[..]);
            let words = self.lengths[b];
            let attention = attention_padded.chunks(m).flat_map(|r| r[..words].to_vec()).collect();
            let refined = refine(anchors, scores, offsets);
            let items: Vec<((f64, f64), f32)> = refined
                .iter()
                .map(|p| (self.timeline.grid_to_seconds(p.start as f64, p.end as f64), p.score))
                .collect();
            let moments = nms(&items, &self.options)
                .into_iter()
                .map(|i| {
                    let (p, ((start, end), score)) = (refined[i], items[i]);
                    Moment { start, end, score, grid_start: p.start, grid_end: p.end, proposal: p.index }
                })
                .collect();
            results.push(Localization {
                moments,
                top1_grid: reference_top1(anchors, scores, offsets),
                scores: scores.to_vec(),
                offsets: offsets.to_vec(),
                attention,
                num_words: words,
                truncated_from: self.truncated[b],
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
