//! `cmin world`: writes a synthetic-world dataset in the layout `cmin eval` (and training)
//! reads: `features/<video>.npy`, `<split>.json` in 2D-TAN's format, and `<split>-meta.json`
//! with each query's construction and whether it is role-sensitive, and
//! `<split>-role-sensitive.json`: only the queries whose distractor differs by roles alone
//! (the subset on which a bag of words must fail), `<split>-kind-<construction>.json`: the
//! queries of each syntactic construction, and `<split>-typed.json`: the same queries worded as
//! a person might type them (for evaluation; never trained on), `<split>-varied.json`: the
//! queries in the lexicon's words and frames that training may use, and `<split>-held-out.json`:
//! wordings that each use a word or frame training never sees.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::error::{CliError, Result};
use cmin_parser::conllu;
use cmin_train::data::{ClipFeatures, features};
use cmin_world::{GeneratedQuery, Pool, WorldConfig, answered_in, generate, long_video};

#[derive(clap::Args)]
pub struct WorldArgs {
    /// Output directory.
    #[arg(long)]
    out: PathBuf,
    /// Split name: the annotation file is <out>/<split>.json.
    #[arg(long, default_value = "test")]
    split: String,
    /// Number of videos.
    #[arg(long, default_value_t = 100)]
    videos: u64,
    /// Seed of the first video; video i uses seed + i.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// The wording of `<split>.json`: `plain` (the generator's own sentences) or `varied`
    /// (the lexicon's words and frames that training may use).
    #[arg(long, default_value = "plain")]
    wording: String,
    /// With `--wording varied`: this many wordings of each query in `<split>.json` (more
    /// ways of saying the same thing for training).
    #[arg(long, default_value_t = 1)]
    wordings: u64,
    /// Also write the gold dependency trees of `<split>.json`'s queries as CoNLL-U (to
    /// evaluate a parser on the world's constructions with `cmin parser eval`).
    #[arg(long)]
    treebank: Option<PathBuf>,
    /// The gold trees of `<split>-varied.json`'s queries as CoNLL-U.
    #[arg(long)]
    varied_treebank: Option<PathBuf>,
    /// The gold trees of `<split>-held-out.json`'s queries as CoNLL-U.
    #[arg(long)]
    held_out_treebank: Option<PathBuf>,
    /// Also write `<split>-answer-free.json`: each of `<split>.json`'s sentences paired with a
    /// later video of the split that holds no moment it describes (for `cmin train
    /// --answer-free`).
    #[arg(long)]
    answer_free: bool,
    /// Background actions attempted per actor (the default world's clutter).
    #[arg(long, default_value_t = WorldConfig::default().fillers_per_actor)]
    fillers_per_actor: usize,
    /// Width of the clip features (the model's `frame_dim`).
    #[arg(long, default_value_t = WorldConfig::default().feature_dim)]
    feature_dim: usize,
    /// Long videos: each at least this many seconds, scenes of 32 to 64 s with their own
    /// casts joined end to end, keeping the queries that describe one moment of the whole
    /// video. Writes the plain wording only.
    #[arg(long)]
    video_seconds: Option<f64>,
    /// A library: keep only the queries that describe a moment of exactly one video of the
    /// split (for `cmin search`). Writes the plain wording only.
    #[arg(long)]
    corpus: bool,
}

pub fn run(args: WorldArgs) -> Result<bool> {
    if args.feature_dim == 0 {
        return Err(CliError::Option("--feature-dim must be positive".into()));
    }
    let varied = match args.wording.as_str() {
        "plain" => false,
        "varied" => true,
        other => return Err(CliError::Option(format!("--wording must be plain or varied, not {other:?}"))),
    };
    let config = WorldConfig {
        fillers_per_actor: args.fillers_per_actor,
        feature_dim: args.feature_dim,
        ..WorldConfig::default()
    };
    if let Some(s) = args.video_seconds.filter(|s| !(s.is_finite() && *s > 0.0 && *s <= 86_400.0)) {
        return Err(CliError::Option(format!("--video-seconds must be in (0, 86400], not {s}")));
    }
    let plain_only = args.video_seconds.is_some() || args.corpus;
    if plain_only && varied {
        return Err(CliError::Option("--video-seconds and --corpus write the plain wording only".into()));
    }
    let mut videos: Vec<cmin_world::WorldVideo> = (0..args.videos)
        .map(|i| match args.video_seconds {
            Some(seconds) => long_video(&config, args.seed + i, seconds),
            None => generate(&config, args.seed + i),
        })
        .collect();
    if args.corpus {
        let kept: Vec<Vec<GeneratedQuery>> = videos
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let elsewhere = |q: &&GeneratedQuery| {
                    videos.iter().enumerate().any(|(j, w)| j != i && answered_in(w, &v.actors, &q.spec))
                };
                v.queries.iter().filter(|q| !elsewhere(q)).cloned().collect()
            })
            .collect();
        videos.iter_mut().zip(kept).for_each(|(v, queries)| v.queries = queries);
    }
    let dir = args.out.join("features");
    crate::files::create_dir_all(&dir)?;
    let mut annotations = BTreeMap::new();
    let mut role_sensitive = BTreeMap::new();
    let mut typed = BTreeMap::new();
    let mut worded = BTreeMap::new();
    let mut held_out = BTreeMap::new();
    let mut held_out_treebank = Vec::new();
    let mut varied_treebank = Vec::new();
    let mut by_kind: BTreeMap<String, BTreeMap<String, serde_json::Value>> = BTreeMap::new();
    let mut meta = BTreeMap::new();
    let mut answer_free: BTreeMap<String, Vec<GeneratedQuery>> = BTreeMap::new();
    let mut queries = 0;
    let mut treebank = Vec::new();
    for v in &videos {
        let seed = v.seed;
        let id = format!("world-{seed:06}");
        let f = ClipFeatures { clips: v.steps(), dim: v.feature_dim, values: v.features.clone() };
        let path = dir.join(format!("{id}.npy"));
        crate::files::write(&path, features::to_npy(&f))?;
        queries += v.queries.len();
        if plain_only {
            annotations.insert(id.clone(), entry(v.duration, v.queries.iter()));
            meta.insert(
                id,
                serde_json::json!({ "seed": seed, "kinds": v.queries.iter().map(|q| q.kind).collect::<Vec<_>>() }),
            );
            continue;
        }
        let training_words = v.worded_queries(Pool::Training);
        let held_out_words = v.worded_queries(Pool::HeldOut);
        let main: Vec<(GeneratedQuery, cmin_world::Wording)> = if varied {
            (0..args.wordings.max(1)).flat_map(|draw| v.worded_queries_drawn(Pool::Training, draw)).collect()
        } else {
            v.queries.iter().map(|q| (q.clone(), cmin_world::wording::plain(&q.spec, &v.actors))).collect()
        };
        treebank.extend(main.iter().map(|(_, w)| w.tree.clone()));
        if args.answer_free {
            let index = videos.iter().position(|other| other.seed == seed).expect("v is one of them");
            for (q, _) in &main {
                // The next of the following five videos that the sentence says nothing of.
                let elsewhere = (1..=5)
                    .map(|k| &videos[(index + k) % videos.len()])
                    .find(|other| other.seed != seed && !cmin_world::answered_in(other, &v.actors, &q.spec));
                if let Some(other) = elsewhere {
                    answer_free.entry(format!("world-{:06}", other.seed)).or_default().push(q.clone());
                }
            }
        }
        held_out_treebank.extend(held_out_words.iter().map(|(_, w)| w.tree.clone()));
        varied_treebank.extend(training_words.iter().map(|(_, w)| w.tree.clone()));
        annotations.insert(id.clone(), entry(v.duration, main.iter().map(|(q, _)| q)));
        worded.insert(id.clone(), entry(v.duration, training_words.iter().map(|(q, _)| q)));
        held_out.insert(id.clone(), entry(v.duration, held_out_words.iter().map(|(q, _)| q)));
        typed.insert(id.clone(), entry(v.duration, v.typed_queries().iter()));
        let mut kinds: BTreeMap<String, Vec<&GeneratedQuery>> = BTreeMap::new();
        for q in &v.queries {
            kinds.entry(format!("{:?}", q.kind).to_lowercase()).or_default().push(q);
        }
        for (kind, queries) in kinds {
            by_kind.entry(kind).or_default().insert(id.clone(), entry(v.duration, queries.into_iter()));
        }
        let sensitive: Vec<_> = v.queries.iter().filter(|q| q.role_sensitive).collect();
        if !sensitive.is_empty() {
            role_sensitive.insert(id.clone(), entry(v.duration, sensitive.into_iter()));
        }
        meta.insert(
            id,
            serde_json::json!({
                "seed": seed,
                "kinds": v.queries.iter().map(|q| q.kind).collect::<Vec<_>>(),
                "role_sensitive": v.queries.iter().map(|q| q.role_sensitive).collect::<Vec<_>>(),
            }),
        );
    }
    let write = |name: String, value: &BTreeMap<String, serde_json::Value>| -> Result<()> {
        let path = args.out.join(name);
        crate::files::write(&path, serde_json::to_string(value).expect("serialisable"))
    };
    write(format!("{}.json", args.split), &annotations)?;
    write(format!("{}-meta.json", args.split), &meta)?;
    if plain_only {
        println!("{} videos, {queries} queries -> {}", args.videos, args.out.display());
        return Ok(true);
    }
    write(format!("{}-role-sensitive.json", args.split), &role_sensitive)?;
    if args.answer_free {
        let entries: BTreeMap<String, serde_json::Value> = answer_free
            .iter()
            .map(|(id, queries)| {
                let duration =
                    videos.iter().find(|v| format!("world-{:06}", v.seed) == *id).map_or(0.0, |v| v.duration);
                let none: Vec<GeneratedQuery> =
                    queries.iter().map(|q| GeneratedQuery { start: 0.0, end: 0.0, ..q.clone() }).collect();
                (id.clone(), entry(duration, none.iter()))
            })
            .collect();
        write(format!("{}-answer-free.json", args.split), &entries)?;
    }
    write(format!("{}-typed.json", args.split), &typed)?;
    write(format!("{}-varied.json", args.split), &worded)?;
    write(format!("{}-held-out.json", args.split), &held_out)?;
    for (kind, videos) in &by_kind {
        write(format!("{}-kind-{kind}.json", args.split), videos)?;
    }
    if let Some(path) = &args.treebank {
        crate::files::write(path, conllu::write(&treebank))?;
    }
    if let Some(path) = &args.varied_treebank {
        crate::files::write(path, conllu::write(&varied_treebank))?;
    }
    if let Some(path) = &args.held_out_treebank {
        crate::files::write(path, conllu::write(&held_out_treebank))?;
    }
    println!("{} videos, {queries} queries -> {}", args.videos, args.out.display());
    Ok(true)
}

/// A video's entry in 2D-TAN's layout.
fn entry<'a>(duration: f64, queries: impl Iterator<Item = &'a GeneratedQuery> + Clone) -> serde_json::Value {
    serde_json::json!({
        "duration": duration,
        "timestamps": queries.clone().map(|q| [q.start, q.end]).collect::<Vec<_>>(),
        "sentences": queries.map(|q| q.text.clone()).collect::<Vec<_>>(),
    })
}
