//! The cast: shapes, colours, sizes, and the actions they perform.

use serde::Serialize;

use super::WorldConfig;
use cmin_random::Rng;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Shape {
    Circle,
    Square,
    Triangle,
    Star,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Colour {
    Red,
    Green,
    Blue,
    Yellow,
    Purple,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Size {
    Small,
    Big,
}

pub const SHAPES: [Shape; 4] = [Shape::Circle, Shape::Square, Shape::Triangle, Shape::Star];
pub const COLOURS: [Colour; 5] = [Colour::Red, Colour::Green, Colour::Blue, Colour::Yellow, Colour::Purple];

impl Shape {
    pub fn word(self) -> &'static str {
        ["circle", "square", "triangle", "star"][self as usize]
    }
}

impl Colour {
    pub fn word(self) -> &'static str {
        ["red", "green", "blue", "yellow", "purple"][self as usize]
    }
}

impl Size {
    pub fn word(self) -> &'static str {
        ["small", "big"][self as usize]
    }
}

/// Nine actions: seven an actor does alone, two it does to another actor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Action {
    Jump,
    Spin,
    Grow,
    Shrink,
    Flash,
    MoveLeft,
    MoveRight,
    Push,
    Follow,
}

pub const ACTIONS: [Action; 9] = [
    Action::Jump,
    Action::Spin,
    Action::Grow,
    Action::Shrink,
    Action::Flash,
    Action::MoveLeft,
    Action::MoveRight,
    Action::Push,
    Action::Follow,
];
pub const INTRANSITIVE: [Action; 7] =
    [Action::Jump, Action::Spin, Action::Grow, Action::Shrink, Action::Flash, Action::MoveLeft, Action::MoveRight];
pub const TRANSITIVE: [Action; 2] = [Action::Push, Action::Follow];

impl Action {
    pub fn is_transitive(self) -> bool {
        TRANSITIVE.contains(&self)
    }

    /// Third person singular present ("jumps", "moves left").
    pub fn present(self) -> &'static str {
        ["jumps", "spins", "grows", "shrinks", "flashes", "moves left", "moves right", "pushes", "follows"]
            [self as usize]
    }

    /// Plural present, for coordinated subjects ("jump").
    pub fn plural(self) -> &'static str {
        ["jump", "spin", "grow", "shrink", "flash", "move left", "move right", "push", "follow"][self as usize]
    }

    /// Past participle, for the passive ("pushed").
    pub fn participle(self) -> &'static str {
        ["jumped", "spun", "grown", "shrunk", "flashed", "moved left", "moved right", "pushed", "followed"]
            [self as usize]
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Actor {
    pub shape: Shape,
    pub colour: Colour,
    pub size: Size,
    /// Resting position on the unit stage.
    pub home: (f32, f32),
}

/// Picks the actors of a video: distinct (colour, shape) pairs, except that sometimes two
/// actors share them and differ only in size, so adjectives matter.
pub fn cast(config: &WorldConfig, rng: &mut Rng) -> Vec<Actor> {
    let n = config.min_actors + rng.below(config.max_actors - config.min_actors + 1);
    let mut actors: Vec<Actor> = Vec::with_capacity(n);
    while actors.len() < n {
        let twin = actors.len() >= 1 && rng.unit() < 0.25 && !actors.iter().any(|a| twins(a, &actors));
        let candidate = if twin {
            let a = actors[rng.below(actors.len())];
            let size = if a.size == Size::Small { Size::Big } else { Size::Small };
            Actor { size, ..a }
        } else {
            Actor {
                shape: SHAPES[rng.below(SHAPES.len())],
                colour: COLOURS[rng.below(COLOURS.len())],
                size: if rng.unit() < 0.5 { Size::Small } else { Size::Big },
                home: (0.0, 0.0),
            }
        };
        let clash = actors.iter().any(|a| a.shape == candidate.shape && a.colour == candidate.colour) && !twin;
        if !clash {
            actors.push(candidate);
        }
    }
    let k = actors.len();
    for (i, a) in actors.iter_mut().enumerate() {
        a.home = ((i as f32 + 0.5) / k as f32, 0.35 + 0.3 * rng.unit() as f32);
    }
    actors
}

/// Whether another actor shares `a`'s colour and shape (so only size tells them apart).
pub fn twins(a: &Actor, actors: &[Actor]) -> bool {
    actors.iter().filter(|b| b.shape == a.shape && b.colour == a.colour).count() > 1
}

/// The shortest unambiguous description: "the red circle", or "the big red circle" when a
/// same-coloured twin of another size is on stage.
pub fn describe(i: usize, actors: &[Actor]) -> String {
    let a = actors[i];
    if twins(&a, actors) {
        format!("the {} {} {}", a.size.word(), a.colour.word(), a.shape.word())
    } else {
        format!("the {} {}", a.colour.word(), a.shape.word())
    }
}
