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

#[cfg(test)]
mod tests {
    use super::super::{WorldConfig, generate};
    use super::*;

    #[test]
    fn gold_trees_match_the_text_and_are_trees() {
        for seed in 0..60 {
            let v = generate(&WorldConfig::default(), seed);
            for q in &v.queries {
                let g = gold_tree(&q.spec, &v.actors);
                assert_eq!(g.forms.join(" "), q.text, "seed {seed}");
                let roots = g.heads.iter().filter(|&&h| h == 0).count();
                assert_eq!(roots, 1, "{}: {:?}", q.text, g.heads);
                assert!(g.deprels.iter().zip(&g.heads).all(|(l, &h)| (h == 0) == (l == "root")), "{:?}", g.deprels);
                for i in 0..g.heads.len() {
                    let (mut at, mut steps) = (i, 0);
                    while g.heads[at] != 0 {
                        at = g.heads[at] - 1;
                        steps += 1;
                        assert!(steps <= g.heads.len(), "cycle in {}", q.text);
                    }
                }
            }
        }
    }
}
