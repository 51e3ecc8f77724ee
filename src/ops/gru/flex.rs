//! The CPU implementation: the plain-Rust kernels of `cmin-kernels` over the tensors' memory.

use std::borrow::Cow;

use burn::backend::flex::FlexTensor;
use burn::backend::{DType, Flex, TensorMetadata};
use burn::tensor::TensorData;
use cmin_kernels::{GruShape, gru_sequence_backward, gru_sequence_forward};

use super::GruOps;

impl GruOps for Flex {
    fn gru_recurrence(gates_x: FlexTensor, w_hh: FlexTensor, b_hh: FlexTensor) -> FlexTensor {
        let shape = gru_shape(&gates_x);
        let mut out = vec![0f32; shape.states_len()];
        gru_sequence_forward(shape, &f32s(&gates_x), &f32s(&w_hh), &f32s(&b_hh), &mut out);
        tensor(out, states_dims(shape))
    }

    fn gru_recurrence_backward(
        gates_x: FlexTensor,
        w_hh: FlexTensor,
        b_hh: FlexTensor,
        output: FlexTensor,
        grad_output: FlexTensor,
    ) -> (FlexTensor, FlexTensor) {
        let shape = gru_shape(&gates_x);
        let mut grad_x = vec![0f32; shape.gates_len()];
        let mut grad_h = vec![0f32; shape.gates_len()];
        gru_sequence_backward(
            shape,
            &f32s(&gates_x),
            &f32s(&w_hh),
            &f32s(&b_hh),
            &f32s(&output),
            &f32s(&grad_output),
            &mut grad_x,
            &mut grad_h,
        );
        let dims = gates_x.shape().dims::<4>();
        (tensor(grad_x, dims), tensor(grad_h, dims))
    }
}

fn gru_shape(gates_x: &FlexTensor) -> GruShape {
    let [directions, batch, time, gates] = gates_x.shape().dims::<4>();
    GruShape { directions, batch, time, hidden: gates / 3 }
}

fn states_dims(s: GruShape) -> [usize; 4] {
    [s.directions, s.batch, s.time, s.hidden]
}

/// The tensor's values in row-major order: borrowed when they already lie that way.
fn f32s(t: &FlexTensor) -> Cow<'_, [f32]> {
    match t.as_slice::<f32>() {
        Some(values) => Cow::Borrowed(values),
        None if t.dtype() == DType::F32 => Cow::Owned(t.to_contiguous().storage::<f32>().to_vec()),
        None => Cow::Owned(t.clone().into_data().convert::<f32>().try_into_vec::<f32>().expect("converted to f32")),
    }
}

fn tensor(values: Vec<f32>, dims: [usize; 4]) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(values, dims))
}
