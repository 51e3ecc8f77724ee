//! Browser tests (headless Chromium; WebGPU through SwiftShader): the JS-facing API on the
//! `small` reference set, on both backends, its backend choice, its errors, and its memory.
//! The reference files are compiled in from `../shared` (a missing file fails the build).
#![cfg(target_family = "wasm")]

use cmin::web::Cmin;
use cmin_model::relations::RELATIONS;
use cmin_model::{CminConfig, anchors::Anchors, ranking::unrounded_top1};
use cmin_query::embeddings::Embeddings;
use cmin_train::parity::{HostTensor, compare, read_tensors};
use js_sys::{Array, Float32Array, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const WEIGHTS: &[u8] = include_bytes!("../../shared/reference/small-weights.safetensors");
const IO: &[u8] = include_bytes!("../../shared/reference/small-io.safetensors");
const META: &str = include_str!("../../shared/reference/small-meta.json");

struct Fixture {
    io: std::collections::BTreeMap<String, HostTensor>,
    config: CminConfig,
    embeddings: Vec<u8>,
}

/// io's word vectors are per position, so each (query, position) gets its own token.
fn fixture() -> Fixture {
    let io = read_tensors(IO).unwrap();
    let words = &io["words"];
    let (b, m, dim) = (words.shape[0], words.shape[1], words.shape[2]);
    let tokens: Vec<String> = (0..b).flat_map(|q| (0..m).map(move |i| format!("w{q}_{i}"))).collect();
    let embeddings = Embeddings::new(tokens, words.values.clone(), dim).unwrap().to_safetensors(false);
    Fixture { config: CminConfig::from_reference_meta(META).unwrap(), io, embeddings }
}

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

fn get(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(k)).unwrap()
}

/// Query `q` as a parse: heads and labels recovered from io's adjacency.
fn parse(f: &Fixture, q: usize) -> JsValue {
    let m = f.io["words"].shape[1];
    let len = f.io["word_mask"].values[q * m..(q + 1) * m].iter().filter(|&&v| v != 0.0).count();
    let adj = &f.io["adj"].values[q * m * m..(q + 1) * m * m];
    let (tokens, heads, labels) = (Array::new(), Array::new(), Array::new());
    for d in 0..len {
        tokens.push(&JsValue::from_str(&format!("w{q}_{d}")));
        let head = (0..len).find(|&h| h != d && adj[h * m + d] >= 2.0);
        heads.push(&JsValue::from(head.map(|h| h + 1).unwrap_or(0) as u32));
        labels.push(&JsValue::from_str(head.map(|h| RELATIONS[adj[h * m + d] as usize]).unwrap_or("root")));
    }
    obj(&[("tokens", tokens.into()), ("heads", heads.into()), ("deprels", labels.into())])
}

async fn load(f: &Fixture, backend: &str, weights: &[u8]) -> Result<Cmin, JsValue> {
    let options = obj(&[
        ("weights", Uint8Array::from(weights).into()),
        ("embeddings", Uint8Array::from(f.embeddings.as_slice()).into()),
        ("config", serde_wasm_bindgen::to_value(&f.config).unwrap()),
        ("backend", JsValue::from_str(backend)),
        ("parser", JsValue::NULL),
    ]);
    Cmin::load_async(options).await.map_err(JsValue::from)
}

fn frames(f: &Fixture, q: usize) -> Vec<f32> {
    let fr = &f.io["frames"];
    let per = fr.shape[1] * fr.shape[2];
    fr.values[q * per..(q + 1) * per].to_vec()
}

async fn localize(model: &Cmin, f: &Fixture, q: usize, query: JsValue) -> Result<JsValue, JsValue> {
    let (n, dim) = (f.io["frames"].shape[1], f.io["frames"].shape[2]);
    let video = model.encode_video(&frames(f, q), n, dim, n as f64).map_err(JsValue::from)?;
    let options = obj(&[("topK", JsValue::from(5)), ("includeRaw", JsValue::TRUE)]);
    model.localize_async(&video, query, options).await.map_err(JsValue::from)
}

fn floats(v: &JsValue) -> Vec<f32> {
    v.dyn_ref::<Float32Array>().expect("Float32Array").to_vec()
}

/// scores, offsets and top1_box of every query within 1e-4 of the reference.
async fn assert_parity(backend: &str) {
    let f = fixture();
    let model = load(&f, backend, WEIGHTS).await.unwrap();
    assert_eq!(model.backend(), backend);
    let anchors = Anchors::new(f.config.num_clips, &f.config.anchor_widths);
    let per = anchors.len();
    for q in 0..3 {
        let r = localize(&model, &f, q, parse(&f, q)).await.unwrap();
        let (scores, offsets) = (floats(&get(&r, "scores")), floats(&get(&r, "offsets")));
        let s = compare("scores", &scores, &f.io["scores"].values[q * per..(q + 1) * per], 1e-4, 0.0);
        let o = compare("offsets", &offsets, &f.io["offsets"].values[q * 2 * per..(q + 1) * 2 * per], 1e-4, 0.0);
        let (ts, te) = unrounded_top1(&anchors, &scores, &offsets);
        let t = compare("top1_box", &[ts, te], &f.io["top1_box"].values[2 * q..2 * q + 2], 1e-4, 0.0);
        web_sys_log(&format!(
            "{backend} query {q}: scores {:.2e} offsets {:.2e} top1 {:.2e}",
            s.max_abs, o.max_abs, t.max_abs
        ));
        assert!(s.ok && o.ok && t.ok, "{backend} query {q}: {s:?} {o:?} {t:?}");
        assert_eq!(Array::from(&get(&r, "moments")).length(), 5);
    }
}

/// `new AbortController()`, without web-sys.
fn abort_controller() -> JsValue {
    let constructor = get(&js_sys::global(), "AbortController");
    Reflect::construct(constructor.unchecked_ref::<js_sys::Function>(), &Array::new()).unwrap().into()
}

fn web_sys_log(s: &str) {
    wasm_bindgen_test::console_log!("{s}");
}

#[wasm_bindgen_test]
async fn cpu_backend_matches_reference() {
    assert_parity("cpu").await;
}

#[wasm_bindgen_test]
async fn webgpu_backend_matches_reference() {
    assert_parity("webgpu").await;
}

#[wasm_bindgen_test]
async fn auto_backend_picks_webgpu_when_an_adapter_exists_and_cpu_otherwise() {
    let f = fixture();
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).unwrap();
    // Hide WebGPU as a browser without it would.
    let hidden = obj(&[("value", JsValue::UNDEFINED), ("configurable", JsValue::TRUE)]);
    Reflect::define_property(&navigator.clone().into(), &"gpu".into(), &hidden.into()).unwrap();
    let without = load(&f, "auto", WEIGHTS).await.unwrap();
    assert_eq!(without.backend(), "cpu");
    assert!(without.fallback_reason().unwrap().contains("navigator.gpu"));
    // Explicit 'webgpu' without WebGPU is an error, not a silent fallback.
    assert!(load(&f, "webgpu", WEIGHTS).await.is_err());
    Reflect::delete_property(&navigator.into(), &"gpu".into()).unwrap();
    let with = load(&f, "auto", WEIGHTS).await.unwrap();
    assert_eq!(with.backend(), "webgpu");
    assert_eq!(with.fallback_reason(), None);
    // The fallback model really computes.
    let r = localize(&without, &f, 0, parse(&f, 0)).await.unwrap();
    assert_eq!(Array::from(&get(&r, "moments")).length(), 5);
}

fn message(e: JsValue) -> String {
    Reflect::get(&e, &"message".into()).unwrap().as_string().unwrap_or_default()
}

fn code(e: &JsValue) -> String {
    Reflect::get(e, &"code".into()).unwrap().as_string().unwrap_or_default()
}

/// The error's message, after checking that it carries `expected` as its code.
fn coded(e: JsValue, expected: &str) -> String {
    assert_eq!(code(&e), expected, "code of {:?}", message(e.clone()));
    message(e)
}

#[wasm_bindgen_test]
async fn errors_are_thrown_as_js_errors_and_no_panic_escapes() {
    let f = fixture();
    let model = load(&f, "cpu", WEIGHTS).await.unwrap();
    let (n, dim) = (64, 64);
    // Bad shapes.
    let e = model.encode_video(&frames(&f, 0)[..n * 32], n, 32, 10.0).err().unwrap();
    assert!(coded(e, "feature-dim-mismatch").contains("feature dim 32 does not match the model's 64"));
    let e = model.encode_video(&frames(&f, 0)[1..], n, dim, 10.0).err().unwrap();
    assert!(coded(e, "feature-length-mismatch").contains("feature buffer holds"));
    // NaN features.
    let mut nan = frames(&f, 0);
    nan[5 * dim + 1] = f32::NAN;
    let e = model.encode_video(&nan, n, dim, 10.0).err().unwrap();
    assert!(coded(e, "non-finite-feature").contains("clip 5, dim 1 is NaN"));
    // Unknown label.
    let q = parse(&f, 0);
    Reflect::set(&get(&q, "deprels"), &JsValue::from(1), &"frobnicate".into()).unwrap();
    let e = localize(&model, &f, 0, q).await.unwrap_err();
    assert!(coded(e, "unknown-label").contains("unknown dependency label \"frobnicate\""));
    // Empty query, and one that is all dropped punctuation.
    let empty =
        obj(&[("tokens", Array::new().into()), ("heads", Array::new().into()), ("deprels", Array::new().into())]);
    assert!(coded(localize(&model, &f, 0, empty).await.unwrap_err(), "query-empty").contains("query is empty"));
    // Not a parse at all (text needs a parser, which this model was not given); options out
    // of range.
    assert!(
        coded(localize(&model, &f, 0, JsValue::from(42)).await.unwrap_err(), "bad-parse").contains("query must be")
    );
    let e = localize(&model, &f, 0, JsValue::from_str("a person")).await.unwrap_err();
    assert!(coded(e, "no-parser").contains("no parser loaded"));
    let video = model.encode_video(&frames(&f, 0), n, dim, 10.0).unwrap();
    let bad =
        model.localize_async(&video, parse(&f, 0), obj(&[("topK", JsValue::from(0))])).await.map_err(JsValue::from);
    assert!(coded(bad.unwrap_err(), "bad-options").contains("topK"));
    // A fired AbortSignal, and a signal that is not one.
    let controller = abort_controller();
    Reflect::apply(&get(&controller, "abort").into(), &controller, &Array::new()).unwrap();
    let signal = obj(&[("signal", get(&controller, "signal"))]);
    assert!(
        coded(model.localize_async(&video, parse(&f, 0), signal).await.unwrap_err(), "aborted").contains("aborted")
    );
    let not_signal = obj(&[("signal", JsValue::from(7))]);
    coded(model.localize_async(&video, parse(&f, 0), not_signal).await.unwrap_err(), "bad-options");
    // A video encoded by another model.
    let other = load(&f, "cpu", WEIGHTS).await.unwrap();
    let foreign = other.encode_video(&frames(&f, 0), n, dim, 10.0).unwrap();
    let e = model.localize_async(&foreign, parse(&f, 0), JsValue::UNDEFINED).await.unwrap_err();
    assert!(coded(e, "video-mismatch").contains("another model"));
    // Missing weight tensor, named.
    let mut tensors = read_tensors(WEIGHTS).unwrap();
    tensors.remove("v2s.wst.weight");
    let broken = cmin_train::parity::write_tensors(&tensors).unwrap();
    let err = load(&f, "cpu", &broken).await.err().unwrap();
    assert!(coded(err, "bad-weights").contains("missing tensor \"v2s.wst.weight\""));
    assert!(coded(load(&f, "cpu", b"garbage").await.err().unwrap(), "bad-weights").contains("malformed"));
    assert!(coded(load(&f, "quantum", WEIGHTS).await.err().unwrap(), "bad-options").contains("backend must be"));
    // Still alive: a panic would have aborted the module.
    let r = localize(&model, &f, 1, parse(&f, 1)).await.unwrap();
    assert_eq!(Array::from(&get(&r, "moments")).length(), 5);
}

/// Lets the page's event loop run (a CPU-backend query resolves as a microtask, and a long
/// chain of them would starve the test driver).
async fn next_macrotask() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let set_timeout: js_sys::Function =
            Reflect::get(&js_sys::global(), &"setTimeout".into()).unwrap().unchecked_into();
        set_timeout.call2(&JsValue::NULL, &resolve, &JsValue::from(0)).unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Runs `count` queries through the exported, promise-returning `localize` (`video` is the
/// JavaScript handle of a `Video`).
async fn run_queries(model: &Cmin, video: &JsValue, query: &JsValue, count: usize) {
    for _ in 0..count {
        JsFuture::from(model.localize(video.clone(), query.clone(), None)).await.unwrap();
        next_macrotask().await;
    }
}

fn wasm_heap() -> u32 {
    wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length()
}

/// Runs `count` queries after a warm-up and checks that neither the wasm heap nor the
/// device's memory pool grew.
async fn assert_memory_stable(backend: &str, count: usize) {
    let f = fixture();
    let model = load(&f, backend, WEIGHTS).await.unwrap();
    let video = JsValue::from(model.encode_video(&frames(&f, 0), 64, 64, 64.0).unwrap());
    let query = parse(&f, 1);
    run_queries(&model, &video, &query, 20).await;
    let (heap, pool) = (wasm_heap(), model.device().memory_pool_usage());
    let start = js_sys::Date::now();
    run_queries(&model, &video, &query, count).await;
    let seconds = (js_sys::Date::now() - start) / 1e3;
    let (heap_after, pool_after) = (wasm_heap(), model.device().memory_pool_usage());
    web_sys_log(&format!(
        "{backend}: {count} queries in {seconds:.1} s; wasm heap {heap} -> {heap_after} bytes; device pool {pool:?} -> {pool_after:?}"
    ));
    assert_eq!(heap, heap_after, "{backend}: the wasm heap grew");
    if let (Some(a), Some(b)) = (pool, pool_after) {
        assert!(b.bytes_reserved <= a.bytes_reserved, "{backend}: device memory grew: {a:?} -> {b:?}");
        assert!(b.bytes_in_use <= a.bytes_in_use, "{backend}: live device memory grew: {a:?} -> {b:?}");
    }
}

#[wasm_bindgen_test]
async fn a_thousand_cpu_queries_do_not_grow_the_wasm_heap() {
    assert_memory_stable("cpu", 1000).await;
}

#[wasm_bindgen_test]
async fn webgpu_queries_grow_neither_the_wasm_heap_nor_gpu_memory() {
    // SwiftShader takes seconds per query: 20 after the warm-up keep CI inside its budget.
    assert_memory_stable("webgpu", 20).await;
}

const PARSER: &[u8] = include_bytes!("../www/assets/parser-en-ewt.safetensors");

fn strings(v: &JsValue) -> Vec<String> {
    Array::from(v).iter().map(|s| s.as_string().unwrap()).collect()
}

fn numbers(v: &JsValue) -> Vec<f64> {
    Array::from(v).iter().map(|s| s.as_f64().unwrap()).collect()
}

#[wasm_bindgen_test]
async fn the_parser_runs_in_the_browser_and_feeds_localize() {
    let parser = cmin::web::Parser::load(Uint8Array::from(PARSER).into()).unwrap();
    let p = parser.parse("He took out a glass.").unwrap();
    assert_eq!(strings(&get(&p, "tokens")), ["He", "took", "out", "a", "glass", "."]);
    assert_eq!(numbers(&get(&p, "heads")), [2.0, 0.0, 2.0, 5.0, 2.0, 2.0]);
    assert_eq!(strings(&get(&p, "deprels")), ["nsubj", "root", "compound:prt", "det", "obj", "punct"]);
    assert_eq!(strings(&get(&p, "upos"))[1], "VERB");
    // Offsets are UTF-16 code units, as JS slices strings: the emoji is two units.
    let e = parser.parse("😀 cut it").unwrap();
    let offsets: Vec<Vec<f64>> = Array::from(&get(&e, "offsets")).iter().map(|o| numbers(&o)).collect();
    assert_eq!(offsets, vec![vec![0.0, 2.0], vec![3.0, 6.0], vec![7.0, 9.0]]);
    for text in ["", "   ", "\u{0}\u{7}", "((((\"", &"word ".repeat(10_000)] {
        let r = parser.parse(text).unwrap();
        assert_eq!(numbers(&get(&r, "heads")).len(), strings(&get(&r, "tokens")).len());
    }
    assert!(
        message(cmin::web::Parser::load(Uint8Array::from(&b"garbage"[..]).into()).err().unwrap().into())
            .contains("parser model file")
    );

    // A parse result is a valid `localize` query, and with a parser loaded so is plain text.
    let f = fixture();
    let options = obj(&[
        ("weights", Uint8Array::from(WEIGHTS).into()),
        ("embeddings", Uint8Array::from(f.embeddings.as_slice()).into()),
        ("config", serde_wasm_bindgen::to_value(&f.config).unwrap()),
        ("backend", JsValue::from_str("cpu")),
        ("parser", Uint8Array::from(PARSER).into()),
    ]);
    let model = Cmin::load_async(options).await.map_err(JsValue::from).unwrap();
    let from_parse = localize(&model, &f, 0, p).await.unwrap();
    let from_text = localize(&model, &f, 0, JsValue::from_str("He took out a glass.")).await.unwrap();
    assert_eq!(strings(&get(&from_text, "words")), ["he", "took", "out", "a", "glass"]);
    assert_eq!(floats(&get(&from_parse, "scores")), floats(&get(&from_text, "scores")));
    // Text comes back with its parse, so a caller that shows it makes one call per query.
    assert!(get(&from_parse, "parse").is_null());
    let parsed = get(&from_text, "parse");
    assert_eq!(strings(&get(&parsed, "deprels")), ["nsubj", "root", "compound:prt", "det", "obj", "punct"]);
    assert_eq!(numbers(&get(&parsed, "heads")), [2.0, 0.0, 2.0, 5.0, 2.0, 2.0]);
    let timings = get(&from_text, "timings");
    for part in ["parse", "inference"] {
        let ms = get(&timings, part).as_f64().unwrap();
        assert!(ms.is_finite() && ms >= 0.0, "{part}: {ms}");
    }
    assert_eq!(strings(&get(&model.parse("Cut it.").unwrap(), "tokens")), ["Cut", "it", "."]);

    let without = load(&f, "cpu", WEIGHTS).await.unwrap();
    let err = localize(&without, &f, 0, JsValue::from_str("He took out a glass.")).await.unwrap_err();
    assert!(coded(err, "no-parser").contains("no parser loaded"));
}

#[wasm_bindgen_test]
fn the_synthetic_world_is_generated_in_the_browser_as_natively() {
    let world = cmin::web::World::generate(11.0).unwrap();
    assert_eq!((world.steps(), world.feature_dim(), world.duration(), world.step_seconds()), (96, 64, 48.0, 0.5));
    // The same video as `cmin world --seed 11` writes natively.
    let queries = Array::from(&world.queries().unwrap());
    let texts: Vec<String> = queries.iter().map(|q| get(&q, "text").as_string().unwrap()).collect();
    assert_eq!(
        texts,
        [
            "the red star is followed by the purple circle",
            "the red star is pushed by the purple circle",
            "the green triangle shrinks"
        ]
    );
    let spans: Vec<Vec<f64>> =
        queries.iter().map(|q| vec![get(&q, "start").as_f64().unwrap(), get(&q, "end").as_f64().unwrap()]).collect();
    assert_eq!(spans, [vec![11.5, 14.0], vec![38.5, 41.5], vec![8.5, 11.0]]);
    assert_eq!(get(&queries.get(1), "roleSensitive"), JsValue::TRUE);
    let features = world.features().to_vec();
    assert_eq!(features.len(), 96 * 64);
    // Sums of the native .npy (transcendental functions may differ in the last bit across
    // platforms, hence the tolerance).
    let sum: f64 = features.iter().map(|&x| x as f64).sum();
    let abs: f64 = features.iter().map(|&x| x.abs() as f64).sum();
    assert!((sum - -812.369468).abs() < 1e-2 && (abs - 7970.512723).abs() < 1e-2, "{sum} {abs}");
    // Poses: one per actor; every event's agent is mid-action halfway through it.
    let actors = Array::from(&world.actors().unwrap());
    let events = Array::from(&world.events().unwrap());
    assert!(actors.length() >= 3 && events.length() >= 3);
    for e in events.iter() {
        let mid = ((get(&e, "start").as_f64().unwrap() + get(&e, "end").as_f64().unwrap()) / 2.0 / 0.5) as usize;
        let agent = get(&e, "agent").as_f64().unwrap() as u32;
        let poses = Array::from(&world.poses(mid).unwrap());
        assert_eq!(poses.length(), actors.length());
        assert_eq!(get(&poses.get(agent), "action"), get(&e, "action"));
    }
    // Bad arguments are errors, not panics.
    assert!(message(world.poses(96).err().unwrap().into()).contains("outside"));
    for bad in [-1.0, 0.5, f64::NAN, 1e300] {
        assert!(message(cmin::web::World::generate(bad).err().unwrap().into()).contains("seed"));
    }
}
