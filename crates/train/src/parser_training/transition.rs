//! Training the arc-hybrid transition parser: an averaged perceptron with a dynamic oracle,
//! following its own predictions from `explore_from` on.

use cmin_parser::arc_hybrid::{self, DependencyParser, Input};
use cmin_parser::perceptron::best;
use cmin_parser::transition::{Configuration, NONE, num_actions};
use cmin_parser::words::WordAtoms;
use cmin_random::Rng;

use super::averaged::Trainable;

/// A training sentence: gold heads and label ids with the root at index 0.
pub struct TransitionExample {
    pub atoms: Vec<WordAtoms>,
    pub tags: Vec<u64>,
    pub heads: Vec<usize>,
    pub labels: Vec<usize>,
}

pub struct PerceptronOptions {
    pub epochs: usize,
    pub seed: u64,
    /// From this epoch on, follow the model's own (possibly wrong) prediction with
    /// probability `explore`, so it learns to recover from its mistakes.
    pub explore_from: usize,
    pub explore: f64,
    pub prune: f32,
}

/// Trains the arc-hybrid parser on examples; `epoch_done(epoch, frozen_parser)` may evaluate
/// and report.
pub fn train_transition_parser(
    labels: Vec<String>,
    examples: &[TransitionExample],
    options: &PerceptronOptions,
    mut epoch_done: impl FnMut(usize, &DependencyParser),
) -> DependencyParser {
    let classes = num_actions(labels.len());
    let mut model = Trainable::new(classes);
    let mut rng = Rng::new(options.seed);
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut feats = Vec::with_capacity(160);
    let mut scores = vec![0f32; classes];
    let mut costs = vec![0usize; classes];
    for epoch in 0..options.epochs {
        rng.shuffle(&mut order);
        for &e in &order {
            let ex = &examples[e];
            let input = Input { atoms: &ex.atoms, tags: &ex.tags };
            let mut st = Configuration::new(ex.atoms.len() - 1);
            while !st.is_terminal() {
                arc_hybrid::features(&input, &st, &mut feats);
                model.score(&feats, &mut scores);
                let unlabeled = st.costs(&ex.heads);
                for (a, cost) in costs.iter_mut().enumerate() {
                    *cost = if st.is_valid(a) { st.action_cost(a, &unlabeled, &ex.heads, &ex.labels) } else { NONE };
                }
                let min = *costs.iter().min().expect("classes > 0");
                let guess = best(&scores, |a| costs[a] != NONE).expect("valid action");
                let gold = best(&scores, |a| costs[a] == min).expect("min-cost action");
                if costs[guess] > min {
                    model.update(&feats, gold, guess);
                }
                model.tick();
                let follow = if epoch >= options.explore_from && rng.unit() < options.explore { guess } else { gold };
                st.apply(follow);
            }
        }
        let parser = DependencyParser { labels: labels.clone(), weights: model.freeze(options.prune) };
        epoch_done(epoch, &parser);
    }
    DependencyParser { labels, weights: model.freeze(options.prune) }
}
