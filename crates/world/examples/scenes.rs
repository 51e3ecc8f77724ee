//! Prints what happens in world videos, as data rather than sentences: the cast, every event
//! with its times, and the events that the generator checked can be described uniquely (the
//! targets of its queries, by meaning). This is what the hand-written query set was written
//! from, so that its writers never saw a generated wording.
//!
//!   cargo run -p cmin-world --example scenes -- FIRST_SEED COUNT > scenes.json

use cmin_world::{WorldConfig, generate};

fn main() {
    let args: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let (first, count) = match args[..] {
        [first, count] => (first, count),
        _ => {
            eprintln!("usage: scenes FIRST_SEED COUNT");
            std::process::exit(2);
        }
    };
    let config = WorldConfig::default();
    let mut out = Vec::new();
    for seed in first..first + count {
        let v = generate(&config, seed);
        let t = |step: usize| step as f64 * v.step_seconds;
        let actors: Vec<_> = v
            .actors
            .iter()
            .enumerate()
            .map(|(i, a)| serde_json::json!({"actor": i, "shape": a.shape, "colour": a.colour, "size": a.size}))
            .collect();
        let events: Vec<_> = v
            .events
            .iter()
            .map(|e| {
                serde_json::json!({"action": e.action, "agent": e.agent, "patient": e.patient,
                                         "start": t(e.start), "end": t(e.end)})
            })
            .collect();
        let targets: Vec<_> = v
            .queries
            .iter()
            .map(|q| {
                serde_json::json!({"construction": q.kind, "agent": q.spec.agent, "action": q.spec.action,
                                         "form": q.spec.form,
                                         "start": q.start, "end": q.end})
            })
            .collect();
        out.push(serde_json::json!({"video": format!("world-{seed:06}"), "seed": seed, "duration": v.duration,
                                     "actors": actors, "events": events, "targets": targets}));
    }
    println!("{}", serde_json::to_string_pretty(&out).expect("plain JSON"));
}
