//! Small parameter holders in PyTorch's layouts, so the reference state dict loads by name
//! with no transposition and our saved files stay readable by the reference code.

use burn::module::{Initializer, Module, Param};
use burn::tensor::{Device, Tensor};

/// PyTorch-uniform init `U(-1/sqrt(fan_in), 1/sqrt(fan_in))`, as `nn.Linear`/`nn.GRU` use.
pub(crate) fn uniform<const D: usize>(shape: [usize; D], fan: usize, device: &Device) -> Param<Tensor<D>> {
    let k = 1.0 / (fan.max(1) as f64).sqrt();
    Initializer::Uniform { min: -k, max: k }.init(shape, device)
}

/// `y = x W^T (+ b)` with `W` stored `[out, in]` like `torch.nn.Linear`.
#[derive(Module, Debug)]
pub struct Linear {
    pub weight: Param<Tensor<2>>,
    pub bias: Option<Param<Tensor<1>>>,
}

impl Linear {
    pub fn new(d_in: usize, d_out: usize, bias: bool, device: &Device) -> Self {
        Linear { weight: uniform([d_out, d_in], d_in, device), bias: bias.then(|| uniform([d_out], d_in, device)) }
    }

    /// # Shapes
    /// - input: `[..., d_in]`
    /// - output: `[..., d_out]`
    pub fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        let w = self.weight.val().transpose().unsqueeze::<D>();
        let y = x.matmul(w);
        match &self.bias {
            Some(b) => y + b.val().unsqueeze::<D>(),
            None => y,
        }
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
    pub fn new(d_in: usize, d_out: usize, device: &Device) -> Self {
        PointwiseConv { weight: uniform([d_out, d_in, 1], d_in, device), bias: uniform([d_out], d_in, device) }
    }

    /// The weight as a `[d_in, d_out]` matrix for products from the left, and the bias.
    pub fn transposed(&self) -> (Tensor<2>, Tensor<1>) {
        let [d_out, d_in, _] = self.weight.dims();
        (self.weight.val().reshape([d_out, d_in]).transpose(), self.bias.val())
    }
}
