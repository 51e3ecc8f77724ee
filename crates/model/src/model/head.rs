//! Moment retrieval head (spec §5): a score and two boundary offsets per anchor and clip.

use burn::config::Config;
use burn::module::Module;
use burn::tensor::{Device, Tensor};

use super::layers::{PointwiseConv, PointwiseConvConfig, affine};

/// Scores and offsets of every proposal; 1x1 convolutions over time.
#[derive(Module, Debug)]
pub struct MomentHead {
    pub fc_score: PointwiseConv,
    pub fc_reg: PointwiseConv,
}

/// A [`MomentHead`]'s shape: `num_anchors` proposals per clip.
#[derive(Config, Debug)]
pub struct MomentHeadConfig {
    pub d_model: usize,
    pub num_anchors: usize,
}

impl MomentHeadConfig {
    pub fn init(&self, device: &Device) -> MomentHead {
        MomentHead {
            fc_score: PointwiseConvConfig::new(self.d_model, self.num_anchors).init(device),
            fc_reg: PointwiseConvConfig::new(self.d_model, 2 * self.num_anchors).init(device),
        }
    }
}

impl MomentHead {
    /// Both convolutions as one product: weight `[d, 3K]` (the score columns, then the
    /// offset columns) and bias `[3K]`.
    pub fn pack(&self) -> (Tensor<2>, Tensor<1>) {
        let (score_w, score_b) = self.fc_score.transposed();
        let (reg_w, reg_b) = self.fc_reg.transposed();
        (Tensor::cat(vec![score_w, reg_w], 1), Tensor::cat(vec![score_b, reg_b], 0))
    }

    /// # Shapes
    /// - fused: `[batch, clips, d]`, weights from [`Self::pack`]
    /// - output: `[batch, clips, 3K]`: per clip, K score logits then the (start, end)
    ///   offsets of each anchor
    pub fn forward(&self, (weight, bias): &(Tensor<2>, Tensor<1>), fused: Tensor<3>) -> Tensor<3> {
        affine(fused, weight.clone(), Some(bias.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_packed_head_gives_the_scores_then_the_offsets() {
        let device = Device::flex();
        let (d, anchors) = (5, 2);
        let head = MomentHeadConfig::new(d, anchors).init(&device);
        let fused = Tensor::<3>::random([1, 4, d], burn::tensor::Distribution::Default, &device);
        let packed = head.pack();
        let out = head.forward(&packed, fused.clone());
        assert_eq!(out.dims(), [1, 4, 3 * anchors]);
        let (score_w, score_b) = head.fc_score.transposed();
        let (reg_w, reg_b) = head.fc_reg.transposed();
        let scores = affine(fused.clone(), score_w, Some(score_b));
        let offsets = affine(fused, reg_w, Some(reg_b));
        let expected = Tensor::cat(vec![scores, offsets], 2);
        let difference = (out - expected).abs().max().into_data().try_to_vec::<f32>().unwrap()[0];
        assert!(difference < 1e-6, "{difference}");
    }
}
