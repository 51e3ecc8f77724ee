//! `cmin check-parity`, as a user runs it.

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::process::Command;

fn check_parity(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cmin")).arg("check-parity").args(args).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn check_parity_passes_on_tacos_and_prints_the_table() {
    let Some(prefix) = common::reference("tacos") else { return };
    let (code, text) = check_parity(&[prefix.to_str().unwrap()]);
    println!("{text}");
    assert_eq!(code, 0, "{text}");
    for name in ["video_encoded", "query_encoded", "fused", "scores", "offsets", "top1_box", "loss_train"] {
        assert!(text.lines().any(|l| l.trim_start().starts_with(name) && l.ends_with("ok")), "{name} row in\n{text}");
    }
    assert!(text.contains("PARITY OK"));
}

#[test]
fn check_parity_checks_gradients_when_present() {
    let Some(prefix) = common::reference("small") else { return };
    let (code, text) = check_parity(&[prefix.to_str().unwrap()]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("gradients: 370 parameters"), "{text}");
}

#[test]
fn check_parity_fails_above_tolerance_and_on_bad_paths() {
    let Some(prefix) = common::reference("small") else { return };
    let (code, text) = check_parity(&[prefix.to_str().unwrap(), "--atol", "0", "--rtol", "0", "--no-grads"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("FAIL") && text.contains("PARITY FAILED"));
    let (code, text) = check_parity(&["/nonexistent/prefix"]);
    assert_eq!(code, 2);
    assert!(text.contains("cannot read /nonexistent/prefix-meta.json"), "{text}");
}

#[test]
fn world_writes_the_requested_feature_width_and_rejects_zero() {
    let dir = std::env::temp_dir().join(format!("cmin-world-cli-{}", std::process::id()));
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_cmin"))
            .args(["world", "--out", dir.to_str().unwrap(), "--videos", "2", "--fillers-per-actor", "0"])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&["--feature-dim", "0"]);
    assert_eq!(out.status.code(), Some(2), "a bad option is a usage error");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--feature-dim must be positive"));
    assert!(run(&["--feature-dim", "32"]).status.success());
    let npy = std::fs::read(dir.join("features/world-000000.npy")).unwrap();
    let header = String::from_utf8_lossy(&npy[..128]);
    assert!(header.contains("(96, 32)"), "{header}");
    std::fs::remove_dir_all(&dir).ok();
}
