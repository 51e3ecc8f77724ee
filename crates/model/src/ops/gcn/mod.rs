//! The syntactic GCN's messages (spec §2) as one operation: for each word `i`, the sum over the
//! three direction blocks `k` and the words `j` it reads in that block of
//! `(y_kj + b_kr) * sigmoid(z_kj + c_kr)`, with `r` the relation of the pair. On the CPU and
//! under autodiff it is composed of burn's operations and our vectorised sigmoid (the default
//! body); on the GPU one kernel computes it, where the composition takes eleven dispatches and
//! a `[batch, 3, words, words, dim]` intermediate.

#[cfg(feature = "wgpu")]
mod cube;

use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::tensor::{FloatTensor, IntTensor};
use burn::backend::{Autodiff, Backend, Dispatch, Flex, Shape, TensorMetadata, backend_extension};
use burn::tensor::{Int, Tensor};

use super::activation::ActivationKernelOps;

#[backend_extension(Flex, Cube: cfg(feature = "wgpu"), Autodiff)]
pub trait GcnOps: Backend + ActivationKernelOps {
    /// - `y`, `z`: `[batch, 3, words, dim]`, each block's `W_k x` and `G_k W_k x`
    /// - `direction_biases`, `gate_biases`: `[3, slots, dim]`, per block and relation slot
    /// - `pair_slots`: `[batch * 3 * words * words]`, for block `k` and pair `(i, j)` the row
    ///   `k * slots + slot` of the bias tables (see `QueryBatch::pair_slots`)
    /// - `present`: `[batch, 3, words, words, 1]`, 1 where word `i` reads word `j` in block `k`
    /// - output: `[batch, words, dim]`
    fn gcn_messages(
        y: FloatTensor<Self>,
        z: FloatTensor<Self>,
        direction_biases: FloatTensor<Self>,
        gate_biases: FloatTensor<Self>,
        pair_slots: IntTensor<Self>,
        present: FloatTensor<Self>,
    ) -> FloatTensor<Self> {
        let [batch, blocks, words, dim] = y.shape().dims::<4>();
        let slots = direction_biases.shape().dims::<3>()[1];
        let pair_bias = |table: FloatTensor<Self>| {
            let rows = Self::float_reshape(table, Shape::new([blocks * slots, dim]));
            let picked = Self::float_select(rows, 0, pair_slots.clone());
            Self::float_reshape(picked, Shape::new([batch, blocks, words, words, dim]))
        };
        let by_reader = |t: FloatTensor<Self>| Self::float_reshape(t, Shape::new([batch, blocks, 1, words, dim]));
        let values = Self::float_add(by_reader(y), pair_bias(direction_biases));
        let gates = Self::sigmoid_kernel(Self::float_add(by_reader(z), pair_bias(gate_biases)));
        let edges = Self::float_mul(Self::float_mul(values, gates), present);
        let gathered = Self::float_sum_dim(Self::float_sum_dim(edges, 3), 1);
        Self::float_reshape(gathered, Shape::new([batch, words, dim]))
    }
}

impl GcnOps for Flex {}

impl<B: Backend + GcnOps, C: CheckpointStrategy> GcnOps for Autodiff<B, C> {}

/// The messages on the backend that holds the tensors (see [`GcnOps::gcn_messages`] for the
/// shapes).
pub fn gcn_messages(
    y: Tensor<4>,
    z: Tensor<4>,
    direction_biases: Tensor<3>,
    gate_biases: Tensor<3>,
    pair_slots: Tensor<1, Int>,
    present: Tensor<5>,
) -> Tensor<3> {
    Tensor::from_dispatch(<Dispatch as GcnOps>::gcn_messages(
        y.into_dispatch(),
        z.into_dispatch(),
        direction_biases.into_dispatch(),
        gate_biases.into_dispatch(),
        pair_slots.into_dispatch(),
        present.into_dispatch(),
    ))
}

#[cfg(test)]
mod tests {
    use burn::tensor::{Device, Tensor};

    use super::gcn_messages;
    use crate::model::QueryBatch;
    use crate::model::batch::RELATION_SLOTS;
    use crate::ops::testing::{tensor, values};

    /// The messages written out as the spec states them, one word pair at a time.
    fn reference(
        y: &[f32],
        z: &[f32],
        biases: (&[f32], &[f32]),
        slots: &[i64],
        present: &[f32],
        (batch, words, dim): (usize, usize, usize),
    ) -> Vec<f32> {
        let mut out = vec![0f32; batch * words * dim];
        for b in 0..batch {
            for i in 0..words {
                for k in 0..3 {
                    for j in 0..words {
                        let pair = ((b * 3 + k) * words + i) * words + j;
                        if present[pair] == 0.0 {
                            continue;
                        }
                        let row = slots[pair] as usize;
                        for d in 0..dim {
                            let at = ((b * 3 + k) * words + j) * dim + d;
                            let gate = 1.0 / (1.0 + (-(z[at] + biases.1[row * dim + d])).exp());
                            out[(b * words + i) * dim + d] += (y[at] + biases.0[row * dim + d]) * gate;
                        }
                    }
                }
            }
        }
        out
    }

    /// Two queries of different lengths (the second padded), with self loops, arcs of several
    /// relations in both directions, and words that read nothing in a block.
    fn assert_messages_match(device: &Device) {
        let (words, dim) = (5, 7);
        let mut adjacency = vec![0i64; 2 * words * words];
        for (b, i, j, r) in
            [(0, 0, 0, 1), (0, 1, 1, 1), (0, 1, 0, 2), (0, 2, 1, 9), (0, 4, 2, 40), (1, 0, 0, 1), (1, 2, 0, 5)]
        {
            adjacency[(b * words + i) * words + j] = r;
        }
        let batch = QueryBatch::new(&values(2 * words * dim, 1, 1.0), vec![5, 3], &adjacency, words, dim, device);
        let (y, z) = (tensor([2, 3, words, dim], 2, 1.0, device), tensor([2, 3, words, dim], 3, 2.0, device));
        let tables =
            (tensor([3, RELATION_SLOTS, dim], 4, 0.5, device), tensor([3, RELATION_SLOTS, dim], 5, 0.5, device));
        let ours = gcn_messages(
            y.clone(),
            z.clone(),
            tables.0.clone(),
            tables.1.clone(),
            batch.pair_slots.clone(),
            batch.present.clone(),
        );
        let host = |t: Tensor<4>| t.into_data().try_to_vec::<f32>().unwrap();
        let table = |t: Tensor<3>| t.into_data().try_to_vec::<f32>().unwrap();
        let expected = reference(
            &host(y),
            &host(z),
            (&table(tables.0), &table(tables.1)),
            &batch.pair_slots.into_data().convert::<i64>().try_to_vec::<i64>().unwrap(),
            &batch.present.into_data().try_to_vec::<f32>().unwrap(),
            (2, words, dim),
        );
        let ours = ours.into_data().try_to_vec::<f32>().unwrap();
        let difference = ours.iter().zip(&expected).map(|(a, b)| (a - b).abs()).fold(0f32, f32::max);
        assert!(difference < 1e-5, "{difference}");
        assert!(expected.iter().any(|v| v.abs() > 0.1), "a real signal");
    }

    #[test]
    fn messages_match_the_spec_on_the_cpu() {
        assert_messages_match(&crate::device::cpu());
    }

    #[cfg(feature = "wgpu")]
    #[test]
    fn messages_match_the_spec_on_wgpu() {
        crate::ops::testing::on_wgpu(assert_messages_match);
    }
}
