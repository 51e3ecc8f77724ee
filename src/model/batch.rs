//! Device-side inputs of one forward pass, built once on the host.

use burn::tensor::{Device, Tensor, TensorData};

use super::gru::length_mask;
use crate::relations::{NUM_RELATIONS, SELF_LOOP};

/// First relation id of the "along"/"against" GCN blocks (ids 2..=40; spec §2).
pub const FIRST_ARC_RELATION: usize = 2;
/// Number of arc relations (ids 2..=40).
pub const NUM_ARC_RELATIONS: usize = NUM_RELATIONS - FIRST_ARC_RELATION;

/// A padded batch of queries.
#[derive(Clone, Debug)]
pub struct QueryBatch {
    /// `[batch, max_words, word_dim]`, zero past each length.
    pub words: Tensor<3>,
    /// True number of words per query (at least 1).
    pub lengths: Vec<usize>,
    /// `[batch, max_words, max_words, 39]`: one-hot of `adj[head][dep]` over relations 2..=40.
    pub arcs: Tensor<4>,
    /// `[batch, max_words, max_words]`: 1 where `adj[i][j]` is the self-loop id.
    pub self_loops: Tensor<3>,
    /// `[batch, 1, max_words]`: 0 on words, -1e30 on padding (added to attention logits).
    pub word_logit_mask: Tensor<3>,
}

impl QueryBatch {
    /// Builds the batch from host data. `adjacency[b]` is row-major `[max_words, max_words]`
    /// of relation ids already validated to lie in `0..=40`.
    pub fn new(
        words: &[f32],
        lengths: Vec<usize>,
        adjacency: &[i64],
        max_words: usize,
        word_dim: usize,
        device: &Device,
    ) -> Self {
        let batch = lengths.len();
        let m = max_words;
        debug_assert_eq!(words.len(), batch * m * word_dim);
        debug_assert_eq!(adjacency.len(), batch * m * m);
        let mut arcs = vec![0f32; batch * m * m * NUM_ARC_RELATIONS];
        let mut self_loops = vec![0f32; batch * m * m];
        for (cell, &id) in adjacency.iter().enumerate() {
            let id = id as usize;
            if id == SELF_LOOP {
                self_loops[cell] = 1.0;
            } else if id >= FIRST_ARC_RELATION {
                arcs[cell * NUM_ARC_RELATIONS + id - FIRST_ARC_RELATION] = 1.0;
            }
        }
        let mask = length_mask(&lengths, batch, m, device);
        let word_logit_mask = ((mask - 1.0) * 1e30).reshape([batch, 1, m]);
        QueryBatch {
            words: Tensor::from_data(TensorData::new(words.to_vec(), [batch, m, word_dim]), device),
            arcs: Tensor::from_data(TensorData::new(arcs, [batch, m, m, NUM_ARC_RELATIONS]), device),
            self_loops: Tensor::from_data(TensorData::new(self_loops, [batch, m, m]), device),
            word_logit_mask,
            lengths,
        }
    }

    pub fn batch_size(&self) -> usize {
        self.lengths.len()
    }
}
