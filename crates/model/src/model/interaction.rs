//! Cross-modal interaction (spec §4): attentive aggregation, cross gate, fusion, BiGRU.

use burn::config::Config;
use burn::module::Module;
use burn::nn::{Dropout, DropoutConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Int, Tensor, TensorData};

use super::gru::{BiGru, BiGruConfig};
use super::layers::{Linear, LinearConfig};
use crate::config::{CminConfig, Fusion};
use crate::ops::activation::{sigmoid, softmax_last, standardise_last};
use crate::ops::attention::additive_attention_logits;
use crate::ops::product::product;

/// Additive video-to-query attention: `S_ij = w^T tanh(W1 f_i + b1 + W2 s_j)`, softmax over
/// words, `a_i = sum_j softmax_j(S_ij) s_j` (reference module `v2s`).
#[derive(Module, Debug)]
pub struct AttentiveAggregation {
    pub ws1: Linear,
    pub ws2: Linear,
    pub wst: Linear,
}

/// An [`AttentiveAggregation`]'s width.
#[derive(Config, Debug)]
pub struct AttentiveAggregationConfig {
    pub dim: usize,
}

impl AttentiveAggregationConfig {
    pub fn init(&self, device: &Device) -> AttentiveAggregation {
        let dim = self.dim;
        AttentiveAggregation {
            ws1: LinearConfig::new(dim, dim).init(device),
            ws2: LinearConfig::new(dim, dim).with_bias(false).init(device),
            wst: LinearConfig::new(dim, 1).with_bias(false).init(device),
        }
    }
}

impl AttentiveAggregation {
    /// The clip half of the attention logits, `W1 f + b1`: it depends on the video alone.
    pub fn clip_part(&self, video: Tensor<3>) -> Tensor<3> {
        self.ws1.forward(video)
    }

    /// Returns the aggregate and the attention (the paper's Figure 8), given the clip half
    /// of the logits from [`Self::clip_part`].
    ///
    /// # Shapes
    /// - clip_part: `[batch, clips, d]`, query: `[batch, words, d]`, word_logit_mask: `[batch, 1, words]`
    /// - output: (`[batch, clips, d]`, `[batch, clips, words]`)
    pub fn forward(
        &self,
        clip_part: Tensor<3>,
        query: Tensor<3>,
        word_logit_mask: Tensor<3>,
    ) -> (Tensor<3>, Tensor<3>) {
        let dim = clip_part.dims()[2];
        let word_part = self.ws2.forward(query.clone());
        let logits =
            additive_attention_logits(clip_part, word_part, self.wst.weight.val().reshape([dim])) + word_logit_mask;
        let attention = softmax_last(logits);
        (product(attention.clone(), query, None), attention)
    }
}

/// `f' = f * sigmoid(G2 a)`, `a' = a * sigmoid(G1 f)`: each modality gates the other.
#[derive(Module, Debug)]
pub struct CrossGate {
    pub fc_gate1: Linear,
    pub fc_gate2: Linear,
}

/// A [`CrossGate`]'s width.
#[derive(Config, Debug)]
pub struct CrossGateConfig {
    pub dim: usize,
}

impl CrossGateConfig {
    pub fn init(&self, device: &Device) -> CrossGate {
        let gate = || LinearConfig::new(self.dim, self.dim).with_bias(false).init(device);
        CrossGate { fc_gate1: gate(), fc_gate2: gate() }
    }
}

impl CrossGate {
    /// `sigmoid(G1 f)`, the video's gate on the aggregate: it depends on the video alone.
    pub fn aggregate_gate(&self, video: Tensor<3>) -> Tensor<3> {
        sigmoid(self.fc_gate1.forward(video))
    }

    /// # Shapes
    /// - video, aggregate, aggregate_gate (from [`Self::aggregate_gate`]): `[batch, clips, d]`
    /// - output: (gated video, gated aggregate), both `[batch, clips, d]`
    pub fn forward(&self, video: Tensor<3>, aggregate: Tensor<3>, aggregate_gate: Tensor<3>) -> (Tensor<3>, Tensor<3>) {
        let gated_video = video * sigmoid(self.fc_gate2.forward(aggregate.clone()));
        (gated_video, aggregate * aggregate_gate)
    }
}

/// The paper's low-rank bilinear fusion `P(ReLU(U f' * V a'))`, optionally with each
/// projection standardised over its features (`Fusion::BilinearNorm`).
#[derive(Module, Debug)]
pub struct BilinearFusion {
    pub u: Linear,
    pub v: Linear,
    pub p: Linear,
    normalise: bool,
}

/// A [`BilinearFusion`]'s width, and whether it standardises its two projections.
#[derive(Config, Debug)]
pub struct BilinearFusionConfig {
    pub dim: usize,
    #[config(default = false)]
    pub normalise: bool,
}

impl BilinearFusionConfig {
    pub fn init(&self, device: &Device) -> BilinearFusion {
        let linear = || LinearConfig::new(self.dim, self.dim).init(device);
        BilinearFusion { u: linear(), v: linear(), p: linear(), normalise: self.normalise }
    }
}

impl BilinearFusion {
    pub fn forward(&self, video: Tensor<3>, aggregate: Tensor<3>) -> Tensor<3> {
        let (u, v) = (self.u.forward(video), self.v.forward(aggregate));
        let (u, v) = if self.normalise { (standardise_last(u), standardise_last(v)) } else { (u, v) };
        self.p.forward(relu(u * v))
    }
}

/// What one stage computes, kept for parity checks and the attention display.
#[derive(Clone, Debug)]
pub struct StageOutput {
    pub aggregated: Tensor<3>,
    pub attention: Tensor<3>,
    pub gated_video: Tensor<3>,
    pub gated_query: Tensor<3>,
    pub fused: Tensor<3>,
}

/// One cross-modal interaction stage; the paper stacks several, the reference uses one.
#[derive(Module, Debug)]
pub struct InteractionStage {
    pub v2s: AttentiveAggregation,
    pub cross_gate: Option<CrossGate>,
    pub fusion: Option<BilinearFusion>,
    pub rnn: BiGru,
    pub dropout: Dropout,
}

impl InteractionStage {
    /// A stage as the model's config lays it out.
    pub fn init(config: &CminConfig, device: &Device) -> Self {
        let d = config.d_model;
        InteractionStage {
            v2s: AttentiveAggregationConfig::new(d).init(device),
            cross_gate: config.use_cross_gate.then(|| CrossGateConfig::new(d).init(device)),
            fusion: match config.fusion {
                Fusion::Concat => None,
                Fusion::Bilinear => Some(BilinearFusionConfig::new(d).init(device)),
                Fusion::BilinearNorm => Some(BilinearFusionConfig::new(d).with_normalise(true).init(device)),
            },
            rnn: BiGruConfig::new(config.fusion_dim(), d / 2).init(device),
            dropout: DropoutConfig::new(config.dropout).init(),
        }
    }

    /// What the stage computes from its video input alone, to be reused for every query.
    ///
    /// # Shapes
    /// - video: `[batch, clips, d]`
    pub fn prepare(&self, video: Tensor<3>) -> StageVideo {
        StageVideo {
            clip_part: self.v2s.clip_part(video.clone()),
            aggregate_gate: self.cross_gate.as_ref().map(|gate| gate.aggregate_gate(video.clone())),
            video,
        }
    }

    /// # Shapes
    /// - video: from [`Self::prepare`], query: `[batch, words, d]`, word_logit_mask: `[batch, 1, words]`
    pub fn forward(&self, video: &StageVideo, query: Tensor<3>, word_logit_mask: Tensor<3>) -> StageOutput {
        let (aggregated, attention) = self.v2s.forward(video.clip_part.clone(), query, word_logit_mask);
        let (gated_video, gated_query) = match (&self.cross_gate, &video.aggregate_gate) {
            (Some(gate), Some(aggregate_gate)) => {
                gate.forward(video.video.clone(), aggregated.clone(), aggregate_gate.clone())
            }
            _ => (video.video.clone(), aggregated.clone()),
        };
        let fused_input = match &self.fusion {
            Some(bilinear) => bilinear.forward(gated_video.clone(), gated_query.clone()),
            None => Tensor::cat(vec![gated_video.clone(), gated_query.clone()], 2),
        };
        let fused = self.dropout.forward(self.rnn.forward(fused_input, None));
        StageOutput { aggregated, attention, gated_video, gated_query, fused }
    }
}

/// A stage's video input with what the stage derives from it alone (see
/// [`InteractionStage::prepare`]), all `[batch, clips, d]`.
#[derive(Clone, Debug)]
pub struct StageVideo {
    pub video: Tensor<3>,
    /// `W1 f + b1`, the clip half of the attention logits.
    pub clip_part: Tensor<3>,
    /// `sigmoid(G1 f)`, when the stage has a cross gate.
    pub aggregate_gate: Option<Tensor<3>>,
}

impl StageVideo {
    /// The same video repeated for a batch of `batch` queries (no copy where the backend can
    /// broadcast).
    pub fn expand(&self, batch: usize) -> StageVideo {
        let grow = |t: &Tensor<3>| {
            let [_, clips, d] = t.dims();
            t.clone().expand([batch, clips, d])
        };
        StageVideo {
            video: grow(&self.video),
            clip_part: grow(&self.clip_part),
            aggregate_gate: self.aggregate_gate.as_ref().map(grow),
        }
    }

    /// Rows `indices` of the batch, in that order (a row may repeat).
    pub fn select(&self, indices: &[usize]) -> StageVideo {
        let device = self.video.device();
        let rows: Vec<i64> = indices.iter().map(|&i| i as i64).collect();
        let indices = Tensor::<1, Int>::from_data(TensorData::new(rows, [indices.len()]), &device);
        let pick = |t: &Tensor<3>| t.clone().select(0, indices.clone());
        StageVideo {
            video: pick(&self.video),
            clip_part: pick(&self.clip_part),
            aggregate_gate: self.aggregate_gate.as_ref().map(pick),
        }
    }

    /// The batches of `parts` one after another.
    pub fn cat(parts: Vec<StageVideo>) -> StageVideo {
        if parts.len() == 1 {
            return parts.into_iter().next().expect("one part");
        }
        let gates: Option<Vec<Tensor<3>>> = parts.iter().map(|p| p.aggregate_gate.clone()).collect();
        StageVideo {
            video: Tensor::cat(parts.iter().map(|p| p.video.clone()).collect(), 0),
            clip_part: Tensor::cat(parts.iter().map(|p| p.clip_part.clone()).collect(), 0),
            aggregate_gate: gates.map(|g| Tensor::cat(g, 0)),
        }
    }

    /// Rows of the batch.
    pub fn batch(&self) -> usize {
        self.video.dims()[0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::TensorData;

    fn input(scale: f32, device: &Device) -> Tensor<3> {
        let values: Vec<f32> = (0..2 * 3 * 8).map(|i| scale * ((i as f32 * 0.7).sin() + 0.1)).collect();
        Tensor::from_data(TensorData::new(values, [2, 3, 8]), device)
    }

    #[test]
    fn standardised_features_have_zero_mean_and_unit_variance() {
        let device = crate::device::cpu();
        let (variance, mean) = standardise_last(input(2.0, &device)).var_mean_bias(2);
        let (variance, mean): (Vec<f32>, Vec<f32>) =
            (variance.into_data().try_to_vec().unwrap(), mean.into_data().try_to_vec().unwrap());
        assert!(mean.iter().all(|m| m.abs() < 1e-5), "{mean:?}");
        assert!(variance.iter().all(|v| (v - 1.0).abs() < 1e-4), "{variance:?}");
    }

    /// At the scale of freshly initialised CMIN's gated features (std about 0.3 and 0.14), the
    /// plain product is so small that the fused features barely vary from clip to clip (the
    /// output is mostly P's bias); standardised, the clips stay apart.
    #[test]
    fn the_normalised_fusion_keeps_the_clips_apart() {
        let device = crate::device::cpu();
        device.seed(3);
        let normalised = BilinearFusionConfig::new(8).with_normalise(true).init(&device);
        let plain = BilinearFusion { normalise: false, ..normalised.clone() };
        let (video, aggregate) = (input(0.3, &device), input(0.14, &device).flip([1]));
        let across_clips = |t: Tensor<3>| t.var(1).mean().into_scalar::<f32>();
        let (n, p) = (
            across_clips(normalised.forward(video.clone(), aggregate.clone())),
            across_clips(plain.forward(video, aggregate)),
        );
        assert!(n > 100.0 * p, "variance across clips: normalised {n}, plain {p}");
    }
}
