use burn::tensor::activation::{sigmoid, tanh};
use burn::tensor::{Device, Tensor, TensorData};

use super::gru_recurrence;

/// The recurrence as separate tensor operations, one step at a time: what the fused operation
/// must compute.
fn stepwise(gates_x: Tensor<4>, w_hh: Tensor<3>, b_hh: Tensor<2>) -> Tensor<4> {
    let [directions, batch, time, g] = gates_x.dims();
    let h = g / 3;
    let b_hh = b_hh.unsqueeze_dim::<3>(1);
    let mut state = Tensor::<3>::zeros([directions, batch, h], &gates_x.device());
    let mut outputs = Vec::with_capacity(time);
    for t in 0..time {
        let gx = gates_x.clone().narrow(2, t, 1).reshape([directions, batch, g]);
        let gh = state.clone().matmul(w_hh.clone()) + b_hh.clone();
        let r = sigmoid(gx.clone().narrow(2, 0, h) + gh.clone().narrow(2, 0, h));
        let z = sigmoid(gx.clone().narrow(2, h, h) + gh.clone().narrow(2, h, h));
        let n = tanh(gx.narrow(2, 2 * h, h) + r * gh.narrow(2, 2 * h, h));
        state = n.clone() + z * (state - n);
        outputs.push(state.clone());
    }
    Tensor::stack(outputs, 2)
}

fn values(count: usize, seed: u64, scale: f32) -> Vec<f32> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..count)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0) * scale
        })
        .collect()
}

fn inputs(dims: [usize; 4], device: &Device) -> (Tensor<4>, Tensor<3>, Tensor<2>) {
    let [directions, batch, time, h] = dims;
    let g = 3 * h;
    let gx = TensorData::new(values(directions * batch * time * g, 1, 2.0), [directions, batch, time, g]);
    let w = TensorData::new(values(directions * h * g, 2, 0.4), [directions, h, g]);
    let b = TensorData::new(values(directions * g, 3, 1.0), [directions, g]);
    (Tensor::from_data(gx, device), Tensor::from_data(w, device), Tensor::from_data(b, device))
}

fn max_difference<const D: usize>(a: Tensor<D>, b: Tensor<D>) -> f32 {
    (a - b).abs().max().into_scalar::<f32>()
}

fn assert_forward_matches(device: &Device) {
    // 3h = 111 and 3h = 810: every block width of the CPU kernel; more units than one GPU cube.
    for dims in [[2, 3, 6, 37], [1, 1, 3, 270], [2, 1, 1, 4]] {
        let (gx, w, b) = inputs(dims, device);
        let fused = gru_recurrence(gx.clone(), w.clone(), b.clone());
        assert_eq!(fused.dims(), dims);
        let diff = max_difference(fused.clone(), stepwise(gx, w, b));
        assert!(diff < 2e-6, "{dims:?}: fused and stepwise differ by {diff}");
        assert!(fused.abs().max().into_scalar::<f32>() > 0.1, "a real signal");
    }
}

#[test]
fn fused_recurrence_matches_the_stepwise_one_on_the_cpu() {
    assert_forward_matches(&crate::device::cpu());
}

#[cfg(feature = "wgpu")]
#[test]
fn fused_recurrence_matches_the_stepwise_one_on_wgpu() {
    match crate::device::wgpu() {
        Ok(device) => assert_forward_matches(&device),
        Err(e) if std::env::var_os("CI").is_none() => eprintln!("skipped: {e}"),
        Err(e) => panic!("{e}"),
    }
}

fn assert_gradients_match(device: &Device) {
    let device = device.clone().autodiff();
    let dims = [2, 3, 5, 7];
    let (gx, w, b) = inputs(dims, &device);
    let weights = Tensor::<4>::from_data(
        TensorData::new(values(dims.iter().product(), 4, 1.0), dims),
        &device,
    );
    let grads_of = |f: &dyn Fn(Tensor<4>, Tensor<3>, Tensor<2>) -> Tensor<4>| {
        let (gx, w, b) = (gx.clone().require_grad(), w.clone().require_grad(), b.clone().require_grad());
        let loss = (f(gx.clone(), w.clone(), b.clone()) * weights.clone()).sum();
        let grads = loss.backward();
        (gx.grad(&grads).unwrap(), w.grad(&grads).unwrap(), b.grad(&grads).unwrap())
    };
    let fused = grads_of(&gru_recurrence);
    let stepwise = grads_of(&stepwise);
    let diffs = [
        max_difference(fused.0, stepwise.0),
        max_difference(fused.1, stepwise.1),
        max_difference(fused.2, stepwise.2),
    ];
    assert!(diffs.iter().all(|d| *d < 1e-5), "gradient differences (gates_x, w_hh, b_hh): {diffs:?}");
}

#[test]
fn fused_recurrence_gradients_match_the_stepwise_ones_on_the_cpu() {
    assert_gradients_match(&crate::device::cpu());
}

#[cfg(feature = "wgpu")]
#[test]
fn fused_recurrence_gradients_match_the_stepwise_ones_on_wgpu() {
    match crate::device::wgpu() {
        Ok(device) => assert_gradients_match(&device),
        Err(e) if std::env::var_os("CI").is_none() => eprintln!("skipped: {e}"),
        Err(e) => panic!("{e}"),
    }
}
