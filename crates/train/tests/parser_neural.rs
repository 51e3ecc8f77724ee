//! The neural parser's two implementations agree: the burn network that is trained and the
//! plain-Rust scorer in the parser crate that ships (arc scores to 1e-4, identical trees and
//! labels), and the model file keeps it within int8 rounding. A short training run lowers
//! the loss.

#[path = "../../../tests/common/mod.rs"]
mod common;

use burn::module::Param;
use burn::tensor::{Device, Distribution, Tensor};

use cmin_parser::neural_inputs::{Lexicon, TokenIds};
use cmin_random::Rng;
use cmin_train::parser_training::export::to_neural_parser;
use cmin_train::parser_training::trainer::{length_batches, token_batch};
use cmin_train::parser_training::{BiaffineConfig, BiaffineNetwork, ParserTrainer, ScorerExample, predict};

fn config() -> BiaffineConfig {
    BiaffineConfig {
        vocab: 30,
        word_dim: 6,
        clusters: 9,
        cluster_dim: 4,
        tags: 18,
        tag_dim: 5,
        suffix_buckets: 11,
        suffix_dim: 3,
        hidden: 7,
        layers: 2,
        arc_dim: 9,
        label_dim: 5,
        labels: 6,
        dropout: 0.0,
    }
}

fn random_sentence(rng: &mut Rng, n: usize, c: &BiaffineConfig) -> ScorerExample {
    let ids = |rng: &mut Rng, rows: usize| -> Vec<u32> {
        std::iter::once(0).chain((0..n).map(|_| 1 + rng.below(rows - 1) as u32)).collect()
    };
    let ids = TokenIds {
        words: ids(rng, c.vocab),
        clusters: ids(rng, c.clusters),
        tags: ids(rng, c.tags),
        suffixes: ids(rng, c.suffix_buckets),
    };
    // A chain tree whose labels follow the words' tags: all of it learnable.
    ScorerExample {
        heads: std::iter::once(0).chain((0..n).map(|i| i)).collect(),
        labels: std::iter::once(0).chain(ids.tags[1..].iter().map(|&t| t as usize % c.labels)).collect(),
        ids,
    }
}

/// A seeded random network on the CPU backend, with the config's label names.
fn seeded_network(seed: u64) -> (BiaffineNetwork, Vec<String>) {
    let device = Device::flex();
    device.seed(seed);
    (network(&device), (0..config().labels).map(|i| format!("l{i}")).collect())
}

fn network(device: &Device) -> BiaffineNetwork {
    let c = config();
    let mut net = BiaffineNetwork::new(&c, device);
    // The bilinear term starts at zero; give it values so the test covers it.
    net.arc_bilinear =
        Param::from_tensor(Tensor::random([c.arc_dim, c.arc_dim], Distribution::Normal(0.0, 0.5), device));
    net.arc_head_bias = Param::from_tensor(Tensor::random([c.arc_dim], Distribution::Normal(0.0, 0.5), device));
    net
}

#[test]
fn plain_rust_scorer_matches_the_burn_network() {
    let device = Device::flex();
    let (net, labels) = seeded_network(3);
    let plain = to_neural_parser(&net, &Lexicon::default(), &labels);
    let mut rng = Rng::new(5);
    let c = config();
    let sentences: Vec<ScorerExample> = [1, 4, 9, 13].iter().map(|&n| random_sentence(&mut rng, n, &c)).collect();
    let refs: Vec<&ScorerExample> = sentences.iter().collect();

    // Arc scores, batch padded to the longest sentence.
    let tokens = token_batch(&refs, &device, None);
    let encoded = net.encode(&tokens);
    let t = tokens.lengths.iter().copied().max().unwrap();
    let arcs: Vec<f32> = encoded.arcs.into_data().try_into_vec_as::<f32>().unwrap();
    let mut worst = 0f32;
    for (k, e) in sentences.iter().enumerate() {
        let n = e.ids.len();
        let (plain_arcs, _, _) = plain.scores(&e.ids);
        for d in 0..n {
            for h in 0..n {
                if d != h {
                    worst = worst.max((arcs[k * t * t + d * t + h] - plain_arcs[h * n + d]).abs());
                }
            }
        }
    }
    assert!(worst < 1e-4, "arc scores differ by {worst}");

    // Trees and labels.
    let burn_parses = predict(&net, &refs, &device);
    for (e, (heads, labels)) in sentences.iter().zip(burn_parses) {
        assert_eq!(plain.parse(&e.ids), (heads, labels));
    }
}

#[test]
fn the_model_file_keeps_the_scorer_within_int8_rounding() {
    let (net, labels) = seeded_network(4);
    // 28 words seen twice: with the root and "unknown" rows, the network's 30 word rows.
    let forms: Vec<String> = (0..56).map(|i| format!("w{}", (b'a' + (i / 2) as u8) as char)).collect();
    let lexicon = Lexicon::from_counts(forms.iter().map(String::as_str), 2, 11);
    assert_eq!(lexicon.size(), config().vocab);
    let plain = to_neural_parser(&net, &lexicon, &labels);
    let root = &common::repo_root();
    let mut model =
        cmin_parser::Model::from_bytes(&std::fs::read(root.join(cmin_query::parsing::DEFAULT_PARSER)).unwrap())
            .unwrap();
    let tags = model.tagger.tags.len() + 1;
    // Match the tag table to the tagger, as training does.
    let mut plain = plain;
    plain.tags.values = (0..tags * plain.tags.dim).map(|i| (i % 7) as f32 * 0.1).collect();
    model.neural = Some(plain.clone());
    let back = cmin_parser::Model::from_bytes(&model.to_bytes()).unwrap();
    let restored = back.neural.as_ref().unwrap();
    assert_eq!(restored.lexicon, lexicon);
    assert_eq!(restored.labels, labels);
    let mut rng = Rng::new(9);
    let e = random_sentence(&mut rng, 8, &config());
    let (a, _, _) = plain.scores(&e.ids);
    let (b, _, _) = restored.scores(&e.ids);
    let scale = a.iter().fold(0f32, |m, v| m.max(v.abs()));
    let worst = a.iter().zip(&b).fold(0f32, |m, (x, y)| m.max((x - y).abs()));
    assert!(worst < 0.05 * scale.max(1.0), "int8 weights moved the scores by {worst} (scale {scale})");
    // The parse goes through the neural scorer, and damaged files are errors.
    let words: Vec<String> = "the cat sat on the mat".split(' ').map(String::from).collect();
    let p = back.parse_sentence(&words);
    assert!(p.deprels.iter().all(|l| labels.contains(l) || l == "root" || l == "dep"), "{:?}", p.deprels);
    let bytes = model.to_bytes();
    assert!(cmin_parser::Model::from_bytes(&bytes[..bytes.len() - 3]).is_err());
}

#[test]
fn a_few_updates_lower_the_loss() {
    let base = Device::flex();
    let device = base.clone().autodiff();
    device.seed(1);
    let c = config();
    let mut rng = Rng::new(2);
    let sentences: Vec<ScorerExample> = (0..24).map(|i| random_sentence(&mut rng, 3 + i % 6, &c)).collect();
    let mut trainer = ParserTrainer::new(BiaffineNetwork::new(&c, &device), device, 1e-2, 0.0, 1);
    let batches = length_batches(&sentences, 40, 1);
    let epoch = |trainer: &mut ParserTrainer| -> f64 {
        batches
            .iter()
            .map(|b| trainer.update(&b.iter().map(|&i| &sentences[i]).collect::<Vec<_>>()).unwrap())
            .sum::<f64>()
            / batches.len() as f64
    };
    let first = epoch(&mut trainer);
    for _ in 0..20 {
        epoch(&mut trainer);
    }
    let last = epoch(&mut trainer);
    assert!(last < 0.7 * first, "loss {first} -> {last}");
}
