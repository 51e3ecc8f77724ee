//! The whole pipeline: tokenise, split sentences, tag, parse.

use serde::Serialize;

use crate::arc_hybrid::{DependencyParser, Input, root_atoms, with_root};
use crate::neural::{MAX_WORDS, NeuralParser};
use crate::tagger::Tagger;
use crate::tokenizer::{split_sentences, tokenize};
use crate::words::Clusters;

#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub clusters: Clusters,
    pub tagger: Tagger,
    pub parser: DependencyParser,
    /// The neural scorer; when present it parses every sentence of up to
    /// [`crate::neural::MAX_WORDS`] words, the transition parser the longer ones.
    pub neural: Option<NeuralParser>,
    /// How the model was made (command, data, seed, dev scores); stored in the file.
    pub provenance: serde_json::Value,
}

/// A parsed text. Heads are 1-based over all tokens (0 = a sentence root); each sentence is a
/// tree of its own, so a text of two sentences has two roots.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Analysis {
    pub tokens: Vec<String>,
    /// Byte offsets `[start, end)` of each token in the input text.
    pub offsets: Vec<[usize; 2]>,
    pub upos: Vec<String>,
    pub heads: Vec<usize>,
    /// UD v2 relations (with subtypes, e.g. `nmod:poss`).
    pub deprels: Vec<String>,
    /// Token ranges `[start, end)` of the sentences.
    pub sentences: Vec<[usize; 2]>,
}

/// One pre-tokenised sentence's tags and tree, as the parser reads it (what evaluation on a
/// treebank compares with the gold tree).
#[derive(Clone, Debug, PartialEq)]
pub struct TaggedTree {
    pub upos: Vec<String>,
    pub heads: Vec<usize>,
    pub deprels: Vec<String>,
}

impl Model {
    /// Tags and parses one pre-tokenised sentence.
    pub fn parse_sentence(&self, forms: &[String]) -> TaggedTree {
        if forms.is_empty() {
            return TaggedTree { upos: vec![], heads: vec![], deprels: vec![] };
        }
        let atoms = self.clusters.atoms(forms);
        let tags = self.tagger.tag(&atoms, forms);
        let (mut heads, labels) = self.parse_tagged_relations(forms, &atoms, &tags);
        let mut deprels: Vec<String> = heads
            .iter()
            .zip(labels)
            .map(|(&h, label)| {
                // The tree shape decides rootness; labels follow it.
                match (h == 0, label == "root") {
                    (true, _) => "root".to_string(),
                    (false, true) => "dep".to_string(),
                    (false, false) => label.to_string(),
                }
            })
            .collect();
        let upos: Vec<String> = tags.iter().map(|&t| self.tagger.tags[t as usize].clone()).collect();
        crate::repair::phrasal_particles(forms, &upos, &mut heads, &mut deprels);
        TaggedTree { upos, heads, deprels }
    }

    /// Heads and relation names of a tagged sentence, from the neural scorer when the model
    /// has one and the sentence is short enough for it.
    pub fn parse_tagged_relations<'m>(
        &'m self,
        forms: &[String],
        atoms: &[crate::words::WordAtoms],
        tags: &[u8],
    ) -> (Vec<usize>, Vec<&'m str>) {
        let name = |labels: &'m [String], l: usize| labels.get(l).map_or("dep", String::as_str);
        match &self.neural {
            Some(n) if forms.len() <= MAX_WORDS => {
                let (heads, labels) = n.parse(&n.lexicon.token_ids(&self.clusters, forms, tags));
                (heads, labels.into_iter().map(|l| name(&n.labels, l)).collect())
            }
            _ => {
                let (heads, labels) = self.parse_tagged(atoms, tags);
                (heads, labels.into_iter().map(|l| name(&self.parser.labels, l)).collect())
            }
        }
    }

    /// The transition parser alone.
    pub fn parse_tagged(&self, atoms: &[crate::words::WordAtoms], tags: &[u8]) -> (Vec<usize>, Vec<usize>) {
        let mut all = Vec::with_capacity(atoms.len() + 1);
        all.push(root_atoms());
        all.extend_from_slice(atoms);
        let tags = with_root(tags);
        self.parser.parse(&Input { atoms: &all, tags: &tags })
    }

    /// Tokenises, splits into sentences, tags and parses. Never fails; empty text gives an
    /// empty analysis.
    pub fn analyze(&self, text: &str) -> Analysis {
        let tokens = tokenize(text);
        let mut a = Analysis {
            tokens: Vec::with_capacity(tokens.len()),
            offsets: Vec::with_capacity(tokens.len()),
            upos: Vec::with_capacity(tokens.len()),
            heads: Vec::with_capacity(tokens.len()),
            deprels: Vec::with_capacity(tokens.len()),
            sentences: Vec::new(),
        };
        for span in split_sentences(&tokens) {
            let forms: Vec<String> = tokens[span.clone()].iter().map(|t| t.text.clone()).collect();
            let p = self.parse_sentence(&forms);
            a.heads.extend(p.heads.iter().map(|&h| if h == 0 { 0 } else { h + span.start }));
            a.upos.extend(p.upos);
            a.deprels.extend(p.deprels);
            a.sentences.push([span.start, span.end]);
        }
        for t in tokens {
            a.offsets.push([t.start, t.end]);
            a.tokens.push(t.text);
        }
        a
    }
}
