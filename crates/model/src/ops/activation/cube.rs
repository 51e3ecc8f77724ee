//! Softmax and standardisation on every CubeCL runtime: one unit per row of the last
//! dimension, which reads its row from global memory and writes it once normalised. The rows
//! are short (words, clips or features), so one pass per statistic costs less than the
//! dispatches of a reduction.

use burn::backend::cubecl::dtype_to_storage_type;
use burn::backend::{Shape, TensorMetadata};
use burn_cubecl::CubeBackend;
use burn_cubecl::kernel::into_contiguous;
use burn_cubecl::ops::numeric::empty_device_dtype;
use burn_cubecl::tensor::CubeTensor;
use cubecl::calculate_cube_count_elemwise;
use cubecl::prelude::*;

use super::{ActivationKernelOps, STANDARDISE_EPSILON};

/// Units per cube.
const CUBE_UNITS: u32 = 64;

#[cube(launch)]
fn softmax_rows_kernel<F: Float>(x: &Tensor<F>, output: &mut Tensor<F>, width: u32, #[define(F)] _dtype: ElemType) {
    let width = width as usize;
    if ABSOLUTE_POS * width >= x.len() {
        terminate!();
    }
    let row = ABSOLUTE_POS * width;
    let mut max = x[row];
    for i in 1..width {
        let value = x[row + i];
        if value > max {
            max = value;
        }
    }
    let mut sum = F::new(0.0);
    for i in 0..width {
        let e = (x[row + i] - max).exp();
        output[row + i] = e;
        sum += e;
    }
    for i in 0..width {
        output[row + i] = output[row + i] / sum;
    }
}

#[cube(launch)]
fn standardise_rows_kernel<F: Float>(
    x: &Tensor<F>,
    output: &mut Tensor<F>,
    width: u32,
    epsilon: f32,
    #[define(F)] _dtype: ElemType,
) {
    let width = width as usize;
    if ABSOLUTE_POS * width >= x.len() {
        terminate!();
    }
    let row = ABSOLUTE_POS * width;
    let count = F::cast_from(width);
    let mut sum = F::new(0.0);
    for i in 0..width {
        sum += x[row + i];
    }
    let mean = sum / count;
    let mut squares = F::new(0.0);
    for i in 0..width {
        let centred = x[row + i] - mean;
        squares += centred * centred;
    }
    let scale = F::new(1.0) / (squares / count + F::cast_from(epsilon)).sqrt();
    for i in 0..width {
        output[row + i] = (x[row + i] - mean) * scale;
    }
}

/// A contiguous copy of `x`'s layout to write into, and the launch shape of one unit per row.
struct Rows {
    x: CubeTensor,
    output: CubeTensor,
    count: CubeCount,
    dim: CubeDim,
    width: u32,
}

fn rows(x: CubeTensor) -> Option<Rows> {
    let x = into_contiguous(x);
    let dims = x.shape().to_vec();
    let width = *dims.last()?;
    let rows = x.shape().num_elements() / width.max(1);
    if width == 0 || rows == 0 {
        return None;
    }
    let output = empty_device_dtype(x.client.clone(), x.device.clone(), Shape::from(dims), x.dtype);
    let dim = CubeDim::new_1d(CUBE_UNITS);
    let count = calculate_cube_count_elemwise(&x.client, rows, dim);
    Some(Rows { x, output, count, dim, width: width as u32 })
}

impl ActivationKernelOps for CubeBackend {
    fn softmax_last_kernel(x: CubeTensor) -> CubeTensor {
        let Some(r) = rows(x.clone()) else { return x };
        let dtype = dtype_to_storage_type(r.x.dtype);
        softmax_rows_kernel::launch(
            &r.x.client.clone(),
            r.count,
            r.dim,
            r.x.into_tensor_arg(),
            r.output.clone().into_tensor_arg(),
            r.width,
            dtype,
        );
        r.output
    }

    fn standardise_last_kernel(x: CubeTensor) -> CubeTensor {
        let Some(r) = rows(x.clone()) else { return x };
        let dtype = dtype_to_storage_type(r.x.dtype);
        standardise_rows_kernel::launch(
            &r.x.client.clone(),
            r.count,
            r.dim,
            r.x.into_tensor_arg(),
            r.output.clone().into_tensor_arg(),
            r.width,
            STANDARDISE_EPSILON,
            dtype,
        );
        r.output
    }
}
