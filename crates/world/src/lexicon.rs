//! The words and phrases people use for the world's shapes, colours, sizes and actions.
//! Each concept has its plain word (the one the generator's own queries use), synonyms that
//! training draws from, and at least one synonym that training never sees (`held_out`): the
//! queries that use those measure what the word vectors carry to words the model never saw.

use super::actors::{Action, Colour, Shape, Size};

/// A word or phrase of the lexicon.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Term<T: 'static> {
    pub value: T,
    pub held_out: bool,
}

const fn seen<T>(value: T) -> Term<T> {
    Term { value, held_out: false }
}

const fn unseen<T>(value: T) -> Term<T> {
    Term { value, held_out: true }
}

pub fn nouns(shape: Shape) -> &'static [Term<&'static str>] {
    match shape {
        Shape::Circle => {
            const T: &[Term<&str>] = &[seen("circle"), seen("ball"), seen("dot"), unseen("disc")];
            T
        }
        Shape::Square => {
            const T: &[Term<&str>] = &[seen("square"), seen("box"), seen("block"), seen("cube"), unseen("tile")];
            T
        }
        Shape::Triangle => {
            const T: &[Term<&str>] = &[seen("triangle"), seen("pyramid"), unseen("wedge")];
            T
        }
        Shape::Star => {
            const T: &[Term<&str>] = &[seen("star"), unseen("pentagon")];
            T
        }
    }
}

pub fn adjectives(colour: Colour) -> &'static [Term<&'static str>] {
    match colour {
        Colour::Red => {
            const T: &[Term<&str>] = &[seen("red"), seen("crimson"), unseen("scarlet")];
            T
        }
        Colour::Green => {
            const T: &[Term<&str>] = &[seen("green"), seen("lime"), unseen("emerald")];
            T
        }
        Colour::Blue => {
            const T: &[Term<&str>] = &[seen("blue"), seen("navy"), unseen("turquoise")];
            T
        }
        Colour::Yellow => {
            const T: &[Term<&str>] = &[seen("yellow"), seen("golden"), unseen("gold")];
            T
        }
        Colour::Purple => {
            const T: &[Term<&str>] = &[seen("purple"), seen("violet"), unseen("lavender")];
            T
        }
    }
}

pub fn size_words(size: Size) -> &'static [Term<&'static str>] {
    match size {
        Size::Small => {
            const T: &[Term<&str>] = &[seen("small"), seen("little"), unseen("tiny")];
            T
        }
        Size::Big => {
            const T: &[Term<&str>] = &[seen("big"), seen("large"), unseen("huge")];
            T
        }
    }
}

/// A verb's forms: 3rd person singular, base (plural and after "does"), past, participle
/// and gerund.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Verb {
    pub s: &'static str,
    pub base: &'static str,
    pub past: &'static str,
    pub participle: &'static str,
    pub ing: &'static str,
}

const fn verb(
    s: &'static str,
    base: &'static str,
    past: &'static str,
    participle: &'static str,
    ing: &'static str,
) -> Verb {
    Verb { s, base, past, participle, ing }
}

/// What completes a verb into the action's phrase, with its UD attachment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Complement {
    /// "pushes X", "jumps"
    None,
    /// "turns around", "lights up": `compound:prt`
    Particle(&'static str),
    /// "moves left": `advmod`
    Adverb(&'static str),
    /// "gets bigger": `xcomp`
    Adjective(&'static str),
    /// "slides to the left": preposition and noun, the noun an `obl` of the verb
    Path(&'static str, &'static str),
    /// "bumps into X", "goes after X": the patient is an `obl` with this `case`
    Preposition(&'static str),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VerbPhrase {
    pub verb: Verb,
    pub complement: Complement,
}

impl VerbPhrase {
    /// Whether the phrase has a passive ("is pushed by"): transitive verbs without a
    /// preposition.
    pub fn has_passive(&self) -> bool {
        self.complement == Complement::None
    }
}

const fn phrase(verb: Verb, complement: Complement) -> VerbPhrase {
    VerbPhrase { verb, complement }
}

use Complement::{Adjective, Adverb, Particle, Path, Preposition};

const JUMP: Verb = verb("jumps", "jump", "jumped", "jumped", "jumping");
const HOP: Verb = verb("hops", "hop", "hopped", "hopped", "hopping");
const LEAP: Verb = verb("leaps", "leap", "leaped", "leaped", "leaping");
const BOUNCE: Verb = verb("bounces", "bounce", "bounced", "bounced", "bouncing");
const SPIN: Verb = verb("spins", "spin", "spun", "spun", "spinning");
const TURN: Verb = verb("turns", "turn", "turned", "turned", "turning");
const ROTATE: Verb = verb("rotates", "rotate", "rotated", "rotated", "rotating");
const GROW: Verb = verb("grows", "grow", "grew", "grown", "growing");
const GET: Verb = verb("gets", "get", "got", "gotten", "getting");
const EXPAND: Verb = verb("expands", "expand", "expanded", "expanded", "expanding");
const SWELL: Verb = verb("swells", "swell", "swelled", "swollen", "swelling");
const BECOME: Verb = verb("becomes", "become", "became", "become", "becoming");
const SHRINK: Verb = verb("shrinks", "shrink", "shrank", "shrunk", "shrinking");
const CONTRACT: Verb = verb("contracts", "contract", "contracted", "contracted", "contracting");
const FLASH: Verb = verb("flashes", "flash", "flashed", "flashed", "flashing");
const BLINK: Verb = verb("blinks", "blink", "blinked", "blinked", "blinking");
const LIGHT: Verb = verb("lights", "light", "lit", "lit", "lighting");
const PULSE: Verb = verb("pulses", "pulse", "pulsed", "pulsed", "pulsing");
const SHINE: Verb = verb("shines", "shine", "shone", "shone", "shining");
const GLOW: Verb = verb("glows", "glow", "glowed", "glowed", "glowing");
const MOVE: Verb = verb("moves", "move", "moved", "moved", "moving");
const SLIDE: Verb = verb("slides", "slide", "slid", "slid", "sliding");
const GO: Verb = verb("goes", "go", "went", "gone", "going");
const HEAD: Verb = verb("heads", "head", "headed", "headed", "heading");
const TRAVEL: Verb = verb("travels", "travel", "traveled", "traveled", "traveling");
const SHIFT: Verb = verb("shifts", "shift", "shifted", "shifted", "shifting");
const DRIFT: Verb = verb("drifts", "drift", "drifted", "drifted", "drifting");
const PUSH: Verb = verb("pushes", "push", "pushed", "pushed", "pushing");
const SHOVE: Verb = verb("shoves", "shove", "shoved", "shoved", "shoving");
const HIT: Verb = verb("hits", "hit", "hit", "hit", "hitting");
const BUMP: Verb = verb("bumps", "bump", "bumped", "bumped", "bumping");
const KNOCK: Verb = verb("knocks", "knock", "knocked", "knocked", "knocking");
const RAM: Verb = verb("rams", "ram", "rammed", "rammed", "ramming");
const NUDGE: Verb = verb("nudges", "nudge", "nudged", "nudged", "nudging");
const FOLLOW: Verb = verb("follows", "follow", "followed", "followed", "following");
const CHASE: Verb = verb("chases", "chase", "chased", "chased", "chasing");
const TRAIL: Verb = verb("trails", "trail", "trailed", "trailed", "trailing");
const RUN: Verb = verb("runs", "run", "ran", "run", "running");
const TAIL: Verb = verb("tails", "tail", "tailed", "tailed", "tailing");
const PURSUE: Verb = verb("pursues", "pursue", "pursued", "pursued", "pursuing");

/// The phrases for an action; the first is the generator's own.
pub fn verb_phrases(action: Action) -> &'static [Term<VerbPhrase>] {
    use Complement::None as Bare;
    match action {
        Action::Jump => {
            const T: &[Term<VerbPhrase>] = &[
                seen(phrase(JUMP, Bare)),
                seen(phrase(HOP, Bare)),
                seen(phrase(LEAP, Bare)),
                seen(phrase(JUMP, Particle("up"))),
                unseen(phrase(BOUNCE, Bare)),
            ];
            T
        }
        Action::Spin => {
            const T: &[Term<VerbPhrase>] = &[
                seen(phrase(SPIN, Bare)),
                seen(phrase(TURN, Particle("around"))),
                seen(phrase(SPIN, Particle("around"))),
                unseen(phrase(ROTATE, Bare)),
            ];
            T
        }
        Action::Grow => {
            const T: &[Term<VerbPhrase>] = &[
                seen(phrase(GROW, Bare)),
                seen(phrase(GET, Adjective("bigger"))),
                seen(phrase(EXPAND, Bare)),
                seen(phrase(GROW, Adjective("larger"))),
                seen(phrase(GET, Adjective("larger"))),
                seen(phrase(BECOME, Adjective("bigger"))),
                unseen(phrase(SWELL, Bare)),
            ];
            T
        }
        Action::Shrink => {
            const T: &[Term<VerbPhrase>] = &[
                seen(phrase(SHRINK, Bare)),
                seen(phrase(GET, Adjective("smaller"))),
                seen(phrase(SHRINK, Particle("down"))),
                seen(phrase(BECOME, Adjective("smaller"))),
                unseen(phrase(CONTRACT, Bare)),
            ];
            T
        }
        Action::Flash => {
            const T: &[Term<VerbPhrase>] = &[
                seen(phrase(FLASH, Bare)),
                seen(phrase(BLINK, Bare)),
                seen(phrase(LIGHT, Particle("up"))),
                seen(phrase(PULSE, Bare)),
                seen(phrase(SHINE, Bare)),
                unseen(phrase(GLOW, Bare)),
            ];
            T
        }
        Action::MoveLeft => {
            const T: &[Term<VerbPhrase>] = &[
                seen(phrase(MOVE, Adverb("left"))),
                seen(phrase(MOVE, Path("to", "left"))),
                seen(phrase(SLIDE, Adverb("left"))),
                seen(phrase(GO, Adverb("left"))),
                seen(phrase(HEAD, Path("to", "left"))),
                seen(phrase(TRAVEL, Adverb("left"))),
                seen(phrase(SHIFT, Adverb("left"))),
                seen(phrase(GO, Path("to", "left"))),
                unseen(phrase(DRIFT, Path("to", "left"))),
            ];
            T
        }
        Action::MoveRight => {
            const T: &[Term<VerbPhrase>] = &[
                seen(phrase(MOVE, Adverb("right"))),
                seen(phrase(MOVE, Path("to", "right"))),
                seen(phrase(SLIDE, Adverb("right"))),
                seen(phrase(GO, Adverb("right"))),
                seen(phrase(HEAD, Path("to", "right"))),
                seen(phrase(TRAVEL, Adverb("right"))),
                seen(phrase(SHIFT, Adverb("right"))),
                seen(phrase(GO, Path("to", "right"))),
                unseen(phrase(DRIFT, Path("to", "right"))),
            ];
            T
        }
        Action::Push => {
            const T: &[Term<VerbPhrase>] = &[
                seen(phrase(PUSH, Bare)),
                seen(phrase(SHOVE, Bare)),
                seen(phrase(HIT, Bare)),
                seen(phrase(BUMP, Preposition("into"))),
                seen(phrase(KNOCK, Bare)),
                seen(phrase(RAM, Bare)),
                unseen(phrase(NUDGE, Bare)),
            ];
            T
        }
        Action::Follow => {
            const T: &[Term<VerbPhrase>] = &[
                seen(phrase(FOLLOW, Bare)),
                seen(phrase(CHASE, Bare)),
                seen(phrase(TRAIL, Bare)),
                seen(phrase(GO, Preposition("after"))),
                seen(phrase(RUN, Preposition("after"))),
                seen(phrase(TAIL, Bare)),
                unseen(phrase(PURSUE, Bare)),
            ];
            T
        }
    }
}

/// Which part of the lexicon a wording may draw from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pool {
    /// The words and frames training uses.
    Training,
    /// Queries that each use at least one held-out word or frame (for evaluation).
    HeldOut,
}

#[cfg(test)]
mod tests {
    use super::super::actors::{ACTIONS, COLOURS, SHAPES};
    use super::*;

    #[test]
    fn every_concept_has_a_training_synonym_and_a_held_out_one() {
        let check = |name: String, held: Vec<bool>| {
            assert!(held.iter().filter(|h| !**h).count() >= 2, "{name}: a plain word and a synonym to train on");
            assert!(held.iter().any(|h| *h), "{name}: a held-out synonym");
            assert!(!held[0], "{name}: the plain word is trained on");
        };
        for s in SHAPES {
            let held = nouns(s).iter().map(|t| t.held_out).collect::<Vec<_>>();
            // The star has no everyday synonym to train on; it keeps a held-out one.
            if s == Shape::Star {
                assert_eq!(held, [false, true]);
            } else {
                check(format!("{s:?}"), held);
            }
        }
        for c in COLOURS {
            check(format!("{c:?}"), adjectives(c).iter().map(|t| t.held_out).collect());
        }
        for z in [Size::Small, Size::Big] {
            check(format!("{z:?}"), size_words(z).iter().map(|t| t.held_out).collect());
        }
        for a in ACTIONS {
            check(format!("{a:?}"), verb_phrases(a).iter().map(|t| t.held_out).collect());
            // The generator's own wording comes first.
            assert_eq!(verb_phrases(a)[0].value.verb.s, a.present().split(' ').next().unwrap());
        }
        for a in [Action::Push, Action::Follow] {
            assert!(verb_phrases(a).iter().filter(|t| t.value.has_passive()).count() >= 3);
        }
    }
}
