//! The CPU implementation: the plain-Rust kernels of `cmin-kernels` over the tensors' memory.

use burn::backend::flex::FlexTensor;
use burn::backend::{Flex, TensorMetadata};
use cmin_kernels::{GruShape, bigru_backward, bigru_forward};

use super::GruOps;
use crate::ops::flex_data::{f32s, tensor};

impl GruOps for Flex {
    fn bigru(gates_x: FlexTensor, w_hh: FlexTensor, b_hh: FlexTensor, lengths: Vec<usize>) -> FlexTensor {
        let shape = gru_shape(&gates_x);
        let mut out = vec![0f32; shape.states_len()];
        bigru_forward(shape, &f32s(&gates_x), &f32s(&w_hh), &f32s(&b_hh), &lengths, &mut out);
        tensor(out, vec![shape.batch, shape.time, 2 * shape.hidden])
    }

    fn bigru_backward(
        gates_x: FlexTensor,
        w_hh: FlexTensor,
        b_hh: FlexTensor,
        lengths: Vec<usize>,
        output: FlexTensor,
        grad_output: FlexTensor,
    ) -> (FlexTensor, FlexTensor, FlexTensor) {
        let shape = gru_shape(&gates_x);
        let grads = bigru_backward(
            shape,
            (&f32s(&gates_x), &f32s(&w_hh), &f32s(&b_hh), &lengths),
            &f32s(&output),
            &f32s(&grad_output),
        );
        (
            tensor(grads.gates_x, gates_x.shape().to_vec()),
            tensor(grads.w_hh, w_hh.shape().to_vec()),
            tensor(grads.b_hh, b_hh.shape().to_vec()),
        )
    }
}

fn gru_shape(gates_x: &FlexTensor) -> GruShape {
    let [batch, time, gates] = gates_x.shape().dims::<3>();
    GruShape { batch, time, hidden: gates / 6 }
}
