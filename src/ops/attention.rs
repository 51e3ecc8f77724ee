//! The logits of additive attention, `s_bij = sum_k w_k tanh(a_bik + c_bjk)`, as one
//! operation. On the CPU a fused kernel computes them without the `[batch, rows, columns,
//! dim]` intermediate; the other backends, and autodiff (so training stays differentiable
//! with no hand-written backward), compose burn's operations in the default body.

use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, Dispatch, Flex, Shape, TensorMetadata, backend_extension};
use burn::tensor::Tensor;

use super::flex_data::{f32s, tensor};

#[backend_extension(Flex, Cube: cfg(any(feature = "wgpu", target_family = "wasm")), Autodiff)]
pub trait AttentionOps: Backend {
    /// `a` `[batch, rows, dim]`, `c` `[batch, columns, dim]`, `w` `[dim]`; output
    /// `[batch, rows, columns]`.
    fn additive_attention_logits(a: FloatTensor<Self>, c: FloatTensor<Self>, w: FloatTensor<Self>) -> FloatTensor<Self> {
        let [batch, rows, dim] = a.shape().dims::<3>();
        let columns = c.shape().dims::<3>()[1];
        let a = Self::float_reshape(a, Shape::new([batch, rows, 1, dim]));
        let c = Self::float_reshape(c, Shape::new([batch, 1, columns, dim]));
        let hidden = Self::float_reshape(Self::float_tanh(Self::float_add(a, c)), Shape::new([batch, rows * columns, dim]));
        let logits = Self::float_matmul(hidden, Self::float_reshape(w, Shape::new([1, dim, 1])));
        Self::float_reshape(logits, Shape::new([batch, rows, columns]))
    }
}

impl AttentionOps for Flex {
    fn additive_attention_logits(a: FloatTensor<Self>, c: FloatTensor<Self>, w: FloatTensor<Self>) -> FloatTensor<Self> {
        let [batch, rows, _] = a.shape().dims::<3>();
        let columns = c.shape().dims::<3>()[1];
        let mut out = vec![0f32; batch * rows * columns];
        if !out.is_empty() {
            cmin_kernels::additive_attention_logits(&f32s(&a), &f32s(&c), &f32s(&w), batch, &mut out);
        }
        tensor(out, vec![batch, rows, columns])
    }
}

#[cfg(any(feature = "wgpu", target_family = "wasm"))]
impl AttentionOps for burn_cubecl::CubeBackend {}

impl<B: Backend + AttentionOps, C: burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy> AttentionOps
    for burn::backend::Autodiff<B, C>
{
}

/// The logits on the backend that holds the tensors (see the module docs for shapes).
pub fn additive_attention_logits(a: Tensor<3>, c: Tensor<3>, w: Tensor<1>) -> Tensor<3> {
    Tensor::from_dispatch(<Dispatch as AttentionOps>::additive_attention_logits(
        a.into_dispatch(),
        c.into_dispatch(),
        w.into_dispatch(),
    ))
}
