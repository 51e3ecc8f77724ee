//! The product on every CubeCL runtime: each unit computes `TILE_ROWS` rows by `TILE_COLUMNS` columns of
//! the output in registers, reading its rows of `x` and columns of `w` straight from global
//! memory, through their strides (a transposed weight is read in place, with no copy).

use burn::backend::cubecl::dtype_to_storage_type;
use burn::backend::ops::FloatTensorOps;
use burn::backend::{Shape, TensorMetadata};
use burn_cubecl::CubeBackend;
use burn_cubecl::ops::numeric::empty_device_dtype;
use burn_cubecl::tensor::CubeTensor;
use cubecl::calculate_cube_count_elemwise;
use cubecl::prelude::*;

use super::ProductOps;

/// Rows of the output per unit.
const TILE_ROWS: usize = 4;
/// Columns of the output per unit.
const TILE_COLUMNS: usize = 8;

/// Units per cube.
const CUBE_UNITS: u32 = 64;

#[cube(launch)]
fn product_kernel<F: Float>(
    x: &Tensor<F>,
    w: &Tensor<F>,
    bias: &Tensor<F>,
    output: &mut Tensor<F>,
    #[comptime] has_bias: bool,
    #[define(F)] _dtype: ElemType,
) {
    let (batch, rows, columns) = (x.shape(0), x.shape(1), w.shape(2));
    let row_blocks = (rows + TILE_ROWS - 1) / TILE_ROWS;
    let column_blocks = (columns + TILE_COLUMNS - 1) / TILE_COLUMNS;
    let blocks = row_blocks * column_blocks;
    if ABSOLUTE_POS >= batch * blocks {
        terminate!();
    }
    let b = ABSOLUTE_POS / blocks;
    let block = ABSOLUTE_POS % blocks;
    let row0 = (block / column_blocks) * TILE_ROWS;
    // The unit's columns are `column0 + j * column_blocks`: neighbouring units read and write
    // neighbouring columns, each of the unit's `TILE_COLUMNS` loads of a row of `w` contiguous across
    // them.
    let column0 = block % column_blocks;
    let mut w_base = 0;
    if w.shape(0) > 1 {
        w_base = b * w.stride(0);
    }

    // Edge tiles read the last row or column again instead of branching; those sums are
    // not stored.
    let mut x_rows = Array::<usize>::new(TILE_ROWS);
    #[unroll]
    for i in 0..TILE_ROWS {
        let mut row = row0 + i;
        if row >= rows {
            row = rows - 1;
        }
        x_rows[i] = b * x.stride(0) + row * x.stride(1);
    }
    let mut w_columns = Array::<usize>::new(TILE_COLUMNS);
    #[unroll]
    for j in 0..TILE_COLUMNS {
        let mut column = column0 + j * column_blocks;
        if column >= columns {
            column = columns - 1;
        }
        w_columns[j] = w_base + column * w.stride(2);
    }
    let mut sums = Array::<F>::new(TILE_ROWS * TILE_COLUMNS);
    #[unroll]
    for i in 0..TILE_ROWS * TILE_COLUMNS {
        sums[i] = F::new(0.0);
    }
    let (x_step, w_step) = (x.stride(2), w.stride(1));
    for k in 0..x.shape(2) {
        let mut xs = Array::<F>::new(TILE_ROWS);
        #[unroll]
        for i in 0..TILE_ROWS {
            xs[i] = x[x_rows[i] + k * x_step];
        }
        #[unroll]
        for j in 0..TILE_COLUMNS {
            let wv = w[w_columns[j] + k * w_step];
            #[unroll]
            for i in 0..TILE_ROWS {
                sums[i * TILE_COLUMNS + j] += xs[i] * wv;
            }
        }
    }
    #[unroll]
    for i in 0..TILE_ROWS {
        let row = row0 + i;
        #[unroll]
        for j in 0..TILE_COLUMNS {
            let column = column0 + j * column_blocks;
            if row < rows && column < columns {
                let mut value = sums[i * TILE_COLUMNS + j];
                if has_bias {
                    value += bias[column * bias.stride(0)];
                }
                output[(b * rows + row) * columns + column] = value;
            }
        }
    }
}

impl ProductOps for CubeBackend {
    fn product(x: CubeTensor, w: CubeTensor) -> CubeTensor {
        launch(x, w, None)
    }

    fn product_with_bias(x: CubeTensor, w: CubeTensor, bias: CubeTensor) -> CubeTensor {
        launch(x, w, Some(bias))
    }
}

/// Views a matrix as a batch of one.
fn batched(t: CubeTensor) -> CubeTensor {
    match t.shape().to_vec()[..] {
        [rows, columns] => CubeBackend::float_reshape(t, Shape::new([1, rows, columns])),
        _ => t,
    }
}

fn launch(x: CubeTensor, w: CubeTensor, bias: Option<CubeTensor>) -> CubeTensor {
    let matrices = x.shape().num_dims() == 2;
    let (x, w) = (batched(x), batched(w));
    let [batch, rows, _] = x.shape().dims::<3>();
    let columns = w.shape().dims::<3>()[2];
    let output = empty_device_dtype(x.client.clone(), x.device.clone(), Shape::new([batch, rows, columns]), x.dtype);
    let units = batch * rows.div_ceil(TILE_ROWS) * columns.div_ceil(TILE_COLUMNS);
    if units > 0 {
        let cube_dim = CubeDim::new_1d(CUBE_UNITS);
        let has_bias = bias.is_some();
        // Without a bias the kernel never reads its bias argument; any tensor will do.
        let bias = bias.unwrap_or_else(|| x.clone());
        let dtype = dtype_to_storage_type(x.dtype);
        product_kernel::launch(
            &x.client.clone(),
            calculate_cube_count_elemwise(&x.client, units, cube_dim),
            cube_dim,
            x.into_tensor_arg(),
            w.into_tensor_arg(),
            bias.into_tensor_arg(),
            output.clone().into_tensor_arg(),
            has_bias,
            dtype,
        );
    }
    if matrices { CubeBackend::float_reshape(output, Shape::new([rows, columns])) } else { output }
}
