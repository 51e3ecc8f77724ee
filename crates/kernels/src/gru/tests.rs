//! The fused recurrence against a step-by-step one, forward and backward.

use super::*;

fn values(count: usize, seed: u64) -> Vec<f32> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..count)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect()
}

/// The recurrence written out with library functions, one unit at a time, in f64.
fn naive_forward(shape: GruShape, gx: &[f32], w: &[f32], b: &[f32], lengths: &[usize]) -> Vec<f64> {
    let h = shape.hidden;
    let g = 3 * h;
    let mut out = vec![0f64; shape.states_len()];
    for (bi, &len) in lengths.iter().enumerate() {
        for d in 0..2 {
            let mut state = vec![0f64; h];
            for t in (0..len).map(|s| if d == 0 { s } else { len - 1 - s }) {
                let x = &gx[shape.gates_at(bi, t, d)..][..g];
                let gh: Vec<f64> = (0..g)
                    .map(|j| {
                        b[d * g + j] as f64 + (0..h).map(|k| state[k] * w[d * h * g + k * g + j] as f64).sum::<f64>()
                    })
                    .collect();
                let sig = |v: f64| 1.0 / (1.0 + (-v).exp());
                for k in 0..h {
                    let r = sig(x[k] as f64 + gh[k]);
                    let z = sig(x[h + k] as f64 + gh[h + k]);
                    let n = (x[2 * h + k] as f64 + r * gh[2 * h + k]).tanh();
                    state[k] = (1.0 - z) * n + z * state[k];
                }
                out[shape.state_at(bi, t, d)..][..h].copy_from_slice(&state);
            }
        }
    }
    out
}

fn inputs(shape: GruShape) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let scale = |v: Vec<f32>, k: f32| v.into_iter().map(|x| x * k).collect::<Vec<_>>();
    (scale(values(shape.gates_len(), 1), 2.0), scale(values(shape.weights_len(), 2), 0.4), values(6 * shape.hidden, 3))
}

#[test]
fn forward_matches_the_written_out_recurrence() {
    // 3h = 123: full column blocks and a zero-padded last one.
    for (shape, lengths) in [
        (GruShape { batch: 3, time: 7, hidden: 41 }, vec![7, 3, 1]),
        (GruShape { batch: 1, time: 1, hidden: 1 }, vec![1]),
        (GruShape { batch: 2, time: 4, hidden: 5 }, vec![0, 4]),
    ] {
        let (gx, w, b) = inputs(shape);
        let mut out = vec![f32::NAN; shape.states_len()];
        bigru_forward(shape, &gx, &w, &b, &lengths, &mut out);
        let want = naive_forward(shape, &gx, &w, &b, &lengths);
        let diff = out.iter().zip(&want).map(|(a, b)| (*a as f64 - b).abs()).fold(0.0, f64::max);
        assert!(diff < 2e-6, "{shape:?}: max difference {diff}");
        // The portable build (what wasm runs), whatever this CPU offers.
        let mut portable = vec![0f32; shape.states_len()];
        forward::<PORTABLE_BLOCK, false>(
            shape,
            &Inputs { gates_x: &gx, w_hh: &w, b_hh: &b, lengths: &lengths },
            &mut portable,
        );
        let diff = portable.iter().zip(&want).map(|(a, b)| (*a as f64 - b).abs()).fold(0.0, f64::max);
        assert!(diff < 2e-6, "{shape:?}, portable: max difference {diff}");
        assert!(out.iter().any(|v| v.abs() > 0.1));
        // Past each length the states stay zero.
        for (bi, &len) in lengths.iter().enumerate() {
            for t in len..shape.time {
                assert!(out[shape.state_at(bi, t, 0)..][..2 * shape.hidden].iter().all(|v| *v == 0.0));
            }
        }
    }
}

#[test]
fn backward_matches_finite_differences() {
    let shape = GruShape { batch: 2, time: 5, hidden: 9 };
    let lengths = [5, 3];
    let (gx, w, b) = inputs(shape);
    let weights = values(shape.states_len(), 4); // loss = sum(weights * out)
    let loss = |gx: &[f32], w: &[f32], b: &[f32]| -> f64 {
        let out = naive_forward(shape, gx, w, b, &lengths);
        out.iter().zip(&weights).map(|(o, c)| o * (*c as f64)).sum()
    };
    let mut out = vec![0f32; shape.states_len()];
    bigru_forward(shape, &gx, &w, &b, &lengths, &mut out);
    let grads = bigru_backward(shape, (&gx, &w, &b, &lengths), &out, &weights);
    let mut portable = BigruGrads { gates_x: vec![0.0; gx.len()], w_hh: vec![0.0; w.len()], b_hh: vec![0.0; b.len()] };
    let io = Inputs { gates_x: &gx, w_hh: &w, b_hh: &b, lengths: &lengths };
    backward::<PORTABLE_BLOCK, false>(shape, &io, &out, &weights, &mut portable);
    for (fast, slow) in
        [(&grads.gates_x, &portable.gates_x), (&grads.w_hh, &portable.w_hh), (&grads.b_hh, &portable.b_hh)]
    {
        assert!(fast.iter().zip(slow).all(|(a, b)| (a - b).abs() < 1e-5), "the portable backward agrees");
    }

    let eps = 1e-3f32;
    let numeric = |f: &dyn Fn(f32) -> f64| (f(eps) - f(-eps)) / (2.0 * eps as f64);
    let check = |name: &str, got: &[f32], base: &[f32], f: &dyn Fn(&[f32]) -> f64| {
        for i in (0..base.len()).step_by(5) {
            let want = numeric(&|e| {
                let mut p = base.to_vec();
                p[i] += e;
                f(&p)
            });
            assert!((got[i] as f64 - want).abs() < 1e-3, "{name}[{i}]: {} vs {want}", got[i]);
        }
    };
    check("gates_x", &grads.gates_x, &gx, &|p| loss(p, &w, &b));
    check("w_hh", &grads.w_hh, &w, &|p| loss(&gx, p, &b));
    check("b_hh", &grads.b_hh, &b, &|p| loss(&gx, &w, p));
}
