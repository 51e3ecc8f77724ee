//! Shared test helpers: locating `../shared`, which CI provides beside the clone.
#![allow(dead_code)]

use std::path::PathBuf;

/// The checkout under test: the nearest folder above the test's crate that holds the demo
/// page. Read when the test runs, not baked in when it is compiled: a target directory shared
/// by two checkouts can run one's test binary for the other.
pub fn repo_root() -> PathBuf {
    let crate_dir =
        std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    crate_dir.ancestors().find(|dir| dir.join("index.html").is_file()).unwrap_or(&crate_dir).to_path_buf()
}

/// `../shared/<rel>` (or `$CMIN_SHARED/<rel>`). When missing: panics under `CI=true` so CI
/// can never pass by skipping; otherwise returns `None` and the caller skips loudly.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let root = std::env::var_os("CMIN_SHARED").map(PathBuf::from).unwrap_or_else(|| repo_root().join("../shared"));
    let path = root.join(rel);
    if path.exists() {
        return Some(path);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{} is missing: CI must run with ../shared beside the clone", path.display());
    }
    eprintln!("SKIPPED: {} not found (set CMIN_SHARED)", path.display());
    None
}

/// The reference vector prefix `../shared/reference/<set>`.
pub fn reference(set: &str) -> Option<PathBuf> {
    let io = shared(&format!("reference/{set}-io.safetensors"))?;
    Some(io.with_file_name(set))
}
