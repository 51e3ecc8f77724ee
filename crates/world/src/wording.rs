//! A query's meaning put into words: the lexicon's nouns, adjectives and verb phrases, in a
//! tense or aspect, inside a frame (a statement, a question, a command), with the articles,
//! fillers, capitals and punctuation people type. The gold dependency tree (UD v2) is built
//! token by token with the text, so the two always agree.

use cmin_parser::conllu::Sentence;
use cmin_random::Rng;

use super::actors::{Actor, twins};
use super::lexicon::{Complement, Pool, Term, VerbPhrase, adjectives, nouns, size_words, verb_phrases};
use super::query::{QueryKind, QuerySpec};

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
enum Aspect {
    Simple,
    Past,
    Progressive,
    Perfect,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Determiner {
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
struct Choices<'r> {
    rng: Option<&'r mut Rng>,
    held_out_ok: bool,
    used_held_out: bool,
    determiner: Determiner,
}

impl Choices<'_> {
    fn chance(&mut self, p: f64) -> bool {
        self.rng.as_mut().is_some_and(|r| r.unit() < p)
    }

    /// The first term when plain; else a random allowed one, favouring held-out terms when
    /// they are allowed (a held-out query needs at least one).
    fn term<T: Copy>(&mut self, terms: &'static [Term<T>], keep: impl Fn(&T) -> bool) -> T {
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

    fn pick<T: Copy>(&mut self, options: &[(T, f64)]) -> T {
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

/// Builds a tree token by token; every token starts as a root and is attached later.
#[derive(Default)]
struct Builder {
    s: Sentence,
}

impl Builder {
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

    fn dependent(&mut self, word: &str, upos: &str, head: usize, label: &str) -> usize {
        let d = self.push(word, upos);
        self.attach(d, head, label);
        d
    }
}

/// The verb group's words, in order: the auxiliaries with their labels, then the verb.
struct VerbGroup {
    auxiliaries: Vec<(&'static str, &'static str)>,
    verb: &'static str,
}

fn active(phrase: &VerbPhrase, aspect: Aspect, plural: bool, question: bool) -> VerbGroup {
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

fn passive(phrase: &VerbPhrase, aspect: Aspect, get: bool, question: bool) -> VerbGroup {
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
struct Clause {
    kind: ClauseKind,
    phrase: VerbPhrase,
    aspect: Aspect,
}

enum ClauseKind {
    /// Subjects (one, or two coordinated), and the object if transitive.
    Active { subjects: Vec<usize>, object: Option<usize> },
    /// Patient as subject, agent after "by".
    Passive { patient: usize, agent: usize, get: bool },
}

struct Realiser<'a, 'r> {
    g: Builder,
    actors: &'a [Actor],
    c: Choices<'r>,
}

impl Realiser<'_, '_> {
    /// "the (size) colour noun"; returns the noun.
    fn noun_phrase(&mut self, i: usize) -> usize {
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
    fn subjects(&mut self, subjects: &[usize]) -> usize {
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
    fn after_verb(&mut self, verb: usize, clause: &Clause) {
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
    fn clause(&mut self, clause: &Clause, question: bool) -> usize {
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
    fn gerund(&mut self, clause: &Clause) -> usize {
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
    let noun_phrase_kind = matches!(spec.kind, QueryKind::ObjectRelative | QueryKind::SubjectRelative);
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
    let needs_passive = matches!(spec.kind, QueryKind::Passive | QueryKind::ObjectRelative);
    let phrase = c.term(verb_phrases(spec.action), |p| !needs_passive || p.has_passive());
    let case = c.pick(&[(Case::Lower, 0.6), (Case::Sentence, 0.28), (Case::Title, 0.06), (Case::Upper, 0.06)]);
    let mut r = Realiser { g: Builder::default(), actors, c };

    let clause = |kind| Clause { kind, phrase, aspect };
    let main = match spec.kind {
        QueryKind::Passive => {
            let get = r.c.chance(0.3);
            clause(ClauseKind::Passive { patient: spec.patient.expect("passive"), agent: spec.agent, get })
        }
        QueryKind::Coordination => {
            let (b, _) = spec.other.expect("coordination");
            clause(ClauseKind::Active { subjects: vec![spec.agent, b], object: None })
        }
        _ => clause(ClauseKind::Active { subjects: vec![spec.agent], object: spec.patient }),
    };
    let question = matches!(frame, Frame::When | Frame::AtWhatPoint);
    let root = if noun_phrase_kind {
        noun_phrase_query(&mut r, spec, &main, frame)
    } else {
        let (to_verb, verb_under) = frame_words(&mut r, frame);
        let filler_front = frame == Frame::Statement && spec.kind != QueryKind::Coordination && r.c.chance(0.1);
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
        if spec.kind == QueryKind::Coordination && frame != Frame::ShowMeDoing && r.c.chance(0.3) {
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
fn frame_words(r: &mut Realiser, frame: Frame) -> (Vec<(usize, &'static str)>, Option<(usize, &'static str)>) {
    match frame {
        Frame::Statement | Frame::ShowMeDoing => (vec![], None),
        Frame::When => (vec![(r.g.push("when", "ADV"), "advmod")], None),
        Frame::AtWhatPoint => {
            let at = r.g.push("at", "ADP");
            let what = r.g.push("what", "DET");
            let point = r.g.push("point", "NOUN");
            r.g.attach(at, point, "case");
            r.g.attach(what, point, "det");
            (vec![(point, "obl")], None)
        }
        Frame::ShowMeWhen => {
            let show = r.g.push("show", "VERB");
            r.g.dependent("me", "PRON", show, "iobj");
            (vec![(r.g.push("when", "ADV"), "advmod")], Some((show, "ccomp")))
        }
        Frame::FindThePart => {
            let find = r.g.push("find", "VERB");
            let the = r.g.push("the", "DET");
            let noun = r.c.pick(&[("part", 0.5), ("moment", 0.3), ("bit", 0.2)]);
            let part = r.g.dependent(noun, "NOUN", find, "obj");
            r.g.attach(the, part, "det");
            let relative = r.c.pick(&[("where", 0.6), ("when", 0.4)]);
            (vec![(r.g.push(relative, "ADV"), "advmod")], Some((part, "acl:relcl")))
        }
        Frame::JumpToWhen => {
            let jump = r.g.push(r.c.pick(&[("jump", 0.6), ("skip", 0.4)]), "VERB");
            let to = r.g.push("to", "ADP");
            let when = r.g.push("when", "ADV");
            (vec![(to, "mark"), (when, "advmod")], Some((jump, "advcl")))
        }
    }
}

fn root_of(g: &Builder) -> usize {
    g.s.heads.iter().position(|&h| h == 0).map_or(1, |i| i + 1)
}

/// "together" or "at the same time", on a coordination's verb.
fn together(r: &mut Realiser, verb: usize) {
    if r.c.chance(0.6) {
        r.g.dependent("together", "ADV", verb, "advmod");
    } else {
        let at = r.g.push("at", "ADP");
        let the = r.g.push("the", "DET");
        let same = r.g.push("same", "ADJ");
        let time = r.g.dependent("time", "NOUN", verb, "obl");
        r.g.attach(at, time, "case");
        r.g.attach(the, time, "det");
        r.g.attach(same, time, "amod");
    }
}

/// Before/after: "before the blue square spins" as an `advcl` of `verb`.
fn temporal(r: &mut Realiser, spec: &QuerySpec, main: &Clause, verb: usize) {
    if !matches!(spec.kind, QueryKind::Before | QueryKind::After) {
        return;
    }
    let (b, w) = spec.other.expect("before/after");
    let word = if spec.kind == QueryKind::Before { "before" } else { "after" };
    let mark = r.g.push(word, "SCONJ");
    let aspect = match main.aspect {
        Aspect::Past => Aspect::Past,
        _ if spec.kind == QueryKind::After && r.c.chance(0.25) => Aspect::Perfect,
        _ => Aspect::Simple,
    };
    let phrase = r.c.term(verb_phrases(w), |_| true);
    let second = r.clause(&Clause { kind: ClauseKind::Active { subjects: vec![b], object: None }, phrase, aspect }, false);
    r.g.attach(mark, second, "mark");
    r.g.attach(second, verb, "advcl");
}

/// Relative-clause queries are noun phrases: bare, or the object of a command.
fn noun_phrase_query(r: &mut Realiser, spec: &QuerySpec, main: &Clause, frame: Frame) -> usize {
    let command = match frame {
        Frame::ShowMeWhen => {
            let show = r.g.push("show", "VERB");
            r.g.dependent("me", "PRON", show, "iobj");
            Some((show, None))
        }
        Frame::FindThePart => Some((r.g.push("find", "VERB"), None)),
        Frame::JumpToWhen => {
            let jump = r.g.push(r.c.pick(&[("jump", 0.6), ("skip", 0.4)]), "VERB");
            Some((jump, Some(r.g.push("to", "ADP"))))
        }
        _ => None,
    };
    let patient = spec.patient.expect("relative clauses are transitive");
    let head = if spec.kind == QueryKind::ObjectRelative {
        let p = r.noun_phrase(patient);
        let that = r.g.push(r.c.pick(&[("that", 0.7), ("which", 0.3)]), "PRON");
        let verb = r.clause(
            &Clause {
                kind: ClauseKind::Active { subjects: vec![spec.agent], object: None },
                phrase: main.phrase,
                aspect: main.aspect,
            },
            false,
        );
        r.g.attach(that, verb, "obj");
        r.g.attach(verb, p, "acl:relcl");
        p
    } else {
        let a = r.noun_phrase(spec.agent);
        let that = r.g.push(r.c.pick(&[("that", 0.7), ("which", 0.3)]), "PRON");
        let group = active(&main.phrase, main.aspect, false, false);
        let mut auxiliaries = Vec::new();
        for (word, label) in &group.auxiliaries {
            auxiliaries.push((r.g.push(word, "AUX"), *label));
        }
        let verb = r.g.push(group.verb, "VERB");
        for (x, label) in auxiliaries {
            r.g.attach(x, verb, label);
        }
        r.g.attach(that, verb, "nsubj");
        r.g.attach(verb, a, "acl:relcl");
        r.after_verb(verb, main);
        a
    };
    match command {
        None => head,
        Some((verb, None)) => {
            r.g.attach(head, verb, "obj");
            verb
        }
        Some((verb, Some(to))) => {
            r.g.attach(to, head, "case");
            r.g.attach(head, verb, "obl");
            verb
        }
    }
}

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
mod tests {
    use super::super::lexicon::{adjectives, nouns, size_words, verb_phrases};
    use super::super::{ACTIONS, COLOURS, SHAPES, Size, WorldConfig, generate};
    use super::*;

    /// One root, labelled `root`, every token reaching it.
    fn assert_tree(t: &Sentence, text: &str) {
        assert_eq!(t.heads.iter().filter(|&&h| h == 0).count(), 1, "{text}: {:?}", t.heads);
        for i in 0..t.len() {
            assert_eq!(t.heads[i] == 0, t.deprels[i] == "root", "{text}: {:?}", t.deprels);
            let (mut at, mut steps) = (i, 0);
            while t.heads[at] != 0 {
                at = t.heads[at] - 1;
                steps += 1;
                assert!(steps <= t.len(), "cycle in {text}");
            }
        }
    }

    fn held_out_words() -> Vec<String> {
        let mut words = Vec::new();
        let mut add = |w: &str| words.extend(w.split(' ').map(str::to_string));
        for s in SHAPES {
            nouns(s).iter().filter(|t| t.held_out).for_each(|t| add(t.value));
        }
        for c in COLOURS {
            adjectives(c).iter().filter(|t| t.held_out).for_each(|t| add(t.value));
        }
        for z in [Size::Small, Size::Big] {
            size_words(z).iter().filter(|t| t.held_out).for_each(|t| add(t.value));
        }
        for a in ACTIONS {
            for t in verb_phrases(a).iter().filter(|t| t.held_out) {
                let v = t.value.verb;
                [v.s, v.base, v.past, v.participle, v.ing].into_iter().for_each(&mut add);
            }
        }
        words
    }

    #[test]
    fn the_plain_wording_is_the_generators_text() {
        for seed in 0..80 {
            let v = generate(&WorldConfig::default(), seed);
            for q in &v.queries {
                let w = plain(&q.spec, &v.actors);
                assert_eq!(w.text, q.text);
                assert_eq!(w.tree.forms.join(" "), q.text);
                assert!(!w.held_out);
                assert_tree(&w.tree, &w.text);
            }
        }
    }

    #[test]
    fn varied_wordings_are_trees_of_their_text_and_keep_to_their_pool() {
        let held = held_out_words();
        let mut frames = std::collections::HashSet::new();
        let (mut total, mut differ) = (0, 0);
        for seed in 0..300 {
            let v = generate(&WorldConfig::default(), seed);
            for pool in [Pool::Training, Pool::HeldOut] {
                for (q, w) in v.worded_queries(pool) {
                    assert_tree(&w.tree, &w.text);
                    let tokens: Vec<String> =
                        cmin_parser::tokenizer::tokenize(&w.text).into_iter().map(|t| t.text).collect();
                    assert_eq!(tokens, w.tree.forms, "{}", w.text);
                    assert_eq!(q.text, w.text);
                    let lower: Vec<String> = w.tree.forms.iter().map(|f| f.to_lowercase()).collect();
                    let uses_held = lower.iter().any(|f| held.contains(f)) || w.frame.held_out();
                    match pool {
                        Pool::Training => assert!(!uses_held && !w.held_out, "{}", w.text),
                        Pool::HeldOut => assert!(uses_held && w.held_out, "{}", w.text),
                    }
                    frames.insert(w.frame);
                    total += 1;
                    differ += (w.text != plain(&q.spec, &v.actors).text) as usize;
                }
            }
        }
        assert_eq!(frames.len(), 7, "{frames:?}");
        assert!(differ * 10 >= total * 9, "{differ} of {total} wordings differ from the plain one");
        assert_eq!(generate(&WorldConfig::default(), 5).worded_queries(Pool::Training).len(), 3);
    }
}
