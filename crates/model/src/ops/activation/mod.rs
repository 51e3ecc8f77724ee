//! Sigmoid, softmax and standardisation (the last two over the last dimension) as operations
//! of our own. burn's CPU backend evaluates sigmoid and softmax with a library call per
//! element, which made the GCN's edge gates alone cost more than its products: on the CPU they
//! run the vectorised kernels of `cmin-kernels`. On the GPU, softmax and standardisation are
//! each one kernel (a unit per row) instead of five to seven of burn's. Autodiff keeps the
//! output of sigmoid and softmax and differentiates through it (`y (1 - y)`,
//! `y (g - sum(g y))`), so training gets the fast forward too; standardisation is composed of
//! burn's operations there and on the CPU (the default body).

#[cfg(feature = "wgpu")]
mod cube;

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind, unary};
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, Backend, Dispatch, Flex, TensorMetadata, backend_extension};
use burn::tensor::Tensor;

use super::flex_data::{f32s, tensor};

#[backend_extension(Flex, Cube: cfg(feature = "wgpu"), Autodiff)]
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

    /// Zero mean and unit variance over the last dimension, `(x - mean) / sqrt(var + 1e-5)`
    /// with the biased variance (a layer norm without its affine part).
    fn standardise_last_kernel(x: FloatTensor<Self>) -> FloatTensor<Self> {
        let last = x.shape().num_dims() - 1;
        let width = x.shape()[last] as f32;
        let mean = Self::float_div_scalar(Self::float_sum_dim(x.clone(), last), width.into());
        let centred = Self::float_sub(x, mean);
        let variance = Self::float_div_scalar(
            Self::float_sum_dim(Self::float_mul(centred.clone(), centred.clone()), last),
            width.into(),
        );
        Self::float_div(centred, Self::float_sqrt(Self::float_add_scalar(variance, STANDARDISE_EPSILON.into())))
    }
}

/// Added to the variance before its square root in [`standardise_last`].
pub const STANDARDISE_EPSILON: f32 = 1e-5;

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

/// An element-wise operation whose backward needs only its output: `kernel` on the inner
/// backend, with the output kept for `op`'s backward when the input is tracked.
fn keeping_output<B: Backend, C: CheckpointStrategy, O: Backward<B, 1, State = FloatTensor<B>>>(
    op: O,
    x: FloatTensor<Autodiff<B, C>>,
    kernel: fn(FloatTensor<B>) -> FloatTensor<B>,
) -> FloatTensor<Autodiff<B, C>> {
    match op.prepare::<C>([x.node()]).compute_bound().stateful() {
        OpsKind::Tracked(prep) => {
            let y = kernel(x.into_primitive());
            prep.finish(y.clone(), y)
        }
        OpsKind::UnTracked(prep) => prep.finish(kernel(x.into_primitive())),
    }
}

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

        keeping_output::<B, C, _>(Sigmoid, x, B::sigmoid_kernel)
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

        keeping_output::<B, C, _>(Softmax, x, B::softmax_last_kernel)
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

/// Zero mean and unit variance over the last dimension (see
/// [`ActivationKernelOps::standardise_last_kernel`]).
pub fn standardise_last<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    Tensor::from_dispatch(<Dispatch as ActivationKernelOps>::standardise_last_kernel(x.into_dispatch()))
}

#[cfg(test)]
mod tests {
    use burn::tensor::activation;

    use super::*;
    use crate::ops::testing::{gradient, max_difference, tensor};

    /// Logits with masked entries (the attention masks' -1e30) and large values.
    fn logits(device: &burn::tensor::Device) -> Tensor<3> {
        let x = tensor([2, 5, 7], 1, 30.0, device);
        let mask = Tensor::<3>::zeros([2, 5, 7], device).slice_fill([0..2, 0..5, 5..7], -1e30);
        x + mask
    }

    fn assert_activations_match_burns(device: &burn::tensor::Device) {
        let x = logits(device);
        let gates = tensor([3, 4, 9], 2, 12.0, device);
        assert!(max_difference(sigmoid(gates.clone()), activation::sigmoid(gates)) < 1e-6);
        let ours = softmax_last(x.clone());
        assert!(max_difference(ours.clone(), activation::softmax(x, 2)) < 1e-6);
        assert_eq!(
            ours.slice([0..2, 0..5, 5..7]).abs().max().into_scalar::<f32>(),
            0.0,
            "masked entries get no weight"
        );
        let features = tensor([2, 6, 33], 4, 3.0, device) + 1.5;
        let (variance, mean) = features.clone().var_mean_bias(2);
        let expected = (features.clone() - mean) / (variance + STANDARDISE_EPSILON).sqrt();
        assert!(max_difference(standardise_last(features), expected) < 1e-5);
    }

    #[test]
    fn activations_match_burns_on_the_cpu() {
        assert_activations_match_burns(&crate::device::cpu());
    }

    #[cfg(feature = "wgpu")]
    #[test]
    fn activations_match_burns_on_wgpu() {
        crate::ops::testing::on_wgpu(assert_activations_match_burns);
    }

    #[test]
    fn sigmoid_and_softmax_gradients_match_burns_on_the_cpu() {
        let device = crate::device::cpu().autodiff();
        let x = tensor([2, 5, 7], 1, 4.0, &device);
        let weights = tensor([2, 5, 7], 3, 1.0, &device);
        let pairs = [
            (gradient(&x, &weights, sigmoid), gradient(&x, &weights, activation::sigmoid)),
            (gradient(&x, &weights, softmax_last), gradient(&x, &weights, |x| activation::softmax(x, 2))),
        ];
        for (ours, burns) in pairs {
            assert!(max_difference(ours, burns) < 1e-6);
        }
    }
}
