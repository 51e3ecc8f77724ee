//! A synthetic world where syntax decides the answer: a small stage with actors (shape x
//! colour x size) performing actions over time, clip features that imitate a pretrained
//! action network, and English queries whose answer depends on who does what to whom.
//!
//! Deterministic for a seed. Every video holds distractor events that share the query's
//! words in other roles (agent and patient swapped, the same action by another actor), so a
//! bag of words cannot tell the target from the distractor.

mod actors;
mod features;
pub mod lexicon;
mod long;
mod query;
mod render;
mod treebank;
mod typed;
pub mod wording;

use serde::Serialize;

pub use actors::{ACTIONS, Action, Actor, COLOURS, Colour, SHAPES, Shape, Size, describe};
pub use lexicon::Pool;
pub use long::{answered_in, join, long_video, unique_across};

pub use query::{GeneratedQuery, QueryKind};
pub use render::Pose;
pub use treebank::gold_tree;
pub use wording::{Frame, Wording};

use cmin_random::Rng;

/// World settings. The defaults make 48-second videos of 96 half-second steps with 64-d
/// features and no background actions beyond the scenarios' own events and distractors: with
/// three background actions per actor and 128-d features, CMIN stayed near chance for 12
/// epochs (BENCHMARKS.md).
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct WorldConfig {
    pub steps: usize,
    pub step_seconds: f64,
    pub feature_dim: usize,
    pub min_actors: usize,
    pub max_actors: usize,
    /// Scenario queries attempted per video (each with its distractors).
    pub scenarios: usize,
    /// Seed of the simulated feature network (fixed across a dataset, like a pretrained CNN).
    pub network_seed: u64,
    /// Strength of the correlated noise added to the features.
    pub noise: f32,
    /// Background actions attempted per actor after the scenarios (each kept only if every
    /// query stays answerable): the clutter a query's moment hides in.
    pub fillers_per_actor: usize,
}

impl Default for WorldConfig {
    fn default() -> Self {
        WorldConfig {
            steps: 96,
            step_seconds: 0.5,
            feature_dim: 64,
            min_actors: 3,
            max_actors: 4,
            scenarios: 3,
            network_seed: 7,
            noise: 0.15,
            fillers_per_actor: 0,
        }
    }
}

/// Something an actor does over `[start, end)` steps, maybe to another actor.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Event {
    pub action: Action,
    pub agent: usize,
    pub patient: Option<usize>,
    pub start: usize,
    pub end: usize,
}

/// One generated video.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WorldVideo {
    pub seed: u64,
    pub actors: Vec<Actor>,
    pub events: Vec<Event>,
    /// Row-major `[steps, feature_dim]` clip features.
    pub features: Vec<f32>,
    pub feature_dim: usize,
    pub duration: f64,
    pub step_seconds: f64,
    /// Queries with exactly one answer each.
    pub queries: Vec<GeneratedQuery>,
    /// The scenes, in order: one for a generated video, several for a long one.
    pub scenes: Vec<Scene>,
}

/// A stretch of a video with its own cast: steps `[start, end)`, actors `[first_actor,
/// first_actor + actors)`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Scene {
    pub start: usize,
    pub end: usize,
    pub first_actor: usize,
    pub actors: usize,
}

impl WorldVideo {
    pub fn steps(&self) -> usize {
        self.features.len() / self.feature_dim
    }

    /// What to draw at step `t`: one pose per actor (visible in its own scene only).
    pub fn poses(&self, t: usize) -> Vec<Pose> {
        render::poses(self, t)
    }

    /// The scene step `t` belongs to.
    pub fn scene_at(&self, t: usize) -> &Scene {
        let i = self.scenes.partition_point(|s| s.end <= t);
        &self.scenes[i.min(self.scenes.len() - 1)]
    }

    /// How the queries name actor `i`: by colour and shape, and size when a twin shares them
    /// in its scene.
    pub fn name(&self, i: usize) -> String {
        let scene = self.scenes.iter().find(|s| (s.first_actor..s.first_actor + s.actors).contains(&i));
        match scene {
            Some(s) => describe(i - s.first_actor, &self.actors[s.first_actor..s.first_actor + s.actors]),
            None => describe(i, &self.actors),
        }
    }

    /// The queries in the words and frames people use, drawn from `pool` (same answers, each
    /// with its gold tree); deterministic by seed, and drawn apart from the video itself so
    /// that a wording never changes what happens in it.
    pub fn worded_queries(&self, pool: Pool) -> Vec<(GeneratedQuery, Wording)> {
        self.worded_queries_drawn(pool, 0)
    }

    /// Another draw of [`Self::worded_queries`] (draw 0 is that one): a training set may
    /// take several wordings of each query.
    pub fn worded_queries_drawn(&self, pool: Pool, draw: u64) -> Vec<(GeneratedQuery, Wording)> {
        let salt = match pool {
            Pool::Training => 0x776f_7264_73,
            Pool::HeldOut => 0x6865_6c64,
        };
        let mut rng = Rng::new(self.seed ^ salt ^ draw.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        self.queries
            .iter()
            .map(|q| {
                let w = wording::varied(&q.spec, &self.actors, &mut rng, pool);
                (GeneratedQuery { text: w.text.clone(), ..q.clone() }, w)
            })
            .collect()
    }

    /// The queries reworded as a person might type them (same answers), for evaluation only.
    pub fn typed_queries(&self) -> Vec<GeneratedQuery> {
        let mut rng = Rng::new(self.seed ^ 0x7479_7065_64);
        self.queries
            .iter()
            .map(|q| GeneratedQuery { text: typed::typed_text(&q.spec, &self.actors, &mut rng), ..q.clone() })
            .collect()
    }
}

/// Generates the video of a seed.
pub fn generate(config: &WorldConfig, seed: u64) -> WorldVideo {
    let mut rng = Rng::new(seed ^ 0x5eed_0f_3011d);
    let actors = actors::cast(config, &mut rng);
    let mut timeline = query::Staging::new(config.steps, actors.len());
    // A query is kept only while the events answer it exactly once and no mix of
    // concurrent events imitates it elsewhere; a scenario or filler that breaks that for
    // any query is undone.
    let valid = |q: &GeneratedQuery, events: &[Event]| {
        let spans = q.spec.answers(events);
        spans.len() == 1 && !q.spec.spurious(events, spans[0])
    };
    let mut queries: Vec<GeneratedQuery> = Vec::new();
    for _ in 0..config.scenarios * 3 {
        if queries.len() == config.scenarios {
            break;
        }
        let before = timeline.clone();
        match query::scenario(&actors, &mut timeline, &mut rng) {
            Some(q) if valid(&q, &timeline.events) && queries.iter().all(|p| valid(p, &timeline.events)) => {
                queries.push(q)
            }
            _ => timeline = before,
        }
    }
    timeline.fill(&actors, config.fillers_per_actor, &mut rng, |events| queries.iter().all(|q| valid(q, events)));
    let events = timeline.events;
    let queries: Vec<GeneratedQuery> = queries
        .into_iter()
        .map(|q| {
            let span = q.spec.answers(&events)[0];
            q.with_answer(span, config.step_seconds)
        })
        .collect();
    let features = features::render(config, &actors, &events, seed);
    let cast = actors.len();
    WorldVideo {
        seed,
        actors,
        events,
        features,
        feature_dim: config.feature_dim,
        duration: config.steps as f64 * config.step_seconds,
        step_seconds: config.step_seconds,
        queries,
        scenes: vec![Scene { start: 0, end: config.steps, first_actor: 0, actors: cast }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_by_seed() {
        let c = WorldConfig::default();
        assert_eq!(generate(&c, 3), generate(&c, 3));
        assert_ne!(generate(&c, 3).features, generate(&c, 4).features);
    }

    #[test]
    fn videos_have_answerable_queries_with_distractors() {
        let c = WorldConfig::default();
        let (mut queries, mut sensitive, mut kinds) = (0, 0, std::collections::HashSet::new());
        for seed in 0..200 {
            let v = generate(&c, seed);
            assert_eq!(v.features.len(), c.steps * c.feature_dim);
            assert!(v.features.iter().all(|x| x.is_finite()));
            for e in &v.events {
                assert!(e.start < e.end && e.end <= c.steps);
                assert_eq!(e.action.is_transitive(), e.patient.is_some());
            }
            // One action at a time per actor.
            for a in 0..v.actors.len() {
                let mut busy = vec![false; c.steps];
                for e in v.events.iter().filter(|e| e.agent == a || e.patient == Some(a)) {
                    for t in e.start..e.end {
                        assert!(!busy[t], "seed {seed}: actor {a} double-booked at {t}");
                        busy[t] = true;
                    }
                }
            }
            for q in &v.queries {
                let answers = q.spec.answers(&v.events);
                assert_eq!(answers.len(), 1, "seed {seed}: {}", q.text);
                assert!(!q.spec.spurious(&v.events, answers[0]), "seed {seed}: {}", q.text);
                assert!(0.0 <= q.start && q.start < q.end && q.end <= v.duration);
                queries += 1;
                sensitive += q.role_sensitive as usize;
                kinds.insert(q.kind);
            }
        }
        assert!(queries >= 300, "{queries} queries from 200 videos");
        assert!(sensitive * 4 >= queries, "{sensitive} of {queries} are role-sensitive");
        assert_eq!(kinds.len(), 8, "every construction occurs: {kinds:?}");
    }

    #[test]
    fn concurrent_events_that_spell_out_a_query_are_spurious() {
        let spec = query::QuerySpec { agent: 0, action: Action::Jump, form: query::Form::Intransitive };
        let e = |action, agent, start, end| Event { action, agent, patient: None, start, end };
        // Actor 0 spins while actor 1 jumps: the features hold "0" and "jump" at once.
        let overlapping = [e(Action::Jump, 0, 0, 4), e(Action::Spin, 0, 10, 14), e(Action::Jump, 1, 12, 16)];
        assert!(spec.spurious(&overlapping, (0, 4)));
        let apart = [e(Action::Jump, 0, 0, 4), e(Action::Spin, 0, 10, 14), e(Action::Jump, 1, 20, 24)];
        assert!(!spec.spurious(&apart, (0, 4)));
        // Before/after's second real occurrence is its intended distractor, not a spurious one.
        let before = query::QuerySpec { form: query::Form::Before { other: 1, other_action: Action::Spin }, ..spec };
        let events = [e(Action::Jump, 0, 0, 4), e(Action::Spin, 1, 6, 9), e(Action::Jump, 0, 12, 16)];
        assert!(!before.spurious(&events, (0, 4)));
    }

    #[test]
    fn roles_change_the_features() {
        let c = WorldConfig { noise: 0.0, ..WorldConfig::default() };
        let mut rng = Rng::new(1);
        let actors = actors::cast(&c, &mut rng);
        let event = |agent, patient| Event { action: Action::Push, agent, patient: Some(patient), start: 2, end: 8 };
        let f1 = features::render(&c, &actors, &[event(0, 1)], 5);
        let f2 = features::render(&c, &actors, &[event(1, 0)], 5);
        let d = c.feature_dim;
        let row = |f: &[f32]| f[4 * d..5 * d].to_vec();
        let diff: f32 = row(&f1).iter().zip(row(&f2)).map(|(a, b)| (a - b).powi(2)).sum::<f32>().sqrt();
        let norm: f32 = row(&f1).iter().map(|a| a * a).sum::<f32>().sqrt();
        assert!(diff > 0.3 * norm, "swapping agent and patient moves the features ({diff} vs {norm})");
        // The action code is present while the event runs, absent outside.
        let code = features::action_code(&c, Action::Push);
        let dot = |f: &[f32], t: usize| f[t * d..(t + 1) * d].iter().zip(&code).map(|(a, b)| a * b).sum::<f32>();
        assert!(dot(&f1, 4) > dot(&f1, 20) + 0.5);
    }

    #[test]
    fn typed_queries_keep_the_meaning_in_other_words() {
        let c = WorldConfig::default();
        let mut kinds = std::collections::HashSet::new();
        for seed in 0..60 {
            let v = generate(&c, seed);
            for (q, t) in v.queries.iter().zip(v.typed_queries()) {
                assert_ne!(q.text, t.text);
                assert!(!t.text.contains('{') && !t.text.contains("  "), "{}", t.text);
                assert_eq!((q.start, q.end, &q.spec), (t.start, t.end, &t.spec));
                kinds.insert(q.kind);
            }
        }
        assert_eq!(kinds.len(), 8);
        let v = generate(&c, 11);
        assert_eq!(v.typed_queries(), v.typed_queries(), "deterministic by seed");
    }

    #[test]
    fn queries_read_naturally_and_poses_follow_events() {
        let v = generate(&WorldConfig::default(), 11);
        for q in &v.queries {
            assert!(q.text.starts_with("the "), "{}", q.text);
            assert!(!q.text.contains("  "));
        }
        let e = &v.events[0];
        let mid = (e.start + e.end) / 2;
        assert_eq!(v.poses(mid)[e.agent].action, Some(e.action));
        assert_eq!(v.poses(mid).len(), v.actors.len());
    }
}
