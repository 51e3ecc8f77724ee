//! The relations the syntactic GCN tells apart: the 41-entry id table (CoreNLP / UD v1 basic
//! relations, spec "Relation label ids") and the check on a relation-id adjacency matrix.

use crate::error::{CminError, Result};

/// Relation id `i` is `RELATIONS[i]`.
pub const RELATIONS: [&str; 41] = [
    "empty",
    "self_loop",
    "nsubj",
    "det",
    "aux",
    "cc",
    "conj",
    "nmod",
    "case",
    "dobj",
    "amod",
    "compound",
    "ccomp",
    "advmod",
    "mark",
    "advcl",
    "nummod",
    "acl",
    "nmod:poss",
    "dep",
    "nsubjpass",
    "auxpass",
    "xcomp",
    "appos",
    "acl:relcl",
    "compound:prt",
    "cop",
    "neg",
    "mwe",
    "parataxis",
    "expl",
    "det:predet",
    "csubjpass",
    "nmod:tmod",
    "nmod:npmod",
    "iobj",
    "root",
    "cc:preconj",
    "csubj",
    "punct",
    "discourse",
];

pub const NUM_RELATIONS: usize = RELATIONS.len();
pub const EMPTY: usize = 0;
pub const SELF_LOOP: usize = 1;

/// Checks a relation-id matrix of `m x m` for ids outside `0..=40`.
pub fn validate_adjacency(adjacency: &[i64], m: usize) -> Result<()> {
    if adjacency.len() != m * m {
        return Err(CminError::ParseShape(format!(
            "adjacency holds {} entries, expected {m} x {m} = {}",
            adjacency.len(),
            m * m
        )));
    }
    for (cell, &id) in adjacency.iter().enumerate() {
        if !(0..NUM_RELATIONS as i64).contains(&id) {
            return Err(CminError::BadRelationId { head: cell / m, dep: cell % m, id });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_outside_the_table_are_errors() {
        assert!(matches!(
            validate_adjacency(&[1, 41, 0, 1], 2),
            Err(CminError::BadRelationId { head: 0, dep: 1, id: 41 })
        ));
        assert!(validate_adjacency(&[1, -1, 0, 1], 2).is_err());
    }
}
