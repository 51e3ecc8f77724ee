//! Training smoke test: two epochs on a tiny synthetic-world set lower the loss, and the
//! schedule is the reference's.

#[path = "../../../tests/common/mod.rs"]
mod common;

use cmin_model::CminConfig;
use cmin_query::embeddings::Embeddings;
use cmin_query::parsing::{DEFAULT_PARSER, ParserModel, parse_query};
use cmin_train::device;
use cmin_train::train::{Example, Schedule, TrainConfig, Trainer};
use cmin_world::{WorldConfig, generate};

#[test]
fn the_schedule_warms_up_then_decays_as_inverse_square_root() {
    let c = TrainConfig { lr: 4e-4, warmup_init_lr: 1e-7, warmup_steps: 300, ..TrainConfig::default() };
    assert!((c.lr_at(0, 5000) - (1e-7 + (4e-4 - 1e-7) / 300.0)).abs() < 1e-12);
    assert!((c.lr_at(299, 5000) - 4e-4).abs() < 1e-12);
    assert!((c.lr_at(1199, 5000) - 4e-4 * 0.5).abs() < 1e-12, "sqrt(300 / 1200) = 0.5");
}

#[test]
fn the_cosine_schedule_ends_at_its_floor() {
    let c = TrainConfig {
        lr: 1e-3,
        warmup_init_lr: 1e-5,
        warmup_steps: 100,
        schedule: Schedule::Cosine,
        min_lr: 1e-5,
        ..TrainConfig::default()
    };
    assert!((c.lr_at(99, 1100) - 1e-3).abs() < 1e-12, "the warm-up ends at the peak");
    assert!((c.lr_at(599, 1100) - (1e-5 + 0.5 * (1e-3 - 1e-5))).abs() < 1e-12, "half way down at mid-run");
    assert!((c.lr_at(1099, 1100) - 1e-5).abs() < 1e-12);
    assert!(c.lr_at(300, 1100) > c.lr_at(301, 1100));
}

#[test]
fn two_epochs_on_a_tiny_world_lower_the_loss() {
    let root = &common::repo_root();
    let embeddings =
        Embeddings::from_bytes(&std::fs::read(root.join("www/assets/glove-6b-50d-30k.safetensors")).unwrap()).unwrap();
    let parser = ParserModel::from_bytes(&std::fs::read(root.join(DEFAULT_PARSER)).unwrap()).unwrap();
    let world = WorldConfig { feature_dim: 32, ..WorldConfig::default() };
    let config = CminConfig {
        num_clips: 32,
        frame_dim: 32,
        word_dim: embeddings.dim(),
        d_model: 32,
        num_heads: 4,
        max_words: 12,
        anchor_widths: vec![4, 8, 12],
        dropout: 0.1,
        ..CminConfig::reference_tacos()
    };
    let mut examples = Vec::new();
    for seed in 0..12 {
        let v = generate(&world, seed);
        for q in &v.queries {
            let query = parse_query(&parser, &q.text).unwrap().prepare(&embeddings).unwrap().query;
            examples.push(
                Example::new(&config, &v.features, v.steps(), v.feature_dim, v.duration, (q.start, q.end), query)
                    .unwrap(),
            );
        }
    }
    assert!(examples.len() >= 16, "{} examples", examples.len());
    let device = device::cpu().autodiff();
    let model = config.init(&device);
    let train = TrainConfig {
        lr: 2e-3,
        warmup_init_lr: 1e-4,
        warmup_steps: 2,
        batch_size: 8,
        epochs: 2,
        ..TrainConfig::default()
    };
    let mut trainer = Trainer::new(model, train, device).unwrap();
    let first = trainer.train_epoch(&examples, |_, _, _| {}).unwrap();
    let last = trainer.train_epoch(&examples, |_, _, _| {}).unwrap();
    println!(
        "loss {:.4} -> {:.4} over {} examples, {} steps",
        first.mean_loss, last.mean_loss, first.examples, trainer.step
    );
    assert!(first.mean_loss.is_finite() && last.mean_loss < first.mean_loss, "{first:?} -> {last:?}");
    assert_eq!(trainer.step, 2 * examples.len().div_ceil(8));
    // The trained weights leave the autodiff device for inference and saving.
    let saved = cmin_model::weights::save(&trainer.inference_model()).unwrap();
    assert!(cmin_model::weights::load(&saved, None, &device::cpu()).is_ok());
}
