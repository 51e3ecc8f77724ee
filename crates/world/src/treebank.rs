//! Gold UD v2 trees of the world's queries, so the parser can be trained on the
//! constructions the demo asks about (EWT has few sentences like "the red square grows").

use cmin_parser::conllu::Sentence;

use super::actors::Actor;
use super::query::QuerySpec;

/// The gold tree of a query's plain wording (UD v2, heads 1-based), matching
/// `QuerySpec::text` token for token.
pub fn gold_tree(spec: &QuerySpec, actors: &[Actor]) -> Sentence {
    super::wording::plain(spec, actors).tree
}
