//! Evaluation over an annotated dataset (spec §8): every query against its video's clip
//! features, top-k after temporal NMS, scored by R@{1,5} x IoU {0.1, 0.3, 0.5, 0.7} and mIoU.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::data::{Sample, features};
use crate::error::Result;
use crate::metrics::Recall;
use cmin_model::Query;
use cmin_model::error::CminError;
use cmin_model::inference::Localizer;
use cmin_model::ranking::{RankOptions, temporal_iou};
use cmin_model::windows::TimeScale;
use cmin_query::embeddings::Embeddings;
use cmin_query::parsing::{ParserModel, query_sentence, read_text};
use cmin_query::spelling::{Correction, Speller};

/// One query's outcome, for the optional per-query output.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Prediction {
    pub video: String,
    pub sentence: String,
    pub truth: (f64, f64),
    /// `(start, end, score)`, best first.
    pub moments: Vec<(f64, f64, f32)>,
    /// IoU of the top-1 moment with the truth.
    pub iou: f64,
    /// Words read as others (typos), for text queries.
    pub corrections: Vec<Correction>,
}

/// What the model reads for a sample: the stored parse when the data has one (the reference
/// format), otherwise our parser's, of the text with its typos corrected when a speller is
/// given; with the corrections made.
pub fn query_for(
    sample: &Sample,
    embeddings: &Embeddings,
    parser: Option<&ParserModel>,
    speller: Option<&Speller>,
) -> Result<(Query, Vec<Correction>)> {
    match &sample.parse {
        Some(graph) => Ok((graph.clone().prepare(embeddings)?.query, vec![])),
        None => {
            let parser = parser.ok_or_else(|| {
                CminError::Option(format!("{:?} has no stored parse and no parser was given", sample.sentence))
            })?;
            // Every token is parsed (no window): the model's batch cuts at its max_words, and
            // the figures stay those of the whole sentence's parse.
            let read = read_text(parser, embeddings, &sample.sentence, usize::MAX, || speller)?;
            Ok((query_sentence(&read.analysis)?.prepare(embeddings)?.query, read.corrections))
        }
    }
}

pub struct Evaluation<'a> {
    pub localizer: &'a Localizer,
    pub embeddings: &'a Embeddings,
    pub parser: Option<&'a ParserModel>,
    /// Corrects typos in text queries.
    pub speller: Option<&'a Speller>,
    pub features_dir: &'a Path,
    pub options: RankOptions,
    /// Queries per forward pass of [`Evaluation::run`] (a library search runs one query
    /// against every video at once).
    pub batch: usize,
    /// How a video's length is read (windows at the model's clip length, by default).
    pub scale: TimeScale,
}

impl Evaluation<'_> {
    /// Scores `samples`; `progress(done, total)` is called after each batch.
    pub fn run(&self, samples: &[Sample], mut progress: impl FnMut(usize, usize)) -> Result<(Recall, Vec<Prediction>)> {
        let mut by_video: BTreeMap<&str, Vec<&Sample>> = BTreeMap::new();
        for s in samples {
            by_video.entry(s.video.as_str()).or_default().push(s);
        }
        let dim = self.localizer.config().frame_dim;
        let mut recall = Recall::default();
        let mut predictions = Vec::with_capacity(samples.len());
        for (video, group) in by_video {
            let duration = group[0].duration.ok_or_else(|| {
                CminError::Option(format!("video {video:?} has no duration (Charades-STA needs a durations file)"))
            })?;
            let f = features::load(self.features_dir, video, Some(dim))?;
            let encoded = self.localizer.encode_video_at(&f.values, f.clips, f.dim, duration, self.scale)?;
            for chunk in group.chunks(self.batch.max(1)) {
                let (queries, corrections): (Vec<Query>, Vec<Vec<Correction>>) = chunk
                    .iter()
                    .map(|s| query_for(s, self.embeddings, self.parser, self.speller))
                    .collect::<Result<Vec<_>>>()?
                    .into_iter()
                    .unzip();
                let results = self.localizer.localize_batch(&encoded, &queries, self.options)?;
                for ((s, r), corrections) in chunk.iter().zip(results).zip(corrections) {
                    let ranked: Vec<(f64, f64)> = r.moments.iter().map(|m| (m.start, m.end)).collect();
                    recall.add(&ranked, (s.start, s.end));
                    predictions.push(Prediction {
                        video: s.video.clone(),
                        sentence: s.sentence.clone(),
                        truth: (s.start, s.end),
                        iou: ranked.first().map_or(0.0, |&m| temporal_iou(m, (s.start, s.end))),
                        moments: r.moments.iter().map(|m| (m.start, m.end, m.score)).collect(),
                        corrections,
                    });
                }
                progress(predictions.len(), samples.len());
            }
        }
        Ok((recall, predictions))
    }
}
