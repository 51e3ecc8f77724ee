//! The npm package `cmin-wasm`: the WebAssembly bindings of CMIN (Cross-Modal Interaction
//! Networks, Zhang et al., SIGIR 2019) and its query parser. The model, the query pipeline,
//! the parser and the world are crates under `crates/`; this crate is the thin layer that
//! turns JavaScript values into their calls and their errors into coded JS errors.

#[cfg(target_family = "wasm")]
pub mod web;
