//! Where the time of a forward goes (`reference_tacos` by default: 200 clips, 12-word query,
//! one thread): each part of the video encoding and of a query timed on its own, median of N.
//! The CPU backend runs operations eagerly, so a part's time is the time of its call; on wgpu
//! a part is timed to the readback of one of its values, and the bench prints what such a
//! readback costs alone.
//!
//! Run: `cargo bench --bench parts -- [cpu|wgpu] [--model tacos|world] [--iters N]`.

mod common;

use std::time::{Duration, Instant};

use cmin_model::burn::tensor::{Tensor, TensorData};
use cmin_model::model::{Cmin, StageVideo};
use cmin_model::ops::gru::bigru;
use cmin_model::query::batch_queries;
use cmin_model::{Localizer, RankOptions};
use common::{option, query, values};

/// A result whose computation has finished once `wait` returns (one element is read back).
trait Wait {
    fn wait(self);
}

impl<const D: usize> Wait for Tensor<D> {
    fn wait(self) {
        common::wait_for(self);
    }
}

impl<A: Wait, B: Wait> Wait for (A, B) {
    fn wait(self) {
        self.0.wait();
        self.1.wait();
    }
}

impl Wait for StageVideo {
    fn wait(self) {
        (self.clip_part, self.video).wait();
        self.aggregate_gate.map(Wait::wait);
    }
}

/// Results read back to the host already.
struct Host;

impl Wait for Host {
    fn wait(self) {}
}

/// Median time of `f` over `iters` calls, after one warm-up call.
fn time<R: Wait>(iters: usize, mut f: impl FnMut() -> R) -> Duration {
    f().wait();
    let mut v: Vec<Duration> = (0..iters)
        .map(|_| {
            let t = Instant::now();
            f().wait();
            t.elapsed()
        })
        .collect();
    v.sort();
    v[v.len() / 2]
}

fn report(title: &str, total: Duration, parts: &[(&str, Duration)]) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!("{title}: {:.2} ms", ms(total));
    let mut accounted = Duration::ZERO;
    for (name, d) in parts {
        if !name.starts_with(' ') {
            accounted += *d;
        }
        println!("  {name:<44} {:>8.2} ms  {:>5.1} %", ms(*d), 100.0 * d.as_secs_f64() / total.as_secs_f64());
    }
    let rest = total.saturating_sub(accounted);
    println!(
        "  {:<44} {:>8.2} ms  {:>5.1} %",
        "rest (glue, readback, ranking)",
        ms(rest),
        100.0 * rest.as_secs_f64() / total.as_secs_f64()
    );
}

fn main() {
    common::one_thread();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let iters = option(&args, "--iters").and_then(|v| v.parse().ok()).unwrap_or(10);
    let device_name = if args.iter().any(|a| a == "wgpu") { "wgpu" } else { "cpu" };
    let device = match cmin_train::device::by_name(device_name) {
        Ok(device) => device,
        Err(e) => return println!("{device_name} unavailable: {e}"),
    };
    let model_name = option(&args, "--model").unwrap_or_else(|| "tacos".into());
    let loc = Localizer::new(common::model(&model_name, &device), device.clone());
    let model: &Cmin = loc.model();
    let config = model.config().clone();
    println!(
        "{device_name} {model_name} ({} clips, d {}, 12 words), median of {iters}",
        config.num_clips, config.d_model
    );
    let (n, d) = (config.num_clips, config.d_model);
    let features = values(n * config.frame_dim, 1);
    let q = query(12, config.word_dim);

    // A GPU device runs work queued: each part below is timed to the readback of one of its
    // values, which costs a round trip of its own.
    let one = Tensor::<1>::from_data(TensorData::new(vec![1.0f32], [1]), &device);
    let round_trip = time(iters, || one.clone() + 1.0);

    let frames = Tensor::<3>::from_data(TensorData::new(features.clone(), [1, n, config.frame_dim]), &device);
    let encoder = &model.video_encoder;
    let attended = {
        let mut x = frames.clone();
        for layer in &encoder.attn_layers {
            x = x.clone() + layer.forward(x);
        }
        x
    };
    let encoded = encoder.rnn.forward(attended.clone(), None);
    let stage = &model.stages[0];
    let gates = random_gates(n, d / 2, &device);
    let (w_hh, b_hh) = hh(d / 2, &device);
    let encode_total = time(iters, || loc.encode_video(&features, n, config.frame_dim, 120.0).unwrap().encoded);
    report(
        "video encoding",
        encode_total,
        &[
            (
                "banded self-attention",
                time(iters, || {
                    let mut x = frames.clone();
                    for layer in &encoder.attn_layers {
                        x = x.clone() + layer.forward(x);
                    }
                    x
                }),
            ),
            ("video BiGRU", time(iters, || encoder.rnn.forward(attended.clone(), None))),
            ("  of which the recurrence", time(iters, || bigru(gates.clone(), w_hh.clone(), b_hh.clone(), None))),
            ("stage projections (W1 f + b1, sigmoid(G1 f))", time(iters, || stage.prepare(encoded.clone()))),
            ("  (a one-value readback, in each line)", round_trip),
        ],
    );

    let video = loc.encode_video(&features, n, config.frame_dim, 120.0).unwrap();
    let (batch, _) = batch_queries(std::slice::from_ref(&q), &config, &device).unwrap();
    let query_encoded = model.sentence_encoder.forward(&batch);
    let prepared = &video.encoded;
    let (aggregated, _) =
        stage.v2s.forward(prepared.clip_part.clone(), query_encoded.clone(), batch.word_logit_mask.clone());
    let gate = stage.cross_gate.as_ref().expect("the benched models have a cross gate");
    let aggregate_gate = prepared.aggregate_gate.clone().expect("prepared with the cross gate");
    let (gated_video, gated_query) = gate.forward(prepared.video.clone(), aggregated.clone(), aggregate_gate.clone());
    let fuse = || match &stage.fusion {
        Some(bilinear) => bilinear.forward(gated_video.clone(), gated_query.clone()),
        None => Tensor::cat(vec![gated_video.clone(), gated_query.clone()], 2),
    };
    let fused_input = fuse();
    let fused = stage.rnn.forward(fused_input.clone(), None);
    let query_total = time(iters, || {
        loc.localize(&video, &q, RankOptions::default()).unwrap();
        Host
    });
    report(
        "per query",
        query_total,
        &[
            (
                "query batch (host to tensors)",
                time(iters, || batch_queries(std::slice::from_ref(&q), &config, &device).unwrap().0.words),
            ),
            ("query encoder (GCN + BiGRU)", time(iters, || model.sentence_encoder.forward(&batch))),
            ("  of which the GCN layers", time(iters, || gcn(model, &batch))),
            (
                "attentive aggregation",
                time(iters, || {
                    stage.v2s.forward(prepared.clip_part.clone(), query_encoded.clone(), batch.word_logit_mask.clone())
                }),
            ),
            (
                "cross gate",
                time(iters, || gate.forward(prepared.video.clone(), aggregated.clone(), aggregate_gate.clone())),
            ),
            ("fusion (concatenation or bilinear)", time(iters, fuse)),
            ("fusion BiGRU", time(iters, || stage.rnn.forward(fused_input.clone(), None))),
            ("  of which the recurrence", time(iters, || bigru(gates.clone(), w_hh.clone(), b_hh.clone(), None))),
            ("head", time(iters, || model.head.forward(fused.clone()))),
            ("  (a one-value readback, in each line)", round_trip),
        ],
    );
}

/// The query encoder's GCN layers alone (without the BiGRU after them).
fn gcn(model: &Cmin, batch: &cmin_model::model::QueryBatch) -> Tensor<3> {
    let mut x = batch.words.clone();
    for layer in &model.sentence_encoder.gcn_layers {
        x = layer.forward(x, batch);
    }
    x
}

fn random_gates(time: usize, h: usize, device: &burn::tensor::Device) -> Tensor<3> {
    Tensor::from_data(TensorData::new(values(time * 6 * h, 3), [1, time, 6 * h]), device)
}

fn hh(h: usize, device: &burn::tensor::Device) -> (Tensor<3>, Tensor<2>) {
    let w = values(2 * h * 3 * h, 4).into_iter().map(|v| v * 0.05).collect::<Vec<_>>();
    (
        Tensor::from_data(TensorData::new(w, [2, h, 3 * h]), device),
        Tensor::from_data(TensorData::new(values(2 * 3 * h, 5), [2, 3 * h]), device),
    )
}
