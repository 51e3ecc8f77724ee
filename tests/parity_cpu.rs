//! Forward parity with the authors' implementation on the CPU backend (flex).

mod common;

use cmin::parity::{ReferenceSet, check_forward};
use cmin::{device, weights};

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
            "video_encoded", "query_encoded", "aggregated", "gated_video", "gated_query", "fused", "scores",
            "offsets", "top1_box", "loss_eval", "loss_train"
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
