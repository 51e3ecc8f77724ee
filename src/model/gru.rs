//! Bidirectional GRU with PyTorch's parameter layout (gates r, z, n; reset applied after the
//! hidden projection) and packed-sequence semantics for variable lengths.

use burn::module::{Module, Param};
use burn::tensor::{Device, Int, Tensor, TensorData};

use super::layers::uniform;
use crate::ops::gru::gru_recurrence;

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
}

impl BiGru {
    /// `d_in -> hidden` per direction (output `2 * hidden`).
    pub fn new(d_in: usize, hidden: usize, device: &Device) -> Self {
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
        }
    }

    /// Both directions' weights stacked (direction first) and transposed for products from the
    /// left: what every forward reads, so inference packs them once (see `Cmin::pack`).
    pub fn pack(&self) -> GruWeightsPacked {
        let g = &self.gru;
        let pair = |forward: &Param<Tensor<2>>, backward: &Param<Tensor<2>>| {
            Tensor::stack::<3>(vec![forward.val().transpose(), backward.val().transpose()], 0)
        };
        GruWeightsPacked {
            w_ih: pair(&g.weight_ih_l0, &g.weight_ih_l0_reverse),
            b_ih: Tensor::stack::<2>(vec![g.bias_ih_l0.val(), g.bias_ih_l0_reverse.val()], 0).unsqueeze_dim(1),
            w_hh: pair(&g.weight_hh_l0, &g.weight_hh_l0_reverse),
            b_hh: Tensor::stack::<2>(vec![g.bias_hh_l0.val(), g.bias_hh_l0_reverse.val()], 0),
        }
    }

    /// Runs both directions. With `lengths`, sequence `b` is read only over `0..lengths[b]`:
    /// the backward direction starts at its last true word and positions past the length
    /// output zeros, exactly as `pack_padded_sequence` does.
    ///
    /// Both directions run as one fused recurrence (direction is a leading batch axis): one
    /// operation for all time steps (see `crate::ops::gru`).
    ///
    /// # Shapes
    /// - x: `[batch, time, d_in]`
    /// - output: `[batch, time, 2 * hidden]`
    pub fn forward(&self, weights: &GruWeightsPacked, x: Tensor<3>, lengths: Option<&[usize]>) -> Tensor<3> {
        let [batch, time, d_in] = x.dims();
        let h = weights.w_hh.dims()[1];
        let device = x.device();
        let reversal = lengths.map(|l| reversal_index(l, batch, time, d_in, &device));
        let reverse = |t: Tensor<3>, width: usize| match &reversal {
            Some(idx) => {
                let idx =
                    if width == d_in { idx.clone() } else { idx.clone().narrow(2, 0, 1).expand([batch, time, width]) };
                t.gather(1, idx)
            }
            None => t.flip([1]),
        };

        let x_rev = reverse(x.clone(), d_in);
        let stacked_x = Tensor::stack::<4>(vec![x, x_rev], 0).reshape([2, batch * time, d_in]);
        // Input projections for every step at once; only the hidden path is sequential.
        let gates_x =
            (stacked_x.matmul(weights.w_ih.clone()) + weights.b_ih.clone()).reshape([2, batch, time, 3 * h]);
        let out = gru_recurrence(gates_x, weights.w_hh.clone(), weights.b_hh.clone()); // [2, batch, time, h]
        let forward = out.clone().narrow(0, 0, 1).reshape([batch, time, h]);
        let backward = reverse(out.narrow(0, 1, 1).reshape([batch, time, h]), h);
        let both = Tensor::cat(vec![forward, backward], 2);
        match lengths {
            Some(l) => both * length_mask(l, batch, time, &device).unsqueeze_dim::<3>(2),
            None => both,
        }
    }
}

/// A [`BiGru`]'s weights, direction first: `w_ih` `[2, d_in, 3h]`, `b_ih` `[2, 1, 3h]`, `w_hh`
/// `[2, h, 3h]`, `b_hh` `[2, 3h]`.
#[derive(Clone, Debug)]
pub struct GruWeightsPacked {
    pub w_ih: Tensor<3>,
    pub b_ih: Tensor<3>,
    pub w_hh: Tensor<3>,
    pub b_hh: Tensor<2>,
}

/// `[batch, time, width]` gather index that reverses each sequence inside its length and
/// leaves the padding in place (an involution, so it also undoes itself).
fn reversal_index(lengths: &[usize], batch: usize, time: usize, width: usize, device: &Device) -> Tensor<3, Int> {
    let mut idx = Vec::with_capacity(batch * time);
    for &len in lengths {
        for t in 0..time {
            idx.push(if t < len { (len - 1 - t) as i64 } else { t as i64 });
        }
    }
    Tensor::<3, Int>::from_data(TensorData::new(idx, [batch, time, 1]), device).expand([batch, time, width])
}

/// `[batch, time]` with 1 on true positions and 0 on padding.
pub(crate) fn length_mask(lengths: &[usize], batch: usize, time: usize, device: &Device) -> Tensor<2> {
    let mut m = Vec::with_capacity(batch * time);
    for &len in lengths {
        m.extend((0..time).map(|t| if t < len { 1.0f32 } else { 0.0 }));
    }
    Tensor::from_data(TensorData::new(m, [batch, time]), device)
}
