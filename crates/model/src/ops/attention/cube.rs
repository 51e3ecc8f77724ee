//! The logits on every CubeCL runtime: one unit per (query, row, column) sums over the
//! features, reading `a` and `c` through their strides (a video expanded over a batch of
//! queries is read in place).

use burn::backend::cubecl::dtype_to_storage_type;
use burn::backend::{Shape, TensorMetadata};
use burn_cubecl::CubeBackend;
use burn_cubecl::ops::numeric::empty_device_dtype;
use burn_cubecl::tensor::CubeTensor;
use cubecl::calculate_cube_count_elemwise;
use cubecl::prelude::*;

use super::AttentionOps;
use crate::ops::cube_math::tanh;

/// Units per cube.
const CUBE_UNITS: u32 = 64;

#[cube(launch)]
fn additive_attention_logits_kernel<F: Float>(
    a: &Tensor<F>,
    c: &Tensor<F>,
    w: &Tensor<F>,
    output: &mut Tensor<F>,
    #[define(F)] _dtype: ElemType,
) {
    if ABSOLUTE_POS >= output.len() {
        terminate!();
    }
    let (rows, columns) = (a.shape(1), c.shape(1));
    let b = ABSOLUTE_POS / (rows * columns);
    let i = (ABSOLUTE_POS / columns) % rows;
    let j = ABSOLUTE_POS % columns;
    let a_row = b * a.stride(0) + i * a.stride(1);
    let c_row = b * c.stride(0) + j * c.stride(1);
    let mut sum = F::new(0.0);
    for k in 0..a.shape(2) {
        sum += w[k * w.stride(0)] * tanh::<F>(a[a_row + k * a.stride(2)] + c[c_row + k * c.stride(2)]);
    }
    output[ABSOLUTE_POS] = sum;
}

impl AttentionOps for CubeBackend {
    fn additive_attention_logits(a: CubeTensor, c: CubeTensor, w: CubeTensor) -> CubeTensor {
        let [batch, rows, _] = a.shape().dims::<3>();
        let columns = c.shape().dims::<3>()[1];
        let output =
            empty_device_dtype(a.client.clone(), a.device.clone(), Shape::new([batch, rows, columns]), a.dtype);
        let units = batch * rows * columns;
        if units == 0 {
            return output;
        }
        let dim = CubeDim::new_1d(CUBE_UNITS);
        let dtype = dtype_to_storage_type(a.dtype);
        additive_attention_logits_kernel::launch(
            &a.client.clone(),
            calculate_cube_count_elemwise(&a.client, units, dim),
            dim,
            a.into_tensor_arg(),
            c.into_tensor_arg(),
            w.into_tensor_arg(),
            output.clone().into_tensor_arg(),
            dtype,
        );
        output
    }
}
