//! Moment retrieval head (spec §5): a score and two boundary offsets per anchor and clip.

use burn::module::Module;
use burn::tensor::{Device, Tensor};

use super::layers::PointwiseConv;

/// Scores and offsets of every proposal; 1x1 convolutions over time.
#[derive(Module, Debug)]
pub struct MomentHead {
    pub fc_score: PointwiseConv,
    pub fc_reg: PointwiseConv,
}

impl MomentHead {
    pub fn new(d_model: usize, num_anchors: usize, device: &Device) -> Self {
        MomentHead {
            fc_score: PointwiseConv::new(d_model, num_anchors, device),
            fc_reg: PointwiseConv::new(d_model, 2 * num_anchors, device),
        }
    }

    /// # Shapes
    /// - fused: `[batch, clips, d]`
    /// - output: score logits `[batch, clips, K]`, offsets `[batch, clips, 2K]`
    pub fn forward(&self, fused: Tensor<3>) -> (Tensor<3>, Tensor<3>) {
        (self.fc_score.forward(fused.clone()), self.fc_reg.forward(fused))
    }
}
