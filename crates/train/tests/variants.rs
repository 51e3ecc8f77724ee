//! The paper variant and the ablations of Tables 4-5 build, run forward and backward, and
//! dropout is active only when training.

use burn::tensor::{Tensor, TensorData};
use cmin_model::model::QueryBatch;
use cmin_model::{Cmin, CminConfig, Fusion};
use cmin_train::device;
use cmin_train::loss::{RegressionTarget, Targets, cmin_loss};

fn small(config: CminConfig) -> CminConfig {
    CminConfig {
        num_clips: 24,
        frame_dim: 12,
        word_dim: 10,
        d_model: 16,
        num_heads: 3,
        max_words: 6,
        anchor_widths: vec![4, 8],
        ..config
    }
}

fn inputs(config: &CminConfig, dev: &burn::tensor::Device) -> (Tensor<3>, QueryBatch) {
    let n = config.num_clips * config.frame_dim;
    let frames: Vec<f32> = (0..2 * n).map(|i| ((i * 37 % 101) as f32 / 50.0) - 1.0).collect();
    let frames = Tensor::from_data(TensorData::new(frames, [2, config.num_clips, config.frame_dim]), dev);
    let m = config.max_words;
    let words: Vec<f32> = (0..2 * m * config.word_dim).map(|i| ((i * 13 % 29) as f32 / 14.0) - 1.0).collect();
    let mut adj = vec![0i64; 2 * m * m];
    for b in 0..2 {
        for i in 0..m {
            adj[b * m * m + i * m + i] = 1;
        }
        adj[b * m * m + 1] = 2; // adj[0][1] = nsubj
        adj[b * m * m + m + 2] = 9; // adj[1][2] = dobj
    }
    (frames, QueryBatch::new(&words, vec![3, m], &adj, m, config.word_dim, dev))
}

fn run(config: CminConfig) -> (Vec<usize>, f32) {
    config.validate().unwrap();
    let dev = device::cpu().autodiff();
    let model = config.init(&dev);
    let (frames, query) = inputs(&config, &dev);
    let out = model.forward(frames, &query);
    let anchors = cmin_model::anchors::Anchors::new(config.num_clips, &config.anchor_widths);
    let targets = Targets::from_ground_truth(&anchors, &[(3.0, 9.0), (10.0, 20.0)], &dev);
    let loss = cmin_loss(&out, &targets, RegressionTarget::Label).total;
    let grads = loss.backward();
    let w = &model.head.fc_score.weight;
    let g = w.val().grad(&grads).expect("head weight gets a gradient");
    let gsum: f32 = g.abs().sum().into_scalar();
    assert!(gsum.is_finite() && gsum > 0.0);
    assert_eq!(out.stages.len(), config.num_stages);
    (out.scores().dims().to_vec(), loss.into_scalar())
}

#[test]
fn reference_paper_and_every_ablation_run_forward_and_backward() {
    let variants = [
        ("reference", small(CminConfig::reference_tacos())),
        ("paper, 3 stages", small(CminConfig::paper(3))),
        ("w/o GCN", small(CminConfig { use_gcn: false, ..CminConfig::paper(2) })),
        ("w/o self-attention", small(CminConfig { use_self_attention: false, ..CminConfig::paper(2) })),
        ("w/o cross gate", small(CminConfig { use_cross_gate: false, ..CminConfig::paper(2) })),
        ("w/o bilinear fusion", small(CminConfig { fusion: Fusion::Concat, ..CminConfig::paper(2) })),
        ("bag of words", small(CminConfig { bag_of_words: true, ..CminConfig::paper(2) })),
    ];
    for (name, config) in variants {
        let (dims, loss) = run(config);
        assert_eq!(dims, vec![2, 24, 2], "{name}");
        assert!(loss.is_finite() && loss > 0.0, "{name}: loss {loss}");
    }
}

#[test]
fn ablations_remove_their_parameters() {
    let dev = device::cpu();
    let names = |c: CminConfig| -> Vec<String> {
        cmin_train::parity::read_tensors(&cmin_model::weights::save(&small(c).init(&dev)).unwrap())
            .unwrap()
            .into_keys()
            .collect()
    };
    let full = names(CminConfig::paper(1));
    assert!(full.iter().any(|n| n.starts_with("sentence_encoder.gcn_layers.")));
    assert!(full.iter().any(|n| n.starts_with("fusion.")));
    assert!(!names(CminConfig { use_gcn: false, ..CminConfig::paper(1) }).iter().any(|n| n.contains("gcn_layers")));
    assert!(
        !names(CminConfig { use_self_attention: false, ..CminConfig::paper(1) })
            .iter()
            .any(|n| n.contains("attn_layers"))
    );
    assert!(
        !names(CminConfig { use_cross_gate: false, ..CminConfig::paper(1) }).iter().any(|n| n.contains("cross_gate"))
    );
    assert!(!names(CminConfig::reference_tacos()).iter().any(|n| n.starts_with("fusion.")));
    let bow = names(CminConfig { bag_of_words: true, ..CminConfig::paper(1) });
    assert!(bow.iter().any(|n| n.starts_with("sentence_encoder.bag_of_words.")));
    assert!(!bow.iter().any(|n| n.contains("gcn_layers") || n.starts_with("sentence_encoder.rnn")));
}

#[test]
fn bag_of_words_ignores_word_order_and_syntax() {
    let config = small(CminConfig { bag_of_words: true, dropout: 0.0, ..CminConfig::paper(1) });
    let dev = device::cpu();
    let model = config.init(&dev);
    let (frames, _) = inputs(&config, &dev);
    let (m, dw) = (config.max_words, config.word_dim);
    let words: Vec<f32> = (0..2 * m * dw).map(|i| ((i * 13 % 29) as f32 / 14.0) - 1.0).collect();
    // Each query's words in reverse order, with an arc where the first has none.
    let reversed: Vec<f32> = words.chunks(m * dw).flat_map(|q| q.chunks(dw).rev().flatten().copied()).collect();
    let mut arcs = vec![0i64; 2 * m * m];
    arcs[1] = 2;
    let scores = |words: &[f32], adj: &[i64]| -> Vec<f32> {
        let q = QueryBatch::new(words, vec![m, m], adj, m, dw, &dev);
        model.forward(frames.clone(), &q).scores().into_data().try_into_vec_as::<f32>().unwrap()
    };
    let (a, b) = (scores(&words, &vec![0; 2 * m * m]), scores(&reversed, &arcs));
    assert!(a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-5), "order and parse must not matter");
    // Other words do matter.
    let other: Vec<f32> = words.iter().map(|w| w * 0.5 + 0.3).collect();
    let c = scores(&other, &vec![0; 2 * m * m]);
    assert!(a.iter().zip(&c).any(|(x, y)| (x - y).abs() > 1e-4));
}

#[test]
fn dropout_is_active_only_when_training() {
    let config = small(CminConfig::reference_tacos());
    let scores = |dev: &burn::tensor::Device, model: &Cmin| -> Vec<f32> {
        let (frames, query) = inputs(&config, dev);
        model.forward(frames, &query).scores().into_data().try_into_vec_as::<f32>().unwrap()
    };
    let train = device::cpu().autodiff();
    let model = config.init(&train);
    assert_ne!(scores(&train, &model), scores(&train, &model), "dropout must perturb training passes");
    let eval = device::cpu();
    let model = config.init(&eval);
    assert_eq!(scores(&eval, &model), scores(&eval, &model), "inference is deterministic");
}
