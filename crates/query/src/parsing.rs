//! Our dependency parser (crate `cmin-parser`) as CMIN's query front end: text → parse →
//! [`DependencyParse`], and agreement with the CoreNLP parses of the reference data.

pub use cmin_parser::{Analysis, Model as ParserModel};

use crate::graph::DROPPED_TOKENS;
use crate::prepare::DependencyParse;
use cmin_model::error::{CminError, Result};
use cmin_model::limits;
use {crate::graph::SyntaxGraph, cmin_model::relations::RELATIONS};

/// The packaged parser, relative to the repository root.
pub const DEFAULT_PARSER: &str = "www/assets/parser-en-ewt.safetensors";

impl From<&Analysis> for DependencyParse {
    fn from(a: &Analysis) -> Self {
        DependencyParse { tokens: a.tokens.clone(), heads: a.heads.clone(), deprels: a.deprels.clone() }
    }
}

/// A text query as the model reads it: its typos corrected, then parsed.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadText {
    /// The text as read: with its corrections made.
    pub text: String,
    /// The parse of that text.
    pub analysis: Analysis,
    pub corrections: Vec<crate::spelling::Correction>,
    /// The words of the whole text, when it was longer than the part read (see [`read_text`]).
    pub cut_from: Option<usize>,
}

/// Corrects the words of `text` that have no vector, then parses it. `speller` is asked for
/// only when some word has no vector, so a caller can build its index on first need; `None`
/// reads the text as written.
///
/// The model reads a query's first `max_words` words, so only the text's first
/// `2 * max_words + 16` tokens are corrected and parsed (the rest of a sentence that long
/// barely changes the parse of its start): a query of a million words costs a tokenisation,
/// not a parse. A text above [`limits::MAX_TEXT_UNITS`] is refused before any work.
pub fn read_text<'s>(
    parser: &ParserModel,
    embeddings: &crate::embeddings::Embeddings,
    text: &str,
    max_words: usize,
    speller: impl FnOnce() -> Option<&'s crate::spelling::Speller>,
) -> Result<ReadText> {
    limits::text(text.encode_utf16().count() as u64)?;
    let tokens = cmin_parser::tokenize(text);
    let window = max_words.saturating_mul(2).saturating_add(16);
    let (text, cut_from) = match tokens.get(window) {
        Some(first_unread) => {
            let words = tokens.iter().filter(|t| !DROPPED_TOKENS.contains(&t.text.trim())).count();
            (&text[..first_unread.start], Some(words))
        }
        None => (text, None),
    };
    let spans: Vec<(usize, usize)> = tokens.iter().take(window).map(|t| (t.start, t.end)).collect();
    let unknown = spans.iter().any(|&(s, e)| text.get(s..e).is_some_and(|t| embeddings.get(t).is_none()));
    Ok(match if unknown { speller() } else { None } {
        Some(speller) => {
            let corrected = speller.correct(text, &spans, embeddings);
            let analysis = parser.analyze(&corrected.text);
            ReadText { text: corrected.text, analysis, corrections: corrected.corrections, cut_from }
        }
        None => ReadText { text: text.to_string(), analysis: parser.analyze(text), corrections: vec![], cut_from },
    })
}

/// Parses a query into what [`DependencyParse::prepare`] needs.
pub fn parse_query(parser: &ParserModel, text: &str) -> Result<DependencyParse> {
    query_sentence(&parser.analyze(text))
}

/// A query's analysis as a [`DependencyParse`]; text with no tokens is no query.
pub fn query_sentence(analysis: &Analysis) -> Result<DependencyParse> {
    if analysis.tokens.is_empty() {
        return Err(CminError::EmptyQuery);
    }
    Ok(DependencyParse::from(analysis))
}

/// How our parses compare with a reference adjacency (CoreNLP in the reference data).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Agreement {
    pub queries: usize,
    /// Queries whose word lists (after the reference's filtering) equal ours.
    pub compared: usize,
    /// Words in compared queries.
    pub words: usize,
    /// Words whose head (or lack of one) matches.
    pub unlabeled: usize,
    /// Words whose head and relation id match.
    pub labeled: usize,
    /// Disagreements by kind (`head ours/theirs` or `label ours/theirs`), for diagnosis.
    pub confusions: std::collections::HashMap<String, usize>,
}

impl Agreement {
    pub fn unlabeled_pct(&self) -> f64 {
        100.0 * self.unlabeled as f64 / self.words.max(1) as f64
    }
    pub fn labeled_pct(&self) -> f64 {
        100.0 * self.labeled as f64 / self.words.max(1) as f64
    }
    pub fn compared_pct(&self) -> f64 {
        100.0 * self.compared as f64 / self.queries.max(1) as f64
    }

    /// Adds one query: our graph against the reference words and `adj[head][dep]` rows.
    pub fn add(&mut self, ours: &SyntaxGraph, words: &[String], adjacency: &[Vec<i64>]) {
        self.queries += 1;
        if ours.words != words || adjacency.len() != words.len() {
            return;
        }
        let m = words.len();
        let head_of = |get: &dyn Fn(usize, usize) -> i64, d: usize| {
            (0..m).find(|&h| h != d && get(h, d) != 0).map(|h| (h, get(h, d)))
        };
        self.compared += 1;
        for d in 0..m {
            let mine = head_of(&|h, d| ours.adjacency[h * m + d], d);
            let theirs = head_of(&|h, d| adjacency[h].get(d).copied().unwrap_or(0), d);
            self.words += 1;
            self.unlabeled += (mine.map(|x| x.0) == theirs.map(|x| x.0)) as usize;
            self.labeled += (mine == theirs) as usize;
            if mine != theirs {
                let name =
                    |x: Option<(usize, i64)>| x.map_or("-", |(_, l)| RELATIONS.get(l as usize).copied().unwrap_or("?"));
                let kind = if mine.map(|x| x.0) == theirs.map(|x| x.0) { "label" } else { "head" };
                *self.confusions.entry(format!("{kind} {}/{}", name(mine), name(theirs))).or_default() += 1;
            }
        }
    }
}

/// Parses every query of a reference-format JSON file (`[vid, duration, [s, e], sentence,
/// words, id2pos, adj]` entries) and compares with its stored adjacency.
pub fn reference_agreement(parser: &ParserModel, json: &str) -> Result<Agreement> {
    let entries: Vec<serde_json::Value> =
        serde_json::from_str(json).map_err(|e| CminError::malformed("reference JSON", e))?;
    let mut agreement = Agreement::default();
    for (i, e) in entries.iter().enumerate() {
        let bad = |what: &str| CminError::malformed("reference JSON", format!("entry {i}: {what}"));
        let sentence = e.get(3).and_then(|v| v.as_str()).ok_or_else(|| bad("no sentence"))?;
        let words: Vec<String> = serde_json::from_value(e.get(4).cloned().ok_or_else(|| bad("no words"))?)
            .map_err(|_| bad("words are not strings"))?;
        let adjacency: Vec<Vec<i64>> = serde_json::from_value(e.get(6).cloned().ok_or_else(|| bad("no adj"))?)
            .map_err(|_| bad("adj is not a matrix of integers"))?;
        let parse = parser.analyze(sentence);
        let graph = SyntaxGraph::from_parse(&parse.tokens, &parse.heads, &parse.deprels)?;
        agreement.add(&graph, &words, &adjacency);
    }
    Ok(agreement)
}
