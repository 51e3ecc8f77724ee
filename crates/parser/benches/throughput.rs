//! Parser throughput: twelve-word queries per second, single thread, the whole pipeline
//! (tokenise, tag, parse).
//!
//!     cargo bench -p cmin-parser --bench throughput [-- MODEL_PATH]

use std::time::Instant;

use cmin_parser::Model;

const QUERIES: [&str; 8] = [
    "the person takes a knife out of the drawer and cuts bread",
    "a red circle jumps over the blue square before the green spins",
    "he cuts the onion into small pieces and then washes his hands",
    "the woman who is holding the bag walks slowly towards the door",
    "the big triangle is pushed by the yellow square while circles grow",
    "after the man rinses the plate he places it in the rack",
    "she peels the orange with her fingers and throws the skin away",
    "the small green circle follows the large red square across the stage",
];

fn main() {
    let path = std::env::args().skip(1).find(|a| !a.starts_with("--")).unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../www/assets/parser-en-ewt.safetensors").to_string()
    });
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let load = Instant::now();
    let model = Model::from_bytes(&bytes).expect("model loads");
    println!("model {path}: {} bytes, loaded in {:.1} ms", bytes.len(), load.elapsed().as_secs_f64() * 1e3);
    for q in QUERIES {
        assert_eq!(q.split(' ').count(), 12, "{q}");
    }
    for q in QUERIES.iter().cycle().take(2_000) {
        std::hint::black_box(model.analyze(q));
    }
    let mut rates = Vec::new();
    for _ in 0..5 {
        let n = 20_000;
        let start = Instant::now();
        for q in QUERIES.iter().cycle().take(n) {
            std::hint::black_box(model.analyze(q));
        }
        rates.push(n as f64 / start.elapsed().as_secs_f64());
    }
    rates.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "twelve-word queries/s (single thread, 5 runs of 20,000): median {:.0}, min {:.0}, max {:.0}",
        rates[2], rates[0], rates[4]
    );
    println!("per query: {:.1} us", 1e6 / rates[2]);
}
