//! The tree a wording builds token by token, and the verb group's words.

use cmin_parser::conllu::Sentence;

use super::Aspect;
use crate::lexicon::VerbPhrase;

/// Builds a tree token by token; every token starts as a root and is attached later.
#[derive(Default)]
pub(super) struct Builder {
    pub(super) s: Sentence,
}

impl Builder {
    pub(super) fn push(&mut self, word: &str, upos: &str) -> usize {
        self.s.forms.push(word.to_string());
        self.s.upos.push(upos.to_string());
        self.s.xpos.push("_".to_string());
        self.s.heads.push(0);
        self.s.deprels.push("root".to_string());
        self.s.forms.len()
    }

    pub(super) fn attach(&mut self, dependent: usize, head: usize, label: &str) {
        self.s.heads[dependent - 1] = head;
        self.s.deprels[dependent - 1] = label.to_string();
    }

    pub(super) fn dependent(&mut self, word: &str, upos: &str, head: usize, label: &str) -> usize {
        let d = self.push(word, upos);
        self.attach(d, head, label);
        d
    }
}

/// The verb group's words, in order: the auxiliaries with their labels, then the verb.
pub(super) struct VerbGroup {
    pub(super) auxiliaries: Vec<(&'static str, &'static str)>,
    pub(super) verb: &'static str,
}

pub(super) fn active(phrase: &VerbPhrase, aspect: Aspect, plural: bool, question: bool) -> VerbGroup {
    let v = phrase.verb;
    let (auxiliaries, verb) = match aspect {
        Aspect::Simple if question => (vec![(if plural { "do" } else { "does" }, "aux")], v.base),
        Aspect::Simple => (vec![], if plural { v.base } else { v.s }),
        Aspect::Past if question => (vec![("did", "aux")], v.base),
        Aspect::Past => (vec![], v.past),
        Aspect::Progressive => (vec![(if plural { "are" } else { "is" }, "aux")], v.ing),
        Aspect::Perfect => (vec![(if plural { "have" } else { "has" }, "aux")], v.participle),
    };
    VerbGroup { auxiliaries, verb }
}

pub(super) fn passive(phrase: &VerbPhrase, aspect: Aspect, get: bool, question: bool) -> VerbGroup {
    let part = phrase.verb.participle;
    let auxiliaries = match aspect {
        Aspect::Simple if get && question => vec![("does", "aux"), ("get", "aux:pass")],
        Aspect::Simple if get => vec![("gets", "aux:pass")],
        Aspect::Simple => vec![("is", "aux:pass")],
        Aspect::Past if get && question => vec![("did", "aux"), ("get", "aux:pass")],
        Aspect::Past if get => vec![("got", "aux:pass")],
        Aspect::Past => vec![("was", "aux:pass")],
        Aspect::Progressive => vec![("is", "aux"), ("being", "aux:pass")],
        Aspect::Perfect => vec![("has", "aux"), ("been", "aux:pass")],
    };
    VerbGroup { auxiliaries, verb: part }
}

/// One clause: subject, verb group and what follows, in the frame's word order.

pub(super) fn root_of(g: &Builder) -> usize {
    g.s.heads.iter().position(|&h| h == 0).map_or(1, |i| i + 1)
}
