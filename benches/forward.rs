//! Forward latency of `reference_tacos` (200 clips, 12-word query), split into video encoding
//! and per-query time. Run: `cargo bench --bench forward -- [cpu|wgpu ...] [--iters N]`.
//! Weights are random: latency does not depend on their values.

use std::time::{Duration, Instant};

use cmin::{Cmin, CminConfig, Localizer, Query, RankOptions};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A deterministic pseudo-random stream (no RNG dependency for a benchmark input).
fn values(count: usize, seed: u64) -> Vec<f32> {
    let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (0..count)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 33) as f32 / (1u64 << 31) as f32) * 2.0 - 1.0
        })
        .collect()
}

fn query(words: usize, dim: usize) -> Query {
    // A chain parse: word i depends on word i+1 (nsubj/det/dobj labels cycle).
    let mut adjacency = vec![0i64; words * words];
    for i in 0..words {
        adjacency[i * words + i] = 1;
        if i + 1 < words {
            adjacency[(i + 1) * words + i] = [2, 3, 9][i % 3];
        }
    }
    Query::new(values(words * dim, 7), dim, adjacency).unwrap()
}

fn bench(name: &str, device: burn::tensor::Device, iters: usize) {
    let config = CminConfig::reference_tacos();
    let loc = Localizer::new(Cmin::new(&config, &device), device.clone());
    let features = values(200 * config.frame_dim, 1);
    let q = query(12, config.word_dim);
    let opts = RankOptions::default();
    let encode = || {
        let v = loc.encode_video(&features, 200, config.frame_dim, 120.0).unwrap();
        let _ = v.encoded.clone().slice([0..1, 0..1, 0..1]).into_data(); // wait for the device
        v
    };
    // Warm-up: allocations, and shader compilation on wgpu.
    let video = encode();
    for _ in 0..2 {
        loc.localize(&video, &q, opts).unwrap();
    }
    let mut enc = Vec::new();
    let mut per_query = Vec::new();
    for _ in 0..iters {
        let t = Instant::now();
        let video = encode();
        enc.push(t.elapsed());
        let t = Instant::now();
        loc.localize(&video, &q, opts).unwrap();
        per_query.push(t.elapsed());
    }
    let (e, p) = (median(enc), median(per_query));
    println!(
        "{name:<6} reference_tacos 200 clips, 12 words: video encoding {:>8.2} ms | per query {:>8.2} ms | full forward {:>8.2} ms (median of {iters})",
        ms(e),
        ms(p),
        ms(e + p)
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let iters = args
        .iter()
        .position(|a| a == "--iters")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let mut devices: Vec<&str> = args.iter().map(String::as_str).filter(|a| *a == "cpu" || *a == "wgpu").collect();
    if devices.is_empty() {
        devices = vec!["cpu", "wgpu"];
    }
    for name in devices {
        match cmin::device::by_name(name) {
            Ok(device) => bench(name, device, iters),
            Err(e) => println!("{name:<6} unavailable: {e}"),
        }
    }
}
