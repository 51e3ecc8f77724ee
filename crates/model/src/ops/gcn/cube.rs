//! The messages on every CubeCL runtime: one unit per (query, word, feature) walks the three
//! blocks and the words it reads, picking each pair's biases by its slot. Every operand is
//! read through its strides, so the blocks' products are used in place.

use burn::backend::cubecl::dtype_to_storage_type;
use burn::backend::{Shape, TensorMetadata};
use burn_cubecl::CubeBackend;
use burn_cubecl::ops::numeric::empty_device_dtype;
use burn_cubecl::tensor::CubeTensor;
use cubecl::calculate_cube_count_elemwise;
use cubecl::prelude::*;

use super::GcnOps;
use crate::ops::cube_math::sigmoid;

/// Units per cube.
const CUBE_UNITS: u32 = 64;

#[cube(launch)]
fn gcn_messages_kernel<F: Float, I: Int>(
    y: &Tensor<F>,
    z: &Tensor<F>,
    direction_biases: &Tensor<F>,
    gate_biases: &Tensor<F>,
    pair_slots: &Tensor<I>,
    present: &Tensor<F>,
    output: &mut Tensor<F>,
    #[define(F)] _float: ElemType,
    #[define(I)] _int: ElemType,
) {
    if ABSOLUTE_POS >= output.len() {
        terminate!();
    }
    let (blocks, words, dim) = (y.shape(1), y.shape(2), y.shape(3));
    let slots = direction_biases.shape(1);
    let b = ABSOLUTE_POS / (words * dim);
    let i = (ABSOLUTE_POS / dim) % words;
    let d = ABSOLUTE_POS % dim;
    let mut sum = F::new(0.0);
    for k in 0..blocks {
        for j in 0..words {
            let pair = ((b * blocks + k) * words + i) * words + j;
            let reads = b * present.stride(0) + k * present.stride(1) + i * present.stride(2) + j * present.stride(3);
            if present[reads] != F::new(0.0) {
                let row = usize::cast_from(pair_slots[pair * pair_slots.stride(0)]);
                let (block, slot) = (row / slots, row % slots);
                let direction_bias = direction_biases[block * direction_biases.stride(0)
                    + slot * direction_biases.stride(1)
                    + d * direction_biases.stride(2)];
                let gate_bias = gate_biases
                    [block * gate_biases.stride(0) + slot * gate_biases.stride(1) + d * gate_biases.stride(2)];
                let value = y[b * y.stride(0) + k * y.stride(1) + j * y.stride(2) + d * y.stride(3)];
                let gate = z[b * z.stride(0) + k * z.stride(1) + j * z.stride(2) + d * z.stride(3)];
                sum += (value + direction_bias) * sigmoid::<F>(gate + gate_bias);
            }
        }
    }
    output[ABSOLUTE_POS] = sum;
}

impl GcnOps for CubeBackend {
    fn gcn_messages(
        y: CubeTensor,
        z: CubeTensor,
        direction_biases: CubeTensor,
        gate_biases: CubeTensor,
        pair_slots: CubeTensor,
        present: CubeTensor,
    ) -> CubeTensor {
        let [batch, _, words, dim] = y.shape().dims::<4>();
        let output = empty_device_dtype(y.client.clone(), y.device.clone(), Shape::new([batch, words, dim]), y.dtype);
        let units = batch * words * dim;
        if units == 0 {
            return output;
        }
        let cube_dim = CubeDim::new_1d(CUBE_UNITS);
        let (float, int) = (dtype_to_storage_type(y.dtype), dtype_to_storage_type(pair_slots.dtype));
        gcn_messages_kernel::launch(
            &y.client.clone(),
            calculate_cube_count_elemwise(&y.client, units, cube_dim),
            cube_dim,
            y.into_tensor_arg(),
            z.into_tensor_arg(),
            direction_biases.into_tensor_arg(),
            gate_biases.into_tensor_arg(),
            pair_slots.into_tensor_arg(),
            present.into_tensor_arg(),
            output.clone().into_tensor_arg(),
            float,
            int,
        );
        output
    }
}
