//! Queries as a person might type them: the same meaning as a generated query, in wordings
//! the generator never uses (other word orders, "gets pushed by", "the one that", "right
//! after", adjectives after the noun, extra words such as "then" or "slowly"). Held out from
//! training; they measure whether a model reads the sentence or learnt the templates.

use super::actors::{Action, Actor, describe};
use super::query::{Form, QueryKind, QuerySpec};
use cmin_random::Rng;

fn pick<'a>(forms: &[&'a str], rng: &mut Rng) -> &'a str {
    forms[rng.below(forms.len())]
}

/// An actor's noun phrase: sometimes with the colour after the noun ("the circle that is
/// red"), otherwise as the generator says it.
fn noun_phrase(i: usize, actors: &[Actor], rng: &mut Rng) -> String {
    let usual = describe(i, actors);
    if rng.unit() < 0.35 {
        let a = actors[i];
        let size = usual.split(' ').count() == 4;
        let size = if size { format!("{} ", a.size.word()) } else { String::new() };
        format!("the {size}{} that is {}", a.shape.word(), a.colour.word())
    } else {
        usual
    }
}

/// The typed wording of `spec`; never the generator's own text for it.
pub fn typed_text(spec: &QuerySpec, actors: &[Actor], rng: &mut Rng) -> String {
    let a = noun_phrase(spec.agent, actors, rng);
    let v: Action = spec.action;
    let (present, base, participle) = (v.present(), v.plural(), v.participle());
    let form = match spec.kind() {
        QueryKind::Intransitive => {
            pick(&["{a} {v} slowly", "then {a} {v}", "you can see {a} {base}", "now {a} {v}"], rng)
        }
        QueryKind::Transitive => pick(
            &["{a} {v} {p} slowly", "then {a} {v} {p}", "you can see {a} {base} {p}", "{a} {v} {p} across the stage"],
            rng,
        ),
        QueryKind::Passive => {
            pick(&["{p} gets {part} by {a}", "{p} is being {part} by {a}", "{p} is {part} slowly by {a}"], rng)
        }
        QueryKind::ObjectRelative => pick(&["{p} which {a} {v}", "{p} {a} {v}", "{p}, the one that {a} {v}"], rng),
        QueryKind::SubjectRelative => pick(&["{a} which {v} {p}", "{a}, the one that {v} {p}", "{a} who {v} {p}"], rng),
        QueryKind::Before => {
            pick(&["{a} {v} right before {b} {w}", "before {b} {w}, {a} {v}", "{a} {v} just before {b} {w}"], rng)
        }
        QueryKind::After => {
            pick(&["{a} {v} right after {b} {w}", "after {b} {w}, {a} {v}", "{a} {v} after {b} has {wpart}"], rng)
        }
        QueryKind::Coordination => {
            pick(&["both {a} and {b} {base}", "{a} {v} together with {b}", "{a} and {b} {base} at the same time"], rng)
        }
    };
    let p = spec.patient().map(|p| noun_phrase(p, actors, rng)).unwrap_or_default();
    // The second actor: before/after's other one with its action, or a coordination's second
    // subject with the shared action.
    let second = match spec.form {
        Form::Before { other, other_action } | Form::After { other, other_action } => Some((other, other_action)),
        Form::Coordination { second } => Some((second, spec.action)),
        _ => None,
    };
    let (b, w) = match second {
        Some((b, w)) => (noun_phrase(b, actors, rng), Some(w)),
        None => (String::new(), None),
    };
    form.replace("{a}", &a)
        .replace("{p}", &p)
        .replace("{b}", &b)
        .replace("{wpart}", w.map(Action::participle).unwrap_or_default())
        .replace("{w}", w.map(Action::present).unwrap_or_default())
        .replace("{part}", participle)
        .replace("{base}", base)
        .replace("{v}", present)
}
