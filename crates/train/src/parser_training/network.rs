//! The deep biaffine parser (Dozat & Manning, ICLR 2017), small: word, word-cluster, tag and
//! suffix embeddings → stacked BiGRUs → per-token MLPs → a biaffine arc scorer and a label
//! classifier over (dependent, head) pairs. Training-side twin of `cmin_parser::biaffine`,
//! which runs the exported weights without burn.

use burn::module::{Initializer, Module, Param};
use burn::nn::{Dropout, DropoutConfig};
use burn::tensor::activation::leaky_relu;
use burn::tensor::{Device, Int, Tensor};
use serde::{Deserialize, Serialize};

use cmin_model::model::gru::{BiGru, BiGruConfig};
use cmin_model::model::layers::{Linear, LinearConfig};

/// Slope of the MLPs' leaky ReLU (as in Dozat & Manning).
pub const LEAKY_SLOPE: f64 = 0.1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BiaffineConfig {
    pub vocab: usize,
    pub word_dim: usize,
    pub clusters: usize,
    pub cluster_dim: usize,
    pub tags: usize,
    pub tag_dim: usize,
    pub suffix_buckets: usize,
    pub suffix_dim: usize,
    pub hidden: usize,
    pub layers: usize,
    pub arc_dim: usize,
    pub label_dim: usize,
    pub labels: usize,
    pub dropout: f64,
}

impl BiaffineConfig {
    pub fn input_dim(&self) -> usize {
        self.word_dim + self.cluster_dim + self.tag_dim + self.suffix_dim
    }
}

#[derive(Module, Debug)]
pub struct BiaffineNetwork {
    pub words: Param<Tensor<2>>,
    pub clusters: Param<Tensor<2>>,
    pub tags: Param<Tensor<2>>,
    pub suffixes: Param<Tensor<2>>,
    pub rnn: Vec<BiGru>,
    pub arc_dep: Linear,
    pub arc_head: Linear,
    pub label_dep: Linear,
    pub label_head: Linear,
    /// `s(d, h) = arc_dep(d) · U · arc_head(h) + arc_head(h) · u`.
    pub arc_bilinear: Param<Tensor<2>>,
    pub arc_head_bias: Param<Tensor<1>>,
    /// Over `[label_dep(d); label_head(h); label_dep(d) * label_head(h)]`.
    pub label_out: Linear,
    pub dropout: Dropout,
}

/// One padded batch of sentences, token 0 of each being the root.
pub struct TokenBatch {
    /// `[batch, time]` ids.
    pub words: Tensor<2, Int>,
    pub clusters: Tensor<2, Int>,
    pub tags: Tensor<2, Int>,
    pub suffixes: Tensor<2, Int>,
    /// True lengths, root included.
    pub lengths: Vec<usize>,
}

/// What the encoder produces for a batch.
pub struct Encoded {
    /// `[batch, dependent, head]`; padding heads and self-loops masked to -1e9.
    pub arcs: Tensor<3>,
    pub label_dep: Tensor<3>,
    pub label_head: Tensor<3>,
}

fn normal(shape: [usize; 2], std: f64, device: &Device) -> Param<Tensor<2>> {
    Initializer::Normal { mean: 0.0, std }.init(shape, device)
}

impl BiaffineNetwork {
    pub fn new(c: &BiaffineConfig, device: &Device) -> Self {
        let rnn = (0..c.layers)
            .map(|i| BiGruConfig::new(if i == 0 { c.input_dim() } else { 2 * c.hidden }, c.hidden).init(device))
            .collect();
        BiaffineNetwork {
            words: normal([c.vocab, c.word_dim], 0.1, device),
            clusters: normal([c.clusters, c.cluster_dim], 0.1, device),
            tags: normal([c.tags, c.tag_dim], 0.1, device),
            suffixes: normal([c.suffix_buckets, c.suffix_dim], 0.1, device),
            rnn,
            arc_dep: LinearConfig::new(2 * c.hidden, c.arc_dim).init(device),
            arc_head: LinearConfig::new(2 * c.hidden, c.arc_dim).init(device),
            label_dep: LinearConfig::new(2 * c.hidden, c.label_dim).init(device),
            label_head: LinearConfig::new(2 * c.hidden, c.label_dim).init(device),
            // Zero bilinear start, as Dozat & Manning: early scores come from the bias term.
            arc_bilinear: Initializer::Zeros.init([c.arc_dim, c.arc_dim], device),
            arc_head_bias: Initializer::Zeros.init([c.arc_dim], device),
            label_out: LinearConfig::new(3 * c.label_dim, c.labels).init(device),
            dropout: DropoutConfig::new(c.dropout).init(),
        }
    }

    fn embed(table: &Param<Tensor<2>>, ids: Tensor<2, Int>) -> Tensor<3> {
        let [b, t] = ids.dims();
        let dim = table.dims()[1];
        table.val().select(0, ids.reshape([b * t])).reshape([b, t, dim])
    }

    /// # Shapes
    /// - output arcs: `[batch, time, time]` (dependent, head)
    pub fn encode(&self, batch: &TokenBatch) -> Encoded {
        let x = Tensor::cat(
            vec![
                Self::embed(&self.words, batch.words.clone()),
                Self::embed(&self.clusters, batch.clusters.clone()),
                Self::embed(&self.tags, batch.tags.clone()),
                Self::embed(&self.suffixes, batch.suffixes.clone()),
            ],
            2,
        );
        let mut h = self.dropout.forward(x);
        for layer in &self.rnn {
            h = self.dropout.forward(layer.forward(h, Some(&batch.lengths)));
        }
        let mlp = |l: &Linear| self.dropout.forward(leaky_relu(l.forward(h.clone()), LEAKY_SLOPE));
        let (dep, head) = (mlp(&self.arc_dep), mlp(&self.arc_head));
        let [b, t, a] = dep.dims();
        let u = self.arc_bilinear.val().unsqueeze::<3>().expand([b, a, a]);
        let bias = head.clone().matmul(self.arc_head_bias.val().reshape([1, a, 1]).expand([b, a, 1])); // [b, t, 1]
        let arcs = dep.matmul(u).matmul(head.swap_dims(1, 2)) + bias.swap_dims(1, 2);
        let arcs = arcs + self.arc_mask(&batch.lengths, t, &self.words.device());
        Encoded { arcs, label_dep: mlp(&self.label_dep), label_head: mlp(&self.label_head) }
    }

    /// -1e9 on heads past a sentence's end and on self-loops.
    fn arc_mask(&self, lengths: &[usize], t: usize, device: &Device) -> Tensor<3> {
        let mut m = Vec::with_capacity(lengths.len() * t * t);
        for &len in lengths {
            for d in 0..t {
                m.extend((0..t).map(|h| if h >= len || h == d { -1e9f32 } else { 0.0 }));
            }
        }
        Tensor::from_data(burn::tensor::TensorData::new(m, [lengths.len(), t, t]), device)
    }

    /// Label logits of each token for the given heads.
    ///
    /// # Shapes
    /// - heads: `[batch, time]` (any value for padding and the root, e.g. 0)
    /// - output: `[batch, time, labels]`
    pub fn label_logits(&self, e: &Encoded, heads: Tensor<2, Int>) -> Tensor<3> {
        let [b, t, l] = e.label_dep.dims();
        let idx = heads.reshape([b, t, 1]).expand([b, t, l]);
        let head = e.label_head.clone().gather(1, idx);
        let both = e.label_dep.clone() * head.clone();
        self.label_out.forward(Tensor::cat(vec![e.label_dep.clone(), head, both], 2))
    }
}

/// Word rows start from the GloVe vectors of their forms where GloVe has them.
pub fn with_glove(
    mut net: BiaffineNetwork,
    lexicon: &cmin_parser::neural_inputs::Lexicon,
    glove: &cmin_query::embeddings::Embeddings,
    device: &Device,
) -> BiaffineNetwork {
    let [rows, dim] = net.words.dims();
    if dim != glove.dim() {
        return net;
    }
    let mut values: Vec<f32> = net.words.val().into_data().try_into_vec_as::<f32>().unwrap_or_default();
    for (word, &id) in &lexicon.words {
        if let Some(v) = glove.get(word) {
            values[id as usize * dim..(id as usize + 1) * dim].copy_from_slice(v);
        }
    }
    let table = Tensor::<2>::from_data(burn::tensor::TensorData::new(values, [rows, dim]), device);
    net.words = Param::from_tensor(table);
    net
}
