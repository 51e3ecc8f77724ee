//! Batched matrix products with an optional bias, `x w + b`, as one operation. On the CPU and
//! under autodiff they are burn's `matmul` and `add` (the default bodies). On wgpu and WebGPU a
//! CubeCL kernel without shared memory or barriers computes them: the model's products are
//! small (tens to hundreds of rows), where burn's tiled matrix kernels cost several
//! milliseconds each on a software GPU (their staging through shared memory turns every
//! barrier into a context switch), and one kernel for every shape is one shader to compile.

#[cfg(feature = "wgpu")]
mod cube;

use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, Backend, Dispatch, Flex, Shape, TensorMetadata, backend_extension};
use burn::tensor::Tensor;

#[backend_extension(Flex, Cube: cfg(feature = "wgpu"), Autodiff)]
pub trait ProductOps: Backend {
    /// `x` `[batch, rows, inner]`, `w` `[batch, inner, columns]` or `[1, inner, columns]` (one
    /// matrix for the whole batch); output `[batch, rows, columns]`. Or, without the batch
    /// dimension, `x` `[rows, inner]`, `w` `[inner, columns]` and output `[rows, columns]`.
    fn product(x: FloatTensor<Self>, w: FloatTensor<Self>) -> FloatTensor<Self> {
        Self::float_matmul(x, w)
    }

    /// [`ProductOps::product`] plus `bias` `[columns]` on every row.
    fn product_with_bias(x: FloatTensor<Self>, w: FloatTensor<Self>, bias: FloatTensor<Self>) -> FloatTensor<Self> {
        let mut dims = vec![1; x.shape().num_dims()];
        *dims.last_mut().expect("a matrix") = bias.shape().num_elements();
        Self::float_add(Self::float_matmul(x, w), Self::float_reshape(bias, Shape::from(dims)))
    }
}

impl ProductOps for Flex {}

impl<B: Backend + ProductOps, C: CheckpointStrategy> ProductOps for Autodiff<B, C> {}

/// `x w (+ bias)` on the backend that holds the tensors, `D` 2 or 3 (see
/// [`ProductOps::product`] for the shapes).
pub fn product<const D: usize>(x: Tensor<D>, w: Tensor<D>, bias: Option<Tensor<1>>) -> Tensor<D> {
    Tensor::from_dispatch(match bias {
        Some(bias) => {
            <Dispatch as ProductOps>::product_with_bias(x.into_dispatch(), w.into_dispatch(), bias.into_dispatch())
        }
        None => <Dispatch as ProductOps>::product(x.into_dispatch(), w.into_dispatch()),
    })
}

#[cfg(test)]
mod tests {
    use burn::tensor::{Device, Tensor};

    use super::product;
    #[cfg(feature = "wgpu")]
    use crate::ops::testing::on_wgpu;
    use crate::ops::testing::{max_difference, tensor};

    /// Shapes with ragged edges (rows and columns not multiples of the kernel's tile), a
    /// matrix shared by the batch and one per batch entry, with and without a bias.
    fn assert_products_match(device: &Device) {
        for (batch, rows, inner, columns, shared) in [
            (1, 1, 1, 1, true),
            (2, 7, 13, 5, true),
            (3, 12, 50, 50, false),
            (1, 48, 128, 384, true),
            (2, 9, 3, 130, false),
        ] {
            let x = tensor([batch, rows, inner], 1, 1.0, device);
            let w = tensor([if shared { 1 } else { batch }, inner, columns], 2, 0.5, device);
            let bias = tensor([columns], 3, 1.0, device);
            let expected = x.clone().matmul(w.clone());
            // The same matrix stored transposed: read through its strides.
            let transposed = tensor([w.dims()[0], columns, inner], 2, 0.5, device).swap_dims(1, 2);
            let expected_transposed = x.clone().matmul(transposed.clone());
            assert!(max_difference(product(x.clone(), transposed, None), expected_transposed) < 1e-5);
            let plain = product(x.clone(), w.clone(), None);
            assert_eq!(plain.dims(), [batch, rows, columns]);
            let with_bias = product(x, w, Some(bias.clone()));
            let diffs = [
                max_difference(plain, expected.clone()),
                max_difference(with_bias, expected + bias.reshape([1, 1, columns])),
            ];
            assert!(diffs.iter().all(|d| *d < 1e-5), "{batch}x{rows}x{inner}x{columns}: {diffs:?}");
        }
        // Without the batch dimension, the weight stored transposed.
        let (x, w, bias) =
            (tensor([5, 9], 1, 1.0, device), tensor([6, 9], 2, 0.5, device).transpose(), tensor([6], 3, 1.0, device));
        let expected = x.clone().matmul(w.clone()) + bias.clone().unsqueeze();
        assert!(max_difference(product(x, w, Some(bias)), expected) < 1e-5);
    }

    #[test]
    fn products_match_burns_matmul_on_the_cpu() {
        assert_products_match(&crate::device::cpu());
    }

    #[cfg(feature = "wgpu")]
    #[test]
    fn products_match_burns_matmul_on_wgpu() {
        on_wgpu(assert_products_match);
    }

    #[test]
    fn gradients_reach_both_factors_and_the_bias() {
        let device = crate::device::cpu().autodiff();
        let (x, w, b) = (
            tensor([2, 3, 4], 1, 1.0, &device).require_grad(),
            tensor([1, 4, 5], 2, 1.0, &device).require_grad(),
            tensor([5], 3, 1.0, &device).require_grad(),
        );
        let grads = product(x.clone(), w.clone(), Some(b.clone())).sum().backward();
        let ones = Tensor::<3>::ones([2, 3, 5], &device);
        // d/dx sum(x w + b) = 1 w^T; d/dw = x^T 1 summed over the batch; d/db = rows * batch.
        let dx = ones.clone().matmul(w.clone().swap_dims(1, 2));
        let dw = x.clone().swap_dims(1, 2).matmul(ones).sum_dim(0);
        let close =
            |a: Vec<f32>, b: Vec<f32>| a.len() == b.len() && a.iter().zip(&b).all(|(a, b)| (a - b).abs() < 1e-5);
        let values = |t: Tensor<3>| t.into_data().try_to_vec::<f32>().unwrap();
        assert!(close(values(x.grad(&grads).unwrap()), values(dx)));
        assert!(close(values(w.grad(&grads).unwrap()), values(dw)));
        assert!(close(b.grad(&grads).unwrap().into_data().try_to_vec().unwrap(), vec![6.0; 5]));
    }
}
