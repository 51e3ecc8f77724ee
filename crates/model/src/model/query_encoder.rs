//! Query encoder: syntactic GCN over the dependency parse, then a BiGRU (spec §2).

use burn::config::Config;
use burn::module::{Module, Param};
use burn::nn::{Dropout, DropoutConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor, TensorData};

use super::batch::{NUM_ARC_RELATIONS, QueryBatch, RELATION_SLOTS};
use super::gru::{BiGru, BiGruConfig, length_mask};
use super::layers::{Linear, LinearConfig, affine, uniform};
use crate::config::CminConfig;
use crate::ops::gcn::gcn_messages;
use crate::ops::product::product;

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
    /// The weights laid out for the forward pass, kept by [`Self::prepare_for_inference`] (see `BiGru`'s).
    #[module(skip)]
    layout: Option<GcnLayout>,
}

/// A [`SyntacticGcnLayer`]'s width and dropout.
#[derive(Config, Debug)]
pub struct SyntacticGcnLayerConfig {
    pub dim: usize,
    #[config(default = 0.0)]
    pub dropout: f64,
}

impl SyntacticGcnLayerConfig {
    pub fn init(&self, device: &Device) -> SyntacticGcnLayer {
        let (dim, dropout) = (self.dim, self.dropout);
        let linears = || (0..3).map(|_| LinearConfig::new(dim, dim).with_bias(false).init(device)).collect();
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
            layout: None,
        }
    }
}

impl SyntacticGcnLayer {
    /// The layer's weights laid out for [`Self::forward`].
    fn lay_out(&self) -> GcnLayout {
        let transposed = |linears: &[Linear]| linears.iter().map(|l| l.weight.val().transpose()).collect::<Vec<_>>();
        let dim = self.fc_dir_weight[0].weight.dims()[0];
        let device = self.fc_dir_weight[0].weight.device();
        let table = |biases: &[Param<Tensor<1>>]| {
            let used = Tensor::stack::<2>(biases.iter().map(|b| b.val()).collect(), 0);
            Tensor::cat(vec![used, Tensor::zeros([RELATION_SLOTS - biases.len(), dim], &device)], 0)
        };
        let tables = |blocks: [&[Param<Tensor<1>>]; 3]| Tensor::stack(blocks.map(table).to_vec(), 0);
        GcnLayout {
            direction: Tensor::cat(transposed(&self.fc_dir_weight), 1),
            gate: Tensor::stack(transposed(&self.fc_gate_weight), 0),
            direction_biases: tables([&self.fc_dir_bias1, &self.fc_dir_bias2, &self.fc_dir_bias3]),
            gate_biases: tables([&self.fc_gate_bias1, &self.fc_gate_bias2, &self.fc_gate_bias3]),
        }
    }

    /// `x + dropout(ReLU(sum_k sum_j [j -> i in block k] (y_kj + b_kr) * sigmoid(z_kj + c_kr)))`
    /// with `y_k = W_k x`, `z_k = G_k y_k` and `r` the relation of the pair: the three
    /// direction blocks and all relations at once (biases picked per word pair by their row
    /// in the bias tables; see [`gcn_messages`]), so a layer is a few operations whatever the
    /// parse.
    ///
    /// # Shapes
    /// - x: `[batch, words, dim]`
    /// - output: `[batch, words, dim]`
    pub fn forward(&self, x: Tensor<3>, query: &QueryBatch) -> Tensor<3> {
        let weights = self.layout();
        let [batch, words, dim] = x.dims();
        // All three blocks' W_k x as one 2-D product, then G_k y_k as a product batched over
        // the blocks (rows: every word of the batch).
        let y_blocks =
            affine(x.clone(), weights.direction.clone(), None).reshape([batch * words, 3, dim]).swap_dims(0, 1); // [3, batch * words, dim]
        let z_blocks = product(y_blocks.clone(), weights.gate.clone(), None);
        let by_batch = |t: Tensor<3>| t.reshape([3, batch, words, dim]).swap_dims(0, 1); // [batch, 3, words, dim]
        let messages = gcn_messages(
            by_batch(y_blocks),
            by_batch(z_blocks),
            weights.direction_biases.clone(),
            weights.gate_biases.clone(),
            query.pair_slots.clone(),
            query.present.clone(),
        );
        x + self.dropout.forward(relu(messages))
    }

    /// Lays the weights out once, for a model that no longer changes.
    pub fn prepare_for_inference(&mut self) {
        self.layout = Some(self.lay_out());
    }

    /// The layout kept by [`Self::prepare_for_inference`], or one laid out now.
    fn layout(&self) -> GcnLayout {
        self.layout.clone().unwrap_or_else(|| self.lay_out())
    }
}

/// A GCN layer's weights in the layout its forward reads (derived from the parameters, so
/// gradients reach them through it). Blocks: 0 self, 1 along, 2 against the arcs.
#[derive(Clone, Debug)]
struct GcnLayout {
    /// `[dim, 3 * dim]`: the blocks' `W_k^T` side by side.
    direction: Tensor<2>,
    /// `[3, dim, dim]`: each block's `G_k^T`.
    gate: Tensor<3>,
    /// `[3, RELATION_SLOTS, dim]`: per block and relation slot, the direction bias (zero rows
    /// for the slots a block does not use).
    direction_biases: Tensor<3>,
    /// `[3, RELATION_SLOTS, dim]`: the same for the gate biases.
    gate_biases: Tensor<3>,
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
    /// The encoder as the model's config lays it out.
    pub fn init(config: &CminConfig, device: &Device) -> Self {
        let bow = config.bag_of_words;
        let layers = if config.use_gcn && !bow { config.num_gcn_layers } else { 0 };
        let gcn_layer = SyntacticGcnLayerConfig::new(config.word_dim).with_dropout(config.dropout);
        QueryEncoder {
            gcn_layers: (0..layers).map(|_| gcn_layer.init(device)).collect(),
            rnn: (!bow).then(|| BiGruConfig::new(config.word_dim, config.d_model / 2).init(device)),
            bag_of_words: bow.then(|| LinearConfig::new(config.word_dim, config.d_model).init(device)),
            dropout: DropoutConfig::new(config.dropout).init(),
        }
    }

    /// Lays every layer's weights out once, for a model that no longer changes.
    pub fn prepare_for_inference(&mut self) {
        self.gcn_layers.iter_mut().for_each(SyntacticGcnLayer::prepare_for_inference);
        self.rnn.iter_mut().for_each(BiGru::prepare_for_inference);
    }

    /// # Shapes
    /// - output: `[batch, width, d_model]` (the batch's width), zero past each query's length
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
