//! Moving flex tensors to and from plain slices, for the CPU kernels.

use std::borrow::Cow;

use burn::backend::DType;
use burn::backend::flex::FlexTensor;
use burn::tensor::TensorData;

/// The tensor's values in row-major order: borrowed when they already lie that way.
pub fn f32s(t: &FlexTensor) -> Cow<'_, [f32]> {
    match t.as_slice::<f32>() {
        Some(values) => Cow::Borrowed(values),
        None if t.dtype() == DType::F32 => Cow::Owned(t.to_contiguous().storage::<f32>().to_vec()),
        None => Cow::Owned(t.clone().into_data().convert::<f32>().try_into_vec::<f32>().expect("converted to f32")),
    }
}

pub fn tensor(values: Vec<f32>, dims: Vec<usize>) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(values, dims))
}
