//! Scenarios: a target event, the distractors that share its words in other roles, and the
//! English query (with its syntactic construction) that only the target answers.

use serde::Serialize;

use super::Event;
use super::actors::{Action, Actor, INTRANSITIVE, TRANSITIVE, describe};
use cmin_random::Rng;

/// The syntactic construction of a query.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum QueryKind {
    /// "the red circle jumps"
    Intransitive,
    /// "the red circle pushes the blue square"
    Transitive,
    /// "the blue square is pushed by the red circle"
    Passive,
    /// "the blue square that the red circle pushes" (object relative clause)
    ObjectRelative,
    /// "the red circle that pushes the blue square" (subject relative clause)
    SubjectRelative,
    /// "the red circle jumps before the blue square spins"
    Before,
    /// "the red circle jumps after the blue square spins"
    After,
    /// "the red circle and the blue square jump"
    Coordination,
}

/// What a query means, checkable against any event list: an agent doing an action, in a
/// construction that carries exactly the roles it needs.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct QuerySpec {
    pub agent: usize,
    pub action: Action,
    pub form: Form,
}

/// A construction with its roles beyond the agent and the action.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub enum Form {
    Intransitive,
    Transitive {
        patient: usize,
    },
    Passive {
        patient: usize,
    },
    ObjectRelative {
        patient: usize,
    },
    SubjectRelative {
        patient: usize,
    },
    /// The agent acts before `other` does `other_action`.
    Before {
        other: usize,
        other_action: Action,
    },
    After {
        other: usize,
        other_action: Action,
    },
    /// The agent and `second` do the action together.
    Coordination {
        second: usize,
    },
}

impl QuerySpec {
    pub fn kind(&self) -> QueryKind {
        match self.form {
            Form::Intransitive => QueryKind::Intransitive,
            Form::Transitive { .. } => QueryKind::Transitive,
            Form::Passive { .. } => QueryKind::Passive,
            Form::ObjectRelative { .. } => QueryKind::ObjectRelative,
            Form::SubjectRelative { .. } => QueryKind::SubjectRelative,
            Form::Before { .. } => QueryKind::Before,
            Form::After { .. } => QueryKind::After,
            Form::Coordination { .. } => QueryKind::Coordination,
        }
    }

    /// The patient, in the transitive constructions.
    pub fn patient(&self) -> Option<usize> {
        match self.form {
            Form::Transitive { patient }
            | Form::Passive { patient }
            | Form::ObjectRelative { patient }
            | Form::SubjectRelative { patient } => Some(patient),
            _ => None,
        }
    }

    /// Before/after's other event: its actor, its action, and whether the agent's comes first.
    pub fn other_event(&self) -> Option<(usize, Action, bool)> {
        match self.form {
            Form::Before { other, other_action } => Some((other, other_action, true)),
            Form::After { other, other_action } => Some((other, other_action, false)),
            _ => None,
        }
    }

    /// The actors the query names: the agent, then the construction's other role.
    pub fn actors(&self) -> Vec<usize> {
        let other = match self.form {
            Form::Intransitive => None,
            Form::Transitive { patient }
            | Form::Passive { patient }
            | Form::ObjectRelative { patient }
            | Form::SubjectRelative { patient } => Some(patient),
            Form::Before { other, .. } | Form::After { other, .. } => Some(other),
            Form::Coordination { second } => Some(second),
        };
        std::iter::once(self.agent).chain(other).collect()
    }

    /// The same query of other actors: each named actor `a` becomes `to(a)`.
    pub fn map_actors(&self, to: impl Fn(usize) -> usize) -> QuerySpec {
        let form = match self.form {
            Form::Intransitive => Form::Intransitive,
            Form::Transitive { patient } => Form::Transitive { patient: to(patient) },
            Form::Passive { patient } => Form::Passive { patient: to(patient) },
            Form::ObjectRelative { patient } => Form::ObjectRelative { patient: to(patient) },
            Form::SubjectRelative { patient } => Form::SubjectRelative { patient: to(patient) },
            Form::Before { other, other_action } => Form::Before { other: to(other), other_action },
            Form::After { other, other_action } => Form::After { other: to(other), other_action },
            Form::Coordination { second } => Form::Coordination { second: to(second) },
        };
        QuerySpec { agent: to(self.agent), action: self.action, form }
    }

    /// Step spans `[start, end)` of every moment the query describes.
    pub fn answers(&self, events: &[Event]) -> Vec<(usize, usize)> {
        let does = |agent: usize, action: Action, patient: Option<usize>| {
            events.iter().filter(move |e| e.agent == agent && e.action == action && e.patient == patient)
        };
        if let Some((b, w, before)) = self.other_event() {
            let others: Vec<&Event> = does(b, w, None).collect();
            if others.len() != 1 {
                return vec![];
            }
            let o = others[0];
            return does(self.agent, self.action, None)
                .filter(|e| if before { e.end <= o.start } else { e.start >= o.end })
                .map(|e| (e.start, e.end))
                .collect();
        }
        match self.form {
            Form::Coordination { second } => {
                let mut spans = Vec::new();
                for e in does(self.agent, self.action, None) {
                    for f in does(second, self.action, None) {
                        if e.start < f.end && f.start < e.end {
                            spans.push((e.start.min(f.start), e.end.max(f.end)));
                        }
                    }
                }
                spans
            }
            _ => does(self.agent, self.action, self.patient()).map(|e| (e.start, e.end)).collect(),
        }
    }

    /// Whether the query's parts (its action, its agents, its patient) are all active at a
    /// step outside `answer` through different, concurrent events: a moment that additive
    /// clip features spell out although nothing there answers the query.
    pub fn spurious(&self, events: &[Event], (start, end): (usize, usize)) -> bool {
        let mut agents = vec![self.agent];
        if let Form::Coordination { second } = self.form {
            agents.push(second);
        }
        let steps = events.iter().map(|e| e.end).max().unwrap_or(0);
        (0..steps).filter(|t| *t < start || *t >= end).any(|t| {
            let active: Vec<&Event> = events.iter().filter(|e| e.start <= t && t < e.end).collect();
            // Before/after's other occurrences of the event are real, its intended
            // temporal distractors.
            let real =
                self.other_event().is_some() && active.iter().any(|e| e.agent == self.agent && e.action == self.action);
            !real
                && active.iter().any(|e| e.action == self.action)
                && agents.iter().all(|&a| active.iter().any(|e| e.agent == a))
                && self.patient().is_none_or(|p| active.iter().any(|e| e.patient == Some(p)))
        })
    }

    pub fn text(&self, actors: &[Actor]) -> String {
        let a = describe(self.agent, actors);
        let p = |patient| describe(patient, actors);
        let v = self.action;
        match self.form {
            Form::Intransitive => format!("{a} {}", v.present()),
            Form::Transitive { patient } => format!("{a} {} {}", v.present(), p(patient)),
            Form::Passive { patient } => format!("{} is {} by {a}", p(patient), v.participle()),
            Form::ObjectRelative { patient } => format!("{} that {a} {}", p(patient), v.present()),
            Form::SubjectRelative { patient } => format!("{a} that {} {}", v.present(), p(patient)),
            Form::Before { other, other_action } | Form::After { other, other_action } => {
                let word = if matches!(self.form, Form::Before { .. }) { "before" } else { "after" };
                format!("{a} {} {word} {} {}", v.present(), describe(other, actors), other_action.present())
            }
            Form::Coordination { second } => format!("{a} and {} {}", describe(second, actors), v.plural()),
        }
    }
}

/// A query with its answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GeneratedQuery {
    pub text: String,
    pub kind: QueryKind,
    pub spec: QuerySpec,
    /// Seconds.
    pub start: f64,
    pub end: f64,
    /// The video holds a distractor with the same words in other roles, so a bag of words
    /// cannot find the answer.
    pub role_sensitive: bool,
}

impl GeneratedQuery {
    pub fn with_answer(self, (s, e): (usize, usize), step_seconds: f64) -> Self {
        GeneratedQuery { start: s as f64 * step_seconds, end: e as f64 * step_seconds, ..self }
    }
}

/// Events placed so far, with each actor's busy steps (one action at a time per actor).
#[derive(Clone)]
pub struct Staging {
    pub steps: usize,
    pub events: Vec<Event>,
    busy: Vec<Vec<bool>>,
}

impl Staging {
    pub fn new(steps: usize, actors: usize) -> Self {
        Staging { steps, events: Vec::new(), busy: vec![vec![false; steps]; actors] }
    }

    fn free(&self, who: &[usize], start: usize, end: usize) -> bool {
        end <= self.steps && who.iter().all(|&a| self.busy[a][start..end].iter().all(|b| !b))
    }

    /// Places an event somewhere in `[from, to)` where its actors are free.
    fn place(
        &mut self,
        action: Action,
        agent: usize,
        patient: Option<usize>,
        from: usize,
        to: usize,
        rng: &mut Rng,
    ) -> Option<usize> {
        let len = 4 + rng.below(13); // 2 to 8 seconds at half-second steps
        let who: Vec<usize> = std::iter::once(agent).chain(patient).collect();
        let to = to.min(self.steps);
        if to < from + len {
            return None;
        }
        for _ in 0..40 {
            let start = from + rng.below(to - from - len + 1);
            if self.free(&who, start, start + len) {
                for &a in &who {
                    self.busy[a][start..start + len].iter_mut().for_each(|b| *b = true);
                }
                self.events.push(Event { action, agent, patient, start, end: start + len });
                return Some(self.events.len() - 1);
            }
        }
        None
    }

    /// Fills idle time with other actions, dropping each one after which `keep` fails
    /// (say, one that gives a query a second answer).
    pub fn fill(&mut self, actors: &[Actor], per_actor: usize, rng: &mut Rng, keep: impl Fn(&[Event]) -> bool) {
        for _ in 0..actors.len() * per_actor {
            let agent = rng.below(actors.len());
            let action = INTRANSITIVE[rng.below(INTRANSITIVE.len())];
            if self.place(action, agent, None, 0, self.steps, rng).is_some() && !keep(&self.events) {
                let e = self.events.pop().expect("just placed");
                self.busy[e.agent][e.start..e.end].iter_mut().for_each(|b| *b = false);
            }
        }
    }
}

fn other_than(n: usize, not: &[usize], rng: &mut Rng) -> Option<usize> {
    let choices: Vec<usize> = (0..n).filter(|i| !not.contains(i)).collect();
    (!choices.is_empty()).then(|| choices[rng.below(choices.len())])
}

/// Places one scenario (target and distractors) and returns its query.
pub fn scenario(actors: &[Actor], t: &mut Staging, rng: &mut Rng) -> Option<GeneratedQuery> {
    let n = actors.len();
    let kinds = [
        QueryKind::Intransitive,
        QueryKind::Transitive,
        QueryKind::Passive,
        QueryKind::ObjectRelative,
        QueryKind::SubjectRelative,
        QueryKind::Before,
        QueryKind::After,
        QueryKind::Coordination,
    ];
    let kind = kinds[rng.below(kinds.len())];
    let steps = t.steps;
    let a = rng.below(n);
    let b = other_than(n, &[a], rng)?;
    let (spec, role_sensitive) = match kind {
        QueryKind::Intransitive => {
            let v = INTRANSITIVE[rng.below(INTRANSITIVE.len())];
            t.place(v, a, None, 0, steps, rng)?;
            // Same action by another actor; another action by the same actor.
            t.place(v, b, None, 0, steps, rng);
            let w = INTRANSITIVE[(INTRANSITIVE.iter().position(|&x| x == v)? + 1 + rng.below(6)) % INTRANSITIVE.len()];
            t.place(w, a, None, 0, steps, rng);
            (QuerySpec { agent: a, action: v, form: Form::Intransitive }, false)
        }
        QueryKind::Transitive | QueryKind::Passive | QueryKind::ObjectRelative | QueryKind::SubjectRelative => {
            let v = TRANSITIVE[rng.below(TRANSITIVE.len())];
            t.place(v, a, Some(b), 0, steps, rng)?;
            // The same words in swapped roles: b does it to a.
            let swapped = t.place(v, b, Some(a), 0, steps, rng).is_some();
            if let Some(c) = other_than(n, &[a, b], rng) {
                t.place(v, c, Some(b), 0, steps, rng);
            }
            let form = match kind {
                QueryKind::Transitive => Form::Transitive { patient: b },
                QueryKind::Passive => Form::Passive { patient: b },
                QueryKind::ObjectRelative => Form::ObjectRelative { patient: b },
                _ => Form::SubjectRelative { patient: b },
            };
            (QuerySpec { agent: a, action: v, form }, swapped)
        }
        QueryKind::Before | QueryKind::After => {
            let v = INTRANSITIVE[rng.below(INTRANSITIVE.len())];
            let w = INTRANSITIVE[rng.below(INTRANSITIVE.len())];
            // b's event in the middle third; a does v once before and once after it.
            let o = t.place(w, b, None, steps / 3, 2 * steps / 3, rng)?;
            let (os, oe) = (t.events[o].start, t.events[o].end);
            t.place(v, a, None, 0, os, rng)?;
            t.place(v, a, None, oe, steps, rng)?;
            // And the roles swapped: a does w, b does v, elsewhere.
            let swapped = t.place(v, b, None, 0, steps, rng).is_some() | t.place(w, a, None, 0, steps, rng).is_some();
            let form = if kind == QueryKind::Before {
                Form::Before { other: b, other_action: w }
            } else {
                Form::After { other: b, other_action: w }
            };
            (QuerySpec { agent: a, action: v, form }, swapped)
        }
        QueryKind::Coordination => {
            let v = INTRANSITIVE[rng.below(INTRANSITIVE.len())];
            let e = t.place(v, a, None, 0, steps, rng)?;
            let (s, end) = (t.events[e].start, t.events[e].end);
            // b joins in, overlapping a; elsewhere each does v alone.
            t.place(v, b, None, s.saturating_sub(2), end + 2, rng)?;
            t.place(v, a, None, 0, steps, rng);
            t.place(v, b, None, 0, steps, rng);
            (QuerySpec { agent: a, action: v, form: Form::Coordination { second: b } }, false)
        }
    };
    let text = spec.text(actors);
    Some(GeneratedQuery { text, kind, spec, start: 0.0, end: 0.0, role_sensitive })
}
