//! Device-side inputs of one forward pass, built once on the host.

use burn::tensor::{Device, Int, Tensor, TensorData};

use crate::relations::{NUM_RELATIONS, SELF_LOOP};

/// First relation id of the "along"/"against" GCN blocks (ids 2..=40; spec §2).
pub const FIRST_ARC_RELATION: usize = 2;
/// Number of arc relations (ids 2..=40).
pub const NUM_ARC_RELATIONS: usize = NUM_RELATIONS - FIRST_ARC_RELATION;

/// Relation slots per GCN block (see [`QueryBatch::pair_slots`]): the self block uses slot 0,
/// the arc blocks one slot per arc relation.
pub const RELATION_SLOTS: usize = NUM_ARC_RELATIONS + 1;

/// Logit added to padding words' attention logits.
const PADDING_LOGIT: f32 = -1e30;

/// A padded batch of queries.
#[derive(Clone, Debug)]
pub struct QueryBatch {
    /// `[batch, width, word_dim]`, zero past each length; `width` is the longest query's
    /// length (padding words change nothing, so a batch is only as wide as it needs to be).
    pub words: Tensor<3>,
    /// True number of words per query (at least 1).
    pub lengths: Vec<usize>,
    /// `[batch * 3 * width * width]`: for GCN block k (0 self, 1 along, 2 against) and word
    /// pair (i, j), in that order, the row `k * RELATION_SLOTS + slot` of a block's bias table
    /// for the relation through which word i reads word j: block 0 slot 0 where `adj[j][i]`
    /// is the self loop, block 1 slot `r - 2` where `adj[i][j] = r >= 2`, block 2 the same for
    /// `adj[j][i]`; slot 0 of the block where the pair has no edge (masked by `present`).
    pub pair_slots: Tensor<1, Int>,
    /// `[batch, 3, width, width, 1]`: 1 where word i reads word j in block k.
    pub present: Tensor<5>,
    /// `[batch, 1, width]`: 0 on words, -1e30 on padding (added to attention logits).
    pub word_logit_mask: Tensor<3>,
}

impl QueryBatch {
    /// Builds the batch from host data. `adjacency[b]` is row-major `[width, width]` of
    /// relation ids already validated to lie in `0..=40`. Everything is laid out here, on
    /// the host, so that no device work is spent on it.
    pub fn new(
        words: &[f32],
        lengths: Vec<usize>,
        adjacency: &[i64],
        width: usize,
        word_dim: usize,
        device: &Device,
    ) -> Self {
        let batch = lengths.len();
        let m = width;
        debug_assert_eq!(words.len(), batch * m * word_dim);
        debug_assert_eq!(adjacency.len(), batch * m * m);
        let mut pair_slots: Vec<i64> =
            (0..batch * 3 * m * m).map(|cell| ((cell / (m * m)) % 3 * RELATION_SLOTS) as i64).collect();
        let mut present = vec![0f32; batch * 3 * m * m];
        let mut set = |b: usize, block: usize, i: usize, j: usize, slot: usize| {
            let cell = (b * 3 + block) * m * m + i * m + j;
            pair_slots[cell] = (block * RELATION_SLOTS + slot) as i64;
            present[cell] = 1.0;
        };
        for b in 0..batch {
            let adj = &adjacency[b * m * m..(b + 1) * m * m];
            for i in 0..m {
                for j in 0..m {
                    let (forward, backward) = (adj[i * m + j] as usize, adj[j * m + i] as usize);
                    if backward == SELF_LOOP {
                        set(b, 0, i, j, 0);
                    }
                    if forward >= FIRST_ARC_RELATION {
                        set(b, 1, i, j, forward - FIRST_ARC_RELATION);
                    }
                    if backward >= FIRST_ARC_RELATION {
                        set(b, 2, i, j, backward - FIRST_ARC_RELATION);
                    }
                }
            }
        }
        let mut logit_mask = vec![PADDING_LOGIT; batch * m];
        for (b, &len) in lengths.iter().enumerate() {
            logit_mask[b * m..b * m + len.min(m)].fill(0.0);
        }
        QueryBatch {
            words: Tensor::from_data(TensorData::new(words.to_vec(), [batch, m, word_dim]), device),
            pair_slots: Tensor::from_data(TensorData::new(pair_slots, [batch * 3 * m * m]), device),
            present: Tensor::from_data(TensorData::new(present, [batch, 3, m, m, 1]), device),
            word_logit_mask: Tensor::from_data(TensorData::new(logit_mask, [batch, 1, m]), device),
            lengths,
        }
    }

    pub fn batch_size(&self) -> usize {
        self.lengths.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// "a person cuts" padded to width 4 beside a one-word query: `adj[cuts][person] = nsubj`
    /// (2), self loops on the diagonal.
    #[test]
    fn slots_presence_and_mask_follow_the_adjacency() {
        let device = Device::flex();
        let (m, dim) = (4, 1);
        #[rustfmt::skip]
        let adjacency: Vec<i64> = [
            vec![1, 0, 0, 0,  0, 1, 0, 0,  0, 2, 1, 0,  0, 0, 0, 0],
            vec![1, 0, 0, 0,  0, 0, 0, 0,  0, 0, 0, 0,  0, 0, 0, 0],
        ].concat();
        let batch = QueryBatch::new(&[0.0; 8], vec![3, 1], &adjacency, m, dim, &device);
        assert_eq!(batch.words.dims(), [2, m, dim]);
        assert_eq!(batch.present.dims(), [2, 3, m, m, 1]);
        let present = batch.present.into_data().try_to_vec::<f32>().unwrap();
        let slots = batch.pair_slots.into_data().convert::<i64>().try_to_vec::<i64>().unwrap();
        let cell = |b: usize, k: usize, i: usize, j: usize| (b * 3 + k) * m * m + i * m + j;
        // Block 0: each real word reads itself.
        for i in 0..3 {
            assert_eq!((present[cell(0, 0, i, i)], slots[cell(0, 0, i, i)]), (1.0, 0));
        }
        // Block 1 (along the arc): cuts (2) reads person (1) through nsubj, slot 0.
        assert_eq!((present[cell(0, 1, 2, 1)], slots[cell(0, 1, 2, 1)]), (1.0, RELATION_SLOTS as i64));
        // Block 2 (against the arc): person reads cuts through nsubj.
        assert_eq!((present[cell(0, 2, 1, 2)], slots[cell(0, 2, 1, 2)]), (1.0, 2 * RELATION_SLOTS as i64));
        assert_eq!(present.iter().sum::<f32>(), 3.0 + 2.0 + 1.0, "three self loops, one arc both ways, one self loop");
        let mask = batch.word_logit_mask.into_data().try_to_vec::<f32>().unwrap();
        assert_eq!(&mask[..4], &[0.0, 0.0, 0.0, PADDING_LOGIT]);
        assert_eq!(&mask[4..], &[0.0, PADDING_LOGIT, PADDING_LOGIT, PADDING_LOGIT]);
    }
}
