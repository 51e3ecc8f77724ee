//! Video encoder: banded multi-head self-attention over the clips, then a BiGRU (spec §3).

use burn::config::Config;
use burn::module::{Initializer, Module, Param};
use burn::nn::{Dropout, DropoutConfig};
use burn::tensor::{Device, Tensor, TensorData};

use super::gru::{BiGru, BiGruConfig};
use super::layers::{Linear, LinearConfig, affine};
use crate::config::CminConfig;
use crate::ops::activation::softmax_last;

/// Logit added outside the band, as the reference adds it.
const BAND_MASK_LOGIT: f32 = -1e10;

/// `torch.nn.MultiheadAttention` restricted to a band of neighbouring clips, with its fused
/// `in_proj` layout (rows q | k | v).
#[derive(Module, Debug)]
pub struct BandedSelfAttention {
    pub in_proj_weight: Param<Tensor<2>>,
    pub in_proj_bias: Param<Tensor<1>>,
    pub out_proj: Linear,
    pub num_heads: usize,
    pub band: usize,
}

/// A [`BandedSelfAttention`]'s width, heads and band (clips further apart than `band` do not
/// attend to each other).
#[derive(Config, Debug)]
pub struct BandedSelfAttentionConfig {
    pub dim: usize,
    pub num_heads: usize,
    pub band: usize,
}

impl BandedSelfAttentionConfig {
    pub fn init(&self, device: &Device) -> BandedSelfAttention {
        let (dim, num_heads, band) = (self.dim, self.num_heads, self.band);
        BandedSelfAttention {
            // PyTorch: xavier-uniform in_proj, zero biases.
            in_proj_weight: Initializer::XavierUniform { gain: 1.0 }.init_with(
                [3 * dim, dim],
                Some(dim),
                Some(dim),
                device,
            ),
            in_proj_bias: Initializer::Zeros.init([3 * dim], device),
            out_proj: LinearConfig::new(dim, dim).init(device),
            num_heads,
            band,
        }
    }
}

impl BandedSelfAttention {
    /// # Shapes
    /// - x: `[batch, clips, dim]`
    /// - output: `[batch, clips, dim]`
    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let [batch, clips, dim] = x.dims();
        let heads = self.num_heads;
        let head_dim = dim / heads;
        let qkv = affine(x, self.in_proj_weight.val().transpose(), Some(self.in_proj_bias.val()));
        let split =
            |i: usize| qkv.clone().narrow(2, i * dim, dim).reshape([batch, clips, heads, head_dim]).swap_dims(1, 2);
        let q = split(0) * (head_dim as f64).powf(-0.5);
        let logits = q.matmul(split(1).swap_dims(2, 3)) + self.band_mask(clips, &qkv.device());
        let context = softmax_last(logits).matmul(split(2)); // [batch, heads, clips, head_dim]
        self.out_proj.forward(context.swap_dims(1, 2).reshape([batch, clips, dim]))
    }

    /// `[1, 1, clips, clips]`: 0 where `|i - j| <= band`, else the reference's -1e10.
    fn band_mask(&self, clips: usize, device: &Device) -> Tensor<4> {
        let mut m = vec![0f32; clips * clips];
        for i in 0..clips {
            for j in 0..clips {
                if i.abs_diff(j) > self.band {
                    m[i * clips + j] = BAND_MASK_LOGIT;
                }
            }
        }
        Tensor::from_data(TensorData::new(m, [1, 1, clips, clips]), device)
    }
}

/// The video encoder (spec §3): `x = x + dropout(MHA(x))` per layer, then a BiGRU.
#[derive(Module, Debug)]
pub struct VideoEncoder {
    pub attn_layers: Vec<BandedSelfAttention>,
    pub rnn: BiGru,
    pub dropout: Dropout,
}

impl VideoEncoder {
    /// The encoder as the model's config lays it out.
    pub fn init(config: &CminConfig, device: &Device) -> Self {
        let layers = if config.use_self_attention { config.num_attn_layers } else { 0 };
        let attention = BandedSelfAttentionConfig::new(config.frame_dim, config.num_heads, config.attention_band);
        VideoEncoder {
            attn_layers: (0..layers).map(|_| attention.init(device)).collect(),
            rnn: BiGruConfig::new(config.frame_dim, config.d_model / 2).init(device),
            dropout: DropoutConfig::new(config.dropout).init(),
        }
    }

    /// # Shapes
    /// - frames: `[batch, clips, frame_dim]`
    /// - output: `[batch, clips, d_model]`
    pub fn forward(&self, frames: Tensor<3>) -> Tensor<3> {
        let mut x = self.dropout.forward(frames);
        for layer in &self.attn_layers {
            x = x.clone() + self.dropout.forward(layer.forward(x));
        }
        self.dropout.forward(self.rnn.forward(x, None))
    }
}
