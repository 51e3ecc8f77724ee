//! Weight files: our own save/load round trip, and clear errors for broken files.

#[path = "../../../tests/common/mod.rs"]
mod common;

use cmin_model::{CminConfig, CminError, Fusion, weights};
use cmin_train::device;
use cmin_train::parity::read_tensors;
use safetensors::SafeTensors;

fn tiny_config() -> CminConfig {
    CminConfig {
        num_clips: 16,
        frame_dim: 8,
        word_dim: 6,
        d_model: 8,
        num_heads: 2,
        max_words: 5,
        anchor_widths: vec![2, 4],
        ..CminConfig::reference_tacos()
    }
}

#[test]
fn save_load_round_trip_keeps_config_and_values() {
    let device = device::cpu();
    let config = CminConfig { num_stages: 2, fusion: Fusion::Bilinear, ..tiny_config() };
    let model = config.init(&device);
    let bytes = weights::save(&model).unwrap();
    assert_eq!(weights::read_config(&bytes).unwrap(), Some(config.clone()));
    let reloaded = weights::load(&bytes, None, &device).unwrap();
    assert_eq!(reloaded.config(), &config);
    assert_eq!(read_tensors(&weights::save(&reloaded).unwrap()).unwrap(), read_tensors(&bytes).unwrap());
    // Reference names for the first stage and the head; stacked stages keep their index.
    let names: Vec<String> = read_tensors(&bytes).unwrap().into_keys().collect();
    for expected in [
        "v2s.ws1.weight",
        "fusion.u.weight",
        "fc_score.weight",
        "stages.1.v2s.ws1.weight",
        "sentence_encoder.gcn_layers.1.fc_dir_bias2.38",
        "video_encoder.attn_layers.0.in_proj_weight",
        "rnn.gru.weight_hh_l0_reverse",
    ] {
        assert!(names.iter().any(|n| n == expected), "{expected} not in {names:?}");
    }
    assert!(!names.iter().any(|n| n.contains("dropout")), "no non-parameter state is saved: {names:?}");
}

#[test]
fn missing_misshaped_and_extra_tensors_are_named() {
    let device = device::cpu();
    let config = tiny_config();
    let bytes = weights::save(&config.init(&device)).unwrap();
    let tensors = read_tensors(&bytes).unwrap();
    let rebuild = |edit: &dyn Fn(&mut std::collections::BTreeMap<String, cmin_train::parity::HostTensor>)| {
        let mut t = tensors.clone();
        edit(&mut t);
        cmin_train::parity::write_tensors(&t).unwrap()
    };

    let missing = rebuild(&|t| {
        t.remove("cross_gate.fc_gate1.weight");
    });
    assert_eq!(
        weights::load(&missing, Some(&config), &device).unwrap_err(),
        CminError::MissingTensor("cross_gate.fc_gate1.weight".into())
    );

    let misshaped = rebuild(&|t| {
        t.get_mut("fc_reg.bias").unwrap().shape = vec![2];
        t.get_mut("fc_reg.bias").unwrap().values.truncate(2);
    });
    assert_eq!(
        weights::load(&misshaped, Some(&config), &device).unwrap_err(),
        CminError::TensorShape { name: "fc_reg.bias".into(), expected: vec![4], found: vec![2] }
    );

    let extra = rebuild(&|t| {
        t.insert("surprise.weight".into(), cmin_train::parity::HostTensor { shape: vec![1], values: vec![0.0] });
    });
    assert!(matches!(
        weights::load(&extra, Some(&config), &device).unwrap_err(),
        CminError::UnexpectedTensors(names) if names.contains("surprise.weight")
    ));

    // Non-finite values, a non-float dtype and a cut-off file are named by their tensor.
    let nan = rebuild(&|t| {
        t.get_mut("fc_score.weight").unwrap().values[3] = f32::NAN;
    });
    let err = weights::load(&nan, Some(&config), &device).unwrap_err().to_string();
    assert!(err.contains("tensor \"fc_score.weight\" holds a NaN or infinite value at index 3"), "{err}");
    let infinite = rebuild(&|t| {
        t.get_mut("fc_reg.bias").unwrap().values[0] = f32::NEG_INFINITY;
    });
    assert!(weights::load(&infinite, Some(&config), &device).unwrap_err().to_string().contains("\"fc_reg.bias\""));
    let integer = {
        let mut views: Vec<(String, safetensors::tensor::TensorView)> = Vec::new();
        let ints = vec![0u8; 8];
        views.push((
            "fc_reg.bias".into(),
            safetensors::tensor::TensorView::new(safetensors::Dtype::I64, vec![1], &ints).unwrap(),
        ));
        safetensors::serialize(views, None).unwrap()
    };
    let err = weights::load(&integer, Some(&config), &device).unwrap_err().to_string();
    assert!(err.contains("tensor \"fc_reg.bias\" has dtype I64"), "{err}");
    let cut = &bytes[..bytes.len() - 100];
    assert!(matches!(weights::load(cut, Some(&config), &device), Err(CminError::Malformed { .. })));

    // A config the file was not made for is a mismatch, named.
    let other = CminConfig { d_model: 16, ..tiny_config() };
    assert!(matches!(weights::load(&missing, Some(&other), &device), Err(CminError::TensorShape { .. })));
    assert!(matches!(weights::load(&bytes, Some(&other), &device), Err(CminError::Config(_))));
    assert!(matches!(weights::load(b"not safetensors", Some(&config), &device), Err(CminError::Malformed { .. })));
    assert!(matches!(weights::load(&[], Some(&config), &device), Err(CminError::Malformed { .. })));
}

#[test]
fn reference_weights_need_a_config() {
    let Some(prefix) = common::reference("small") else { return };
    let bytes = std::fs::read(prefix.with_file_name("small-weights.safetensors")).unwrap();
    assert!(matches!(weights::load(&bytes, None, &device::cpu()), Err(CminError::Config(_))));
}

/// A file whose stored config was edited after saving (the heads, the fusion, the anchors'
/// order: none changes a tensor's shape) is refused by its fingerprint, not loaded to answer
/// differently; an untouched file loads.
#[test]
fn a_config_edited_after_saving_is_flagged() {
    let device = device::cpu();
    let config = tiny_config();
    let bytes = weights::save(&config.init(&device)).unwrap();
    let stored = String::from_utf8_lossy(&bytes).into_owned();
    assert!(stored.contains(weights::CHECKSUM_METADATA_KEY));
    assert!(weights::load(&bytes, None, &device).is_ok());
    // Rewrites the stored config, keeping the tensors' bytes.
    let edit = |from: &str, to: &str| -> Vec<u8> {
        with_metadata(&bytes, |meta| {
            let json = meta[weights::CONFIG_METADATA_KEY].as_str().unwrap().replace(from, to);
            assert_ne!(json, meta[weights::CONFIG_METADATA_KEY].as_str().unwrap(), "{from} is in the config");
            meta.insert(weights::CONFIG_METADATA_KEY.into(), json.into());
        })
    };
    for edited in
        [edit("\"num_heads\":2", "\"num_heads\":1"), edit("\"anchor_widths\":[2,4]", "\"anchor_widths\":[4,2]")]
    {
        let e = weights::load(&edited, None, &device).unwrap_err();
        assert!(e.to_string().contains("does not match the one it was saved with"), "{e}");
        assert_eq!(e.code(), "bad-file");
    }
}

/// The file rebuilt with its header's metadata edited.
fn with_metadata(bytes: &[u8], edit: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>)) -> Vec<u8> {
    let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let mut header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + header_len]).unwrap();
    edit(header["__metadata__"].as_object_mut().unwrap());
    let mut text = serde_json::to_string(&header).unwrap();
    text.push_str(&" ".repeat((8 - text.len() % 8) % 8));
    let mut out = (text.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(&bytes[8 + header_len..]);
    out
}

/// Our files say which format they are in: a file of cmin-wasm 0.1 (no version) or of a later
/// format is refused with what to do, and `upgrade` turns the old one into this format with
/// the same tensors.
#[test]
fn weight_files_of_another_format_version_are_refused_and_old_ones_upgrade() {
    let device = device::cpu();
    let bytes = weights::save(&tiny_config().init(&device)).unwrap();
    let old = with_metadata(&bytes, |m| {
        m.remove(weights::FORMAT_VERSION_METADATA_KEY).unwrap();
    });
    let e = weights::load(&old, None, &device).unwrap_err();
    assert!(e.to_string().contains("before 0.2") && e.to_string().contains("cmin upgrade-weights"), "{e}");
    assert_eq!(e.code(), "bad-file");
    let later = with_metadata(&bytes, |m| {
        m.insert(weights::FORMAT_VERSION_METADATA_KEY.into(), "2".into());
    });
    let e = weights::load(&later, None, &device).unwrap_err();
    assert!(e.to_string().contains("format \"2\"") && e.to_string().contains("reads format 1"), "{e}");
    assert!(weights::upgrade(&bytes).unwrap_err().to_string().contains("already in cmin's weight format"));

    let upgraded = weights::upgrade(&old).unwrap();
    assert!(weights::load(&upgraded, None, &device).is_ok());
    let (a, b) = (SafeTensors::deserialize(&bytes).unwrap(), SafeTensors::deserialize(&upgraded).unwrap());
    assert_eq!(a.names().len(), b.names().len());
    for name in a.names() {
        assert!(a.tensor(name).unwrap() == b.tensor(name).unwrap(), "{name} is unchanged");
    }
}
