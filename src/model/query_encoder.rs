//! Query encoder: syntactic GCN over the dependency parse, then a BiGRU (spec §2).

use burn::module::{Module, Param};
use burn::nn::{Dropout, DropoutConfig};
use burn::tensor::activation::{relu, sigmoid};
use burn::tensor::{Device, Tensor, TensorData};

use super::batch::{NUM_ARC_RELATIONS, QueryBatch};
use super::gru::{BiGru, length_mask};
use super::layers::{Linear, uniform};
use crate::config::CminConfig;

/// One syntactic GCN layer (spec §2): three direction blocks — self, along the arc
/// (head gathers from dependents), against the arc (dependent gathers from head) — each with
/// an edge-wise gate and per-relation biases; `x + dropout(ReLU(sum of blocks))`.
#[derive(Module, Debug)]
pub struct SyntacticGcnLayer {
    /// 0 = self, 1 = along, 2 = against.
    pub fc_dir_weight: Vec<Linear>,
    pub fc_gate_weight: Vec<Linear>,
    pub fc_dir_bias1: Vec<Param<Tensor<1>>>,
    pub fc_dir_bias2: Vec<Param<Tensor<1>>>,
    pub fc_dir_bias3: Vec<Param<Tensor<1>>>,
    pub fc_gate_bias1: Vec<Param<Tensor<1>>>,
    pub fc_gate_bias2: Vec<Param<Tensor<1>>>,
    pub fc_gate_bias3: Vec<Param<Tensor<1>>>,
    pub dropout: Dropout,
}

impl SyntacticGcnLayer {
    pub fn new(dim: usize, dropout: f64, device: &Device) -> Self {
        let linears = || (0..3).map(|_| Linear::new(dim, dim, false, device)).collect();
        let biases = |count: usize| (0..count).map(|_| uniform([dim], dim, device)).collect();
        SyntacticGcnLayer {
            fc_dir_weight: linears(),
            fc_gate_weight: linears(),
            fc_dir_bias1: biases(1),
            fc_dir_bias2: biases(NUM_ARC_RELATIONS),
            fc_dir_bias3: biases(NUM_ARC_RELATIONS),
            fc_gate_bias1: biases(1),
            fc_gate_bias2: biases(NUM_ARC_RELATIONS),
            fc_gate_bias3: biases(NUM_ARC_RELATIONS),
            dropout: DropoutConfig::new(dropout).init(),
        }
    }

    /// # Shapes
    /// - x: `[batch, words, dim]`
    /// - output: `[batch, words, dim]`
    pub fn forward(&self, x: Tensor<3>, query: &QueryBatch) -> Tensor<3> {
        let self_block = {
            let y = self.fc_dir_weight[0].forward(x.clone());
            let z = self.fc_gate_weight[0].forward(y.clone());
            let edge = (y + self.fc_dir_bias1[0].val().unsqueeze::<3>())
                * sigmoid(z + self.fc_gate_bias1[0].val().unsqueeze::<3>());
            // The reference uses `adj^T == 1`, i.e. word i reads word j where adj[j][i] is a self loop.
            query.self_loops.clone().swap_dims(1, 2).matmul(edge)
        };
        let along = self.arc_block(x.clone(), query.arcs.clone(), 1, &self.fc_dir_bias2, &self.fc_gate_bias2);
        let against =
            self.arc_block(x.clone(), query.arcs.clone().swap_dims(1, 2), 2, &self.fc_dir_bias3, &self.fc_gate_bias3);
        x + self.dropout.forward(relu(self_block + along + against))
    }

    /// `out_i = sum_j sum_r [A_ij = r] (y_j + b_r) * sigmoid(z_j + c_r)` with `A` given one-hot
    /// over relations (`[batch, i, j, r]`). Computed per word pair so that every relation's
    /// bias is gathered once instead of 39 masked matrix products.
    fn arc_block(
        &self,
        x: Tensor<3>,
        arcs: Tensor<4>,
        block: usize,
        dir_bias: &[Param<Tensor<1>>],
        gate_bias: &[Param<Tensor<1>>],
    ) -> Tensor<3> {
        let [batch, words, dim] = x.dims();
        let y = self.fc_dir_weight[block].forward(x);
        let z = self.fc_gate_weight[block].forward(y.clone());
        let table = |biases: &[Param<Tensor<1>>]| Tensor::stack::<2>(biases.iter().map(|b| b.val()).collect(), 0);
        let flat_arcs = arcs.clone().reshape([batch * words * words, NUM_ARC_RELATIONS]);
        let pair_dir_bias = flat_arcs.clone().matmul(table(dir_bias)).reshape([batch, words, words, dim]);
        let pair_gate_bias = flat_arcs.matmul(table(gate_bias)).reshape([batch, words, words, dim]);
        let edge = (y.unsqueeze_dim::<4>(1) + pair_dir_bias) * sigmoid(z.unsqueeze_dim::<4>(1) + pair_gate_bias);
        let present = arcs.sum_dim(3); // [batch, i, j, 1]
        (edge * present).sum_dim(2).reshape([batch, words, dim])
    }
}

/// The query encoder (spec §2), or the bag-of-words baseline when `bag_of_words` is set.
#[derive(Module, Debug)]
pub struct QueryEncoder {
    pub gcn_layers: Vec<SyntacticGcnLayer>,
    pub rnn: Option<BiGru>,
    /// The baseline's projection of the mean word vector.
    pub bag_of_words: Option<Linear>,
    pub dropout: Dropout,
}

impl QueryEncoder {
    pub fn new(config: &CminConfig, device: &Device) -> Self {
        let bow = config.bag_of_words;
        let layers = if config.use_gcn && !bow { config.num_gcn_layers } else { 0 };
        QueryEncoder {
            gcn_layers: (0..layers).map(|_| SyntacticGcnLayer::new(config.word_dim, config.dropout, device)).collect(),
            rnn: (!bow).then(|| BiGru::new(config.word_dim, config.d_model / 2, device)),
            bag_of_words: bow.then(|| Linear::new(config.word_dim, config.d_model, true, device)),
            dropout: DropoutConfig::new(config.dropout).init(),
        }
    }

    /// # Shapes
    /// - output: `[batch, max_words, d_model]`, zero past each query's length
    pub fn forward(&self, query: &QueryBatch) -> Tensor<3> {
        let mut x = self.dropout.forward(query.words.clone());
        if let Some(projection) = &self.bag_of_words {
            return self.dropout.forward(bag_of_words(projection, x, &query.lengths));
        }
        for layer in &self.gcn_layers {
            x = layer.forward(x, query);
        }
        let rnn = self.rnn.as_ref().expect("built unless bag_of_words");
        self.dropout.forward(rnn.forward(x, Some(&query.lengths)))
    }
}

/// The mean word vector, projected, repeated at every word position (padding stays zero),
/// so the interaction sees one and the same "word" wherever it attends.
fn bag_of_words(projection: &Linear, words: Tensor<3>, lengths: &[usize]) -> Tensor<3> {
    let [batch, m, _] = words.dims();
    let device = words.device();
    let counts: Vec<f32> = lengths.iter().map(|&n| n as f32).collect();
    let counts = Tensor::<1>::from_data(TensorData::new(counts, [batch]), &device).reshape([batch, 1, 1]);
    // Padding rows are zero, so the sum over all rows is the sum over the words.
    let mean = words.sum_dim(1) / counts;
    let vector = projection.forward(mean);
    let d = vector.dims()[2];
    let mask = length_mask(lengths, batch, m, &device).reshape([batch, m, 1]);
    vector.expand([batch, m, d]) * mask
}
