//! What the demo draws: each actor's pose at a time step, following its events.

use serde::Serialize;

use super::WorldVideo;
use super::actors::Action;

/// One actor at one step, on the unit stage (x right, y up).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Pose {
    pub x: f32,
    pub y: f32,
    /// Radius-like scale relative to the actor's size.
    pub scale: f32,
    /// Radians.
    pub rotation: f32,
    /// 1 normally, up to 2 while flashing.
    pub brightness: f32,
    /// The action under way, if any (for captions).
    pub action: Option<Action>,
    /// On stage at this step: in a long video, only the cast of the scene under way is.
    pub visible: bool,
}

pub fn poses(video: &WorldVideo, t: usize) -> Vec<Pose> {
    use std::f32::consts::PI;
    let scene = video.scene_at(t);
    let cast = scene.first_actor..scene.first_actor + scene.actors;
    let mut poses: Vec<Pose> = video
        .actors
        .iter()
        .enumerate()
        .map(|(i, a)| Pose {
            x: a.home.0,
            y: a.home.1,
            scale: 1.0,
            rotation: 0.0,
            brightness: 1.0,
            action: None,
            visible: cast.contains(&i),
        })
        .collect();
    for e in video.events.iter().filter(|e| e.start <= t && t < e.end) {
        let p = (t - e.start) as f32 / (e.end - e.start) as f32;
        let wave = (PI * p).sin();
        let agent = &mut poses[e.agent];
        agent.action = Some(e.action);
        match e.action {
            Action::Jump => agent.y += 0.18 * wave,
            Action::Spin => agent.rotation = 4.0 * PI * p,
            Action::Grow => agent.scale = 1.0 + 0.6 * wave,
            Action::Shrink => agent.scale = 1.0 - 0.45 * wave,
            Action::Flash => agent.brightness = 1.0 + (4.0 * PI * p).sin().abs(),
            Action::MoveLeft => agent.x -= 0.15 * wave,
            Action::MoveRight => agent.x += 0.15 * wave,
            Action::Push | Action::Follow => {
                let patient = e.patient.expect("transitive events have a patient");
                let (from, to) = (video.actors[e.agent].home, video.actors[patient].home);
                let direction = (to.0 - from.0).signum();
                if e.action == Action::Push {
                    // Approach in the first half, then shove: the patient slides away.
                    let approach = (2.0 * p).min(1.0);
                    poses[e.agent].x = from.0 + (to.0 - from.0) * 0.8 * approach;
                    if p > 0.5 {
                        poses[patient].x = to.0 + direction * 0.2 * (2.0 * p - 1.0);
                    }
                } else {
                    // The patient wanders; the agent trails it at a distance.
                    let lead = 0.2 * (2.0 * PI * p).sin();
                    poses[patient].x = to.0 + lead;
                    poses[e.agent].x = to.0 + lead - direction * 0.12 * (1.0 - wave * 0.3);
                    poses[e.agent].y = to.1;
                }
                poses[patient].action.get_or_insert(e.action);
            }
        }
    }
    poses
}
