//! Forward parity with the authors' implementation on the CPU backend (flex).

#[path = "../../../tests/common/mod.rs"]
mod common;

use cmin_model::weights;
use cmin_train::device;
use cmin_train::parity::{ReferenceSet, check_forward};

fn assert_parity(set_name: &str, atol: f32, rtol: f32) {
    let Some(prefix) = common::reference(set_name) else { return };
    let device = device::cpu();
    let set = ReferenceSet::load(&prefix).unwrap();
    let model = weights::load(&set.weights, Some(&set.config), &device).unwrap();
    let rows = check_forward(&model, &set, &device, atol, rtol).unwrap();
    for r in &rows {
        println!("{set_name} {:<14} max abs {:.3e} max rel {:.3e}", r.name, r.max_abs, r.max_rel);
    }
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "video_encoded",
            "query_encoded",
            "aggregated",
            "gated_video",
            "gated_query",
            "fused",
            "scores",
            "offsets",
            "top1_box",
            "loss_eval",
            "loss_train"
        ]
    );
    let failed: Vec<_> = rows.iter().filter(|r| !r.ok).collect();
    assert!(failed.is_empty(), "outside tolerance: {failed:#?}");
}

#[test]
fn small_set_matches_reference_within_1e_4_absolute() {
    assert_parity("small", 1e-4, 0.0);
}

#[test]
fn tacos_set_matches_reference_within_1e_4_abs_or_1e_3_rel() {
    assert_parity("tacos", 1e-4, 1e-3);
}

#[test]
fn soft_labels_and_legal_mask_match_the_reference_targets() {
    for set_name in ["small", "tacos"] {
        let Some(prefix) = common::reference(set_name) else { return };
        let set = ReferenceSet::load(&prefix).unwrap();
        let anchors = cmin_model::anchors::Anchors::new(set.config.num_clips, &set.config.anchor_widths);
        let per = anchors.len();
        let gt = &set.tensor("gt").unwrap().values;
        let labels = &set.tensor("labels").unwrap().values;
        let mask = &set.tensor("label_mask").unwrap().values;
        for b in 0..set.batch_size().unwrap() {
            assert_eq!(anchors.legal_mask(), mask[b * per..(b + 1) * per]);
            let ours = cmin_train::loss::soft_labels(&anchors, (gt[2 * b], gt[2 * b + 1]));
            let diff = ours.iter().zip(&labels[b * per..]).map(|(a, r)| (a - r).abs()).fold(0.0, f32::max);
            assert!(diff < 1e-6, "{set_name} query {b}: labels differ by {diff}");
        }
    }
}
