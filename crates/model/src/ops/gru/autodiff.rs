//! Training through the fused recurrence: the forward runs the inner backend's kernel and
//! keeps its inputs and output; the backward runs the inner backend's backward kernel, which
//! returns every input's gradient.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, AutodiffBackend, Backend};

use super::GruOps;

impl<B: Backend + GruOps, C: CheckpointStrategy> GruOps for Autodiff<B, C> {
    fn bigru(
        gates_x: FloatTensor<Self>,
        w_hh: FloatTensor<Self>,
        b_hh: FloatTensor<Self>,
        lengths: Vec<usize>,
    ) -> FloatTensor<Self> {
        let guards = [gates_x.node(), w_hh.node(), b_hh.node()];
        let (gates_x, w_hh, b_hh) = (gates_x.into_primitive(), w_hh.into_primitive(), b_hh.into_primitive());
        match Bigru.prepare::<C>(guards).compute_bound().stateful() {
            OpsKind::Tracked(prep) => {
                let output = B::bigru(gates_x.clone(), w_hh.clone(), b_hh.clone(), lengths.clone());
                prep.finish(BigruState { gates_x, w_hh, b_hh, lengths, output: output.clone() }, output)
            }
            OpsKind::UnTracked(prep) => prep.finish(B::bigru(gates_x, w_hh, b_hh, lengths)),
        }
    }

    /// Not differentiated further: the gradients come back as constants.
    fn bigru_backward(
        gates_x: FloatTensor<Self>,
        w_hh: FloatTensor<Self>,
        b_hh: FloatTensor<Self>,
        lengths: Vec<usize>,
        output: FloatTensor<Self>,
        grad_output: FloatTensor<Self>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>) {
        let (gx, w, b) = B::bigru_backward(
            gates_x.into_primitive(),
            w_hh.into_primitive(),
            b_hh.into_primitive(),
            lengths,
            output.into_primitive(),
            grad_output.into_primitive(),
        );
        (Self::from_inner(gx), Self::from_inner(w), Self::from_inner(b))
    }
}

#[derive(Debug)]
struct Bigru;

#[derive(Clone, Debug)]
struct BigruState<B: Backend> {
    gates_x: FloatTensor<B>,
    w_hh: FloatTensor<B>,
    b_hh: FloatTensor<B>,
    lengths: Vec<usize>,
    output: FloatTensor<B>,
}

impl<B: Backend + GruOps> Backward<B, 3> for Bigru {
    type State = BigruState<B>;

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _checkpointer: &mut Checkpointer) {
        let [node_x, node_w, node_b] = ops.parents;
        let grad_output = grads.consume::<B>(&ops.node);
        let s = ops.state;
        let (grad_x, grad_w, grad_b) = B::bigru_backward(s.gates_x, s.w_hh, s.b_hh, s.lengths, s.output, grad_output);
        for (node, grad) in [(node_x, grad_x), (node_w, grad_w), (node_b, grad_b)] {
            if let Some(node) = node {
                grads.register::<B>(node.id, grad);
            }
        }
    }
}
