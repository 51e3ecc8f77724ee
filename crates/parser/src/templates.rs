//! A fingerprint of the features the models read: the word atoms, the tagger's and the
//! transition parser's feature templates (their ids are the order of the calls that make
//! them) and the neural scorer's input ids, computed on a fixed sentence. A model file stores
//! the fingerprint of the code that trained it; reordering one template changes the print, so
//! a file whose weights no longer mean what the code reads is refused instead of parsing badly.

use std::collections::HashMap;

use crate::arc_hybrid::{Input, root_atoms, with_root};
use crate::neural_inputs::Lexicon;
use crate::transition::{Configuration, SHIFT, left, right};
use crate::words::Clusters;

/// `fnv1a64:` and 16 hex digits.
pub fn fingerprint() -> String {
    let clusters = Clusters { map: HashMap::from([("ball".to_string(), (3, 17)), ("the".to_string(), (1, 2))]) };
    let forms: Vec<String> =
        ["The", "red", "ball", "hops", "over", "3", "boxes", "quickly", "."].map(String::from).to_vec();
    let atoms = clusters.atoms(&forms);
    let mut keys: Vec<u64> = Vec::new();
    let mut out = Vec::new();
    for i in 0..atoms.len() {
        crate::tagger::features(&atoms, i, 7 + i as u64, 11, &mut out);
        keys.extend(&out);
    }
    let tags: Vec<u8> = (0..forms.len() as u8).collect();
    let all_atoms: Vec<_> = std::iter::once(root_atoms()).chain(atoms.iter().cloned()).collect();
    let tag_ids = with_root(&tags);
    let input = Input { atoms: &all_atoms, tags: &tag_ids };
    let mut state = Configuration::new(forms.len());
    // Shifts, then arcs both ways: every template sees a word, a child and a label somewhere.
    for action in [SHIFT, SHIFT, SHIFT, left(1), SHIFT, right(2), SHIFT, left(3), right(4)] {
        crate::arc_hybrid::features(&input, &state, &mut out);
        keys.extend(&out);
        if state.is_valid(action) {
            state.apply(action);
        }
    }
    let lexicon =
        Lexicon { words: HashMap::from([("ball".to_string(), 2), ("red".to_string(), 3)]), suffix_buckets: 97 };
    let ids = lexicon.token_ids(&clusters, &forms, &tags);
    keys.extend([ids.words, ids.clusters, ids.tags, ids.suffixes].concat().into_iter().map(u64::from));
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in keys.iter().flat_map(|k| k.to_le_bytes()) {
        h = (h ^ byte as u64).wrapping_mul(0x0100_0000_01b3);
    }
    format!("fnv1a64:{h:016x}")
}

#[cfg(test)]
mod tests {
    /// The print of the shipped parser's templates. When a change to the features makes this
    /// fail, the shipped parser no longer reads what it was trained on: retrain it (README, "The
    /// query parser") and write the new print here.
    #[test]
    fn the_templates_are_those_the_shipped_parser_was_trained_with() {
        assert_eq!(super::fingerprint(), "fnv1a64:22c4b72f8bae8c02");
    }
}
