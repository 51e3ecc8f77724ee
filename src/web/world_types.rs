//! What `World` returns, as Rust types whose TypeScript declarations tsify derives. The world's
//! own enums are mapped here by exhaustive matches, so a variant added or renamed there fails
//! to compile here rather than changing the package's strings unseen.

use serde::Serialize;
use tsify::Tsify;

use cmin_world as world;

#[derive(Clone, Copy, Serialize, Tsify)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Shape {
    Circle,
    Square,
    Triangle,
    Star,
}

#[derive(Clone, Copy, Serialize, Tsify)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Colour {
    Red,
    Green,
    Blue,
    Yellow,
    Purple,
}

#[derive(Clone, Copy, Serialize, Tsify)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Size {
    Small,
    Big,
}

/// An action in its base form.
#[derive(Clone, Copy, Serialize, Tsify)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Action {
    Jump,
    Spin,
    Grow,
    Shrink,
    Flash,
    #[serde(rename = "move left")]
    MoveLeft,
    #[serde(rename = "move right")]
    MoveRight,
    Push,
    Follow,
}

/// The construction a query is built on.
#[derive(Clone, Copy, Serialize, Tsify)]
pub(crate) enum QueryKind {
    Intransitive,
    Transitive,
    Passive,
    ObjectRelative,
    SubjectRelative,
    Before,
    After,
    Coordination,
}

#[derive(Serialize, Tsify)]
pub(crate) struct WorldActor {
    /// How queries name it: "the red circle", or "the big red circle" when a twin differs only
    /// in size.
    pub name: String,
    pub shape: Shape,
    pub colour: Colour,
    pub size: Size,
}

#[derive(Serialize, Tsify)]
#[tsify(missing_as_null)]
pub(crate) struct WorldEvent {
    pub action: Action,
    /// Index into `actors()`.
    pub agent: usize,
    /// Index into `actors()` for "push" and "follow", else null.
    pub patient: Option<usize>,
    /// Seconds.
    pub start: f64,
    pub end: f64,
}

#[derive(Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WorldQuery {
    /// The generator's own wording ("the red star is pushed by the purple circle").
    pub text: String,
    /// The same query in words people use: synonyms, another tense, a question or a command
    /// ("when does the crimson star get shoved by the violet ball?"); never a held-out word.
    pub wording: String,
    pub kind: QueryKind,
    /// The one moment it describes, in seconds.
    pub start: f64,
    pub end: f64,
    /// The video holds a distractor with the same words in other roles.
    pub role_sensitive: bool,
}

#[derive(Serialize, Tsify)]
#[tsify(missing_as_null)]
pub(crate) struct WorldPose {
    /// Position on the unit stage (x right, y up).
    pub x: f32,
    pub y: f32,
    pub scale: f32,
    /// Radians.
    pub rotation: f32,
    /// 1 normally, up to 2 while flashing.
    pub brightness: f32,
    /// The action under way, or null.
    pub action: Option<Action>,
    /// On stage: in a long video, only the cast of the scene under way is.
    pub visible: bool,
}

impl From<world::Shape> for Shape {
    fn from(s: world::Shape) -> Self {
        match s {
            world::Shape::Circle => Shape::Circle,
            world::Shape::Square => Shape::Square,
            world::Shape::Triangle => Shape::Triangle,
            world::Shape::Star => Shape::Star,
        }
    }
}

impl From<world::Colour> for Colour {
    fn from(c: world::Colour) -> Self {
        match c {
            world::Colour::Red => Colour::Red,
            world::Colour::Green => Colour::Green,
            world::Colour::Blue => Colour::Blue,
            world::Colour::Yellow => Colour::Yellow,
            world::Colour::Purple => Colour::Purple,
        }
    }
}

impl From<world::Size> for Size {
    fn from(s: world::Size) -> Self {
        match s {
            world::Size::Small => Size::Small,
            world::Size::Big => Size::Big,
        }
    }
}

impl From<world::Action> for Action {
    fn from(a: world::Action) -> Self {
        match a {
            world::Action::Jump => Action::Jump,
            world::Action::Spin => Action::Spin,
            world::Action::Grow => Action::Grow,
            world::Action::Shrink => Action::Shrink,
            world::Action::Flash => Action::Flash,
            world::Action::MoveLeft => Action::MoveLeft,
            world::Action::MoveRight => Action::MoveRight,
            world::Action::Push => Action::Push,
            world::Action::Follow => Action::Follow,
        }
    }
}

impl From<world::QueryKind> for QueryKind {
    fn from(k: world::QueryKind) -> Self {
        match k {
            world::QueryKind::Intransitive => QueryKind::Intransitive,
            world::QueryKind::Transitive => QueryKind::Transitive,
            world::QueryKind::Passive => QueryKind::Passive,
            world::QueryKind::ObjectRelative => QueryKind::ObjectRelative,
            world::QueryKind::SubjectRelative => QueryKind::SubjectRelative,
            world::QueryKind::Before => QueryKind::Before,
            world::QueryKind::After => QueryKind::After,
            world::QueryKind::Coordination => QueryKind::Coordination,
        }
    }
}
