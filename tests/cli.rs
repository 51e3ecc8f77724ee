//! `cmin check-parity`, as a user runs it.
#![cfg(not(target_family = "wasm"))]

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
