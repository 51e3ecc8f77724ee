//! From a dependency parse to the model's graph: UD v1 or v2 labels to relation ids, and the
//! adjacency matrix built exactly like the reference data.

use cmin_model::error::{CminError, Result};
use cmin_model::relations::{RELATIONS, SELF_LOOP};

/// Tokens the reference removes before building the matrix.
pub const DROPPED_TOKENS: [&str; 5] = [".", "?", ",", "(", ")"];

/// UD v2 universal relations (the bases a v2 label may carry a `:subtype` on).
const UD_V2_BASES: [&str; 37] = [
    "acl",
    "advcl",
    "advmod",
    "amod",
    "appos",
    "aux",
    "case",
    "cc",
    "ccomp",
    "clf",
    "compound",
    "conj",
    "cop",
    "csubj",
    "dep",
    "det",
    "discourse",
    "dislocated",
    "expl",
    "fixed",
    "flat",
    "goeswith",
    "iobj",
    "list",
    "mark",
    "nmod",
    "nsubj",
    "nummod",
    "obj",
    "obl",
    "orphan",
    "parataxis",
    "punct",
    "reparandum",
    "root",
    "vocative",
    "xcomp",
];

/// v2 names whose v1 equivalent is spelled differently (spec), full labels first.
const V2_TO_V1: [(&str, &str); 14] = [
    ("nsubj:pass", "nsubjpass"),
    ("aux:pass", "auxpass"),
    ("csubj:pass", "csubjpass"),
    ("obl:tmod", "nmod:tmod"),
    ("obl:npmod", "nmod:npmod"),
    ("det:poss", "nmod:poss"),
    ("obj", "dobj"),
    ("obl", "nmod"),
    ("fixed", "mwe"),
    ("flat", "mwe"),
    ("nmod:unmarked", "nmod:npmod"),
    ("obl:unmarked", "nmod:npmod"),
    ("advcl:relcl", "advcl"),
    ("compound:lvc", "compound"),
];

/// The relation id of a dependency label, UD v1 or v2 (case-insensitive).
///
/// v2-only relations map to their v1 parent (`nsubj:outer` → `nsubj`) or, with no parent in
/// the table, to `dep` (`vocative`, `list`, `goeswith`, ...). Anything that is not a UD label
/// is an error rather than a silent `dep`.
pub fn relation_id(label: &str) -> Result<usize> {
    let label = label.trim().to_ascii_lowercase();
    let lookup = |l: &str| RELATIONS.iter().position(|r| *r == l).filter(|&i| i >= 2);
    if let Some(id) = lookup(&label) {
        return Ok(id);
    }
    if let Some((_, v1)) = V2_TO_V1.iter().find(|(v2, _)| *v2 == label) {
        return Ok(lookup(v1).expect("mapping targets are in the table"));
    }
    // A subtyped or v2-only label falls back to its base relation, then to `dep`.
    let base = label.split(':').next().unwrap_or("");
    if let Some(id) = lookup(base) {
        return Ok(id);
    }
    if let Some((_, v1)) = V2_TO_V1.iter().find(|(v2, _)| *v2 == base) {
        return Ok(lookup(v1).expect("mapping targets are in the table"));
    }
    if UD_V2_BASES.contains(&base) {
        return Ok(lookup("dep").expect("dep is in the table"));
    }
    Err(CminError::UnknownLabel(label))
}

/// A query as the model reads it: lower-cased words and the `[m, m]` relation-id matrix
/// (`adj[head][dep]`, self loops on the diagonal, root arcs not stored).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SyntaxGraph {
    pub words: Vec<String>,
    /// Row-major `[words.len(), words.len()]`.
    pub adjacency: Vec<i64>,
}

impl SyntaxGraph {
    /// Builds the graph from a dependency parse: `heads[i]` is 0 for a root or the 1-based
    /// index of word `i`'s head; `deprels[i]` its label. Tokens `. ? , ( )` are dropped, as in
    /// the reference data; arcs to or from them disappear with them.
    pub fn from_parse<S: AsRef<str>, L: AsRef<str>>(tokens: &[S], heads: &[usize], deprels: &[L]) -> Result<Self> {
        Self::from_parse_limited(tokens, heads, deprels, usize::MAX).map(|(graph, _)| graph)
    }

    /// As [`Self::from_parse`], keeping only the first `max_words` words and the arcs among
    /// them (what the model would read), so that a long text never builds a words x words
    /// table. Also returns the word count before the cut.
    pub fn from_parse_limited<S: AsRef<str>, L: AsRef<str>>(
        tokens: &[S],
        heads: &[usize],
        deprels: &[L],
        max_words: usize,
    ) -> Result<(Self, usize)> {
        let n = tokens.len();
        if heads.len() != n || deprels.len() != n {
            return Err(CminError::ParseShape(format!(
                "{} tokens, {} heads and {} labels: one head and one label per token",
                n,
                heads.len(),
                deprels.len()
            )));
        }
        for (i, &h) in heads.iter().enumerate() {
            if h > n {
                return Err(CminError::BadHead { word: i, head: h, len: n });
            }
        }
        let ids = deprels.iter().map(|l| relation_id(l.as_ref())).collect::<Result<Vec<_>>>()?;
        let heads = &coordination_to_v1(heads, deprels);
        let mut kept: Vec<usize> = (0..n).filter(|&i| !DROPPED_TOKENS.contains(&tokens[i].as_ref().trim())).collect();
        let words_before = kept.len();
        kept.truncate(max_words);
        let mut new_index = vec![None; n];
        for (k, &i) in kept.iter().enumerate() {
            new_index[i] = Some(k);
        }
        let m = kept.len();
        let mut adjacency = vec![0i64; m * m];
        for (k, &i) in kept.iter().enumerate() {
            adjacency[k * m + k] = SELF_LOOP as i64;
            if heads[i] == 0 {
                continue; // root: never stored
            }
            if let Some(h) = new_index[heads[i] - 1] {
                if h != k {
                    adjacency[h * m + k] = ids[i] as i64;
                }
            }
        }
        let words = kept.iter().map(|&i| tokens[i].as_ref().to_lowercase()).collect();
        Ok((SyntaxGraph { words, adjacency }, words_before))
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

/// UD v2 attaches a coordinating conjunction (and the punctuation before a conjunct) to the
/// conjunct that follows it; UD v1, CoreNLP and so the reference data attach it to the first
/// conjunct. A `cc`/`punct` word whose head is a `conj` word moves to that word's head, and
/// heads outside the sentence are left for validation to report. On v1 input, where the head
/// of `cc` is the first conjunct and not itself a `conj`, this changes nothing.
pub fn coordination_to_v1<L: AsRef<str>>(heads: &[usize], deprels: &[L]) -> Vec<usize> {
    let base = |i: usize| deprels[i].as_ref().split(':').next().unwrap_or("").trim().to_ascii_lowercase();
    (0..heads.len())
        .map(|i| {
            let h = heads[i];
            let moves = matches!(base(i).as_str(), "cc" | "punct")
                && (1..=heads.len()).contains(&h)
                && h - 1 > i
                && base(h - 1) == "conj"
                && heads[h - 1] != 0
                && heads[h - 1] <= heads.len();
            if moves { heads[h - 1] } else { h }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_the_spec_table() {
        assert_eq!(relation_id("nsubj").unwrap(), 2);
        assert_eq!(relation_id("dobj").unwrap(), 9);
        assert_eq!(relation_id("discourse").unwrap(), 40);
        assert_eq!(relation_id("ROOT").unwrap(), 36);
        assert_eq!(relation_id("compound:prt").unwrap(), 25);
    }

    #[test]
    fn ud_v2_labels_map_to_v1() {
        assert_eq!(relation_id("obj").unwrap(), 9);
        assert_eq!(relation_id("obl").unwrap(), 7);
        assert_eq!(relation_id("nsubj:pass").unwrap(), 20);
        assert_eq!(relation_id("aux:pass").unwrap(), 21);
        assert_eq!(relation_id("obl:tmod").unwrap(), 33);
        assert_eq!(relation_id("obl:npmod").unwrap(), 34);
        assert_eq!(relation_id("fixed").unwrap(), 28);
        assert_eq!(relation_id("flat").unwrap(), 28);
        assert_eq!(relation_id("flat:foreign").unwrap(), 28);
        assert_eq!(relation_id("nsubj:outer").unwrap(), 2);
        assert_eq!(relation_id("vocative").unwrap(), 19);
        assert_eq!(relation_id("goeswith").unwrap(), 19);
        assert_eq!(relation_id("det:poss").unwrap(), 18);
    }

    #[test]
    fn unknown_labels_are_errors() {
        assert_eq!(relation_id("banana"), Err(CminError::UnknownLabel("banana".into())));
        assert!(relation_id("").is_err());
        assert!(relation_id("self_loop").is_err());
        assert!(relation_id("empty").is_err());
    }

    #[test]
    fn graph_drops_punctuation_and_root() {
        // "He took out a glass ." -> small-io query 0 (adj[1][0]=2, [1][2]=25, [1][4]=9, [4][3]=3).
        let tokens = ["He", "took", "out", "a", "glass", "."];
        let heads = [2, 0, 2, 5, 2, 2];
        let labels = ["nsubj", "root", "compound:prt", "det", "obj", "punct"];
        let g = SyntaxGraph::from_parse(&tokens, &heads, &labels).unwrap();
        assert_eq!(g.words, ["he", "took", "out", "a", "glass"]);
        let m = 5;
        let at = |h: usize, d: usize| g.adjacency[h * m + d];
        assert_eq!((at(1, 0), at(1, 2), at(1, 4), at(4, 3)), (2, 25, 9, 3));
        assert!((0..m).all(|i| at(i, i) == 1));
        assert_eq!(g.adjacency.iter().filter(|&&v| v > 1).count(), 4);
    }

    #[test]
    fn coordination_follows_v1() {
        // "takes a knife and cuts bread": v2 puts `and` under `cuts`, v1 under `takes`.
        let tokens = ["takes", "a", "knife", "and", "cuts", "bread"];
        let v2 = [0, 3, 1, 5, 1, 5];
        let labels = ["root", "det", "obj", "cc", "conj", "obj"];
        assert_eq!(coordination_to_v1(&v2, &labels), [0, 3, 1, 1, 1, 5]);
        let g = SyntaxGraph::from_parse(&tokens, &v2, &labels).unwrap();
        assert_eq!(g.adjacency[3], 5, "adj[takes][and] = cc");
        // v1 input is unchanged, as is a cc whose head is not a conjunct.
        let v1 = [0, 3, 1, 1, 1, 5];
        assert_eq!(coordination_to_v1(&v1, &labels), v1);
        assert_eq!(coordination_to_v1(&[2, 0], &["cc", "root"]), [2, 0]);
    }

    #[test]
    fn bad_parses_are_errors() {
        assert!(matches!(
            SyntaxGraph::from_parse(&["a", "b"], &[0, 3], &["root", "dep"]),
            Err(CminError::BadHead { word: 1, head: 3, len: 2 })
        ));
        assert!(matches!(SyntaxGraph::from_parse(&["a"], &[0, 1], &["root"]), Err(CminError::ParseShape(_))));
        assert!(matches!(SyntaxGraph::from_parse(&["a"], &[0], &["nope"]), Err(CminError::UnknownLabel(_))));
    }
}
