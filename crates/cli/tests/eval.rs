//! `cmin eval` end to end on a small dataset: stored parses and parser-made ones, features
//! from `.npy` files, the table, the JSON and per-query outputs agreeing with each other.

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::process::Command;

use cmin_model::{CminConfig, weights};
use cmin_train::data::{ClipFeatures, features};
use cmin_train::device;

#[test]
fn eval_scores_a_small_dataset_consistently() {
    let Some(prefix) = common::reference("small") else { return };
    let dir = std::env::temp_dir().join(format!("cmin-eval-test-{}", std::process::id()));
    let feature_dir = dir.join("features");
    std::fs::create_dir_all(&feature_dir).unwrap();

    // Our weight file (config inside) from the small reference set.
    let meta = std::fs::read_to_string(prefix.with_file_name("small-meta.json")).unwrap();
    let config = CminConfig::from_reference_meta(&meta).unwrap();
    let bytes = std::fs::read(prefix.with_file_name("small-weights.safetensors")).unwrap();
    let model = weights::load(&bytes, Some(&config), &device::cpu()).unwrap();
    let weight_path = dir.join("small.safetensors");
    std::fs::write(&weight_path, weights::save(&model).unwrap()).unwrap();

    // Two videos of features with a little structure, any clip count.
    for (video, clips) in [("v1", 90), ("v2", 40)] {
        let values = (0..clips * config.frame_dim).map(|i| (i * 37 % 101) as f32 / 50.0 - 1.0).collect();
        let f = ClipFeatures { clips, dim: config.frame_dim, values };
        std::fs::write(feature_dir.join(format!("{video}.npy")), features::to_npy(&f)).unwrap();
    }
    // 2D-TAN JSON: no stored parse, so our parser parses the sentences.
    let annotations = dir.join("test.json");
    std::fs::write(
        &annotations,
        r#"{"v1": {"duration": 30.0, "timestamps": [[2.0, 9.5], [12.0, 30.0]], "sentences": ["The person takes a knife out of the drawer.", "He cuts the bread."]},
            "v2": {"duration": 12.5, "timestamps": [[0.0, 4.0]], "sentences": ["She washes the plate."]}}"#,
    )
    .unwrap();
    let words = [
        "the", "person", "takes", "a", "knife", "out", "of", "drawer", "he", "cuts", "bread", "she", "washes", "plate",
    ];
    let glove: String = words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let v: Vec<String> =
                (0..config.word_dim).map(|d| format!("{:.3}", ((i * 7 + d * 3) % 11) as f32 / 10.0 - 0.5)).collect();
            format!("{w} {}\n", v.join(" "))
        })
        .collect();
    std::fs::write(dir.join("words.txt"), glove).unwrap();

    let (json, predictions) = (dir.join("table.json"), dir.join("predictions.jsonl"));
    let out = Command::new(env!("CARGO_BIN_EXE_cmin"))
        .current_dir(common::repo_root())
        .args(["eval", "--weights", weight_path.to_str().unwrap()])
        .args(["--annotations", annotations.to_str().unwrap(), "--features", feature_dir.to_str().unwrap()])
        .args(["--embeddings", dir.join("words.txt").to_str().unwrap(), "--batch", "2"])
        .args(["--json", json.to_str().unwrap(), "--predictions", predictions.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("R@1") && text.contains("R@5") && text.contains("mIoU"), "{text}");

    let table: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(table["queries"], 3);
    let lines: Vec<serde_json::Value> =
        std::fs::read_to_string(&predictions).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3);
    // The table follows from the per-query outputs.
    let top1_hits = lines.iter().filter(|p| p["iou"].as_f64().unwrap() >= 0.5).count();
    let r1 = table["recall"].as_array().unwrap().iter().find(|r| r[0] == "R@1,IoU=0.5").unwrap()[1].as_f64().unwrap();
    assert!((r1 - 100.0 * top1_hits as f64 / 3.0).abs() < 1e-9, "{r1} vs {top1_hits}/3");
    let miou = lines.iter().map(|p| p["iou"].as_f64().unwrap()).sum::<f64>() / 3.0 * 100.0;
    assert!((table["miou"].as_f64().unwrap() - miou).abs() < 1e-9);
    for p in &lines {
        let moments = p["moments"].as_array().unwrap();
        assert!(!moments.is_empty() && moments.len() <= 5);
        let truth_end = p["truth"][1].as_f64().unwrap();
        assert!(moments.iter().all(|m| m[0].as_f64().unwrap() >= 0.0 && m[1].as_f64().unwrap() <= 30.0 + 1e-9));
        assert!(truth_end <= 30.0);
    }

    // A missing feature file is an error naming it.
    std::fs::remove_file(feature_dir.join("v2.npy")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_cmin"))
        .current_dir(common::repo_root())
        .args(["eval", "--weights", weight_path.to_str().unwrap()])
        .args(["--annotations", annotations.to_str().unwrap(), "--features", feature_dir.to_str().unwrap()])
        .args(["--embeddings", dir.join("words.txt").to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("v2.npy"), "{text}");
    std::fs::remove_dir_all(&dir).ok();
}
