//! Sigmoid and softmax (over the last dimension) as operations of our own: burn's CPU backend
//! evaluates them with a library call per element, which made the GCN's edge gates alone cost
//! more than its products. On the CPU they run the vectorised kernels of `cmin-kernels`; the
//! other backends use burn's operations (default bodies); autodiff keeps the output and
//! differentiates through it (`y (1 - y)`, `y (g - sum(g y))`), so training gets the fast
//! forward too.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind, unary};
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, Backend, Dispatch, Flex, TensorMetadata, backend_extension};
use burn::tensor::Tensor;

use super::flex_data::{f32s, tensor};

#[backend_extension(Flex, Cube: cfg(any(feature = "wgpu", target_family = "wasm")), Autodiff)]
pub trait ActivationKernelOps: Backend {
    fn sigmoid_kernel(x: FloatTensor<Self>) -> FloatTensor<Self> {
        Self::sigmoid(x)
    }

    /// Softmax over the last dimension.
    fn softmax_last_kernel(x: FloatTensor<Self>) -> FloatTensor<Self> {
        let last = x.shape().num_dims() - 1;
        let max = Self::float_max_dim(x.clone(), last);
        let e = Self::float_exp(Self::float_sub(x, max));
        let sum = Self::float_sum_dim(e.clone(), last);
        Self::float_div(e, sum)
    }
}

impl ActivationKernelOps for Flex {
    fn sigmoid_kernel(x: FlexTensor) -> FlexTensor {
        let dims = x.shape().to_vec();
        let mut values = f32s(&x).into_owned();
        cmin_kernels::sigmoid_in_place(&mut values);
        tensor(values, dims)
    }

    fn softmax_last_kernel(x: FlexTensor) -> FlexTensor {
        let dims = x.shape().to_vec();
        let mut values = f32s(&x).into_owned();
        if let Some(&width) = dims.last().filter(|&&w| w > 0 && !values.is_empty()) {
            cmin_kernels::softmax_rows_in_place(&mut values, width);
        }
        tensor(values, dims)
    }
}

#[cfg(any(feature = "wgpu", target_family = "wasm"))]
impl ActivationKernelOps for burn_cubecl::CubeBackend {}

impl<B: Backend + ActivationKernelOps, C: CheckpointStrategy> ActivationKernelOps for Autodiff<B, C> {
    fn sigmoid_kernel(x: FloatTensor<Self>) -> FloatTensor<Self> {
        #[derive(Debug)]
        struct Sigmoid;

        impl<B: Backend> Backward<B, 1> for Sigmoid {
            type State = FloatTensor<B>;

            fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _checkpointer: &mut Checkpointer) {
                let y = ops.state;
                unary::<B, _>(ops.parents, ops.node, grads, |grad| {
                    let one_minus_y = B::float_neg(B::float_add_scalar(y.clone(), (-1.0f32).into()));
                    B::float_mul(grad, B::float_mul(y, one_minus_y))
                });
            }
        }

        match Sigmoid.prepare::<C>([x.node()]).compute_bound().stateful() {
            OpsKind::Tracked(prep) => {
                let y = B::sigmoid_kernel(x.into_primitive());
                prep.finish(y.clone(), y)
            }
            OpsKind::UnTracked(prep) => prep.finish(B::sigmoid_kernel(x.into_primitive())),
        }
    }

    fn softmax_last_kernel(x: FloatTensor<Self>) -> FloatTensor<Self> {
        #[derive(Debug)]
        struct Softmax;

        impl<B: Backend> Backward<B, 1> for Softmax {
            type State = FloatTensor<B>;

            fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _checkpointer: &mut Checkpointer) {
                let y = ops.state;
                unary::<B, _>(ops.parents, ops.node, grads, |grad| {
                    let last = y.shape().num_dims() - 1;
                    let along = B::float_sum_dim(B::float_mul(grad.clone(), y.clone()), last);
                    B::float_mul(y, B::float_sub(grad, along))
                });
            }
        }

        match Softmax.prepare::<C>([x.node()]).compute_bound().stateful() {
            OpsKind::Tracked(prep) => {
                let y = B::softmax_last_kernel(x.into_primitive());
                prep.finish(y.clone(), y)
            }
            OpsKind::UnTracked(prep) => prep.finish(B::softmax_last_kernel(x.into_primitive())),
        }
    }
}

/// `1 / (1 + e^-x)`, elementwise.
pub fn sigmoid<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    Tensor::from_dispatch(<Dispatch as ActivationKernelOps>::sigmoid_kernel(x.into_dispatch()))
}

/// Softmax over the last dimension.
pub fn softmax_last<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    Tensor::from_dispatch(<Dispatch as ActivationKernelOps>::softmax_last_kernel(x.into_dispatch()))
}
