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
    /// Both convolutions as one product, kept by [`Self::prepare_for_inference`] (see `BiGru`'s).
    #[module(skip)]
    layout: Option<(Tensor<2>, Tensor<1>)>,
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
            layout: None,
        }
    }
}

impl MomentHead {
    /// Both convolutions as one product: weight `[d, 3K]` (the score columns, then the
    /// offset columns) and bias `[3K]`.
    fn lay_out(&self) -> (Tensor<2>, Tensor<1>) {
        let (score_w, score_b) = self.fc_score.transposed();
        let (reg_w, reg_b) = self.fc_reg.transposed();
        (Tensor::cat(vec![score_w, reg_w], 1), Tensor::cat(vec![score_b, reg_b], 0))
    }

    /// # Shapes
    /// - fused: `[batch, clips, d]`
    /// - output: `[batch, clips, 3K]`: per clip, K score logits then the (start, end)
    ///   offsets of each anchor
    pub fn forward(&self, fused: Tensor<3>) -> Tensor<3> {
        let (weight, bias) = self.layout();
        affine(fused, weight, Some(bias))
    }

    /// Lays the weights out once, for a model that no longer changes.
    pub fn prepare_for_inference(&mut self) {
        self.layout = Some(self.lay_out());
    }

    /// The layout kept by [`Self::prepare_for_inference`], or one laid out now.
    fn layout(&self) -> (Tensor<2>, Tensor<1>) {
        self.layout.clone().unwrap_or_else(|| self.lay_out())
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
        let out = head.forward(fused.clone());
        let mut prepared = head.clone();
        prepared.prepare_for_inference();
        assert!(prepared.layout.is_some());
        let same =
            (prepared.forward(fused.clone()) - out.clone()).abs().max().into_data().try_to_vec::<f32>().unwrap()[0];
        assert_eq!(same, 0.0, "the prepared layout answers as the fresh one");
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
