//! Typo correction against the word vectors' vocabulary: a word without a vector becomes the
//! likeliest known word, so that "purpel" is read as "purple" instead of as zeros.
//!
//! Candidates come from a deletion index (SymSpell's idea: two words within one edit share
//! a one-deletion variant), so a lookup touches a few dozen words, not the vocabulary. Each
//! candidate is scored as a small noisy channel: the optimal-string-alignment distance
//! (strsim), plus what typists do and do not do (a doubled letter dropped or added is cheap,
//! the first letter is rarely wrong), plus a prior from the word's frequency rank (GloVe's
//! files list words by frequency): 0.2 per unit of log rank, so a word ten times as frequent
//! gains about half an edit.

use std::collections::HashSet;

use crate::embeddings::Embeddings;

/// A word read as another.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Correction {
    pub from: String,
    pub to: String,
}

/// Text with its typos corrected.
#[derive(Clone, Debug, PartialEq)]
pub struct Corrected {
    pub text: String,
    pub corrections: Vec<Correction>,
}

/// The deletion index over a vocabulary's plain lower-case words.
#[derive(Clone, Debug)]
pub struct Speller {
    /// Candidate words; their index in the vocabulary is their frequency rank.
    words: Vec<(String, u32)>,
    /// Sorted hashes of each word and of its one-deletion variants, with the word's index.
    keys: Vec<u64>,
    owners: Vec<u32>,
}

/// Words shorter than this are never corrected: too many words lie one edit away.
const MIN_LENGTH: usize = 3;
/// Words shorter than this keep their first letter when corrected.
const SHORT: usize = 5;
/// Words at least this long may be corrected across two edits.
const TWO_EDITS_FROM: usize = 6;

fn hash(s: &str) -> u64 {
    // FNV-1a: the index only needs a fast, deterministic hash; collisions only add candidates
    // that the distance then rejects.
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3))
}

fn deletions(word: &str) -> impl Iterator<Item = String> + '_ {
    word.char_indices().map(move |(i, c)| format!("{}{}", &word[..i], &word[i + c.len_utf8()..]))
}

fn plain_word(w: &str) -> bool {
    w.len() >= 2 && w.bytes().all(|b| b.is_ascii_lowercase())
}

/// A word with each run of a repeated letter written once ("yellow" -> "yelow").
fn squeezed(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

impl Speller {
    pub fn new(embeddings: &Embeddings) -> Self {
        let words: Vec<(String, u32)> = embeddings
            .words()
            .iter()
            .enumerate()
            .filter(|(_, w)| plain_word(w))
            .map(|(rank, w)| (w.clone(), rank as u32))
            .collect();
        let mut pairs: Vec<(u64, u32)> = Vec::with_capacity(words.len() * 9);
        for (i, (w, _)) in words.iter().enumerate() {
            let mut seen = HashSet::new();
            for key in std::iter::once(w.clone()).chain(deletions(w)) {
                if seen.insert(key.clone()) {
                    pairs.push((hash(&key), i as u32));
                }
            }
        }
        pairs.sort_unstable();
        let (keys, owners) = pairs.into_iter().unzip();
        Speller { words, keys, owners }
    }

    fn owners_of(&self, key: &str) -> &[u32] {
        let h = hash(key);
        let start = self.keys.partition_point(|&k| k < h);
        let end = start + self.keys[start..].partition_point(|&k| k == h);
        &self.owners[start..end]
    }

    /// The likeliest known word for a lower-case `word`, if one is close enough.
    pub fn suggest(&self, word: &str) -> Option<&str> {
        let length = word.chars().count();
        if length < MIN_LENGTH || !word.chars().all(|c| c.is_ascii_lowercase()) {
            return None;
        }
        let mut queries: Vec<String> = std::iter::once(word.to_string()).chain(deletions(word)).collect();
        if length >= TWO_EDITS_FROM {
            let twice: Vec<String> = queries[1..].iter().flat_map(|d| deletions(d).collect::<Vec<_>>()).collect();
            queries.extend(twice);
        }
        let mut candidates: Vec<u32> = queries.iter().flat_map(|q| self.owners_of(q).iter().copied()).collect();
        candidates.sort_unstable();
        candidates.dedup();
        let max_edits = if length >= TWO_EDITS_FROM { 2 } else { 1 };
        let squeezed_word = squeezed(word);
        let mut best: Option<(f64, &str)> = None;
        for i in candidates {
            let (candidate, rank) = &self.words[i as usize];
            let edits = strsim::osa_distance(word, candidate);
            if edits == 0 || edits > max_edits {
                continue;
            }
            let mut cost = edits as f64 + 0.2 * (*rank as f64 + 1.0).ln();
            if squeezed(candidate) == squeezed_word {
                cost -= 0.4;
            }
            if candidate.chars().next() != word.chars().next() {
                // In a short word a wrong first letter is more likely another word
                // ("out" is no typo of "cut").
                if length < SHORT {
                    continue;
                }
                cost += 0.5;
            }
            if best.is_none_or(|(b, _)| cost < b) {
                best = Some((cost, candidate));
            }
        }
        best.map(|(_, w)| w)
    }

    /// Replaces each word of `text` that has no vector with its likeliest known word, keeping
    /// its capitals; words are found by `tokens` (the parser's `[start, end)` byte spans).
    pub fn correct(&self, text: &str, tokens: &[(usize, usize)], embeddings: &Embeddings) -> Corrected {
        let mut out = String::with_capacity(text.len());
        let mut corrections = Vec::new();
        let mut at = 0;
        for &(start, end) in tokens {
            let Some(token) = text.get(start..end) else { continue };
            let lower = token.to_lowercase();
            if embeddings.get(&lower).is_some() {
                continue;
            }
            let Some(to) = self.suggest(&lower) else { continue };
            out.push_str(&text[at..start]);
            out.push_str(&with_case_of(token, to));
            at = end;
            corrections.push(Correction { from: token.to_string(), to: to.to_string() });
        }
        out.push_str(&text[at..]);
        Corrected { text: out, corrections }
    }
}

/// `word` written with `like`'s capitals: all capitals, a capital first letter, or none.
fn with_case_of(like: &str, word: &str) -> String {
    let letters: Vec<char> = like.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() > 1 && letters.iter().all(|c| c.is_uppercase()) {
        return word.to_uppercase();
    }
    match like.chars().next() {
        Some(c) if c.is_uppercase() => {
            let mut chars = word.chars();
            chars.next().map(|f| f.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
        }
        _ => word.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A vocabulary in frequency order, as GloVe's files list it.
    fn vocabulary() -> Embeddings {
        let words = [
            "the", "of", "below", "right", "left", "show", "when", "push", "purple", "yellow", "square", "circle",
            "pushes", "triangle", "follows", "blue", "red", "green", "star", "jumps", "spins", "moves", "yell",
        ];
        let text: String = words.iter().map(|w| format!("{w} 1 0\n")).collect();
        Embeddings::from_bytes(text.as_bytes()).unwrap()
    }

    #[test]
    fn common_typos_find_their_word() {
        let s = Speller::new(&vocabulary());
        for (typo, word) in [
            ("purpel", "purple"), // transposed
            ("yelow", "yellow"),  // a doubled letter dropped ("below" is more frequent, one edit too)
            ("triangel", "triangle"),
            ("sqaure", "square"),
            ("pushs", "push"), // a letter dropped; "push" is more frequent than "pushes"
            ("cirlce", "circle"),
            ("folows", "follows"),
            ("grene", "green"),
            ("bleu", "blue"),
            ("yelloww", "yellow"), // a letter doubled
            ("trinagle", "triangle"),
            ("purrple", "purple"),
        ] {
            assert_eq!(s.suggest(typo), Some(word), "{typo}");
        }
    }

    #[test]
    fn far_or_short_words_are_left_alone() {
        let s = Speller::new(&vocabulary());
        assert_eq!(s.suggest("xylophone"), None);
        assert_eq!(s.suggest("te"), None, "too short to guess");
        assert_eq!(s.suggest("zzz"), None);
        assert_eq!(s.suggest("café"), None, "only plain letters are corrected");
        assert_eq!(s.suggest("prple"), Some("purple"));
        assert_eq!(s.suggest("pple"), None, "two edits on a short word");
        assert_eq!(s.suggest("yed"), None, "a short word keeps its first letter: not \"red\"");
        assert_eq!(s.suggest("rde"), Some("red"));
    }

    #[test]
    fn text_keeps_its_capitals_and_known_words() {
        let e = vocabulary();
        let s = Speller::new(&e);
        let text = "When does the Purpel circle push the YELOW sqaure?";
        let spans: Vec<(usize, usize)> = cmin_parser::tokenize(text).into_iter().map(|t| (t.start, t.end)).collect();
        let c = s.correct(text, &spans, &e);
        assert_eq!(c.text, "When does the Purple circle push the YELLOW square?");
        let pairs: Vec<(&str, &str)> = c.corrections.iter().map(|c| (c.from.as_str(), c.to.as_str())).collect();
        assert_eq!(pairs, [("Purpel", "purple"), ("YELOW", "yellow"), ("sqaure", "square")]);
        let clean = s.correct("the red star jumps", &[(0, 3), (4, 7), (8, 12), (13, 18)], &e);
        assert_eq!(clean, Corrected { text: "the red star jumps".into(), corrections: vec![] });
    }
}
