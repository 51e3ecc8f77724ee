//! `cmin train` and `cmin eval` on a small synthetic-world dataset, as a user runs them.

#[path = "../../../tests/common/mod.rs"]
mod common;

use cmin_model::CminConfig;

/// `cmin train` end to end on a small synthetic-world dataset: checkpoints, validation, the
/// state file, and `--resume` continuing the epoch count and the schedule.
#[test]
fn the_train_command_checkpoints_validates_and_resumes() {
    let root = &common::repo_root();
    let dir = std::env::temp_dir().join(format!("cmin-train-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let cmin = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_cmin")).current_dir(root).args(args).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {text}");
        text
    };
    let data = dir.join("data");
    let d = data.to_str().unwrap();
    cmin(&["world", "--out", d, "--split", "train", "--videos", "6", "--seed", "100"]);
    cmin(&["world", "--out", d, "--split", "val", "--videos", "3", "--seed", "200"]);
    // The role-sensitive subset holds exactly the queries the metadata flags.
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(data.join(name)).unwrap()).unwrap()
    };
    let flagged: usize = read("train-meta.json")
        .as_object()
        .unwrap()
        .values()
        .map(|v| v["role_sensitive"].as_array().unwrap().iter().filter(|b| b.as_bool().unwrap()).count())
        .sum();
    let subset: usize = read("train-role-sensitive.json")
        .as_object()
        .unwrap()
        .values()
        .map(|v| v["sentences"].as_array().unwrap().len())
        .sum();
    assert!(flagged > 0);
    assert_eq!(subset, flagged);
    let config = CminConfig {
        num_clips: 16,
        frame_dim: 64,
        word_dim: 50,
        d_model: 16,
        num_heads: 4,
        max_words: 12,
        anchor_widths: vec![4, 8],
        ..CminConfig::reference_tacos()
    };
    let config_path = dir.join("config.json");
    std::fs::write(&config_path, serde_json::to_string(&config).unwrap()).unwrap();
    let out = dir.join("run");
    let common = [
        "train",
        "--train",
        &format!("{d}/train.json"),
        "--val",
        &format!("{d}/val.json"),
        "--features",
        &format!("{d}/features"),
        "--out",
        out.to_str().unwrap(),
        "--batch-size",
        "4",
        "--warmup-steps",
        "2",
        "--lr",
        "1e-3",
    ]
    .map(String::from);
    let mut first: Vec<String> = common.to_vec();
    first.extend(["--config", config_path.to_str().unwrap(), "--epochs", "1"].map(String::from));
    let text = cmin(&first.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(text.contains("val R@1 IoU=0.5"), "{text}");
    assert!(text.contains("samples/s") && text.contains(" left"), "the progress bar shows throughput: {text}");
    for f in ["last.safetensors", "best.safetensors", "epoch-001.safetensors", "state.json"] {
        assert!(out.join(f).exists(), "{f}");
    }
    // The same command again gives the same weights: initialisation and dropout are seeded.
    let twin = dir.join("twin");
    let mut repeat: Vec<String> = first.clone();
    let at = repeat.iter().position(|a| a == out.to_str().unwrap()).unwrap();
    repeat[at] = twin.to_str().unwrap().to_string();
    cmin(&repeat.iter().map(String::as_str).collect::<Vec<_>>());
    let tensors = |d: &std::path::Path| {
        cmin_train::parity::read_tensors(&std::fs::read(d.join("epoch-001.safetensors")).unwrap()).unwrap()
    };
    // (Compared as tensors: the file's metadata map has no fixed order.)
    assert!(tensors(&out) == tensors(&twin), "training is repeatable for a seed");
    let mut again: Vec<String> = common.to_vec();
    again.extend(["--resume", "--epochs", "2"].map(String::from));
    cmin(&again.iter().map(String::as_str).collect::<Vec<_>>());
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("state.json")).unwrap()).unwrap();
    assert_eq!(state["epoch"], 2);
    assert_eq!(state["history"].as_array().unwrap().len(), 2);
    assert_eq!(state["model"]["d_model"], 16, "the model config is written with every default");
    assert_eq!(state["train"]["batch_size"], 4);
    let steps_per_epoch = state["step"].as_u64().unwrap() / 2;
    assert!(steps_per_epoch >= 1);
    assert!(out.join("epoch-002.safetensors").exists());
    // Early stopping: with a patience of one epoch, a run ends at the first epoch that brings
    // no better validation score, or at its last epoch.
    let mut patient: Vec<String> = common.to_vec();
    patient.extend(
        ["--resume", "--epochs", "5", "--patience", "1", "--schedule", "cosine", "--min-lr", "1e-5"].map(String::from),
    );
    let text = cmin(&patient.iter().map(String::as_str).collect::<Vec<_>>());
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("state.json")).unwrap()).unwrap();
    let (epoch, best) = (state["epoch"].as_u64().unwrap(), state["best_epoch"].as_u64().unwrap());
    if epoch > 2 {
        assert_eq!(state["train"]["schedule"], "cosine");
    }
    assert!(epoch == 5 || (epoch == best + 1 && text.contains("stopping")), "epoch {epoch}, best {best}: {text}");
    // Early stopping needs a validation split; an unknown schedule is named.
    for (flag, value, says) in [("--patience", "3", "--val"), ("--schedule", "linear", "inverse-sqrt or cosine")] {
        let mut args: Vec<String> =
            common.iter().filter(|a| !a.contains("val.json") && *a != "--val").cloned().collect();
        args.extend([flag, value, "--epochs", "1"].map(String::from));
        let out =
            std::process::Command::new(env!("CARGO_BIN_EXE_cmin")).current_dir(root).args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && stderr.contains(says), "{flag} {value}: {stderr}");
    }
    // The saved model evaluates.
    let table = cmin(&[
        "eval",
        "--weights",
        out.join("best.safetensors").to_str().unwrap(),
        "--annotations",
        &format!("{d}/val.json"),
        "--features",
        &format!("{d}/features"),
    ]);
    assert!(table.contains("mIoU"), "{table}");
    std::fs::remove_dir_all(&dir).ok();
}
