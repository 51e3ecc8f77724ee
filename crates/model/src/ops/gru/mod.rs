//! The bidirectional GRU recurrence as one operation: every time step of both directions of
//! every sequence in a single call (one kernel dispatch on the GPU), with packed variable
//! lengths, instead of a dozen small tensor operations per step.
//!
//! Layouts: `gates_x` `[batch, time, 6h]` are the input projections `x W_ih^T + b_ih` of every
//! step, the forward direction's gates (r, z, n) then the backward direction's; `w_hh`
//! `[2, h, 3h]` is the transpose of PyTorch's `weight_hh` per direction; `b_hh` `[2, 3h]`. The
//! output `[batch, time, 2h]` holds both directions' hidden states side by side. Sequence b
//! is read over `0..lengths[b]` (the backward direction from its last true step) and its
//! states past that are zero, as `pack_padded_sequence` gives.

mod autodiff;
#[cfg(feature = "wgpu")]
mod cube;
mod flex;

use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, Dispatch, backend_extension};
use burn::tensor::Tensor;

/// The recurrence and its backward pass (which autodiff calls; see `autodiff.rs`).
#[backend_extension(Flex, Cube: cfg(feature = "wgpu"), Autodiff)]
pub trait GruOps: Backend {
    /// Both directions' hidden states, `[batch, time, 2h]`. `lengths` has one entry per
    /// sequence, each at most `time`.
    fn bigru(
        gates_x: FloatTensor<Self>,
        w_hh: FloatTensor<Self>,
        b_hh: FloatTensor<Self>,
        lengths: Vec<usize>,
    ) -> FloatTensor<Self>;

    /// Given the forward's inputs, its output and the gradient of a loss with respect to that
    /// output: the gradients with respect to `gates_x`, `w_hh` and `b_hh`.
    fn bigru_backward(
        gates_x: FloatTensor<Self>,
        w_hh: FloatTensor<Self>,
        b_hh: FloatTensor<Self>,
        lengths: Vec<usize>,
        output: FloatTensor<Self>,
        grad_output: FloatTensor<Self>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>);
}

/// Runs the recurrence on the backend that holds the tensors (see the module docs for
/// shapes); without `lengths` every sequence is `time` steps long.
pub fn bigru(gates_x: Tensor<3>, w_hh: Tensor<3>, b_hh: Tensor<2>, lengths: Option<&[usize]>) -> Tensor<3> {
    let [batch, time, _] = gates_x.dims();
    let lengths = lengths.map(<[usize]>::to_vec).unwrap_or_else(|| vec![time; batch]);
    Tensor::from_dispatch(<Dispatch as GruOps>::bigru(
        gates_x.into_dispatch(),
        w_hh.into_dispatch(),
        b_hh.into_dispatch(),
        lengths,
    ))
}

#[cfg(test)]
mod tests;
