//! The CPU implementation: the plain-Rust kernels of `cmin-kernels` over the tensors' memory.

use std::borrow::Cow;

use burn::backend::flex::FlexTensor;
use burn::backend::{DType, Flex, TensorMetadata};
use burn::tensor::TensorData;
use cmin_kernels::{GruShape, bigru_backward, bigru_forward};

use super::GruOps;

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

/// The tensor's values in row-major order: borrowed when they already lie that way.
fn f32s(t: &FlexTensor) -> Cow<'_, [f32]> {
    match t.as_slice::<f32>() {
        Some(values) => Cow::Borrowed(values),
        None if t.dtype() == DType::F32 => Cow::Owned(t.to_contiguous().storage::<f32>().to_vec()),
        None => Cow::Owned(t.clone().into_data().convert::<f32>().try_into_vec::<f32>().expect("converted to f32")),
    }
}

fn tensor(values: Vec<f32>, dims: Vec<usize>) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(values, dims))
}
