use burn::tensor::activation::{sigmoid, tanh};
use burn::tensor::{Device, Tensor, TensorData};

use super::bigru;
#[cfg(feature = "wgpu")]
use crate::ops::testing::on_wgpu;
use crate::ops::testing::{max_difference, values};

/// The recurrence as separate tensor operations, one sequence and one step at a time: what
/// the fused operation must compute.
fn stepwise(gates_x: Tensor<3>, w_hh: Tensor<3>, b_hh: Tensor<2>, lengths: &[usize]) -> Tensor<3> {
    let [_, time, six_h] = gates_x.dims();
    let (h, device) = (six_h / 6, gates_x.device());
    let sequences = lengths.iter().enumerate().map(|(b, &len)| {
        let directions = (0..2).map(|d| {
            let w = w_hh.clone().narrow(0, d, 1).reshape([h, 3 * h]);
            let bias = b_hh.clone().narrow(0, d, 1);
            let mut state = Tensor::<2>::zeros([1, h], &device);
            let mut states = vec![Tensor::<2>::zeros([1, h], &device); time];
            let steps: Vec<usize> = if d == 0 { (0..len).collect() } else { (0..len).rev().collect() };
            for t in steps {
                let gx =
                    gates_x.clone().narrow(0, b, 1).narrow(1, t, 1).reshape([1, six_h]).narrow(1, 3 * d * h, 3 * h);
                let gh = state.clone().matmul(w.clone()) + bias.clone();
                let r = sigmoid(gx.clone().narrow(1, 0, h) + gh.clone().narrow(1, 0, h));
                let z = sigmoid(gx.clone().narrow(1, h, h) + gh.clone().narrow(1, h, h));
                let n = tanh(gx.narrow(1, 2 * h, h) + r * gh.narrow(1, 2 * h, h));
                state = n.clone() + z * (state - n);
                states[t] = state.clone();
            }
            Tensor::cat(states, 0) // [time, h]
        });
        Tensor::cat(directions.collect(), 1).unsqueeze::<3>()
    });
    Tensor::cat(sequences.collect(), 0)
}

fn inputs(batch: usize, time: usize, h: usize, device: &Device) -> (Tensor<3>, Tensor<3>, Tensor<2>) {
    let g = 3 * h;
    let gx = TensorData::new(values(batch * time * 2 * g, 1, 2.0), [batch, time, 2 * g]);
    let w = TensorData::new(values(2 * h * g, 2, 0.4), [2, h, g]);
    let b = TensorData::new(values(2 * g, 3, 1.0), [2, g]);
    (Tensor::from_data(gx, device), Tensor::from_data(w, device), Tensor::from_data(b, device))
}

fn assert_forward_matches(device: &Device) {
    // 3h = 111 and 3h = 810: every block width of the CPU kernel; more units than one GPU cube.
    for (h, lengths) in [(37, vec![6, 2, 0]), (270, vec![3]), (4, vec![1, 1])] {
        let time = *lengths.iter().max().unwrap().max(&1);
        let (gx, w, b) = inputs(lengths.len(), time, h, device);
        let fused = bigru(gx.clone(), w.clone(), b.clone(), Some(&lengths));
        assert_eq!(fused.dims(), [lengths.len(), time, 2 * h]);
        let diff = max_difference(fused.clone(), stepwise(gx, w, b, &lengths));
        assert!(diff < 2e-6, "h {h}, lengths {lengths:?}: fused and stepwise differ by {diff}");
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
    on_wgpu(assert_forward_matches);
}

fn assert_gradients_match(device: &Device) {
    let device = device.clone().autodiff();
    let (lengths, time, h) = ([5, 2, 4], 5, 7);
    let (gx, w, b) = inputs(lengths.len(), time, h, &device);
    let dims = [lengths.len(), time, 2 * h];
    let weights = Tensor::<3>::from_data(TensorData::new(values(dims.iter().product(), 4, 1.0), dims), &device);
    let grads_of = |f: &dyn Fn(Tensor<3>, Tensor<3>, Tensor<2>) -> Tensor<3>| {
        let (gx, w, b) = (gx.clone().require_grad(), w.clone().require_grad(), b.clone().require_grad());
        let loss = (f(gx.clone(), w.clone(), b.clone()) * weights.clone()).sum();
        let grads = loss.backward();
        (gx.grad(&grads).unwrap(), w.grad(&grads).unwrap(), b.grad(&grads).unwrap())
    };
    let fused = grads_of(&|gx, w, b| bigru(gx, w, b, Some(&lengths)));
    let stepwise = grads_of(&|gx, w, b| stepwise(gx, w, b, &lengths));
    let diffs =
        [max_difference(fused.0, stepwise.0), max_difference(fused.1, stepwise.1), max_difference(fused.2, stepwise.2)];
    assert!(diffs.iter().all(|d| *d < 1e-5), "gradient differences (gates_x, w_hh, b_hh): {diffs:?}");
}

#[test]
fn fused_recurrence_gradients_match_the_stepwise_ones_on_the_cpu() {
    assert_gradients_match(&crate::device::cpu());
}

#[cfg(feature = "wgpu")]
#[test]
fn fused_recurrence_gradients_match_the_stepwise_ones_on_wgpu() {
    on_wgpu(assert_gradients_match);
}
