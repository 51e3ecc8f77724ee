//! The GPU implementation (every CubeCL runtime: wgpu natively, WebGPU in the browser): one
//! cube (workgroup) per sequence and direction runs all of its time steps, with the hidden
//! state in shared memory and a barrier between steps, so a whole layer is one dispatch.

use burn::backend::cubecl::dtype_to_storage_type;
use burn::backend::ops::FloatTensorOps;
use burn::backend::{Shape, TensorMetadata};
use burn::tensor::TensorData;
use burn_cubecl::CubeBackend;
use burn_cubecl::kernel::into_contiguous;
use burn_cubecl::ops::numeric::empty_device_dtype;
use burn_cubecl::tensor::CubeTensor;
use cubecl::prelude::*;

use super::GruOps;
use crate::ops::cube_math::{sigmoid, tanh};

/// At most this many units per cube (WebGPU guarantees 256 invocations per workgroup); a
/// thread takes several units when the layer is wider.
const MAX_UNITS_PER_CUBE: u32 = 256;

/// `b + sum_k state[at + k] w[k, column]` for one column of `w_hh` `[h, 3h]`.
#[cube]
fn hidden_gate<F: Float>(
    state: &Shared<[F]>,
    at: usize,
    w_hh: &Tensor<F>,
    b_hh: &Tensor<F>,
    d: usize,
    column: usize,
    #[comptime] h: usize,
) -> F {
    let g = 3 * h;
    let base = d * h * g + column;
    let mut sum = b_hh[d * g + column];
    for k in 0..h {
        sum += state[at + k] * w_hh[base + k * g];
    }
    sum
}

/// The step of sequence `b` that direction `d` reads `s`-th.
#[cube]
fn step_time(d: usize, s: usize, len: usize) -> usize {
    let mut t = s;
    if d == 1 {
        t = len - 1 - s;
    }
    t
}

/// Cube `2b + d` runs direction `d` of sequence `b`: `(b, d, the length of b)`.
#[cube]
fn cube_sequence<F: Float>(lengths: &Tensor<F>) -> (usize, usize, usize) {
    let b = CUBE_POS_X as usize / 2;
    let d = CUBE_POS_X as usize % 2;
    (b, d, u32::cast_from(lengths[b]) as usize)
}

/// Unit `j`'s gates `(r, z, n)` at the step whose input gates start at `gx`, given the state
/// before it (`state[at..at + h]`), and the hidden part of `n`'s pre-activation (the backward
/// needs it).
#[cube]
fn step_gates<F: Float>(
    state: &Shared<[F]>,
    at: usize,
    gates_x: &Tensor<F>,
    w_hh: &Tensor<F>,
    b_hh: &Tensor<F>,
    gx: usize,
    d: usize,
    j: usize,
    #[comptime] h: usize,
) -> (F, F, F, F) {
    let gh_n = hidden_gate::<F>(state, at, w_hh, b_hh, d, 2 * h + j, h);
    let r = sigmoid::<F>(gates_x[gx + j] + hidden_gate::<F>(state, at, w_hh, b_hh, d, j, h));
    let z = sigmoid::<F>(gates_x[gx + h + j] + hidden_gate::<F>(state, at, w_hh, b_hh, d, h + j, h));
    let n = tanh::<F>(gates_x[gx + 2 * h + j] + r * gh_n);
    (r, z, n, gh_n)
}

/// Zeroes unit `j`'s `parts` values per step in the padded steps `len..time` of sequence `b`,
/// direction `d`, in a `[batch, time, 2, parts * h]` tensor.
#[cube]
fn zero_padding<F: Float>(
    tensor: &mut Tensor<F>,
    b: usize,
    d: usize,
    len: usize,
    time: usize,
    j: usize,
    #[comptime] parts: usize,
    #[comptime] h: usize,
) {
    for t in len..time {
        let at = ((b * time + t) * 2 + d) * parts * h + j;
        #[unroll]
        for part in 0..parts {
            tensor[at + part * h] = F::new(0.0);
        }
    }
}

#[cube(launch)]
fn bigru_forward_kernel<F: Float>(
    gates_x: &Tensor<F>,
    w_hh: &Tensor<F>,
    b_hh: &Tensor<F>,
    lengths: &Tensor<F>,
    output: &mut Tensor<F>,
    time: u32,
    #[comptime] h: usize,
    #[define(F)] _dtype: ElemType,
) {
    let (b, d, len) = cube_sequence::<F>(lengths);
    let time = time as usize;
    let stride = CUBE_DIM_X as usize;
    let g = 3 * h;
    // Two halves: step s reads the state from one and writes the next into the other, so a
    // single barrier per step separates the writes from the next step's reads.
    let mut states = Shared::<[F]>::new_slice(2 * h);
    for j in range_stepped(UNIT_POS_X as usize, h, stride) {
        states[j] = F::new(0.0);
        zero_padding::<F>(output, b, d, len, time, j, 1usize, h);
    }
    sync_cube();
    for s in 0..len {
        let t = step_time(d, s, len);
        let gx = ((b * time + t) * 2 + d) * g;
        let (read, write) = ((s % 2) * h, ((s + 1) % 2) * h);
        for j in range_stepped(UNIT_POS_X as usize, h, stride) {
            let (_, z, n, _) = step_gates::<F>(&states, read, gates_x, w_hh, b_hh, gx, d, j, h);
            let value = n + z * (states[read + j] - n);
            states[write + j] = value;
            output[((b * time + t) * 2 + d) * h + j] = value;
        }
        sync_cube();
    }
}

/// The backward pass, one cube per sequence and direction, from the last step read to the
/// first. Shared memory holds the previous state, the gradient carried to the current one and
/// this step's hidden-gate gradients, which every unit needs for `dh_prev = dh z + W dgh`.
/// Each cube accumulates its own part of the weight and bias gradients (`[batch, 2, ...]`);
/// the launcher sums them over the batch.
#[cube(launch)]
fn bigru_backward_kernel<F: Float>(
    gates_x: &Tensor<F>,
    w_hh: &Tensor<F>,
    b_hh: &Tensor<F>,
    lengths: &Tensor<F>,
    output: &Tensor<F>,
    grad_output: &Tensor<F>,
    grad_x: &mut Tensor<F>,
    grad_w: &mut Tensor<F>,
    grad_b: &mut Tensor<F>,
    time: u32,
    #[comptime] h: usize,
    #[define(F)] _dtype: ElemType,
) {
    let sequence = CUBE_POS_X as usize;
    let (b, d, len) = cube_sequence::<F>(lengths);
    let time = time as usize;
    let stride = CUBE_DIM_X as usize;
    let g = 3 * h;
    let mut previous = Shared::<[F]>::new_slice(h);
    let mut carry = Shared::<[F]>::new_slice(h);
    let mut direct = Shared::<[F]>::new_slice(h);
    let mut dgh = Shared::<[F]>::new_slice(g);
    for j in range_stepped(UNIT_POS_X as usize, h, stride) {
        carry[j] = F::new(0.0);
        zero_padding::<F>(grad_x, b, d, len, time, j, 3usize, h);
        for k in 0..h {
            let row = (sequence * h + k) * g;
            grad_w[row + j] = F::new(0.0);
            grad_w[row + h + j] = F::new(0.0);
            grad_w[row + 2 * h + j] = F::new(0.0);
        }
        grad_b[sequence * g + j] = F::new(0.0);
        grad_b[sequence * g + h + j] = F::new(0.0);
        grad_b[sequence * g + 2 * h + j] = F::new(0.0);
    }
    for step in 0..len {
        let s = len - 1 - step;
        let t = step_time(d, s, len);
        let gx = ((b * time + t) * 2 + d) * g;
        let state_at = ((b * time + t) * 2 + d) * h;
        for j in range_stepped(UNIT_POS_X as usize, h, stride) {
            let mut value = F::new(0.0);
            if s > 0 {
                let before = step_time(d, s - 1, len);
                value = output[((b * time + before) * 2 + d) * h + j];
            }
            previous[j] = value;
        }
        sync_cube();
        for j in range_stepped(UNIT_POS_X as usize, h, stride) {
            let (r, z, n, gh_n) = step_gates::<F>(&previous, 0, gates_x, w_hh, b_hh, gx, d, j, h);
            let dh = grad_output[state_at + j] + carry[j];
            let one = F::new(1.0);
            let dn = dh * (one - z) * (one - n * n);
            let dz = dh * (previous[j] - n) * z * (one - z);
            let dr = dn * gh_n * r * (one - r);
            grad_x[gx + j] = dr;
            grad_x[gx + h + j] = dz;
            grad_x[gx + 2 * h + j] = dn;
            dgh[j] = dr;
            dgh[h + j] = dz;
            dgh[2 * h + j] = dn * r;
            direct[j] = dh * z;
        }
        sync_cube();
        for k in range_stepped(UNIT_POS_X as usize, h, stride) {
            let base = d * h * g + k * g;
            let mut sum = direct[k];
            for c in 0..g {
                sum += w_hh[base + c] * dgh[c];
            }
            carry[k] = sum;
            // This thread's columns of the weight and bias gradients.
            for i in 0..h {
                let row = (sequence * h + i) * g;
                grad_w[row + k] += previous[i] * dgh[k];
                grad_w[row + h + k] += previous[i] * dgh[h + k];
                grad_w[row + 2 * h + k] += previous[i] * dgh[2 * h + k];
            }
            grad_b[sequence * g + k] += dgh[k];
            grad_b[sequence * g + h + k] += dgh[h + k];
            grad_b[sequence * g + 2 * h + k] += dgh[2 * h + k];
        }
        sync_cube();
    }
}

struct Launch {
    cube_count: CubeCount,
    cube_dim: CubeDim,
    time: u32,
    batch: usize,
    hidden: usize,
}

fn launch_shape(gates_x: &CubeTensor) -> Launch {
    let [batch, time, gates] = gates_x.shape().dims::<3>();
    let hidden = gates / 6;
    let hw_max = gates_x.client.properties().hardware.max_cube_dim.0;
    let units = (hidden as u32).clamp(1, MAX_UNITS_PER_CUBE.min(hw_max));
    Launch {
        cube_count: CubeCount::Static((2 * batch) as u32, 1, 1),
        cube_dim: CubeDim::new_1d(units),
        time: time as u32,
        batch,
        hidden,
    }
}

fn empty_like(reference: &CubeTensor, dims: Vec<usize>) -> CubeTensor {
    empty_device_dtype(reference.client.clone(), reference.device.clone(), Shape::from(dims), reference.dtype)
}

/// The lengths as a float tensor on the device (exact: lengths are far below 2^24).
fn lengths_tensor(lengths: &[usize], reference: &CubeTensor) -> CubeTensor {
    let values: Vec<f32> = lengths.iter().map(|&l| l as f32).collect();
    let data = TensorData::new(values, [lengths.len()]).convert_dtype(reference.dtype);
    CubeBackend::float_from_data(data, &reference.device)
}

impl GruOps for CubeBackend {
    fn bigru(gates_x: CubeTensor, w_hh: CubeTensor, b_hh: CubeTensor, lengths: Vec<usize>) -> CubeTensor {
        let (gates_x, w_hh, b_hh) = (into_contiguous(gates_x), into_contiguous(w_hh), into_contiguous(b_hh));
        let l = launch_shape(&gates_x);
        let output = empty_like(&gates_x, vec![l.batch, l.time as usize, 2 * l.hidden]);
        let lengths = lengths_tensor(&lengths, &gates_x);
        let dtype = dtype_to_storage_type(gates_x.dtype);
        bigru_forward_kernel::launch(
            &gates_x.client.clone(),
            l.cube_count,
            l.cube_dim,
            gates_x.into_tensor_arg(),
            w_hh.into_tensor_arg(),
            b_hh.into_tensor_arg(),
            lengths.into_tensor_arg(),
            output.clone().into_tensor_arg(),
            l.time,
            l.hidden,
            dtype,
        );
        output
    }

    fn bigru_backward(
        gates_x: CubeTensor,
        w_hh: CubeTensor,
        b_hh: CubeTensor,
        lengths: Vec<usize>,
        output: CubeTensor,
        grad_output: CubeTensor,
    ) -> (CubeTensor, CubeTensor, CubeTensor) {
        let [gates_x, w_hh, b_hh, output, grad_output] =
            [gates_x, w_hh, b_hh, output, grad_output].map(into_contiguous);
        let l = launch_shape(&gates_x);
        let (h, g) = (l.hidden, 3 * l.hidden);
        let grad_x = empty_like(&gates_x, gates_x.shape().to_vec());
        let grad_w = empty_like(&gates_x, vec![l.batch, 2, h, g]);
        let grad_b = empty_like(&gates_x, vec![l.batch, 2, g]);
        let lengths = lengths_tensor(&lengths, &gates_x);
        let dtype = dtype_to_storage_type(gates_x.dtype);
        bigru_backward_kernel::launch(
            &gates_x.client.clone(),
            l.cube_count,
            l.cube_dim,
            gates_x.into_tensor_arg(),
            w_hh.into_tensor_arg(),
            b_hh.into_tensor_arg(),
            lengths.into_tensor_arg(),
            output.into_tensor_arg(),
            grad_output.into_tensor_arg(),
            grad_x.clone().into_tensor_arg(),
            grad_w.clone().into_tensor_arg(),
            grad_b.clone().into_tensor_arg(),
            l.time,
            h,
            dtype,
        );
        let grad_w = CubeBackend::float_reshape(CubeBackend::float_sum_dim(grad_w, 0), Shape::new([2, h, g]));
        let grad_b = CubeBackend::float_reshape(CubeBackend::float_sum_dim(grad_b, 0), Shape::new([2, g]));
        (grad_x, grad_w, grad_b)
    }
}
