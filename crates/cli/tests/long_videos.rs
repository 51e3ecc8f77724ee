//! Videos of any length and libraries of videos, with the shipped world model: short videos
//! answer exactly as one resampled window, a moment across a window border is found whole,
//! a library search ranks moments across videos, and what would not fit is refused by code.

#[path = "../../../tests/common/mod.rs"]
mod common;

use cmin_model::inference::EncodedVideo;
use cmin_model::ranking::temporal_iou;
use cmin_model::{Localizer, Query, RankOptions, TimeScale, weights};
use cmin_query::embeddings::Embeddings;
use cmin_query::parsing::ParserModel;
use cmin_train::data::Sample;
use cmin_train::device;
use cmin_train::evaluate::query_for;
use cmin_world::{WorldConfig, WorldVideo, answered_in, generate, long_video};

struct World {
    localizer: Localizer,
    embeddings: Embeddings,
    parser: ParserModel,
}

fn world() -> World {
    let root = common::repo_root();
    let read = |name: &str| std::fs::read(root.join("www/assets").join(name)).unwrap();
    let device = device::cpu();
    let model = weights::load(&read("cmin-world.safetensors"), None, &device).unwrap();
    assert_eq!(model.config().clip_seconds, Some(1.0), "the shipped model records its clip length");
    World {
        localizer: Localizer::new(model, device),
        embeddings: Embeddings::from_bytes(&read("glove-6b-50d-30k.safetensors")).unwrap(),
        parser: ParserModel::from_bytes(&read("parser-en-ewt.safetensors")).unwrap(),
    }
}

impl World {
    fn query(&self, text: &str) -> Query {
        let sample =
            Sample { video: String::new(), duration: None, start: 0.0, end: 0.0, sentence: text.into(), parse: None };
        query_for(&sample, &self.embeddings, Some(&self.parser), None).unwrap().0
    }

    fn encode(&self, v: &WorldVideo, scale: TimeScale) -> EncodedVideo {
        self.localizer.encode_video_at(&v.features, v.steps(), v.feature_dim, v.duration, scale).unwrap()
    }
}

#[test]
fn videos_no_longer_than_a_window_answer_as_one_resampled_window() {
    let w = world();
    let config = WorldConfig::default();
    // A world video (48 s: one window exactly) and a shorter one (20 s).
    let short = WorldVideo {
        features: generate(&config, 7).features[..40 * 64].to_vec(),
        duration: 20.0,
        ..generate(&config, 7)
    };
    for v in [generate(&config, 3), short] {
        let (windowed, whole) = (w.encode(&v, TimeScale::Model), w.encode(&v, TimeScale::Whole));
        assert_eq!(windowed.windows.len(), 1);
        for q in &generate(&config, 3).queries {
            let query = w.query(&q.text);
            let a = w.localizer.localize(&windowed, &query, RankOptions::default()).unwrap();
            let b = w.localizer.localize(&whole, &query, RankOptions::default()).unwrap();
            assert_eq!(a, b, "{}", q.text);
        }
    }
}

#[test]
fn a_moment_across_a_window_border_is_found_whole() {
    let w = world();
    let config = WorldConfig::default();
    let (mut straddling, mut found) = (0, 0);
    for seed in 0..30 {
        let v = long_video(&config, 70_000 + seed, 300.0);
        let encoded = w.encode(&v, TimeScale::Model);
        let windows = &encoded.windows;
        assert!(windows.len() >= 12, "{} windows for {} s", windows.len(), v.duration);
        // Window borders in seconds (one second a clip: a window starts every 24 s).
        let seconds = |g: usize| windows.timeline.grid_to_seconds(g as f64, g as f64).0;
        let borders: Vec<f64> =
            windows.starts.iter().flat_map(|&s| [seconds(s), seconds(s + windows.window_clips)]).collect();
        for q in &v.queries {
            if !borders.iter().any(|&b| q.start + 0.5 < b && b < q.end - 0.5) {
                continue;
            }
            straddling += 1;
            let result = w.localizer.localize(&encoded, &w.query(&q.text), RankOptions::default()).unwrap();
            let top = result.moments[0];
            found += (temporal_iou((top.start, top.end), (q.start, q.end)) >= 0.5) as usize;
            // The relevance curve covers the grid and peaks at the best answer's score, there.
            assert_eq!(result.relevance.len(), windows.grid_clips());
            assert_eq!(result.relevance.iter().copied().fold(0.0, f32::max), top.score);
            assert_eq!(result.relevance[top.grid_start.round() as usize], top.score);
            // Every answer lies inside the window that found it.
            for m in &result.moments {
                let first = windows.starts[m.window] as f64;
                let from = windows.timeline.grid_to_seconds(first, first).0;
                let to = windows.timeline.grid_to_seconds(first + 47.0, first + 47.0).1;
                assert!(from - 1e-9 <= m.start && m.end <= to + 1e-9, "{m:?} outside [{from}, {to}]");
            }
        }
    }
    assert!(straddling >= 20, "{straddling} queries across a border");
    // Cut at a border the answer could not reach IoU 0.5 half the time; whole, the model
    // finds about as many as elsewhere in long videos.
    assert!(found * 100 >= straddling * 70, "{found} of {straddling} found at R@1, IoU >= 0.5");
}

#[test]
fn a_library_search_ranks_moments_across_videos() {
    let w = world();
    let config = WorldConfig::default();
    let videos: Vec<WorldVideo> = (0..30).map(|s| generate(&config, 71_000 + s)).collect();
    let encoded: Vec<EncodedVideo> = videos.iter().map(|v| w.encode(v, TimeScale::Model)).collect();
    let library: Vec<&EncodedVideo> = encoded.iter().collect();
    let options = RankOptions { top_k: 10, ..RankOptions::default() };
    let (mut queries, mut top10) = (0, 0);
    for (i, v) in videos.iter().enumerate() {
        for q in &v.queries {
            if videos.iter().enumerate().any(|(j, other)| j != i && answered_in(other, &v.actors, &q.spec)) {
                continue;
            }
            let query = w.query(&q.text);
            let found = w.localizer.search(&library, &query, options).unwrap();
            assert_eq!(found.len(), 10);
            assert!(found.windows(2).all(|p| p[0].moment.score >= p[1].moment.score));
            queries += 1;
            top10 += found
                .iter()
                .any(|f| f.video == i && temporal_iou((f.moment.start, f.moment.end), (q.start, q.end)) >= 0.5)
                as usize;
            // A video's own answers in the search are its localize answers.
            let alone = w.localizer.localize(&encoded[i], &query, options).unwrap();
            let own: Vec<_> = found.iter().filter(|f| f.video == i).map(|f| f.moment).collect();
            assert_eq!(own[..], alone.moments[..own.len()]);
        }
    }
    assert!(queries >= 30, "{queries} queries unique in the library");
    assert!(top10 * 100 >= queries * 85, "{top10} of {queries} in the top 10");
    assert!(w.localizer.search(&[], &w.query("the red circle jumps"), options).is_err());
}

#[test]
fn videos_too_long_to_hold_are_refused_with_a_code() {
    let w = world();
    let features = vec![0.5f32; 64];
    // About 14,600 windows of 48 clips at 128 wide: over the gigabyte an encoding may hold.
    let e = w.localizer.encode_video(&features, 1, 64, 350_000.0).unwrap_err();
    assert_eq!(e.code(), "too-large", "{e}");
    assert!(e.to_string().contains("encoded video"), "{e}");
    // A duration that would make more clips than can be counted.
    let e = w.localizer.encode_video(&features, 1, 64, 1e15).unwrap_err();
    assert_eq!(e.code(), "too-large", "{e}");
    // The same features at the reference's resampling are one window.
    assert_eq!(w.localizer.encode_video_at(&features, 1, 64, 350_000.0, TimeScale::Whole).unwrap().windows.len(), 1);
    // A clip length of its own, from the caller.
    let v = w.localizer.encode_video_at(&features, 1, 64, 200.0, TimeScale::ClipSeconds(2.0)).unwrap();
    assert_eq!((v.windows.grid_clips(), v.windows.len()), (100, 4));
}
