//! Long videos and libraries: scenes (world videos, each with its own cast) joined end to end,
//! and queries kept only where they describe one moment of the whole video, or of the whole
//! library. A query names its actors by colour and shape (and size, when a twin shares them),
//! so an actor of another scene that the same words fit is the same actor to a reader.

use super::actors::{Actor, twins};
use super::query::{Form, QuerySpec};
use super::{Event, GeneratedQuery, WorldConfig, WorldVideo, generate};
use cmin_random::Rng;

/// Whether the words that name actor `a` of `cast` also fit actor `x` of another scene.
fn named_alike(a: &Actor, cast: &[Actor], x: &Actor) -> bool {
    a.colour == x.colour && a.shape == x.shape && (!twins(a, cast) || a.size == x.size)
}

/// Whether `query` (of `scenes[home]`) describes nothing in any other scene: no actor its
/// words fit does its action there (as agent, in any construction), none does before/after's
/// other action or joins a coordination, and no concurrent events there spell its agent and
/// action out together.
pub fn unique_across(scenes: &[WorldVideo], home: usize, query: &GeneratedQuery) -> bool {
    let cast = &scenes[home].actors;
    let spec = &query.spec;
    let mut named = vec![(spec.agent, spec.action)];
    match spec.form {
        Form::Before { other, other_action } | Form::After { other, other_action } => named.push((other, other_action)),
        Form::Coordination { second } => named.push((second, spec.action)),
        _ => {}
    }
    scenes.iter().enumerate().filter(|&(j, _)| j != home).all(|(_, scene)| {
        let fits = |who: usize, e: &Event| named_alike(&cast[who], cast, &scene.actors[e.agent]);
        let acted = named.iter().any(|&(who, action)| scene.events.iter().any(|e| e.action == action && fits(who, e)));
        let spelled = scene
            .events
            .iter()
            .filter(|e| e.action == spec.action)
            .any(|e| scene.events.iter().any(|f| fits(spec.agent, f) && f.start < e.end && e.start < f.end));
        !acted && !spelled
    })
}

/// Whether `spec`, whose actors are `cast`'s, describes a moment of `video` (another video of
/// a library): some actors of it that the query's words fit answer it there, or concurrent
/// events there spell it out.
pub fn answered_in(video: &WorldVideo, cast: &[Actor], spec: &QuerySpec) -> bool {
    let roles = spec.actors();
    let fits: Vec<Vec<usize>> = roles
        .iter()
        .map(|&r| (0..video.actors.len()).filter(|&x| named_alike(&cast[r], cast, &video.actors[x])).collect())
        .collect();
    // Every assignment of fitting actors to the roles (at most a few: a cast has four).
    let mut assignments: Vec<Vec<usize>> = vec![vec![]];
    for options in &fits {
        assignments = assignments
            .iter()
            .flat_map(|a| options.iter().filter(|x| !a.contains(x)).map(move |&x| [a.clone(), vec![x]].concat()))
            .collect();
    }
    assignments.iter().any(|chosen| {
        let there = spec.map_actors(|a| chosen[roles.iter().position(|&r| r == a).expect("a named actor")]);
        !there.answers(&video.events).is_empty() || there.spurious(&video.events, (0, 0))
    })
}

/// Scenes joined end to end: features, actors and events in one video; each scene's queries
/// that [`unique_across`] keeps, with their answers moved to the scene's place.
pub fn join(scenes: &[WorldVideo], seed: u64) -> WorldVideo {
    let first = &scenes[0];
    let mut video = WorldVideo {
        seed,
        actors: Vec::new(),
        events: Vec::new(),
        features: Vec::new(),
        feature_dim: first.feature_dim,
        duration: 0.0,
        step_seconds: first.step_seconds,
        queries: Vec::new(),
        scenes: Vec::new(),
    };
    for (i, scene) in scenes.iter().enumerate() {
        let (actors, steps, seconds) = (video.actors.len(), video.steps(), video.duration);
        let moved = |a: usize| a + actors;
        video.events.extend(scene.events.iter().map(|e| Event {
            agent: moved(e.agent),
            patient: e.patient.map(moved),
            start: e.start + steps,
            end: e.end + steps,
            ..e.clone()
        }));
        video.queries.extend(scene.queries.iter().filter(|q| unique_across(scenes, i, q)).map(|q| GeneratedQuery {
            spec: q.spec.map_actors(moved),
            start: q.start + seconds,
            end: q.end + seconds,
            ..q.clone()
        }));
        let length = scene.steps();
        video.scenes.push(super::Scene {
            start: steps,
            end: steps + length,
            first_actor: actors,
            actors: scene.actors.len(),
        });
        video.actors.extend_from_slice(&scene.actors);
        video.features.extend_from_slice(&scene.features);
        video.duration += scene.duration;
    }
    video
}

/// A video at least `seconds` long: scenes of 32 to 64 seconds (the last up to 96), each a
/// world video of its own cast and events, joined by [`join`].
pub fn long_video(config: &WorldConfig, seed: u64, seconds: f64) -> WorldVideo {
    let mut rng = Rng::new(seed ^ 0x6c6f_6e67);
    let target = (seconds / config.step_seconds).ceil() as usize;
    let (min, spread) = (32.0 / config.step_seconds, 32.0 / config.step_seconds);
    let (min, spread) = (min as usize, spread as usize);
    let mut scenes = Vec::new();
    let mut steps = 0;
    while steps < target {
        let remaining = target - steps;
        let mut length = min + rng.below(spread + 1);
        if remaining < length + min {
            length = remaining.max(min);
        }
        let scene_seed = seed.wrapping_mul(1_000_003).wrapping_add(scenes.len() as u64);
        scenes.push(generate(&WorldConfig { steps: length, ..config.clone() }, scene_seed));
        steps += length;
    }
    join(&scenes, seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_videos_keep_only_queries_unique_in_the_whole_video() {
        let c = WorldConfig::default();
        let v = long_video(&c, 5, 600.0);
        assert!(v.duration >= 600.0 && v.duration < 700.0, "{}", v.duration);
        assert_eq!(v.features.len(), v.steps() * c.feature_dim);
        assert_eq!(v.steps() as f64 * c.step_seconds, v.duration);
        assert!(v.queries.len() >= 10, "{} queries", v.queries.len());
        let mut late = 0;
        for q in &v.queries {
            // The answer moved with its scene: the query's spec answers it, once, in the
            // joined events.
            let answers = q.spec.answers(&v.events);
            assert_eq!(answers.len(), 1, "{}", q.text);
            let (s, e) = answers[0];
            assert_eq!((s as f64 * c.step_seconds, e as f64 * c.step_seconds), (q.start, q.end));
            late += (q.start > 300.0) as usize;
            // No actor that looks like the agent does its action anywhere else.
            let a = &v.actors[q.spec.agent];
            for e in v.events.iter().filter(|e| e.action == q.spec.action && e.agent != q.spec.agent) {
                let x = &v.actors[e.agent];
                assert!((x.colour, x.shape, x.size) != (a.colour, a.shape, a.size), "{}: {x:?} too", q.text);
            }
        }
        assert!(late > 0, "answers spread through the video");
        assert_eq!(long_video(&c, 5, 600.0), v, "deterministic by seed");
        // Scenes tile the video; each actor is drawn in its own scene only.
        assert_eq!((v.scenes[0].start, v.scenes.last().unwrap().end), (0, v.steps()));
        assert!(
            v.scenes.windows(2).all(|p| p[0].end == p[1].start && p[0].first_actor + p[0].actors == p[1].first_actor)
        );
        let t = v.scenes[2].start + 3;
        let visible: Vec<bool> = v.poses(t).iter().map(|p| p.visible).collect();
        let cast = v.scenes[2].first_actor..v.scenes[2].first_actor + v.scenes[2].actors;
        assert!(visible.iter().enumerate().all(|(i, &seen)| seen == cast.contains(&i)));
    }

    #[test]
    fn a_query_is_dropped_when_another_scene_holds_its_words() {
        let c = WorldConfig::default();
        let scene = generate(&c, 3);
        // The same scene twice: every query now has a second answer.
        let twice = join(&[scene.clone(), scene.clone()], 0);
        assert!(twice.queries.is_empty());
        assert_eq!(twice.duration, 2.0 * scene.duration);
        let once = join(std::slice::from_ref(&scene), 0);
        assert_eq!(once.queries, scene.queries);
    }

    #[test]
    fn a_library_query_is_answered_in_its_own_video_only() {
        let c = WorldConfig::default();
        let scene = generate(&c, 3);
        for q in &scene.queries {
            assert!(answered_in(&scene, &scene.actors, &q.spec), "{}", q.text);
        }
        // Another video with the same cast but none of the events answers nothing.
        let empty = WorldVideo { events: vec![], ..scene.clone() };
        assert!(scene.queries.iter().all(|q| !answered_in(&empty, &scene.actors, &q.spec)));
        // Across a library, some queries are unique and some are not.
        let library: Vec<WorldVideo> = (0..30).map(|s| generate(&c, s)).collect();
        let (mut kept, mut all) = (0, 0);
        for (i, v) in library.iter().enumerate() {
            for q in &v.queries {
                all += 1;
                kept += library.iter().enumerate().all(|(j, w)| j == i || !answered_in(w, &v.actors, &q.spec)) as usize;
            }
        }
        assert!(kept > 0 && kept < all, "{kept} of {all}");
    }
}
