//! Small parameter holders in PyTorch's layouts, so the reference state dict loads by name
//! with no transposition and our saved files stay readable by the reference code.

use burn::config::Config;
use burn::module::{Initializer, Module, Param};
use burn::tensor::{Device, Tensor};

use crate::ops::product::product;

/// PyTorch-uniform init `U(-1/sqrt(fan_in), 1/sqrt(fan_in))`, as `nn.Linear`/`nn.GRU` use.
pub(crate) fn uniform<const D: usize>(shape: [usize; D], fan: usize, device: &Device) -> Param<Tensor<D>> {
    let k = 1.0 / (fan.max(1) as f64).sqrt();
    Initializer::Uniform { min: -k, max: k }.init(shape, device)
}

/// `x w + b` over the last dimension of `x` (`w` `[d_in, d_out]`, `b` `[d_out]`), as one
/// product ([`product`]): the leading dimensions are folded into rows, so neither the product
/// nor its gradient goes through broadcast batching (whose backward sums a copy per batch
/// entry), and on the GPU the bias is added by the product's own kernel.
///
/// # Shapes
/// - x: `[..., d_in]`
/// - output: `[..., d_out]`
pub fn affine<const D: usize>(x: Tensor<D>, w: Tensor<2>, b: Option<Tensor<1>>) -> Tensor<D> {
    let mut dims = x.dims();
    let d_out = w.dims()[1];
    let rows = product(x.flatten::<2>(0, D - 2), w, b);
    dims[D - 1] = d_out;
    rows.reshape(dims)
}

/// A [`Linear`] layer's shape.
#[derive(Config, Debug)]
pub struct LinearConfig {
    pub d_in: usize,
    pub d_out: usize,
    #[config(default = true)]
    pub bias: bool,
}

impl LinearConfig {
    /// PyTorch's `nn.Linear` initialisation.
    pub fn init(&self, device: &Device) -> Linear {
        let (d_in, d_out) = (self.d_in, self.d_out);
        Linear { weight: uniform([d_out, d_in], d_in, device), bias: self.bias.then(|| uniform([d_out], d_in, device)) }
    }
}

/// `y = x W^T (+ b)` with `W` stored `[out, in]` like `torch.nn.Linear`.
#[derive(Module, Debug)]
pub struct Linear {
    pub weight: Param<Tensor<2>>,
    pub bias: Option<Param<Tensor<1>>>,
}

impl Linear {
    /// # Shapes
    /// - input: `[..., d_in]`
    /// - output: `[..., d_out]`
    pub fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        affine(x, self.weight.val().transpose(), self.bias.as_ref().map(Param::val))
    }
}

/// A [`PointwiseConv`]'s shape.
#[derive(Config, Debug)]
pub struct PointwiseConvConfig {
    pub d_in: usize,
    pub d_out: usize,
}

impl PointwiseConvConfig {
    /// PyTorch's `nn.Conv1d` initialisation.
    pub fn init(&self, device: &Device) -> PointwiseConv {
        let (d_in, d_out) = (self.d_in, self.d_out);
        PointwiseConv { weight: uniform([d_out, d_in, 1], d_in, device), bias: uniform([d_out], d_in, device) }
    }
}

/// `torch.nn.Conv1d(d_in, d_out, 1)` applied along time: a per-clip linear map whose weight
/// keeps the conv layout `[out, in, 1]`.
#[derive(Module, Debug)]
pub struct PointwiseConv {
    pub weight: Param<Tensor<3>>,
    pub bias: Param<Tensor<1>>,
}

impl PointwiseConv {
    /// The weight as a `[d_in, d_out]` matrix for products from the left, and the bias.
    pub fn transposed(&self) -> (Tensor<2>, Tensor<1>) {
        let [d_out, d_in, _] = self.weight.dims();
        (self.weight.val().reshape([d_out, d_in]).transpose(), self.bias.val())
    }
}

#[cfg(test)]
mod tests {
    use burn::tensor::TensorData;

    use super::*;

    fn tensor<const D: usize>(values: &[f32], shape: [usize; D], device: &Device) -> Tensor<D> {
        Tensor::from_data(TensorData::new(values.to_vec(), shape), device)
    }

    #[test]
    fn linear_is_x_w_transposed_plus_b_over_the_last_dimension() {
        let device = Device::flex();
        let linear = Linear {
            weight: Param::from_tensor(tensor(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [3, 2], &device)),
            bias: Some(Param::from_tensor(tensor(&[0.5, -0.5, 1.0], [3], &device))),
        };
        let x = tensor(&[1.0, 1.0, 2.0, -1.0], [2, 1, 2], &device);
        let y = linear.forward(x);
        assert_eq!(y.dims(), [2, 1, 3]);
        // [1, 1] -> [3, 7, 11] + b; [2, -1] -> [0, 2, 4] + b.
        assert_eq!(y.into_data().try_to_vec::<f32>().unwrap(), vec![3.5, 6.5, 12.0, 0.5, 1.5, 5.0]);
    }

    #[test]
    fn a_pointwise_conv_is_a_per_clip_linear_map() {
        let device = Device::flex();
        let conv = PointwiseConvConfig::new(4, 3).init(&device);
        let (w, b) = conv.transposed();
        assert_eq!((w.dims(), b.dims()), ([4, 3], [3]));
        // Column o of the transposed weight is output o's kernel, `weight[o, :, 0]`.
        let weight = conv.weight.val().into_data().try_to_vec::<f32>().unwrap();
        let columns = w.into_data().try_to_vec::<f32>().unwrap();
        for (o, i) in (0..3).flat_map(|o| (0..4).map(move |i| (o, i))) {
            assert_eq!(columns[i * 3 + o], weight[o * 4 + i]);
        }
        let bound = 1.0 / 2.0; // 1 / sqrt(d_in)
        assert!(weight.iter().all(|v| v.abs() <= bound), "PyTorch's uniform init: {weight:?}");
    }
}
