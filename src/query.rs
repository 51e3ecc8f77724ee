//! A query at the API boundary: word vectors plus the relation-id adjacency, validated,
//! truncated to the model's limit, and padded into a batch.

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use crate::config::CminConfig;
use crate::embeddings::Embeddings;
use crate::error::{CminError, Result};
use crate::model::QueryBatch;
use crate::relations::{SyntaxGraph, validate_adjacency};

/// A dependency parse as users bring it (from our parser, CoreNLP, spaCy, ...): `heads[i]` is
/// 0 for a root or the 1-based index of token `i`'s head; labels are UD v1 or v2.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParsedSentence {
    pub tokens: Vec<String>,
    pub heads: Vec<usize>,
    pub deprels: Vec<String>,
}

/// A parse turned into model input, with what the model will (and will not) see.
#[derive(Clone, Debug, PartialEq)]
pub struct PreparedQuery {
    pub query: Query,
    /// Lower-cased words after dropping `. ? , ( )`.
    pub words: Vec<String>,
    /// Words with no vector (they get zeros, as in training).
    pub unknown_words: Vec<String>,
    /// The word count before the cut, when [`ParsedSentence::prepare_at_most`] cut it.
    pub truncated_from: Option<usize>,
}

impl ParsedSentence {
    /// Builds the adjacency exactly as the reference data and looks up word vectors.
    pub fn prepare(&self, embeddings: &Embeddings) -> Result<PreparedQuery> {
        self.prepare_at_most(embeddings, usize::MAX)
    }

    /// As [`Self::prepare`], keeping the first `max_words` words (the model's limit): the
    /// words x words adjacency of a long text is never built.
    pub fn prepare_at_most(&self, embeddings: &Embeddings, max_words: usize) -> Result<PreparedQuery> {
        let (graph, words_before) =
            SyntaxGraph::from_parse_limited(&self.tokens, &self.heads, &self.deprels, max_words)?;
        if graph.is_empty() {
            return Err(CminError::EmptyQuery);
        }
        let lookup = embeddings.lookup(&graph.words);
        let unknown_words = lookup.unknown.iter().map(|&i| graph.words[i].clone()).collect();
        let query = Query::new(lookup.vectors, embeddings.dim(), graph.adjacency)?;
        let truncated_from = (words_before > graph.words.len()).then_some(words_before);
        Ok(PreparedQuery { query, words: graph.words, unknown_words, truncated_from })
    }
}

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
    if queries.is_empty() {
        return Err(CminError::EmptyQuery);
    }
    let dim = config.word_dim;
    let m = queries.iter().map(|q| q.num_words.min(config.max_words)).max().unwrap_or(1).max(1);
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
    fn parses_become_queries() {
        let e = Embeddings::new(vec!["person".into(), "cuts".into()], vec![1.0, 2.0, 3.0, 4.0], 2).unwrap();
        let parse = |tokens: &[&str], heads: &[usize], deprels: &[&str]| ParsedSentence {
            tokens: tokens.iter().map(|s| s.to_string()).collect(),
            heads: heads.to_vec(),
            deprels: deprels.iter().map(|s| s.to_string()).collect(),
        };
        let p = parse(&["A", "person", "cuts", "."], &[2, 3, 0, 3], &["det", "nsubj", "root", "punct"])
            .prepare(&e)
            .unwrap();
        assert_eq!(p.words, ["a", "person", "cuts"]);
        assert_eq!(p.unknown_words, ["a"]);
        assert_eq!(p.query.vectors, vec![0.0, 0.0, 1.0, 2.0, 3.0, 4.0]);
        assert_eq!(p.query.adjacency, vec![1, 0, 0, 3, 1, 0, 0, 2, 1]);
        assert_eq!(parse(&[".", "?"], &[0, 1], &["root", "punct"]).prepare(&e), Err(CminError::EmptyQuery));
        assert_eq!(parse(&[], &[], &[]).prepare(&e), Err(CminError::EmptyQuery));
        assert!(matches!(parse(&["x"], &[0], &["weird"]).prepare(&e), Err(CminError::UnknownLabel(_))));
    }

    /// A text of a million words keeps its first `max_words` and the arcs among them; the
    /// full table would be 10^12 entries.
    #[test]
    fn a_long_text_is_cut_before_its_adjacency_is_built() {
        let e = Embeddings::new(vec!["person".into(), "cuts".into()], vec![1.0, 2.0, 3.0, 4.0], 2).unwrap();
        let n = 1_000_000;
        let long = ParsedSentence {
            tokens: (0..n).map(|i| if i % 2 == 0 { "person" } else { "cuts" }.to_string()).collect(),
            heads: (0..n).map(|i| if i == 0 { 0 } else { i }).collect(),
            deprels: (0..n).map(|i| if i == 0 { "root" } else { "dep" }.to_string()).collect(),
        };
        let p = long.prepare_at_most(&e, 4).unwrap();
        assert_eq!(p.truncated_from, Some(n));
        assert_eq!((p.query.num_words, p.words.len(), p.query.adjacency.len()), (4, 4, 16));
        let full = ParsedSentence {
            tokens: long.tokens[..6].to_vec(),
            heads: long.heads[..6].to_vec(),
            deprels: long.deprels[..6].to_vec(),
        }
        .prepare(&e)
        .unwrap();
        assert_eq!(full.truncated_from, None);
        // The arcs among the first four words are those of the uncut parse.
        let top_left: Vec<i64> = (0..4).flat_map(|h| full.query.adjacency[h * 6..h * 6 + 4].to_vec()).collect();
        assert_eq!(p.query.adjacency, top_left);
    }

    #[test]
    fn truncation_keeps_the_leading_block() {
        // 3 words, adjacency rows h: [1 2 3; 4 1 5; 6 7 1]
        let q = Query::new(vec![1.0, 2.0, 3.0], 1, vec![1, 2, 3, 4, 1, 5, 6, 7, 1]).unwrap();
        let (m, v, a) = q.truncated(2);
        assert_eq!((m, v, a), (2, vec![1.0, 2.0], vec![1, 2, 4, 1]));
    }
}
