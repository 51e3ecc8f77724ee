//! A query at the API boundary: word vectors plus the relation-id adjacency, validated,
//! truncated to the model's limit, and padded into a batch.

use burn::tensor::Device;

use crate::config::CminConfig;
use crate::error::{CminError, Result};
use crate::model::QueryBatch;
use crate::relations::validate_adjacency;

/// One query as the model needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// Row-major `[num_words, word_dim]`.
    pub vectors: Vec<f32>,
    pub num_words: usize,
    /// Row-major `[num_words, num_words]` relation ids (`adj[head][dep]`).
    pub adjacency: Vec<i64>,
}

impl Query {
    /// Validates shapes, finiteness and relation ids.
    pub fn new(vectors: Vec<f32>, word_dim: usize, adjacency: Vec<i64>) -> Result<Self> {
        if vectors.is_empty() {
            return Err(CminError::EmptyQuery);
        }
        if word_dim == 0 || vectors.len() % word_dim != 0 {
            return Err(CminError::ParseShape(format!(
                "{} word-vector values do not split into vectors of {word_dim}",
                vectors.len()
            )));
        }
        let num_words = vectors.len() / word_dim;
        validate_adjacency(&adjacency, num_words)?;
        if let Some(pos) = vectors.iter().position(|v| !v.is_finite()) {
            return Err(CminError::NonFiniteWord { word: pos / word_dim, dim: pos % word_dim, value: vectors[pos] });
        }
        Ok(Query { vectors, num_words, adjacency })
    }

    pub fn word_dim(&self) -> usize {
        self.vectors.len() / self.num_words
    }

    /// The first `max_words` words and the arcs among them.
    fn truncated(&self, max_words: usize) -> (usize, Vec<f32>, Vec<i64>) {
        let m = self.num_words.min(max_words);
        let dim = self.word_dim();
        let mut adjacency = Vec::with_capacity(m * m);
        for h in 0..m {
            adjacency.extend_from_slice(&self.adjacency[h * self.num_words..h * self.num_words + m]);
        }
        (m, self.vectors[..m * dim].to_vec(), adjacency)
    }
}

/// Pads queries into one batch, as wide as its longest query (at most `max_words`). Returns the batch and, per query, the word count it was
/// truncated from (`Some(n)` when `n > max_words`), so callers can say so.
pub fn batch_queries(
    queries: &[Query],
    config: &CminConfig,
    device: &Device,
) -> Result<(QueryBatch, Vec<Option<usize>>)> {
    let m = queries.iter().map(|q| q.num_words.min(config.max_words)).max().unwrap_or(1).max(1);
    batch_queries_as_wide(&queries.iter().collect::<Vec<_>>(), m, config, device)
}

/// [`batch_queries`] padded to `width` words (at least the longest query's, at most
/// `max_words`), so that batches of a split forward pass line up.
pub fn batch_queries_as_wide(
    queries: &[&Query],
    width: usize,
    config: &CminConfig,
    device: &Device,
) -> Result<(QueryBatch, Vec<Option<usize>>)> {
    if queries.is_empty() {
        return Err(CminError::EmptyQuery);
    }
    let dim = config.word_dim;
    let m = width;
    let mut words = vec![0f32; queries.len() * m * dim];
    let mut adjacency = vec![0i64; queries.len() * m * m];
    let mut lengths = Vec::with_capacity(queries.len());
    let mut truncated = Vec::with_capacity(queries.len());
    for (b, q) in queries.iter().enumerate() {
        if q.word_dim() != dim {
            return Err(CminError::WordDim { got: q.word_dim(), expected: dim });
        }
        let (len, vectors, adj) = q.truncated(m);
        words[b * m * dim..b * m * dim + len * dim].copy_from_slice(&vectors);
        for h in 0..len {
            let row = b * m * m + h * m;
            adjacency[row..row + len].copy_from_slice(&adj[h * len..(h + 1) * len]);
        }
        lengths.push(len);
        truncated.push((q.num_words > m).then_some(q.num_words));
    }
    Ok((QueryBatch::new(&words, lengths, &adjacency, m, dim, device), truncated))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_errors() {
        assert_eq!(Query::new(vec![], 4, vec![]), Err(CminError::EmptyQuery));
        assert!(matches!(Query::new(vec![0.0; 7], 4, vec![1]), Err(CminError::ParseShape(_))));
        assert!(matches!(Query::new(vec![0.0; 8], 4, vec![1, 0, 0]), Err(CminError::ParseShape(_))));
        assert!(matches!(Query::new(vec![0.0; 8], 4, vec![1, 99, 0, 1]), Err(CminError::BadRelationId { .. })));
        assert!(matches!(
            Query::new(vec![0.0, f32::NAN, 0.0, 0.0], 2, vec![1, 0, 0, 1]),
            Err(CminError::NonFiniteWord { word: 0, dim: 1, .. })
        ));
    }

    #[test]
    fn truncation_keeps_the_leading_block() {
        // 3 words, adjacency rows h: [1 2 3; 4 1 5; 6 7 1]
        let q = Query::new(vec![1.0, 2.0, 3.0], 1, vec![1, 2, 3, 4, 1, 5, 6, 7, 1]).unwrap();
        let (m, v, a) = q.truncated(2);
        assert_eq!((m, v, a), (2, vec![1.0, 2.0], vec![1, 2, 4, 1]));
    }
}
