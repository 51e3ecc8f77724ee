//! Word vectors: our compact packaged format (vocabulary + f16/f32 vectors) or the standard
//! GloVe text format (`word v1 v2 ... vd` per line), so researchers can bring 300-d vectors.
//!
//! Compact format, little-endian: magic `CMINEMB1`; `u32` dim, `u32` count, `u32` dtype
//! (1 = f16, 2 = f32), `u32` vocabulary bytes; the vocabulary as UTF-8 words joined by `\n`;
//! then `count x dim` values. Words are looked up lower-cased (GloVe 6B is lower-case);
//! a word not in the vocabulary gets the zero vector and is reported, never an error.

use std::collections::HashMap;

use cmin_model::error::{CminError, Result};
use cmin_model::limits;

pub const MAGIC: &[u8; 8] = b"CMINEMB1";
const DTYPE_F16: u32 = 1;
const DTYPE_F32: u32 = 2;

/// A vocabulary and its vectors.
#[derive(Clone, Debug, PartialEq)]
pub struct Embeddings {
    dim: usize,
    index: HashMap<String, usize>,
    words: Vec<String>,
    vectors: Vec<f32>,
}

/// Vectors for a sentence, with the words that had none.
#[derive(Clone, Debug, PartialEq)]
pub struct Lookup {
    /// Row-major `[words, dim]`.
    pub vectors: Vec<f32>,
    /// Indices (into the looked-up words) of out-of-vocabulary words.
    pub unknown: Vec<usize>,
}

impl Embeddings {
    /// Builds from words and row-major vectors; rejects duplicates, empty words and
    /// non-finite values.
    pub fn new(words: Vec<String>, vectors: Vec<f32>, dim: usize) -> Result<Self> {
        let bad = |m: String| Err(CminError::malformed("embeddings", m));
        if dim == 0 || words.is_empty() {
            return bad("no words or zero dimension".into());
        }
        if vectors.len() != words.len() * dim {
            return bad(format!("{} values for {} words of dim {dim}", vectors.len(), words.len()));
        }
        if let Some(pos) = vectors.iter().position(|v| !v.is_finite()) {
            return bad(format!("word {:?} has a non-finite value", words[pos / dim]));
        }
        let mut index = HashMap::with_capacity(words.len());
        for (i, w) in words.iter().enumerate() {
            if w.is_empty() || w.chars().any(char::is_whitespace) {
                return bad(format!("word {i} is empty or contains whitespace"));
            }
            if index.insert(w.clone(), i).is_some() {
                return bad(format!("word {w:?} appears twice"));
            }
        }
        Ok(Embeddings { dim, index, words, vectors })
    }

    /// Parses either format (the compact one is recognised by its magic).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.starts_with(MAGIC) { Self::from_compact(bytes) } else { Self::from_glove_text(bytes) }
    }

    fn from_compact(bytes: &[u8]) -> Result<Self> {
        limits::file("the word-vector file", bytes.len() as u64)?;
        let bad = |m: &str| CminError::malformed("embedding file", m);
        let u32_at = |at: usize| -> Result<u32> {
            bytes
                .get(at..at + 4)
                .map(|b| u32::from_le_bytes(b.try_into().unwrap()))
                .ok_or_else(|| bad("truncated header"))
        };
        let (dim, count, dtype, vocab_len) =
            (u32_at(8)? as usize, u32_at(12)? as usize, u32_at(16)?, u32_at(20)? as usize);
        let width = match dtype {
            DTYPE_F16 => 2,
            DTYPE_F32 => 4,
            other => return Err(bad(&format!("unknown dtype code {other}"))),
        };
        table_size(count, dim)?;
        let vocab_end = 24usize.checked_add(vocab_len).ok_or_else(|| bad("vocabulary length overflows"))?;
        let vocab = bytes.get(24..vocab_end).ok_or_else(|| bad("truncated vocabulary"))?;
        let vocab = std::str::from_utf8(vocab).map_err(|_| bad("vocabulary is not UTF-8"))?;
        let words: Vec<String> = vocab.split('\n').map(str::to_string).collect();
        if words.len() != count {
            return Err(bad(&format!("header says {count} words, vocabulary has {}", words.len())));
        }
        let expected =
            count.checked_mul(dim).and_then(|v| v.checked_mul(width)).ok_or_else(|| bad("size overflows"))?;
        let data = &bytes[vocab_end..];
        if data.len() != expected {
            return Err(bad(&format!("expected {expected} bytes of vectors, found {}", data.len())));
        }
        let vectors = match dtype {
            DTYPE_F16 => data.chunks_exact(2).map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32()).collect(),
            _ => data.chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().unwrap())).collect(),
        };
        Self::new(words, vectors, dim)
    }

    fn from_glove_text(bytes: &[u8]) -> Result<Self> {
        limits::file("the word-vector file", bytes.len() as u64)?;
        let text = std::str::from_utf8(bytes).map_err(|_| CminError::malformed("GloVe text", "not UTF-8"))?;
        let (mut words, mut vectors, mut dim) = (Vec::new(), Vec::new(), 0);
        for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let mut parts = line.split_whitespace();
            let word = parts.next().expect("non-empty line").to_string();
            let before = vectors.len();
            for p in parts {
                let v: f32 = p.parse().map_err(|_| {
                    CminError::malformed("GloVe text", format!("line {}: {p:?} is not a number", n + 1))
                })?;
                vectors.push(v);
                if vectors.len() - before > limits::MAX_WORD_DIM as usize {
                    table_size(1, vectors.len() - before)?;
                }
            }
            let d = vectors.len() - before;
            if dim == 0 {
                dim = d;
            }
            table_size(words.len() + 1, d)?;
            if d != dim || d == 0 {
                return Err(CminError::malformed("GloVe text", format!("line {}: {d} values, expected {dim}", n + 1)));
            }
            words.push(word);
        }
        Self::new(words, vectors, dim)
    }

    /// The compact format, with f16 or f32 vectors.
    pub fn to_compact(&self, f16: bool) -> Vec<u8> {
        let vocab = self.words.join("\n");
        let mut out = Vec::with_capacity(24 + vocab.len() + self.vectors.len() * 4);
        out.extend_from_slice(MAGIC);
        for v in [self.dim as u32, self.words.len() as u32, if f16 { DTYPE_F16 } else { DTYPE_F32 }, vocab.len() as u32]
        {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(vocab.as_bytes());
        for v in &self.vectors {
            if f16 {
                out.extend_from_slice(&half::f16::from_f32(*v).to_le_bytes());
            } else {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        out
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// Row-major `[len, dim]`.
    pub fn vectors(&self) -> &[f32] {
        &self.vectors
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The vector of a word (lower-cased), if known.
    /// The vector of a word, case-insensitively. A word missing from a vocabulary subset
    /// falls back to its stem without an inflectional ending ("shrinks" -> "shrink",
    /// "carries" -> "carry", "nudged" -> "nudge", "hopping" -> "hop"), which sits close to
    /// it in GloVe space.
    pub fn get(&self, word: &str) -> Option<&[f32]> {
        let word = word.to_lowercase();
        let i = self.index.get(&word).or_else(|| stems(&word).iter().find_map(|s| self.index.get(s)))?;
        Some(&self.vectors[i * self.dim..(i + 1) * self.dim])
    }

    /// Vectors for a sentence; unknown words get zeros and are listed.
    pub fn lookup<S: AsRef<str>>(&self, words: &[S]) -> Lookup {
        let mut vectors = Vec::with_capacity(words.len() * self.dim);
        let mut unknown = Vec::new();
        for (i, w) in words.iter().enumerate() {
            match self.get(w.as_ref()) {
                Some(v) => vectors.extend_from_slice(v),
                None => {
                    vectors.extend(std::iter::repeat_n(0.0, self.dim));
                    unknown.push(i);
                }
            }
        }
        Lookup { vectors, unknown }
    }
}

/// Candidate stems of an English inflected form (-s, -es, -ies, -ed, -ing), most specific
/// first; each at least three letters long.
fn stems(word: &str) -> Vec<String> {
    let mut stems = Vec::new();
    if word.len() > 4 {
        if let Some(stem) = word.strip_suffix("ies") {
            stems.push(format!("{stem}y"));
        }
    }
    if word.len() > 3 {
        if let Some(stem) = word.strip_suffix("es") {
            stems.push(stem.to_string());
        }
        if let Some(stem) = word.strip_suffix('s').filter(|s| !s.ends_with('s')) {
            stems.push(stem.to_string());
        }
    }
    // "nudged" -> "nudge", "blinked" -> "blink", "hopped" -> "hop"; "nudging" -> "nudg" is no
    // word, so "-ing" also tries "-e"; "hopping" -> "hop".
    for (suffix, with_e) in [("ed", false), ("ing", true)] {
        let Some(stem) = word.strip_suffix(suffix).filter(|s| s.len() >= 3) else { continue };
        if suffix == "ed" {
            stems.push(format!("{stem}e"));
        }
        stems.push(stem.to_string());
        if with_e {
            stems.push(format!("{stem}e"));
        }
        let b = stem.as_bytes();
        if b.len() >= 4 && b[b.len() - 1] == b[b.len() - 2] {
            stems.push(stem[..stem.len() - 1].to_string());
        }
    }
    stems.retain(|s| s.len() >= 3);
    stems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Embeddings {
        Embeddings::new(vec!["the".into(), "knife".into()], vec![0.5, -1.0, 0.25, 2.0], 2).unwrap()
    }

    #[test]
    fn compact_round_trip_f32_and_f16() {
        let e = sample();
        assert_eq!(Embeddings::from_bytes(&e.to_compact(false)).unwrap(), e);
        // These values are exact in f16.
        assert_eq!(Embeddings::from_bytes(&e.to_compact(true)).unwrap(), e);
    }

    #[test]
    fn tables_above_the_limits_are_refused_before_they_are_allocated() {
        // A compact header claiming 2^20 words of 2^10 values: 4 GiB as f32, from 30 bytes.
        let mut header = MAGIC.to_vec();
        for v in [1u32 << 10, 1 << 20, DTYPE_F32, 2] {
            header.extend(v.to_le_bytes());
        }
        header.extend(b"a\n");
        let e = Embeddings::from_bytes(&header).unwrap_err();
        assert_eq!(e.code(), "too-large");
        assert!(e.to_string().contains("words x dim"), "{e}");
        // A GloVe line wider than any word vector.
        let line = format!("x{}\n", " 1".repeat(limits::MAX_WORD_DIM as usize + 1));
        let e = Embeddings::from_bytes(line.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("width") && e.code() == "too-large", "{e}");
    }

    #[test]
    fn inflected_forms_fall_back_to_their_stem() {
        let e = Embeddings::from_bytes(b"shrink 1 0\ncarry 0 1\nbox 1 1\ngas 2 2\n").unwrap();
        assert_eq!(e.get("Shrinks"), Some(&[1.0, 0.0][..]));
        assert_eq!(e.get("carries"), Some(&[0.0, 1.0][..]));
        assert_eq!(e.get("boxes"), Some(&[1.0, 1.0][..]));
        assert_eq!(e.get("gas"), Some(&[2.0, 2.0][..]));
        assert_eq!(e.get("glass"), None, "no stem 'glas' from a double s");
        assert_eq!(e.get("is"), None, "short words are left alone");
        let e = Embeddings::from_bytes(b"nudge 1 0\nblink 0 1\nhop 1 1\nrotate 2 0\n").unwrap();
        assert_eq!(e.get("nudged"), Some(&[1.0, 0.0][..]));
        assert_eq!(e.get("nudging"), Some(&[1.0, 0.0][..]));
        assert_eq!(e.get("blinked"), Some(&[0.0, 1.0][..]));
        assert_eq!(e.get("Blinking"), Some(&[0.0, 1.0][..]));
        assert_eq!(e.get("hopped"), Some(&[1.0, 1.0][..]));
        assert_eq!(e.get("hopping"), Some(&[1.0, 1.0][..]));
        assert_eq!(e.get("rotating"), Some(&[2.0, 0.0][..]));
        assert_eq!(e.get("red"), None, "no stem shorter than three letters");
    }

    #[test]
    fn glove_text_and_lookup() {
        let e = Embeddings::from_bytes(b"the 0.5 -1\nknife 0.25 2\n\n").unwrap();
        assert_eq!(e, sample());
        let l = e.lookup(&["The", "spork", "knife"]);
        assert_eq!(l.vectors, vec![0.5, -1.0, 0.0, 0.0, 0.25, 2.0]);
        assert_eq!(l.unknown, vec![1]);
    }

    #[test]
    fn malformed_files_are_errors() {
        assert!(Embeddings::from_bytes(b"").is_err());
        assert!(Embeddings::from_bytes(b"the 0.5 x\n").is_err());
        assert!(Embeddings::from_bytes(b"the 0.5 1\nknife 2\n").is_err());
        assert!(Embeddings::from_bytes(b"the 1\nthe 2\n").is_err());
        assert!(Embeddings::from_bytes(b"the NaN\n").is_err());
        let mut c = sample().to_compact(true);
        c.pop();
        assert!(Embeddings::from_bytes(&c).is_err());
        assert!(Embeddings::from_bytes(&c[..10]).is_err());
        assert!(Embeddings::from_bytes(&[0xff, 0xfe, 0x00]).is_err());
    }
}

/// Refuses a table of `words x dim` values above the limits, before it is allocated: a file
/// of a few hundred megabytes could otherwise expand past wasm32's 4 GiB.
fn table_size(words: usize, dim: usize) -> Result<()> {
    limits::at_most("the word-vector width", dim as u64, limits::MAX_WORD_DIM, "values")?;
    let values = (words as u64).saturating_mul(dim as u64);
    limits::at_most("the word-vector table (words x dim)", values, limits::MAX_EMBEDDING_VALUES, "values")
}
