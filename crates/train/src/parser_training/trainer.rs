//! Batching, the loss (cross-entropy over each word's head, then over its label at the gold
//! head), Adam updates, and decoding with Eisner's algorithm for evaluation.

use burn::grad_clipping::GradientClippingConfig;
use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::activation::log_softmax;
use burn::tensor::{Device, Int, Tensor, TensorData};

use cmin_parser::conllu::Sentence;
use cmin_parser::neural_inputs::{Lexicon, TokenIds, UNKNOWN};
use cmin_parser::words::Clusters;
use cmin_random::Rng;

use super::network::{BiaffineNetwork, TokenBatch};
use cmin_model::error::{CminError, Result};

/// A training sentence: ids with the root first, gold heads and label ids (root: 0).
#[derive(Clone, Debug)]
pub struct ScorerExample {
    pub ids: TokenIds,
    pub heads: Vec<usize>,
    pub labels: Vec<usize>,
}

/// `tags[i]` are the (jackknifed) tagger ids of sentence `i`; unknown labels map to 0.
pub fn examples(
    sentences: &[Sentence],
    tags: &[Vec<u8>],
    lexicon: &Lexicon,
    clusters: &Clusters,
    labels: &[String],
) -> Vec<ScorerExample> {
    sentences
        .iter()
        .zip(tags)
        .map(|(s, t)| ScorerExample {
            ids: lexicon.token_ids(clusters, &s.forms, t),
            heads: std::iter::once(0).chain(s.heads.iter().copied()).collect(),
            labels: std::iter::once(0)
                .chain(s.deprels.iter().map(|l| labels.iter().position(|x| x == l).unwrap_or(0)))
                .collect(),
        })
        .collect()
}

fn int_tensor(values: Vec<i64>, shape: [usize; 2], device: &Device) -> Tensor<2, Int> {
    Tensor::from_data(TensorData::new(values, shape), device)
}

/// Pads a batch. With `word_dropout`, each word id becomes "unknown" with that probability,
/// so the model learns to lean on clusters, suffixes and tags for rare words.
pub fn token_batch(batch: &[&ScorerExample], device: &Device, mut word_dropout: Option<(&mut Rng, f64)>) -> TokenBatch {
    let t = batch.iter().map(|e| e.ids.len()).max().unwrap_or(1);
    let b = batch.len();
    let pad = |f: &dyn Fn(&TokenIds) -> &Vec<u32>| -> Vec<i64> {
        batch
            .iter()
            .flat_map(|e| {
                let v = f(&e.ids);
                (0..t).map(move |i| v.get(i).copied().unwrap_or(0) as i64)
            })
            .collect()
    };
    let mut words = pad(&|x| &x.words);
    if let Some((rng, p)) = word_dropout.as_mut() {
        for w in words.iter_mut().filter(|w| **w > UNKNOWN as i64) {
            if rng.unit() < *p {
                *w = UNKNOWN as i64;
            }
        }
    }
    TokenBatch {
        words: int_tensor(words, [b, t], device),
        clusters: int_tensor(pad(&|x| &x.clusters), [b, t], device),
        tags: int_tensor(pad(&|x| &x.tags), [b, t], device),
        suffixes: int_tensor(pad(&|x| &x.suffixes), [b, t], device),
        lengths: batch.iter().map(|e| e.ids.len()).collect(),
    }
}

/// Batches of similar length (at most `max_tokens` tokens each), in a seeded order.
pub fn length_batches(examples: &[ScorerExample], max_tokens: usize, seed: u64) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng = Rng::new(seed);
    rng.shuffle(&mut order);
    order.sort_by_key(|&i| examples[i].ids.len());
    let mut batches = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    for i in order {
        let longest = current.iter().map(|&j| examples[j].ids.len()).max().unwrap_or(0).max(examples[i].ids.len());
        if !current.is_empty() && longest * (current.len() + 1) > max_tokens {
            batches.push(std::mem::take(&mut current));
        }
        current.push(i);
    }
    if !current.is_empty() {
        batches.push(current);
    }
    rng.shuffle(&mut batches);
    batches
}

/// Mean negative log-likelihood of the gold heads and labels over the batch's words.
pub fn loss(net: &BiaffineNetwork, batch: &[&ScorerExample], tokens: &TokenBatch, device: &Device) -> Tensor<1> {
    let [b, t] = tokens.words.dims();
    let gold = |f: &dyn Fn(&ScorerExample) -> &Vec<usize>| -> Vec<i64> {
        batch.iter().flat_map(|e| (0..t).map(move |i| f(e).get(i).copied().unwrap_or(0) as i64)).collect()
    };
    let heads = int_tensor(gold(&|e| &e.heads), [b, t], device);
    let labels = int_tensor(gold(&|e| &e.labels), [b, t], device);
    // Words only: neither the root nor padding is a dependent.
    let mask: Vec<f32> =
        batch.iter().flat_map(|e| (0..t).map(move |i| (i > 0 && i < e.ids.len()) as u8 as f32)).collect();
    let mask = Tensor::<2>::from_data(TensorData::new(mask, [b, t]), device);
    let e = net.encode(tokens);
    let arc = log_softmax(e.arcs.clone(), 2).gather(2, heads.clone().reshape([b, t, 1])).reshape([b, t]);
    let label = log_softmax(net.label_logits(&e, heads), 2).gather(2, labels.reshape([b, t, 1])).reshape([b, t]);
    let words = mask.clone().sum();
    ((arc + label) * mask).sum().neg() / words
}

/// Heads and label ids of each sentence (without the root), decoded with Eisner's algorithm.
pub fn predict(net: &BiaffineNetwork, batch: &[&ScorerExample], device: &Device) -> Vec<(Vec<usize>, Vec<usize>)> {
    let tokens = token_batch(batch, device, None);
    let [b, t] = tokens.words.dims();
    let e = net.encode(&tokens);
    let arcs: Vec<f32> = e.arcs.clone().into_data().try_into_vec_as::<f32>().unwrap_or_default();
    let mut heads = Vec::with_capacity(b);
    for (k, ex) in batch.iter().enumerate() {
        let n = ex.ids.len();
        // Eisner wants [head][dependent]; the network gives [dependent][head].
        let mut s = vec![0f32; n * n];
        for d in 0..n {
            for h in 0..n {
                s[h * n + d] = arcs[k * t * t + d * t + h];
            }
        }
        heads.push(cmin_parser::eisner::decode(&s, n - 1));
    }
    let padded: Vec<i64> = heads
        .iter()
        .flat_map(|h| (0..t).map(move |i| if i == 0 { 0 } else { h.get(i - 1).copied().unwrap_or(0) as i64 }))
        .collect();
    let logits = net.label_logits(&e, int_tensor(padded, [b, t], device));
    let labels: Vec<i64> = logits.argmax(2).into_data().try_into_vec_as::<i64>().unwrap_or_default();
    heads
        .into_iter()
        .enumerate()
        .map(|(k, h)| {
            let l = (1..=h.len()).map(|i| labels[k * t + i] as usize).collect();
            (h, l)
        })
        .collect()
}

/// The network and its optimiser.
pub struct ParserTrainer {
    pub net: BiaffineNetwork,
    optimizer: ModuleOptimizer,
    device: Device,
    rng: Rng,
    pub step: usize,
    pub lr: f64,
    pub word_dropout: f64,
}

impl ParserTrainer {
    /// `device` must be an autodiff device.
    pub fn new(net: BiaffineNetwork, device: Device, lr: f64, word_dropout: f64, seed: u64) -> Self {
        // Dozat & Manning's Adam: beta2 = 0.9, and gradients clipped to norm 5.
        let optimizer = AdamConfig::new()
            .with_beta_1(0.9)
            .with_beta_2(0.9)
            .with_epsilon(1e-12)
            .with_grad_clipping(Some(GradientClippingConfig::Norm(5.0)))
            .init();
        ParserTrainer { net, optimizer, device, rng: Rng::new(seed), step: 0, lr, word_dropout }
    }

    /// The learning rate decays by 0.75 every 5,000 steps (Dozat & Manning).
    pub fn lr_at(&self, step: usize) -> f64 {
        self.lr * 0.75f64.powf(step as f64 / 5000.0)
    }

    /// One update; returns the batch's loss.
    pub fn update(&mut self, batch: &[&ScorerExample]) -> Result<f64> {
        let tokens = token_batch(batch, &self.device, Some((&mut self.rng, self.word_dropout)));
        let loss = loss(&self.net, batch, &tokens, &self.device);
        let value = loss.clone().into_scalar::<f32>() as f64;
        if !value.is_finite() {
            return Err(CminError::Option(format!("parser training diverged: loss {value} at step {}", self.step)));
        }
        let grads = GradientsParams::from_grads(loss.backward(), &self.net);
        let lr = self.lr_at(self.step);
        self.net = self.optimizer.step(lr, self.net.clone(), grads);
        self.step += 1;
        Ok(value)
    }

    pub fn inference_network(&self) -> BiaffineNetwork {
        self.net.valid()
    }
}
