//! Inputs shared by the benchmarks.

use cmin_model::{Cmin, CminConfig, Query};

/// `reference_tacos` with random weights (latency does not depend on their values), or the
/// demo's world model (`www/assets/cmin-world.safetensors`).
pub fn model(name: &str, device: &burn::tensor::Device) -> Cmin {
    match name {
        "tacos" => CminConfig::reference_tacos().init(device),
        _ => {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../www/assets/cmin-world.safetensors");
            cmin_model::weights::load(&std::fs::read(path).expect("the demo's world model"), None, device)
                .expect("the demo's world model")
        }
    }
}

/// Pins burn's CPU backend to one thread, so that the figures are per core whatever the
/// machine (large products are otherwise spread over every core).
pub fn one_thread() {
    rayon::ThreadPoolBuilder::new().num_threads(1).build_global().expect("the first use of the global pool");
}

/// A deterministic pseudo-random stream in [-1, 1) (no RNG dependency for a benchmark input).
pub fn values(count: usize, seed: u64) -> Vec<f32> {
    let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (0..count)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 33) as f32 / (1u64 << 31) as f32) * 2.0 - 1.0
        })
        .collect()
}

/// A `words`-word query with a chain parse: word i depends on word i+1 (nsubj/det/dobj labels
/// cycle).
pub fn query(words: usize, dim: usize) -> Query {
    let mut adjacency = vec![0i64; words * words];
    for i in 0..words {
        adjacency[i * words + i] = 1;
        if i + 1 < words {
            adjacency[(i + 1) * words + i] = [2, 3, 9][i % 3];
        }
    }
    Query::new(values(words * dim, 7), dim, adjacency).unwrap()
}

/// The value following `name` among the command-line arguments.
pub fn option(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

/// Returns once the device has computed `tensor`: one of its values is read back. (A GPU
/// backend's `into_data` returns before the values arrive; reading them is what waits.)
pub fn wait_for<const D: usize>(tensor: burn::tensor::Tensor<D>) {
    let one = tensor.flatten::<1>(0, D - 1).narrow(0, 0, 1);
    one.into_data().try_to_vec::<f32>().expect("a float tensor");
}
