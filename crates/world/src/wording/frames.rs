//! What surrounds a clause: a frame's words (questions, commands), before/after clauses,
//! "together", and the noun-phrase queries of relative clauses.

use super::clause::{Clause, ClauseKind, Realiser};
use super::tree::active;
use super::{Aspect, Frame};
use crate::lexicon::verb_phrases;
use crate::query::{Form, QuerySpec};

pub(super) fn frame_words(
    r: &mut Realiser,
    frame: Frame,
) -> (Vec<(usize, &'static str)>, Option<(usize, &'static str)>) {
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

/// "together" or "at the same time", on a coordination's verb.
pub(super) fn together(r: &mut Realiser, verb: usize) {
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
pub(super) fn temporal(r: &mut Realiser, spec: &QuerySpec, main: &Clause, verb: usize) {
    let Some((b, w, before)) = spec.other_event() else { return };
    let word = if before { "before" } else { "after" };
    let mark = r.g.push(word, "SCONJ");
    let aspect = match main.aspect {
        Aspect::Past => Aspect::Past,
        _ if !before && r.c.chance(0.25) => Aspect::Perfect,
        _ => Aspect::Simple,
    };
    let phrase = r.c.term(verb_phrases(w), |_| true);
    let second =
        r.clause(&Clause { kind: ClauseKind::Active { subjects: vec![b], object: None }, phrase, aspect }, false);
    r.g.attach(mark, second, "mark");
    r.g.attach(second, verb, "advcl");
}

/// Relative-clause queries are noun phrases: bare, or the object of a command.
pub(super) fn noun_phrase_query(r: &mut Realiser, spec: &QuerySpec, main: &Clause, frame: Frame) -> usize {
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
    let (patient, object_relative) = match spec.form {
        Form::ObjectRelative { patient } => (patient, true),
        Form::SubjectRelative { patient } => (patient, false),
        _ => return r.clause(main, false),
    };
    let head = if object_relative {
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
