//! The logits of additive attention, `s_bij = sum_k w_k tanh(a_bik + c_bjk)`, as one
//! operation with its backward. On the CPU fused kernels compute both without the `[batch,
//! rows, columns, dim]` intermediate; on the GPU one kernel computes the forward, and the
//! backward composes burn's operations (the default body); autodiff keeps the inputs and calls
//! the inner backend's backward.

#[cfg(feature = "wgpu")]
mod cube;

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, AutodiffBackend, Backend, Dispatch, Flex, Shape, TensorMetadata, backend_extension};
use burn::tensor::Tensor;

use super::flex_data::{f32s, tensor};

#[backend_extension(Flex, Cube: cfg(feature = "wgpu"), Autodiff)]
pub trait AttentionOps: Backend {
    /// `a` `[batch, rows, dim]`, `c` `[batch, columns, dim]`, `w` `[dim]`; output
    /// `[batch, rows, columns]`.
    fn additive_attention_logits(
        a: FloatTensor<Self>,
        c: FloatTensor<Self>,
        w: FloatTensor<Self>,
    ) -> FloatTensor<Self> {
        let [batch, rows, dim] = a.shape().dims::<3>();
        let columns = c.shape().dims::<3>()[1];
        let a = Self::float_reshape(a, Shape::new([batch, rows, 1, dim]));
        let c = Self::float_reshape(c, Shape::new([batch, 1, columns, dim]));
        let hidden =
            Self::float_reshape(Self::float_tanh(Self::float_add(a, c)), Shape::new([batch, rows * columns, dim]));
        let logits = Self::float_matmul(hidden, Self::float_reshape(w, Shape::new([1, dim, 1])));
        Self::float_reshape(logits, Shape::new([batch, rows, columns]))
    }

    /// The gradients with respect to `a`, `c` and `w` given `grad` `[batch, rows, columns]`:
    /// with `t = tanh(a_ik + c_jk)` and `u = g_ij w_k (1 - t^2)`, `da = sum_j u`,
    /// `dc = sum_i u`, `dw = sum g t`.
    fn additive_attention_logits_backward(
        a: FloatTensor<Self>,
        c: FloatTensor<Self>,
        w: FloatTensor<Self>,
        grad: FloatTensor<Self>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>) {
        let [batch, rows, dim] = a.shape().dims::<3>();
        let columns = c.shape().dims::<3>()[1];
        let a = Self::float_reshape(a, Shape::new([batch, rows, 1, dim]));
        let c = Self::float_reshape(c, Shape::new([batch, 1, columns, dim]));
        let t = Self::float_tanh(Self::float_add(a, c));
        let g = Self::float_reshape(grad, Shape::new([batch, rows, columns, 1]));
        let one_minus_t2 =
            Self::float_neg(Self::float_add_scalar(Self::float_mul(t.clone(), t.clone()), (-1.0f32).into()));
        let w4 = Self::float_reshape(w, Shape::new([1, 1, 1, dim]));
        let u = Self::float_mul(Self::float_mul(g.clone(), w4), one_minus_t2);
        let da = Self::float_reshape(Self::float_sum_dim(u.clone(), 2), Shape::new([batch, rows, dim]));
        let dc = Self::float_reshape(Self::float_sum_dim(u, 1), Shape::new([batch, columns, dim]));
        let gt = Self::float_reshape(Self::float_mul(g, t), Shape::new([batch * rows * columns, dim]));
        let dw = Self::float_reshape(Self::float_sum_dim(gt, 0), Shape::new([dim]));
        (da, dc, dw)
    }
}

impl AttentionOps for Flex {
    fn additive_attention_logits(a: FlexTensor, c: FlexTensor, w: FlexTensor) -> FlexTensor {
        let [batch, rows, _] = a.shape().dims::<3>();
        let columns = c.shape().dims::<3>()[1];
        let mut out = vec![0f32; batch * rows * columns];
        if !out.is_empty() {
            cmin_kernels::additive_attention_logits(&f32s(&a), &f32s(&c), &f32s(&w), batch, &mut out);
        }
        tensor(out, vec![batch, rows, columns])
    }

    fn additive_attention_logits_backward(
        a: FlexTensor,
        c: FlexTensor,
        w: FlexTensor,
        grad: FlexTensor,
    ) -> (FlexTensor, FlexTensor, FlexTensor) {
        let (a_dims, c_dims, w_dims) = (a.shape().to_vec(), c.shape().to_vec(), w.shape().to_vec());
        let batch = a_dims[0];
        if a.shape().num_elements() == 0 || c.shape().num_elements() == 0 {
            let zeros = |dims: &Vec<usize>| tensor(vec![0.0; dims.iter().product()], dims.clone());
            return (zeros(&a_dims), zeros(&c_dims), zeros(&w_dims));
        }
        let (da, dc, dw) =
            cmin_kernels::additive_attention_logits_backward(&f32s(&a), &f32s(&c), &f32s(&w), batch, &f32s(&grad));
        (tensor(da, a_dims), tensor(dc, c_dims), tensor(dw, w_dims))
    }
}

impl<B: Backend + AttentionOps, C: CheckpointStrategy> AttentionOps for Autodiff<B, C> {
    fn additive_attention_logits(
        a: FloatTensor<Self>,
        c: FloatTensor<Self>,
        w: FloatTensor<Self>,
    ) -> FloatTensor<Self> {
        let guards = [a.node(), c.node(), w.node()];
        let (a, c, w) = (a.into_primitive(), c.into_primitive(), w.into_primitive());
        match Logits.prepare::<C>(guards).compute_bound().stateful() {
            OpsKind::Tracked(prep) => {
                let output = B::additive_attention_logits(a.clone(), c.clone(), w.clone());
                prep.finish((a, c, w), output)
            }
            OpsKind::UnTracked(prep) => prep.finish(B::additive_attention_logits(a, c, w)),
        }
    }

    /// Not differentiated further: the gradients come back as constants.
    fn additive_attention_logits_backward(
        a: FloatTensor<Self>,
        c: FloatTensor<Self>,
        w: FloatTensor<Self>,
        grad: FloatTensor<Self>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>) {
        let (da, dc, dw) = B::additive_attention_logits_backward(
            a.into_primitive(),
            c.into_primitive(),
            w.into_primitive(),
            grad.into_primitive(),
        );
        (Self::from_inner(da), Self::from_inner(dc), Self::from_inner(dw))
    }
}

#[derive(Debug)]
struct Logits;

impl<B: Backend + AttentionOps> Backward<B, 3> for Logits {
    type State = (FloatTensor<B>, FloatTensor<B>, FloatTensor<B>);

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _checkpointer: &mut Checkpointer) {
        let [node_a, node_c, node_w] = ops.parents;
        let grad = grads.consume::<B>(&ops.node);
        let (a, c, w) = ops.state;
        let (da, dc, dw) = B::additive_attention_logits_backward(a, c, w, grad);
        for (node, grad) in [(node_a, da), (node_c, dc), (node_w, dw)] {
            if let Some(node) = node {
                grads.register::<B>(node.id, grad);
            }
        }
    }
}

/// The logits on the backend that holds the tensors (see the module docs for shapes).
pub fn additive_attention_logits(a: Tensor<3>, c: Tensor<3>, w: Tensor<1>) -> Tensor<3> {
    Tensor::from_dispatch(<Dispatch as AttentionOps>::additive_attention_logits(
        a.into_dispatch(),
        c.into_dispatch(),
        w.into_dispatch(),
    ))
}

#[cfg(test)]
mod tests {
    use burn::tensor::Tensor;

    use super::*;
    use crate::ops::testing::{gradient, max_difference, tensor};

    /// The logits with burn's operations: what the fused kernels must compute.
    fn composed(a: Tensor<3>, c: Tensor<3>, w: Tensor<1>) -> Tensor<3> {
        let [batch, rows, dim] = a.dims();
        let columns = c.dims()[1];
        let hidden = (a.unsqueeze_dim::<4>(2) + c.unsqueeze_dim::<4>(1)).tanh();
        hidden.reshape([batch, rows * columns, dim]).matmul(w.reshape([1, dim, 1])).reshape([batch, rows, columns])
    }

    /// Shapes as the model uses them: the clip half expanded over a batch of queries.
    fn assert_logits_match(device: &burn::tensor::Device) {
        let a = tensor([1, 7, 19], 1, 1.5, device).expand([2, 7, 19]);
        let (c, w) = (tensor([2, 5, 19], 2, 1.5, device), tensor([19], 3, 1.0, device));
        let difference = max_difference(additive_attention_logits(a.clone(), c.clone(), w.clone()), composed(a, c, w));
        assert!(difference < 1e-5, "{difference}");
    }

    #[test]
    fn logits_match_the_composed_ones_on_the_cpu() {
        assert_logits_match(&crate::device::cpu());
    }

    #[cfg(feature = "wgpu")]
    #[test]
    fn logits_match_the_composed_ones_on_wgpu() {
        crate::ops::testing::on_wgpu(assert_logits_match);
    }

    #[test]
    fn fused_logits_and_gradients_match_the_composed_ones_on_the_cpu() {
        let device = crate::device::cpu().autodiff();
        let (a, c, w) =
            (tensor([2, 6, 19], 1, 1.5, &device), tensor([2, 4, 19], 2, 1.5, &device), tensor([19], 3, 1.0, &device));
        assert!(
            max_difference(
                additive_attention_logits(a.clone(), c.clone(), w.clone()),
                composed(a.clone(), c.clone(), w.clone())
            ) < 2e-6
        );
        let weights = tensor([2, 6, 4], 4, 1.0, &device);
        let diffs = [
            max_difference(
                gradient(&a, &weights, |a| additive_attention_logits(a, c.clone(), w.clone())),
                gradient(&a, &weights, |a| composed(a, c.clone(), w.clone())),
            ),
            max_difference(
                gradient(&c, &weights, |c| additive_attention_logits(a.clone(), c, w.clone())),
                gradient(&c, &weights, |c| composed(a.clone(), c, w.clone())),
            ),
            max_difference(
                gradient(&w, &weights, |w| additive_attention_logits(a.clone(), c.clone(), w)),
                gradient(&w, &weights, |w| composed(a.clone(), c.clone(), w)),
            ),
        ];
        assert!(diffs.iter().all(|d| *d < 1e-5), "gradient differences (a, c, w): {diffs:?}");
    }
}
