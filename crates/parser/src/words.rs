//! Lexical atoms shared by the tagger and the parser: normalised forms, affixes, shapes and
//! distributional word clusters (k-means over GloVe vectors).

use std::collections::HashMap;

use crate::hashing::hash_str;

/// Per-word values, hashed once per sentence and combined into features.
#[derive(Clone, Debug, Default)]
pub struct WordAtoms {
    /// Lower-cased with digits folded to `0`.
    pub norm: u64,
    pub form: u64,
    pub shape: u64,
    pub prefix1: u64,
    pub suffix: [u64; 4],
    /// Cluster ids (coarse, fine); `u64::MAX` marks a word without a vector.
    pub coarse: u64,
    pub fine: u64,
    pub flags: u64,
}

pub fn normalise(word: &str) -> String {
    word.to_lowercase().chars().map(|c| if c.is_ascii_digit() { '0' } else { c }).collect()
}

/// `Xxxx` → `Xx`, `1/2` → `d/d`: character classes with runs collapsed.
pub fn shape(word: &str) -> String {
    let mut out = String::new();
    let mut last = None;
    for c in word.chars() {
        let s = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_numeric() {
            'd'
        } else if c.is_alphabetic() {
            'a'
        } else {
            c
        };
        if last != Some(s) {
            out.push(s);
            last = Some(s);
        }
    }
    out
}

/// Word → (coarse, fine) cluster ids.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Clusters {
    pub map: HashMap<String, (u16, u16)>,
}

impl Clusters {
    pub fn atoms(&self, forms: &[String]) -> Vec<WordAtoms> {
        forms.iter().map(|f| self.atom(f)).collect()
    }

    pub fn atom(&self, form: &str) -> WordAtoms {
        let norm = normalise(form);
        let chars: Vec<char> = norm.chars().collect();
        let suffix = |n: usize| hash_str(&chars[chars.len().saturating_sub(n)..].iter().collect::<String>());
        let (coarse, fine) =
            self.map.get(&form.to_lowercase()).map_or((u64::MAX, u64::MAX), |&(c, f)| (c as u64, f as u64));
        let mut flags = 0u64;
        if form.chars().next().is_some_and(char::is_uppercase) {
            flags |= 1;
        }
        if form.chars().all(|c| !c.is_lowercase()) {
            flags |= 2;
        }
        if form.contains('-') {
            flags |= 4;
        }
        if form.chars().any(|c| c.is_numeric()) {
            flags |= 8;
        }
        WordAtoms {
            norm: hash_str(&norm),
            form: hash_str(form),
            shape: hash_str(&shape(form)),
            prefix1: hash_str(&chars.iter().take(1).collect::<String>()),
            suffix: [suffix(1), suffix(2), suffix(3), suffix(4)],
            coarse,
            fine,
            flags,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atoms() {
        assert_eq!(shape("McDonald's"), "XxXx'x");
        assert_eq!(shape("1/2"), "d/d");
        assert_eq!(normalise("Room 101"), "room 000");
        let c = Clusters { map: [("up".to_string(), (3, 9))].into_iter().collect() };
        assert_eq!(c.atom("Up").coarse, 3);
        assert_eq!(c.atom("Up").fine, 9);
        assert_eq!(c.atom("zebra").coarse, u64::MAX);
    }
}
