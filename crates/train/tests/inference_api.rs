//! The Rust inference API: encode once, localize many; results in seconds; bad input is an
//! error, never a panic.

#[path = "../../../tests/common/mod.rs"]
mod common;

use cmin_model::{CminError, Localizer, Query, RankOptions, weights};
use cmin_train::device;
use cmin_train::parity::ReferenceSet;

/// Localizer on the small reference weights plus the io set.
fn small() -> Option<(Localizer, ReferenceSet)> {
    let prefix = common::reference("small")?;
    let set = ReferenceSet::load(&prefix).unwrap();
    let device = device::cpu();
    let model = weights::load(&set.weights, Some(&set.config), &device).unwrap();
    Some((Localizer::new(model, device), set))
}

/// Query `b` of the io set, unpadded.
fn io_query(set: &ReferenceSet, b: usize) -> Query {
    let words = set.tensor("words").unwrap();
    let (m, dim) = (words.shape[1], words.shape[2]);
    let len = set.tensor("word_mask").unwrap().values[b * m..(b + 1) * m].iter().filter(|&&v| v != 0.0).count();
    let vectors = words.values[b * m * dim..b * m * dim + len * dim].to_vec();
    let adj = &set.tensor("adj").unwrap().values[b * m * m..(b + 1) * m * m];
    let adjacency = (0..len).flat_map(|h| (0..len).map(move |d| adj[h * m + d] as i64)).collect();
    Query::new(vectors, dim, adjacency).unwrap()
}

fn video_features(set: &ReferenceSet, b: usize) -> (Vec<f32>, usize, usize) {
    let frames = set.tensor("frames").unwrap();
    let (n, dim) = (frames.shape[1], frames.shape[2]);
    (frames.values[b * n * dim..(b + 1) * n * dim].to_vec(), n, dim)
}

#[test]
fn encode_once_localize_many_matches_the_batched_forward() {
    let Some((loc, set)) = small() else { return };
    let (features, n, dim) = video_features(&set, 0);
    // n raw clips onto an n-clip grid: resampling is the identity, so this is io's video 0.
    let video = loc.encode_video(&features, n, dim, 64.0).unwrap();
    let options = RankOptions { top_k: 5, nms_threshold: 0.5 };
    let ranked = loc.localize(&video, &io_query(&set, 0), options).unwrap();
    let reference_scores = &set.tensor("scores").unwrap().values[..n * 3];
    let max_diff = ranked.scores.iter().zip(reference_scores).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
    assert!(max_diff < 1e-4, "scores differ by {max_diff}");
    // Top-1 by the reference rule is the rounded, clamped top1_box.
    let top1 = &set.tensor("top1_box").unwrap().values[..2];
    assert_eq!(ranked.top1_grid, (top1[0].round() as usize, top1[1].round().min(63.0) as usize));
    // Ranked moments: at most top_k, best first, in seconds within the video, NMS applied.
    assert_eq!(ranked.moments.len(), 5);
    assert!(ranked.moments.windows(2).all(|w| w[0].score >= w[1].score));
    assert!(ranked.moments.iter().all(|m| 0.0 <= m.start && m.start <= m.end && m.end <= 64.0));
    for (i, a) in ranked.moments.iter().enumerate() {
        for b in &ranked.moments[i + 1..] {
            assert!(cmin_model::ranking::temporal_iou((a.start, a.end), (b.start, b.end)) <= 0.5);
        }
    }
    // The best moment is the best legal proposal, refined; 1 s per clip on this video.
    let best = ranked.moments[0];
    assert!((best.start - best.grid_start as f64).abs() < 1e-4);
    assert_eq!(ranked.num_words, 5);
    assert_eq!(ranked.attention.len(), n * 5);
    for row in ranked.attention.chunks(5) {
        assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-4);
    }

    // The same encoding serves other queries; a batch equals one-by-one.
    let queries = [io_query(&set, 0), io_query(&set, 1), io_query(&set, 2)];
    let batch = loc.localize_batch(&video, &queries, options).unwrap();
    let single = loc.localize(&video, &queries[2], options).unwrap();
    let diff = batch[2].scores.iter().zip(&single.scores).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
    assert!(diff < 1e-5);
    assert_eq!(batch[0].moments[0].proposal, ranked.moments[0].proposal);
}

#[test]
fn any_video_length_works() {
    let Some((loc, set)) = small() else { return };
    let (features, _, dim) = video_features(&set, 1);
    let q = io_query(&set, 1);
    for raw in [1usize, 2, 63, 65, 1000] {
        let f: Vec<f32> = (0..raw).flat_map(|i| features[(i % 64) * dim..(i % 64 + 1) * dim].to_vec()).collect();
        let video = loc.encode_video(&f, raw, dim, 30.0).unwrap();
        let r = loc.localize(&video, &q, RankOptions::default()).unwrap();
        assert!(!r.moments.is_empty());
        assert!(r.moments.iter().all(|m| m.end <= 30.0 && m.start >= 0.0 && m.score.is_finite()));
    }
}

#[test]
fn bad_inputs_are_clear_errors() {
    let Some((loc, set)) = small() else { return };
    let (features, n, dim) = video_features(&set, 0);
    assert_eq!(
        loc.encode_video(&features[..n * 32], n, 32, 10.0).unwrap_err(),
        CminError::FeatureDim { got: 32, expected: 64 }
    );
    assert_eq!(loc.encode_video(&[], 0, dim, 10.0).unwrap_err(), CminError::EmptyVideo);
    assert!(matches!(loc.encode_video(&features[1..], n, dim, 10.0), Err(CminError::FeatureLength { .. })));
    let mut nan = features.clone();
    nan[3 * dim + 7] = f32::NAN;
    assert!(matches!(loc.encode_video(&nan, n, dim, 10.0), Err(CminError::NonFiniteFeature { clip: 3, dim: 7, .. })));
    let mut inf = features.clone();
    inf[0] = f32::NEG_INFINITY;
    assert!(matches!(loc.encode_video(&inf, n, dim, 10.0), Err(CminError::NonFiniteFeature { .. })));
    assert!(matches!(loc.encode_video(&features, n, dim, -1.0), Err(CminError::BadDuration(_))));

    let video = loc.encode_video(&features, n, dim, 10.0).unwrap();
    assert_eq!(Query::new(vec![], 48, vec![]).unwrap_err(), CminError::EmptyQuery);
    let wrong_dim = Query::new(vec![0.1; 2 * 40], 40, vec![1, 0, 2, 1]).unwrap();
    assert_eq!(
        loc.localize(&video, &wrong_dim, RankOptions::default()).unwrap_err(),
        CminError::WordDim { got: 40, expected: 48 }
    );
    let q = io_query(&set, 0);
    assert!(matches!(
        loc.localize(&video, &q, RankOptions { top_k: 0, nms_threshold: 0.5 }),
        Err(CminError::Option(_))
    ));
    assert!(matches!(loc.localize_batch(&video, &[], RankOptions::default()), Err(CminError::EmptyQuery)));
}

#[test]
fn long_queries_are_truncated_and_say_so() {
    let Some((loc, set)) = small() else { return };
    let (features, n, dim) = video_features(&set, 0);
    let video = loc.encode_video(&features, n, dim, 10.0).unwrap();
    // 27 words: the 20-word query of the io set plus 7 more.
    let base = io_query(&set, 2);
    let words = 27;
    let mut vectors = base.vectors.clone();
    vectors.extend(base.vectors[..7 * 48].iter());
    let mut adjacency = vec![0i64; words * words];
    for h in 0..20 {
        adjacency[h * words..h * words + 20].copy_from_slice(&base.adjacency[h * 20..(h + 1) * 20]);
    }
    for i in 20..words {
        adjacency[i * words + i] = 1;
        adjacency[3 * words + i] = 2;
    }
    let long = Query::new(vectors, 48, adjacency).unwrap();
    let r = loc.localize(&video, &long, RankOptions::default()).unwrap();
    assert_eq!((r.num_words, r.truncated_from), (20, Some(27)));
    let full = loc.localize(&video, &base, RankOptions::default()).unwrap();
    assert_eq!(full.truncated_from, None);
    assert_eq!(r.scores, full.scores, "truncation keeps exactly the first 20 words and their arcs");
}

/// Weights whose boundary regression overflows f32 (finite, but 3e38 each): a coded error,
/// never infinite offsets or NaN scores ranked as ordinary moments.
#[test]
fn an_overflowing_model_is_an_error_not_an_answer() {
    let Some((_, set)) = small() else { return };
    let mut tensors = cmin_train::parity::read_tensors(&set.weights).unwrap();
    let reg = tensors.get_mut("fc_reg.weight").expect("the head's regression weights");
    reg.values.iter_mut().for_each(|v| *v = 3e38);
    let bytes = cmin_train::parity::write_tensors(&tensors).unwrap();
    let device = device::cpu();
    let loc = Localizer::new(weights::load(&bytes, Some(&set.config), &device).unwrap(), device);
    let (features, n, dim) = video_features(&set, 0);
    let video = loc.encode_video(&features, n, dim, 10.0).unwrap();
    match loc.localize(&video, &io_query(&set, 0), RankOptions::default()) {
        Err(e @ CminError::NumericOverflow { .. }) => assert_eq!(e.code(), "numeric-overflow"),
        Err(other) => panic!("expected numeric-overflow, got {other:?}"),
        Ok(r) => panic!("an overflowing model answered: {:?}", &r.moments[..r.moments.len().min(2)]),
    }
}
