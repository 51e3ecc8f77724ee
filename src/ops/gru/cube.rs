//! The GPU implementation (every CubeCL runtime: wgpu natively, WebGPU in the browser): one
//! cube (workgroup) per sequence runs all of its time steps, with the hidden state in shared
//! memory and a barrier between steps, so a whole recurrence is one dispatch.

use burn::backend::cubecl::dtype_to_storage_type;
use burn::backend::{Shape, TensorMetadata};
use burn_cubecl::CubeBackend;
use burn_cubecl::kernel::into_contiguous;
use burn_cubecl::ops::numeric::empty_device_dtype;
use burn_cubecl::tensor::CubeTensor;
use cubecl::prelude::*;

use super::GruOps;

/// At most this many units per cube (WebGPU guarantees 256 invocations per workgroup); a
/// thread takes several units when the layer is wider.
const MAX_UNITS_PER_CUBE: u32 = 256;

#[cube]
fn sigmoid<F: Float>(x: F) -> F {
    F::new(1.0) / (F::new(1.0) + (F::new(0.0) - x).exp())
}

/// `2 sigmoid(2x) - 1`: finite for every input, where some shader compilers' `tanh` returns NaN
/// for large arguments.
#[cube]
fn tanh<F: Float>(x: F) -> F {
    F::new(2.0) * sigmoid::<F>(F::new(2.0) * x) - F::new(1.0)
}

/// `b + sum_k state[k] w[k, column]` for one column of `w_hh` `[h, 3h]`.
#[cube]
fn hidden_gate<F: Float>(state: &Shared<[F]>, w_hh: &Tensor<F>, b_hh: &Tensor<F>, d: usize, column: usize, #[comptime] h: usize) -> F {
    let g = 3 * h;
    let base = d * h * g + column;
    let mut sum = b_hh[d * g + column];
    for k in 0..h {
        sum += state[k] * w_hh[base + k * g];
    }
    sum
}

#[cube(launch)]
fn gru_forward_kernel<F: Float>(
    gates_x: &Tensor<F>,
    w_hh: &Tensor<F>,
    b_hh: &Tensor<F>,
    output: &mut Tensor<F>,
    batch: u32,
    time: u32,
    #[comptime] h: usize,
    #[define(F)] _dtype: ElemType,
) {
    let sequence = CUBE_POS_X as usize;
    let d = sequence / batch as usize;
    let time = time as usize;
    let stride = CUBE_DIM_X as usize;
    let g = 3 * h;
    let mut state = Shared::<[F]>::new_slice(h);
    let mut next = Shared::<[F]>::new_slice(h);
    let mut j = UNIT_POS_X as usize;
    while j < h {
        state[j] = F::new(0.0);
        j += stride;
    }
    sync_cube();
    for t in 0..time {
        let row = sequence * time + t;
        let mut j = UNIT_POS_X as usize;
        while j < h {
            let r = sigmoid::<F>(gates_x[row * g + j] + hidden_gate::<F>(&state, w_hh, b_hh, d, j, h));
            let z = sigmoid::<F>(gates_x[row * g + h + j] + hidden_gate::<F>(&state, w_hh, b_hh, d, h + j, h));
            let n = tanh::<F>(gates_x[row * g + 2 * h + j] + r * hidden_gate::<F>(&state, w_hh, b_hh, d, 2 * h + j, h));
            let value = n + z * (state[j] - n);
            next[j] = value;
            output[row * h + j] = value;
            j += stride;
        }
        sync_cube();
        let mut j = UNIT_POS_X as usize;
        while j < h {
            state[j] = next[j];
            j += stride;
        }
        sync_cube();
    }
}

/// The backward pass, one cube per sequence from its last step to its first. Shared memory
/// holds `h_{t-1}`, the gradient carried to it, and this step's hidden-gate gradients, which
/// every unit needs for `dh_{t-1} = dh_t z + W dgh_t`.
#[cube(launch)]
fn gru_backward_kernel<F: Float>(
    gates_x: &Tensor<F>,
    w_hh: &Tensor<F>,
    b_hh: &Tensor<F>,
    output: &Tensor<F>,
    grad_output: &Tensor<F>,
    grad_x: &mut Tensor<F>,
    grad_h: &mut Tensor<F>,
    batch: u32,
    time: u32,
    #[comptime] h: usize,
    #[define(F)] _dtype: ElemType,
) {
    let sequence = CUBE_POS_X as usize;
    let d = sequence / batch as usize;
    let time = time as usize;
    let stride = CUBE_DIM_X as usize;
    let g = 3 * h;
    let mut previous = Shared::<[F]>::new_slice(h);
    let mut carry = Shared::<[F]>::new_slice(h);
    let mut direct = Shared::<[F]>::new_slice(h);
    let mut dgh = Shared::<[F]>::new_slice(g);
    let mut j = UNIT_POS_X as usize;
    while j < h {
        carry[j] = F::new(0.0);
        j += stride;
    }
    for step in 0..time {
        let t = time - 1 - step;
        let row = sequence * time + t;
        let mut j = UNIT_POS_X as usize;
        while j < h {
            let mut value = F::new(0.0);
            if t > 0 {
                value = output[(row - 1) * h + j];
            }
            previous[j] = value;
            j += stride;
        }
        sync_cube();
        let mut j = UNIT_POS_X as usize;
        while j < h {
            let gh_n = hidden_gate::<F>(&previous, w_hh, b_hh, d, 2 * h + j, h);
            let r = sigmoid::<F>(gates_x[row * g + j] + hidden_gate::<F>(&previous, w_hh, b_hh, d, j, h));
            let z = sigmoid::<F>(gates_x[row * g + h + j] + hidden_gate::<F>(&previous, w_hh, b_hh, d, h + j, h));
            let n = tanh::<F>(gates_x[row * g + 2 * h + j] + r * gh_n);
            let dh = grad_output[row * h + j] + carry[j];
            let one = F::new(1.0);
            let dn = dh * (one - z) * (one - n * n);
            let dz = dh * (previous[j] - n) * z * (one - z);
            let dr = dn * gh_n * r * (one - r);
            grad_x[row * g + j] = dr;
            grad_x[row * g + h + j] = dz;
            grad_x[row * g + 2 * h + j] = dn;
            grad_h[row * g + j] = dr;
            grad_h[row * g + h + j] = dz;
            grad_h[row * g + 2 * h + j] = dn * r;
            dgh[j] = dr;
            dgh[h + j] = dz;
            dgh[2 * h + j] = dn * r;
            direct[j] = dh * z;
            j += stride;
        }
        sync_cube();
        let mut k = UNIT_POS_X as usize;
        while k < h {
            let base = d * h * g + k * g;
            let mut sum = direct[k];
            for c in 0..g {
                sum += w_hh[base + c] * dgh[c];
            }
            carry[k] = sum;
            k += stride;
        }
        sync_cube();
    }
}

struct Launch {
    cube_count: CubeCount,
    cube_dim: CubeDim,
    batch: u32,
    time: u32,
    hidden: usize,
}

fn launch_shape(gates_x: &CubeTensor) -> Launch {
    let [directions, batch, time, gates] = gates_x.shape().dims::<4>();
    let hidden = gates / 3;
    let hw_max = gates_x.client.properties().hardware.max_cube_dim.0;
    let units = (hidden as u32).clamp(1, MAX_UNITS_PER_CUBE.min(hw_max));
    Launch {
        cube_count: CubeCount::Static((directions * batch) as u32, 1, 1),
        cube_dim: CubeDim::new_1d(units),
        batch: batch as u32,
        time: time as u32,
        hidden,
    }
}

fn empty_like(reference: &CubeTensor, dims: [usize; 4]) -> CubeTensor {
    empty_device_dtype(reference.client.clone(), reference.device.clone(), Shape::new(dims), reference.dtype)
}

impl GruOps for CubeBackend {
    fn gru_recurrence(gates_x: CubeTensor, w_hh: CubeTensor, b_hh: CubeTensor) -> CubeTensor {
        let (gates_x, w_hh, b_hh) = (into_contiguous(gates_x), into_contiguous(w_hh), into_contiguous(b_hh));
        let l = launch_shape(&gates_x);
        let [directions, batch, time, _] = gates_x.shape().dims::<4>();
        let output = empty_like(&gates_x, [directions, batch, time, l.hidden]);
        let dtype = dtype_to_storage_type(gates_x.dtype);
        gru_forward_kernel::launch(
            &gates_x.client.clone(),
            l.cube_count,
            l.cube_dim,
            gates_x.into_tensor_arg(),
            w_hh.into_tensor_arg(),
            b_hh.into_tensor_arg(),
            output.clone().into_tensor_arg(),
            l.batch,
            l.time,
            l.hidden,
            dtype,
        );
        output
    }

    fn gru_recurrence_backward(
        gates_x: CubeTensor,
        w_hh: CubeTensor,
        b_hh: CubeTensor,
        output: CubeTensor,
        grad_output: CubeTensor,
    ) -> (CubeTensor, CubeTensor) {
        let [gates_x, w_hh, b_hh, output, grad_output] = [gates_x, w_hh, b_hh, output, grad_output].map(into_contiguous);
        let l = launch_shape(&gates_x);
        let dims = gates_x.shape().dims::<4>();
        let (grad_x, grad_h) = (empty_like(&gates_x, dims), empty_like(&gates_x, dims));
        let dtype = dtype_to_storage_type(gates_x.dtype);
        gru_backward_kernel::launch(
            &gates_x.client.clone(),
            l.cube_count,
            l.cube_dim,
            gates_x.into_tensor_arg(),
            w_hh.into_tensor_arg(),
            b_hh.into_tensor_arg(),
            output.into_tensor_arg(),
            grad_output.into_tensor_arg(),
            grad_x.clone().into_tensor_arg(),
            grad_h.clone().into_tensor_arg(),
            l.batch,
            l.time,
            l.hidden,
            dtype,
        );
        (grad_x, grad_h)
    }
}
