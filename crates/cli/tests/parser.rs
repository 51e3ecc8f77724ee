//! `cmin parser`: parse, eval and a clear error for a broken model file.

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::process::Command;

fn cmin(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cmin")).args(args).current_dir(common::repo_root()).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn cli_parse_eval_and_errors() {
    let (code, text) = cmin(&["parser", "parse", "The person cuts the onion."]);
    assert_eq!(code, 0, "{text}");
    assert!(text.lines().any(|l| l.split('\t').collect::<Vec<_>>() == ["3", "cuts", "VERB", "0", "root"]), "{text}");

    let (code, text) = cmin(&["parser", "parse", "--json", "Cut it."]);
    assert_eq!(code, 0, "{text}");
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["tokens"], serde_json::json!(["Cut", "it", "."]));
    assert_eq!(json["offsets"], serde_json::json!([[0, 3], [4, 6], [6, 7]]));

    if let Some(dev) = common::shared("data/ud/en_ewt-ud-dev.conllu") {
        let (code, text) = cmin(&["parser", "eval", dev.to_str().unwrap()]);
        assert_eq!(code, 0, "{text}");
        assert!(text.contains("UPOS") && text.contains("UAS") && text.contains("LAS"), "{text}");
    }

    let bad = std::env::temp_dir().join("cmin-bad-parser.safetensors");
    std::fs::write(&bad, b"CMINPRS1\x05\x00\x00\x00{}").unwrap();
    let (code, text) = cmin(&["parser", "parse", "--model", bad.to_str().unwrap(), "hi"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("parser model file"), "{text}");
}
