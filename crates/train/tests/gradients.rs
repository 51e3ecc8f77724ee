//! Training-path parity: burn autodiff gradients of `loss_train` against the reference's.

#[path = "../../../tests/common/mod.rs"]
mod common;

use cmin_train::parity::{ReferenceSet, check_gradients};

#[test]
fn every_parameter_gradient_matches_reference() {
    let Some(prefix) = common::reference("small") else { return };
    let set = ReferenceSet::load(&prefix).unwrap();
    let rows = check_gradients(&set, &cmin_train::device::cpu(), 1e-4, 1e-3).unwrap();
    // Every parameter of the reference state dict has a gradient to compare.
    let weight_count = cmin_train::parity::read_tensors(&set.weights).unwrap().len();
    assert_eq!(rows.len(), weight_count);
    let max_abs = rows.iter().map(|r| r.max_abs).fold(0.0, f32::max);
    println!("{} gradients, max abs diff {max_abs:.3e}", rows.len());
    let failed: Vec<_> = rows.iter().filter(|r| !r.ok).collect();
    assert!(failed.is_empty(), "outside tolerance: {failed:#?}");
}
