//! Forward latency, split into video encoding (once per video) and per query on an encoded
//! video, for `reference_tacos` (200 clips, random weights: latency does not depend on their
//! values) and the demo's world model (`www/assets/cmin-world.safetensors`, 48 clips); on the
//! wgpu path also the kernel dispatches of one query and of one video encoding, counted as
//! they are launched.
//!
//! Run: `cargo bench --bench forward -- [cpu] [wgpu] [--model tacos|world] [--iters N]`.

mod common;

use std::time::{Duration, Instant};

use cmin_model::{EncodedVideo, Localizer, RankOptions};
use common::{option, query, values};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn bench(device_name: &str, device: burn::tensor::Device, model_name: &str, iters: usize) {
    let loc = Localizer::new(common::model(model_name, &device), device.clone());
    let config = loc.config().clone();
    let clips = config.num_clips;
    let features = values(clips * config.frame_dim, 1);
    let q = query(12, config.word_dim);
    let opts = RankOptions::default();
    let encode = || -> EncodedVideo {
        let v = loc.encode_video(&features, clips, config.frame_dim, 120.0).unwrap();
        common::wait_for(v.encoded.clip_part.clone());
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
        "{device_name:<6} {model_name:<5} ({clips} clips, d {}, 12 words): video encoding {:>8.2} ms | per query {:>8.2} ms | full forward {:>8.2} ms (median of {iters})",
        config.d_model,
        ms(e),
        ms(p),
        ms(e + p)
    );
    if device_name == "wgpu" {
        let (_, encoding) = cmin_model::ops::dispatches::count_dispatches(encode);
        let (_, one_query) = cmin_model::ops::dispatches::count_dispatches(|| loc.localize(&video, &q, opts).unwrap());
        println!(
            "{device_name:<6} {model_name:<5} dispatches: {} per query, {} per video encoding",
            one_query.total(),
            encoding.total()
        );
        if std::env::var_os("CMIN_BENCH_KERNELS").is_some() {
            for (kernel, count) in &one_query.by_kernel {
                println!("    {count:>4} x {kernel}");
            }
        }
    }
}

fn main() {
    common::one_thread();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let iters = option(&args, "--iters").and_then(|v| v.parse().ok()).unwrap_or(20);
    let models = match option(&args, "--model").as_deref() {
        Some("tacos") => vec!["tacos"],
        Some("world") => vec!["world"],
        _ => vec!["tacos", "world"],
    };
    let mut devices: Vec<&str> = args.iter().map(String::as_str).filter(|a| *a == "cpu" || *a == "wgpu").collect();
    if devices.is_empty() {
        devices = vec!["cpu", "wgpu"];
    }
    for name in devices {
        match cmin_train::device::by_name(name) {
            Ok(device) => {
                for model_name in &models {
                    bench(name, device.clone(), model_name, iters);
                }
            }
            Err(e) => println!("{name:<6} unavailable: {e}"),
        }
    }
}
