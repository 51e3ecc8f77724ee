//! Training through the fused recurrence: the forward runs the inner backend's kernel and
//! keeps its inputs and output; the backward runs the inner backend's backward kernel (the
//! sequential part), then one matrix product and one sum give the weight and bias gradients.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, AutodiffBackend, Backend, Slice, TensorMetadata};

use super::GruOps;

impl<B: Backend + GruOps, C: CheckpointStrategy> GruOps for Autodiff<B, C> {
    fn gru_recurrence(
        gates_x: FloatTensor<Self>,
        w_hh: FloatTensor<Self>,
        b_hh: FloatTensor<Self>,
    ) -> FloatTensor<Self> {
        let guards = [gates_x.node(), w_hh.node(), b_hh.node()];
        let (gates_x, w_hh, b_hh) = (gates_x.into_primitive(), w_hh.into_primitive(), b_hh.into_primitive());
        match GruRecurrence.prepare::<C>(guards).compute_bound().stateful() {
            OpsKind::Tracked(prep) => {
                let output = B::gru_recurrence(gates_x.clone(), w_hh.clone(), b_hh.clone());
                prep.finish((gates_x, w_hh, b_hh, output.clone()), output)
            }
            OpsKind::UnTracked(prep) => prep.finish(B::gru_recurrence(gates_x, w_hh, b_hh)),
        }
    }

    /// Not differentiated further: the gradients come back as constants.
    fn gru_recurrence_backward(
        gates_x: FloatTensor<Self>,
        w_hh: FloatTensor<Self>,
        b_hh: FloatTensor<Self>,
        output: FloatTensor<Self>,
        grad_output: FloatTensor<Self>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>) {
        let (grad_x, grad_h) = B::gru_recurrence_backward(
            gates_x.into_primitive(),
            w_hh.into_primitive(),
            b_hh.into_primitive(),
            output.into_primitive(),
            grad_output.into_primitive(),
        );
        (Self::from_inner(grad_x), Self::from_inner(grad_h))
    }
}

#[derive(Debug)]
struct GruRecurrence;

impl<B: Backend + GruOps> Backward<B, 3> for GruRecurrence {
    /// `gates_x`, `w_hh`, `b_hh` and the output.
    type State = (FloatTensor<B>, FloatTensor<B>, FloatTensor<B>, FloatTensor<B>);

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _checkpointer: &mut Checkpointer) {
        let [node_x, node_w, node_b] = ops.parents;
        let grad_output = grads.consume::<B>(&ops.node);
        let (gates_x, w_hh, b_hh, output) = ops.state;
        let (grad_x, grad_h) = B::gru_recurrence_backward(gates_x, w_hh.clone(), b_hh, output.clone(), grad_output);
        let [directions, batch, time, h] = output.shape().dims::<4>();
        let g = 3 * h;
        if let Some(node) = node_w {
            // dW = sum over sequences and steps t >= 1 of h_{t-1}^T dgh_t (h_{-1} is zero).
            let grad_w = if time > 1 {
                let previous = B::float_slice(output, &steps(0..time - 1, 4));
                let previous = B::float_reshape(previous, [directions, batch * (time - 1), h].into());
                let later = B::float_slice(grad_h.clone(), &steps(1..time, 4));
                let later = B::float_reshape(later, [directions, batch * (time - 1), g].into());
                B::float_matmul(B::float_swap_dims(previous, 1, 2), later)
            } else {
                B::float_mul_scalar(w_hh, 0f32.into())
            };
            grads.register::<B>(node.id, grad_w);
        }
        if let Some(node) = node_b {
            let summed = B::float_sum_dim(B::float_reshape(grad_h, [directions, batch * time, g].into()), 1);
            grads.register::<B>(node.id, B::float_reshape(summed, [directions, g].into()));
        }
        if let Some(node) = node_x {
            grads.register::<B>(node.id, grad_x);
        }
    }
}

/// Slices that keep every index except `range` along the time axis (axis 2).
fn steps(range: core::ops::Range<usize>, rank: usize) -> Vec<Slice> {
    (0..rank).map(|axis| if axis == 2 { Slice::from(range.clone()) } else { Slice::full() }).collect()
}
