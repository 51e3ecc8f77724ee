//! `docs/architecture.md` against the tree: the layers of its diagram, the imports of its
//! table and its rules on files and targets. A change to either that the other does not
//! follow fails here.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// The workspace's crates: name -> (manifest folder, `cmin-*` dependencies), read from the
/// manifests' `[package]` name and `[dependencies]` keys.
fn crates(root: &Path) -> BTreeMap<String, (PathBuf, BTreeSet<String>)> {
    let mut dirs = vec![root.to_path_buf()];
    for entry in std::fs::read_dir(root.join("crates")).unwrap() {
        dirs.push(entry.unwrap().path());
    }
    dirs.into_iter()
        .map(|dir| {
            let (mut section, mut name, mut deps) = (String::new(), None, BTreeSet::new());
            for line in read(&dir.join("Cargo.toml")).lines().map(str::trim) {
                if line.starts_with('[') {
                    section = line.to_string();
                    continue;
                }
                let Some((key, value)) = line.split_once('=') else { continue };
                let key = key.trim();
                if section == "[package]" && key == "name" {
                    name = Some(value.trim().trim_matches('"').to_string());
                } else if section == "[dependencies]" && key.starts_with("cmin") {
                    deps.insert(key.to_string());
                }
            }
            (name.unwrap_or_else(|| panic!("{}: no package name", dir.display())), (dir, deps))
        })
        .collect()
}

/// The diagram's layers: the first line `layer N` on which each crate is named.
fn layers(doc: &str, names: &BTreeSet<String>) -> BTreeMap<String, u32> {
    let mut out = BTreeMap::new();
    for line in doc.lines().filter(|l| l.starts_with("layer ")) {
        let layer: u32 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
        for word in line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
            if names.contains(word) {
                out.entry(word.to_string()).or_insert(layer);
            }
        }
    }
    out
}

/// The table's "imports" of each crate, as crate names.
fn documented_imports(doc: &str, names: &BTreeSet<String>) -> BTreeMap<String, BTreeSet<String>> {
    doc.lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let name = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            names.contains(name).then(|| {
                let imports =
                    cells[2].split(", ").map(|short| format!("cmin-{short}")).filter(|n| names.contains(n)).collect();
                (name.to_string(), imports)
            })
        })
        .collect()
}

#[test]
fn crates_import_what_the_architecture_says_and_only_from_lower_layers() {
    let root = common::repo_root();
    let doc = read(&root.join("docs/architecture.md"));
    let crates = crates(&root);
    let names: BTreeSet<String> = crates.keys().cloned().collect();
    let layers = layers(&doc, &names);
    let documented = documented_imports(&doc, &names);
    for (name, (_, deps)) in &crates {
        let layer = *layers.get(name).unwrap_or_else(|| panic!("{name} is not in the diagram's layers"));
        assert_eq!(documented.get(name), Some(deps), "{name}: the table's imports against Cargo.toml");
        for dep in deps {
            assert!(layers[dep] < layer, "{name} (layer {layer}) imports {dep} (layer {})", layers[dep]);
        }
    }
    assert_eq!(names.len(), 9, "the doc speaks of nine crates: {names:?}");
}

#[test]
fn only_the_trainer_and_the_cli_touch_files_and_only_the_wasm_crate_and_kernels_name_targets() {
    let root = common::repo_root();
    let file_system = ["std::fs", "fs::read", "fs::write", "File::open", "File::create", "read_dir("];
    for (name, (dir, _)) in crates(&root) {
        let files_allowed = name == "cmin-train" || name == "cmin-cli";
        let targets_allowed = name == "cmin" || name == "cmin-kernels";
        // SIMD forms per CPU live in one crate.
        let architectures_allowed = name == "cmin-kernels";
        for file in rust_files(&dir.join("src")) {
            let text = read(&file);
            let shown = file.strip_prefix(&root).unwrap().display().to_string();
            if !files_allowed {
                for pattern in file_system {
                    assert!(
                        !text.contains(pattern),
                        "{shown} uses {pattern}: files are read in cmin-train or cmin-cli"
                    );
                }
            }
            if !targets_allowed {
                assert!(!text.contains("target_family"), "{shown} names a target family");
            }
            if !architectures_allowed {
                assert!(
                    !text.contains("target_arch"),
                    "{shown} names a CPU architecture: SIMD forms belong in cmin-kernels"
                );
            }
        }
    }
}

/// Public type names in the crates' sources (`crate name -> names`).
fn public_types(root: &Path) -> BTreeMap<String, Vec<String>> {
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, (dir, _)) in crates(root) {
        for file in rust_files(&dir.join("src")) {
            for line in read(&file).lines().map(str::trim_start) {
                for kind in ["pub struct ", "pub enum ", "pub trait ", "pub type "] {
                    if let Some(rest) = line.strip_prefix(kind) {
                        let ident: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                        found.entry(ident).or_default().push(name.clone());
                    }
                }
            }
        }
    }
    found
}

#[test]
fn no_two_public_types_share_a_name_but_those_the_doc_explains() {
    let root = common::repo_root();
    let doc = read(&root.join("docs/architecture.md"));
    for (ident, owners) in public_types(&root) {
        if owners.len() > 1 {
            assert!(
                doc.contains(&format!("`{ident}` in ")),
                "{ident} is public in {owners:?}: rename one, or say in docs/architecture.md why it is one concept (\"`{ident}` in ...\")"
            );
        }
    }
}

/// Every value that crosses to JavaScript is a Rust type whose declaration tsify derives: no
/// TypeScript is written into the bindings as text, and no JS object is assembled field by field
/// (`Reflect::set` is for errors' `code` and the request `files.js` reads).
#[test]
fn the_typescript_of_the_package_is_derived_from_rust_types() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for file in rust_files(&root.join("src")) {
        let text = read(&file);
        let shown = file.strip_prefix(root).unwrap().display();
        assert!(!text.contains("typescript_custom_section"), "{shown} writes TypeScript by hand");
        let sets = text.matches("Reflect::set(").count();
        let allowed = ["src/web/errors.rs", "src/web/args.rs"].iter().any(|f| file.ends_with(f));
        assert!(sets == 0 || (allowed && sets == 1), "{shown} builds a JS object field by field ({sets} Reflect::set)");
    }
}
