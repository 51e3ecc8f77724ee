//! A dependency parse (from our parser or any other) turned into the model's input: the graph,
//! the word vectors, and what the model will and will not see.

use cmin_model::Query;
use cmin_model::error::{CminError, Result};
use serde::{Deserialize, Serialize};

use crate::embeddings::Embeddings;
use crate::graph::SyntaxGraph;

/// A dependency parse as users bring it (from our parser, CoreNLP, spaCy, ...): `heads[i]` is
/// 0 for a root or the 1-based index of token `i`'s head; labels are UD v1 or v2.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DependencyParse {
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
    /// The word count before the cut, when [`DependencyParse::prepare_at_most`] cut it.
    pub truncated_from: Option<usize>,
}

impl DependencyParse {
    /// Builds the adjacency exactly as the reference data and looks up word vectors.
    pub fn prepare(&self, embeddings: &Embeddings) -> Result<PreparedQuery> {
        self.prepare_at_most(embeddings, usize::MAX)
    }

    /// As [`Self::prepare`], keeping the first `max_words` words (the model's limit): the
    /// words x words adjacency of a long text is never built.
    pub fn prepare_at_most(&self, embeddings: &Embeddings, max_words: usize) -> Result<PreparedQuery> {
        let (graph, words_before) =
            SyntaxGraph::from_parse_limited(&self.tokens, &self.heads, &self.deprels, max_words)?;
        let mut prepared = graph.prepare(embeddings)?;
        prepared.truncated_from = (words_before > prepared.words.len()).then_some(words_before);
        Ok(prepared)
    }
}

impl SyntaxGraph {
    /// The model's input for this graph: every query, whether parsed here or stored with a
    /// dataset, becomes a [`Query`] through this one function.
    pub fn prepare(self, embeddings: &Embeddings) -> Result<PreparedQuery> {
        if self.is_empty() {
            return Err(CminError::EmptyQuery);
        }
        let lookup = embeddings.lookup(&self.words);
        let unknown_words = lookup.unknown.iter().map(|&i| self.words[i].clone()).collect();
        let query = Query::new(lookup.vectors, embeddings.dim(), self.adjacency)?;
        Ok(PreparedQuery { query, words: self.words, unknown_words, truncated_from: None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_become_queries() {
        let e = Embeddings::new(vec!["person".into(), "cuts".into()], vec![1.0, 2.0, 3.0, 4.0], 2).unwrap();
        let parse = |tokens: &[&str], heads: &[usize], deprels: &[&str]| DependencyParse {
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
        let long = DependencyParse {
            tokens: (0..n).map(|i| if i % 2 == 0 { "person" } else { "cuts" }.to_string()).collect(),
            heads: (0..n).map(|i| if i == 0 { 0 } else { i }).collect(),
            deprels: (0..n).map(|i| if i == 0 { "root" } else { "dep" }.to_string()).collect(),
        };
        let p = long.prepare_at_most(&e, 4).unwrap();
        assert_eq!(p.truncated_from, Some(n));
        assert_eq!((p.query.num_words, p.words.len(), p.query.adjacency.len()), (4, 4, 16));
        let full = DependencyParse {
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
}
