//! Bidirectional GRU with PyTorch's parameter layout (gates r, z, n; reset applied after the
//! hidden projection) and packed-sequence semantics for variable lengths.

use burn::config::Config;
use burn::module::{Module, Param};
use burn::tensor::{Device, Tensor, TensorData};

use super::layers::{affine, uniform};
use crate::ops::gru::bigru;

/// The tensors of one `torch.nn.GRU(bidirectional=True)`, named as its state dict names them.
#[derive(Module, Debug)]
pub struct GruWeights {
    pub weight_ih_l0: Param<Tensor<2>>,
    pub weight_hh_l0: Param<Tensor<2>>,
    pub bias_ih_l0: Param<Tensor<1>>,
    pub bias_hh_l0: Param<Tensor<1>>,
    pub weight_ih_l0_reverse: Param<Tensor<2>>,
    pub weight_hh_l0_reverse: Param<Tensor<2>>,
    pub bias_ih_l0_reverse: Param<Tensor<1>>,
    pub bias_hh_l0_reverse: Param<Tensor<1>>,
}

/// The reference's `DynamicGRU` wrapper: a BiGRU that only reads each sequence's true length.
#[derive(Module, Debug)]
pub struct BiGru {
    pub gru: GruWeights,
    /// The weights laid out for the forward pass, kept by [`Self::prepare_for_inference`] for a model that
    /// serves queries; without it (training) every forward lays them out anew.
    #[module(skip)]
    layout: Option<GruLayout>,
}

/// A [`BiGru`]'s shape: `d_in -> hidden` per direction (output `2 * hidden`).
#[derive(Config, Debug)]
pub struct BiGruConfig {
    pub d_in: usize,
    pub hidden: usize,
}

impl BiGruConfig {
    /// PyTorch's `nn.GRU` initialisation.
    pub fn init(&self, device: &Device) -> BiGru {
        let (d_in, hidden) = (self.d_in, self.hidden);
        let g = 3 * hidden;
        BiGru {
            gru: GruWeights {
                weight_ih_l0: uniform([g, d_in], hidden, device),
                weight_hh_l0: uniform([g, hidden], hidden, device),
                bias_ih_l0: uniform([g], hidden, device),
                bias_hh_l0: uniform([g], hidden, device),
                weight_ih_l0_reverse: uniform([g, d_in], hidden, device),
                weight_hh_l0_reverse: uniform([g, hidden], hidden, device),
                bias_ih_l0_reverse: uniform([g], hidden, device),
                bias_hh_l0_reverse: uniform([g], hidden, device),
            },
            layout: None,
        }
    }
}

impl BiGru {
    /// Both directions' weights side by side and transposed for products from the left: what
    /// every forward reads (derived from the parameters, so gradients reach them through it).
    fn lay_out(&self) -> GruLayout {
        let g = &self.gru;
        let t = |w: &Param<Tensor<2>>| w.val().transpose();
        GruLayout {
            w_ih: Tensor::cat(vec![t(&g.weight_ih_l0), t(&g.weight_ih_l0_reverse)], 1),
            b_ih: Tensor::cat(vec![g.bias_ih_l0.val(), g.bias_ih_l0_reverse.val()], 0),
            w_hh: Tensor::stack(vec![t(&g.weight_hh_l0), t(&g.weight_hh_l0_reverse)], 0),
            b_hh: Tensor::stack(vec![g.bias_hh_l0.val(), g.bias_hh_l0_reverse.val()], 0),
        }
    }

    /// Runs both directions. With `lengths`, sequence `b` is read only over `0..lengths[b]`:
    /// the backward direction starts at its last true word and positions past the length
    /// output zeros, exactly as `pack_padded_sequence` does. The input projections of every
    /// step and both directions are one product; the recurrence is one fused operation
    /// (`crate::ops::gru`).
    ///
    /// # Shapes
    /// - x: `[batch, time, d_in]`
    /// - output: `[batch, time, 2 * hidden]`
    pub fn forward(&self, x: Tensor<3>, lengths: Option<&[usize]>) -> Tensor<3> {
        self.layout().forward(x, lengths)
    }

    /// Lays the weights out once, for a model that no longer changes (see `Cmin::prepare_for_inference`).
    pub fn prepare_for_inference(&mut self) {
        self.layout = Some(self.lay_out());
    }

    /// The layout kept by [`Self::prepare_for_inference`], or one laid out now.
    fn layout(&self) -> GruLayout {
        self.layout.clone().unwrap_or_else(|| self.lay_out())
    }
}

impl GruLayout {
    fn forward(&self, x: Tensor<3>, lengths: Option<&[usize]>) -> Tensor<3> {
        let gates_x = affine(x, self.w_ih.clone(), Some(self.b_ih.clone()));
        bigru(gates_x, self.w_hh.clone(), self.b_hh.clone(), lengths)
    }
}

/// A [`BiGru`]'s weights as its forward reads them: `w_ih` `[d_in, 6h]` and `b_ih` `[6h]`
/// (forward direction's gates r, z, n, then the backward direction's), `w_hh` `[2, h, 3h]`,
/// `b_hh` `[2, 3h]`.
#[derive(Clone, Debug)]
struct GruLayout {
    w_ih: Tensor<2>,
    b_ih: Tensor<1>,
    w_hh: Tensor<3>,
    b_hh: Tensor<2>,
}

/// `[batch, time]` with 1 on true positions and 0 on padding.
pub(crate) fn length_mask(lengths: &[usize], batch: usize, time: usize, device: &Device) -> Tensor<2> {
    let mut m = Vec::with_capacity(batch * time);
    for &len in lengths {
        m.extend((0..time).map(|t| if t < len { 1.0f32 } else { 0.0 }));
    }
    Tensor::from_data(TensorData::new(m, [batch, time]), device)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With zero weights and a bias of 1 on the n gate, every step is
    /// `h' = tanh(1) + (h - tanh(1)) / 2`: from 0, `T/2, 3T/4, 7T/8` (`T = tanh 1`), each
    /// direction from its own first true step, zeros past the length.
    #[test]
    fn packed_sequences_read_only_their_true_length_in_both_directions() {
        let device = Device::flex();
        let (d_in, h, time) = (2, 3, 3);
        let g = 3 * h;
        let mut b_ih = vec![0f32; 2 * g];
        for dir in 0..2 {
            b_ih[dir * g + 2 * h..dir * g + 3 * h].fill(1.0);
        }
        let layout = GruLayout {
            w_ih: Tensor::zeros([d_in, 2 * g], &device),
            b_ih: Tensor::from_data(TensorData::new(b_ih, [2 * g]), &device),
            w_hh: Tensor::zeros([2, h, g], &device),
            b_hh: Tensor::zeros([2, g], &device),
        };
        let x = Tensor::<3>::ones([2, time, d_in], &device);
        let out = layout.forward(x, Some(&[3, 2]));
        assert_eq!(out.dims(), [2, time, 2 * h]);
        let out = out.into_data().try_to_vec::<f32>().unwrap();
        let t = 1f32.tanh();
        // Per sequence and time step: the forward direction's value, then the backward's.
        let expected = [[(0.5, 0.875), (0.75, 0.75), (0.875, 0.5)], [(0.5, 0.75), (0.75, 0.5), (0.0, 0.0)]];
        for (b, steps) in expected.iter().enumerate() {
            for (step, &(forward, backward)) in steps.iter().enumerate() {
                let row = &out[(b * time + step) * 2 * h..][..2 * h];
                for (k, &v) in row.iter().enumerate() {
                    let want = if k < h { forward } else { backward } * t;
                    assert!((v - want).abs() < 1e-6, "sequence {b}, step {step}, unit {k}: {v} vs {want}");
                }
            }
        }
    }
}
