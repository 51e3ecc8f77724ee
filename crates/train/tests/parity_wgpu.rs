//! The same forward parity on the native wgpu backend (Vulkan; lavapipe on CI).

#[path = "../../../tests/common/mod.rs"]
mod common;

use cmin_model::weights;
use cmin_train::parity::{ReferenceSet, check_forward};

#[test]
fn small_set_matches_reference_on_wgpu() {
    let Some(prefix) = common::reference("small") else { return };
    let device = match cmin_train::device::wgpu() {
        Ok(d) => d,
        Err(e) if std::env::var("CI").as_deref() != Ok("true") => {
            eprintln!("SKIPPED: {e}");
            return;
        }
        Err(e) => panic!("CI needs a wgpu adapter (mesa-vulkan-drivers): {e}"),
    };
    let set = ReferenceSet::load(&prefix).unwrap();
    let model = weights::load(&set.weights, Some(&set.config), &device).unwrap();
    let rows = check_forward(&model, &set, &device, 1e-4, 0.0).unwrap();
    for r in &rows {
        println!("wgpu {:<14} max abs {:.3e}", r.name, r.max_abs);
    }
    assert_eq!(rows.len(), 11);
    let failed: Vec<_> = rows.iter().filter(|r| !r.ok).collect();
    assert!(failed.is_empty(), "outside tolerance: {failed:#?}");
}
