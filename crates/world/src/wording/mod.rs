//! A query's meaning put into words: the lexicon's nouns, adjectives and verb phrases, in a
//! tense or aspect, inside a frame (a statement, a question, a command), with the articles,
//! fillers, capitals and punctuation people type. The gold dependency tree (UD v2) is built
//! token by token with the text, so the two always agree.

mod clause;
mod frames;
mod tree;

use cmin_parser::conllu::Sentence;
use cmin_random::Rng;

use crate::actors::Actor;
use crate::lexicon::{Pool, Term, verb_phrases};
use crate::query::{Form, QuerySpec};
use clause::{Clause, ClauseKind, Realiser};
use frames::{frame_words, noun_phrase_query, temporal, together};
use tree::{Builder, root_of};

/// Where the query's clause sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Frame {
    /// "the red circle pushes the blue square"
    Statement,
    /// "when does the red circle push the blue square?"
    When,
    /// "at what point does ...?" (held out)
    AtWhatPoint,
    /// "show me when ..."
    ShowMeWhen,
    /// "find the part where ..."
    FindThePart,
    /// "show me the red circle pushing the blue square"
    ShowMeDoing,
    /// "jump to when ..." (held out)
    JumpToWhen,
}

impl Frame {
    pub fn held_out(self) -> bool {
        matches!(self, Frame::AtWhatPoint | Frame::JumpToWhen)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Aspect {
    Simple,
    Past,
    Progressive,
    Perfect,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Determiner {
    The,
    A,
    Bare,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Case {
    Lower,
    Sentence,
    Title,
    Upper,
}

/// A query in words with its gold tree.
#[derive(Clone, Debug, PartialEq)]
pub struct Wording {
    pub text: String,
    /// Tokens as the text has them (capitals and punctuation included).
    pub tree: Sentence,
    pub frame: Frame,
    /// Whether a held-out word or frame occurs.
    pub held_out: bool,
}

/// How each choice is drawn: `plain` gives the generator's own wording.
pub(super) struct Choices<'r> {
    rng: Option<&'r mut Rng>,
    held_out_ok: bool,
    used_held_out: bool,
    pub(super) determiner: Determiner,
}

impl Choices<'_> {
    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.rng.as_mut().is_some_and(|r| r.unit() < p)
    }

    /// The first term when plain; else a random allowed one, favouring held-out terms when
    /// they are allowed (a held-out query needs at least one).
    pub(super) fn term<T: Copy>(&mut self, terms: &'static [Term<T>], keep: impl Fn(&T) -> bool) -> T {
        let Some(rng) = self.rng.as_mut() else { return terms[0].value };
        let allowed: Vec<&Term<T>> =
            terms.iter().filter(|t| (self.held_out_ok || !t.held_out) && keep(&t.value)).collect();
        let held: Vec<&&Term<T>> = allowed.iter().filter(|t| t.held_out).collect();
        let pick = if !held.is_empty() && rng.unit() < 0.35 {
            *held[rng.below(held.len())]
        } else if rng.unit() < 0.4 {
            allowed[0]
        } else {
            allowed[rng.below(allowed.len())]
        };
        self.used_held_out |= pick.held_out;
        pick.value
    }

    pub(super) fn pick<T: Copy>(&mut self, options: &[(T, f64)]) -> T {
        let Some(rng) = self.rng.as_mut() else { return options[0].0 };
        let total: f64 = options.iter().map(|o| o.1).sum();
        let mut x = rng.unit() * total;
        for &(value, weight) in options {
            if x < weight {
                return value;
            }
            x -= weight;
        }
        options[options.len() - 1].0
    }
}

/// The generator's own wording of `spec`: plain words, present tense, a statement.
pub fn plain(spec: &QuerySpec, actors: &[Actor]) -> Wording {
    realise(spec, actors, None, Pool::Training)
}

/// A wording of `spec` drawn from the pool: with `Pool::HeldOut`, one that uses at least one
/// held-out word or frame.
pub fn varied(spec: &QuerySpec, actors: &[Actor], rng: &mut Rng, pool: Pool) -> Wording {
    let mut last = None;
    for _ in 0..64 {
        let w = realise(spec, actors, Some(rng), pool);
        if pool == Pool::Training || w.held_out {
            return w;
        }
        last = Some(w);
    }
    last.expect("at least one attempt")
}

fn realise(spec: &QuerySpec, actors: &[Actor], rng: Option<&mut Rng>, pool: Pool) -> Wording {
    let held_out_ok = pool == Pool::HeldOut;
    let mut c = Choices { rng, held_out_ok, used_held_out: false, determiner: Determiner::The };
    c.determiner = c.pick(&[(Determiner::The, 0.74), (Determiner::A, 0.13), (Determiner::Bare, 0.13)]);
    let noun_phrase_kind = matches!(spec.form, Form::ObjectRelative { .. } | Form::SubjectRelative { .. });
    let mut frames = vec![
        (Frame::Statement, 0.5),
        (Frame::When, 0.12),
        (Frame::ShowMeWhen, 0.08),
        (Frame::FindThePart, 0.1),
        (Frame::ShowMeDoing, 0.1),
    ];
    if held_out_ok {
        frames.extend([(Frame::AtWhatPoint, 0.12), (Frame::JumpToWhen, 0.12)]);
    }
    if noun_phrase_kind {
        frames.retain(|f| matches!(f.0, Frame::Statement | Frame::ShowMeWhen | Frame::FindThePart | Frame::JumpToWhen));
    }
    let frame = c.pick(&frames);
    c.used_held_out |= frame.held_out();
    let aspect =
        c.pick(&[(Aspect::Simple, 0.5), (Aspect::Past, 0.2), (Aspect::Progressive, 0.15), (Aspect::Perfect, 0.15)]);
    let needs_passive = matches!(spec.form, Form::Passive { .. } | Form::ObjectRelative { .. });
    let phrase = c.term(verb_phrases(spec.action), |p| !needs_passive || p.has_passive());
    let case = c.pick(&[(Case::Lower, 0.6), (Case::Sentence, 0.28), (Case::Title, 0.06), (Case::Upper, 0.06)]);
    let mut r = Realiser { g: Builder::default(), actors, c };

    let clause = |kind| Clause { kind, phrase, aspect };
    let main = match spec.form {
        Form::Passive { patient } => {
            let get = r.c.chance(0.3);
            clause(ClauseKind::Passive { patient, agent: spec.agent, get })
        }
        Form::Coordination { second } => {
            clause(ClauseKind::Active { subjects: vec![spec.agent, second], object: None })
        }
        _ => clause(ClauseKind::Active { subjects: vec![spec.agent], object: spec.patient() }),
    };
    let question = matches!(frame, Frame::When | Frame::AtWhatPoint);
    let root = if noun_phrase_kind {
        noun_phrase_query(&mut r, spec, &main, frame)
    } else {
        let (to_verb, verb_under) = frame_words(&mut r, frame);
        let coordination = matches!(spec.form, Form::Coordination { .. });
        let filler_front = frame == Frame::Statement && !coordination && r.c.chance(0.1);
        let front = filler_front.then(|| r.g.push(r.c.pick(&[("then", 0.6), ("suddenly", 0.4)]), "ADV"));
        let verb = if frame == Frame::ShowMeDoing {
            let show = r.g.push("show", "VERB");
            r.g.dependent("me", "PRON", show, "iobj");
            let subject = r.gerund(&main);
            r.g.attach(subject, show, "obj");
            let gerund = (1..=r.g.s.len())
                .find(|&i| r.g.s.heads[i - 1] == subject && r.g.s.deprels[i - 1] == "acl")
                .expect("a gerund hangs from its subject");
            temporal(&mut r, spec, &main, gerund);
            show
        } else {
            let verb = r.clause(&main, question);
            temporal(&mut r, spec, &main, verb);
            verb
        };
        if let Some(f) = front {
            r.g.attach(f, verb, "advmod");
        }
        if frame == Frame::Statement && !filler_front && r.c.chance(0.08) {
            let adverb = r.c.pick(&[("quickly", 0.5), ("slowly", 0.5)]);
            r.g.dependent(adverb, "ADV", verb, "advmod");
        }
        if coordination && frame != Frame::ShowMeDoing && r.c.chance(0.3) {
            together(&mut r, verb);
        }
        for (word, label) in to_verb {
            r.g.attach(word, verb, label);
        }
        match verb_under {
            Some((head, label)) => {
                r.g.attach(verb, head, label);
                root_of(&r.g)
            }
            None => verb,
        }
    };
    let punct = match frame {
        _ if question => r.c.pick(&[(Some("?"), 0.8), (None, 0.2)]),
        Frame::Statement => r.c.pick(&[(None, 0.6), (Some("."), 0.3), (Some("!"), 0.1)]),
        _ => r.c.pick(&[(None, 0.7), (Some("."), 0.3)]),
    };
    if let Some(p) = punct {
        r.g.dependent(p, "PUNCT", root, "punct");
    }
    let held_out = r.c.used_held_out;
    let mut tree = r.g.s;
    apply_case(&mut tree.forms, case);
    let text = detokenise(&tree.forms);
    Wording { text, tree, frame, held_out }
}

/// A frame's words before its clause: those that attach to the clause's verb, and the word
/// the verb itself attaches to (in a command, the command's verb is the root).

fn apply_case(forms: &mut [String], case: Case) {
    let capitalise = |w: &str| {
        let mut c = w.chars();
        c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
    };
    match case {
        Case::Lower => {}
        Case::Sentence => {
            if let Some(first) = forms.first_mut() {
                *first = capitalise(first);
            }
        }
        Case::Title => forms.iter_mut().for_each(|w| *w = capitalise(w)),
        Case::Upper => forms.iter_mut().for_each(|w| *w = w.to_uppercase()),
    }
}

/// Words joined by spaces, punctuation attached to the word before it.
fn detokenise(forms: &[String]) -> String {
    let mut text = String::new();
    for w in forms {
        if !text.is_empty() && !matches!(w.as_str(), "." | "?" | "!" | ",") {
            text.push(' ');
        }
        text.push_str(w);
    }
    text
}

#[cfg(test)]
mod tests;
