//! Clip features that imitate a pretrained action network. Each active event adds a
//! role-bound code: its action, plus the agent's and the patient's appearance each bound
//! (elementwise, by a sign key per role) to their role, so "red pushes blue" and "blue
//! pushes red" give different features although the same actors and action are involved.
//! A static appearance term for everyone on stage, slow scene drift and temporally
//! correlated noise complete it. Entries have roughly unit scale, like normalised CNN
//! features.
//!
//! The role keys are shared by all actions, so a code is a sum of parts a model can read
//! linearly; the generator instead rejects queries that concurrent events could spell out
//! by superposition (see `QuerySpec::spurious`).

use super::actors::{ACTIONS, Actor, COLOURS, SHAPES};
use super::{Event, WorldConfig};
use cmin_random::Rng;

struct Network {
    dim: usize,
    colour: Vec<Vec<f32>>,
    shape: Vec<Vec<f32>>,
    size: Vec<Vec<f32>>,
    action: Vec<Vec<f32>>,
    agent_key: Vec<f32>,
    patient_key: Vec<f32>,
    onset: Vec<f32>,
    offset: Vec<f32>,
}

fn gaussian(rng: &mut Rng) -> f32 {
    // Box-Muller; u1 in (0, 1].
    let u1 = 1.0 - rng.unit();
    let u2 = rng.unit();
    ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()) as f32
}

fn vector(dim: usize, rng: &mut Rng) -> Vec<f32> {
    (0..dim).map(|_| gaussian(rng)).collect()
}

fn signs(dim: usize, rng: &mut Rng) -> Vec<f32> {
    (0..dim).map(|_| if rng.unit() < 0.5 { -1.0 } else { 1.0 }).collect()
}

impl Network {
    fn new(dim: usize, seed: u64) -> Self {
        let mut rng = Rng::new(seed ^ 0x6e65_7477_6f72_6b);
        let mut table =
            |n: usize, f: &mut dyn FnMut(&mut Rng) -> Vec<f32>| (0..n).map(|_| f(&mut rng)).collect::<Vec<_>>();
        let colour = table(COLOURS.len(), &mut |r| vector(dim, r));
        let shape = table(SHAPES.len(), &mut |r| vector(dim, r));
        let size = table(2, &mut |r| vector(dim, r));
        let action = table(ACTIONS.len(), &mut |r| vector(dim, r));
        let agent_key = signs(dim, &mut rng);
        let patient_key = signs(dim, &mut rng);
        let onset = vector(dim, &mut rng);
        let offset = vector(dim, &mut rng);
        Network { dim, colour, shape, size, action, agent_key, patient_key, onset, offset }
    }

    fn appearance(&self, a: &Actor) -> Vec<f32> {
        (0..self.dim)
            .map(|d| {
                self.colour[a.colour as usize][d]
                    + self.shape[a.shape as usize][d]
                    + 0.5 * self.size[a.size as usize][d]
            })
            .collect()
    }
}

fn add(out: &mut [f32], v: &[f32], w: f32) {
    for (o, x) in out.iter_mut().zip(v) {
        *o += w * x;
    }
}

/// Row-major `[steps, dim]` features of a video.
pub fn render(config: &WorldConfig, actors: &[Actor], events: &[Event], seed: u64) -> Vec<f32> {
    let (steps, dim) = (config.steps, config.feature_dim);
    let net = Network::new(dim, config.network_seed);
    let looks: Vec<Vec<f32>> = actors.iter().map(|a| net.appearance(a)).collect();
    let mut rng = Rng::new(seed ^ 0x6e6f_6973_65);
    let mut out = vec![0f32; steps * dim];
    let mut drift = vector(dim, &mut rng);
    let mut noise = vec![0f32; dim];
    for t in 0..steps {
        let row = &mut out[t * dim..(t + 1) * dim];
        for look in &looks {
            add(row, look, 0.2);
        }
        for e in events.iter().filter(|e| e.start <= t && t < e.end) {
            let progress = (t - e.start) as f32 / (e.end - e.start) as f32;
            // Rises and falls over the event, never zero inside it.
            let envelope = 0.4 + 0.6 * (std::f32::consts::PI * (0.1 + 0.8 * progress)).sin();
            let v = e.action as usize;
            add(row, &net.action[v], envelope);
            let bound: Vec<f32> = looks[e.agent].iter().zip(&net.agent_key).map(|(x, k)| x * k).collect();
            add(row, &bound, envelope);
            if let Some(p) = e.patient {
                let bound: Vec<f32> = looks[p].iter().zip(&net.patient_key).map(|(x, k)| x * k).collect();
                add(row, &bound, envelope);
            }
            if t == e.start {
                add(row, &net.onset, 0.5);
            }
            if t + 1 == e.end {
                add(row, &net.offset, 0.5);
            }
        }
        for d in 0..dim {
            drift[d] = 0.98 * drift[d] + 0.02 * gaussian(&mut rng);
            noise[d] = 0.7 * noise[d] + 0.3 * gaussian(&mut rng);
            row[d] += 0.3 * drift[d] + config.noise * noise[d] * 3.0;
        }
    }
    out
}

/// The action code alone (for tests: which actions a feature row holds).
#[cfg(test)]
pub(crate) fn action_code(config: &WorldConfig, action: super::actors::Action) -> Vec<f32> {
    Network::new(config.feature_dim, config.network_seed).action[action as usize].clone()
}
