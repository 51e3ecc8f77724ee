//! A clause in words: noun phrases, subjects, the verb group and what follows it.

use super::tree::{Builder, active, passive};
use super::{Aspect, Choices, Determiner};
use crate::actors::{Actor, twins};
use crate::lexicon::{Complement, VerbPhrase, adjectives, nouns, size_words};

pub(super) struct Clause {
    pub(super) kind: ClauseKind,
    pub(super) phrase: VerbPhrase,
    pub(super) aspect: Aspect,
}

pub(super) enum ClauseKind {
    /// Subjects (one, or two coordinated), and the object if transitive.
    Active { subjects: Vec<usize>, object: Option<usize> },
    /// Patient as subject, agent after "by".
    Passive { patient: usize, agent: usize, get: bool },
}

pub(super) struct Realiser<'a, 'r> {
    pub(super) g: Builder,
    pub(super) actors: &'a [Actor],
    pub(super) c: Choices<'r>,
}

impl Realiser<'_, '_> {
    /// "the (size) colour noun"; returns the noun.
    pub(super) fn noun_phrase(&mut self, i: usize) -> usize {
        let a = self.actors[i];
        let show_size = twins(&a, self.actors) || self.c.chance(0.12);
        let size = show_size.then(|| self.c.term(size_words(a.size), |_| true));
        let colour = self.c.term(adjectives(a.colour), |_| true);
        let noun = self.c.term(nouns(a.shape), |_| true);
        let first = size.unwrap_or(colour);
        let det = match self.c.determiner {
            Determiner::The => Some("the"),
            Determiner::A if first.starts_with(['a', 'e', 'i', 'o', 'u']) => Some("an"),
            Determiner::A => Some("a"),
            Determiner::Bare => None,
        };
        let det = det.map(|d| self.g.push(d, "DET"));
        let size = size.map(|s| self.g.push(s, "ADJ"));
        let colour = self.g.push(colour, "ADJ");
        let n = self.g.push(noun, "NOUN");
        for (d, label) in [(det, "det"), (size, "amod"), (Some(colour), "amod")] {
            if let Some(d) = d {
                self.g.attach(d, n, label);
            }
        }
        n
    }

    /// Subjects joined by "and"; returns the first (the head of the coordination).
    pub(super) fn subjects(&mut self, subjects: &[usize]) -> usize {
        let first = self.noun_phrase(subjects[0]);
        for &b in &subjects[1..] {
            let and = self.g.push("and", "CCONJ");
            let n = self.noun_phrase(b);
            self.g.attach(and, n, "cc");
            self.g.attach(n, first, "conj");
        }
        first
    }

    /// What follows the verb: its complement and the object; "by" and the agent.
    pub(super) fn after_verb(&mut self, verb: usize, clause: &Clause) {
        match clause.phrase.complement {
            Complement::None | Complement::Preposition(_) => {}
            Complement::Particle(p) => {
                self.g.dependent(p, "ADP", verb, "compound:prt");
            }
            Complement::Adverb(a) => {
                self.g.dependent(a, "ADV", verb, "advmod");
            }
            Complement::Adjective(a) => {
                self.g.dependent(a, "ADJ", verb, "xcomp");
            }
            Complement::Path(preposition, noun) => {
                let case = self.g.push(preposition, "ADP");
                let det = self.g.push("the", "DET");
                let n = self.g.dependent(noun, "NOUN", verb, "obl");
                self.g.attach(case, n, "case");
                self.g.attach(det, n, "det");
            }
        }
        match clause.kind {
            ClauseKind::Active { object: Some(o), .. } => match clause.phrase.complement {
                Complement::Preposition(p) => {
                    let case = self.g.push(p, "ADP");
                    let n = self.noun_phrase(o);
                    self.g.attach(case, n, "case");
                    self.g.attach(n, verb, "obl");
                }
                _ => {
                    let n = self.noun_phrase(o);
                    self.g.attach(n, verb, "obj");
                }
            },
            ClauseKind::Passive { agent, .. } => {
                let by = self.g.push("by", "ADP");
                let n = self.noun_phrase(agent);
                self.g.attach(by, n, "case");
                self.g.attach(n, verb, "obl:agent");
            }
            ClauseKind::Active { object: None, .. } => {}
        }
    }

    /// A finite clause; a question puts its first auxiliary before the subject. Returns the
    /// verb.
    pub(super) fn clause(&mut self, clause: &Clause, question: bool) -> usize {
        let (subjects, group, subject_label) = match &clause.kind {
            ClauseKind::Active { subjects, .. } => {
                (subjects.clone(), active(&clause.phrase, clause.aspect, subjects.len() > 1, question), "nsubj")
            }
            ClauseKind::Passive { patient, get, .. } => {
                (vec![*patient], passive(&clause.phrase, clause.aspect, *get, question), "nsubj:pass")
            }
        };
        let mut auxiliaries = Vec::new();
        let mut rest = group.auxiliaries.as_slice();
        if question && !rest.is_empty() {
            auxiliaries.push((self.g.push(rest[0].0, "AUX"), rest[0].1));
            rest = &rest[1..];
        }
        let subject = self.subjects(&subjects);
        for (word, label) in rest {
            auxiliaries.push((self.g.push(word, "AUX"), *label));
        }
        let verb = self.g.push(group.verb, "VERB");
        for (a, label) in auxiliaries {
            self.g.attach(a, verb, label);
        }
        self.g.attach(subject, verb, subject_label);
        self.after_verb(verb, clause);
        verb
    }

    /// The clause as a gerund after its subject ("the red circle pushing the blue square");
    /// returns the subject's noun, with the gerund attached to it as `acl`.
    pub(super) fn gerund(&mut self, clause: &Clause) -> usize {
        match &clause.kind {
            ClauseKind::Active { subjects, .. } => {
                let subject = self.subjects(subjects);
                let verb = self.g.push(clause.phrase.verb.ing, "VERB");
                self.g.attach(verb, subject, "acl");
                self.after_verb(verb, clause);
                subject
            }
            ClauseKind::Passive { patient, .. } => {
                let subject = self.noun_phrase(*patient);
                let being = self.g.push("being", "AUX");
                let verb = self.g.dependent(clause.phrase.verb.participle, "VERB", subject, "acl");
                self.g.attach(being, verb, "aux:pass");
                self.after_verb(verb, clause);
                subject
            }
        }
    }
}
