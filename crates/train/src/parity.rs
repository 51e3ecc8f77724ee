//! Parity with the authors' implementation: read a reference vector set
//! (`<prefix>-weights/-io/-meta`, and `-grads` when present), run our model on its inputs,
//! and compare every tensor. Used by `cmin check-parity` and the test suite.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use burn::module::{Module, ModuleVisitor, Param};
use burn::tensor::{Device, Tensor, TensorData};

use crate::error::{Result, reading};
use crate::loss::{RegressionTarget, Targets, cmin_loss};
use cmin_model::anchors::Anchors;
use cmin_model::config::CminConfig;
use cmin_model::error::CminError;
use cmin_model::model::{Cmin, QueryBatch};
use cmin_model::ranking::unrounded_top1;
use cmin_model::weights;

/// A tensor read from a safetensors file, as f32 (integer tensors converted).
#[derive(Clone, Debug, PartialEq)]
pub struct HostTensor {
    pub shape: Vec<usize>,
    pub values: Vec<f32>,
}

/// Every tensor in a safetensors file (F32, I32 and I64 supported).
pub fn read_tensors(bytes: &[u8]) -> Result<BTreeMap<String, HostTensor>> {
    let st = safetensors::SafeTensors::deserialize(bytes).map_err(|e| CminError::malformed("safetensors file", e))?;
    let mut out = BTreeMap::new();
    for (name, view) in st.tensors() {
        let data = view.data();
        let values: Vec<f32> = match view.dtype() {
            safetensors::Dtype::F32 => {
                data.chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().unwrap())).collect()
            }
            safetensors::Dtype::I32 => {
                data.chunks_exact(4).map(|b| i32::from_le_bytes(b.try_into().unwrap()) as f32).collect()
            }
            safetensors::Dtype::I64 => {
                data.chunks_exact(8).map(|b| i64::from_le_bytes(b.try_into().unwrap()) as f32).collect()
            }
            other => {
                return Err(
                    CminError::malformed("safetensors file", format!("tensor {name} has dtype {other:?}")).into()
                );
            }
        };
        out.insert(name, HostTensor { shape: view.shape().to_vec(), values });
    }
    Ok(out)
}

/// Writes tensors as an F32 safetensors file (the inverse of [`read_tensors`]).
pub fn write_tensors(tensors: &BTreeMap<String, HostTensor>) -> Result<Vec<u8>> {
    let raw: Vec<(&String, &HostTensor, Vec<u8>)> =
        tensors.iter().map(|(k, t)| (k, t, t.values.iter().flat_map(|x| x.to_le_bytes()).collect())).collect();
    let views = raw
        .iter()
        .map(|(k, t, bytes)| {
            safetensors::tensor::TensorView::new(safetensors::Dtype::F32, t.shape.clone(), bytes)
                .map(|v| (k.to_string(), v))
                .map_err(|e| CminError::malformed(format!("tensor {k}"), e).into())
        })
        .collect::<Result<Vec<_>>>()?;
    safetensors::serialize(views, None).map_err(|e| CminError::malformed("safetensors output", e).into())
}

/// One reference vector set.
#[derive(Debug)]
pub struct ReferenceSet {
    pub config: CminConfig,
    pub weights: Vec<u8>,
    pub io: BTreeMap<String, HostTensor>,
    pub grads: Option<BTreeMap<String, HostTensor>>,
}

fn read(path: &Path) -> Result<Vec<u8>> {
    reading(path, std::fs::read(path))
}

fn with_suffix(prefix: &Path, suffix: &str) -> PathBuf {
    let mut s = prefix.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

impl ReferenceSet {
    /// Reads `<prefix>-meta.json`, `-weights.safetensors`, `-io.safetensors` and, if it
    /// exists, `-grads.safetensors`.
    pub fn load(prefix: &Path) -> Result<Self> {
        let meta_path = with_suffix(prefix, "-meta.json");
        let meta = String::from_utf8(read(&meta_path)?).map_err(|e| CminError::malformed("reference meta", e))?;
        let config = CminConfig::from_reference_meta(&meta)?;
        let weights = read(&with_suffix(prefix, "-weights.safetensors"))?;
        let io = read_tensors(&read(&with_suffix(prefix, "-io.safetensors"))?)?;
        let grads_path = with_suffix(prefix, "-grads.safetensors");
        let grads = if grads_path.exists() { Some(read_tensors(&read(&grads_path)?)?) } else { None };
        Ok(ReferenceSet { config, weights, io, grads })
    }

    pub fn tensor(&self, name: &str) -> Result<&HostTensor> {
        self.io.get(name).ok_or_else(|| CminError::malformed("reference io", format!("no tensor {name:?}")).into())
    }

    pub fn batch_size(&self) -> Result<usize> {
        Ok(self.tensor("frames")?.shape[0])
    }

    /// The frames on the device, `[batch, n, d_v]`.
    pub fn frames(&self, device: &Device) -> Result<Tensor<3>> {
        let t = self.tensor("frames")?;
        Ok(Tensor::from_data(TensorData::new(t.values.clone(), [t.shape[0], t.shape[1], t.shape[2]]), device))
    }

    /// The queries as a batch (lengths from `word_mask`).
    pub fn queries(&self, device: &Device) -> Result<QueryBatch> {
        let words = self.tensor("words")?;
        let mask = self.tensor("word_mask")?;
        let adj = self.tensor("adj")?;
        let m = words.shape[1];
        let lengths = mask.values.chunks(m).map(|r| r.iter().filter(|&&v| v != 0.0).count()).collect();
        let adjacency: Vec<i64> = adj.values.iter().map(|&v| v as i64).collect();
        cmin_model::relations::validate_adjacency(&adjacency[..m * m], m)?;
        Ok(QueryBatch::new(&words.values, lengths, &adjacency, m, words.shape[2], device))
    }

    /// Loss targets from the stored labels and ground truth.
    pub fn targets(&self, device: &Device) -> Result<Targets> {
        let anchors = Anchors::new(self.config.num_clips, &self.config.anchor_widths);
        let gt: Vec<(f32, f32)> = self.tensor("gt")?.values.chunks(2).map(|g| (g[0], g[1])).collect();
        Ok(Targets::new(&anchors, self.tensor("labels")?.values.clone(), &gt, device))
    }
}

/// Difference between one of our tensors and the reference's.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub name: String,
    pub max_abs: f32,
    /// Largest `|ours - ref| / |ref|` (over elements with `|ref| > 1e-12`).
    pub max_rel: f32,
    /// Every element within `atol` absolute or `rtol` relative.
    pub ok: bool,
}

/// Element-wise comparison: an element passes within `atol` absolute or `rtol` relative.
pub fn compare(name: &str, ours: &[f32], reference: &[f32], atol: f32, rtol: f32) -> Comparison {
    if ours.len() != reference.len() {
        return Comparison { name: name.into(), max_abs: f32::INFINITY, max_rel: f32::INFINITY, ok: false };
    }
    let (mut max_abs, mut max_rel, mut ok) = (0f32, 0f32, true);
    for (a, b) in ours.iter().zip(reference) {
        let abs = (a - b).abs();
        let rel = if b.abs() > 1e-12 {
            abs / b.abs()
        } else if abs == 0.0 {
            0.0
        } else {
            f32::INFINITY
        };
        // NaN fails every comparison, so it can never pass as "within tolerance".
        ok &= abs <= atol || rel <= rtol;
        max_abs = max_abs.max(abs);
        max_rel = max_rel.max(rel);
        if abs.is_nan() {
            max_abs = f32::NAN;
        }
    }
    Comparison { name: name.into(), max_abs, max_rel, ok }
}

fn host(t: Tensor<3>) -> Vec<f32> {
    t.into_data().try_into_vec_as::<f32>().expect("f32 tensor")
}

/// Runs the forward pass and both losses in evaluation mode and compares every
/// intermediate the io file holds. `model` must have dropout off or be on a non-autodiff
/// device.
pub fn check_forward(
    model: &Cmin,
    set: &ReferenceSet,
    device: &Device,
    atol: f32,
    rtol: f32,
) -> Result<Vec<Comparison>> {
    let query = set.queries(device)?;
    let out = model.forward(set.frames(device)?, &query);
    let targets = set.targets(device)?;
    let loss_eval = cmin_loss(&out, &targets, RegressionTarget::Prediction).total;
    let loss_train = cmin_loss(&out, &targets, RegressionTarget::Label).total;

    let stage = out.last_stage();
    let mut ours: Vec<(&str, Vec<f32>)> = vec![
        ("video_encoded", host(out.video_encoded.clone())),
        ("query_encoded", host(out.query_encoded.clone())),
        ("aggregated", host(stage.aggregated.clone())),
        ("gated_video", host(stage.gated_video.clone())),
        ("gated_query", host(stage.gated_query.clone())),
        ("fused", host(stage.fused.clone())),
        ("scores", host(out.scores())),
        ("offsets", host(out.offsets())),
    ];
    let anchors = Anchors::new(set.config.num_clips, &set.config.anchor_widths);
    let (scores, offsets) = (&ours[6].1, &ours[7].1);
    let per = anchors.len();
    let top1: Vec<f32> = (0..query.batch_size())
        .flat_map(|b| {
            let (s, e) =
                unrounded_top1(&anchors, &scores[b * per..(b + 1) * per], &offsets[b * 2 * per..(b + 1) * 2 * per]);
            [s, e]
        })
        .collect();
    ours.push(("top1_box", top1));
    ours.push(("loss_eval", loss_eval.into_data().try_into_vec_as::<f32>().expect("f32")));
    ours.push(("loss_train", loss_train.into_data().try_into_vec_as::<f32>().expect("f32")));
    ours.into_iter().map(|(name, values)| Ok(compare(name, &values, &set.tensor(name)?.values, atol, rtol))).collect()
}

/// Collects each float parameter's gradient under its reference name.
struct GradCollector<'a> {
    grads: &'a burn::tensor::Gradients,
    path: Vec<String>,
    out: BTreeMap<String, Vec<f32>>,
}

impl ModuleVisitor for GradCollector<'_> {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name.to_string());
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }

    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if let Some(grad) = param.val().grad(self.grads) {
            let name = weights::reference_name(&self.path.join("."));
            self.out.insert(name, grad.into_data().try_into_vec_as::<f32>().expect("f32 gradient"));
        }
    }
}

/// Gradients of `loss_train` (dropout off) for every parameter, compared with `-grads`.
/// Also fails when a reference gradient has no counterpart in our model.
pub fn check_gradients(set: &ReferenceSet, device: &Device, atol: f32, rtol: f32) -> Result<Vec<Comparison>> {
    let reference =
        set.grads.as_ref().ok_or_else(|| CminError::malformed("reference set", "no -grads.safetensors file"))?;
    let device = device.clone().autodiff();
    let config = CminConfig { dropout: 0.0, ..set.config.clone() };
    let model = weights::load(&set.weights, Some(&config), &device)?;
    let out = model.forward(set.frames(&device)?, &set.queries(&device)?);
    let loss = cmin_loss(&out, &set.targets(&device)?, RegressionTarget::Label).total;
    let grads = loss.backward();
    let mut collector = GradCollector { grads: &grads, path: Vec::new(), out: BTreeMap::new() };
    model.visit(&mut collector);
    let mut results = Vec::new();
    for (key, expected) in reference {
        let name = key.strip_prefix("grad.").unwrap_or(key);
        results.push(match collector.out.get(name) {
            Some(ours) => compare(name, ours, &expected.values, atol, rtol),
            None => Comparison { name: name.into(), max_abs: f32::INFINITY, max_rel: f32::INFINITY, ok: false },
        });
    }
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compare_uses_either_tolerance() {
        let c = compare("x", &[1.0, 100.05], &[1.00005, 100.0], 1e-4, 1e-3);
        assert!(c.ok);
        assert!((c.max_abs - 0.05).abs() < 1e-4);
        assert!(!compare("x", &[1.0], &[1.01], 1e-4, 1e-3).ok);
        assert!(!compare("x", &[f32::NAN], &[1.0], 1e-4, 1e-3).ok);
        assert!(!compare("x", &[1.0, 2.0], &[1.0], 1e-4, 1e-3).ok);
    }
}
