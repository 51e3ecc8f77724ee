//! The GRU recurrence as one operation: every time step of every sequence and direction in a
//! single call (one kernel dispatch on the GPU) instead of a dozen small tensor operations per
//! step.
//!
//! Layouts: `gates_x` `[directions, batch, time, 3h]` are the input projections
//! `x W_ih^T + b_ih` of every step (gates r, z, n); `w_hh` `[directions, h, 3h]` is the
//! transpose of PyTorch's `weight_hh`; `b_hh` `[directions, 3h]`; the output
//! `[directions, batch, time, h]` holds every hidden state. Each (direction, batch) sequence is
//! read in the order it is stored, from a zero initial state.

mod autodiff;
#[cfg(any(feature = "wgpu", target_family = "wasm"))]
mod cube;
mod flex;

use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, Dispatch, backend_extension};
use burn::tensor::Tensor;

/// The recurrence and its backward pass (which autodiff calls; see `autodiff.rs`).
#[backend_extension(Flex, Cube: cfg(any(feature = "wgpu", target_family = "wasm")), Autodiff)]
pub trait GruOps: Backend {
    /// Every hidden state of every sequence, `[directions, batch, time, h]`.
    fn gru_recurrence(gates_x: FloatTensor<Self>, w_hh: FloatTensor<Self>, b_hh: FloatTensor<Self>)
    -> FloatTensor<Self>;

    /// Given the forward's inputs, its output and the gradient of a loss with respect to that
    /// output: the gradients with respect to `gates_x` and to the hidden pre-activations
    /// `h_{t-1} W_hh + b_hh`, both `[directions, batch, time, 3h]`.
    fn gru_recurrence_backward(
        gates_x: FloatTensor<Self>,
        w_hh: FloatTensor<Self>,
        b_hh: FloatTensor<Self>,
        output: FloatTensor<Self>,
        grad_output: FloatTensor<Self>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>);
}

/// Runs the recurrence on the backend that holds the tensors (see the module docs for shapes).
pub fn gru_recurrence(gates_x: Tensor<4>, w_hh: Tensor<3>, b_hh: Tensor<2>) -> Tensor<4> {
    Tensor::from_dispatch(<Dispatch as GruOps>::gru_recurrence(
        gates_x.into_dispatch(),
        w_hh.into_dispatch(),
        b_hh.into_dispatch(),
    ))
}

#[cfg(test)]
mod tests;
