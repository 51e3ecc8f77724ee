//! Gold UD v2 trees of the world's queries, so the parser can be trained on the
//! constructions the demo asks about (EWT has few sentences like "the red square grows").

use cmin_parser::conllu::Sentence;

use super::actors::{Action, Actor};
use super::query::{QueryKind, QuerySpec};

/// Builds a gold tree token by token; every token starts as a root and is attached later.
#[derive(Default)]
struct Builder {
    s: Sentence,
}

impl Builder {
    /// Appends a token; returns its 1-based index.
    fn push(&mut self, word: &str, upos: &str) -> usize {
        self.s.forms.push(word.to_string());
        self.s.upos.push(upos.to_string());
        self.s.xpos.push("_".to_string());
        self.s.heads.push(0);
        self.s.deprels.push("root".to_string());
        self.s.forms.len()
    }

    fn attach(&mut self, dependent: usize, head: usize, label: &str) {
        self.s.heads[dependent - 1] = head;
        self.s.deprels[dependent - 1] = label.to_string();
    }

    /// "the (size) colour shape": returns the noun's index, modifiers attached to it.
    fn noun_phrase(&mut self, i: usize, actors: &[Actor]) -> usize {
        let description = super::actors::describe(i, actors);
        let words: Vec<&str> = description.split(' ').collect();
        let first = self.s.forms.len() + 1;
        for (k, w) in words.iter().enumerate() {
            let upos = match k {
                0 => "DET",
                _ if k + 1 == words.len() => "NOUN",
                _ => "ADJ",
            };
            self.push(w, upos);
        }
        let noun = self.s.forms.len();
        for k in first..noun {
            let label = if k == first { "det" } else { "amod" };
            self.attach(k, noun, label);
        }
        noun
    }

    /// The verb (and "left"/"right" as its adverb) in the given form; returns the verb.
    fn verb(&mut self, action: Action, form: &str) -> usize {
        let mut words = form.split(' ');
        let v = self.push(words.next().unwrap_or(form), "VERB");
        if let Some(direction) = words.next() {
            let d = self.push(direction, "ADV");
            self.attach(d, v, "advmod");
        }
        let _ = action;
        v
    }
}

/// The gold tree of a query (UD v2, heads 1-based), matching `QuerySpec::text` token for token.
pub fn gold_tree(spec: &QuerySpec, actors: &[Actor]) -> Sentence {
    let mut g = Builder::default();
    let v = spec.action;
    match spec.kind {
        QueryKind::Intransitive => {
            let a = g.noun_phrase(spec.agent, actors);
            let verb = g.verb(v, v.present());
            g.attach(a, verb, "nsubj");
        }
        QueryKind::Transitive => {
            let a = g.noun_phrase(spec.agent, actors);
            let verb = g.verb(v, v.present());
            let p = g.noun_phrase(spec.patient.expect("transitive"), actors);
            g.attach(a, verb, "nsubj");
            g.attach(p, verb, "obj");
        }
        QueryKind::Passive => {
            let p = g.noun_phrase(spec.patient.expect("transitive"), actors);
            let aux = g.push("is", "AUX");
            let verb = g.verb(v, v.participle());
            let by = g.push("by", "ADP");
            let a = g.noun_phrase(spec.agent, actors);
            g.attach(p, verb, "nsubj:pass");
            g.attach(aux, verb, "aux:pass");
            g.attach(by, a, "case");
            g.attach(a, verb, "obl:agent");
        }
        QueryKind::ObjectRelative => {
            let p = g.noun_phrase(spec.patient.expect("transitive"), actors);
            let that = g.push("that", "PRON");
            let a = g.noun_phrase(spec.agent, actors);
            let verb = g.verb(v, v.present());
            g.attach(that, verb, "obj");
            g.attach(a, verb, "nsubj");
            g.attach(verb, p, "acl:relcl");
        }
        QueryKind::SubjectRelative => {
            let a = g.noun_phrase(spec.agent, actors);
            let that = g.push("that", "PRON");
            let verb = g.verb(v, v.present());
            let p = g.noun_phrase(spec.patient.expect("transitive"), actors);
            g.attach(that, verb, "nsubj");
            g.attach(verb, a, "acl:relcl");
            g.attach(p, verb, "obj");
        }
        QueryKind::Before | QueryKind::After => {
            let (b, w) = spec.other.expect("before/after");
            let a = g.noun_phrase(spec.agent, actors);
            let verb = g.verb(v, v.present());
            let mark = g.push(if spec.kind == QueryKind::Before { "before" } else { "after" }, "SCONJ");
            let bn = g.noun_phrase(b, actors);
            let second = g.verb(w, w.present());
            g.attach(a, verb, "nsubj");
            g.attach(mark, second, "mark");
            g.attach(bn, second, "nsubj");
            g.attach(second, verb, "advcl");
        }
        QueryKind::Coordination => {
            let (b, _) = spec.other.expect("coordination");
            let a = g.noun_phrase(spec.agent, actors);
            let and = g.push("and", "CCONJ");
            let bn = g.noun_phrase(b, actors);
            let verb = g.verb(v, v.plural());
            g.attach(a, verb, "nsubj");
            g.attach(and, bn, "cc");
            g.attach(bn, a, "conj");
        }
    }
    g.s
}

#[cfg(test)]
mod tests {
    use super::super::{WorldConfig, generate};
    use super::*;

    #[test]
    fn gold_trees_match_the_text_and_are_trees() {
        for seed in 0..60 {
            let v = generate(&WorldConfig::default(), seed);
            for q in &v.queries {
                let g = gold_tree(&q.spec, &v.actors);
                assert_eq!(g.forms.join(" "), q.text, "seed {seed}");
                let roots = g.heads.iter().filter(|&&h| h == 0).count();
                assert_eq!(roots, 1, "{}: {:?}", q.text, g.heads);
                assert!(g.deprels.iter().zip(&g.heads).all(|(l, &h)| (h == 0) == (l == "root")), "{:?}", g.deprels);
                for i in 0..g.heads.len() {
                    let (mut at, mut steps) = (i, 0);
                    while g.heads[at] != 0 {
                        at = g.heads[at] - 1;
                        steps += 1;
                        assert!(steps <= g.heads.len(), "cycle in {}", q.text);
                    }
                }
            }
        }
    }
}
